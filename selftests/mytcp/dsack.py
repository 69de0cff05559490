#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# D-SACK (RFC 2883), the receiver side, through the scripted peer of
# tcp_peer.py: the peer sends data to a mytcp (or Linux TCP) listener's
# child and then sends some of it again.  The ACK that answers a duplicate
# carries it as the first SACK block:
#
#   - a segment wholly below RCV.NXT: block [seq, end);
#   - a segment that starts below RCV.NXT and goes on: block
#     [seq, RCV.NXT), the rest acknowledged;
#   - an out-of-order segment already queued: the D-SACK block, then the
#     SACK block that holds it (RFC 2883 4.1.2);
#   - without SACK permitted, no SACK option at all;
#   - a copy of old data with an older timestamp (PAWS fails: on a
#     reordering path, the original a resend overtook): dropped, and each
#     one answered at once with its D-SACK, not rate limited.
#
# Each case runs against Linux TCP (AF_INET, net.ipv4.tcp_dsack=1, the
# default) too.
#
# Environment: MYTCP_KO, MYTCP_CASES (see tcp_peer.py).

import os
import socket
import struct
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
from tcp_peer import (ACK, PSH, SYN, StatDelta, accept_wait, check,
                      listener, opt_mss, opt_sack_perm, opt_ts,
                      passive_open, run_cases)

MASK = 0xffffffff


def sack_blocks(seg):
    for kind, body in seg.options:
        if kind == 5 and body:
            return [struct.unpack("!II", body[i:i + 8])
                    for i in range(0, len(body) - 7, 8)]
    return []


def linux_listener(peer, port=7000):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((peer.local, port))
    ls.listen(8)
    ls.setblocking(False)
    return ls


def setup(peer, linux, rport, sack=True):
    ls = linux_listener(peer) if linux else listener(peer)
    opts = opt_mss(1000) + (opt_sack_perm() if sack else b"")
    c, f = passive_open(peer, ls, rport=rport, syn_options=opts)
    peer.barrier()
    return ls, c, f


def answer(f, what):
    """The ACK that answers what the peer just sent (no waiting for a
    delayed ACK: a duplicate is acknowledged at once)."""
    acks = [x for x in f.peer.barrier() if f.mine(x) and x.flags & ACK]
    check(acks, "no ACK answered %s" % what)
    return acks[-1]


def rel(f, blocks):
    base = (f.iss + 1) & MASK
    return [((a - base) & MASK, (b - base) & MASK) for a, b in blocks]


def _dup_in_order(peer, linux):
    ls, c, f = setup(peer, linux, 5001)
    base = f.snd_nxt
    f.send(ACK | PSH, data=b"a" * 100)
    f.expect(lambda x: x.ack == (base + 100) & MASK, timeout=2,
             what="ACK of the data")
    f.send(ACK | PSH, data=b"a" * 100, seq=base)
    a = answer(f, "a duplicate segment")
    check(a.ack == (base + 100) & MASK, "ack %u" % a.ack)
    got = rel(f, sack_blocks(a))
    check(got[:1] == [(0, 100)], "want D-SACK [(0, 100)] first, got %s" %
          got)
    # Reported once: the next ACK carries no D-SACK.
    f.send(ACK | PSH, data=b"b" * 100)
    f.expect(lambda x: x.ack == (base + 200) & MASK, timeout=2,
             what="ACK of new data")
    f.send(ACK | PSH, data=b"c" * 50, seq=(base + 300) & MASK)
    a = answer(f, "out-of-order data")
    got = rel(f, sack_blocks(a))
    check(got == [(300, 350)], "after the D-SACK: want [(300, 350)], got "
          "%s" % got)
    ls.close()


def dup_in_order(peer):
    """A wholly duplicate segment: D-SACK of it, once."""
    _dup_in_order(peer, False)


def dup_in_order_linux(peer):
    """The same with Linux TCP."""
    _dup_in_order(peer, True)


def _dup_partial(peer, linux):
    ls, c, f = setup(peer, linux, 5002)
    base = f.snd_nxt
    f.send(ACK | PSH, data=b"a" * 100)
    f.expect(lambda x: x.ack == (base + 100) & MASK, timeout=2,
             what="ACK of the data")
    f.send(ACK | PSH, data=b"a" * 100 + b"b" * 100, seq=base)
    f.snd_nxt = (base + 200) & MASK
    a = f.expect(lambda x: x.ack == (base + 200) & MASK, timeout=2,
                 what="ACK of the new part")
    got = rel(f, sack_blocks(a))
    check(got[:1] == [(0, 100)], "want D-SACK [(0, 100)] first, got %s" %
          got)
    check(c.recv(1000) == b"a" * 100 + b"b" * 100, "data")
    ls.close()


def dup_partial(peer):
    """A segment partly below RCV.NXT: D-SACK of the old part."""
    _dup_partial(peer, False)


def dup_partial_linux(peer):
    """The same with Linux TCP."""
    _dup_partial(peer, True)


