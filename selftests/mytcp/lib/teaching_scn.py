#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Teaching-mode scenarios (MYTCP_INJECT, /proc/net/mytcp_inject) for
# teaching.sh and scripts/guide.sh.  Run in a fresh netns with small
# rto_min_ms/rto_initial_ms, usually under `mytcp-ladder -l -w TRACE`.
#
#   teaching_scn.py OUTDIR [SCENARIO...]
#
# Each scenario uses its own port on 127.0.0.1 (PORTS below) and writes
#   OUTDIR/results      "ok NAME" or "fail NAME: why" lines (state checks)
#   OUTDIR/NAME.stat    mytcpstat snapshots "== label" + lines
# The segments themselves are checked by the caller from the trace.
# Never asserts timings: it polls for states with generous deadlines.

import errno
import os
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mytcp_sock  # noqa: E402  pylint: disable=wrong-import-position

FAM = mytcp_sock.family()
HOST = "127.0.0.1"
MYTCP_INJECT = 200
INJ = {"syn": 1, "synack": 2, "hsack": 4, "fin": 8, "finack": 16,
       "data": 32, "ack": 64, "probe": 128}
OUT, IN = 1, 2
ALL = -1
ST = {"01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECV",
      "04": "FIN_WAIT1", "05": "FIN_WAIT2", "06": "TIME_WAIT", "07": "CLOSE",
      "08": "CLOSE_WAIT", "09": "LAST_ACK", "0A": "LISTEN", "0B": "CLOSING"}
PORTS = {"handshake": 7201, "synrecv": 7202, "finack": 7203,
         "closing": 7204, "lastack": 7205, "keepalive": 7206, "perm": 7207,
         "halfclose": 7208, "finwait1_tw": 7209, "timewait": 7210,
         "rst": 7211, "data3": 7212, "sock_hsack": 7213,
         "sock_tw_finack": 7214, "simopen": 7215, "synbackoff": 7217,
         "fastrtx": 7218, "rto": 7219, "zerowin": 7220}

# Run with the classic loss detection (net.mytcp.recovery 0): no RACK
# reordering timer, no tail loss probe racing the RTO.
CLASSIC = ("fastrtx", "rto")
# Scenarios whose picture has no retransmission unless the machine is
# slow: an RTO of one second (rto_min_ms, during the scenario) instead of
# 200 ms keeps it so under TCG.
SLOW_RTO = ("finwait1_tw",)
OUTDIR = "."
socket.setdefaulttimeout(20)
MYTCPSTAT = os.environ.get("MYTCPSTAT_PY", "")


class Fail(Exception):
    pass


def ms():
    fd = socket.socket(FAM, socket.SOCK_STREAM).detach()
    return socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, fileno=fd)


def quick(s):
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
    except OSError:
        pass


def listener(port):
    s = ms()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, port))
    s.listen(4)
    return s


def rule(s, kinds, d, count):
    k = 0
    for n in kinds.split(","):
        k |= INJ[n]
    s.setsockopt(socket.IPPROTO_TCP, MYTCP_INJECT, struct.pack("IIi", k, d, count))


def release(s):
    s.setsockopt(socket.IPPROTO_TCP, MYTCP_INJECT, struct.pack("IIi", 0, 0, 0))


def ns_rule(text):
    with open("/proc/net/mytcp_inject", "w") as f:
        f.write(text + "\n")


def conns(port):
    """[(lport, rport, state)] of the sockets on port (not the listener)."""
    res = []
    with open("/proc/net/mytcp") as f:
        for line in f.read().splitlines()[1:]:
            p = line.split()
            lp = int(p[1].split(":")[1], 16)
            rp = int(p[2].split(":")[1], 16)
            if port in (lp, rp) and rp != 0:
                res.append((lp, rp, ST.get(p[3].upper(), p[3])))
    return res


def side(port, server):
    """States of the server side (local port == port) or the client side."""
    return sorted(st for lp, rp, st in conns(port)
                  if (lp == port) == server)


