#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# A bulk transfer for tools_probe.sh: a mytcp client sends SIZE bytes
# (argv[1], default 98304) to a mytcp server on 127.0.0.1:PORT (argv[2],
# default 7201), shuts down, and both sides check what arrived.  Prints
# "bulk done N" on success.
import os
import socket
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mytcp_sock  # noqa: E402  pylint: disable=wrong-import-position

FAM = mytcp_sock.family()
SIZE = int(sys.argv[1]) if len(sys.argv) > 1 else 98304
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 7201


def ms():
    fd = socket.socket(FAM, socket.SOCK_STREAM).detach()
    return socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, fileno=fd)


got = []


def server(lst):
    c, _ = lst.accept()
    c.settimeout(60)
    n = 0
    while True:
        b = c.recv(65536)
        if not b:
            break
        n += len(b)
    got.append(n)
    c.close()


def main():
    lst = ms()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", PORT))
    lst.listen(4)
    th = threading.Thread(target=server, args=(lst,))
    th.start()
    cl = ms()
    cl.settimeout(60)
    cl.connect(("127.0.0.1", PORT))
    data = bytes(i & 0xff for i in range(SIZE))
    cl.sendall(data)
    cl.shutdown(socket.SHUT_WR)
    cl.recv(1)
    cl.close()
    th.join(60)
    lst.close()
    if got != [SIZE]:
        print("bulk: server got %s of %d" % (got, SIZE))
        return 1
    print("bulk done %d" % SIZE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
