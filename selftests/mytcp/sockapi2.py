#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Socket API fidelity (issue 15): TCP_INQ and its TCP_CM_INQ cmsg,
# splice() from the socket to a pipe, SO_ZEROCOPY with MSG_ZEROCOPY sends
# (copied, and said so on the error queue).  Each scenario runs on mytcp
# and then on an AF_INET socket in the same namespace, talking to the same
# scripted peer (tcp_peer.py); the outcomes must be the same.
#
# Environment: MYTCP_KO (loaded when the module is not), MYTCP_CASES.

import errno
import os
import select
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
import tcp_peer
from tcp_peer import (ACK, FIN, PSH, SYN, Skip, StatDelta, accept_wait,
                      check,
                      connect_result, diag, mytcp_socket, opt_mss, run_cases,
                      so_error)

TCP_INQ = 36
TCP_CM_INQ = TCP_INQ
SO_ZEROCOPY = 60
MSG_ZEROCOPY = 0x4000000
SO_EE_ORIGIN_ZEROCOPY = 5
SO_EE_CODE_ZEROCOPY_COPIED = 1
IP_RECVERR = 11


def new_socket(kind):
    if kind == "mytcp":
        return mytcp_socket()
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    tcp_peer._sockets.append(s)		# closed by the case's cleanup
    return s


def errname(e):
    return errno.errorcode.get(e.errno, str(e.errno))


def result(fn):
    try:
        return fn()
    except OSError as e:
        return errname(e)


def open_active(peer, kind, rport):
    s = new_socket(kind)
    s.bind((peer.local, 0))
    lport = s.getsockname()[1]
    r = connect_result(s, (peer.remote, rport))
    check(r == "EINPROGRESS", "%s connect: %s" % (kind, r))
    f = peer.flow(lport, rport)
    f.track(f.expect_flags(SYN))
    f.send(SYN | ACK, options=opt_mss(1460))
    f.expect_flags(ACK, pred=lambda x: x.ack == f.snd_nxt)
    f.answers()
    return s, f


def compare(peer, scenario, port):
    out = {}
    for i, kind in enumerate(("mytcp", "inet")):
        out[kind] = scenario(peer, kind, port + 10 * i)
        diag("%s: %s" % (kind, out[kind]))
    check(out["mytcp"] == out["inet"], "mytcp %s, AF_INET %s"
          % (out["mytcp"], out["inet"]))
    return out["mytcp"]


def is_61():
    return os.uname().release.startswith("6.1.")


# ---------------------------------------------------------------- TCP_INQ

def recv_inq(s, n, flags=0):
    """recvmsg: (data, the TCP_CM_INQ value or None) or an errno name."""
    try:
        data, anc, _, _ = s.recvmsg(n, 64, flags)
    except OSError as e:
        return errname(e)
    inq = None
    for level, typ, val in anc:
        if level == socket.SOL_TCP and typ == TCP_CM_INQ:
            inq = struct.unpack("i", val[:4])[0]
    return (len(data), inq)


def sc_inq(peer, kind, port):
    s, f = open_active(peer, kind, port)
    out = []
    out.append(result(lambda: s.getsockopt(socket.SOL_TCP, TCP_INQ)))
    out.append(result(lambda: s.setsockopt(socket.SOL_TCP, TCP_INQ, 2)))
    out.append(result(lambda: s.setsockopt(socket.SOL_TCP, TCP_INQ, -1)))
    # before TCP_INQ: no cmsg; nothing to read: EAGAIN, no cmsg either
    out.append(recv_inq(s, 100))
    s.setsockopt(socket.SOL_TCP, TCP_INQ, 1)
    out.append(s.getsockopt(socket.SOL_TCP, TCP_INQ))
    out.append(recv_inq(s, 100))
    f.send(ACK | PSH, data=b"a" * 1000)
    f.send(ACK | PSH, data=b"b" * 500)
    f.answers()
    out.append(recv_inq(s, 100, socket.MSG_PEEK))	# PEEK: 1500 left
    out.append(recv_inq(s, 300))
    out.append(recv_inq(s, 1000))			# across two segments
    f.send(ACK | FIN)
    f.answers()
    out.append(recv_inq(s, 100))			# data, then the FIN
    out.append(recv_inq(s, 100))			# EOF: 0 bytes, inq 1
    out.append(recv_inq(s, 100))
    s.setsockopt(socket.SOL_TCP, TCP_INQ, 0)
    out.append(recv_inq(s, 100))			# no cmsg
    return out


