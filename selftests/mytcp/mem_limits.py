#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Global limits (issue 14 item 6): net.mytcp.mem (memory of all mytcp
# sockets, in pages, like tcp_mem), net.mytcp.max_orphans and
# net.mytcp.orphan_retries, against a peer that never opens its window
# (scripted peer of tcp_peer.py, TUN) and a bulk transfer under pressure.
# Read from /proc/net/mytcp_stat: mem_pages (pages charged, per-CPU
# reserves included), mem_pressure, orphans (global), and the namespace's
# MemoryPressures, DropMemory, SendMemoryWaits, AbortOnMemory.
#
#   - a zero-window orphan whose peer ACKs every probe dies after
#     orphan_retries probes, with a RST; open, it persists;
#   - MYTCP_MEM_CONNS (200) connections to a zero-window peer, each with
#     data queued, then closed: memory stays within the hard limit (plus
#     the documented per-socket minimum), orphans beyond max_orphans are
#     reset (AbortOnMemory), all orphans die, mem_pages and orphans return
#     to where they were;
#   - net.mytcp.mem set low: MYTCP_MEM_BULK_CONNS (4) transfers of
#     MYTCP_MEM_BULK_BYTES (2 MiB) over lo complete intact, pressure is
#     entered, waits/drops are counted, memory sampled during the transfer
#     stays within the bound; with the limit restored a transfer meets no
#     limit and the pressure is over;
#   - invalid values are refused (EINVAL, nothing changes) and the global
#     knobs do not exist in other network namespaces.
#
# The global knobs live in the initial namespace only; the cases run in
# their own, so they are reached through descriptors opened before.

import errno
import hashlib
import os
import socket
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
import knobs
import tcp_peer  # noqa: E402
from tcp_peer import (ACK, RST, ESTABLISHED, TIME_WAIT, StatDelta,  # noqa: E402
                      active_open, check, conns, diag, expect_state,
                      mytcp_socket, run_cases, stats, sysctl)

CONNS = knobs.get_int("MYTCP_MEM_CONNS")
BULK_CONNS = knobs.get_int("MYTCP_MEM_BULK_CONNS")
BULK_BYTES = knobs.get_int("MYTCP_MEM_BULK_BYTES")
WAIT = knobs.get_int("MYTCP_MEM_WAIT")

GLOBAL = {"mem": "/proc/sys/net/mytcp/mem",
          "max_orphans": "/proc/sys/net/mytcp/max_orphans",
          "pcpu_rsv": "/proc/sys/net/core/mem_pcpu_rsv"}
_fd = {}
_saved = {}


def gopen():
    for k, p in GLOBAL.items():
        try:
            _fd[k] = os.open(p, os.O_RDWR)
        except FileNotFoundError:
            if k != "pcpu_rsv":
                raise
    for k in _fd:
        _saved[k] = gget(k)


def gget(name):
    return os.pread(_fd[name], 256, 0).decode().split()


def gset(name, value):
    os.pwrite(_fd[name], (str(value) + "\n").encode(), 0)


def grestore():
    for k, v in _saved.items():
        gset(k, " ".join(v))


def pcpu_slack():
    """Pages CPUs may hold in reserve outside the global count (the
    limit checks see only that one): net.core.mem_pcpu_rsv per CPU (256,
    also its minimum; 6.1 has no sysctl)."""
    rsv = int(gget("pcpu_rsv")[0]) if "pcpu_rsv" in _fd else 256
    return rsv * (os.cpu_count() or 1)


def mem_now():
    return stats()["mem_pages"]


def wait_back(base, timeout=15.0):
    """mem_pages and orphans back to base (sockets are freed after an RCU
    grace period)."""
    deadline = time.monotonic() + timeout
    while True:
        st = stats()
        now = (st["mem_pages"], st["orphans"])
        if now == base or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    check(now == base, "mem_pages, orphans %s, were %s" % (now, base))


