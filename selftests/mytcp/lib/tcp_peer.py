#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# tcp_peer.py: a scripted TCP peer for the mytcp selftests, stdlib only.
#
# The "remote host" exists only in this script: a TUN device (IFF_TUN |
# IFF_NO_PI) carries LOCAL/24 (10.0.9.1/24) in a private network namespace,
# so every segment mytcp sends to 10.0.9.x is read here, and the script
# writes IPv4+TCP packets of any shape (right or wrong checksums, any
# options, truncated headers...) that the kernel receives from the tun.
# Linux TCP never answers for REMOTE: it does not exist.
#
# Writes to a tun are processed synchronously (tun_get_user ->
# netif_receive_skb) and replies are queued on the tun before write()
# returns, so Peer.barrier() (an ICMP echo round trip) tells "no answer"
# apart from "answer not read yet" without waiting for a timeout.
#
# Test programs (states.py, hostile.py) use run_cases(): every case runs in
# a forked child in a fresh network namespace (so /proc/net/mytcp and the
# per-netns counters hold that case only) and prints one KTAP result line.
#
# IPv6 mode: run_cases(cases, families=(4, 6)) runs every case a second
# time over IPv6 ("[IPv6]" ends its description): the tun then carries
# LOCAL6/64 (fd00:9::1/64), the peer is REMOTE6, packets are IPv6 (TCP
# checksum over the IPv6 pseudo-header, ICMPv6 echo for barrier()), mytcp
# sockets are wrapped as AF_INET6 python sockets (sockaddr_in6), conns()
# reads /proc/net/mytcp6 as well, and inet_family() is the family a Linux
# socket compared with mytcp must have.  Cases use peer.local/peer.remote
# and never spell an address.  MYTCP_FAMILIES=4 (or 6) runs one family.
#
# Helpers:
#   Peer.send_segment(sport, dport, flags, seq, ack, win, data, options,
#                     bad_csum, ...), Peer.send_raw(ip_packet_bytes),
#   Peer.expect_segment(timeout, predicate) -> Segment (flags, seq, ack,
#   win, options, payload...), Peer.barrier() -> segments before the echo.
#   Flow: one connection seen from the peer (tracks its SND.NXT/RCV.NXT).
#   mytcp_socket(), conns()/states_of()/wait_states(), stats(), sysctl().

import ctypes
import errno
import fcntl
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import knobs  # noqa: E402  pylint: disable=wrong-import-position
import mytcp_sock  # noqa: E402  pylint: disable=wrong-import-position

FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20

LOCAL = "10.0.9.1"		# the mytcp host (tun address)
REMOTE = "10.0.9.2"		# the scripted peer
LOCAL6 = "fd00:9::1"		# the same over IPv6
REMOTE6 = "fd00:9::2"
FAMILY = 4			# of the running case (run_cases sets it)
TUN_NAME = "mytcptun0"

# /proc/net/mytcp st codes (Linux numbering)
ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSE, \
    CLOSE_WAIT, LAST_ACK, LISTEN, CLOSING = range(1, 12)
STATE_NAMES = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV",
               4: "FIN_WAIT1", 5: "FIN_WAIT2", 6: "TIME_WAIT", 7: "CLOSE",
               8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING"}

TUNSETIFF = 0x400454ca
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000

MOD_DIR = "/sys/module/mytcp"
STAT_FILE = "/proc/net/mytcp_stat"
CONN_FILE = "/proc/net/mytcp"
CONN_FILE6 = "/proc/net/mytcp6"
SYSCTL_DIR = "/proc/sys/net/mytcp"


class Skip(Exception):
    """Raised by a case that cannot run here."""


def diag(msg):
    for line in str(msg).splitlines() or [""]:
        print("# " + line, flush=True)


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def flag_str(flags):
    s = ""
    for bit, ch in ((SYN, "S"), (FIN, "F"), (RST, "R"), (PSH, "P"),
                    (ACK, "A"), (URG, "U")):
        if flags & bit:
            s += ch
    return s or "."


def state_name(st):
    return STATE_NAMES.get(st, "?%d" % st)


# ---------------------------------------------------------------- packets

