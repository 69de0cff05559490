#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-packaging.sh [KVER...]: packaging checks that run on the host (no
# VM, no root needed for the DESTDIR part):
#   1. `make install` pieces into a DESTDIR: module under
#      lib/modules/KVER/updates with a depmod'ed modules.alias that maps
#      net-pf-<AF_MYTCP> to mytcp, the uapi header, tools, library, man
#      pages; then `make uninstall` removes them all.
#   2. DKMS: the sources staged by dkms-src.sh build through `dkms build`
#      for every installed 6.1/6.12 kernel with headers, in a private DKMS
#      tree (--dkmstree/--sourcetree: /var/lib/dkms is not touched); the
#      built module's vermagic is that kernel.
# Ends with "N passed, N failed[, N skipped]"; exit status 1 on failure.

set -uo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mytcp-pkg.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
pass=0 fail=0 skip=0 n=0

result()	# result RC DESC
{
	n=$((n + 1))
	case "$1" in
	0) pass=$((pass + 1)); echo "ok $n $2" ;;
	4) skip=$((skip + 1)); echo "ok $n $2 # SKIP" ;;
	*) fail=$((fail + 1)); echo "not ok $n $2" ;;
	esac
}

kvers=("$@")
if [ ${#kvers[@]} -eq 0 ]; then
	for k in $(ls /lib/modules | sort -V); do
		case "$k" in 6.1.*|6.12.*) ;; *) continue ;; esac
		[ -d "/lib/modules/$k/build" ] && kvers+=("$k")
	done
fi
echo "# kernels: ${kvers[*]}"
KV=${kvers[-1]}
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$TOP/dkms.conf")

# ------------------------------------------------------------ DESTDIR
D=$TMP/dest
t_build_tools() { make -s -C "$TOP/tools" >"$TMP/tools.log" 2>&1 || { sed 's/^/# /' "$TMP/tools.log"; return 1; }; }
t_build_tools; result $? "make tools"

# A module for $KV: the one built by `make`/check.sh when there, else built
# here from a copy of the tree.
KO=
for c in "$TOP/build/$KV/mytcp.ko" "$TOP/mytcp/mytcp.ko"; do
	if [ -r "$c" ] && [ "$(modinfo -F vermagic "$c" 2>/dev/null | cut -d' ' -f1)" = "$KV" ]; then
		KO=$c
		break
	fi
done
if [ -z "$KO" ]; then
	"$TOP/scripts/dkms-src.sh" "$TMP/kosrc" &&
	make -s -C "/lib/modules/$KV/build" M="$TMP/kosrc" modules >"$TMP/ko.log" 2>&1 &&
	KO=$TMP/kosrc/mytcp/mytcp.ko
fi

t_install()
{
	[ -n "$KO" ] || { echo "# no module for $KV"; return 1; }
	make -s -C "$TOP" install-module install-tools DESTDIR="$D" PREFIX=/usr \
		KVER="$KV" KO="$KO" >"$TMP/inst.log" 2>&1 || { sed 's/^/# /' "$TMP/inst.log"; return 1; }
	local f ok=0
	for f in lib/modules/$KV/updates/mytcp.ko usr/include/mytcp.h \
		 usr/bin/mytcpstat usr/bin/mytcp-ladder usr/bin/mytcp-run \
		 usr/lib/libmytcp-preload.so usr/share/man/man7/mytcp.7 \
		 usr/share/man/man8/mytcpstat.8 usr/share/man/man1/mytcp-ladder.1 \
		 usr/share/man/man1/mytcp-run.1; do
		[ -e "$D/$f" ] || { echo "# missing $f"; ok=1; }
	done
	grep -q '^alias net_pf_19 mytcp$\|^alias net-pf-19 mytcp$' "$D/lib/modules/$KV/modules.alias" ||
		{ echo "# modules.alias has no net-pf-19 -> mytcp:"; sed 's/^/#   /' "$D/lib/modules/$KV/modules.alias"; ok=1; }
	grep -q "^LIB=/usr/lib/libmytcp-preload.so" "$D/usr/bin/mytcp-run" ||
		{ echo "# mytcp-run does not point at the installed library"; ok=1; }
	return $ok
}
t_install; result $? "make install-module install-tools DESTDIR=... PREFIX=/usr (files, depmod alias net-pf-19)"

t_uninstall()
{
	make -s -C "$TOP" uninstall DESTDIR="$D" PREFIX=/usr KVER="$KV" >"$TMP/uninst.log" 2>&1 ||
		{ sed 's/^/# /' "$TMP/uninst.log"; return 1; }
	local left
	left=$(find "$D" -type f ! -name 'modules.*' | sed "s,^$D/,,")
	[ -z "$left" ] || { echo "# left behind:"; echo "$left" | sed 's/^/#   /'; return 1; }
}
t_uninstall; result $? "make uninstall removes every installed file"

# --------------------------------------------------------------- DKMS
if ! command -v dkms >/dev/null; then
	for k in "${kvers[@]}"; do result 4 "dkms build for $k (dkms not installed)"; done
else
	"$TOP/scripts/dkms-src.sh" "$TMP/src/mytcp-$VER"
	mkdir -p "$TMP/tree"
	dk=(dkms --sourcetree "$TMP/src" --dkmstree "$TMP/tree" -m mytcp -v "$VER")
	"${dk[@]}" add >"$TMP/dkms-add.log" 2>&1 || sed 's/^/# /' "$TMP/dkms-add.log"
	for k in "${kvers[@]}"; do
		t_dkms()
		{
			"${dk[@]}" build -k "$k" >"$TMP/dkms-$k.log" 2>&1 ||
				{ sed 's/^/# /' "$TMP/dkms-$k.log" | tail -n 30
				  cat "$TMP/tree/mytcp/$VER/build/make.log" 2>/dev/null | tail -n 30 | sed 's/^/# make: /'
				  return 1; }
			local ko vm
			ko=$(find "$TMP/tree/mytcp/$VER/$k" -name 'mytcp.ko*' | head -n 1)
			[ -n "$ko" ] || { echo "# no mytcp.ko under the DKMS tree for $k"; return 1; }
			vm=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
			[ "$vm" = "$k" ] || { echo "# vermagic $vm"; return 1; }
			echo "# built $ko"
		}
		t_dkms; result $? "dkms build -k $k"
	done
fi

line="$pass passed, $fail failed"
[ "$skip" -gt 0 ] && line+=", $skip skipped"
echo "$line"
[ "$fail" -eq 0 ]
