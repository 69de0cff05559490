#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# What a hostile or broken peer sends mytcp, through the scripted peer of
# tcp_peer.py: bad checksums, malformed headers and options, blind
# RST/SYN/data injection (RFC 5961), ACKs of unsent data, segments to
# closed ports (RFC 9293 3.10.7.1 resets), the challenge ACK rate limit and
# the peer's MSS.  Each case checks the answer on the wire (or that there
# is none), the connection's state, and the counters of /proc/net/mytcp_stat.
# One KTAP result per case; each case runs in its own network namespace.
#
# Environment: MYTCP_KO (loaded when the module is not), MYTCP_CASES
# ("|"-separated substrings: run only the matching cases).

import os
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# pylint: disable=wrong-import-position
from tcp_peer import (ACK, ESTABLISHED, FIN, LISTEN, PSH, RST, SYN, SYN_RECV,
                      SYN_SENT, StatDelta, accept, accept_wait, active_open,
                      build_ipv4, build_tcp, check, connect_result, conns,
                      diag, expect_state, listener, mytcp_socket, opt_mss,
                      opt_nop, opt_raw, opt_sack, opt_sack_perm, opt_ts,
                      opt_wscale, passive_open, quote_with_seq, recv_all,
                      recv_result, run_cases, so_error, states_of, sysctl)


# Beyond any receive window: windows never exceed the 1 MiB buffer.
FAR = 1 << 21



def nothing_to_read(s, f):
    r = recv_result(s)
    check(r == "EAGAIN", "data delivered that should not be: %r" % (r,))
    # Whatever recv() itself sent (a window update) is not an answer to
    # the next segment: states.py checks recv()'s own ACKs.
    f.peer.barrier()


def still_works(s, f, tag=b"ok"):
    """The connection survives: data both ways, in sequence."""
    expect_state(f.lport, f.rport, ESTABLISHED)
    f.send(ACK | PSH, data=b"after-" + tag)
    got = recv_all(s, 6 + len(tag))
    check(got == b"after-" + tag, "peer's next data: %r" % got)
    f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of the next data")
    s.send(b"back-" + tag)
    seg = f.expect(lambda x: x.payload, what="mytcp's next data")
    check(seg.seq == f.rcv_nxt and seg.payload == b"back-" + tag,
          "mytcp's next data %s, want seq %u" % (seg, f.rcv_nxt))
    f.track(seg)
    f.send(ACK)


def raw_tcp(f, tcp, tot_len=None):
    """Send TCP bytes (already built) on f's 4-tuple."""
    p = f.peer
    p.send_raw(build_ipv4(p.remote, p.local, socket.IPPROTO_TCP, tcp,
                          tot_len=tot_len))


def seg_bytes(f, flags, data=b"", options=b"", doff=None, bad_csum=False,
              seq=None, ack=None):
    p = f.peer
    return build_tcp(p.remote, p.local, f.rport, f.lport,
                     f.snd_nxt if seq is None else seq,
                     f.rcv_nxt if ack is None else ack, flags, 65535,
                     options, data, doff=doff, bad_csum=bad_csum)


def dropped_bad_header(s, f, tcp, what):
    d = StatDelta()
    raw_tcp(f, tcp)
    r = f.answers()
    check(not r, "%s answered: %s" % (what, r))
    d.expect(DropBadHeader=1, InErrs=1, InCsumErrors=0)
    nothing_to_read(s, f)


# ------------------------------------------------------------------ headers

def bad_checksum(peer):
    s, f = active_open(peer, 5000)
    d = StatDelta()
    f.send(ACK | PSH, data=b"corrupt", bad_csum=True, advance=False)
    r = f.answers()
    check(not r, "segment with a bad checksum answered: %s" % r)
    d.expect(InCsumErrors=1, InErrs=1, DropBadHeader=0)
    nothing_to_read(s, f)
    # The same, intact, is taken.
    f.send(ACK | PSH, data=b"corrupt")
    check(recv_all(s, 7) == b"corrupt", "intact copy not delivered")
    still_works(s, f)


