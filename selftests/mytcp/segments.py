#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Segment-level fidelity: the segments a connection sends, segment by
# segment, against a scripted peer (tcp_peer.py).  Every case runs twice,
# once on a mytcp socket and once on a Linux TCP (AF_INET) socket in the
# same kind of namespace, and states the exact segments expected: a
# difference between the two shows as a failure of one of them.
#
# Comments say where the expected behaviour is an RFC requirement and
# where it is a Linux choice that mytcp copies.
#
# Environment: MYTCP_KO (loaded when the module is not), MYTCP_CASES
# ("|"-separated substrings: run only the matching cases).

import errno
import fcntl
import os
import select
import socket
import struct
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
import tcp_peer  # noqa: E402
from tcp_peer import (ACK, PSH, SYN, accept_wait, check, connect_result,
                      diag, mytcp_socket, opt_mss, opt_nop, opt_wscale,
                      passive_open, recv_all, run_cases, sysctl)

TCP_NOTSENT_LOWAT = 25
SIOCOUTQNSD = 0x894B
MSS = 1000


def linux_socket(blocking=False):
    """A Linux TCP socket, closed (RST) by the runner's cleanup."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(blocking)
    tcp_peer._sockets.append(s)	# pylint: disable=protected-access
    return s


KINDS = (("mytcp", mytcp_socket), ("Linux TCP", linux_socket))


def open_active(peer, new, rport, mss=MSS, win=65535):
    """new() connects to the peer; SYN-ACK with MSS mss only (no window
    scale, no timestamps, no SACK on either side)."""
    s = new()
    s.bind((peer.local, 0))
    r = connect_result(s, (peer.remote, rport))
    check(r == "EINPROGRESS", "connect: %s" % r)
    f = peer.flow(s.getsockname()[1], rport)
    f.track(f.expect(lambda x: x.flags & SYN, what="SYN"))
    f.send(SYN | ACK, options=opt_mss(mss), win=win)
    f.expect_flags(ACK, pred=lambda x: x.ack == f.snd_nxt)
    peer.barrier()
    return s, f


def data_segs(f, total, timeout=5.0):
    """The data segments carrying the next total bytes, tracked."""
    segs, got = [], 0
    while got < total:
        seg = f.track(f.expect(lambda x: x.payload, timeout=timeout,
                               what="data (%d of %d bytes so far)"
                               % (got, total)))
        segs.append(seg)
        got += len(seg.payload)
    return segs


def no_data(f, what):
    segs = [x for x in f.answers() if x.payload]
    check(not segs, "%s: data went out: %s" % (what, segs))


def shape(segs):
    return " ".join("%s%d" % ("P" if x.flags & PSH else ".",
                              len(x.payload)) for x in segs)


# ------------------------------------------------------------------- PSH

def psh_write(peer, new):
    """A 10,000-byte write (MSS 1000): ten segments, PSH on the last.
    RFC 9293 3.9.1.2: a sender without a PUSH call sets PSH on the last
    buffered segment.  Linux's choice: PSH also ends every GSO burst
    (__tcp_transmit_skb(), for the receiver's GRO); bursts are a few
    segments on this path (mytcp: a quarter of cwnd, at least two;
    Linux: tcp_tso_autosize())."""
    s, f = open_active(peer, new, 5000)
    s.send(b"w" * 10000)
    segs = data_segs(f, 10000)
    diag("segments: %s" % shape(segs))
    check(all(len(x.payload) <= MSS for x in segs), "larger than the MSS")
    check(segs[-1].flags & PSH, "no PSH on the last segment of the write")
    # Bursts (runs ending in PSH): their size is each stack's choice (on
    # this path mytcp sends 2 segments; Linux's tcp_tso_autosize() follows
    # the pacing rate, from the RTT it measured: 2 or 3 segments seen,
    # and 5 in a slow guest), so what is checked is that PSH ends every
    # burst - more than one PSH in the write, at most half of it apart -
    # not one per write.
    runs, n = [], 0
    for x in segs:
        n += 1
        if x.flags & PSH:
            runs.append(n)
            n = 0
    check(len(runs) >= 2 and all(r <= 5 for r in runs),
          "PSH not at the end of each burst: %s" % shape(segs))
    f.send(ACK)
    # A second write into an empty queue: one segment, PSH.
    s.send(b"v" * 300)
    segs = data_segs(f, 300)
    check(shape(segs) == "P300", "second write: %s" % shape(segs))


# ------------------------------------------------------ TCP_CORK, MSG_MORE

def cork_then_nodelay(peer, new):
    """TCP_CORK holds a partial segment; setting TCP_NODELAY sends it
    (Linux: TCP_NAGLE_PUSH; tcp(7)).  The next write is corked again."""
    s, f = open_active(peer, new, 5001)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
    s.send(b"a" * 200)
    s.send(b"b" * 100)
    no_data(f, "corked")
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    segs = data_segs(f, 300, timeout=2)
    check(shape(segs) == "P300" and segs[0].payload == b"a" * 200 +
          b"b" * 100, "TCP_NODELAY after TCP_CORK: %s" % shape(segs))
    f.send(ACK)
    s.send(b"c" * 100)		# still corked: held again
    no_data(f, "corked after TCP_NODELAY's push")
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)
    segs = data_segs(f, 100, timeout=2)
    check(shape(segs) == "P100", "uncork: %s" % shape(segs))


def msg_more(peer, new):
    """MSG_MORE holds a partial segment until a write without it (one
    segment with both, PSH); alone, it goes within the cork's ceiling
    (Linux: the probe timer, max(RTO, 200 ms); mytcp: 200 ms), with PSH
    (Linux's tcp_write_wakeup() marks it)."""
    s, f = open_active(peer, new, 5002)
    s.send(b"a" * 100, socket.MSG_MORE)
    no_data(f, "MSG_MORE")
    s.send(b"b" * 100)
    segs = data_segs(f, 200, timeout=2)
    check(shape(segs) == "P200", "write after MSG_MORE: %s" % shape(segs))
    f.send(ACK)
    peer.barrier()
    t0 = time.monotonic()
    s.send(b"c" * 100, socket.MSG_MORE)
    no_data(f, "MSG_MORE, alone")
    segs = data_segs(f, 100, timeout=5)
    diag("held %.0f ms" % ((time.monotonic() - t0) * 1000))
    check(shape(segs) == "P100", "MSG_MORE timeout: %s" % shape(segs))
    # A full segment is never held.
    f.send(ACK)
    s.send(b"d" * 1500, socket.MSG_MORE)
    segs = [x for x in f.answers() if x.payload]
    check(shape(segs) == ".1000", "MSG_MORE, 1500 bytes: %s" % shape(segs))
    for x in segs:
        f.track(x)


# --------------------------------------------------- TCP_MAXSEG, listener

def listener_maxseg(peer, new):
    """TCP_MAXSEG on a listener: the SYN-ACK's MSS option says it and the
    child sends no larger segments (Linux: tcp_mss_clamp(); RFC 9293
    3.7.1 lets the MSS option say less than the path allows)."""
    ls = new()
    ls.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 700)
    ls.bind((peer.local, 7001))
    ls.listen(8)
    f = peer.flow(7001, 5003, iss=2000000)
    f.send(SYN, options=opt_mss(1460))
    sa = f.track(f.expect_flags(SYN | ACK))
    diag("SYN-ACK: %s" % sa)
    check(sa.mss == 700, "SYN-ACK MSS option %s, want 700" % sa.mss)
    f.send(ACK)
    c = accept_wait(ls)
    check(c is not None, "no connection accepted")
    c.send(b"m" * 2000)
    segs = data_segs(f, 2000)
    check([len(x.payload) for x in segs] == [700, 700, 600],
          "child's segments: %s" % shape(segs))


# --------------------------------------------------------- delayed ACKs

def quickack_start(peer, new):
    """At the start of the data every segment is ACKed at once (Linux's
    quick-ACK mode, tcp_incr_quickack(): a Linux choice RFC 9293 3.8.6.3
    allows).  With TCP_QUICKACK 0 (delayed ACKs, Linux's pingpong mode)
    one full-sized segment waits, the second is ACKed at once (RFC 9293
    3.8.6.3: at least every second full-sized segment)."""
    ls = new()
    ls.bind((peer.local, 7002))
    ls.listen(8)
    c, f = passive_open(peer, ls, rport=5004)
    peer.barrier()
    for i in range(4):
        f.send(ACK, data=b"q" * MSS)
        acks = [x for x in f.answers() if x.ack == f.snd_nxt]
        check(acks, "segment %d of the quick-ACK start not ACKed at once"
              % (i + 1))
        check(len(recv_all(c, MSS)) == MSS, "data lost")
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 0)
    t0 = time.monotonic()
    f.send(ACK, data=b"r" * MSS)
    acks = [x for x in f.answers() if x.ack == f.snd_nxt]
    took = time.monotonic() - t0
    if took < 0.03:			# within the delayed-ACK time
        check(not acks, "first full-sized segment with TCP_QUICKACK 0 "
              "ACKed at once: %s" % acks)
    else:
        diag("slow guest (%.0f ms): delayed ACK not checked" % (took * 1000))
    check(len(recv_all(c, MSS)) == MSS, "data lost")
    # The second: mytcp ACKs at once; Linux too when its window's right
    # edge advances, else when the reader takes the data (its choice;
    # tcp_recvmsg() -> tcp_cleanup_rbuf()).  Both within 500 ms.
    f.send(ACK, data=b"r" * MSS)
    acks = [x for x in f.answers() if x.ack == f.snd_nxt]
    diag("second segment ACKed %s" % ("at once" if acks else "later"))
    check(acks or new is not mytcp_socket,
          "second full-sized segment not ACKed at once")
    check(len(recv_all(c, MSS)) == MSS, "data lost")
    if not acks:
        f.expect(lambda x: x.ack == f.snd_nxt, timeout=0.5,
                 what="ACK of two full-sized segments within 500 ms")


