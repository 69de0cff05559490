#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# IPv6 (issue 17): a mytcp socket bound or connected with a sockaddr_in6
# behaves as an AF_INET6 TCP socket.  Byte-exact transfers over IPv6 on lo
# and over veth between two namespaces, mytcp <-> mytcp and with Linux TCP
# (AF_INET6) in both roles; sockaddr_in6 from getsockname/getpeername/
# accept; a dual-stack listener on [::] takes IPv4 clients (mytcp and
# Linux) as ::ffff:a.b.c.d and IPV6_V6ONLY (or net.ipv6.bindv6only)
# refuses them; link-local with a scope id; IPV6_TCLASS on the wire; the
# port space shared with Linux for IPv6 with the v4-mapped/v6only rules;
# ICMPv6 packet-too-big through a 1280-byte link (PMTU); hostile IPv6
# segments (bad checksum, v4-mapped addresses) are not taken; a listener
# bound to a device (link-local scope id, SO_BINDTODEVICE) takes no SYN
# from another interface; AH and routing headers with segments left are
# Linux's; automatic flow labels; a failed connect() keeps no source;
# a transfer through netem loss, reordering and delay over IPv6.  The
# scripted-peer cases use tcp_peer.py's IPv6 mode on a second tun.
#
# Each case runs in its own network namespace (tcp_peer.run_cases); the
# veth cases add named namespaces and run the far side there as
# "ipv6.py serve ..." under ip netns exec.
#
# Environment: MYTCP_KO, MYTCP_CASES (tcp_peer.py).

import errno
import os
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))

IPV6_V6ONLY = 26
IPV6_TCLASS = 67
FAMILY_PARAM = "/sys/module/mytcp/parameters/family"
TIMEOUT = 60


def fam():
    try:
        with open(FAMILY_PARAM) as f:
            return int(f.read())
    except OSError:
        return 19


def sock(kind, v6=True):
    """kind 'mytcp' or 'inet': a socket addressed as AF_INET6 (v6) or
    AF_INET."""
    af = socket.AF_INET6 if v6 else socket.AF_INET
    if kind == "inet":
        return socket.socket(af, socket.SOCK_STREAM)
    fd = socket.socket(fam(), socket.SOCK_STREAM).detach()
    return socket.socket(af, socket.SOCK_STREAM, 0, fileno=fd)