def bad_checksum_syn(peer):
    listener(peer, 7000)
    f = peer.flow(7000, 5001)
    d = StatDelta()
    f.send(SYN, options=opt_mss(1400), bad_csum=True)
    check(not f.answers(), "SYN with a bad checksum answered")
    check(states_of(7000) == [LISTEN], "entries %s" % states_of(7000))
    d.expect(InCsumErrors=1)


def truncated_header(peer):
    s, f = active_open(peer, 5000)
    full = seg_bytes(f, ACK | PSH, data=b"")
    for n in (4, 12, 19):
        dropped_bad_header(s, f, full[:n], "%d-byte TCP header" % n)
    still_works(s, f)


def doff_too_small(peer):
    s, f = active_open(peer, 5000)
    for doff in (0, 4):
        tcp = seg_bytes(f, ACK | PSH, data=b"abcdefgh", doff=doff)
        dropped_bad_header(s, f, tcp, "data offset %d" % doff)
    still_works(s, f)


def doff_too_large(peer):
    s, f = active_open(peer, 5000)
    # 20-byte header, no data: offset 6 and 15 point past the segment.
    for doff in (6, 15):
        tcp = seg_bytes(f, ACK, doff=doff)
        dropped_bad_header(s, f, tcp, "data offset %d of a 20-byte segment"
                           % doff)
    # with data, offset past the end of it
    tcp = seg_bytes(f, ACK | PSH, data=b"abcd", doff=7)
    dropped_bad_header(s, f, tcp, "data offset 7 of a 24-byte segment")
    still_works(s, f)


def option_len_zero(peer):
    s, f = active_open(peer, 5000)
    for kind in (2, 8, 0xfd):
        tcp = seg_bytes(f, ACK | PSH, data=b"zz",
                        options=opt_raw(kind, length=0) + b"\x01\x01")
        dropped_bad_header(s, f, tcp, "option %d with length 0" % kind)
    tcp = seg_bytes(f, ACK | PSH, data=b"zz",
                    options=opt_raw(0xfd, length=1) + b"\x01\x01")
    dropped_bad_header(s, f, tcp, "option with length 1")
    still_works(s, f)


def option_len_overflow(peer):
    s, f = active_open(peer, 5000)
    # MSS claiming 10 bytes in a 4-byte option space
    tcp = seg_bytes(f, ACK | PSH, data=b"zz",
                    options=opt_raw(2, b"\x05\xb4", length=10))
    dropped_bad_header(s, f, tcp, "option overflowing the header")
    # a kind byte with no room for its length
    tcp = seg_bytes(f, ACK | PSH, data=b"zz", options=b"\x01\x01\x01\x08")
    dropped_bad_header(s, f, tcp, "option kind as the last header byte")
    # a long option running past a 40-byte option space
    tcp = seg_bytes(f, ACK | PSH, data=b"zz",
                    options=b"\x01" * 36 + opt_raw(0xfd, b"\0\0", length=40))
    dropped_bad_header(s, f, tcp, "40-byte option at offset 36")
    still_works(s, f)


def bad_options_on_syn(peer):
    listener(peer, 7000)
    f = peer.flow(7000, 5001)
    d = StatDelta()
    f.send(SYN, options=opt_raw(2, b"\x05\xb4", length=0))
    f.send(SYN, options=opt_raw(3, b"\x07", length=12))
    check(not f.answers(), "SYN with malformed options answered")
    check(states_of(7000) == [LISTEN], "entries %s" % states_of(7000))
    d.expect(DropBadHeader=2)


