#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# ICMP errors for mytcp's connections (RFC 5927, RFC 1122 4.2.3.9),
# through the scripted peer of tcp_peer.py: destination unreachable in
# SYN_SENT (refused, unless forged or corrupt) and in ESTABLISHED (soft),
# fragmentation needed (resent within the MTU, forged ones ignored).  One
# KTAP result per case; each case runs in its own network namespace.
#
# Environment: MYTCP_KO (loaded when the module is not), MYTCP_CASES
# ("|"-separated substrings: run only the matching cases).

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
from hostile_lib import still_works
from tcp_peer import (ACK, ESTABLISHED, SYN, SYN_SENT, StatDelta, active_open,
                      check, connect_result, expect_state, mytcp_socket,
                      quote_with_seq, run_cases, so_error)


def icmp_syn_sent(peer):
    """RFC 5927 4.1 / RFC 1122 4.2.3.9: a hard error for the SYN fails the
    connect; not if it quotes another sequence number or its checksum is
    wrong."""
    s = mytcp_socket()
    s.bind((peer.local, 6000))
    connect_result(s, (peer.remote, 6001))
    f = peer.flow(6000, 6001)
    syn = f.track(f.expect_flags(SYN))
    d = StatDelta()
    for bad in (syn.seq + 1000, syn.seq - 1, syn.seq + (1 << 31)):
        peer.send_icmp_error(quote_with_seq(syn, bad), code=3)
    peer.send_icmp_error(syn.raw, code=3, bad_csum=True)
    check(not f.answers(), "answers to ICMP errors")
    expect_state(6000, 6001, SYN_SENT)
    e = so_error(s)
    check(e == 0, "SO_ERROR %d after forged/corrupt ICMP errors" % e)
    d.expect(AttemptFails=0)
    peer.send_icmp_error(syn.raw, code=3)		# port unreachable
    peer.barrier()
    expect_state(6000, 6001, None)
    r = connect_result(s, (peer.remote, 6001))
    check(r == "ECONNREFUSED", "connect() after ICMP port unreachable: %s"
          % r)
    d.expect(AttemptFails=1)


def icmp_established_soft(peer):
    """RFC 5927 / RFC 1122 4.2.3.9: unreachables do not abort a
    synchronized connection."""
    s, f = active_open(peer, 5000)
    s.send(b"out")
    seg = f.track(f.expect(lambda x: x.payload, what="data"))
    for code in (0, 1, 2, 3, 10):
        peer.send_icmp_error(seg.raw, code=code)
    peer.send_icmp_error(seg.raw, typ=11, code=0)	# time exceeded
    check(not f.answers(), "answers to ICMP errors")
    expect_state(f.lport, 5000, ESTABLISHED)
    # (SO_ERROR may report the soft error, as Linux's does: not checked)
    f.send(ACK)
    still_works(s, f)


def icmp_frag_needed(peer):
    """Fragmentation needed (RFC 1191): what is out is sent again within the
    new MTU; a forged or corrupt one changes nothing."""
    s, f = active_open(peer, 5000)
    data = b"m" * 2920
    s.send(data)
    segs = []
    while sum(len(x.payload) for x in segs) < len(data):
        segs.append(f.track(f.expect(lambda x: x.payload, what="data")))
    first = segs[0]
    check(len(first.raw) == 1500, "first segment %s: not a full 1500-byte "
          "packet" % first)
    peer.barrier()
    peer.send_icmp_error(quote_with_seq(first, f.rcv_nxt + 5000), code=4,
                         mtu=1000)
    peer.send_icmp_error(first.raw, code=4, mtu=1000, bad_csum=True)
    r = f.answers(rtx=True)
    check(not r, "mytcp resent after a forged/corrupt frag-needed: %s" % r)
    peer.send_icmp_error(first.raw, code=4, mtu=1000)
    again = f.expect(lambda x: x.payload and x.seq == first.seq, rtx=True,
                     what="resend at the new size")
    got = {}
    x = again
    while True:
        check(len(x.raw) <= 1000, "%d-byte packet after MTU 1000: %s"
              % (len(x.raw), x))
        got[x.seq] = x.payload
        end = x.seq + len(x.payload)
        if end == f.rcv_nxt:
            break
        x = f.expect(lambda y: y.payload and y.seq == end, rtx=True,
                     what="the rest at the new size")
    out = b"".join(got[k] for k in sorted(got))
    check(out == data, "resent data differs")
    f.send(ACK)
    still_works(s, f)


CASES = [
    ("ICMP unreachable in SYN_SENT: refused, unless forged or corrupt",
     icmp_syn_sent),
    ("ICMP unreachable in ESTABLISHED: soft, connection stays",
     icmp_established_soft),
    ("ICMP fragmentation needed: resent within the MTU, forged ignored",
     icmp_frag_needed),
]

if __name__ == "__main__":
    run_cases(CASES)
