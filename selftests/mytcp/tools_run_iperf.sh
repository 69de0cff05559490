#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mytcp-run (libmytcp-preload.so) with iperf3 and nc (openbsd), in a fresh
# netns on 127.0.0.1, against mytcp and against Linux TCP peers; the
# iperf3 connections show up in /proc/net/mytcp.  (http, curl, urllib and
# the fallback to Linux TCP: tools_run.sh.)

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"
source "$MYTCP_LIB_DIR/tools_lib.sh"

mytcp_require_ko
mytcp_tools_require
ktap_print_header
ktap_set_plan 4
source "$MYTCP_LIB_DIR/tools_run_lib.sh"
tools_run_setup

# --------------------------------------------------------- iperf3
t_iperf_mytcp()
{
	have iperf3 || return "$KSFT_SKIP"
	local rc seen=0 i
	bg mrun iperf3 -s -4 -1 -p 7303 > "$TMPD/iperf-s.log" 2>&1
	wait_listen 7303 || { sed 's/^/# /' "$TMPD/iperf-s.log"; return 1; }
	# One poller in the netns (forking cat in a loop starves while iperf3
	# keeps both vCPUs busy) keeps the /proc/net/mytcp snapshot with the
	# most ESTABLISHED sockets of port 7303: both ends of a connection at
	# least.
	rm -f "$TMPD/stop" "$TMPD/snap"
	nsx "$MYTCP_PYTHON" "$MYTCP_LIB_DIR/tools_run_tool.py" poll-7303 "$TMPD" &
	local ppid=$!
	slowwait 60 test -e "$TMPD/poller.ready"
	mrun timeout 90 iperf3 -4 -c 127.0.0.1 -p 7303 -t 3 -i 1 > "$TMPD/iperf-c.log" 2>&1
	rc=$?
	touch "$TMPD/stop"
	wait "$ppid"
	local best=0
	[ -r "$TMPD/snap" ] &&
		best=$(awk '$4 == "01" && ($2 ~ /:1C87$/ || $3 ~ /:1C87$/)' "$TMPD/snap" | wc -l)
	[ "$best" -ge 2 ] && seen=1
	[ "$best" -gt 0 ] && st -f "$TMPD/snap" -p 7303 | sed 's/^/# during iperf3: /'
	sed 's/^/# /' "$TMPD/iperf-c.log" | tail -n 6
	[ "$seen" = 1 ] || ktap_print_msg "the iperf3 connections never showed in /proc/net/mytcp (best: $best ESTABLISHED)"
	[ "$rc" = 0 ] && [ "$seen" = 1 ] && grep -q receiver "$TMPD/iperf-c.log"
}
ktap_test_result "iperf3 -c under mytcp-run <-> iperf3 -s under mytcp-run; both connections in /proc/net/mytcp" t_iperf_mytcp

t_iperf_linux()
{
	have iperf3 || return "$KSFT_SKIP"
	bg nsx iperf3 -s -4 -1 -p 7304 > "$TMPD/iperf-s2.log" 2>&1
	wait_linux_listen 7304 || return 1
	mrun timeout 90 iperf3 -4 -c 127.0.0.1 -p 7304 -n 2M > "$TMPD/iperf-c2.log" 2>&1
	local rc=$?
	sed 's/^/# /' "$TMPD/iperf-c2.log" | tail -n 4
	[ "$rc" = 0 ] && grep -q receiver "$TMPD/iperf-c2.log"
}
ktap_test_result "iperf3 -c under mytcp-run <-> plain iperf3 -s (Linux TCP)" t_iperf_linux

# ------------------------------------------------------------- nc
t_nc_mytcp()
{
	have nc || return "$KSFT_SKIP"
	bg mrun nc -l 127.0.0.1 7305 > "$TMPD/nc-out" 2>"$TMPD/nc-err"
	wait_listen 7305 || return 1
	mrun nc -N 127.0.0.1 7305 < "$TMPD/www/blob" || return 1
	slowwait 20 sh -c "[ \"\$(md5sum < $TMPD/nc-out)\" = \"$want_sum\" ]"
}
ktap_test_result "nc under mytcp-run -> nc -l under mytcp-run: 200 kB intact" t_nc_mytcp

t_nc_linux()
{
	have nc || return "$KSFT_SKIP"
	bg nsx nc -l 127.0.0.1 7306 > "$TMPD/nc-out2" 2>/dev/null
	wait_linux_listen 7306 || return 1
	mrun nc -N 127.0.0.1 7306 < "$TMPD/www/blob" || return 1
	slowwait 20 sh -c "[ \"\$(md5sum < $TMPD/nc-out2)\" = \"$want_sum\" ]"
}
ktap_test_result "nc under mytcp-run -> plain nc -l (Linux TCP)" t_nc_linux


ktap_finished