# ------------------------------------------------------- late segments

SIOCOUTQ = 0x5411
MASK = 0xffffffff


def _outq(s):
    buf = fcntl.ioctl(s.fileno(), SIOCOUTQ, b"\0" * 4)
    return struct.unpack("i", buf)[0]


def late_ack(peer, new):
    """The window's left edge for a segment wholly below RCV.NXT is
    RCV.WUP, the RCV.NXT our last ACK carried (Linux's tcp_sequence();
    RFC 9293's first check would refuse it): a pure ACK the peer sent
    before it saw that ACK, arriving after data the peer sent later, is
    taken (its ACK field counts) and draws no duplicate ACK of its own.
    An ACK from before our last ACK is refused in both stacks: a duplicate
    ACK, its ACK field ignored."""
    ls = new()
    ls.bind((peer.local, 7010))
    ls.listen(8)
    c, f = passive_open(peer, ls, rport=5010)
    peer.barrier()
    for i in range(4):		# past the quick-ACK start
        f.send(ACK, data=b"q" * MSS)
        check(len(recv_all(c, MSS)) == MSS, "data lost")
        f.answers()
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 0)
    c.send(b"x" * 100)	# its segment carries our ACK: RCV.WUP
    f.track(f.expect(lambda x: x.payload, what="100 bytes"))
    peer.barrier()
    wup = f.snd_nxt
    una = (f.rcv_nxt - 100) & MASK
    t0 = time.monotonic()
    f.send(ACK | PSH, data=b"d", ack=una)	# data, not ACKing ours yet
    f.send(ACK, seq=wup, advance=False)		# the late ACK: all of it
    r = [x for x in f.answers() if x.ack == f.snd_nxt]
    took = time.monotonic() - t0
    check(_outq(c) == 0, "the late ACK's ACK field ignored: %d bytes "
          "unacknowledged" % _outq(c))
    if took < 0.03:			# within the delayed-ACK time
        check(not r, "the late ACK drew an ACK at once: %s" % r)
    else:
        diag("slow guest (%.0f ms): no-answer not checked" % (took * 1000))
    check(recv_all(c, 1) == b"d", "data lost")
    if not r:				# the delayed ACK of b"d"
        f.expect(lambda x: x.ack == f.snd_nxt, timeout=1.0,
                 what="delayed ACK of the data")
    peer.barrier()
    # our ACK carried wup + 1 now: an ACK at wup is from before it
    c.send(b"y" * 100)
    f.track(f.expect(lambda x: x.payload, what="100 more bytes"))
    peer.barrier()
    f.send(ACK, seq=wup, advance=False)
    r = f.answers()
    check(len(r) == 1 and r[0].flags & ~PSH == ACK and
          r[0].ack == f.snd_nxt, "answer to an ACK from before our last "
          "ACK: %s (want one duplicate ACK)" % r)
    check(_outq(c) == 100, "an ACK from before our last ACK was taken: %d "
          "bytes unacknowledged, want 100" % _outq(c))
    f.send(ACK)
    peer.barrier()
    check(_outq(c) == 0, "the in-window ACK not taken")


