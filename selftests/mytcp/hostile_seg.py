#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# One segment must not kill or bend a connection (issue 14 "Safe on a
# shared host", items 2, 3, 7, 9), through the scripted peer of tcp_peer.py:
#  - TS.Recent changes only with an acceptable ACK (RFC 7323 4.3 and
#    Appendix D): a FIN,ACK / RST / SYN with a forged ACK or a huge TSval
#    cannot make every later segment fail PAWS;
#  - a peer MSS of 1..11 with timestamps gives segments of the floor
#    (MYTCP_MIN_MSS, 88 bytes), never ~64 KB (CVE-2019-11479 class);
#  - ACKs to invalid segments (out of window, PAWS-failed, SYN in a
#    synchronized state or SYN_RCVD, anything in TIME_WAIT) are rate
#    limited (net.mytcp.invalid_ratelimit_ms, OOWRateLimited);
#  - connect(AF_UNSPEC) (and a failed connect) leaves a socket whose next
#    connection starts like a fresh socket's (TCP_INFO compared).
# One KTAP result per case; each case runs in its own network namespace.
#
# Environment: MYTCP_KO (loaded when the module is not), MYTCP_CASES
# ("|"-separated substrings: run only the matching cases), MYTCP_SEG_STORM
# (segments per storm, default 200).

import ctypes
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
from tcp_peer import (ACK, ESTABLISHED, FIN, PSH, RST, SYN, SYN_RECV,
                      StatDelta, TIME_WAIT, accept, accept_wait, active_open,
                      check, connect_result, diag, expect_state,
                      inet_family, listener, mytcp_socket, opt_mss,
                      opt_sack_perm, opt_ts, opt_wscale, passive_open,
                      recv_all, recv_result, run_cases, sysctl)

STORM = knobs.get_int("MYTCP_SEG_STORM")
FAR = 1 << 21			# beyond any receive window
FLOOR = 88			# MYTCP_MIN_MSS: payload floor after options
LONG = 60000			# invalid_ratelimit_ms: nothing passes twice



def acks_only(r, f, what):
    for a in r:
        check(a.flags & ~PSH == ACK and a.ack == f.snd_nxt,
              "%s: answer %s, want an ACK of %u" % (what, a, f.snd_nxt))


# ------------------------------------------------- item 2: TS.Recent

def _ts_conn(peer, tsval=1000):
    return active_open(peer, 5000, syn_options=opt_mss(1460) +
                       opt_ts(tsval, 0))


def _data_ok(s, f, tsval, tag):
    """Data with TSval is acknowledged, delivered, and its TSval echoed."""
    f.send(ACK | PSH, data=tag, options=opt_ts(tsval, 0))
    a = f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of %r (TSval %d)"
                 % (tag, tsval))
    check(a.ts is not None and a.ts[1] == tsval,
          "ACK of data echoes TSval %s, want %d" % (a.ts, tsval))
    got = recv_all(s, len(tag))
    check(got == tag, "data %r delivered as %r" % (tag, got))


def no_ratelimit():
    """The TS.Recent cases count answers: no invalid_ratelimit_ms (and
    they do not need it: they run on a module without it too)."""
    if os.path.exists("/proc/sys/net/mytcp/invalid_ratelimit_ms"):
        sysctl("invalid_ratelimit_ms", 0)


def ts_invalid_ack(peer):
    """The issue's scenario: FIN,ACK with ACK above SND.NXT and a huge
    TSval; then the next legitimate data segment."""
    no_ratelimit()
    s, f = _ts_conn(peer)
    _data_ok(s, f, 1001, b"first")
    d = StatDelta()
    f.send(FIN | ACK, ack=f.rcv_nxt + 9999, options=opt_ts(200000, 0),
           advance=False)
    r = f.answers()
    check(len(r) == 1 and r[0].flags & ~PSH == ACK and
          r[0].seq == f.rcv_nxt and r[0].ack == f.snd_nxt,
          "answer to FIN,ACK above SND.NXT: %s, want one challenge ACK" % r)
    check(r[0].ts is not None and r[0].ts[1] == 1001,
          "challenge ACK echoes %s, want TS.Recent 1001 unchanged"
          % (r[0].ts,))
    d.expect(ChallengeAcks=1, DropAckUnsent=1, DropPaws=0)
    expect_state(f.lport, 5000, ESTABLISHED)
    d = StatDelta()
    _data_ok(s, f, 1002, b"x" * 1000)
    d.expect(DropPaws=0)


