#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# net.mytcp.* sysctls (Documentation/sysctl.rst): every one exists in
# every network namespace with its documented default, out-of-range
# writes fail with EINVAL and leave the value alone, a namespace's value
# is its own, and the values take effect: TIME_WAIT lasts 2 * msl_ms,
# max_tw_buckets bounds the TIME_WAIT entries (TimeWaitOverflow counts),
# keepalive_* are the defaults of new sockets, syn_retries bounds
# connect(), ephemeral_low/high bound the ports chosen.

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"

mytcp_require_ko
ktap_print_header
ktap_set_plan 8
trap mytcp_cleanup EXIT

mytcp_loaded || mytcp_load || ktap_exit_fail_msg "insmod $MYTCP_KO failed"
mytcp_setup_hosts || ktap_exit_fail_msg "cannot set up the two hosts"

# name default min max
SYSCTLS="
msl_ms 30000 10 600000
syn_retries 6 1 127
synack_retries 5 1 127
retries2 15 1 127
rto_min_ms 200 1 60000
rto_max_ms 120000 200 600000
rto_initial_ms 1000 1 60000
keepalive_time 7200 1 32767
keepalive_intvl 75 1 32767
keepalive_probes 9 1 127
challenge_ack_limit 10 0 2147483647
invalid_ratelimit_ms 500 0 60000
rmem_default 1048576 4096 67108864
wmem_default 1048576 4096 67108864
fin_timeout 60 1 3600
ephemeral_low 32768 1024 65535
ephemeral_high 60999 1024 65535
max_tw_buckets 65536 0 2147483647
orphan_retries 0 0 255
notsent_lowat 4294967295 0 4294967295
recovery 1 0 1
frto 1 0 1
recovery_probe 1 0 1
ecn 2 0 2
tw_reuse 2 0 2
syncookies 1 0 2
reordering 3 1 65535
max_reordering 300 1 65535
tcp_comp_sack_nr 44 0 255
tcp_comp_sack_delay_ns 1000000 0 18446744073709551615
tcp_comp_sack_slack_ns 100000 0 18446744073709551615
"
# Global, in init_net only (mem_limits.py tests them).
GLOBAL_SYSCTLS="mem max_orphans"
# Names, not integers (cong.py tests them): congestion_control reads reno
# while mytcp_cubic.ko is not loaded.
NAME_SYSCTLS="congestion_control available_congestion_control"

sc_path() { echo "/proc/sys/net/mytcp/$1"; }
# sc_get NS NAME / sc_set NS NAME VALUE (NS "" = init_net)
sc_get() { ip netns exec "${1:-$H1}" cat "$(sc_path "$2")"; }
sc_set() { ip netns exec "${1:-$H1}" sh -c "echo $3 > $(sc_path "$2")" 2>/dev/null; }

defaults()
{
	local ns name def lo hi v ret=0 n=0 vals

	for ns in "$H1" "$H2"; do
		# name:value lines, one exec per namespace
		vals=$(ip netns exec "$ns" sh -c 'cd /proc/sys/net/mytcp && grep . *')
		while read -r name def lo hi; do
			[ -n "$name" ] || continue
			n=$((n + 1))
			v=$(sed -n "s/^$name://p" <<<"$vals")
			[ -n "$v" ] || { ktap_print_msg "$ns: no net.mytcp.$name"; ret=1; continue; }
			[ "$v" = "$def" ] ||
				{ ktap_print_msg "$ns: $name = $v, want $def"; ret=1; }
		done <<<"$SYSCTLS"
	done
	for name in $NAME_SYSCTLS; do
		n=$((n + 2))
		[ -r "$(sc_path "$name")" ] || { ktap_print_msg "no net.mytcp.$name"; ret=1; }
	done
	# Nothing undocumented; the global ones only in init_net.
	v=$(ip netns exec "$H1" ls /proc/sys/net/mytcp | wc -l)
	[ "$v" = $((n / 2)) ] || { ktap_print_msg "$v sysctls, $((n / 2)) documented"; ret=1; }
	v=$(ls /proc/sys/net/mytcp | wc -l)
	[ "$v" = $((n / 2 + $(wc -w <<<"$GLOBAL_SYSCTLS"))) ] ||
		{ ktap_print_msg "init_net: $v sysctls"; ret=1; }
	return $ret
}
ktap_test_result "every net.mytcp.* sysctl has its default in a new netns" defaults

# One python process in $H1 does all the writes (fast under TCG).
ranges()
{
	ip netns exec "$H1" "$MYTCP_PYTHON" "$MYTCP_LIB_DIR/sysctl_tool.py" ranges "$SYSCTLS"
}
ktap_test_result "out-of-range writes fail and change nothing; limits are accepted" ranges

per_netns()
{
	local ret=0

	sc_set "$H1" keepalive_time 111 && sc_set "$H1" msl_ms 1234 || return 1
	[ "$(sc_get "$H2" keepalive_time)" = 7200 ] || { ktap_print_msg "H2 keepalive_time changed"; ret=1; }
	[ "$(cat "$(sc_path msl_ms)")" = 30000 ] || { ktap_print_msg "init_net msl_ms changed"; ret=1; }
	[ "$(sc_get "$H1" keepalive_time)" = 111 ] || ret=1
	sc_set "$H1" keepalive_time 7200
	sc_set "$H1" msl_ms 30000
	return $ret
}
ktap_test_result "a namespace's values are its own" per_netns

