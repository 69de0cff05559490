#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Reordering (issue 16): the sender's reordering degree and the undo of
# spurious retransmissions, through the scripted peer of tcp_peer.py (the
# connection helpers of rack.py), each case against Linux TCP too:
#
#   - the degree grows with the SACK evidence (Linux's
#     tcp_check_sack_reordering()): segment 9 SACKed, then 0-8 arrive
#     late: tcpi_reordering 10 (3 before), tcpi_reord_seen counts it;
#   - with net.mytcp.recovery=0 (Linux: tcp_recovery=0) DupThresh is that
#     degree: 5 segments SACKed above a hole after a reordering of 10 draw
#     no fast retransmit (3 did before);
#   - a D-SACK reports segments, not retransmissions (RFC 2883, RFC 3708,
#     Linux's tcp_dsack_seen()): two segments resent, one D-SACK block of
#     both after the recovery undoes it (cwnd back, tcpi_dsack_dups 2);
#   - a hostile peer: a D-SACK of more segments than were ever resent is
#     ignored (Linux's "dubious" D-SACK): no undo of the real reduction;
#   - ACKs reordered on the way back: an old ACK's ordinary SACK block,
#     below SND.UNA by now, is no D-SACK (RFC 2883 4: a D-SACK starts
#     below that ACK's own ack) and undoes nothing;
#   - RACK.rtt is the RTT of every delivery (RFC 8985 6.2 step 2): a late
#     segment SACKed after a later one lengthens it, and its neighbours
#     get that much longer before they are deemed lost.
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
from tcp_peer import ACK, StatDelta, check, opt_sack, run_cases
from rack import (MASK, MSS, data_of, open_conn, rel, send_flight,
                  sleep_until)


def info(s):
    """dict of the struct tcp_info fields the cases read."""
    v = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 232)
    u32 = lambda i: struct.unpack_from("I", v, 8 + 4 * i)[0]
    out = {"ca_state": v[1], "retrans": u32(7), "cwnd": u32(18),
           "reordering": u32(20), "total_retrans": u32(23)}
    if len(v) >= 224:
        out["dsack_dups"], out["reord_seen"] = struct.unpack_from("II", v,
                                                                  216)
    return out


def name(linux):
    return "Linux" if linux else "mytcp"


def late_flight(s, f, delay):
    """10 segments: 9 SACKed first, one RTT (delay) after they were sent,
    then 0-8 arrive (one ACK of all).  The reordering window (min_RTT/4)
    is not over between the two ACKs: nothing is resent."""
    base, t0 = send_flight(s, f, 10)
    sleep_until(t0 + delay)
    f.send(ACK, ack=base, options=opt_sack([(base + 9 * MSS,
                                             base + 10 * MSS)]))
    f.send(ACK, ack=(base + 10 * MSS) & MASK)
    got = data_of(f, f.peer.barrier())
    check(not got, "resent %s" % [rel(base, x) for x in got])


def _degree(peer, linux):
    s, f = open_conn(peer, linux, 5300 + linux, 0.4)
    i0 = info(s)
    late_flight(s, f, 0.4)
    i1 = info(s)
    print("# %s: tcpi_reordering %d -> %d, tcpi_reord_seen %d -> %d" %
          (name(linux), i0["reordering"], i1["reordering"],
           i0.get("reord_seen", -1), i1.get("reord_seen", -1)))
    check(i0["reordering"] == 3, "initial degree %d" % i0["reordering"])
    check(i1["reordering"] == 10, "degree %d after a reordering of 10 "
          "segments, want 10" % i1["reordering"])
    check(i1.get("reord_seen", 0) >= 1, "tcpi_reord_seen %s" %
          i1.get("reord_seen"))
    s.close()


def degree(peer):
    """The reordering degree grows with the SACK evidence."""
    d = StatDelta()
    _degree(peer, False)
    check(d["SACKReorder"] >= 1, "SACKReorder moved %d" % d["SACKReorder"])


def degree_linux(peer):
    """The same with Linux TCP."""
    _degree(peer, True)


