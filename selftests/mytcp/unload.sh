#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run last: nothing is left behind, the module unloads, family 19 is free.

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"

mytcp_require_ko
ktap_print_header
ktap_set_plan 3

# Programs an earlier test left behind (a test killed by its timeout does
# not stop its servers) hold sockets legitimately: stop them first, saying
# so.  Sockets nobody holds still count and fail below.  Only in the VM.
kill_leftovers()
{
	local ns pid anc=" " p=$$

	# Only in the throw-away guest of scripts/vm-run.sh, never on a real
	# system (PID 1's children there are its daemons).
	grep -q 'guest-init.sh' /proc/1/cmdline 2>/dev/null || return 0

	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			ktap_print_msg "killing leftover in netns $ns: $pid $(tr '\0' ' ' < /proc/$pid/cmdline 2>/dev/null)"
			kill -9 "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	# Orphans were reparented to PID 1; our own ancestors are not orphans.
	while [ -n "$p" ] && [ "$p" -gt 1 ]; do
		anc+="$p "
		p=$(awk '{ print $4 }' "/proc/$p/stat" 2>/dev/null)
	done
	for pid in $(ps -o pid= --ppid 1); do
		case "$anc" in *" $pid "*) continue ;; esac
		ktap_print_msg "killing leftover: $pid $(tr '\0' ' ' < /proc/$pid/cmdline 2>/dev/null)"
		kill -9 "$pid" 2>/dev/null
	done
	sleep 0.5
}
kill_leftovers

mytcp_loaded || mytcp_load || ktap_exit_fail_msg "insmod $MYTCP_KO failed"

# Orphaned sockets (FIN_WAIT2, LAST_ACK...) left by earlier tests may need
# their timers to run out: wait up to MYTCP_UNLOAD_WAIT seconds (90).
# live_tw is only reported: TIME_WAIT lasts 60 s and rmmod must purge it.
unload_wait=$MYTCP_UNLOAD_WAIT
nothing_live()
{
	local k v ret=0

	ktap_print_msg "live_tw: $(mytcp_stat live_tw)"
	for k in live_socks live_skbs; do
		if ! mytcp_stat_wait "$k" 0 "$unload_wait"; then
			v=$(mytcp_stat "$k")
			ktap_print_msg "$k reads '$v', want 0"
			ret=1
		fi
	done
	return $ret
}
ktap_test_result "live_socks and live_skbs read 0" nothing_live
ktap_test_result "rmmod mytcp" mytcp_unload 30

gone()
{
	! mytcp_loaded && ! grep -q '^mytcp ' /proc/modules &&
		[ "$(mytcp_try_socket 19 SOCK_STREAM 0)" = EAFNOSUPPORT ]
}
ktap_test_result "module gone, family 19 free" gone

ktap_finished