def unknown_options(peer):
    weird = (opt_raw(0xfd, b"\xab\xcd\xef\x01") + opt_raw(30, b"\0\0") +
             opt_raw(0x99) + opt_nop())
    ls = listener(peer, 7000)
    d = StatDelta()
    f = peer.flow(7000, 5001)
    f.send(SYN, options=weird + opt_mss(1000) + opt_sack_perm() +
           opt_ts(1, 0))
    sa = f.track(f.expect_flags(SYN | ACK))
    check(sa.ack == f.snd_nxt, "SYN,ACK %s" % sa)
    f.send(ACK | PSH, data=b"one", options=weird)
    c = accept_wait(ls)
    check(c is not None, "no connection")
    f.send(ACK | PSH, data=b"two", options=opt_ts(5, 0) + weird)
    got = recv_all(c, 6)
    check(got == b"onetwo", "data with unknown options: %r" % got)
    f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of the data")
    d.expect(DropBadHeader=0)
    still_works(c, f)


# ------------------------------------------------------------------ RFC 5961

def rst_in_window_not_exact(peer):
    s, f = active_open(peer, 5000)
    d = StatDelta()
    for off in (1, 1000, 30000):
        f.send(RST, seq=f.snd_nxt + off, ack=0, advance=False)
    r = f.answers()
    check(len(r) == 3, "%d answers to 3 in-window RSTs, want 3 challenge "
          "ACKs: %s" % (len(r), r))
    for a in r:
        check(a.flags & ~PSH == ACK and a.seq == f.rcv_nxt and
              a.ack == f.snd_nxt, "challenge ACK %s, want seq %u ack %u"
              % (a, f.rcv_nxt, f.snd_nxt))
    d.expect(ChallengeAcks=3, InRsts=0)
    still_works(s, f)


def rst_syn_recv_not_exact(peer):
    ls = listener(peer, 7000)
    f = peer.flow(7000, 5001)
    f.send(SYN, options=opt_mss(1400))
    f.track(f.expect_flags(SYN | ACK))
    d = StatDelta()
    f.send(RST, seq=f.snd_nxt + 100, ack=0, advance=False)
    r = f.answers()
    check(len(r) == 1 and r[0].flags & ~PSH == ACK and
          r[0].ack == f.snd_nxt, "answer to an in-window RST in SYN_RECV: "
          "%s, want a challenge ACK" % r)
    expect_state(7000, 5001, SYN_RECV)
    d.expect(ChallengeAcks=1, InRsts=0)
    f.send(ACK)
    f.answers()
    expect_state(7000, 5001, ESTABLISHED)
    check(accept(ls)[0] is not None, "accept()")


def all_flags(peer):
    """SYN,FIN,RST,PSH,ACK,URG at once: handled as the RST it carries
    (RFC 9293: RST checked before SYN)."""
    s, f = active_open(peer, 5000)
    d = StatDelta()
    f.send(0x3f, seq=f.snd_nxt + 100, data=b"xmas", advance=False, urg=1)
    r = f.answers()
    check(len(r) == 1 and r[0].flags & ~PSH == ACK and
          r[0].ack == f.snd_nxt, "answer to an in-window all-flags segment:"
          " %s, want one challenge ACK" % r)
    d.expect(ChallengeAcks=1, InRsts=0)
    nothing_to_read(s, f)
    still_works(s, f)
    d = StatDelta()
    f.send(0x3f, data=b"xmas", advance=False, urg=1)
    check(not f.answers(), "exact all-flags segment answered")
    expect_state(f.lport, 5000, None)
    d.expect(InRsts=1)


def rst_exact(peer):
    s, f = active_open(peer, 5000)
    d = StatDelta()
    f.send(RST | ACK)
    check(not f.answers(), "RST answered")
    expect_state(f.lport, 5000, None)
    d.expect(InRsts=1, ChallengeAcks=0)


