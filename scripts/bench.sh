#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh: compare mytcp with Linux TCP on the same kernel, path and tool.
#
#   scripts/bench.sh [-k KVER] [-r RUNS] [-d SECONDS] [-t VM_TIMEOUT]
#
# On the host: builds selftests/mytcp/bench_tool.c into build/bench/ and
# the module for KVER (default: the running kernel's newest /boot image)
# from a copy of the tree in build/bench/<KVER>/src (or takes $MYTCP_KO),
# then boots that kernel with scripts/vm-run.sh and runs itself inside
# (BENCH_GUEST=1).  In the guest, for each of
#   bulk  throughput, one connection, 128 KiB writes (MB/s, 10^6 bytes)
#   rr    1-byte request/response ping-pong, TCP_NODELAY (transactions/s)
#   crr   connect + 1-byte request/response + close (connections/s)
# over lo (one netns) and over a veth pair between two netns, it runs
# mytcp and Linux TCP alternately RUNS times (default 5) for SECONDS each
# (default 3), and prints the median of each and the ratio mytcp/Linux.
#
# Environment: MYTCP_KO (use this module; mytcp_cubic.ko next to it is
# loaded too), BENCH_TESTS (default "bulk rr crr"), BENCH_LINKS (default
# "lo veth"), BENCH_CC (congestion control of both stacks, e.g. reno or
# cubic: net.mytcp.congestion_control and net.ipv4.tcp_congestion_control
# in every namespace; default: each stack's own), VM_SLUB_DEBUG (default
# empty: the guest runs without the slub_debug=FZPU the tests boot with,
# whose per-allocation stack walks would be most of what is measured).
# Numbers under TCG are only meaningful as ratios, and only on an
# otherwise idle machine: see Documentation/performance.rst.
#
# Connection scale (issue 20), BENCH_TESTS=scale (not in the default
# list: it takes minutes): per run and family, in a fresh netns with the
# ephemeral range 1024-65535 for both stacks, selftests/mytcp/lib/
# scale_conn.c holds BENCH_SCALE_N (default 20000) connections from
# 127.0.0.1 to 8 listeners (256 connects in flight) and reports the setup
# rate (N over the time to the last accept), crr with the N held, and
# memory per connection, both ends together, from /proc/meminfo deltas:
# idle (established, no data) and used (after 1 byte each way on every
# connection), each as Slab and as MemTotal - MemFree - Buffers - Cached;
# the first run's biggest /proc/slabinfo deltas are printed as "#" lines.
# BENCH_VM_MEM (default 2G) is the guest's memory: 100000 needs 6G.
#
# Impaired paths (issue 16), each a veth pair of its own with netem on
# both ends, when named in BENCH_LINKS: loss1 (delay 5ms, loss 1%), loss5
# (delay 5ms, loss 5%), reorder (delay 5ms, reorder 25% 50%), bad (delay
# 5ms, loss 5%, reorder 25% 50%, duplicate 2%, corrupt 0.5%), e.g.
#   BENCH_TESTS=bulk BENCH_LINKS="loss1 loss5 reorder bad" scripts/bench.sh
# netem drops, delays and reorders whole skbs: a GSO skb of 40 segments
# is one loss event, and a stack's skb sizing would change its loss rate.
# BENCH_OFFLOAD=off (the default) makes the impaired veth ends take one
# segment per GSO packet (ip link ... gso_max_segs 1: Linux TCP's and
# mytcp's size goals follow it, so both send MSS-sized skbs and netem sees
# packets as a link would) and turns GRO off on them; "on" leaves the
# veth defaults.  (ethtool -K ... gso off tso off would not do: Linux TCP
# always does GSO in software, after the qdisc.)  What netem saw per
# stack is printed (bytes per packet, the share it dropped: about the
# configured loss when skbs are single segments).  Impaired links run
# BENCH_IMPAIRED_SECS (default 12) per run rather than SECONDS: one loss
# event in slow start decides a run of a few seconds.
#
# BENCH_TRACE=1 traces the first run of each stack on each impaired link
# (mytcp: mytcp_probe, mytcp_cong_state, mytcp_retransmit, mytcp_timer,
# mytcp_segment; Linux: tcp:tcp_probe, tcp:tcp_retransmit_skb) and prints
# per stack the counters of both ends that moved (/proc/net/mytcp_stat;
# /proc/net/netstat and snmp), the event counts, the congestion state
# changes, Linux's ss -ti of the connection every 2 s, and BENCH_TRACE_LINES
# (default 300) trace lines around the 10th and the last fast recovery
# (BENCH_TRACE_LINES=all: every event, without the address fields).
# BENCH_MIX=1: each stack's client talks to the other stack's server
# (the "mytcp" column is a mytcp sender with a Linux receiver, the
# "linux" column the reverse): which end a difference comes from.
# BENCH_TRACE_PCAP=1 also captures the traced runs' data segments where
# they reach the receiver (tcpdump on its veth end, after netem) and
# prints "#P time seq length TSval TSecr" per segment and "#A time ack
# TSval TSecr" per ACK the receiver sent (as it left netem): the same
# view of both stacks, to tell which retransmissions were spurious and
# how long each end took to answer.
#
# BENCH_PERF=1 adds, after the measured runs of crr (each link) and of
# scale, one run per stack under perf record -e cpu-clock -a -g (the
# host's perf, as the guest sees it) and prints perf report --sort sym,
# by inclusive and by self time, as "#" lines (module symbols from
# /proc/kallsyms): where each stack's time goes.  Then one more run per
# stack under perf stat counts tracepoints (PERF_EVENTS below: hrtimer
# and timer-wheel starts and cancels, slab allocations, FIB lookups,
# context switches, work items ...; and RCU callbacks queued, call_rcu()
# and kvfree_call_rcu(), as kprobes), printed per connection for crr.
# For scale both cover only the setup of the N (scale_conn -C: perf's
# control fifo is told "disable" once the N are held), and the counts
# are per connection held.  BENCH_PERF_LINES (default 90): lines of the
# inclusive report.  BENCH_PERF_CALLERS (default
# native_queued_spin_lock_slowpath: which lock is contended): symbols
# whose call chains into them (branches of 5% of the symbol's samples or
# more) are printed from the same profile.  With -r 0 the scale case runs
# only the profiles.

