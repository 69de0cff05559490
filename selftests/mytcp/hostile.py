#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# What a hostile or broken peer sends mytcp, through the scripted peer of
# tcp_peer.py: bad checksums, malformed headers and options, and the
# peer's MSS option.  The other hostile peers have files of their own:
# hostile_inject.py (blind injection, RFC 5961; PAWS), hostile_reset.py
# (segments no connection takes; SYN flood), hostile_icmp.py (ICMP
# errors), hostile_sack.py (SACK blocks), hostile_seg.py (single
# segments that must not bend a connection).  Each case checks the answer
# on the wire (or that there is none), the connection's state, and the
# counters of /proc/net/mytcp_stat.  One KTAP result per case; each case
# runs in its own network namespace.
#
# Environment: MYTCP_KO (loaded when the module is not), MYTCP_CASES
# ("|"-separated substrings: run only the matching cases).

import os
import socket
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
from hostile_lib import nothing_to_read, still_works
from tcp_peer import (ACK, LISTEN, PSH, SYN, StatDelta, accept_wait,
                      active_open, build_ipv4, build_tcp, check, listener,
                      opt_mss, opt_nop, opt_raw, opt_sack_perm, opt_ts,
                      opt_wscale, passive_open, recv_all, run_cases, states_of)


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
    ("peer MSS honoured (passive open)", mss_passive),
    ("peer MSS honoured (active open)", mss_active),
    ("no or malformed MSS option: 536", mss_absent_or_bad),
    ("peer MSS with timestamps: options count", mss_with_timestamps),
]

if __name__ == "__main__":
    run_cases(CASES)