def syn_in_established(peer):
    # Two SYNs in a row: without invalid_ratelimit_ms (hostile_seg.py
    # tests it) both draw their challenge ACK.
    sysctl("invalid_ratelimit_ms", 0)
    s, f = active_open(peer, 5000)
    d = StatDelta()
    f.send(SYN, seq=f.snd_nxt + 10, options=opt_mss(1400), advance=False)
    f.send(SYN | ACK, seq=f.snd_nxt, options=opt_mss(1400), advance=False)
    r = f.answers()
    check(len(r) == 2, "answers to 2 in-window SYNs: %s" % r)
    for a in r:
        check(a.flags & ~PSH == ACK and a.seq == f.rcv_nxt and
              a.ack == f.snd_nxt, "challenge ACK %s" % a)
    d.expect(ChallengeAcks=2, InRsts=0)
    still_works(s, f)


def out_of_window_rst(peer):
    s, f = active_open(peer, 5000)
    d = StatDelta()
    for off in (-1, -FAR, FAR, 1 << 30):
        f.send(RST, seq=f.snd_nxt + off, ack=0, advance=False)
        f.send(RST | ACK, seq=f.snd_nxt + off, advance=False)
    r = f.answers()
    check(not r, "out-of-window RST answered: %s" % r)
    d.expect(InRsts=0, ChallengeAcks=0)
    check(d["DropNotAcceptable"] == 8, "DropNotAcceptable moved %d, want 8"
          % d["DropNotAcceptable"])
    still_works(s, f)


def out_of_window_syn(peer):
    sysctl("invalid_ratelimit_ms", 0)	# see syn_in_established
    s, f = active_open(peer, 5000)
    d = StatDelta()
    for off in (-FAR, FAR):
        f.send(SYN, seq=f.snd_nxt + off, options=opt_mss(1400),
               advance=False)
    r = f.answers()
    check(len(r) == 2, "answers to 2 out-of-window SYNs: %s" % r)
    for a in r:
        check(a.flags & ~PSH == ACK and a.seq == f.rcv_nxt and
              a.ack == f.snd_nxt, "ACK %s" % a)
    d.expect(InRsts=0)
    still_works(s, f)


def out_of_window_data(peer):
    s, f = active_open(peer, 5000)
    d = StatDelta()
    f.send(ACK | PSH, seq=f.snd_nxt + FAR, data=b"future", advance=False)
    f.send(ACK | PSH, seq=f.snd_nxt - FAR, data=b"ancient",
           advance=False)
    f.send(FIN | ACK, seq=f.snd_nxt + FAR, advance=False)
    r = f.answers()
    check(len(r) == 3, "answers to 3 out-of-window segments: %s" % r)
    for a in r:
        check(a.flags & ~PSH == ACK and a.ack == f.snd_nxt and
              a.seq == f.rcv_nxt, "ACK %s" % a)
    nothing_to_read(s, f)
    check(d["DropNotAcceptable"] == 3, "DropNotAcceptable moved %d"
          % d["DropNotAcceptable"])
    # A duplicate of data already received: ACKed, not delivered twice.
    f.send(ACK | PSH, data=b"once")
    check(recv_all(s, 4) == b"once", "data")
    f.expect(lambda x: x.ack == f.snd_nxt)
    peer.barrier()		# see nothing_to_read()
    f.send(ACK | PSH, seq=f.snd_nxt - 4, data=b"once", advance=False)
    r = f.answers()
    check(r and all(x.flags & ~PSH == ACK and x.ack == f.snd_nxt
                    for x in r), "answer to a duplicate: %s" % r)
    nothing_to_read(s, f)
    still_works(s, f)


def ack_unsent(peer):
    s, f = active_open(peer, 5000)
    d = StatDelta()
    f.send(ACK | PSH, data=b"evil", ack=f.rcv_nxt + 5000, advance=False)
    r = f.answers()
    check(len(r) == 1 and r[0].flags & ~PSH == ACK and
          r[0].ack == f.snd_nxt and r[0].seq == f.rcv_nxt,
          "answer to an ACK of unsent data: %s, want one ACK seq %u ack %u"
          % (r, f.rcv_nxt, f.snd_nxt))
    d.expect(DropAckUnsent=1)
    nothing_to_read(s, f)
    still_works(s, f)


