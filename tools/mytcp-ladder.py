#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# mytcp-ladder: draw the ladder diagram of mytcp connections from the mytcp
# tracepoints, live (tracefs) or from a saved trace (the text of
# /sys/kernel/tracing/trace, trace-cmd report or perf script).  Python
# standard library only; output is plain ASCII and depends only on the
# trace.  --pcapng writes the segments for Wireshark/tshark, each with a
# comment giving mytcp's state and why it sent it.  See mytcp-ladder(1).

import argparse
import os
import struct
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import time

VERSION = "2"
EVENTS = ("mytcp_segment", "mytcp_state", "mytcp_reply", "mytcp_retransmit",
          "mytcp_timer", "mytcp_reset", "mytcp_drop", "mytcp_tw_segment",
          "mytcp_tw_timer",
          "mytcp_probe", "mytcp_cong_state")
# tracefs / trace-cmd report: "1.234: mytcp_x: ..."; perf script:
# "1.234: mytcp:mytcp_x: ..."
LINE_RE = re.compile(r"(\d+\.\d+):\s+(?:mytcp:)?(mytcp_\w+):\s+(.*)$")
TRACE_DAT_MAGIC = b"\x17\x08\x44tracing"


class Usage(Exception):
    """A clear message for the user, no traceback."""
TUPLE_RE = re.compile(r"(\d+\.\d+\.\d+\.\d+):(\d+) -> (\d+\.\d+\.\d+\.\d+):(\d+)")
KV_RE = re.compile(r"(\w+)=(\S*)")
NOWHERE = ("0.0.0.0", 0)
MOD32 = 1 << 32


class Ev:
    __slots__ = ("idx", "t", "name", "sk", "local", "remote", "f", "dir")

    def __init__(self, idx, t, name, rest):
        self.idx = idx
        self.t = t
        self.name = name
        self.f = dict(KV_RE.findall(rest))
        self.sk = self.f.get("sk")
        m = TUPLE_RE.search(rest)
        if m:
            self.local = (m.group(1), int(m.group(2)))
            self.remote = (m.group(3), int(m.group(4)))
        else:
            self.local = self.remote = NOWHERE
        # an IPv6 socket's segments carry its addresses as saddr6/daddr6
        if m and self.f.get("family") in ("10", "AF_INET6") and \
                "saddr6" in self.f:
            self.local = (self.f["saddr6"], self.local[1])
            self.remote = (self.f["daddr6"], self.remote[1])
        if "reason=" in rest:
            self.f["reason"] = rest.split("reason=", 1)[1].split(
                " family=")[0].strip()
        self.dir = None
        if name == "mytcp_segment":
            self.dir = "out" if " out flags=" in rest else "in"
        elif name == "mytcp_tw_segment":
            self.dir = "in"
            self.sk = "tw"
        elif name == "mytcp_reset":
            self.dir = "sent" if " sent reason=" in rest else "received"
        elif name == "mytcp_state":
            m = re.search(r"(\w+) -> (\w+)(?: family=.*)?\s*$", rest)
            self.f["old"], self.f["new"] = (m.group(1), m.group(2)) if m else ("?", "?")


def parse_trace(lines):
    evs = []
    for line in lines:
        m = LINE_RE.search(line)
        if not m or m.group(2) not in EVENTS:
            continue
        evs.append(Ev(len(evs), float(m.group(1)), m.group(2), m.group(3)))
    return evs


def ep_str(ep):
    return "%s:%d" % ep


class Seg:
    """One segment on the wire, drawn once."""

    def __init__(self, ev, src, dst, seen):
        self.ev = ev
        self.t = ev.t
        self.idx = ev.idx
        self.src = src
        self.dst = dst
        self.flags = ev.f.get("flags", "")
        self.seq = int(ev.f.get("seq", 0))
        self.ack = int(ev.f.get("ack", 0))
        self.len = int(ev.f.get("len", 0))
        self.win = ev.f.get("win")
        self.seen = seen          # "out": sent by a traced sender; "in": only received
        self.received = False
        self.rtx = 0
        self.nosock = ev.name == "mytcp_reply"
        self.drop = None
        self.timer = None         # timer fired before this send (out)
        self.after = None         # [Seg, drop reason] last received before
        self.rcv = None           # its arrival's [Seg, drop reason, idx]
        self.opts = ev.f.get("opts", "")
        self.exact = False        # its arrival told apart by its options

    def key(self):
        return (self.flags, self.seq, self.ack, self.len)


class Conn:
    def __init__(self, key):
        self.key = key
        self.evs = []
        self.listen_evs = []


