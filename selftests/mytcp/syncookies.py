#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# SYN cookies (RFC 4987 3.6) against a scripted peer (tcp_peer.py), as
# net.mytcp.syncookies / net.ipv4.tcp_syncookies say (0 off, 1 when the
# listener's queue overflows, 2 always).  A SYN flood fills a listener's
# backlog; a legitimate client still connects (its SYN-ACK is a cookie:
# no SYN_RECV entry), and exchanges data byte-exact, with the MSS, window
# scale and SACK the cookie carried; a forged cookie ACK (another 4-tuple,
# a wrong number) is answered with RST and counted; syncookies 0 drops the
# flood; 2 answers any SYN with a cookie, with and without timestamps.
# Every case runs over IPv4 and IPv6, on mytcp and on Linux TCP (AF_INET,
# AF_INET6) with the same steps and expectations.  Both encode window
# scale and SACK in the low 6 bits of the SYN-ACK's TSval (Linux's
# cookie_init_timestamp()); Linux then adds its per-tuple TSval offset,
# mytcp's offset is in the clock the bits replace, so only mytcp's are
# checked on the wire.
#
# Environment: MYTCP_KO (loaded when the module is not), MYTCP_CASES
# ("|"-separated substrings: run only the matching cases).

import os
import socket
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
import tcp_peer  # noqa: E402
from tcp_peer import (ACK, PSH, RST, SYN, SYN_RECV, abort, accept_wait,  # noqa
                      check, diag, inet_family, mytcp_socket, opt_mss,
                      opt_nop,
                      opt_sack_perm, opt_ts, opt_wscale, recv_all, run_cases,
                      states_of, stats, sysctl)

BACKLOG = 4
FLOOD = 60


def linux_socket():
    s = socket.socket(inet_family(), socket.SOCK_STREAM)
    s.setblocking(False)
    tcp_peer._sockets.append(s)	# pylint: disable=protected-access
    return s


def linux_stats():
    """TcpExt counters of /proc/net/netstat."""
    with open("/proc/net/netstat") as f:
        lines = [ln.split() for ln in f if ln.startswith("TcpExt:")]
    return {k: int(v) for k, v in zip(lines[0][1:], lines[1][1:])}


class Stack:
    """The stack under test: mytcp or Linux TCP, its sysctl and counters
    under Linux's names."""

    def __init__(self, mytcp):
        self.mytcp = mytcp
        self.name = "mytcp" if mytcp else "Linux TCP"
        self.port = 7000 if mytcp else 7100

    def socket(self):
        return mytcp_socket() if self.mytcp else linux_socket()

    def set_cookies(self, v):
        if self.mytcp:
            sysctl("syncookies", v)
        else:
            with open("/proc/sys/net/ipv4/tcp_syncookies", "w") as f:
                f.write(str(v))

    def counters(self):
        if self.mytcp:
            s = stats()
            return {"SyncookiesSent": s["SyncookiesSent"],
                    "SyncookiesRecv": s["SyncookiesRecv"],
                    "SyncookiesFailed": s["SyncookiesFailed"]}
        s = linux_stats()
        return {k: s[k] for k in ("SyncookiesSent", "SyncookiesRecv",
                                  "SyncookiesFailed")}

    def listen(self, peer, backlog=BACKLOG):
        ls = self.socket()
        ls.bind((peer.local, self.port))
        ls.listen(backlog)
        return ls


STACKS = (Stack(True), Stack(False))


def moved(before, after):
    return {k: after[k] - before[k] for k in before}


def flood(peer, st, n=FLOOD):
    """n SYNs from n ports, never completed: the ports that got a SYN-ACK."""
    for i in range(n):
        peer.send_segment(20000 + i, st.port, SYN, 7777 * (i + 1), 0,
                          options=opt_mss(1460))
    segs = peer.barrier()
    return {x.dport for x in segs if x.sport == st.port and
            x.flags == SYN | ACK}


