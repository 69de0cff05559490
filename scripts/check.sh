#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh [KVER...]: build mytcp and its selftests and run the suite in a
# VM, for every installed Debian 6.1 and 6.12 kernel (or the given ones).
#
#   1. selftests: built once on the host, installed into build/selftests/
#      with the kernel's run_kselftest.sh, kselftest/ and net/lib.sh.
#   2. per kernel: the tree is copied to build/<KVER>/src (the working tree
#      is never touched), built with `make KVER=<KVER>`, and the module
#      copied to build/<KVER>/mytcp.ko.
#   3. per kernel: scripts/vm-run.sh boots /boot/vmlinuz-<KVER> and runs
#      scripts/guest-selftests.sh with MYTCP_KO=build/<KVER>/mytcp.ko.
#      The KTAP stream is printed and saved to build/<KVER>/check.log.
#
# The last line is the total over all kernels, counting the top-level
# KTAP results (one per test program):
#   N passed, N failed[, N skipped]
# A failed build, a failed VM verdict (panic, dmesg check, timeout) and a
# test that never reported each count as failed.  Exit status 1 on any
# failure.
#
# Environment: CHECK_TIMEOUT (seconds per VM, default 2700), CHECK_ARGS
# (extra run_kselftest.sh arguments, e.g. "-t mytcp:socket_api"),
# CHECK_JOBS (make -j, default nproc), CHECK_KO_DIR (use prebuilt
# CHECK_KO_DIR/<KVER>/mytcp.ko instead of building), CHECK_PARALLEL (1:
# the kernels side by side, one 1-vCPU guest each, the default with two
# kernels and two CPUs; 0: one after the other), CHECK_PACKAGING=0 (skip
# the host-side make install/uninstall and DKMS checks,
# scripts/check-packaging.sh, which run after the suites and count in
# the totals unless CHECK_ARGS picks tests).

set -uo pipefail

