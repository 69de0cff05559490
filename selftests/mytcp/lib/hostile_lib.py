# SPDX-License-Identifier: GPL-2.0
"""Checks shared by the hostile*.py tests (see tcp_peer.py for the peer)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# pylint: disable=wrong-import-position
from tcp_peer import (ACK, ESTABLISHED, PSH, check, expect_state, recv_all,
                      recv_result)


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
