#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Out-of-order flood from a scripted peer (tcp_peer.py, TUN): the peer
# opens a connection to a mytcp listener (SO_RCVBUF 64 KiB) and sends
# thousands of 1-byte segments inside the advertised window, all after a
# one-byte hole left at RCV.NXT, in ascending or descending sequence
# order, or as every other byte.  Asserted:
#   - OfoQueued moves, the connection stays ESTABLISHED;
#   - memory stays bounded: live_skbs (global, /proc/net/mytcp_stat) never
#     grows beyond what twice sk_rcvbuf can hold (>= 512 bytes of truesize
#     per skb: 2 * rcvbuf / 512 + slack), far below the segment count;
#   - filling the hole makes mytcp ACK exactly the contiguous bytes it
#     kept, and the application reads exactly those bytes; the peer then
#     sends the rest and every byte of the stream arrives exactly once;
#   - live_skbs is back near its start after the data was read;
#   - no WARNING/BUG in dmesg.

import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from tcp_peer import (ACK, PSH, SYN, ESTABLISHED, accept, check, diag,  # noqa: E402
                      expect_state, mytcp_socket, opt_mss, run_cases, stats)

NSEG = 1200
RCVBUF = 65536


def dmesg_bad():
    out = subprocess.run(["dmesg"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout.decode(errors="replace")
    return sum(1 for line in out.splitlines()
               if any(w in line for w in ("WARNING:", "BUG:", "Oops",
                                          "general protection")))


def stream(n):
    return bytes((i * 7 + i // 251) & 0xff for i in range(n))


def read_all(c):
    out = b""
    while True:
        try:
            b = c.recv(65536)
        except BlockingIOError:
            return out
        if not b:
            return out
        out += b


def flood(peer, order):
    bad0 = dmesg_bad()
    ls = mytcp_socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
    ls.bind((peer.local, 7000))
    ls.listen(4)
    f = peer.flow(7000, 5100, 3000000)
    f.send(SYN, options=opt_mss(1460))
    synack = f.track(f.expect_flags(SYN | ACK, pred=lambda x: x.ack == f.snd_nxt))
    f.send(ACK)
    c = None
    for _ in range(100):
        c, _ = accept(ls)
        if c:
            break
        peer.barrier()
    check(c is not None, "accept() returned nothing after the handshake")
    rcvbuf = c.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    win = synack.win
    n = min(NSEG, win - 1) if order != "sparse" else min(NSEG, (win - 1) // 2)
    span = n if order != "sparse" else 2 * n
    check(n >= 1000, "window %d too small for the flood" % win)
    data = stream(span + 1)
    base = f.snd_nxt
    st0 = stats()
    live0 = st0["live_skbs"]
    bound = 2 * rcvbuf // 512 + 64
    if order == "ascending":
        offs = list(range(1, n + 1))
    elif order == "descending":
        offs = list(range(n, 0, -1))
    else:
        offs = list(range(2, span + 1, 2))
    peak = 0
    for k, off in enumerate(offs, 1):
        f.send(ACK, data=data[off:off + 1], seq=base + off, advance=False)
        if k % 300 == 0:
            peer.barrier()
            peak = max(peak, stats()["live_skbs"] - live0)
    peer.barrier()
    st1 = stats()
    peak = max(peak, st1["live_skbs"] - live0)
    queued = st1["OfoQueued"] - st0["OfoQueued"]
    dropped = st1["DropOfoMem"] - st0["DropOfoMem"]
    diag("%s: %d segments, window %d, rcvbuf %d: OfoQueued +%d, "
         "DropOfoMem +%d, live_skbs peak +%d (bound %d)" %
         (order, len(offs), win, rcvbuf, queued, dropped, peak, bound))
    check(queued > 0, "OfoQueued did not move")
    check(peak <= bound, "live_skbs grew by %d, more than twice the "
          "receive buffer can hold (%d)" % (peak, bound))
    expect_state(7000, 5100, ESTABLISHED, "after the flood")
    check(read_all(c) == b"", "data readable before the hole was filled")

    # Fill the hole: mytcp ACKs what it holds contiguously, the
    # application reads exactly that.
    f.send(ACK | PSH, data=data[0:1], seq=base, advance=False)
    acks = [s.ack for s in peer.barrier() if f.mine(s) and s.flags & ACK]
    check(acks, "no ACK for the byte filling the hole")
    held = (max(acks, key=lambda a: (a - base) & 0xffffffff) - base) & 0xffffffff
    check(1 <= held <= span + 1, "ACK after the fill covers %d bytes" % held)
    got = read_all(c)
    diag("after the fill: ACKed %d bytes, read %d" % (held, len(got)))
    check(len(got) == held, "read %d bytes, mytcp ACKed %d" % (len(got), held))
    check(got == data[:held], "bytes read differ from the bytes sent")
    # The peer sends the rest (as a sender would retransmit it).
    off = held
    while off < span + 1:
        chunk = data[off:off + 1000]
        f.send(ACK | PSH, data=chunk, seq=base + off, advance=False)
        off += len(chunk)
        peer.barrier()
        got += read_all(c)
    got += read_all(c)
    check(len(got) == span + 1, "read %d bytes in all, the peer sent %d"
          % (len(got), span + 1))
    check(got == data, "the stream read differs from the one sent")
    acks = [s.ack for s in peer.barrier() if f.mine(s) and s.flags & ACK]
    expect_state(7000, 5100, ESTABLISHED, "after the stream")
    live = stats()["live_skbs"] - live0
    check(live <= 16, "live_skbs still %d above the start after reading" % live)
    check(dmesg_bad() == bad0, "WARNING/BUG in dmesg")


def case(order):
    return lambda peer: flood(peer, order)


if __name__ == "__main__":
    run_cases([
        ("ofo flood, %d 1-byte segments ascending behind a hole: bounded, "
         "exact delivery" % NSEG, case("ascending")),
        ("ofo flood, %d 1-byte segments descending behind a hole: bounded, "
         "exact delivery" % NSEG, case("descending")),
        ("ofo flood, 1-byte segments on every other byte behind a hole: "
         "bounded, exact delivery", case("sparse")),
    ])
