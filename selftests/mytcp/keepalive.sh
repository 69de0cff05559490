#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Keepalive and TCP_USER_TIMEOUT on mytcp, over the two-host veth setup
# (mytcp client in $H1, server in $H2):
#  - a peer made silent (netem 100% loss on its veth) is given up after
#    the probes run out: the blocked recv() fails with ETIMEDOUT and
#    KeepaliveTimeouts counts it;
#  - live peers (mytcp and Linux TCP) keep the connection through dozens
#    of probe rounds (1 s values), every probe on the wire carrying
#    seq = SND.NXT - 1 and drawing an ACK;
#  - IP_TOS/IP_TTL set on the client are on its segments;
#  - keepalive stays off without SO_KEEPALIVE;
#  - TCP_USER_TIMEOUT aborts a connection whose data goes unacknowledged.
# No timing is asserted beyond generous upper bounds.

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"

mytcp_require_ko
ktap_print_header
ktap_set_plan 7

WORK=$(mktemp -d)
PIDS=()
cleanup()
{
	local p

	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	mytcp_cleanup
	rm -rf "$WORK"
}
trap cleanup EXIT

mytcp_loaded || mytcp_load || ktap_exit_fail_msg "insmod $MYTCP_KO failed"
mytcp_setup_hosts || ktap_exit_fail_msg "cannot set up the two hosts"
command -v tcpdump >/dev/null || ktap_exit_fail_msg "tcpdump not found"

# keepalive_tool.py server KIND PORT [noread]: accept connections (KIND mytcp or linux),
# read what comes, answer "hello" with "hi" and "ping" with "pong"; never
# closes first.  noread: read nothing after "hello" (small SO_RCVBUF).
#
# keepalive_tool.py client PORT IDLE INTVL CNT USER_TIMEOUT_MS WAIT: a mytcp connection
# to $MYTCP_ADDR2:PORT with keepalive (IDLE > 0) or a user timeout; says
# hello, prints "ready", then either blocks in recv() (WAIT = 0: prints
# the errno name it ends with) or sleeps WAIT seconds and checks the
# connection still answers ("alive").  With USER_TIMEOUT_MS it sends data
# after "ready" so that the timeout runs.
start_server()
{
	local kind=$1 port=$2 out=$WORK/server-$1-$2.log

	ip netns exec "$H2" "$MYTCP_PYTHON" "$MYTCP_LIB_DIR/keepalive_tool.py" server "$kind" "$port" ${3:-} >"$out" 2>&1 &
	PIDS+=($!)
	slowwait 60 grep -q listening "$out"
}

netem_silence() { tc -n "$H2" qdisc add dev veth2 root netem loss 100%; }
netem_off() { tc -n "$H2" qdisc del dev veth2 root 2>/dev/null; true; }

# ---- 1. silent peer: ETIMEDOUT after idle + intvl * cnt ----
silent_peer()
{
	local out=$WORK/client-silent.log before after pid ret=0

	start_server mytcp 5001 || { ktap_print_msg "server did not start"; return 1; }
	before=$(mytcp_stat KeepaliveTimeouts "$H1")
	ip netns exec "$H1" "$MYTCP_PYTHON" "$MYTCP_LIB_DIR/keepalive_tool.py" client 5001 1 1 3 0 0 >"$out" 2>&1 &
	pid=$!
	if ! slowwait 60 grep -q ready "$out"; then
		ktap_print_msg "client not ready: $(cat "$out")"
		kill "$pid"; wait "$pid"
		return 1
	fi
	netem_silence
	# idle 1 + 3 probes * 1 s: about 4 s; allow plenty.
	slowwait 90 grep -qE "^(ETIMEDOUT|E[A-Z]+|recv returned)" "$out"
	wait "$pid"
	netem_off
	grep -q "^ETIMEDOUT" "$out" || { ktap_print_msg "client: $(tr '\n' ' ' <"$out")"; ret=1; }
	after=$(mytcp_stat KeepaliveTimeouts "$H1")
	[ "$after" = $((before + 1)) ] ||
		{ ktap_print_msg "KeepaliveTimeouts $before -> $after, want +1"; ret=1; }
	return $ret
}
ktap_test_result "keepalive: silent peer -> ETIMEDOUT, KeepaliveTimeouts +1" silent_peer

