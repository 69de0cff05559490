#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Programs of tools_stat.sh.
#
# usage: tools_stat_tool.py COMMAND ARGS...  (the arguments of each command are in
# its comment; sys.argv[1:] are ARGS once COMMAND is taken off)

import sys


def cmd_holder():
    """holder: in a netns with a dummy device 10.9.0.1/24, mytcp sockets in
    LISTEN, ESTABLISHED, TIME_WAIT, SYN_SENT, FIN_WAIT2 and CLOSE_WAIT
    (ports 7201-7204); prints "ready" and holds them until a signal."""
    import socket, time, signal
    import mytcp_sock
    F = mytcp_sock.family()
    def ms():
        fd = socket.socket(F, socket.SOCK_STREAM).detach()
        return socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, fileno=fd)
    keep = []
    l = ms(); l.bind(("127.0.0.1", 7201)); l.listen(8); keep.append(l)
    c = ms(); c.connect(("127.0.0.1", 7201)); a, _ = l.accept()
    c.sendall(b"x" * 100); keep += [c, a]
    # TIME_WAIT: the client closes first.
    l2 = ms(); l2.bind(("127.0.0.1", 7202)); l2.listen(8)
    c2 = ms(); c2.connect(("127.0.0.1", 7202)); a2, _ = l2.accept()
    c2.close(); a2.recv(10); a2.close(); l2.close()
    # SYN_SENT: nobody answers on the dummy device.
    c3 = ms(); c3.setblocking(False)
    try:
        c3.connect(("10.9.0.2", 7203))
    except BlockingIOError:
        pass
    keep.append(c3)
    # FIN_WAIT2 / CLOSE_WAIT.
    l4 = ms(); l4.bind(("127.0.0.1", 7204)); l4.listen(8)
    c4 = ms(); c4.connect(("127.0.0.1", 7204)); a4, _ = l4.accept()
    c4.shutdown(socket.SHUT_WR); a4.recv(10); keep += [c4, a4]; l4.close()
    time.sleep(0.3)
    print("ready", flush=True)
    signal.pause()


COMMANDS = {
    "holder": cmd_holder,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit("usage: %s {%s} ARGS..." % (sys.argv[0], "|".join(COMMANDS)))
    COMMANDS[sys.argv.pop(1)]()