def ts_invalid_rst_syn(peer):
    """An in-window RST (not exact) and an in-window SYN with a huge TSval
    draw challenge ACKs and leave TS.Recent alone."""
    no_ratelimit()
    s, f = _ts_conn(peer)
    _data_ok(s, f, 1001, b"one")
    d = StatDelta()
    f.send(RST | ACK, seq=f.snd_nxt + 10, options=opt_ts(300000, 0),
           advance=False)
    f.send(SYN, seq=f.snd_nxt, options=opt_ts(400000, 0), advance=False)
    r = f.answers()
    check(len(r) == 2, "answers to RST and SYN in window: %s" % r)
    for a in r:
        check(a.ts is not None and a.ts[1] == 1001,
              "challenge ACK %s echoes %s, want 1001" % (a, a.ts))
    d.expect(ChallengeAcks=2, InRsts=0)
    _data_ok(s, f, 1002, b"two")
    d.expect(DropPaws=0)


def ts_syn_recv_invalid_ack(peer):
    """SYN_RCVD: an ACK outside (SND.UNA, SND.NXT] with a huge TSval is
    answered by a RST and changes nothing; the real ACK completes."""
    no_ratelimit()
    ls = listener(peer, 7000)
    f = peer.flow(7000, 5001, 2000000)
    f.send(SYN, options=opt_mss(1460) + opt_ts(1000, 0))
    f.track(f.expect_flags(SYN | ACK, pred=lambda x: x.ack == f.snd_nxt))
    f.send(ACK, ack=f.rcv_nxt + 5000, options=opt_ts(500000, 0),
           advance=False)
    r = f.answers()
    check(len(r) == 1 and r[0].flags & RST, "answer to a bad ACK in "
          "SYN_RCVD: %s, want a RST" % r)
    expect_state(7000, 5001, SYN_RECV)
    # The real ACK carries data: PAWS applies to it.
    d = StatDelta()
    f.send(ACK | PSH, data=b"hs-data", options=opt_ts(1001, 0))
    a = f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of the data")
    check(a.ts is not None and a.ts[1] == 1001, "echo %s" % (a.ts,))
    c = accept_wait(ls)
    check(c is not None, "accept() after the real ACK")
    check(recv_all(c, 7) == b"hs-data", "data of the completing ACK")
    _data_ok(c, f, 1002, b"after syn_recv")
    d.expect(DropPaws=0)


def ts_no_step_back(peer):
    """A pure ACK (exempt from PAWS) with an older TSval does not move
    TS.Recent back: a later data segment older than TS.Recent is still
    rejected (RFC 7323 Appendix D, Linux's tcp_replace_ts_recent)."""
    no_ratelimit()
    s, f = _ts_conn(peer)
    _data_ok(s, f, 5000, b"new")
    f.send(ACK, options=opt_ts(10, 0))		# pure ACK, old TSval
    r = f.answers()
    check(not r, "pure ACK answered: %s" % r)
    d = StatDelta()
    f.send(ACK | PSH, data=b"old", options=opt_ts(4000, 0), advance=False)
    r = f.answers()
    check(len(r) == 1 and r[0].ack == f.snd_nxt, "answer to TSval 4000 "
          "after TS.Recent 5000: %s" % r)
    check(r[0].ts[1] == 5000, "echo %s, want 5000" % (r[0].ts,))
    d.expect(DropPaws=1)
    _data_ok(s, f, 5001, b"newer")


# ------------------------------------------------- item 3: MSS floor

