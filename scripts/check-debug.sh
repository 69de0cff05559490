#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The debug-kernel lane (make check-debug): the mytcp selftests on a 6.12
# kernel with KASAN, lockdep, kmemleak, UBSAN, DEBUG_OBJECTS, DEBUG_LIST...
# See Documentation/debug-lane.rst.
#
# usage: scripts/check-debug.sh [--quick|--ci|--smoke|--inject=leak|uaf|lockdep|ubsan]
#
#   (no option)      build (or reuse) the debug kernel, build mytcp against
#                    it, run the whole selftest suite in a TCG VM, then rmmod
#                    mytcp and scan kmemleak.  Fails on any report.
#   --quick          every test file, with smaller transfers, fewer
#                    netem impairments and connection counts (the QUICK
#                    column of selftests/mytcp/lib/knobs.sh), and without
#                    slub_debug (KASAN covers it)
#   --ci             what CI runs (.ci/run): --quick restricted to the
#                    programs listed in scripts/debug-ci.tests (unless
#                    CHECK_ARGS picks tests)
#   --smoke          boot the debug kernel and show that KASAN, lockdep,
#                    kmemleak and UBSAN are live (no mytcp needed).
#   --inject=KIND    positive control: load a throwaway module with a
#                    deliberate bug of that KIND and check that the lane
#                    FAILS on it.  Exits 0 when the bug was caught.
#
# Environment:
#   MYTCP_DEBUG_BUDGET      --ci: seconds the programs may take; those of
#                           scripts/debug-ci.tests whose measured time
#                           (x 5/4) does not fit are skipped and counted
#                           (.ci/run sets it from what is left of its budget)
#   MYTCP_DEBUG_TIMEOUT     VM timeout in seconds (default 7200: the
#                           whole suite, 29 programs, takes 56 min under
#                           TCG on an idle 2-core host, longer when other
#                           guests share it)
#   MYTCP_TIMEOUT_MULT      factor applied to the per-test timeout of
#                           selftests/mytcp/settings (default 5: KASAN and
#                           lockdep under TCG are slow), and to the suite's
#                           own waits MYTCP_CASE_TIMEOUT, MYTCP_UNLOAD_WAIT
#                           (unless those are set)
#   MYTCP_DEBUG_MEM         guest memory (default 4G)
#   MYTCP_DEBUG_APPEND      extra guest kernel command line
#   CHECK_ARGS              extra run_kselftest.sh arguments, as for
#                           `make check` (e.g. "-t mytcp:socket_api")
#   MYTCP_DEBUG_CACHE, MYTCP_DEBUG_JOBS: see scripts/build-debug-kernel.sh
#
# Inside the VM this script is run again with --guest-suite, --guest-smoke
# or --guest-inject=...; those modes are internal.