def pattern(n, salt=0):
    block = bytes((i * 7 + salt) & 0xff for i in range(251))
    return (block * (n // 251 + 1))[:n]


def recv_n(s, n):
    buf = bytearray()
    while len(buf) < n:
        b = s.recv(min(1 << 20, n - len(buf)))
        if not b:
            break
        buf += b
    return bytes(buf)


def serve(kind, addr, port, n, v6only=None, once_addr=None):
    """Listen on (addr, port), take one connection: read n bytes (pattern
    0), then send n bytes (pattern 1) and close.  Prints 'ready', then the
    peer address, then 'ok' or an error."""
    s = sock(kind, ":" in addr)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_V6ONLY, v6only)
    s.bind((addr, port) if ":" not in addr else (addr, port, 0,
                                                   once_addr or 0))
    s.listen(4)
    print("ready", flush=True)
    s.settimeout(TIMEOUT)
    c, peer = s.accept()
    c.settimeout(TIMEOUT)
    print("peer %s %s" % (peer[0], c.getsockname()[0]), flush=True)
    got = recv_n(c, n)
    if got != pattern(n):
        print("bad data: %d of %d bytes" % (len(got), n), flush=True)
        return 1
    c.sendall(pattern(n, 1))
    c.close()
    s.close()
    print("ok", flush=True)
    return 0


def client(kind, addr, n, v6=True):
    """Connect, send n bytes, half-close, read n bytes to EOF."""
    c = sock(kind, v6)
    c.settimeout(TIMEOUT)
    c.connect(addr)
    name, peer = c.getsockname(), c.getpeername()
    c.sendall(pattern(n))
    c.shutdown(socket.SHUT_WR)
    got = recv_n(c, n + 1)
    c.close()
    return got == pattern(n, 1), name, peer, len(got)


def hold_linux(addr, port, scope):
    """A Linux server's connection outlives its listener; then a mytcp
    listener takes the port under SO_REUSEADDR (Linux allows it): the
    Linux connection's segments must stay Linux's.  Echoes one message
    upper-cased on the Linux connection."""
    l = sock("inet", True)
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind((addr, port, 0, scope))
    l.listen(1)
    print("ready", flush=True)
    l.settimeout(TIMEOUT)
    c, _ = l.accept()
    c.settimeout(TIMEOUT)
    l.close()
    m = sock("mytcp", True)
    m.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    m.bind(("::", port))
    m.listen(1)
    print("mytcp listening", flush=True)
    data = c.recv(100)
    c.sendall(data.upper())
    c.close()
    m.close()
    print("ok", flush=True)
    return 0


if len(sys.argv) > 1 and sys.argv[1] == "hold":
    sys.exit(hold_linux(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
if len(sys.argv) > 1 and sys.argv[1] == "serve":
    a = sys.argv[2:]
    sys.exit(serve(a[0], a[1], int(a[2]), int(a[3]),
                   None if a[4] == "-" else int(a[4]),
                   int(a[5]) if len(a) > 5 else None))

# pylint: disable=wrong-import-position
import tcp_peer  # noqa
from tcp_peer import (ACK, FIN, RST, SYN, Peer, Skip, check, diag,  # noqa
                      opt_mss, run_cases, stats, sysctl)


def ipv6_on():
    """run_cases' namespaces have IPv6 off: on again, lo up."""
    for p in ("all", "default", "lo"):
        with open("/proc/sys/net/ipv6/conf/%s/disable_ipv6" % p, "w") as f:
            f.write("0")
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    sysctl("rto_min_ms", 200)
    sysctl("rto_initial_ms", 1000)


def run(*cmd):
    subprocess.run(list(cmd), check=True, stdout=subprocess.DEVNULL)


def start_server(kind, addr, port, n, ns=None, v6only=None, scope=None):
    cmd = [sys.executable, os.path.abspath(__file__), "serve", kind, addr,
           str(port), str(n), "-" if v6only is None else str(v6only)]
    if scope:
        cmd.append(str(scope))
    if ns:
        cmd = ["ip", "netns", "exec", ns] + cmd
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline().strip()
    check(line == "ready", "server did not start: %r" % line)
    return p


def finish_server(p):
    out = p.stdout.read()
    rc = p.wait(TIMEOUT)
    check(rc == 0 and "ok" in out, "server: rc %d, %r" % (rc, out))
    peer = [ln.split() for ln in out.splitlines() if ln.startswith("peer")]
    return peer[0][1:] if peer else None


def dump_state(ns):
    """What both ends hold, when a transfer failed."""
    cmds = [["cat", "/proc/net/mytcp6"], ["cat", "/proc/net/mytcp_stat"],
            ["ss", "-tin"], ["ip", "-s", "link"]]
    if ns:
        cmds += [["ip", "netns", "exec", ns] + c for c in cmds]
    for c in cmds:
        out = subprocess.run(c, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True).stdout
        diag("$ %s\n%s" % (" ".join(c), out.strip()))


def xfer(ckind, skind, saddr, port, n, ns=None, caddr=None):
    p = start_server(skind, saddr, port, n, ns)
    try:
        ok, name, peer, got = client(ckind, caddr or (saddr, port), n)
    except OSError:
        dump_state(ns)
        raise
    srv = finish_server(p)
    check(ok, "client got %d of %d bytes, or not the same" % (got, n))
    return name, peer, srv


# ---------------------------------------------------------------- cases

def case_lo_pairs(_peer):
    ipv6_on()
    port = 6000
    for ck, sk in (("mytcp", "mytcp"), ("mytcp", "inet"),
                   ("inet", "mytcp")):
        port += 1
        name, peer, srv = xfer(ck, sk, "::1", port, 1 << 20)
        check(len(name) == 4 and name[0] == "::1", "getsockname %r" % (name,))
        check(peer[:2] == ("::1", port), "getpeername %r" % (peer,))
        check(srv and srv[0] == "::1", "accept's peer %r" % (srv,))
        diag("%s -> %s over ::1: 1 MiB each way" % (ck, sk))


def case_dual_stack(_peer):
    ipv6_on()
    # mytcp [::] listener: IPv4 clients (mytcp, Linux) are v4-mapped
    for port, ck in ((6101, "mytcp"), (6102, "inet")):
        p = start_server("mytcp", "::", port, 4096)
        ok, name, peer, _ = client(ck, ("127.0.0.1", port), 4096, v6=False)
        srv = finish_server(p)
        check(ok, "%s IPv4 client transfer" % ck)
        check(srv == ["::ffff:127.0.0.1", "::ffff:127.0.0.1"],
              "%s client seen as %r" % (ck, srv))
    # a mytcp IPv6 socket connecting to ::ffff:127.0.0.1 speaks IPv4
    p = start_server("inet", "0.0.0.0", 6103, 4096, v6only=None)
    ok, name, peer, _ = client("mytcp", ("::ffff:127.0.0.1", 6103), 4096)
    finish_server(p)
    check(ok and peer[0] == "::ffff:127.0.0.1" and
          name[0] == "::ffff:127.0.0.1", "v4-mapped connect %r %r" %
          (name, peer))
    # IPV6_V6ONLY: IPv4 clients refused, for mytcp as for Linux
    for port, sk in ((6104, "mytcp"), (6105, "inet")):
        s = sock(sk)
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_V6ONLY, 1)
        s.bind(("::", port))
        s.listen(4)
        c = sock("mytcp", v6=False)
        c.settimeout(10)
        e = c.connect_ex(("127.0.0.1", port))
        check(e == errno.ECONNREFUSED, "%s v6only: IPv4 connect %s" %
              (sk, errno.errorcode.get(e, e)))
        c.close()
        c = sock("mytcp")
        c.settimeout(10)
        check(c.connect_ex(("::1", port)) == 0, "v6only: IPv6 connect")
        c.close()
        s.close()
        time.sleep(0.2)
    # v6only socket: connect to a v4-mapped address fails as Linux's
    for sk in ("mytcp", "inet"):
        s = sock(sk)
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_V6ONLY, 1)
        e = s.connect_ex(("::ffff:127.0.0.1", 6101))
        check(e == errno.ENETUNREACH, "%s v6only mapped connect: %s" %
              (sk, errno.errorcode.get(e, e)))
        s.close()
    # net.ipv6.bindv6only is the default of new sockets
    with open("/proc/sys/net/ipv6/bindv6only", "w") as f:
        f.write("1")
    for sk in ("mytcp", "inet"):
        s = sock(sk)
        v = s.getsockopt(socket.IPPROTO_IPV6, IPV6_V6ONLY)
        check(v == 1, "%s: bindv6only=1 gives V6ONLY %d" % (sk, v))
        s.close()


def bind_result(kind, addr, v6only=None, listen=True):
    s = sock(kind, ":" in addr[0])
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_V6ONLY, v6only)
    try:
        s.bind(addr)
        if listen:
            s.listen(1)
        return "OK", s
    except OSError as e:
        s.close()
        return errno.errorcode.get(e.errno, str(e.errno)), None