# One block: bash parses it whole, editing this file during a run is safe.
{

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$TOP" || exit 1
TIMEOUT=${CHECK_TIMEOUT:-2700}
JOBS=${CHECK_JOBS:-$(nproc)}
KSFT=$TOP/build/kselftest/tools/testing/selftests
INSTALL=$TOP/build/selftests

say() { echo "### $*"; }

total_pass=0
total_fail=0
total_skip=0
summary=()

finish()
{
	local line

	echo
	say "summary"
	for line in "${summary[@]}"; do
		echo "#   $line"
	done
	line="$total_pass passed, $total_fail failed"
	[ "$total_skip" -gt 0 ] && line+=", $total_skip skipped"
	echo "$line"
	[ "$total_fail" -eq 0 ]
	exit
}

# ------------------------------------------------------------- kernels
kvers=("$@")
if [ ${#kvers[@]} -eq 0 ]; then
	for k in $(ls /boot/vmlinuz-* 2>/dev/null | sed 's,.*/vmlinuz-,,' | sort -V); do
		case "$k" in
		6.1.*|6.12.*) ;;
		*) continue ;;
		esac
		if [ -d "/lib/modules/$k/build" ] || [ -d "/usr/src/linux-headers-$k" ]; then
			kvers+=("$k")
		else
			say "skipping $k: no headers"
		fi
	done
fi
if [ ${#kvers[@]} -eq 0 ]; then
	say "no 6.1/6.12 kernel with headers installed (run scripts/install-deps.sh)"
	total_fail=1
	summary+=("no kernel to test")
	finish
fi
say "kernels: ${kvers[*]}"

# ------------------------------------------------------ the unit tier
# make unit first: the protocol's pure logic in user space, in seconds.
# Each unit test counts in the totals (CHECK_UNIT=0 skips the tier).
if [ -z "${CHECK_ARGS:-}" ] && [ "${CHECK_UNIT:-1}" = 1 ]; then
	say "unit tests: make -C unit"
	mkdir -p "$TOP/build"
	make -s --no-print-directory -C "$TOP/unit" 2>&1 | tee "$TOP/build/unit.log"
	line=$(grep -E '^unit: [0-9]+ passed, [0-9]+ failed' "$TOP/build/unit.log" | tail -n 1)
	if [ -n "$line" ]; then
		p=$(sed -E 's/^unit: ([0-9]+) passed, ([0-9]+) failed.*/\1/' <<<"$line")
		f=$(sed -E 's/^unit: ([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
	else
		p=0 f=1
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	summary+=("unit: $p passed, $f failed")
fi

# ---------------------------------------------------------- selftests
build_selftests()
{
	local obj=$TOP/build/selftests-obj

	[ -r "$KSFT/lib.mk" ] || { say "build/kselftest missing: run scripts/install-deps.sh"; return 1; }
	rm -rf "$INSTALL"
	mkdir -p "$INSTALL/kselftest" "$INSTALL/net" "$obj"
	make -s -C selftests/mytcp OUTPUT="$obj" || return
	make -s -C selftests/mytcp OUTPUT="$obj" INSTALL_PATH="$INSTALL/mytcp" install || return
	cp -a "$KSFT/kselftest/." "$INSTALL/kselftest/" &&
	cp -a "$KSFT/run_kselftest.sh" "$INSTALL/" &&
	cp -a "$KSFT/net/lib.sh" "$INSTALL/net/" || return
	make -s --no-print-directory -C selftests/mytcp OUTPUT="$obj" COLLECTION=mytcp \
		emit_tests > "$INSTALL/kselftest-list.txt" || return
	grep -q '^mytcp:' "$INSTALL/kselftest-list.txt"
}
say "building the selftests into build/selftests"
if ! build_selftests; then
	say "FAIL: selftests do not build"
	total_fail=$((total_fail + 1))
	summary+=("selftests: build FAILED")
	finish
fi

# ------------------------------------------------------------ run one
# run_kernel KVER: build mytcp for KVER, boot it, run the suite.  The KTAP
# goes to build/KVER/check.log (and to stdout unless CHECK_QUIET=1); the
# counts to build/KVER/check.result: "PASS FAIL SKIP" and a summary line.
run_kernel()
{
	local kver=$1 dir=$TOP/build/$1 log=$TOP/build/$1/check.log
	local pass skip fail plan reported rc start res=$TOP/build/$1/check.result

	mkdir -p "$dir"
	rm -f "$res"
	echo
	say "==================== $kver ===================="
	if [ -n "${CHECK_KO_DIR:-}" ]; then
		say "using prebuilt $CHECK_KO_DIR/$kver/mytcp.ko"
		cp "$CHECK_KO_DIR/$kver/mytcp.ko" "$dir/mytcp.ko" || {
			printf '0 1 0\n%s\n' "$kver: no prebuilt module" > "$res"
			return
		}
		# the algorithm module cong.py loads, when prebuilt too
		cp "$CHECK_KO_DIR/$kver/mytcp_cubic.ko" "$dir/" 2>/dev/null || true
	elif ! say "building mytcp for $kver" || ! "$TOP/scripts/build-module.sh" "$kver"; then
		say "FAIL: mytcp does not build for $kver (see build/$kver/build.log)"
		printf '0 1 0\n%s\n' "$kver: module build FAILED" > "$res"
		return
	fi
	say "booting $kver"
	start=$(date +%s)
	# shellcheck disable=SC2086
	MYTCP_KO=$dir/mytcp.ko "$TOP/scripts/vm-run.sh" \
		-k "/boot/vmlinuz-$kver" -m "/lib/modules/$kver" -t "$TIMEOUT" -- \
		"$TOP/scripts/guest-selftests.sh" ${CHECK_ARGS:-} > "$log" 2>&1 &
	if [ "${CHECK_QUIET:-0}" = 1 ]; then
		wait $!
		rc=$?
	else
		tail -n +1 --pid=$! -f "$log"
		wait $!
		rc=$?
	fi
	tr -d '\r' < "$log" > "$log.tmp" && mv "$log.tmp" "$log"
	pass=$(grep -cE "^ok [0-9]+ selftests: " "$log")
	skip=$(grep -cE '^ok [0-9]+ selftests: .*# SKIP' "$log")
	fail=$(grep -cE '^not ok [0-9]+ selftests: ' "$log")
	pass=$((pass - skip))
	plan=$(grep -m1 -E '^1\.\.[0-9]+$' "$log" | cut -c4-)
	reported=$((pass + skip + fail))
	local notrun=0 vmfail=0 why=""
	if [ -n "$plan" ] && [ "$reported" -lt "$plan" ]; then
		notrun=$((plan - reported))
		why+=" $notrun not run;"
	fi
	case "$rc" in
	121) vmfail=1; why+=" dmesg check failed;" ;;
	122) vmfail=1; why+=" no verdict (panic/crash);" ;;
	124) vmfail=1; why+=" VM timeout;" ;;
	0) ;;
	*) if [ $((fail + notrun)) -eq 0 ]; then vmfail=1; why+=" guest runner exit $rc;"; fi ;;
	esac
	if [ "$reported" -eq 0 ] && [ "$vmfail" -eq 0 ]; then
		vmfail=1
		why+=" no results;"
	fi
	fail=$((fail + notrun + vmfail))
	printf '%s %s %s\n%s\n' "$pass" "$fail" "$skip" \
		"$kver: $pass passed, $fail failed, $skip skipped in $(( $(date +%s) - start ))s${why:+ (${why%;})}" > "$res"
}

