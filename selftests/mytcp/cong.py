#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Pluggable congestion control, through the scripted peer of tcp_peer.py:
#
#   - CUBIC the default in practice: loading mytcp.ko asks for
#     mytcp-cong-cubic (request_module_nowait(), seen through a logging
#     kernel.modprobe), and the harness's load (tcp_peer.py, mytcp_lib.sh)
#     loads mytcp_cubic.ko next to it: a new socket reads "cubic"; without
#     mytcp_cubic.ko a new socket and the sysctl read "reno";
#   - the sysctls net.mytcp.congestion_control (the default, CUBIC while
#     mytcp_cubic.ko is loaded, else reno; ENOENT for an unknown name) and
#     available_congestion_control (the registered algorithms);
#   - TCP_CONGESTION per socket: get, set, ENOENT for an unknown name (as
#     Linux TCP), a listener's children inherit its algorithm;
#   - TCP_CC_INFO answers (length 0 for reno and cubic, as Linux TCP);
#   - mytcp_cubic.ko (next to MYTCP_KO) loaded and unloaded while a socket
#     uses it: rmmod refused while in use, the socket keeps working, rmmod
#     works once the socket switched to reno;
#   - congestion window validation: 20 small writes, each ACKed, leave
#     cwnd at the initial 10 (Linux TCP too); after idle the first flight
#     is the restart window (as Linux TCP);
#   - slow start: an ACK of the whole initial window (10 segments) grows
#     cwnd by 10 with CUBIC (HyStart++ on) and reno, as Linux TCP's cubic
#     and reno: no RFC 9406 L = 8 limit per ACK (Linux has none);
#   - CUBIC's window after a loss follows RFC 9438's W_cubic(t) =
#     C (t - K)^3 + W_max from a scripted ACK clock (RTT 200 ms, an ACK
#     per two segments, HyStart++ off to reach W_max = 40 in slow start):
#     ssthresh = W_max * 0.7 exactly (717/1024), cwnd = ssthresh after
#     recovery (plus what the full ACK itself grows, as Linux), then
#     each round's cwnd within max(3, 10% of W_max) segments of W_cubic
#     at some time between two RTTs before and two after the sample
#     (the window reaches the function's value an RTT late; the RTT is
#     the longest round seen, a slow guest's rounds being longer than
#     200 ms).
#
# Environment: MYTCP_KO, MYTCP_CASES (see tcp_peer.py).

import atexit
import errno
import os
import signal
import socket
import struct
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
from tcp_peer import (ACK, SYN, Skip, active_open, check,
                      connect_result, diag, listener, load_cubic_default,
                      mytcp_socket, opt_mss, passive_open, run_cases, stats,
                      sysctl)

TCP_CONGESTION = 13
TCP_CC_INFO = 26
MASK = 0xffffffff
CUBIC = "/sys/module/mytcp_cubic"
TCP_INFO_FMT = "=8B24I"		# up to tcpi_snd_cwnd and beyond


def cubic_ko():
    ko = os.path.join(os.path.dirname(os.environ.get("MYTCP_KO", "")),
                      "mytcp_cubic.ko")
    if not os.access(ko, os.R_OK):
        raise Skip("%s missing (scripts/build-module.sh builds it)" % ko)
    return ko


def load_cubic(**params):
    if os.path.isdir(CUBIC):
        subprocess.run(["rmmod", "mytcp_cubic"], check=False)
    args = ["%s=%s" % kv for kv in params.items()]
    r = subprocess.run(["insmod", cubic_ko()] + args, stderr=subprocess.PIPE)
    check(r.returncode == 0, "insmod mytcp_cubic.ko: %s" % r.stderr)


def rmmod_cubic():
    return subprocess.run(["rmmod", "mytcp_cubic"], stderr=subprocess.PIPE)


def unload_cubic():
    if os.path.isdir(CUBIC):
        for _ in range(50):
            if rmmod_cubic().returncode == 0:
                return
            time.sleep(0.1)
        check(False, "rmmod mytcp_cubic failed")


def restore_cubic():
    """Leave CUBIC the default with its default parameters, as the
    harness loads it (mytcp_unload removes it before mytcp)."""
    if os.path.isdir(CUBIC) and rmmod_cubic().returncode:
        return
    load_cubic_default()