def ack_too_old(peer):
    s, f = active_open(peer, 5000)
    d = StatDelta()
    # RFC 5961 5.2: SEG.ACK < SND.UNA - MAX.SND.WND: discard, send an ACK.
    f.send(ACK | PSH, data=b"evil", ack=f.rcv_nxt - 200000, advance=False)
    r = f.answers()
    check(len(r) == 1 and r[0].flags & ~PSH == ACK and
          r[0].ack == f.snd_nxt, "answer to a too old ACK: %s" % r)
    nothing_to_read(s, f)
    d.expect(InRsts=0)
    still_works(s, f)


def data_without_ack(peer):
    s, f = active_open(peer, 5000)
    d = StatDelta()
    f.send(PSH, data=b"no ack bit", advance=False)
    f.send(FIN, advance=False)
    f.send(0, advance=False)			# no flag at all
    f.send(0, data=b"null", advance=False)
    r = f.answers()
    check(not r, "segments without ACK answered: %s" % r)
    nothing_to_read(s, f)
    expect_state(f.lport, 5000, ESTABLISHED)
    d.expect(InRsts=0)
    still_works(s, f)


def challenge_ack_limit(peer):
    s, f = active_open(peer, 5000)
    sysctl("challenge_ack_limit", 0)
    d = StatDelta()
    for i in range(5):
        f.send(RST, seq=f.snd_nxt + 100 + i, ack=0, advance=False)
    r = f.answers()
    check(not r, "challenge ACKs with challenge_ack_limit 0: %s" % r)
    d.expect(ChallengeAcks=0, InRsts=0)
    expect_state(f.lport, 5000, ESTABLISHED)
    limit = 3
    sysctl("challenge_ack_limit", limit)
    d = StatDelta()
    n = 20
    t0 = time.monotonic()
    for i in range(n):
        f.send(RST, seq=f.snd_nxt + 100 + i, ack=0, advance=False)
    r = f.answers()
    secs = time.monotonic() - t0
    got = d["ChallengeAcks"]
    diag("%d in-window RSTs in %.2fs, limit %d/s: %d challenge ACKs"
         % (n, secs, limit, got))
    check(len(r) == got, "%d ACKs on the wire, ChallengeAcks moved %d"
          % (len(r), got))
    # A second may have begun during the burst: at most one more window.
    check(limit <= got <= limit * (int(secs) + 2),
          "%d challenge ACKs for %d RSTs with limit %d" % (got, n, limit))
    if secs < 0.5:
        check(got <= 2 * limit, "more than two windows' worth: %d" % got)
    still_works(s, f)


# ------------------------------------------------------------------ resets

def _rst_reply(r, seg_flags, seg_seq, seg_ack, seg_len):
    """RFC 9293 3.10.7.1: the reset a segment to a closed port draws."""
    check(len(r) == 1, "answers to a segment to a closed port: %s" % r)
    x = r[0]
    if seg_flags & ACK:
        check(x.flags == RST and x.seq == seg_ack,
              "reset %s, want <SEQ=SEG.ACK=%u><CTL=RST>" % (x, seg_ack))
    else:
        want = (seg_seq + seg_len) & 0xffffffff
        check(x.flags == RST | ACK and x.seq == 0 and x.ack == want,
              "reset %s, want <SEQ=0><ACK=%u><CTL=RST,ACK>" % (x, want))


def _closed_port_battery(peer, lport, rport):
    f = peer.flow(lport, rport, iss=7000000)
    cases = [(SYN, 7000000, 0, b""), (ACK, 7000100, 123456789, b""),
             (ACK | PSH, 7000200, 555, b"data!"),
             (FIN | PSH, 7000300, 0, b"bye"), (SYN | ACK, 7000400, 42, b""),
             (FIN, 7000500, 0, b"")]
    for flags, seq, ack, data in cases:
        f.send(flags, data=data, seq=seq, ack=ack, advance=False)
        _rst_reply(f.answers(), flags, seq, ack,
                   len(data) + bool(flags & SYN) + bool(flags & FIN))
    f.send(RST, seq=1, ack=0, advance=False)
    f.send(RST | ACK, seq=1, ack=1, advance=False)
    check(not f.answers(), "RST to a closed port answered")