# ------------------------------------------------------- window updates

def no_window_update_after_accept(peer, new):
    """Right after accept(), a read that waits for data sends nothing:
    nothing was read, the window did not move (Linux's
    __tcp_cleanup_rbuf() acts only on copied bytes)."""
    ls = new()
    ls.bind((peer.local, 7003))
    ls.listen(8)
    c, f = passive_open(peer, ls, rport=5005,
                        syn_options=opt_mss(1460) + opt_nop() +
                        opt_wscale(7))
    peer.barrier()
    c.setblocking(True)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO,
                 struct.pack("ll", 0, 200000))
    try:
        c.recv(100)
        check(False, "recv returned data")
    except OSError as e:
        check(e.errno in (errno.EAGAIN, errno.EWOULDBLOCK),
              "recv: %s" % e)
    segs = f.answers()
    check(not segs, "segments after accept() and a waiting read: %s" % segs)


# ---------------------------------------------------- TCP_NOTSENT_LOWAT

def notsent_lowat_opt(peer, new):
    """TCP_NOTSENT_LOWAT: default 0 (the sysctl's, UINT_MAX), any value
    taken and returned as set (Linux does not check it)."""
    s = new()
    check(s.getsockopt(socket.IPPROTO_TCP, TCP_NOTSENT_LOWAT) == 0,
          "default not 0")
    for v in (1000, 1, -1, 0):
        s.setsockopt(socket.IPPROTO_TCP, TCP_NOTSENT_LOWAT, v)
        got = s.getsockopt(socket.IPPROTO_TCP, TCP_NOTSENT_LOWAT)
        check(got == v, "set %d, got %d" % (v, got))
    try:
        s.setsockopt(socket.IPPROTO_TCP, TCP_NOTSENT_LOWAT, b"\0\0")
        check(False, "a 2-byte option was taken")
    except OSError as e:
        check(e.errno == errno.EINVAL, "short option: %s" % e)
    if new is mytcp_socket:
        check(sysctl("notsent_lowat") == 0xffffffff,
              "net.mytcp.notsent_lowat default %d" % sysctl("notsent_lowat"))
    else:
        with open("/proc/sys/net/ipv4/tcp_notsent_lowat") as fh:
            check(int(fh.read()) == 0xffffffff, "tcp_notsent_lowat")


