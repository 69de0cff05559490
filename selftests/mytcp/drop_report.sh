#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Drop monitors (dropwatch, `perf record -e skb:kfree_skb`, the kfree_skb
# tracepoint) must see mytcp's real drops and nothing else: a segment
# mytcp used up (read, an ACK processed, a SYN that made a child, an acked
# write-queue skb) is consume_skb()ed, a segment it threw away is
# kfree_skb()ed.  On the two-host veth setup, with the skb:kfree_skb and
# skb:consume_skb events on in a tracefs instance of our own:
#   1. 1-byte request/response and connect/close loops (nothing queues):
#      no kfree_skb from mytcp's code but for drops mytcp counts (Drop*:
#      on a loaded host a SYN retransmitted before its SYN-ACK came is
#      answered and counted DropNotAcceptable, as any segment out of the
#      window);
#   2. 1 MiB each way: every kfree_skb from mytcp's code is a drop mytcp
#      counts (Drop* in /proc/net/mytcp_stat: a full backlog while the
#      reader holds the socket is a real drop) or the duplicate of a
#      retransmission (RetransSegs);
#   3. on kernels whose consume_skb event names its caller, mytcp's
#      consumes are seen;
#   4. netem duplicating every packet: mytcp drops the duplicate data
#      segments, and kfree_skb reports drops from mytcp's code.
# "From mytcp's code": the event's location is a mytcp symbol (6.12 prints
# it symbolically; 6.1 prints the address, looked up in /proc/kallsyms).

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"

DIR=$(dirname "$(readlink -f "$0")")
XFER=$DIR/xfer
BENCH=$DIR/bench_tool

mytcp_require_ko
ktap_print_header
[ -x "$XFER" ] && [ -x "$BENCH" ] || ktap_skip_all "xfer or bench_tool not built"
ktap_set_plan 4

TRACEFS=/sys/kernel/tracing
[ -r "$TRACEFS/trace" ] || mount -t tracefs nodev "$TRACEFS" 2>/dev/null
[ -d "$TRACEFS/instances" ] || ktap_exit_fail_msg "no tracefs instances"
INST=$TRACEFS/instances/mytcp_drop_report
TMP=$(mktemp -d)
SRV_PID=

cleanup()
{
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null
	if [ -d "$INST" ]; then
		echo 0 >"$INST/tracing_on"
		echo 0 >"$INST/events/skb/enable" 2>/dev/null
		rmdir "$INST"
	fi
	rm -rf "$TMP"
	mytcp_cleanup
}
trap cleanup EXIT

mytcp_loaded || mytcp_load || ktap_exit_fail_msg "insmod $MYTCP_KO failed"
mytcp_setup_hosts || ktap_exit_fail_msg "cannot set up the two hosts"
rmdir "$INST" 2>/dev/null
mytcp_trace_no_comm
mkdir "$INST" || ktap_exit_fail_msg "cannot make a tracefs instance"
echo 0 >"$INST/tracing_on"
echo 8192 >"$INST/buffer_size_kb"
# 6.1 prints %p locations; show them unhashed where the option exists.
[ -w "$INST/options/hash-ptr" ] && echo 0 >"$INST/options/hash-ptr"
echo 1 >"$INST/events/skb/kfree_skb/enable" &&
echo 1 >"$INST/events/skb/consume_skb/enable" ||
	ktap_exit_fail_msg "cannot enable the skb events"

trace_start() { echo >"$INST/trace"; echo 1 >"$INST/tracing_on"; }
trace_stop() { echo 0 >"$INST/tracing_on"; cat "$INST/trace" >"$TMP/trace"; }

# count EVENT: how many EVENT lines of $TMP/trace come from mytcp's code;
# the matching lines go to $TMP/EVENT.mytcp.
count()
{
	"$MYTCP_PYTHON" "$MYTCP_LIB_DIR/drop_report_tool.py" count "$1" "$TMP/trace" "$TMP/$1.mytcp"
}

# xfer_once SIZE PORT: a byte-exact mytcp transfer each way, H1 -> H2.
xfer_once()
{
	rm -f "$TMP/ready"
	ip netns exec "$H2" "$XFER" -q -f mytcp -l "$2" -b "$MYTCP_ADDR2" \
		-n "$1" -t 30 -w 120 -r "$TMP/ready" 2>"$TMP/server" &
	local spid=$! crc src
	slowwait 30 test -e "$TMP/ready" || { kill "$spid"; wait "$spid"; return 1; }
	ip netns exec "$H1" "$XFER" -q -f mytcp -c "$MYTCP_ADDR2:$2" \
		-n "$1" -t 30 -w 120 2>"$TMP/client"
	crc=$?
	wait "$spid"
	src=$?
	if [ "$crc" -ne 0 ] || [ "$src" -ne 0 ]; then
		ktap_print_msg "xfer: client exit $crc, server exit $src"
		sed 's/^/# /' "$TMP/client" "$TMP/server"
		return 1
	fi
}

