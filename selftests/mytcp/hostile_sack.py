#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# A hostile SACK receiver (CVE-2019-11478 class), through the scripted
# peer of tcp_peer.py.  mytcp sends a bulk transfer; the peer answers with
# SACK blocks meant to make the sender split its write queue:
#
#   - thousands of ACKs carrying 1-byte SACK blocks at odd offsets across
#     what is in flight: a block that covers part of a segment marks (and
#     cuts) nothing, so sk_wmem_queued (SO_MEMINFO) stays within twice
#     sk_sndbuf and the write queue gains no skbs;
#   - blocks on every other whole segment of a long flight with a small
#     send buffer: the splits they ask for stop at the per-socket bound
#     (WqueueTooBig in /proc/net/mytcp_stat counts the refusals) and
#     sk_wmem_queued never passes it;
#   - bogus blocks (beyond SND.MAX, below SND.UNA, reversed, empty, half
#     the sequence space) are ignored and nothing is taken as delivered;
#   - a receiver that reneges on what it SACKed gets the left edge again
#     after an RTO (RFC 2018 8).
#
# In the first two cases the connection survives, and once the peer acknowledges
# normally the transfer completes byte-exact; run_cases() checks that no
# socket or skb is left behind (live_skbs back where it started).
#
# Environment: MYTCP_KO, MYTCP_CASES (see tcp_peer.py); MYTCP_SACK_ACKS:
# how many hostile ACKs the first case sends (default 2000).

import os
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
import knobs
from tcp_peer import (ACK, ESTABLISHED, FIN, StatDelta, active_open, check,
                      conns, diag, expect_state, opt_mss, opt_sack,
                      opt_sack_perm, opt_ts, run_cases, stats, sysctl)

SO_MEMINFO = 55
SK_MEMINFO_WMEM_QUEUED = 5
MASK = 0xffffffff
ACKS = knobs.get_int("MYTCP_SACK_ACKS")
# An upper estimate of SKB_TRUESIZE(64 KiB): the split bound of a small
# send buffer is sk_sndbuf plus two of these (output.c split_limit()).
SKB64_TRUESIZE = 65536 + 1024


