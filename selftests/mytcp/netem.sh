#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Reliable delivery under an impaired path: tc netem on the veth ends
# between two hosts (H1 10.0.1.1 veth1 <-> veth2 10.0.1.2 H2), on each end
# alone and on both ends at once, for
#   loss 1%, 5%, 20%; reorder 25% (with delay); duplicate 5%; corrupt 1%;
#   delay 50 ms with 10 ms jitter; a rate limit (20 Mbit/s); and issue
#   16's "bad" path, all at once on both ends (delay 5 ms, loss 5%,
#   reorder 25%, duplicate 2%, corrupt 0.5%; bench.sh's "bad" link).
# Every case is a byte-exact xfer in both directions (the client in H1
# sends N bytes and half-closes, the server in H2 verifies them and sends
# N bytes back), for
#   mytcp client -> mytcp server, mytcp client -> Linux server,
#   Linux client -> mytcp server.
# One KTAP result per (impairment, place, pair).
#
# Assertions (never timings):
#   - both xfer sides exit 0: every byte matched, counts and EOF exact;
#   - no stall: xfer's SO_RCVTIMEO/SO_SNDTIMEO (-t, NETEM_IO_TIMEOUT, 30 s;
#     accept and connect included) and a wall-clock limit (-w) per case;
#   - where netem drops (loss) on an end and its drop counter shows at
#     least NETEM_MIN_DROPS (20) packets, the sender on that end
#     retransmitted: RetransSegs of /proc/net/mytcp_stat (mytcp) or
#     /proc/net/snmp (Linux) in that end's netns moved.  (netem drops whole
#     GSO skbs, and pure ACKs too; with 20 drops, "none carried data" is
#     too unlikely to matter.)
#
# Sizes (bytes each way) and coverage, chosen for TCG on a 2-core machine
# shared with other jobs (the whole file must stay around 2-3 minutes per
# kernel; measured there: 16 MiB at 5% loss on both ends took 90 s):
#   - 16 MiB (NETEM_BIG): mytcp <-> mytcp with no impairment, and with
#     loss 1% and 5% on H1 (so one direction loses data, the other ACKs);
#   - 1 MiB (NETEM_MID): mytcp <-> mytcp with loss 1%/5% on H2 and on
#     both ends;
#   - 256 KiB (NETEM_SMALL): every other case but 20% loss;
#   - 64 KiB (NETEM_LOSSY): 20% loss, netem on one end per run (each end
#     alone, not both: 20% on both ends stalls Linux TCP itself for
#     minutes under TCG).  Calibrated against Linux TCP <-> Linux TCP on
#     the same path with the same tool and limits (NETEM_PAIRS="inet inet"
#     below): at 256 KiB Linux needed more than a minute there.  mytcp
#     never gets a laxer criterion than Linux: all pairs share -t and -w.
#   - loss (none, 1%, 5%, 20%): all three pairs on every place; the other
#     impairments: mytcp <-> mytcp on every place, the two interop pairs
#     with netem on both ends.  NETEM_FULL=1: every pair on every place
#     and 16 MiB for every mytcp <-> mytcp loss case.
# Environment:
#   NETEM_BIG, NETEM_MID, NETEM_SMALL, NETEM_LOSSY: the sizes;
#   NETEM_CASES: only impairments whose name contains one of these
#     |-separated words (e.g. "loss 20%|corrupt");
#   NETEM_PAIRS: extra "client server" pairs, |-separated, e.g.
#     "inet inet" for the Linux reference runs used for calibration.

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"

XFER=$(dirname "$(readlink -f "$0")")/xfer
BIG=$NETEM_BIG
MID=$NETEM_MID
SMALL=$NETEM_SMALL
LOSSY=$NETEM_LOSSY
FULL=${NETEM_FULL:-}
IO_TMO=$NETEM_IO_TIMEOUT
WALL=$NETEM_WALL
MIN_DROPS=$NETEM_MIN_DROPS

PAIRS=("mytcp mytcp" "mytcp inet" "inet mytcp")	# client (H1) server (H2)
if [ -n "${NETEM_PAIRS:-}" ]; then
	IFS='|' read -r -a __extra <<<"$NETEM_PAIRS"
	PAIRS+=("${__extra[@]}")
fi

# name|netem arguments|places|loss (1: retransmissions expected)
IMPAIRMENTS=(
	"none||none|0"
	"loss 1%|loss 1%|h1 h2 both|1"
	"loss 5%|loss 5%|h1 h2 both|1"
	"loss 20%|loss 20%|h1 h2|1"
	"reorder 25%|delay 5ms reorder 25% 50%|h1 h2 both|0"
	"duplicate 5%|duplicate 5%|h1 h2 both|0"
	"corrupt 1%|corrupt 1%|h1 h2 both|0"
	"delay 50ms jitter 10ms|delay 50ms 10ms|h1 h2 both|0"
	"rate 20mbit|rate 20mbit|h1 h2 both|0"
	"bad|delay 5ms loss 5% reorder 25% 50% duplicate 2% corrupt 0.5%|both|1"
)