# collect KVER: add build/KVER/check.result to the totals.
collect()
{
	local res=$TOP/build/$1/check.result p f s line

	if [ ! -r "$res" ]; then
		total_fail=$((total_fail + 1))
		summary+=("$1: no result")
		return
	fi
	{ read -r p f s; read -r line; } < "$res"
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
	summary+=("$line")
}

# The kernels run one after the other, or (CHECK_PARALLEL=1, the default
# when there are two kernels and at least two CPUs) side by side in two
# guests of one vCPU each: most of the suite waits on timers, so two
# guests finish in much less than twice the time.  The first kernel's KTAP
# streams live; the others' are printed when they are done.
par=${CHECK_PARALLEL:-}
if [ -z "$par" ]; then
	par=0
	[ ${#kvers[@]} -gt 1 ] && [ "$(nproc)" -ge 2 ] && par=1
fi
if [ "$par" = 1 ] && [ ${#kvers[@]} -gt 1 ]; then
	export VM_SLOTS=${VM_SLOTS:-${#kvers[@]}}
	export VM_SMP=${VM_SMP:-1}
	pids=()
	for k in "${kvers[@]:1}"; do
		CHECK_QUIET=1 run_kernel "$k" > "$TOP/build/$k.check.out" 2>&1 &
		pids+=($!)
	done
	run_kernel "${kvers[0]}"
	wait "${pids[@]}"
	for k in "${kvers[@]:1}"; do
		cat "$TOP/build/$k.check.out" "$TOP/build/$k/check.log" 2>/dev/null
		rm -f "$TOP/build/$k.check.out"
	done
else
	for k in "${kvers[@]}"; do
		run_kernel "$k"
	done
fi
for k in "${kvers[@]}"; do
	collect "$k"
done

# Packaging (host side, no VM): make install/uninstall into a DESTDIR and
# DKMS builds for the same kernels; each check counts in the totals.
if [ -z "${CHECK_ARGS:-}" ] && [ "${CHECK_PACKAGING:-1}" = 1 ]; then
	echo
	say "packaging: scripts/check-packaging.sh ${kvers[*]}"
	"$TOP/scripts/check-packaging.sh" "${kvers[@]}" 2>&1 | tee "$TOP/build/packaging.log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$TOP/build/packaging.log" | tail -n 1)
	if [ -n "$line" ]; then
		p=$(sed -E 's/^([0-9]+) passed, ([0-9]+) failed.*/\1/' <<<"$line")
		f=$(sed -E 's/^([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
	else
		p=0 f=1
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	summary+=("packaging: $p passed, $f failed")
fi
finish
}
