#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Segment fuzzing against live connections (issue 14): for each state
# (LISTEN, SYN_SENT, SYN_RCVD, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, CLOSING,
# TIME_WAIT, CLOSE_WAIT, LAST_ACK) the scripted peer of tcp_peer.py drives
# a fresh connection into that state, then sends it seeded random mutated
# segments: any flags, sequence and acknowledgment numbers in and out of
# the windows, every option kind and length (MSS, window scale, SACK
# permitted, timestamps, SACK blocks, unknown and malformed ones), data of
# any size, lying data offsets, truncated and oversized headers, bad
# checksums, and ICMP errors quoting the connection.  After each round:
#
#   * the connection is absent (reset) or in a state reachable from where
#     it was (no nonsense state);
#   * driven properly from there it still works: an unacceptable segment
#     draws an ACK that tells its sequence numbers, data sent at RCV.NXT
#     is delivered and acknowledged, FINs and ACKs close it as RFC 9293
#     says;
#   * once closed, it leaves (TIME_WAIT only for its 2 MSL): none stuck.
#
# After each state, nothing of it is left in /proc/net/mytcp; after the
# run, the global live_socks / live_tw / live_skbs are back (run_cases).
# KASAN, lockdep, UBSAN and kmemleak reports are the VM runner's dmesg
# check (make check-debug runs this file with a longer budget).
#
# Environment:
#   MYTCP_FUZZ_SEED     the seed (default: random, printed); a failure
#                       prints the line that replays it
#   MYTCP_FUZZ_SECONDS  time budget for the whole run, split evenly over the
#                       ten states (default 60)
#   MYTCP_FUZZ_ROUNDS   rounds per state instead of the time budget (exact
#                       replay of a seed)
#   MYTCP_FUZZ_ITERS    mutated segments per round (default 32)
#   MYTCP_KO, MYTCP_CASES as for every tcp_peer.py test (a state's name
#                       selects its case)

import os
import random
import socket
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
import knobs
import tcp_peer
from tcp_peer import (ACK, CLOSE, CLOSE_WAIT, CLOSING, ESTABLISHED, FIN,
                      FIN_WAIT1, FIN_WAIT2, LAST_ACK, LISTEN, PSH, RST, SYN,
                      SYN_RECV, SYN_SENT, TIME_WAIT, abort, accept,
                      build_icmp_error, build_ipv4, build_tcp, check,
                      connect_result, conns, diag, mytcp_socket, opt_mss,
                      opt_nop, opt_raw, opt_sack, opt_sack_perm, opt_ts,
                      opt_wscale, recv_result, run_cases, seq_after,
                      state_name, sysctl)

SEED = int(os.environ.get("MYTCP_FUZZ_SEED") or
           random.SystemRandom().randrange(1 << 32))
RATELIMIT_MS = 20	# net.mytcp.invalid_ratelimit_ms during the run
SECONDS = knobs.get_float("MYTCP_FUZZ_SECONDS")
ROUNDS = int(os.environ.get("MYTCP_FUZZ_ROUNDS", "0"))
ITERS = knobs.get_int("MYTCP_FUZZ_ITERS")
MSL_MS = 1500

M32 = 0xffffffff

# Where a connection may be after the mutations, from where it was (None:
# gone, reset or timed out).
REACHABLE = {
    SYN_SENT: {SYN_SENT, SYN_RECV, ESTABLISHED, CLOSE_WAIT},
    SYN_RECV: {SYN_RECV, ESTABLISHED, CLOSE_WAIT},
    ESTABLISHED: {ESTABLISHED, CLOSE_WAIT},
    CLOSE_WAIT: {CLOSE_WAIT},
    FIN_WAIT1: {FIN_WAIT1, FIN_WAIT2, CLOSING, TIME_WAIT},
    FIN_WAIT2: {FIN_WAIT2, TIME_WAIT},
    CLOSING: {CLOSING, TIME_WAIT},
    LAST_ACK: {LAST_ACK},
    TIME_WAIT: {TIME_WAIT},
}


class Ctx:
    """One round's connection: the app's socket (or listener), the flow
    as the peer sees it, mytcp's first unacknowledged byte as far as the
    peer knows (una), and a segment of mytcp's to quote in ICMP errors."""

    def __init__(self, peer, start):
        self.peer = peer
        self.start = start
        self.sock = None
        self.ls = None
        self.flow = None
        self.una = None
        self.quote = None
        self.log = []


