#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Request sockets (request.c): a SYN to a listener with room in its
# backlog makes a light request in SYN_RCVD, not a socket.  Against a
# scripted peer (tcp_peer.py), over IPv4 and IPv6: a SYN flood below the
# backlog is answered in full, allocates no socket (live_socks of
# /proc/net/mytcp_stat stays at its idle value) while live_requests counts
# every SYN and /proc/net/mytcp lists each as SYN_RECV; a client among
# them completes its handshake with data, is accepted and receives
# byte-exact; the flood's SYN-ACKs are retransmitted and the requests
# then time out, every counter back to idle.  The SYN-ACK timer is never
# early: each retransmitted SYN-ACK's TSval (milliseconds) is at least
# the backed-off RTO after the one before.  A listener closed with
# requests pending resets each peer (as it reset its children) and frees
# them.  Fails on a module without request sockets (no live_requests).
#
# Environment: MYTCP_KO (loaded when the module is not), MYTCP_CASES.

import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
from tcp_peer import (ACK, PSH, RST, SYN, SYN_RECV, abort,  # noqa: E402
                      accept_wait, check, diag, mytcp_socket, opt_mss,
                      opt_ts, recv_all, run_cases, states_of, stats,
                      sysctl)

PORT = 7300
FLOOD = 40


def live():
    s = stats()
    return s["live_socks"], s["live_requests"]


def flood(peer, n, base=20000):
    for i in range(n):
        peer.send_segment(base + i, PORT, SYN, 7777 * (i + 1), 0,
                          options=opt_mss(1460))
    return peer.barrier()


def wait_requests(n, what):
    """live_requests reaches n (a request is freed after a grace
    period)."""
    for _ in range(50):
        if live()[1] == n:
            return
        time.sleep(0.1)
    check(False, "%s: live_requests %d, want %d" % (what, live()[1], n))


def wait_idle(socks0, what):
    for _ in range(100):
        if live() == (socks0, 0):
            return
        time.sleep(0.1)
    check(False, "%s: live (socks, requests) %s, want (%d, 0)"
          % (what, live(), socks0))


def flood_no_socket(peer):
    """A flood below the backlog: requests only, then a client connects;
    the requests time out."""
    retries, rto = sysctl("synack_retries"), sysctl("rto_initial_ms")
    try:
        sysctl("synack_retries", 1)
        # the requests live 3 s (1 + 2): the flood and the counts below
        # fit in that on a slow guest (with 300 ms, 0.9 s, a loaded 6.1
        # guest saw 7 of 40 requests time out before they were counted)
        sysctl("rto_initial_ms", 1000)
        ls = mytcp_socket()
        ls.bind((peer.local, PORT))
        ls.listen(128)
        socks0, reqs0 = live()
        check(reqs0 == 0, "live_requests %d before the flood" % reqs0)
        segs = flood(peer, FLOOD)
        got = {x.dport for x in segs if x.sport == PORT and
               x.flags == SYN | ACK}
        socks, reqs = live()
        diag("%d SYNs: %d SYN-ACKs, live_socks %d -> %d, live_requests %d"
             % (FLOOD, len(got), socks0, socks, reqs))
        check(len(got) == FLOOD, "%d of %d SYNs answered" % (len(got), FLOOD))
        check(socks == socks0, "live_socks %d during the flood, idle %d"
              % (socks, socks0))
        check(reqs == FLOOD, "live_requests %d, want %d" % (reqs, FLOOD))
        n = states_of(PORT).count(SYN_RECV)
        check(n == FLOOD, "%d SYN_RECV entries listed, want %d" % (n, FLOOD))
        # a client among them: handshake completed with data
        f = peer.flow(PORT, 5001, 3000000)
        f.send(SYN, options=opt_mss(1460))
        f.track(f.expect_flags(SYN | ACK))
        check(live()[1] == FLOOD + 1, "live_requests %d, want %d"
              % (live()[1], FLOOD + 1))
        data = bytes(range(256)) * 2
        f.send(ACK | PSH, data=data)
        c = accept_wait(ls)
        check(c is not None, "accept() after the handshake")
        c.setblocking(False)
        check(recv_all(c, len(data)) == data, "data byte-exact")
        wait_requests(FLOOD, "after the child")
        # the flood's SYN-ACKs again (synack_retries 1), then nothing left
        time.sleep(1.5)
        again = {x.dport for x in peer.barrier() if x.sport == PORT and
                 x.flags == SYN | ACK}
        diag("%d flood ports saw a SYN-ACK again" % len(again))
        abort(c)
        wait_idle(socks0, "after the flood timed out")
        check(SYN_RECV not in states_of(PORT), "SYN_RECV entries left")
        ls.close()
    finally:
        sysctl("synack_retries", retries)
        sysctl("rto_initial_ms", rto)


def listener_close(peer):
    """Closing a listener with requests pending resets their peers and
    frees them."""
    ls = mytcp_socket()
    ls.bind((peer.local, PORT))
    ls.listen(16)
    socks0, _ = live()
    flood(peer, 5, base=21000)
    wait_requests(5, "5 SYNs")
    ls.close()
    segs = peer.barrier()
    rst = {x.dport for x in segs if x.sport == PORT and x.flags & RST}
    check(len(rst) == 5, "%d of 5 peers reset: %s" % (len(rst), segs[:5]))
    wait_idle(socks0 - 1, "after close")


