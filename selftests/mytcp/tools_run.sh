#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mytcp-run (libmytcp-preload.so): unmodified programs on mytcp, in a fresh
# netns on 127.0.0.1, against mytcp and against Linux TCP peers:
#   python3 http.server + curl, python3 urllib (iperf3 and nc:
#   tools_run_iperf.sh);
# the connections show up in /proc/net/mytcp (mytcpstat); SO_DOMAIN reads
# AF_INET; socket(AF_INET6) is converted too (http.server on [::1], in
# /proc/net/mytcp6); an absent family falls back to Linux TCP with a warning.

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"
source "$MYTCP_LIB_DIR/tools_lib.sh"

mytcp_require_ko
mytcp_tools_require
ktap_print_header
ktap_set_plan 9
source "$MYTCP_LIB_DIR/tools_run_lib.sh"
tools_run_setup

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
	mrun "$MYTCP_PYTHON" "$MYTCP_LIB_DIR/tools_run_tool.py" urllib
}
t_urllib()
{
	local out
	out=$(t_urllib_linux 2>&1)
	sed 's/^/# /' <<<"$out"
	[ "$(tail -n 1 <<<"$out")  -" = "$want_sum" ]
}
ktap_test_result "python3 urllib under mytcp-run <-> Linux http.server; SO_DOMAIN is AF_INET, SO_REUSEPORT works, IP_RECVERR tolerated" t_urllib

# ------------------------------------------------------------ IPv6
bg mrun "$MYTCP_PYTHON" -m http.server --bind ::1 --directory "$TMPD/www" 7303 \
	> "$TMPD/http3.log" 2>&1
t_http6_listen()
{
	# ::1 in /proc/net/tcp6's format, port 7303 (1C87), LISTEN
	slowwait 60 sh -c "ip netns exec $NS cat /proc/net/mytcp6 |
		awk '\$4 == \"0A\" && \$2 == \"00000000000000000000000001000000:1C87\" { f = 1 } END { exit !f }'" ||
		{ sed 's/^/# /' "$TMPD/http3.log"; nsx cat /proc/net/mytcp6 | sed 's/^/# /'; return 1; }
	st -l -p 7303 | sed 's/^/# /'
	st -l -p 7303 | grep -q '\[::1\]:7303' || { ktap_print_msg "mytcpstat does not show [::1]:7303"; return 1; }
}
ktap_test_result "python3 http.server on [::1] under mytcp-run: AF_INET6 socket on mytcp (/proc/net/mytcp6, mytcpstat)" t_http6_listen

t_curl6()
{
	have curl || return "$KSFT_SKIP"
	local got
	got=$(mrun curl -sS --max-time 60 'http://[::1]:7303/blob' | md5sum)
	[ "$got" = "$want_sum" ] || { ktap_print_msg "mytcp curl got md5 $got"; return 1; }
	got=$(nsx curl -sS --max-time 60 'http://[::1]:7303/blob' | md5sum)
	[ "$got" = "$want_sum" ] || { ktap_print_msg "Linux curl got md5 $got"; return 1; }
}
ktap_test_result "curl -6 under mytcp-run and plain curl -6 <-> http.server on [::1]: 200 kB intact" t_curl6

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

ktap_finished
