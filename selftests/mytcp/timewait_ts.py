#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# TIME_WAIT with timestamps (RFC 7323), segment by segment, against mytcp
# and against Linux TCP (AF_INET) in the same namespace: both must answer
# the same way.
#
#  - the ACK a TIME_WAIT entry sends (to a retransmitted FIN) carries the
#    timestamp option (RFC 7323 3.2: once negotiated, on every segment):
#    TSval our clock, TSecr still the TSval of the FIN that ended the
#    connection - the retransmitted FIN lies below Last.ACK.sent, so it
#    does not update TS.Recent (RFC 7323 4.3);
#  - PAWS applies in TIME_WAIT: data with an old TSval is only ACKed,
#    with TSecr still the newest TSval, never the old one;
#  - a SYN whose sequence number is not above RCV.NXT but whose TSval is
#    newer than TS.Recent starts a new connection (RFC 6191), one with an
#    older TSval does not;
#  - without timestamps the ACK has no option;
#  - a client that reconnects from one port to a server that closed
#    first gets through the server's TIME_WAIT every time: the TSval
#    clock's offset is one per address pair (Linux's secure_tcp_ts_off()),
#    not one per connection, so PAWS never rejects the new SYN.
#
# Both stacks rate limit TIME_WAIT ACKs (net.mytcp.invalid_ratelimit_ms,
# net.ipv4.tcp_invalid_ratelimit): the cases set both to 0.

import os
import select
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
from tcp_peer import (ACK, FIN, PSH, SYN, SYN_RECV, TIME_WAIT, accept_wait,
                      check, expect_state, mytcp_socket, opt_mss, opt_nop,
                      opt_ts, run_cases, sysctl)

TS0 = 1000000		# the peer's first TSval


_KEEP = []	# Linux listeners stay open until the case ends


