#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Early demux (demux.c): a connection's segments that arrive over veth get
# the socket's cached input route at PRE_ROUTING and skip Linux's route
# lookup, as Linux TCP's do (tcp_v4_early_demux(), tcp_v6_early_demux()).
# The case's namespace C is a client; S, a named namespace joined to it by
# veth, runs an echo server ("early_demux.py serve ...").  Every case runs
# with mytcp on both ends and with Linux TCP on both ends, and checks the
# same delivery for both; EarlyDemux (/proc/net/mytcp_stat of C) counts
# the segments mytcp routed by the cached route:
#
#  - echoes over veth are early-demuxed (EarlyDemux rises with them);
#    net.ipv4.ip_early_demux=0 or tcp_early_demux=0 stops it, as Linux's;
#  - a route change (a route added: the namespace's generation moves)
#    makes dst_check() refuse the cached route: the segment is routed,
#    delivered, and the new route cached;
#  - C's address deleted under the connection (IPv4 and IPv6): the
#    server's echo reaches C (S's neighbour entry pinned) and C's routing
#    refuses it (InAddrErrors, Ip6InNoRoutes: not C's address; a stale
#    cached route would deliver it), and C has taken nothing; with the
#    address back the retransmitted echo is taken, once;
#  - the echo moved to a second veth (a host route in S) while C has
#    rp_filter=1: the cached route is of the first interface, so the
#    segment is routed and rp_filter drops it (IPReversePathFilter; a
#    demux that ignored the interface would deliver it); rp_filter off:
#    the retransmission is delivered, the new
#    interface's route cached and used; moved back: the same again.
#
# Environment: MYTCP_KO, MYTCP_CASES (tcp_peer.py).

import os
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))

# pylint: disable=wrong-import-position
from tcp_peer import check, diag, run_cases, stats  # noqa

FAMILY_PARAM = "/sys/module/mytcp/parameters/family"
NS = "edS"
TIMEOUT = 60
KINDS = ("mytcp", "inet")


def fam():
    try:
        with open(FAMILY_PARAM) as f:
            return int(f.read())
    except OSError:
        return 19


def sock(kind, v6):
    af = socket.AF_INET6 if v6 else socket.AF_INET
    if kind == "inet":
        return socket.socket(af, socket.SOCK_STREAM)
    fd = socket.socket(fam(), socket.SOCK_STREAM).detach()
    return socket.socket(af, socket.SOCK_STREAM, 0, fileno=fd)


def serve(kind, addr, port):
    """Echo server: one connection; a message starting with 'd' is echoed
    after 3 s (the client changes its routes meanwhile)."""
    ls = sock(kind, ":" in addr)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(1)
    print("ready", flush=True)
    c, _ = ls.accept()
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while True:
        b = c.recv(4096)
        if not b:
            break
        if b.startswith(b"d"):
            time.sleep(3)
        c.sendall(b)
    c.close()
    ls.close()
    print("ok", flush=True)


def run(*cmd):
    subprocess.run(list(cmd), check=True, stdout=subprocess.DEVNULL)


def sysctl_w(path, value):
    with open("/proc/sys/" + path, "w") as f:
        f.write(str(value))