def _check_floor(s, f, total=3000):
    data = bytes(range(256)) * (total // 256 + 1)
    data = data[:total]
    s.send(data)
    got = b""
    while len(got) < total:
        seg = f.expect(lambda x: x.payload, what="data (%d of %d bytes "
                       "came)" % (len(got), total))
        check(0 < len(seg.payload) <= FLOOR,
              "segment of %d bytes, want 1..%d (the floor)"
              % (len(seg.payload), FLOOR))
        check(seg.seq == f.rcv_nxt, "segment %s out of order (want %u)"
              % (seg, f.rcv_nxt))
        f.track(seg)
        got += seg.payload
        if seg.ts:
            f.send(ACK, options=opt_ts(2, seg.ts[0]))
        else:
            f.send(ACK)
    check(got == data, "data corrupted")


def mss_tiny_active(peer):
    for rport, mss in ((5000, 8), (5001, 1), (5002, 11)):
        s, f = active_open(peer, rport, syn_options=opt_mss(mss) +
                           opt_ts(1, 0) + opt_sack_perm() + opt_wscale(2))
        diag("peer MSS %d with timestamps" % mss)
        _check_floor(s, f)


def mss_tiny_passive(peer):
    ls = listener(peer, 7000)
    for rport, mss in ((5001, 8), (5002, 11)):
        c, f = passive_open(peer, ls, rport=rport,
                            syn_options=opt_mss(mss) + opt_ts(1, 0))
        _check_floor(c, f)
    # Without timestamps too.
    c, f = passive_open(peer, ls, rport=5003, syn_options=opt_mss(1))
    _check_floor(c, f)


# ------------------------------------------------- item 7: rate limits

def _storm(f, n, **kw):
    for _ in range(n):
        f.send(advance=False, **kw)


def oow_storm(peer):
    check(sysctl("invalid_ratelimit_ms") == 500, "default %d, want 500"
          % sysctl("invalid_ratelimit_ms"))
    s, f = active_open(peer, 5000)
    sysctl("invalid_ratelimit_ms", LONG)
    d = StatDelta()
    _storm(f, STORM, flags=ACK, seq=f.snd_nxt + FAR)
    r = f.answers()
    acks_only(r, f, "out-of-window ACK storm")
    check(len(r) == 1, "%d answers to %d out-of-window ACKs, want 1"
          % (len(r), STORM))
    d.expect(DropNotAcceptable=STORM, OOWRateLimited=STORM - 1)
    # Data is exempt (a retransmission whose ACK was lost).
    d = StatDelta()
    f.send(ACK | PSH, seq=f.snd_nxt - FAR, data=b"ancient", advance=False)
    f.send(ACK | PSH, seq=f.snd_nxt + FAR, data=b"future", advance=False)
    r = f.answers()
    check(len(r) == 2, "answers to 2 out-of-window data segments: %s" % r)
    d.expect(OOWRateLimited=0)
    # After the interval an answer comes again.
    sysctl("invalid_ratelimit_ms", 200)
    time.sleep(0.3)
    _storm(f, 3, flags=ACK, seq=f.snd_nxt + FAR)
    r = f.answers()
    check(len(r) >= 1, "no answer after the interval")
    # 0: no limit.
    sysctl("invalid_ratelimit_ms", 0)
    _storm(f, 5, flags=ACK, seq=f.snd_nxt - FAR)
    r = f.answers()
    check(len(r) == 5, "%d answers to 5 out-of-window ACKs with the limit "
          "off" % len(r))
    f.send(ACK | PSH, data=b"still")
    check(recv_all(s, 5) == b"still", "connection works")


def paws_storm(peer):
    s, f = _ts_conn(peer)
    _data_ok(s, f, 2000, b"new")
    sysctl("invalid_ratelimit_ms", LONG)
    d = StatDelta()
    _storm(f, STORM, flags=ACK | PSH, data=b"stale", options=opt_ts(1500,
                                                                   0))
    r = f.answers()
    acks_only(r, f, "PAWS storm")
    check(len(r) == 1, "%d answers to %d PAWS-failed segments, want 1"
          % (len(r), STORM))
    d.expect(DropPaws=STORM, OOWRateLimited=STORM - 1)
    check(recv_result(s) == "EAGAIN", "stale data delivered")
    sysctl("invalid_ratelimit_ms", 200)
    time.sleep(0.3)
    f.send(ACK | PSH, data=b"stale", options=opt_ts(1500, 0), advance=False)
    r = f.answers()
    check(len(r) == 1, "answer after the interval: %s" % r)
    _data_ok(s, f, 2001, b"fresh")


def syn_storm(peer):
    """Duplicate SYNs: in ESTABLISHED (challenge ACKs) and in SYN_RCVD
    (SYN-ACK retransmissions)."""
    s, f = active_open(peer, 5000)
    sysctl("invalid_ratelimit_ms", LONG)
    d = StatDelta()
    _storm(f, STORM, flags=SYN, seq=f.snd_nxt + 10, options=opt_mss(1400))
    r = f.answers()
    acks_only(r, f, "in-window SYN storm")
    check(len(r) == 1, "%d answers to %d in-window SYNs, want 1"
          % (len(r), STORM))
    d.expect(ChallengeAcks=1, OOWRateLimited=STORM - 1, InRsts=0)
    expect_state(f.lport, 5000, ESTABLISHED)

    listener(peer, 7000)
    g = peer.flow(7000, 5001, 3000000)
    g.send(SYN, options=opt_mss(1400))
    g.track(g.expect_flags(SYN | ACK, pred=lambda x: x.ack == g.snd_nxt))
    d = StatDelta()
    _storm(g, STORM, flags=SYN, seq=g.iss, options=opt_mss(1400))
    r = g.answers(rtx=True)
    check(len(r) == 1 and r[0].has(SYN | ACK), "%d answers to %d duplicate "
          "SYNs in SYN_RCVD, want one SYN-ACK: %s" % (len(r), STORM, r[:3]))
    d.expect(OOWRateLimited=STORM - 1)
    g.send(ACK)
    g.peer.barrier()
    expect_state(7000, 5001, ESTABLISHED)


def tw_storm(peer):
    """A FIN or data in TIME_WAIT is always ACKed (RFC 9293: acknowledge
    the retransmitted FIN; Linux's tcp_oow_rate_limited() exempts what
    occupies sequence space: one answer per segment, no amplification);
    pure ACKs are not (at most one per interval)."""
    s, f = active_open(peer, 5000)
    s.close()
    f.track(f.expect_flags(FIN | ACK))
    f.send(ACK)
    f.send(FIN | ACK)
    f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of the FIN")
    expect_state(f.lport, 5000, TIME_WAIT)
    sysctl("invalid_ratelimit_ms", LONG)
    d = StatDelta()
    _storm(f, STORM, flags=FIN | ACK, seq=f.snd_nxt - 1)
    r = f.answers()
    acks_only(r, f, "TIME_WAIT FIN storm")
    check(len(r) == STORM, "%d answers to %d FINs in TIME_WAIT, want each "
          "ACKed" % (len(r), STORM))
    d.expect(OOWRateLimited=0)
    _storm(f, 20, flags=ACK | PSH, data=b"late")
    r = f.answers()
    check(len(r) == 20, "%d answers to 20 data segments in TIME_WAIT, "
          "want 20" % len(r))
    _storm(f, STORM, flags=ACK, seq=f.snd_nxt + FAR)
    r = f.answers()
    # (mytcp answers no bare ACK in TIME_WAIT; Linux one per interval)
    check(len(r) <= 1, "%d answers to %d out-of-window ACKs in TIME_WAIT, "
          "want at most 1" % (len(r), STORM))
    expect_state(f.lport, 5000, TIME_WAIT)


# ------------------------------------------------- item 9: disconnect

TCP_INFO_FMT = "=8B24I4Q6I4Q2I2Q4I"
TCP_INFO_NAMES = (
    "state ca_state retransmits probes backoff options wscale flags "
    "rto ato snd_mss rcv_mss unacked sacked lost retrans fackets "
    "last_data_sent last_ack_sent last_data_recv last_ack_recv pmtu "
    "rcv_ssthresh rtt rttvar snd_ssthresh snd_cwnd advmss reordering "
    "rcv_rtt rcv_space total_retrans pacing_rate max_pacing_rate "
    "bytes_acked bytes_received segs_out segs_in notsent_bytes min_rtt "
    "data_segs_in data_segs_out delivery_rate busy_time rwnd_limited "
    "sndbuf_limited delivered delivered_ce bytes_sent bytes_retrans "
    "dsack_dups reord_seen rcv_ooopack snd_wnd").split()
# Clock-dependent fields left out; the RTO is SRTT + rttvar, as Linux's:
# compared as rto - rtt (_same_as_fresh).
COMPARE = [n for n in TCP_INFO_NAMES if n not in (
    "last_data_sent", "last_ack_sent", "last_data_recv", "last_ack_recv",
    "rtt", "rttvar", "min_rtt", "rcv_rtt", "pacing_rate",
    "max_pacing_rate", "delivery_rate", "busy_time", "rto")]


def tcp_info(s):
    raw = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO,
                       struct.calcsize(TCP_INFO_FMT))
    raw += b"\0" * (struct.calcsize(TCP_INFO_FMT) - len(raw))
    return dict(zip(TCP_INFO_NAMES, struct.unpack(TCP_INFO_FMT, raw)))