set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=5
SECS=3
KVER=""
VM_TIMEOUT=900

while getopts "k:r:d:t:h" opt; do
	case "$opt" in
	k) KVER=$OPTARG ;;
	r) RUNS=$OPTARG ;;
	d) SECS=$OPTARG ;;
	t) VM_TIMEOUT=$OPTARG ;;
	*) sed -n '4,58p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done

if [ -z "${BENCH_GUEST:-}" ]; then
	# ---------------------------------------------------------- host
	set -e
	if [ -z "$KVER" ]; then
		KVER=$(ls /boot/vmlinuz-* | sort -V | tail -n 1)
		KVER=${KVER#/boot/vmlinuz-}
	fi
	OUT=$TOP/build/bench
	mkdir -p "$OUT"
	gcc -O2 -Wall -Werror -I"$TOP/mytcp/uapi" -I"$TOP/selftests/mytcp" \
		-o "$OUT/bench_tool" "$TOP/selftests/mytcp/bench_tool.c"
	gcc -O2 -Wall -Werror -I"$TOP/mytcp/uapi" \
		-o "$OUT/scale_conn" "$TOP/selftests/mytcp/lib/scale_conn.c"
	if [ -z "${MYTCP_KO:-}" ]; then
		rm -rf "$OUT/$KVER/src"
		mkdir -p "$OUT/$KVER/src"
		(cd "$TOP" && git ls-files -z | xargs -0 tar -c) | tar -x -C "$OUT/$KVER/src"
		make -s -C "$OUT/$KVER/src" KVER="$KVER" >"$OUT/$KVER/build.log" 2>&1 ||
			{ cat "$OUT/$KVER/build.log"; exit 1; }
		for m in mytcp mytcp_cubic; do
			cp "$OUT/$KVER/src/mytcp/$m.ko" "$OUT/$KVER/$m.ko"
			strip --strip-debug "$OUT/$KVER/$m.ko"
		done
		MYTCP_KO=$OUT/$KVER/mytcp.ko
	fi
	export MYTCP_KO
	export VM_SLUB_DEBUG=${VM_SLUB_DEBUG-}
	cd "$TOP"
	exec "$TOP/scripts/vm-run.sh" -k "/boot/vmlinuz-$KVER" -t "$VM_TIMEOUT" \
		-M "${BENCH_VM_MEM:-2G}" -- \
		env BENCH_GUEST=1 BENCH_TOOL="$OUT/bench_tool" \
		SCALE_TOOL="$OUT/scale_conn" BENCH_SCALE_N="${BENCH_SCALE_N:-20000}" \
		BENCH_TESTS="${BENCH_TESTS:-bulk rr crr}" \
		BENCH_LINKS="${BENCH_LINKS:-lo veth}" BENCH_CC="${BENCH_CC:-}" \
		BENCH_OFFLOAD="${BENCH_OFFLOAD:-off}" \
		BENCH_IMPAIRED_SECS="${BENCH_IMPAIRED_SECS:-12}" \
		BENCH_TRACE="${BENCH_TRACE:-}" \
		BENCH_TRACE_LINES="${BENCH_TRACE_LINES:-300}" \
		BENCH_TRACE_PCAP="${BENCH_TRACE_PCAP:-}" BENCH_MIX="${BENCH_MIX:-}" \
		BENCH_PERF="${BENCH_PERF:-}" BENCH_PERF_LINES="${BENCH_PERF_LINES:-90}" \
		BENCH_PERF_CALLERS="${BENCH_PERF_CALLERS-native_queued_spin_lock_slowpath}" \
		"$TOP/scripts/bench.sh" -r "$RUNS" -d "$SECS"
fi

# -------------------------------------------------------------- guest
TOOL=$BENCH_TOOL
TESTS=${BENCH_TESTS:-bulk rr crr}
LINKS=${BENCH_LINKS:-lo veth}

[ -d /sys/module/mytcp ] || insmod "$MYTCP_KO" || { echo "insmod $MYTCP_KO failed"; exit 1; }
ip netns add bA
ip netns add bB
ip -n bA link set lo up
ip -n bB link set lo up
ip link add veth1 netns bA type veth peer name veth2 netns bB
ip -n bA addr add 10.0.1.1/24 dev veth1
ip -n bB addr add 10.0.1.2/24 dev veth2
ip -n bA link set veth1 up
ip -n bB link set veth2 up
CUBIC_KO=$(dirname "$MYTCP_KO")/mytcp_cubic.ko
[ -d /sys/module/mytcp_cubic ] || [ ! -r "$CUBIC_KO" ] || insmod "$CUBIC_KO"
if [ -n "${BENCH_CC:-}" ]; then
	for ns in bA bB; do
		ip netns exec $ns sysctl -qw net.mytcp.congestion_control="$BENCH_CC" \
			net.ipv4.tcp_congestion_control="$BENCH_CC" ||
			{ echo "congestion control $BENCH_CC unavailable"; exit 1; }
	done
fi
echo "# congestion control: mytcp $(ip netns exec bA sysctl -n net.mytcp.congestion_control)," \
	"Linux $(ip netns exec bA sysctl -n net.ipv4.tcp_congestion_control)"
declare -A ADDR=([lo]=127.0.0.1 [veth]=10.0.1.2)
declare -A OTHER=([mytcp]=inet [inet]=mytcp)
declare -A NETEM=(
	[loss1]="delay 5ms loss 1%"
	[loss5]="delay 5ms loss 5%"
	[reorder]="delay 5ms reorder 25% 50%"
	[bad]="delay 5ms loss 5% reorder 25% 50% duplicate 2% corrupt 0.5%"
)
n=1
for link in $LINKS; do
	[ -n "${NETEM[$link]:-}" ] || continue
	n=$((n + 1))
	ip link add "v${link}a" netns bA type veth peer name "v${link}b" netns bB
	ip -n bA addr add "10.0.$n.1/24" dev "v${link}a"
	ip -n bB addr add "10.0.$n.2/24" dev "v${link}b"
	if [ "${BENCH_OFFLOAD:-off}" = off ]; then
		ip -n bA link set "v${link}a" gso_max_segs 1
		ip -n bB link set "v${link}b" gso_max_segs 1
		ip netns exec bA ethtool -K "v${link}a" gro off 2>/dev/null
		ip netns exec bB ethtool -K "v${link}b" gro off 2>/dev/null
	fi
	ip -n bA link set "v${link}a" up
	ip -n bB link set "v${link}b" up
	# shellcheck disable=SC2086 # the netem arguments are words
	ip netns exec bA tc qdisc add dev "v${link}a" root netem ${NETEM[$link]}
	# shellcheck disable=SC2086
	ip netns exec bB tc qdisc add dev "v${link}b" root netem ${NETEM[$link]}
	ADDR[$link]=10.0.$n.2
done
sleep 1
# Linux TCP and mytcp: the same buffer defaults (Linux tcp_rmem/wmem
# autotune up to 6/4 MiB; mytcp's rmem/wmem_default are 1 MiB).

pids=()
port=9000
# One server per (family, link).
declare -A SRV
for fam in mytcp inet; do
	for link in $LINKS; do
		port=$((port + 1))
		if [ "$link" = lo ]; then ns=bA; else ns=bB; fi
		addr=${ADDR[$link]:?unknown link $link}
		ip netns exec "$ns" "$TOOL" -f "$fam" -l "$port" -b "$addr" >/dev/null &
		pids+=($!)
		SRV[$fam.$link]=$addr:$port
	done
done
sleep 1

median()
{
	sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
		else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Wait (at most 30 s) until Slab moves less than 1 MiB in a second: a
# deleted netns is freed by a work item, which must not overlap the next
# run's memory readings.
scale_settle()
{
	local a b i

	a=$(awk '$1 == "Slab:" { print $2 }' /proc/meminfo)
	for i in $(seq 30); do
		sleep 1
		b=$(awk '$1 == "Slab:" { print $2 }' /proc/meminfo)
		[ $((a - b)) -ge 1024 ] || [ $((b - a)) -ge 1024 ] || return 0
		a=$b
	done
}

# BENCH_PERF: "perf_run LABEL CMD...": CMD under perf record (its stdout
# in /tmp/perf.out), then the top of perf report by inclusive and by
# self time.
perf_run()
{
	local label=$1 f=/tmp/perf.data

	shift
	local ctl=()

	[ -z "${PERF_CTL:-}" ] || ctl=(--control "fifo:$PERF_CTL")
	perf record -q -N -e cpu-clock -a -g -o $f "${ctl[@]}" -- "$@" >/tmp/perf.out 2>/dev/null
	echo "# perf $label: by inclusive time (children, self)"
	perf report -i $f --children --sort sym -g none --stdio 2>/dev/null |
		grep -v "^#" | grep -v "^$" | head -n "${BENCH_PERF_LINES:-90}" | sed 's/^/#   /'
	echo "# perf $label: by self time"
	perf report -i $f --no-children --sort sym -g none --stdio 2>/dev/null |
		grep -v '^#' | grep -v '^$' | head -n 30 | sed 's/^/#   /'
	for s in ${BENCH_PERF_CALLERS-native_queued_spin_lock_slowpath}; do
		echo "# perf $label: call chains into $s (self time)"
		perf report -i $f --no-children --sort sym --symbols "$s" \
			-g fractal,5,callee --stdio 2>/dev/null | grep -v '^#' |
			grep -v '^ *$' | grep -v -- '---$' | head -n 60 | sed 's/^/#   /'
	done
	rm -f $f
	sed 's/^/# perf run result: /' /tmp/perf.out
	# Once more under perf stat: events per unit of the tool's result
	# (crr: per connection, the rate times its -d seconds)
	[ -e /sys/kernel/tracing/events ] ||
		mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
	perf stat -x, -a -e "$(perf_events)" -o /tmp/perf.stat "${ctl[@]}" -- "$@" \
		>/tmp/perf.out 2>/dev/null
	awk -v label="$label" -v secs="${secs:-0}" '
		NR == FNR { if ($1 == "crr") n = $2 * secs; if ($1 == "held") held = $2; next }
		FNR == 1 && held > 0 { n = held }
		{ split($0, f, ",") }
		f[3] ~ /:/ && f[1] ~ /^[0-9]+$/ && n > 0 {
			printf "# perf %s: %s %.2f per connection (%d)\n", label, f[3], f[1] / n, f[1]
		}
	' /tmp/perf.out /tmp/perf.stat
	grep -q ':' /tmp/perf.stat 2>/dev/null ||
		echo "# perf $label: perf stat failed: $(head -c 300 /tmp/perf.stat 2>/dev/null)"
}
PERF_EVENTS=kmem:mm_page_alloc,timer:hrtimer_start,timer:hrtimer_cancel,timer:hrtimer_expire_entry,timer:timer_start,timer:timer_cancel,timer:timer_expire_entry,sched:sched_wakeup,kmem:kmem_cache_alloc,kmem:kmalloc,fib:fib_table_lookup,sched:sched_switch,workqueue:workqueue_queue_work,net:net_dev_queue,skb:consume_skb,skb:kfree_skb

# PERF_EVENTS and, as kprobes (Debian's kernels have no rcu tracepoints),
# the RCU callbacks queued: call_rcu() (SOCK_RCU_FREE sockets, mytcp's
# requests) and kvfree_call_rcu() (kfree_rcu(): TIME_WAIT entries).
perf_events()
{
	local k=/sys/kernel/tracing/kprobe_events ev=$PERF_EVENTS f

	for f in call_rcu kvfree_call_rcu; do
		[ -e /sys/kernel/tracing/events/bench/$f ] ||
			echo "p:bench/$f $f" >>$k 2>/dev/null
		[ -e /sys/kernel/tracing/events/bench/$f ] && ev=$ev,bench:$f
	done
	echo "$ev"
}

# The scale case (issue 20): see the header.
bench_scale()
{
	local n=${BENCH_SCALE_N:-20000} i fam ns out k m l r
	local keys="setup_per_s crr_per_s mem_idle_total_B mem_idle_slab_B mem_used_total_B mem_used_slab_B close_s"

	rm -f /tmp/bench.scale.*
	scale_settle
	for ((i = 0; i < RUNS; i++)); do
		for fam in mytcp inet; do
			ns=bS$i$fam
			ip netns add $ns
			ip -n $ns link set lo up
			ip netns exec $ns sysctl -qw net.mytcp.ephemeral_low=1024 \
				net.mytcp.ephemeral_high=65535 \
				net.ipv4.ip_local_port_range="1024 65535"
			out=$(ip netns exec $ns "$SCALE_TOOL" -f $fam -n "$n" -i 256 -P 8 \
				-x -r "$SECS" -t 3000 2>&1)
			[ "$i" != 0 ] || echo "$out" | grep '^# slab' | sed "s/^# /#   $fam /"
			echo "$out" | grep -q FAIL &&
				echo "# scale $fam run $i: $(echo "$out" | grep FAIL)"
			for k in $keys; do
				v=$(echo "$out" | awk -v k="$k" '$1 == k { print $2 }')
				echo "${v:-0}" >>"/tmp/bench.scale.$k.$fam"
			done
			echo "#   scale $fam run $i: $(echo "$out" | grep -E "^(${keys// /|}) " | tr '\n' ' ')"
			ip netns del $ns
			scale_settle
		done
	done
	for k in $keys; do
		[ "$RUNS" -gt 0 ] || break
		m=$(median <"/tmp/bench.scale.$k.mytcp")
		l=$(median <"/tmp/bench.scale.$k.inet")
		r=$(awk -v m="$m" -v l="$l" 'BEGIN { if (l > 0) printf "%.2f", m / l; else print "n/a" }')
		case $k in
		setup_per_s) u="connections/s, to $n held" ;;
		crr_per_s) u="connections/s, $n held" ;;
		close_s) u="s to close the $n (RST)" ;;
		*) u="bytes/connection, both ends" ;;
		esac
		printf "%-16s %14s %14s %7s   %s\n" "${k%_per_s}" "$m" "$l" "$r" "$u"
	done
	[ -n "${BENCH_PERF:-}" ] || return 0
	for fam in mytcp inet; do
		ns=bSperf$fam
		ip netns add $ns
		ip -n $ns link set lo up
		ip netns exec $ns sysctl -qw net.mytcp.ephemeral_low=1024 \
			net.mytcp.ephemeral_high=65535 \
			net.ipv4.ip_local_port_range="1024 65535"
		rm -f /tmp/perf.ctl
		mkfifo /tmp/perf.ctl
		PERF_CTL=/tmp/perf.ctl perf_run "scale $fam" ip netns exec $ns \
			"$SCALE_TOOL" -f $fam -n "$n" -i 256 -P 8 -s 0 -t 3000 \
			-C /tmp/perf.ctl
		grep -E '^(setup_per_s|crr_per_s|close_s) ' /tmp/perf.out |
			sed "s/^/#   profiled $fam: /"
		[ $fam != mytcp ] || ip netns exec $ns grep -i portres /proc/net/mytcp_stat |
			tr '\n' ' ' | sed 's/^/#   profiled mytcp: /; s/$/\n/'
		ip netns del $ns
		scale_settle
	done
}

