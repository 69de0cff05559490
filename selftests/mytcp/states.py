#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# RFC 9293 connection lifecycle of mytcp against a scripted peer
# (tcp_peer.py): every state transition, observed in /proc/net/mytcp and
# on the wire, segment by segment.  The listener's side (SYN_RECV, the
# backlog) is in states_listen.py, TIME_WAIT in states_timewait.py.  One
# KTAP result per case; each case runs in its own network namespace.
# Every case runs over IPv4, then over IPv6 ("[IPv6]": tcp_peer.py's IPv6
# mode); the keepalive cases compare with Linux TCP of the same family.
#
# Environment: MYTCP_KO (loaded when the module is not), MYTCP_CASES
# ("|"-separated substrings: run only the matching cases), MYTCP_FAMILIES
# ("4" or "6": one family only).

import errno
import os
import socket
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
from tcp_peer import (ACK, CLOSE_WAIT, CLOSING, ESTABLISHED, FIN, FIN_WAIT1,
                      FIN_WAIT2, LAST_ACK, LISTEN, PSH, RST, SYN, SYN_RECV,
                      SYN_SENT, StatDelta, TIME_WAIT, accept, active_open,
                      check, connect_result, diag, expect_state,
                      inet_family, listener, mytcp_socket, opt_mss,
                      passive_open, recv_all,
                      recv_result, run_cases, so_error, state_of, states_of,
                      sysctl)


def wait_recv(s, timeout=5.0):
    """Next recv() result that is not EAGAIN."""
    deadline = time.monotonic() + timeout
    while True:
        r = recv_result(s)
        if r != "EAGAIN" or time.monotonic() > deadline:
            return r
        time.sleep(0.02)


# ------------------------------------------------------------------ opening

def active_open_case(peer):
    d = StatDelta()
    s = mytcp_socket()
    s.bind((peer.local, 0))
    lport = s.getsockname()[1]
    r = connect_result(s, (peer.remote, 5000))
    check(r == "EINPROGRESS", "connect: %s" % r)
    f = peer.flow(lport, 5000, iss=3000000)
    syn = f.track(f.expect(what="SYN"))
    diag("mytcp: %s" % syn)
    check(syn.flags == SYN, "first segment is not a bare SYN: %s" % syn)
    check(syn.mss is not None, "SYN without an MSS option")
    expect_state(lport, 5000, SYN_SENT)
    f.send(SYN | ACK, options=opt_mss(1400))
    a = f.expect(what="the third segment")
    diag("mytcp: %s" % a)
    check(a.flags & ~PSH == ACK, "third segment not a bare ACK: %s" % a)
    check(a.seq == syn.seq + 1 and a.ack == f.iss + 1,
          "ACK seq %u ack %u, want seq %u ack %u" % (a.seq, a.ack,
                                                     syn.seq + 1, f.iss + 1))
    check(not a.payload, "ACK carries data")
    expect_state(lport, 5000, ESTABLISHED)
    r = connect_result(s, (peer.remote, 5000))
    check(r in ("OK", "EISCONN"), "connect after the handshake: %s" % r)
    check(so_error(s) == 0, "SO_ERROR %d" % so_error(s))
    d.expect(ActiveOpens=1, CurrEstab=1)
    # data both ways works
    s.send(b"ping")
    seg = f.expect(lambda x: x.payload, what="data")
    check(seg.payload == b"ping" and seg.seq == syn.seq + 1,
          "data segment %s" % seg)
    f.track(seg)
    f.send(ACK | PSH, data=b"pong")
    check(recv_all(s, 4) == b"pong", "peer's data not delivered")