def connect_unspec(s):
    libc = ctypes.CDLL(None, use_errno=True)
    sa = struct.pack("=H14s", socket.AF_UNSPEC, b"")
    if libc.connect(s.fileno(), sa, len(sa)) != 0:
        e = ctypes.get_errno()
        raise AssertionError("connect(AF_UNSPEC): %s" % os.strerror(e))


def _open_with(peer, s, rport):
    """Handshake of s (already a socket) with the peer; one small
    exchange each way; returns the flow."""
    r = connect_result(s, (peer.remote, rport))
    check(r == "EINPROGRESS", "connect: %s" % r)
    f = peer.flow(s.getsockname()[1], rport)
    f.track(f.expect_flags(SYN))
    f.send(SYN | ACK, options=opt_mss(1460) + opt_ts(1, 0) +
           opt_sack_perm() + opt_wscale(2))
    f.expect_flags(ACK, pred=lambda x: x.ack == f.snd_nxt)
    r = connect_result(s, (peer.remote, rport))
    check(r in ("OK", "EISCONN"), "connect after the handshake: %s" % r)
    s.send(b"hello")
    f.track(f.expect(lambda x: x.payload == b"hello", what="data"))
    f.send(ACK | PSH, data=b"world", options=opt_ts(2, 0))
    f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of data")
    check(recv_all(s, 5) == b"world", "data")
    peer.barrier()
    return f


