#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Python helpers of sysctl.sh (one process does what a shell loop would
# do in many: starting programs is the slow part of a TCG guest).
#
# usage: sysctl_tool.py COMMAND ARGS...  (the arguments of each command are in
# its comment; sys.argv[1:] are ARGS once COMMAND is taken off)

import sys


def cmd_ranges():
    """ranges SYSCTLS: every line "name default low high" of SYSCTLS:
    out-of-range writes fail and change nothing, the limits are accepted;
    exits 1 on any mismatch (printed as # lines)."""
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
        nonlocal ok
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


def cmd_sock_defaults():
    """sock-defaults: a new mytcp socket's TCP_KEEPIDLE, TCP_KEEPINTVL,
    TCP_KEEPCNT, SO_RCVBUF and SO_SNDBUF."""
    import socket, mytcp_sock
    s = mytcp_sock.socket()
    g = lambda l, o: s.getsockopt(l, o)
    print(g(6, socket.TCP_KEEPIDLE), g(6, socket.TCP_KEEPINTVL), g(6, socket.TCP_KEEPCNT),
          g(socket.SOL_SOCKET, socket.SO_RCVBUF), g(socket.SOL_SOCKET, socket.SO_SNDBUF))


def cmd_tw_server():
    """tw-server PORT: accept one connection on PORT, read a byte (EOF), close."""
    import mytcp_sock, socket, sys
    l = mytcp_sock.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("0.0.0.0", int(sys.argv[1]))); l.listen(1); print("ok", flush=True)
    c, _ = l.accept(); c.recv(1); c.close()


def cmd_tw_client():
    """tw-client PORT: connect to 10.0.1.2:PORT and close first."""
    import mytcp_sock, sys, time
    s = mytcp_sock.socket(); s.connect(("10.0.1.2", int(sys.argv[1])))
    s.close(); time.sleep(0.3)


def cmd_connect_lost():
    """connect-lost: connect to 10.0.1.2:5103; prints connected or the errno name."""
    import errno, mytcp_sock
    s = mytcp_sock.socket()
    try:
        s.connect(("10.0.1.2", 5103)); print("connected")
    except OSError as e:
        print(errno.errorcode.get(e.errno, e.errno))


def cmd_ephemeral():
    """ephemeral: bind(port 0) five mytcp sockets on 10.0.1.1; prints the
    first four ports sorted and the fifth result (port or errno name)."""
    import errno, mytcp_sock
    ports, socks = [], []
    for i in range(5):
        s = mytcp_sock.socket()
        try:
            s.bind(("10.0.1.1", 0)); ports.append(s.getsockname()[1]); socks.append(s)
        except OSError as e:
            ports.append(errno.errorcode.get(e.errno, e.errno))
    print(" ".join(str(p) for p in sorted(ports[:4])), ports[4])


COMMANDS = {
    "ranges": cmd_ranges,
    "sock-defaults": cmd_sock_defaults,
    "tw-server": cmd_tw_server,
    "tw-client": cmd_tw_client,
    "connect-lost": cmd_connect_lost,
    "ephemeral": cmd_ephemeral,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit("usage: %s {%s} ARGS..." % (sys.argv[0], "|".join(COMMANDS)))
    COMMANDS[sys.argv.pop(1)]()
