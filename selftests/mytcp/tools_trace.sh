#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The mytcp tracepoints and mytcp-ladder.  tools_scenario.py runs scripted
# connections in a fresh netns while `mytcp-ladder -l -w FILE -- CMD`
# traces them live (its own tracefs instance); then:
#   - every tracepoint fired, with the fields the scenario implies;
#   - mytcp-ladder draws the 7101 exchange from the saved trace as in
#     tools_ladder.expected (relative sequence numbers, no times, columns
#     named client/server: ISNs, ports and timestamps do not matter).
#     Arrows, the client's notes and the server's notes are compared each
#     in their own order, so that the interleaving of the two sides'
#     notes (softirq timing) cannot make the test flaky.

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"
source "$MYTCP_LIB_DIR/tools_lib.sh"

mytcp_require_ko
mytcp_tools_require
ktap_print_header
ktap_set_plan 11

TMPD=$(mktemp -d)
cleanup() { mytcp_tools_cleanup; rm -rf "$TMPD"; mytcp_cleanup; }
trap cleanup EXIT

mytcp_loaded || mytcp_load || ktap_exit_fail_msg "insmod $MYTCP_KO failed"
setup_ns NS || ktap_exit_fail_msg "cannot make a netns"
ip netns exec "$NS" sh -c 'echo 200 > /proc/sys/net/mytcp/rto_initial_ms'

TRACE=$TMPD/trace
mytcp_trace_no_comm
$MYTCP_LADDER -l -w "$TRACE" -- ip netns exec "$NS" "$MYTCP_PYTHON" \
	"$MYTCP_LIB_DIR/tools_scenario.py" > "$TMPD/live.out" 2> "$TMPD/live.err"
rc=$?
ktap_print_msg "live capture: rc=$rc, $(wc -l < "$TRACE") trace lines"
sed 's/^/# stderr: /' "$TMPD/live.err"
if [ "$rc" -eq 0 ] && grep -q "scenario done" "$TMPD/live.out"; then
	ktap_test_pass "mytcp-ladder -l runs the scenario and saves the trace"
else
	ktap_test_fail "mytcp-ladder -l runs the scenario and saves the trace"
fi

# has EVENT REGEX: the trace has an EVENT line matching REGEX.
has()
{
	if grep -E " $1: " "$TRACE" | grep -Eq -- "$2"; then
		return 0
	fi
	ktap_print_msg "no $1 line matching: $2"
	grep -E " $1: " "$TRACE" | head -n 5 | sed 's/^/# /'
	return 1
}

t_state()
{
	has mytcp_state '127\.0\.0\.1:7101 -> 0\.0\.0\.0:0 CLOSE -> LISTEN( family=2 .*)?$' &&
	has mytcp_state '127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.1:7101 SYN_SENT -> ESTABLISHED( family=2 .*)?$' &&
	has mytcp_state '127\.0\.0\.1:7101 -> 127\.0\.0\.1:[0-9]+ SYN_RECV -> ESTABLISHED( family=2 .*)?$' &&
	has mytcp_state '127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.1:7101 FIN_WAIT2 -> TIME_WAIT( family=2 .*)?$' &&
	has mytcp_state '127\.0\.0\.1:7101 -> 127\.0\.0\.1:[0-9]+ LAST_ACK -> CLOSE( family=2 .*)?$'
}
ktap_test_result "mytcp_state: LISTEN, both ESTABLISHED, TIME_WAIT, LAST_ACK -> CLOSE" t_state

