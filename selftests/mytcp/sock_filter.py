#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Host policy on receive: socket filters (SO_ATTACH_FILTER, classic BPF)
# on mytcp sockets work as on Linux TCP sockets (tcp_filter() in
# tcp_v4_rcv): a segment the filter drops is neither delivered nor
# acknowledged, a filter on a listener drops SYNs before any child is
# made, a listener's filter and SO_LOCK_FILTER pass to its children, a
# filter may trim the payload, SO_DETACH_FILTER restores delivery.  Each
# scenario runs on mytcp and then on an AF_INET socket in the same
# namespace, talking to the same scripted peer (tcp_peer.py), and the
# outcomes must be the same.
#
# Environment: MYTCP_KO (loaded when the module is not), MYTCP_CASES.

import ctypes
import errno
import fcntl
import os
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
import tcp_peer
from tcp_peer import (ACK, LISTEN, PSH, SYN, Skip, StatDelta, accept,
                      accept_wait, check, connect_result, diag, mytcp_socket,
                      opt_mss, run_cases, states_of)

SO_ATTACH_FILTER = 26
SO_DETACH_FILTER = 27
SO_LOCK_FILTER = 44
SO_ATTACH_REUSEPORT_CBPF = 51
SIOCOUTQ = 0x5411
MYTCP_REUSEPORT = 201

# classic BPF opcodes
BPF_LD_W_LEN = 0x80		# A = skb->len
BPF_LDB_ABS = 0x30		# A = byte at k
BPF_ALU_AND_K = 0x54
BPF_ALU_RSH_K = 0x74
BPF_TAX = 0x07
BPF_JEQ_X = 0x1d		# jump if A == X
BPF_RET_K = 0x06

ACCEPT = 0xffff


def prog_drop_all():
    return [(BPF_RET_K, 0, 0, 0)]


def prog_drop_payload():
    """Accept segments without payload, drop the others.  The program sees
    the segment from the TCP header on, as on an AF_INET TCP socket."""
    return [(BPF_LDB_ABS, 0, 0, 12),		# doff << 4
            (BPF_ALU_AND_K, 0, 0, 0xf0),
            (BPF_ALU_RSH_K, 0, 0, 2),		# header length
            (BPF_TAX, 0, 0, 0),
            (BPF_LD_W_LEN, 0, 0, 0),
            (BPF_JEQ_X, 0, 1, 0),		# len == header length?
            (BPF_RET_K, 0, 0, ACCEPT),
            (BPF_RET_K, 0, 0, 0)]


def prog_keep(n):
    """Keep the first n bytes (header included): trims the payload."""
    return [(BPF_RET_K, 0, 0, n)]


_keep_alive = []


def fprog(insns):
    """struct sock_fprog for setsockopt (the instructions stay alive)."""
    raw = b"".join(struct.pack("HBBI", *i) for i in insns)
    buf = ctypes.create_string_buffer(raw, len(raw))
    _keep_alive.append(buf)
    return struct.pack("HxxxxxxQ", len(insns), ctypes.addressof(buf))


def attach(s, insns, opt=SO_ATTACH_FILTER):
    s.setsockopt(socket.SOL_SOCKET, opt, fprog(insns))


def sockopt_errno(fn):
    try:
        fn()
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
    return "OK"


def detach(s):
    return sockopt_errno(lambda: s.setsockopt(socket.SOL_SOCKET,
                                              SO_DETACH_FILTER, 0))


def new_socket(kind):
    if kind == "mytcp":
        return mytcp_socket()
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    tcp_peer._sockets.append(s)		# closed by the case's cleanup
    return s


def recv_all(s, want, timeout=5.0):
    buf = b""
    deadline = time.monotonic() + timeout
    while len(buf) < want and time.monotonic() < deadline:
        try:
            r = s.recv(65536)
        except BlockingIOError:
            time.sleep(0.02)
            continue
        if not r:
            break
        buf += r
    return buf


def outq(s):
    """Bytes sent and not yet acknowledged (SIOCOUTQ)."""
    return struct.unpack("i", fcntl.ioctl(s.fileno(), SIOCOUTQ,
                                          b"\0" * 4))[0]


def readable(s):
    try:
        return s.recv(65536, socket.MSG_PEEK)
    except BlockingIOError:
        return b""


def acks_of(f, settle=0.3):
    """The highest ACK mytcp (or Linux) sent after a short settle time
    (a delayed ACK has gone out by then)."""
    time.sleep(settle)
    best = None
    for seg in f.answers(rtx=True):
        if seg.flags & ACK and (best is None or
                                tcp_peer.seq_after(seg.ack, best)):
            best = seg.ack
    return best


def open_active(peer, kind, rport):
    """kind's socket connect()s to the peer; handshake done (no options
    but the MSS: the header is 20 bytes)."""
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


