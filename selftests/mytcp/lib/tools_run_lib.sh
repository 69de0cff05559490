#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared by tools_run.sh and tools_run_iperf.sh (source it after
# mytcp_lib.sh and tools_lib.sh, and mytcp_tools_require): a fresh netns
# $NS with mytcp loaded, $TMPD with a 200 kB file www/blob (md5 in
# $want_sum), cleanup on exit, and helpers:
#   nsx CMD...         CMD in $NS
#   mrun CMD...        CMD under mytcp-run in $NS
#   st ARGS...         mytcpstat in $NS
#   bg CMD...          CMD in the background, stopped by the cleanup
#   wait_listen PORT   a mytcp listener on PORT (60 s at most)
#   wait_linux_listen PORT: a Linux TCP listener on PORT
#   have CMD           CMD is installed

cleanup()
{
	local p
	# The background jobs are subshells; their programs run in $NS.
	if [ -n "${NS:-}" ]; then
		ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null
		slowwait 10 sh -c "[ -z \"\$(ip netns pids $NS 2>/dev/null)\" ]"
	fi
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	mytcp_tools_cleanup
	rm -rf "$TMPD"
	mytcp_cleanup
}

nsx() { ip netns exec "$NS" "$@"; }
# run CMD under mytcp-run in the netns (quiet unless the test says so).
mrun() { nsx $MYTCP_RUN "$@"; }
st() { nsx $MYTCPSTAT "$@"; }
bg() { "$@" & PIDS+=($!); }
# wait_listen PORT: a mytcp listener on PORT shows up in mytcpstat -l.
# (awk on /proc/net/mytcp: python start-up is slow in TCG.)
wait_listen()
{
	slowwait 60 sh -c "ip netns exec $NS cat /proc/net/mytcp |
		awk '\$4 == \"0A\" && \$2 ~ /:$(printf %04X "$1")\$/ { f = 1 } END { exit !f }'"
}
wait_linux_listen() { slowwait 60 sh -c "ip netns exec $NS ss -Htln 'sport = :$1' | grep -q LISTEN"; }

have() { command -v "$1" >/dev/null; }

# tools_run_setup: the netns, the module, $TMPD and the blob.
tools_run_setup()
{
	TMPD=$(mktemp -d)
	PIDS=()
	trap cleanup EXIT

	mytcp_loaded || mytcp_load || ktap_exit_fail_msg "insmod $MYTCP_KO failed"
	setup_ns NS || ktap_exit_fail_msg "cannot make a netns"

	mkdir -p "$TMPD/www"
	head -c 200000 /dev/urandom > "$TMPD/www/blob"
	want_sum=$(md5sum < "$TMPD/www/blob")
}
