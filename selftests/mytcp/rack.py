#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# RACK-TLP (RFC 8985), mytcp's default loss detection with SACK, through
# the scripted peer of tcp_peer.py.  The peer delays its SYN-ACK and its
# ACKs by D, so that the RTTs (and min_RTT, of which the reordering window
# is a quarter) are D whatever the VM's speed:
#
#   - RACK: one segment SACKed above two that are not: they are lost
#     after RACK.rtt + min_RTT/4 from their transmission, not before (no
#     retransmission right after the SACK; the first hole resent about
#     D/4 later, long before the RTO);
#   - TLP: the tail of a flight is lost (the peer ACKs all but the last
#     two segments): one probe, the last segment, about 2 * SRTT after
#     the ACK, long before the RTO; and only one per tail;
#   - net.mytcp.recovery=0 turns both off (the duplicate-ACK rules of
#     recovery.py; no probe before the RTO);
#   - a hostile peer: D-SACKs repeated for a retransmission do not undo
#     more than once per episode, nor grow cwnd past where it was;
#   - PRR (RFC 6937): in recovery, with the pipe above ssthresh, one new
#     segment per two SACKs (ssthresh/RecoverFS = 1/2 with reno), where
#     RFC 6675 alone sent nothing until the pipe drained;
#   - F-RTO (RFC 5682): after an RTO, the first ACK sends new data rather
#     than go back N, and an ACK of never-retransmitted data undoes the
#     RTO (SpuriousUndo); net.mytcp.frto=0 goes back N;
#   - Eifel (RFC 3522) in fast recovery: a partial ACK echoing a timestamp
#     older than the retransmissions does not undo while one of them is
#     still out (Linux's tcp_try_undo_partial(): ca_state stays Recovery,
#     tcpi_retrans counts it); the full ACK undoes, and grows cwnd by the
#     one segment it delivered, not by the SACKed ones it covers (11, as
#     Linux's acked_sacked).
#
# The RACK and TLP cases run against Linux TCP too (AF_INET, its own
# defaults: tcp_recovery=1, tcp_early_retrans=3; the minimum RTO raised per
# route), which behaves the same.
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
from tcp_peer import (ACK, SYN, Skip, StatDelta, check, connect_result,
                      mytcp_socket, opt_mss, opt_sack, opt_sack_perm,
                      opt_ts, run_cases, stats, sysctl)

MASK = 0xffffffff
MSS = 1000
RTO_MS = 3000


def pattern(n):
    out = bytearray()
    i = 0
    while len(out) < n:
        out += struct.pack("!I", i)
        i += 1
    return bytes(out[:n])


def open_conn(peer, linux, rport, delay, recovery=1, cong=None,
              rto_ms=RTO_MS, frto=1, ts=False, rprobe=1):
    """A SACK connection whose handshake RTT is delay seconds (with
    timestamps if ts: the peer's TSval is 1)."""
    if linux:
        r = subprocess.run(["ip", "route", "replace", "10.0.9.0/24", "dev",
                            peer.name, "src", peer.local, "rto_min",
                            "%dms" % rto_ms], stderr=subprocess.PIPE,
                           check=False)
        if r.returncode:
            raise Skip("ip route rto_min: %s" % r.stderr.decode().strip())
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
    else:
        sysctl("rto_min_ms", rto_ms)
        sysctl("rto_initial_ms", max(rto_ms, 1000))
        sysctl("recovery", recovery)
        sysctl("frto", frto)
        sysctl("recovery_probe", rprobe)
        s = mytcp_socket()
    if cong:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, cong)
    if linux and not recovery:	# no RACK, no TLP
        for k in ("tcp_recovery", "tcp_early_retrans"):
            with open("/proc/sys/net/ipv4/" + k, "w") as fh:
                fh.write("0")
    s.bind((peer.local, 0))
    r = connect_result(s, (peer.remote, rport))
    check(r == "EINPROGRESS", "connect: %s" % r)
    f = peer.flow(s.getsockname()[1], rport)
    syn = f.expect_flags(SYN)
    f.track(syn)
    time.sleep(delay)
    opts = opt_mss(MSS) + opt_sack_perm()
    if ts:
        check(syn.ts is not None, "SYN without timestamps")
        opts += opt_ts(1, syn.ts[0])
    f.send(SYN | ACK, options=opts)
    f.expect_flags(ACK, pred=lambda x: x.ack == f.snd_nxt)
    r = connect_result(s, (peer.remote, rport))
    check(r in ("OK", "EISCONN"), "connect after the handshake: %s" % r)
    return s, f