def open_passive(peer, kind, ls, rport):
    f = peer.flow(ls.getsockname()[1], rport)
    f.send(SYN, options=opt_mss(1460))
    f.track(f.expect_flags(SYN | ACK, pred=lambda x: x.ack == f.snd_nxt))
    f.send(ACK)
    c = accept_wait(ls)
    check(c is not None, "%s: accept() returned nothing" % kind)
    f.answers()
    return c, f


def listen_socket(peer, kind, port):
    ls = new_socket(kind)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((peer.local, port))
    ls.listen(8)
    return ls


def compare(peer, scenario, port):
    """Run scenario(peer, kind, port) for mytcp and AF_INET; the outcomes
    (dicts) must be equal; returns mytcp's."""
    out = {}
    for i, kind in enumerate(("mytcp", "inet")):
        out[kind] = scenario(peer, kind, port + 10 * i)
        diag("%s: %s" % (kind, out[kind]))
    check(out["mytcp"] == out["inet"], "mytcp %s, AF_INET %s"
          % (out["mytcp"], out["inet"]))
    return out["mytcp"]


# ---------------------------------------------------------------- scenarios

def sc_drop_all(peer, kind, port):
    s, f = open_active(peer, kind, port)
    attach(s, prog_drop_all())
    base = f.snd_nxt
    f.send(ACK | PSH, data=b"filtered")
    r = {"acked_while_filtered": acks_of(f) == base + 8,
         "read_while_filtered": readable(s)}
    r["detach"] = detach(s)
    f.send(ACK | PSH, data=b"filtered", seq=base)	# the peer's rtx
    r["after_detach"] = recv_all(s, 8)
    r["acked_after_detach"] = acks_of(f) == base + 8
    return r


def sc_drop_payload(peer, kind, port):
    """Pure ACKs pass the filter (the peer's ACK frees our data), data
    does not."""
    s, f = open_active(peer, kind, port)
    attach(s, prog_drop_payload())
    s.send(b"to-the-peer")
    seg = f.expect(lambda x: x.payload, what="data")
    f.track(seg)
    f.send(ACK)
    f.answers()
    time.sleep(0.2)
    base = f.snd_nxt
    f.send(ACK | PSH, data=b"dropped")
    r = {"data_acked": acks_of(f) == base + 7,
         "data_read": readable(s),
         "unacked_after_peer_ack": outq(s)}
    return r


def sc_trim(peer, kind, port):
    """A filter keeping 23 bytes of a 20-byte-header segment: 3 bytes of
    payload are taken (and acknowledged), the rest is cut off."""
    s, f = open_active(peer, kind, port)
    attach(s, prog_keep(23))
    base = f.snd_nxt
    f.send(ACK | PSH, data=b"abcdef")
    ack = acks_of(f)
    return {"read": recv_all(s, 3, 1.0),
            "acked_bytes": None if ack is None else (ack - base) & 0xffffffff}


def sc_listener(peer, kind, port):
    ls = listen_socket(peer, kind, port)
    attach(ls, prog_drop_all())
    f = peer.flow(port, 5100)
    f.send(SYN, options=opt_mss(1460))
    time.sleep(0.2)
    r = {"synack_while_filtered":
         any(x.flags & SYN for x in f.answers(rtx=True))}
    if kind == "mytcp":
        check(states_of(port) == [LISTEN], "entries of the listener's "
              "port with the SYN filtered: %s" % states_of(port))
    r["detach"] = detach(ls)
    f.send(SYN, options=opt_mss(1460), seq=f.iss)
    r["synack_after_detach"] = any(x.flags & SYN
                                   for x in f.answers(rtx=True))
    return r


def sc_inherit(peer, kind, port):
    """The listener's filter (drops data) applies to its children; the
    child may detach its copy; the listener keeps its own."""
    ls = listen_socket(peer, kind, port)
    attach(ls, prog_drop_payload())
    c, f = open_passive(peer, kind, ls, 5200)
    base = f.snd_nxt
    f.send(ACK | PSH, data=b"child")
    r = {"child_acked": acks_of(f) == base + 5,
         "child_read": readable(c)}
    r["child_detach"] = detach(c)
    f.send(ACK | PSH, data=b"child", seq=base)
    r["child_after_detach"] = recv_all(c, 5)
    # the listener still filters: a second child drops data
    c2, f2 = open_passive(peer, kind, ls, 5201)
    f2.send(ACK | PSH, data=b"second")
    time.sleep(0.2)
    r["second_read"] = readable(c2)
    return r


def sc_lock(peer, kind, port):
    ls = listen_socket(peer, kind, port)
    attach(ls, prog_drop_payload())
    ls.setsockopt(socket.SOL_SOCKET, SO_LOCK_FILTER, 1)
    r = {"detach_locked": detach(ls),
         "attach_locked": sockopt_errno(lambda: attach(ls,
                                                       prog_drop_all())),
         "unlock": sockopt_errno(lambda: ls.setsockopt(
             socket.SOL_SOCKET, SO_LOCK_FILTER, 0))}
    c, f = open_passive(peer, kind, ls, 5300)
    r["child_locked"] = c.getsockopt(socket.SOL_SOCKET, SO_LOCK_FILTER)
    r["child_detach"] = detach(c)
    f.send(ACK | PSH, data=b"still-filtered")
    time.sleep(0.2)
    r["child_read"] = readable(c)
    return r