def inq(peer):
    """TCP_INQ: set/get with Linux's errors; TCP_CM_INQ after each read
    with the bytes left (PEEK leaves them), the FIN counting one."""
    compare(peer, sc_inq, 5100)


def sc_inq_fin_same_segment(peer, kind, port):
    s, f = open_active(peer, kind, port)
    s.setsockopt(socket.SOL_TCP, TCP_INQ, 1)
    f.send(ACK | PSH | FIN, data=b"z" * 500)
    f.answers()
    return [recv_inq(s, 200), recv_inq(s, 300), recv_inq(s, 300),
            recv_inq(s, 10)]


def inq_fin(peer):
    """TCP_INQ with data and FIN in one segment: inq 1 once all is read."""
    compare(peer, sc_inq_fin_same_segment, 5200)


def sc_inq_child(peer, kind, port):
    ls = new_socket(kind)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((peer.local, port))
    ls.listen(8)
    ls.setsockopt(socket.SOL_TCP, TCP_INQ, 1)
    f = peer.flow(port, 40000 + port)
    f.send(SYN, options=opt_mss(1460))
    f.track(f.expect_flags(SYN | ACK, pred=lambda x: x.ack == f.snd_nxt))
    f.send(ACK | PSH, data=b"q" * 10)
    c = accept_wait(ls)
    check(c is not None, "%s: no child" % kind)
    f.answers()
    return [c.getsockopt(socket.SOL_TCP, TCP_INQ), recv_inq(c, 4)]


def inq_child(peer):
    """TCP_INQ set on a listener passes to its children."""
    compare(peer, sc_inq_child, 5300)


# ---------------------------------------------------------------- splice

def do_splice(s, w, n, flags=0):
    try:
        return os.splice(s.fileno(), w, n, flags=flags)
    except OSError as e:
        return errname(e)


def sc_splice(peer, kind, port):
    s, f = open_active(peer, kind, port)
    r, w = os.pipe()
    try:
        out = [do_splice(s, w, 65536)]			# nothing: EAGAIN
        data = bytes(range(256)) * 12			# 3072 bytes
        f.send(ACK | PSH, data=data[:1500])
        f.send(ACK | PSH, data=data[1500:])
        f.answers()
        out.append(do_splice(s, w, 1000))		# part of a segment
        out.append(do_splice(s, w, 65536, os.SPLICE_F_NONBLOCK))
        got = os.read(r, 65536)
        out.append(got == data)
        # the connection's window was updated: more data still flows
        f.send(ACK | PSH, data=b"tail")
        f.answers()
        out.append(s.recv(100))
        # a blocking socket waits for data despite SPLICE_F_NONBLOCK
        # (which is about the pipe): SO_RCVTIMEO ends the wait
        s.setblocking(True)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO,
                     struct.pack("ll", 0, 300000))
        t0 = time.monotonic()
        out.append(do_splice(s, w, 100, os.SPLICE_F_NONBLOCK))
        out.append(time.monotonic() - t0 >= 0.25)
        s.setblocking(False)
        # a full pipe: EAGAIN with SPLICE_F_NONBLOCK, data left in place
        os.set_blocking(w, False)
        filled = 0
        try:
            while True:
                filled += os.write(w, b"p" * 4096)
        except BlockingIOError:
            pass
        f.send(ACK | PSH, data=b"x" * 100)
        f.answers()
        out.append(do_splice(s, w, 100, os.SPLICE_F_NONBLOCK))
        while filled:
            filled -= len(os.read(r, filled))
        out.append(do_splice(s, w, 100, os.SPLICE_F_NONBLOCK))
        out.append(os.read(r, 200))
        f.send(ACK | FIN)
        f.answers()
        out.append(do_splice(s, w, 100))		# EOF
        out.append(do_splice(s, w, 100))
    finally:
        os.close(r)
        os.close(w)
    return out


def splice(peer):
    """splice(socket -> pipe): data in order, EAGAIN when empty, a
    blocking socket waits for SO_RCVTIMEO, full pipe, 0 after FIN."""
    compare(peer, sc_splice, 5400)


def sc_splice_listener(peer, kind, port):
    ls = new_socket(kind)
    ls.bind((peer.local, port))
    ls.listen(1)
    r, w = os.pipe()
    try:
        return [do_splice(ls, w, 10)]
    finally:
        os.close(r)
        os.close(w)


def splice_listener(peer):
    """splice from a listener: Linux's error."""
    compare(peer, sc_splice_listener, 5500)


