#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Programs of mytcp_lib.sh's socket helpers.
#
# usage: sock_tool.py COMMAND ARGS...  (the arguments of each command are in
# its comment; sys.argv[1:] are ARGS once COMMAND is taken off)

import sys


def cmd_try():
    """try FAMILY TYPE PROTO: print OK or the errno name of socket(); TYPE is
    a number or a name (SOCK_STREAM)."""
    import errno, socket, sys
    fam = int(sys.argv[1])
    typ = sys.argv[2]
    typ = getattr(socket, typ) if typ.startswith("SOCK_") else int(typ)
    try:
        socket.socket(fam, typ, int(sys.argv[3])).close()
        print("OK")
    except OSError as e:
        print(errno.errorcode.get(e.errno, str(e.errno)))


def cmd_hold():
    """hold FAMILY: open socket(FAMILY, SOCK_STREAM, 0), print "ready", wait
    for a signal."""
    import signal, socket, sys
    s = socket.socket(int(sys.argv[1]), socket.SOCK_STREAM, 0)
    print("ready", flush=True)
    signal.pause()


COMMANDS = {
    "try": cmd_try,
    "hold": cmd_hold,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit("usage: %s {%s} ARGS..." % (sys.argv[0], "|".join(COMMANDS)))
    COMMANDS[sys.argv.pop(1)]()
