#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Programs of drop_report.sh.
#
# usage: drop_report_tool.py COMMAND ARGS...  (the arguments of each command are in
# its comment; sys.argv[1:] are ARGS once COMMAND is taken off)

import sys


def cmd_count():
    """count EVENT TRACE OUT: how many EVENT lines of the ftrace output TRACE
    come from mytcp's code (location in [mytcp], or an address within its
    text in /proc/kallsyms); the matching lines go to OUT."""
    import re, sys
    event, trace, out = sys.argv[1:4]
    lo = hi = None
    with open("/proc/kallsyms") as f:
        for line in f:
            p = line.split()
            if len(p) >= 4 and p[3] == "[mytcp]" and p[1] in "tT":
                a = int(p[0], 16)
                if a == 0:
                    continue
                lo = a if lo is None else min(lo, a)
                hi = a if hi is None else max(hi, a)
    n = 0
    with open(trace) as f, open(out, "w") as o:
        for line in f:
            if " %s:" % event not in line:
                continue
            m = re.search(r"location=(\S+)(?: \[(\w+)\])?", line)
            if not m:
                continue
            mine = m.group(2) == "mytcp"
            if not mine and re.fullmatch(r"(0x)?[0-9a-f]+", m.group(1)) and lo:
                a = int(m.group(1), 16)
                mine = lo <= a < hi + 0x10000
            if mine:
                n += 1
                o.write(line)
    print(n)


COMMANDS = {
    "count": cmd_count,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit("usage: %s {%s} ARGS..." % (sys.argv[0], "|".join(COMMANDS)))
    COMMANDS[sys.argv.pop(1)]()