def passive_open_case(peer):
    d = StatDelta()
    ls = listener(peer, 7000)
    check(states_of(7000) == [LISTEN], "listener state %s" % states_of(7000))
    f = peer.flow(7000, 5001, iss=4000000)
    f.send(SYN, options=opt_mss(1400))
    sa = f.track(f.expect(what="SYN,ACK"))
    diag("mytcp: %s" % sa)
    check(sa.flags == SYN | ACK, "answer to SYN is not SYN,ACK: %s" % sa)
    check(sa.ack == f.iss + 1, "SYN,ACK ack %u, want %u" % (sa.ack,
                                                           f.iss + 1))
    check(sa.mss is not None, "SYN,ACK without an MSS option")
    check(sa.wscale is None, "window scale offered to a peer that did not")
    expect_state(7000, 5001, SYN_RECV)
    c, _ = accept(ls)
    check(c is None, "accept() returned a connection in SYN_RECV")
    f.send(ACK)
    check(not f.answers(), "mytcp answered the handshake's ACK")
    expect_state(7000, 5001, ESTABLISHED)
    c, addr = accept(ls)
    check(c is not None, "accept() returned nothing")
    check(addr[:2] == (peer.remote, 5001), "accept() address %s" % (addr,))
    check(c.getsockname()[:2] == (peer.local, 7000), "getsockname %s" %
          (c.getsockname(),))
    d.expect(PassiveOpens=1, CurrEstab=1)
    c.send(b"hello")
    seg = f.expect(lambda x: x.payload, what="data")
    check(seg.seq == sa.seq + 1 and seg.ack == f.iss + 1 and
          seg.payload == b"hello", "data segment %s" % seg)


def window_no_wscale(peer):
    """RFC 7323 2.2: no WS option from the peer, no scaling either way: the
    window field is the true window, and an empty 1 MiB buffer is open."""
    s, f = active_open(peer, 5000)
    s.send(b"data")
    seg = f.expect(lambda x: x.payload, what="data")
    f.send(ACK | PSH, data=b"x" * 100)
    a = f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of data")
    for x in (seg, a):
        check(x.win > 0, "window 0 advertised with an empty buffer: %s" % x)


def _recv_quiet(peer, s, f, scale):
    f.send(ACK | PSH, data=b"y" * 100)
    f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of the data")
    peer.barrier()			# the delayed ACK timer may send twice
    check(recv_all(s, 100) == b"y" * 100, "data")
    r = f.answers()
    check(not r, "recv() of 100 bytes (window %s) sent %s" % (scale, r))
    check(recv_result(s) == "EAGAIN", "more data?")
    r = f.answers()
    check(not r, "recv() of nothing sent %s" % r)


def recv_no_useless_ack(peer):
    """Reading a little sends no ACK: the window does not grow (RFC 1122
    4.2.3.3); an ACK repeating ack and window is a duplicate ACK."""
    s, f = active_open(peer, 5000)
    _recv_quiet(peer, s, f, "unscaled")
    s2, f2 = active_open(peer, 5001, syn_options=opt_mss(1400) +
                         b"\x01\x03\x03\x07")
    _recv_quiet(peer, s2, f2, "scaled")


def data_on_third_segment(peer):
    ls = listener(peer, 7000)
    c, f = passive_open(peer, ls, data=b"early data")
    a = f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of the data")
    check(a.flags & ~PSH == ACK, "ACK %s" % a)
    got = recv_all(c, 10)
    check(got == b"early data", "received %r" % got)
    expect_state(7000, 5001, ESTABLISHED)


def simultaneous_open(peer):
    s = mytcp_socket()
    s.bind((peer.local, 6000))
    check(connect_result(s, (peer.remote, 6001)) == "EINPROGRESS",
          "connect")
    f = peer.flow(6000, 6001, iss=5000000)
    syn = f.track(f.expect_flags(SYN))
    # Our SYN crosses theirs: a bare SYN.
    f.send(SYN, options=opt_mss(1400))
    sa = f.expect(what="SYN,ACK", rtx=True)	# our SYN again, with ACK
    diag("mytcp: %s" % sa)
    check(sa.flags == SYN | ACK and sa.seq == syn.seq and
          sa.ack == f.iss + 1,
          "answer to the crossing SYN %s, want SYN,ACK seq %u ack %u" %
          (sa, syn.seq, f.iss + 1))
    expect_state(6000, 6001, SYN_RECV)
    # Our SYN,ACK (seq = our ISS, ack = their ISS + 1).
    f.send(SYN | ACK, seq=f.iss, ack=syn.seq + 1, options=opt_mss(1400),
           advance=False)
    r = None
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if state_of(6000, 6001) == ESTABLISHED:
            break
        time.sleep(0.05)
    expect_state(6000, 6001, ESTABLISHED)
    r = connect_result(s, (peer.remote, 6001))
    check(r in ("OK", "EISCONN"), "connect: %s" % r)
    s.send(b"x")
    seg = f.expect(lambda x: x.payload, what="data")
    check(seg.seq == syn.seq + 1 and seg.ack == f.iss + 1,
          "data after simultaneous open: %s" % seg)