def wait_side(port, server, want, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        got = side(port, server)
        if (got == [want]) if want else (got == []):
            return
        if time.monotonic() > deadline:
            raise Fail("%s side: want %s, have %s" %
                       ("server" if server else "client", want or "nothing", got))
        time.sleep(0.02)


def snap(name, label):
    """Save /proc/net/mytcp now (OUTDIR/NAME.snapN, label in .labels);
    teaching.sh shows them with mytcpstat -f when dumping for the guide."""
    labels = os.path.join(OUTDIR, name + ".labels")
    n = 0
    if os.path.exists(labels):
        with open(labels) as f:
            n = len(f.readlines())
    with open("/proc/net/mytcp") as f:
        data = f.read()
    with open(os.path.join(OUTDIR, "%s.snap%d" % (name, n)), "w") as f:
        f.write(data)
    with open(labels, "a") as f:
        f.write(label + "\n")


def stat(key):
    with open("/proc/net/mytcp_stat") as f:
        d = dict(line.split() for line in f if line.strip())
    return int(d[key])


def sysctl(name, val):
    with open("/proc/sys/net/mytcp/" + name, "w") as f:
        f.write(str(val))


def pair(port, client_setup=None):
    lst = listener(port)
    c = ms()
    quick(c)
    if client_setup:
        client_setup(c)
    c.connect((HOST, port))
    a, _ = lst.accept()
    quick(a)
    return lst, c, a


def recv_eof(s, timeout=5.0):
    s.settimeout(timeout)
    data = b""
    while True:
        d = s.recv(4096)
        if not d:
            return data
        data += d


# ------------------------------------------------------------ scenarios

def sc_handshake(n):
    """Handshake, a little data both ways, four-way close, TIME_WAIT."""
    p = PORTS[n]
    lst, c, a = pair(p)
    wait_side(p, True, "ESTABLISHED")
    wait_side(p, False, "ESTABLISHED")
    snap(n, "after the handshake")
    c.sendall(b"hello")
    if a.recv(10) != b"hello":
        raise Fail("data")
    a.sendall(b"hi!")
    if c.recv(10) != b"hi!":
        raise Fail("data back")
    time.sleep(0.1)
    c.close()
    wait_side(p, True, "CLOSE_WAIT")
    wait_side(p, False, "FIN_WAIT2")
    snap(n, "client closed: FIN sent and ACKed")
    a.close()
    wait_side(p, False, "TIME_WAIT")
    wait_side(p, True, None)
    snap(n, "server closed too")
    lst.close()


def sc_synrecv(n):
    """(a) the client withholds its final handshake ACK."""
    p = PORTS[n]
    lst = listener(p)
    c = ms()
    quick(c)
    ns_rule("in hsack all")
    c.connect((HOST, p))
    wait_side(p, False, "ESTABLISHED")
    wait_side(p, True, "SYN_RECV")
    time.sleep(0.5)
    wait_side(p, True, "SYN_RECV")
    snap(n, "client ESTABLISHED, its ACK withheld: server in SYN_RECV")
    ns_rule("release")
    wait_side(p, True, "ESTABLISHED", timeout=40)
    snap(n, "released: the ACK of a retransmitted SYN-ACK gets through")
    a, _ = lst.accept()
    a.close()
    c.close()
    lst.close()


def sc_sock_hsack(n):
    """The client's own rule withholds every ACK of a SYN-ACK (the first
    and the answers to retransmitted ones): the server stays in SYN_RECV
    until the rule is released."""
    p = PORTS[n]
    lst = listener(p)
    c = ms()
    quick(c)
    rule(c, "hsack", OUT, ALL)
    before = stat("DropInjected")
    c.connect((HOST, p))
    wait_side(p, True, "SYN_RECV")
    time.sleep(1.0)		# several SYN-ACK retransmissions (RTO 200 ms)
    wait_side(p, True, "SYN_RECV")
    if stat("DropInjected") - before < 2:
        raise Fail("fewer than 2 handshake ACKs withheld: %d" %
                   (stat("DropInjected") - before))
    release(c)
    wait_side(p, True, "ESTABLISHED", timeout=40)
    a, _ = lst.accept()
    a.close()
    c.close()
    lst.close()


def sc_sock_tw_finack(n):
    """The client's rule "out finack, 3" outlives its socket: the TIME_WAIT
    entry withholds its re-ACKs of the server's FIN until the count is
    spent, so the server sits in LAST_ACK, then closes."""
    p = PORTS[n]
    lst, c, a = pair(p)
    c.shutdown(socket.SHUT_WR)
    wait_side(p, True, "CLOSE_WAIT")
    rule(c, "finack", OUT, 3)
    before = stat("DropInjected")
    a.close()
    wait_side(p, False, "TIME_WAIT")
    time.sleep(0.3)
    wait_side(p, True, "LAST_ACK")
    wait_side(p, True, None, timeout=40)
    if stat("DropInjected") - before != 3:
        raise Fail("%d ACKs withheld, want 3" %
                   (stat("DropInjected") - before))
    c.close()
    lst.close()


def sc_finack(n):
    """(b) server closes first, the client withholds the ACK of its FIN."""
    p = PORTS[n]
    lst, c, a = pair(p)
    rule(c, "finack", OUT, ALL)
    a.close()
    wait_side(p, False, "CLOSE_WAIT")
    time.sleep(0.5)
    wait_side(p, True, "FIN_WAIT1")
    snap(n, "client withholds the ACK of the FIN: server stays in FIN_WAIT1")
    release(c)
    wait_side(p, True, "FIN_WAIT2", timeout=40)
    snap(n, "released: server in FIN_WAIT2")
    c.close()
    wait_side(p, True, "TIME_WAIT")
    lst.close()


def sc_closing(n):
    """(c) simultaneous close: both FINs are in flight at once (a delay
    on lo), so each side is in FIN_WAIT1 when the other's FIN arrives; the
    ACKs of the FINs are withheld namespace-wide, which holds both in
    CLOSING until a FIN retransmission (which carries the ACK) or the
    release."""
    p = PORTS[n]
    lst, c, a = pair(p)
    # The FINs must cross: each side must get the other's FIN before the
    # ACK of its own, and a FIN sent after receiving the peer's carries
    # that ACK.  A delay on lo keeps both FINs in flight together.
    subprocess.run(["tc", "qdisc", "add", "dev", "lo", "root", "netem",
                    "delay", "300ms"], check=True)
    ns_rule("out finack all")
    try:
        c.close()
        a.close()
        wait_side(p, True, "CLOSING")
        wait_side(p, False, "CLOSING")
        snap(n, "both closed, FINs crossed, ACKs withheld: both CLOSING")
    finally:
        subprocess.run(["tc", "qdisc", "del", "dev", "lo", "root"],
                       check=False)
        ns_rule("release")
    wait_side(p, True, "TIME_WAIT", timeout=40)
    wait_side(p, False, "TIME_WAIT", timeout=40)
    snap(n, "released: both in TIME_WAIT")
    lst.close()


def sc_lastack(n):
    """(d) the client closes, the server closes, the client withholds the
    last ACK: the server stays in LAST_ACK retransmitting its FIN."""
    p = PORTS[n]
    lst, c, a = pair(p)
    c.shutdown(socket.SHUT_WR)
    wait_side(p, True, "CLOSE_WAIT")
    wait_side(p, False, "FIN_WAIT2")
    ns_rule("in finack all")
    a.close()
    wait_side(p, True, "LAST_ACK")
    time.sleep(0.5)
    wait_side(p, True, "LAST_ACK")
    snap(n, "the last ACK not processed: server stays in LAST_ACK")
    ns_rule("release")
    wait_side(p, True, None, timeout=40)
    snap(n, "released: the server's socket is gone")
    c.close()
    lst.close()


def sc_keepalive(n):
    """(e) keepalive finds a dead peer: the server ignores everything."""
    p = PORTS[n]
    lst, c, a = pair(p)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 2)
    rule(a, ",".join(INJ), IN, ALL)
    snap(n, "the server drops every incoming segment")
    # Wait for the connection to go, then read the error: a recv()
    # blocked meanwhile was not woken on 6.12 (build/bugs/keepalive-recv-wakeup.md).
    wait_side(p, False, None, timeout=60)
    c.setblocking(False)
    try:
        c.recv(10)
        raise Fail("recv returned")
    except BlockingIOError:
        raise Fail("recv: EAGAIN, want ETIMEDOUT") from None
    except OSError as e:
        if e.errno != errno.ETIMEDOUT:
            raise Fail("recv: %s, want ETIMEDOUT" % e) from None
    wait_side(p, False, None)
    snap(n, "keepalive gave up: the client's socket is gone (ETIMEDOUT)")
    a.close()
    c.close()
    lst.close()


