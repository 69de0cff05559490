#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# The end of a connection's lifecycle against a scripted peer
# (tcp_peer.py): TIME_WAIT (2*msl_ms, a retransmitted FIN, RST ignored as
# RFC 1337 asks, a SYN reusing the 4-tuple, a bare ACK and data) and the
# orphaned FIN_WAIT2 timeout; bare ACKs in TIME_WAIT (answered out of the
# window, rate limited; restarting the wait) against Linux TCP too.
# Observed in /proc/net/mytcp and on the wire, segment by segment.  One KTAP result per case; each case runs in
# its own network namespace.
#
# Environment: MYTCP_KO (loaded when the module is not), MYTCP_CASES
# ("|"-separated substrings: run only the matching cases).

import os
import socket
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
# pylint: disable=wrong-import-position
from tcp_peer import (ACK, ESTABLISHED, FIN, FIN_WAIT2, LISTEN, PSH, RST, SYN,
                      SYN_RECV, StatDelta, TIME_WAIT, accept, active_open,
                      check, diag, expect_state, inet_family, listener,
                      opt_mss, passive_open, recv_all, run_cases, states_of,
                      sysctl, wait_states)


def _to_time_wait(peer, ls, rport=5001, iss=2000000):
    """Passive open, mytcp closes first: TIME_WAIT on the listener's port."""
    c, f = passive_open(peer, ls, rport=rport, iss=iss)
    c.close()
    fin = f.track(f.expect_flags(FIN | ACK))
    f.send(FIN | ACK)
    a = f.expect(lambda x: x.ack == f.snd_nxt, what="last ACK")
    expect_state(ls.getsockname()[1], rport, TIME_WAIT)
    return f, fin, a


def time_wait_expires(peer):
    sysctl("msl_ms", 500)
    ls = listener(peer, 7000)
    d = StatDelta()
    _to_time_wait(peer, ls)
    check(d["live_tw"] >= 1, "live_tw did not move")
    wait_states(7000, 5001, [], timeout=30)
    check(states_of(7000) == [LISTEN], "listener %s" % states_of(7000))


def time_wait_refin(peer):
    ls = listener(peer, 7000)
    f, fin, a = _to_time_wait(peer, ls)
    # The peer lost our ACK: its FIN again.
    f.send(FIN | ACK, seq=f.snd_nxt - 1, advance=False)
    r = f.answers()
    check(len(r) == 1 and r[0].flags & ~PSH == ACK and
          r[0].seq == a.seq and r[0].ack == f.snd_nxt,
          "answer to retransmitted FIN: %s, want ACK seq %u ack %u" %
          (r, a.seq, f.snd_nxt))
    expect_state(7000, 5001, TIME_WAIT)


def _tw_refin_burst(peer, linux):
    if linux:
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.bind((peer.local, 7100))
        ls.listen(4)
        ls.setblocking(False)
    else:
        ls = listener(peer, 7000)
    c, f = passive_open(peer, ls, rport=5003)
    c.close()
    f.track(f.expect_flags(FIN | ACK))
    f.send(FIN | ACK)
    f.expect(lambda x: x.ack == f.snd_nxt, what="last ACK")
    # The peer lost our ACKs: its FIN three times in a row
    for _ in range(3):
        f.send(FIN | ACK, seq=f.snd_nxt - 1, advance=False)
    r = [x for x in f.answers() if x.flags & ~PSH == ACK and
         x.ack == f.snd_nxt]
    check(len(r) == 3, "%s: %d of 3 retransmitted FINs ACKed (a FIN is "
          "not rate limited)" % ("Linux" if linux else "mytcp", len(r)))
    ls.close()


def time_wait_refin_burst(peer):
    """Retransmitted FINs in a burst: each ACKed, as Linux (a FIN is not
    rate limited: tcp_oow_rate_limited())."""
    _tw_refin_burst(peer, False)


def time_wait_refin_burst_linux(peer):
    """The same with Linux TCP."""
    _tw_refin_burst(peer, True)