def setup(v6=False):
    """C: c1 (10.0.1.1, fd00::1), c2 (10.0.2.1); S: s1 (10.0.1.2,
    fd00::2), s2 (10.0.2.2).  Returns S's address on s1."""
    subprocess.run(["ip", "netns", "del", NS], stderr=subprocess.DEVNULL)
    run("ip", "netns", "add", NS)
    run("ip", "-n", NS, "link", "set", "lo", "up")
    run("ip", "link", "set", "lo", "up")
    for i in (1, 2):
        run("ip", "link", "add", "c%d" % i, "type", "veth", "peer", "name",
            "s%d" % i, "netns", NS)
        run("ip", "addr", "add", "10.0.%d.1/24" % i, "dev", "c%d" % i)
        run("ip", "-n", NS, "addr", "add", "10.0.%d.2/24" % i, "dev",
            "s%d" % i)
    if v6:
        for p in ("all", "default", "lo", "c1", "c2"):
            sysctl_w("net/ipv6/conf/%s/disable_ipv6" % p, 0)
        run("ip", "addr", "add", "fd00::1/64", "dev", "c1", "nodad")
        run("ip", "-n", NS, "addr", "add", "fd00::2/64", "dev", "s1",
            "nodad")
    for i in (1, 2):
        run("ip", "link", "set", "c%d" % i, "up")
        run("ip", "-n", NS, "link", "set", "s%d" % i, "up")
    addr = "fd00::2" if v6 else "10.0.1.2"
    for _ in range(50):
        if subprocess.run(["ping", "-c", "1", "-W", "1", addr],
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0:
            return addr
        time.sleep(0.2)
    raise AssertionError("no ping to %s" % addr)


SERVERS = []


def teardown():
    """S's servers (a failed case leaves one) and S."""
    for p in SERVERS:
        if p.poll() is None:
            p.kill()
            p.wait()
    subprocess.run(["ip", "netns", "del", NS], stderr=subprocess.DEVNULL)


class Conn:
    """A client of kind in C connected to S's echo server."""

    def __init__(self, kind, addr, port):
        self.kind = kind
        cmd = ["ip", "netns", "exec", NS, sys.executable,
               os.path.abspath(__file__), "serve", kind, addr, str(port)]
        self.srv = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        SERVERS.append(self.srv)
        line = self.srv.stdout.readline().strip()
        check(line == "ready", "server did not start: %r" % line)
        self.s = sock(kind, ":" in addr)
        self.s.settimeout(TIMEOUT)
        self.s.connect((addr, port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def echo(self, msg, n=1):
        for i in range(n):
            m = msg + b"%d" % i
            self.s.sendall(m)
            self.expect(m)

    def expect(self, m):
        got = b""
        self.s.settimeout(TIMEOUT)
        while len(got) < len(m):
            b = self.s.recv(len(m) - len(got))
            check(b, "%s: connection closed waiting for %r" % (self.kind, m))
            got += b
        check(got == m, "%s: echo %r, want %r" % (self.kind, got, m))

    def nothing(self):
        self.s.setblocking(False)
        try:
            b = self.s.recv(100)
        except BlockingIOError:
            b = None
        self.s.setblocking(True)
        check(b is None, "%s: took %r while it should not" % (self.kind, b))

    def close(self):
        self.s.close()
        out = self.srv.stdout.read()
        rc = self.srv.wait(TIMEOUT)
        check(rc == 0 and "ok" in out, "server: rc %d, %r" % (rc, out))


def snmp(name):
    """A counter of C's /proc/net/snmp, snmp6 or netstat, by name."""
    with open("/proc/net/snmp6") as f:
        for ln in f:
            k, v = ln.split()
            if k == name:
                return int(v)
    for path in ("/proc/net/snmp", "/proc/net/netstat"):
        with open(path) as f:
            lines = [ln.split() for ln in f]
        for keys, vals in zip(lines[0::2], lines[1::2]):
            if name in keys[1:]:
                return int(vals[keys.index(name)])
    raise AssertionError("no counter " + name)


def refused(names):
    return sum(snmp(n) for n in names)


def wait_refused(kind, names, base):
    """C's routing refused a segment (one of the counters names moved):
    the echo that C must not take reached it."""
    deadline = time.monotonic() + TIMEOUT
    while refused(names) <= base:
        check(time.monotonic() < deadline,
              "%s: %s did not move in %ds" % (kind, "/".join(names),
                                               TIMEOUT))
        time.sleep(0.2)


def pin_neigh(addr, cdev, sdev):
    """S's neighbour entry for C's addr: C's cdev, for good (C answers no
    ARP or ND for an address it does not have, or with rp_filter on)."""
    out = subprocess.run(["ip", "-o", "link", "show", "dev", cdev],
                         check=True, stdout=subprocess.PIPE,
                         text=True).stdout.split()
    mac = out[out.index("link/ether") + 1]
    run("ip", "-n", NS, "neigh", "replace", addr, "lladdr", mac, "dev",
        sdev, "nud", "permanent")


def demuxed():
    return stats()["EarlyDemux"]


def count_check(kind, before, lo, what):
    """mytcp: EarlyDemux moved by at least lo (0: not at all)."""
    if kind != "mytcp":
        return
    d = demuxed() - before
    if lo:
        check(d >= lo, "%s: EarlyDemux moved %d, want >= %d" % (what, d, lo))
    else:
        check(d == 0, "%s: EarlyDemux moved %d, want 0" % (what, d))
    diag("%s: EarlyDemux +%d" % (what, d))


def case_echo_sysctl(_peer):
    """Echoes over veth are early-demuxed; ip_early_demux=0 and
    tcp_early_demux=0 each turn it off; a route added (a new generation)
    makes the cached route stale: routed, cached again."""
    addr = setup()
    try:
        for port, kind in enumerate(KINDS, 7001):
            c = Conn(kind, addr, port)
            c.echo(b"warm", 2)
            base = demuxed()
            c.echo(b"x", 20)
            count_check(kind, base, 18, "20 echoes")
            for knob in ("ip_early_demux", "tcp_early_demux"):
                sysctl_w("net/ipv4/" + knob, 0)
                base = demuxed()
                c.echo(b"off", 10)
                count_check(kind, base, 0, knob + "=0, 10 echoes")
                sysctl_w("net/ipv4/" + knob, 1)
            # A route added: rt_cache_flush(), every cached route stale.
            run("ip", "route", "add", "192.0.2.0/24", "dev", "c2")
            base = demuxed()
            c.echo(b"gen", 10)
            count_check(kind, base, 8, "route added, 10 echoes")
            run("ip", "route", "del", "192.0.2.0/24", "dev", "c2")
            c.close()
    finally:
        teardown()


def addr_gone(v6):
    addr = setup(v6)
    mine, plen = ("fd00::1", "64") if v6 else ("10.0.1.1", "24")
    extra = ["nodad"] if v6 else []
    # Not this host's address, its prefix route gone with it: ip_error()
    # (no forwarding: InAddrErrors), ip6_pkt_discard() (Ip6InNoRoutes)
    names = (["Ip6InAddrErrors", "Ip6InNoRoutes"] if v6 else
             ["InAddrErrors", "InNoRoutes"])
    try:
        for port, kind in enumerate(KINDS, 7101):
            c = Conn(kind, addr, port)
            c.echo(b"warm", 10)
            base = demuxed()
            c.echo(b"x", 5)
            count_check(kind, base, 4, "before")
            pin_neigh(mine, "c1", "s1")
            r = refused(names)
            c.s.sendall(b"dA")
            # S echoes in 3 s: C's address is gone by then.
            run("ip", "addr", "del", mine + "/" + plen, "dev", "c1")
            wait_refused(kind, names, r)
            c.nothing()
            run(*(["ip", "addr", "add", mine + "/" + plen, "dev", "c1"] +
                  extra))
            c.expect(b"dA")
            c.echo(b"back", 5)
            c.close()
            diag("%s: the echo to a deleted address not taken; taken "
                 "once it was back" % kind)
    finally:
        teardown()


def case_addr_gone(_peer):
    """C's address deleted under the connection: the echo that arrives
    is not taken (routing drops it), then taken once with the address
    back."""
    addr_gone(False)


def case_addr_gone6(_peer):
    """The same over IPv6 (fd00::1 deleted: the fib's serial moves)."""
    addr_gone(True)


def case_other_dev(_peer):
    """The echo moved to another interface: with rp_filter=1 the cached
    route (of c1) is not used and the segment is dropped as Linux drops
    it; rp_filter=0: taken, c2's route cached and used; back on c1: the
    same."""
    addr = setup()
    try:
        for port, kind in enumerate(KINDS, 7201):
            c = Conn(kind, addr, port)
            c.echo(b"warm", 5)
            sysctl_w("net/ipv4/conf/all/rp_filter", 1)
            sysctl_w("net/ipv4/conf/c2/rp_filter", 1)
            pin_neigh("10.0.1.1", "c2", "s2")
            run("ip", "-n", NS, "route", "add", "10.0.1.1/32", "dev", "s2")
            r = refused(["IPReversePathFilter"])
            c.s.sendall(b"dB")
            wait_refused(kind, ["IPReversePathFilter"], r)
            c.nothing()
            sysctl_w("net/ipv4/conf/all/rp_filter", 0)
            sysctl_w("net/ipv4/conf/c2/rp_filter", 0)
            c.expect(b"dB")
            base = demuxed()
            c.echo(b"c2-", 10)
            count_check(kind, base, 8, "on c2, 10 echoes")
            run("ip", "-n", NS, "route", "del", "10.0.1.1/32", "dev", "s2")
            base = demuxed()
            c.echo(b"c1-", 10)
            count_check(kind, base, 8, "back on c1, 10 echoes")
            c.close()
            diag("%s: rp_filter dropped the echo on the other interface"
                 % kind)
    finally:
        sysctl_w("net/ipv4/conf/all/rp_filter", 0)
        teardown()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(*sys.argv[2:5])
        sys.exit(0)
    run_cases([
        ("echoes over veth early-demuxed; ip_early_demux, tcp_early_demux "
         "off stop it; a new route generation: routed, cached again",
         case_echo_sysctl),
        ("C's IPv4 address deleted: the echo is not taken, then taken "
         "once with the address back (mytcp and Linux)", case_addr_gone),
        ("C's IPv6 address deleted: the same", case_addr_gone6),
        ("the echo on another interface: rp_filter drops it as Linux; "
         "then the new interface's route is cached and used",
         case_other_dev),
    ])