# netem's "Sent BYTES bytes PKTS pkt (dropped DROPS, ..." on the sending
# (bA) end of a link.  PKTS counts segments (a GSO skb as its gso_segs),
# DROPS skbs: DROPS / (PKTS + DROPS) is netem's loss rate when every skb
# is one segment, less when skbs hold more.
netem_sent()
{
	ip netns exec bA tc -s qdisc show dev "v${1}a" |
		awk '$1 == "Sent" { print $2, $4, $7 + 0; exit }'
}

# "BYTES PKTS DROPS" sums: average bytes per packet, the drop rate
netem_report()
{
	awk '{ printf "%.0f bytes/packet, %d of %d dropped (%.2f%%)", $2 ? $1 / $2 : 0,
		$3, $2 + $3, $2 + $3 ? 100 * $3 / ($2 + $3) : 0 }' <<<"$1"
}

# BENCH_TRACE (see the header): counters of both ends, as "NAME VALUE".
trace_counters()
{
	local ns

	for ns in bA bB; do
		if [ "$1" = mytcp ]; then
			ip netns exec $ns cat /proc/net/mytcp_stat
		else
			ip netns exec $ns cat /proc/net/netstat /proc/net/snmp |
				awk '/^[A-Za-z]+:/ { if (!h[$1]++) { for (i = 2; i <= NF; i++) k[i] = $1 $i; next }
					for (i = 2; i <= NF; i++) print k[i], $i }'
		fi | awk -v ns=$ns '{ print ns "." $1, $2 }'
	done
}

