#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Reliability beyond random loss (netem.sh covers that), over the veth pair
# of mytcp_setup_hosts (H1 10.0.1.1 <-> H2 10.0.1.2) and a routed path:
#
#   zero window   the receiver stops reading until its buffer is full and
#                 the sender probes (mytcp ZeroWindowProbes, Linux
#                 TcpExt TCPWinProbe moves), then reads again: the stream
#                 arrives byte-exact.  mytcp -> mytcp, mytcp -> Linux,
#                 Linux -> mytcp.
#   RTO recovery  a path dropping everything (netem loss 100% on both ends)
#                 for 3 s in the middle of a transfer, then healed: the
#                 transfer completes byte-exact and Timeouts moved.
#   ETIMEDOUT     a path that never heals: with net.mytcp.retries2=3 and
#                 rto_max_ms=400 the sender's send() fails with ETIMEDOUT
#                 (and Timeouts moved); with TCP_USER_TIMEOUT 3000 ms and
#                 the default retries2 (15: minutes) too.
#   PMTU          a - r - b, r forwarding, r's link to b with MTU 1280 while
#                 b's own interface is 1500 (b's MSS option says 1460): a
#                 mytcp transfer a -> b completes, IcmpErrors moved on a,
#                 TCP_INFO shows tcpi_pmtu 1280 and tcpi_snd_mss <= 1240.
#
# Stalls fail through the tools' socket timeouts (rel_tool.py -t) and
# per-case limits; no timing is asserted.

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"

DIR=$(dirname "$(readlink -f "$0")")
TOOL=("$MYTCP_PYTHON" "$MYTCP_LIB_DIR/rel_tool.py")

mytcp_require_ko
if ! command -v tc >/dev/null; then
	ktap_skip_all "tc (iproute2) not found"
	exit "$KSFT_SKIP"
fi

ktap_print_header
ktap_set_plan 8

TMP=$(mktemp -d)
cleanup()
{
	local p

	for p in $(jobs -p); do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	mytcp_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT

mytcp_loaded || mytcp_load || ktap_exit_fail_msg "insmod $MYTCP_KO failed"
modprobe -q sch_netem 2>/dev/null

ktap_test_result "two hosts joined by veth reach each other" mytcp_setup_hosts

port=7300

# linux_mib NETNS FILE TABLE KEY: a counter of /proc/net/snmp or netstat.
linux_mib()
{
	ip netns exec "$1" awk -v t="$3:" -v k="$4" '$1 == t {
		if (!h) { for (i = 2; i <= NF; i++) if ($i == k) c = i; h = 1 }
		else { print (c ? $c : 0); exit } }' "/proc/net/$2"
}

# counter FAMILY NETNS KEY: mytcp_stat KEY, or Linux's equivalent.
counter()
{
	local fam=$1 ns=$2 key=$3

	if [ "$fam" = mytcp ]; then
		mytcp_stat "$key" "$ns"
		return
	fi
	case "$key" in
	ZeroWindowProbes) linux_mib "$ns" netstat TcpExt TCPWinProbe ;;
	RetransSegs) linux_mib "$ns" snmp Tcp RetransSegs ;;
	Timeouts) linux_mib "$ns" netstat TcpExt TCPTimeouts ;;
	esac
}

# start_sink NETNS FAMILY ADDR [rel_tool args...]: background sink on
# $port; sets SINK_PID; output in $TMP/sink.
start_sink()
{
	local ns=$1 fam=$2 addr=$3

	shift 3
	port=$((port + 1))
	rm -f "$TMP/ready"
	ip netns exec "$ns" "${TOOL[@]}" sink -f "$fam" -b "$addr" -p "$port" \
		--ready "$TMP/ready" "$@" >"$TMP/sink" 2>&1 &
	SINK_PID=$!
	if ! slowwait 60 test -e "$TMP/ready"; then
		ktap_print_msg "sink did not start"
		sed 's/^/# sink: /' "$TMP/sink"
		return 1
	fi
}

# finish_sink: wait for the sink; 0 when it exited 0.
finish_sink()
{
	local rc

	wait "$SINK_PID"
	rc=$?
	SINK_PID=
	return "$rc"
}

netem_all()
{
	ip netns exec "$H1" tc qdisc replace dev veth1 root netem "$@" &&
		ip netns exec "$H2" tc qdisc replace dev veth2 root netem "$@"
}

netem_none()
{
	ip netns exec "$H1" tc qdisc del dev veth1 root 2>/dev/null
	ip netns exec "$H2" tc qdisc del dev veth2 root 2>/dev/null
	return 0
}

