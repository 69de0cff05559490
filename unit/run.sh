#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh BINARY [FILTER]: the unit tier's two runners, the C tests of the
# module's pure files (BINARY, built by unit/Makefile) and the tools' tests
# on saved traces (test_tools.py); prints their lines, then the sum:
# "unit: N passed, N failed".  Exit 1 when a test failed or a runner broke.
set -u
UNIT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=${PYTHON:-python3}
pass=0 fail=0

tally()
{
	local line p f

	line=$(grep -E "^$1: [0-9]+ passed, [0-9]+ failed" "$2" | tail -n 1)
	if [ -z "$line" ]; then
		echo "# $1: no totals (the runner broke)"
		fail=$((fail + 1))
		return
	fi
	p=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/' <<<"$line")
	f=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
	pass=$((pass + p))
	fail=$((fail + f))
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$1" ${2:-} | tee "$out"
tally c "$out"
"$PY" "$UNIT/test_tools.py" ${2:-} | tee "$out"
tally tools "$out"
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
