#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Ephemeral ports per 4-tuple (issue 20, Documentation/design.rst
# "Ephemeral ports"): connect() reuses a local port for distinct
# destinations as Linux's __inet_hash_connect() does, the connections on
# one port share one reservation in Linux's table (released with the last
# one), and TIME_WAIT 4-tuples are reused as net.mytcp.tw_reuse says
# (Linux's tcp_tw_reuse).  Every case runs the same steps on Linux TCP
# (same number of ports in ip_local_port_range) and compares.
#
# Environment: MYTCP_KO, MYTCP_CASES (tcp_peer.py).

import errno
import os
import select
import socket
import struct
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
from tcp_peer import check, mytcp_socket, run_cases, stats, sysctl

NPORTS = 100
MYTCP_REUSEPORT = 201       # uapi/mytcp.h: SO_REUSEPORT at IPPROTO_TCP
SO_REUSEPORT = getattr(socket, "SO_REUSEPORT", 15)


def try_call(fn):
    try:
        fn()
        return "OK"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))


def mysock():
    return mytcp_socket(blocking=True)


def lxsock():
    return socket.socket(socket.AF_INET, socket.SOCK_STREAM)


def linux_bind(addr):
    s = lxsock()
    try:
        return try_call(lambda: s.bind(addr))
    finally:
        s.close()


def set_range(mytcp, lo, hi):
    if mytcp:
        # low > high is refused: move the end that keeps them ordered
        if lo > sysctl("ephemeral_high"):
            sysctl("ephemeral_high", hi)
            sysctl("ephemeral_low", lo)
        else:
            sysctl("ephemeral_low", lo)
            sysctl("ephemeral_high", hi)
    else:
        with open("/proc/sys/net/ipv4/ip_local_port_range", "w") as f:
            f.write("%d %d" % (lo, hi))


