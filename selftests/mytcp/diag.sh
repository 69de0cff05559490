#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sock_diag for the mytcp family (mytcp/diag.c) through mytcpstat: in a
# fresh netns, the same scenario with mytcp sockets (ports 7201..) and
# Linux TCP sockets (7301..): a listener with an established pair holding
# 100 unread bytes, a TIME_WAIT entry, a SYN_SENT socket, a FIN_WAIT2 /
# CLOSE_WAIT pair.  mytcpstat's lines over netlink (ports and ephemeral
# ports masked) must be ss -tan's for the Linux sockets, filter by filter;
# netlink and /proc/net/mytcp list the same sockets; a dump that spans
# several netlink messages loses none; another netns sees none; malformed
# requests are refused with an errno.

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"
source "$MYTCP_LIB_DIR/tools_lib.sh"

mytcp_require_ko
mytcp_tools_require
command -v ss >/dev/null || ktap_skip_all "ss (iproute2) is needed"
ktap_print_header
ktap_set_plan 20

TMPD=$(mktemp -d)
HOLDER=
NS2=
cleanup()
{
	[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null && wait "$HOLDER" 2>/dev/null
	[ -n "$NS2" ] && ip netns del "$NS2" 2>/dev/null
	mytcp_tools_cleanup
	rm -rf "$TMPD"
	mytcp_cleanup
}
trap cleanup EXIT

mytcp_loaded || mytcp_load || ktap_exit_fail_msg "insmod $MYTCP_KO failed"
setup_ns NS NS2 || ktap_exit_fail_msg "cannot make the netns"
ip netns exec "$NS" sh -c 'echo 600000 > /proc/sys/net/mytcp/msl_ms;
	echo 127 > /proc/sys/net/mytcp/syn_retries;
	echo 127 > /proc/sys/net/ipv4/tcp_syn_retries' ||
	ktap_exit_fail_msg "cannot set the sysctls"
ip -n "$NS" link add d0 type dummy &&
ip -n "$NS" addr add 10.9.0.1/24 dev d0 &&
ip -n "$NS" link set d0 up || ktap_exit_fail_msg "cannot add the dummy device"

# 150 more pairs on 7205: a dump of 300+ sockets spans several messages.
ip netns exec "$NS" "$MYTCP_PYTHON" "$MYTCP_LIB_DIR/diag_tool.py" holder 150 \
	> "$TMPD/holder.out" 2>&1 &
HOLDER=$!
slowwait 120 grep -q ready "$TMPD/holder.out" ||
	{ sed 's/^/# /' "$TMPD/holder.out"; ktap_exit_fail_msg "the socket holder did not start"; }

st() { ip netns exec "$NS" $MYTCPSTAT "$@"; }
lss() { ip netns exec "$NS" ss "$@"; }

# mask BASE: the scenario's ports as P0..P4 (BASE..BASE+4), other ports E;
# only the lines of the scenario (not the many pairs on P4), whitespace
# squeezed, sorted.
mask()
{
	awk -v b="$1" '
	function port(s,   p, a) {
		p = s; sub(/.*:/, "", p); a = substr(s, 1, length(s) - length(p))
		if (p == "*") return s
		p += 0
		if (p >= b && p <= b + 4) return a "P" (p - b)
		return a "E"
	}
	NR == 1 && /^State|^Recv-Q/ { print; next }
	{
		for (i = 1; i <= NF; i++) if ($i ~ /:[0-9*]+$/) $i = port($i)
		if ($0 ~ /:P[0-3]( |$)/ && $0 !~ /:P4( |$)/) print
	}' | sort
}

# same DESC FILTER: mytcpstat -tan FILTER on 72xx and ss -tan FILTER on
# 73xx give the same masked lines (FILTER's "72" stands for the base).
same()
{
	local desc=$1 flt=$2 opts=${3:--tan}
	local f1=${flt//72/72} f2=${flt//72/73}
	st $opts $f1 2>&1 | mask 7201 > "$TMPD/m"
	lss $opts $f2 2>&1 | mask 7301 > "$TMPD/l"
	if [ -s "$TMPD/m" ] && diff -u "$TMPD/l" "$TMPD/m" > "$TMPD/d"; then
		sed 's/^/# /' "$TMPD/m"
		ktap_test_pass "$desc"
	else
		ktap_print_msg "ss (Linux TCP, 73xx) vs mytcpstat (mytcp, 72xx):"
		sed 's/^/# /' "$TMPD/d"
		ktap_test_fail "$desc"
	fi
}

T0=$(date +%s)
same "-tan: every socket as ss -tan shows Linux's" ""
same "-tn: connected ones only (ss's default)" "" -tn
same "-tln: the listener, its backlog (8) in Send-Q" "" -tln
same "state established" "state established"
same "state time-wait (no State column, as ss)" "state time-wait"
same "state syn-sent" "state syn-sent"
same "state fin-wait-2 / close-wait" "state fin-wait-2 state close-wait"
same "sport = :7201" "sport = :7201"
same "dport = :7201 or dport = :7204" "dport = :7201 or dport = :7204"
same "sport > :7202 and not src 127.0.0.1" "sport > :7202 and not src 127.0.0.1"
same "dst 127.0.0.1:7204" "dst 127.0.0.1:7204"
same "( sport = :7201 or sport = :7204 ) and state established" \
	"state established ( sport = :7201 or sport = :7204 )"

t_proc()
{
	# the same sockets and columns from netlink and from /proc/net/mytcp
	st -tan | sort > "$TMPD/nl" && st --proc -tan | sort > "$TMPD/proc" &&
		diff -u "$TMPD/proc" "$TMPD/nl" | sed 's/^/# /' &&
		cmp -s "$TMPD/proc" "$TMPD/nl" &&
		[ "$(wc -l < "$TMPD/nl")" -gt 300 ]
}
ktap_test_result "netlink and /proc/net/mytcp list the same 300+ sockets" t_proc

t_count()
{
	local out
	out=$(ip netns exec "$NS" "$MYTCP_PYTHON" "$MYTCP_LIB_DIR/diag_tool.py" count)
	ktap_print_msg "dump messages, /proc lines: $out"
	set -- $out
	[ "$1" = "$2" ] && [ "$1" -gt 300 ]
}
ktap_test_result "a dump with every attribute resumes across calls, none lost" t_count

t_info()
{
	local out
	out=$(st -tnoi state established sport = :7201)
	sed 's/^/# /' <<<"$out"
	grep -Eq '^100 +0 +127\.0\.0\.1:7201 ' <<<"$out" &&
	grep -Eq '^	 ts sack [a-z]+ wscale:[0-9]+,[0-9]+ rto:[0-9.]+ rtt:[0-9.]+/[0-9.]+ ato:40 mss:[0-9]+ .*cwnd:[0-9]+ .*bytes_received:100 ' <<<"$out"
}
ktap_test_result "-i: the TCP_INFO line as ss -i prints it" t_info

t_extended()
{
	local out
	out=$(st -tanoem sport = :7201)
	sed 's/^/# /' <<<"$out"
	grep -Eq '^LISTEN .* ino:[1-9][0-9]* sk:[0-9a-f]+ <->$' <<<"$out" &&
	grep -Eq '^	 skmem:\(r[0-9]+,rb[0-9]+,t[0-9]+,tb[0-9]+,f[0-9]+,w[0-9]+,o[0-9]+,bl[0-9]+,d[0-9]+\)$' <<<"$out" &&
	out=$(st -tano state syn-sent state time-wait) &&
	sed 's/^/# /' <<<"$out" &&
	grep -Eq '^SYN-SENT .* timer:\(on,[0-9.]+(ms|sec|min)[0-9.a-z]*,[0-9]+\)$' <<<"$out" &&
	grep -Eq '^TIME-WAIT .* timer:\(timewait,[0-9.]+(ms|sec|min)[0-9.a-z]*,0\)$' <<<"$out"
}
ktap_test_result "-e -m -o: ino, cookie, shutdown, skmem, timers" t_extended

t_netns()
{
	local out
	out=$(ip netns exec "$NS2" $MYTCPSTAT -tan 2>&1)
	sed 's/^/# /' <<<"$out"
	[ "$(wc -l <<<"$out")" = 1 ] && grep -q '^State' <<<"$out" &&
	out=$(ip netns exec "$NS2" "$MYTCP_PYTHON" "$MYTCP_LIB_DIR/diag_tool.py" count) &&
	ktap_print_msg "other netns: dump messages, /proc lines: $out" &&
	[ "$out" = "0 0" ]
}
ktap_test_result "another netns sees none of them" t_netns

t_hostile()
{
	ip netns exec "$NS" "$MYTCP_PYTHON" "$MYTCP_LIB_DIR/diag_tool.py" hostile 2>&1 |
		sed 's/^/# /'
	[ "${PIPESTATUS[0]}" = 0 ]
}
ktap_test_result "malformed requests refused (EINVAL, EOPNOTSUPP, ENOENT)" t_hostile

t_badinput()
{
	local out rc
	out=$(st 'sport = :x' 2>&1); rc=$?
	[ $rc -ne 0 ] && grep -q '^mytcpstat: bad port' <<<"$out" || return 1
	out=$(st state nosuch 2>&1); rc=$?
	[ $rc -ne 0 ] && grep -q "^mytcpstat: unknown state" <<<"$out" || return 1
	out=$(st '( sport = :1' 2>&1); rc=$?
	[ $rc -ne 0 ] && ! grep -q Traceback <<<"$out" || return 1
	out=$(st --help) && grep -q '^usage: mytcpstat' <<<"$out" &&
	st --version | grep -q '^mytcpstat [0-9]'
}
ktap_test_result "bad filters: a message and a non-zero status; --help, --version" t_badinput

t_nstat()
{
	local out
	out=$(st -s)
	sed 's/^/# /' <<<"$out" | head -n 12
	[ "$(head -n 1 <<<"$out")" = "#kernel" ] &&
	grep -Eq '^TcpActiveOpens +[0-9]+ +0\.0$' <<<"$out" &&
	grep -Eq '^TcpCurrEstab +[0-9]+ +0\.0$' <<<"$out" &&
	grep -Eq '^MytcpLiveSocks +[0-9]+ +0\.0$' <<<"$out"
}
ktap_test_result "-s: the counters in nstat's format, Linux's names" t_nstat
ktap_print_msg "checks took $(( $(date +%s) - T0 ))s"

ktap_finished
