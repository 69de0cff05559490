#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Blind injection against an established connection (RFC 5961), through
# the scripted peer of tcp_peer.py: RSTs and SYNs in and out of the window
# draw challenge ACKs instead of a reset, out-of-window and duplicate data
# is ACKed and not delivered, ACKs of unsent or too old data are dropped,
# the challenge ACK rate limit holds, and PAWS (RFC 7323) drops a segment
# with an old timestamp.  Each case checks the answer on the wire (or that
# there is none), the connection's state, and the counters of
# /proc/net/mytcp_stat.  One KTAP result per case; each case runs in its
# own network namespace.
#
# Environment: MYTCP_KO (loaded when the module is not), MYTCP_CASES
# ("|"-separated substrings: run only the matching cases).

import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
from hostile_lib import nothing_to_read, still_works
from tcp_peer import (ACK, ESTABLISHED, FIN, PSH, RST, SYN, SYN_RECV,
                      StatDelta, accept, active_open, check, diag,
                      expect_state, listener, opt_mss, opt_ts, passive_open,
                      recv_all, run_cases, sysctl)

# Beyond any receive window: windows never exceed the 1 MiB buffer.
FAR = 1 << 21


def rst_in_window_not_exact(peer):
    s, f = active_open(peer, 5000)
    d = StatDelta()
    for off in (1, 1000, 30000):
        f.send(RST, seq=f.snd_nxt + off, ack=0, advance=False)
    r = f.answers()
    check(len(r) == 3, "%d answers to 3 in-window RSTs, want 3 challenge "
          "ACKs: %s" % (len(r), r))
    for a in r:
        check(a.flags & ~PSH == ACK and a.seq == f.rcv_nxt and
              a.ack == f.snd_nxt, "challenge ACK %s, want seq %u ack %u"
              % (a, f.rcv_nxt, f.snd_nxt))
    d.expect(ChallengeAcks=3, InRsts=0)
    still_works(s, f)


def rst_syn_recv_not_exact(peer):
    ls = listener(peer, 7000)
    f = peer.flow(7000, 5001)
    f.send(SYN, options=opt_mss(1400))
    f.track(f.expect_flags(SYN | ACK))
    d = StatDelta()
    f.send(RST, seq=f.snd_nxt + 100, ack=0, advance=False)
    r = f.answers()
    check(len(r) == 1 and r[0].flags & ~PSH == ACK and
          r[0].ack == f.snd_nxt, "answer to an in-window RST in SYN_RECV: "
          "%s, want a challenge ACK" % r)
    expect_state(7000, 5001, SYN_RECV)
    d.expect(ChallengeAcks=1, InRsts=0)
    f.send(ACK)
    f.answers()
    expect_state(7000, 5001, ESTABLISHED)
    check(accept(ls)[0] is not None, "accept()")


def all_flags(peer):
    """SYN,FIN,RST,PSH,ACK,URG at once: handled as the RST it carries
    (RFC 9293: RST checked before SYN)."""
    s, f = active_open(peer, 5000)
    d = StatDelta()
    f.send(0x3f, seq=f.snd_nxt + 100, data=b"xmas", advance=False, urg=1)
    r = f.answers()
    check(len(r) == 1 and r[0].flags & ~PSH == ACK and
          r[0].ack == f.snd_nxt, "answer to an in-window all-flags segment:"
          " %s, want one challenge ACK" % r)
    d.expect(ChallengeAcks=1, InRsts=0)
    nothing_to_read(s, f)
    still_works(s, f)
    d = StatDelta()
    f.send(0x3f, data=b"xmas", advance=False, urg=1)
    check(not f.answers(), "exact all-flags segment answered")
    expect_state(f.lport, 5000, None)
    d.expect(InRsts=1)


def rst_exact(peer):
    s, f = active_open(peer, 5000)
    d = StatDelta()
    f.send(RST | ACK)
    check(not f.answers(), "RST answered")
    expect_state(f.lport, 5000, None)
    d.expect(InRsts=1, ChallengeAcks=0)