# ------------------------------------------------------------------ closing

def close_active(peer):
    """FIN_WAIT1 -> FIN_WAIT2 -> TIME_WAIT."""
    s, f = active_open(peer, 5000)
    lport = f.lport
    s.close()
    fin = f.track(f.expect(what="FIN"))
    check(fin.flags & ~PSH == FIN | ACK and fin.ack == f.snd_nxt,
          "close() sent %s" % fin)
    expect_state(lport, 5000, FIN_WAIT1)
    f.send(ACK)				# ACKs the FIN
    check(not f.answers(), "ACK of FIN answered")
    expect_state(lport, 5000, FIN_WAIT2)
    f.send(FIN | ACK)
    a = f.expect(what="ACK of the peer's FIN")
    check(a.flags & ~PSH == ACK and a.seq == fin.seq + 1 and
          a.ack == f.snd_nxt, "ACK of FIN: %s, want seq %u ack %u" %
          (a, fin.seq + 1, f.snd_nxt))
    expect_state(lport, 5000, TIME_WAIT)


def close_passive(peer):
    """CLOSE_WAIT -> LAST_ACK -> CLOSED."""
    d = StatDelta()
    ls = listener(peer, 7000)
    c, f = passive_open(peer, ls)
    f.send(FIN | ACK)
    a = f.expect(what="ACK of FIN")
    check(a.flags & ~PSH == ACK and a.ack == f.snd_nxt, "ACK of FIN: %s" % a)
    expect_state(7000, 5001, CLOSE_WAIT)
    r = wait_recv(c)
    check(r == b"", "recv() after the peer's FIN: %r, want EOF" % (r,))
    d.expect(CurrEstab=1)
    c.close()
    fin = f.track(f.expect(what="FIN"))
    check(fin.flags & ~PSH == FIN | ACK, "close() sent %s" % fin)
    expect_state(7000, 5001, LAST_ACK)
    f.send(ACK)
    check(not f.answers(), "the last ACK was answered")
    expect_state(7000, 5001, None)
    d.expect(CurrEstab=0)


def simultaneous_close(peer):
    """FIN_WAIT1 -> CLOSING -> TIME_WAIT."""
    s, f = active_open(peer, 5000)
    lport = f.lport
    s.shutdown(socket.SHUT_WR)
    fin = f.expect(what="FIN")
    check(fin.flags & FIN, "shutdown sent %s" % fin)
    # The peer's FIN crosses ours: it does not acknowledge it.
    f.send(FIN | ACK)
    f.track(fin)
    a = f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of the crossing "
                 "FIN")
    # a bare ACK after our FIN, or our FIN again carrying the new ACK
    check(a.seq == fin.seq + 1 or (a.flags & FIN and a.seq == fin.seq),
          "answer to crossing FIN: %s" % a)
    expect_state(lport, 5000, CLOSING)
    check(wait_recv(s) == b"", "EOF after FIN")
    f.send(ACK)
    check(not f.answers(), "ACK in CLOSING answered")
    expect_state(lport, 5000, TIME_WAIT)


def fin_ack_in_fin_wait1(peer):
    """FIN_WAIT1 + FIN,ACK acking our FIN -> TIME_WAIT."""
    s, f = active_open(peer, 5000)
    lport = f.lport
    s.close()
    fin = f.track(f.expect_flags(FIN | ACK))
    expect_state(lport, 5000, FIN_WAIT1)
    f.send(FIN | ACK)
    a = f.expect(what="ACK")
    check(a.flags & ~PSH == ACK and a.seq == fin.seq + 1 and
          a.ack == f.snd_nxt, "answer %s" % a)
    expect_state(lport, 5000, TIME_WAIT)


