#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Segments processed from the socket's backlog, against Linux TCP.  A
# reader thread recv()s into a userfaultfd buffer (lib/uffd.py) and stops
# inside the copy with the socket owned; the scripted peer (tcp_peer.py)
# sends segments meanwhile - they go to the backlog - then the test lets
# the reader go and release_sock() processes them.  What softirq timing
# makes rare (crr on two vCPUs: some 12% of connections), on demand.
#
#   - simultaneous close from the backlog: in FIN_WAIT1 the peer's FIN
#     (not acknowledging ours: CLOSING) then the ACK of our FIN (TIME_WAIT)
#     arrive while the socket is owned.  The crossing FIN must be ACKed:
#     mytcp deferred that ACK to release_cb and the socket reached
#     TIME_WAIT before it went, so the peer sat in CLOSING until its loss
#     probe (TLPProbes in every crr run of bench.sh).  Linux's tcp_fin()
#     ACKs at once.
#   - a segment after the one that ends the connection (FIN_WAIT2 ->
#     TIME_WAIT), from the backlog: the socket is closed by then; dropped
#     (DropClosed), as Linux does, where mytcp sent a reset (OutRsts in
#     crr runs);
#   - data from the backlog: three segments while owned are ACKed after
#     the reader lets go (one ACK or more; Linux 6.12 sends one,
#     TCP_ACK_DEFERRED, as mytcp).
#
# Each case checks first that nothing was answered while the socket was
# owned: the segments really waited in the backlog.
#
# Environment: MYTCP_KO, MYTCP_CASES (see tcp_peer.py).

import os
import socket
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
from tcp_peer import (ACK, FIN, PSH, RST, SYN, Skip, StatDelta, check,
                      connect_result, diag, mytcp_socket, opt_mss,
                      run_cases)
from uffd import FaultingBuffer  # noqa: E402

MASK = 0xffffffff


def who(linux):
    return "Linux" if linux else "mytcp"


def open_conn(peer, linux, rport):
    """A socket of the stack connect()ed to the peer: (socket, flow)."""
    if linux:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
    else:
        s = mytcp_socket()
    s.bind((peer.local, 0))
    r = connect_result(s, (peer.remote, rport))
    check(r == "EINPROGRESS", "connect: %s" % r)
    f = peer.flow(s.getsockname()[1], rport)
    f.track(f.expect_flags(SYN))
    f.send(SYN | ACK, options=opt_mss(1460))
    f.expect_flags(ACK, pred=lambda x: x.ack == f.snd_nxt)
    r = connect_result(s, (peer.remote, rport))
    check(r in ("OK", "EISCONN"), "connect after the handshake: %s" % r)
    return s, f


class HeldReader:
    """recv(n) into a faulting buffer in a thread: the socket stays owned
    until let_go()."""

    def __init__(self, s, n):
        try:
            self.buf = FaultingBuffer()
        except OSError as e:
            raise Skip("userfaultfd: %s" % e) from e
        self.s, self.n, self.got = s, n, None
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()
        self.addr = self.buf.wait_fault(5.0)
        check(self.addr is not None, "the reader did not stop in its copy")

    def _read(self):
        try:
            self.got = self.s.recv_into(self.buf.view(), self.n)
        except OSError as e:
            self.got = e

    def let_go(self):
        self.buf.release(self.addr)
        self.t.join(5.0)
        check(not self.t.is_alive(), "the reader did not return")
        check(self.got == self.n, "recv: %s, want %d bytes" % (self.got,
                                                               self.n))
        self.buf.close()