def sc_perm(n):
    """(f) permissions and invalid rules."""
    s = ms()
    bad = [(0x100, OUT, 1), (INJ["syn"], 4, 1), (INJ["syn"], OUT, -2),
           (0, OUT, 1), (INJ["syn"], 0, 1)]
    for k, d, cnt in bad:
        try:
            s.setsockopt(socket.IPPROTO_TCP, MYTCP_INJECT,
                         struct.pack("IIi", k, d, cnt))
            raise Fail("setsockopt(%#x, %d, %d) accepted" % (k, d, cnt))
        except OSError as e:
            if e.errno != errno.EINVAL:
                raise Fail("setsockopt(%#x, %d, %d): %s" % (k, d, cnt, e)) from None
    try:
        s.setsockopt(socket.IPPROTO_TCP, MYTCP_INJECT, b"\0" * 4)
        raise Fail("short optlen accepted")
    except OSError as e:
        if e.errno != errno.EINVAL:
            raise Fail("short optlen: %s" % e) from None
    rule(s, "syn,fin", OUT, 3)
    got = struct.unpack("IIi", s.getsockopt(socket.IPPROTO_TCP, MYTCP_INJECT, 12))
    if got != (INJ["syn"] | INJ["fin"], OUT, 3):
        raise Fail("getsockopt gave %s" % (got,))
    s.close()
    for text in ["sideways syn 1", "out bogus 1", "out syn 0", "out syn -1",
                 "out syn", "out", "in syn,,fin 2", "both syn many"]:
        try:
            ns_rule(text)
            raise Fail("'%s' accepted" % text)
        except OSError as e:
            if e.errno != errno.EINVAL:
                raise Fail("'%s': %s" % (text, e)) from None
    ns_rule("both syn,synack,hsack 2")
    with open("/proc/net/mytcp_inject") as f:
        shown = f.read().strip()
    if shown != "both syn,synack,hsack 2":
        raise Fail("proc shows '%s'" % shown)
    ns_rule("release")
    with open("/proc/net/mytcp_inject") as f:
        if f.read().strip() != "off":
            raise Fail("release did not switch off")
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        code = b"?"
        try:
            os.setgid(65534)
            os.setuid(65534)
            with open("/proc/net/mytcp_inject", "w") as f:
                f.write("out syn all\n")
            code = b"accepted"
        except OSError as e:
            code = errno.errorcode.get(e.errno, "?").encode()
        os.write(w, code)
        os._exit(0)
    os.close(w)
    code = os.read(r, 100).decode()
    os.waitpid(pid, 0)
    if code not in ("EACCES", "EPERM"):
        raise Fail("unprivileged write to /proc/net/mytcp_inject: %s" % code)
    with open("/proc/net/mytcp_inject") as f:
        if f.read().strip() != "off":
            raise Fail("the unprivileged write changed the rule")


