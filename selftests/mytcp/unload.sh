#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run last: nothing is left behind, the module unloads, family 19 is free.

source "$(dirname "$(readlink -f "$0")")/mytcp_lib.sh"

mytcp_require_ko
ktap_print_header
ktap_set_plan 3

mytcp_loaded || mytcp_load || ktap_exit_fail_msg "insmod $MYTCP_KO failed"

# Orphaned sockets (FIN_WAIT2, LAST_ACK...) left by earlier tests may need
# their timers to run out: wait up to MYTCP_UNLOAD_WAIT seconds (90).
# live_tw is only reported: TIME_WAIT lasts 60 s and rmmod must purge it.
unload_wait=${MYTCP_UNLOAD_WAIT:-90}
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
