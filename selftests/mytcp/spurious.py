#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Spurious-retransmission evidence on a path that duplicates packets
# (issue 16's "bad" path: netem duplicate 2%), through the scripted peer
# of tcp_peer.py (the connection helpers of rack.py), each case against
# Linux TCP too:
#
#   - a D-SACK of a segment above SND.UNA that was never retransmitted
#     (the network made the copy) is no evidence that a retransmission
#     was spurious (Linux's tcp_sacktag_one() counts a D-SACKed skb
#     toward undo only when it was retransmitted): the recovery whose one
#     retransmission is still unreported goes on, cwnd stays reduced;
#   - the D-SACK of a tail loss probe (original and probe both arrived) is
#     not reordering (Linux's tcp_dsack_seen(): FLAG_DSACK_TLP, and a
#     D-SACK widens RACK's window only after reordering was seen): at the
#     next loss, with dupthresh segments SACKed above a hole, RACK's
#     window is still 0 and the hole is resent at once, not min_RTT/4 x
#     steps later;
#   - RACK's pass runs on an ACK that delivered something (Linux's
#     rack.advanced) and on the reorder timer: an ACK with nothing new (a
#     duplicate's D-SACK, a window update) after a segment's deadline but
#     before the timer marks nothing, where a late original still has the
#     timer's time to arrive;
#   - an ACK that covers a resent segment but echoes the timestamp of its
#     original (the original was late, not lost) does not move RACK to
#     the resend's send time (Linux's tcp_skb_spurious_retrans()):
#     segments sent between the original and the resend are not lost;
#   - no reordering is counted where none happened: an ACK after lost
#     ACKs that covers in-order data and SACKs above a new hole (Linux
#     compares with the highest SACK before the ACK), and two new SACK
#     blocks listed highest first (Linux sorts them);
#   - a D-SACK widens RACK's window by a step once per round trip, and a
#     round is over when an ACK delivers data sent after the last step
#     (Linux's tcp_rack_update_reo_wnd()), even while a hole below what
#     was sent at the step holds SND.UNA;
#   - a late original that fills the hole after its resend undoes the
#     recovery (Eifel, Linux's tcp_try_undo_partial()) and the segments
#     RACK had called lost behind it are forgotten; RACK looks again on
#     that ACK (Linux's tcp_undo_cwnd_reduction() sets rack.advanced) but
#     not at them - Linux's tcp_rack_detect_loss() takes a segment it
#     marks off its list until it is sent again - so they are left to
#     their late originals (or the RTO), and only what was still waiting
#     out the window goes when the reorder timer fires.  mytcp called
#     them lost again at once from the same RACK state and resent them in
#     a new recovery: on the "bad" path a spurious resend per late
#     original (144 undos against Linux's 41 in one traced run).  Then
#     the resend of a segment sent after the undo is SACKed while 1-3
#     stay missing: mytcp judges them as if sent at the undo and resends
#     them RACK.rtt + reo_wnd after it, in the recovery; Linux, which
#     does not look at them again, at the RTO (deliberate difference).
#
# Environment: MYTCP_KO, MYTCP_CASES (see tcp_peer.py).

import os
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
from tcp_peer import (ACK, Skip, StatDelta, check, opt_sack, opt_ts,
                      run_cases)
from rack import (MASK, MSS, data_of, open_conn, pattern, rel, send_flight,
                  sleep_until)


def info(s):
    """dict of the struct tcp_info fields the cases read."""
    v = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 232)
    u32 = lambda i: struct.unpack_from("I", v, 8 + 4 * i)[0]
    out = {"ca_state": v[1], "retrans": u32(7), "cwnd": u32(18),
           "reordering": u32(20)}
    if len(v) >= 224:
        out["dsack_dups"], out["reord_seen"] = struct.unpack_from("II", v,
                                                                  216)
    return out


def name(linux):
    return "Linux" if linux else "mytcp"


