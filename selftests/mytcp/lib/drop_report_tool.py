#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Programs of drop_report.sh.
#
# usage: drop_report_tool.py COMMAND ARGS...  (the arguments of each command are in
# its comment; sys.argv[1:] are ARGS once COMMAND is taken off)

import sys


def a_sym(loc):
    """The address of an ftrace location printed as a number, else None."""
    import re
    if re.fullmatch(r"(0x)?[0-9a-f]+", loc):
        return int(loc, 16)
    return None


def cmd_count():
    """count EVENT TRACE OUT: how many EVENT lines of the ftrace output TRACE
    come from mytcp's code (location in [mytcp], or an address within its
    text in /proc/kallsyms); the matching lines go to OUT, an address
    followed by the mytcp function it lies in (sym+0xoff)."""
    import bisect, re, sys
    event, trace, out = sys.argv[1:4]
    lo = hi = None
    syms = []
    with open("/proc/kallsyms") as f:
        for line in f:
            p = line.split()
            if len(p) >= 4 and p[3] == "[mytcp]" and p[1] in "tT":
                a = int(p[0], 16)
                if a == 0:
                    continue
                syms.append((a, p[2]))
                lo = a if lo is None else min(lo, a)
                hi = a if hi is None else max(hi, a)
    syms.sort()
    addrs = [a for a, _ in syms]
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
                if a_sym(m.group(1)) is not None and addrs:
                    a = a_sym(m.group(1))
                    i = bisect.bisect_right(addrs, a) - 1
                    if i >= 0:
                        line = line.rstrip("\n") + " (%s+0x%x)\n" % (
                            syms[i][1], a - syms[i][0])
                o.write(line)
    print(n)


COMMANDS = {
    "count": cmd_count,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit("usage: %s {%s} ARGS..." % (sys.argv[0], "|".join(COMMANDS)))
    COMMANDS[sys.argv.pop(1)]()
