#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# rel_tool.py: sender/receiver of a verifiable byte stream for the
# reliability tests (reliability.sh).  Not a test itself.
#
#   rel_tool.py sink   -f mytcp|inet -b ADDR -p PORT [--rcvbuf N]
#                      [--wait-file F] [--ready F] [-t SECONDS]
#       accept one connection; (when --wait-file: do not read until F
#       exists); read to EOF verifying every byte; print "received N";
#       close.
#   rel_tool.py source -f mytcp|inet -c ADDR:PORT [--sndbuf N]
#                      [-n BYTES | --stop-file F] [--user-timeout MS]
#                      [--info] [-t SECONDS]
#       connect; send BYTES (or until F exists); shutdown(SHUT_WR); wait
#       for EOF; print "sent N" (and with --info "snd_mss M pmtu P" from
#       TCP_INFO after the data was acknowledged... as far as the
#       kernel reports).  On a socket error: print "error ENAME after N"
#       and exit 3.
# Stream: byte i is PATTERN[i % 65521] (65521 is prime, so it does not
# line up with segment or buffer sizes).  Exit 1 on a mismatch.

import argparse
import errno
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mytcp_sock  # noqa: E402

PERIOD = 65521
PATTERN = random.Random(4242).randbytes(PERIOD)
PAT3 = PATTERN * 3
CHUNK = 65536
TCP_USER_TIMEOUT = 18


def chunk_at(off, n):
    s = off % PERIOD
    return PAT3[s:s + n]


def mksock(fam):
    if fam == "inet":
        return socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    return mytcp_sock.socket()


def ename(e):
    return errno.errorcode.get(e.errno, str(e.errno)) if e.errno else str(e)


def sink(a):
    ls = mksock(a.family)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if a.rcvbuf:
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
    ls.bind((a.bind, a.port))
    ls.listen(4)
    ls.settimeout(a.timeout)
    if a.ready:
        open(a.ready, "w").close()
    c, _ = ls.accept()
    ls.close()
    c.settimeout(a.timeout)
    if a.wait_file:
        deadline = time.monotonic() + a.timeout
        while not os.path.exists(a.wait_file):
            if time.monotonic() > deadline:
                print("error wait-file never came", flush=True)
                return 1
            time.sleep(0.05)
    got = 0
    while True:
        try:
            b = c.recv(CHUNK)
        except OSError as e:
            print("error %s after %d" % (ename(e), got), flush=True)
            return 3
        if not b:
            break
        if b != chunk_at(got, len(b)):
            i = next(i for i in range(len(b)) if b[i] != chunk_at(got + i, 1)[0])
            print("error mismatch at byte %d" % (got + i), flush=True)
            return 1
        got += len(b)
    print("received %d" % got, flush=True)
    c.close()
    return 0


def source(a):
    s = mksock(a.family)
    if a.sndbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, a.sndbuf)
    if a.user_timeout is not None:
        s.setsockopt(socket.IPPROTO_TCP, TCP_USER_TIMEOUT, a.user_timeout)
    s.settimeout(a.timeout)
    host, port = a.connect.rsplit(":", 1)
    sent = 0
    try:
        s.connect((host, int(port)))
        while True:
            if a.stop_file:
                if os.path.exists(a.stop_file):
                    break
                n = CHUNK
            else:
                n = min(CHUNK, a.bytes - sent)
                if n <= 0:
                    break
            sent += s.send(chunk_at(sent, n))
        info = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
        s.shutdown(socket.SHUT_WR)
        while s.recv(CHUNK):
            pass
    except OSError as e:
        print("error %s after %d" % (ename(e), sent), flush=True)
        return 3
    print("sent %d" % sent, flush=True)
    if a.info:
        snd_mss = struct.unpack_from("I", info, 16)[0]
        pmtu = struct.unpack_from("I", info, 60)[0]
        print("snd_mss %d pmtu %d" % (snd_mss, pmtu), flush=True)
    s.close()
    return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("sink", "source"))
    p.add_argument("-f", "--family", default="mytcp")
    p.add_argument("-b", "--bind", default="0.0.0.0")
    p.add_argument("-p", "--port", type=int)
    p.add_argument("-c", "--connect")
    p.add_argument("-n", "--bytes", type=int, default=1 << 20)
    p.add_argument("-t", "--timeout", type=float, default=30)
    p.add_argument("--rcvbuf", type=int)
    p.add_argument("--sndbuf", type=int)
    p.add_argument("--wait-file")
    p.add_argument("--stop-file")
    p.add_argument("--ready")
    p.add_argument("--user-timeout", type=int)
    p.add_argument("--info", action="store_true")
    a = p.parse_args()
    return sink(a) if a.mode == "sink" else source(a)


if __name__ == "__main__":
    sys.exit(main())