def is_probe(f, seg):
    """A zero-window probe: no data, sequence below what the peer has."""
    return (f.mine(seg) and not seg.flags & RST and seg.seg_len == 0 and
            ((f.rcv_nxt - seg.seq) & 0xffffffff) == 1)


# ------------------------------------------------------------------ cases

def zero_window_orphan(peer):
    sysctl("rto_min_ms", 200)
    sysctl("rto_max_ms", 200)
    sysctl("orphan_retries", 3)
    d = StatDelta()
    s, f = active_open(peer, rport=5000, synack_win=0)
    s.send(b"q" * 4000)
    # Open: it persists however many probes the peer ACKs shut.
    probes = 0
    while probes < 6:
        seg = f.expect(lambda x: x.seg_len == 0, timeout=10,
                       what="zero-window probe")
        check(is_probe(f, seg), "not a probe: %s" % seg)
        probes += 1
        f.send(ACK, win=0)
    expect_state(f.lport, f.rport, ESTABLISHED)
    s.close()
    tcp_peer._sockets.remove(s)
    # Closed: an orphan; it dies after orphan_retries (3) more probes.
    after = 0
    deadline = time.monotonic() + 30
    rst = None
    while time.monotonic() < deadline:
        seg = f.expect(timeout=30, what="probe or RST")
        if seg.flags & RST:
            rst = seg
            break
        if is_probe(f, seg):
            after += 1
            f.send(ACK, win=0)
    check(rst is not None, "no RST: the orphan lives on")
    check(after <= 4, "%d probes after close, orphan_retries 3" % after)
    check(not [c for c in conns() if c["lport"] == f.lport],
          "the orphan is still there")
    check(d["Timeouts"] >= 1, "Timeouts did not move")


