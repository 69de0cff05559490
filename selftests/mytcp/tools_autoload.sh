#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make install-module` + MODULE_ALIAS_NETPROTO: after installing, the first
# socket(AF_MYTCP) loads the module (request_module("net-pf-19")); after
# `make uninstall-module` it no longer can.
#
# The guest's /lib/modules is the host's, read-only: the test mounts a
# tmpfs on /lib/modules/$(uname -r) (with the kernel's modules.builtin and
# modules.order), runs the real Makefile targets into it (KO=$MYTCP_KO:
# nothing is built; depmod -a runs), and unmounts it at the end, so nothing
# stays installed for the tests after.

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"
source "$MYTCP_LIB_DIR/tools_lib.sh"

mytcp_require_ko
mytcp_tools_require
ktap_print_header
ktap_set_plan 5

KVER=$(uname -r)
TOP=$(cd "$MYTCP_TOOLS_DIR/.." && pwd)
MODDIR=$(readlink -f "/lib/modules/$KVER")
OVL=$(mktemp -d)
MOUNTED=
cleanup()
{
	[ -n "$MOUNTED" ] && umount "$MODDIR"
	rm -rf "$OVL"
	mytcp_tools_cleanup
}
trap cleanup EXIT

[ "$(modinfo -F vermagic "$MYTCP_KO" | cut -d' ' -f1)" = "$KVER" ] || {
	ktap_skip_all "$MYTCP_KO is not built for $KVER"
	exit "$KSFT_SKIP"
}
command -v make >/dev/null && command -v depmod >/dev/null || {
	ktap_skip_all "make or depmod missing"
	exit "$KSFT_SKIP"
}
# Sockets of earlier tests (orphans, TIME_WAIT) may hold the module a while.
unloaded()
{
	local i

	for i in $(seq 1 90); do
		mytcp_loaded || return 0
		rmmod mytcp_cubic 2>/dev/null	# mytcp_load's: it holds mytcp
		rmmod mytcp 2>/dev/null && return 0
		sleep 1
	done
	return 1
}
if ! unloaded; then
	ktap_print_msg "$(tr '\n' ' ' < /proc/net/mytcp_stat | cut -c 1-60)"
	ktap_print_msg "$(grep '^mytcp ' /proc/modules)"
	ktap_skip_all "mytcp is still in use after 90 s: cannot test autoloading"
	exit "$KSFT_SKIP"
fi

# A private /lib/modules/KVER: tmpfs with the kernel's modules.builtin*
# and modules.order (depmod over the whole 9p tree takes minutes in TCG).
t_modtree()
{
	local f

	for f in modules.builtin modules.builtin.modinfo modules.order; do
		[ -r "$MODDIR/$f" ] && cp "$MODDIR/$f" "$OVL/"
	done
	mount -t tmpfs -o mode=755 tmpfs "$MODDIR" || return
	MOUNTED=1
	cp "$OVL"/modules.* "$MODDIR/" 2>/dev/null
	touch "$MODDIR/.mytcp-writable" && rm "$MODDIR/.mytcp-writable"
}
ktap_test_result "private writable $MODDIR" t_modtree
[ -n "$MOUNTED" ] || ktap_exit_fail_msg "no writable modules directory: cannot install"

t_install()
{
	make -s -C "$TOP" install-module KVER="$KVER" KO="$MYTCP_KO" 2>&1 | sed 's/^/# make: /'
	[ -r "$MODDIR/updates/mytcp.ko" ] &&
	grep -Eq '^alias net[-_]pf[-_]19 mytcp$' "$MODDIR/modules.alias" ||
		{ ktap_print_msg "no net-pf-19 alias in modules.alias"; return 1; }
}
ktap_test_result "make install-module: updates/mytcp.ko, depmod alias net-pf-19" t_install

t_autoload()
{
	mytcp_loaded && { ktap_print_msg "already loaded"; return 1; }
	[ "$(mytcp_try_socket 19 SOCK_STREAM 0)" = OK ] || return 1
	mytcp_loaded || { ktap_print_msg "socket() worked but no /sys/module/mytcp"; return 1; }
	ktap_print_msg "loaded from $(modinfo -n mytcp)"
	# mytcp's init asks modprobe for its default algorithm (CUBIC)
	[ -r "$MODDIR/updates/mytcp_cubic.ko" ] || return 0
	local i
	for i in $(seq 1 100); do
		[ -d /sys/module/mytcp_cubic ] && break
		sleep 0.1
	done
	[ -d /sys/module/mytcp_cubic ] ||
		{ ktap_print_msg "mytcp_cubic not loaded with mytcp"; return 1; }
	ktap_print_msg "mytcp_cubic loaded with it: congestion_control" \
		"$(cat /proc/sys/net/mytcp/congestion_control)"
}
ktap_test_result "socket(AF_MYTCP) autoloads the installed module (and CUBIC)" t_autoload

t_uninstall()
{
	make -s -C "$TOP" uninstall-module KVER="$KVER" 2>&1 | sed 's/^/# make: /'
	[ ! -e "$MODDIR/updates/mytcp.ko" ] &&
	! grep -Eq '^alias net[-_]pf[-_]19 mytcp$' "$MODDIR/modules.alias"
}
ktap_test_result "make uninstall-module: file and alias gone" t_uninstall

t_noload()
{
	mytcp_unload 10 || return 1
	[ "$(mytcp_try_socket 19 SOCK_STREAM 0)" = EAFNOSUPPORT ] && ! mytcp_loaded
}
ktap_test_result "after uninstall: rmmod, and socket(AF_MYTCP) is EAFNOSUPPORT again" t_noload

umount "$MODDIR" && MOUNTED=
ktap_finished