# ---------------------------------------------------------------- zerocopy

def read_errqueue(s, timeout=5.0):
    """Zerocopy notifications as (errno, origin, code, lo, hi) until
    [0, last] is covered or timeout; EAGAIN when nothing is queued."""
    out = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _, anc, flags, _ = s.recvmsg(1, 256, socket.MSG_ERRQUEUE)
        except BlockingIOError:
            select.select([], [], [s], 0.1)	# POLLERR
            continue
        check(flags & socket.MSG_ERRQUEUE, "MSG_ERRQUEUE not set in flags")
        for level, typ, val in anc:
            if level == socket.SOL_IP and typ == IP_RECVERR:
                ee = struct.unpack("IBBBBII", val[:16])
                out.append((ee[0], ee[1], ee[3], ee[5], ee[6]))
        return out
    return "EAGAIN"


def sc_zerocopy(peer, kind, port):
    s, f = open_active(peer, kind, port)
    out = [s.getsockopt(socket.SOL_SOCKET, SO_ZEROCOPY)]
    out.append(result(lambda: s.setsockopt(socket.SOL_SOCKET, SO_ZEROCOPY,
                                           2)))
    # without SO_ZEROCOPY the flag is ignored: a plain send, no notification
    out.append(s.send(b"a" * 100, MSG_ZEROCOPY))
    f.track(f.expect(lambda x: len(x.payload) == 100))
    f.send(ACK)
    f.answers()
    out.append(result(lambda: s.recvmsg(1, 256, socket.MSG_ERRQUEUE)))
    out.append(result(lambda: s.setsockopt(socket.SOL_SOCKET, SO_ZEROCOPY,
                                           1)))
    out.append(s.getsockopt(socket.SOL_SOCKET, SO_ZEROCOPY))
    ids = set()
    for i in range(3):
        out.append(s.send(b"z" * 1000, MSG_ZEROCOPY))
        f.track(f.expect(lambda x: len(x.payload) == 1000))
        f.send(ACK)
        f.answers()
        n = read_errqueue(s)
        check(n != "EAGAIN", "%s: no notification for send %d" % (kind, i))
        for e, origin, code, lo, hi in n:
            check((e, origin) == (0, SO_EE_ORIGIN_ZEROCOPY),
                  "%s: notification %s" % (kind, (e, origin, code)))
            # mytcp always copies; Linux says so when its device made
            # it copy (the tun here): reported, not compared
            if kind == "mytcp":
                check(code == SO_EE_CODE_ZEROCOPY_COPIED,
                      "mytcp: ee_code %d, not COPIED" % code)
            else:
                diag("AF_INET zerocopy ee_code %d" % code)
            ids.update(range(lo, hi + 1))
    out.append(sorted(ids))
    out.append(result(lambda: s.recvmsg(1, 256, socket.MSG_ERRQUEUE)))
    # the data arrived whole
    return out


def zerocopy(peer):
    """SO_ZEROCOPY accepted; MSG_ZEROCOPY sends copied, each notified on
    the error queue as copied (ids 0, 1, 2)."""
    if is_61():
        s = mytcp_socket()
        r = result(lambda: s.setsockopt(socket.SOL_SOCKET, SO_ZEROCOPY, 1))
        check(r in ("EOPNOTSUPP", "ENOTSUP"), "6.1: SO_ZEROCOPY %s" % r)
        raise Skip("6.1: the socket core refuses SO_ZEROCOPY for a "
                   "non-inet family (no SOCK_CUSTOM_SOCKOPT)")
    compare(peer, sc_zerocopy, 5600)


# ---------------------------------------------------------------- TX stamps

SO_TIMESTAMPING = 37
SOF_TX_SOFTWARE = 1 << 1
SOF_SOFTWARE = 1 << 4
SOF_OPT_ID = 1 << 7
SOF_TX_SCHED = 1 << 8
SOF_TX_ACK = 1 << 9
SOF_OPT_TSONLY = 1 << 11
SO_EE_ORIGIN_TIMESTAMPING = 4