# Linux's RTO depends on the measured RTT: only what it resets exactly.
COMPARE_LINUX = ("state ca_state retransmits backoff snd_cwnd snd_ssthresh "
                 "total_retrans bytes_retrans lost retrans bytes_sent "
                 "bytes_acked bytes_received").split()


def linux_socket():
    s = socket.socket(inet_family(), socket.SOCK_STREAM)
    s.setblocking(False)
    _LINUX.append(s)
    return s


_LINUX = []


def _same_as_fresh(peer, s, rport, new=mytcp_socket, keys=None):
    _open_with(peer, s, rport)
    got = tcp_info(s)
    fresh = new()
    fresh.bind((peer.local, 0))
    _open_with(peer, fresh, rport + 100)
    want = tcp_info(fresh)
    bad = ["%s %d (fresh %d)" % (k, got[k], want[k])
           for k in keys or COMPARE if got[k] != want[k]]
    if not keys and got["rto"] - got["rtt"] != want["rto"] - want["rtt"]:
        bad.append("rto - rtt %d (fresh %d)" % (got["rto"] - got["rtt"],
                                               want["rto"] - want["rtt"]))
    check(not bad, "after the re-connect TCP_INFO differs from a fresh "
          "socket's: " + ", ".join(bad))


def disconnect_resets(peer):
    """connect(AF_UNSPEC) after RTOs (backed-off RTO, cwnd 1, retransmit
    counts): the next connection starts like a fresh socket's; the user's
    options stay."""
    _disconnect_resets(peer, mytcp_socket, COMPARE)


def disconnect_resets_linux(peer):
    """The same with Linux TCP (AF_INET or AF_INET6, as the case's
    family): what it resets, mytcp too."""
    try:
        _disconnect_resets(peer, linux_socket, COMPARE_LINUX)
    finally:
        for x in _LINUX:
            x.close()


