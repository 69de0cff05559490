#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# ECN (RFC 3168), segment by segment, against a scripted peer
# (tcp_peer.py): negotiation in both roles for each value of the sysctl
# (net.mytcp.ecn / net.ipv4.tcp_ecn: 0 off, 1 ask and accept, 2 accept
# only), ECT(0) on new data only, CE -> ECE -> CWR at the receiver, and
# the sender's once-per-window cwnd reduction, also under a peer that sets
# ECE on every ACK or on a connection without ECN.  Every case runs on
# mytcp and on Linux TCP (AF_INET, same sysctl value, Reno on both) and
# states the segments expected; where the two differ on purpose the case
# says so (Documentation/design.rst, "ECN").
#
# Environment: MYTCP_KO (loaded when the module is not), MYTCP_CASES
# ("|"-separated substrings: run only the matching cases).

import os
import socket
import struct
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
import tcp_peer  # noqa: E402
from tcp_peer import (ACK, PSH, SYN, StatDelta, accept_wait, check,  # noqa
                      connect_result, diag, mytcp_socket, opt_mss,
                      run_cases, sysctl)

ECE, CWR = 0x40, 0x80
NOT_ECT, ECT0, CE = 0, 2, 3
TCPI_OPT_ECN, TCPI_OPT_ECN_SEEN = 8, 16
TCP_CONGESTION = 13
TCP_INFO_FMT = "=8B24I"
CA_OPEN, CA_CWR = 0, 2
MSS = 1000


