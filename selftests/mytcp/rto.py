#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# The retransmission timeout after an RTT sample, through the scripted
# peer of tcp_peer.py, against Linux TCP (AF_INET) in the same namespace
# setup.  The peer delays its SYN-ACK by D = 0.2 s (the one RTT sample);
# the minimum RTO is 800 ms (mytcp's net.mytcp.rto_min_ms, Linux's route
# rto_min); no loss probe (net.mytcp.recovery=0, tcp_early_retrans=0), so
# the first retransmission of one unacknowledged segment is the RTO:
#
#   - Linux's RTO (tcp_rtt_estimator(), tcp_set_rto()) is SRTT +
#     max(4 * RTTVAR, rto_min) = D + max(2 D, 0.8 s) = 1.0 s, RFC 6298's
#     max(SRTT + 4 * RTTVAR, rto_min) = 0.8 s: TCP_INFO's tcpi_rto shows
#     Linux's formula on both stacks (tcpi_rttvar: the mean deviation,
#     R / 2 after the first sample, on both), and the
#     retransmission comes SRTT + 0.8 s after the segment (-60 ms, +150
#     ms: a timer does not fire early; a slow guest is late), mytcp's and
#     Linux's within 150 ms of each other;
#   - rto_max_ms (RFC 6298 2.5) bounds it: 500 ms with rto_max_ms 500;
#   - the retransmission timer (a timer-wheel timer) is never early: with
#     rto_initial_ms 300 a SYN nobody answers is sent again after at least
#     300 and then 600 ms, by its TSvals (milliseconds; mytcp only).
#
# Environment: MYTCP_KO, MYTCP_CASES (see tcp_peer.py).

import os
import socket
import struct
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
from tcp_peer import (ACK, SYN, Skip, abort, check,  # noqa: E402
                      connect_result, diag, mytcp_socket, opt_mss,
                      run_cases, sysctl)

MASK = 0xffffffff
MSS = 1000
DELAY = 0.2			# the handshake's RTT
RTO_MIN_MS = 800
EARLY, LATE = 0.06, 0.15	# the retransmission's window around the RTO


def open_conn(peer, linux, rport, rto_min_ms=RTO_MIN_MS):
    """A connection whose one RTT sample (the handshake) is DELAY."""
    if linux:
        r = subprocess.run(["ip", "route", "replace", "10.0.9.0/24", "dev",
                            peer.name, "src", peer.local, "rto_min",
                            "%dms" % rto_min_ms], stderr=subprocess.PIPE,
                           check=False)
        if r.returncode:
            raise Skip("ip route rto_min: %s" % r.stderr.decode().strip())
        for k in ("tcp_early_retrans", "tcp_no_metrics_save"):
            with open("/proc/sys/net/ipv4/" + k, "w") as fh:
                fh.write("0" if k == "tcp_early_retrans" else "1")
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
    else:
        sysctl("rto_min_ms", rto_min_ms)
        sysctl("rto_initial_ms", 1000)
        sysctl("recovery", 0)		# no loss probe: the RTO retransmits
        s = mytcp_socket()
    s.bind((peer.local, 0))
    r = connect_result(s, (peer.remote, rport))
    check(r == "EINPROGRESS", "connect: %s" % r)
    f = peer.flow(s.getsockname()[1], rport)
    f.track(f.expect_flags(SYN))
    time.sleep(DELAY)
    f.send(SYN | ACK, options=opt_mss(MSS))
    f.expect_flags(ACK, pred=lambda x: x.ack == f.snd_nxt)
    r = connect_result(s, (peer.remote, rport))
    check(r in ("OK", "EISCONN"), "connect after the handshake: %s" % r)
    return s, f


def rto_info(s):
    """(tcpi_rto, tcpi_rtt, tcpi_rttvar) in microseconds."""
    v = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    return (struct.unpack_from("I", v, 8)[0],
            struct.unpack_from("I", v, 68)[0],
            struct.unpack_from("I", v, 72)[0])


def proc_rtt(s, rtt, rttvar):
    """/proc/net/mytcp's srtt and rttvar columns (mytcpstat -i's rtt:) are
    TCP_INFO's: tcpi_rtt and tcpi_rttvar (the mean deviation), in us."""
    port = s.getsockname()[1]
    with open("/proc/net/mytcp") as fp:
        rows = [ln.split() for ln in fp.readlines()[1:]]
    row = [r for r in rows if len(r) >= 30 and
           int(r[1].split(":")[1], 16) == port]
    check(len(row) == 1, "/proc/net/mytcp: %d lines of port %d" %
          (len(row), port))
    if row:
        got = (int(row[0][17]), int(row[0][18]))
        check(got == (rtt, rttvar), "/proc/net/mytcp srtt, rttvar %s, "
              "TCP_INFO %s" % (got, (rtt, rttvar)))


