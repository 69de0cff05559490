#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# The window around a fast recovery on a lossy path (issue 16, "loss1"),
# through the scripted peer of tcp_peer.py, each case against Linux TCP
# (AF_INET, the same algorithm set with TCP_CONGESTION):
#
#   - the full ACK that ends a recovery grows cwnd by what it delivered,
#     as Linux's tcp_cong_control() runs cong_avoid() on that ACK after
#     tcp_end_cwnd_reduction(): with reno, a flight of 20+ segments, the
#     first lost and three SACKed, the full ACK delivers some 18 segments
#     not SACKed before: cwnd = ssthresh + 1 (ssthresh + 18 / ssthresh);
#     mytcp left cwnd at ssthresh (a segment per recovery lost, some 90
#     recoveries in a 12 s loss1 run);
#   - a hostile peer: the same full ACK repeated (duplicates) or a full
#     ACK beyond what was sent grows nothing more;
#   - an ACK that both acknowledges data and shows a loss (segment 0
#     ACKed, segment 1 missing, three above SACKed) starts the recovery
#     from the window before it: CUBIC's ssthresh = 0.7 x that cwnd, as
#     Linux's tcp_ack() runs tcp_fastretrans_alert() before
#     tcp_cong_control(), which reduces (PRR) rather than grows while in a
#     cwnd reduction; mytcp grew cwnd by the ACK's 4 segments first (slow
#     start: ssthresh 0.7 x 24, not 0.7 x 20);
#   - the same ACK without the loss (one segment SACKed: Disorder) grows
#     cwnd by both segments it delivered, as Linux (tcp_may_raise_cwnd());
#   - a hostile peer repeating the loss-showing ACK: one reduction, no
#     growth, whatever the count;
#   - an ACK that shows a tail loss probe repaired a loss (it acknowledges
#     the retransmitted probe and data sent after it) and, by its SACKs,
#     a new loss in that later data: two reductions, as Linux's tcp_ack()
#     runs tcp_process_tlp_ack() (CWR: ssthresh 0.7 x cwnd, cwnd down to
#     it) before tcp_fastretrans_alert() starts the recovery from there
#     (CUBIC: 0.7 x 0.7 x cwnd); mytcp started the recovery first, which
#     ended the probe's episode unanswered: one reduction.
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
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# pylint: disable=wrong-import-position
from tcp_peer import ACK, Skip, check, load_cubic_default, opt_sack, \
    opt_ts, run_cases
from rack import MASK, MSS, data_of, full_window, open_conn, pattern, \
    sleep_until


def cwnd_ssthresh(s):
    """(ca_state, snd_ssthresh, snd_cwnd) from TCP_INFO."""
    v = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    return (v[1], struct.unpack_from("I", v, 8 + 17 * 4)[0],
            struct.unpack_from("I", v, 8 + 18 * 4)[0])


def _end_growth(peer, linux, hostile=False):
    delay = 0.4		# SRTT 0.4 s: no loss probe while the case runs
    s, f = open_conn(peer, linux, 5141 if linux else 5140, delay,
                     cong=b"reno")
    # all of it queued: cwnd-limited through the recovery (RFC 7661)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    base, _, _ = full_window(s, f, delay, 80)
    # Segment 0 is lost, three SACKs: recovery, segment 0 resent.
    resent = False
    for k in (2, 3, 4):
        f.send(ACK, ack=base, options=opt_sack([(base + MSS,
                                                 base + k * MSS)]))
        for x in data_of(f, f.peer.barrier()):
            if x.seq == base:
                resent = True
            else:
                f.track(x)
    check(resent, "segment 0 not retransmitted")
    state, ssthresh, cwnd = cwnd_ssthresh(s)
    check(state == 3, "ca_state %d after the loss, not Recovery" % state)
    top = f.rcv_nxt
    delivered = ((top - base) & MASK) // MSS - 3
    # The retransmission arrived: one ACK of everything sent.
    f.send(ACK, ack=top)
    for x in data_of(f, f.peer.barrier()):
        f.track(x)
    state, ssthresh, cwnd = cwnd_ssthresh(s)
    if hostile:
        # the same ACK again and again, then one beyond SND.NXT (not
        # acceptable: ignored)
        for _ in range(20):
            f.send(ACK, ack=top)
        f.send(ACK, ack=(f.rcv_nxt + 100 * MSS) & MASK)
        f.peer.barrier()
        state2, ssthresh2, cwnd2 = cwnd_ssthresh(s)
        check((ssthresh2, cwnd2) == (ssthresh, cwnd),
              "duplicates of the full ACK moved ssthresh/cwnd %d/%d to "
              "%d/%d" % (ssthresh, cwnd, ssthresh2, cwnd2))
    s.close()
    print("# %s: after the full ACK (%d segments delivered): ca_state %d, "
          "ssthresh %d, cwnd %d" % ("Linux" if linux else "mytcp",
                                    delivered, state, ssthresh, cwnd))
    check(state in (0, 1), "ca_state %d after the full ACK" % state)
    return ssthresh, cwnd, delivered