TRACE_DIR=/sys/kernel/tracing
trace_start()
{
	local e

	[ -e $TRACE_DIR/trace ] || mount -t tracefs nodev $TRACE_DIR
	echo 0 >$TRACE_DIR/tracing_on
	echo 65536 >$TRACE_DIR/buffer_size_kb
	echo >$TRACE_DIR/trace
	if [ "$1" = mytcp ]; then
		for e in mytcp_probe mytcp_cong_state mytcp_retransmit mytcp_timer mytcp_segment; do
			echo 1 >$TRACE_DIR/events/mytcp/$e/enable
		done
	else
		echo 1 >$TRACE_DIR/events/tcp/tcp_probe/enable
		echo 1 >$TRACE_DIR/events/tcp/tcp_retransmit_skb/enable
		( for _ in $(seq $(($2 / 2))); do
			sleep 2
			ip netns exec bA ss -tin state established dst "$3" | sed 's/^/#   ss: /'
		done ) &
		SS_PID=$!
	fi
	trace_counters "$1" >/tmp/trace.c0
	PCAP_PID=""
	if [ -n "${BENCH_TRACE_PCAP:-}" ]; then
		ip netns exec bB tcpdump -q -n -i "v${link}b" -s 96 -w /tmp/pcap."$1" \
			tcp 2>/dev/null &
		PCAP_PID=$!
		sleep 1
	fi
	echo 1 >$TRACE_DIR/tracing_on
}