# Also when the runner's timeout sends SIGTERM.
atexit.register(restore_cubic)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))


def sysctl_str(name, value=None):
    path = "/proc/sys/net/mytcp/" + name
    if value is None:
        with open(path) as f:
            return f.read().strip()
    with open(path, "w") as f:
        f.write(value)
    return value


def get_cc(s):
    return s.getsockopt(socket.IPPROTO_TCP, TCP_CONGESTION,
                        16).rstrip(b"\0").decode()


def set_cc(s, name):
    try:
        s.setsockopt(socket.IPPROTO_TCP, TCP_CONGESTION, name.encode())
        return "OK"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))


def tcp_info(s):
    raw = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO,
                       struct.calcsize(TCP_INFO_FMT))
    v = struct.unpack(TCP_INFO_FMT, raw)
    # tcpi_snd_ssthresh and tcpi_snd_cwnd are the 18th and 19th u32
    return {"ca_state": v[1], "ssthresh": v[8 + 17], "cwnd": v[8 + 18]}


def linux_socket():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    return s


def open_with(peer, s, rport, mss=1460):
    """Handshake of socket s (mytcp or Linux) with the peer: the flow."""
    s.bind((peer.local, 0))
    r = connect_result(s, (peer.remote, rport))
    check(r == "EINPROGRESS", "connect: %s" % r)
    f = peer.flow(s.getsockname()[1], rport)
    f.track(f.expect_flags(SYN))
    f.send(SYN | ACK, options=opt_mss(mss))
    f.expect_flags(ACK, pred=lambda x: x.ack == f.snd_nxt)
    peer.barrier()
    return f


# ---------------------------------------------------------------- cases

MODPROBE = "/proc/sys/kernel/modprobe"
MODPROBE_LOG = "/dev/shm/mytcp-cong-modprobe.log"


def unload_mytcp():
    """rmmod mytcp_cubic and mytcp (a few seconds for freed sockets);
    Skip when earlier tests' sockets or TIME_WAIT entries are left (the
    runner's leak check compares the live counts with its start)."""
    left = {k: v for k, v in stats().items()
            if k in ("live_socks", "live_tw", "live_skbs") and v}
    if left:
        raise Skip("mytcp holds %s: not reloaded" % left)
    for _ in range(50):
        if os.path.isdir(CUBIC):
            rmmod_cubic()
        if not os.path.isdir(CUBIC) and subprocess.run(
                ["rmmod", "mytcp"], stderr=subprocess.DEVNULL).returncode == 0:
            return
        time.sleep(0.1)
    raise Skip("mytcp cannot be unloaded (in use)")


def new_cc():
    """A new socket's algorithm; the socket closed (no module reference
    left behind)."""
    s = mytcp_socket()
    cc = get_cc(s)
    s.close()
    return cc


