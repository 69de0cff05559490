#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# An open mytcp socket pins the module: rmmod fails while it is open and
# succeeds once it is closed, also when the socket lives in another netns.

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"

mytcp_require_ko
ktap_print_header
ktap_set_plan 2
trap mytcp_cleanup EXIT

busy()
{
	local ns=${1:-} fam ret=0

	mytcp_loaded || mytcp_load || return
	fam=$(mytcp_family)
	mytcp_hold_socket "$fam" "$ns" || { ktap_print_msg "cannot open a socket"; return 1; }
	if rmmod mytcp 2>/dev/null; then
		ktap_print_msg "rmmod succeeded with a socket open"
		mytcp_release_socket
		return 1
	fi
	mytcp_loaded || { ktap_print_msg "module gone after failed rmmod"; ret=1; }
	mytcp_release_socket
	mytcp_unload 5 || { ktap_print_msg "rmmod failed after close"; ret=1; }
	return $ret
}
ktap_test_result "rmmod fails while a socket is open, works after close" busy

busy_netns()
{
	setup_ns BUSY || return
	busy "$BUSY"
}
ktap_test_result "same with the socket in another netns" busy_netns

ktap_finished