def send_flight(s, f, nseg):
    """nseg segments sent and read; returns (base, time of the send)."""
    base = f.rcv_nxt
    t0 = time.monotonic()
    s.send(pattern(nseg * MSS))
    end = (base + nseg * MSS) & MASK
    while f.rcv_nxt != end:
        f.track(f.expect(lambda x: len(x.payload) > 0, what="data"))
    return base, t0


def rel(base, x):
    return "[%d,%d)" % ((x.seq - base) & MASK,
                        (x.seq - base + len(x.payload)) & MASK)


def data_of(f, segs):
    return [x for x in segs if f.mine(x) and x.payload]


def sleep_until(t):
    if t > time.monotonic():
        time.sleep(t - time.monotonic())


def _rack_reo_window(peer, linux):
    delay = 0.4			# min_RTT: the reordering window is 0.1 s
    s, f = open_conn(peer, linux, 5100, delay)
    base, t0 = send_flight(s, f, 10)
    sleep_until(t0 + delay)
    # Segment 2 arrives; 0 and 1 were sent before it: reordered or lost.
    f.send(ACK, ack=base, options=opt_sack([(base + 2 * MSS,
                                             base + 3 * MSS)]))
    t1 = time.monotonic()
    time.sleep(0.03)
    early = data_of(f, f.peer.barrier())
    check(not early, "retransmission within the reordering window: %s" %
          [rel(base, x) for x in early])
    x = f.expect(lambda x: x.seq == base and x.payload, timeout=2.5,
                 what="retransmission of segment 0", rtx=True)
    dt = time.monotonic() - t1
    check(dt >= 0.03, "segment 0 resent %.3f s after the SACK" % dt)
    check(dt < 0.9, "segment 0 resent only %.3f s after the SACK (the RTO "
          "is at %.1f s): RACK did not mark it lost" % (dt, RTO_MS / 1000))
    check(len(x.payload) == MSS, "retransmission of %d bytes" %
          len(x.payload))
    f.send(ACK, ack=(base + 10 * MSS) & MASK)
    f.peer.barrier()
    s.close()
    return dt


def rack_reo_window(peer):
    """RACK: a hole before a SACKed segment is lost after RACK.rtt +
    min_RTT/4, not before, and well before the RTO."""
    d = StatDelta()
    dt = _rack_reo_window(peer, False)
    check(d["RackReoTimeout"] >= 1, "RackReoTimeout moved %d" %
          d["RackReoTimeout"])
    print("# mytcp: segment 0 resent %.3f s after the SACK" % dt)


def rack_reo_window_linux(peer):
    """The same with Linux TCP (RACK on by default)."""
    dt = _rack_reo_window(peer, True)
    print("# Linux: segment 0 resent %.3f s after the SACK" % dt)


def rack_off(peer):
    """net.mytcp.recovery=0: one SACK is no loss signal (dupthresh)."""
    delay = 0.4
    s, f = open_conn(peer, False, 5101, delay, recovery=0)
    base, t0 = send_flight(s, f, 10)
    sleep_until(t0 + delay)
    f.send(ACK, ack=base, options=opt_sack([(base + 2 * MSS,
                                             base + 3 * MSS)]))
    x = f.peer.expect_segment(0.8, lambda x: f.mine(x) and x.payload)
    check(x is None, "retransmission without RACK: %s" % x)
    f.send(ACK, ack=(base + 10 * MSS) & MASK)
    f.peer.barrier()
    s.close()