def default_cubic(peer):
    """A plain load: mytcp.ko asks modprobe for mytcp-cong-cubic without
    waiting; the harness's load gives CUBIC; without it, reno."""
    ko = os.environ.get("MYTCP_KO", "")
    cubic_ko()			# Skip without mytcp_cubic.ko
    unload_mytcp()
    script = "/dev/shm/mytcp-cong-modprobe.sh"
    with open(script, "w") as f:
        f.write('#!/bin/sh\necho "$@" >> %s\nexit 1\n' % MODPROBE_LOG)
    os.chmod(script, 0o755)
    if os.path.exists(MODPROBE_LOG):
        os.unlink(MODPROBE_LOG)
    with open(MODPROBE) as f:
        saved = f.read().strip()
    try:
        with open(MODPROBE, "w") as f:
            f.write(script)
        r = subprocess.run(["insmod", ko], stderr=subprocess.PIPE)
        check(r.returncode == 0, "insmod %s: %s" % (ko, r.stderr))
        asked = ""
        for _ in range(100):
            if os.path.exists(MODPROBE_LOG):
                with open(MODPROBE_LOG) as f:
                    asked = f.read()
                if "mytcp-cong-cubic" in asked:
                    break
            time.sleep(0.1)
    finally:
        with open(MODPROBE, "w") as f:
            f.write(saved)
    diag("modprobe was asked for: %r" % asked.strip())
    check("mytcp-cong-cubic" in asked, "insmod mytcp.ko did not ask "
          "modprobe for mytcp-cong-cubic: %r" % asked)
    # modprobe failed (the logging one): reno, and the sysctl says so
    check(not os.path.isdir(CUBIC), "mytcp_cubic loaded by a failing modprobe")
    check(new_cc() == "reno", "new socket without mytcp_cubic:"
          " %s" % new_cc())
    check(sysctl_str("congestion_control") == "reno",
          "sysctl without mytcp_cubic: %r" % sysctl_str("congestion_control"))
    # the harness's load: CUBIC
    check(load_cubic_default(), "mytcp_cubic.ko not loaded by the harness")
    check(new_cc() == "cubic", "new socket after a plain "
          "load: %s" % new_cc())
    check(sysctl_str("congestion_control") == "cubic",
          "sysctl: %r" % sysctl_str("congestion_control"))
    # absent again (no socket uses it): reno
    unload_cubic()
    check(new_cc() == "reno", "new socket after rmmod "
          "mytcp_cubic: %s" % new_cc())
    check(sysctl_str("congestion_control") == "reno",
          "sysctl after rmmod mytcp_cubic: %r" %
          sysctl_str("congestion_control"))
    load_cubic_default()


def sysctls(peer):
    """available_ lists what is registered; the default follows."""
    unload_cubic()
    check(sysctl_str("available_congestion_control") == "reno",
          "available without mytcp_cubic: %r" %
          sysctl_str("available_congestion_control"))
    check(sysctl_str("congestion_control") == "reno",
          "default without mytcp_cubic: %r" % sysctl_str("congestion_control"))
    s = mytcp_socket()
    check(get_cc(s) == "reno", "new socket without cubic: %s" % get_cc(s))
    check(set_cc(s, "cubic") == "ENOENT", "TCP_CONGESTION cubic without the "
          "module: %s" % set_cc(s, "cubic"))
    load_cubic()
    check(sysctl_str("available_congestion_control") == "reno cubic",
          "available: %r" % sysctl_str("available_congestion_control"))
    # the namespace's default is CUBIC, as Linux's
    check(sysctl_str("congestion_control") == "cubic",
          "default: %r" % sysctl_str("congestion_control"))
    check(new_cc() == "cubic", "new socket is not cubic")
    sysctl_str("congestion_control", "reno")
    check(new_cc() == "reno", "default reno: new socket")
    try:
        sysctl_str("congestion_control", "nosuch")
        check(False, "writing an unknown name succeeded")
    except OSError as e:
        check(e.errno == errno.ENOENT, "unknown name: %s" % e)
    check(sysctl_str("congestion_control") == "reno", "default changed")
    try:
        sysctl_str("available_congestion_control", "reno")
        check(False, "available_congestion_control is writable")
    except OSError:
        pass
    sysctl_str("congestion_control", "cubic")
    check(new_cc() == "cubic", "default back to cubic")


def per_socket(peer):
    """TCP_CONGESTION get/set and errors as Linux; children inherit."""
    load_cubic()
    lin = linux_socket()
    for s, who in ((mytcp_socket(), "mytcp"), (lin, "Linux")):
        check(get_cc(s) == "cubic", "%s default: %s" % (who, get_cc(s)))
        check(set_cc(s, "reno") == "OK", "%s set reno" % who)
        check(get_cc(s) == "reno", "%s after set reno: %s" % (who, get_cc(s)))
        check(set_cc(s, "reno") == "OK", "%s set reno again" % who)
        r = set_cc(s, "nosuch")
        check(r == "ENOENT", "%s unknown name: %s" % (who, r))
        check(get_cc(s) == "reno", "%s changed by a failed set" % who)
        check(set_cc(s, "cubic") == "OK", "%s back to cubic" % who)
        check(get_cc(s) == "cubic", "%s back to cubic: %s" % (who, get_cc(s)))
    lin.close()
    # a connection switches algorithm mid-flight and keeps working
    s, f = active_open(peer, 5000)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)	# no Nagle
    check(set_cc(s, "reno") == "OK", "switch on a connection")
    s.send(b"x" * 3000)
    segs = [x for x in peer.barrier() if f.mine(x) and x.payload]
    check(sum(len(x.payload) for x in segs) == 3000, "data after the switch")
    f.send(ACK, ack=(segs[-1].seq + len(segs[-1].payload)) & MASK)
    # the listener's algorithm goes to its children
    ls = listener(peer, 7000)
    check(set_cc(ls, "reno") == "OK", "listener set reno")
    c, _ = passive_open(peer, ls, 5001)
    check(get_cc(c) == "reno", "child of a reno listener: %s" % get_cc(c))
    ls2 = listener(peer, 7001)
    c2, _ = passive_open(peer, ls2, 5002)
    check(get_cc(c2) == "cubic", "child of a default listener: %s" %
          get_cc(c2))