def csum16(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def pseudo_header(src, dst, proto, length):
    """RFC 793 / RFC 8200 8.1 pseudo-header of the addresses' family."""
    if ":" in src:
        return (socket.inet_pton(socket.AF_INET6, src) +
                socket.inet_pton(socket.AF_INET6, dst) +
                struct.pack("!IxxxB", length, proto))
    return (socket.inet_aton(src) + socket.inet_aton(dst) +
            struct.pack("!BBH", 0, proto, length))


def tcp_checksum(src, dst, tcp):
    return csum16(pseudo_header(src, dst, socket.IPPROTO_TCP, len(tcp)) +
                  tcp)


def inet_family():
    """socket.AF_INET or AF_INET6: the running case's family."""
    return socket.AF_INET6 if FAMILY == 6 else socket.AF_INET


def opt_nop():
    return b"\x01"


def opt_eol():
    return b"\x00"


def opt_mss(mss):
    return struct.pack("!BBH", 2, 4, mss)


def opt_wscale(shift):
    return struct.pack("!BBB", 3, 3, shift)


def opt_sack_perm():
    return b"\x04\x02"


def opt_ts(tsval, tsecr):
    return struct.pack("!BBII", 8, 10, tsval, tsecr)


def opt_sack(blocks):
    """SACK option (RFC 2018) from [(start, end), ...]."""
    body = b"".join(struct.pack("!II", a & 0xffffffff, b & 0xffffffff)
                    for a, b in blocks)
    return struct.pack("!BB", 5, 2 + len(body)) + body


def opt_raw(kind, body=b"", length=None):
    """An option with any kind/length byte (length defaults to the truth)."""
    if length is None:
        length = 2 + len(body)
    return bytes([kind, length]) + body


def build_tcp(src, dst, sport, dport, seq, ack, flags, win=65535,
              options=b"", data=b"", doff=None, urg=0, bad_csum=False):
    """TCP header + data; options padded with EOL to 4 bytes; doff may lie."""
    if len(options) % 4:
        options += b"\0" * (4 - len(options) % 4)
    if doff is None:
        doff = (20 + len(options)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff,
                      ack & 0xffffffff, (doff & 0xf) << 4, flags & 0xff,
                      win & 0xffff, 0, urg) + options
    seg = hdr + data
    c = tcp_checksum(src, dst, seg)
    if bad_csum:
        c ^= 0x1234
    return seg[:16] + struct.pack("!H", c) + seg[18:]


_ip_ident = [0x4d00]


def build_ipv4(src, dst, proto, payload, tot_len=None, ttl=64, tos=0):
    _ip_ident[0] = (_ip_ident[0] + 1) & 0xffff
    if tot_len is None:
        tot_len = 20 + len(payload)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, tos, tot_len, _ip_ident[0],
                      0x4000, ttl, proto, 0, socket.inet_aton(src),
                      socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack("!H", csum16(hdr)) + hdr[12:]
    return hdr + payload


def build_ipv6(src, dst, nexthdr, payload, plen=None, hlim=64, tclass=0,
               flowlabel=0, exthdrs=b""):
    """IPv6 header (+ exthdrs, already chained: their first byte is the
    next header) + payload; nexthdr: the first header after the fixed
    one.  plen may lie."""
    if plen is None:
        plen = len(exthdrs) + len(payload)
    hdr = struct.pack("!IHBB16s16s", (6 << 28) | ((tclass & 0xff) << 20) |
                      (flowlabel & 0xfffff), plen & 0xffff, nexthdr, hlim,
                      socket.inet_pton(socket.AF_INET6, src),
                      socket.inet_pton(socket.AF_INET6, dst))
    return hdr + exthdrs + payload


def build_ip(src, dst, proto, payload, tot_len=None, ttl=64, tos=0):
    """An IPv4 or IPv6 packet, by the addresses' family (tot_len: the IPv4
    total length, for IPv6 the same less the 40-byte header)."""
    if ":" in src:
        return build_ipv6(src, dst, proto, payload,
                          None if tot_len is None else tot_len - 20,
                          hlim=ttl, tclass=tos)
    return build_ipv4(src, dst, proto, payload, tot_len, ttl, tos)


def build_icmp_error(quoted, typ=3, code=3, mtu=0, bad_csum=False):
    """ICMP error body quoting `quoted` (an IP packet mytcp sent; RFC 792:
    its header and the first 8 bytes of its payload)."""
    ihl = (quoted[0] & 0xf) * 4
    body = quoted[:ihl + 8]
    hdr = struct.pack("!BBHHH", typ, code, 0, 0, mtu)
    c = csum16(hdr + body)
    if bad_csum:
        c ^= 0x1234
    return hdr[:2] + struct.pack("!H", c) + hdr[4:] + body


def quote_with_seq(seg, seq):
    """seg's raw IP packet with another TCP sequence number."""
    ihl = (seg.raw[0] & 0xf) * 4
    return seg.raw[:ihl + 4] + struct.pack("!I", seq & 0xffffffff) + \
        seg.raw[ihl + 8:]


class Segment:
    """A TCP segment read from the tun (sent by mytcp or Linux)."""

    def __init__(self, raw):
        self.flowlabel = None
        if raw[0] >> 4 == 6:		# no extension headers from mytcp
            ihl = 40
            ip = raw[:40 + struct.unpack("!H", raw[4:6])[0]]
            self.tos = ((ip[0] & 0xf) << 4) | (ip[1] >> 4)
            self.flowlabel = struct.unpack("!I", ip[:4])[0] & 0xfffff
            self.src = socket.inet_ntop(socket.AF_INET6, ip[8:24])
            self.dst = socket.inet_ntop(socket.AF_INET6, ip[24:40])
        else:
            ihl = (raw[0] & 0xf) * 4
            ip = raw[:struct.unpack("!H", raw[2:4])[0]]
            self.tos = ip[1]	# DS field; & 3: ECN (0 Not-ECT, 2 ECT(0))
            self.src = socket.inet_ntoa(ip[12:16])
            self.dst = socket.inet_ntoa(ip[16:20])
        self.raw = ip
        tcp = ip[ihl:]
        (self.sport, self.dport, self.seq, self.ack, off, self.flags,
         self.win, self.csum, self.urg) = struct.unpack("!HHIIBBHHH",
                                                        tcp[:20])
        self.doff = off >> 4
        self.csum_ok = tcp_checksum(self.src, self.dst, tcp) == 0
        self.options = []
        self.mss = None
        self.wscale = None
        self.sack_perm = False
        self.ts = None
        o = tcp[20:self.doff * 4]
        i = 0
        while i < len(o):
            kind = o[i]
            if kind == 0:
                break
            if kind == 1:
                i += 1
                continue
            if i + 1 >= len(o) or o[i + 1] < 2:
                self.options.append((kind, None))	# malformed
                break
            body = o[i + 2:i + o[i + 1]]
            self.options.append((kind, body))
            if kind == 2 and len(body) == 2:
                self.mss = struct.unpack("!H", body)[0]
            elif kind == 3 and len(body) == 1:
                self.wscale = body[0]
            elif kind == 4:
                self.sack_perm = True
            elif kind == 8 and len(body) == 8:
                self.ts = struct.unpack("!II", body)
            i += o[i + 1]
        self.payload = tcp[self.doff * 4:]
        self.seg_len = len(self.payload) + bool(self.flags & SYN) + \
            bool(self.flags & FIN)

    def has(self, flags):
        return self.flags & flags == flags

    def __str__(self):
        s = "%s:%d > %s:%d [%s] seq %u ack %u win %u len %d" % (
            self.src, self.sport, self.dst, self.dport,
            flag_str(self.flags), self.seq, self.ack, self.win,
            len(self.payload))
        if self.mss is not None:
            s += " mss %d" % self.mss
        if self.wscale is not None:
            s += " ws %d" % self.wscale
        if not self.csum_ok:
            s += " BADCSUM"
        return s

    __repr__ = __str__


# ---------------------------------------------------------------- the peer

class Peer:
    """The remote host: a tun device in the current network namespace."""

    def __init__(self, local=None, remote=None, name=TUN_NAME):
        self.v6 = FAMILY == 6
        self.local = local or (LOCAL6 if self.v6 else LOCAL)
        self.remote = remote or (REMOTE6 if self.v6 else REMOTE)
        self.name = name
        self.fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
        ifr = struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI)
        ifr += b"\0" * (40 - len(ifr))
        fcntl.ioctl(self.fd, TUNSETIFF, ifr)
        if self.v6:
            if_config(name)
            if_config6(name, self.local, 64)
        else:
            if_config(name, self.local, "255.255.255.0")
        self.pending = []		# segments read, not yet expected
        self.echo_seen = set()
        self.echo_id = os.getpid() & 0xffff
        self.echo_seq = 0
        self.bad_csum_seen = []		# segments from us with bad checksum
        self.sent = 0

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    # -- sending
    def send_raw(self, pkt):
        """Write one IP packet (bytes) as received from the wire."""
        os.write(self.fd, pkt)
        self.sent += 1

    def send_segment(self, sport, dport, flags, seq, ack=0, win=65535,
                     data=b"", options=b"", bad_csum=False, doff=None,
                     urg=0, src=None, dst=None, tot_len=None, tos=0):
        src = src or self.remote
        dst = dst or self.local
        tcp = build_tcp(src, dst, sport, dport, seq, ack, flags, win,
                        options, data, doff, urg, bad_csum)
        self.send_raw(build_ip(src, dst, socket.IPPROTO_TCP, tcp,
                               tot_len=tot_len, tos=tos))

    # -- receiving
    def _read_one(self, deadline):
        """Read and file one packet; False when the deadline passed."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                return False
            try:
                pkt = os.read(self.fd, 65536)
            except BlockingIOError:
                continue
            self._file(pkt)
            return True

    def _file(self, pkt):
        if len(pkt) >= 40 and pkt[0] >> 4 == 6:
            ihl, proto, echo_reply = 40, pkt[6], 129
            if proto == 58:
                proto = socket.IPPROTO_ICMP
        elif len(pkt) >= 20 and pkt[0] >> 4 == 4:
            ihl, proto, echo_reply = (pkt[0] & 0xf) * 4, pkt[9], 0
        else:
            return
        if proto == socket.IPPROTO_ICMP and len(pkt) >= ihl + 8:
            typ, _, _, ident, seq = struct.unpack("!BBHHH",
                                                  pkt[ihl:ihl + 8])
            if typ == echo_reply and ident == self.echo_id:
                self.echo_seen.add(seq)
            return
        if proto != socket.IPPROTO_TCP or len(pkt) < ihl + 20:
            return
        seg = Segment(pkt)
        if not seg.csum_ok:
            self.bad_csum_seen.append(seg)
        self.pending.append(seg)
        if len(self.pending) > 4000:
            del self.pending[:1000]

    def expect_segment(self, timeout, predicate=None):
        """First segment (in arrival order) matching predicate, or None."""
        deadline = time.monotonic() + timeout
        idx = 0
        while True:
            while idx < len(self.pending):
                seg = self.pending[idx]
                if predicate is None or predicate(seg):
                    del self.pending[idx]
                    return seg
                idx += 1
            if not self._read_one(deadline):
                return None
            idx = min(idx, len(self.pending) - 1) if self.pending else 0

    def barrier(self, timeout=10.0):
        """ICMP echo round trip; returns (and forgets) every TCP segment
        read before the reply.  Whatever the kernel sent in answer to the
        packets written before is among them."""
        self.echo_seq = (self.echo_seq + 1) & 0xffff
        seq = self.echo_seq
        if self.v6:
            body = struct.pack("!BBHHH", 128, 0, 0, self.echo_id, seq) + \
                b"mytcp!"
            c = csum16(pseudo_header(self.remote, self.local, 58,
                                     len(body)) + body)
            body = body[:2] + struct.pack("!H", c) + body[4:]
            self.send_raw(build_ipv6(self.remote, self.local, 58, body))
        else:
            body = struct.pack("!BBHHH", 8, 0, 0, self.echo_id, seq) + \
                b"mytcp!"
            body = body[:2] + struct.pack("!H", csum16(body)) + body[4:]
            self.send_raw(build_ipv4(self.remote, self.local,
                                     socket.IPPROTO_ICMP, body))
        deadline = time.monotonic() + timeout
        while seq not in self.echo_seen:
            if not self._read_one(deadline):
                raise AssertionError("barrier: no ICMP echo reply from %s"
                                     % self.local)
        self.echo_seen.discard(seq)
        segs, self.pending = self.pending, []
        return segs

    def send_icmp_error(self, quoted, src="10.0.9.254", **kw):
        """An ICMP error (from a router on the tun's subnet) about quoted."""
        if self.v6:
            raise Skip("ICMP errors are IPv4 here (ipv6.py has ICMPv6)")
        self.send_raw(build_ipv4(src, self.local, socket.IPPROTO_ICMP,
                                 build_icmp_error(quoted, **kw)))

    def flow(self, lport, rport, iss=1000000):
        return Flow(self, lport, rport, iss)


class Flow:
    """One connection as the peer sees it.  lport: mytcp's port, rport: the
    peer's.  snd_nxt: the peer's next sequence number; rcv_nxt: what the
    peer expects next from mytcp (set from the segments it reads)."""

    def __init__(self, peer, lport, rport, iss=1000000):
        self.peer = peer
        self.lport = lport
        self.rport = rport
        self.iss = iss
        self.snd_nxt = iss
        self.rcv_nxt = None
        self.irs = None

    def mine(self, seg):
        return (seg.src == self.peer.local and seg.dst == self.peer.remote
                and seg.sport == self.lport and seg.dport == self.rport)

    def send(self, flags, data=b"", seq=None, ack=None, win=65535,
             options=b"", advance=True, **kw):
        if seq is None:
            seq = self.snd_nxt
        if ack is None:
            ack = self.rcv_nxt if (flags & ACK) and self.rcv_nxt is not None \
                else 0
        self.peer.send_segment(self.rport, self.lport, flags, seq, ack, win,
                               data, options, **kw)
        if advance and seq == self.snd_nxt:
            self.snd_nxt = (self.snd_nxt + len(data) + bool(flags & SYN) +
                            bool(flags & FIN)) & 0xffffffff

    def is_rtx(self, seg):
        """A retransmission: sequence space the peer has already seen
        (tracked).  Clock-driven, so left out unless asked for."""
        return (self.rcv_nxt is not None and seg.seg_len > 0 and
                not seq_after((seg.seq + seg.seg_len) & 0xffffffff,
                              self.rcv_nxt))

    def expect(self, pred=None, timeout=10.0, what="a segment", rtx=False):
        seg = self.peer.expect_segment(
            timeout, lambda s: self.mine(s) and (rtx or not self.is_rtx(s))
            and (pred is None or pred(s)))
        if seg is None:
            raise AssertionError("no %s from mytcp port %d to peer port %d "
                                 "(pending: %s)" % (what, self.lport,
                                                    self.rport,
                                                    self.peer.pending[-5:]))
        return seg

    def expect_flags(self, flags, timeout=10.0, ignore=PSH, pred=None,
                     rtx=False):
        """The next segment whose flags (PSH ignored) are exactly flags."""
        return self.expect(lambda s: (s.flags & ~ignore) == flags and
                           (pred is None or pred(s)), timeout,
                           "[%s] segment" % flag_str(flags), rtx)

    def track(self, seg):
        """Take mytcp's sequence space from a segment it sent."""
        if seg.flags & SYN:
            self.irs = seg.seq
        end = (seg.seq + seg.seg_len) & 0xffffffff
        if self.rcv_nxt is None or seq_after(end, self.rcv_nxt):
            self.rcv_nxt = end
        return seg

    def answers(self, rtx=False):
        """Segments of this flow that came before a barrier (without the
        retransmissions, see is_rtx, unless rtx)."""
        return [s for s in self.peer.barrier() if self.mine(s) and
                (rtx or not self.is_rtx(s))]


def seq_after(a, b):
    return ((a - b) & 0xffffffff) != 0 and ((a - b) & 0xffffffff) < 0x80000000


# ---------------------------------------------------------------- mytcp

_sockets = []


def mytcp_family():
    """The family the loaded module registered (mytcp_sock.family())."""
    return mytcp_sock.family()


def mytcp_socket(blocking=False):
    """A mytcp socket usable as an AF_INET (AF_INET6 in IPv6 mode) python
    socket: its addresses are sockaddr_in (sockaddr_in6)."""
    fd = socket.socket(mytcp_family(), socket.SOCK_STREAM).detach()
    s = socket.socket(inet_family(), socket.SOCK_STREAM, 0, fileno=fd)
    s.setblocking(blocking)
    _sockets.append(s)
    return s


def accept(lsock):
    """Non-blocking accept; (socket, address) or (None, None)."""
    try:
        c, addr = lsock.accept()
    except BlockingIOError:
        return None, None
    c.setblocking(False)
    _sockets.append(c)
    return c, addr


def accept_wait(lsock, timeout=5.0):
    """accept() until a connection comes or timeout: socket or None."""
    deadline = time.monotonic() + timeout
    while True:
        c, _ = accept(lsock)
        if c is not None or time.monotonic() >= deadline:
            return c
        time.sleep(0.02)


def abort(s):
    """Close with SO_LINGER 0 (RST), ignoring errors."""
    try:
        if s.fileno() >= 0:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
    except OSError:
        pass
    s.close()


def so_error(s):
    return s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)