# ---------------------------------------------------------------- cases

def drop_all(peer):
    d = StatDelta()
    r = compare(peer, sc_drop_all, 5000)
    check(not r["acked_while_filtered"] and r["read_while_filtered"] == b""
          and r["after_detach"] == b"filtered", "outcome %s" % r)
    check(d["DropSockFilter"] >= 1, "DropSockFilter moved %d"
          % d["DropSockFilter"])


def drop_payload(peer):
    r = compare(peer, sc_drop_payload, 5000)
    check(not r["data_acked"] and r["data_read"] == b"" and
          r["unacked_after_peer_ack"] == 0, "outcome %s" % r)


def trim(peer):
    r = compare(peer, sc_trim, 5000)
    check(r["read"] == b"abc" and r["acked_bytes"] == 3, "outcome %s" % r)


def listener_drops_syn(peer):
    d = StatDelta()
    r = compare(peer, sc_listener, 7000)
    check(not r["synack_while_filtered"] and r["synack_after_detach"],
          "outcome %s" % r)
    check(d["DropSockFilter"] == 1, "DropSockFilter moved %d, want 1"
          % d["DropSockFilter"])


def child_inherits(peer):
    r = compare(peer, sc_inherit, 7000)
    check(not r["child_acked"] and r["child_read"] == b"" and
          r["child_after_detach"] == b"child" and r["second_read"] == b"",
          "outcome %s" % r)


def lock_filter(peer):
    r = compare(peer, sc_lock, 7000)
    check(r["detach_locked"] == "EPERM" and r["attach_locked"] == "EPERM"
          and r["child_locked"] == 1 and r["child_read"] == b"",
          "outcome %s" % r)


def reuseport_bpf_refused(peer):
    """A reuseport program would be silently ignored (mytcp picks among
    SO_REUSEPORT listeners itself): the attach must fail, also on a socket
    with SO_REUSEPORT set (where the core would accept it).  Linux 6.1
    sends no SOL_SOCKET call to the protocol: there the core accepts it
    and mytcp cannot say no (Documentation/security.rst)."""
    s = mytcp_socket()
    e = sockopt_errno(lambda: attach(s, prog_drop_all(),
                                     SO_ATTACH_REUSEPORT_CBPF))
    check(e != "OK", "SO_ATTACH_REUSEPORT_CBPF accepted on a mytcp socket")
    s.setsockopt(socket.SOL_TCP, MYTCP_REUSEPORT, 1)
    e2 = sockopt_errno(lambda: attach(s, prog_drop_all(),
                                      SO_ATTACH_REUSEPORT_CBPF))
    diag("SO_ATTACH_REUSEPORT_CBPF: %s; with SO_REUSEPORT: %s" % (e, e2))
    if os.uname().release.startswith("6.1."):
        raise Skip("6.1: the core takes SO_ATTACH_REUSEPORT_CBPF (%s)" % e2)
    check(e2 in ("EOPNOTSUPP", "ENOTSUP"),
          "with SO_REUSEPORT: %s, want EOPNOTSUPP"
          % e2)


def hostile_flood_filtered(peer):
    """A peer flooding a filtered connection pins nothing: every segment
    is freed before the state machine (the run's live_skbs check), and the
    connection still works after a detach."""
    s, f = open_active(peer, "mytcp", 5000)
    attach(s, prog_drop_payload())
    d = StatDelta()
    base = f.snd_nxt
    for i in range(200):
        f.send(ACK | PSH, data=b"x" * 1000, seq=base + 1000 * i,
               advance=False)
    f.answers()
    check(d["DropSockFilter"] == 200, "DropSockFilter moved %d, want 200"
          % d["DropSockFilter"])
    check(readable(s) == b"", "filtered data delivered")
    check(detach(s) == "OK", "detach")
    f.send(ACK | PSH, data=b"ok")
    check(recv_all(s, 2) == b"ok", "data after the detach")


CASES = [
    ("drop-all filter: data neither delivered nor ACKed, detach restores",
     drop_all),
    ("payload filter: pure ACKs pass, data dropped", drop_payload),
    ("trimming filter: payload cut, the rest ACKed", trim),
    ("listener filter: SYN dropped, no child; detach restores",
     listener_drops_syn),
    ("listener filter inherited by children", child_inherits),
    ("SO_LOCK_FILTER: EPERM, inherited by children", lock_filter),
    ("SO_ATTACH_REUSEPORT_CBPF refused, not ignored",
     reuseport_bpf_refused),
    ("hostile flood into a filtered connection: nothing kept",
     hostile_flood_filtered),
]

if __name__ == "__main__":
    run_cases(CASES)