def cc_info(peer):
    """TCP_CC_INFO: length 0 for reno and cubic, on mytcp as on Linux."""
    load_cubic()
    for mk, who in ((mytcp_socket, "mytcp"), (linux_socket, "Linux")):
        for name in ("reno", "cubic"):
            s = mk()
            check(set_cc(s, name) == "OK", "%s set %s" % (who, name))
            try:
                v = s.getsockopt(socket.IPPROTO_TCP, TCP_CC_INFO, 64)
            except OSError as e:
                check(False, "%s %s TCP_CC_INFO: %s" % (who, name, e))
            check(len(v) == 0, "%s %s TCP_CC_INFO: %d bytes" %
                  (who, name, len(v)))
            s.close()


def module_in_use(peer):
    """rmmod mytcp_cubic is refused while a socket uses it."""
    load_cubic()
    s, f = active_open(peer, 5000)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)	# no Nagle
    check(get_cc(s) == "cubic", "connection is %s" % get_cc(s))
    r = rmmod_cubic()
    check(r.returncode != 0, "rmmod mytcp_cubic succeeded while in use")
    check(os.path.isdir(CUBIC), "module gone")
    s.send(b"y" * 2000)
    segs = [x for x in peer.barrier() if f.mine(x) and x.payload]
    check(sum(len(x.payload) for x in segs) == 2000, "data while pinned")
    f.send(ACK, ack=(segs[-1].seq + len(segs[-1].payload)) & MASK)
    # switched away: the reference goes, the socket stays usable
    check(set_cc(s, "reno") == "OK", "switch to reno")
    check(rmmod_cubic().returncode == 0, "rmmod after the switch failed")
    check(not os.path.isdir(CUBIC), "module still there")
    s.send(b"z" * 1000)
    segs = [x for x in peer.barrier() if f.mine(x) and x.payload]
    check(sum(len(x.payload) for x in segs) == 1000, "data after rmmod")
    # a closed socket lets go too
    load_cubic()
    s2, _ = active_open(peer, 5001)
    check(get_cc(s2) == "cubic", "second connection")
    s2.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s2.close()
    unload_cubic()


def _app_limited(peer, s, rport):
    f = open_with(peer, s, rport)
    for _ in range(20):
        s.send(b"hello")
        segs = [x for x in peer.barrier() if f.mine(x) and x.payload]
        check(segs, "no data segment")
        f.send(ACK, ack=(segs[-1].seq + len(segs[-1].payload)) & MASK)
        peer.barrier()
    return tcp_info(s)["cwnd"]


def app_limited(peer):
    """cwnd does not grow when the sender is not cwnd-limited."""
    got = _app_limited(peer, mytcp_socket(), 5000)
    want = _app_limited(peer, linux_socket(), 5001)
    diag("cwnd after 20 ACKed 5-byte writes: mytcp %d, Linux %d" %
         (got, want))
    check(got == 10, "mytcp cwnd %d after 20 small ACKed writes, not 10" %
          got)
    check(got == want, "mytcp cwnd %d, Linux %d" % (got, want))


