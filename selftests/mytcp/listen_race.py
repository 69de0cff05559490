#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# A listener closing while its half-open children die on their own
# (issue 14, "listener teardown race"): close() or shutdown() resets the
# children the listener still holds while, on another CPU, the same
# children are reset by the peer (RST in SYN_RCVD), give up on their
# SYN-ACK (synack_retries exhausted) or get more SYNs and RSTs.  Each child
# must be unlinked and released exactly once: no double sock_put, no
# use-after-free (KASAN on the debug kernel), no SYN-queue count wrapping
# below zero (which made a re-listening socket refuse every SYN as an
# overflow).  After every round nothing of the port is left in
# /proc/net/mytcp; at the end the live_* counters are back (run_cases),
# and a listener on the same port (and the same socket listening again)
# accepts connections.
#
# The racer is a second process writing to the tun while the test process
# is inside close(): on a guest with two vCPUs the two really overlap; on
# one they interleave at the kernel's preemption points.
#
# Environment: MYTCP_KO, MYTCP_CASES (see tcp_peer.py);
#   MYTCP_LISTEN_RACE_ROUNDS  rounds per case (default 12)
#   MYTCP_LISTEN_RACE_CHILDREN  half-open children per round (default 64)

import os
import socket
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
import knobs
from tcp_peer import (ACK, RST, SYN, LISTEN, SYN_RECV, StatDelta, abort,
                      check, conns, diag, mytcp_socket, opt_mss,
                      passive_open, run_cases, states_of, sysctl)

ROUNDS = knobs.get_int("MYTCP_LISTEN_RACE_ROUNDS")
CHILDREN = knobs.get_int("MYTCP_LISTEN_RACE_CHILDREN")
PORT = 7100
ISS = 5000000


def make_listener(peer, port=PORT, backlog=None):
    ls = mytcp_socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((peer.local, port))
    ls.listen(backlog or CHILDREN + 16)
    return ls


def half_open(peer, first_rport, n, port=PORT):
    """n SYNs from n ports: n children in SYN_RCVD (checked)."""
    for i in range(n):
        peer.send_segment(first_rport + i, port, SYN, ISS + i, 0,
                          options=opt_mss(1400))
    segs = peer.barrier()
    answered = {x.dport for x in segs
                if x.sport == port and x.flags == SYN | ACK}
    check(len(answered) == n, "%d SYN-ACKs for %d SYNs" % (len(answered), n))
    return segs


def wait_port_empty(port=PORT, timeout=30.0, allow=()):
    """Nothing of port in /proc/net/mytcp but the states in allow."""
    deadline = time.monotonic() + timeout
    while True:
        left = [c for c in conns()
                if c["lport"] == port and c["st"] not in allow]
        if not left:
            return
        if time.monotonic() > deadline:
            for c in left[:5]:
                diag("left: " + c["line"])
            raise AssertionError("%d entries of port %d left after close"
                                 % (len(left), port))
        time.sleep(0.05)


def racer(fn):
    """Run fn(started) in a forked process once told to; fn calls
    started() once it is under way.  Returns (pid, go); start it with
    go_and_wait(go)."""
    r, w = os.pipe()
    rr, rw = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(w)
        os.close(rr)
        rc = 0

        def started():
            os.write(rw, b"s")

        try:
            os.read(r, 1)
            fn(started)
        except Exception as e:		# pylint: disable=broad-except
            diag("racer: %r" % e)
            rc = 1
        os._exit(rc)
    os.close(r)
    os.close(rw)
    return pid, (w, rr)


def go_and_wait(go):
    """Let the racer go; return once it is firing (so that the close
    that follows overlaps with it)."""
    os.write(go[0], b"x")
    os.read(go[1], 1)


def join(pid, go):
    os.close(go[0])
    os.close(go[1])
    _, st = os.waitpid(pid, 0)
    check(os.waitstatus_to_exitcode(st) == 0, "racer failed")


def serves(peer, ls, rport, port=PORT):
    """A full handshake on ls, accepted, and data both ways."""
    d = StatDelta()
    c, f = passive_open(peer, ls, rport=rport, iss=ISS)
    check(d["DropListenOverflow"] == 0,
          "listener refused a SYN as overflow (SYN queue count wrapped?)")
    f.send(ACK, data=b"ping")
    deadline = time.monotonic() + 5
    got = b""
    while got != b"ping" and time.monotonic() < deadline:
        try:
            got += c.recv(100)
        except BlockingIOError:
            time.sleep(0.02)
    check(got == b"ping", "accepted child did not deliver data: %r" % got)
    c.send(b"pong")
    check(f.expect(lambda x: x.payload).payload == b"pong", "data back")
    abort(c)	# RST: no orphan left retransmitting
    return f


