#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-style.sh [KVER...]: style and static checks of the module.
#
#   1. checkpatch.pl --strict --no-tree -f on mytcp/*.c mytcp/*.h
#      mytcp/uapi/*.h (checkpatch from build/kselftest/, extracted from the
#      Debian 6.12 source by scripts/install-deps.sh).
#   2. sparse: `make C=1` for every installed 6.1/6.12 kernel (or the given
#      ones), in a copy of the tree under build/style/<KVER>/ so that every
#      file is checked and the working tree is not touched.  Any sparse or
#      compiler warning in a file under mytcp/ fails; warnings located in the
#      kernel's own headers are shown but do not fail.
#
# Environment: CHECKPATCH_IGNORE (comma-separated checkpatch types to skip).
# Exit status 1 when anything fails.

set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$TOP" || exit 1
CHECKPATCH=$TOP/build/kselftest/scripts/checkpatch.pl
fail=0
results=()

say() { echo "### $*"; }

# ---------------------------------------------------------- checkpatch
if [ ! -x "$CHECKPATCH" ] && [ ! -r "$CHECKPATCH" ]; then
	say "$CHECKPATCH missing: run scripts/install-deps.sh"
	exit 1
fi
files=$(ls mytcp/*.c mytcp/*.h mytcp/uapi/*.h 2>/dev/null | grep -v '\.mod\.c$')
if [ -z "$files" ]; then
	say "no sources under mytcp/"
	exit 1
fi
say "checkpatch --strict on: $(echo $files)"
ignore=()
[ -n "${CHECKPATCH_IGNORE:-}" ] && ignore=(--ignore "$CHECKPATCH_IGNORE")
# shellcheck disable=SC2086
if perl "$CHECKPATCH" --strict --no-tree --no-summary --show-types --color=never \
	"${ignore[@]}" -f $files; then
	results+=("checkpatch: clean")
else
	results+=("checkpatch: FAILED")
	fail=1
fi

# -------------------------------------------------------------- sparse
command -v sparse >/dev/null || { say "sparse missing: run scripts/install-deps.sh"; exit 1; }
kvers=("$@")
if [ ${#kvers[@]} -eq 0 ]; then
	for k in $(ls /boot/vmlinuz-* 2>/dev/null | sed 's,.*/vmlinuz-,,' | sort -V); do
		case "$k" in 6.1.*|6.12.*) ;; *) continue ;; esac
		[ -d "/lib/modules/$k/build" ] || [ -d "/usr/src/linux-headers-$k" ] && kvers+=("$k")
	done
fi
for k in "${kvers[@]}"; do
	dir=$TOP/build/style/$k
	say "sparse (make C=1) for $k"
	mkdir -p "$dir/src"
	rsync -a --delete --exclude=/build --exclude=/.git \
		--exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' "$TOP/" "$dir/src/"
	make -C "$dir/src" -j"$(nproc)" KVER="$k" C=1 module > "$dir/sparse.log" 2>&1
	rc=$?
	grep -v -e 'Entering directory' -e 'Leaving directory' "$dir/sparse.log"
	ours=$(grep -E '(^|/)mytcp/[^: ]+:[0-9]+(:[0-9]+)?: (warning|error)' "$dir/sparse.log")
	if [ $rc -ne 0 ]; then
		results+=("$k: build with C=1 FAILED (exit $rc)")
		fail=1
	elif [ -n "$ours" ]; then
		results+=("$k: sparse/compiler warnings in mytcp/: $(echo "$ours" | wc -l)")
		fail=1
	else
		results+=("$k: sparse clean")
	fi
done

echo
say "summary"
for r in "${results[@]}"; do
	echo "#   $r"
done
[ $fail -eq 0 ] && echo "check-style: ok" || echo "check-style: FAILED"
exit $fail