def cookie_mss(mss, ts):
    """The MSS a cookie keeps (the largest of msstab not above mss: IPv4
    Linux's msstab, IPv6 its msstab6), less the timestamp option."""
    tab = (536, 1300, 1440, 1460) if tcp_peer.FAMILY == 4 else \
        (1220, 1420, 1440, 8940)
    return max([t for t in tab if t <= mss] or [tab[0]]) - (12 if ts else 0)


def full_opts(tsval):
    return (opt_mss(1460) + opt_sack_perm() + opt_ts(tsval, 0) + opt_nop() +
            opt_wscale(7))


def syn(peer, st, rport, options, iss=3000000):
    f = peer.flow(st.port, rport, iss)
    f.send(SYN, options=options)
    sa = f.track(f.expect_flags(SYN | ACK))
    return f, sa


def transfer(peer, st, ls, f, sa, mss, ts):
    """Complete the handshake (with data), accept, exchange data both
    ways byte-exact; our data segments stay within mss."""
    ts_opt = opt_nop() + opt_nop() + opt_ts(ts, sa.ts[0]) if ts else b""
    first = bytes(range(256)) * 4
    f.send(ACK | PSH, data=first, options=ts_opt)
    c = accept_wait(ls)
    check(c is not None, "%s: accept() after the cookie ACK" % st.name)
    c.setblocking(False)
    more = b"".join(bytes([i]) * 700 for i in range(10))
    for i in range(0, len(more), 700):
        f.send(ACK | PSH, data=more[i:i + 700], options=ts_opt)
    got = recv_all(c, len(first) + len(more))
    check(got == first + more, "%s: received %d bytes, want %d, byte-exact"
          % (st.name, len(got), len(first) + len(more)))
    out = os.urandom(4000)
    c.send(out)
    data = b""
    while len(data) < len(out):
        x = f.expect(lambda s: s.payload, what="data")
        check(len(x.payload) <= mss, "%s: segment of %d bytes, cookie MSS "
              "%d" % (st.name, len(x.payload), mss))
        f.track(x)
        data += x.payload
        f.send(ACK, options=ts_opt)
    check(data == out, "%s: peer received %d bytes, byte-exact"
          % (st.name, len(data)))
    return c


def flood_then_client(peer):
    """syncookies 1: the flood overflows the backlog and is answered with
    cookies; a client with MSS, SACK, timestamps and window scale connects
    through a cookie and transfers data."""
    for st in STACKS:
        st.set_cookies(1)
        ls = st.listen(peer)
        c0 = st.counters()
        answered = flood(peer, st)
        d = moved(c0, st.counters())
        diag("%s: %d SYNs, backlog %d: %d answered, %s" %
             (st.name, FLOOD, BACKLOG, len(answered), d))
        check(len(answered) == FLOOD, "%s: %d of %d SYNs answered"
              % (st.name, len(answered), FLOOD))
        check(FLOOD - BACKLOG - 1 <= d["SyncookiesSent"] <= FLOOD - BACKLOG,
              "%s: SyncookiesSent %d" % (st.name, d["SyncookiesSent"]))
        if st.mytcp:
            n = len(states_of(st.port)) - 1
            check(n <= BACKLOG + 1, "%d SYN_RECV children" % n)
        f, sa = syn(peer, st, 5001, full_opts(100))
        check(sa.ts is not None and sa.ts[1] == 100 and sa.wscale is not None
              and sa.sack_perm, "%s: cookie SYN-ACK options: %s ts %s sack "
              "%s" % (st.name, sa, sa.ts, sa.sack_perm))
        # Linux adds its per-tuple TSval offset after encoding: on the
        # wire its bits are not to be seen.  Ours are.
        check(not st.mytcp or sa.ts[0] & 0x3f == 0x17, "%s: TSval low bits "
              "%#x, want 0x17 (wscale 7, SACK)" % (st.name, sa.ts[0] & 0x3f))
        if st.mytcp:
            check(SYN_RECV not in states_of(st.port, 5001),
                  "a SYN_RECV entry for the cookie client")
        transfer(peer, st, ls, f, sa, cookie_mss(1460, True), 200)
        d = moved(c0, st.counters())
        check(d["SyncookiesRecv"] == 1 and d["SyncookiesFailed"] == 0,
              "%s: %s" % (st.name, d))