def case_port_space(_peer):
    ipv6_on()
    base = stats()["live_portres"]
    # each pair: (first, second) must give what Linux gives for
    # (inet, inet); mytcp takes either role
    combos = [
        ((("::", 7001), None), (("0.0.0.0", 7001), None)),
        ((("::", 7002), 1), (("0.0.0.0", 7002), None)),
        ((("0.0.0.0", 7003), None), (("::", 7003), None)),
        ((("0.0.0.0", 7004), None), (("::", 7004), 1)),
        ((("::1", 7005), None), (("::", 7005), None)),
        ((("::", 7006), None), (("::ffff:127.0.0.1", 7006), None)),
        ((("127.0.0.1", 7007), None), (("::ffff:127.0.0.1", 7007), None)),
    ]
    for (a1, o1), (a2, o2) in combos:
        want = None
        for k1, k2 in (("inet", "inet"), ("mytcp", "inet"),
                       ("inet", "mytcp"), ("mytcp", "mytcp")):
            r1, s1 = bind_result(k1, a1, o1)
            check(r1 == "OK", "%s bind %r: %s" % (k1, a1, r1))
            r2, s2 = bind_result(k2, a2, o2)
            if want is None:
                want = r2
            check(r2 == want, "%s %r v6only=%s then %s %r v6only=%s: %s, "
                  "Linux: %s" % (k1, a1, o1, k2, a2, o2, r2, want))
            s1.close()
            if s2:
                s2.close()
        diag("%r/%s then %r/%s: %s" % (a1, o1, a2, o2, want))
    time.sleep(0.5)
    check(stats()["live_portres"] == base, "reservations released")