def fin_with_data(peer):
    ls = listener(peer, 7000)
    c, f = passive_open(peer, ls)
    f.send(FIN | ACK | PSH, data=b"last words")
    a = f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of data+FIN")
    check(a.flags & ~PSH == ACK, "answer %s" % a)
    expect_state(7000, 5001, CLOSE_WAIT)
    check(recv_all(c, 10) == b"last words", "data of the FIN segment")
    check(wait_recv(c) == b"", "no EOF after the data")


def half_close_fin_wait2_receives(peer):
    """shutdown(SHUT_WR): FIN_WAIT2 keeps receiving."""
    s, f = active_open(peer, 5000)
    lport = f.lport
    s.shutdown(socket.SHUT_WR)
    f.track(f.expect_flags(FIN | ACK))
    f.send(ACK)
    check(not f.answers(), "ACK answered")
    expect_state(lport, 5000, FIN_WAIT2)
    for i in range(3):
        f.send(ACK | PSH, data=b"more%d" % i)
    a = f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of the data")
    check(not a.payload and not a.flags & FIN, "answer %s" % a)
    check(recv_all(s, 15) == b"more0more1more2", "data in FIN_WAIT2")
    expect_state(lport, 5000, FIN_WAIT2)
    f.send(FIN | ACK)
    f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of FIN")
    check(wait_recv(s) == b"", "EOF after FIN")
    expect_state(lport, 5000, TIME_WAIT)


def half_close_close_wait_sends(peer):
    """CLOSE_WAIT: mytcp keeps sending."""
    ls = listener(peer, 7000)
    c, f = passive_open(peer, ls)
    f.send(FIN | ACK)
    f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of FIN")
    expect_state(7000, 5001, CLOSE_WAIT)
    check(wait_recv(c) == b"", "EOF")
    total = b""
    for i in range(3):
        c.send(b"reply%d" % i)
        seg = f.track(f.expect(lambda x: x.payload, what="data"))
        check(seg.ack == f.snd_nxt, "data in CLOSE_WAIT acks %u, want %u"
              % (seg.ack, f.snd_nxt))
        total += seg.payload
        f.send(ACK)
    check(total == b"reply0reply1reply2", "data sent in CLOSE_WAIT %r"
          % total)
    expect_state(7000, 5001, CLOSE_WAIT)
    c.close()
    fin = f.track(f.expect(lambda x: x.flags & FIN, what="FIN"))
    check(not fin.payload, "FIN %s" % fin)
    expect_state(7000, 5001, LAST_ACK)
    f.send(ACK)
    f.answers()
    expect_state(7000, 5001, None)


# ------------------------------------------------------------------ resets

def rst_syn_sent(peer):
    d = StatDelta()
    s = mytcp_socket()
    s.bind((peer.local, 6000))
    connect_result(s, (peer.remote, 6001))
    f = peer.flow(6000, 6001)
    syn = f.track(f.expect_flags(SYN))
    # RST without ACK: ignored (RFC 9293 3.10.7.3).
    f.send(RST, seq=0, advance=False)
    check(not f.answers(), "RST without ACK answered")
    expect_state(6000, 6001, SYN_SENT)
    # RST,ACK with an unacceptable ACK: ignored.
    f.send(RST | ACK, seq=0, ack=syn.seq + 1000, advance=False)
    check(not f.answers(), "RST with bad ACK answered")
    expect_state(6000, 6001, SYN_SENT)
    # Acceptable: refused.
    f.send(RST | ACK, seq=0, ack=syn.seq + 1, advance=False)
    check(not f.answers(), "RST answered")
    expect_state(6000, 6001, None)
    r = connect_result(s, (peer.remote, 6001))
    check(r == "ECONNREFUSED", "connect() after RST: %s" % r)
    d.expect(AttemptFails=1, InRsts=1)


def rst_syn_recv_child(peer):
    d = StatDelta()
    ls = listener(peer, 7000)
    f = peer.flow(7000, 5001)
    f.send(SYN, options=opt_mss(1400))
    f.track(f.expect_flags(SYN | ACK))
    expect_state(7000, 5001, SYN_RECV)
    f.send(RST)
    check(not f.answers(), "RST answered")
    expect_state(7000, 5001, None)
    check(accept(ls)[0] is None, "accept() returned the reset child")
    check(states_of(7000) == [LISTEN], "listener %s" % states_of(7000))
    d.expect(InRsts=1, PassiveOpens=0)