# ---- 2./3. live peers: the connection survives dozens of probes ----
# keepalive_tool.py pcap FILE PORT: from a pcap of veth1, print "probes answered bad"
# for the client's connection to PORT: probes are the client's zero-length
# ACK-only segments with seq = SND.NXT - 1 (ISS + 5 after "hello");
# answered counts the server's ACKs for ISS + 6 that follow a probe; bad
# counts zero-length ACK-only segments of the client with any other seq
# than ISS + 5 or ISS + 6 (or ISS + 1: the handshake's ACK).
CAP_PID=
start_capture()
{
	ip netns exec "$H1" tcpdump -i veth1 -U -s 128 -w "$WORK/live.pcap" \
		'tcp port 5002 or tcp port 5003' >"$WORK/tcpdump.log" 2>&1 &
	CAP_PID=$!
	PIDS+=($CAP_PID)
	slowwait 60 grep -q "listening on" "$WORK/tcpdump.log"
}

LIVE_SECS=$MYTCP_KEEPALIVE_LIVE_SECS
live_ok=0
live_peers()
{
	local before after ret=0 p1 p2

	start_server mytcp 5002 && start_server linux 5003 ||
		{ ktap_print_msg "servers did not start"; return 1; }
	start_capture || { ktap_print_msg "tcpdump did not start: $(cat "$WORK/tcpdump.log")"; return 1; }
	before=$(mytcp_stat KeepaliveTimeouts "$H1")
	ip netns exec "$H1" "$MYTCP_PYTHON" "$MYTCP_LIB_DIR/keepalive_tool.py" client 5002 1 1 2 0 "$LIVE_SECS" \
		>"$WORK/client-5002.log" 2>&1 &
	p1=$!
	ip netns exec "$H1" "$MYTCP_PYTHON" "$MYTCP_LIB_DIR/keepalive_tool.py" client 5003 1 1 2 0 "$LIVE_SECS" \
		>"$WORK/client-5003.log" 2>&1 &
	p2=$!
	wait "$p1" "$p2"
	sleep 1
	kill "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null
	after=$(mytcp_stat KeepaliveTimeouts "$H1")
	grep -q alive "$WORK/client-5002.log" ||
		{ ktap_print_msg "mytcp peer: $(tr '\n' ' ' <"$WORK/client-5002.log")"; ret=1; }
	grep -q alive "$WORK/client-5003.log" ||
		{ ktap_print_msg "Linux peer: $(tr '\n' ' ' <"$WORK/client-5003.log")"; ret=1; }
	[ "$after" = "$before" ] ||
		{ ktap_print_msg "KeepaliveTimeouts $before -> $after"; ret=1; }
	[ $ret = 0 ] && live_ok=1
	return $ret
}
ktap_test_result "keepalive: live mytcp and Linux peers survive ${LIVE_SECS}s of 1 s probes" live_peers

# Probes on the wire: seq = SND.NXT - 1, no data, each answered.
probes_on_wire()
{
	local port ret=0 probes answered bad min=$((LIVE_SECS / 3))

	[ "$live_ok" = 1 ] || { ktap_print_msg "no live run to look at"; return 1; }
	for port in 5002 5003; do
		read -r probes answered bad tosttl < <("$MYTCP_PYTHON" "$MYTCP_LIB_DIR/keepalive_tool.py" pcap "$WORK/live.pcap" "$port")
		ktap_print_msg "port $port: $probes probes, $answered answered, $bad other bare ACKs"
		if [ "$probes" = noconn ] || [ "$probes" -lt "$min" ]; then
			ktap_print_msg "port $port: want at least $min probes"
			ret=1
		elif [ "$answered" -lt $((probes - 1)) ]; then
			ktap_print_msg "port $port: probes not answered"
			ret=1
		fi
		[ "$bad" = 0 ] || { ktap_print_msg "port $port: bare ACKs with a wrong seq"; ret=1; }
		TOSTTL[$port]=$tosttl
	done
	return $ret
}
declare -A TOSTTL
ktap_test_result "keepalive: probes carry seq = SND.NXT-1 and draw ACKs (mytcp and Linux peers)" \
	probes_on_wire