# BENCH_TRACE_PCAP: the data segments as they reached the receiver (after
# netem), one "#P time seq length TSval" line each.
pcap_print()
{
	[ -n "$PCAP_PID" ] || return 0
	kill -INT "$PCAP_PID" 2>/dev/null
	wait "$PCAP_PID" 2>/dev/null
	echo "#   trace $1: data segments at the receiver:"
	tcpdump -n -tt -S -r /tmp/pcap."$1" 2>/dev/null |
		awk '{ s = ""; a = ""; l = ""; v = ""; e = ""
			for (i = 1; i < NF; i++) {
				if ($i == "seq") { s = $(i + 1); sub(/:.*/, "", s); sub(/,$/, "", s) }
				if ($i == "ack") { a = $(i + 1); sub(/,$/, "", a) }
				if ($i == "val") v = $(i + 1)
				if ($i == "ecr") { e = $(i + 1); sub(/[],].*/, "", e) }
				if ($i == "length") l = $(i + 1)
			}
			if (s != "" && l + 0 > 0) printf "#P %s %s %s %s %s\n", $1, s, l, v, e
			else if ($3 ~ /^10\.[0-9.]+\.9[0-9]+$/ && a != "")
				printf "#A %s %s %s %s\n", $1, a, v, e }'
	rm -f /tmp/pcap."$1"
}