def _dup_of_original(peer, linux):
    # SRTT 0.2 s: no tail loss probe while the case runs
    s, f = open_conn(peer, linux, 5400 + linux, 0.2)
    base, _ = send_flight(s, f, 10)
    f.peer.barrier()
    before = info(s)["cwnd"]
    # Segment 0 lost, 1-9 SACKed: resent at once (dupthresh SACKed, no
    # reordering seen: RACK's window is 0).
    f.send(ACK, ack=base, options=opt_sack([(base + MSS,
                                             base + 10 * MSS)]))
    got = []
    deadline = time.monotonic() + 2.0
    while not any(x.seq == base for x in got) and \
            time.monotonic() < deadline:
        got += data_of(f, f.peer.barrier())
        time.sleep(0.01)
    check(any(x.seq == base for x in got), "segment 0 not resent: %s" %
          [rel(base, x) for x in got])
    i0 = info(s)
    check(i0["ca_state"] == 3, "ca_state %d after the fast retransmit" %
          i0["ca_state"])
    # The network duplicated segment 5 (never resent): the receiver
    # reports the copy, a D-SACK inside the SACK block (RFC 2883 4.1.2).
    f.send(ACK, ack=base, options=opt_sack([(base + 5 * MSS,
                                             base + 6 * MSS),
                                            (base + MSS,
                                             base + 10 * MSS)]))
    f.peer.barrier()
    i1 = info(s)
    print("# %s: after a D-SACK of never-resent segment 5: ca_state %d, "
          "cwnd %d (%d before the loss, %d in recovery), tcpi_dsack_dups "
          "%s" % (name(linux), i1["ca_state"], i1["cwnd"], before,
                  i0["cwnd"], i1.get("dsack_dups")))
    check(i1["ca_state"] == 3, "ca_state %d after the D-SACK of an "
          "original: the recovery was undone (want Recovery, 3)" %
          i1["ca_state"])
    check(i1["cwnd"] < before, "cwnd %d, %d before the loss: the "
          "reduction was undone" % (i1["cwnd"], before))
    # The retransmission arrives: the recovery ends, a real one.
    f.send(ACK, ack=(base + 10 * MSS) & MASK)
    f.peer.barrier()
    i2 = info(s)
    check(i2["cwnd"] < before, "cwnd %d after the recovery, %d before" %
          (i2["cwnd"], before))
    s.close()


def dup_of_original(peer):
    """A D-SACK of a never-retransmitted segment undoes nothing."""
    d = StatDelta()
    _dup_of_original(peer, False)
    check(d["SpuriousUndo"] == 0, "SpuriousUndo moved %d" %
          d["SpuriousUndo"])
    check(d["DSackRecv"] == 1, "DSackRecv moved %d, want 1" %
          d["DSackRecv"])


def dup_of_original_linux(peer):
    """The same with Linux TCP."""
    _dup_of_original(peer, True)


def _probe_dsack(peer, linux):
    delay = 0.4			# min_RTT: min_RTT/4 is 0.1 s
    s, f = open_conn(peer, linux, 5402 + linux, delay)
    base, t0 = send_flight(s, f, 10)
    sleep_until(t0 + delay)
    # The last two segments' ACKs are lost: a loss probe of segment 9.
    f.send(ACK, ack=(base + 8 * MSS) & MASK)
    x = f.expect(lambda x: len(x.payload) > 0, timeout=2.5, rtx=True,
                 what="the loss probe")
    check(x.seq == (base + 9 * MSS) & MASK, "probe %s, want segment 9" %
          rel(base, x))
    # Original and probe both arrived: all ACKed, the probe D-SACKed.
    f.send(ACK, ack=(base + 10 * MSS) & MASK,
           options=opt_sack([(base + 9 * MSS, base + 10 * MSS)]))
    f.peer.barrier()
    i0 = info(s)
    # The next flight: segment 0 lost, 1-9 SACKed one RTT later.
    base, t0 = send_flight(s, f, 10)
    sleep_until(t0 + delay)
    f.send(ACK, ack=base, options=opt_sack([(base + MSS,
                                             base + 10 * MSS)]))
    t1 = time.monotonic()
    x = f.peer.expect_segment(0.08, lambda x: f.mine(x) and
                              x.seq == base and x.payload)
    dt = time.monotonic() - t1
    print("# %s: after a probe's D-SACK: tcpi_reord_seen %s, segment 0 "
          "resent %s" % (name(linux), i0.get("reord_seen"),
                         "after %.3f s" % dt if x else "not within 0.08 s"))
    check(x is not None, "the hole was not resent at once: the probe's "
          "D-SACK was taken for reordering (RACK waited min_RTT/4 x steps)")
    f.send(ACK, ack=(base + 10 * MSS) & MASK)
    f.peer.barrier()
    s.close()


