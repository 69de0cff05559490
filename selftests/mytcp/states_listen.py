#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# The listener's side of the RFC 9293 connection lifecycle against a
# scripted peer (tcp_peer.py): SYN_RECV children that never complete, get
# a SYN again or an unacceptable ACK, the listen backlog (full, a place
# freed by a dead child), a listener closed or a child reset before
# accept().  Observed in /proc/net/mytcp and on the wire, segment by
# segment.  One KTAP result per case; each case runs in its own network
# namespace.
#
# Environment: MYTCP_KO (loaded when the module is not), MYTCP_CASES
# ("|"-separated substrings: run only the matching cases).

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
from tcp_peer import (ACK, ESTABLISHED, LISTEN, PSH, RST, SYN, SYN_RECV,
                      StatDelta, accept, check, diag, expect_state, listener,
                      opt_mss, passive_open, recv_result, run_cases, states_of,
                      sysctl, wait_states)


def syn_recv_never_completes(peer):
    sysctl("synack_retries", 2)
    sysctl("rto_initial_ms", 200)
    sysctl("rto_min_ms", 1)
    d = StatDelta()
    ls = listener(peer, 7000)
    f = peer.flow(7000, 5001)
    f.send(SYN, options=opt_mss(1400))
    first = f.expect_flags(SYN | ACK)
    expect_state(7000, 5001, SYN_RECV)
    wait_states(7000, 5001, [], timeout=30)
    synacks = [first] + [x for x in f.peer.barrier() if f.mine(x)]
    for x in synacks:
        check(x.flags == SYN | ACK and x.seq == first.seq and
              x.ack == f.snd_nxt, "segment of the pending child: %s" % x)
    check(len(synacks) == 3, "%d SYN,ACKs sent, want 1 + synack_retries = 3"
          % len(synacks))
    check(states_of(7000) == [LISTEN], "listener %s" % states_of(7000))
    check(accept(ls)[0] is None, "accept() returned the dead child")
    # The peer's late ACK finds only the listener: RST (seq = SEG.ACK).
    f.send(ACK, ack=first.seq + 1)
    r = f.answers()
    check(len(r) == 1 and r[0].flags == RST and r[0].seq == first.seq + 1,
          "answer to the late ACK: %s, want RST seq %u" % (r, first.seq + 1))
    d.expect(AttemptFails=1, PassiveOpens=0)


def backlog_full(peer):
    backlog = 2
    sysctl("syncookies", 0)	# the drop (syncookies.py: the cookies)
    d = StatDelta()
    ls = listener(peer, 7000, backlog=backlog)
    nsyn = backlog + 4
    flows = []
    for i in range(nsyn):
        f = peer.flow(7000, 6000 + i, iss=100000 * (i + 1))
        f.send(SYN, options=opt_mss(1400))
        flows.append(f)
    segs = peer.barrier()
    answered = []
    for f in flows:
        mine = [x for x in segs if f.mine(x)]
        check(len(mine) <= 1, "several answers to one SYN: %s" % mine)
        if mine:
            check(mine[0].flags == SYN | ACK, "answer %s" % mine[0])
            f.track(mine[0])
            answered.append(f)
    diag("%d SYNs, backlog %d: %d answered" % (nsyn, backlog,
                                               len(answered)))
    check(backlog <= len(answered) <= backlog + 1,
          "%d SYNs answered with backlog %d" % (len(answered), backlog))
    check(d["DropListenOverflow"] == nsyn - len(answered),
          "DropListenOverflow moved %d, want %d" % (d["DropListenOverflow"],
                                                    nsyn - len(answered)))
    # The ones that got in complete and are accepted.
    for f in answered:
        f.send(ACK)
    peer.barrier()
    got = 0
    while accept(ls)[0] is not None:
        got += 1
    check(got == len(answered), "accepted %d, want %d" % (got,
                                                           len(answered)))
    # Room again: a new SYN is answered.
    f = peer.flow(7000, 6999)
    f.send(SYN)
    f.expect_flags(SYN | ACK)


def backlog_slot_freed(peer):
    """A child that dies in SYN_RECV (RST, timeout) gives its place in the
    backlog back."""
    sysctl("syncookies", 0)	# the drop (syncookies.py: the cookies)
    sysctl("synack_retries", 1)
    sysctl("rto_initial_ms", 200)
    sysctl("rto_min_ms", 1)
    d = StatDelta()
    ls = listener(peer, 7000, backlog=0)
    # Find how many SYN_RECV children backlog 0 admits (Linux: 1).
    flows = [peer.flow(7000, 6000 + i, iss=1000 * (i + 1)) for i in range(3)]
    for f in flows:
        f.send(SYN, options=opt_mss(1400))
    segs = peer.barrier()
    took = [f for f in flows if any(f.mine(x) for x in segs)]
    check(1 <= len(took) <= 2, "backlog 0 took %d SYNs" % len(took))
    check(d["DropListenOverflow"] == 3 - len(took), "DropListenOverflow %d"
          % d["DropListenOverflow"])
    for f in took:
        f.track([x for x in segs if f.mine(x)][0])
    # One reset, the others time out.
    took[0].send(RST)
    for f in took:
        wait_states(7000, f.rport, [], timeout=30)
    check(states_of(7000) == [LISTEN], "entries %s" % states_of(7000))
    # The places are free again.
    n = len(took)
    g = [peer.flow(7000, 6100 + i, iss=5000 * (i + 1)) for i in range(n)]
    for f in g:
        f.send(SYN, options=opt_mss(1400))
    segs = peer.barrier()
    got = [f for f in g if any(f.mine(x) and x.flags == SYN | ACK
                               for x in segs)]
    check(len(got) == n, "after the children died, %d of %d new SYNs "
          "answered" % (len(got), n))