def rst_syn_recv_simultaneous(peer):
    s = mytcp_socket()
    s.bind((peer.local, 6000))
    connect_result(s, (peer.remote, 6001))
    f = peer.flow(6000, 6001)
    f.track(f.expect_flags(SYN))
    f.send(SYN)
    f.expect_flags(SYN | ACK, rtx=True)
    expect_state(6000, 6001, SYN_RECV)
    f.send(RST)
    f.answers()
    expect_state(6000, 6001, None)
    r = connect_result(s, (peer.remote, 6001))
    check(r == "ECONNREFUSED", "connect() after RST in SYN_RECV (active "
          "open): %s" % r)


def _rst_app_sees_reset(s, f, lport, rport, in_state, use_send=False):
    d = StatDelta()
    expect_state(lport, rport, in_state)
    f.send(RST, ack=0)
    check(not f.answers(), "RST answered")
    expect_state(lport, rport, None)
    if use_send:
        try:
            s.send(b"x")
            r = "sent"
        except OSError as e:
            r = errno.errorcode.get(e.errno, str(e.errno))
        check(r == "ECONNRESET", "send() after RST in %s: %s, want "
              "ECONNRESET" % (in_state, r))
    else:
        r = recv_result(s)
        check(r == "ECONNRESET", "recv() after RST: %r, want ECONNRESET"
              % (r,))
    d.expect(InRsts=1)


def rst_established(peer):
    s, f = active_open(peer, 5000)
    d = StatDelta()
    _rst_app_sees_reset(s, f, f.lport, 5000, ESTABLISHED)
    d.expect(EstabResets=1, CurrEstab=-1)


def rst_fin_wait1(peer):
    s, f = active_open(peer, 5000)
    s.shutdown(socket.SHUT_WR)
    f.expect_flags(FIN | ACK)
    _rst_app_sees_reset(s, f, f.lport, 5000, FIN_WAIT1)


def rst_fin_wait2(peer):
    s, f = active_open(peer, 5000)
    s.shutdown(socket.SHUT_WR)
    f.track(f.expect_flags(FIN | ACK))
    f.send(ACK)
    f.answers()
    _rst_app_sees_reset(s, f, f.lport, 5000, FIN_WAIT2)


def rst_close_wait(peer):
    s, f = active_open(peer, 5000)
    f.send(FIN | ACK)
    f.expect(lambda x: x.ack == f.snd_nxt)
    check(wait_recv(s) == b"", "EOF")
    d = StatDelta()
    _rst_app_sees_reset(s, f, f.lport, 5000, CLOSE_WAIT, use_send=True)
    d.expect(EstabResets=1, CurrEstab=-1)


def rst_closing(peer):
    s, f = active_open(peer, 5000)
    s.shutdown(socket.SHUT_WR)
    fin = f.expect_flags(FIN | ACK)
    f.send(FIN | ACK)
    f.track(fin)
    f.expect(lambda x: x.ack == f.snd_nxt)
    expect_state(f.lport, 5000, CLOSING)
    d = StatDelta()
    f.send(RST, ack=0)
    check(not f.answers(), "RST answered")
    expect_state(f.lport, 5000, None)
    d.expect(InRsts=1)


def rst_last_ack(peer):
    s, f = active_open(peer, 5000)
    f.send(FIN | ACK)
    f.expect(lambda x: x.ack == f.snd_nxt)
    s.close()
    f.track(f.expect_flags(FIN | ACK))
    expect_state(f.lport, 5000, LAST_ACK)
    d = StatDelta()
    f.send(RST, ack=0)
    check(not f.answers(), "RST answered")
    expect_state(f.lport, 5000, None)
    d.expect(InRsts=1)


# ------------------------------------------------------------------ more edges