def _dupthresh(peer, linux):
    s, f = open_conn(peer, linux, 5302 + linux, 0.1, recovery=0)
    late_flight(s, f, 0.1)
    check(info(s)["reordering"] == 10, "degree %d" % info(s)["reordering"])
    base, _ = send_flight(s, f, 10)
    # Segments 1-5 arrive, 0 does not (yet): 5 SACKed, below the degree.
    got = []
    for k in range(2, 7):
        f.send(ACK, ack=base, options=opt_sack([(base + MSS,
                                                 base + k * MSS)]))
        got += data_of(f, f.peer.barrier())
    time.sleep(0.3)
    got += data_of(f, f.peer.barrier())
    print("# %s: resent with 5 SACKed above the hole: %s" %
          (name(linux), [rel(base, x) for x in got]))
    check(not got, "fast retransmit with 5 segments SACKed after a "
          "reordering of 10: %s" % [rel(base, x) for x in got])
    f.send(ACK, ack=(base + 10 * MSS) & MASK)
    f.peer.barrier()
    s.close()


def dupthresh(peer):
    """recovery=0: DupThresh is the reordering degree seen."""
    _dupthresh(peer, False)


def dupthresh_linux(peer):
    """The same with Linux TCP (tcp_recovery=0)."""
    _dupthresh(peer, True)


def episode(peer, linux, rport, lost):
    """A 10-segment flight of which the first lost segments are presumed
    lost (the rest SACKed) and resent; then all of it acknowledged, and 5
    new segments sent (an ACK is for the data in flight: Linux looks at
    one only then).  SRTT 0.2 s: no tail loss probe meanwhile."""
    s, f = open_conn(peer, linux, rport, 0.2)
    base, _ = send_flight(s, f, 10)
    f.peer.barrier()
    before = info(s)["cwnd"]
    f.send(ACK, ack=base, options=opt_sack([(base + lost * MSS,
                                             base + 10 * MSS)]))
    got = {}
    deadline = time.monotonic() + 2.0
    while len(got) < lost and time.monotonic() < deadline:
        for x in data_of(f, f.peer.barrier()):
            got[(x.seq - base) & MASK] = x
        time.sleep(0.01)
    check(sorted(got) == [k * MSS for k in range(lost)],
          "resent %s, want the first %d" % (sorted(got), lost))
    f.send(ACK, ack=(base + 10 * MSS) & MASK)
    f.peer.barrier()
    after = info(s)["cwnd"]
    check(after < before, "cwnd %d after the recovery, %d before" %
          (after, before))
    send_flight(s, f, 5)
    return s, f, base, before


def _dsack_segments(peer, linux):
    s, f, base, before = episode(peer, linux, 5304 + linux, 2)
    # Both originals were only late: one D-SACK block reports both copies.
    f.send(ACK, ack=(base + 10 * MSS) & MASK,
           options=opt_sack([(base, base + 2 * MSS)]))
    f.peer.barrier()
    i = info(s)
    print("# %s: after the D-SACK of 2 segments: cwnd %d (%d before), "
          "ca_state %d, tcpi_dsack_dups %s" % (name(linux), i["cwnd"],
                                               before, i["ca_state"],
                                               i.get("dsack_dups")))
    check(i["cwnd"] >= before, "cwnd %d, %d before the spurious recovery: "
          "not undone" % (i["cwnd"], before))
    check(i.get("dsack_dups") == 2, "tcpi_dsack_dups %s, want 2" %
          i.get("dsack_dups"))
    s.close()


def dsack_segments(peer):
    """A D-SACK of two resent segments undoes their recovery."""
    d = StatDelta()
    _dsack_segments(peer, False)
    check(d["SpuriousUndo"] == 1, "SpuriousUndo moved %d, want 1" %
          d["SpuriousUndo"])


def dsack_segments_linux(peer):
    """The same with Linux TCP."""
    _dsack_segments(peer, True)


def _dsack_dubious(peer, linux):
    s, f, base, before = episode(peer, linux, 5306 + linux, 1)
    reduced = info(s)["cwnd"]
    # One segment was resent; a D-SACK of five is a lie.
    f.send(ACK, ack=(base + 10 * MSS) & MASK,
           options=opt_sack([(base, base + 5 * MSS)]))
    f.peer.barrier()
    i = info(s)
    print("# %s: after a D-SACK of 5 segments (1 resent): cwnd %d "
          "(%d before the loss, %d after)" % (name(linux), i["cwnd"],
                                              before, reduced))
    check(i["cwnd"] < before, "cwnd %d: a dubious D-SACK undid the "
          "reduction (%d before)" % (i["cwnd"], before))
    s.close()


