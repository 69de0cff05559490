#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mytcp-run (libmytcp-preload.so): unmodified programs on mytcp, in a fresh
# netns on 127.0.0.1, against mytcp and against Linux TCP peers:
#   python3 http.server + curl, python3 urllib, iperf3, nc (openbsd);
# the connections show up in /proc/net/mytcp (mytcpstat); SO_DOMAIN reads
# AF_INET; an absent family falls back to Linux TCP with a warning.

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"
source "$MYTCP_LIB_DIR/tools_lib.sh"

mytcp_require_ko
mytcp_tools_require
ktap_print_header
# Two programs (the kselftest timeout): tools_run.sh runs part 1 (http,
# curl, urllib, fallback), tools_run_iperf.sh part 2 (iperf3, nc).
PART=${TOOLS_RUN_PART:-1}
if [ "$PART" = 1 ]; then ktap_set_plan 7; else ktap_set_plan 4; fi

TMPD=$(mktemp -d)
PIDS=()
cleanup()
{
	local p
	# The background jobs are subshells; their programs run in $NS.
	if [ -n "${NS:-}" ]; then
		ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null
		slowwait 10 sh -c "[ -z \"\$(ip netns pids $NS 2>/dev/null)\" ]"
	fi
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	mytcp_tools_cleanup
	rm -rf "$TMPD"
	mytcp_cleanup
}
trap cleanup EXIT

mytcp_loaded || mytcp_load || ktap_exit_fail_msg "insmod $MYTCP_KO failed"
setup_ns NS || ktap_exit_fail_msg "cannot make a netns"

nsx() { ip netns exec "$NS" "$@"; }
# run CMD under mytcp-run in the netns (quiet unless the test says so).
mrun() { nsx $MYTCP_RUN "$@"; }
st() { nsx $MYTCPSTAT "$@"; }
bg() { "$@" & PIDS+=($!); }
# wait_listen PORT: a mytcp listener on PORT shows up in mytcpstat -l.
# (awk on /proc/net/mytcp: python start-up is slow in TCG.)
wait_listen()
{
	slowwait 60 sh -c "ip netns exec $NS cat /proc/net/mytcp |
		awk '\$4 == \"0A\" && \$2 ~ /:$(printf %04X "$1")\$/ { f = 1 } END { exit !f }'"
}
wait_linux_listen() { slowwait 60 sh -c "ip netns exec $NS ss -Htln 'sport = :$1' | grep -q LISTEN"; }

have() { command -v "$1" >/dev/null; }

mkdir -p "$TMPD/www"
head -c 200000 /dev/urandom > "$TMPD/www/blob"
want_sum=$(md5sum < "$TMPD/www/blob")

if [ "$PART" = 1 ]; then
# ---------------------------------------------------------- http
bg mrun "$MYTCP_PYTHON" -m http.server --bind 127.0.0.1 --directory "$TMPD/www" 7301 \
	> "$TMPD/http1.log" 2>&1
t_http_listen()
{
	wait_listen 7301 || { sed 's/^/# /' "$TMPD/http1.log"; return 1; }
	st -l -p 7301 | sed 's/^/# /'
}
ktap_test_result "python3 http.server under mytcp-run listens on mytcp (mytcpstat -l)" t_http_listen