def end_growth(peer):
    """The full ACK ending a recovery grows cwnd as Linux's does."""
    got = _end_growth(peer, False)
    want = _end_growth(peer, True)
    # reno's additive increase: cwnd_cnt starts at 0 in recovery
    for name, (ssthresh, cwnd, delivered) in (("mytcp", got),
                                              ("Linux", want)):
        check(cwnd == ssthresh + delivered // ssthresh,
              "%s: cwnd %d after the full ACK, want ssthresh %d + %d "
              "delivered / ssthresh" % (name, cwnd, ssthresh, delivered))
    check(got[1] - got[0] == want[1] - want[0] >= 1,
          "growth on the full ACK: mytcp %d, Linux %d" %
          (got[1] - got[0], want[1] - want[0]))


def end_growth_hostile(peer):
    """Duplicates of the full ACK, and an ACK of unsent data, grow
    nothing more."""
    ssthresh, cwnd, delivered = _end_growth(peer, False, hostile=True)
    check(cwnd == ssthresh + delivered // ssthresh,
          "cwnd %d, ssthresh %d" % (cwnd, ssthresh))


def _entry(peer, linux, loss, rport, repeat=0):
    """One ACK after a full window: segment 0 ACKed and, with loss,
    segments 2-4 SACKed (segment 1 lost), else segment 2 SACKed.
    (cwnd before, ca_state, ssthresh, cwnd after, segment 1 resent)."""
    if not linux and not load_cubic_default():
        raise Skip("mytcp_cubic.ko not loaded")
    delay = 0.4
    s, f = open_conn(peer, linux, rport, delay,
                     cong=b"cubic" if loss else b"reno")
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    base, _, n = full_window(s, f, delay, 80)
    _, _, cwnd0 = cwnd_ssthresh(s)
    top = (base + (5 if loss else 3) * MSS) & MASK
    resent = False
    for _ in range(1 + repeat):
        f.send(ACK, ack=(base + MSS) & MASK,
               options=opt_sack([((base + 2 * MSS) & MASK, top)]))
        for x in data_of(f, f.peer.barrier()):
            if x.seq == (base + MSS) & MASK:
                resent = True
            else:
                f.track(x)
    state, ssthresh, cwnd = cwnd_ssthresh(s)
    f.send(ACK, ack=f.rcv_nxt)
    f.peer.barrier()
    s.close()
    print("# %s: %d in flight, cwnd %d; after the ACK%s: ca_state %d, "
          "ssthresh %d, cwnd %d, segment 1 %sresent" %
          ("Linux" if linux else "mytcp", n, cwnd0,
           " (x%d)" % (1 + repeat) if repeat else "", state, ssthresh, cwnd,
           "" if resent else "not "))
    return cwnd0, state, ssthresh, cwnd, resent


