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
#     ACK beyond what was sent grows nothing more.
#
# Environment: MYTCP_KO, MYTCP_CASES (see tcp_peer.py).

import os
import socket
import struct
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# pylint: disable=wrong-import-position
from tcp_peer import ACK, check, opt_sack, run_cases
from rack import MASK, MSS, data_of, full_window, open_conn


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


CASES = [
    ("the full ACK ending a recovery grows cwnd (as Linux TCP)",
     end_growth),
    ("hostile: duplicate full ACKs grow nothing more", end_growth_hostile),
]

if __name__ == "__main__":
    run_cases(CASES)