# IP_TOS 0x28 / IP_TTL 33 set by the clients: every segment carries them.
tos_ttl_on_wire()
{
	local port ret=0

	[ "$live_ok" = 1 ] || { ktap_print_msg "no live run to look at"; return 1; }
	for port in 5002 5003; do
		[ "${TOSTTL[$port]}" = "0x28/33" ] ||
			{ ktap_print_msg "port $port: client segments have tos/ttl ${TOSTTL[$port]}"; ret=1; }
	done
	return $ret
}
ktap_test_result "IP_TOS and IP_TTL set on mytcp sockets are on the wire" tos_ttl_on_wire

# ---- 4. keepalive off: no probes, a silent peer is not noticed ----
keepalive_off()
{
	local out=$WORK/client-off.log pid ret=0 before

	start_server mytcp 5004 || return 1
	before=$(mytcp_stat KeepaliveTimeouts "$H1")
	ip netns exec "$H1" "$MYTCP_PYTHON" "$MYTCP_LIB_DIR/keepalive_tool.py" client-nokeepalive >"$out" 2>&1 &
	pid=$!
	slowwait 60 grep -q ready "$out" || { kill "$pid"; wait "$pid"; return 1; }
	netem_silence
	wait "$pid"
	netem_off
	grep -q "still open" "$out" || { ktap_print_msg "client: $(tr '\n' ' ' <"$out")"; ret=1; }
	[ "$(mytcp_stat KeepaliveTimeouts "$H1")" = "$before" ] ||
		{ ktap_print_msg "KeepaliveTimeouts moved without SO_KEEPALIVE"; ret=1; }
	return $ret
}
ktap_test_result "keepalive: off without SO_KEEPALIVE (TCP_KEEPIDLE/INTVL/CNT alone do nothing)" keepalive_off

# ---- keepalive with a live peer whose window is shut ----
# The peer (Linux TCP, 5006) reads nothing: its window closes while the
# client still has data queued.  Its ACKs to our probes say window 0 but
# prove it alive: the connection must not be given up.
zero_window_peer()
{
	local out=$WORK/client-zwin.log before ret=0

	start_server linux 5006 noread || return 1
	before=$(mytcp_stat KeepaliveTimeouts "$H1")
	ip netns exec "$H1" "$MYTCP_PYTHON" "$MYTCP_LIB_DIR/keepalive_tool.py" client-zerowin >"$out" 2>&1
	if ! grep -q "so_error 0" "$out"; then
		ktap_print_msg "client: $(tr '\n' ' ' <"$out")"
		ktap_print_msg "H1: $(ip netns exec "$H1" grep -E '^(Timeouts|RetransSegs|ZeroWindowProbes|KeepaliveTimeouts) ' /proc/net/mytcp_stat | tr '\n' ' ')"
		ret=1
	fi
	[ "$(mytcp_stat KeepaliveTimeouts "$H1")" = "$before" ] ||
		{ ktap_print_msg "KeepaliveTimeouts moved: the peer was alive"; ret=1; }
	return $ret
}
ktap_test_result "keepalive: a live peer with a zero window is not given up" zero_window_peer

# ---- 5. TCP_USER_TIMEOUT: unacknowledged data, silent peer ----
user_timeout()
{
	local out=$WORK/client-uto.log pid ret=0

	start_server mytcp 5005 || return 1
	ip netns exec "$H1" "$MYTCP_PYTHON" "$MYTCP_LIB_DIR/keepalive_tool.py" client 5005 0 0 0 2000 0 "$WORK/silent" \
		>"$out" 2>&1 &
	pid=$!
	if ! slowwait 60 grep -q ready "$out"; then
		ktap_print_msg "client not ready: $(tr '\n' ' ' <"$out")"
		kill "$pid"; wait "$pid"
		return 1
	fi
	netem_silence
	touch "$WORK/silent"
	slowwait 60 grep -qE "^(E[A-Z]+|recv returned)" "$out"
	wait "$pid"
	netem_off
	grep -q "^ETIMEDOUT" "$out" || { ktap_print_msg "client: $(tr '\n' ' ' <"$out")"; ret=1; }
	return $ret
}
ktap_test_result "TCP_USER_TIMEOUT 2000: silent peer with data outstanding -> ETIMEDOUT" user_timeout

ktap_finished