# zero_window SENDER_FAMILY RECEIVER_FAMILY
zero_window()
{
	local sfam=$1 rfam=$2 n=$((1 << 20)) p0 p1 src rc=0

	p0=$(counter "$sfam" "$H1" ZeroWindowProbes)
	rm -f "$TMP/go"
	start_sink "$H2" "$rfam" "$MYTCP_ADDR2" --rcvbuf 65536 \
		--wait-file "$TMP/go" -t 60 || return 1
	ip netns exec "$H1" "${TOOL[@]}" source -f "$sfam" \
		-c "$MYTCP_ADDR2:$port" -n "$n" --sndbuf 65536 -t 60 \
		>"$TMP/source" 2>&1 &
	src=$!
	if ! slowwait 40 __counter_above "$sfam" "$H1" ZeroWindowProbes "$p0"; then
		ktap_print_msg "$sfam sender sent no zero window probe"
		rc=1
	fi
	p1=$(counter "$sfam" "$H1" ZeroWindowProbes)
	touch "$TMP/go"
	wait "$src" || rc=1
	finish_sink || rc=1
	ktap_print_msg "probes +$((p1 - p0)); $(cat "$TMP/source" "$TMP/sink" | tr '\n' ' ')"
	grep -qx "sent $n" "$TMP/source" || rc=1
	grep -qx "received $n" "$TMP/sink" || rc=1
	return "$rc"
}

__counter_above()
{
	[ "$(counter "$1" "$2" "$3")" -gt "$4" ]
}

# established NETNS PORT: a mytcp connection to/from PORT is ESTABLISHED.
established()
{
	local hex

	hex=$(printf '%04X' "$2")
	ip netns exec "$1" awk -v p=":$hex" '$3 ~ p"$" && $4 == "01" { f = 1 }
		END { exit !f }' /proc/net/mytcp
}

rto_recovery()
{
	local t0 t1 r0 r1 src rc=0 sent got

	t0=$(mytcp_stat Timeouts "$H1")
	r0=$(mytcp_stat RetransSegs "$H1")
	rm -f "$TMP/stop"
	start_sink "$H2" mytcp "$MYTCP_ADDR2" -t 60 || return 1
	ip netns exec "$H1" "${TOOL[@]}" source -f mytcp \
		-c "$MYTCP_ADDR2:$port" --stop-file "$TMP/stop" -t 60 \
		>"$TMP/source" 2>&1 &
	src=$!
	slowwait 20 established "$H1" "$port" || rc=1
	sleep 1
	netem_all loss 100% || rc=1
	sleep 3
	netem_none
	sleep 1
	touch "$TMP/stop"
	wait "$src" || rc=1
	finish_sink || rc=1
	t1=$(mytcp_stat Timeouts "$H1")
	r1=$(mytcp_stat RetransSegs "$H1")
	ktap_print_msg "Timeouts +$((t1 - t0)), RetransSegs +$((r1 - r0)); $(cat "$TMP/source" "$TMP/sink" | tr '\n' ' ')"
	sent=$(awk '$1 == "sent" { print $2 }' "$TMP/source")
	got=$(awk '$1 == "received" { print $2 }' "$TMP/sink")
	if [ -z "$sent" ] || [ "$sent" != "$got" ]; then
		ktap_print_msg "sent '$sent', received '$got'"
		rc=1
	fi
	if [ "$t1" -le "$t0" ]; then
		ktap_print_msg "Timeouts did not move"
		rc=1
	fi
	return "$rc"
}

# never_heals [rel_tool source args...]: the sender in H1 must fail with
# ETIMEDOUT while the path drops everything.
never_heals()
{
	local t0 t1 src rc=0

	t0=$(mytcp_stat Timeouts "$H1")
	rm -f "$TMP/stop"
	start_sink "$H2" mytcp "$MYTCP_ADDR2" -t 90 || return 1
	ip netns exec "$H1" "${TOOL[@]}" source -f mytcp \
		-c "$MYTCP_ADDR2:$port" --stop-file "$TMP/stop" -t 90 "$@" \
		>"$TMP/source" 2>&1 &
	src=$!
	slowwait 20 established "$H1" "$port" || rc=1
	sleep 0.5
	netem_all loss 100% || rc=1
	# The sender must give up by itself; the source's own -t is longer.
	if ! slowwait 60 __exited "$src"; then
		ktap_print_msg "no error after 60 s"
		rc=1
	fi
	touch "$TMP/stop"
	wait "$src"
	t1=$(mytcp_stat Timeouts "$H1")
	netem_none
	kill "$SINK_PID" 2>/dev/null
	wait "$SINK_PID" 2>/dev/null
	SINK_PID=
	ktap_print_msg "Timeouts +$((t1 - t0)); $(tr '\n' ' ' <"$TMP/source")"
	grep -q "^error ETIMEDOUT" "$TMP/source" || rc=1
	[ "$t1" -gt "$t0" ] || rc=1
	return "$rc"
}