# Parsed whole before it runs (the guest runs this file too, over 9p).
{
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KMEMLEAK=/sys/kernel/debug/kmemleak

log() { echo "[check-debug] $*" >&2; }

# ci_select: CHECK_ARGS from scripts/debug-ci.tests (NAME SECONDS per
# line: the program and what it took on the debug kernel).  With
# MYTCP_DEBUG_BUDGET (seconds for the programs; .ci/run gives what is left
# of CI's budget less the lane's fixed costs) the programs are taken in
# the file's order while 5/4 of their time (a slower host) fits; the
# others are named and counted as skipped (budget_skipped), so that the
# lane ends with its totals instead of being killed by CI's timeout.
# Every program still runs on both Debian kernels in `make check`.
ci_select()
{
	local name cost left=${MYTCP_DEBUG_BUDGET:-0} list last

	CHECK_ARGS="" budget_skipped=""
	list=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' \
		"$TOP/scripts/debug-ci.tests")
	# The last program (unload.sh: the unload with live sockets) always
	# runs: its time is set aside first.
	last=$(tail -n 1 <<<"$list")
	cost=$(awk '{ print $2 }' <<<"$last")
	left=$((left - 5 * ${cost:-60} / 4))
	while read -r name cost; do
		if [ "${MYTCP_DEBUG_BUDGET:-0}" -gt 0 ] &&
		   [ "$name $cost" != "$(xargs <<<"$last")" ]; then
			if [ $((5 * ${cost:-60} / 4)) -gt "$left" ]; then
				budget_skipped="$budget_skipped $name"
				continue
			fi
			left=$((left - 5 * ${cost:-60} / 4))
		fi
		CHECK_ARGS="$CHECK_ARGS -t mytcp:$name"
	done <<<"$list"
	[ -z "$budget_skipped" ] ||
		log "CI budget ${MYTCP_DEBUG_BUDGET} s: skipped$budget_skipped"
}
budget_skipped=""

die() { log "ERROR: $*"; exit 1; }

# ------------------------------------------------------------- guest side

# Trigger two kmemleak scans (objects younger than 5 s are never reported,
# and kmemleak's documentation recommends a second scan), then print what
# it found.  Returns 1 if it reported anything.
kmemleak_scan()
{
	local what=$1 leaks t0
	[ -w $KMEMLEAK ] || { log "kmemleak: $KMEMLEAK missing"; return 1; }
	t0=$(date +%s)
	sleep 6
	echo scan >$KMEMLEAK
	sleep 6
	echo scan >$KMEMLEAK
	leaks=$(cat $KMEMLEAK)
	if [ -n "$leaks" ]; then
		log "kmemleak $what: LEAKS REPORTED:"
		echo "$leaks"
		return 1
	fi
	log "kmemleak $what: clean ($(( $(date +%s) - t0 )) s)"
	return 0
}

# Forget what kmemleak reports for boot: only leaks from now on count.
kmemleak_clear()
{
	[ -w $KMEMLEAK ] || return 0
	echo scan >$KMEMLEAK
	local boot
	boot=$(grep -c '^unreferenced object' $KMEMLEAK)
	echo clear >$KMEMLEAK
	log "kmemleak: cleared $boot boot-time report(s) before the run"
}

# lockdep switches itself off after its first report or when a table
# overflows; then the rest of the run is unchecked.
lockdep_still_on()
{
	local dl
	dl=$(awk '/debug_locks:/ {print $2}' /proc/lockdep_stats 2>/dev/null)
	if [ "$dl" != 1 ]; then
		log "lockdep is OFF (debug_locks=${dl:-?}): it reported or overflowed"
		return 1
	fi
	return 0
}

guest_smoke()
{
	local rc=0
	log "guest kernel $(uname -r), $(nproc) CPUs, up $(cut -d' ' -f1 /proc/uptime) s"
	log "KASAN:"; dmesg | grep -i 'kasan' | sed 's/^/    /'
	dmesg | grep -q 'KernelAddressSanitizer initialized' || { log "KASAN not initialised"; rc=1; }
	if [ -e /proc/lockdep ]; then
		log "lockdep: /proc/lockdep present, $(grep -c . /proc/lockdep) lock classes so far"
		grep -E 'debug_locks|lock-classes|dependency chains' /proc/lockdep_stats | sed 's/^/    /'
		lockdep_still_on || rc=1
	else
		log "lockdep: /proc/lockdep missing"; rc=1
	fi
	log "config (from /proc/config.gz):"
	zcat /proc/config.gz | grep -E '^CONFIG_(KASAN|KASAN_INLINE|PROVE_LOCKING|DEBUG_KMEMLEAK|UBSAN|UBSAN_BOUNDS|DEBUG_OBJECTS|DEBUG_LIST|DEBUG_ATOMIC_SLEEP|DETECT_HUNG_TASK)=' |
		sed 's/^/    /'
	kmemleak_clear
	kmemleak_scan "smoke" || rc=1
	return $rc
}

guest_inject()
{
	local kind=$1 ko=$2
	kmemleak_clear
	log "inject $kind: insmod $ko"
	insmod "$ko" || log "insmod failed (rc=$?)"
	sleep 1
	rmmod lanebug 2>/dev/null
	case $kind in
	leak) kmemleak_scan "after inject=leak" ;;
	lockdep) lockdep_still_on ;;
	esac
	# The runner's dmesg check does the rest.
	return 0
}

