# SPDX-License-Identifier: GPL-2.0
#
# mytcp: top-level Makefile.
#
#   make                 build mytcp/mytcp.ko for $(KVER)
#   make KVER=<release>  build for another installed kernel
#   make demo            install deps, build, boot a VM and show mytcp working
#   make unit            unit tests of the pure protocol logic (seconds, no VM)
#   make check           make unit, then the selftests on every installed 6.1/6.12 kernel
#   make check-style     checkpatch --strict and sparse (C=1)
#   make check-debug     the selftests on a KASAN/lockdep/kmemleak/UBSAN 6.12 kernel
#   make check-debug-quick  the same with smaller transfers
#   make check-debug-ci  the quick lane on scripts/debug-ci.tests (what CI runs)
#   make tools           mytcpstat, mytcp-ladder, mytcp-run, libmytcp-preload.so
#   make install         module (+ depmod), uapi header, tools, man pages;
#                        DESTDIR, PREFIX (default /usr/local), KVER honoured
#   make uninstall       remove what install put there
#   make dkms-install    register the source with DKMS and build/install it
#                        for every installed kernel that has headers
#   make check-packaging DESTDIR install/uninstall and DKMS builds, on the host
#   make guide           Documentation/tcp-by-example.rst from a VM run (scripts/guide.sh)

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# Default kernel: the running one when its build tree exists, else the
# newest installed Debian kernel that has headers.
KVER ?= $(shell if [ -d /lib/modules/$$(uname -r)/build ]; then uname -r; \
	else ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | \
	sed 's,.*/linux-headers-,,' | sort -V | tail -n 1; fi)
KDIR ?= /lib/modules/$(KVER)/build
ifeq ($(wildcard $(KDIR)),)
KDIR := /usr/src/linux-headers-$(KVER)
endif

# Warnings are errors (W=1 clean on both kernels).
EXTRA_MAKE := W=1 KCFLAGS=-Werror

all: module tools

module:
	$(MAKE) -C $(KDIR) M=$(TOP) $(EXTRA_MAKE) modules

clean:
	$(MAKE) -C $(KDIR) M=$(TOP) clean 2>/dev/null || true
	$(MAKE) -C $(TOP)/tools clean
	rm -rf $(TOP)/build

deps:
	$(TOP)/scripts/install-deps.sh

# The unit tier: pure protocol logic in user space, no VM, no root.
unit:
	$(MAKE) -C $(TOP)/unit

check: deps
	$(TOP)/scripts/check.sh $(if $(filter command line,$(origin KVER)),$(KVER))

check-style: deps
	$(TOP)/scripts/check-style.sh

demo: deps
	$(TOP)/scripts/demo.sh

check-debug: deps
	$(TOP)/scripts/check-debug.sh

check-debug-quick: deps
	$(TOP)/scripts/check-debug.sh --quick

check-debug-ci: deps
	$(TOP)/scripts/check-debug.sh --ci

# ---- tools, install, DKMS (see tools/Makefile, dkms.conf) ----
PREFIX ?= /usr/local
DESTDIR ?=
MODDIR ?= /lib/modules/$(KVER)
# The module to install: the one `make module` built (or KO=path), and
# CUBIC's module next to it (CUBIC_KO=path; skipped when absent).
KO ?= $(TOP)/mytcp/mytcp.ko
CUBIC_KO ?= $(dir $(KO))mytcp_cubic.ko
MYTCP_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(TOP)/dkms.conf)
DKMS_SRC ?= /usr/src/mytcp-$(MYTCP_VERSION)

tools:
	$(MAKE) -C $(TOP)/tools

install: all install-module install-tools

# No build here: install-module works from a read-only tree (KO=...).
install-module:
	@[ -r "$(KO)" ] || { echo "$(KO) missing: run make first" >&2; exit 1; }
	install -D -m 644 $(KO) $(DESTDIR)$(MODDIR)/updates/mytcp.ko
	if [ -r "$(CUBIC_KO)" ]; then install -D -m 644 $(CUBIC_KO) \
		$(DESTDIR)$(MODDIR)/updates/mytcp_cubic.ko; fi
	$(if $(DESTDIR),depmod -b $(DESTDIR) $(KVER),depmod -a $(KVER))

install-tools:
	$(MAKE) -C $(TOP)/tools install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

uninstall: uninstall-module uninstall-tools

uninstall-module:
	rm -f $(DESTDIR)$(MODDIR)/updates/mytcp.ko $(DESTDIR)$(MODDIR)/updates/mytcp_cubic.ko
	$(if $(DESTDIR),[ ! -d $(DESTDIR)$(MODDIR) ] || depmod -b $(DESTDIR) $(KVER),depmod -a $(KVER))

uninstall-tools:
	$(MAKE) -C $(TOP)/tools uninstall PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

# The module's sources, as DKMS wants them in /usr/src/mytcp-VERSION.
dkms-src:
	$(TOP)/scripts/dkms-src.sh $(DESTDIR)$(DKMS_SRC)

dkms-install: dkms-src
	dkms add -m mytcp -v $(MYTCP_VERSION) 2>/dev/null || true
	for k in $$(ls /lib/modules); do \
		[ -d /lib/modules/$$k/build ] || continue; \
		dkms install -m mytcp -v $(MYTCP_VERSION) -k $$k || exit 1; \
	done

dkms-uninstall:
	dkms remove -m mytcp -v $(MYTCP_VERSION) --all || true
	rm -rf $(DKMS_SRC)

check-packaging:
	$(TOP)/scripts/check-packaging.sh

# Documentation/tcp-by-example.rst from a real run in the VM.
guide: deps
	$(TOP)/scripts/guide.sh

.PHONY: all module clean deps unit check check-style demo check-debug check-debug-quick check-debug-ci tools install \
	install-module install-tools uninstall uninstall-module uninstall-tools \
	dkms-src dkms-install dkms-uninstall check-packaging guide