def probe_dsack(peer):
    """A loss probe's D-SACK is no reordering: the next hole goes at
    once."""
    _probe_dsack(peer, False)


def probe_dsack_linux(peer):
    """The same with Linux TCP."""
    _probe_dsack(peer, True)


def _idle_ack(peer, linux):
    # min_RTT: the reordering window is 0.2 s (under 1 s: Linux's SYN
    # is not resent, its SYN-ACK gives the RTT)
    delay = 0.8
    s, f = open_conn(peer, linux, 5404 + linux, delay)
    base, t0 = send_flight(s, f, 5)
    sleep_until(t0 + 0.1)
    _, t1 = send_flight(s, f, 5)
    gap = t1 - t0
    if gap > 0.15:		# 0-4 would be due too soon after the SACK
        s.close()
        raise Skip("the first flight took %.3f s to arrive" % gap)
    # Segment 9 arrives after one RTT (at ts): RACK.rtt is its RTT, so
    # 0-4 are due at ts + 0.2 - gap, 5-8 at ts + 0.2; the reorder timer
    # is armed for the later.
    sleep_until(t1 + delay)
    sack = opt_sack([(base + 9 * MSS, base + 10 * MSS)])
    ts = time.monotonic()
    f.send(ACK, ack=base, options=sack)
    # An ACK with nothing new (a duplicate's, a window update) after 0-4
    # are due: it moves nothing, so it marks nothing.
    sleep_until(ts + 0.2 - gap + 0.04)
    f.send(ACK, ack=base, options=sack)
    tdup = time.monotonic() - ts
    sleep_until(ts + 0.18)
    got = data_of(f, f.peer.barrier())
    print("# %s: flights %.3f s apart; the idle ACK %.3f s after the SACK;"
          " resent by %.3f s: %s" % (name(linux), gap, tdup,
                                     time.monotonic() - ts,
                                     [rel(base, x) for x in got]))
    check(not got, "an ACK that delivered nothing marked segments lost: "
          "%s" % [rel(base, x) for x in got])
    # The reorder timer does: segment 0 resent soon after ts + 0.2 s.
    x = f.expect(lambda x: x.seq == base and x.payload, timeout=1.5,
                 what="retransmission of segment 0", rtx=True)
    dt = time.monotonic() - ts
    check(dt < 1.0, "segment 0 resent only %.2f s after the SACK" % dt)
    f.send(ACK, ack=(base + 10 * MSS) & MASK)
    f.peer.barrier()
    s.close()


def idle_ack(peer):
    """RACK's pass runs on an ACK that delivered something, and on the
    reorder timer: an ACK with nothing new marks nothing lost."""
    _idle_ack(peer, False)


def idle_ack_linux(peer):
    """The same with Linux TCP."""
    _idle_ack(peer, True)