def read_tstamps(s, want, timeout=5.0):
    """(errno, origin, tstype, key, has SCM_TIMESTAMPING) from the error
    queue until want of them came or timeout."""
    out = []
    deadline = time.monotonic() + timeout
    while len(out) < want and time.monotonic() < deadline:
        try:
            _, anc, _, _ = s.recvmsg(1, 512, socket.MSG_ERRQUEUE)
        except BlockingIOError:
            select.select([], [], [s], 0.1)
            continue
        ee, ts = None, False
        for level, typ, val in anc:
            if level == socket.SOL_IP and typ == IP_RECVERR:
                ee = struct.unpack("IBBBBII", val[:16])
            elif level == socket.SOL_SOCKET and typ == SO_TIMESTAMPING:
                ts = len(val) >= 16 and val[:16] != bytes(16)
        check(ee is not None, "no sock_extended_err")
        out.append((ee[0], ee[1], ee[5], ee[6], ts))
    return out


def sc_tstamp(peer, kind, port):
    s, f = open_active(peer, kind, port)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPING,
                 SOF_TX_SOFTWARE | SOF_TX_SCHED | SOF_TX_ACK |
                 SOF_SOFTWARE | SOF_OPT_ID | SOF_OPT_TSONLY)
    # mytcp's key is the byte's sequence number (the core makes it
    # relative for AF_INET TCP only): compare it as an offset
    base = (f.irs + 1) if kind == "mytcp" else 0
    out = []
    for n in (1000, 500):
        s.send(b"t" * n)
        f.track(f.expect(lambda x: len(x.payload) == n))
        f.send(ACK)
        f.answers()
        got = read_tstamps(s, 3)
        out.append(sorted((e, o, info, (key - base) & 0xffffffff, ts)
                          for e, o, info, key, ts in got))
    out.append(result(lambda: s.recvmsg(1, 512, socket.MSG_ERRQUEUE)))
    return out


def tstamp(peer):
    """SO_TIMESTAMPING: SCHED, SND and ACK timestamps of each write's last
    byte on the error queue, keyed by byte offset (OPT_ID)."""
    compare(peer, sc_tstamp, 5700)


# ---------------------------------------------------------------- user timeout

TCP_USER_TIMEOUT = 18


def wait_abort(s, f, answer, limit=20.0):
    """Read kind's segments (answering each with answer(seg) unless None)
    until the socket reports an error or limit seconds passed: (errno
    name or None, aborted no earlier than 2.5 s, an RST was seen)."""
    t0 = time.monotonic()
    rst, err = False, None
    d = StatDelta()
    segs = []
    while time.monotonic() - t0 < limit:
        try:
            seg = f.expect(timeout=0.5, rtx=True)
        except AssertionError:
            seg = None
        if seg is not None:
            segs.append((round(time.monotonic() - t0, 2), len(seg.payload),
                         seg.flags))
            if seg.flags & tcp_peer.RST:
                rst = True
            elif answer:
                answer(seg)
        e = so_error(s)
        if e:
            err = errno.errorcode.get(e, str(e))
            break
    late = time.monotonic() - t0 >= 2.5
    diag("segments (time, payload, flags): %s" % segs[:12])
    diag("Timeouts +%d ZeroWindowProbes +%d" % (d["Timeouts"],
                                                 d["ZeroWindowProbes"]))
    rst = rst or any(x.flags & tcp_peer.RST for x in f.answers(rtx=True))
    return err, late, rst


def linux_rto():
    """Linux's RTO bounds for mytcp (the harness raises them to 30 s so
    that no retransmission comes by the clock): the cases about probes
    and SYN-ACK retransmission need the clock."""
    tcp_peer.sysctl("rto_min_ms", 200)
    tcp_peer.sysctl("rto_initial_ms", 1000)


def sc_ut_persist(peer, kind, port):
    linux_rto()
    s, f = open_active(peer, kind, port)
    ack0 = f.snd_nxt
    f.send(ACK, win=0)			# the window shuts
    f.answers()
    s.setsockopt(socket.SOL_TCP, TCP_USER_TIMEOUT, 3000)
    s.send(b"w" * 100)
    # the peer answers every probe, its window still shut
    return wait_abort(s, f, lambda seg: f.send(ACK, ack=f.rcv_nxt, win=0,
                                               seq=ack0))


def ut_persist(peer):
    """TCP_USER_TIMEOUT ends a connection whose window stays shut that
    long, probes answered or not (ETIMEDOUT, no RST), as tcp_probe_timer."""
    compare(peer, sc_ut_persist, 5800)


def sc_ut_keepalive(peer, kind, port):
    s, f = open_active(peer, kind, port)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    s.setsockopt(socket.SOL_TCP, socket.TCP_KEEPIDLE, 1)
    s.setsockopt(socket.SOL_TCP, socket.TCP_KEEPINTVL, 1)
    s.setsockopt(socket.SOL_TCP, socket.TCP_KEEPCNT, 50)
    s.setsockopt(socket.SOL_TCP, TCP_USER_TIMEOUT, 3000)
    return wait_abort(s, f, None)		# probes unanswered