def closed_port(peer):
    """No mytcp socket at all on the port."""
    _closed_port_battery(peer, 7001, 5001)


def bound_not_listening(peer):
    s = mytcp_socket()
    s.bind((peer.local, 7002))
    _closed_port_battery(peer, 7002, 5001)


def after_reset(peer):
    """The 4-tuple of a connection the application aborted."""
    s, f = active_open(peer, 5000)
    lport = f.lport
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                 struct.pack("ii", 1, 0))
    d = StatDelta()
    s.close()
    r = f.expect(what="RST")
    check(r.flags & RST and r.seq == f.rcv_nxt, "abort sent %s" % r)
    d.expect(OutRsts=1)
    expect_state(lport, 5000, None)
    _closed_port_battery(peer, lport, 5000)


def ack_to_listener(peer):
    ls = listener(peer, 7000)
    f = peer.flow(7000, 5001)
    d = StatDelta()
    for flags in (ACK, SYN | ACK, ACK | PSH):
        f.send(flags, seq=100, ack=777777, data=b"x" if flags & PSH
               else b"", advance=False)
        _rst_reply(f.answers(), flags, 100, 777777, 0)
    # SYN,FIN and SYN,RST: dropped, no child, no answer.
    f.send(SYN | FIN, seq=100, advance=False)
    f.send(SYN | RST, seq=100, advance=False)
    f.send(RST, seq=100, advance=False)
    f.send(FIN, seq=100, advance=False)
    check(not f.answers(), "answers to SYN,FIN / SYN,RST / RST / FIN at a "
          "listener")
    check(states_of(7000) == [LISTEN], "entries %s" % states_of(7000))
    check(accept(ls)[0] is None, "accept() returned something")
    check(d["OutRsts"] == 3, "OutRsts moved %d, want 3" % d["OutRsts"])


def syn_sent_bad_ack(peer):
    s = mytcp_socket()
    s.bind((peer.local, 6000))
    connect_result(s, (peer.remote, 6001))
    f = peer.flow(6000, 6001)
    syn = f.track(f.expect_flags(SYN))
    for bad in (syn.seq, syn.seq + 2, syn.seq - 1000):
        f.send(SYN | ACK, ack=bad, options=opt_mss(1400), advance=False)
        r = [x for x in f.answers() if x.flags != SYN]	# not SYN again
        check(len(r) == 1 and r[0].flags == RST and r[0].seq == bad,
              "answer to SYN,ACK with ACK %u (ISS %u): %s, want RST seq %u"
              % (bad, syn.seq, r, bad))
        expect_state(6000, 6001, SYN_SENT)
    # The right one still completes.
    f.send(SYN | ACK, options=opt_mss(1400))
    f.expect(lambda x: x.ack == f.snd_nxt, what="ACK")
    expect_state(6000, 6001, ESTABLISHED)


# ------------------------------------------------------------------ MSS