# The suite itself: scripts/guest-selftests.sh (the same guest side as
# `make check`), bracketed by the kmemleak clear / rmmod / scan.
guest_suite()
{
	local rc=0 src t0 lane
	log "guest kernel $(uname -r), $(nproc) CPUs, booted in $(cut -d' ' -f1 /proc/uptime) s"
	kmemleak_clear
	lockdep_still_on || rc=1

	# The scale knobs (selftests/mytcp/lib/knobs.sh): --quick takes the
	# table's QUICK column (smaller transfers and counts, fewer netem
	# cases), the full lane its DEBUG column (fuzz.py for 10 minutes).
	# shellcheck source=../selftests/mytcp/lib/knobs.sh
	source "$TOP/selftests/mytcp/lib/knobs.sh"
	if [ "${MYTCP_QUICK:-0}" = 1 ]; then lane=quick; else lane=debug; fi
	log "knobs ($lane): $(knobs_export "$lane" | tr '\n' ' ')"
	knobs_export "$lane" >/dev/null
	t0=$(date +%s)
	log "suite: scripts/guest-selftests.sh $*"
	"$TOP/scripts/guest-selftests.sh" "$@"
	src=$?
	log "suite exited with $src after $(( $(date +%s) - t0 )) s"
	[ $src -eq 0 ] || rc=$src

	if grep -q '^mytcp ' /proc/modules; then
		log "rmmod mytcp (the suite left it loaded)"
		[ ! -d /sys/module/mytcp_cubic ] || rmmod mytcp_cubic ||
			log "rmmod mytcp_cubic failed"
		rmmod mytcp || { log "rmmod mytcp failed"; rc=1; }
	fi
	lockdep_still_on || rc=1
	kmemleak_scan "after the suite and rmmod mytcp" || rc=1
	return $rc
}

case "${1:-}" in
--guest-smoke) guest_smoke; exit ;;
--guest-suite) shift; guest_suite "$@"; exit ;;
--guest-inject=*) k=${1#--guest-inject=}; guest_inject "${k%%:*}" "${k#*:}"; exit ;;
esac

# -------------------------------------------------------------- host side

mode=suite inject=""
for arg; do
	case $arg in
	--smoke) mode=smoke ;;
	# --quick: no slub_debug (vm-run.sh's FZPU) unless asked for:
	# KASAN finds what slub_debug's redzones, poisoning and consistency
	# checks would, and those checks send every allocation down the slow
	# path.
	--quick) export MYTCP_QUICK=1 VM_SLUB_DEBUG=${VM_SLUB_DEBUG-} ;;
	--ci)
		export MYTCP_QUICK=1 VM_SLUB_DEBUG=${VM_SLUB_DEBUG-}
		if [ -z "${CHECK_ARGS:-}" ]; then
			ci_select
			[ -n "$CHECK_ARGS" ] || die "scripts/debug-ci.tests lists no test"
		fi
		;;
	--inject=leak|--inject=uaf|--inject=lockdep|--inject=ubsan)
		mode=inject; inject=${arg#--inject=} ;;
	-h|--help) sed -n '4,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) die "unknown argument '$arg' (see --help)" ;;
	esac
done

export MYTCP_TIMEOUT_MULT=${MYTCP_TIMEOUT_MULT:-5}
timeout_s=${MYTCP_DEBUG_TIMEOUT:-7200}
mem=${MYTCP_DEBUG_MEM:-4G}
# loglevel=5: warnings (lockdep splats, WARN()s) reach the console live.
# (Not acpi=off: on q35 it leaves the guest with 1 CPU, no APIC timer and
# a second serial port that never delivers the verdict.)
# selinux=0: defconfig builds SELinux in and makes it the active LSM; on
# Debian's kernels AppArmor is.  SELinux's socket_bind/connect hooks reject
# AF_INET calls with their own errno (EINVAL for a short AF_INET6 address)
# before inet_bind() runs, so the suite's "same errno as AF_INET" tests
# would compare mytcp with SELinux, not with Linux TCP.
append="loglevel=5 selinux=0 ${MYTCP_DEBUG_APPEND:-}"

t_start=$(date +%s)
kdir=$("$TOP/scripts/build-debug-kernel.sh" | tail -n 1)
[ -n "$kdir" ] && [ -f "$kdir/.mytcp-debug-complete" ] ||
	die "debug kernel build failed"
krel=$(cat "$kdir/include/config/kernel.release")
image=$kdir/arch/x86/boot/bzImage
moddir=$kdir/modroot/lib/modules/$krel
log "debug kernel $krel: $image (ready after $(( $(date +%s) - t_start )) s)"

# Same steps as build_selftests() in scripts/check.sh, into $1/selftests.
build_selftests()
{
	local ksft=$TOP/build/kselftest/tools/testing/selftests
	local inst=$1/selftests obj=$1/selftests-obj
	[ -r "$ksft/lib.mk" ] || { log "build/kselftest missing: run make deps"; return 1; }
	rm -rf "$inst"
	mkdir -p "$inst/kselftest" "$inst/net" "$obj"
	make -s -C "$TOP/selftests/mytcp" OUTPUT="$obj" &&
	make -s -C "$TOP/selftests/mytcp" OUTPUT="$obj" \
		INSTALL_PATH="$inst/mytcp" install &&
	cp -a "$ksft/kselftest/." "$inst/kselftest/" &&
	cp -a "$ksft/run_kselftest.sh" "$inst/" &&
	cp -a "$ksft/net/lib.sh" "$inst/net/" &&
	make -s --no-print-directory -C "$TOP/selftests/mytcp" OUTPUT="$obj" \
		COLLECTION=mytcp emit_tests >"$inst/kselftest-list.txt" &&
	grep -q '^mytcp:' "$inst/kselftest-list.txt"
}

