#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Port reservations are pooled (issue 20, Documentation/design.rst "One
# port space with Linux TCP"): the last put of a reservation gives its
# port back to Linux's bind table at once and keeps the unbound kernel
# socket for the next reservation of its family, up to a bound (beyond
# it the socket is released); a pool running low is filled by a work
# item (PortresCreated, PortresReused, PortresPooled in
# /proc/net/mytcp_stat).  A reused reservation holds its new port exactly as
# a new one would: Linux TCP cannot bind it while the mytcp socket lives,
# and can as soon as close() returns.  live_portres counts only the
# reservations that hold a port.  Each case over IPv4 and IPv6.
#
# Environment: MYTCP_KO, MYTCP_CASES (tcp_peer.py).

import errno
import os
import socket
import struct
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
import tcp_peer
from tcp_peer import check, mytcp_socket, run_cases, stats

POOL = 64                   # portres.c: MYTCP_PORTRES_POOL


def loop():
    return "::1" if tcp_peer.FAMILY == 6 else "127.0.0.1"


def lxsock():
    fam = socket.AF_INET6 if tcp_peer.FAMILY == 6 else socket.AF_INET
    return socket.socket(fam, socket.SOCK_STREAM)


def linux_bind(port):
    """Linux TCP's bind() answer for (loopback, port)."""
    s = lxsock()
    try:
        s.bind((loop(), port))
        return "OK"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
    finally:
        s.close()


def abort(s):
    """close() with RST: no TIME_WAIT keeps the port."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def counters():
    st = stats()
    return st["PortresReused"], st["PortresPooled"], st["live_portres"]


def listener(port):
    ls = mytcp_socket(blocking=True)
    ls.bind((loop(), port))
    ls.listen(256)
    return ls


def case_cycles(_peer):
    """Connect, check the port is held in Linux's table, abort, check it
    is free: 60 times; the reservations come from the pool."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    ls = listener(9300)
    r0, _, live0 = counters()
    seen = []
    for i in range(60):
        c = mytcp_socket(blocking=True)
        c.connect((loop(), 9300))
        a, _ = ls.accept()
        p = c.getsockname()[1]
        held = linux_bind(p)
        abort(c)
        free = linux_bind(p)
        abort(a)
        seen.append((p, held, free))
        check(held == "EADDRINUSE", "cycle %d: Linux bind() to the live "
              "connection's port %d: %s" % (i, p, held))
        check(free == "OK", "cycle %d: Linux bind() to port %d right after "
              "close(): %s" % (i, p, free))
    r1, pooled, live1 = counters()
    print("# reused %d of 60, pooled %d, live_portres %d -> %d, created %d"
          % (r1 - r0, pooled, live0, live1, stats()["PortresCreated"]))
    # each reservation is taken from the pool or made on the spot
    check(r1 - r0 >= 58, "only %d of 60 reservations from the pool"
          % (r1 - r0))
    check(1 <= pooled <= POOL, "%d reservations pooled" % pooled)
    check(live1 == live0, "live_portres %d, was %d" % (live1, live0))
    # an explicit bind() takes a pooled reservation too, and holds
    b = mytcp_socket(blocking=True)
    b.bind((loop(), 9301))
    check(linux_bind(9301) == "EADDRINUSE", "a bound mytcp socket's port "
          "is free for Linux")
    check(stats()["PortresReused"] > r1, "bind() made a new reservation")
    b.close()
    check(linux_bind(9301) == "OK", "port 9301 still held after close()")
    ls.close()


def case_beyond_pool(_peer):
    """100 connections held then aborted at once: the pool keeps 64, the
    rest are released; all ports are free, live_portres is back."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    ls = listener(9310)
    n = POOL + 36
    for rnd in range(2):
        r0, _, live0 = counters()
        cs, acc = [], []
        for _ in range(n):
            c = mytcp_socket(blocking=True)
            c.connect((loop(), 9310))
            cs.append(c)
            acc.append(ls.accept()[0])
        ports = [c.getsockname()[1] for c in cs]
        check(stats()["live_portres"] - live0 == n, "live_portres %d for "
              "%d connections" % (stats()["live_portres"] - live0, n))
        busy = [p for p in ports[:10] if linux_bind(p) != "EADDRINUSE"]
        check(not busy, "ports not held in Linux's table: %r" % busy)
        for c in cs:
            abort(c)
        for a in acc:
            abort(a)
        free = [p for p in ports if linux_bind(p) != "OK"]
        check(not free, "ports still held after close(): %r" % free[:10])
        r1, pooled, live1 = counters()
        print("# round %d: reused %d of %d, pooled %d, live_portres %d -> %d"
              % (rnd, r1 - r0, n, pooled, live0, live1))
        check(live1 == live0, "live_portres %d, was %d" % (live1, live0))
        # 100 came back: the pool is full, the rest were released
        check(pooled == POOL, "%d pooled after %d closes, bound %d"
              % (pooled, n, POOL))
        if rnd:
            # round 0 left a full pool
            check(r1 - r0 >= POOL, "round 1 reused %d, pool %d"
                  % (r1 - r0, POOL))
    ls.close()


run_cases([
    ("60 sequential connections: ports held while live, free at close(), "
     "reservations reused", case_cycles),
    ("100 connections at once: 64 pooled, the rest released, all ports "
     "free", case_beyond_pool),
], families=(4, 6))