def _tlp_tail(peer, linux, rport, recovery=1):
    delay = 0.2			# SRTT: the probe timeout is about 0.4 s
    s, f = open_conn(peer, linux, rport, delay, recovery)
    base, t0 = send_flight(s, f, 10)
    sleep_until(t0 + delay)
    # The last two segments are lost: nothing would draw a SACK.
    f.send(ACK, ack=(base + 8 * MSS) & MASK)
    t1 = time.monotonic()
    x = f.peer.expect_segment(RTO_MS / 1000 * 0.6,
                              lambda x: f.mine(x) and x.payload)
    dt = time.monotonic() - t1
    if recovery:
        check(x is not None, "no tail loss probe in %.1f s" % dt)
        check(x.seq == (base + 9 * MSS) & MASK and len(x.payload) == MSS,
              "probe %s, want the last segment [%d,%d)" %
              (rel(base, x), 9 * MSS, 10 * MSS))
        check(dt >= 0.2, "probe %.3f s after the ACK (SRTT 0.2 s)" % dt)
        again = f.peer.expect_segment(1.0, lambda x: f.mine(x) and
                                      x.payload)
        check(again is None, "a second probe for the same tail: %s" %
              (again and rel(base, again)))
    else:
        check(x is None, "probe without RACK-TLP: %s" %
              (x and rel(base, x)))
    f.send(ACK, ack=(base + 10 * MSS) & MASK)
    f.peer.barrier()
    s.close()
    return dt


def tlp_tail(peer):
    """TLP: a lost tail draws one probe (the last segment) about 2 * SRTT
    after the ACK, one per tail."""
    d = StatDelta()
    dt = _tlp_tail(peer, False, 5102)
    check(d["TLPProbes"] == 1, "TLPProbes moved %d, want 1" %
          d["TLPProbes"])
    print("# mytcp: probe %.3f s after the last ACK" % dt)


def tlp_tail_linux(peer):
    """The same with Linux TCP."""
    dt = _tlp_tail(peer, True, 5103)
    print("# Linux: probe %.3f s after the last ACK" % dt)


def tlp_off(peer):
    """net.mytcp.recovery=0: no probe, the RTO repairs the tail."""
    _tlp_tail(peer, False, 5104, recovery=0)


def snd_cwnd(s):
    v = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    return struct.unpack_from("I", v, 8 + 18 * 4)[0]


def hostile_dsack(peer):
    """D-SACKs repeated for one retransmission undo the recovery once;
    cwnd never passes what it was before."""
    d = StatDelta()
    s, f = open_conn(peer, False, 5105, 0.0)
    base, _ = send_flight(s, f, 10)
    f.peer.barrier()
    before = snd_cwnd(s)
    # Segment 0 "late": three SACKs, a fast retransmit (RACK, dupthresh).
    got = []
    for k in (2, 3, 4):
        f.send(ACK, ack=base, options=opt_sack([(base + MSS,
                                                 base + k * MSS)]))
        got += data_of(f, f.peer.barrier())
    check(any(x.seq == base for x in got), "no fast retransmit: %s" %
          [rel(base, x) for x in got])
    for x in got:
        f.track(x)
    f.send(ACK, ack=f.rcv_nxt)
    f.peer.barrier()
    peak = 0
    for _ in range(200):
        f.send(ACK, ack=f.rcv_nxt, options=opt_sack([(base, base + MSS)]))
        peak = max(peak, snd_cwnd(s))
    f.peer.barrier()
    check(d["SpuriousUndo"] <= 1, "%d undos for one episode" %
          d["SpuriousUndo"])
    check(peak <= before, "cwnd reached %d, was %d before the loss" %
          (peak, before))
    s.close()


def full_window(s, f, delay, nseg):
    """Slow start to cwnd 20 (one flight of 10, all ACKed), then nseg
    segments queued and what cwnd lets out read: (base, time of the send,
    segments in flight), one RTT (delay) after that send."""
    base, t0 = send_flight(s, f, 10)
    sleep_until(t0 + delay)
    f.send(ACK, ack=(base + 10 * MSS) & MASK)	# slow start: cwnd 20
    f.peer.barrier()
    base = f.rcv_nxt
    t1 = time.monotonic()
    s.send(pattern(nseg * MSS))
    n = 0
    while True:
        got = data_of(f, f.peer.barrier())
        for x in got:
            f.track(x)
        n = ((f.rcv_nxt - base) & MASK) // MSS
        if not got and n:
            break
    check(n >= 16, "only %d segments in flight" % n)
    sleep_until(t1 + delay)
    return base, t1, n