def _pollout(s, ms=0):
    p = select.poll()
    p.register(s.fileno(), select.POLLOUT)
    return any(ev & select.POLLOUT for _, ev in p.poll(ms))


def _notsent(s):
    buf = fcntl.ioctl(s.fileno(), SIOCOUTQNSD, b"\0" * 4)
    return struct.unpack("i", buf)[0]


def notsent_lowat_poll(peer, new, use_sysctl=False):
    """With unsent bytes at or above TCP_NOTSENT_LOWAT the socket is not
    writable (poll, epoll); sending what was held wakes a poller (Linux's
    tcp_stream_memory_free())."""
    if use_sysctl:
        if new is mytcp_socket:
            sysctl("notsent_lowat", 1000)
        else:
            with open("/proc/sys/net/ipv4/tcp_notsent_lowat", "w") as fh:
                fh.write("1000")
    s, f = open_active(peer, new, 5006, win=2000)
    if not use_sysctl:
        s.setsockopt(socket.IPPROTO_TCP, TCP_NOTSENT_LOWAT, 1000)
    check(_pollout(s), "not writable with nothing queued")
    n = s.send(b"n" * 5000)
    segs = data_segs(f, 2000)
    check(shape(segs) in (".1000 P1000", ".1000 .1000"),
          "first flight into a 2000-byte window: %s" % shape(segs))
    diag("send took %d; unsent %d" % (n, _notsent(s)))
    check(_notsent(s) >= 1000 and not _pollout(s),
          "writable with %d bytes unsent (lowat 1000)" % _notsent(s))
    ep = select.epoll()
    ep.register(s.fileno(), select.EPOLLOUT)
    check(not ep.poll(0), "epoll: writable")
    res = []
    t = threading.Thread(target=lambda: res.append(_pollout(s, 5000)))
    t.start()
    time.sleep(0.2)
    f.send(ACK, win=65535)		# the window opens: the rest goes
    data_segs(f, n - 2000)
    t.join()
    check(res == [True], "poller not woken when the data went: %s" % res)
    check(ep.poll(1), "epoll: not writable after the data went")
    ep.close()