def _check_mss(s, f, mss, total=6000):
    data = bytes(range(256)) * (total // 256 + 1)
    data = data[:total]
    s.send(data)
    got = b""
    while len(got) < total:
        seg = f.expect(lambda x: x.payload, what="data (%d of %d bytes "
                       "came)" % (len(got), total))
        check(len(seg.payload) <= mss, "segment of %d bytes, peer MSS %d"
              % (len(seg.payload), mss))
        check(seg.seq == f.rcv_nxt, "segment %s out of order (want %u)"
              % (seg, f.rcv_nxt))
        f.track(seg)
        got += seg.payload
        f.send(ACK)
    check(got == data, "data corrupted")


def mss_passive(peer):
    ls = listener(peer, 7000)
    c, f = passive_open(peer, ls, syn_options=opt_mss(500))
    _check_mss(c, f, 500)


def mss_active(peer):
    s, f = active_open(peer, 5000, syn_options=opt_mss(300) +
                       opt_wscale(2))
    _check_mss(s, f, 300)


def mss_absent_or_bad(peer):
    ls = listener(peer, 7000)
    # No MSS option: RFC 9293 3.7.1: 536.
    c, f = passive_open(peer, ls, rport=5001, syn_options=b"")
    _check_mss(c, f, 536, 3000)
    # MSS 0 means nothing either.
    c, f = passive_open(peer, ls, rport=5003, syn_options=opt_mss(0))
    _check_mss(c, f, 536, 1500)
    # An MSS option of the wrong length is ignored.
    c, f = passive_open(peer, ls, rport=5002,
                        syn_options=opt_raw(2, b"\x00\x64\x00", length=5))
    _check_mss(c, f, 536, 3000)


# ------------------------------------------------------------------ SACK, TS

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


def paws_old_timestamp(peer):
    ls = listener(peer, 7000)
    c, f = passive_open(peer, ls, syn_options=opt_mss(1400) + opt_ts(1000,
                                                                      0))
    f.send(ACK | PSH, data=b"new", options=opt_ts(2000, 0))
    a = f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of data")
    check(a.ts is not None and a.ts[1] == 2000, "TS echo %s" % (a.ts,))
    check(recv_all(c, 3) == b"new", "data")
    peer.barrier()
    d = StatDelta()
    f.send(ACK | PSH, data=b"old", options=opt_ts(1500, 0), advance=False)
    r = f.answers()
    check(len(r) == 1 and r[0].ack == f.snd_nxt and
          r[0].flags & ~PSH == ACK, "answer to an old timestamp: %s" % r)
    d.expect(DropPaws=1)
    nothing_to_read(c, f)
    # RST is exempt from PAWS (RFC 7323 5.3 R1)
    d = StatDelta()
    f.send(RST, ack=0, options=opt_ts(1, 0))
    check(not f.answers(), "RST answered")
    expect_state(7000, 5001, None)
    d.expect(InRsts=1, DropPaws=0)


def mss_with_timestamps(peer):
    """RFC 9293 3.7.1 / RFC 6691: options count against the MSS."""
    ls = listener(peer, 7000)
    c, f = passive_open(peer, ls, syn_options=opt_mss(500) + opt_ts(1, 0))
    data = b"t" * 3000
    c.send(data)
    got = b""
    while len(got) < len(data):
        seg = f.expect(lambda x: x.payload, what="data")
        optlen = seg.doff * 4 - 20
        check(seg.ts is not None, "no timestamp on %s" % seg)
        check(len(seg.payload) + optlen <= 500,
              "%d bytes + %d of options > MSS 500" % (len(seg.payload),
                                                      optlen))
        f.track(seg)
        got += seg.payload
        f.send(ACK, options=opt_ts(2, seg.ts[0]))
    check(got == data, "data")


def syn_flood(peer):
    """Many SYNs from many ports: at most backlog+1 children, the rest
    dropped and counted; once the children time out the listener serves
    again and nothing is left."""
    backlog, n = 8, 200
    ls = listener(peer, 7000, backlog=backlog)
    d = StatDelta()
    for i in range(n):
        peer.send_segment(10000 + i, 7000, SYN, 777 * i, 0,
                          options=opt_mss(1400))
    segs = peer.barrier()
    answered = {x.dport for x in segs if x.sport == 7000 and
                x.flags == SYN | ACK}
    diag("%d SYNs, backlog %d: %d answered" % (n, backlog, len(answered)))
    check(backlog <= len(answered) <= backlog + 1, "%d answered"
          % len(answered))
    check(d["DropListenOverflow"] == n - len(answered),
          "DropListenOverflow moved %d, want %d" %
          (d["DropListenOverflow"], n - len(answered)))
    # The peer gives up on them: the places come back.
    for x in segs:
        if x.sport == 7000 and x.flags == SYN | ACK:
            peer.send_segment(x.dport, 7000, RST, x.ack, 0)
    peer.barrier()
    check(states_of(7000) == [LISTEN], "children left: %d"
          % (len(states_of(7000)) - 1))
    c, f = passive_open(peer, ls, rport=5001)
    c.send(b"still serving")
    check(f.expect(lambda x: x.payload).payload == b"still serving", "data")


# ------------------------------------------------------------------ ICMP

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
    ("bad checksum: dropped silently (InCsumErrors)", bad_checksum),
    ("bad checksum on a SYN: no SYN,ACK", bad_checksum_syn),
    ("truncated TCP header: dropped (DropBadHeader)", truncated_header),
    ("data offset < 5: dropped", doff_too_small),
    ("data offset beyond the segment: dropped", doff_too_large),
    ("option length 0 or 1: dropped", option_len_zero),
    ("option length overflowing the header: dropped", option_len_overflow),
    ("malformed options on a SYN: no child", bad_options_on_syn),
    ("unknown options skipped, connection works", unknown_options),
]