def ut_keepalive(peer):
    """TCP_USER_TIMEOUT overrides TCP_KEEPCNT: unanswered keepalive
    probes end the connection after 3 s, not 50 probes (RST, ETIMEDOUT)."""
    compare(peer, sc_ut_keepalive, 5900)


# ---------------------------------------------------------------- defer accept

TCP_DEFER_ACCEPT = 9


def sc_defer_values(peer, kind, port):
    s = new_socket(kind)
    out = []
    for v in (0, 1, 2, 3, 4, 10, 100, 1000, -1):
        s.setsockopt(socket.SOL_TCP, TCP_DEFER_ACCEPT, v)
        out.append(s.getsockopt(socket.SOL_TCP, TCP_DEFER_ACCEPT))
    return out


def defer_values(peer):
    """TCP_DEFER_ACCEPT: seconds rounded to SYN-ACK retransmissions."""
    compare(peer, sc_defer_values, 6000)


def defer_listener(peer, kind, port, secs):
    ls = new_socket(kind)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((peer.local, port))
    ls.listen(8)
    ls.setsockopt(socket.SOL_TCP, TCP_DEFER_ACCEPT, secs)
    f = peer.flow(port, 41000 + port)
    f.send(SYN, options=opt_mss(1460))
    f.track(f.expect_flags(SYN | ACK, pred=lambda x: x.ack == f.snd_nxt))
    f.send(ACK)
    return ls, f


def sc_defer_data(peer, kind, port):
    ls, f = defer_listener(peer, kind, port, 5)
    out = [accept_wait(ls, 0.5) is None]	# the bare ACK: no accept
    f.send(ACK | PSH, data=b"hello")
    c = accept_wait(ls)
    out.append(c is not None and c.recv(10))
    out.append(c is not None and c.getsockopt(socket.SOL_TCP,
                                              TCP_DEFER_ACCEPT))
    return out


def defer_data(peer):
    """TCP_DEFER_ACCEPT: a bare ACK does not make the connection
    acceptable; its data does."""
    compare(peer, sc_defer_data, 6100)


def sc_defer_timeout(peer, kind, port):
    linux_rto()
    ls, f = defer_listener(peer, kind, port, 1)
    out = [accept_wait(ls, 0.3) is None]
    d = StatDelta()
    diag("states %s" % tcp_peer.states_of(port))
    # the SYN-ACK comes again at the end of the deferral; its ACK counts
    try:
        synack = f.expect_flags(SYN | ACK, timeout=5.0, rtx=True)
    except AssertionError:
        diag("no SYN-ACK; states %s Timeouts +%d RetransSegs +%d" %
             (tcp_peer.states_of(port), d["Timeouts"], d["RetransSegs"]))
        raise
    out.append(synack is not None)
    f.send(ACK)
    out.append(accept_wait(ls) is not None)
    return out


def defer_timeout(peer):
    """TCP_DEFER_ACCEPT: after the deferral the SYN-ACK is resent and the
    ACK to it makes the connection acceptable without data."""
    compare(peer, sc_defer_timeout, 6200)


CASES = [
    ("TCP_INQ: set/get, TCP_CM_INQ after each read, FIN counts one", inq),
    ("TCP_INQ: data and FIN in one segment", inq_fin),
    ("TCP_INQ: inherited from the listener", inq_child),
    ("splice to a pipe: data, EAGAIN, timeout, full pipe, EOF", splice),
    ("splice from a listener: error", splice_listener),
    ("SO_ZEROCOPY: MSG_ZEROCOPY copied, notified on the error queue",
     zerocopy),
    ("SO_TIMESTAMPING: TX SCHED/SOFTWARE/ACK with OPT_ID", tstamp),
    ("TCP_USER_TIMEOUT while zero-window probing", ut_persist),
    ("TCP_USER_TIMEOUT with keepalive probes", ut_keepalive),
    ("TCP_DEFER_ACCEPT: get/set rounding", defer_values),
    ("TCP_DEFER_ACCEPT: accepted on data, not on the bare ACK", defer_data),
    ("TCP_DEFER_ACCEPT: SYN-ACK again at the end, its ACK accepted",
     defer_timeout),
]

if __name__ == "__main__":
    run_cases(CASES)
