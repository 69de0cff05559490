#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Programs of keepalive.sh: its servers, clients and the pcap reader.
#
# usage: keepalive_tool.py COMMAND ARGS...  (the arguments of each command are in
# its comment; sys.argv[1:] are ARGS once COMMAND is taken off)

import sys


def cmd_server():
    """server KIND PORT [noread]: see keepalive.sh."""
    import socket, sys, threading, time
    import mytcp_sock
    kind, port = sys.argv[1], int(sys.argv[2])
    noread = len(sys.argv) > 3 and sys.argv[3] == "noread"
    if kind == "mytcp":
        l = mytcp_sock.socket()
    else:
        l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if noread:
        l.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    l.bind(("0.0.0.0", port))
    l.listen(8)
    print("listening", flush=True)
    def serve(c):
        while True:
            d = c.recv(100)
            if not d:
                return
            if d == b"ping":
                c.send(b"pong")
            elif d == b"hello":
                c.send(b"hi")
                if noread:
                    time.sleep(3600)
    while True:
        c, _ = l.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


def cmd_client():
    """client PORT IDLE INTVL CNT USER_TIMEOUT_MS WAIT [FLAG]: see
    keepalive.sh."""
    import errno, os, socket, sys, time
    import mytcp_sock
    port, idle, intvl, cnt, uto, wait = (int(a) for a in sys.argv[1:7])
    s = mytcp_sock.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO,
                 (60).to_bytes(8, "little") + (0).to_bytes(8, "little"))
    if idle:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, idle)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, intvl)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, cnt)
    if uto:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, uto)
    if wait:
        # seen on the wire by tos_ttl_on_wire
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0x28)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 33)
    s.connect(("10.0.1.2", port))
    s.send(b"hello")
    assert s.recv(10) == b"hi"
    print("ready", flush=True)
    if wait == 0:
        if uto:
            # wait until the shell made the peer silent ($WORK/silent)
            flag = sys.argv[7]
            for i in range(600):
                if os.path.exists(flag):
                    break
                time.sleep(0.1)
            s.send(b"x" * 1000)
        try:
            d = s.recv(10)
            print("recv returned", d, flush=True)
        except OSError as e:
            print(errno.errorcode.get(e.errno, e.errno), flush=True)
        sys.exit(0)
    time.sleep(wait)
    s.send(b"ping")
    print("alive" if s.recv(10) == b"pong" else "dead", flush=True)


def cmd_pcap():
    """pcap FILE PORT: probes, answers, bad bare ACKs (keepalive.sh)."""
    import struct, sys
    path, port = sys.argv[1], int(sys.argv[2])
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    link = struct.unpack(end + "I", data[20:24])[0]
    off, pkts, tosttl = 24, [], set()
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if link == 1:
            if len(pkt) < 14 or pkt[12:14] != b"\x08\x00":
                continue
            pkt = pkt[14:]
        elif link == 113:
            pkt = pkt[16:]
        ihl = (pkt[0] & 15) * 4
        if pkt[9] != 6:
            continue
        tos, ttl = pkt[1], pkt[8]
        tot = struct.unpack(">H", pkt[2:4])[0]
        tcp = pkt[ihl:]
        sport, dport, seq, ack = struct.unpack(">HHII", tcp[:12])
        doff = (tcp[12] >> 4) * 4
        flags = tcp[13]
        plen = tot - ihl - doff
        pkts.append((sport, dport, seq, ack, flags, plen))
        if dport == port:
            tosttl.add((tos, ttl))
    iss = None
    for sp, dp, seq, ack, fl, pl in pkts:
        if dp == port and fl & 0x02:
            iss = seq
    if iss is None:
        print("noconn 0 0")
        sys.exit(0)
    probe_seq, nxt = (iss + 5) & 0xffffffff, (iss + 6) & 0xffffffff
    probes = answered = bad = 0
    pending = False
    for sp, dp, seq, ack, fl, pl in pkts:
        if dp == port and (fl & 0x05 or (pl > 0 and seq != (iss + 1) & 0xffffffff)):
            break   # the final ping, FIN or RST: the idle part is over
        if dp == port and fl == 0x10 and pl == 0:
            if seq == probe_seq:
                probes += 1
                pending = True
            elif seq not in (nxt, (iss + 1) & 0xffffffff):
                bad += 1
        elif sp == port and fl & 0x10 and ack == nxt and pending:
            answered += 1
            pending = False
    print(probes, answered, bad, ",".join("%#x/%d" % t for t in sorted(tosttl)))


def cmd_client_nokeepalive():
    """client-nokeepalive: TCP_KEEPIDLE/INTVL/CNT without SO_KEEPALIVE on a
    connection to 10.0.1.2:5004; prints "ready", then after 5 s whether
    the connection is "still open"."""
    import socket, time
    import mytcp_sock
    s = mytcp_sock.socket()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 1)
    s.connect(("10.0.1.2", 5004))
    s.send(b"hello")
    assert s.recv(10) == b"hi"
    print("ready", flush=True)
    time.sleep(5)
    s.setblocking(False)
    try:
        s.recv(10)
        print("data?")
    except BlockingIOError:
        print("still open")
    except OSError as e:
        print("error", e.errno)


def cmd_client_zerowin():
    """client-zerowin: keepalive on a connection to 10.0.1.2:5006 whose peer
    reads nothing; fills the window and the send buffer, waits 10 s, prints
    "sent N so_error NAME"."""
    import errno, socket, time
    import mytcp_sock
    s = mytcp_sock.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 2)
    s.connect(("10.0.1.2", 5006))
    s.send(b"hello")
    assert s.recv(10) == b"hi"
    s.setblocking(False)
    sent = 0
    for i in range(2000):           # until the peer's window and our buffer are full
        try:
            sent += s.send(b"z" * 65536)
        except BlockingIOError:
            time.sleep(0.05)
            try:
                sent += s.send(b"z" * 65536)
            except BlockingIOError:
                break
    time.sleep(10)
    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    print("sent", sent, "so_error", errno.errorcode.get(err, err), flush=True)


COMMANDS = {
    "server": cmd_server,
    "client": cmd_client,
    "pcap": cmd_pcap,
    "client-nokeepalive": cmd_client_nokeepalive,
    "client-zerowin": cmd_client_zerowin,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit("usage: %s {%s} ARGS..." % (sys.argv[0], "|".join(COMMANDS)))
    COMMANDS[sys.argv.pop(1)]()