t_segment()
{
	has mytcp_segment 'sk=[0-9a-f]+ 127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.1:7101 out flags=S seq=[0-9]+ ack=0 win=[0-9]+ optlen=[1-9][0-9]* len=0 state=SYN_SENT( |$)' &&
	has mytcp_segment '127\.0\.0\.1:7101 -> 0\.0\.0\.0:0 in flags=S seq=[0-9]+ ack=0 .* state=LISTEN( |$)' &&
	has mytcp_segment '127\.0\.0\.1:7101 -> 127\.0\.0\.1:[0-9]+ out flags=S\. .* state=SYN_RECV( |$)' &&
	has mytcp_segment '127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.1:7101 out flags=P\. .* len=5 state=ESTABLISHED( |$)' &&
	has mytcp_segment '127\.0\.0\.1:7101 -> 127\.0\.0\.1:[0-9]+ in flags=P\. .* len=5 state=ESTABLISHED( |$)' &&
	has mytcp_segment '127\.0\.0\.1:7101 -> 127\.0\.0\.1:[0-9]+ out flags=P\. .* len=3 state=ESTABLISHED( |$)' &&
	has mytcp_segment '127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.1:7101 out flags=F\. .* len=0 state=FIN_WAIT1( |$)' &&
	# the listener's SYN: its own peer, its options (MSS first)
	has mytcp_segment '127\.0\.0\.1:7101 -> 0\.0\.0\.0:0 in flags=S .* peer=127\.0\.0\.1:[1-9][0-9]* wscale=0 opts=0204[0-9a-f]+( family=2 .*)?$'
}
ktap_test_result "mytcp_segment: SYN, SYN-ACK, data both ways, FIN; in and out" t_segment

t_seqs()
{
	# The SYN-ACK acknowledges the client's ISN + 1.
	local isn sa
	isn=$(grep -E 'mytcp_segment: .* -> 127\.0\.0\.1:7101 out flags=S ' "$TRACE" |
		head -n 1 | sed -E 's/.* seq=([0-9]+) .*/\1/')
	sa=$(grep -E 'mytcp_segment: .*127\.0\.0\.1:7101 -> 127\.0\.0\.1:[0-9]+ out flags=S\. ' "$TRACE" |
		head -n 1 | sed -E 's/.* ack=([0-9]+) .*/\1/')
	[ -n "$isn" ] && [ "$sa" = $(( (isn + 1) % 4294967296 )) ] ||
		{ ktap_print_msg "SYN seq $isn, SYN-ACK ack $sa"; return 1; }
}
ktap_test_result "mytcp_segment: seq/ack fields agree (SYN-ACK ack = ISN + 1)" t_seqs

t_reset()
{
	has mytcp_reset '127\.0\.0\.1:7102 -> 127\.0\.0\.1:[0-9]+ sent reason=active( family=2 .*)?$' &&
	has mytcp_reset '127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.1:7102 received reason=received( family=2 .*)?$' &&
	has mytcp_segment '127\.0\.0\.1:7102 -> 127\.0\.0\.1:[0-9]+ out flags=R'
}
ktap_test_result "mytcp_reset: SO_LINGER {1,0} close sends, the peer receives" t_reset

t_drop()
{
	# the dropped SYN's own 4-tuple, not the listener's (issue 18)
	has mytcp_drop '127\.0\.0\.1:7103 -> 127\.0\.0\.1:[1-9][0-9]* len=[0-9]+ reason=listen overflow family=2 saddr6=::ffff:127\.0\.0\.1 daddr6=::ffff:127\.0\.0\.1$'
}
ktap_test_result "mytcp_drop: SYN to a full listen queue (listen overflow), with the SYN's 4-tuple" t_drop

t_rtx()
{
	local seq end
	has mytcp_timer '127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.1:7103 timer=retransmit state=SYN_SENT( |$)' &&
	has mytcp_retransmit '127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.1:7103 seq=[0-9]+ end_seq=[0-9]+ retrans=1( family=2 .*)?$' || return
	read -r seq end < <(grep -E 'mytcp_retransmit: .* -> 127\.0\.0\.1:7103 ' "$TRACE" |
		head -n 1 | sed -E 's/.* seq=([0-9]+) end_seq=([0-9]+) .*/\1 \2/')
	[ "$end" = $(( (seq + 1) % 4294967296 )) ] ||
		{ ktap_print_msg "SYN retransmit seq=$seq end_seq=$end"; return 1; }
}
ktap_test_result "mytcp_timer + mytcp_retransmit: the dropped SYN is sent again" t_rtx

t_reply()
{
	has mytcp_reply '127\.0\.0\.1:7104 -> 127\.0\.0\.1:40404 flags=R seq=2000 ack=0( |$)'
}
ktap_test_result "mytcp_reply: RST without a socket for a stray ACK" t_reply