def _late_original(peer, linux):
    # SRTT 0.2 s: no loss probe (PTO 0.4 s) while the case runs
    delay = 0.2
    s, f = open_conn(peer, linux, 5406 + linux, delay, ts=True)
    seg = MSS - 12		# the timestamp option takes 12 bytes
    tsv = [2]

    def ack(a, blocks, tsecr):
        tsv[0] += 1
        o = opt_ts(tsv[0], tsecr)
        if blocks:
            o += opt_sack(blocks)
        f.send(ACK, ack=a & MASK, options=o)

    def flight(n):
        base = f.rcv_nxt
        t = time.monotonic()
        s.send(pattern(n * seg))
        orig = {}
        while f.rcv_nxt != (base + n * seg) & MASK:
            x = f.expect(lambda x: len(x.payload) > 0, what="data")
            f.track(x)
            orig.setdefault((x.seq - base) & MASK, x.ts[0])
        return base, t, orig

    # A first flight ACKed after one RTT: cwnd 20, SRTT stays 0.2 s.
    base, t0, orig = flight(10)
    sleep_until(t0 + delay)
    ack(base + 10 * seg, None, orig[9 * seg])
    f.peer.barrier()
    # 12 segments; 1-9 arrive, 0 is late, 10-11 are on their way.
    base, t0, orig = flight(12)
    sleep_until(t0 + delay)
    ack(base, [(base + seg, base + 10 * seg)], orig[9 * seg])
    got = {}
    deadline = time.monotonic() + 2.0
    while 0 not in got and time.monotonic() < deadline:
        for x in data_of(f, f.peer.barrier()):
            got[(x.seq - base) & MASK] = x
        time.sleep(0.01)
    check(list(got) == [0], "resent %s, want segment 0" % sorted(got))
    # More than min_RTT later (an earlier ACK of a resend could be of
    # the resend itself, and is ignored anyway: RFC 8985 6.2 step 2).
    time.sleep(0.25)
    # The original of segment 0 arrives: the cumulative ACK of 0-9
    # echoes its timestamp, not the resend's.
    ack(base + 10 * seg, None, orig[0])
    t1 = time.monotonic()
    time.sleep(0.15)
    got = data_of(f, f.peer.barrier())
    print("# %s: within %.2f s of the ACK the late original caused: "
          "resent %s" % (name(linux), time.monotonic() - t1,
                         [rel(base, x) for x in got]))
    check(not got, "the resend's send time moved RACK: segments 10-11, "
          "sent before it, resent %s" % [rel(base, x) for x in got])
    ack(base + 12 * seg, None, orig[11 * seg])
    f.peer.barrier()
    s.close()


def late_original(peer):
    """A resend whose original the ACK reports (its timestamp is older)
    does not move RACK: what was sent between them is not lost."""
    _late_original(peer, False)


def late_original_linux(peer):
    """The same with Linux TCP."""
    _late_original(peer, True)


def _no_false_reordering(peer, linux, blocks_first):
    """One ACK after lost ones: ack and SACK blocks that together show
    no segment delivered below one delivered before it."""
    s, f = open_conn(peer, linux, 5408 + 2 * blocks_first + linux, 0.2)
    base, _ = send_flight(s, f, 10)
    f.peer.barrier()
    r0 = info(s).get("reord_seen", 0)
    if blocks_first:
        # Two blocks new in one ACK, the most recent first (RFC 2018)
        f.send(ACK, ack=base, options=opt_sack([
            (base + 7 * MSS, base + 10 * MSS),
            (base + 2 * MSS, base + 5 * MSS)]))
    else:
        # The ACKs of segments 0-4 were lost: this one covers them and
        # SACKs above the hole at 5
        f.send(ACK, ack=(base + 5 * MSS) & MASK,
               options=opt_sack([(base + 6 * MSS, base + 10 * MSS)]))
    f.peer.barrier()
    r1 = info(s).get("reord_seen", 0)
    print("# %s: tcpi_reord_seen %d -> %d" % (name(linux), r0, r1))
    check(r1 == r0, "%s: reordering counted (tcpi_reord_seen %d -> %d) "
          "where nothing was delivered out of order" % (name(linux), r0,
                                                         r1))
    f.send(ACK, ack=(base + 10 * MSS) & MASK)
    f.peer.barrier()
    s.close()


def ack_after_lost_acks(peer):
    """A cumulative ACK that also SACKs above a new hole is no
    reordering (Linux's prior_fack in tcp_clean_rtx_queue())."""
    _no_false_reordering(peer, False, False)


def ack_after_lost_acks_linux(peer):
    """The same with Linux TCP."""
    _no_false_reordering(peer, True, False)