def syn_in_established(peer):
    # Two SYNs in a row: without invalid_ratelimit_ms (hostile_seg.py
    # tests it) both draw their challenge ACK.
    sysctl("invalid_ratelimit_ms", 0)
    s, f = active_open(peer, 5000)
    d = StatDelta()
    f.send(SYN, seq=f.snd_nxt + 10, options=opt_mss(1400), advance=False)
    f.send(SYN | ACK, seq=f.snd_nxt, options=opt_mss(1400), advance=False)
    r = f.answers()
    check(len(r) == 2, "answers to 2 in-window SYNs: %s" % r)
    for a in r:
        check(a.flags & ~PSH == ACK and a.seq == f.rcv_nxt and
              a.ack == f.snd_nxt, "challenge ACK %s" % a)
    d.expect(ChallengeAcks=2, InRsts=0)
    still_works(s, f)


def out_of_window_rst(peer):
    s, f = active_open(peer, 5000)
    d = StatDelta()
    for off in (-1, -FAR, FAR, 1 << 30):
        f.send(RST, seq=f.snd_nxt + off, ack=0, advance=False)
        f.send(RST | ACK, seq=f.snd_nxt + off, advance=False)
    r = f.answers()
    check(not r, "out-of-window RST answered: %s" % r)
    d.expect(InRsts=0, ChallengeAcks=0)
    check(d["DropNotAcceptable"] == 8, "DropNotAcceptable moved %d, want 8"
          % d["DropNotAcceptable"])
    still_works(s, f)


def out_of_window_syn(peer):
    sysctl("invalid_ratelimit_ms", 0)	# see syn_in_established
    s, f = active_open(peer, 5000)
    d = StatDelta()
    for off in (-FAR, FAR):
        f.send(SYN, seq=f.snd_nxt + off, options=opt_mss(1400),
               advance=False)
    r = f.answers()
    check(len(r) == 2, "answers to 2 out-of-window SYNs: %s" % r)
    for a in r:
        check(a.flags & ~PSH == ACK and a.seq == f.rcv_nxt and
              a.ack == f.snd_nxt, "ACK %s" % a)
    d.expect(InRsts=0)
    still_works(s, f)


def out_of_window_data(peer):
    s, f = active_open(peer, 5000)
    d = StatDelta()
    f.send(ACK | PSH, seq=f.snd_nxt + FAR, data=b"future", advance=False)
    f.send(ACK | PSH, seq=f.snd_nxt - FAR, data=b"ancient",
           advance=False)
    f.send(FIN | ACK, seq=f.snd_nxt + FAR, advance=False)
    r = f.answers()
    check(len(r) == 3, "answers to 3 out-of-window segments: %s" % r)
    for a in r:
        check(a.flags & ~PSH == ACK and a.ack == f.snd_nxt and
              a.seq == f.rcv_nxt, "ACK %s" % a)
    nothing_to_read(s, f)
    check(d["DropNotAcceptable"] == 3, "DropNotAcceptable moved %d"
          % d["DropNotAcceptable"])
    # A duplicate of data already received: ACKed, not delivered twice.
    f.send(ACK | PSH, data=b"once")
    check(recv_all(s, 4) == b"once", "data")
    f.expect(lambda x: x.ack == f.snd_nxt)
    peer.barrier()		# see nothing_to_read()
    f.send(ACK | PSH, seq=f.snd_nxt - 4, data=b"once", advance=False)
    r = f.answers()
    check(r and all(x.flags & ~PSH == ACK and x.ack == f.snd_nxt
                    for x in r), "answer to a duplicate: %s" % r)
    nothing_to_read(s, f)
    still_works(s, f)


def ack_unsent(peer):
    s, f = active_open(peer, 5000)
    d = StatDelta()
    f.send(ACK | PSH, data=b"evil", ack=f.rcv_nxt + 5000, advance=False)
    r = f.answers()
    check(len(r) == 1 and r[0].flags & ~PSH == ACK and
          r[0].ack == f.snd_nxt and r[0].seq == f.rcv_nxt,
          "answer to an ACK of unsent data: %s, want one ACK seq %u ack %u"
          % (r, f.rcv_nxt, f.snd_nxt))
    d.expect(DropAckUnsent=1)
    nothing_to_read(s, f)
    still_works(s, f)


def ack_too_old(peer):
    s, f = active_open(peer, 5000)
    d = StatDelta()
    # RFC 5961 5.2: SEG.ACK < SND.UNA - MAX.SND.WND: discard, send an ACK.
    f.send(ACK | PSH, data=b"evil", ack=f.rcv_nxt - 200000, advance=False)
    r = f.answers()
    check(len(r) == 1 and r[0].flags & ~PSH == ACK and
          r[0].ack == f.snd_nxt, "answer to a too old ACK: %s" % r)
    nothing_to_read(s, f)
    d.expect(InRsts=0)
    still_works(s, f)


