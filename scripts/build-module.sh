#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-module.sh KVER: build mytcp.ko and mytcp_cubic.ko for kernel KVER
# into build/KVER/.
#
# The tree is copied to build/KVER/src first (out-of-tree builds put their
# objects next to the sources, and the working tree may be edited or built
# at the same time); `make KVER=KVER module` runs there, the log goes to
# build/KVER/build.log and the module is copied to build/KVER/mytcp.ko
# without its debug info (the full one stays in build/KVER/src/mytcp/).
# Build products are never copied (a stale mytcp.mod from a build in the
# working tree once linked that tree's objects for the wrong kernel) and
# are deleted from the copy, so every build starts clean.  Its vermagic
# must match KVER.

set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kver=${1:?usage: build-module.sh KVER}
dir=$TOP/build/$kver

mkdir -p "$dir/src"
rsync -a --delete --delete-excluded --exclude=/build --exclude=/.git --exclude='*.o' \
	--exclude='*.ko' --exclude='.*.cmd' --exclude='*.mod' --exclude='*.mod.c' \
	--exclude='*.a' --exclude=modules.order --exclude=Module.symvers \
	"$TOP/" "$dir/src/" || exit
rm -f "$dir/mytcp.ko" "$dir/mytcp_cubic.ko"
make -C "$dir/src" -j"${CHECK_JOBS:-$(nproc)}" KVER="$kver" module > "$dir/build.log" 2>&1
rc=$?
grep -v -e 'Entering directory' -e 'Leaving directory' "$dir/build.log" |
	sed 's/^/# build: /' | tail -n 40
if [ $rc -ne 0 ]; then
	echo "# build: FAILED for $kver (build/$kver/build.log)"
	exit $rc
fi
# The guest reads the module over 9p under TCG: without DWARF it is ~20x
# smaller and insmod much faster.  Symbols stay (oops traces name them);
# build/KVER/src/mytcp/mytcp.ko keeps the debug info (decode_stacktrace.sh).
# mytcp_cubic.ko (CUBIC, the example algorithm module) goes next to it:
# the selftests load it from there (cong.py).
for m in mytcp mytcp_cubic; do
	cp "$dir/src/mytcp/$m.ko" "$dir/$m.ko" || exit
	strip --strip-debug "$dir/$m.ko" || exit
done
vm=$(modinfo -F vermagic "$dir/mytcp.ko" | cut -d' ' -f1)
if [ "$vm" != "$kver" ]; then
	echo "# build: vermagic '$vm' is not $kver"
	exit 1
fi
echo "# build: $dir/mytcp.ko"
