#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Allocation failures inside mytcp (issue 14): with failslab failing slab
# allocations whose call stack passes through mytcp's code (the stacktrace
# filter, require-start/require-end = the module's text), connections are
# opened, accepted and used.  Every connection must either complete
# byte-exact or fail with an error in bounded time: no connect() that
# never returns, no send that stalls with no timer armed, no SYN_RCVD child
# held forever.  Afterwards /proc/net/mytcp empties (with failslab off and
# a bounded wait), the live_* counters return to 0 and the module unloads.
#
# Needs CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS and
# CONFIG_FAULT_INJECTION_STACKTRACE_FILTER (the debug kernel of
# scripts/check-debug.sh has them); skips elsewhere (Debian's kernels).
#
# Environment:
#   MYTCP_FAILSLAB_CONNS        connections (default 48)
#   MYTCP_FAILSLAB_PAR          of them at once (default 8)
#   MYTCP_FAILSLAB_SIZE         bytes each way per connection (default 65536)
#   MYTCP_FAILSLAB_PROB         percent of the filtered allocations that fail
#                         (default 5)
#   MYTCP_FAILSLAB_TIMES        at most this many failures (default 2000)
#   MYTCP_TIMEOUT_MULT    scales the per-operation timeout (60 s)

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"

FS=/sys/kernel/debug/failslab
CONNS=$MYTCP_FAILSLAB_CONNS
PAR=$MYTCP_FAILSLAB_PAR
SIZE=$MYTCP_FAILSLAB_SIZE
PROB=$MYTCP_FAILSLAB_PROB
TIMES=$MYTCP_FAILSLAB_TIMES
OP_TIMEOUT=$(( 60 * ${MYTCP_TIMEOUT_MULT:-1} ))
PORT=7300
WORK=$(mktemp -d)

mytcp_require_ko
ktap_print_header
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug 2>/dev/null
if [ ! -w "$FS/probability" ] || [ ! -w "$FS/require-start" ]; then
	ktap_skip_all "no $FS with a stacktrace filter (CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS, CONFIG_FAULT_INJECTION_STACKTRACE_FILTER)"
	rm -rf "$WORK"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 3
mytcp_loaded || mytcp_load || exit 1

failslab_off()
{
	echo 0 >"$FS/probability"
	echo 0 >"$FS/times" 2>/dev/null
}

cleanup()
{
	failslab_off
	[ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null
	mytcp_cleanup
	rm -rf "$WORK"
}
trap cleanup EXIT

# [start, end) of mytcp's code: its text symbols in /proc/kallsyms (the
# last function's size is not listed: one page more).
module_text_range()
{
	"$MYTCP_PYTHON" "$MYTCP_LIB_DIR/failslab_tool.py" text-range
}

failslab_on()
{
	local range start end

	range=$(module_text_range) || { ktap_print_msg "no mytcp symbols in /proc/kallsyms"; return 1; }
	read -r start end <<<"$range"
	ktap_print_msg "failslab: mytcp text $start-$end, probability $PROB%, at most $TIMES failures"
	echo 0 >"$FS/verbose"		# no stack dump per failure
	echo N >"$FS/task-filter"	# softirq too (receive hook, timers)
	echo N >"$FS/ignore-gfp-wait"	# GFP_KERNEL too (socket, sendmsg)
	[ -w "$FS/cache-filter" ] && echo N >"$FS/cache-filter"
	echo 32 >"$FS/stacktrace-depth"
	echo "$start" >"$FS/require-start"
	echo "$end" >"$FS/require-end"
	echo 0 >"$FS/reject-start"
	echo 0 >"$FS/reject-end"
	echo 0 >"$FS/space"
	echo 1 >"$FS/interval"
	echo "$TIMES" >"$FS/times"
	echo "$PROB" >"$FS/probability"
}

# Short protocol limits in both namespaces: a connection that meets
# failures either recovers or fails (ETIMEDOUT) within seconds.
tune()
{
	local ns=$1 kv

	for kv in rto_max_ms=2000 retries2=6 syn_retries=4 synack_retries=4 \
		  msl_ms=200 fin_timeout=2; do
		ip netns exec "$ns" sh -c "echo ${kv#*=} >/proc/sys/net/mytcp/${kv%%=*}" || return
	done
}

load_under_failures()
{
	local rc=0 left

	mytcp_setup_hosts || return
	tune "$H1" && tune "$H2" || return
	ip netns exec "$H2" "$MYTCP_PYTHON" "$MYTCP_LIB_DIR/failslab_tool.py" server "$MYTCP_ADDR2" $PORT \
		"$OP_TIMEOUT" >"$WORK/server" 2>&1 &
	SERVER_PID=$!
	slowwait "$OP_TIMEOUT" grep -q ready "$WORK/server" || {
		ktap_print_msg "the server did not start in $OP_TIMEOUT s"
		sed 's/^/# server: /' "$WORK/server"
		return 1
	}
	failslab_on || return
	ip netns exec "$H1" "$MYTCP_PYTHON" "$MYTCP_LIB_DIR/failslab_tool.py" client "$MYTCP_ADDR2" $PORT \
		"$OP_TIMEOUT" "$CONNS" "$PAR" "$SIZE" >"$WORK/client" 2>&1 || rc=1
	left=$(cat "$FS/times")
	failslab_off
	sed 's/^/# /' "$WORK/client"
	ktap_print_msg "failslab failed $(( TIMES - left )) allocations"
	if [ "$(( TIMES - left ))" -le 0 ]; then
		ktap_print_msg "no allocation was failed: the filter missed mytcp"
		rc=1
	fi
	return $rc
}
ktap_test_result "every connection completes byte-exact or fails with an error, under slab failures" load_under_failures

# The server is stopped (its sockets close); every mytcp socket of both
# namespaces must then go within a bounded wait.
no_socket_left()
{
	local ns n

	kill "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=
	for ns in "$H1" "$H2"; do
		if ! slowwait $(( 30 * ${MYTCP_TIMEOUT_MULT:-1} )) \
		     sh -c "[ \$(ip netns exec $ns cat /proc/net/mytcp | wc -l) -le 1 ]"; then
			n=$(ip netns exec "$ns" cat /proc/net/mytcp | wc -l)
			ktap_print_msg "netns $ns: $(( n - 1 )) entries left:"
			ip netns exec "$ns" cat /proc/net/mytcp | sed 's/^/# /' | head -20
			return 1
		fi
	done
}
ktap_test_result "/proc/net/mytcp empties after close" no_socket_left

counters_and_unload()
{
	local k

	cleanup_all_ns
	for k in live_socks live_tw live_skbs; do
		if ! mytcp_stat_wait "$k" 0 $(( 30 * ${MYTCP_TIMEOUT_MULT:-1} )); then
			ktap_print_msg "$k is $(mytcp_stat "$k"), not 0"
			return 1
		fi
	done
	mytcp_unload 30
}
ktap_test_result "live counters back to 0, module unloads" counters_and_unload

ktap_finished