def _linux_listener(peer, port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    _KEEP.append(ls)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((peer.local, port))
    ls.listen(16)
    ls.setblocking(False)
    return ls


def _mytcp_listener(peer, port):
    ls = mytcp_socket()
    ls.bind((peer.local, port))
    ls.listen(16)
    return ls


STACKS = {"mytcp": _mytcp_listener, "linux": _linux_listener}


def _no_ratelimit():
    sysctl("invalid_ratelimit_ms", 0)
    with open("/proc/sys/net/ipv4/tcp_invalid_ratelimit", "w") as f:
        f.write("0")


def _ts(tsval, tsecr=0):
    return opt_nop() + opt_nop() + opt_ts(tsval, tsecr)


def _to_time_wait(peer, stack, port, rport, ts=True):
    """Passive open with (or without) timestamps, the local side closes
    first, the peer's FIN: TIME_WAIT.  The listener stays open (a SYN may
    end the wait).  Returns (flow, last ACK, TSval of the peer's FIN)."""
    ls = STACKS[stack](peer, port)
    f = peer.flow(port, rport, 3000000)
    syn_opts = opt_mss(1400) + (_ts(TS0) if ts else b"")
    f.send(SYN, options=syn_opts)
    sa = f.track(f.expect_flags(SYN | ACK, pred=lambda x: x.ack == f.snd_nxt))
    check((sa.ts is not None) == ts, "SYN,ACK timestamps: %s" % (sa.ts,))
    their = sa.ts[0] if ts else 0
    f.send(ACK, options=_ts(TS0 + 1, their) if ts else b"")
    c = accept_wait(ls)
    check(c is not None, "accept() returned nothing")
    c.close()
    fin = f.track(f.expect_flags(FIN | ACK))
    their = fin.ts[0] if ts else 0
    f.send(FIN | ACK, options=_ts(TS0 + 2, their) if ts else b"")
    a = f.expect(lambda x: x.ack == f.snd_nxt, what="last ACK")
    if stack == "mytcp":
        expect_state(port, rport, TIME_WAIT)
    return f, a, TS0 + 2


def _refin(peer, stack, port):
    _no_ratelimit()
    f, a, tsv = _to_time_wait(peer, stack, port, 5001)
    check(a.ts is not None and a.ts[1] == tsv,
          "%s: last ACK's timestamps %s, want TSecr %u" % (stack, a.ts, tsv))
    # The peer lost that ACK: its FIN again, with a newer TSval.
    f.send(FIN | ACK, seq=f.snd_nxt - 1, advance=False,
           options=_ts(tsv + 5, a.ts[0]))
    r = f.answers()
    check(len(r) == 1 and r[0].flags & ~PSH == ACK and
          r[0].ack == f.snd_nxt, "%s: answer to the FIN again: %s" %
          (stack, r))
    check(r[0].ts is not None, "%s: TIME_WAIT ACK without timestamps" %
          stack)
    check(r[0].ts[1] == tsv, "%s: TIME_WAIT ACK TSecr %u, want %u" %
          (stack, r[0].ts[1], tsv))
    check(((r[0].ts[0] - a.ts[0]) & 0xffffffff) < 0x80000000,
          "%s: TSval went back: %u after %u" % (stack, r[0].ts[0], a.ts[0]))
    if stack == "mytcp":
        expect_state(port, 5001, TIME_WAIT)


def refin_mytcp(peer):
    _refin(peer, "mytcp", 7000)


def refin_linux(peer):
    _refin(peer, "linux", 7001)


def _paws(peer, stack, port):
    _no_ratelimit()
    f, a, tsv = _to_time_wait(peer, stack, port, 5002)
    # Data with an old TSval (a delayed duplicate from the connection).
    f.send(ACK | PSH, data=b"old", seq=f.snd_nxt - 1, advance=False,
           options=_ts(tsv - 100, a.ts[0]))
    r = f.answers()
    check(len(r) == 1 and r[0].flags & ~PSH == ACK and
          r[0].ack == f.snd_nxt, "%s: answer to an old duplicate: %s" %
          (stack, r))
    check(r[0].ts is not None and r[0].ts[1] == tsv,
          "%s: TSecr after a PAWS failure %s, want %u (TS.Recent kept)" %
          (stack, r[0].ts, tsv))
    if stack == "mytcp":
        expect_state(port, 5002, TIME_WAIT)


def paws_mytcp(peer):
    _paws(peer, "mytcp", 7000)


def paws_linux(peer):
    _paws(peer, "linux", 7001)


def _syn_by_ts(peer, stack, port):
    """RFC 6191: a SYN with sequence number at or below RCV.NXT but a newer
    TSval ends the wait; one with an older TSval does not."""
    _no_ratelimit()
    f, a, tsv = _to_time_wait(peer, stack, port, 5003)
    low = (f.snd_nxt - 1000) & 0xffffffff
    # Older TSval: PAWS says old duplicate; no new connection.
    f.peer.send_segment(5003, port, SYN, low, 0,
                        options=opt_mss(1400) + _ts(tsv - 10))
    r = f.answers()
    check(not any(s.flags & SYN for s in r),
          "%s: SYN with an old TSval opened a connection: %s" % (stack, r))
    # Newer TSval: a new incarnation although the ISN is low.
    g = peer.flow(port, 5003, iss=low)
    g.send(SYN, options=opt_mss(1400) + _ts(tsv + 1000))
    sa = g.track(g.expect(lambda x: x.flags & SYN, what="SYN,ACK"))
    check(sa.flags == SYN | ACK and sa.ack == g.iss + 1,
          "%s: answer to the new SYN: %s" % (stack, sa))
    if stack == "mytcp":
        expect_state(port, 5003, SYN_RECV)


def syn_by_ts_mytcp(peer):
    _syn_by_ts(peer, "mytcp", 7000)


def syn_by_ts_linux(peer):
    _syn_by_ts(peer, "linux", 7001)


def no_ts(peer):
    """Without timestamps the TIME_WAIT ACK has no option (both stacks)."""
    _no_ratelimit()
    for stack, port in (("mytcp", 7000), ("linux", 7001)):
        f, _, _ = _to_time_wait(peer, stack, port, 5004, ts=False)
        f.send(FIN | ACK, seq=f.snd_nxt - 1, advance=False)
        r = f.answers()
        check(len(r) == 1 and r[0].ts is None and r[0].doff == 5,
              "%s: answer without timestamps: %s" % (stack, r))


def _reconnect(linux, rounds=24):
    """A client reconnects from one port to a server that closed first:
    each new SYN meets the server's TIME_WAIT entry of the last
    connection, which takes it only if its TSval is not older than the
    last one seen (PAWS).  Linux's TSval offset is one per address pair
    (secure_tcp_ts_off()), so this always works; a random offset per
    connection fails it half the time, and the connect hangs until the
    entry expires."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)

    def mk():
        if linux:
            return socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        return mytcp_socket(blocking=True)
    ls = mk()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 7400 + linux))
    ls.listen(4)
    ls.settimeout(5)
    who = "Linux" if linux else "mytcp"
    for i in range(rounds):
        c = mk()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind(("127.0.0.1", 40400 + linux))
        c.setblocking(False)
        try:
            c.connect(("127.0.0.1", 7400 + linux))
        except BlockingIOError:
            pass
        _, w, _ = select.select([], [c], [], 3.0)
        err = c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) if w else -1
        v = c.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
        rtx = int.from_bytes(v[100:104], "little")	# tcpi_total_retrans
        check(w and err == 0 and rtx == 0,
              "%s: round %d: connect through the server's TIME_WAIT: %s, "
              "SYN retransmissions %d" % (who, i, "no answer in 3 s" if not
                                          w else "error %d" % err, rtx))
        a, _ = ls.accept()
        a.close()			# the server closes first
        c.settimeout(5)
        c.recv(10)
        c.close()
        time.sleep(0.05)		# the client's LAST_ACK ends
    ls.close()
    print("# %s: %d rounds through the server's TIME_WAIT" % (who, i + 1))


def reconnect_mytcp(_peer):
    _reconnect(False)


def reconnect_linux(_peer):
    _reconnect(True)


CASES = [
    ("TIME_WAIT ACK carries timestamps (mytcp)", refin_mytcp),
    ("TIME_WAIT ACK carries timestamps (Linux)", refin_linux),
    ("TIME_WAIT PAWS: old duplicate ACKed, TS.Recent kept (mytcp)",
     paws_mytcp),
    ("TIME_WAIT PAWS: old duplicate ACKed, TS.Recent kept (Linux)",
     paws_linux),
    ("TIME_WAIT: a newer TSval lets a low-ISN SYN in (mytcp)",
     syn_by_ts_mytcp),
    ("TIME_WAIT: a newer TSval lets a low-ISN SYN in (Linux)",
     syn_by_ts_linux),
    ("TIME_WAIT without timestamps: plain ACK (both)", no_ts),
    ("reconnect from one port through the server's TIME_WAIT: our TSval "
     "clock is one per address pair (mytcp)", reconnect_mytcp),
    ("reconnect from one port through the server's TIME_WAIT (Linux)",
     reconnect_linux),
]

if __name__ == "__main__":
    run_cases(CASES)
