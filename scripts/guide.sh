#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guide.sh: regenerate Documentation/tcp-by-example.rst from a real run.
#
#   scripts/guide.sh [-k KERNEL] [-o OUTPUT] [-r VMOUT]     (make guide)
#
# -r VMOUT: no VM run, use the saved output of an earlier one.
#
# Boots KERNEL (default: the 6.12 Debian kernel) with scripts/vm-run.sh and
# runs selftests/mytcp/teaching.sh there with MYTCP_TEACHING_DUMP=1: every
# teaching scenario (lib/teaching_scn.py) runs once under mytcp-ladder, and the
# ladder picture and the mytcpstat snapshots of each are printed between
# "@@BEGIN NAME ladder|stat" and "@@END".  They replace the "@LADDER NAME@"
# and "@STAT NAME@" lines of scripts/guide.rst.in (the prose).  Nothing is
# drawn by hand: a scenario that did not run leaves a note instead of a
# picture.  "@PLOT NAME@" lines become a figure drawn by tools/mytcp-plot
# from the scenario's own trace lines ("@@BEGIN NAME trace"): PNG files in
# Documentation/tcp-by-example/.  MYTCP_KO: the module to use (default:
# built into build/guide/).
set -euo pipefail

TOP=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
KERNEL=$(ls /boot/vmlinuz-6.12.*-amd64 2>/dev/null | sort -V | tail -n 1)
OUTPUT=$TOP/Documentation/tcp-by-example.rst
RAWIN=
while getopts k:o:r: o; do
	case $o in
	k) KERNEL=$OPTARG ;;
	o) OUTPUT=$OPTARG ;;
	r) RAWIN=$(readlink -f "$OPTARG") ;;
	*) sed -n '4,15p' "$0"; exit 2 ;;
	esac
done
KVER=${KERNEL#/boot/vmlinuz-}
WORK=$TOP/build/guide/$KVER
mkdir -p "$WORK"

if [ -z "${MYTCP_KO:-}" ] && [ -z "$RAWIN" ]; then
	# The same clean copy build as make check (build/KVER/mytcp.ko).
	"$TOP/scripts/build-module.sh" "$KVER" > "$WORK/build.log" 2>&1 ||
		{ tail -n 30 "$WORK/build.log"; exit 1; }
	MYTCP_KO=$TOP/build/$KVER/mytcp.ko
fi

RAW=$WORK/vm.out
cd "$TOP"
if [ -n "$RAWIN" ]; then
	[ "$RAWIN" -ef "$RAW" ] || cp "$RAWIN" "$RAW"
else
MYTCP_KO=$MYTCP_KO MYTCP_TEACHING_DUMP=1 scripts/vm-run.sh -k "$KERNEL" -t 1200 -- \
	selftests/mytcp/teaching.sh > "$RAW" 2>&1 || echo "guide.sh: the VM run failed (status $?), see $RAW" >&2
fi
tr -d '\r' < "$RAW" > "$RAW.clean"

# Split the dump into $WORK/parts/NAME.ladder and NAME.stat.
rm -rf "$WORK/parts"
mkdir -p "$WORK/parts"
awk -v dir="$WORK/parts" '
	/^@@BEGIN / { f = dir "/" $2 "." $3; printf "" > f; next }
	/^@@RESULTS/ { f = dir "/results"; printf "" > f; next }
	/^@@END/ { f = ""; next }
	f != "" { print >> f }' "$RAW.clean"

grep -q . "$WORK/parts/results" 2>/dev/null ||
	{ echo "guide.sh: no scenario output in $RAW" >&2; exit 1; }

PLOTDIR=$(dirname "$OUTPUT")/tcp-by-example
mkdir -p "$PLOTDIR"
port_of()
{
	sed -n "/^PORTS = {/,/}/s/.*\"$1\": *\([0-9][0-9]*\).*/\1/p" \
		"$TOP/selftests/mytcp/lib/teaching_scn.py" | head -n 1
}
{
	while IFS= read -r line; do
		case $line in
		@PLOT\ *@)
			name=${line#* }; name=${name%@}
			f=$WORK/parts/$name.trace
			if grep -qx "ok $name" "$WORK/parts/results" && [ -s "$f" ] &&
			   "${PYTHON:-/usr/bin/python3}" "$TOP/tools/mytcp-plot.py" -p "$(port_of "$name")" \
				-o "$PLOTDIR/$name.png" "$f" >&2; then
				echo ".. image:: tcp-by-example/$name.png"
				echo "   :alt: mytcp-plot of the $name scenario: time-sequence graph, cwnd/ssthresh/in-flight, RTT"
			else
				echo "(No plot: the scenario did not run cleanly when the guide was"
				echo "generated.)"
			fi
			;;
		@LADDER\ *@|@STAT\ *@)
			kind=${line%% *}; kind=${kind#@}
			name=${line#* }; name=${name%@}
			if [ "$kind" = LADDER ]; then f=$WORK/parts/$name.ladder; else f=$WORK/parts/$name.stat; fi
			if grep -qx "ok $name" "$WORK/parts/results" && [ -s "$f" ] &&
			   ! grep -q "usage:\|Traceback" "$f"; then
				echo "::"
				echo
				sed -e 's/^== \(.*\)/# \1/' -e 's/^/   /' -e 's/ *$//' "$f"
			else
				echo "(This scenario did not run cleanly when the guide was generated;"
				echo "no picture is shown.)"
			fi
			;;
		*)
			printf '%s\n' "$line"
			;;
		esac
	done < "$TOP/scripts/guide.rst.in"
} > "$OUTPUT.tmp"
mv "$OUTPUT.tmp" "$OUTPUT"
echo "guide.sh: wrote $OUTPUT ($(grep -c '^ok ' "$WORK/parts/results") scenarios ok on $KVER)"
grep -v '^ok ' "$WORK/parts/results" >&2 || true
