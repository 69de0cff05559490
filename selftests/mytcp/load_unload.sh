#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Loading and unloading: 50 insmod/rmmod cycles (MYTCP_LOAD_CYCLES), the
# family parameter, a family already taken is refused cleanly, another
# free family works.

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"

mytcp_require_ko
ktap_print_header
ktap_set_plan 6

if ! mytcp_unload_if_loaded; then
	ktap_exit_fail_msg "mytcp is loaded and cannot be removed"
fi

# CYCLES with mod_cycle (finit_module/delete_module, one process: exec is
# slow in a TCG guest), plus a few with insmod/rmmod themselves.
CYCLES=$MYTCP_LOAD_CYCLES
cycles()
{
	local i n=$CYCLES helper=$MYTCP_DIR/mod_cycle

	if [ -x "$helper" ]; then
		"$helper" "$MYTCP_KO" "$CYCLES" || return
		n=3
	fi
	for i in $(seq 1 $n); do
		mytcp_load || { ktap_print_msg "insmod #$i failed"; return 1; }
		mytcp_unload 5 || { ktap_print_msg "rmmod #$i failed"; return 1; }
	done
	! mytcp_loaded
}
ktap_test_result "$CYCLES insmod/rmmod cycles" cycles

default_family()
{
	local fam ret=0

	mytcp_load || return
	fam=$(mytcp_family)
	if [ "$fam" != 19 ]; then
		ktap_print_msg "family parameter reads '$fam', want 19"
		ret=1
	fi
	mytcp_unload 5 || ret=1
	return $ret
}
ktap_test_result "family parameter reads 19 by default" default_family

default_socket()
{
	local got ret=0

	mytcp_load || return
	got=$(mytcp_try_socket 19 SOCK_STREAM 0)
	[ "$got" = OK ] || { ktap_print_msg "socket(19, SOCK_STREAM, 0): $got"; ret=1; }
	mytcp_unload 5 || ret=1
	return $ret
}
ktap_test_result "socket(19, SOCK_STREAM, 0) works once loaded" default_socket

# AF_INET (2) is always registered: sock_register() must fail and the
# failed load must leave nothing behind.
refused()
{
	local fam=$1

	if mytcp_load family="$fam" 2>/dev/null; then
		ktap_print_msg "insmod family=$fam succeeded"
		mytcp_unload 5
		return 1
	fi
	if mytcp_loaded; then
		ktap_print_msg "/sys/module/mytcp exists after a failed insmod"
		return 1
	fi
	[ "$(mytcp_try_socket 2 SOCK_STREAM 0)" = OK ] ||
		{ ktap_print_msg "AF_INET broken after insmod family=$fam"; return 1; }
	mytcp_load || { ktap_print_msg "insmod after the failed one failed"; return 1; }
	mytcp_unload 5
}
ktap_test_result "family=2 (AF_INET, registered) is refused cleanly" refused 2
ktap_test_result "family=999 (>= NPROTO) is refused cleanly" refused 999

# A family nothing registers (checked first): the module works under it.
other_family()
{
	local fam="" f got ret=0

	for f in 13 12 32 37; do
		if [ "$(mytcp_try_socket "$f" SOCK_STREAM 0)" = EAFNOSUPPORT ]; then
			fam=$f
			break
		fi
	done
	[ -n "$fam" ] || { ktap_print_msg "no free family found"; return 1; }
	mytcp_load family="$fam" || return
	got=$(mytcp_family)
	[ "$got" = "$fam" ] || { ktap_print_msg "family parameter '$got', want $fam"; ret=1; }
	got=$(mytcp_try_socket "$fam" SOCK_STREAM 0)
	[ "$got" = OK ] || { ktap_print_msg "socket($fam): $got"; ret=1; }
	got=$(mytcp_try_socket 19 SOCK_STREAM 0)
	[ "$got" = EAFNOSUPPORT ] || { ktap_print_msg "socket(19) with family=$fam: $got"; ret=1; }
	mytcp_unload 5 || ret=1
	got=$(mytcp_try_socket "$fam" SOCK_STREAM 0)
	[ "$got" = EAFNOSUPPORT ] || { ktap_print_msg "socket($fam) after rmmod: $got"; ret=1; }
	return $ret
}
ktap_test_result "loaded with another free family, only that family works" other_family

ktap_finished