t_ipv6()
{
	local fam='family=10 saddr6=::1 daddr6=::1$'

	has mytcp_state "[0-9.]+:[0-9]+ -> [0-9.]+:7105 SYN_SENT -> ESTABLISHED $fam" &&
	has mytcp_state "[0-9.]+:7105 -> [0-9.]+:[0-9]+ SYN_RECV -> ESTABLISHED $fam" &&
	has mytcp_segment "[0-9.]+:[0-9]+ -> [0-9.]+:7105 out flags=P\. .* len=4 .* $fam" &&
	has mytcp_reply "0\.0\.0\.0:7105 -> 0\.0\.0\.0:40406 flags=R .* $fam" &&
	$MYTCP_LADDER -p 7105 -t none "$TRACE" > "$TMPD/ladder6" 2>&1 &&
	sed 's/^/# /' "$TMPD/ladder6" && grep -q '::1' "$TMPD/ladder6" &&
	$MYTCP_LADDER -p 7105 --pcapng "$TMPD/v6.pcapng" "$TRACE" > /dev/null &&
	"$MYTCP_PYTHON" - "$TMPD/v6.pcapng" <<-'EOF'
	import socket, struct, sys
	b = open(sys.argv[1], "rb").read()
	i, n = 0, 0
	while i + 12 <= len(b):
	    t, ln = struct.unpack_from("<II", b, i)
	    if t == 6:			# EPB: the packet after 20 bytes
	        p = b[i + 28:]
	        assert p[0] >> 4 == 6, "not IPv6: %r" % p[:4]
	        assert p[6] == 6 and p[8:24] == socket.inet_pton(
	            socket.AF_INET6, "::1"), "IPv6 header %r" % p[:40]
	        n += 1
	    i += ln
	assert n >= 5, "%d IPv6 packets" % n
	print("# pcapng: %d IPv6 packets" % n)
	EOF
}
ktap_test_result "IPv6 (::1, 7105): family and IPv6 addresses in state, segment and reply events; ladder and pcapng in IPv6" t_ipv6

# ------------------------------------------------------------ ladder
EXPECTED=$MYTCP_DIR/tools_ladder.expected
$MYTCP_LADDER -p 7101 -t none -N client,server "$TRACE" > "$TMPD/ladder" 2>&1
sed 's/^/# /' "$TMPD/ladder"

# split FILE: arrows, left notes, right notes, as three sections.
split_picture()
{
	awk '
	/^segments:/ { print "S " $0; next }
	/\|.*[<>X].*\|/ { sub(/^ +/, ""); print "A " $0; next }
	/\| +\|/ {
		l = $0; sub(/\|.*/, "", l); gsub(/^ +| +$/, "", l)
		r = $0; sub(/.*\|/, "", r); gsub(/^ +| +$/, "", r)
		if (l != "") print "L " l
		if (r != "") print "R " r
	}' "$1" | sort -s -k1,1
}
t_ladder()
{
	[ -r "$EXPECTED" ] || { ktap_print_msg "$EXPECTED missing"; return 1; }
	split_picture "$EXPECTED" > "$TMPD/want"
	split_picture "$TMPD/ladder" > "$TMPD/got"
	diff -u "$TMPD/want" "$TMPD/got" | sed 's/^/# /'
	cmp -s "$TMPD/want" "$TMPD/got"
}
ktap_test_result "mytcp-ladder draws the 7101 exchange as tools_ladder.expected" t_ladder

t_ladder_det()
{
	$MYTCP_LADDER "$TRACE" > "$TMPD/l1" && $MYTCP_LADDER "$TRACE" > "$TMPD/l2" &&
	cmp -s "$TMPD/l1" "$TMPD/l2" &&
	$MYTCP_LADDER -L "$TRACE" | sed 's/^/# /' &&
	# Every scenario connection is drawn, the dropped/retransmitted SYN too.
	grep -q 'rtx#1' "$TMPD/l1" && grep -q 'RST sent (active)' "$TMPD/l1" &&
	grep -q 'dropped: listen overflow' "$TMPD/l1" && grep -q '(no socket)' "$TMPD/l1" &&
	return 0
	sed 's/^/# ladder: /' "$TMPD/l1"
	sed 's/^/# trace: /' "$TRACE"
	return 1
}
ktap_test_result "mytcp-ladder is deterministic and marks rtx, RST, drops, replies" t_ladder_det

ktap_finished