trace_stop()
{
	local f=/tmp/trace.$1 n=${BENCH_TRACE_LINES:-300} r r1 r2

	echo 0 >$TRACE_DIR/tracing_on
	echo 0 >$TRACE_DIR/events/enable
	[ -z "${SS_PID:-}" ] || wait "$SS_PID"
	SS_PID=""
	pcap_print "$1"
	trace_counters "$1" >/tmp/trace.c1
	echo "#   trace $1: counters that moved (bA sends, bB receives):"
	awk 'NR == FNR { v[$1] = $2; next } $2 != v[$1] { printf "#     %s %d\n", $1, $2 - v[$1] }' \
		/tmp/trace.c0 /tmp/trace.c1
	grep -v '^#' $TRACE_DIR/trace >"$f"
	echo "#   trace $1: $(wc -l <"$f") events; lost: $(grep -c LOST "$f")"
	awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^(mytcp|tcp)_[a-z_]+:$/) { c[$i]++; break } }
		/ca_state [A-Za-z]+ -> / { for (i = 1; i <= NF; i++) if ($i == "ca_state") s[$(i + 1) "->" $(i + 3)]++ }
		/mytcp_timer:/ { for (i = 1; i <= NF; i++) if ($i ~ /^(timer|name)=/) t[$i]++ }
		END { for (k in c) printf "#     %s %d\n", k, c[k]
			for (k in s) printf "#     state %s %d\n", k, s[k]
			for (k in t) printf "#     timer %s %d\n", k, t[k] }' "$f"
	# The sender's window per second: mean cwnd, ssthresh, SRTT (ms) and
	# in flight over its probes (mytcp: inflight > 0; Linux: ACKs only).
	awk 'function num(x, i, r) {	# decimal or 0x hex (mawk: no strtonum)
			if (x !~ /^0x/) return x + 0
			for (i = 3; i <= length(x); i++)
				r = r * 16 + index("0123456789abcdef", tolower(substr(x, i, 1))) - 1
			return r
		}
		/mytcp_probe:|tcp_probe:/ {
			ts = ""; v["cwnd"] = v["ssthresh"] = v["srtt"] = v["inflight"] = -1
			for (i = 1; i <= NF; i++) {
				if (ts == "" && $i ~ /^[0-9]+\.[0-9]+:$/) ts = $i + 0
				if (split($i, kv, "=") == 2) {
					k = kv[1]; sub(/^snd_/, "", k); sub(/_us$/, "", k)
					v[k] = kv[2]
				}
			}
			if (/mytcp_probe:/ && v["inflight"] <= 0) next
			if (/ tcp_probe:/ && v["data_len"] != 0) next
			if (t0 == "") t0 = ts
			s = int(ts - t0); n[s]++; cw[s] += v["cwnd"]
			if (v["ssthresh"] < 1000000) { ns[s]++; st[s] += v["ssthresh"] }
			una = num(v["una"]); if (!(s in u0)) u0[s] = una; u1[s] = una
			rt[s] += v["srtt"]; if (v["inflight"] >= 0) fl[s] += v["inflight"]
			if (s > smax) smax = s
		}
		END { for (s = 0; s <= smax; s++) if (n[s])
			printf "#     second %d: %d probes, cwnd %.1f ssthresh %.1f srtt %.2f ms inflight %.1f acked %d KB\n",
				s, n[s], cw[s] / n[s], ns[s] ? st[s] / ns[s] : -1,
				rt[s] / n[s] / 1000, fl[s] / n[s],
				((u1[s] - u0[s] + 4294967296) % 4294967296) / 1000 }' "$f"
	if [ "$n" = all ]; then
		echo "#   trace $1, every event:"
		sed 's/^ *//; s/ family=[^ ]*//; s/ saddr6=[^ ]*//; s/ daddr6=[^ ]*//; s/^/#     /' "$f"
		rm -f "$f"
		return
	fi
	r1=$(grep -n -i -- '-> Recovery' "$f" | sed -n '10p' | cut -d: -f1)
	r2=$(grep -n -i -- '-> Recovery' "$f" | tail -n 1 | cut -d: -f1)
	[ -n "$r1" ] || r1=$(($(wc -l <"$f") / 2))
	for r in $r1 $r2; do
		echo "#   trace $1 around line $r:"
		sed -n "$((r > n ? r - n : 1)),$((r + n / 2))p" "$f" | sed 's/^ *//; s/^/#     /'
	done
	rm -f "$f"
}