def entry_no_growth(peer):
    """An ACK of data that shows a loss reduces from the window before
    it, as Linux's (no cong_avoid() first)."""
    for linux, rport in ((False, 5142), (True, 5143)):
        name = "Linux" if linux else "mytcp"
        cwnd0, state, ssthresh, _, resent = _entry(peer, linux, True, rport)
        check(state == 3 and resent,
              "%s: ca_state %d, segment 1 %sresent: no recovery" %
              (name, state, "" if resent else "not "))
        want = max(cwnd0 * 717 // 1024, 2)
        check(ssthresh == want,
              "%s: ssthresh %d, want 0.7 x cwnd %d before the ACK = %d "
              "(cwnd grown first: 0.7 x %.0f)" %
              (name, ssthresh, cwnd0, want, ssthresh * 1024 / 717))


def entry_disorder_grows(peer):
    """The same ACK without a loss shown grows cwnd by what it delivered
    (slow start: 2 segments), as Linux's."""
    grew = {}
    for linux, rport in ((False, 5144), (True, 5145)):
        name = "Linux" if linux else "mytcp"
        cwnd0, state, _, cwnd, resent = _entry(peer, linux, False, rport)
        check(state == 1 and not resent,
              "%s: ca_state %d, segment 1 %sresent: want Disorder" %
              (name, state, "" if resent else "not "))
        grew[name] = cwnd - cwnd0
    check(grew["mytcp"] == grew["Linux"] == 2,
          "cwnd growth on the ACK: mytcp %d, Linux %d, want 2" %
          (grew["mytcp"], grew["Linux"]))


def entry_hostile(peer):
    """The loss-showing ACK sent 20 times: one reduction, from the window
    before the first."""
    cwnd0, state, ssthresh, cwnd, _ = _entry(peer, False, True, 5146,
                                             repeat=19)
    check(state == 3 and ssthresh == max(cwnd0 * 717 // 1024, 2),
          "ca_state %d, ssthresh %d from cwnd %d" % (state, ssthresh, cwnd0))
    check(cwnd <= cwnd0, "cwnd %d above the %d before the loss" %
          (cwnd, cwnd0))


def _tlp_then_loss(peer, linux, rport):
    """Timestamps on.  A flight of 10, the last lost; the loss probe
    (segment 9 again); 8 new segments; one RTT later a SACK of new
    segment 0; then the ACK of new segment 0 - beyond tlp_high_seq: the
    probe repaired a loss - that SACKs new segments 2-5 and echoes the
    original's timestamp of segment 9 (so the probe's delivery moves
    nothing in RACK: Linux's tcp_skb_spurious_retrans()): new segment 1
    is lost on that ACK (RACK: sent before new segment 5).
    (cwnd before that ACK, ca_state, ssthresh, new segment 1 resent)."""
    if not linux and not load_cubic_default():
        raise Skip("mytcp_cubic.ko not loaded")
    delay = 0.4			# min_RTT: RACK's window 0.1 s with one SACK
    s, f = open_conn(peer, linux, rport, delay, cong=b"cubic", ts=True)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    seg = MSS - 12		# the timestamp option takes 12 bytes
    tsv = [2]
    orig = {}

    def ack(a, blocks, tsecr):
        tsv[0] += 1
        o = opt_ts(tsv[0], tsecr)
        if blocks:
            o += opt_sack([(x & MASK, y & MASK) for x, y in blocks])
        f.send(ACK, ack=a & MASK, options=o)

    def burst(base, n):
        t = time.monotonic()
        s.send(pattern(n * seg))
        end = (f.rcv_nxt + n * seg) & MASK
        while f.rcv_nxt != end:
            x = f.expect(lambda y: len(y.payload) > 0, what="data")
            f.track(x)
            orig.setdefault((x.seq - base) & MASK, x.ts[0])
        return t

    base = f.rcv_nxt
    t0 = burst(base, 10)
    sleep_until(t0 + delay)
    ack(base + 9 * seg, None, orig[8 * seg])	# segment 9 lost
    f.peer.barrier()
    # one segment out: Linux probes after 2 SRTT + 200 ms, mytcp with
    # the RTO (3 s here: its delayed-ACK allowance is the RTO floor)
    x = f.peer.expect_segment(5.0, lambda y: f.mine(y) and y.payload)
    check(x is not None, "%s: no loss probe" % who(linux))
    check(x.seq == (base + 9 * seg) & MASK,
          "%s: probe at %d, want the last segment at %d" %
          (who(linux), (x.seq - base) & MASK, 9 * seg))
    # New data right after the probe: it goes at once (cwnd 19, 1 out).
    new = (base + 10 * seg) & MASK
    t1 = burst(new, 8)
    sleep_until(t1 + delay)
    ack(base + 9 * seg, [(new, new + seg)], orig[8 * seg])
    f.peer.barrier()
    state0, _, cwnd0 = cwnd_ssthresh(s)
    check(state0 == 1, "%s: ca_state %d after one SACK, not Disorder" %
          (who(linux), state0))
    ack(new + seg, [(new + 2 * seg, new + 6 * seg)], orig[9 * seg])
    resent = any(y.seq == (new + seg) & MASK
                 for y in data_of(f, f.peer.barrier()))
    state, ssthresh, cwnd = cwnd_ssthresh(s)
    ack(f.rcv_nxt, None, orig[7 * seg])
    f.peer.barrier()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    print("# %s: cwnd %d before the ACK; after it: ca_state %d, ssthresh "
          "%d, cwnd %d, new segment 1 %sresent" %
          (who(linux), cwnd0, state, ssthresh, cwnd,
           "" if resent else "not "))
    return cwnd0, state, ssthresh, resent


def who(linux):
    return "Linux" if linux else "mytcp"


def tlp_then_loss(peer):
    """The probe's repair and a new loss in one ACK: two reductions, as
    Linux TCP (CUBIC)."""
    for linux, rport in ((True, 5148), (False, 5147)):
        cwnd0, state, ssthresh, resent = _tlp_then_loss(peer, linux, rport)
        once = max(cwnd0 * 717 // 1024, 2)
        twice = max(once * 717 // 1024, 2)
        check(state == 3 and resent,
              "%s: ca_state %d, new segment 1 %sresent: no recovery" %
              (who(linux), state, "" if resent else "not "))
        check(ssthresh == twice,
              "%s: ssthresh %d, want 0.7 x 0.7 x cwnd %d = %d (once: %d)" %
              (who(linux), ssthresh, cwnd0, twice, once))


CASES = [
    ("the full ACK ending a recovery grows cwnd (as Linux TCP)",
     end_growth),
    ("hostile: duplicate full ACKs grow nothing more", end_growth_hostile),
    ("an ACK of data showing a loss: no growth before the recovery (as "
     "Linux TCP)", entry_no_growth),
    ("the same ACK without a loss grows cwnd (as Linux TCP)",
     entry_disorder_grows),
    ("hostile: the loss-showing ACK repeated: one reduction, no growth",
     entry_hostile),
    ("a loss probe's repair and a new loss in one ACK: two reductions (as "
     "Linux TCP)", tlp_then_loss),
]

if __name__ == "__main__":
    run_cases(CASES)