t_curl_mytcp()
{
	have curl || return "$KSFT_SKIP"
	local got
	got=$(mrun curl -sS --max-time 60 http://127.0.0.1:7301/blob | md5sum)
	[ "$got" = "$want_sum" ] || { ktap_print_msg "curl got md5 $got"; return 1; }
}
ktap_test_result "curl under mytcp-run <-> http.server under mytcp-run: 200 kB intact" t_curl_mytcp

t_curl_linux()
{
	have curl || return "$KSFT_SKIP"
	local got
	got=$(nsx curl -sS --max-time 60 http://127.0.0.1:7301/blob | md5sum)
	[ "$got" = "$want_sum" ] || { ktap_print_msg "curl got md5 $got"; return 1; }
}
ktap_test_result "plain curl (Linux TCP) <-> http.server under mytcp-run" t_curl_linux

bg nsx "$MYTCP_PYTHON" -m http.server --bind 127.0.0.1 --directory "$TMPD/www" 7302 \
	> "$TMPD/http2.log" 2>&1
t_urllib_linux()
{
	wait_linux_listen 7302 || return 1
	mrun "$MYTCP_PYTHON" - <<'PY'
import hashlib, socket, sys, urllib.request
s = socket.socket()
dom = s.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN)
fam = int(open("/sys/module/mytcp/parameters/family").read())
if dom != socket.AF_INET:
    sys.exit("SO_DOMAIN %d, want AF_INET" % dom)
# SO_REUSEPORT works (on 6.1 the preload library turns it into
# MYTCP_REUSEPORT, the socket core refusing it for mytcp).
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
if s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) != 1:
    sys.exit("SO_REUSEPORT does not read back 1")
# The fd really is mytcp: it appears in /proc/net/mytcp once bound.
s.bind(("127.0.0.1", 7399))
if ":1CE7 " not in open("/proc/net/mytcp").read():
    sys.exit("bound socket not in /proc/net/mytcp")
s.setsockopt(socket.IPPROTO_IP, 11, 1)    # IP_RECVERR: mytcp lacks it
s.close()
data = urllib.request.urlopen("http://127.0.0.1:7302/blob", timeout=60).read()
print(hashlib.md5(data).hexdigest(), flush=True)
PY
}
t_urllib()
{
	local out
	out=$(t_urllib_linux 2>&1)
	sed 's/^/# /' <<<"$out"
	[ "$(tail -n 1 <<<"$out")  -" = "$want_sum" ]
}
ktap_test_result "python3 urllib under mytcp-run <-> Linux http.server; SO_DOMAIN is AF_INET, SO_REUSEPORT works, IP_RECVERR tolerated" t_urllib

fi
if [ "$PART" = 2 ]; then
# --------------------------------------------------------- iperf3
t_iperf_mytcp()
{
	have iperf3 || return "$KSFT_SKIP"
	local rc seen=0 i
	bg mrun iperf3 -s -4 -1 -p 7303 > "$TMPD/iperf-s.log" 2>&1
	wait_listen 7303 || { sed 's/^/# /' "$TMPD/iperf-s.log"; return 1; }
	# One poller in the netns (forking cat in a loop starves while iperf3
	# keeps both vCPUs busy) keeps the /proc/net/mytcp snapshot with the
	# most ESTABLISHED sockets of port 7303: both ends of a connection at
	# least.
	rm -f "$TMPD/stop" "$TMPD/snap"
	nsx "$MYTCP_PYTHON" - "$TMPD" <<'PY' &
import os, sys, time
d = sys.argv[1]
best, end = -1, time.time() + 120
open(d + "/poller.ready", "w").close()
while not os.path.exists(d + "/stop") and time.time() < end:
    txt = open("/proc/net/mytcp").read()
    n = sum(1 for l in txt.splitlines()[1:]
            if l.split()[3] == "01" and (l.split()[1].endswith(":1C87") or
                                         l.split()[2].endswith(":1C87")))
    if n > best:
        best = n
        open(d + "/snap", "w").write(txt)
    time.sleep(0.02)
PY
	local ppid=$!
	slowwait 60 test -e "$TMPD/poller.ready"
	mrun timeout 90 iperf3 -4 -c 127.0.0.1 -p 7303 -t 3 -i 1 > "$TMPD/iperf-c.log" 2>&1
	rc=$?
	touch "$TMPD/stop"
	wait "$ppid"
	local best=0
	[ -r "$TMPD/snap" ] &&
		best=$(awk '$4 == "01" && ($2 ~ /:1C87$/ || $3 ~ /:1C87$/)' "$TMPD/snap" | wc -l)
	[ "$best" -ge 2 ] && seen=1
	[ "$best" -gt 0 ] && st -f "$TMPD/snap" -p 7303 | sed 's/^/# during iperf3: /'
	sed 's/^/# /' "$TMPD/iperf-c.log" | tail -n 6
	[ "$seen" = 1 ] || ktap_print_msg "the iperf3 connections never showed in /proc/net/mytcp (best: $best ESTABLISHED)"
	[ "$rc" = 0 ] && [ "$seen" = 1 ] && grep -q receiver "$TMPD/iperf-c.log"
}
ktap_test_result "iperf3 -c under mytcp-run <-> iperf3 -s under mytcp-run; both connections in /proc/net/mytcp" t_iperf_mytcp