# ---------------------------------------------------------------- mutation

def rand_seq(rng, base, window=65535):
    """A sequence number near base: exact, just around it, in and out of a
    window, half the space away, anything."""
    c = rng.randrange(10)
    if c < 3:
        return base
    if c == 3:
        return (base + rng.choice((-1, 1, 2))) & M32
    if c == 4:
        return (base + rng.randrange(1, window)) & M32
    if c == 5:
        return (base - rng.randrange(1, window)) & M32
    if c == 6:
        return (base + rng.choice((1 << 20, 1 << 30, 1 << 31, -(1 << 20),
                                   -(1 << 30)))) & M32
    if c == 7:
        return (base + rng.randrange(-4096, 4096)) & M32
    return rng.randrange(1 << 32)


def rand_options(rng, ctx):
    f = ctx.flow
    out = b""
    for _ in range(rng.randrange(6)):
        c = rng.randrange(12)
        if c == 0:
            out += opt_mss(rng.choice((0, 1, 47, 48, 536, 1460, 65535,
                                       rng.randrange(1 << 16))))
        elif c == 1:
            out += opt_wscale(rng.choice((0, 7, 14, 15, 255,
                                          rng.randrange(256))))
        elif c == 2:
            out += opt_sack_perm()
        elif c == 3:
            out += opt_ts(rng.randrange(1 << 32),
                          rng.choice((0, rng.randrange(1 << 32))))
        elif c in (4, 5):
            lo = ctx.una if ctx.una is not None else rng.randrange(1 << 32)
            hi = f.rcv_nxt if f.rcv_nxt is not None else lo
            blocks = []
            for _ in range(rng.randrange(1, 5)):
                a = rand_seq(rng, lo if rng.randrange(2) else hi, 8192)
                b = rand_seq(rng, hi if rng.randrange(2) else a, 8192)
                blocks.append((a, b))
            out += opt_sack(blocks)
        elif c == 6:
            out += opt_nop() * rng.randrange(1, 4)
        elif c == 7:
            out += b"\x00"			# EOL: the rest is ignored
        elif c == 8:				# a known kind, wrong length
            out += opt_raw(rng.choice((2, 3, 4, 5, 8)),
                           bytes(rng.randrange(256)
                                 for _ in range(rng.randrange(9))))
        elif c == 9:				# unknown kind
            out += opt_raw(rng.randrange(9, 256),
                           bytes(rng.randrange(256)
                                 for _ in range(rng.randrange(8))))
        elif c == 10:				# length byte lies
            out += bytes((rng.randrange(256),
                          rng.choice((0, 1, 40, 255,
                                      rng.randrange(256)))))
        else:
            out += bytes(rng.randrange(256) for _ in range(rng.randrange(8)))
    return out[:40]


def rand_flags(rng, start):
    c = rng.randrange(10)
    if c < 4:
        return ACK | rng.choice((0, PSH, FIN, PSH | FIN))
    if c == 4:
        return rng.choice((SYN, SYN | ACK, SYN | FIN, SYN | RST))
    if c == 5:		# mostly harmless: most rounds go on past it
        return rng.choice((RST, RST | ACK, ACK, PSH | ACK))
    if c == 6 and start == LISTEN:
        return SYN
    flags = rng.randrange(256)
    return flags if rng.randrange(4) == 0 else flags & ~RST