def _prr(peer, linux):
    delay = 0.4
    s, f = open_conn(peer, linux, 5106, delay, cong=b"reno")
    base, _, n = full_window(s, f, delay, 60)
    # Segment 0 is lost, the peer SACKs the others one by one.
    per_ack = []
    entry = None
    for k in range(1, n):
        f.send(ACK, ack=base, options=opt_sack([(base + MSS,
                                                 base + (k + 1) * MSS)]))
        got = data_of(f, f.peer.barrier())
        if entry is None and any(x.seq == base for x in got):
            entry = k
        new = [x for x in got if x.seq != base]
        for x in new:
            f.track(x)
        per_ack.append(len(new))
    check(entry is not None, "segment 0 never retransmitted: %s" % per_ack)
    after = per_ack[entry:entry + 6]
    print("# %s: recovery from SACK %d; new segments per ACK %s" %
          ("Linux" if linux else "mytcp", entry, per_ack))
    check(len(after) == 6 and 2 <= sum(after) <= 4 and max(after) <= 2,
          "new segments on the 6 ACKs after the fast retransmit: %s, want "
          "about one per two ACKs (PRR: ssthresh/RecoverFS = 1/2)" % after)
    f.send(ACK, ack=f.rcv_nxt)
    f.peer.barrier()
    s.close()


def prr_pattern(peer):
    """PRR: while the pipe is above ssthresh, one segment per two ACKs
    (ssthresh = RecoverFS/2), not silence until the pipe drains."""
    _prr(peer, False)


def prr_pattern_linux(peer):
    """The same with Linux TCP (reno)."""
    _prr(peer, True)