def recv_result(s, n=65536):
    """recv() on a non-blocking socket: bytes, or an errno name string."""
    try:
        return s.recv(n)
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))


def recv_all(s, want, timeout=5.0):
    """Read from non-blocking s until want bytes came (or EOF/error)."""
    buf = b""
    deadline = time.monotonic() + timeout
    while len(buf) < want and time.monotonic() < deadline:
        r = recv_result(s)
        if isinstance(r, bytes):
            if not r:
                break
            buf += r
        elif r == "EAGAIN":
            time.sleep(0.02)
        else:
            break
    return buf


def connect_result(s, addr):
    """connect_ex() as an errno name ('OK' for 0)."""
    e = s.connect_ex(addr)
    return "OK" if e == 0 else errno.errorcode.get(e, str(e))


def _addr(h):
    ip, port = h.split(":")
    if len(ip) == 32:		# /proc/net/tcp6: four host-order words
        raw = struct.pack("<4I", *(int(ip[i:i + 8], 16)
                                   for i in range(0, 32, 8)))
        return socket.inet_ntop(socket.AF_INET6, raw), int(port, 16)
    return socket.inet_ntoa(struct.pack("<I", int(ip, 16))), int(port, 16)


def _conn_lines():
    for path in (CONN_FILE, CONN_FILE6):
        try:
            with open(path) as f:
                lines = f.readlines()[1:]
        except FileNotFoundError:
            continue
        yield from lines