def sc_halfclose(n):
    """Half-close: the client shuts down its sending side and still reads."""
    p = PORTS[n]
    lst, c, a = pair(p)
    c.sendall(b"request")
    c.shutdown(socket.SHUT_WR)
    req = recv_eof(a)
    if req != b"request":
        raise Fail("server read %r" % req)
    wait_side(p, True, "CLOSE_WAIT")
    wait_side(p, False, "FIN_WAIT2")
    snap(n, "client shut down writing: server CLOSE_WAIT, client FIN_WAIT2")
    a.sendall(b"reply")
    a.close()
    got = recv_eof(c)
    if got != b"reply":
        raise Fail("client read %r after its shutdown" % got)
    wait_side(p, False, "TIME_WAIT")
    snap(n, "the reply read after the half-close; server closed")
    c.close()
    lst.close()


def sc_finwait1_tw(n):
    """FIN+ACK in FIN_WAIT1: the server's ACK of the client's FIN is
    withheld, its own FIN (which ACKs the client's) moves the client
    from FIN_WAIT1 straight to TIME_WAIT."""
    p = PORTS[n]
    lst, c, a = pair(p)
    rule(a, "finack", OUT, ALL)
    c.close()
    wait_side(p, True, "CLOSE_WAIT")
    wait_side(p, False, "FIN_WAIT1")
    snap(n, "client closed, server's ACK withheld: client FIN_WAIT1")
    a.close()
    wait_side(p, False, "TIME_WAIT")
    snap(n, "server closed: its FIN,ACK took the client to TIME_WAIT")
    lst.close()