def _idle_flight(peer, s, rport):
    """Grow cwnd past 10 with a bulk send, idle 3 s, count the flight."""
    f = open_with(peer, s, rport, mss=1000)
    s.send(b"a" * 60000)
    top = None
    for _ in range(6):
        segs = [x for x in peer.barrier() if f.mine(x) and x.payload]
        for x in segs:
            end = (x.seq + len(x.payload)) & MASK
            if top is None or ((end - top) & MASK) < 1 << 31:
                top = end
            f.send(ACK, ack=end)
    time.sleep(0.3)
    f.send(ACK, ack=top)
    peer.barrier()
    before = tcp_info(s)["cwnd"]
    time.sleep(3)			# some 10 RTOs: halved down to 10
    s.send(b"b" * 60000)
    time.sleep(0.1)		# less than an RTO: no retransmission
    seen = {x.seq: len(x.payload) for x in peer.barrier() if f.mine(x) and
            x.payload}
    return before, sum(seen.values())


def idle_restart(peer):
    """After idle the first flight is the restart window, as Linux."""
    sysctl("rto_min_ms", 200)
    sysctl("rto_initial_ms", 1000)
    got = _idle_flight(peer, mytcp_socket(), 5000)
    want = _idle_flight(peer, linux_socket(), 5001)
    diag("cwnd before idle, bytes sent after: mytcp %s, Linux %s" %
         (got, want))
    check(got[0] > 10, "cwnd did not grow in the bulk phase: %d" % got[0])
    check(got[1] == 10000, "mytcp sent %d bytes after idle, not 10 "
          "segments" % got[1])
    check(got[1] == want[1], "mytcp %d bytes, Linux %d" % (got[1], want[1]))


def _stretch_ack(peer, s, rport):
    """One ACK for the whole initial window: cwnd after it."""
    f = open_with(peer, s, rport, mss=1000)
    s.send(b"h" * 30000)
    time.sleep(0.1)		# Linux may autocork; less than an RTO
    seen = {x.seq: x for x in peer.barrier() if f.mine(x) and x.payload}
    check(sum(len(x.payload) for x in seen.values()) == 10000,
          "initial window: %d bytes" %
          sum(len(x.payload) for x in seen.values()))
    last = seen[max(seen, key=lambda q: (q - f.rcv_nxt) & MASK)]
    f.send(ACK, ack=(last.seq + len(last.payload)) & MASK)
    peer.barrier()
    return tcp_info(s)["cwnd"]


def hystart_no_l(peer):
    """Slow start grows by all an ACK acknowledges, with CUBIC (HyStart++
    on) and reno, as Linux TCP's cubic and reno: no L = 8 limit."""
    load_cubic()
    res = {}
    for port, (cc, linux) in enumerate((("cubic", False), ("cubic", True),
                                        ("reno", False), ("reno", True)),
                                       5000):
        s = linux_socket() if linux else mytcp_socket()
        check(set_cc(s, cc) == "OK", "set %s" % cc)
        res[(cc, linux)] = _stretch_ack(peer, s, port)
    for cc in ("cubic", "reno"):
        got, want = res[(cc, False)], res[(cc, True)]
        diag("%s after an ACK of 10 segments: mytcp %d, Linux %d" %
             (cc, got, want))
        check(got == want == 20, "%s: cwnd mytcp %d, Linux %d after an "
              "ACK of the 10 segments, not 10 + 10" % (cc, got, want))


