#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Unit tests of the user-space tools on a saved trace (no VM, no root):
# mytcp-ladder draws unit/data/scenario.trace, a tracefs capture of
# selftests/mytcp/tools_scenario.py on Debian 6.12 (tools_trace.sh makes
# and checks the same live).  Prints "ok N name" / "not ok N name", then
# "tools: N passed, N failed".

import os
import subprocess
import sys

UNIT = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(UNIT)
LADDER = os.path.join(TOP, "tools", "mytcp-ladder.py")
TRACE = os.path.join(UNIT, "data", "scenario.trace")
EXPECTED = os.path.join(TOP, "selftests", "mytcp", "tools_ladder.expected")

results = []


def test(fn):
    results.append(fn)
    return fn


def ladder(*args, stdin=None):
    r = subprocess.run([sys.executable, LADDER] + list(args), input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=60)
    return r.returncode, r.stdout


def split_picture(text):
    """Arrows, left notes and right notes, each in its own order (as
    tools_trace.sh compares them: the two sides' notes interleave by
    softirq timing)."""
    out = {"S": [], "A": [], "L": [], "R": []}
    for line in text.splitlines():
        if line.startswith("segments:"):
            out["S"].append(line)
        elif "|" in line and any(c in line.split("|", 1)[1]
                                 for c in "<>X") and line.count("|") >= 2:
            out["A"].append(line.strip())
        elif "|" in line and line.count("|") >= 2:
            left = line.split("|", 1)[0].strip()
            right = line.rsplit("|", 1)[1].strip()
            if left:
                out["L"].append(left)
            if right:
                out["R"].append(right)
    return out


@test
def ladder_matches_expected_picture():
    rc, text = ladder("-p", "7101", "-t", "none", "-N", "client,server",
                      TRACE)
    assert rc == 0, text
    with open(EXPECTED) as f:
        want = split_picture(f.read())
    got = split_picture(text)
    for k in "SALR":
        assert got[k] == want[k], "%s differs:\n%s\n!=\n%s" % (
            k, "\n".join(got[k]), "\n".join(want[k]))


@test
def ladder_is_deterministic():
    a = ladder("-t", "rel", TRACE)
    b = ladder("-t", "rel", TRACE)
    assert a == b and a[0] == 0


@test
def ladder_reads_stdin():
    with open(TRACE) as f:
        data = f.read()
    rc, text = ladder("-p", "7101", "-t", "none", "-", stdin=data)
    assert rc == 0 and "[S.]" in text, text
    assert text == ladder("-p", "7101", "-t", "none", TRACE)[1]


@test
def ladder_lists_connections():
    rc, text = ladder("-L", TRACE)
    assert rc == 0, text
    for port in ("7101", "7102", "7103", "7104"):
        assert ":" + port in text, "port %s not listed:\n%s" % (port, text)


@test
def ladder_shows_syn_retransmission():
    rc, text = ladder("-p", "7103", "-t", "none", TRACE)
    assert rc == 0, text
    assert "rtx#1" in text, text
    assert "1 retransmitted" in text, text
    assert "listen overflow" in text, text


@test
def ladder_reply_without_socket():
    rc, text = ladder("-p", "7104", "-t", "none", TRACE)
    assert rc == 0, text
    assert "[R]" in text and "(no socket)" in text, text


@test
def ladder_relative_and_absolute_sequences():
    rel = ladder("-p", "7101", "-t", "none", TRACE)[1]
    ab = ladder("-p", "7101", "-t", "none", "-a", TRACE)[1]
    assert "seq=0 " in rel and "seq=0 " not in ab, ab


@test
def ladder_unknown_port_says_so():
    rc, text = ladder("-p", "9999", TRACE)
    assert "no mytcp connection" in text, text


@test
def ladder_truncated_trace():
    with open(TRACE) as f:
        lines = f.readlines()
    for n in (0, 1, 5, 20, len(lines) - 1):
        rc, text = ladder("-t", "none", "-", stdin="".join(lines[:n]))
        assert "Traceback" not in text, "first %d lines:\n%s" % (n, text)


@test
def ladder_garbage_input():
    rc, text = ladder("-", stdin="not a trace\n\x00\xff junk: x=1\n" * 10)
    assert "Traceback" not in text, text


def main():
    passed = failed = 0
    only = sys.argv[1] if len(sys.argv) > 1 else ""
    n = 0
    for fn in results:
        if only not in fn.__name__:
            continue
        n += 1
        try:
            fn()
        except AssertionError as e:
            for line in str(e).splitlines():
                print("# " + line)
            print("not ok %d %s" % (n, fn.__name__))
            failed += 1
            continue
        print("ok %d %s" % (n, fn.__name__))
        passed += 1
    print("tools: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


sys.exit(main())