def sc_timewait(n):
    """TIME_WAIT lasts 2*MSL (msl_ms=500 here: one second)."""
    p = PORTS[n]
    sysctl("msl_ms", 500)
    lst, c, a = pair(p)
    c.close()
    wait_side(p, True, "CLOSE_WAIT")
    a.close()
    wait_side(p, False, "TIME_WAIT")
    snap(n, "just closed: the active closer is in TIME_WAIT")
    wait_side(p, False, None, timeout=10)
    snap(n, "2*MSL later: the TIME_WAIT entry is gone")
    lst.close()


def sc_rst(n):
    """A SYN to a port nobody listens on is answered by RST."""
    p = PORTS[n]
    c = ms()
    try:
        c.connect((HOST, p))
        raise Fail("connect to a closed port succeeded")
    except ConnectionRefusedError:
        pass
    snap(n, "connect() failed with ECONNREFUSED")
    c.close()


def sc_data3(n):
    """Data on the third handshake segment: the client's bare ACK is
    withheld, its first data segment (which ACKs the SYN-ACK too)
    completes the handshake on the server."""
    p = PORTS[n]
    lst = listener(p)
    c = ms()
    quick(c)
    rule(c, "hsack", OUT, 1)
    c.connect((HOST, p))
    c.sendall(b"GET /")
    a, _ = lst.accept()
    quick(a)
    a.settimeout(5)
    if a.recv(10) != b"GET /":
        raise Fail("server did not get the data")
    wait_side(p, True, "ESTABLISHED")
    snap(n, "the data segment completed the handshake")
    c.close()
    a.close()
    lst.close()


def proc_timer(port, server):
    """The timer code (tr of /proc/net/mytcp) of one side's socket."""
    with open("/proc/net/mytcp") as f:
        for line in f.read().splitlines()[1:]:
            p = line.split()
            lp = int(p[1].split(":")[1], 16)
            rp = int(p[2].split(":")[1], 16)
            if rp != 0 and port in (lp, rp) and (lp == port) == server:
                return int(p[5].split(":")[0], 16)
    return None