def sack_blocks_newest_first(peer):
    """Two new SACK blocks, the higher listed first, are no reordering
    (Linux sorts the blocks: tcp_sacktag_write_queue())."""
    _no_false_reordering(peer, False, True)


def sack_blocks_newest_first_linux(peer):
    """The same with Linux TCP."""
    _no_false_reordering(peer, True, True)


def _dsack_round(peer, linux):
    delay = 0.4			# min_RTT: one step of reo_wnd is 0.1 s
    s, f = open_conn(peer, linux, 5412 + linux, delay)

    def resent(base, want, timeout=1.5):
        got = {}
        deadline = time.monotonic() + timeout
        while not set(want) <= set(got) and time.monotonic() < deadline:
            for x in data_of(f, f.peer.barrier()):
                got[(x.seq - base) & MASK] = x
            time.sleep(0.01)
        return got

    # Reordering seen: segments 0-4 acknowledged after 5 was SACKed.
    base, t0 = send_flight(s, f, 10)
    sleep_until(t0 + delay)
    f.send(ACK, ack=base, options=opt_sack([(base + 5 * MSS,
                                             base + 6 * MSS)]))
    f.send(ACK, ack=(base + 5 * MSS) & MASK,
           options=opt_sack([(base + 5 * MSS, base + 6 * MSS)]))
    f.send(ACK, ack=(base + 10 * MSS) & MASK)
    f.peer.barrier()
    check(info(s).get("reord_seen", 1) >= 1, "no reordering seen")
    # 0 and 1 lost (2-10 SACKed): after one step (0.1 s) the reorder
    # timer resends 0 (the timer's PRR share is one segment), and the
    # SACK of 11 clocks out 1.
    base, t0 = send_flight(s, f, 12)
    sleep_until(t0 + delay)
    f.send(ACK, ack=base, options=opt_sack([(base + 2 * MSS,
                                             base + 11 * MSS)]))
    got = resent(base, [0])
    check(sorted(got) == [0], "resent %s, want segment 0" % sorted(got))
    f.send(ACK, ack=base, options=opt_sack([(base + 2 * MSS,
                                             base + 12 * MSS)]))
    got = resent(base, [MSS])
    check(sorted(got) == [MSS], "resent %s, want segment 1" % sorted(got))
    tr = time.monotonic()
    # One RTT later: 1 came twice (a D-SACK, the first of the round:
    # one step), 0 is still missing.
    sleep_until(tr + delay)
    f.send(ACK, ack=base, options=opt_sack([(base + MSS, base + 2 * MSS),
                                            (base + MSS,
                                             base + 12 * MSS)]))
    f.peer.barrier()
    # A new segment, sent after that step (PRR lets one out); one RTT
    # later it is SACKed by an ACK with another D-SACK of 1 (a
    # duplicating link) while segment 0 still holds SND.UNA below what
    # was sent at the step: a D-SACK of the next round, a second step
    # (Linux's tcp_rack_update_reo_wnd(): the ACK delivers data sent
    # after the step).
    nbase = f.rcv_nxt
    t2 = time.monotonic()
    s.send(pattern(MSS))
    end = (nbase + MSS) & MASK
    x = f.expect(lambda x: x.seq == nbase and x.payload, timeout=1.0,
                 what="the new segment")
    f.track(x)
    sleep_until(t2 + delay)
    f.send(ACK, ack=base, options=opt_sack([(base + MSS, base + 2 * MSS),
                                            (base + MSS,
                                             base + 12 * MSS),
                                            (nbase, end)]))
    f.peer.barrier()
    f.send(ACK, ack=end)		# 0 arrives: everything acknowledged
    f.peer.barrier()
    # Two steps now: the next hole is resent 0.3 s after its SACKs
    # (one step would be 0.2 s).
    base, t0 = send_flight(s, f, 10)
    sleep_until(t0 + delay)
    f.send(ACK, ack=base, options=opt_sack([(base + MSS,
                                             base + 10 * MSS)]))
    t3 = time.monotonic()
    got = resent(base, [0])
    dt = time.monotonic() - t3
    i = info(s)
    print("# %s: hole resent %.3f s after the SACKs (reo_wnd 0.1 s per "
          "step); tcpi_dsack_dups %s, reord_seen %s" %
          (name(linux), dt, i.get("dsack_dups"), i.get("reord_seen")))
    check(0 in got, "the hole was not resent")
    check(dt >= 0.25, "the hole was resent %.3f s after the SACKs: the "
          "second round's D-SACK did not widen the window (one step "
          "left: 0.2 s)" % dt)
    check(dt < 0.6, "the hole was resent only %.3f s after the SACKs" % dt)
    f.send(ACK, ack=(base + 10 * MSS) & MASK)
    f.peer.barrier()
    s.close()