def data_without_ack(peer):
    s, f = active_open(peer, 5000)
    d = StatDelta()
    f.send(PSH, data=b"no ack bit", advance=False)
    f.send(FIN, advance=False)
    f.send(0, advance=False)			# no flag at all
    f.send(0, data=b"null", advance=False)
    r = f.answers()
    check(not r, "segments without ACK answered: %s" % r)
    nothing_to_read(s, f)
    expect_state(f.lport, 5000, ESTABLISHED)
    d.expect(InRsts=0)
    still_works(s, f)


def challenge_ack_limit(peer):
    s, f = active_open(peer, 5000)
    sysctl("challenge_ack_limit", 0)
    d = StatDelta()
    for i in range(5):
        f.send(RST, seq=f.snd_nxt + 100 + i, ack=0, advance=False)
    r = f.answers()
    check(not r, "challenge ACKs with challenge_ack_limit 0: %s" % r)
    d.expect(ChallengeAcks=0, InRsts=0)
    expect_state(f.lport, 5000, ESTABLISHED)
    limit = 3
    sysctl("challenge_ack_limit", limit)
    d = StatDelta()
    n = 20
    t0 = time.monotonic()
    for i in range(n):
        f.send(RST, seq=f.snd_nxt + 100 + i, ack=0, advance=False)
    r = f.answers()
    secs = time.monotonic() - t0
    got = d["ChallengeAcks"]
    diag("%d in-window RSTs in %.2fs, limit %d/s: %d challenge ACKs"
         % (n, secs, limit, got))
    check(len(r) == got, "%d ACKs on the wire, ChallengeAcks moved %d"
          % (len(r), got))
    # A second may have begun during the burst: at most one more window.
    check(limit <= got <= limit * (int(secs) + 2),
          "%d challenge ACKs for %d RSTs with limit %d" % (got, n, limit))
    if secs < 0.5:
        check(got <= 2 * limit, "more than two windows' worth: %d" % got)
    still_works(s, f)


def paws_old_timestamp(peer):
    ls = listener(peer, 7000)
    c, f = passive_open(peer, ls, syn_options=opt_mss(1400) + opt_ts(1000,
                                                                      0))
    f.send(ACK | PSH, data=b"new", options=opt_ts(2000, 0))
    a = f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of data")
    check(a.ts is not None and a.ts[1] == 2000, "TS echo %s" % (a.ts,))
    check(recv_all(c, 3) == b"new", "data")
    peer.barrier()
    d = StatDelta()
    f.send(ACK | PSH, data=b"old", options=opt_ts(1500, 0), advance=False)
    r = f.answers()
    check(len(r) == 1 and r[0].ack == f.snd_nxt and
          r[0].flags & ~PSH == ACK, "answer to an old timestamp: %s" % r)
    d.expect(DropPaws=1)
    nothing_to_read(c, f)
    # RST is exempt from PAWS (RFC 7323 5.3 R1)
    d = StatDelta()
    f.send(RST, ack=0, options=opt_ts(1, 0))
    check(not f.answers(), "RST answered")
    expect_state(7000, 5001, None)
    d.expect(InRsts=1, DropPaws=0)


CASES = [
    ("RST in window, not exact: challenge ACK, connection stays",
     rst_in_window_not_exact),
    ("RST with SEG.SEQ == RCV.NXT: reset", rst_exact),
    ("all flags set: handled as its RST", all_flags),
    ("RST in window in SYN_RECV: challenge ACK, child stays",
     rst_syn_recv_not_exact),
    ("SYN in ESTABLISHED: challenge ACK, connection stays",
     syn_in_established),
    ("out-of-window RST: no effect, no answer", out_of_window_rst),
    ("out-of-window SYN: ACK, no effect", out_of_window_syn),
    ("out-of-window and duplicate data: ACK, not delivered",
     out_of_window_data),
    ("ACK of unsent data: dropped with an ACK (DropAckUnsent)", ack_unsent),
    ("ACK older than SND.UNA - MAX.SND.WND: dropped with an ACK",
     ack_too_old),
    ("data and FIN without the ACK bit: dropped", data_without_ack),
    ("challenge ACK rate limit (challenge_ack_limit)", challenge_ack_limit),
    ("PAWS: old timestamp dropped with an ACK, RST exempt",
     paws_old_timestamp),
]

if __name__ == "__main__":
    run_cases(CASES)