def _frto(peer, linux, frto=1):
    s, f = open_conn(peer, linux, 5107, 0.0, recovery=0, cong=b"reno",
                     rto_ms=300, frto=frto)
    base = f.rcv_nxt
    s.send(pattern(20 * MSS))
    while True:
        got = data_of(f, f.peer.barrier())
        for x in got:
            f.track(x)
        if not got and f.rcv_nxt != base:
            break
    n = ((f.rcv_nxt - base) & MASK) // MSS
    check(10 <= n < 20, "%d segments in flight, want the initial window" % n)
    before = snd_cwnd(s)
    # Silence: the RTO resends segment 0.
    x = f.expect(lambda x: x.payload, timeout=5, rtx=True,
                 what="retransmission by the RTO")
    check(x.seq == base, "RTO resent %s first" % rel(base, x))
    # Its ACK: F-RTO sends new data, not segment 1 again.
    f.send(ACK, ack=(base + MSS) & MASK)
    got = data_of(f, f.peer.barrier())
    sent = [rel(base, x) for x in got]
    old = [x for x in got if (x.seq - base) & MASK < n * MSS]
    for x in got:
        f.track(x)
    if not frto:
        check(old, "without F-RTO: no go-back-N after the RTO: %s" % sent)
        f.send(ACK, ack=f.rcv_nxt)
        f.peer.barrier()
        s.close()
        return sent
    check(got and not old, "after the first ACK: %s, want new data only "
          "(F-RTO step 2.b)" % sent)
    # The originals were only late: everything is acknowledged, segments
    # never retransmitted among it: the RTO was spurious (3.b), undone.
    f.send(ACK, ack=f.rcv_nxt)
    f.peer.barrier()
    v = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    ca_state, cwnd = v[1], snd_cwnd(s)
    check(ca_state == 0, "ca_state %d after the undo, want Open" % ca_state)
    check(cwnd >= (before // 2 if linux else before), "cwnd %d after the "
          "undo (%d before the RTO)" % (cwnd, before))
    print("# %s: after the RTO's ACK %s; cwnd %d -> %d" %
          ("Linux" if linux else "mytcp", sent, before, cwnd))
    s.close()
    return sent


def frto_spurious(peer):
    """F-RTO: an RTO whose originals were only late sends new data on
    the first ACK and is undone on the second."""
    d = StatDelta()
    _frto(peer, False)
    check(d["SpuriousUndo"] == 1, "SpuriousUndo moved %d, want 1" %
          d["SpuriousUndo"])


def frto_spurious_linux(peer):
    """The same with Linux TCP."""
    _frto(peer, True)


def frto_off(peer):
    """net.mytcp.frto=0: go back N after the RTO's ACK."""
    _frto(peer, False, frto=0)


def tcp_info(s):
    """(ca_state, tcpi_retrans, snd_cwnd)."""
    v = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    return (v[1], struct.unpack_from("I", v, 8 + 7 * 4)[0],
            struct.unpack_from("I", v, 8 + 18 * 4)[0])


def _eifel_partial(peer, linux):
    # SRTT 0.2 s: no tail loss probe (PTO 0.4 s) while the case runs
    s, f = open_conn(peer, linux, 5109 if linux else 5108, 0.2, ts=True)
    seg = MSS - 12		# the timestamp option takes 12 bytes
    base = f.rcv_nxt
    s.send(pattern(10 * seg))
    orig = {}
    while f.rcv_nxt != (base + 10 * seg) & MASK:
        x = f.expect(lambda x: len(x.payload) > 0, what="data")
        f.track(x)
        orig.setdefault((x.seq - base) & MASK, x.ts[0])
    f.peer.barrier()
    before = tcp_info(s)[2]
    time.sleep(0.01)		# the retransmissions carry later TSvals
    tsv = [2]

    def ack(a, blocks, tsecr):
        tsv[0] += 1
        o = opt_ts(tsv[0], tsecr)
        if blocks:
            o += opt_sack(blocks)
        f.send(ACK, ack=a & MASK, options=o)

    # Segments 0 and 1 missing, 2-9 SACKed: both lost (RACK), resent.
    ack(base, [(base + 2 * seg, base + 10 * seg)], orig[0])
    got = {}
    deadline = time.monotonic() + 2.0
    while not (0 in got and seg in got) and time.monotonic() < deadline:
        for x in data_of(f, f.peer.barrier()):
            got[(x.seq - base) & MASK] = x
        time.sleep(0.01)
    check(0 in got and seg in got, "retransmitted %s, want [0, %d]" %
          (sorted(got), seg))
    check(all(x.ts[0] != orig[0] for x in got.values()),
          "a retransmission with the original's TSval")
    # The original of segment 0 was only late: a partial ACK echoing it.
    ack(base + seg, [(base + 2 * seg, base + 10 * seg)], orig[0])
    f.peer.barrier()
    ca_state, retrans, _ = tcp_info(s)
    name = "Linux" if linux else "mytcp"
    print("# %s: after the partial ACK: ca_state %d, tcpi_retrans %d" %
          (name, ca_state, retrans))
    check(ca_state == 3 and retrans == 1, "after a partial ACK with an "
          "old timestamp: ca_state %d, tcpi_retrans %d; want Recovery (3) "
          "with segment 1's retransmission counted (1)" % (ca_state,
                                                           retrans))
    # Segment 1's original too: the full ACK, the recovery was spurious.
    ack(base + 10 * seg, None, orig[seg])
    f.peer.barrier()
    ca_state, retrans, cwnd = tcp_info(s)
    print("# %s: after the full ACK: ca_state %d, cwnd %d (%d before)" %
          (name, ca_state, cwnd, before))
    check(ca_state == 0 and cwnd >= before, "after the full ACK: ca_state "
          "%d, cwnd %d (%d before the loss): not undone" % (ca_state, cwnd,
                                                             before))
    # Linux: the undo restores cwnd, then slow start grows it by what this
    # ACK delivered (one segment: the others were SACKed before)
    check(cwnd == before + 1, "after the undo ACK: cwnd %d, want %d (the "
          "window before + the one segment delivered, as Linux)" %
          (cwnd, before + 1))
    s.close()


def eifel_partial(peer):
    """Eifel in recovery: no undo on a partial ACK while a retransmission
    is out; the full ACK undoes (once)."""
    d = StatDelta()
    _eifel_partial(peer, False)
    check(d["SpuriousUndo"] == 1, "SpuriousUndo moved %d, want 1" %
          d["SpuriousUndo"])


def eifel_partial_linux(peer):
    """The same with Linux TCP."""
    _eifel_partial(peer, True)


def probe_counts(linux):
    """(loss probes, RTOs) so far: mytcp's TLPProbes and Timeouts, Linux's
    TcpExt TCPLossProbes and TCPTimeouts."""
    if not linux:
        st = stats()
        return st["TLPProbes"], st["Timeouts"]
    with open("/proc/net/netstat") as fh:
        lines = [ln.split() for ln in fh if ln.startswith("TcpExt:")]
    ext = dict(zip(lines[0], lines[1]))
    return int(ext["TCPLossProbes"]), int(ext["TCPTimeouts"])


def _tlp_at_rto(peer, linux, rport):
    # One segment out and a short RTT: mytcp's PTO = 2 SRTT + the
    # delayed-ACK allowance (the RTO floor, 1 s here) is later than the
    # RTO, so it is cut to the RTO: both are due at once, and the probe is
    # what goes (Linux's allowance is 200 ms: its probe comes first
    # anyway).  The RTO that follows the probe is a second later: the
    # counters are read long before it, however slow the guest.
    s, f = open_conn(peer, linux, rport, 0.0, rto_ms=1000)
    p0, t0 = probe_counts(linux)
    base, ts = send_flight(s, f, 1)
    x = f.expect(lambda y: len(y.payload) > 0, rtx=True, timeout=5,
                 what="the first retransmission of the tail")
    p1, t1 = probe_counts(linux)
    v = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    print("# %s: first retransmission %s %.3f s after the send: %d probes, "
          "%d RTOs (rto %d us, rtt %d us)" %
          ("Linux" if linux else "mytcp", rel(base, x),
           time.monotonic() - ts, p1 - p0, t1 - t0,
           struct.unpack_from("I", v, 8)[0],
           struct.unpack_from("I", v, 68)[0]))
    check(x.seq == base and p1 - p0 == 1 and t1 - t0 == 0,
          "%s: the retransmission %s came as %d probes, %d RTOs; want the "
          "loss probe" % ("Linux" if linux else "mytcp", rel(base, x),
                          p1 - p0, t1 - t0))
    f.send(ACK, ack=(base + MSS) & MASK)
    f.peer.barrier()
    # a reset, not a FIN: a FIN nobody ACKs would be retransmitted by RTOs
    # while the next round counts them
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def tlp_at_rto(peer):
    """PTO cut to the RTO (one segment, short RTT): the loss probe goes,
    not the RTO, every time (as Linux's single retransmit timer)."""
    for i in range(4):
        _tlp_at_rto(peer, False, 5120 + i)


def tlp_at_rto_linux(peer):
    """The same with Linux TCP."""
    for i in range(4):
        _tlp_at_rto(peer, True, 5130 + i)


def _recovery_probe(peer, linux, rport, rprobe=1):
    delay = 0.2			# SRTT: a probe about 0.4 s, the RTO 3 s
    s, f = open_conn(peer, linux, rport, delay, rprobe=rprobe)
    p0, t0 = probe_counts(linux)
    base, t = send_flight(s, f, 10)
    sleep_until(t + delay)
    # Segment 0 lost, 1-9 SACKed: fast retransmit at once (nine SACKed,
    # no reordering seen: RACK's window is 0).
    f.send(ACK, ack=base, options=opt_sack([((base + MSS) & MASK,
                                             (base + 10 * MSS) & MASK)]))
    t1 = time.monotonic()
    x = f.expect(lambda x: x.payload, timeout=2, rtx=True,
                 what="the fast retransmission")
    check(x.seq == base, "fast retransmission %s, want [0,%d)" %
          (rel(base, x), MSS))
    # ... lost too, and no ACK comes: the next resend of segment 0.
    y = f.expect(lambda x: x.payload, timeout=RTO_MS / 1000 * 2, rtx=True,
                 what="the second retransmission")
    dt = time.monotonic() - t1
    p1, t2 = probe_counts(linux)
    who = "Linux" if linux else "mytcp"
    print("# %s: segment 0 resent again %.3f s after the SACK (%s): %d "
          "probes, %d RTOs" % (who, dt, rel(base, y), p1 - p0, t2 - t0))
    check(y.seq == base, "%s resent %s, want [0,%d)" %
          (who, rel(base, y), MSS))
    if not linux and rprobe:
        check(dt < RTO_MS / 1000 / 2 and t2 - t0 == 0,
              "mytcp: %.3f s and %d RTOs, want a recovery probe at about "
              "2 SRTT, long before the RTO" % (dt, t2 - t0))
        # One per recovery: that one lost too, the RTO comes next.
        z = f.expect(lambda x: x.payload, timeout=RTO_MS / 1000 * 2,
                     rtx=True, what="the resend after the probe")
        dz = time.monotonic() - t1
        _, t3 = probe_counts(linux)
        check(z.seq == base and t3 - t0 == 1 and dz > RTO_MS / 1000,
              "after the probe: %s at %.3f s, %d RTOs; want segment 0 by "
              "the RTO" % (rel(base, z), dz, t3 - t0))
    else:
        check(dt > RTO_MS / 1000 * 0.8 and t2 - t0 == 1,
              "%s: %.3f s, %d RTOs; want the RTO" % (who, dt, t2 - t0))
    f.send(ACK, ack=(base + 10 * MSS) & MASK)
    f.peer.barrier()
    s.close()


def recovery_probe(peer):
    """A lost fast retransmission: mytcp probes (segment 0 again) about
    2 * SRTT after the last ACK, once per recovery, then the RTO."""
    d = StatDelta()
    _recovery_probe(peer, False, 5140)
    check(d["RecoveryProbes"] == 1, "RecoveryProbes moved %d, want 1" %
          d["RecoveryProbes"])


def recovery_probe_linux(peer):
    """Linux TCP: no probe in recovery (RFC 8985 7.2), the RTO resends."""
    _recovery_probe(peer, True, 5141)


def recovery_probe_off(peer):
    """net.mytcp.recovery_probe=0: as Linux, the RTO resends."""
    d = StatDelta()
    _recovery_probe(peer, False, 5142, rprobe=0)
    check(d["RecoveryProbes"] == 0, "RecoveryProbes moved %d, want 0" %
          d["RecoveryProbes"])


CASES = [
    ("RACK: lost after the reordering window, not before",
     rack_reo_window),
    ("RACK: reordering window (Linux TCP)", rack_reo_window_linux),
    ("recovery=0: one SACK draws no retransmission", rack_off),
    ("TLP: one probe of the last segment at about 2 SRTT", tlp_tail),
    ("TLP (Linux TCP)", tlp_tail_linux),
    ("recovery=0: no tail loss probe", tlp_off),
    ("hostile D-SACKs: one undo per episode, cwnd bounded", hostile_dsack),
    ("PRR: the sending pattern in recovery", prr_pattern),
    ("PRR (Linux TCP)", prr_pattern_linux),
    ("F-RTO: a spurious RTO detected and undone", frto_spurious),
    ("F-RTO (Linux TCP)", frto_spurious_linux),
    ("frto=0: go-back-N after the RTO", frto_off),
    ("Eifel: no partial undo with a retransmission out", eifel_partial),
    ("Eifel partial ACK (Linux TCP)", eifel_partial_linux),
    ("TLP and RTO due together: the probe goes", tlp_at_rto),
    ("TLP cut to the RTO (Linux TCP)", tlp_at_rto_linux),
    ("a lost fast retransmission: the recovery probe", recovery_probe),
    ("a lost fast retransmission: the RTO (Linux TCP)",
     recovery_probe_linux),
    ("recovery_probe=0: the RTO", recovery_probe_off),
]

if __name__ == "__main__":
    run_cases(CASES)