# run_vm LOG command...: vm-run.sh with the debug kernel, output to the
# terminal and LOG; sets vm_rc.  A guest that dies before its init starts
# the command (no "[vm] ...: running:" line: a panic in early boot, e.g.
# KASAN on an interrupt taken while start_kernel() identifies the CPU of
# a heavily loaded TCG host, seen once in 2026-11) has not run any mytcp
# code: it is booted once more, and the first log kept as LOG.boot1.
run_vm()
{
	local log=$1 try
	shift
	for try in 1 2; do
		"$TOP/scripts/vm-run.sh" -k "$image" -m "$moddir" \
			-t "$timeout_s" -M "$mem" -a "$append" -- "$@" 2>&1 |
			tee "$log"
		vm_rc=${PIPESTATUS[0]}
		[ "$vm_rc" = 122 ] && [ "$try" = 1 ] &&
			! grep -aq '^\[vm\] .*: running: ' "$log" || break
		mv "$log" "$log.boot1"
		log "the guest died before its command ran (boot failure, no" \
			"mytcp code run; $log.boot1): booting once more"
	done
}

case $mode in
smoke)
	mkdir -p "$TOP/build/debug"
	cd "$TOP" && run_vm "$TOP/build/debug/smoke.log" \
		"$TOP/scripts/check-debug.sh" --guest-smoke
	rc=$vm_rc
	;;
inject)
	# Not under /tmp: the guest has its own tmpfs there.
	mkdir -p "$TOP/build/debug"
	w=$(mktemp -d "$TOP/build/debug/lanebug.XXXXXX")
	trap 'rm -rf "$w"' EXIT
	case $inject in
	leak) body='void *p = kmalloc(1234, GFP_KERNEL); OPTIMIZER_HIDE_VAR(p);
		pr_info("lanebug: leaked 1234 bytes\n");' ;;
	uaf) body='char *p = kmalloc(64, GFP_KERNEL); kfree(p);
		pr_info("lanebug: use after free\n"); OPTIMIZER_HIDE_VAR(p);
		p[3] = 1;' ;;
	lockdep) body='mutex_lock(&a); mutex_lock(&b); mutex_unlock(&b);
		mutex_unlock(&a); mutex_lock(&b); mutex_lock(&a);
		mutex_unlock(&a); mutex_unlock(&b);
		pr_info("lanebug: ABBA lock order\n");' ;;
	ubsan) body='volatile int sh = 40; volatile int v = 1;
		pr_info("lanebug: shift %d\n", v << sh);' ;;
	esac
	cat >"$w/lanebug.c" <<-EOF
	// SPDX-License-Identifier: GPL-2.0
	#include <linux/module.h>
	#include <linux/slab.h>
	#include <linux/mutex.h>
	static DEFINE_MUTEX(a);
	static DEFINE_MUTEX(b);
	static int __init lanebug_init(void)
	{
		$body
		return 0;
	}
	static void __exit lanebug_exit(void) { }
	module_init(lanebug_init);
	module_exit(lanebug_exit);
	MODULE_LICENSE("GPL");
	EOF
	echo 'obj-m := lanebug.o' >"$w/Kbuild"
	make -s -C "$kdir" M="$w" modules >&2 || die "cannot build lanebug.ko"
	case $inject in
	leak) want='unreferenced object' ;;
	uaf) want='BUG: KASAN: slab-use-after-free' ;;
	lockdep) want='possible circular locking dependency' ;;
	ubsan) want='UBSAN: shift-out-of-bounds' ;;
	esac
	cd "$TOP" && run_vm "$w/out" "$TOP/scripts/check-debug.sh" \
		"--guest-inject=$inject:$w/lanebug.ko"
	rc=$vm_rc
	# 121: dmesg check failed, 122: panic (panic_on_warn) - both are the
	# lane failing; the report must be the one we planted.
	if { [ "$rc" = 121 ] || [ "$rc" = 122 ]; } && grep -q "$want" "$w/out"; then
		log "inject=$inject: the lane FAILED as it must (rc=$rc, '$want'): detection works"
		exit 0
	fi
	log "inject=$inject: the lane did NOT catch the bug as expected (rc=$rc, '$want' $(grep -q "$want" "$w/out" || echo 'not ')seen)"
	exit 1
	;;
