#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Scripted mytcp connections on 127.0.0.1 for tools_trace.sh, so that every
# mytcp tracepoint fires (run it in a fresh netns with rto_initial_ms=200):
#
#   7101  a full exchange: handshake, 5 bytes up, 3 bytes down, client
#         shutdown, server close, TIME_WAIT (TCP_QUICKACK on both sides,
#         so the segments are the same on every run)
#   7102  server closes with SO_LINGER {1, 0}: RST sent / received
#   7103  listen(0) and two clients: the second SYN is dropped ("listen
#         overflow") and retransmitted by the retransmit timer
#   7104  a bare ACK from a raw socket to a listener: RST without socket
#   7105  over ::1: handshake, 4 bytes up, close both ways (IPv6 addresses
#         in the events, IPv6 packets in the ladder's pcapng); a bare
#         ACK to it from a raw socket: an IPv6 RST without socket
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mytcp_sock  # noqa: E402  pylint: disable=wrong-import-position

FAM = mytcp_sock.family()
HOST = "127.0.0.1"


def ms():
    fd = socket.socket(FAM, socket.SOCK_STREAM).detach()
    return socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, fileno=fd)


def listener(port, backlog):
    s = ms()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, port))
    s.listen(backlog)
    return s


def quick(s):
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            break
        b += c
    return b


def exchange():
    l = listener(7101, 4)
    c = ms()
    quick(c)
    c.connect((HOST, 7101))
    a, _ = l.accept()
    quick(a)
    time.sleep(0.1)
    c.sendall(b"hello")
    assert recv_exact(a, 5) == b"hello"
    time.sleep(0.1)
    a.sendall(b"abc")
    assert recv_exact(c, 3) == b"abc"
    time.sleep(0.1)
    c.shutdown(socket.SHUT_WR)
    assert a.recv(10) == b""
    time.sleep(0.1)
    a.close()
    assert c.recv(10) == b""
    time.sleep(0.1)
    c.close()
    l.close()


def linger_reset():
    l = listener(7102, 4)
    c = ms()
    c.connect((HOST, 7102))
    a, _ = l.accept()
    a.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    a.close()
    try:
        c.recv(10)
    except ConnectionResetError:
        pass
    c.close()
    l.close()


def overflow():
    l = listener(7103, 0)
    c1 = ms()
    c1.connect((HOST, 7103))
    c2 = ms()
    c2.setblocking(False)
    try:
        c2.connect((HOST, 7103))
    except BlockingIOError:
        pass
    time.sleep(0.5)     # at least one retransmission (RTO 200 ms)
    c2.close()
    c1.close()
    l.close()


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv6_exchange():
    fd = socket.socket(FAM, socket.SOCK_STREAM).detach()
    l = socket.socket(socket.AF_INET6, socket.SOCK_STREAM, 0, fileno=fd)
    l.bind(("::1", 7105))
    l.listen(4)
    fd = socket.socket(FAM, socket.SOCK_STREAM).detach()
    c = socket.socket(socket.AF_INET6, socket.SOCK_STREAM, 0, fileno=fd)
    quick(c)
    c.connect(("::1", 7105))
    a, _ = l.accept()
    c.sendall(b"ping")
    recv_exact(a, 4)
    c.close()
    a.close()
    time.sleep(0.2)
    # a stray ACK (checksum by the kernel: IPV6_CHECKSUM offset 16)
    r = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_TCP)
    r.setsockopt(socket.IPPROTO_IPV6, 7, 16)  # IPV6_CHECKSUM
    r.sendto(struct.pack("!HHIIBBHHH", 40406, 7105, 1000, 2000, 5 << 4,
                         0x10, 1024, 0, 0), ("::1", 0))
    time.sleep(0.2)
    r.close()
    l.close()


def stray_ack():
    l = listener(7104, 4)
    r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    src = dst = socket.inet_aton(HOST)
    hdr = struct.pack("!HHIIBBHHH", 40404, 7104, 1000, 2000, 5 << 4, 0x10,
                      1024, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(hdr))
    hdr = hdr[:16] + struct.pack("!H", csum(pseudo + hdr)) + hdr[18:]
    r.sendto(hdr, (HOST, 0))
    time.sleep(0.2)
    r.close()
    l.close()


which = sys.argv[1:] or ["exchange", "linger_reset", "overflow", "stray_ack",
                         "ipv6_exchange"]
for w in which:
    globals()[w]()
    time.sleep(0.1)
print("scenario done")