def case_sockopts(_peer):
    ipv6_on()
    s = sock("mytcp")
    s.setsockopt(socket.IPPROTO_IPV6, IPV6_TCLASS, 0x28)
    check(s.getsockopt(socket.IPPROTO_IPV6, IPV6_TCLASS) == 0x28, "TCLASS")
    s.bind(("::1", 0))
    e = None
    try:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_V6ONLY, 1)
    except OSError as x:
        e = x.errno
    check(e == errno.EINVAL, "V6ONLY after bind: EINVAL as Linux (%s)" % e)
    # on the wire: the SYN's traffic class (an AF_PACKET sniffer on lo)
    sn = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                       socket.htons(0x86dd))
    sn.bind(("lo", 0))
    sn.settimeout(5)
    ls = sock("inet")
    ls.bind(("::1", 6601))
    ls.listen(1)
    c = sock("mytcp")
    c.setsockopt(socket.IPPROTO_IPV6, IPV6_TCLASS, 0x28)
    c.settimeout(10)
    c.connect(("::1", 6601))
    tclass = None
    deadline = time.monotonic() + 5
    while tclass is None and time.monotonic() < deadline:
        pkt = sn.recv(2048)
        ip6 = pkt[14:]
        if len(ip6) < 60 or ip6[6] != 6:
            continue
        if int.from_bytes(ip6[42:44], "big") == 6601 and ip6[53] & 0x02:
            tclass = (int.from_bytes(ip6[0:4], "big") >> 20) & 0xff
    check(tclass == 0x28, "SYN's traffic class %r" % tclass)
    c.close()
    ls.close()
    sn.close()
    # bind to an address not ours, and a link-local without scope
    r, _ = bind_result("mytcp", ("2001:db8::1", 0), listen=False)
    check(r == "EADDRNOTAVAIL", "bind foreign: %s" % r)
    r, _ = bind_result("mytcp", ("fe80::1", 0), listen=False)
    rl, _ = bind_result("inet", ("fe80::1", 0), listen=False)
    check(r == rl, "bind link-local without scope: %s, Linux %s" % (r, rl))
    # a v4 socket once bound refuses a sockaddr_in6
    s4 = sock("mytcp", v6=False)
    s4.bind(("127.0.0.1", 0))
    fd = s4.detach()
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM, 0, fileno=fd)
    e = s6.connect_ex(("::1", 9))
    check(e == errno.EAFNOSUPPORT, "IPv4-bound, connect sin6: %s" % e)
    s6.close()


def two_hosts(mtu_mid=None):
    """This netns (H1, fd00::1) -- veth -- ns v6h2 (fd00::2); with
    mtu_mid: H1 -- R (fd00:1::/64 mtu 1500, fd00:2::/64 mtu_mid on R's
    side: its IPv6 MTU) -- H2 whose end stays at 1500."""
    subprocess.run(["ip", "netns", "del", "v6h2"], stderr=subprocess.DEVNULL)
    subprocess.run(["ip", "netns", "del", "v6r"], stderr=subprocess.DEVNULL)
    run("ip", "netns", "add", "v6h2")
    if not mtu_mid:
        run("ip", "link", "add", "v1", "type", "veth", "peer", "name", "v2",
            "netns", "v6h2")
        run("ip", "addr", "add", "fd00::1/64", "dev", "v1", "nodad")
        run("ip", "-n", "v6h2", "addr", "add", "fd00::2/64", "dev", "v2",
            "nodad")
        run("ip", "link", "set", "v1", "up")
        run("ip", "-n", "v6h2", "link", "set", "v2", "up")
        run("ip", "-n", "v6h2", "link", "set", "lo", "up")
        return "fd00::2"
    run("ip", "netns", "add", "v6r")
    run("ip", "link", "add", "v1", "type", "veth", "peer", "name", "r1",
        "netns", "v6r")
    run("ip", "-n", "v6r", "link", "add", "r2", "type", "veth", "peer",
        "name", "v2", "netns", "v6h2")
    run("ip", "addr", "add", "fd00:1::1/64", "dev", "v1", "nodad")
    run("ip", "-n", "v6r", "addr", "add", "fd00:1::2/64", "dev", "r1",
        "nodad")
    run("ip", "-n", "v6r", "addr", "add", "fd00:2::1/64", "dev", "r2",
        "nodad")
    run("ip", "-n", "v6h2", "addr", "add", "fd00:2::2/64", "dev", "v2",
        "nodad")
    for ns, dev in ((None, "v1"), ("v6r", "r1"), ("v6r", "r2"),
                    ("v6h2", "v2"), ("v6h2", "lo"), ("v6r", "lo")):
        run(*(["ip"] + (["-n", ns] if ns else []) +
              ["link", "set", dev, "up"]))
    # R's IPv6 MTU towards H2, not the veth's link MTU: a veth drops,
    # without an ICMP, a non-GSO frame larger than the receiving end's
    # MTU (is_skb_forwardable()), so a 1280-byte r2 would silently drop
    # H2's full-sized single segments (its retransmissions, probes).
    run("ip", "netns", "exec", "v6r", "sysctl", "-q", "-w",
        "net.ipv6.conf.r2.mtu=%d" % mtu_mid)
    run("ip", "netns", "exec", "v6r", "sysctl", "-q", "-w",
        "net.ipv6.conf.all.forwarding=1")
    run("ip", "-6", "route", "add", "default", "via", "fd00:1::2")
    run("ip", "-n", "v6h2", "-6", "route", "add", "default", "via",
        "fd00:2::1")
    return "fd00:2::2"


