#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mytcpstat shows the sockets a script sets up in a fresh netns: a
# listener, an established pair with unread data, a TIME_WAIT entry, a
# SYN_SENT socket (retransmit timer), a FIN_WAIT2 / CLOSE_WAIT pair; state
# and port filters select them; -s prints /proc/net/mytcp_stat.  This test
# reads /proc/net/mytcp with -f (the classic table of the guide's
# snapshots); diag.sh checks the ss-style listing over netlink.

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"
source "$MYTCP_LIB_DIR/tools_lib.sh"

mytcp_require_ko
mytcp_tools_require
ktap_print_header
ktap_set_plan 9

TMPD=$(mktemp -d)
HOLDER=
cleanup()
{
	[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null && wait "$HOLDER" 2>/dev/null
	mytcp_tools_cleanup
	rm -rf "$TMPD"
	mytcp_cleanup
}
trap cleanup EXIT

mytcp_loaded || mytcp_load || ktap_exit_fail_msg "insmod $MYTCP_KO failed"
setup_ns NS || ktap_exit_fail_msg "cannot make a netns"
# Long TIME_WAIT and SYN retries: the entries must outlive the test.
ip netns exec "$NS" sh -c 'echo 600000 > /proc/sys/net/mytcp/msl_ms;
	echo 127 > /proc/sys/net/mytcp/syn_retries' ||
	ktap_exit_fail_msg "cannot set net.mytcp sysctls"
ip -n "$NS" link add d0 type dummy &&
ip -n "$NS" addr add 10.9.0.1/24 dev d0 &&
ip -n "$NS" link set d0 up || ktap_exit_fail_msg "cannot add the dummy device"

ip netns exec "$NS" "$MYTCP_PYTHON" "$MYTCP_LIB_DIR/tools_stat_tool.py" holder > "$TMPD/holder.out" 2>&1 &
HOLDER=$!
slowwait 20 grep -q ready "$TMPD/holder.out" ||
	{ sed 's/^/# holder: /' "$TMPD/holder.out"; ktap_exit_fail_msg "the socket holder did not start"; }

st() { ip netns exec "$NS" $MYTCPSTAT -f /proc/net/mytcp "$@"; }
T0=$(date +%s)
st > "$TMPD/all" 2>&1
sed 's/^/# /' "$TMPD/all"

# want DESC REGEX CMD...: the output of CMD has a line matching REGEX.
want()
{
	local desc=$1 re=$2 out
	shift 2
	out=$("$@" 2>&1)
	if grep -Eq -- "$re" <<<"$out"; then
		ktap_test_pass "$desc"
	else
		ktap_print_msg "no line matching: $re"
		sed 's/^/# /' <<<"$out"
		ktap_test_fail "$desc"
	fi
}

want "header and columns" '^State +Recv-Q +Send-Q +Local Address:Port +Peer Address:Port +Timer +Uid +Inode +Rto\(ms\) +Cwnd +Ssthresh$' st
want "-l: the listener" '^LISTEN +0 +0 +127\.0\.0\.1:7201 +\*:\* ' st -l
want "state established: the server side holds 100 unread bytes" \
	'^ESTAB +100 +0 +127\.0\.0\.1:7201 +127\.0\.0\.1:[0-9]+ +- +0 +[1-9][0-9]* +[0-9]+ +[0-9]+ ' st state established
want "state time-wait: the closed pair's TIME_WAIT entry and its timer" \
	'^TIME-WAIT +0 +0 +127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:7202 +timewait,' st state time-wait
want "state syn-sent: the unanswered SYN with its retransmit timer" \
	'^SYN-SENT +0 +1 +10\.9\.0\.1:[0-9]+ +10\.9\.0\.2:7203 +on,[0-9.]+(ms|sec),[0-9]+ ' st state syn-sent

t_port()
{
	local out n
	out=$(st -H -p 7204)
	sed 's/^/# /' <<<"$out"
	n=$(wc -l <<<"$out")
	[ "$n" = 2 ] && grep -q '^FIN-WAIT-2 .*:7204 ' <<<"$out" &&
		grep -q '^CLOSE-WAIT .* 127\.0\.0\.1:7204 ' <<<"$out"
}
ktap_test_result "-p 7204: exactly the FIN-WAIT-2 / CLOSE-WAIT pair" t_port

t_dport()
{
	local out
	out=$(st -H state established dport = :7201)
	sed 's/^/# /' <<<"$out"
	[ "$(wc -l <<<"$out")" = 1 ] && grep -Eq '^ESTAB +0 +0 +127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:7201 ' <<<"$out"
}
ktap_test_result "state established dport = :7201: only the client" t_dport

t_summary()
{
	local out
	out=$(st -s)
	sed 's/^/# /' <<<"$out"
	[ "$(head -n 1 <<<"$out")" = "#kernel" ] &&
	grep -Eq '^TcpCurrEstab +[0-9]+ ' <<<"$out" &&
	grep -Eq '^TcpActiveOpens +[34] ' <<<"$out" &&
	grep -q '^MytcpLiveSocks ' <<<"$out"
}
ktap_test_result "-s: the netns counters in nstat's format" t_summary
ktap_print_msg "mytcpstat checks took $(( $(date +%s) - T0 ))s"

t_nomod()
{
	local out
	out=$($MYTCPSTAT -f "$TMPD/nonexistent" 2>&1)
	[ $? -ne 0 ] && grep -q 'not found' <<<"$out"
}
ktap_test_result "a missing /proc file is reported, exit status non-zero" t_nomod

ktap_finished