# drops NETNS: the sum of its Drop* counters; retrans NETNS: RetransSegs.
drops() { mytcp_stat_all "$1" | awk '$1 ~ /^Drop/ { n += $2 } END { print n + 0 }'; }
retrans() { mytcp_stat RetransSegs "$1"; }
mytcp_stat_all() { ip netns exec "$1" cat "$MYTCP_STAT_FILE"; }

CONSUME_SEEN=0
t_pingpong()
{
	local rr crr n d0 d

	ip netns exec "$H2" "$BENCH" -f mytcp -l 7302 -b "$MYTCP_ADDR2" \
		>/dev/null 2>&1 &
	SRV_PID=$!
	sleep 1
	d0=$(( $(drops "$H1") + $(drops "$H2") ))
	trace_start
	rr=$(ip netns exec "$H1" "$BENCH" -f mytcp -c "$MYTCP_ADDR2:7302" \
		-m rr -d 1) &&
	crr=$(ip netns exec "$H1" "$BENCH" -f mytcp -c "$MYTCP_ADDR2:7302" \
		-m crr -d 1) || { trace_stop; ktap_print_msg "bench_tool failed"; return 1; }
	trace_stop
	d=$(( $(drops "$H1") + $(drops "$H2") - d0 ))
	ktap_print_msg "$rr transactions/s, $crr connections/s;" \
		"$(grep -c ' kfree_skb:' "$TMP/trace") kfree_skb and" \
		"$(grep -c ' consume_skb:' "$TMP/trace") consume_skb events in all"
	[ "$(count consume_skb)" -gt 0 ] && CONSUME_SEEN=1
	n=$(count kfree_skb)
	if [ "$n" -ne 0 ]; then
		ktap_print_msg "$n kfree_skb from mytcp, Drop* +$d:"
		head -n 10 "$TMP/kfree_skb.mytcp" | sed 's/^/# /'
		for h in "$H1" "$H2"; do
			mytcp_stat_all "$h" | awk '$1 ~ /^Drop/ && $2 > 0' |
				sed "s/^/# $h: /"
		done
		[ "$n" -le "$d" ] || return 1
	fi
}
ktap_test_result "request/response, connect/close: no kfree_skb from mytcp but counted drops" t_pingpong

t_bulk()
{
	local d0 d1 r0 r1 n

	d0=$(( $(drops "$H1") + $(drops "$H2") ))
	r0=$(( $(retrans "$H1") + $(retrans "$H2") ))
	trace_start
	xfer_once 1m 7301 || { trace_stop; return 1; }
	trace_stop
	d1=$(( $(drops "$H1") + $(drops "$H2") ))
	r1=$(( $(retrans "$H1") + $(retrans "$H2") ))
	n=$(count kfree_skb)
	ktap_print_msg "$n kfree_skb from mytcp; Drop* +$((d1 - d0)), RetransSegs +$((r1 - r0))"
	if [ "$n" -gt $(( (d1 - d0) + (r1 - r0) )) ]; then
		head -n 10 "$TMP/kfree_skb.mytcp" | sed 's/^/# /'
		return 1
	fi
}
ktap_test_result "1 MiB each way: kfree_skb from mytcp only for counted drops and duplicates" t_bulk

T="what mytcp used up is reported as consume_skb"
if ! grep -q ' consume_skb:.*location=' "$TMP/trace"; then
	ktap_test_skip "$T (this kernel's consume_skb event has no location)"
elif [ "$CONSUME_SEEN" = 1 ]; then
	ktap_test_pass "$T"
else
	ktap_test_fail "$T"
fi

t_dup()
{
	local n

	ip netns exec "$H1" tc qdisc add dev veth1 root netem duplicate 100% ||
		return 1
	trace_start
	xfer_once 256k 7303
	local rc=$?
	trace_stop
	ip netns exec "$H1" tc qdisc del dev veth1 root
	[ "$rc" -eq 0 ] || return 1
	n=$(count kfree_skb)
	ktap_print_msg "$n kfree_skb from mytcp with every packet duplicated"
	[ "$n" -gt 0 ] || return 1
}
ktap_test_result "duplicated segments that mytcp drops are reported as kfree_skb" t_dup

ktap_finished