def two_hosts_down():
    subprocess.run(["ip", "netns", "del", "v6h2"], stderr=subprocess.DEVNULL)
    subprocess.run(["ip", "netns", "del", "v6r"], stderr=subprocess.DEVNULL)


def wait_ping(addr, ifname=None):
    dst = addr + ("%" + ifname if ifname else "")
    for _ in range(50):
        if subprocess.run(["ping", "-6", "-c", "1", "-W", "1", dst],
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0:
            return
        time.sleep(0.2)
    raise AssertionError("no ping to %s" % dst)


def case_veth_pairs(_peer):
    ipv6_on()
    try:
        addr = two_hosts()
        wait_ping(addr)
        port = 6200
        for ck, sk in (("mytcp", "mytcp"), ("mytcp", "inet"),
                       ("inet", "mytcp")):
            port += 1
            _, peer, srv = xfer(ck, sk, addr, port, 4 << 20, ns="v6h2")
            check(srv and srv[0] == "fd00::1", "server saw %r" % (srv,))
            diag("%s -> %s over veth: 4 MiB each way" % (ck, sk))
    finally:
        two_hosts_down()


def link_local(ns, dev):
    out = subprocess.run(["ip"] + (["-n", ns] if ns else []) +
                         ["-6", "-o", "addr", "show", "dev", dev, "scope",
                          "link"], stdout=subprocess.PIPE, text=True).stdout
    for w in out.split():
        if w.startswith("fe80::"):
            return w.split("/")[0]
    return None


def case_link_local(_peer):
    ipv6_on()
    try:
        two_hosts()
        for p in ("all", "default"):
            run("ip", "netns", "exec", "v6h2", "sysctl", "-q", "-w",
                "net.ipv6.conf.%s.accept_dad=0" % p)
        ll2 = None
        for _ in range(50):
            ll2 = link_local("v6h2", "v2")
            if ll2 and link_local(None, "v1"):
                break
            time.sleep(0.2)
        if not ll2:
            raise Skip("no link-local address on the veth")
        wait_ping(ll2, "v1")
        ifindex = socket.if_nametoindex("v1")
        port = 6300
        for ck, sk in (("mytcp", "mytcp"), ("mytcp", "inet"),
                       ("inet", "mytcp")):
            port += 1
            scope2 = int(subprocess.run(
                ["ip", "netns", "exec", "v6h2", "cat",
                 "/sys/class/net/v2/ifindex"], stdout=subprocess.PIPE,
                text=True).stdout)
            p = start_server(sk, ll2, port, 65536, ns="v6h2", scope=scope2)
            ok, name, peer, _ = client(ck, (ll2, port, 0, ifindex), 65536)
            srv = finish_server(p)
            check(ok, "%s -> %s link-local transfer" % (ck, sk))
            check(peer[3] == ifindex and name[3] == ifindex,
                  "scope ids %r %r (want %d)" % (name, peer, ifindex))
            check(srv and srv[0].startswith("fe80::"), "server saw %r" %
                  (srv,))
        # A Linux link-local connection is bound to its interface: a mytcp
        # listener sharing its port (SO_REUSEADDR) must not take its
        # segments (Linux's lookup asked with the arrival interface).
        port += 1
        p = subprocess.Popen(["ip", "netns", "exec", "v6h2", sys.executable,
                              os.path.abspath(__file__), "hold", ll2,
                              str(port), str(scope2)],
                             stdout=subprocess.PIPE, text=True)
        check(p.stdout.readline().strip() == "ready", "hold: no server")
        c = sock("inet")
        c.settimeout(TIMEOUT)
        c.connect((ll2, port, 0, ifindex))
        check(p.stdout.readline().strip() == "mytcp listening",
              "hold: no mytcp listener")
        c.sendall(b"ping")
        got = c.recv(100)
        c.close()
        out = p.stdout.read()
        p.wait(TIMEOUT)
        check(got == b"PING" and "ok" in out,
              "Linux link-local connection beside a mytcp listener: got "
              "%r, server %r" % (got, out))
        # without a scope id: EINVAL, as Linux
        for ck in ("mytcp", "inet"):
            c = sock(ck)
            e = c.connect_ex((ll2, port))
            check(e == errno.EINVAL, "%s no scope: %s" % (ck, e))
            c.close()
    finally:
        two_hosts_down()


def case_pmtu(_peer):
    ipv6_on()
    try:
        addr = two_hosts(mtu_mid=1280)
        wait_ping(addr)
        before = stats().get("IcmpErrors")
        _, peer, srv = xfer("mytcp", "inet", addr, 6401, 2 << 20,
                            ns="v6h2")
        st = stats()
        if before is not None:
            check(st["IcmpErrors"] > before, "no ICMPv6 counted")
        out = subprocess.run(["ip", "-6", "route", "get", addr],
                             stdout=subprocess.PIPE, text=True).stdout
        diag("route after: " + out.strip())
        check("mtu 1280" in out, "PMTU not learned: %r" % out)
    finally:
        two_hosts_down()


def case_hostile(peer):
    """A Linux IPv6 client's segments reach mytcp only when they are
    valid: bad checksums are dropped (counted), v4-mapped sources are
    never looked up."""
    ipv6_on()
    s = sock("mytcp")
    s.bind(("::1", 6500))
    s.listen(4)
    base = stats()
    # the drop is traced (mytcp_drop), as IPv4's
    inst = "/sys/kernel/tracing/instances/mytcp_ipv6py"
    if not os.path.isdir("/sys/kernel/tracing/instances"):
        subprocess.run(["mount", "-t", "tracefs", "nodev",
                        "/sys/kernel/tracing"], check=False)
    os.makedirs(inst, exist_ok=True)
    with open(inst + "/events/mytcp/mytcp_drop/enable", "w") as f:
        f.write("1")
    # raw IPv6 TCP SYN with a bad checksum to the listener
    r = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_TCP)
    syn = bytearray(20)
    syn[0:2] = (40000).to_bytes(2, "big")
    syn[2:4] = (6500).to_bytes(2, "big")
    syn[4:8] = (12345).to_bytes(4, "big")
    syn[12] = 5 << 4
    syn[13] = 0x02
    syn[14:16] = (65535).to_bytes(2, "big")
    syn[16:18] = b"\xde\xad"
    r.sendto(bytes(syn), ("::1", 0))
    time.sleep(0.5)
    st = stats()
    check(st["InCsumErrors"] > base["InCsumErrors"],
          "bad checksum not counted")
    with open(inst + "/trace") as f:
        lines = [ln for ln in f if "mytcp_drop" in ln]
    with open(inst + "/events/mytcp/mytcp_drop/enable", "w") as f:
        f.write("0")
    os.rmdir(inst)
    check(any("reason=bad checksum" in ln for ln in lines),
          "no mytcp_drop event for the bad checksum: %r" % lines)
    s.setblocking(False)
    try:
        s.accept()
        raise AssertionError("a connection from a bad segment")
    except BlockingIOError:
        pass
    r.close()
    s.close()