def linux_socket(blocking=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(blocking)
    tcp_peer._sockets.append(s)	# pylint: disable=protected-access
    return s


KINDS = (("mytcp", mytcp_socket), ("Linux TCP", linux_socket))


def set_ecn(new, value):
    """The namespace's ECN sysctl of the stack under test."""
    if new is mytcp_socket:
        sysctl("ecn", value)
    else:
        with open("/proc/sys/net/ipv4/tcp_ecn", "w") as f:
            f.write(str(value))


def info(s):
    v = struct.unpack(TCP_INFO_FMT, s.getsockopt(
        socket.IPPROTO_TCP, socket.TCP_INFO, struct.calcsize(TCP_INFO_FMT)))
    return {"ca_state": v[1], "options": v[5], "ssthresh": v[25],
            "cwnd": v[26]}


def ecn_of(seg):
    return seg.tos & 3


def eflags(seg):
    return seg.flags & (ECE | CWR)


def fl(x):
    return "+".join(n for b, n in ((ECE, "ECE"), (CWR, "CWR")) if x & b) \
        or "none"


def active(peer, new, ecn, rport, synack=ECE, reno=False):
    """new() connects with the sysctl at ecn; the peer answers the SYN
    with SYN-ACK + synack flags.  Returns (socket, flow, SYN seen)."""
    set_ecn(new, ecn)
    s = new()
    if reno:
        s.setsockopt(socket.IPPROTO_TCP, TCP_CONGESTION, b"reno")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    s.bind((peer.local, 0))
    r = connect_result(s, (peer.remote, rport))
    check(r == "EINPROGRESS", "connect: %s" % r)
    f = peer.flow(s.getsockname()[1], rport)
    syn = f.track(f.expect(lambda x: x.flags & SYN, what="SYN"))
    f.send(SYN | ACK | synack, options=opt_mss(MSS))
    a = f.expect(lambda x: x.flags & ACK and not x.payload and
                 x.ack == f.snd_nxt, what="handshake ACK")
    check(eflags(a) == 0 and ecn_of(a) == NOT_ECT,
          "sysctl %d, SYN-ACK %s: handshake ACK %s, IP ECN %d" %
          (ecn, fl(synack), fl(eflags(a)), ecn_of(a)))
    peer.barrier()
    return s, f, syn


def first_window(f):
    """The 10 segments of the initial window (MSS each), tracked; none
    more."""
    segs = [f.track(f.expect(lambda x: x.payload, what="data"))
            for _ in range(10)]
    more = [x for x in f.answers() if x.payload]
    check(not more, "more than the initial window: %s" % more)
    return segs


def send_data(f, s, n):
    """s writes n bytes (< MSS): the segment, tracked."""
    s.send(b"d" * n)
    return f.track(f.expect(lambda x: x.payload, what="data"))


# ------------------------------------------------------------ negotiation

def negotiate_active(peer, new):
    """connect(): the SYN asks with ECE+CWR only when the sysctl is 1, and
    is Not-ECT (RFC 3168 6.1.1).  ECN is on only for a SYN-ACK with ECE
    alone: ECE+CWR (a reflecting peer) or nothing leave it off.  With ECN,
    data is ECT(0) and TCP_INFO says TCPI_OPT_ECN.  (Seen on a 6.18 host,
    whose Linux has AccECN: to a SYN-ACK with ECE+CWR it sends the
    handshake ACK with CWR and ECT(0); 6.1 and 6.12 follow RFC 3168.)"""
    rport = 5100
    for ecn in (0, 1, 2):
        for synack in (ECE, ECE | CWR, 0):
            want = ecn == 1 and synack == ECE
            s, f, syn = active(peer, new, ecn, rport, synack)
            rport += 1
            what = "sysctl %d, SYN-ACK %s" % (ecn, fl(synack))
            check(eflags(syn) == (ECE | CWR if ecn == 1 else 0),
                  "%s: SYN %s" % (what, fl(eflags(syn))))
            check(ecn_of(syn) == NOT_ECT, "%s: SYN is ECT" % what)
            on = bool(info(s)["options"] & TCPI_OPT_ECN)
            check(on == want, "%s: TCPI_OPT_ECN %s" % (what, on))
            d = send_data(f, s, 100)
            check(ecn_of(d) == (ECT0 if want else NOT_ECT) and
                  eflags(d) == 0, "%s: data IP ECN %d, %s" %
                  (what, ecn_of(d), fl(eflags(d))))


def negotiate_passive(peer, new):
    """A listener: the SYN-ACK has ECE (never CWR, Not-ECT) when the SYN
    had ECE+CWR and the sysctl is 1 or 2; a SYN with ECE alone, or one
    that is itself ECT(0) (Linux's tcp_ecn_create_request(): SYNs are
    Not-ECT, RFC 3168 6.1.1), gets none.  Children follow the listener's
    namespace value."""
    for ecn in (0, 1, 2):
        set_ecn(new, ecn)
        ls = new()
        ls.bind((peer.local, 7100 + ecn))
        ls.listen(16)
        for i, (synf, tos, asked) in enumerate(((ECE | CWR, NOT_ECT, True),
                                                (ECE | CWR, ECT0, False),
                                                (ECE, NOT_ECT, False),
                                                (0, NOT_ECT, False))):
            want = asked and ecn != 0
            what = "sysctl %d, SYN %s IP ECN %d" % (ecn, fl(synf), tos)
            f = peer.flow(7100 + ecn, 5200 + 10 * ecn + i, iss=2000000)
            f.send(SYN | synf, options=opt_mss(MSS), tos=tos)
            sa = f.track(f.expect(lambda x: x.has(SYN | ACK),
                                  what="SYN-ACK"))
            check(eflags(sa) == (ECE if want else 0) and
                  ecn_of(sa) == NOT_ECT, "%s: SYN-ACK %s, IP ECN %d" %
                  (what, fl(eflags(sa)), ecn_of(sa)))
            f.send(ACK)
            c = accept_wait(ls)
            check(c is not None, "%s: nothing accepted" % what)
            on = bool(info(c)["options"] & TCPI_OPT_ECN)
            check(on == want, "%s: child's TCPI_OPT_ECN %s" % (what, on))
            d = send_data(f, c, 100)
            check(ecn_of(d) == (ECT0 if want else NOT_ECT),
                  "%s: child's data IP ECN %d" % (what, ecn_of(d)))


# ------------------------------------------------------------ sender: ECT

def ect_new_data_only(peer, new):
    """ECT(0) on new data only: not on pure ACKs (RFC 3168 6.1.4), not on
    a retransmission (6.1.5); as Linux's tcp_ecn_send()."""
    if new is mytcp_socket:
        sysctl("rto_min_ms", 200)
        sysctl("rto_initial_ms", 1000)
    s, f, _ = active(peer, new, 1, 5300)
    d = send_data(f, s, 300)
    check(ecn_of(d) == ECT0, "new data IP ECN %d" % ecn_of(d))
    r = f.expect(lambda x: x.payload and x.seq == d.seq, timeout=10,
                 what="retransmission", rtx=True)
    check(ecn_of(r) == NOT_ECT and eflags(r) == 0,
          "retransmission: IP ECN %d, %s" % (ecn_of(r), fl(eflags(r))))
    f.send(ACK)
    f.send(ACK | PSH, data=b"p" * 200, tos=ECT0)
    a = f.expect(lambda x: x.ack == f.snd_nxt, what="ACK of the data")
    check(not a.payload and ecn_of(a) == NOT_ECT and eflags(a) == 0,
          "pure ACK: IP ECN %d, %s" % (ecn_of(a), fl(eflags(a))))
    check(info(s)["options"] & TCPI_OPT_ECN_SEEN, "no TCPI_OPT_ECN_SEEN")
    # The RTO reduced cwnd: the next new data says CWR (Linux's
    # tcp_enter_loss() queues it as after ECE).
    d = send_data(f, s, 100)
    check(ecn_of(d) == ECT0 and eflags(d) == CWR,
          "new data after the RTO: IP ECN %d, %s" % (ecn_of(d),
                                                    fl(eflags(d))))


# ------------------------------------------------------ receiver: CE, ECE

def ce_ece_cwr(peer, new):
    """Data arriving CE is ACKed at once with ECE (Linux's
    __tcp_ecn_check_ce(): quick-ACK mode); ECE stays on every segment,
    data included, until a segment with CWR arrives (RFC 3168 6.1.3); the
    ACK of that segment is the first without."""
    if new is mytcp_socket:
        delta = StatDelta()
    s, f, _ = active(peer, new, 1, 5400)
    f.send(ACK | PSH, data=b"c" * 100, tos=CE)
    a = f.expect(lambda x: x.ack == f.snd_nxt, timeout=2,
                 what="immediate ACK of the CE data")
    check(eflags(a) == ECE, "ACK of CE data: %s" % fl(eflags(a)))
    f.send(ACK | PSH, data=b"e" * 100, tos=ECT0)
    a = f.expect(lambda x: x.ack == f.snd_nxt, what="ACK")
    check(eflags(a) == ECE, "ACK before CWR: %s" % fl(eflags(a)))
    d = send_data(f, s, 100)
    check(eflags(d) == ECE and ecn_of(d) == ECT0,
          "our data before CWR: %s, IP ECN %d" % (fl(eflags(d)), ecn_of(d)))
    f.send(ACK | PSH | CWR, data=b"w" * 100, tos=ECT0)
    a = f.expect(lambda x: x.ack == f.snd_nxt, timeout=2,
                 what="immediate ACK of the CWR data")
    check(eflags(a) == 0, "ACK of the CWR segment: %s" % fl(eflags(a)))
    d = send_data(f, s, 100)
    check(eflags(d) == 0, "our data after CWR: %s" % fl(eflags(d)))
    if new is mytcp_socket:
        delta.expect(InCEPkts=1)


# ---------------------------------------------------- sender: cwnd, CWR

def new_data(segs, f):
    return [f.track(x) for x in segs if x.payload and
            (f.rcv_nxt is None or tcp_peer.seq_after(
                (x.seq + len(x.payload)) & 0xffffffff, f.rcv_nxt))]


def cwnd_reduction(peer, new):
    """ECE on an ACK: ssthresh = the algorithm's (Reno: cwnd / 2), CWR
    state, CWR on the next new data segment only, once; more ECE within
    the window does not reduce again; when data beyond the window is
    acknowledged the state is over with cwnd = ssthresh.  Deliberate
    difference: mytcp sets cwnd to ssthresh at once, Linux gets there by
    PRR over the window (so Linux may send a segment during the
    reduction; mytcp sends once in flight is below ssthresh).  The
    algorithms' own difference: mytcp's Reno takes RFC 5681's
    max(FlightSize / 2, 2) - 9 segments in flight after the ACK: 4 -
    where Linux's tcp_reno_ssthresh() halves cwnd (10: 5)."""
    mine = new is mytcp_socket
    want = 4 if mine else 5
    if mine:
        delta = StatDelta()
    s, f, _ = active(peer, new, 1, 5500, reno=True)
    check(s.send(b"w" * 40000) == 40000, "short write")
    first = first_window(f)
    check(len(first) == 10 and all(ecn_of(x) == ECT0 and eflags(x) == 0
                                   for x in first),
          "initial window: %d segments %s" % (len(first), first))
    end = f.rcv_nxt
    f.send(ACK | ECE, ack=first[0].seq + MSS)
    later = new_data(f.answers(), f)
    i = info(s)
    diag("after ECE: %s, sent %d" % (i, len(later)))
    check(i["ca_state"] == CA_CWR and i["ssthresh"] == want,
          "after ECE: %s" % i)
    if mine:
        check(i["cwnd"] == want and not later, "mytcp: cwnd %d, sent %d"
              % (i["cwnd"], len(later)))
    # ECE again up to the window's end: no second reduction.
    f.send(ACK | ECE, ack=end)
    later += new_data(f.answers(), f)
    i = info(s)
    check(i["ca_state"] == CA_CWR and i["ssthresh"] == want,
          "ECE within the window reduced again: %s" % i)
    check(later and all(ecn_of(x) == ECT0 for x in later),
          "no ECT new data after the reduction: %s" % later)
    cwrs = [x for x in later if x.flags & CWR]
    check(cwrs == [later[0]], "CWR on %s of %d segments, want the first" %
          ([later.index(x) for x in cwrs], len(later)))
    # Beyond the window, no ECE: CWR state over, cwnd = ssthresh.
    f.send(ACK)
    nxt = new_data(f.answers(), f)
    i = info(s)
    diag("after the window: %s" % i)
    check(i["ca_state"] == CA_OPEN and i["ssthresh"] == want and
          i["cwnd"] in ((want,) if mine else (want, want + 1)),
          "after the window: %s" % i)
    check(not any(x.flags & CWR for x in nxt), "CWR again: %s" % nxt)
    if mine:
        delta.expect(EcnCwrReductions=1)


def ece_every_ack(peer, new):
    """A hostile receiver sets ECE on every ACK, one ACK per segment:
    cwnd comes down once per window of data (each window's first ACK
    passes the previous reduction's end), to no less than 2 segments
    (Reno's ssthresh floor, as Linux), and data keeps flowing."""
    s, f, _ = active(peer, new, 1, 5600, reno=True)
    mine = new is mytcp_socket
    check(s.send(b"h" * 60000) == 60000, "short write")
    segs = first_window(f)
    hist = []
    low = 100
    for _ in range(6):
        check(segs, "no data in flight: the sender stalled (%s)" % hist)
        before = info(s)["ssthresh"]
        cuts = 0
        nxt = []
        for x in segs:
            f.send(ACK | ECE, ack=(x.seq + len(x.payload)) & 0xffffffff)
            nxt += new_data(f.answers(), f)
            i = info(s)
            low = min(low, i["cwnd"])
            # Linux's PRR may leave cwnd at in flight + 1 for an ACK.
            check(i["cwnd"] >= (2 if mine else 1) and i["ssthresh"] >= 2,
                  "%s" % i)
            cuts += i["ssthresh"] != before
            before = i["ssthresh"]
        hist.append((len(segs), i["ssthresh"], i["cwnd"], cuts))
        check(cuts <= 1, "%d reductions in one window: %s" % (cuts, hist))
        segs = nxt
    diag("windows (segments, ssthresh, cwnd, reductions): %s; lowest "
         "cwnd %d" % (hist, low))
    check(hist[-1][1] == 2, "ssthresh %d after 6 windows, want 2" %
          hist[-1][1])


def no_ecn_ignored(peer, new):
    """Without ECN (sysctl 2, our SYN did not ask): ECE on ACKs does not
    touch cwnd, our data is Not-ECT and never has CWR; CE and CWR on the
    peer's data draw no ECE."""
    s, f, _ = active(peer, new, 2, 5700, reno=True)
    check(not info(s)["options"] & TCPI_OPT_ECN, "ECN on")
    check(s.send(b"n" * 10000) == 10000, "short write")
    first = first_window(f)
    f.send(ACK | ECE, ack=first[0].seq + MSS)
    later = new_data(f.answers(), f)
    i = info(s)
    check(i["ca_state"] == CA_OPEN and i["ssthresh"] > 1000 and
          i["cwnd"] >= 10, "ECE without ECN: %s" % i)
    check(all(ecn_of(x) == NOT_ECT and eflags(x) == 0
              for x in first + later), "ECN marks: %s" % (first + later))
    f.send(ACK | PSH | CWR, data=b"q" * 100, tos=CE)
    a = f.expect(lambda x: x.ack == f.snd_nxt, what="ACK")
    check(eflags(a) == 0, "ACK of CE data without ECN: %s" % fl(eflags(a)))


CASES = []
for _name, _fn in (("negotiation, active, sysctl 0/1/2", negotiate_active),
                   ("negotiation, passive, sysctl 0/1/2",
                    negotiate_passive),
                   ("ECT(0) on new data only", ect_new_data_only),
                   ("CE -> ECE until CWR", ce_ece_cwr),
                   ("ECE: one reduction per window, CWR once",
                    cwnd_reduction),
                   ("hostile: ECE on every ACK", ece_every_ack),
                   ("hostile: ECE, CE, CWR without ECN", no_ecn_ignored)):
    for _kind, _new in KINDS:
        CASES.append(("%s (%s)" % (_name, _kind),
                      (lambda fn, nw: lambda peer: fn(peer, nw))(_fn, _new)))

if __name__ == "__main__":
    run_cases(CASES)