def sc_simopen(n):
    """Simultaneous open: two sockets bound to 7215 and 7216 connect to
    each other at once.  A 100 ms delay on lo keeps both SYNs in flight
    together, so each arrives while its receiver is in SYN_SENT; the SYN
    retransmission timer is made longer than the delay (rto_initial_ms
    1000) so that no SYN is sent twice."""
    pa, pb = PORTS[n], PORTS[n] + 1
    sysctl("rto_initial_ms", 1000)
    a, b = ms(), ms()
    for s, p in ((a, pa), (b, pb)):
        quick(s)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((HOST, p))
        s.setblocking(False)
    subprocess.run(["tc", "qdisc", "add", "dev", "lo", "root", "netem",
                    "delay", "100ms"], check=True)
    try:
        for s, p in ((a, pb), (b, pa)):
            if s.connect_ex((HOST, p)) not in (errno.EINPROGRESS, 0):
                raise Fail("connect_ex failed")
        time.sleep(0.03)
        st = sorted(st for _, _, st in conns(pa))
        if st != ["SYN_SENT", "SYN_SENT"]:
            raise Fail("want both in SYN_SENT, have %s" % st)
        snap(n, "both connect()ed, both SYNs in flight: both SYN_SENT")
        deadline = time.monotonic() + 10
        while sorted(st for _, _, st in conns(pa)) != ["ESTABLISHED"] * 2:
            if time.monotonic() > deadline:
                raise Fail("not both ESTABLISHED: %s" % conns(pa))
            time.sleep(0.02)
        snap(n, "SYNs crossed, SYN,ACKs crossed: both ESTABLISHED")
    finally:
        subprocess.run(["tc", "qdisc", "del", "dev", "lo", "root"],
                       check=False)
        sysctl("rto_initial_ms", 200)
    for s in (a, b):
        s.setblocking(True)
        s.settimeout(5)
    a.sendall(b"ping")
    if b.recv(10) != b"ping":
        raise Fail("data after the simultaneous open")
    a.close()
    deadline = time.monotonic() + 10
    while "CLOSE_WAIT" not in [st for _, _, st in conns(pa)]:
        if time.monotonic() > deadline:
            raise Fail("no CLOSE_WAIT: %s" % conns(pa))
        time.sleep(0.02)
    b.close()


def sc_synbackoff(n):
    """SYN timeout: the client withholds every SYN it sends (its socket
    rule "out syn"), as if the network lost them; it (TCP_SYNCNT 3)
    retransmits its SYN with a doubling RTO, capped by rto_max_ms (1000
    here), and connect() fails with ETIMEDOUT."""
    p = PORTS[n]
    lst = listener(p)
    c = ms()
    quick(c)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_SYNCNT, 3)
    rule(c, "syn", OUT, ALL)
    c.setblocking(False)
    try:
        if c.connect_ex((HOST, p)) != errno.EINPROGRESS:
            raise Fail("connect_ex: not EINPROGRESS")
        time.sleep(0.1)
        wait_side(p, False, "SYN_SENT")
        snap(n, "every SYN withheld: the client stays in SYN_SENT")
        deadline = time.monotonic() + 10
        while conns(p):
            if time.monotonic() > deadline:
                raise Fail("still there: %s" % conns(p))
            time.sleep(0.02)
    finally:
        release(c)
    err = c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if err != errno.ETIMEDOUT:
        raise Fail("SO_ERROR %d, want ETIMEDOUT" % err)
    snap(n, "3 retransmissions later: connect() failed (ETIMEDOUT)")
    c.close()
    lst.close()


def small_mss(s):
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 1000)

def warm_pair(n):
    """A small-MSS pair on scenario n's port after a first exchange (an
    RTT sample), ready for a rule on the server's data."""
    lst, c, a = pair(PORTS[n], small_mss)
    c.sendall(b"x" * 100)
    if recv_n(a, 100) != b"x" * 100:
        raise Fail("first exchange")
    time.sleep(0.05)
    return lst, c, a



def recv_n(s, want):
    s.settimeout(10)
    data = b""
    while len(data) < want:
        d = s.recv(65536)
        if not d:
            break
        data += d
    return data