def ep_match(ep, lst):
    """ep (a connection's endpoint) matches a listener's local endpoint."""
    return ep[1] == lst[1] and (lst[0] == "0.0.0.0" or lst[0] == ep[0])


def build_conns(evs):
    conns = {}
    order = []
    listeners = []
    for ev in evs:
        if ev.name in ("mytcp_timer", "mytcp_drop") and ev.local == NOWHERE:
            continue
        if ev.name in ("mytcp_probe", "mytcp_cong_state"):
            continue
        if ev.remote == NOWHERE or ev.remote[1] == 0:
            listeners.append(ev)
            continue
        key = tuple(sorted([ev.local, ev.remote]))
        if key not in conns:
            conns[key] = Conn(key)
            order.append(key)
        conns[key].evs.append(ev)
    # Initial sequence numbers, to give a listener's incoming SYN its peer.
    isn = {}
    for key in order:
        for ev in conns[key].evs:
            if ev.name not in ("mytcp_segment", "mytcp_reply",
                               "mytcp_tw_segment"):
                continue
            fl = ev.f.get("flags", "")
            src = ev.local if ev.dir in ("out", None) else ev.remote
            if "S" in fl:
                isn.setdefault((key, src), int(ev.f.get("seq", 0)))
                if "." in fl:
                    dst = ev.remote if src == ev.local else ev.local
                    isn.setdefault((key, dst), (int(ev.f.get("ack", 0)) - 1) % MOD32)
    last_syn = {}   # listener sk -> (conn key, client endpoint) of its last SYN
    for ev in listeners:
        if ev.name == "mytcp_drop" and ev.sk in last_syn:
            key, peer = last_syn[ev.sk]
            nev = Ev.__new__(Ev)
            for s in Ev.__slots__:
                setattr(nev, s, getattr(ev, s))
            nev.local = key[0] if key[1] == peer else key[1]
            nev.remote = peer
            conns[key].evs.append(nev)
            continue
        if ev.name == "mytcp_state" and ev.f.get("new") == "LISTEN":
            for key in order:
                for ep in key:
                    if ep_match(ep, ev.local):
                        conns[key].listen_evs.append((ev, ep))
            continue
        if ev.name != "mytcp_segment" or ev.dir != "in" or \
                "S" not in ev.f.get("flags", "") or "." in ev.f.get("flags", ""):
            continue
        seq = int(ev.f.get("seq", 0))
        for key in order:
            for a, b in (key, key[::-1]):
                if ep_match(a, ev.local) and isn.get((key, b)) == seq:
                    nev = Ev.__new__(Ev)
                    for s in Ev.__slots__:
                        setattr(nev, s, getattr(ev, s))
                    nev.local, nev.remote = a, b
                    conns[key].evs.append(nev)
                    last_syn[ev.sk] = (key, b)
                    break
            else:
                continue
            break
    for key in order:
        conns[key].evs.sort(key=lambda e: e.idx)
    return [conns[k] for k in order]


def flags_str(fl):
    return "[" + (fl or "none") + "]"