__exited()
{
	! kill -0 "$1" 2>/dev/null
}

sysctl_h1()
{
	ip netns exec "$H1" sysctl -qw "net.mytcp.$1=$2"
}

for pair in "mytcp mytcp" "mytcp inet" "inet mytcp"; do
	read -r sfam rfam <<<"$pair"
	if zero_window "$sfam" "$rfam"; then
		ktap_test_pass "zero window: $sfam sender -> $rfam receiver that stops reading, then reads: probes, byte-exact"
	else
		ktap_test_fail "zero window: $sfam sender -> $rfam receiver that stops reading, then reads: probes, byte-exact"
	fi
done

ktap_test_result "RTO: 3 s of 100% loss mid-transfer, then healed: completes byte-exact, Timeouts moved" \
	rto_recovery

saved_r2=$(ip netns exec "$H1" sysctl -n net.mytcp.retries2)
saved_max=$(ip netns exec "$H1" sysctl -n net.mytcp.rto_max_ms)
sysctl_h1 retries2 3
sysctl_h1 rto_max_ms 400
ktap_test_result "ETIMEDOUT: path never heals, retries2=3 rto_max_ms=400: send() fails with ETIMEDOUT" \
	never_heals
sysctl_h1 retries2 "$saved_r2"
sysctl_h1 rto_max_ms "$saved_max"
ktap_test_result "ETIMEDOUT: path never heals, TCP_USER_TIMEOUT 3000 ms, retries2 15: send() fails with ETIMEDOUT" \
	never_heals --user-timeout 3000

# ---- PMTU: a - r - b
pmtu_case()
{
	local out rc=0 i0 i1 mss pmtu

	setup_ns PA PR PB || { ktap_print_msg "setup_ns failed"; return 1; }
	{
		ip link add va netns "$PA" type veth peer name ra netns "$PR" &&
		ip link add rb netns "$PR" type veth peer name vb netns "$PB" &&
		ip -n "$PA" addr add 10.0.21.1/24 dev va &&
		ip -n "$PR" addr add 10.0.21.254/24 dev ra &&
		ip -n "$PR" addr add 10.0.22.254/24 dev rb &&
		ip -n "$PB" addr add 10.0.22.2/24 dev vb &&
		ip -n "$PA" link set va up &&
		ip -n "$PR" link set ra up &&
		ip -n "$PR" link set rb up &&
		ip -n "$PB" link set vb up &&
		ip -n "$PR" link set rb mtu 1280 &&
		ip -n "$PA" route add default via 10.0.21.254 &&
		ip -n "$PB" route add default via 10.0.22.254 &&
		ip netns exec "$PR" sysctl -qw net.ipv4.ip_forward=1
	} || { ktap_print_msg "a - r - b setup failed"; return 1; }
	if ! slowwait 30 ip netns exec "$PA" ping -c 1 -W 2 10.0.22.2 >/dev/null; then
		ktap_print_msg "a cannot ping b through r"
		ip netns exec "$PA" ping -c 1 -W 2 10.0.22.2 | sed 's/^/# /'
		return 1
	fi
	i0=$(mytcp_stat IcmpErrors "$PA")
	start_sink "$PB" mytcp 10.0.22.2 -t 30 || return 1
	ip netns exec "$PA" "${TOOL[@]}" source -f mytcp -c "10.0.22.2:$port" \
		-n $((1 << 20)) --info -t 30 >"$TMP/source" 2>&1 ||
		{ ktap_print_msg "source failed"; rc=1; }
	finish_sink || { ktap_print_msg "sink failed"; rc=1; }
	i1=$(mytcp_stat IcmpErrors "$PA")
	ktap_print_msg "IcmpErrors +$((i1 - i0)); $(cat "$TMP/source" "$TMP/sink" | tr '\n' ' ')"
	grep -qx "sent $((1 << 20))" "$TMP/source" || rc=1
	grep -qx "received $((1 << 20))" "$TMP/sink" || rc=1
	read -r _ mss _ pmtu < <(grep '^snd_mss' "$TMP/source")
	[ "$i1" -gt "$i0" ] || { ktap_print_msg "IcmpErrors did not move"; rc=1; }
	[ "${pmtu:-0}" = 1280 ] || { ktap_print_msg "tcpi_pmtu ${pmtu:-?}, want 1280"; rc=1; }
	[ "${mss:-9999}" -le 1240 ] || { ktap_print_msg "tcpi_snd_mss ${mss:-?}, want <= 1240"; rc=1; }
	return "$rc"
}

ktap_test_result "PMTU: ICMP fragmentation needed from a router (link MTU 1280) lowers the MSS; transfer completes" \
	pmtu_case

ktap_finished