def conns():
    """Entries of /proc/net/mytcp and mytcp6: dicts laddr lport raddr
    rport st."""
    out = []
    for line in _conn_lines():
        fl = line.split()
        if len(fl) < 4:
            continue
        la, lp = _addr(fl[1])
        ra, rp = _addr(fl[2])
        tx, rx = fl[4].split(":")
        out.append({"laddr": la, "lport": lp, "raddr": ra, "rport": rp,
                    "st": int(fl[3], 16), "tx_queue": int(tx, 16),
                    "rx_queue": int(rx, 16), "line": line.rstrip()})
    return out


def states_of(lport, rport=None):
    """Sorted st codes of the entries with local port lport (and remote
    port rport when given)."""
    return sorted(c["st"] for c in conns() if c["lport"] == lport and
                  (rport is None or c["rport"] == rport))


def state_of(lport, rport):
    """The single st of a connection, None when absent."""
    st = states_of(lport, rport)
    check(len(st) <= 1, "several entries for port %d<->%d: %s"
          % (lport, rport, [state_name(x) for x in st]))
    return st[0] if st else None


def expect_state(lport, rport, want, msg=""):
    """want: an st code, or None for closed (absent, or CLOSE: a socket the
    application still holds on an explicitly bound port is listed)."""
    st = state_of(lport, rport)
    if want is None and st == CLOSE:
        return
    check(st == want, "%sstate of %d<->%d is %s, want %s" % (
        msg + ": " if msg else "", lport, rport,
        state_name(st) if st else "absent",
        state_name(want) if want else "absent"))