def peer6(local="fd00:9::1", remote="fd00:9::2"):
    """A scripted IPv6 peer (tcp_peer.py IPv6 mode) on tun mytcptun1."""
    ipv6_on()
    for p in ("all", "default"):
        with open("/proc/sys/net/ipv6/conf/%s/accept_dad" % p, "w") as f:
            f.write("0")
    tcp_peer.FAMILY = 6
    return Peer(local, remote, name="mytcptun1")


def syn_answer(peer, port, rport, pkt=None):
    """Send a SYN to port (or the raw packet pkt holding one): the TCP
    answers of the flow, as flag strings."""
    f = peer.flow(port, rport)
    if pkt is None:
        f.send(SYN, options=opt_mss(1400))
    else:
        peer.send_raw(pkt)
    return [tcp_peer.flag_str(x.flags) for x in f.answers()]


def case_bound_dev(_peer):
    """A listener bound to a device takes SYNs from that device only (as
    Linux's compute_score()): fe80::1%tun2 and [::] with SO_BINDTODEVICE
    tun2 never answer a SYN that came in on tun1; fe80::1%tun1 does."""
    peer = peer6("fe80::1", "fe80::2")
    other = Peer("fe80::1", "fe80::3", name="mytcptun2")
    dum = socket.if_nametoindex("mytcptun2")
    tun = socket.if_nametoindex("mytcptun1")
    port = 7100
    for kind in ("inet", "mytcp"):
        got = []
        for how in ("scope tun2", "SO_BINDTODEVICE tun2", "scope tun1"):
            port += 1
            s = sock(kind)
            if how.startswith("SO_"):
                s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE,
                             b"mytcptun2")
                s.bind(("::", port))
            else:
                s.bind(("fe80::1", port, 0, dum if "tun2" in how else tun))
            s.listen(4)
            a = syn_answer(peer, port, 5000 + port)
            got.append(a)
            s.close()
        diag("%s: %s" % (kind, got))
        if kind == "inet":
            want = got
            check(got[2] == ["SA"], "Linux: %s" % got)
        check(got == want, "mytcp %s, Linux %s (listeners bound to tun2, "
              "to tun2, to tun1)" % (got, want))
    other.close()