def third_segment_fin(peer):
    """ACK,FIN completing the handshake: ESTABLISHED, then CLOSE_WAIT."""
    ls = listener(peer, 7000)
    g = peer.flow(7000, 5002, iss=6000000)
    g.send(SYN, options=opt_mss(1400))
    g.track(g.expect_flags(SYN | ACK))
    g.send(ACK | FIN)
    a = g.expect(lambda x: x.ack == g.snd_nxt, what="ACK of the FIN")
    check(a.flags & ~PSH == ACK, "answer %s" % a)
    expect_state(7000, 5002, CLOSE_WAIT)
    got, addr = accept(ls)
    check(got is not None and addr[1] == 5002,
          "accept() did not return the connection")
    check(wait_recv(got) == b"", "EOF")


def synack_with_data(peer):
    s = mytcp_socket()
    s.bind((peer.local, 0))
    lport = s.getsockname()[1]
    connect_result(s, (peer.remote, 5000))
    f = peer.flow(lport, 5000)
    f.track(f.expect_flags(SYN))
    f.send(SYN | ACK | PSH, data=b"greeting", options=opt_mss(1400))
    a = f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of SYN and data")
    check(a.flags & ~PSH == ACK, "answer %s" % a)
    expect_state(lport, 5000, ESTABLISHED)
    check(connect_result(s, (peer.remote, 5000)) in ("OK", "EISCONN"),
          "connect")
    check(recv_all(s, 8) == b"greeting", "data on the SYN,ACK")


def out_of_order_fin(peer):
    ls = listener(peer, 7000)
    c, f = passive_open(peer, ls)
    base = f.snd_nxt
    f.send(ACK | FIN | PSH, seq=base + 5, data=b"world", advance=False)
    r = f.answers()
    check(len(r) == 1 and r[0].ack == base, "answer to the out-of-order "
          "FIN: %s, want a duplicate ACK %u" % (r, base))
    expect_state(7000, 5001, ESTABLISHED)
    check(recv_result(c) == "EAGAIN", "something to read before the gap")
    f.send(ACK | PSH, data=b"hello")
    f.snd_nxt = base + 11
    a = f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of everything")
    check(a.flags & ~PSH == ACK, "answer %s" % a)
    expect_state(7000, 5001, CLOSE_WAIT)
    check(recv_all(c, 10) == b"helloworld", "data")
    check(wait_recv(c) == b"", "EOF")


def fin_again_close_wait_last_ack(peer):
    ls = listener(peer, 7000)
    c, f = passive_open(peer, ls)
    f.send(FIN | ACK)
    f.expect(lambda x: x.ack == f.snd_nxt)
    expect_state(7000, 5001, CLOSE_WAIT)
    f.send(FIN | ACK, seq=f.snd_nxt - 1, advance=False)
    r = f.answers()
    check(len(r) == 1 and r[0].flags & ~PSH == ACK and
          r[0].ack == f.snd_nxt, "answer to the FIN again in CLOSE_WAIT: "
          "%s" % r)
    expect_state(7000, 5001, CLOSE_WAIT)
    c.close()
    fin = f.expect_flags(FIN | ACK)
    expect_state(7000, 5001, LAST_ACK)
    f.send(FIN | ACK, seq=f.snd_nxt - 1, ack=fin.seq, advance=False)
    r = f.answers()
    check(len(r) == 1 and r[0].flags & ~PSH == ACK and
          r[0].ack == f.snd_nxt, "answer to the FIN again in LAST_ACK: %s"
          % r)
    expect_state(7000, 5001, LAST_ACK)
    f.track(fin)
    f.send(ACK)
    f.answers()
    expect_state(7000, 5001, None)


def fin_retransmitted_last_ack(peer):
    sysctl("rto_initial_ms", 200)
    sysctl("rto_min_ms", 1)
    ls = listener(peer, 7000)
    c, f = passive_open(peer, ls)
    f.send(FIN | ACK)
    f.expect(lambda x: x.ack == f.snd_nxt)
    d = StatDelta()
    c.close()
    fin = f.expect_flags(FIN | ACK)
    again = f.expect_flags(FIN | ACK, timeout=20, rtx=True)
    check(again.seq == fin.seq and again.ack == fin.ack,
          "retransmitted FIN %s, first %s" % (again, fin))
    check(d["RetransSegs"] >= 1, "RetransSegs did not move")
    expect_state(7000, 5001, LAST_ACK)
    f.track(fin)
    f.send(ACK)
    f.answers()
    expect_state(7000, 5001, None)


