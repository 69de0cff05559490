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
# then time out, every counter back to idle.  A listener closed with
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
                      recv_all, run_cases, states_of, stats, sysctl)

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
        sysctl("rto_initial_ms", 300)
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
        check(live()[1] == FLOOD, "live_requests %d after the child, want %d"
              % (live()[1], FLOOD))
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
    check(live()[1] == 5, "live_requests %d, want 5" % live()[1])
    ls.close()
    segs = peer.barrier()
    rst = {x.dport for x in segs if x.sport == PORT and x.flags & RST}
    check(len(rst) == 5, "%d of 5 peers reset: %s" % (len(rst), segs[:5]))
    wait_idle(socks0 - 1, "after close")


CASES = [
    ("SYN flood below the backlog: requests, no socket; a client connects",
     flood_no_socket),
    ("listener closed with requests pending: peers reset, requests freed",
     listener_close),
]

if __name__ == "__main__":
    run_cases(CASES, families=(4, 6))