def time_wait_rst_ignored(peer):
    ls = listener(peer, 7000)
    f, _, _ = _to_time_wait(peer, ls)
    d = StatDelta()
    f.send(RST, ack=0)
    f.send(RST | ACK)
    check(not f.answers(), "RST in TIME_WAIT answered")
    expect_state(7000, 5001, TIME_WAIT)
    d.expect(DropTimeWaitRst=2)


def time_wait_reuse(peer):
    ls = listener(peer, 7000)
    f, _, a = _to_time_wait(peer, ls)
    # An old SYN (below RCV.NXT) does not end the wait: it gets an ACK.
    old = f.snd_nxt - 10
    f.peer.send_segment(5001, 7000, SYN, old, 0, options=opt_mss(1400))
    r = f.answers()
    check(len(r) == 1 and r[0].flags & ~PSH == ACK and
          r[0].ack == f.snd_nxt, "answer to an old SYN in TIME_WAIT: %s" %
          (r,))
    expect_state(7000, 5001, TIME_WAIT)
    # A new incarnation: ISN above the old RCV.NXT.
    g = peer.flow(7000, 5001, iss=f.snd_nxt + 1000000)
    g.send(SYN, options=opt_mss(1400))
    sa = g.track(g.expect(what="SYN,ACK of the new incarnation"))
    check(sa.flags == SYN | ACK and sa.ack == g.iss + 1,
          "answer to the new SYN: %s" % sa)
    expect_state(7000, 5001, SYN_RECV)
    g.send(ACK | PSH, data=b"again")
    expect_state(7000, 5001, ESTABLISHED)
    c, _ = accept(ls)
    check(c is not None, "no new connection")
    check(recv_all(c, 5) == b"again", "data of the new incarnation")


def time_wait_data_and_ack(peer):
    ls = listener(peer, 7000)
    f, _, a = _to_time_wait(peer, ls)
    f.send(ACK)
    check(not f.answers(), "a bare ACK at RCV.NXT in TIME_WAIT was answered")
    f.send(ACK | PSH, data=b"late", advance=False)
    r = f.answers()
    check(len(r) == 1 and r[0].flags & ~PSH == ACK and
          r[0].ack == f.snd_nxt and r[0].seq == a.seq,
          "answer to data in TIME_WAIT: %s" % r)
    expect_state(7000, 5001, TIME_WAIT)


def _tw_listener(peer, linux, port):
    """A listener of mytcp, or of Linux TCP on the same address."""
    if not linux:
        return listener(peer, port)
    ls = socket.socket(inet_family(), socket.SOCK_STREAM)
    ls.bind((peer.local, port))
    ls.listen(4)
    ls.setblocking(False)
    return ls


def _tw_timer(lport, rport):
    """Clock ticks (1/100 s) left in the TIME_WAIT entry lport<->rport,
    from /proc/net/mytcp* or /proc/net/tcp* (the same format)."""
    for path in ("/proc/net/mytcp", "/proc/net/mytcp6", "/proc/net/tcp",
                 "/proc/net/tcp6"):
        try:
            with open(path) as fp:
                lines = fp.readlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            fl = line.split()
            if (int(fl[1].split(":")[1], 16) == lport and
                    int(fl[2].split(":")[1], 16) == rport and
                    int(fl[3], 16) == TIME_WAIT):
                check(fl[5].startswith("03:"), "timer field %s" % fl[5])
                return int(fl[5].split(":")[1], 16)
    check(False, "no TIME_WAIT entry %d<->%d" % (lport, rport))
    return 0


def _tw_bare_acks(peer, linux):
    ls = _tw_listener(peer, linux, 7200)
    c, f = passive_open(peer, ls, rport=5004)
    c.close()
    f.track(f.expect_flags(FIN | ACK))
    f.send(FIN | ACK)
    a = f.expect(lambda x: x.ack == f.snd_nxt, what="last ACK")
    who = "Linux" if linux else "mytcp"
    # At RCV.NXT: silence.  Out of the window: one ACK, then the next
    # within invalid_ratelimit_ms (500 ms, both stacks) is not answered.
    f.send(ACK)
    check(not f.answers(), "%s: a bare ACK at RCV.NXT was answered" % who)
    f.send(ACK, seq=f.snd_nxt + 100000, advance=False)
    r = f.answers()
    check(len(r) == 1 and r[0].flags & ~PSH == ACK and r[0].seq == a.seq and
          r[0].ack == f.snd_nxt, "%s: answer to an out-of-window ACK: %s, "
          "want one ACK seq %u ack %u" % (who, r, a.seq, f.snd_nxt))
    f.send(ACK, seq=f.snd_nxt + 200000, advance=False)
    r = f.answers()
    check(not r, "%s: a second out-of-window ACK within 500 ms answered: %s"
          % (who, r))
    ls.close()


