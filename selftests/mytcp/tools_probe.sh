#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mytcp_probe, mytcp_cong_state, mytcp-plot and mytcp-ladder --pcapng on a
# real transfer: tools_probe_bulk.py sends 96 KiB over 127.0.0.1:7201 in a
# fresh netns whose lo has netem delay and loss (when sch_netem loads), so
# that recovery happens; `mytcp-plot -l -o PNG -w TRACE -- CMD` traces it
# live.  Then:
#   - mytcp_probe fired per ACK with sane values (cwnd >= 1, snd_una <=
#     snd_nxt, srtt and rto set, the 4-tuple, family, ca_state, cong);
#   - with retransmissions, mytcp_cong_state left "open" and came back;
#   - the PNG is a PNG (skipped without matplotlib), CSV export has one
#     row per probe of the sender;
#   - mytcp-ladder --pcapng (from the saved trace, and live) writes pcapng
#     that tshark reads packet for packet with our comments (skipped
#     without tshark).
# The trace of port 7201 is printed ("# trace: ") for unit/data/.

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"
source "$MYTCP_LIB_DIR/tools_lib.sh"

mytcp_require_ko
mytcp_tools_require
ktap_print_header
ktap_set_plan 6

TMPD=$(mktemp -d)
cleanup() { mytcp_tools_cleanup; rm -rf "$TMPD"; mytcp_cleanup; }
trap cleanup EXIT

# result DESC CMD...: pass, skip (CMD returns $KSFT_SKIP) or fail.
result()
{
	local desc=$1 rc

	shift
	"$@"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		ktap_test_pass "$desc"
	elif [ "$rc" -eq "$KSFT_SKIP" ]; then
		ktap_test_skip "$desc"
	else
		ktap_test_fail "$desc"
	fi
}

MYTCP_PLOT="$MYTCP_PYTHON $MYTCP_TOOLS_DIR/mytcp-plot.py"
mytcp_loaded || mytcp_load || ktap_exit_fail_msg "insmod $MYTCP_KO failed"
setup_ns NS || ktap_exit_fail_msg "cannot make a netns"
ip netns exec "$NS" ip link set lo up
# Ethernet-sized segments: 96 KiB is then ~70 segments, not two.
ip netns exec "$NS" ip link set lo mtu 1500
modprobe -q sch_netem 2>/dev/null
if ip netns exec "$NS" tc qdisc add dev lo root netem delay 5ms loss 2% 2>/dev/null; then
	ktap_print_msg "netem on lo: delay 5ms loss 2%"
else
	ktap_print_msg "no netem: the transfer runs without loss"
fi

HAVE_MPL=0
$MYTCP_PYTHON -c 'import matplotlib' 2>/dev/null && HAVE_MPL=1
TRACE=$TMPD/trace
PNG=$TMPD/plot.png
BULK="$MYTCP_LIB_DIR/tools_probe_bulk.py"
mytcp_trace_no_comm
if [ "$HAVE_MPL" = 1 ]; then
	$MYTCP_PLOT -l -p 7201 -o "$PNG" -w "$TRACE" -- ip netns exec "$NS" \
		"$MYTCP_PYTHON" "$BULK" 98304 7201 > "$TMPD/live.out" 2> "$TMPD/live.err"
else
	ktap_print_msg "matplotlib missing: tracing with mytcp-ladder -l instead"
	$MYTCP_LADDER -l -p 7201 -L -w "$TRACE" -- ip netns exec "$NS" \
		"$MYTCP_PYTHON" "$BULK" 98304 7201 > "$TMPD/live.out" 2> "$TMPD/live.err"
fi
rc=$?
ktap_print_msg "live: rc=$rc, $(wc -l < "$TRACE") trace lines, $(grep -c ' mytcp_probe: ' "$TRACE") probes"
sed 's/^/# stderr: /' "$TMPD/live.err"
if [ "$rc" -eq 0 ] && grep -q "bulk done 98304" "$TMPD/live.out"; then
	ktap_test_pass "live trace of a 96 KiB transfer"
else
	sed 's/^/# out: /' "$TMPD/live.out"
	ktap_test_fail "live trace of a 96 KiB transfer"
fi