def abort(s):
    """close() with RST: no TIME_WAIT keeps the port."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def per_tuple(mytcp, lo, sport0):
    """NPORTS ports, 3 destinations: 3 * NPORTS connections, then one
    more to a full destination.  Returns what was seen."""
    mk = mysock if mytcp else lxsock
    set_range(mytcp, lo, lo + NPORTS - 1)
    base = stats()["live_portres"]
    lss = []
    for i in range(3):
        ls = mk()
        ls.bind(("127.0.0.1", sport0 + i))
        ls.listen(NPORTS + 10)
        lss.append(ls)
    cs = {0: [], 1: [], 2: []}
    errs = []
    for i in range(3):
        for _ in range(NPORTS):
            c = mk()
            r = try_call(lambda c=c, i=i: c.connect(("127.0.0.1",
                                                    sport0 + i)))
            if r != "OK":
                errs.append(r)
                c.close()
                continue
            cs[i].append(c)
    extra = mk()
    r_extra = try_call(lambda: extra.connect(("127.0.0.1", sport0)))
    extra.close()
    accepted = []
    for ls in lss:
        ls.settimeout(5)
        for _ in range(NPORTS):
            try:
                a, _ = ls.accept()
            except OSError:
                break
            accepted.append(a)
    ports = set(c.getsockname()[1] for i in cs for c in cs[i])
    res = {"errs": errs, "extra": r_extra, "nports": len(ports),
           "in_range": all(lo <= p < lo + NPORTS for p in ports),
           "accepted": len(accepted)}
    if mytcp:
        # one reservation per (address, port): listeners + NPORTS
        res["portres"] = stats()["live_portres"] - base
    # a port three connections share: Linux's bind() answer, then free
    # once the last of the three is gone
    p = cs[0][0].getsockname()[1]
    users = [c for i in cs for c in cs[i] if c.getsockname()[1] == p]
    res["users"] = len(users)
    res["bind_shared"] = linux_bind(("127.0.0.1", p))
    for c in users[:-1]:
        abort(c)
    res["bind_one_left"] = linux_bind(("127.0.0.1", p))
    abort(users[-1])
    deadline = time.monotonic() + 10
    while linux_bind(("127.0.0.1", p)) != "OK" and \
            time.monotonic() < deadline:
        time.sleep(0.05)
    res["bind_after"] = linux_bind(("127.0.0.1", p))
    for c in [c for i in cs for c in cs[i] if c.fileno() >= 0] + accepted:
        abort(c)
    for ls in lss:
        ls.close()
    if mytcp:
        deadline = time.monotonic() + 30
        while stats()["live_portres"] != base and \
                time.monotonic() < deadline:
            time.sleep(0.1)
        res["portres_end"] = stats()["live_portres"] - base
    return res


def case_per_tuple(_peer):
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    my = per_tuple(True, 40000, 9100)
    lx = per_tuple(False, 41000, 9200)
    print("# mytcp: %r" % my)
    print("# Linux: %r" % lx)
    check(my["errs"] == [], "mytcp: connect errors %r" % my["errs"])
    check(my["extra"] == "EADDRNOTAVAIL", "mytcp: a connection beyond the "
          "range to a full destination: %s" % my["extra"])
    check(my["nports"] == NPORTS and my["in_range"], "mytcp ports")
    check(my["portres"] == NPORTS + 3, "mytcp: %d reservations for %d "
          "ports and 3 listeners" % (my["portres"], NPORTS))
    check(my["portres_end"] == 0, "mytcp: reservations left")
    for k in ("errs", "extra", "nports", "in_range", "users",
              "bind_shared", "bind_one_left", "bind_after", "accepted"):
        check(my[k] == lx[k], "%s: mytcp %r, Linux %r" % (k, my[k], lx[k]))


def tw_reuse(mytcp, mode, addr, lo, sport, dev=None):
    """Two ports, both in TIME_WAIT to addr:sport; a third connect.  dev:
    the clients are bound to that device (SO_BINDTODEVICE)."""
    def mk():
        s = (mysock if mytcp else lxsock)()
        if dev:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE,
                         dev.encode())
        return s
    set_range(mytcp, lo, lo + 1)
    if mytcp:
        sysctl("tw_reuse", mode)
    else:
        with open("/proc/sys/net/ipv4/tcp_tw_reuse", "w") as f:
            f.write(str(mode))
    ls = mk()
    ls.bind((addr, sport))
    ls.listen(8)
    ls.settimeout(5)
    for _ in range(2):
        c = mk()
        c.connect((addr, sport))
        a, _ = ls.accept()
        c.close()               # active close: TIME_WAIT here
        a.settimeout(5)
        a.recv(10)
        a.close()
    time.sleep(2.2)             # Linux: a second after the last TS
    c = mk()
    r = try_call(lambda: c.connect((addr, sport)))
    if r == "OK":
        a, _ = ls.accept()
        a.settimeout(5)
        c.settimeout(5)
        c.sendall(b"ping")
        r = "OK" if a.recv(10) == b"ping" else "no data"
        a.close()
    c.close()
    ls.close()
    return r


def case_tw_reuse(_peer):
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["ip", "addr", "add", "10.9.9.1/32", "dev", "lo"],
                   check=True)
    port = 9300
    # tw_reuse 2 takes loopback addresses, or an entry bound to lo (its
    # device is kept: Linux's tw_bound_dev_if == LOOPBACK_IFINDEX)
    for addr, dev in (("127.0.0.1", None), ("10.9.9.1", None),
                      ("10.9.9.1", "lo")):
        for mode in (0, 1, 2):
            port += 1
            my = tw_reuse(True, mode, addr, 40100 + 2 * (port - 9300), port,
                          dev)
            lx = tw_reuse(False, mode, addr, 41100 + 2 * (port - 9300),
                          port + 100, dev)
            what = "%s%s tw_reuse=%d" % (addr, " dev " + dev if dev else "",
                                         mode)
            print("# %s: mytcp %s, Linux %s" % (what, my, lx))
            check(my == lx, "%s: mytcp %s, Linux %s" % (what, my, lx))


def reuseport_sock(mytcp):
    if mytcp:
        s = mysock()
        s.setsockopt(socket.IPPROTO_TCP, MYTCP_REUSEPORT, 1)
    else:
        s = lxsock()
        s.setsockopt(socket.SOL_SOCKET, SO_REUSEPORT, 1)
    return s


def listener_lookup(mytcp, port, nconn):
    """nconn children then TIME_WAIT entries on the port, then which
    listener (exact, wildcard, reuseport group) takes new connections."""
    mk = mysock if mytcp else lxsock
    ex = reuseport_sock(mytcp)
    ex.bind(("127.0.0.1", port))
    ex.listen(64)
    wc = reuseport_sock(mytcp)
    wc.bind(("0.0.0.0", port))
    wc.listen(64)
    ex.settimeout(5)
    wc.settimeout(5)
    for _ in range(nconn):
        c = mk()
        c.connect(("127.0.0.1", port))
        a, _ = ex.accept()
        a.close()               # the server closes first: TIME_WAIT
        c.settimeout(5)
        c.recv(10)
        c.close()

    def which(addr, lss):
        c = mk()
        r = try_call(lambda: c.connect((addr, port)))
        if r != "OK":
            c.close()
            return r
        got = "none"
        ready, _, _ = select.select(lss, [], [], 5)
        if ready:
            got = lss.index(ready[0])
            a, _ = ready[0].accept()
            a.close()
        c.close()
        return got

    time.sleep(0.2)
    res = {"lo": which("127.0.0.1", [ex, wc]),
           "other": which("10.9.9.1", [ex, wc])}
    ex2 = reuseport_sock(mytcp)
    ex2.bind(("127.0.0.1", port))
    ex2.listen(64)
    spread = [0, 0, 0]
    for _ in range(20):
        w = which("127.0.0.1", [ex, ex2, wc])
        if isinstance(w, int):
            spread[w] += 1
    res["group_total"] = sum(spread)
    res["group_both"] = spread[0] > 0 and spread[1] > 0
    res["group_wildcard"] = spread[2]
    wc.close()
    res["other_closed"] = which("10.9.9.1", [ex, ex2])
    ex.close()
    ex2.close()
    return res


def case_listener_lookup(_peer):
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["ip", "addr", "add", "10.9.9.1/32", "dev", "lo"],
                   check=True)
    my = listener_lookup(True, 9400, 400)
    lx = listener_lookup(False, 9500, 400)
    print("# mytcp: %r" % my)
    print("# Linux: %r" % lx)
    check(my["lo"] == 0 and my["other"] == 1, "mytcp exact/wildcard")
    check(my["group_total"] == 20 and my["group_both"] and
          my["group_wildcard"] == 0, "mytcp reuseport group")
    check(my == lx, "mytcp %r, Linux %r" % (my, lx))


def port_walk(mytcp, sport0, n):
    """n connects each to two listeners, alternating; the local ports."""
    mk = mysock if mytcp else lxsock
    set_range(mytcp, 20000, 29999)
    lss = []
    for i in range(2):
        ls = mk()
        ls.bind(("127.0.0.1", sport0 + i))
        ls.listen(2 * n)
        lss.append(ls)
    cs = []
    ports = ([], [])
    for _ in range(n):
        for i in range(2):
            c = mk()
            c.connect(("127.0.0.1", sport0 + i))
            ports[i].append(c.getsockname()[1])
            cs.append(c)
    for c in cs:
        abort(c)
    for ls in lss:
        ls.close()
    return ports


def case_port_walk(_peer):
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    for mytcp, sport0 in ((True, 9600), (False, 9700)):
        a, b = port_walk(mytcp, sport0, 12)
        name = "mytcp" if mytcp else "Linux"
        print("# %s: to :%d %r" % (name, sport0, a))
        print("# %s: to :%d %r" % (name, sport0 + 1, b))
        # RFC 6056 alg. 3 with a global counter (mytcp before): the two
        # destinations' ports kept one distance, a fingerprint of the host
        dist = set((y - x) % 10000 for x, y in zip(a, b))
        check(len(dist) > 1, "%s: the two destinations' ports keep one "
              "distance %r" % (name, dist))
        check(all(20000 <= p <= 29999 for p in a + b), "%s: a port "
              "outside ip_local_port_range" % name)
        check(len(set(a)) == len(a) and len(set(b)) == len(b),
              "%s: a port used twice for one destination" % name)


run_cases([
    ("ephemeral ports per 4-tuple: 3 x range connections, one reservation "
     "per port, against Linux", case_per_tuple),
    ("TIME_WAIT reuse per tw_reuse (0, 1, 2; loopback or not) against "
     "Linux", case_tw_reuse),
    ("listener lookup (exact, wildcard, reuseport group) beside 400 "
     "TIME_WAIT entries on the port, against Linux", case_listener_lookup),
    ("ephemeral ports to two destinations keep no fixed distance (RFC 6056 "
     "alg. 3 with a keyed PRF and perturbation), as Linux", case_port_walk),
])