def many_orphans(peer):
    base_st = stats()
    base = (base_st["mem_pages"], base_st["orphans"])
    hard = max(4 * CONNS, 256)
    allowed = CONNS // 2
    try:
        gset("mem", "%d %d %d" % (hard // 2, hard * 3 // 4, hard))
        gset("max_orphans", base[1] + allowed)
        sysctl("orphan_retries", 3)
        # No probe before all are closed (the persist timer starts at the
        # RTO: 60 s), then every 200 ms: the peer need not answer a flood
        # while it makes the connections.
        sysctl("rto_max_ms", 60000)
        sysctl("rto_min_ms", 60000)
        d = StatDelta()
        # Beyond the hard limit: one small skb per socket with nothing
        # queued, its FIN and a page of forward allocation (3 pages), and
        # the skb that crossed the limit (64 KiB of data: up to 33 pages).
        bound = hard + 3 * CONNS + 33 + pcpu_slack()
        flows, socks, peak, queued = {}, [], 0, 0
        for i in range(CONNS):
            s, f = active_open(peer, rport=10000 + i, synack_win=0)
            try:
                queued += s.send(b"z" * 65536)
            except BlockingIOError:
                pass
            flows[f.lport] = f
            socks.append(s)
            peak = max(peak, mem_now())
        diag("%d connections, %d bytes queued, peak %d pages, hard %d, "
             "bound %d" % (CONNS, queued, peak, hard, bound))
        check(peak <= bound, "mem_pages peaked at %d, bound %d" %
              (peak, bound))
        check(d["MemoryPressures"] >= 1, "no memory pressure entered")
        check(d["SendMemoryWaits"] >= 1, "no send waited for memory")
        # Probes from now on come every 200 ms (the first after the RTO).
        sysctl("rto_max_ms", 200)
        t_close = time.monotonic()
        for s in socks:
            s.close()
            tcp_peer._sockets.remove(s)
            orph = stats()["orphans"]
            check(orph <= base[1] + allowed, "%d orphans, max_orphans %d" %
                  (orph, base[1] + allowed))
        check(d["AbortOnMemory"] >= CONNS - allowed,
              "AbortOnMemory %d, want >= %d" % (d["AbortOnMemory"],
                                                CONNS - allowed))
        # All die, whatever the peer answers (it ACKs what probes it
        # reads, window shut).
        deadline = time.monotonic() + WAIT
        left = flows
        while time.monotonic() < deadline:
            seg = peer.expect_segment(0.3, lambda x: x.src == peer.local)
            if seg is not None:
                f = flows.get(seg.sport)
                if f and is_probe(f, seg):
                    f.send(ACK, win=0)
                peak = max(peak, mem_now())
                continue
            left = {c["lport"] for c in conns()
                    if c["lport"] in flows and c["st"] != TIME_WAIT}
            if not left:
                break
        check(not left, "%d orphans still alive after %ds" %
              (len(left), WAIT))
        diag("all orphans gone %.1fs after the first close" %
             (time.monotonic() - t_close))
        check(peak <= bound, "mem_pages peaked at %d, bound %d" %
              (peak, bound))
        diag("AbortOnMemory %d, Timeouts %d, ZeroWindowProbes %d" %
             (d["AbortOnMemory"], d["Timeouts"], d["ZeroWindowProbes"]))
    finally:
        grestore()
    wait_back(base)


PATTERN = bytes(range(256)) * 1024


def payload(n):
    return (PATTERN * (n // len(PATTERN) + 1))[:n]


def bulk(nconns, nbytes):
    """nconns transfers of nbytes over lo; returns the peak mem_pages seen
    while they ran."""
    data = payload(nbytes)
    want = hashlib.sha256(data).hexdigest()
    ls = mytcp_socket(blocking=True)
    ls.bind(("127.0.0.1", 0))
    ls.listen(nconns)
    port = ls.getsockname()[1]
    got, errs, peak = {}, [], [0]
    done = threading.Event()

    def reader(c, i):
        h, n = hashlib.sha256(), 0
        try:
            c.settimeout(120)
            while True:
                b = c.recv(262144)
                if not b:
                    break
                h.update(b)
                n += len(b)
        except OSError as e:
            errs.append("reader %d: %s" % (i, e))
        got[i] = (n, h.hexdigest())
        c.close()

    def writer(i):
        try:
            s = mytcp_socket(blocking=True)
            s.settimeout(120)
            s.connect(("127.0.0.1", port))
            s.sendall(data)
            # Not close() with data queued: above the hard limit that
            # resets the connection (an orphan holding memory, as Linux's
            # tcp_check_oom); wait for the reader's end instead.
            s.shutdown(socket.SHUT_WR)
            if s.recv(1) != b"":
                errs.append("writer %d: data from the reader" % i)
            s.close()
        except OSError as e:
            errs.append("writer %d: %s" % (i, e))

    def sampler():
        while not done.is_set():
            peak[0] = max(peak[0], mem_now())
            time.sleep(0.005)

    smp = threading.Thread(target=sampler)
    smp.start()
    ws = [threading.Thread(target=writer, args=(i,)) for i in range(nconns)]
    for w in ws:
        w.start()
    rs = []
    for i in range(nconns):
        c, _ = ls.accept()
        r = threading.Thread(target=reader, args=(c, i))
        r.start()
        rs.append(r)
    for t in ws + rs:
        t.join()
    done.set()
    smp.join()
    ls.close()
    check(not errs, "; ".join(errs))
    for i in range(nconns):
        check(got.get(i) == (nbytes, want), "transfer %d: %s bytes, %s" %
              (i, got.get(i, (0,))[0], "intact" if got.get(i, (0, 0))[1] ==
               want else "corrupt"))
    return peak[0]


def bulk_under_pressure(peer):
    sysctl("rto_min_ms", 20)
    sysctl("rto_initial_ms", 1000)
    sysctl("rto_max_ms", 1000)
    base_st = stats()
    base = (base_st["mem_pages"], base_st["orphans"])
    hard = 256
    try:
        gset("mem", "%d %d %d" % (hard // 2, hard * 3 // 4, hard))
        d = StatDelta()
        t0 = time.monotonic()
        peak = bulk(BULK_CONNS, BULK_BYTES)
        # Beyond the hard limit: per socket the in-order skb taken with
        # nothing to read and the small skb of an empty write queue (a
        # 64 KiB skb costs up to 33 pages), FIN and a page of forward
        # allocation, and the one skb that crossed the limit.
        bound = hard + 2 * BULK_CONNS * (33 + 3) + 33 + pcpu_slack()
        diag("limited: %.1fs, peak %d pages (hard %d, bound %d), "
             "MemoryPressures %d, DropMemory %d, SendMemoryWaits %d" %
             (time.monotonic() - t0, peak, hard, bound,
              d["MemoryPressures"], d["DropMemory"], d["SendMemoryWaits"]))
        check(peak <= bound, "mem_pages peaked at %d, bound %d" %
              (peak, bound))
        check(d["MemoryPressures"] >= 1, "no memory pressure entered")
        check(d["DropMemory"] + d["SendMemoryWaits"] >= 1,
              "the limit never refused memory")
    finally:
        grestore()
    wait_back(base)
    check(stats()["mem_pressure"] == 0, "still under memory pressure")
    d = StatDelta()
    t0 = time.monotonic()
    peak = bulk(2, 1 << 20)
    diag("restored: %.1fs, peak %d pages" % (time.monotonic() - t0, peak))
    d.expect(DropMemory=0, SendMemoryWaits=0, MemoryPressures=0)
    wait_back(base)


def sysctl_errors(peer):
    try:
        mem = gget("mem")
        for bad in ("abc", "-1 2 3", "1 2 x", "30 20 10", "1 3 2", ""):
            try:
                gset("mem", bad)
                check(False, "mem %r accepted" % bad)
            except OSError as e:
                check(e.errno == errno.EINVAL, "mem %r: %s" % (bad, e))
            check(gget("mem") == mem, "mem changed to %s by %r" %
                  (gget("mem"), bad))
        gset("mem", "10 20 30")
        check(gget("mem") == ["10", "20", "30"], "mem 10 20 30: %s" %
              gget("mem"))
        gset("mem", " ".join(mem))
        mo = gget("max_orphans")
        for bad in ("-1", "x", "2147483648"):
            try:
                gset("max_orphans", bad)
                check(False, "max_orphans %r accepted" % bad)
            except OSError as e:
                check(e.errno == errno.EINVAL, "max_orphans %r: %s" %
                      (bad, e))
            check(gget("max_orphans") == mo, "max_orphans changed")
    finally:
        grestore()
    for bad in (-1, 256):
        try:
            sysctl("orphan_retries", bad)
            check(False, "orphan_retries %d accepted" % bad)
        except OSError as e:
            check(e.errno == errno.EINVAL, "orphan_retries %d: %s" % (bad, e))
    check(sysctl("orphan_retries") == 0, "orphan_retries default")
    # The case runs in its own namespace: root there (as in a container)
    # neither sees nor sets the global limits.
    for k in ("mem", "max_orphans"):
        check(not os.path.exists(GLOBAL[k]),
              "%s visible in a non-initial namespace" % GLOBAL[k])


CASES = [
    ("zero-window orphan: dies after orphan_retries probes, with RST",
     zero_window_orphan),
    ("%d zero-window orphans: memory bounded, max_orphans resets, "
     "all die" % CONNS, many_orphans),
    ("net.mytcp.mem low: bulk transfers complete within the limit",
     bulk_under_pressure),
    ("invalid net.mytcp.mem/max_orphans/orphan_retries refused",
     sysctl_errors),
]

if __name__ == "__main__":
    why = tcp_peer._prepare()
    if why is None:
        try:
            gopen()
        except FileNotFoundError as e:
            # The cases report it: no global limits in this module.
            diag("no global limits: %s" % e)
    # The orphans' case takes the connections' time plus a minute.
    tcp_peer.CASE_TIMEOUT = max(tcp_peer.CASE_TIMEOUT, 300)
    run_cases(CASES)
