#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# /proc/net/mytcp_stat in several network namespaces, on the two-host
# veth setup of mytcp_lib.sh: each netns has the file, the global counters
# (live_socks) read the same from every netns.  Then a netns holding a
# few thousand TIME_WAIT entries (connect/close loop, 60 s TIME_WAIT)
# is deleted with the soft-lockup watchdog at its tightest
# (kernel.watchdog_thresh=1): its entries all go (live_tw back to 0) and
# dmesg stays clean (the runner fails the run on a soft-lockup BUG).
# MYTCP_TW_ENTRIES: how many entries to make (default 3000).

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"

mytcp_require_ko
ktap_print_header
ktap_set_plan 4
BENCH=$(dirname "$(readlink -f "$0")")/bench_tool
WD=/proc/sys/kernel/watchdog_thresh
WD_SAVED=$(cat "$WD" 2>/dev/null)
TW_PID=
TW_ENTRIES=$MYTCP_TW_ENTRIES
cleanup()
{
	[ -n "$TW_PID" ] && kill "$TW_PID" 2>/dev/null && wait "$TW_PID" 2>/dev/null
	[ -n "$WD_SAVED" ] && echo "$WD_SAVED" >"$WD"
	mytcp_cleanup
}
trap cleanup EXIT

mytcp_loaded || mytcp_load || ktap_exit_fail_msg "insmod $MYTCP_KO failed"

ktap_test_result "two hosts joined by veth reach each other" mytcp_setup_hosts

stat_everywhere()
{
	local ns

	for ns in "" "$H1" "$H2"; do
		for k in live_socks live_tw live_skbs; do
			mytcp_stat "$k" "$ns" >/dev/null ||
				{ ktap_print_msg "no $k in ${ns:-init_net}"; return 1; }
		done
	done
}
ktap_test_result "/proc/net/mytcp_stat has live_socks/live_tw/live_skbs in every netns" \
	stat_everywhere

global_live_socks()
{
	local ret=0 v

	mytcp_stat_wait live_socks 0 5 || { ktap_print_msg "live_socks not 0 at start"; return 1; }
	mytcp_hold_socket "$(mytcp_family)" "$H1" || return
	for ns in "" "$H1" "$H2"; do
		v=$(mytcp_stat live_socks "$ns")
		[ "$v" = 1 ] || { ktap_print_msg "live_socks in ${ns:-init_net}: $v, want 1"; ret=1; }
	done
	mytcp_release_socket
	mytcp_stat_wait live_socks 0 5 || { ktap_print_msg "live_socks not 0 after close"; ret=1; }
	return $ret
}
ktap_test_result "live_socks is global: a socket in one netns counts in all" global_live_socks

many_tw_exit()
{
	local n crr lockups

	[ -x "$BENCH" ] || { ktap_print_msg "bench_tool not built"; return 1; }
	[ -w "$WD" ] || { ktap_print_msg "no $WD"; return 1; }
	setup_ns TWNS || return
	ip -n "$TWNS" link set lo up
	ip netns exec "$TWNS" "$BENCH" -f mytcp -l 7401 -b 127.0.0.1 >/dev/null 2>&1 &
	TW_PID=$!
	sleep 1
	# Connect/close until TW_ENTRIES entries (or 60 s: slow debug kernels).
	for _ in $(seq 30); do
		crr=$(ip netns exec "$TWNS" "$BENCH" -f mytcp -c 127.0.0.1:7401 \
			-m crr -d 2) || { ktap_print_msg "bench_tool crr failed"; return 1; }
		n=$(mytcp_stat live_tw)
		[ "$n" -ge "$TW_ENTRIES" ] && break
	done
	kill "$TW_PID"
	wait "$TW_PID" 2>/dev/null
	TW_PID=
	ktap_print_msg "$n TIME_WAIT entries ($crr), deleting the netns"
	[ "$n" -ge 200 ] || { ktap_print_msg "too few entries to mean anything"; return 1; }
	lockups=$(dmesg | grep -c "soft lockup")
	echo 1 >"$WD"
	cleanup_ns "$TWNS"
	mytcp_stat_wait live_tw 0 120 || { ktap_print_msg "live_tw: $(mytcp_stat live_tw)"; return 1; }
	echo "$WD_SAVED" >"$WD"
	if [ "$(dmesg | grep -c "soft lockup")" != "$lockups" ]; then
		dmesg | grep "soft lockup" | tail -n 1 | sed 's/^/# /'
		return 1
	fi
}
ktap_test_result "a netns with many TIME_WAIT entries goes away: all freed, no soft lockup" many_tw_exit

ktap_finished