t_iperf_linux()
{
	have iperf3 || return "$KSFT_SKIP"
	bg nsx iperf3 -s -4 -1 -p 7304 > "$TMPD/iperf-s2.log" 2>&1
	wait_linux_listen 7304 || return 1
	mrun timeout 90 iperf3 -4 -c 127.0.0.1 -p 7304 -n 2M > "$TMPD/iperf-c2.log" 2>&1
	local rc=$?
	sed 's/^/# /' "$TMPD/iperf-c2.log" | tail -n 4
	[ "$rc" = 0 ] && grep -q receiver "$TMPD/iperf-c2.log"
}
ktap_test_result "iperf3 -c under mytcp-run <-> plain iperf3 -s (Linux TCP)" t_iperf_linux

# ------------------------------------------------------------- nc
t_nc_mytcp()
{
	have nc || return "$KSFT_SKIP"
	bg mrun nc -l 127.0.0.1 7305 > "$TMPD/nc-out" 2>"$TMPD/nc-err"
	wait_listen 7305 || return 1
	mrun nc -N 127.0.0.1 7305 < "$TMPD/www/blob" || return 1
	slowwait 20 sh -c "[ \"\$(md5sum < $TMPD/nc-out)\" = \"$want_sum\" ]"
}
ktap_test_result "nc under mytcp-run -> nc -l under mytcp-run: 200 kB intact" t_nc_mytcp

t_nc_linux()
{
	have nc || return "$KSFT_SKIP"
	bg nsx nc -l 127.0.0.1 7306 > "$TMPD/nc-out2" 2>/dev/null
	wait_linux_listen 7306 || return 1
	mrun nc -N 127.0.0.1 7306 < "$TMPD/www/blob" || return 1
	slowwait 20 sh -c "[ \"\$(md5sum < $TMPD/nc-out2)\" = \"$want_sum\" ]"
}
ktap_test_result "nc under mytcp-run -> plain nc -l (Linux TCP)" t_nc_linux

fi
if [ "$PART" = 1 ]; then
# -------------------------------------------------------- fallback
t_fallback()
{
	local err
	# Family 12 (DECnet) is gone from Linux: socket() says EAFNOSUPPORT.
	err=$(nsx env MYTCP_FAMILY=12 $MYTCP_RUN curl -sS -o /dev/null --max-time 60 \
		http://127.0.0.1:7302/blob 2>&1) || { echo "$err" | sed 's/^/# /'; return 1; }
	sed 's/^/# /' <<<"$err"
	grep -q "mytcp-preload: warning: the mytcp module is not loaded" <<<"$err"
}
ktap_test_result "absent family: Linux TCP with a warning" t_fallback

t_fallback_quiet()
{
	local err
	err=$(nsx env MYTCP_FAMILY=12 $MYTCP_RUN -q curl -sS -o /dev/null --max-time 60 \
		http://127.0.0.1:7302/blob 2>&1) || return 1
	[ -z "$err" ] || { sed 's/^/# /' <<<"$err"; return 1; }
}
ktap_test_result "absent family with -q: no warning" t_fallback_quiet

t_debug()
{
	local err
	err=$(mrun -d "$MYTCP_PYTHON" -c 'import socket; socket.socket().close()' 2>&1)
	sed 's/^/# /' <<<"$err"
	grep -q "socket(AF_INET, SOCK_STREAM) -> mytcp" <<<"$err"
}
ktap_test_result "mytcp-run -d reports the converted socket" t_debug
fi

ktap_finished