def duplicate_syn_in_syn_recv(peer):
    listener(peer, 7000)
    f = peer.flow(7000, 5001)
    f.send(SYN, options=opt_mss(1400))
    sa = f.track(f.expect_flags(SYN | ACK))
    d = StatDelta()
    f.send(SYN, seq=f.iss, options=opt_mss(1400), advance=False)
    r = f.answers(rtx=True)
    check(len(r) == 1 and r[0].flags == SYN | ACK and r[0].seq == sa.seq and
          r[0].ack == sa.ack, "answer to the SYN again: %s, want the "
          "SYN,ACK again" % r)
    expect_state(7000, 5001, SYN_RECV)
    check(d["RetransSegs"] == 1, "RetransSegs moved %d" % d["RetransSegs"])
    f.send(ACK)
    f.answers()
    expect_state(7000, 5001, ESTABLISHED)


def syn_recv_bad_ack(peer):
    ls = listener(peer, 7000)
    f = peer.flow(7000, 5001)
    f.send(SYN, options=opt_mss(1400))
    sa = f.track(f.expect_flags(SYN | ACK))
    for bad in (sa.seq, sa.seq + 5, sa.seq - 100000):
        f.send(ACK, ack=bad, advance=False)
        r = f.answers()
        check(len(r) == 1 and r[0].flags == RST and r[0].seq == bad,
              "answer to ACK %u in SYN_RECV (ISS %u): %s, want RST seq %u"
              % (bad, sa.seq, r, bad))
        expect_state(7000, 5001, SYN_RECV)
    f.send(ACK)
    f.answers()
    expect_state(7000, 5001, ESTABLISHED)
    check(accept(ls)[0] is not None, "accept()")


def listener_close_resets_children(peer):
    ls = listener(peer, 7000)
    f1 = peer.flow(7000, 5001, iss=100000)	# completes, never accepted
    f1.send(SYN, options=opt_mss(1400))
    f1.track(f1.expect_flags(SYN | ACK))
    f1.send(ACK)
    f2 = peer.flow(7000, 5002, iss=200000)	# stays in SYN_RECV
    f2.send(SYN, options=opt_mss(1400))
    f2.track(f2.expect_flags(SYN | ACK))
    peer.barrier()
    expect_state(7000, 5001, ESTABLISHED)
    expect_state(7000, 5002, SYN_RECV)
    ls.close()
    for f in (f1, f2):
        r = f.expect(lambda x: x.flags & RST, what="RST")
        check(r.seq == f.rcv_nxt, "RST %s, want seq %u" % (r, f.rcv_nxt))
        expect_state(7000, f.rport, None)
    check(states_of(7000) == [], "entries left on the port: %s"
          % states_of(7000))


def rst_unaccepted_child(peer):
    """RST to a connection still in the accept queue: accept() gives it,
    the application reads ECONNRESET."""
    ls = listener(peer, 7000)
    f = peer.flow(7000, 5001)
    f.send(SYN, options=opt_mss(1400))
    f.track(f.expect_flags(SYN | ACK))
    f.send(ACK | PSH, data=b"before the reset")
    f.expect(lambda x: x.ack == f.snd_nxt)
    expect_state(7000, 5001, ESTABLISHED)
    d = StatDelta()
    f.send(RST, ack=0)
    check(not f.answers(), "RST answered")
    expect_state(7000, 5001, None)
    d.expect(InRsts=1)
    c, _ = accept(ls)
    if c is not None:
        r = recv_result(c)
        check(r == "ECONNRESET", "recv() on the reset child: %r" % (r,))
    check(states_of(7000) == [LISTEN], "entries %s" % states_of(7000))
    # The listener still works.
    c2, g = passive_open(peer, ls, rport=5002)
    c2.send(b"fine")
    check(g.expect(lambda x: x.payload).payload == b"fine", "data")


CASES = [
    ("SYN_RECV never completed: SYN,ACK retransmitted, child gone",
     syn_recv_never_completes),
    ("listen backlog full: extra SYNs dropped (DropListenOverflow)",
     backlog_full),
    ("listen backlog: a dead SYN_RECV child frees its place",
     backlog_slot_freed),
    ("SYN again in SYN_RECV: SYN,ACK retransmitted",
     duplicate_syn_in_syn_recv),
    ("SYN_RECV, unacceptable ACK: RST <SEQ=SEG.ACK>, child stays",
     syn_recv_bad_ack),
    ("listener close(): unaccepted children reset",
     listener_close_resets_children),
    ("RST to an unaccepted connection: accept() then ECONNRESET",
     rst_unaccepted_child),
]

if __name__ == "__main__":
    run_cases(CASES)