def wait_states(lport, rport, want, timeout=20.0):
    """Wait (polling) until states_of(lport, rport) == want (a list)."""
    deadline = time.monotonic() + timeout
    while True:
        st = states_of(lport, rport)
        if st == want:
            return True
        if time.monotonic() > deadline:
            raise AssertionError("port %d<->%s: states %s, want %s" % (
                lport, rport, [state_name(x) for x in st],
                [state_name(x) for x in want]))
        time.sleep(0.05)


def stats():
    out = {}
    with open(STAT_FILE) as f:
        for line in f:
            k, v = line.split()
            out[k] = int(v)
    return out


class StatDelta:
    """d = StatDelta(); ...; d['InCsumErrors'] -> how much it moved."""

    def __init__(self):
        self.base = stats()

    def __getitem__(self, key):
        return stats()[key] - self.base[key]

    def expect(self, **want):
        now = stats()
        bad = ["%s moved %d, want %d" % (k, now[k] - self.base[k], v)
               for k, v in want.items() if now[k] - self.base[k] != v]
        check(not bad, "; ".join(bad))


def sysctl(name, value=None):
    path = os.path.join(SYSCTL_DIR, name)
    if value is None:
        with open(path) as f:
            return int(f.read())
    with open(path, "w") as f:
        f.write(str(value))
    return value


