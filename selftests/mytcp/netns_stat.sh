#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# /proc/net/mytcp_stat in several network namespaces, on the two-host
# veth setup of mytcp_lib.sh: each netns has the file, the global counters
# (live_socks) read the same from every netns.

source "$(dirname "$(readlink -f "$0")")/mytcp_lib.sh"

mytcp_require_ko
ktap_print_header
ktap_set_plan 3
trap mytcp_cleanup EXIT

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

ktap_finished