def wmem_queued(s):
    v = s.getsockopt(socket.SOL_SOCKET, SO_MEMINFO, 9 * 4)
    return struct.unpack("%dI" % (len(v) // 4), v)[SK_MEMINFO_WMEM_QUEUED]


def pattern(n):
    """Bytes that tell where they are: a shifted segment is caught."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += struct.pack("!I", i)
        i += 1
    return bytes(out[:n])


class Rx:
    """The peer's receive side: mytcp's data reassembled by sequence."""

    def __init__(self, f):
        self.f = f
        self.base = f.rcv_nxt		# first data byte (ISS + 1)
        self.buf = bytearray()
        self.ooo = {}			# offset -> payload
        self.top = 0			# highest offset + length seen
        self.fin = False

    def nxt(self):
        return (self.base + len(self.buf)) & MASK

    def snd_max(self):
        return (self.base + self.top) & MASK

    def take(self, segs):
        for x in segs:
            if not self.f.mine(x):
                continue
            if x.flags & FIN:
                self.fin = True
            if not x.payload:
                continue
            off = (x.seq - self.base) & MASK
            if off >= 1 << 31:
                continue		# before the first byte
            self.top = max(self.top, off + len(x.payload))
            if len(self.ooo.get(off, b"")) < len(x.payload):
                self.ooo[off] = x.payload
        while self.ooo:
            off = min(self.ooo)
            if off > len(self.buf):
                break
            d = self.ooo.pop(off)
            if off + len(d) > len(self.buf):
                self.buf += d[len(self.buf) - off:]

    def pump(self):
        """Everything mytcp sent so far (an ICMP echo as barrier)."""
        self.take(self.f.peer.barrier())


def complete(s, f, rx, data, what):
    """The peer acknowledges normally until all of data arrived."""
    deadline = time.monotonic() + 100
    while len(rx.buf) < len(data) and time.monotonic() < deadline:
        f.send(ACK, ack=rx.nxt())
        rx.pump()
    check(len(rx.buf) >= len(data), "%s: %d of %d bytes arrived after the "
          "peer acknowledged normally" % (what, len(rx.buf), len(data)))
    got = bytes(rx.buf[:len(data)])
    if got != data:
        bad = next(i for i in range(len(data)) if got[i] != data[i])
        check(False, "%s: data differs from byte %d on" % (what, bad))
    f.send(ACK, ack=rx.nxt())
    f.peer.barrier()
    expect_state(f.lport, f.rport, ESTABLISHED)
    # An orderly close: the FIN comes after all the data.
    s.close()
    deadline = time.monotonic() + 20
    while not rx.fin and time.monotonic() < deadline:
        rx.pump()
    check(rx.fin, "%s: no FIN after close()" % what)
    # The peer closes too: mytcp ends in TIME_WAIT, nothing lingers.
    f.send(FIN | ACK, ack=(rx.nxt() + 1) & MASK)
    f.peer.barrier()


def tiny_blocks(peer):
    """1-byte SACK blocks at odd offsets, for thousands of ACKs."""
    s, f = active_open(peer, 5000, syn_options=opt_mss(1000) +
                       opt_sack_perm())
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
    sndbuf = s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
    rx = Rx(f)
    data = pattern(4 * sndbuf)
    n = s.send(data)
    data = data[:n]
    rx.pump()
    check(rx.top > 0, "no data in flight")
    inflight = rx.top
    peak = wmem_queued(s)
    live0 = stats()["live_skbs"]
    live_peak = live0
    d = StatDelta()
    una = rx.base
    diag("%d bytes queued, %d in flight, sk_sndbuf %d, sk_wmem_queued %d"
         % (n, inflight, sndbuf, peak))
    for k in range(ACKS):
        blocks = []
        for j in range(4):
            off = 1 + 2 * ((k * 97 + j * 1237) % ((inflight - 2) // 2))
            blocks.append(((una + off) & MASK, (una + off + 1) & MASK))
        f.send(ACK, ack=una, options=opt_sack(blocks))
        if k % 100 == 99:
            rx.pump()
            peak = max(peak, wmem_queued(s))
            live_peak = max(live_peak, stats()["live_skbs"])
    rx.pump()
    peak = max(peak, wmem_queued(s))
    diag("after %d ACKs: sk_wmem_queued peak %d, live_skbs +%d, "
         "WqueueTooBig +%d" % (ACKS, peak, live_peak - live0,
                               d["WqueueTooBig"]))
    expect_state(f.lport, f.rport, ESTABLISHED)
    check(peak <= 2 * sndbuf, "sk_wmem_queued reached %d, over twice "
          "sk_sndbuf %d" % (peak, sndbuf))
    # A block inside a segment cuts nothing: no skb more than the
    # segments mytcp may have sent meanwhile (64 KiB window).
    check(live_peak - live0 <= 65535 // 1000 + 8, "live_skbs grew by %d "
          "under 1-byte SACK blocks" % (live_peak - live0))
    complete(s, f, rx, data, "after 1-byte SACK blocks")


def segment_blocks(peer):
    """Blocks on every other whole segment of a long flight, small send
    buffer: the splits stop at the bound, counted as WqueueTooBig."""
    mss = 100
    s, f = active_open(peer, 5000, syn_options=opt_mss(mss) +
                       opt_sack_perm())
    # Reno's slow start (CUBIC's HyStart++ may leave it early on a slow
    # guest's RTT samples).
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, b"reno")
    # Small: the bound is near; large enough for a cwnd of 150 segments
    # (cwnd is capped at twice sk_sndbuf).
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    sndbuf = s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
    limit = sndbuf + max(sndbuf, 2 * SKB64_TRUESIZE)
    rx = Rx(f)
    data = pattern(65536)
    n = s.send(data)
    data = data[:n]
    # Slow start: an ACK per two segments (cwnd grows by two each)
    # until some 150 segments are in flight.
    acked = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        rx.pump()
        if rx.top - acked >= 150 * mss or rx.top >= n:
            break
        while acked + 2 * mss <= len(rx.buf):
            acked += 2 * mss
            f.send(ACK, ack=(rx.base + acked) & MASK)
    rx.pump()
    una = (rx.base + acked) & MASK
    flight = (rx.top - acked) // mss
    check(flight >= 100, "only %d segments in flight" % flight)
    d = StatDelta()
    peak = wmem_queued(s)
    diag("%d bytes queued, %d segments in flight, sk_sndbuf %d, "
         "sk_wmem_queued %d, bound %d" % (n, flight, sndbuf, peak, limit))
    # Every other segment, four blocks per ACK, twice over.
    for rnd in range(2):
        blocks = []
        for j in range(1, flight, 2):
            blocks.append(((una + j * mss) & MASK,
                           (una + (j + 1) * mss) & MASK))
            if len(blocks) == 4 or j + 2 >= flight:
                f.send(ACK, ack=una, options=opt_sack(blocks))
                blocks = []
                peak = max(peak, wmem_queued(s))
        rx.pump()
        peak = max(peak, wmem_queued(s))
        diag("round %d: sk_wmem_queued peak %d, WqueueTooBig +%d" %
             (rnd, peak, d["WqueueTooBig"]))
    expect_state(f.lport, f.rport, ESTABLISHED)
    check(d["WqueueTooBig"] > 0, "no split refused: the bound %d was not "
          "reached (peak %d)" % (limit, peak))
    check(peak <= limit, "sk_wmem_queued reached %d, over the bound %d" %
          (peak, limit))
    complete(s, f, rx, data, "after whole-segment SACK blocks")


# ------------------------------------------ bogus and reneged blocks

def _sack_conn(peer, mss=500, ts=False):
    opts = opt_mss(mss) + opt_sack_perm()
    if ts:
        opts += opt_ts(1000, 0)
    s, f = active_open(peer, 5000, syn_options=opts)
    return s, f


def _send_segments(s, f, n, mss):
    """mytcp sends n full segments; returns them (tracked)."""
    s.send(bytes(range(256)) * (n * mss // 256) + b"z" * (n * mss % 256))
    segs = []
    while sum(len(x.payload) for x in segs) < n * mss:
        segs.append(f.track(f.expect(lambda x: x.payload,
                                     what="data segment")))
    return segs


def _tx_queue(f):
    c = [x for x in conns() if x["lport"] == f.lport and
         x["rport"] == f.rport]
    return c[0]["tx_queue"] if c else None


def sack_bogus_blocks(peer):
    s, f = _sack_conn(peer)
    segs = _send_segments(s, f, 4, 500)
    una, mx = segs[0].seq, f.rcv_nxt
    bogus = [[(mx, mx + 1000)],			# beyond SND.MAX
             [(una - 5000, una - 1000)],		# below SND.UNA
             [(una + 1000, una + 500)],		# reversed
             [(una + 700, una + 700)],		# empty
             [(una - (1 << 31), una + 100)],		# half the space
             [(una + 100, mx + 1), (0, 0xffffffff), (mx, una),
              (una + 1, una + 2)]]
    for blocks in bogus:
        f.send(ACK, ack=una, options=opt_sack(blocks))
    peer.barrier()
    expect_state(f.lport, 5000, ESTABLISHED)
    # Nothing was taken as delivered: the real ACK drains the queue and
    # whatever mytcp sends now is the data past what was acked.
    f.send(ACK)
    peer.barrier()
    check(_tx_queue(f) == 0, "unacknowledged data left after the full ACK:"
          " %s" % _tx_queue(f))
    s.send(b"after")
    seg = f.expect(lambda x: x.payload and x.seq == mx,
                   what="new data at SND.MAX")
    check(seg.payload == b"after", "new data %s" % seg)


def sack_renege(peer):
    """RFC 2018 8: after an RTO the left edge is sent again, SACKed or
    not: the receiver may have discarded (reneged) what it SACKed."""
    sysctl("rto_initial_ms", 1000)
    sysctl("rto_min_ms", 1000)
    s, f = _sack_conn(peer)
    segs = _send_segments(s, f, 3, 500)
    s1, s2, end = segs[0], segs[1], f.rcv_nxt
    check(len(segs) >= 3, "data came in %d segments" % len(segs))
    # s1 lost: SACK s2 to the end
    f.send(ACK, ack=s1.seq, options=opt_sack([(s2.seq, end)]))
    # s1 arrives (maybe retransmitted), the receiver drops s2..: the
    # cumulative ACK stops at s2 and no SACK block any more.
    f.send(ACK, ack=s2.seq)
    peer.barrier()		# only what comes after the renege counts
    d = StatDelta()
    again = peer.expect_segment(20, lambda x: f.mine(x) and
                                x.seq == s2.seq and x.payload)
    check(again is not None, "no retransmission of the left edge %u "
          "(SACKed, then reneged) in 20 s: Timeouts moved %d, RetransSegs "
          "%d" % (s2.seq, d["Timeouts"], d["RetransSegs"]))
    check(again.payload == s2.payload, "retransmitted left edge differs")
    f.send(ACK, ack=end)
    peer.barrier()
    check(_tx_queue(f) == 0, "data left unacknowledged")


CASES = [
    ("1-byte SACK blocks: no split, sk_wmem_queued bounded, data intact",
     tiny_blocks),
    ("SACK splits stop at the sk_wmem_queued bound (WqueueTooBig)",
     segment_blocks),
    ("bogus SACK blocks: ignored, nothing lost", sack_bogus_blocks),
    ("SACK reneging: left edge retransmitted after an RTO",
     sack_renege),
]

if __name__ == "__main__":
    run_cases(CASES)