def dsack_round(peer):
    """A D-SACK widens RACK's window once per round trip: a round is over
    when an ACK delivers data sent after the last widening, even while a
    hole below it holds SND.UNA."""
    _dsack_round(peer, False)


def dsack_round_linux(peer):
    """The same with Linux TCP."""
    _dsack_round(peer, True)


def _undo_relook(peer, linux):
    delay = 0.8			# min_RTT: reo_wnd 0.2 s once reordering seen
    s, f = open_conn(peer, linux, 5414 + linux, delay, ts=True)
    seg = MSS - 12		# the timestamp option takes 12 bytes
    tsv = [2]

    def ack(a, blocks, tsecr):
        tsv[0] += 1
        o = opt_ts(tsv[0], tsecr)
        if blocks:
            o += opt_sack([(x & MASK, y & MASK) for x, y in blocks])
        f.send(ACK, ack=a & MASK, options=o)

    def burst(base, n, orig):
        s.send(pattern(n * seg))
        end = (f.rcv_nxt + n * seg) & MASK
        while f.rcv_nxt != end:
            x = f.expect(lambda x: len(x.payload) > 0, what="data")
            f.track(x)
            orig.setdefault((x.seq - base) & MASK, x.ts[0])

    # Reordering seen: 0-4 acknowledged after 5 was SACKed.
    orig = {}
    base = f.rcv_nxt
    t0 = time.monotonic()
    burst(base, 10, orig)
    sleep_until(t0 + delay)
    ack(base, [(base + 5 * seg, base + 6 * seg)], orig[5 * seg])
    ack(base + 5 * seg, [(base + 5 * seg, base + 6 * seg)], orig[4 * seg])
    ack(base + 10 * seg, None, orig[9 * seg])
    f.peer.barrier()
    check(info(s).get("reord_seen", 1) >= 1, "no reordering seen")
    # Segments 0-3, then 0.3 s later 4-7; one RTT after the second burst
    # 7 is SACKed: 0-3 are lost (sent more than the 0.2 s window before
    # it), 4-6 wait out the window (the reorder timer); PRR lets one
    # resend out, segment 0's.
    orig = {}
    base = f.rcv_nxt
    burst(base, 4, orig)
    time.sleep(0.3)
    t1 = time.monotonic()
    burst(base, 4, orig)
    sleep_until(t1 + delay)
    ack(base, [(base + 7 * seg, base + 8 * seg)], orig[7 * seg])
    got = {}
    deadline = time.monotonic() + 0.15
    while 0 not in got and time.monotonic() < deadline:
        for x in data_of(f, f.peer.barrier()):
            got[(x.seq - base) & MASK] = x
        time.sleep(0.01)
    check(sorted(got) == [0], "%s: resent %s, want segment 0" %
          (name(linux), sorted(got)))
    # At once (before the reorder timer): the original of 0 arrived, its
    # timestamp echoed; nothing new delivered.  1-3 are no longer lost
    # and not looked at again; 4-6 still wait out the window: the reorder
    # timer calls them lost and PRR lets one resend go, segment 4's.
    ack(base + seg, [(base + 7 * seg, base + 8 * seg)], orig[0])
    t2 = time.monotonic()
    time.sleep(0.6)		# three times the reordering window
    xs = data_of(f, f.peer.barrier())
    got = sorted((x.seq - base) & MASK for x in xs)
    i = info(s)
    print("# %s: within %.2f s of the late original's ACK: ca_state %d, "
          "resent %s" % (name(linux), time.monotonic() - t2, i["ca_state"],
                         [k // seg for k in got]))
    check(got == [4 * seg], "%s: resent segments %s after the late "
          "original undid the recovery, want [4] (1-3 not again)" %
          (name(linux), [k // seg for k in got]))
    # The originals of 1-3 were lost after all.  The resend of 4 is
    # SACKed a round trip after it went (not sooner: an RTT below min_RTT
    # would be ambiguous).  mytcp judges 1-3 as if sent at the undo: the
    # delivery of a segment sent after it, RACK.rtt + reo_wnd after the
    # undo, calls them lost and 1 goes in the recovery (ca_state 3).
    # Linux took them off its RACK list when it marked them, and the undo
    # does not put them back: 1 goes at the RTO (ca_state 4, Loss) - a
    # deliberate difference (design.rst).
    sleep_until(t2 + 0.6 + delay)
    ack(base + seg, [(base + 4 * seg, base + 5 * seg),
                     (base + 7 * seg, base + 8 * seg)], xs[0].ts[0])
    t3 = time.monotonic()
    state = None
    while state is None and time.monotonic() < t3 + 8:
        for x in data_of(f, f.peer.barrier()):
            if (x.seq - base) & MASK == seg and state is None:
                state = info(s)["ca_state"]
        time.sleep(0.01)
    print("# %s: segment 1 resent %.2f s after the SACK of 4's resend, "
          "ca_state %s" % (name(linux), time.monotonic() - t3, state))
    check(state is not None, "%s: segment 1 not resent" % name(linux))
    want = 4 if linux else 3
    check(state == want, "%s: segment 1 resent in ca_state %d, want %d "
          "(%s)" % (name(linux), state, want,
                    "the RTO" if linux else "RACK, before the RTO"))
    ack(base + 8 * seg, None, orig[7 * seg])
    f.peer.barrier()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def undo_relook(peer):
    """A late original that undoes the recovery: what RACK called lost
    before is not called lost again by what was sent before the undo;
    what waited out the window goes at the reorder timer; a delivery of
    what was sent after the undo calls the rest lost (before the RTO,
    which rto_min keeps at 3 s or more)."""
    _undo_relook(peer, False)


def undo_relook_linux(peer):
    """The same with Linux TCP."""
    _undo_relook(peer, True)


CASES = [
    ("D-SACK of a never-resent segment undoes no recovery",
     dup_of_original),
    ("D-SACK of a never-resent segment (Linux TCP)", dup_of_original_linux),
    ("a loss probe's D-SACK is no reordering", probe_dsack),
    ("a loss probe's D-SACK (Linux TCP)", probe_dsack_linux),
    ("an ACK that delivers nothing marks nothing lost", idle_ack),
    ("an ACK that delivers nothing (Linux TCP)", idle_ack_linux),
    ("a late original's ACK does not move RACK to the resend",
     late_original),
    ("a late original's ACK (Linux TCP)", late_original_linux),
    ("a cumulative ACK after lost ACKs that SACKs above a new hole is no "
     "reordering", ack_after_lost_acks),
    ("a cumulative ACK after lost ACKs (Linux TCP)",
     ack_after_lost_acks_linux),
    ("two new SACK blocks, the higher first, are no reordering",
     sack_blocks_newest_first),
    ("two new SACK blocks, the higher first (Linux TCP)",
     sack_blocks_newest_first_linux),
    ("a D-SACK of the next round widens RACK's window while a hole stays",
     dsack_round),
    ("a D-SACK of the next round (Linux TCP)", dsack_round_linux),
    ("a late original undoing the recovery: RACK's losses not called "
     "lost again", undo_relook),
    ("a late original undoing the recovery (Linux TCP)", undo_relook_linux),
]

if __name__ == "__main__":
    run_cases(CASES)