def close_with_unread_data(peer):
    """RFC 1122 4.2.2.13: close() with unread data sends RST, not FIN."""
    ls = listener(peer, 7000)
    c, f = passive_open(peer, ls, data=b"unread")
    f.expect(lambda x: x.ack == f.snd_nxt)
    d = StatDelta()
    c.close()
    r = f.expect(what="answer to close()")
    check(r.flags & RST and not r.flags & FIN and r.seq == f.rcv_nxt,
          "close() with unread data sent %s, want RST seq %u" %
          (r, f.rcv_nxt))
    expect_state(7000, 5001, None)
    d.expect(OutRsts=1)


def data_after_close(peer):
    """RFC 1122 4.2.2.13: data arriving after close() draws a RST (as
    Linux does), the orphan does not queue it."""
    sysctl("fin_timeout", 5)	# the orphan goes anyway, whatever happens
    s, f = active_open(peer, 5000)
    lport = f.lport
    s.close()
    f.track(f.expect_flags(FIN | ACK))
    f.send(ACK)
    f.answers()
    expect_state(lport, 5000, FIN_WAIT2)
    f.send(ACK | PSH, data=b"nobody reads this")
    r = f.answers()
    check(len(r) == 1 and r[0].flags & RST, "answer to data after close(): "
          "%s, want RST" % r)
    expect_state(lport, 5000, None)


def synack_fin(peer):
    """SYN,ACK,FIN: ESTABLISHED and at once CLOSE_WAIT."""
    s = mytcp_socket()
    s.bind((peer.local, 0))
    lport = s.getsockname()[1]
    connect_result(s, (peer.remote, 5000))
    f = peer.flow(lport, 5000)
    f.track(f.expect_flags(SYN))
    f.send(SYN | ACK | FIN, options=opt_mss(1400))
    a = f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of SYN and FIN")
    check(a.flags & ~PSH == ACK, "answer %s" % a)
    expect_state(lport, 5000, CLOSE_WAIT)
    check(connect_result(s, (peer.remote, 5000)) in ("OK", "EISCONN"),
          "connect")
    check(wait_recv(s) == b"", "EOF")


def close_in_syn_sent(peer):
    """close() in SYN_SENT: gone at once; the late SYN,ACK meets a closed
    port (RST <SEQ=SEG.ACK>)."""
    s = mytcp_socket()
    s.bind((peer.local, 0))
    lport = s.getsockname()[1]
    connect_result(s, (peer.remote, 5000))
    f = peer.flow(lport, 5000)
    syn = f.track(f.expect_flags(SYN))
    s.close()
    check(not f.answers(), "close() in SYN_SENT sent something")
    expect_state(lport, 5000, None)
    f.send(SYN | ACK, options=opt_mss(1400))
    r = f.answers()
    check(len(r) == 1 and r[0].flags == RST and r[0].seq == syn.seq + 1,
          "answer to the late SYN,ACK: %s" % r)


def _keepalive(peer, s):
    """SO_KEEPALIVE (idle 1 s, interval 1 s, 2 probes) on s, connected
    to the peer: an answered probe (seq SND.NXT - 1, RFC 9293 3.8.4) keeps
    the connection; two unanswered ones end it with an RST and
    ETIMEDOUT."""
    s.setblocking(False)
    s.bind((peer.local, 0))
    r = connect_result(s, (peer.remote, 5000))
    check(r == "EINPROGRESS", "connect: %s" % r)
    f = peer.flow(s.getsockname()[1], 5000)
    f.track(f.expect_flags(SYN))
    f.send(SYN | ACK, options=opt_mss(1400))
    f.expect_flags(ACK, pred=lambda x: x.ack == f.snd_nxt)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 2)

    def probe(x):
        return x.flags & ~PSH == ACK and \
            x.seq == (f.rcv_nxt - 1) & 0xffffffff and len(x.payload) <= 1
    p = f.expect(probe, timeout=10, what="keepalive probe")
    diag("probe: %s" % p)
    f.send(ACK)
    p = f.expect(probe, timeout=10, what="second keepalive probe")
    check(recv_result(s) == "EAGAIN", "answered probe ended the connection")
    # no more answers: 2 probes, then the end
    f.expect(probe, timeout=10, what="third keepalive probe")
    rst = f.expect(lambda x: x.flags & RST, timeout=10,
                   what="RST after the unanswered probes")
    check(rst.seq == f.rcv_nxt, "RST seq %u, want SND.NXT %u" %
          (rst.seq, f.rcv_nxt))
    r = wait_recv(s, 5)
    check(r == "ETIMEDOUT", "recv() after the probes ran out: %s" % r)