def first_rto(peer, linux, rport, rto_min_ms=RTO_MIN_MS):
    """One segment sent, never ACKed: (seconds from its arrival to its
    retransmission's, tcpi_rto, tcpi_rtt, tcpi_rttvar before)."""
    s, f = open_conn(peer, linux, rport, rto_min_ms)
    rto, rtt, rttvar = rto_info(s)
    if not linux:
        proc_rtt(s, rtt, rttvar)
    s.send(b"r" * MSS)
    x = f.expect(lambda y: len(y.payload) > 0, what="data")
    t0 = time.monotonic()
    f.track(x)
    y = f.expect(lambda y: len(y.payload) > 0 and y.seq == x.seq, rtx=True,
                 timeout=5, what="the retransmission")
    dt = time.monotonic() - t0
    diag("%s: tcpi_rtt %d us, tcpi_rttvar %d us, tcpi_rto %d us; "
         "retransmission %.3f s after the segment" %
         ("Linux" if linux else "mytcp", rtt, rttvar, rto, dt))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    return dt, rto, rtt, rttvar


def rto_after_sample(peer):
    """The first RTO after one RTT sample: SRTT + max(4 RTTVAR,
    rto_min), mytcp and Linux TCP alike."""
    res = {}
    for linux in (False, True):
        name = "Linux" if linux else "mytcp"
        dt, rto, rtt, rttvar = first_rto(peer, linux, 5000 + linux)
        check(DELAY * 1e6 <= rtt < (DELAY + 0.15) * 1e6,
              "%s: tcpi_rtt %d us after a handshake of %.1f s" %
              (name, rtt, DELAY))
        # tcpi_rttvar is Linux's mdev: R / 2 after the first sample
        check(abs(4 * rttvar - 2 * rtt) <= 8,
              "%s: tcpi_rttvar %d us, want tcpi_rtt / 2 (%d)" %
              (name, rttvar, rtt // 2))
        # Linux's tcpi_rto is in jiffies (HZ 250: 4 ms steps)
        want = rtt + max(2 * rtt, RTO_MIN_MS * 1000)
        check(abs(rto - want) <= 4004,
              "%s: tcpi_rto %d us, want SRTT + max(4 RTTVAR, rto_min) = %d"
              " (RFC 6298's max(SRTT + 4 RTTVAR, rto_min) would be %d)" %
              (name, rto, want, max(3 * rtt, RTO_MIN_MS * 1000)))
        check(want / 1e6 - EARLY <= dt <= want / 1e6 + LATE,
              "%s: the RTO fired %.3f s after the segment, want %.3f s "
              "(-%.2f, +%.2f)" % (name, dt, want / 1e6, EARLY, LATE))
        res[linux] = dt
    check(abs(res[False] - res[True]) <= LATE,
          "first RTO: mytcp %.3f s, Linux %.3f s" % (res[False], res[True]))


def rto_max_bound(peer):
    """rto_max_ms bounds the RTO (RFC 6298 2.5): 500 ms, not 1 s."""
    sysctl("rto_max_ms", 500)
    dt, rto, _, _ = first_rto(peer, False, 5002)
    check(rto == 500000, "tcpi_rto %d us with rto_max_ms 500" % rto)
    check(0.5 - EARLY <= dt <= 0.5 + LATE,
          "the RTO fired %.3f s after the segment, want 0.5 s" % dt)


def syn_rto_not_early(peer):
    """The SYN's retransmissions (the wheel's retransmission timer) come
    at least the backed-off RTO after the one before, by their TSvals
    (less 1 ms: TSval counts whole milliseconds).  rto_min_ms 200: the
    case harness's 30 s floor would make the backed-off RTO 30 s."""
    sysctl("rto_min_ms", 200)
    sysctl("rto_initial_ms", 300)
    s = mytcp_socket()
    s.bind((peer.local, 0))
    r = connect_result(s, (peer.remote, 5003))
    check(r == "EINPROGRESS", "connect: %s" % r)
    f = peer.flow(s.getsockname()[1], 5003)
    syns = [f.expect_flags(SYN)]
    for _ in range(2):
        syns.append(f.expect_flags(SYN, timeout=5.0, rtx=True))
    abort(s)
    check(all(x.ts for x in syns), "SYNs without timestamps: %s" % syns)
    stamps = [x.ts[0] for x in syns]
    gaps = [(b - a) & MASK for a, b in zip(stamps, stamps[1:])]
    diag("SYN TSval gaps %s ms (RTO 300, then 600)" % gaps)
    check(gaps[0] >= 299 and gaps[1] >= 599,
          "SYN retransmitted early: TSval gaps %s ms" % gaps)


CASES = [
    ("first RTO after an RTT sample: SRTT + max(4 RTTVAR, rto_min), as "
     "Linux TCP", rto_after_sample),
    ("rto_max_ms bounds the RTO", rto_max_bound),
    ("the retransmission timer is never early (SYN TSval gaps)",
     syn_rto_not_early),
]

if __name__ == "__main__":
    run_cases(CASES)