def case_tw_bound_dev(_peer):
    """A link-local connection's TIME_WAIT entry keeps its device, as
    Linux's tw_bound_dev_if: an out-of-window ACK of its 4-tuple coming in
    on another interface is not the entry's (no listener there either:
    the stack answers RST); on its own interface the entry answers it
    with an ACK."""
    peer = peer6("fe80::1", "fe80::2")
    other = Peer("fe80::1", "fe80::2", name="mytcptun2")
    tun = socket.if_nametoindex("mytcptun1")
    res = {}
    for kind in ("inet", "mytcp"):
        port, rport = (7301, 5301) if kind == "inet" else (7302, 5302)
        ls = sock(kind)
        ls.bind(("fe80::1", port, 0, tun))
        ls.listen(4)
        c, f = tcp_peer.passive_open(peer, ls, rport=rport)
        c.close()
        f.track(f.expect_flags(ACK | FIN))
        f.send(ACK | FIN)
        f.expect(lambda x: x.ack == f.snd_nxt, what="last ACK")
        ls.close()
        g = other.flow(port, rport)
        g.send(ACK, seq=f.snd_nxt + 100000, ack=f.rcv_nxt, advance=False)
        there = [tcp_peer.flag_str(x.flags) for x in g.answers()]
        f.send(ACK, seq=f.snd_nxt + 100000, advance=False)
        here = [tcp_peer.flag_str(x.flags) for x in f.answers()]
        res[kind] = (there, here)
        diag("%s: on the other interface %s, on its own %s" %
             (kind, there, here))
        c.close()
    check(res["inet"] == (["R"], ["A"]), "Linux: %s" % (res["inet"],))
    check(res["mytcp"] == res["inet"], "mytcp %s, Linux %s" %
          (res["mytcp"], res["inet"]))
    other.close()


def _exthdr_syns(peer, port):
    """(description, raw packet, Linux takes it) SYNs to port behind
    extension headers."""
    out = []
    for i, (what, nh, ext) in enumerate((
            ("routing header type 0, segments left 1", 43,
             bytes([6, 2, 0, 1, 0, 0, 0, 0]) +
             socket.inet_pton(socket.AF_INET6, "fd00:9::3")),
            ("AH (no SA)", 51, bytes([6, 4, 0, 0]) + (0x1234).to_bytes(4,
                                                                  "big") +
             (1).to_bytes(4, "big") + b"\xaa" * 12),
            ("destination options (PadN)", 60,
             bytes([6, 0, 1, 4, 0, 0, 0, 0])))):
        tcp = tcp_peer.build_tcp(peer.remote, peer.local, 6000 + i, port,
                                 1000, 0, SYN, options=opt_mss(1400))
        out.append((what, 6000 + i, tcp_peer.build_ipv6(
            peer.remote, peer.local, nh, tcp, exthdrs=ext)))
    return out


def case_exthdr(_peer):
    """SYNs behind an AH or a routing header with segments left are left
    to Linux (it verifies or forwards/drops them), so mytcp answers them
    as a Linux listener does (not at all); behind destination options
    they are taken.  Flow labels: automatic and constant per connection,
    as Linux's."""
    peer = peer6()
    res = {}
    for kind in ("inet", "mytcp"):
        port = 7200 if kind == "inet" else 7201
        s = sock(kind)
        s.bind((peer.local, port))
        s.listen(8)
        res[kind] = [(what, syn_answer(peer, port, rport, pkt))
                     for what, rport, pkt in _exthdr_syns(peer, port)]
        s.close()
        diag("%s: %s" % (kind, res[kind]))
    check([a for _, a in res["inet"]] == [[], [], ["SA"]],
          "Linux: %s" % res["inet"])
    check(res["mytcp"] == res["inet"], "mytcp %s, Linux %s" %
          (res["mytcp"], res["inet"]))
    # flow labels of an active open (SYN, third ACK, data, FIN)
    for kind in ("inet", "mytcp"):
        c = sock(kind)
        c.setblocking(False)
        c.bind((peer.local, 0))
        c.connect_ex((peer.remote, 5000))
        f = peer.flow(c.getsockname()[1], 5000)
        segs = [f.track(f.expect_flags(SYN))]
        f.send(SYN | ACK, options=opt_mss(1400))
        segs.append(f.expect_flags(ACK))
        c.close()
        segs.append(f.expect(lambda x: x.flags & 1, what="FIN"))
        labels = [x.flowlabel for x in segs]
        diag("%s flow labels %s" % (kind, labels))
        check(labels[0] and len(set(labels)) == 1,
              "%s: flow labels %s, want one non-zero label" % (kind, labels))
        f.send(RST, seq=f.snd_nxt)


