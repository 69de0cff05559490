# SPDX-License-Identifier: GPL-2.0
#
# mytcp: top-level Makefile.
#
#   make                 build mytcp/mytcp.ko for $(KVER)
#   make KVER=<release>  build for another installed kernel
#   make demo            install deps, build, boot a VM and show mytcp working
#   make check           build and run the selftests on every installed 6.1/6.12 kernel
#   make check-style     checkpatch --strict and sparse (C=1)
#   make check-debug     the selftests on a KASAN/lockdep/kmemleak/UBSAN 6.12 kernel

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

all: module

module:
	$(MAKE) -C $(KDIR) M=$(TOP) $(EXTRA_MAKE) modules

clean:
	$(MAKE) -C $(KDIR) M=$(TOP) clean 2>/dev/null || true
	rm -rf $(TOP)/build

deps:
	$(TOP)/scripts/install-deps.sh

check: deps
	$(TOP)/scripts/check.sh $(if $(filter command line,$(origin KVER)),$(KVER))

check-style: deps
	$(TOP)/scripts/check-style.sh

demo: deps
	$(TOP)/scripts/demo.sh

check-debug: deps
	$(TOP)/scripts/check-debug.sh

.PHONY: all module clean deps check check-style demo check-debug