def _disconnect_resets(peer, new, keys):
    sysctl("rto_min_ms", 50)
    sysctl("rto_initial_ms", 100)
    s = new()
    s.bind((peer.local, 0))
    r = connect_result(s, (peer.remote, 5000))
    check(r == "EINPROGRESS", "connect: %s" % r)
    f = peer.flow(s.getsockname()[1], 5000)
    f.track(f.expect_flags(SYN))
    f.send(SYN | ACK, options=opt_mss(1000))
    f.expect_flags(ACK, pred=lambda x: x.ack == f.snd_nxt)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 600)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 77)
    s.send(b"d" * 3000)
    for _ in range(3):		# the first flight, then two RTOs
        f.expect(lambda x: x.payload, rtx=True, timeout=20,
                 what="data or its retransmission")
    deadline = time.monotonic() + 20
    while tcp_info(s)["total_retrans"] < 2 and time.monotonic() < deadline:
        f.expect(lambda x: x.payload, rtx=True, timeout=20)
    dirty = tcp_info(s)
    diag("before: rto %d cwnd %d ssthresh %d total_retrans %d backoff %d"
         % (dirty["rto"], dirty["snd_cwnd"], dirty["snd_ssthresh"],
            dirty["total_retrans"], dirty["backoff"]))
    check(dirty["total_retrans"] >= 2 and dirty["snd_cwnd"] == 1,
          "no RTO happened: %s" % dirty)
    # A fresh socket now would start with these.
    sysctl("rto_min_ms", 30000)
    sysctl("rto_initial_ms", 30000)
    connect_unspec(s)
    f.expect(lambda x: x.flags & RST, what="RST of the disconnect")
    # The user's options stay.
    check(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1,
          "TCP_NODELAY lost")
    # Linux forgets TCP_MAXSEG here (tcp_disconnect() clears rx_opt,
    # where user_mss lives); mytcp keeps it with the other options.
    check(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG) == 600 or
          new is not mytcp_socket, "TCP_MAXSEG lost")
    check(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 77,
          "TCP_KEEPIDLE lost")
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 0)
    info = tcp_info(s)
    rto = 30000 * 1000 if new is mytcp_socket else 1000 * 1000
    check(info["rto"] == rto and info["snd_cwnd"] == 10 and
          info["total_retrans"] == 0 and info["backoff"] == 0,
          "closed socket after disconnect: rto %d cwnd %d total_retrans %d"
          " backoff %d" % (info["rto"], info["snd_cwnd"],
                           info["total_retrans"], info["backoff"]))
    _same_as_fresh(peer, s, 5001, new, keys)


def failed_connect_resets(peer):
    """Error path: a connect that fails after SYN retransmissions (RST)
    leaves a socket whose next connect starts fresh."""
    sysctl("rto_initial_ms", 100)
    sysctl("rto_min_ms", 50)
    s = mytcp_socket()
    s.bind((peer.local, 0))
    r = connect_result(s, (peer.remote, 5000))
    check(r == "EINPROGRESS", "connect: %s" % r)
    f = peer.flow(s.getsockname()[1], 5000)
    syn = f.track(f.expect_flags(SYN))
    for _ in range(2):
        f.expect_flags(SYN, rtx=True, timeout=20)
    sysctl("rto_min_ms", 30000)
    sysctl("rto_initial_ms", 30000)
    f.send(RST | ACK, seq=0, ack=syn.seq + 1)
    deadline = time.monotonic() + 5
    r = "EALREADY"
    while r in ("EALREADY", "EINPROGRESS") and time.monotonic() < deadline:
        r = connect_result(s, (peer.remote, 5000))
        time.sleep(0.05)
    check(r == "ECONNREFUSED", "connect after the RST: %s" % r)
    peer.barrier()
    _same_as_fresh(peer, s, 5001)


CASES = [
    ("TS.Recent: FIN,ACK above SND.NXT with a huge TSval changes nothing",
     ts_invalid_ack),
    ("TS.Recent: in-window RST and SYN with a huge TSval change nothing",
     ts_invalid_rst_syn),
    ("TS.Recent: bad ACK in SYN_RCVD with a huge TSval changes nothing",
     ts_syn_recv_invalid_ack),
    ("TS.Recent never steps back (pure ACK with an old TSval)",
     ts_no_step_back),
    ("peer MSS 8, 1, 11 with timestamps: payload floor (active open)",
     mss_tiny_active),
    ("peer MSS 8, 11 with timestamps, 1 without: floor (passive open)",
     mss_tiny_passive),
    ("out-of-window ACK storm: dupACKs rate limited, data exempt",
     oow_storm),
    ("PAWS-failed storm: dupACKs rate limited", paws_storm),
    ("duplicate SYN storm: ESTABLISHED and SYN_RCVD rate limited",
     syn_storm),
    ("TIME_WAIT storms: FINs and data each ACKed (as Linux), "
     "out-of-window ACKs rate limited", tw_storm),
    ("connect(AF_UNSPEC): the next connection starts like a fresh socket",
     disconnect_resets),
    ("connect(AF_UNSPEC) on Linux TCP: the same fields reset",
     disconnect_resets_linux),
    ("failed connect: the next connection starts like a fresh socket",
     failed_connect_resets),
]

if __name__ == "__main__":
    run_cases(CASES, families=(4, 6))