def forged_ack(peer):
    """A cookie ACK from another 4-tuple, or with another number, is not
    one: RST <SEQ=SEG.ACK>, SyncookiesFailed."""
    for st in STACKS:
        st.set_cookies(1)
        st.listen(peer)
        flood(peer, st)
        f, sa = syn(peer, st, 5002, opt_mss(1460))
        c0 = st.counters()
        for rport, ack in ((5003, sa.seq + 1), (5002, sa.seq + 1 + 4),
                           (5002, sa.seq + 1 + (1 << 24))):
            g = peer.flow(st.port, rport)
            g.snd_nxt = f.snd_nxt
            g.send(ACK, ack=ack & 0xffffffff)
            r = g.answers()
            check(len(r) == 1 and r[0].flags == RST and
                  r[0].seq == ack & 0xffffffff,
                  "%s: answer to the forged ACK (port %d, ack %u): %s"
                  % (st.name, rport, ack & 0xffffffff, r))
        d = moved(c0, st.counters())
        check(d["SyncookiesFailed"] == 3 and d["SyncookiesRecv"] == 0,
              "%s: %s" % (st.name, d))
        if st.mytcp:
            check(not states_of(st.port, 5003) and
                  not states_of(st.port, 5002),
                  "a connection from a forged ACK")


def cookies_off(peer):
    """syncookies 0: the flood beyond the backlog is dropped, no cookie."""
    for st in STACKS:
        st.set_cookies(0)
        st.listen(peer)
        c0 = st.counters()
        answered = flood(peer, st)
        diag("%s: %d answered" % (st.name, len(answered)))
        check(BACKLOG <= len(answered) <= BACKLOG + 1,
              "%s: %d SYNs answered, backlog %d" % (st.name, len(answered),
                                                    BACKLOG))
        f = peer.flow(st.port, 5004)
        f.send(SYN, options=opt_mss(1460))
        check(not f.answers(), "%s: the client's SYN was answered"
              % st.name)
        d = moved(c0, st.counters())
        check(d["SyncookiesSent"] == 0, "%s: %s" % (st.name, d))


def cookies_always(peer):
    """syncookies 2: every SYN gets a cookie, queue or not; with
    timestamps the options come back, without them MSS alone (msstab:
    1400 -> 1300 over IPv4, 1220 over IPv6)."""
    for st in STACKS:
        st.set_cookies(2)
        ls = st.listen(peer, backlog=16)
        c0 = st.counters()
        f, sa = syn(peer, st, 5005, full_opts(300))
        if st.mytcp:
            check(not states_of(st.port, 5005), "an entry for the SYN")
        check(sa.ts is not None and (not st.mytcp or
                                     sa.ts[0] & 0x3f == 0x17),
              "%s: SYN-ACK %s ts %s" % (st.name, sa, sa.ts))
        c1 = transfer(peer, st, ls, f, sa, cookie_mss(1460, True), 400)
        f, sa = syn(peer, st, 5006, opt_mss(1400), iss=4000000)
        check(sa.ts is None and sa.wscale is None and not sa.sack_perm,
              "%s: SYN-ACK without timestamps offers %s" % (st.name, sa))
        c2 = transfer(peer, st, ls, f, sa, cookie_mss(1400, False), None)
        d = moved(c0, st.counters())
        check(d["SyncookiesSent"] == 2 and d["SyncookiesRecv"] == 2,
              "%s: %s" % (st.name, d))
        abort(c1)
        abort(c2)


CASES = [
    ("syncookies 1: a flood overflows the backlog, a client connects",
     flood_then_client),
    ("forged cookie ACKs: RST, SyncookiesFailed", forged_ack),
    ("syncookies 0: the flood beyond the backlog is dropped", cookies_off),
    ("syncookies 2: cookies always, with and without timestamps",
     cookies_always),
]

if __name__ == "__main__":
    run_cases(CASES, families=(4, 6))