# Run by hostile_inject.py (the kselftest timeout is per program).
CASES_INJECT = [
    ("RST in window, not exact: challenge ACK, connection stays",
     rst_in_window_not_exact),
    ("RST with SEG.SEQ == RCV.NXT: reset", rst_exact),
    ("all flags set: handled as its RST", all_flags),
    ("RST in window in SYN_RECV: challenge ACK, child stays",
     rst_syn_recv_not_exact),
    ("SYN in ESTABLISHED: challenge ACK, connection stays",
     syn_in_established),
    ("out-of-window RST: no effect, no answer", out_of_window_rst),
    ("out-of-window SYN: ACK, no effect", out_of_window_syn),
    ("out-of-window and duplicate data: ACK, not delivered",
     out_of_window_data),
    ("ACK of unsent data: dropped with an ACK (DropAckUnsent)", ack_unsent),
    ("ACK older than SND.UNA - MAX.SND.WND: dropped with an ACK",
     ack_too_old),
    ("data and FIN without the ACK bit: dropped", data_without_ack),
    ("challenge ACK rate limit (challenge_ack_limit)", challenge_ack_limit),
]

# Run by hostile_more.py (the kselftest timeout is per program).
CASES_MORE = [
    ("closed port: RFC 9293 resets", closed_port),
    ("bound, not listening port: RFC 9293 resets", bound_not_listening),
    ("4-tuple of an aborted connection: RFC 9293 resets", after_reset),
    ("ACK to a listener: RST <SEQ=SEG.ACK>; SYN,FIN/SYN,RST dropped",
     ack_to_listener),
    ("SYN_SENT, unacceptable ACK: RST <SEQ=SEG.ACK>, stays SYN_SENT",
     syn_sent_bad_ack),
    ("peer MSS honoured (passive open)", mss_passive),
    ("peer MSS honoured (active open)", mss_active),
    ("no or malformed MSS option: 536", mss_absent_or_bad),
    ("peer MSS with timestamps: options count", mss_with_timestamps),
]

# Run by hostile_sack_icmp.py (the kselftest timeout is per program).
CASES_SACK_ICMP = [
    ("bogus SACK blocks: ignored, nothing lost", sack_bogus_blocks),
    ("SACK reneging: left edge retransmitted after an RTO",
     sack_renege),
    ("PAWS: old timestamp dropped with an ACK, RST exempt",
     paws_old_timestamp),
    ("SYN flood: bounded by the backlog, listener recovers", syn_flood),
    ("ICMP unreachable in SYN_SENT: refused, unless forged or corrupt",
     icmp_syn_sent),
    ("ICMP unreachable in ESTABLISHED: soft, connection stays",
     icmp_established_soft),
    ("ICMP fragmentation needed: resent within the MTU, forged ignored",
     icmp_frag_needed),
]

if __name__ == "__main__":
    run_cases(CASES)