t_probe()
{
	$MYTCP_PYTHON - "$TRACE" <<'PY'
import re, sys
n = bad = 0
last = {}
for line in open(sys.argv[1]):
    if " mytcp_probe: " not in line or ":7201" not in line:
        continue
    n += 1
    f = dict(re.findall(r"(\w+)=(\S+)", line))
    ok = (f.get("family") == "AF_INET" and int(f["cwnd"]) >= 1 and
          (int(f["snd_nxt"]) - int(f["snd_una"])) % (1 << 32) < (1 << 20) and
          int(f["rto_us"]) >= 1000 and int(f["mss"]) > 0 and
          f.get("ca_state") in ("open", "disorder", "recovery", "loss") and
          f.get("cong") not in (None, "", "none") and
          re.search(r"127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+", line) and
          int(f["inflight"]) <= int(f["cwnd"]) + 64)
    if not ok:
        bad += 1
        if bad < 5:
            print("# bad probe: " + line.strip())
    last[f["sk"]] = f
srtt = [int(f["srtt_us"]) for f in last.values()]
print("# %d probes, %d bad, last srtt_us %s" % (n, bad, srtt))
sys.exit(0 if n >= 20 and not bad and any(s > 0 for s in srtt) else 1)
PY
}
result "mytcp_probe: per ACK, sane cwnd/seq/srtt/rto/ca_state/cong" t_probe

t_cong_state()
{
	local rtx
	rtx=$(grep -c ' mytcp_retransmit: .*:7201' "$TRACE")
	ktap_print_msg "$rtx retransmissions; cong_state lines:"
	grep ' mytcp_cong_state: ' "$TRACE" | head -n 6 | sed 's/^/# /'
	[ "$rtx" -eq 0 ] && return 0
	grep -Eq ' mytcp_cong_state: .* ca_state open -> (disorder|recovery|loss) ' "$TRACE" &&
	grep -Eq ' mytcp_cong_state: .* ca_state (disorder|recovery|loss) -> open ' "$TRACE"
}
result "mytcp_cong_state: out of open on loss, back after recovery" t_cong_state

t_plot()
{
	[ "$HAVE_MPL" = 1 ] || return "$KSFT_SKIP"
	[ "$(head -c 8 "$PNG" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
		{ ktap_print_msg "no PNG at $PNG"; return 1; }
	$MYTCP_PLOT -p 7201 --csv "$TMPD/p.csv" "$TRACE" || return 1
	ktap_print_msg "csv: $(($(wc -l < "$TMPD/p.csv") - 1)) rows"
	[ "$(wc -l < "$TMPD/p.csv")" -gt 10 ]
}
result "mytcp-plot -l writes a PNG; --csv exports the probes" t_plot

# pcap_check PCAPNG: tshark reads every packet, with our comments.
pcap_check()
{
	local n c
	command -v tshark >/dev/null || return "$KSFT_SKIP"
	n=$(tshark -r "$1" 2>/dev/null | wc -l)
	c=$(tshark -r "$1" -T fields -e frame.comment 2>/dev/null | grep -c '^mytcp: ')
	ktap_print_msg "tshark: $n packets, $c with a mytcp comment"
	tshark -r "$1" -T fields -e tcp.srcport -e tcp.flags.str -e tcp.seq \
		-e tcp.len -e frame.comment 2>/dev/null | head -n 8 | sed 's/^/# /'
	[ "$n" -gt 20 ] && [ "$n" = "$c" ]
}
t_pcap()
{
	$MYTCP_LADDER -p 7201 --pcapng "$TMPD/a.pcapng" "$TRACE" > /dev/null || return 1
	pcap_check "$TMPD/a.pcapng"
}
result "mytcp-ladder --pcapng from the saved trace: tshark reads it" t_pcap

t_pcap_live()
{
	$MYTCP_LADDER -l -p 7202 --pcapng "$TMPD/b.pcapng" -- ip netns exec "$NS" \
		"$MYTCP_PYTHON" "$BULK" 60000 7202 > "$TMPD/l2.out" 2>&1 ||
		{ sed 's/^/# /' "$TMPD/l2.out"; return 1; }
	pcap_check "$TMPD/b.pcapng"
}
result "mytcp-ladder -l --pcapng around a command" t_pcap_live

# For unit/data/: the 7201 lines of the trace.
grep -E ':7201 |:7201$' "$TRACE" | sed 's/^/# trace: /'

ktap_finished
