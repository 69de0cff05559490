#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Programs of tools_run.sh and tools_run_iperf.sh.
#
# usage: tools_run_tool.py COMMAND ARGS...  (the arguments of each command are in
# its comment; sys.argv[1:] are ARGS once COMMAND is taken off)

import sys


def cmd_urllib():
    """urllib (under mytcp-run): socket() is mytcp seen as AF_INET (SO_DOMAIN),
    SO_REUSEPORT works, the bound socket is in /proc/net/mytcp, IP_RECVERR
    is tolerated; then fetches http://127.0.0.1:7302/blob and prints its md5."""
    import hashlib, socket, sys, urllib.request
    s = socket.socket()
    dom = s.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN)
    if dom != socket.AF_INET:
        sys.exit("SO_DOMAIN %d, want AF_INET" % dom)
    # SO_REUSEPORT works (on 6.1 the preload library turns it into
    # MYTCP_REUSEPORT, the socket core refusing it for mytcp).
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    if s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) != 1:
        sys.exit("SO_REUSEPORT does not read back 1")
    # The fd really is mytcp: it appears in /proc/net/mytcp once bound.
    s.bind(("127.0.0.1", 7399))
    if ":1CE7 " not in open("/proc/net/mytcp").read():
        sys.exit("bound socket not in /proc/net/mytcp")
    s.setsockopt(socket.IPPROTO_IP, 11, 1)    # IP_RECVERR: mytcp lacks it
    s.close()
    data = urllib.request.urlopen("http://127.0.0.1:7302/blob", timeout=60).read()
    print(hashlib.md5(data).hexdigest(), flush=True)


def cmd_poll_7303():
    """poll-7303 DIR: until DIR/stop exists (120 s at most), keep in DIR/snap
    the /proc/net/mytcp with the most ESTABLISHED sockets of port 7303;
    creates DIR/poller.ready first."""
    import os, sys, time
    d = sys.argv[1]
    best, end = -1, time.time() + 120
    open(d + "/poller.ready", "w").close()
    while not os.path.exists(d + "/stop") and time.time() < end:
        txt = open("/proc/net/mytcp").read()
        n = sum(1 for l in txt.splitlines()[1:]
                if l.split()[3] == "01" and (l.split()[1].endswith(":1C87") or
                                             l.split()[2].endswith(":1C87")))
        if n > best:
            best = n
            open(d + "/snap", "w").write(txt)
        time.sleep(0.02)


COMMANDS = {
    "urllib": cmd_urllib,
    "poll-7303": cmd_poll_7303,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit("usage: %s {%s} ARGS..." % (sys.argv[0], "|".join(COMMANDS)))
    COMMANDS[sys.argv.pop(1)]()
