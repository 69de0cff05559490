#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh [KVER]: install deps, build mytcp, boot a VM and show it working
# (scripts/demo-guest.sh runs inside: load, family, a socket, the stats,
# and a client/server over AF_MYTCP between two network namespaces).
#
# KVER defaults to the newest installed 6.12 kernel (else the newest one).
# Environment: DEMO_TIMEOUT (seconds, default 300).

set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$TOP" || exit 1

"$TOP/scripts/install-deps.sh" || exit

kver=${1:-}
if [ -z "$kver" ]; then
	all=$(ls /boot/vmlinuz-* 2>/dev/null | sed 's,.*/vmlinuz-,,' | sort -V)
	kver=$(echo "$all" | grep '^6\.12\.' | tail -n 1)
	[ -n "$kver" ] || kver=$(echo "$all" | tail -n 1)
fi
[ -n "$kver" ] || { echo "demo: no kernel in /boot" >&2; exit 1; }

echo "### building mytcp for $kver"
"$TOP/scripts/build-module.sh" "$kver" || exit
echo "### booting $kver"
MYTCP_KO=$TOP/build/$kver/mytcp.ko exec "$TOP/scripts/vm-run.sh" \
	-k "/boot/vmlinuz-$kver" -m "/lib/modules/$kver" -t "${DEMO_TIMEOUT:-300}" -- \
	"$TOP/scripts/demo-guest.sh"