def keepalive_mytcp(peer):
    _keepalive(peer, mytcp_socket())


def keepalive_linux(peer):
    s = socket.socket(inet_family(), socket.SOCK_STREAM)
    try:
        _keepalive(peer, s)
    finally:
        s.close()


CASES = [
    ("active open: SYN_SENT -> ESTABLISHED", active_open_case),
    ("passive open: SYN_RECV -> ESTABLISHED, accept()", passive_open_case),
    ("data on the third handshake segment is delivered",
     data_on_third_segment),
    ("active open, peer without window scaling: window advertised",
     window_no_wscale),
    ("recv(): no ACK unless the window opens", recv_no_useless_ack),
    ("simultaneous open: SYN_SENT -> SYN_RECV -> ESTABLISHED",
     simultaneous_open),
    ("active close: FIN_WAIT1 -> FIN_WAIT2 -> TIME_WAIT", close_active),
    ("passive close: CLOSE_WAIT -> LAST_ACK -> CLOSED", close_passive),
    ("simultaneous close: FIN_WAIT1 -> CLOSING -> TIME_WAIT",
     simultaneous_close),
    ("FIN,ACK in FIN_WAIT1 -> TIME_WAIT", fin_ack_in_fin_wait1),
    ("FIN carrying data: data delivered, then EOF", fin_with_data),
    ("half-close: FIN_WAIT2 keeps receiving", half_close_fin_wait2_receives),
    ("half-close: CLOSE_WAIT keeps sending", half_close_close_wait_sends),
    ("RST in SYN_SENT: only an acceptable RST,ACK refuses", rst_syn_sent),
    ("RST in SYN_RECV: the listener's child is dropped", rst_syn_recv_child),
    ("RST in SYN_RECV of a simultaneous open: ECONNREFUSED",
     rst_syn_recv_simultaneous),
    ("RST in ESTABLISHED: ECONNRESET", rst_established),
    ("RST in FIN_WAIT1: ECONNRESET", rst_fin_wait1),
    ("RST in FIN_WAIT2: ECONNRESET", rst_fin_wait2),
    ("RST in CLOSE_WAIT: ECONNRESET", rst_close_wait),
    ("RST in CLOSING: closed", rst_closing),
    ("RST in LAST_ACK: closed", rst_last_ack),
    ("ACK,FIN completing the handshake: CLOSE_WAIT, accept() works",
     third_segment_fin),
    ("SYN,ACK carrying data: delivered", synack_with_data),
    ("out-of-order FIN: CLOSE_WAIT only once the gap is filled",
     out_of_order_fin),
    ("FIN again in CLOSE_WAIT and LAST_ACK: ACKed again",
     fin_again_close_wait_last_ack),
    ("LAST_ACK: FIN retransmitted until ACKed", fin_retransmitted_last_ack),
    ("close() with unread data: RST", close_with_unread_data),
    ("data after close() in FIN_WAIT2: RST", data_after_close),
    ("SYN,ACK,FIN: ESTABLISHED then CLOSE_WAIT", synack_fin),
    ("close() in SYN_SENT: gone, a late SYN,ACK gets RST",
     close_in_syn_sent),
    ("keepalive: answered probes keep it, unanswered ones end it",
     keepalive_mytcp),
    ("keepalive on Linux TCP: the same", keepalive_linux),
]

if __name__ == "__main__":
    run_cases(CASES, families=(4, 6))