# New sockets take keepalive_* (TCP_KEEPIDLE/INTVL/CNT read back) and
# rmem/wmem_default (SO_RCVBUF/SO_SNDBUF) from their namespace.
socket_defaults()
{
	local out

	sc_set "$H1" keepalive_time 100 && sc_set "$H1" keepalive_intvl 20 &&
		sc_set "$H1" keepalive_probes 4 && sc_set "$H1" rmem_default 200000 &&
		sc_set "$H1" wmem_default 300000 || return 1
	out=$(ip netns exec "$H1" "$MYTCP_PYTHON" "$MYTCP_LIB_DIR/sysctl_tool.py" sock-defaults)
	sc_set "$H1" keepalive_time 7200; sc_set "$H1" keepalive_intvl 75
	sc_set "$H1" keepalive_probes 9; sc_set "$H1" rmem_default 1048576
	sc_set "$H1" wmem_default 1048576
	[ "$out" = "100 20 4 200000 300000" ] || { ktap_print_msg "got: $out"; return 1; }
}
ktap_test_result "keepalive_*, rmem/wmem_default are new sockets' defaults" socket_defaults

# TIME_WAIT lasts 2 * msl_ms: msl_ms 5000 -> seen after close, gone after
# 10 s (+ slack); with msl_ms 30000 still there after 12 s.  (Generous:
# a loaded TCG guest can take seconds to start a python.)
tw_count() { ip netns exec "$1" awk 'NR > 1 && $4 == "06"' /proc/net/mytcp | wc -l; }
tw_pair()
{
	# a connection H1 -> H2 closed by H1 first: TIME_WAIT in H1
	ip netns exec "$H2" "$MYTCP_PYTHON" "$MYTCP_LIB_DIR/sysctl_tool.py" tw-server "$1" >"$2" 2>&1 &
	slowwait 60 grep -q ok "$2" || return 1
	ip netns exec "$H1" "$MYTCP_PYTHON" "$MYTCP_LIB_DIR/sysctl_tool.py" tw-client "$1"
	wait
}
time_wait()
{
	local ret=0 f

	f=$(mktemp)
	sc_set "$H1" msl_ms 5000 || return 1
	tw_pair 5101 "$f" || { ktap_print_msg "pair failed: $(cat "$f")"; ret=1; }
	[ "$(tw_count "$H1")" = 1 ] || { ktap_print_msg "no TIME_WAIT entry after close"; ret=1; }
	# 2 * 5 s, generously
	slowwait 60 sh -c "[ \$(ip netns exec $H1 awk 'NR > 1 && \$4 == \"06\"' /proc/net/mytcp | wc -l) = 0 ]" ||
		{ ktap_print_msg "TIME_WAIT still there 60 s after close with msl_ms 5000"; ret=1; }
	sc_set "$H1" msl_ms 30000
	tw_pair 5102 "$f" || { ktap_print_msg "pair failed: $(cat "$f")"; ret=1; }
	sleep 12
	[ "$(tw_count "$H1")" = 1 ] || { ktap_print_msg "TIME_WAIT gone within 12 s with msl_ms 30000"; ret=1; }
	rm -f "$f"
	return $ret
}
ktap_test_result "TIME_WAIT lasts twice msl_ms (5 s: ends; 30 s: still there after 12 s)" time_wait

# max_tw_buckets: room for one more entry; of two closes, one gets it.
tw_limit()
{
	local ret=0 f n0 n1 o0 o1

	f=$(mktemp)
	n0=$(tw_count "$H1")
	sc_set "$H1" max_tw_buckets $((n0 + 1)) || return 1
	o0=$(mytcp_stat TimeWaitOverflow "$H1")
	tw_pair 5111 "$f" && tw_pair 5112 "$f" ||
		{ ktap_print_msg "pair failed: $(cat "$f")"; ret=1; }
	n1=$(tw_count "$H1")
	o1=$(mytcp_stat TimeWaitOverflow "$H1")
	ktap_print_msg "TIME_WAIT entries $n0 -> $n1, TimeWaitOverflow $o0 -> $o1"
	[ "$n1" = $((n0 + 1)) ] || { ktap_print_msg "want $((n0 + 1)) entries"; ret=1; }
	[ "$o1" = $((o0 + 1)) ] || { ktap_print_msg "TimeWaitOverflow did not move by 1"; ret=1; }
	sc_set "$H1" max_tw_buckets 65536
	rm -f "$f"
	return $ret
}
ktap_test_result "max_tw_buckets bounds TIME_WAIT entries; TimeWaitOverflow counts the rest" tw_limit

# syn_retries 1: connect() whose SYNs are all lost gives up after 2 SYNs.
syn_retries()
{
	local out

	sc_set "$H1" syn_retries 1 && sc_set "$H1" rto_initial_ms 200 || return 1
	tc -n "$H1" qdisc add dev veth1 root netem loss 100% || return 1
	out=$(ip netns exec "$H1" timeout 90 "$MYTCP_PYTHON" "$MYTCP_LIB_DIR/sysctl_tool.py" connect-lost)
	tc -n "$H1" qdisc del dev veth1 root
	sc_set "$H1" syn_retries 6; sc_set "$H1" rto_initial_ms 1000
	[ "$out" = ETIMEDOUT ] || { ktap_print_msg "connect: $out"; return 1; }
}
ktap_test_result "syn_retries 1 (rto_initial_ms 200): connect with SYNs lost -> ETIMEDOUT" syn_retries

ephemeral()
{
	local out

	sc_set "$H1" ephemeral_low 40000 && sc_set "$H1" ephemeral_high 40003 || return 1
	out=$(ip netns exec "$H1" "$MYTCP_PYTHON" "$MYTCP_LIB_DIR/sysctl_tool.py" ephemeral)
	sc_set "$H1" ephemeral_high 60999; sc_set "$H1" ephemeral_low 32768
	[ "$out" = "40000 40001 40002 40003 EADDRINUSE" ] || { ktap_print_msg "got: $out"; return 1; }
}
ktap_test_result "ephemeral_low/high bound bind(port 0)" ephemeral

ktap_finished