suite)
	# Like scripts/check.sh: the selftests are built into build/debug/,
	# the module by scripts/build-module.sh into build/<release>/ (from a
	# copy of the tree; KDIR from the environment wins over the Makefile's
	# default), never in the working tree.
	out=$TOP/build/debug
	mkdir -p "$out"
	log "building the selftests into $out/selftests"
	build_selftests "$out" >&2 || die "selftests do not build"
	# A name run_kselftest.sh does not know would silently run nothing.
	for a in ${CHECK_ARGS:-}; do
		case $a in
		mytcp:*) grep -qxF -- "$a" "$out/selftests/kselftest-list.txt" ||
			die "no test $a (scripts/debug-ci.tests or CHECK_ARGS)" ;;
		esac
	done
	log "building mytcp against $kdir (scripts/build-module.sh)"
	KDIR=$kdir "$TOP/scripts/build-module.sh" "$krel" >&2 ||
		die "mytcp does not build against $kdir"
	ko=$TOP/build/$krel/mytcp.ko

	# Per-test timeout: the suite's settings times MYTCP_TIMEOUT_MULT,
	# through run_kselftest.sh -o (the assertions stay as they are).
	t=$(sed -n 's/^timeout=\([0-9]*\)$/\1/p' "$TOP/selftests/mytcp/settings")
	per_test=$(( ${t:-45} * MYTCP_TIMEOUT_MULT ))
	log "per-test timeout ${per_test} s (${t:-45} x $MYTCP_TIMEOUT_MULT)"

	# The suite's own waits, scaled the same way (their defaults are in
	# selftests/mytcp/lib/knobs.sh: tcp_peer.py's per case, unload.sh's).
	case_tmo=$(source "$TOP/selftests/mytcp/lib/knobs.sh" && knob_default MYTCP_CASE_TIMEOUT)
	unload_wait=$(source "$TOP/selftests/mytcp/lib/knobs.sh" && knob_default MYTCP_UNLOAD_WAIT)
	export MYTCP_CASE_TIMEOUT=${MYTCP_CASE_TIMEOUT:-$((case_tmo * MYTCP_TIMEOUT_MULT))}
	export MYTCP_UNLOAD_WAIT=${MYTCP_UNLOAD_WAIT:-$((unload_wait * MYTCP_TIMEOUT_MULT))}
	log "MYTCP_CASE_TIMEOUT=$MYTCP_CASE_TIMEOUT MYTCP_UNLOAD_WAIT=$MYTCP_UNLOAD_WAIT"

	# --quick (CI's budget) runs every test file too, with the smaller
	# sizes and counts exported by the guest side (MYTCP_QUICK).
	export MYTCP_KO=$ko MYTCP_SELFTESTS_DIR=$out/selftests
	# shellcheck disable=SC2086
	cd "$TOP" && run_vm "$out/check-debug.log" \
		"$TOP/scripts/check-debug.sh" --guest-suite -o "$per_test" ${CHECK_ARGS:-}
	rc=$vm_rc
	tr -d '\r' <"$out/check-debug.log" >"$out/check-debug.log.tmp" &&
		mv "$out/check-debug.log.tmp" "$out/check-debug.log"
	pass=$(grep -cE '^ok [0-9]+ selftests: ' "$out/check-debug.log")
	fail=$(grep -cE '^not ok [0-9]+ selftests: ' "$out/check-debug.log")
	log "selftests: $pass ok, $fail not ok; VM verdict rc=$rc" \
		"(121: dmesg/kmemleak report, 122: panic/no verdict, 124: timeout)"
	log "log: $out/check-debug.log"
	# A report, a panic or a timeout fails the lane even if every test
	# passed: it counts as one more failure in the totals line.
	[ "$rc" -ne 0 ] && [ "$fail" -eq 0 ] && fail=1
	if [ -n "$budget_skipped" ]; then
		echo "debug kernel: $pass passed, $fail failed," \
			"$(wc -w <<<"$budget_skipped") skipped (CI budget:$budget_skipped)"
	else
		echo "debug kernel: $pass passed, $fail failed"
	fi
	;;
esac

log "total $(( $(date +%s) - t_start )) s; verdict rc=$rc"
[ $rc -eq 0 ] && log "PASS" || log "FAIL (see Documentation/debug-lane.rst)"
exit $rc
}
