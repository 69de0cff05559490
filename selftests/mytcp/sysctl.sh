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
"
# Global, in init_net only (mem_limits.py tests them).
GLOBAL_SYSCTLS="mem max_orphans"

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
	ip netns exec "$H1" "$MYTCP_PYTHON" - "$SYSCTLS" <<'PY'
import sys
ok = True
def path(n): return "/proc/sys/net/mytcp/" + n
def get(n): return int(open(path(n)).read())
def put(n, v):
    try:
        with open(path(n), "w") as f:
            f.write("%d\n" % v)
        return True
    except OSError:
        return False
def bad(msg):
    global ok
    print("# " + msg)
    ok = False
for line in sys.argv[1].split("\n"):
    if not line.strip():
        continue
    name, d, lo, hi = line.split()
    d, lo, hi = int(d), int(lo), int(hi)
    good = {"ephemeral_low": (1024, 60999), "ephemeral_high": (32768, 65535)}.get(name, (lo, hi))
    if put(name, lo - 1):
        bad("%s: %d accepted" % (name, lo - 1))
    if hi < 2**31 - 1 and put(name, hi + 1):
        bad("%s: %d accepted" % (name, hi + 1))
    if get(name) != d:
        bad("%s changed to %d by bad writes" % (name, get(name)))
    for v in good + (d,):
        if not put(name, v):
            bad("%s: %d refused" % (name, v))
        elif get(name) != v:
            bad("%s: wrote %d, reads %d" % (name, v, get(name)))
if put("ephemeral_low", 61000):
    bad("ephemeral_low above ephemeral_high accepted")
if put("ephemeral_high", 32767):
    bad("ephemeral_high below ephemeral_low accepted")
sys.exit(0 if ok else 1)
PY
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
	out=$(ip netns exec "$H1" "$MYTCP_PYTHON" -c '
import socket, mytcp_sock
s = mytcp_sock.socket()
g = lambda l, o: s.getsockopt(l, o)
print(g(6, socket.TCP_KEEPIDLE), g(6, socket.TCP_KEEPINTVL), g(6, socket.TCP_KEEPCNT),
      g(socket.SOL_SOCKET, socket.SO_RCVBUF), g(socket.SOL_SOCKET, socket.SO_SNDBUF))')
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
	ip netns exec "$H2" "$MYTCP_PYTHON" -c '
import mytcp_sock, socket, sys
l = mytcp_sock.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("0.0.0.0", int(sys.argv[1]))); l.listen(1); print("ok", flush=True)
c, _ = l.accept(); c.recv(1); c.close()' "$1" >"$2" 2>&1 &
	slowwait 60 grep -q ok "$2" || return 1
	ip netns exec "$H1" "$MYTCP_PYTHON" -c '
import mytcp_sock, sys, time
s = mytcp_sock.socket(); s.connect(("10.0.1.2", int(sys.argv[1])))
s.close(); time.sleep(0.3)' "$1"
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
	out=$(ip netns exec "$H1" timeout 90 "$MYTCP_PYTHON" -c '
import errno, mytcp_sock
s = mytcp_sock.socket()
try:
    s.connect(("10.0.1.2", 5103)); print("connected")
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno))')
	tc -n "$H1" qdisc del dev veth1 root
	sc_set "$H1" syn_retries 6; sc_set "$H1" rto_initial_ms 1000
	[ "$out" = ETIMEDOUT ] || { ktap_print_msg "connect: $out"; return 1; }
}
ktap_test_result "syn_retries 1 (rto_initial_ms 200): connect with SYNs lost -> ETIMEDOUT" syn_retries

ephemeral()
{
	local out

	sc_set "$H1" ephemeral_low 40000 && sc_set "$H1" ephemeral_high 40003 || return 1
	out=$(ip netns exec "$H1" "$MYTCP_PYTHON" -c '
import errno, mytcp_sock
ports, socks = [], []
for i in range(5):
    s = mytcp_sock.socket()
    try:
        s.bind(("10.0.1.1", 0)); ports.append(s.getsockname()[1]); socks.append(s)
    except OSError as e:
        ports.append(errno.errorcode.get(e.errno, e.errno))
print(" ".join(str(p) for p in sorted(ports[:4])), ports[4])')
	sc_set "$H1" ephemeral_high 60999; sc_set "$H1" ephemeral_low 32768
	[ "$out" = "40000 40001 40002 40003 EADDRINUSE" ] || { ktap_print_msg "got: $out"; return 1; }
}
ktap_test_result "ephemeral_low/high bound bind(port 0)" ephemeral

ktap_finished