def hostile_to_requests(peer):
    """What a peer sends to a request in SYN_RCVD is answered as a child
    in SYN_RCVD answers it, and makes no socket: data out of the window
    (ACK), an ACK of something else (RST <SEQ=SEG.ACK>), an RST in the
    window but not at RCV.NXT (challenge ACK), a SYN again (the SYN-ACK
    again); an RST at RCV.NXT drops it."""
    ls = mytcp_socket()
    ls.bind((peer.local, PORT))
    ls.listen(16)
    socks0, _ = live()
    f = peer.flow(PORT, 5002, 4000000)
    f.send(SYN, options=opt_mss(1460))
    sa = f.track(f.expect_flags(SYN | ACK))
    wait_requests(1, "one SYN")
    f.send(ACK | PSH, seq=f.snd_nxt + 100000, data=b"x" * 10, advance=False)
    r = f.answers()
    check(len(r) == 1 and r[0].flags == ACK and r[0].seq == sa.seq + 1 and
          r[0].ack == f.snd_nxt, "out-of-window data: %s, want an ACK" % r)
    f.send(ACK, ack=sa.seq + 7, advance=False)
    r = f.answers()
    check(len(r) == 1 and r[0].flags == RST and r[0].seq == sa.seq + 7,
          "bad ACK: %s, want RST seq %u" % (r, sa.seq + 7))
    f.send(RST, seq=f.snd_nxt + 10, advance=False)
    r = f.answers()
    check(len(r) == 1 and r[0].flags == ACK and r[0].ack == f.snd_nxt,
          "RST in the window: %s, want a challenge ACK" % r)
    f.send(SYN, seq=f.iss, options=opt_mss(1460), advance=False)
    r = f.answers(rtx=True)
    check(len(r) == 1 and r[0].flags == SYN | ACK and r[0].seq == sa.seq,
          "SYN again: %s, want the SYN-ACK again" % r)
    check(live() == (socks0, 1), "live (socks, requests) %s, want (%d, 1)"
          % (live(), socks0))
    check(states_of(PORT, 5002) == [SYN_RECV], "entry %s"
          % states_of(PORT, 5002))
    f.send(RST, advance=False)
    check(not f.answers(), "RST at RCV.NXT answered")
    wait_requests(0, "after the RST")
    check(not states_of(PORT, 5002), "entry left: %s"
          % states_of(PORT, 5002))
    check(live()[0] == socks0, "live_socks %d, want %d"
          % (live()[0], socks0))
    ls.close()


def synack_timer_not_early(peer):
    """The SYN-ACK timer (a timer-wheel timer) may go off a wheel slot
    late but never early: with rto_initial_ms 300 and synack_retries 2,
    the retransmitted SYN-ACKs' TSvals are at least 300 and then 600 ms
    after the one before (less 1 ms: TSval counts whole milliseconds, and
    the first SYN-ACK leaves just after the timer is armed); then the
    request times out."""
    retries, rto = sysctl("synack_retries"), sysctl("rto_initial_ms")
    try:
        sysctl("synack_retries", 2)
        sysctl("rto_initial_ms", 300)
        ls = mytcp_socket()
        ls.bind((peer.local, PORT))
        ls.listen(16)
        f = peer.flow(PORT, 5003)
        f.send(SYN, options=opt_mss(1460) + opt_ts(1000, 0))
        sa = [f.expect_flags(SYN | ACK)]
        for _ in range(2):
            sa.append(f.expect_flags(SYN | ACK, timeout=5.0, rtx=True))
        check(all(s.ts for s in sa), "SYN-ACKs without timestamps: %s"
              % sa)
        stamps = [s.ts[0] for s in sa]
        gaps = [(b - a) & 0xffffffff for a, b in zip(stamps, stamps[1:])]
        diag("SYN-ACK TSval gaps %s ms (RTO 300, then 600)" % gaps)
        check(gaps[0] >= 299 and gaps[1] >= 599,
              "SYN-ACK retransmitted early: TSval gaps %s ms" % gaps)
        check(sa[1].seq == sa[0].seq and sa[2].seq == sa[0].seq,
              "retransmissions %s, want the SYN-ACK again" % sa[1:])
        wait_requests(0, "after synack_retries")
        check(not states_of(PORT, 5003), "entry left: %s"
              % states_of(PORT, 5003))
        ls.close()
    finally:
        sysctl("synack_retries", retries)
        sysctl("rto_initial_ms", rto)


CASES = [
    ("SYN flood below the backlog: requests, no socket; a client connects",
     flood_no_socket),
    ("listener closed with requests pending: peers reset, requests freed",
     listener_close),
    ("hostile segments to a request: answered as in SYN_RCVD, no socket",
     hostile_to_requests),
    ("the SYN-ACK timer is never early (retransmissions' TSval gaps)",
     synack_timer_not_early),
]

if __name__ == "__main__":
    run_cases(CASES, families=(4, 6))
