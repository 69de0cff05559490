#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Programs of failslab.sh: mytcp's text range, the echo server and the
# load of clients.
#
# usage: failslab_tool.py COMMAND ARGS...  (the arguments of each command are in
# its comment; sys.argv[1:] are ARGS once COMMAND is taken off)

import sys


def cmd_text_range():
    """text-range: [start, end) of mytcp's code from /proc/kallsyms (its text
    symbols; one page more for the last function), exits 1 without them."""
    import sys
    lo = hi = 0
    with open("/proc/kallsyms") as f:
        for line in f:
            p = line.split()
            if len(p) >= 4 and p[3] == "[mytcp]" and p[1] in "tT":
                a = int(p[0], 16)
                if a and (not lo or a < lo):
                    lo = a
                hi = max(hi, a)
    if not lo:
        sys.exit(1)
    print("0x%x 0x%x" % (lo, hi + 4096))


def cmd_server():
    """server ADDR PORT TIMEOUT: a mytcp echo server; a connection that meets
    an error is aborted (RST) so that its client sees an error, never a
    short echo.  Prints "ready"."""
    import socket, struct, sys, threading, time, mytcp_sock
    addr, port, tmo = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    def abort(c):
        try:
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        c.close()
    def echo(c):
        c.settimeout(tmo)
        try:
            while True:
                b = c.recv(65536)
                if not b:
                    break
                c.sendall(b)
            c.close()
        except OSError:
            abort(c)	# the client must see an error, not a short echo
    ls = mytcp_sock.socket()	# failslab is not on yet
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(128)
    print("ready", flush=True)
    while True:
        try:
            c, _ = ls.accept()
        except OSError as e:
            print("accept: %s" % e, flush=True)
            time.sleep(0.1)
            continue
        threading.Thread(target=echo, args=(c,), daemon=True).start()


def cmd_client():
    """client ADDR PORT TIMEOUT CONNS PAR SIZE: CONNS echo connections, PAR
    at a time, SIZE random bytes each; prints the outcomes and exits 1
    when one is neither byte-exact nor an error (short, stuck), or when
    send() failed for want of memory (ENOBUFS/ENOMEM)."""
    import errno, os, socket, sys, threading, time, mytcp_sock
    addr, port, tmo = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    conns, par, size = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    out = {}
    lock = threading.Lock()
    def one(i):
        data = os.urandom(size)
        got = b""
        t0 = time.monotonic()
        step = "socket"
        try:
            s = mytcp_sock.socket()
            s.settimeout(tmo)
            step = "connect"
            s.connect((addr, port))
            step = "send"
            s.sendall(data)
            step = "recv"
            s.shutdown(socket.SHUT_WR)
            while True:
                b = s.recv(65536)
                if not b:
                    break
                got += b
            s.close()
            r = "ok" if got == data else "short %d/%d" % (len(got), size)
        except socket.timeout:
            r = "STUCK after %.0f s (%d/%d bytes back)" % (time.monotonic() - t0, len(got), size)
        except OSError as e:
            r = "error " + errno.errorcode.get(e.errno, str(e.errno))
            # An allocation that fails in sendmsg waits and retries, as
            # Linux's sk_stream_wait_memory() (a send is not refused
            # because the system was briefly short of memory).
            if step == "send" and e.errno in (errno.ENOBUFS, errno.ENOMEM):
                r = "SEND REFUSED " + r
        with lock:
            out[i] = r
    sem = threading.Semaphore(par)
    def run(i):
        with sem:
            one(i)
    ts = [threading.Thread(target=run, args=(i,)) for i in range(conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    bad = 0
    summary = {}
    for i in sorted(out):
        r = out[i]
        key = r if r.startswith("error") else r.split(" ")[0]
        summary[key] = summary.get(key, 0) + 1
        if r != "ok" and not r.startswith("error"):
            print("conn %d: %s" % (i, r))
            bad += 1
    print("outcomes: " + ", ".join("%s %d" % kv for kv in sorted(summary.items())))
    sys.exit(1 if bad else 0)


COMMANDS = {
    "text-range": cmd_text_range,
    "server": cmd_server,
    "client": cmd_client,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit("usage: %s {%s} ARGS..." % (sys.argv[0], "|".join(COMMANDS)))
    COMMANDS[sys.argv.pop(1)]()