def _dup_ooo(peer, linux):
    ls, c, f = setup(peer, linux, 5003)
    base = f.snd_nxt
    f.send(ACK | PSH, data=b"x" * 100, seq=(base + 200) & MASK,
           advance=False)
    a = answer(f, "out-of-order data")
    check(rel(f, sack_blocks(a)) == [(200, 300)], "SACK %s" %
          rel(f, sack_blocks(a)))
    f.send(ACK | PSH, data=b"x" * 100, seq=(base + 200) & MASK,
           advance=False)
    a = answer(f, "out-of-order data again")
    check(a.ack == base, "ack %u, want %u" % (a.ack, base))
    got = rel(f, sack_blocks(a))
    check(got == [(200, 300), (200, 300)], "want D-SACK then SACK "
          "[(200, 300), (200, 300)], got %s" % got)
    ls.close()


def dup_ooo(peer):
    """An out-of-order segment again: D-SACK, then its SACK block."""
    _dup_ooo(peer, False)


def dup_ooo_linux(peer):
    """The same with Linux TCP."""
    _dup_ooo(peer, True)


def _no_sack(peer, linux):
    ls, c, f = setup(peer, linux, 5004, sack=False)
    base = f.snd_nxt
    f.send(ACK | PSH, data=b"a" * 100)
    f.expect(lambda x: x.ack == (base + 100) & MASK, timeout=2,
             what="ACK of the data")
    f.send(ACK | PSH, data=b"a" * 100, seq=base)
    a = answer(f, "a duplicate segment")
    check(not sack_blocks(a), "SACK blocks without SACK permitted: %s" %
          sack_blocks(a))
    ls.close()


def no_sack(peer):
    """Without SACK permitted: no D-SACK."""
    _no_sack(peer, False)


def no_sack_linux(peer):
    """The same with Linux TCP."""
    _no_sack(peer, True)


def _dup_paws(peer, linux):
    ls = linux_listener(peer) if linux else listener(peer)
    f = peer.flow(ls.getsockname()[1], 5005, 2000000)
    f.send(SYN, options=opt_mss(1000) + opt_sack_perm() + opt_ts(100, 0))
    sa = f.track(f.expect_flags(SYN | ACK, pred=lambda x: x.ack ==
                                f.snd_nxt))
    check(sa.ts is not None, "SYN-ACK without timestamps")
    f.send(ACK, options=opt_ts(101, sa.ts[0]))
    c = accept_wait(ls)
    check(c is not None, "no child")
    base = f.snd_nxt
    for i, tsval in enumerate((200, 300)):
        f.send(ACK | PSH, data=b"ab"[i:i + 1] * 100,
               options=opt_ts(tsval, sa.ts[0]))
        f.expect(lambda x, n=i: x.ack == (base + 100 * (n + 1)) & MASK,
                 timeout=2, what="ACK of the data")
    # TS.Recent is 300: a copy of the first segment with its TSval 200
    # fails PAWS.  Twice, at once: both answered (no rate limit for
    # data), each with the D-SACK.
    d = None if linux else StatDelta()
    for _ in range(2):
        f.send(ACK | PSH, data=b"a" * 100, seq=base, advance=False,
               options=opt_ts(200, sa.ts[0]))
    acks = [x for x in f.peer.barrier() if f.mine(x) and x.flags & ACK]
    got = [rel(f, sack_blocks(a)) for a in acks]
    print("# %s: %d answers to 2 PAWS-failed copies, SACK blocks %s" %
          ("Linux" if linux else "mytcp", len(acks), got))
    check(len(acks) == 2 and all(g[:1] == [(0, 100)] for g in got) and
          all(a.ack == (base + 200) & MASK for a in acks),
          "want 2 answers, ack 200, each with D-SACK [(0, 100)] first")
    if d:
        d.expect(DropPaws=2)
    c.close()
    ls.close()


def dup_paws(peer):
    """A copy of old data with an older timestamp: PAWS drops it, the
    answer D-SACKs it, each copy answered."""
    _dup_paws(peer, False)


def dup_paws_linux(peer):
    """The same with Linux TCP (tcp_send_dupack())."""
    _dup_paws(peer, True)


CASES = [
    ("duplicate segment: D-SACK first, once", dup_in_order),
    ("duplicate segment (Linux TCP)", dup_in_order_linux),
    ("partly duplicate segment: D-SACK of the old part", dup_partial),
    ("partly duplicate segment (Linux TCP)", dup_partial_linux),
    ("duplicate out-of-order segment: D-SACK then SACK", dup_ooo),
    ("duplicate out-of-order segment (Linux TCP)", dup_ooo_linux),
    ("no SACK permitted: no D-SACK", no_sack),
    ("no SACK permitted (Linux TCP)", no_sack_linux),
    ("PAWS-failed copy of old data: D-SACK, each answered", dup_paws),
    ("PAWS-failed copy of old data (Linux TCP)", dup_paws_linux),
]

if __name__ == "__main__":
    run_cases(CASES)