# mytcp's counters of both ends (/proc/net/mytcp_stat) as "NS.NAME VALUE"
stat_snap()
{
	local ns

	for ns in bA bB; do
		ip netns exec $ns cat /proc/net/mytcp_stat | awk -v ns=$ns '{ print ns "." $1, $2 }'
	done >"$1"
}

# The counters that moved since stat_snap $1 (over all of mytcp's runs
# of one test on one link), but for the totals of segments and opens:
# what happened beside the traffic (retransmissions, probes, drops ...).
stat_moved()
{
	stat_snap "$1.new"
	echo "#   mytcp counters that moved (both ends, all runs):" $(awk '
		NR == FNR { v[$1] = $2; next }
		$1 !~ /\.(InSegs|OutSegs|ActiveOpens|PassiveOpens|CurrEstab|EarlyDemux|PortresReused)$/ &&
		$2 != v[$1] { printf "%s %d ", $1, $2 - v[$1] }' "$1" "$1.new")
	rm -f "$1" "$1.new"
}

echo "# kernel $(uname -r), $(nproc) vCPUs, $RUNS runs x ${SECS}s" \
	"(impaired links ${BENCH_IMPAIRED_SECS:-12}s, offloads ${BENCH_OFFLOAD:-off}), median"
printf "%-6s %-5s %14s %14s %7s   %s\n" test link mytcp linux ratio unit
for t in $TESTS; do
	case $t in
	bulk) unit="MB/s" ;;
	rr) unit="transactions/s" ;;
	crr) unit="connections/s" ;;
	scale) bench_scale; continue ;;
	esac
	for link in $LINKS; do
		rm -f /tmp/bench.mytcp /tmp/bench.inet
		stat_snap /tmp/bench.stat0
		secs=$SECS
		declare -A SKB=([mytcp]="0 0 0" [inet]="0 0 0")
		[ -z "${NETEM[$link]:-}" ] || secs=${BENCH_IMPAIRED_SECS:-12}
		for ((i = 0; i < RUNS; i++)); do
			for fam in mytcp inet; do
				[ -z "${NETEM[$link]:-}" ] || s0=$(netem_sent "$link")
				tr=""
				[ -z "${BENCH_TRACE:-}" ] || [ -z "${NETEM[$link]:-}" ] ||
					[ "$i" != 0 ] || tr=1
				[ -z "$tr" ] || trace_start "$fam" "$secs" "${ADDR[$link]}"
				srv=${SRV[$fam.$link]}
				[ -z "${BENCH_MIX:-}" ] || srv=${SRV[${OTHER[$fam]}.$link]}
				v=$(ip netns exec bA "$TOOL" -f "$fam" -c "$srv" \
					-m "$t" -d "$secs" 2>/tmp/bench.err | awk '{ print $2 }')
				[ -z "$tr" ] || trace_stop "$fam"
				if [ -n "${NETEM[$link]:-}" ]; then
					SKB[$fam]=$(echo "${SKB[$fam]} $s0 $(netem_sent "$link")" |
						awk '{ print $1 + $7 - $4, $2 + $8 - $5, $3 + $9 - $6 }')
				fi
				if [ -z "$v" ]; then
					echo "# $t $link $fam run $i failed: $(cat /tmp/bench.err)"
					v=0
				fi
				echo "$v" >>"/tmp/bench.$fam"
				echo "#   $t $link $fam run $i: $v"
			done
		done
		m=$(median </tmp/bench.mytcp)
		l=$(median </tmp/bench.inet)
		r=$(awk -v m="$m" -v l="$l" 'BEGIN { if (l > 0) printf "%.2f", m / l; else print "n/a" }')
		printf "%-6s %-5s %14s %14s %7s   %s\n" "$t" "$link" "$m" "$l" "$r" "$unit"
		stat_moved /tmp/bench.stat0
		[ -z "${NETEM[$link]:-}" ] ||
			echo "#   netem on $link (data direction): mytcp" \
				"$(netem_report "${SKB[mytcp]}"); Linux $(netem_report "${SKB[inet]}")"
		if [ -n "${BENCH_PERF:-}" ] && [ "$t" = crr ]; then
			for fam in mytcp inet; do
				perf_run "$t $link $fam" ip netns exec bA "$TOOL" -f "$fam" \
					-c "${SRV[$fam.$link]}" -m "$t" -d "$secs"
			done
		fi
	done
done
echo "# mytcp_stat bA:"
ip netns exec bA grep -E "RetransSegs|Timeouts|FastRetrans|DropBacklog|DropRcvbuf" /proc/net/mytcp_stat | sed 's/^/#   /'
# segments received, and those routed by their connection's cached input
# route (demux.c), in both namespaces over all of mytcp's runs
for ns in bA bB; do
	echo "# mytcp_stat $ns:" $(ip netns exec $ns grep -E "^(InSegs|EarlyDemux) " /proc/net/mytcp_stat)
done

kill "${pids[@]}" 2>/dev/null
wait 2>/dev/null
ip netns del bA
ip netns del bB
for _ in $(seq 50); do rmmod mytcp_cubic 2>/dev/null; rmmod mytcp 2>/dev/null && break; sleep 0.2; done
exit 0