def cubic_curve(peer):
    """CUBIC's window after a loss against RFC 9438's W_cubic(t)."""
    load_cubic(hystart=0)	# slow start straight to the loss
    mss, rtt = 1000, 0.2
    s = mytcp_socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    f = open_with(peer, s, 5000, mss=mss)
    check(get_cc(s) == "cubic", "not cubic: %s" % get_cc(s))
    data = b"c" * (1 << 20)
    sent = [0]

    def top_up():
        try:
            while True:
                n = s.send(data)
                if n <= 0:
                    break
                sent[0] += n
        except BlockingIOError:
            pass

    top = [f.rcv_nxt]

    def take():
        segs = [x for x in peer.barrier() if f.mine(x) and x.payload]
        for x in segs:
            end = (x.seq + len(x.payload)) & MASK
            if ((end - top[0]) & MASK) < 1 << 31:
                top[0] = end
        return segs

    def ack_round(segs):
        """An ACK per two segments of the round."""
        for i in range(1, len(segs), 2):
            x = segs[i]
            f.send(ACK, ack=(x.seq + len(x.payload)) & MASK)
        if len(segs) % 2:
            x = segs[-1]
            f.send(ACK, ack=(x.seq + len(x.payload)) & MASK)

    top_up()
    # slow start to some 40 segments
    segs = take()
    for _ in range(12):
        ack_round(segs)
        top_up()
        segs = take()
        if tcp_info(s)["cwnd"] >= 40:
            break
    wmax = tcp_info(s)["cwnd"]
    check(wmax >= 40, "slow start reached only %d" % wmax)
    # the loss: the first segment of the flight, duplicate ACKs for the rest
    una = segs[0].seq
    for _ in segs[1:]:
        f.send(ACK, ack=una)
    take()
    info = tcp_info(s)
    want = wmax * 717 // 1024
    diag("W_max %d, after the loss ssthresh %d (CUBIC: %d, reno: ~%d)" %
         (wmax, info["ssthresh"], want, wmax // 2))
    check(info["ssthresh"] == want, "ssthresh %d, not W_max * beta = %d" %
          (info["ssthresh"], want))
    # the retransmission came: everything is acknowledged (full ACK)
    f.send(ACK, ack=top[0])
    t0 = time.monotonic()
    top_up()
    segs = take()
    # cwnd = ssthresh, then the full ACK's own growth: the epoch's first
    # ACK, by what it delivered (as Linux's cong_avoid() on that ACK)
    got = tcp_info(s)["cwnd"]
    check(want <= got <= want + max(3, 0.1 * wmax),
          "cwnd after recovery %d, not %d (+ the full ACK's growth)" %
          (got, want))
    k = ((wmax - want) / 0.4) ** (1 / 3)

    def w_cubic(t):
        return 0.4 * (t - k) ** 3 + wmax

    bad, samples = [], []
    start = t0
    rtt_eff = rtt		# a slow guest makes rounds longer than rtt
    while time.monotonic() - t0 < k + 1.5:
        left = start + rtt - time.monotonic()
        if left > 0:
            time.sleep(left)
        rtt_eff = max(rtt_eff, time.monotonic() - start)
        start = time.monotonic()
        ack_round(segs)
        take_t = time.monotonic() - t0
        top_up()
        segs = take()
        cwnd = tcp_info(s)["cwnd"]
        samples.append("%.2f:%d" % (take_t, cwnd))
        tol = max(3, 0.1 * wmax)
        lo = w_cubic(max(take_t - 2 * rtt_eff, 0)) - tol
        hi = w_cubic(take_t + 2 * rtt_eff) + tol
        if not lo <= cwnd <= hi:
            bad.append("t %.2f s: cwnd %d outside [%.1f, %.1f]" %
                       (take_t, cwnd, lo, hi))
        if len(segs) > 60:
            break
    diag("K %.2f s; t:cwnd %s" % (k, " ".join(samples)))
    diag("longest round %.2f s" % rtt_eff)
    check(len(samples) >= 6, "only %d rounds" % len(samples))
    check(not bad, "; ".join(bad[:5]))


CASES = [
    ("CUBIC the default: insmod asks for mytcp-cong-cubic; a plain load is"
     " cubic, reno without mytcp_cubic.ko", default_cubic),
    ("sysctls: available_ and the default, ENOENT for an unknown name",
     sysctls),
    ("TCP_CONGESTION per socket: get, set, errors, inherited by children",
     per_socket),
    ("TCP_CC_INFO: empty for reno and cubic, as Linux", cc_info),
    ("mytcp_cubic.ko: rmmod refused while a socket uses it, then works",
     module_in_use),
    ("cwnd does not grow while application-limited (as Linux)",
     app_limited),
    ("restart window after idle (as Linux)", idle_restart),
    ("slow start grows by all an ACK acknowledges, HyStart++ on (as Linux)",
     hystart_no_l),
    ("CUBIC's window after a loss follows RFC 9438's W_cubic(t)",
     cubic_curve),
]

if __name__ == "__main__":
    run_cases(CASES)