class Ladder:
    def __init__(self, conn, args):
        self.c = conn
        self.a = args
        evs = conn.evs
        # Left column: the first sender of a SYN without ACK.
        left = None
        for ev in evs:
            if ev.name == "mytcp_segment" and "S" in ev.f.get("flags", "") \
                    and "." not in ev.f.get("flags", ""):
                left = ev.local if ev.dir == "out" else ev.remote
                break
        if left is None:
            ev = evs[0]
            left = ev.remote if ev.dir == "in" else ev.local
        self.left = left
        self.right = conn.key[1] if conn.key[0] == left else conn.key[0]
        self.traced = {ev.local for ev in evs if ev.name != "mytcp_reply"}

    def build(self):
        rows = []       # (t, idx, sub, kind, payload)
        segs = []
        pending = {}    # (src, dst) -> list of unreceived Segs
        last_out = {}   # sk -> list of out Segs (for retransmit events)
        last_in = {}    # local endpoint -> last received Seg
        for ev, ep in self.c.listen_evs:
            if not self.a.no_listen:
                # no time: a listener may be opened long before
                rows.append((None, ev.idx, 0, "note", (ep, "LISTEN")))
        last_timer = {}  # sk -> timer that fired since its last send
        last_rcv = {}    # local endpoint -> (Seg, drop reason) last in
        state = {}       # local endpoint -> its state (mytcp_state)
        self.syn_seq = {}  # local endpoint -> seq of an untraced SYN
        for ev in self.c.evs:
            if ev.name in ("mytcp_segment", "mytcp_reply",
                           "mytcp_tw_segment"):
                if ev.name == "mytcp_reply" or ev.dir == "out":
                    s = Seg(ev, ev.local, ev.remote, "out")
                    s.timer = last_timer.pop(ev.sk, None)
                    s.after = last_rcv.get(ev.local)
                    segs.append(s)
                    pending.setdefault((s.src, s.dst), []).append(s)
                    if ev.sk:
                        last_out.setdefault(ev.sk, []).append(s)
                    rows.append((ev.t, ev.idx, 0, "seg", s))
                else:
                    src, dst = ev.remote, ev.local
                    s = None
                    if src in self.traced:
                        k = (ev.f.get("flags", ""), int(ev.f.get("seq", 0)),
                             int(ev.f.get("ack", 0)), int(ev.f.get("len", 0)))
                        # The copy whose options (its TSval) are the
                        # arriving segment's; else the latest copy sent:
                        # when an original is lost, its retransmission
                        # is what arrives.
                        same = [c for c in pending.get((src, dst), [])
                                if not c.received and c.key() == k]
                        opts = ev.f.get("opts", "")
                        exact = [c for c in same if opts and c.opts == opts]
                        if exact and len(exact) < len(same):
                            s = exact[-1]
                            s.exact = True
                        elif same:
                            s = same[-1]
                    if s is not None:
                        s.received = True
                        pending[(src, dst)].remove(s)
                        if not s.exact:
                            s = self.in_order(s, segs)
                    else:
                        s = Seg(ev, src, dst, "in")
                        s.received = True
                        segs.append(s)
                        rows.append((ev.t, ev.idx, 0, "seg", s))
                    last_in[ev.local] = s
                    last_rcv[ev.local] = [s, None, ev.idx]
                    s.rcv = last_rcv[ev.local]
            elif ev.name == "mytcp_state":
                state[ev.local] = ev.f["new"]
                rows.append((ev.t, ev.idx, 0, "note", (ev.local, ev.f["new"])))
            elif ev.name == "mytcp_retransmit":
                seq = int(ev.f.get("seq", 0))
                for s in reversed(last_out.get(ev.sk, [])):
                    if s.seq == seq:
                        s.rtx = int(ev.f.get("retrans", 1)) or 1
                        break
                else:
                    # Not drawn (withheld, or before the trace): named
                    # once every ISN is known, after the loop.  In
                    # SYN_SENT/SYN_RECV it is the SYN: its seq is the
                    # ISN when no segment of that side was traced (every
                    # SYN withheld).
                    if state.get(ev.local) in ("SYN_SENT", "SYN_RECV"):
                        self.syn_seq.setdefault(ev.local, seq)
                    rows.append((ev.t, ev.idx, 0, "note",
                                 (ev.local, ("retransmit seq", seq))))
            elif ev.name == "mytcp_tw_timer":
                rows.append((ev.t, ev.idx, 0, "note",
                             (ev.local, "TIME_WAIT ends (2MSL)")))
            elif ev.name == "mytcp_timer":
                last_timer[ev.sk] = ev.f.get("timer", "?")
                rows.append((ev.t, ev.idx, 0, "note",
                             (ev.local, "timer %s" % ev.f.get("timer", "?"))))
            elif ev.name == "mytcp_reset":
                why = ev.f.get("reason", "?")
                rows.append((ev.t, ev.idx, 0, "note",
                             (ev.local, "RST " + ev.dir if why == ev.dir else
                              "RST %s (%s)" % (ev.dir, why))))
            elif ev.name == "mytcp_drop":
                why = ev.f.get("reason", "?")
                if why == "injected out":
                    # Withheld by teaching mode: never sent, never traced.
                    rows.append((ev.t, ev.idx, 0, "note",
                                 (ev.local, "withheld (injected)")))
                    continue
                if why == "injected in":
                    # Dropped on arrival before it was traced: the oldest
                    # segment from the peer still in flight after the last
                    # one this side received.
                    prev = last_in.get(ev.local)
                    s = None
                    for cand in pending.get((ev.remote, ev.local), []):
                        if prev is not None and cand.idx < prev.idx:
                            continue
                        if not cand.received and cand.drop is None:
                            s = cand
                            break
                    if s is not None:
                        s.drop = "injected"
                        pending[(ev.remote, ev.local)].remove(s)
                    else:
                        rows.append((ev.t, ev.idx, 0, "note",
                                     (ev.local, "drop: injected")))
                    continue
                s = last_in.get(ev.local)
                if ev.local in last_rcv:
                    last_rcv[ev.local][1] = why
                if s is not None and s.drop is None:
                    s.drop = why
                else:
                    rows.append((ev.t, ev.idx, 0, "note", (ev.local, "drop: %s" % why)))
        self.segs = segs
        for i, r in enumerate(rows):
            if r[3] == "note" and isinstance(r[4][1], tuple):
                ep, (what, seq) = r[4]
                rows[i] = r[:4] + ((ep, "%s=%s" % (what, self.rel(ep, seq))),)
        rows.sort(key=lambda r: (r[1], r[2]))
        self.rows = rows

    @staticmethod
    def in_order(s, segs):
        """s, the latest unreceived copy of an arriving segment, is older
        than copies already taken as received: the earlier arrivals were
        not the lost original's retransmissions but delayed copies, in
        the order sent (a FIN retransmitted under netem delay).  Hand
        the arrivals (their drop notes, the "last received" records of
        later sends) to the copies in the order sent; the newest copy
        takes this arrival.  Returns the Seg this arrival is."""
        newer = [c for c in segs if c.received and c is not s and
                 not c.exact and
                 c.src == s.src and c.dst == s.dst and c.key() == s.key() and
                 c.idx > s.idx and c.rcv is not None]
        if not newer:
            return s
        copies = [s] + sorted(newer, key=lambda c: c.idx)
        got = sorted(((c.rcv, c.drop) for c in newer),
                     key=lambda r: r[0][2])
        for c, (rec, drop) in zip(copies, got):
            rec[0] = c
            c.rcv = rec
            c.drop = drop
        last = copies[-1]
        last.drop = None
        last.rcv = None
        return last

    def isn_of(self, ep):
        if not hasattr(self, "_isn"):
            self._isn = {}
            for s in self.segs:
                if "S" in s.flags:
                    self._isn.setdefault(s.src, s.seq)
            for s in self.segs:
                self._isn.setdefault(s.src, s.seq)
            for s in self.segs:
                if "." in s.flags:
                    self._isn.setdefault(s.dst, s.ack - 1 if "S" in s.flags else s.ack)
            for ep, seq in getattr(self, "syn_seq", {}).items():
                self._isn.setdefault(ep, seq)
        return self._isn.get(ep, 0)

    def rel(self, ep, v):
        if self.a.absolute:
            return str(v)
        return str((v - self.isn_of(ep)) % MOD32)

    def label(self, s):
        parts = [flags_str(s.flags), "seq=" + self.rel(s.src, s.seq)]
        if "." in s.flags:
            parts.append("ack=" + self.rel(s.dst, s.ack))
        if self.a.window and s.win is not None:
            parts.append("win=" + s.win)
        parts.append("len=%d" % s.len)
        if s.rtx:
            parts.append("rtx#%d" % s.rtx)
        if s.nosock:
            parts.append("(no socket)")
        return " ".join(parts)

    def is_lost(self, s):
        return s.seen == "out" and not s.received and s.dst in self.traced

    def seg_note(self, s):
        if self.is_lost(s):
            return "dropped: " + s.drop if s.drop else "not received"
        return "dropped: " + s.drop if s.drop else ""

    def name(self, ep):
        if self.a.names:
            return self.a.names[0] if ep == self.left else self.a.names[1]
        return ep_str(ep)

    def render(self, out):
        rows = self.rows
        if not rows:
            return
        t0 = next((r[0] for r in rows if r[0] is not None), 0.0)
        labels = [self.label(r[4]) for r in rows if r[3] == "seg"]
        aw = max([len(l) for l in labels] + [30]) + 8
        lnotes = [r[4][1] for r in rows if r[3] == "note" and r[4][0] == self.left]
        # notes of right-to-left arrows are in the left column too
        lnotes += [self.seg_note(r[4]) for r in rows
                   if r[3] == "seg" and r[4].src != self.left]
        lw = max([len(n) for n in lnotes] + [len(self.name(self.left)) - 1, 8])
        tmode = self.a.time
        tw = 0 if tmode == "none" else (12 if tmode == "abs" else 10)

        def tcol(t):
            if tmode == "none":
                return ""
            if tmode == "abs":
                return "%12.6f" % t
            return "%10.3f" % ((t - t0) * 1000.0)

        def line(t, lnote, mid, rnote):
            s = "%s%s %*s %s %s" % (tcol(t) if t is not None else " " * tw,
                                   " " if tw else "", lw, lnote, mid, rnote)
            out.append(s.rstrip())

        bar = "|" + " " * aw + "|"
        hdr_t = ("%10s" % "ms" if tmode == "rel" else "%12s" % "s") if tw else ""
        lname, rname = self.name(self.left), self.name(self.right)
        title = "%s <-> %s" % (ep_str(self.left), ep_str(self.right))
        out.append("mytcp-ladder: " + title +
                   ("" if self.a.absolute else "  (relative sequence numbers)"))
        lbar = tw + (1 if tw else 0) + lw + 1
        rbar = lbar + aw + 1
        hline = hdr_t + " " * max(lbar - len(lname) // 2 - len(hdr_t), 1) + lname
        hline += " " * max(rbar - len(rname) // 2 - len(hline), 1) + rname
        out.append(hline.rstrip())
        nrcv = nrtx = 0
        for t, _, _, kind, p in rows:
            if kind == "note":
                ep, text = p
                if ep == self.left:
                    line(t, text, bar, "")
                else:
                    line(t, "", bar, text)
                continue
            s = p
            lab = self.label(s)
            lost = s.seen == "out" and not s.received and s.dst in self.traced
            if s.rtx:
                nrtx += 1
            if lost:
                nrcv += 1
            n = aw - len(lab) - 3
            if s.src == self.left:
                if lost:
                    mid = "|--" + lab + "-" * max(n - 3, 1) + "X   |"
                else:
                    mid = "|--" + lab + "-" * max(n, 1) + ">|"
            else:
                if lost:
                    mid = "|   X" + "-" * max(n - 3, 1) + lab + "--|"
                else:
                    mid = "|<" + "-" * max(n, 1) + lab + "--|"
            note = self.seg_note(s)
            if s.src == self.left:
                line(t, "", mid, note)
            else:
                line(t, note, mid, "")
        cnt = {}
        for s in self.segs:
            cnt[s.src] = cnt.get(s.src, 0) + 1
        out.append("segments: %d %s -> %s, %d %s -> %s; %d retransmitted, %d not received"
                   % (cnt.get(self.left, 0), lname, rname,
                      cnt.get(self.right, 0), rname, lname, nrtx, nrcv))
        if self.right not in self.traced and any(
                s.src == self.right or s.dst == self.right for s in self.segs):
            out.append("(%s is not mytcp: drawn from what %s sent and received)"
                       % (rname, lname))
        elif self.left not in self.traced:
            out.append("(%s is not mytcp: drawn from what %s sent and received)"
                       % (lname, rname))


# ------------------------------------------------------------ pcapng
# The format (draft-ietf-opsawg-pcapng): a Section Header Block, one
# Interface Description Block (LINKTYPE_RAW: packets start with the IP
# header), then an Enhanced Packet Block per segment whose opt_comment says
# what mytcp was doing.  Payload bytes are not in the trace: each packet is
# captured up to its TCP header (captured length < original length, as a
# capture with a snap length), which is all Wireshark's TCP analysis needs.
PCAPNG_SHB = 0x0A0D0D0A
PCAPNG_IDB = 0x00000001
PCAPNG_EPB = 0x00000006
PCAPNG_BOM = 0x1A2B3C4D
LINKTYPE_RAW = 101
OPT_COMMENT = 1
OPT_ENDOFOPT = 0
TCP_FLAG_BITS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, ".": 0x10,
                 "U": 0x20, "E": 0x40, "W": 0x80}


def _pad4(b):
    return b + b"\0" * (-len(b) % 4)


def _opt(code, val):
    return struct.pack("<HH", code, len(val)) + _pad4(val)


def _block(btype, body):
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def _csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def _ip4(a):
    return bytes(int(x) for x in a.split("."))


def build_packet(src, dst, flags, seq, ack, win, opts, paylen, ident):
    """IPv4 (IPv6 for IPv6 addresses) + TCP header bytes of a segment, and
    its length on the wire."""
    o = _pad4(bytes.fromhex(opts)) if opts else b""
    o = o[:40]
    fl = 0
    for c in flags:
        fl |= TCP_FLAG_BITS.get(c, 0)
    tcp = struct.pack("!HHIIBBHHH", src[1], dst[1], seq % MOD32, ack % MOD32,
                      (5 + len(o) // 4) << 4, fl, min(win, 0xffff), 0, 0) + o
    if ":" in src[0]:
        total = 40 + len(tcp) + paylen
        ip = struct.pack("!IHBB16s16s", 6 << 28,
                         min(total - 40, 0xffff), 6, 64,
                         socket.inet_pton(socket.AF_INET6, src[0]),
                         socket.inet_pton(socket.AF_INET6, dst[0]))
        return ip + tcp, total
    total = 20 + len(tcp) + paylen
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, min(total, 0xffff),
                     ident & 0xffff, 0x4000, 64, 6, 0, _ip4(src[0]),
                     _ip4(dst[0]))
    ip = ip[:10] + struct.pack("!H", _csum(ip)) + ip[12:]
    return ip + tcp, total


def pcapng_bytes(packets):
    """packets: list of (t seconds, header bytes, wire length, comment)."""
    out = [_block(PCAPNG_SHB, struct.pack("<IHHq", PCAPNG_BOM, 1, 0, -1) +
                  _opt(OPT_COMMENT, ("mytcp-ladder %s" % VERSION).encode()) +
                  _opt(OPT_ENDOFOPT, b""))]
    out.append(_block(PCAPNG_IDB, struct.pack("<HHI", LINKTYPE_RAW, 0, 0xffff) +
                      _opt(2, b"mytcp") + _opt(OPT_ENDOFOPT, b"")))
    for t, data, wire, comment in packets:
        us = int(round(t * 1e6))
        body = struct.pack("<IIIII", 0, us >> 32, us & 0xffffffff, len(data),
                           wire) + _pad4(data)
        if comment:
            body += _opt(OPT_COMMENT, comment.encode()) + _opt(OPT_ENDOFOPT, b"")
        out.append(_block(PCAPNG_EPB, body))
    return b"".join(out)


def send_reason(lad, s, sent_before):
    """Why mytcp sent segment s (an "out" Seg), from the trace around it."""
    fl = s.flags
    ev = s.ev
    if s.nosock:
        if "R" in fl:
            return "RST: no connection for the segment (RFC 9293 3.10.7.1)"
        return "ACK from TIME_WAIT (no socket): re-ACK of the peer's segment"
    if "R" in fl:
        return "RST: abort"
    if s.timer == "keepalive":
        return "keepalive probe"
    if s.timer == "persist":
        return "zero window probe (persist timer)"
    if s.rtx or ((s.len or "S" in fl or "F" in fl) and
                 (s.src, s.seq) in sent_before):
        what = "SYN " if "S" in fl else "FIN " if "F" in fl and not s.len else ""
        if s.timer == "retransmit":
            how = "RTO"
        elif s.timer in ("tlp", "probe", "loss_probe"):
            how = "TLP"
        else:
            how = "fast (duplicate ACKs / SACK)"
        return "%sretransmission: %s" % (what, how)
    if "S" in fl:
        return "SYN-ACK (answer to the SYN)" if "." in fl else "SYN (connect)"
    if s.len:
        return "new data" + (" and FIN" if "F" in fl else "")
    if "F" in fl:
        return "FIN (close)"
    prev = s.after
    if prev is not None:
        pseg, pdrop = prev[:2]
        if pdrop and ("R" in pseg.flags or "S" in pseg.flags):
            return "challenge ACK (RFC 5961)"
        if pdrop:
            return "ACK to an unacceptable segment (%s)" % pdrop
        if ("S" in pseg.flags and "." not in pseg.flags) or \
                ("R" in pseg.flags):
            return "challenge ACK (RFC 5961)"
        if "S" in pseg.flags:
            return "ACK of the SYN-ACK (handshake done)"
        if "F" in pseg.flags:
            return "ACK of the peer's FIN"
        if pseg.len:
            return "ACK of data"
    return "pure ACK (window update)"


def pcapng_packets(lad):
    """The ladder's segments as (t, bytes, wirelen, comment), in order."""
    pkts = []
    sent_before = set()
    for t, _, _, kind, s in lad.rows:
        if kind != "seg":
            continue
        f = s.ev.f
        try:
            win = int(s.win or 0)
        except ValueError:
            win = 0
        data, wire = build_packet(s.src, s.dst, s.flags, s.seq, s.ack, win,
                                  f.get("opts", ""), s.len, s.ev.idx)
        state = f.get("state", "-")
        if s.seen == "out":
            why = send_reason(lad, s, sent_before)
            who = "sent by %s in %s" % (ep_str(s.src), state)
            if s.len or "S" in s.flags or "F" in s.flags:
                sent_before.add((s.src, s.seq))
        else:
            why = "received (sender not traced)"
            who = "received by %s in %s" % (ep_str(s.dst), state)
        extra = []
        if f.get("wscale") not in (None, "0"):
            extra.append("window %d << %s = %d bytes" % (
                win, f["wscale"], win << int(f["wscale"])))
        if lad.is_lost(s):
            extra.append(lad.seg_note(s))
        elif s.drop:
            extra.append("dropped by the receiver: " + s.drop)
        pkts.append((s.t, data, wire, "mytcp: %s; %s%s" % (
            who, why, "".join("; " + e for e in extra))))
    return pkts


# ------------------------------------------------------------ live tracing
def tracefs():
    for d in ("/sys/kernel/tracing", "/sys/kernel/debug/tracing"):
        if os.path.isdir(os.path.join(d, "events", "mytcp")):
            return d
    if os.path.isdir("/sys/kernel/tracing") and \
            not os.path.exists("/sys/kernel/tracing/events"):
        subprocess.call(["mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing"])
        if os.path.isdir("/sys/kernel/tracing/events/mytcp"):
            return "/sys/kernel/tracing"
    return None


def wr(path, val):
    with open(path, "w") as f:
        f.write(val)


def live(args):
    if os.geteuid() != 0:
        raise Usage("live tracing needs root (tracefs): run as root, or save "
                    "a trace as root and read it with mytcp-ladder FILE")
    if args.command:
        exe = args.command[0]
        if not (os.sep in exe and os.access(exe, os.X_OK)) and \
                not shutil.which(exe):
            raise Usage("%s: command not found" % exe)
    try:
        base = tracefs()
    except OSError as e:
        raise Usage("cannot reach tracefs: %s" % e.strerror)
    if base is None:
        raise Usage("no mytcp events in tracefs: is the module loaded "
                    "and tracefs mounted (/sys/kernel/tracing)?")
    inst = os.path.join(base, "instances", "mytcp-ladder-%d" % os.getpid())
    try:
        os.mkdir(inst)
    except OSError as e:
        raise Usage("cannot make a tracefs instance %s: %s" % (inst, e.strerror))
    lines = []
    save = open(args.write, "w") if args.write else None
    stop = [False]

    def on_sig(signum, frame):
        stop[0] = True
    signal.signal(signal.SIGINT, on_sig)
    signal.signal(signal.SIGTERM, on_sig)
    child = None
    fd = None
    try:
        wr(os.path.join(inst, "tracing_on"), "0")
        flt = ""
        if args.port:
            flt = " || ".join("sport == %d || dport == %d" % (p, p) for p in args.port)
        for ev in EVENTS:
            d = os.path.join(inst, "events", "mytcp", ev)
            if flt:
                wr(os.path.join(d, "filter"), flt)
            wr(os.path.join(d, "enable"), "1")
        fd = os.open(os.path.join(inst, "trace_pipe"), os.O_RDONLY | os.O_NONBLOCK)
        wr(os.path.join(inst, "tracing_on"), "1")
        if args.command:
            try:
                child = subprocess.Popen(args.command)
            except OSError as e:
                raise Usage("%s: %s" % (args.command[0], e.strerror))
        else:
            print("mytcp-ladder: tracing%s; Ctrl-C to stop and draw" %
                  ((" port " + ",".join(map(str, args.port))) if args.port else ""),
                  file=sys.stderr)
        end = time.monotonic() + args.duration if args.duration else None
        buf = b""

        def drain():
            nonlocal buf
            while True:
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    return
                if not chunk:
                    return
                buf += chunk
                *done, buf = buf.split(b"\n")
                for l in done:
                    s = l.decode(errors="replace")
                    lines.append(s)
                    if save:
                        save.write(s + "\n")
        while not stop[0]:
            select.select([fd], [], [], 0.2)
            drain()
            if child is not None and child.poll() is not None:
                time.sleep(0.3)
                break
            if end is not None and time.monotonic() >= end:
                break
        wr(os.path.join(inst, "tracing_on"), "0")
        drain()
    finally:
        if fd is not None:
            os.close(fd)
        if child is not None and child.poll() is None:
            child.terminate()
            child.wait()
        for ev in EVENTS:
            try:
                wr(os.path.join(inst, "events", "mytcp", ev, "enable"), "0")
            except OSError:
                pass
        try:
            os.rmdir(inst)
        except OSError as e:
            print("mytcp-ladder: cannot remove %s: %s" % (inst, e), file=sys.stderr)
        if save:
            save.close()
    rc = child.returncode if child is not None else 0
    return lines, rc


def read_trace(data, name):
    """The text lines of a trace; a clear refusal for binary formats."""
    if data.startswith(TRACE_DAT_MAGIC):
        raise Usage("%s is trace-cmd's binary trace.dat: convert it first "
                    "with 'trace-cmd report %s > trace.txt'" % (name, name))
    if data.startswith(b"PERFILE"):
        raise Usage("%s is perf's binary perf.data: convert it first with "
                    "'perf script -i %s > trace.txt'" % (name, name))
    if data.startswith(b"\x0a\x0d\x0d\x0a") or \
            data[:4] in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4"):
        raise Usage("%s is a packet capture, not a trace of the mytcp "
                    "tracepoints" % name)
    if b"\0" in data[:4096]:
        raise Usage("%s is not a text trace (binary data)" % name)
    return data.decode(errors="replace").splitlines()


def parse_live_args(ap):
    """Parse sys.argv with ap; what follows "--" is the command to trace
    live (-l), in args.command.  Shared with mytcp-plot."""
    argv = sys.argv[1:]
    command = []
    if "--" in argv:
        command = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    args = ap.parse_args(argv)
    args.command = command
    if args.command and not args.live:
        ap.error("a command needs -l")
    if args.live and args.file:
        ap.error("-l reads no trace file")
    return args


def main():
    ap = argparse.ArgumentParser(
        prog="mytcp-ladder",
        description="Draw ladder diagrams of mytcp connections from the mytcp tracepoints.",
        usage="%(prog)s [options] [TRACEFILE | -]\n"
              "       %(prog)s -l [options] [-d SECS] [-w FILE] [-- CMD [ARGS...]]")
    ap.add_argument("file", nargs="?", help="saved trace (text of tracefs 'trace'); - for stdin")
    ap.add_argument("-l", "--live", action="store_true",
                    help="trace live through tracefs until Ctrl-C, -d or CMD exits")
    ap.add_argument("-p", "--port", type=int, action="append", default=[],
                    help="only connections with this local or remote port")
    ap.add_argument("-c", "--conn", type=int, action="append", default=[],
                    help="only the Nth connection (1 = first; see --list)")
    ap.add_argument("-a", "--absolute", action="store_true",
                    help="absolute sequence numbers")
    ap.add_argument("-W", "--window", action="store_true", help="show the window")
    ap.add_argument("-t", "--time", choices=("rel", "abs", "none"), default="rel",
                    help="time column: ms since the connection's first event "
                         "(rel, default), trace seconds (abs) or none")
    ap.add_argument("-N", "--names", help="LEFT,RIGHT: column names instead of addresses")
    ap.add_argument("--no-listen", action="store_true",
                    help="do not show the listener's LISTEN")
    ap.add_argument("-L", "--list", action="store_true", help="list the connections only")
    ap.add_argument("-d", "--duration", type=float, help="live: stop after SECS seconds")
    ap.add_argument("-w", "--write", help="live: also save the raw trace to FILE")
    ap.add_argument("--pcapng", metavar="OUT",
                    help="also write the selected connections' segments to OUT "
                         "(pcapng, one comment per packet: state and why sent)")
    ap.add_argument("--version", action="version",
                    version="%(prog)s " + VERSION)
    args = parse_live_args(ap)
    if args.names:
        args.names = args.names.split(",", 1)
        if len(args.names) != 2:
            ap.error("--names needs LEFT,RIGHT")
    rc = 0
    if args.live:
        lines, rc = live(args)
    elif args.file in (None, "-"):
        lines = read_trace(sys.stdin.buffer.read(), "stdin")
    else:
        try:
            with open(args.file, "rb") as f:
                lines = read_trace(f.read(), args.file)
        except OSError as e:
            raise Usage("%s: %s" % (args.file, e.strerror))
    conns = build_conns(parse_trace(lines))
    sel = []
    for i, c in enumerate(conns, 1):
        if args.port and not any(ep[1] in args.port for ep in c.key):
            continue
        if args.conn and i not in args.conn:
            continue
        sel.append((i, c))
    out = []
    pkts = []
    if args.list:
        for i, c in sel:
            lad = Ladder(c, args)
            out.append("%d: %s -> %s  %d events" % (i, ep_str(lad.left), ep_str(lad.right),
                                                  len(c.evs)))
    else:
        for n, (i, c) in enumerate(sel):
            if n:
                out.append("")
            lad = Ladder(c, args)
            lad.build()
            lad.render(out)
            pkts += pcapng_packets(lad)
    if not sel:
        print("mytcp-ladder: no mytcp connection in the trace", file=sys.stderr)
        return rc or 1
    if args.pcapng:
        pkts.sort(key=lambda p: p[0])
        try:
            with open(args.pcapng, "wb") as f:
                f.write(pcapng_bytes(pkts))
        except OSError as e:
            raise Usage("%s: %s" % (args.pcapng, e.strerror))
    print("\n".join(out))
    return rc


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.exit(0)
    except Usage as e:
        sys.exit("mytcp-ladder: %s" % e)
    except KeyboardInterrupt:
        sys.exit(130)
