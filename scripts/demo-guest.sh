#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of scripts/demo.sh (runs in the VM; MYTCP_KO set).  Each
# step is a function listed in STEPS; add a function and list it to extend
# the demo.  Steps run in order; the demo stops at the first failing one.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# mytcp_lib.sh: mytcp_load, mytcp_family, mytcp_stat, mytcp_setup_hosts...
# shellcheck source=../selftests/mytcp/lib/mytcp_lib.sh
source "$TOP/selftests/mytcp/lib/mytcp_lib.sh"
PY=$MYTCP_PYTHON
PORT=5000
# mytcp_sock.socket(): a mytcp socket Python can bind/connect with tuples.
export PYTHONPATH=$TOP/selftests/mytcp/lib${PYTHONPATH:+:$PYTHONPATH}
export PYTHONDONTWRITEBYTECODE=1

step_load()
{
	echo "\$ insmod $MYTCP_KO"
	[ ! -r "$(dirname "$MYTCP_KO")/mytcp_cubic.ko" ] ||
		echo "\$ insmod $(dirname "$MYTCP_KO")/mytcp_cubic.ko   # CUBIC, the default"
	mytcp_load || return
	grep -E '^mytcp(_cubic)? ' /proc/modules
}

step_family()
{
	echo "\$ cat $MYTCP_PARAM_DIR/family"
	mytcp_family
}

step_socket()
{
	echo "\$ python3 -c 'socket.socket($(mytcp_family), socket.SOCK_STREAM)'"
	"$PY" -c '
import socket, sys
s = socket.socket(int(sys.argv[1]), socket.SOCK_STREAM)
print(s)
s.close()' "$(mytcp_family)"
}

step_stat()
{
	echo "\$ cat /proc/net/mytcp_stat"
	cat "$MYTCP_STAT_FILE"
}

# Server in one netns, client in the other, over the veth pair.
step_client_server()
{
	local fam out

	fam=$(mytcp_family)
	mytcp_setup_hosts || return
	echo "# hosts: $H1 ($MYTCP_ADDR1) <-veth-> $H2 ($MYTCP_ADDR2)"
	out=$(mktemp)
	ip netns exec "$H2" "$PY" -c '
import mytcp_sock, socket, sys
s = mytcp_sock.socket(fam=int(sys.argv[1]))
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[2], int(sys.argv[3])))
s.listen(1)
print("server: listening on %s:%s" % (sys.argv[2], sys.argv[3]), flush=True)
c, peer = s.accept()
data = c.recv(1024)
print("server: got %r from %s:%d" % (data, peer[0], peer[1]), flush=True)
c.sendall(data.upper())
c.close()
s.close()' "$fam" "$MYTCP_ADDR2" "$PORT" > "$out" 2>&1 &
	local srv=$!
	slowwait 10 grep -q listening "$out" || { cat "$out"; kill $srv 2>/dev/null; return 1; }
	cat "$out"
	ip netns exec "$H1" timeout 20 "$PY" -c '
import mytcp_sock, sys
s = mytcp_sock.socket(fam=int(sys.argv[1]))
s.settimeout(10)
s.connect((sys.argv[2], int(sys.argv[3])))
s.sendall(b"hello over mytcp")
print("client: got %r" % s.recv(1024), flush=True)
s.close()' "$fam" "$MYTCP_ADDR2" "$PORT"
	local rc=$?
	wait $srv || rc=1
	tail -n +2 "$out"
	rm -f "$out"
	echo "\$ ip netns exec $H2 cat /proc/net/mytcp_stat"
	mytcp_stat_wait live_socks 0 2 "$H2"
	ip netns exec "$H2" cat "$MYTCP_STAT_FILE"
	return $rc
}

# The same over IPv6, beside it: sockaddr_in6 on the same AF_MYTCP family
# (the veth of step_client_server gets fd00::1 and fd00::2).
step_client_server6()
{
	local fam out rc srv

	fam=$(mytcp_family)
	ip -n "$H1" addr add fd00::1/64 dev veth1 nodad || return
	ip -n "$H2" addr add fd00::2/64 dev veth2 nodad || return
	slowwait 10 ip netns exec "$H1" ping -6 -c 1 -W 1 fd00::2 >/dev/null
	echo "# hosts: $H1 (fd00::1) <-veth-> $H2 (fd00::2)"
	out=$(mktemp)
	ip netns exec "$H2" "$PY" -c '
import socket, sys
raw = socket.socket(int(sys.argv[1]), socket.SOCK_STREAM)
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM, 0, fileno=raw.detach())
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[2], int(sys.argv[3])))
s.listen(1)
print("server: listening on [%s]:%s" % (sys.argv[2], sys.argv[3]), flush=True)
c, peer = s.accept()
data = c.recv(1024)
print("server: got %r from [%s]:%d" % (data, peer[0], peer[1]), flush=True)
print(open("/proc/net/mytcp6").read(), end="", flush=True)
c.sendall(data.upper())
c.close()
s.close()' "$fam" fd00::2 "$((PORT + 1))" > "$out" 2>&1 &
	srv=$!
	slowwait 10 grep -q listening "$out" || { cat "$out"; kill $srv 2>/dev/null; return 1; }
	cat "$out"
	ip netns exec "$H1" timeout 20 "$PY" -c '
import socket, sys
raw = socket.socket(int(sys.argv[1]), socket.SOCK_STREAM)
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM, 0, fileno=raw.detach())
s.settimeout(10)
s.connect((sys.argv[2], int(sys.argv[3])))
s.sendall(b"hello over mytcp and IPv6")
print("client: got %r" % s.recv(1024), flush=True)
s.close()' "$fam" fd00::2 "$((PORT + 1))"
	rc=$?
	wait $srv || rc=1
	tail -n +2 "$out"
	rm -f "$out"
	return $rc
}

step_unload()
{
	mytcp_cleanup
	echo "\$ rmmod mytcp_cubic mytcp"
	mytcp_unload 10
}

STEPS=(step_load step_family step_socket step_stat step_client_server
       step_client_server6 step_unload)

for step in "${STEPS[@]}"; do
	echo
	echo "=== ${step#step_}"
	if ! "$step"; then
		echo "=== ${step#step_}: FAILED"
		mytcp_cleanup
		exit 1
	fi
done
echo
echo "=== demo done"