def write_space_third(peer, new):
    """A writer that filled its send buffer is told it may write again -
    poll() answers POLLOUT, a poller sleeping on it wakes - only once a
    third of the buffer is free, at least half as much as is still
    queued (Linux's __sk_stream_is_writeable(), sk_stream_write_space()),
    not as soon as an ACK frees some of it: each wake-up takes the socket
    for a copy while ACKs wait in the backlog."""
    s, f = open_active(peer, new, 5012)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384)
    sent = 0
    while sent < 1 << 20:
        try:
            sent += s.send(b"w" * MSS)
        except BlockingIOError:
            break
    flight = [f.track(x) for x in f.answers() if x.payload]
    check(len(flight) >= 4, "first flight: %d segments" % len(flight))
    base = flight[0].seq
    check(not _pollout(s), "writable with the buffer full (%d bytes "
          "queued)" % sent)
    # First down to three quarters of SO_SNDBUF queued: below the buffer
    # (room for a write), but under a third of it free.
    bufsize = s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
    target = max(sent - (3 * bufsize) // 4, 2 * MSS)
    res = []
    t = threading.Thread(target=lambda: res.append(_pollout(s, 10000)))
    t.start()
    time.sleep(0.2)
    acked = 0

    def ack_upto(limit):	# what arrived, at most limit: True if moved
        for x in f.answers():
            if x.payload:
                f.track(x)
        a = min((f.rcv_nxt - base) & 0xffffffff, limit)
        if a <= acked:
            return a
        f.send(ACK, ack=(base + a) & 0xffffffff)
        return a

    for _ in range(60):
        if acked >= target:
            break
        acked = ack_upto(target)
        time.sleep(0.05)
    time.sleep(0.3)
    woken_early = bool(res)
    writable = _pollout(s)
    first = acked
    diag("%d bytes queued, SO_SNDBUF %d; %d acknowledged: poller %s, "
         "poll() %s" % (sent, bufsize, first,
                        "woken" if woken_early else "asleep",
                        "POLLOUT" if writable else "no POLLOUT"))
    # Then everything that arrives, round after round, until it wakes.
    for _ in range(60):
        if res or acked >= sent:
            break
        acked = ack_upto(sent)
        time.sleep(0.05)
    t.join()
    diag("poller woken with %d of %d bytes acknowledged" % (acked, sent))
    check(first >= target, "only %d of the %d bytes to acknowledge went"
          % (first, target))
    check(not woken_early and not writable, "%d of %d bytes acknowledged "
          "(%d queued, under a third of SO_SNDBUF %d free): %s" %
          (first, sent, sent - first, bufsize,
           "the poller woke" if woken_early else "POLLOUT"))
    check(res == [True], "poller not woken with %d of %d bytes "
          "acknowledged: %s" % (acked, sent, res))
    check(_pollout(s), "not writable with %d of %d bytes acknowledged"
          % (acked, sent))


def notsent_lowat_sysctl(peer, new):
    """The same through the namespace's default (net.mytcp.notsent_lowat,
    net.ipv4.tcp_notsent_lowat)."""
    notsent_lowat_poll(peer, new, use_sysctl=True)


CASES = []
for _name, _fn in (("PSH on the last segment of each write", psh_write),
                   ("TCP_CORK then TCP_NODELAY sends what the cork held",
                    cork_then_nodelay),
                   ("MSG_MORE holds until the next write or 200 ms",
                    msg_more),
                   ("TCP_MAXSEG on a listener: SYN-ACK MSS and child's "
                    "segments", listener_maxseg),
                   ("quick-ACK start; every second full-sized segment",
                    quickack_start),
                   ("no window update after accept() and a waiting read",
                    no_window_update_after_accept),
                   ("a late ACK (below RCV.NXT, not below RCV.WUP) is "
                    "taken", late_ack),
                   ("TCP_NOTSENT_LOWAT get/set", notsent_lowat_opt),
                   ("TCP_NOTSENT_LOWAT: poll, epoll and wake-up",
                    notsent_lowat_poll),
                   ("notsent_lowat sysctl default", notsent_lowat_sysctl),
                   ("a full send buffer is writable again once a third is "
                    "free", write_space_third)):
    for _kind, _new in KINDS:
        CASES.append(("%s (%s)" % (_name, _kind),
                      (lambda fn, nw: lambda peer: fn(peer, nw))(_fn, _new)))

if __name__ == "__main__":
    run_cases(CASES)