def rst_race(peer):
    """Half-open children reset by the peer (last first, with RSTs that
    miss and new SYNs mixed in) while the listener closes (even rounds)
    or shuts down and listens again on the same socket (odd rounds).
    Children that completed the handshake but were not accepted are reset
    by the close."""
    sysctl("synack_retries", 5)
    base = 20000
    for rnd in range(ROUNDS):
        relisten = rnd % 2 == 1
        ls = make_listener(peer)
        first = base + rnd * (CHILDREN + 8)
        half_open(peer, first, CHILDREN)
        # Two children complete their handshake and wait, unaccepted.
        done = []
        for i in range(2):
            rp = first + CHILDREN + i
            f = peer.flow(PORT, rp, ISS)
            f.send(SYN, options=opt_mss(1400))
            f.track(f.expect_flags(SYN | ACK, pred=lambda x, f=f:
                                   x.ack == f.snd_nxt))
            f.send(ACK)
            done.append(rp)
        peer.barrier()
        check(states_of(PORT).count(SYN_RECV) == CHILDREN,
              "children: %s" % states_of(PORT))

        def fire(started, first=first):
            for i in reversed(range(CHILDREN)):
                rp = first + i
                # exact RCV.NXT: resets the child (RFC 9293 3.10.7.4)
                peer.send_segment(rp, PORT, RST, ISS + i + 1, 0)
                if i == CHILDREN - 2:
                    started()
                if i % 8 == 0:
                    # in-window, not exact: a challenge ACK (RFC 5961)
                    peer.send_segment(rp, PORT, RST, ISS + i + 9, 0)
                    # a new SYN to the closing listener
                    peer.send_segment(first + CHILDREN + 4, PORT, SYN,
                                      ISS, 0, options=opt_mss(1400))

        pid, go = racer(fire)
        go_and_wait(go)
        if relisten:
            ls.shutdown(socket.SHUT_RDWR)
        else:
            ls.close()
        join(pid, go)
        peer.barrier()
        if relisten:
            wait_port_empty(allow=(7,))	# the socket itself, CLOSE
            ls.listen(CHILDREN + 16)
            check(states_of(PORT) == [LISTEN],
                  "after listening again: %s" % states_of(PORT))
            serves(peer, ls, first + CHILDREN + 5)
            ls.close()
        wait_port_empty()
        peer.barrier()
    # A new listener on the port serves.
    ls = make_listener(peer)
    serves(peer, ls, base - 1)
    ls.close()
    wait_port_empty()


def synack_timeout_race(peer):
    """Children whose SYN-ACK times out (synack_retries 1: dropped at the
    second RTO expiry, 3 RTOs after the SYN) while the listener closes, at
    delays around that moment."""
    rto_ms = 200
    sysctl("synack_retries", 1)
    sysctl("rto_min_ms", 10)
    sysctl("rto_initial_ms", rto_ms)
    base = 30000
    for rnd in range(ROUNDS):
        relisten = rnd % 2 == 1
        ls = make_listener(peer)
        first = base + rnd * (CHILDREN + 4)
        t0 = time.monotonic()
        half_open(peer, first, CHILDREN)
        # Close between 1.5 and 4.5 RTOs after the first SYN.
        delay = rto_ms * (1.5 + 3.0 * rnd / max(ROUNDS - 1, 1)) / 1000.0
        left = t0 + delay - time.monotonic()
        if left > 0:
            time.sleep(left)
        if relisten:
            ls.shutdown(socket.SHUT_RDWR)
        else:
            ls.close()
        peer.barrier()
        if relisten:
            wait_port_empty(allow=(7,))
            ls.listen(CHILDREN + 16)
            sysctl("synack_retries", 5)	# not raced here
            serves(peer, ls, first + CHILDREN + 1)
            sysctl("synack_retries", 1)
            ls.close()
        wait_port_empty()
        peer.barrier()
    sysctl("synack_retries", 5)
    ls = make_listener(peer)
    serves(peer, ls, base - 1)
    ls.close()
    wait_port_empty()


def icmp_race(peer):
    """Children hit by ICMP port-unreachable (a hard error in SYN_RCVD
    drops them) while the listener closes."""
    sysctl("synack_retries", 5)
    base = 40000
    for rnd in range(max(ROUNDS // 2, 1)):
        ls = make_listener(peer)
        first = base + rnd * (CHILDREN + 4)
        segs = half_open(peer, first, CHILDREN)
        synacks = [x for x in segs if x.sport == PORT and
                   x.flags == SYN | ACK]

        def fire(started, synacks=synacks):
            for n, x in enumerate(reversed(synacks)):
                peer.send_icmp_error(x.raw, typ=3, code=3)
                if n == 1:
                    started()

        pid, go = racer(fire)
        go_and_wait(go)
        ls.close()
        join(pid, go)
        peer.barrier()
        wait_port_empty()
    ls = make_listener(peer)
    serves(peer, ls, base - 1)
    ls.close()
    wait_port_empty()


def quiet_close(peer):
    """Normal path: close with half-open and unaccepted children, no
    race; every child is reset exactly once, an accepted one lives on."""
    ls = make_listener(peer)
    half_open(peer, 21000, 4)
    c, f = passive_open(peer, ls, rport=21010, iss=ISS)
    fw = peer.flow(PORT, 21011, ISS)
    fw.send(SYN, options=opt_mss(1400))
    fw.track(fw.expect_flags(SYN | ACK))
    fw.send(ACK)
    peer.barrier()
    ls.close()
    segs = peer.barrier()
    rsts = sorted(x.dport for x in segs if x.sport == PORT and
                  x.flags & RST)
    check(rsts == [21000, 21001, 21002, 21003, 21011],
          "resets on close went to %s" % rsts)
    c.send(b"still here")
    check(f.expect(lambda x: x.payload).payload == b"still here",
          "accepted connection survives its listener")
    abort(c)


CASES = [
    ("close with half-open and unaccepted children: one RST each",
     quiet_close),
    ("RSTs to half-open children racing with close/shutdown", rst_race),
    ("SYN-ACK retries exhausted racing with close/shutdown",
     synack_timeout_race),
    ("ICMP errors to half-open children racing with close", icmp_race),
]

if __name__ == "__main__":
    run_cases(CASES)
