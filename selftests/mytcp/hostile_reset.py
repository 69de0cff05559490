#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Segments no connection takes, through the scripted peer of tcp_peer.py:
# to a closed port, a bound but not listening port, the 4-tuple of an
# aborted connection, an ACK to a listener, an unacceptable ACK in
# SYN_SENT (RFC 9293 3.10.7.1 resets), and a SYN flood on a listener
# (bounded by the backlog).  Each case checks the answer on the wire (or
# that there is none), the connection's state, and the counters of
# /proc/net/mytcp_stat.  One KTAP result per case; each case runs in its
# own network namespace.
#
# Environment: MYTCP_KO (loaded when the module is not), MYTCP_CASES
# ("|"-separated substrings: run only the matching cases).

import os
import socket
import struct
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
from tcp_peer import (ACK, ESTABLISHED, FIN, LISTEN, PSH, RST, SYN, SYN_SENT,
                      StatDelta, accept, active_open, check, connect_result,
                      diag, expect_state, listener, mytcp_socket, opt_mss,
                      passive_open, run_cases, states_of, sysctl)


def _rst_reply(r, seg_flags, seg_seq, seg_ack, seg_len):
    """RFC 9293 3.10.7.1: the reset a segment to a closed port draws."""
    check(len(r) == 1, "answers to a segment to a closed port: %s" % r)
    x = r[0]
    if seg_flags & ACK:
        check(x.flags == RST and x.seq == seg_ack,
              "reset %s, want <SEQ=SEG.ACK=%u><CTL=RST>" % (x, seg_ack))
    else:
        want = (seg_seq + seg_len) & 0xffffffff
        check(x.flags == RST | ACK and x.seq == 0 and x.ack == want,
              "reset %s, want <SEQ=0><ACK=%u><CTL=RST,ACK>" % (x, want))


def _closed_port_battery(peer, lport, rport):
    f = peer.flow(lport, rport, iss=7000000)
    cases = [(SYN, 7000000, 0, b""), (ACK, 7000100, 123456789, b""),
             (ACK | PSH, 7000200, 555, b"data!"),
             (FIN | PSH, 7000300, 0, b"bye"), (SYN | ACK, 7000400, 42, b""),
             (FIN, 7000500, 0, b"")]
    for flags, seq, ack, data in cases:
        f.send(flags, data=data, seq=seq, ack=ack, advance=False)
        _rst_reply(f.answers(), flags, seq, ack,
                   len(data) + bool(flags & SYN) + bool(flags & FIN))
    f.send(RST, seq=1, ack=0, advance=False)
    f.send(RST | ACK, seq=1, ack=1, advance=False)
    check(not f.answers(), "RST to a closed port answered")


def closed_port(peer):
    """No mytcp socket at all on the port."""
    _closed_port_battery(peer, 7001, 5001)


def bound_not_listening(peer):
    s = mytcp_socket()
    s.bind((peer.local, 7002))
    _closed_port_battery(peer, 7002, 5001)


def after_reset(peer):
    """The 4-tuple of a connection the application aborted."""
    s, f = active_open(peer, 5000)
    lport = f.lport
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                 struct.pack("ii", 1, 0))
    d = StatDelta()
    s.close()
    r = f.expect(what="RST")
    check(r.flags & RST and r.seq == f.rcv_nxt, "abort sent %s" % r)
    d.expect(OutRsts=1)
    expect_state(lport, 5000, None)
    _closed_port_battery(peer, lport, 5000)


def ack_to_listener(peer):
    ls = listener(peer, 7000)
    f = peer.flow(7000, 5001)
    d = StatDelta()
    for flags in (ACK, SYN | ACK, ACK | PSH):
        f.send(flags, seq=100, ack=777777, data=b"x" if flags & PSH
               else b"", advance=False)
        _rst_reply(f.answers(), flags, 100, 777777, 0)
    # SYN,FIN and SYN,RST: dropped, no child, no answer.
    f.send(SYN | FIN, seq=100, advance=False)
    f.send(SYN | RST, seq=100, advance=False)
    f.send(RST, seq=100, advance=False)
    f.send(FIN, seq=100, advance=False)
    check(not f.answers(), "answers to SYN,FIN / SYN,RST / RST / FIN at a "
          "listener")
    check(states_of(7000) == [LISTEN], "entries %s" % states_of(7000))
    check(accept(ls)[0] is None, "accept() returned something")
    check(d["OutRsts"] == 3, "OutRsts moved %d, want 3" % d["OutRsts"])


def syn_sent_bad_ack(peer):
    s = mytcp_socket()
    s.bind((peer.local, 6000))
    connect_result(s, (peer.remote, 6001))
    f = peer.flow(6000, 6001)
    syn = f.track(f.expect_flags(SYN))
    for bad in (syn.seq, syn.seq + 2, syn.seq - 1000):
        f.send(SYN | ACK, ack=bad, options=opt_mss(1400), advance=False)
        r = [x for x in f.answers() if x.flags != SYN]	# not SYN again
        check(len(r) == 1 and r[0].flags == RST and r[0].seq == bad,
              "answer to SYN,ACK with ACK %u (ISS %u): %s, want RST seq %u"
              % (bad, syn.seq, r, bad))
        expect_state(6000, 6001, SYN_SENT)
    # The right one still completes.
    f.send(SYN | ACK, options=opt_mss(1400))
    f.expect(lambda x: x.ack == f.snd_nxt, what="ACK")
    expect_state(6000, 6001, ESTABLISHED)


def syn_flood(peer):
    """Many SYNs from many ports: at most backlog+1 children, the rest
    dropped and counted; once the children time out the listener serves
    again and nothing is left."""
    backlog, n = 8, 200
    sysctl("syncookies", 0)	# the drop (syncookies.py: the cookies)
    ls = listener(peer, 7000, backlog=backlog)
    d = StatDelta()
    for i in range(n):
        peer.send_segment(10000 + i, 7000, SYN, 777 * i, 0,
                          options=opt_mss(1400))
    segs = peer.barrier()
    answered = {x.dport for x in segs if x.sport == 7000 and
                x.flags == SYN | ACK}
    diag("%d SYNs, backlog %d: %d answered" % (n, backlog, len(answered)))
    check(backlog <= len(answered) <= backlog + 1, "%d answered"
          % len(answered))
    check(d["DropListenOverflow"] == n - len(answered),
          "DropListenOverflow moved %d, want %d" %
          (d["DropListenOverflow"], n - len(answered)))
    # The peer gives up on them: the places come back.
    for x in segs:
        if x.sport == 7000 and x.flags == SYN | ACK:
            peer.send_segment(x.dport, 7000, RST, x.ack, 0)
    peer.barrier()
    check(states_of(7000) == [LISTEN], "children left: %d"
          % (len(states_of(7000)) - 1))
    c, f = passive_open(peer, ls, rport=5001)
    c.send(b"still serving")
    check(f.expect(lambda x: x.payload).payload == b"still serving", "data")


CASES = [
    ("closed port: RFC 9293 resets", closed_port),
    ("bound, not listening port: RFC 9293 resets", bound_not_listening),
    ("4-tuple of an aborted connection: RFC 9293 resets", after_reset),
    ("ACK to a listener: RST <SEQ=SEG.ACK>; SYN,FIN/SYN,RST dropped",
     ack_to_listener),
    ("SYN_SENT, unacceptable ACK: RST <SEQ=SEG.ACK>, stays SYN_SENT",
     syn_sent_bad_ack),
    ("SYN flood: bounded by the backlog, listener recovers", syn_flood),
]

if __name__ == "__main__":
    run_cases(CASES)
