#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Programs of diag.sh.
#
# usage: diag_tool.py COMMAND ARGS...

import errno
import os
import signal
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def scenario(mk, base, many):
    """In a netns with a dummy device 10.9.0.1/24: a listener on base
    (backlog 8) with an established pair holding 100 unread bytes, a
    TIME_WAIT entry (peer port base+1), a SYN_SENT socket (to 10.9.0.2,
    port base+2), a FIN_WAIT2 / CLOSE_WAIT pair (port base+3), and `many`
    more established pairs on port base+4."""
    keep = []
    l = mk(); l.bind(("127.0.0.1", base)); l.listen(8); keep.append(l)
    c = mk(); c.connect(("127.0.0.1", base)); a, _ = l.accept()
    c.sendall(b"x" * 100); keep += [c, a]
    l2 = mk(); l2.bind(("127.0.0.1", base + 1)); l2.listen(8)
    c2 = mk(); c2.connect(("127.0.0.1", base + 1)); a2, _ = l2.accept()
    c2.close(); a2.recv(10); a2.close(); l2.close()
    c3 = mk(); c3.setblocking(False)
    try:
        c3.connect(("10.9.0.2", base + 2))
    except BlockingIOError:
        pass
    keep.append(c3)
    l4 = mk(); l4.bind(("127.0.0.1", base + 3)); l4.listen(8)
    c4 = mk(); c4.connect(("127.0.0.1", base + 3)); a4, _ = l4.accept()
    c4.shutdown(socket.SHUT_WR); a4.recv(10); keep += [c4, a4]; l4.close()
    if many:
        l5 = mk(); l5.bind(("127.0.0.1", base + 4)); l5.listen(many + 8)
        for _ in range(many):
            c5 = mk(); c5.connect(("127.0.0.1", base + 4))
            a5, _ = l5.accept()
            keep += [c5, a5]
        l5.close()
    return keep


def cmd_holder():
    """holder MANY: the scenario with mytcp sockets on 7201.. and Linux TCP
    sockets on 7301..; prints "ready" and holds them until a signal."""
    import mytcp_sock
    many = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    F = mytcp_sock.family()

    def ms():
        fd = socket.socket(F, socket.SOCK_STREAM).detach()
        return socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, fileno=fd)

    keep = scenario(ms, 7201, many)
    keep += scenario(lambda: socket.socket(), 7301, 0)
    time.sleep(0.3)
    print("ready", flush=True)
    signal.pause()


def request(family, proto=socket.IPPROTO_TCP, states=0xffffffff, ext=0,
            extra=b"", flags=0x301, body=None):
    req = body if body is not None else \
        struct.pack("=BBBBI", family, proto, ext, 0, states) + b"\0" * 48 + extra
    return struct.pack("=IHHII", 16 + len(req), 20, flags, 7, 0) + req


def answer(msg):
    """Send msg on NETLINK_SOCK_DIAG: ('ok', n messages) or ('err', errno)."""
    fd = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 4)
    fd.settimeout(10)
    n = 0
    with fd:
        fd.sendto(msg, (0, 0))
        while True:
            data = fd.recv(1 << 17)
            off = 0
            while off + 16 <= len(data):
                ln, typ = struct.unpack_from("=IH", data, off)
                if typ in (2, 3):
                    err = struct.unpack_from("=i", data, off + 16)[0] \
                        if ln >= 20 else 0
                    if err < 0:
                        return ("err", -err)
                    return ("ok", n)
                n += 1
                off += (ln + 3) & ~3


def cmd_hostile():
    """hostile: malformed requests are refused with the errno Linux's
    inet_diag would give, and a good one still works after them."""
    import mytcp_sock
    fam = mytcp_sock.family()
    cases = [
        ("payload shorter than inet_diag_req_v2",
         request(fam, body=struct.pack("=BBBB", fam, 6, 0, 0)), errno.EINVAL),
        ("only the family byte",
         request(fam, body=struct.pack("=BBBB", fam, 0, 0, 0)[:1] + b"\0" * 3),
         errno.EINVAL),
        ("protocol UDP", request(fam, proto=socket.IPPROTO_UDP), errno.EINVAL),
        ("protocol 255", request(fam, proto=255), errno.EINVAL),
        ("attributes (filter bytecode)",
         request(fam, extra=struct.pack("=HH", 8, 1) + b"\0" * 4),
         errno.EOPNOTSUPP),
        ("odd trailing bytes", request(fam, extra=b"\1\2\3"),
         errno.EOPNOTSUPP),
        ("not a dump", request(fam, flags=1), errno.EOPNOTSUPP),
        ("unknown family 45", request(45), errno.ENOENT),
    ]
    bad = 0
    for name, msg, want in cases:
        got = answer(msg)
        ok = got == ("err", want)
        print("%s %s: %s (want errno %d)" % ("ok" if ok else "FAIL", name,
                                            got, want))
        bad += not ok
    for ext in (0, 0xff):
        got = answer(request(fam, ext=ext))
        ok = got[0] == "ok" and got[1] > 0
        print("%s a good dump, idiag_ext 0x%x: %s" % ("ok" if ok else "FAIL",
                                                      ext, got))
        bad += not ok
    sys.exit(1 if bad else 0)


def cmd_count():
    """count: the messages a dump of every state gives (with every
    attribute), and the lines of /proc/net/mytcp."""
    import mytcp_sock
    got = answer(request(mytcp_sock.family(), ext=0xff))
    with open("/proc/net/mytcp") as f:
        lines = len(f.read().splitlines()) - 1
    print("%s %d" % (got[1] if got[0] == "ok" else "err%d" % got[1], lines))


COMMANDS = {"holder": cmd_holder, "hostile": cmd_hostile, "count": cmd_count}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit("usage: %s {%s} ARGS..." % (sys.argv[0], "|".join(COMMANDS)))
    COMMANDS[sys.argv.pop(1)]()
