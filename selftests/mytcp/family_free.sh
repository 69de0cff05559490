#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Without mytcp nothing provides family 19: socket(19, ...) fails with
# EAFNOSUPPORT, before the module is ever loaded and again after unload.

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"

ktap_print_header
ktap_set_plan 3

if ! mytcp_unload_if_loaded; then
	ktap_exit_fail_msg "mytcp is loaded and cannot be removed"
fi

errno_is()
{
	local want=$1 got
	shift
	got=$(mytcp_try_socket "$@")
	[ "$got" = "$want" ] || { ktap_print_msg "socket($*): $got, want $want"; return 1; }
}

ktap_test_result "socket(19, SOCK_STREAM, 0) without mytcp: EAFNOSUPPORT" \
	errno_is EAFNOSUPPORT 19 SOCK_STREAM 0
ktap_test_result "socket(19, SOCK_STREAM, IPPROTO_TCP) without mytcp: EAFNOSUPPORT" \
	errno_is EAFNOSUPPORT 19 SOCK_STREAM 6

if [ -z "${MYTCP_KO:-}" ] || [ ! -r "$MYTCP_KO" ]; then
	ktap_test_skip "family 19 free again after insmod/rmmod (MYTCP_KO not set)"
else
	load_unload_free()
	{
		mytcp_load || return
		mytcp_unload 5 || return
		errno_is EAFNOSUPPORT 19 SOCK_STREAM 0
	}
	ktap_test_result "family 19 free again after insmod/rmmod" load_unload_free
fi

ktap_finished