SIOCGIFFLAGS, SIOCSIFFLAGS = 0x8913, 0x8914
SIOCSIFADDR, SIOCSIFNETMASK = 0x8916, 0x891c


def if_config6(name, addr, prefixlen):
    """An IPv6 address by ioctl (struct in6_ifreq); DAD is off in the
    case's namespace, so it is usable at once."""
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    try:
        fcntl.ioctl(s, SIOCSIFADDR, struct.pack(
            "16sIi", socket.inet_pton(socket.AF_INET6, addr), prefixlen,
            socket.if_nametoindex(name)))
    finally:
        s.close()
    # tentative until addrconf's DAD work runs (at once, without DAD)
    deadline = time.monotonic() + 5
    while True:
        u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        try:
            u.bind((addr, 0, 0, socket.if_nametoindex(name)))
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.005)
        finally:
            u.close()


def if_config(name, addr=None, mask=None):
    """Address, netmask (its prefix route comes with them) and IFF_UP, by
    ioctl: no ip(8) process per case."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        nm = name.encode()
        for req, a in ((SIOCSIFADDR, addr), (SIOCSIFNETMASK, mask)):
            if a:
                fcntl.ioctl(s, req, struct.pack("16sH2s4s8s", nm,
                                                socket.AF_INET, b"",
                                                socket.inet_aton(a), b""))
        r = fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack("16sH22s", nm, 0, b""))
        flags = struct.unpack("16sH", r[:18])[1] | 0x1	# IFF_UP
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH22s", nm, flags, b""))
    finally:
        s.close()


def run(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


# ---------------------------------------------------------------- handshakes

def active_open(peer, rport=5000, iss=1000000, syn_options=None,
                synack_win=65535):
    """mytcp connect()s to REMOTE:rport; the peer completes the handshake.
    Returns (socket, flow), the connection ESTABLISHED."""
    s = mytcp_socket()
    s.bind((peer.local, 0))
    lport = s.getsockname()[1]
    r = connect_result(s, (peer.remote, rport))
    check(r == "EINPROGRESS", "non-blocking connect: %s" % r)
    f = peer.flow(lport, rport, iss)
    syn = f.track(f.expect_flags(SYN))
    if syn_options is None:
        syn_options = opt_mss(1460)
    f.send(SYN | ACK, options=syn_options, win=synack_win)
    f.expect_flags(ACK, pred=lambda x: x.ack == f.snd_nxt)
    r = connect_result(s, (peer.remote, rport))
    check(r in ("OK", "EISCONN"), "connect after the handshake: %s" % r)
    check(syn.seq + 1 == f.rcv_nxt, "SYN length")
    return s, f


def listener(peer, port=7000, backlog=16):
    ls = mytcp_socket()
    ls.bind((peer.local, port))
    ls.listen(backlog)
    return ls


def passive_open(peer, ls, rport=5001, iss=2000000, data=b"",
                 syn_options=None):
    """The peer connects to the mytcp listener ls; returns (child, flow)."""
    lport = ls.getsockname()[1]
    f = peer.flow(lport, rport, iss)
    if syn_options is None:
        syn_options = opt_mss(1460)
    f.send(SYN, options=syn_options)
    f.track(f.expect_flags(SYN | ACK, pred=lambda x: x.ack == f.snd_nxt))
    f.send(ACK | (PSH if data else 0), data=data)
    c = accept_wait(ls)
    check(c is not None, "accept() returned nothing after the handshake")
    return c, f


# ---------------------------------------------------------------- runner

CASE_TIMEOUT = knobs.get_int("MYTCP_CASE_TIMEOUT")


def _unshare_net():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "unshare(CLONE_NEWNET): " + os.strerror(e))
    if_config("lo")
    if FAMILY == 6:
        # no DAD (the address is usable at once), no router solicitations
        knobs6 = (("accept_dad", "0"), ("dad_transmits", "0"),
                  ("router_solicitations", "0"))
    else:
        knobs6 = (("disable_ipv6", "1"),)
    for p in ("all", "default"):
        for k, v in knobs6:
            try:
                with open("/proc/sys/net/ipv6/conf/%s/%s" % (p, k),
                          "w") as f:
                    f.write(v)
            except OSError:
                pass


def _cleanup(peer):
    for s in _sockets:
        abort(s)
    _sockets.clear()
    # Orphans still retransmitting (FIN_WAIT1, LAST_ACK...) die fast.
    for k, v in (("retries2", 1), ("rto_max_ms", 200), ("rto_min_ms", 1),
                 ("synack_retries", 1), ("syn_retries", 1),
                 ("fin_timeout", 1)):
        try:
            sysctl(k, v)
        except OSError:
            pass
    deadline = time.monotonic() + 15
    left = []
    while time.monotonic() < deadline:
        left = [c for c in conns() if c["st"] != TIME_WAIT]
        if not left:
            break
        time.sleep(0.1)
    for c in left:
        diag("left behind: " + c["line"])
    if peer:
        bad = peer.bad_csum_seen
        peer.close()
        if bad:
            raise AssertionError("mytcp sent segments with a bad checksum: "
                                 "%s" % bad[:3])


def _child(fn):
    peer = None
    rc = 0
    try:
        _unshare_net()
        # No retransmission by the clock while a case looks at the
        # answers to what it sent (a loaded TCG guest's clock can run far
        # ahead of its work); cases about retransmission lower these.
        sysctl("rto_min_ms", 30000)
        sysctl("rto_initial_ms", 30000)
        peer = Peer()
        fn(peer)
    except Skip as e:
        diag("SKIP: %s" % e)
        rc = 4
    except AssertionError as e:
        diag("FAIL: %s" % e)
        rc = 1
    except Exception:
        diag(traceback.format_exc())
        rc = 1
    try:
        _cleanup(peer)
    except AssertionError as e:
        diag("FAIL: %s" % e)
        rc = rc or 1
    except Exception:
        diag(traceback.format_exc())
        rc = rc or 1
    sys.stdout.flush()
    return rc


CUBIC_DIR = "/sys/module/mytcp_cubic"


def load_cubic_default():
    """mytcp_cubic.ko from next to MYTCP_KO, when it is there and not
    loaded: CUBIC the default, as mytcp_lib.sh's mytcp_load does (an
    installed mytcp gets it through modprobe).  True when it is loaded."""
    ko = os.path.join(os.path.dirname(os.environ.get("MYTCP_KO", "")),
                      "mytcp_cubic.ko")
    if not os.path.isdir(CUBIC_DIR) and os.access(ko, os.R_OK):
        r = subprocess.run(["insmod", ko], stderr=subprocess.PIPE)
        if r.returncode:
            diag("insmod %s failed (reno the default): %s" %
                 (ko, r.stderr.decode().strip()))
    return os.path.isdir(CUBIC_DIR)


def _prepare():
    """Module and tun present; (skip reason or None)."""
    if os.geteuid() != 0:
        return "needs root"
    if not os.path.isdir(MOD_DIR):
        ko = os.environ.get("MYTCP_KO", "")
        if not ko or not os.access(ko, os.R_OK):
            return "MYTCP_KO (the built mytcp.ko) not set or not readable: " \
                "'%s'" % ko
        r = subprocess.run(["insmod", ko], stderr=subprocess.PIPE)
        if r.returncode:
            return "insmod %s failed: %s" % (ko, r.stderr.decode().strip())
        load_cubic_default()
    subprocess.run(["modprobe", "-q", "tun"], stderr=subprocess.DEVNULL)
    if not os.path.exists("/dev/net/tun"):
        return "/dev/net/tun missing (CONFIG_TUN)"
    return None


def run_cases(cases, families=(4,)):
    """cases: list of (description, function(peer)).  KTAP on stdout; exits
    with the kselftest status.  MYTCP_CASES=substr[|substr] runs only the
    cases whose description contains one of them.  families (4, 6): every
    case over IPv4, then every case over IPv6 ("[IPv6]" appended);
    MYTCP_FAMILIES="4" or "6" keeps one."""
    global FAMILY  # pylint: disable=global-statement
    want = os.environ.get("MYTCP_FAMILIES")
    if want:
        families = [f for f in families if str(f) in want.split()]
    all_cases = []
    for fam in families:
        for desc, fn in cases:
            all_cases.append((desc + (" [IPv6]" if fam == 6 else ""),
                              fn, fam))
    cases = all_cases
    only = [x for x in os.environ.get("MYTCP_CASES", "").split("|") if x]
    if only:
        cases = [c for c in cases if any(o in c[0] for o in only)]
    print("TAP version 13")
    why = _prepare()
    if why:
        print("1..0 # SKIP " + why, flush=True)
        sys.exit(4)
    print("1..%d" % (len(cases) + 1), flush=True)
    cnt = {"pass": 0, "fail": 0, "skip": 0}
    base = stats()
    for n, (desc, fn, fam) in enumerate(cases, 1):
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            FAMILY = fam
            os._exit(_child(fn))
        t0 = time.monotonic()
        deadline = t0 + CASE_TIMEOUT
        status = None
        while status is None:
            p, st = os.waitpid(pid, os.WNOHANG)
            if p:
                status = os.waitstatus_to_exitcode(st)
                break
            if time.monotonic() > deadline:
                diag("case timed out after %ds" % CASE_TIMEOUT)
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                status = 1
                break
            time.sleep(0.05)
        if os.environ.get("MYTCP_CASE_TIMES"):
            diag("%.1fs" % (time.monotonic() - t0))
        if status == 0:
            print("ok %d %s" % (n, desc), flush=True)
            cnt["pass"] += 1
        elif status == 4:
            print("ok %d %s # SKIP" % (n, desc), flush=True)
            cnt["skip"] += 1
        else:
            print("not ok %d %s" % (n, desc), flush=True)
            cnt["fail"] += 1
    # The cases' namespaces are gone (their TIME_WAIT entries purged,
    # their sockets closed): the global live counts are back.
    keys = ("live_socks", "live_tw", "live_skbs")
    deadline = time.monotonic() + 60
    while True:
        now = stats()
        left = ["%s %d (was %d)" % (k, now[k], base[k]) for k in keys
                if now[k] != base[k]]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    n = len(cases) + 1
    if left:
        diag("left behind: " + ", ".join(left))
        print("not ok %d no socket, TIME_WAIT entry or skb left behind" % n)
        cnt["fail"] += 1
    else:
        print("ok %d no socket, TIME_WAIT entry or skb left behind" % n)
        cnt["pass"] += 1
    print("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0" %
          (cnt["pass"], cnt["fail"], cnt["skip"]), flush=True)
    sys.exit(1 if cnt["fail"] else 0)