mytcp_require_ko
if [ ! -x "$XFER" ]; then
	ktap_skip_all "xfer not built"
	exit "$KSFT_SKIP"
fi
if ! command -v tc >/dev/null; then
	ktap_skip_all "tc (iproute2) not found"
	exit "$KSFT_SKIP"
fi

wanted_imp()
{
	local name=$1 w

	[ -n "${NETEM_CASES:-}" ] || return 0
	IFS='|' read -r -a __w <<<"$NETEM_CASES"
	for w in "${__w[@]}"; do
		[[ "$name" == *"$w"* ]] && return 0
	done
	return 1
}

# size_of IMPAIRMENT_NAME PLACE CLIENT SERVER
size_of()
{
	local mm=0

	[ "$3 $4" = "mytcp mytcp" ] && mm=1
	case "$1" in
	"loss 20%") echo "$LOSSY" ;;
	none|"loss 1%"|"loss 5%")
		if [ "$mm" = 0 ]; then
			echo "$SMALL"
		elif [ "$2" = none ] || [ "$2" = h1 ] || [ -n "$FULL" ]; then
			echo "$BIG"
		else
			echo "$MID"
		fi ;;
	*) echo "$SMALL" ;;
	esac
}

# wanted_pair IMPAIRMENT_NAME PLACE CLIENT SERVER
wanted_pair()
{
	[ -n "$FULL" ] && return 0
	case "$1" in
	none|loss*) return 0 ;;
	esac
	[ "$2" = both ] || [ "$3 $4" = "mytcp mytcp" ] || [ "$3 $4" = "inet inet" ]
}

ncases=0
for imp in "${IMPAIRMENTS[@]}"; do
	IFS='|' read -r name args places loss <<<"$imp"
	wanted_imp "$name" || continue
	for place in $places; do
		for pair in "${PAIRS[@]}"; do
			wanted_pair "$name" "$place" $pair && ncases=$((ncases + 1))
		done
	done
done

ktap_print_header
ktap_set_plan $(( 2 + ncases ))

TMP=$(mktemp -d)
cleanup()
{
	mytcp_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT

mytcp_loaded || mytcp_load || ktap_exit_fail_msg "insmod $MYTCP_KO failed"
modprobe -q sch_netem 2>/dev/null

ktap_test_result "two hosts joined by veth reach each other" mytcp_setup_hosts

netem_ok()
{
	ip netns exec "$H1" tc qdisc add dev veth1 root netem delay 1ms &&
		ip netns exec "$H1" tc qdisc del dev veth1 root
}
if ! netem_ok; then
	ktap_test_fail "tc qdisc netem works (CONFIG_NET_SCH_NETEM)"
	ktap_finished
	exit
fi
ktap_test_pass "tc qdisc netem works"

# retrans FAMILY NETNS: RetransSegs of FAMILY's stack in NETNS.
retrans()
{
	if [ "$1" = mytcp ]; then
		mytcp_stat RetransSegs "$2"
	else
		ip netns exec "$2" awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++)
			if ($i == "RetransSegs") c = i; h = 1 } else print $c }' \
			/proc/net/snmp
	fi
}

# netem_drops NETNS DEV: packets netem dropped on DEV.
netem_drops()
{
	ip netns exec "$1" tc -s qdisc show dev "$2" |
		awk '/dropped/ { for (i = 1; i <= NF; i++) if ($i == "(dropped")
			{ sub(",", "", $(i + 1)); print $(i + 1); exit } }'
}

qdisc_set()
{
	local place=$1 args=$2

	[ "$place" = none ] && return 0
	if [ "$place" = h1 ] || [ "$place" = both ]; then
		ip netns exec "$H1" tc qdisc replace dev veth1 root netem $args || return
	fi
	if [ "$place" = h2 ] || [ "$place" = both ]; then
		ip netns exec "$H2" tc qdisc replace dev veth2 root netem $args || return
	fi
}

qdisc_clear()
{
	ip netns exec "$H1" tc qdisc del dev veth1 root 2>/dev/null
	ip netns exec "$H2" tc qdisc del dev veth2 root 2>/dev/null
	return 0
}

port=7100

# snap NETNS: the mytcp counters worth a diagnostic, "name value" lines.
snap()
{
	ip netns exec "$1" awk '$1 ~ /^(Timeouts|FastRetrans|DropBacklog|DropRcvbuf|DropOfoMem|DropNotAcceptable|InCsumErrors|OfoQueued)$/' \
		"$MYTCP_STAT_FILE"
}

# snap_delta BEFORE AFTER: "name +delta" for the counters that moved.
snap_delta()
{
	awk 'NR == FNR { b[$1] = $2; next } $2 != b[$1] { printf "%s +%d ", $1, $2 - b[$1] }' \
		"$1" "$2"
}