def sc_fastrtx(n):
    """Fast retransmit with SACK: after a first exchange (an RTT sample),
    the server drops the first of the segments sent at once (its socket
    rule "in data 1"); the others arrive out of order and each is
    answered at once with a duplicate ACK carrying a SACK block.  The
    classic rules (net.mytcp.recovery 0 during the scenario, main()):
    no RACK timer and no tail loss probe whose timing would vary."""
    p = PORTS[n]
    lst, c, a = warm_pair(n)
    rule(a, "data", IN, 1)
    c.sendall(b"y" * 9880)
    got = recv_n(a, 9880)
    if got != b"y" * 9880:
        raise Fail("server read %d bytes" % len(got))
    wait_side(p, False, "ESTABLISHED")
    snap(n, "all 9880 bytes delivered after the fast retransmission")
    c.close()
    a.close()
    wait_side(p, False, "TIME_WAIT")
    lst.close()


def sc_rto(n):
    """A lost tail: the server drops one segment and its first
    retransmission (rule "in data 2"); the retransmission timer expires
    twice (200 ms, then 400 ms) and the third copy gets through.  No
    tail loss probe (net.mytcp.recovery 0 during the scenario)."""
    p = PORTS[n]
    lst, c, a = warm_pair(n)
    rule(a, "data", IN, 2)
    c.sendall(b"z" * 500)
    time.sleep(0.1)
    snap(n, "the segment dropped: the RTO runs")
    got = recv_n(a, 500)
    if got != b"z" * 500:
        raise Fail("server read %d bytes" % len(got))
    snap(n, "the RTO retransmission delivered the data")
    c.close()
    a.close()
    wait_side(p, False, "TIME_WAIT")
    lst.close()


def sc_zerowin(n):
    """Zero window: a server with a small receive buffer does not read;
    the client fills the window, then sends zero-window probes on the
    persist timer (backing off) until the server reads."""
    p = PORTS[n]
    lst = ms()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    lst.bind((HOST, p))
    lst.listen(4)
    c = ms()
    quick(c)
    small_mss(c)
    c.connect((HOST, p))
    a, _ = lst.accept()
    quick(a)
    total = 12000
    c.sendall(b"w" * total)
    deadline = time.monotonic() + 10
    while proc_timer(p, False) != 4:
        if time.monotonic() > deadline:
            raise Fail("the client's persist timer never ran (timer %s)" %
                       proc_timer(p, False))
        time.sleep(0.01)
    snap(n, "the server's window is zero: the client's persist timer runs")
    time.sleep(1.0)		# probes after 200 and 600 ms
    got = recv_n(a, total)
    if got != b"w" * total:
        raise Fail("server read %d bytes" % len(got))
    snap(n, "the server read everything: window open, persist timer off")
    c.close()
    a.close()
    wait_side(p, False, "TIME_WAIT")
    lst.close()


def main():
    global OUTDIR
    OUTDIR = sys.argv[1]
    names = sys.argv[2:] or list(PORTS)
    for n in names:
        try:
            if n in CLASSIC:
                sysctl("recovery", 0)
            if n in SLOW_RTO:
                sysctl("rto_min_ms", 1000)
            globals()["sc_" + n](n)
            res = "ok %s\n" % n
        except Fail as e:
            res = "fail %s: %s\n" % (n, e)
        except Exception as e:  # pylint: disable=broad-except
            res = "fail %s: %r\n" % (n, e)
        if n in CLASSIC:
            sysctl("recovery", 1)
        if n in SLOW_RTO:
            sysctl("rto_min_ms", 200)
        with open(os.path.join(OUTDIR, "results"), "a") as f:
            f.write(res)
        sys.stdout.write(res)
        sys.stderr.write(res)
        sys.stdout.flush()
        try:
            ns_rule("release")
        except OSError:
            pass
    print("scenario done")


if __name__ == "__main__":
    main()