def _simultaneous_close(peer, linux):
    s, f = open_conn(peer, linux, 5300)
    f.send(ACK | PSH, data=b"d" * 100)	# for the reader to copy
    f.answers()
    s.shutdown(socket.SHUT_WR)
    fin = f.track(f.expect(lambda x: x.flags & FIN, what="FIN"))
    held = HeldReader(s, 100)
    # While it is owned: the peer's FIN crossing ours, then the ACK of
    # ours.
    f.send(FIN | ACK, ack=fin.seq)
    f.send(ACK)
    early = f.answers()
    check(not early, "%s answered while the socket was owned: %s" %
          (who(linux), early))
    held.let_go()
    t0 = time.monotonic()
    a = f.peer.expect_segment(1.0, lambda x: f.mine(x) and
                              x.ack == f.snd_nxt)
    check(a is not None, "%s: no ACK of the crossing FIN processed from "
          "the backlog (the peer would wait for its loss probe or RTO)"
          % who(linux))
    diag("%s: crossing FIN ACKed %.1f ms after the reader let go: %s" %
         (who(linux), (time.monotonic() - t0) * 1000, a))
    check(not a.payload and a.seq == (fin.seq + 1) & MASK,
          "ACK of the crossing FIN: %s" % a)


def simultaneous_close(peer):
    """Simultaneous close from the backlog: the crossing FIN is ACKed."""
    _simultaneous_close(peer, False)


def simultaneous_close_linux(peer):
    """The same with Linux TCP."""
    _simultaneous_close(peer, True)


def _after_close(peer, linux):
    s, f = open_conn(peer, linux, 5302)
    f.send(ACK | PSH, data=b"d" * 100)
    f.answers()
    s.shutdown(socket.SHUT_WR)
    f.track(f.expect(lambda x: x.flags & FIN, what="FIN"))
    held = HeldReader(s, 100)
    f.send(ACK)			# ours acknowledged: FIN_WAIT2
    f.send(FIN | ACK)		# theirs: TIME_WAIT
    f.send(ACK)			# and one more segment after it
    early = f.answers()
    check(not early, "%s answered while the socket was owned: %s" %
          (who(linux), early))
    held.let_go()
    time.sleep(0.3)
    segs = f.answers()
    diag("%s: after the reader let go: %s" % (who(linux), segs))
    check(not [x for x in segs if x.flags & RST],
          "%s reset a connection that closed cleanly: %s" % (who(linux),
                                                               segs))
    check([x for x in segs if x.ack == f.snd_nxt and not x.payload],
          "%s: the FIN was not ACKed" % who(linux))


def after_close(peer):
    """A segment after the FIN that ends the connection, from the
    backlog: dropped (DropClosed), not answered with a reset."""
    d = StatDelta()
    _after_close(peer, False)
    d.expect(DropClosed=1)


def after_close_linux(peer):
    """The same with Linux TCP."""
    _after_close(peer, True)


def _data(peer, linux):
    s, f = open_conn(peer, linux, 5301)
    f.send(ACK | PSH, data=b"d" * 100)
    f.answers()
    held = HeldReader(s, 100)
    for _ in range(3):
        f.send(ACK, data=b"e" * 1000)
    early = f.answers()
    check(not early, "%s answered while the socket was owned: %s" %
          (who(linux), early))
    held.let_go()
    acks = []
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        a = f.peer.expect_segment(deadline - time.monotonic(),
                                  lambda x: f.mine(x))
        if a is None:
            break
        acks.append(a)
        if a.ack == f.snd_nxt:
            break
    diag("%s: ACKs after the reader let go: %s" % (who(linux), acks))
    check(acks and acks[-1].ack == f.snd_nxt,
          "%s: the backlog's data not ACKed within 1 s" % who(linux))


def data(peer):
    """Data from the backlog is ACKed once the socket is released."""
    _data(peer, False)


def data_linux(peer):
    """The same with Linux TCP."""
    _data(peer, True)


if __name__ == "__main__":
    run_cases([
        ("simultaneous close from the backlog: crossing FIN ACKed",
         simultaneous_close),
        ("simultaneous close from the backlog, Linux TCP",
         simultaneous_close_linux),
        ("a segment after the connection ended, from the backlog: "
         "dropped, no reset", after_close),
        ("a segment after the connection ended, Linux TCP",
         after_close_linux),
        ("data from the backlog: ACKed on release", data),
        ("data from the backlog, Linux TCP", data_linux),
    ])