# netem_case NAME ARGS PLACE LOSS CLIENT SERVER SIZE
netem_case()
{
	local name=$1 args=$2 place=$3 loss=$4 cfam=$5 sfam=$6 size=$7
	local saddr=$MYTCP_ADDR2 ready=$TMP/ready spid crc src start
	local r1a r2a r1b r2b d1=0 d2=0 fail=0

	port=$((port + 1))
	qdisc_clear
	if ! qdisc_set "$place" "$args"; then
		ktap_print_msg "tc qdisc netem $args failed"
		return 1
	fi
	r1a=$(retrans "$cfam" "$H1")
	r2a=$(retrans "$sfam" "$H2")
	snap "$H1" >"$TMP/s1a"
	snap "$H2" >"$TMP/s2a"
	rm -f "$ready"
	ip netns exec "$H2" "$XFER" -q -f "$sfam" -l "$port" -b "$saddr" \
		-n "$size" -t "$IO_TMO" -w "$WALL" -r "$ready" 2>"$TMP/server" &
	spid=$!
	if ! slowwait 10 test -e "$ready"; then
		ktap_print_msg "server did not start listening"
		kill "$spid" 2>/dev/null
		wait "$spid"
		sed 's/^/# /' "$TMP/server"
		qdisc_clear
		return 1
	fi
	start=$(date +%s.%N)
	ip netns exec "$H1" "$XFER" -q -f "$cfam" -c "$saddr:$port" \
		-n "$size" -t "$IO_TMO" -w "$WALL" 2>"$TMP/client"
	crc=$?
	wait "$spid"
	src=$?
	r1b=$(retrans "$cfam" "$H1")
	r2b=$(retrans "$sfam" "$H2")
	snap "$H1" >"$TMP/s1b"
	snap "$H2" >"$TMP/s2b"
	case "$place" in
	h1) d1=$(netem_drops "$H1" veth1) ;;
	h2) d2=$(netem_drops "$H2" veth2) ;;
	both) d1=$(netem_drops "$H1" veth1); d2=$(netem_drops "$H2" veth2) ;;
	esac
	qdisc_clear
	ktap_print_msg "$(awk -v s="$start" -v e="$(date +%s.%N)" \
		'BEGIN { printf "%.1fs", e - s }'); netem drops H1 ${d1:-0} H2 ${d2:-0}; RetransSegs $cfam@H1 +$((r1b - r1a)) $sfam@H2 +$((r2b - r2a))"
	ktap_print_msg "mytcp H1: $(snap_delta "$TMP/s1a" "$TMP/s1b")| H2: $(snap_delta "$TMP/s2a" "$TMP/s2b")"
	if [ "$crc" -ne 0 ] || [ "$src" -ne 0 ]; then
		ktap_print_msg "client exit $crc, server exit $src"
		sed 's/^/# /' "$TMP/client" "$TMP/server"
		fail=1
	fi
	if [ "$loss" = 1 ]; then
		if [ "${d1:-0}" -ge "$MIN_DROPS" ] && [ "$r1b" -le "$r1a" ]; then
			ktap_print_msg "netem dropped ${d1} on H1 but the $cfam sender there never retransmitted"
			fail=1
		fi
		if [ "${d2:-0}" -ge "$MIN_DROPS" ] && [ "$r2b" -le "$r2a" ]; then
			ktap_print_msg "netem dropped ${d2} on H2 but the $sfam sender there never retransmitted"
			fail=1
		fi
	fi
	return "$fail"
}

human()
{
	case "$1" in
	*[kK]) echo "${1%?} KiB" ;;
	*[mM]) echo "${1%?} MiB" ;;
	*) echo "$1 bytes" ;;
	esac
}

for imp in "${IMPAIRMENTS[@]}"; do
	IFS='|' read -r name args places loss <<<"$imp"
	wanted_imp "$name" || continue
	for place in $places; do
		case $place in
		none) where="no netem" ;;
		h1) where="netem on H1" ;;
		h2) where="netem on H2" ;;
		both) where="netem on both ends" ;;
		esac
		for pair in "${PAIRS[@]}"; do
			read -r cfam sfam <<<"$pair"
			wanted_pair "$name" "$place" "$cfam" "$sfam" || continue
			size=$(size_of "$name" "$place" "$cfam" "$sfam")
			[ "$name" = none ] && desc="no impairment" ||
				desc="$name, $where"
			# (ktap_test_result would split "$args" into words)
			if netem_case "$name" "$args" "$place" "$loss" "$cfam" "$sfam" "$size"; then
				ktap_test_pass "$desc: $cfam client -> $sfam server, $(human "$size") each way"
			else
				ktap_test_fail "$desc: $cfam client -> $sfam server, $(human "$size") each way"
			fi
		done
	done
done

ktap_finished
