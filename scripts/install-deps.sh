#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install-deps.sh: install what building and testing mytcp needs, then
# extract the kselftest framework and checkpatch from the Debian kernel
# source into build/kselftest/ (ignored by git; nothing from the kernel
# tree is committed).
#
# Idempotent and fast when everything is present: apt is only used when
# dpkg-query reports a package missing.
#
#   build/kselftest/tools/testing/selftests/{kselftest.h,kselftest_harness.h,
#       kselftest/,lib.mk,net/lib.sh,run_kselftest.sh}
#   build/kselftest/scripts/{checkpatch.pl,spelling.txt,const_structs.checkpatch}

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KSRC_TAR=${KSRC_TAR:-/usr/src/linux-source-6.12.tar.xz}
OUT=$TOP/build/kselftest

PACKAGES=(
	# VM and guest userspace
	qemu-system-x86 busybox-static cpio kmod iproute2 procps util-linux
	coreutils xz-utils zstd python3 iputils-ping ethtool iperf3 netcat-openbsd tcpdump curl dkms
	# kernels, headers, kernel source (for kselftest and checkpatch)
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64 linux-source-6.12
	# building the module and the tests, style checks
	build-essential make gcc bc bison flex libelf-dev sparse perl tar rsync
	# the tools: mytcp-plot draws with matplotlib; tshark reads mytcp-ladder --pcapng
	python3-matplotlib tshark
)

SUDO=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null && SUDO=sudo
fi

missing=()
for p in "${PACKAGES[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "install-deps: installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# ------------------------------------------------------------- kselftest
MEMBERS=(
	tools/testing/selftests/kselftest.h
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest
	tools/testing/selftests/lib.mk
	tools/testing/selftests/run_kselftest.sh
	tools/testing/selftests/net/lib.sh
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
)
stamp=$OUT/.extracted
if [ ! -f "$stamp" ] || [ "$KSRC_TAR" -nt "$stamp" ] ||
   [ "$(cat "$stamp")" != "${MEMBERS[*]}" ]; then
	[ -r "$KSRC_TAR" ] || { echo "install-deps: $KSRC_TAR missing" >&2; exit 1; }
	echo "install-deps: extracting kselftest and checkpatch from $KSRC_TAR"
	prefix=$(tar -tJf "$KSRC_TAR" 2>/dev/null | head -n 1 | cut -d/ -f1 || true)
	[ -n "$prefix" ] || { echo "install-deps: cannot read $KSRC_TAR" >&2; exit 1; }
	rm -rf "$OUT"
	mkdir -p "$OUT"
	tar -xJf "$KSRC_TAR" -C "$OUT" --strip-components=1 \
		"${MEMBERS[@]/#/$prefix/}"
	echo "${MEMBERS[*]}" > "$stamp"
fi
for f in "${MEMBERS[@]}"; do
	[ -e "$OUT/$f" ] || { echo "install-deps: $OUT/$f missing" >&2; exit 1; }
done
echo "install-deps: ok"