def dsack_dubious(peer):
    """Hostile: a D-SACK of more than was resent undoes nothing."""
    d = StatDelta()
    _dsack_dubious(peer, False)
    check(d["SpuriousUndo"] == 0, "SpuriousUndo moved %d" %
          d["SpuriousUndo"])


def dsack_dubious_linux(peer):
    """The same with Linux TCP."""
    _dsack_dubious(peer, True)


def _stale_sack(peer, linux):
    s, f, base, before = episode(peer, linux, 5308 + linux, 1)
    reduced = info(s)["cwnd"]
    # The ACK that reported segments 1-9 arrives again, late: its block
    # lies below SND.UNA now, but above its own ack.
    f.send(ACK, ack=base, options=opt_sack([(base + MSS,
                                             base + 10 * MSS)]))
    f.peer.barrier()
    i = info(s)
    print("# %s: after an old ACK with an old SACK block: cwnd %d (%d "
          "before the loss, %d after)" % (name(linux), i["cwnd"], before,
                                          reduced))
    check(i["cwnd"] < before, "cwnd %d: an old ACK's SACK block taken for "
          "a D-SACK undid the reduction (%d before)" % (i["cwnd"], before))
    s.close()


def stale_sack(peer):
    """A reordered old ACK's SACK block is no D-SACK."""
    d = StatDelta()
    _stale_sack(peer, False)
    d.expect(SpuriousUndo=0, DSackRecv=0)


def stale_sack_linux(peer):
    """The same with Linux TCP."""
    _stale_sack(peer, True)


def _rack_rtt_late(peer, linux):
    delay = 0.8		# min_RTT: the reordering window is 0.2 s
    s, f = open_conn(peer, linux, 5310 + linux, delay)
    base, t0 = send_flight(s, f, 10)
    sleep_until(t0 + delay)
    # Segment 9 arrives after one RTT: 0-8 are due at 1.25 RTT...
    f.send(ACK, ack=base, options=opt_sack([(base + 9 * MSS,
                                             base + 10 * MSS)]))
    sleep_until(t0 + 1.2 * delay)
    # ... but segment 4 arrives 0.2 RTT later still: RACK.rtt 1.2 RTT,
    # the others are due at 1.45 RTT (1.16 s).
    f.send(ACK, ack=base, options=opt_sack([(base + 4 * MSS,
                                             base + 5 * MSS),
                                            (base + 9 * MSS,
                                             base + 10 * MSS)]))
    sleep_until(t0 + 1.35 * delay)
    got = data_of(f, f.peer.barrier())
    print("# %s: resent by %.2f s: %s" % (name(linux), 1.35 * delay,
                                          [rel(base, x) for x in got]))
    check(not got, "resent %.2f s after the flight, before RACK.rtt (of "
          "the late segment 4) + reo_wnd passed: %s" %
          (1.35 * delay, [rel(base, x) for x in got]))
    f.send(ACK, ack=(base + 10 * MSS) & MASK)
    f.peer.barrier()
    s.close()


def rack_rtt_late(peer):
    """RACK.rtt from a late delivery: its neighbours wait longer."""
    _rack_rtt_late(peer, False)


def rack_rtt_late_linux(peer):
    """The same with Linux TCP."""
    _rack_rtt_late(peer, True)


CASES = [
    ("reordering degree grows with the SACK evidence", degree),
    ("reordering degree (Linux TCP)", degree_linux),
    ("recovery=0: DupThresh is the reordering degree", dupthresh),
    ("recovery=0: DupThresh (Linux TCP)", dupthresh_linux),
    ("D-SACK of two segments undoes their recovery", dsack_segments),
    ("D-SACK of two segments (Linux TCP)", dsack_segments_linux),
    ("hostile: a D-SACK of more than was resent is ignored",
     dsack_dubious),
    ("hostile D-SACK (Linux TCP)", dsack_dubious_linux),
    ("an old ACK's SACK block is no D-SACK", stale_sack),
    ("old ACK's SACK block (Linux TCP)", stale_sack_linux),
    ("RACK.rtt from a late delivery", rack_rtt_late),
    ("RACK.rtt from a late delivery (Linux TCP)", rack_rtt_late_linux),
]

if __name__ == "__main__":
    run_cases(CASES)