def case_failed_connect(_peer):
    """connect() failing for want of a port (EADDRNOTAVAIL) leaves an
    unbound socket: getsockname() as Linux's after the same failure, no
    stale source address (review #10)."""
    ipv6_on()
    sysctl("ephemeral_low", 40000)
    sysctl("ephemeral_high", 40000)
    with open("/proc/sys/net/ipv4/ip_local_port_range", "w") as f:
        f.write("40001 40001")
    ls = sock("inet")
    ls.bind(("::1", 7300))
    ls.listen(8)
    names = {}
    for kind in ("inet", "mytcp"):
        c1 = sock(kind)
        c1.settimeout(10)
        c1.connect(("::1", 7300))
        c2 = sock(kind)
        e = c2.connect_ex(("::1", 7300))
        check(e == errno.EADDRNOTAVAIL, "%s second connect: %s" %
              (kind, errno.errorcode.get(e, e)))
        names[kind] = c2.getsockname()
        c2.close()
        c1.close()
    diag("after the failed connect: %s" % names)
    check(names["mytcp"] == names["inet"], "getsockname mytcp %s, Linux %s"
          % (names["mytcp"], names["inet"]))
    ls.close()


def netem(ns, dev, spec):
    run(*(["ip"] + (["-n", ns] if ns else []) + ["link", "show", dev]))
    run(*((["ip", "netns", "exec", ns] if ns else []) +
          ["tc", "qdisc", "add", "dev", dev, "root", "netem"] + spec))


def case_netem(_peer):
    """Byte-exact transfers through loss, reordering and delay on both
    veth ends, over IPv6: mytcp<->mytcp, mytcp->Linux, Linux->mytcp."""
    ipv6_on()
    if subprocess.run(["modprobe", "-q", "sch_netem"]).returncode:
        raise Skip("sch_netem not available")
    try:
        addr = two_hosts()
        wait_ping(addr)
        spec = ["delay", "5ms", "2ms", "loss", "2%", "reorder", "5%",
                "50%"]
        netem(None, "v1", spec)
        netem("v6h2", "v2", spec)
        port = 6700
        for ck, sk in (("mytcp", "mytcp"), ("mytcp", "inet"),
                       ("inet", "mytcp")):
            port += 1
            xfer(ck, sk, addr, port, 256 << 10, ns="v6h2")
            diag("%s -> %s through netem: 256 KiB each way" % (ck, sk))
    finally:
        two_hosts_down()


run_cases([
    ("lo: mytcp<->mytcp, mytcp->Linux, Linux->mytcp over ::1, byte-exact, "
     "sockaddr_in6 names", case_lo_pairs),
    ("dual stack: [::] takes IPv4 clients as v4-mapped, V6ONLY and "
     "bindv6only refuse them", case_dual_stack),
    ("port space: IPv6/IPv4 binds conflict as Linux's", case_port_space),
    ("IPV6_TCLASS (on the wire too), V6ONLY after bind, bind checks, "
     "family fixed once bound", case_sockopts),
    ("veth: mytcp<->mytcp, mytcp->Linux, Linux->mytcp, 4 MiB each way",
     case_veth_pairs),
    ("link-local with sin6_scope_id over veth; a Linux link-local "
     "connection beside a mytcp listener stays Linux's", case_link_local),
    ("PMTU: ICMPv6 packet too big through a 1280-byte link",
     case_pmtu),
    ("hostile: a bad IPv6 checksum is dropped and counted", case_hostile),
    ("bound device: a listener bound to one interface (scope id, "
     "SO_BINDTODEVICE) takes no SYN from another, as Linux's",
     case_bound_dev),
    ("TIME_WAIT keeps its bound device: a link-local 4-tuple's segment on "
     "another interface is not the entry's, as Linux's", case_tw_bound_dev),
    ("extension headers: AH and routing header with segments left are "
     "Linux's; destination options taken; automatic flow labels",
     case_exthdr),
    ("failed connect (no port): no stale source, getsockname as Linux's",
     case_failed_connect),
    ("netem: loss, reordering, delay over IPv6 veth, byte-exact",
     case_netem),
])