def time_wait_bare_acks(peer):
    """Bare ACKs in TIME_WAIT: in the window silence, out of it one ACK
    per rate-limit interval (tcp_timewait_state_process())."""
    _tw_bare_acks(peer, False)


def time_wait_bare_acks_linux(peer):
    """The same with Linux TCP."""
    _tw_bare_acks(peer, True)


def _tw_ack_restarts(peer, linux):
    if not linux:
        sysctl("msl_ms", 5000)      # a 10 s wait, to see it restart
    ls = _tw_listener(peer, linux, 7300)
    c, f = passive_open(peer, ls, rport=5005)
    c.close()
    f.track(f.expect_flags(FIN | ACK))
    f.send(FIN | ACK)
    f.expect(lambda x: x.ack == f.snd_nxt, what="last ACK")
    full = _tw_timer(7300, 5005)
    time.sleep(3)
    before = _tw_timer(7300, 5005)
    f.send(ACK)
    after = _tw_timer(7300, 5005)
    who = "Linux" if linux else "mytcp"
    diag("%s: TIME_WAIT left %d, after 3 s %d, after a bare ACK %d ticks"
         % (who, full, before, after))
    check(before <= full - 200, "%s: the wait did not run: %d -> %d" %
          (who, full, before))
    check(after >= before + 150, "%s: a bare ACK at RCV.NXT did not restart "
          "the wait (%d ticks left before it, %d after)" %
          (who, before, after))
    ls.close()


def time_wait_ack_restarts(peer):
    """A bare ACK at RCV.NXT restarts the wait, as Linux's
    inet_twsk_reschedule()."""
    _tw_ack_restarts(peer, False)


def time_wait_ack_restarts_linux(peer):
    """The same with Linux TCP (its 60 s wait)."""
    _tw_ack_restarts(peer, True)


def orphan_fin_wait2_timeout(peer):
    sysctl("fin_timeout", 1)
    s, f = active_open(peer, 5000)
    lport = f.lport
    s.close()
    f.track(f.expect_flags(FIN | ACK))
    f.send(ACK)
    f.answers()
    expect_state(lport, 5000, FIN_WAIT2)
    wait_states(lport, 5000, [], timeout=30)


CASES = [
    ("TIME_WAIT lasts 2*msl_ms, then the entry is gone", time_wait_expires),
    ("TIME_WAIT: a retransmitted FIN is ACKed again", time_wait_refin),
    ("TIME_WAIT: FINs retransmitted in a burst are each ACKed",
     time_wait_refin_burst),
    ("TIME_WAIT: FINs in a burst (Linux TCP)", time_wait_refin_burst_linux),
    ("TIME_WAIT: RST ignored (RFC 1337)", time_wait_rst_ignored),
    ("TIME_WAIT: a SYN above RCV.NXT reuses the 4-tuple", time_wait_reuse),
    ("orphaned FIN_WAIT2 ends after fin_timeout", orphan_fin_wait2_timeout),
    ("TIME_WAIT: bare ACK ignored, data ACKed", time_wait_data_and_ack),
    ("TIME_WAIT: bare ACKs, in and out of the window", time_wait_bare_acks),
    ("TIME_WAIT: bare ACKs (Linux TCP)", time_wait_bare_acks_linux),
    ("TIME_WAIT: a bare ACK restarts the wait", time_wait_ack_restarts),
    ("TIME_WAIT: a bare ACK restarts the wait (Linux TCP)",
     time_wait_ack_restarts_linux),
]

if __name__ == "__main__":
    run_cases(CASES)
