#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Connection scale (issue 20): MYTCP_SCALE_CONNS connections from ONE
# client address (127.0.0.1) to MYTCP_SCALE_PORTS listening ports in a
# netns, at most MYTCP_SCALE_INFLIGHT connects in flight, all held at
# once (lib/scale_conn.c, one epoll process for both ends).  With all of
# them held, 32 of them exchange 4 KiB each byte-exact (echo), and
# /proc/net/mytcp lists N established on the server side and N on the
# client side (CurrEstab 2N).  Then every client closes: once with RST
# (SO_LINGER 0; no TIME_WAIT), once orderly (the client holds TIME_WAIT,
# msl_ms=1000), and each time the module's live counters (live_socks,
# live_tw, live_skbs, live_portres) return to 0.  The same two runs on
# Linux TCP (AF_INET) in a netns of its own (its TIME_WAIT, 60 s, is
# counted, not waited for).  Both stacks get the ephemeral range
# 1024-65535 (net.mytcp.ephemeral_low/high, net.ipv4.ip_local_port_range).
#
# Full size: MYTCP_SCALE_CONNS=100000 (guest memory 4 GiB or more; the
# test holds 2N sockets; guest-selftests.sh -o 3000 for the time): both
# stacks hold it (Documentation/scale.rst).
#
# Churn (MYTCP_SCALE_CHURN=CYCLES, 0: skipped): CYCLES connect / 1-byte
# request and response / close to one destination, the client closing
# first (TIME_WAIT, 60 s), with an ephemeral range of
# MYTCP_SCALE_CHURN_RANGE ports: more cycles than ports, so both stacks
# must reuse ports held by TIME_WAIT entries (net.mytcp.tw_reuse and
# tcp_tw_reuse 2: loopback connections, timestamps a second old).
#
# No timing is asserted: rates are printed for information.

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"

HELPER=$MYTCP_DIR/scale_conn
N=$MYTCP_SCALE_CONNS
MSL_MS=1000
WAIT=$(( (60 + 2 * MSL_MS / 1000) * ${MYTCP_TIMEOUT_MULT:-1} ))
ARGS=(-n "$N" -i "$MYTCP_SCALE_INFLIGHT" -P "$MYTCP_SCALE_PORTS")
CHURN=$MYTCP_SCALE_CHURN
CHURN_LO=40000
CHURN_HI=$((CHURN_LO + MYTCP_SCALE_CHURN_RANGE - 1))

mytcp_require_ko
if [ ! -x "$HELPER" ]; then
	ktap_skip_all "scale_conn not built"
	exit "$KSFT_SKIP"
fi
ktap_print_header
ktap_set_plan 10
trap mytcp_cleanup EXIT

mytcp_unload_if_loaded || ktap_exit_fail_msg "mytcp is loaded and cannot be removed"

fresh()
{
	mytcp_load || return
	setup_ns SM SL CM CL || return
	ip netns exec "$SM" sysctl -qw net.mytcp.ephemeral_low=1024 \
		net.mytcp.ephemeral_high=65535 net.mytcp.msl_ms=$MSL_MS || return
	ip netns exec "$SL" sysctl -qw net.ipv4.ip_local_port_range="1024 65535" ||
		return
	ip netns exec "$CM" sysctl -qw net.mytcp.ephemeral_low=$CHURN_LO \
		net.mytcp.ephemeral_high=$CHURN_HI || return
	ip netns exec "$CL" sysctl -qw \
		net.ipv4.ip_local_port_range="$CHURN_LO $CHURN_HI"
}
ktap_test_result "fresh module, namespaces, ephemeral ports 1024-65535" fresh

# run_helper NETNS ARGS...: scale_conn's output as diagnostics.
run_helper()
{
	local ns=$1 out rc start=$SECONDS

	shift
	out=$(ip netns exec "$ns" "$HELPER" "$@" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	ktap_print_msg "$((SECONDS - start))s"
	return $rc
}

# drained [TW]: the module's live counters are 0 (TW: TIME_WAIT was
# expected and must have drained too) and /proc/net/mytcp of $SM is empty.
drained()
{
	local k n ret=0

	for k in live_socks live_tw live_skbs live_portres CurrEstab; do
		if ! mytcp_stat_wait "$k" 0 "$WAIT" "$SM"; then
			ktap_print_msg "$k is $(mytcp_stat "$k" "$SM"), want 0"
			ret=1
		fi
	done
	n=$(ip netns exec "$SM" cat /proc/net/mytcp | tail -n +2 | wc -l)
	if [ "$n" != 0 ]; then
		ktap_print_msg "$n entries left in /proc/net/mytcp, the first:"
		ip netns exec "$SM" cat /proc/net/mytcp | head -n 5 | sed 's/^/# /'
		ret=1
	fi
	return $ret
}

HELD=1
held_rst()
{
	run_helper "$SM" -f mytcp "${ARGS[@]}" -p 5000 -c rst || { HELD=0; return 1; }
}
ktap_test_result "mytcp: $N connections from one address held, sample byte-exact, $N established each side, closed with RST" \
	held_rst
ktap_test_result "mytcp: after the RST close live_socks, live_tw, live_skbs, live_portres read 0" \
	drained
# When N could not be held, the orderly run would fail the same way, in
# as much time again (full size: minutes under TCG).
if [ "$HELD" = 1 ]; then
	ktap_test_result "mytcp: $N connections held again, closed orderly (client TIME_WAIT)" \
		run_helper "$SM" -f mytcp "${ARGS[@]}" -p 5100 -c fin
else
	ktap_test_fail "mytcp: $N connections held again, closed orderly: not run, $N could not be held"
fi
ktap_test_result "mytcp: TIME_WAIT drains, live counters read 0" drained
ktap_test_result "Linux TCP: $N connections from one address held, closed with RST" \
	run_helper "$SL" -f inet "${ARGS[@]}" -p 5000 -c rst
ktap_test_result "Linux TCP: $N connections held, closed orderly (client TIME_WAIT)" \
	run_helper "$SL" -f inet "${ARGS[@]}" -p 5100 -c fin

if [ "$CHURN" -gt 0 ]; then
	ktap_test_result "mytcp churn: $CHURN connect/close cycles to one destination, $MYTCP_SCALE_CHURN_RANGE ephemeral ports" \
		run_helper "$CM" -f mytcp -u "$CHURN" -p 5000
	ktap_test_result "Linux TCP churn: $CHURN connect/close cycles to one destination, $MYTCP_SCALE_CHURN_RANGE ephemeral ports" \
		run_helper "$CL" -f inet -u "$CHURN" -p 5000
else
	ktap_test_skip "mytcp churn: MYTCP_SCALE_CHURN=0"
	ktap_test_skip "Linux TCP churn: MYTCP_SCALE_CHURN=0"
fi

# The churn's TIME_WAIT entries go with their namespace.
unload()
{
	cleanup_ns "$CM" "$CL" "$SM" "$SL"
	mytcp_unload "$WAIT"
}
ktap_test_result "rmmod succeeds" unload

ktap_finished
