#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Load: 2,000 sequential connections (connect, a 16-byte echo, close) and
# 200 concurrent ones, over lo in a netns with net.mytcp.msl_ms=200.  Then
# every socket is closed, TIME_WAIT drains, live_socks/live_tw/live_skbs
# read 0 and rmmod succeeds.  The module is (re)loaded fresh for the test,
# so the global counters are this test's own.
#
# LOAD_SEQ / LOAD_CONC override the counts.

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"

HELPER=$(dirname "$(readlink -f "$0")")/load_conn
NSEQ=$LOAD_SEQ
NCONC=$LOAD_CONC
MSL_MS=200

mytcp_require_ko
if [ ! -x "$HELPER" ]; then
	ktap_skip_all "load_conn not built"
	exit "$KSFT_SKIP"
fi
ktap_print_header
ktap_set_plan 8
trap mytcp_cleanup EXIT

mytcp_unload_if_loaded || ktap_exit_fail_msg "mytcp is loaded and cannot be removed"

fresh()
{
	mytcp_load || return
	setup_ns LOAD || return
	ip netns exec "$LOAD" sh -c "echo $MSL_MS > /proc/sys/net/mytcp/msl_ms" || return
	[ "$(ip netns exec "$LOAD" cat /proc/sys/net/mytcp/msl_ms)" = "$MSL_MS" ]
}
ktap_test_result "fresh module, netns with msl_ms=$MSL_MS" fresh

run_helper()
{
	local out rc start=$SECONDS

	out=$(ip netns exec "$LOAD" "$HELPER" -f mytcp "$@" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	ktap_print_msg "$((SECONDS - start))s"
	return $rc
}
ktap_test_result "$NSEQ sequential connections (connect, echo, close)" \
	run_helper -m seq -n "$NSEQ" -p 6000
ktap_test_result "$NCONC concurrent connections (all established at once)" \
	run_helper -m conc -n "$NCONC" -p 6001

# Retransmissions (RTO, fast retransmit) on the way: 20 more connections
# with 10% loss on lo; the drain below checks they are all freed too.
NLOSS=20
lossy()
{
	local ret

	tc -n "$LOAD" qdisc add dev lo root netem loss 10% || return
	run_helper -m seq -n "$NLOSS" -p 6002 -t 60
	ret=$?
	tc -n "$LOAD" qdisc del dev lo root || ret=1
	return $ret
}
if tc -n "$LOAD" qdisc add dev lo root netem delay 0 2>/dev/null &&
   tc -n "$LOAD" qdisc del dev lo root; then
	ktap_test_result "$NLOSS sequential connections with 10% loss (netem)" lossy
else
	ktap_test_skip "$NLOSS sequential connections with 10% loss: no netem"
	NLOSS=0
fi

# Every connection opened and was closed in order, none reset while
# established.  (A RST may still answer a late FIN retransmission once the
# 400 ms TIME_WAIT is over: OutRsts/InRsts are only reported.)
counters()
{
	local total=$((NSEQ + NCONC + NLOSS)) k v want ret=0

	for k in OutRsts InRsts Timeouts RetransSegs; do
		ktap_print_msg "$k $(mytcp_stat "$k" "$LOAD")"
	done
	for kv in "ActiveOpens $total" "PassiveOpens $total" "AttemptFails 0" \
		  "EstabResets 0" "CurrEstab 0"; do
		read -r k want <<<"$kv"
		v=$(mytcp_stat "$k" "$LOAD")
		if [ "$v" != "$want" ]; then
			ktap_print_msg "$k is '$v', want $want"
			ret=1
		fi
	done
	return $ret
}
ktap_test_result "counters: $((NSEQ + NCONC + NLOSS)) active and passive opens, no failures or resets" counters

# TIME_WAIT lasts 2 * msl_ms; give it plenty.
drained()
{
	local k v ret=0

	for k in live_socks live_tw live_skbs; do
		if ! mytcp_stat_wait "$k" 0 20 "$LOAD"; then
			ktap_print_msg "$k is $(mytcp_stat "$k" "$LOAD"), want 0"
			ret=1
		fi
	done
	if [ $ret -ne 0 ]; then
		ktap_print_msg "/proc/net/mytcp in the netns:"
		ip netns exec "$LOAD" cat /proc/net/mytcp | head -n 20 | sed 's/^/# /'
	fi
	return $ret
}
ktap_test_result "all closed: live_socks, live_tw, live_skbs drain to 0" drained

nothing_listed()
{
	local n

	n=$(ip netns exec "$LOAD" cat /proc/net/mytcp | tail -n +2 | wc -l)
	[ "$n" = 0 ] || { ktap_print_msg "$n entries left in /proc/net/mytcp"; return 1; }
}
ktap_test_result "/proc/net/mytcp of the netns is empty" nothing_listed

ktap_test_result "rmmod succeeds" mytcp_unload 5

ktap_finished