def rand_data(rng):
    c = rng.randrange(10)
    if c < 5:
        return b""
    if c < 8:
        n = rng.choice((1, 10, 100, 536, 1400))
    elif c == 8:
        n = rng.randrange(1, 1460)
    else:
        n = rng.randrange(1460, 4000)	# beyond any MSS offered
    return bytes(rng.randrange(256) for _ in range(min(n, 64))) * \
        (n // 64 + 1)


def send_mutated(rng, ctx):
    """One mutated TCP segment on ctx's 4-tuple (for a listener: from one
    of a few remote ports)."""
    p, f = ctx.peer, ctx.flow
    rport = f.rport
    if ctx.start == LISTEN:
        rport = 20000 + rng.randrange(8)
    flags = rand_flags(rng, ctx.start)
    seq = rand_seq(rng, f.snd_nxt)
    ack_base = f.rcv_nxt if f.rcv_nxt is not None else rng.randrange(1 << 32)
    ack = rand_seq(rng, ack_base if rng.randrange(3) else
                   (ctx.una if ctx.una is not None else ack_base))
    win = rng.choice((0, 1, 512, 65535, rng.randrange(1 << 16)))
    opts = rand_options(rng, ctx) if rng.randrange(3) else b""
    data = rand_data(rng)
    urg = rng.randrange(1 << 16) if flags & 0x20 else 0
    doff = None
    if rng.randrange(10) == 0:
        doff = rng.randrange(16)
    tcp = build_tcp(p.remote, p.local, rport, f.lport, seq, ack, flags, win,
                    opts, data, doff=doff, urg=urg,
                    bad_csum=rng.randrange(25) == 0)
    tot_len = None
    c = rng.randrange(20)
    if c == 0:				# truncated header
        tcp = tcp[:rng.randrange(min(len(tcp), 40))]
    elif c == 1:			# IP claims more than there is
        tot_len = 20 + len(tcp) + rng.randrange(1, 100)
    elif c == 2:			# IP claims less: the rest is padding
        tot_len = 20 + rng.randrange(len(tcp) + 1)
    ctx.log.append("tcp [%s] seq %u ack %u win %u opts %s len %d doff %s "
                   "tot_len %s" % (tcp_peer.flag_str(flags), seq, ack, win,
                                   opts.hex(), len(data), doff, tot_len))
    p.send_raw(build_ipv4(p.remote, p.local, socket.IPPROTO_TCP, tcp,
                          tot_len=tot_len))


ICMP_KINDS = ((3, 0), (3, 1), (3, 2), (3, 3), (3, 4), (3, 4), (3, 4),
              (3, 13), (11, 0), (11, 1), (12, 0), (4, 0), (5, 1), (0, 0))


def send_icmp(rng, ctx):
    """An ICMP error quoting a segment of the connection, any sequence
    number, any MTU."""
    p, f = ctx.peer, ctx.flow
    seq = rand_seq(rng, ctx.una if ctx.una is not None else
                   (f.rcv_nxt or 0))
    quoted = build_ipv4(p.local, p.remote, socket.IPPROTO_TCP,
                        build_tcp(p.local, p.remote, f.lport, f.rport, seq,
                                  f.snd_nxt, ACK))
    if ctx.quote is not None and rng.randrange(2):
        quoted = tcp_peer.quote_with_seq(ctx.quote, seq)
    typ, code = rng.choice(ICMP_KINDS)
    if rng.randrange(8) == 0:
        typ, code = rng.randrange(256), rng.randrange(16)
    mtu = rng.choice((0, 1, 68, 300, 576, 1280, 1500, 65535,
                      rng.randrange(1 << 16)))
    body = build_icmp_error(quoted, typ, code, mtu,
                            bad_csum=rng.randrange(10) == 0)
    if rng.randrange(8) == 0:
        body = body[:rng.randrange(8, len(body))]	# short quote
    ctx.log.append("icmp %d/%d mtu %d seq %u len %d" % (typ, code, mtu, seq,
                                                        len(body)))
    p.send_raw(build_ipv4("10.0.9.254", p.local, socket.IPPROTO_ICMP, body))


# ---------------------------------------------------------------- states

def syn_options(rng):
    o = opt_mss(rng.choice((536, 1400, 1460)))
    if rng.randrange(2):
        o += opt_sack_perm()
    if rng.randrange(2):
        o += opt_ts(rng.randrange(1 << 32), 0)
    if rng.randrange(2):
        o += opt_nop() + opt_wscale(rng.randrange(15))
    return o


def sname(s):
    return state_name(s) if s else "gone"


def st(ctx):
    """The connection's state in /proc/net/mytcp (None: gone)."""
    f = ctx.flow
    # The app's socket stays listed as CLOSE (explicitly bound) next to
    # the TIME_WAIT entry that took its connection over.
    s = [c["st"] for c in conns() if c["lport"] == f.lport and
         c["rport"] == f.rport and c["st"] != CLOSE]
    check(len(s) <= 1, "several entries for one 4-tuple: %s"
          % [state_name(x) for x in s])
    return s[0] if s else None


def wait_st(ctx, want, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        s = st(ctx)
        if s == want:
            return
        check(time.monotonic() < deadline, "state %s, want %s" % (
            sname(s), sname(want)))
        time.sleep(0.02)


def send_app_data(ctx, n=3000):
    """The app sends n bytes, the peer does not ACK them: a retransmit
    queue for the ACKs and SACK blocks to work on."""
    # No Nagle: every byte goes out now (no ACK comes to release a tail).
    ctx.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    ctx.sock.send(b"d" * n)
    got = 0
    while got < n:
        seg = ctx.flow.expect(lambda x: x.payload, what="app data")
        if ctx.una is None:
            ctx.una = seg.seq
        ctx.flow.track(seg)
        ctx.quote = seg
        got += len(seg.payload)


def setup(peer, rng, start, rnd):
    ctx = Ctx(peer, start)
    rport = 10000 + rnd % 40000
    lport = 7000 + rnd % 3000
    if start == LISTEN:
        ctx.ls = tcp_peer.listener(peer, lport)
        ctx.flow = peer.flow(lport, 20000)
        return ctx
    if start == SYN_SENT:
        s = mytcp_socket()
        s.bind((peer.local, 0))
        r = connect_result(s, (peer.remote, rport))
        check(r == "EINPROGRESS", "connect: %s" % r)
        ctx.sock = s
        ctx.flow = f = peer.flow(s.getsockname()[1], rport,
                                 rng.randrange(1 << 32))
        ctx.quote = f.track(f.expect_flags(SYN))
        ctx.una = ctx.quote.seq
        return ctx
    if start == SYN_RECV:
        ctx.ls = tcp_peer.listener(peer, lport)
        ctx.flow = f = peer.flow(lport, rport, rng.randrange(1 << 32))
        f.send(SYN, options=syn_options(rng))
        ctx.quote = f.track(f.expect_flags(SYN | ACK))
        ctx.una = ctx.quote.seq
        wait_st(ctx, SYN_RECV)
        return ctx
    s, f = tcp_peer.active_open(peer, rport, rng.randrange(1 << 32),
                                syn_options=syn_options(rng))
    ctx.sock, ctx.flow = s, f
    if start in (ESTABLISHED, CLOSE_WAIT, FIN_WAIT1) and rng.randrange(2):
        send_app_data(ctx, rng.choice((100, 1000, 3000)))
    if start in (CLOSE_WAIT, LAST_ACK):
        f.send(FIN | ACK)
        f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of the FIN")
        wait_st(ctx, CLOSE_WAIT)
        if start == LAST_ACK:
            s.shutdown(socket.SHUT_WR)
            ctx.quote = f.track(f.expect_flags(FIN | ACK))
            wait_st(ctx, LAST_ACK)
        return ctx
    if start == ESTABLISHED:
        return ctx
    # FIN_WAIT1 and after
    s.shutdown(socket.SHUT_WR)
    fin = f.expect(lambda x: x.flags & FIN, what="FIN")
    ctx.quote = f.track(fin)
    if start == FIN_WAIT1:
        wait_st(ctx, FIN_WAIT1)
    elif start == CLOSING:
        f.send(FIN | ACK, ack=fin.seq)		# ours not acknowledged
        f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of the FIN")
        wait_st(ctx, CLOSING)
    else:
        f.send(ACK)
        wait_st(ctx, FIN_WAIT2)
        if start == TIME_WAIT:
            f.send(FIN | ACK)
            f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of the FIN")
            wait_st(ctx, TIME_WAIT)
    ctx.una = ctx.una if ctx.una is not None else fin.seq
    return ctx


# ---------------------------------------------------------------- checks

def resync(ctx):
    """An unacceptable segment (far outside the window) draws an ACK
    <SEQ=SND.NXT><ACK=RCV.NXT> in every synchronized state, TIME_WAIT
    too: the peer takes mytcp's sequence numbers from it.  False: the
    connection answered with a RST or went away."""
    f = ctx.flow
    f.peer.barrier()
    time.sleep(RATELIMIT_MS / 1000 * 1.5)
    f.send(ACK | PSH, data=b"?", seq=(f.snd_nxt + (1 << 30)) & M32,
           advance=False)
    ans = f.answers(rtx=True)
    if st(ctx) is None:
        return False
    acks = [a for a in ans if a.flags & ACK and not a.flags & (RST | SYN)]
    check(acks, "no ACK for an unacceptable segment in %s (answers %s)"
          % (sname(st(ctx)), ans))
    a = acks[-1]
    f.snd_nxt = a.ack
    # SND.NXT may have gone back below what mytcp already sent (an ICMP
    # "fragmentation needed" retransmits from SND.UNA): the peer, which
    # got it all, acknowledges the highest it saw.
    end = (a.seq + a.seg_len) & M32
    if f.rcv_nxt is None or seq_after(end, f.rcv_nxt):
        f.rcv_nxt = end
    return True


def drain(s):
    while True:
        r = recv_result(s)
        if not isinstance(r, bytes) or not r:
            return


def tcpi_state(s):
    return s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0]


def app_sock(ctx):
    """The app's socket; a passive child is accept()ed first.  An earlier
    child of the same 4-tuple may wait in the accept queue, reset (an
    exact RST, then a new SYN made a new child): skipped."""
    deadline = time.monotonic() + 5
    while ctx.sock is None and ctx.ls is not None:
        c, _ = accept(ctx.ls)
        if c is not None and tcpi_state(c) == CLOSE:
            abort(c)
        elif c is not None:
            ctx.sock = c
        else:
            check(time.monotonic() < deadline,
                  "synchronized child not accepted")
            time.sleep(0.02)
    return ctx.sock


def works_established(ctx):
    """Data at RCV.NXT is delivered and acknowledged."""
    f = ctx.flow
    drain(app_sock(ctx))
    f.send(ACK | PSH, data=b"ping")
    buf = b""
    deadline = time.monotonic() + 5
    while len(buf) < 4 and time.monotonic() < deadline:
        r = recv_result(ctx.sock)
        if isinstance(r, bytes) and r:
            buf += r
        elif r == "EAGAIN":
            time.sleep(0.02)
        else:
            break
    check(buf.startswith(b"ping"), "data at RCV.NXT: read %r" % buf[:40])
    f.expect(lambda x: x.flags & ACK and not seq_after(f.snd_nxt, x.ack),
             what="ACK of the data", rtx=True)


def drive(ctx):
    """Drive the connection from wherever it is to closed (or TIME_WAIT),
    checking that it answers as RFC 9293 says on the way."""
    f = ctx.flow
    s = st(ctx)
    if s == SYN_SENT:
        f.send(SYN | ACK, options=opt_mss(1460))
        wait_st(ctx, ESTABLISHED)
        s = ESTABLISHED
    if s is None or not resync(ctx):
        return "gone"
    s = st(ctx)
    if s == SYN_RECV:
        f.send(ACK)
        wait_st(ctx, ESTABLISHED)
        s = ESTABLISHED
    if s == ESTABLISHED:
        works_established(ctx)
        abort(ctx.sock)
        f.expect(lambda x: x.flags & RST, what="RST of the abort",
                 rtx=True)
    elif s == CLOSE_WAIT:
        abort(app_sock(ctx))
        f.expect(lambda x: x.flags & RST, what="RST of the abort",
                 rtx=True)
    elif s in (FIN_WAIT1, FIN_WAIT2):
        f.send(FIN | ACK)
        f.expect(lambda x: x.flags & ACK and x.ack == f.snd_nxt,
                 what="ACK of the peer's FIN", rtx=True)
        wait_st(ctx, TIME_WAIT)
    elif s == CLOSING:
        f.send(ACK)
        wait_st(ctx, TIME_WAIT)
    elif s == LAST_ACK:
        f.send(ACK)
        wait_st(ctx, None)
    elif s == TIME_WAIT:
        # TIME_WAIT's ACKs are rate limited: wait out the interval.
        time.sleep(RATELIMIT_MS / 1000 * 1.5)
        f.send(FIN | ACK, seq=(f.snd_nxt - 1) & M32, advance=False)
        f.expect(lambda x: x.flags & ACK and x.ack == f.snd_nxt,
                 what="ACK of the FIN again in TIME_WAIT", rtx=True)
    else:
        raise AssertionError("unexpected state %s" % sname(s))
    return state_name(s)


def drive_listener(ctx, rnd):
    """The listener still takes a proper connection; closing it resets
    whatever children the mutations made."""
    port = ctx.flow.lport
    check(LISTEN in [c["st"] for c in conns() if c["lport"] == port and
                     c["rport"] == 0], "listener on %d gone" % port)
    c, f = tcp_peer.passive_open(ctx.peer, ctx.ls, 30000 + rnd % 30000,
                                 data=b"hello")
    buf = b""
    deadline = time.monotonic() + 5
    while len(buf) < 5 and time.monotonic() < deadline:
        r = recv_result(c)
        if isinstance(r, bytes) and r:
            buf += r
        else:
            time.sleep(0.02)
    check(buf == b"hello", "data on a proper connection: %r" % buf)
    abort(c)
    abort(ctx.ls)
    return "LISTEN"


def gone_wait(pred, what, timeout):
    deadline = time.monotonic() + timeout
    while True:
        left = [c for c in conns() if pred(c)]
        if not left:
            return
        if time.monotonic() > deadline:
            raise AssertionError("%s stuck: %s" % (
                what, "; ".join(c["line"] for c in left[:5])))
        time.sleep(0.05)


def one_round(peer, rng, start, rnd, stats):
    ctx = setup(peer, rng, start, rnd)
    peer.barrier()
    for _ in range(ITERS):
        if rng.randrange(8) == 0:
            send_icmp(rng, ctx)
        else:
            send_mutated(rng, ctx)
    peer.barrier()
    try:
        if start == LISTEN:
            outcome = drive_listener(ctx, rnd)
        else:
            s = st(ctx)
            check(s is None or s in REACHABLE[start],
                  "after the mutations: %s, from %s" % (
                      sname(s), state_name(start)))
            outcome = drive(ctx)
    except AssertionError:
        for line in ctx.log:
            diag("  sent: " + line)
        raise
    stats[outcome] = stats.get(outcome, 0) + 1
    for s in (ctx.sock, ctx.ls):
        if s is not None:
            abort(s)
    port = ctx.flow.lport
    # Nothing but TIME_WAIT stays on the round's port.
    gone_wait(lambda c: c["lport"] == port and c["st"] != TIME_WAIT,
              "round %d's connections" % rnd, 10)


def fuzz_case(start):
    name = state_name(start)

    def case(peer):
        rng = random.Random("%d-%s" % (SEED, name))
        # The limits on answers stay on but short: resync() waits out
        # invalid_ratelimit_ms before its probe (hostile_seg.py tests them).
        for k, v in (("challenge_ack_limit", 1000000), ("msl_ms", MSL_MS),
                     ("invalid_ratelimit_ms", RATELIMIT_MS)):
            sysctl(k, v)
        budget = SECONDS / len(STATES)
        t_end = time.monotonic() + budget
        rnd = 0
        stats = {}
        while (rnd < ROUNDS) if ROUNDS else \
                (rnd == 0 or time.monotonic() < t_end):
            try:
                one_round(peer, rng, start, rnd, stats)
            except AssertionError as e:
                raise AssertionError(
                    "%s\nreplay: MYTCP_FUZZ_SEED=%d MYTCP_FUZZ_ROUNDS=%d "
                    "MYTCP_FUZZ_ITERS=%d MYTCP_CASES=%s" % (
                        e, SEED, rnd + 1, ITERS, "fuzz " + name + ":"))
            rnd += 1
        diag("%s: %d rounds of %d segments; driven from: %s" % (
            name, rnd, ITERS, ", ".join("%s %d" % kv
                                         for kv in sorted(stats.items()))))
        # Every TIME_WAIT entry ends after 2 MSL; nothing else is left.
        gone_wait(lambda c: True, "connections of " + name,
                  2 * MSL_MS / 1000.0 + 10)
    return ("fuzz %s: mutated segments, then still works or reset" % name,
            case)


STATES = (LISTEN, SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT1, FIN_WAIT2,
          CLOSING, TIME_WAIT, CLOSE_WAIT, LAST_ACK)

if __name__ == "__main__":
    print("# fuzz: MYTCP_FUZZ_SEED=%d MYTCP_FUZZ_SECONDS=%g "
          "MYTCP_FUZZ_ROUNDS=%d MYTCP_FUZZ_ITERS=%d" % (SEED, SECONDS,
                                                        ROUNDS, ITERS),
          flush=True)
    run_cases([fuzz_case(x) for x in STATES])
