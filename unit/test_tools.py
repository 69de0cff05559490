#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Unit tests of the user-space tools on saved traces (no VM, no root):
# mytcp-ladder draws unit/data/scenario.trace, a tracefs capture of
# selftests/mytcp/lib/tools_scenario.py on Debian 6.12 (tools_trace.sh makes
# and checks the same live); ladder_fixes.trace (hand-made) holds what a
# careful reader found wrong; probe.trace (tools_probe.sh) feeds
# mytcp-plot and the CSV/JSON export; --pcapng output is parsed back.
# Plot tests skip without matplotlib, the tshark test without tshark.  Prints "ok N name" / "not ok N name", then
# "tools: N passed, N failed".

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

UNIT = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(UNIT)
LADDER = os.path.join(TOP, "tools", "mytcp-ladder.py")
PLOT = os.path.join(TOP, "tools", "mytcp-plot.py")
TRACE = os.path.join(UNIT, "data", "scenario.trace")
# hand-made (see its header): the ladder fixes
FIXES = os.path.join(UNIT, "data", "ladder_fixes.trace")
# a transfer over lossy lo, traced in the VM by tools_probe.sh
PROBE = os.path.join(UNIT, "data", "probe.trace")
EXPECTED = os.path.join(TOP, "selftests", "mytcp", "tools_ladder.expected")

results = []


def test(fn):
    results.append(fn)
    return fn


class Skip(Exception):
    pass


def run(argv, stdin=None, py=None):
    r = subprocess.run([py or sys.executable] + argv, input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120)
    return r.returncode, r.stdout, r.stderr.decode(errors="replace")


def plot_python():
    """An interpreter with matplotlib (ours, or Debian's), else skip."""
    for py in (sys.executable, "/usr/bin/python3"):
        if os.path.exists(py) and subprocess.run(
                [py, "-c", "import matplotlib"], stderr=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL).returncode == 0:
            return py
    raise Skip("matplotlib not installed (apt-get install python3-matplotlib)")


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


# ------------------------------------------------ the careful reader's list
def arrow_bars(text):
    """Column of the left bar on every drawn line of the first ladder."""
    cols = set()
    for line in text.split("\n\n")[0].splitlines()[2:]:
        if line.startswith("segments:"):
            break
        cols.add(line.index("|"))
    return cols


@test
def ladder_left_column_fits_right_to_left_notes():
    rc, text = ladder(FIXES)
    assert rc == 0, text
    assert "dropped: not acceptable |<" in text, text
    assert len(arrow_bars(text)) == 1, text


@test
def ladder_listener_opened_long_before():
    rc, text = ladder(FIXES)
    assert rc == 0, text
    first = [l for l in text.splitlines() if re.match(r"\s+\d+\.\d+ ", l)]
    assert first and float(first[0].split()[0]) == 0.0, text
    assert all(float(l.split()[0]) < 5000 for l in first), text
    listen = [l for l in text.splitlines() if l.rstrip().endswith("LISTEN")]
    assert listen and not re.match(r"\s*\d", listen[0]), text


@test
def ladder_lost_original_and_its_retransmission():
    rc, text = ladder("-t", "none", "-p", "5000", FIXES)
    assert rc == 0, text
    lines = text.splitlines()
    orig = [l for l in lines if "len=100" in l and "rtx" not in l]
    rtx = [l for l in lines if "len=100 rtx#1" in l]
    assert len(orig) == 1 and "X" in orig[0] and "not received" in orig[0], text
    assert len(rtx) == 1 and "->|" in rtx[0], text


@test
def ladder_time_wait_receives_and_reacks():
    rc, text = ladder("-t", "none", "-p", "5000", FIXES)
    assert rc == 0, text
    fin = [l for l in text.splitlines() if "[F.]" in l and "rtx#1" in l]
    assert len(fin) == 1 and "|<" in fin[0] and "X" not in fin[0], text
    rep = [l for l in text.splitlines() if "(no socket)" in l]
    assert len(rep) == 1 and "->|" in rep[0], text
    assert "TIME_WAIT ends (2MSL) |" in text, text


@test
def ladder_rst_received_said_once():
    rc, text = ladder("-p", "5001", FIXES)
    assert rc == 0, text
    assert "RST received" in text and "(received)" not in text, text


@test
def ladder_reads_perf_script():
    perf = []
    with open(FIXES) as f:
        for line in f:
            m = re.search(r"(\d+\.\d+): (mytcp_\w+): (.*)", line)
            if m:
                perf.append("  python3  4242 [000] %s: mytcp:%s: %s" % m.groups())
    rc, text = ladder("-", stdin="\n".join(perf) + "\n")
    assert rc == 0, text
    assert text == ladder(FIXES)[1], text


@test
def ladder_refuses_binary_traces():
    d = tempfile.mkdtemp()
    try:
        for name, data, hint in (
                ("trace.dat", b"\x17\x08\x44tracing6\0\0\0", "trace-cmd report"),
                ("perf.data", b"PERFILE2\0\0\0\0", "perf script"),
                ("x.pcapng", b"\x0a\x0d\x0d\x0a\0\0\0\0", "packet capture")):
            p = os.path.join(d, name)
            with open(p, "wb") as f:
                f.write(data)
            rc, text = ladder(p)
            assert rc != 0 and hint in text and "Traceback" not in text, text
    finally:
        shutil.rmtree(d)


@test
def tools_clear_errors_help_version():
    for tool in (LADDER, PLOT):
        rc, out, err = run([tool, "--help"])
        assert rc == 0 and b"usage:" in out and not err, (tool, err)
        rc, out, err = run([tool, "--version"])
        assert rc == 0 and out.strip(), (tool, out, err)
        rc, out, err = run([tool, "/nonexistent/trace"] +
                           (["--csv", "-"] if tool == PLOT else []))
        assert rc != 0 and "No such file" in err and "Traceback" not in err, err
        extra = [] if tool == LADDER else ["--csv", "-"]
        rc, out, err = run([tool, "-l"] + extra + ["--", "/nonexistent/command"])
        assert rc != 0 and "Traceback" not in err, err
        assert ("not found" in err or "needs root" in err), err


@test
def ladder_withheld_syns_no_traceback():
    """Every SYN withheld (teaching mode, "out syn"): no segment is
    traced, only drops, timers and retransmissions; the ladder drew a
    traceback (a retransmission note asked for an ISN before the
    segments were gathered)."""
    a, b = "10.0.0.1:5000", "10.0.0.2:80"
    lines = ["# tracer: nop", "#"]
    t = [1.0]

    def ln(name, rest):
        t[0] += 0.2
        lines.append("          python-1     [000] ..s1. %12.6f: %s: sk=aaaa %s -> %s %s"
                     % (t[0], name, a, b, rest))
    ln("mytcp_state", "CLOSE -> SYN_SENT")
    ln("mytcp_drop", "len=40 reason=injected out")
    for i in (1, 2, 3):
        ln("mytcp_timer", "timer=retransmit state=SYN_SENT")
        ln("mytcp_drop", "len=40 reason=injected out")
        ln("mytcp_retransmit", "seq=100 end_seq=101 retrans=%d" % i)
    ln("mytcp_timer", "timer=retransmit state=SYN_SENT")
    ln("mytcp_state", "SYN_SENT -> CLOSE")
    rc, out = ladder("-", stdin="\n".join(lines) + "\n")
    assert rc == 0 and "Traceback" not in out, out
    assert out.count("timer retransmit") == 4, out
    assert out.count("withheld (injected)") == 4, out
    assert out.count("retransmit seq=") == 3 and "CLOSE" in out, out
    # No segment traced: the SYN's own seq is the ISN (relative 0), not
    # the random absolute ISN, which made the guide's picture differ on
    # every run.
    assert out.count("retransmit seq=0 ") == 3, out


@test
def ladder_delayed_copies_arrive_in_order():
    """A FIN and its retransmission both arrive, late (netem delay, the
    CLOSING scenario): the first arrival is the original, the second
    the retransmission, and the note of the drop that follows the
    second ("not acceptable": a duplicate by then) goes beside the
    retransmission, not beside the original."""
    a, b = "10.0.0.1:5000", "10.0.0.2:80"
    lines = ["# tracer: nop", "#"]
    t = [1.0]

    def ln(sk, src, dst, name, rest, dt=0.001):
        t[0] += dt
        lines.append("          python-1     [000] ..s1. %12.6f: %s: sk=%s %s -> %s %s"
                     % (t[0], name, sk, src, dst, rest))

    def seg(sk, src, dst, d, fl, seq, ack, st, dt=0.001):
        ln(sk, src, dst, "mytcp_segment",
           "%s flags=%s seq=%d ack=%d win=512 optlen=0 len=0 state=%s "
           "peer=%s wscale=7 opts=" % (d, fl, seq, ack, st, dst), dt)
    ln("aaaa", a, b, "mytcp_state", "CLOSE -> SYN_SENT")
    seg("aaaa", a, b, "out", "S", 100, 0, "SYN_SENT")
    seg("bbbb", b, a, "in", "S", 100, 0, "LISTEN")
    seg("bbbb", b, a, "out", "S.", 900, 101, "SYN_RECV")
    seg("aaaa", a, b, "in", "S.", 900, 101, "SYN_SENT")
    ln("aaaa", a, b, "mytcp_state", "SYN_SENT -> ESTABLISHED")
    seg("aaaa", a, b, "out", ".", 101, 901, "ESTABLISHED")
    seg("bbbb", b, a, "in", ".", 101, 901, "SYN_RECV")
    ln("bbbb", b, a, "mytcp_state", "SYN_RECV -> ESTABLISHED")
    ln("aaaa", a, b, "mytcp_state", "ESTABLISHED -> FIN_WAIT1")
    seg("aaaa", a, b, "out", "F.", 101, 901, "FIN_WAIT1")
    ln("aaaa", a, b, "mytcp_timer", "timer=retransmit state=FIN_WAIT1", 0.2)
    seg("aaaa", a, b, "out", "F.", 101, 901, "FIN_WAIT1")
    ln("aaaa", a, b, "mytcp_retransmit", "seq=101 end_seq=102 retrans=1")
    seg("bbbb", b, a, "in", "F.", 101, 901, "ESTABLISHED", 0.1)
    ln("bbbb", b, a, "mytcp_state", "ESTABLISHED -> CLOSE_WAIT")
    seg("bbbb", b, a, "out", ".", 901, 102, "CLOSE_WAIT")
    seg("bbbb", b, a, "in", "F.", 101, 901, "CLOSE_WAIT", 0.2)
    ln("bbbb", b, a, "mytcp_drop", "len=20 reason=not acceptable")
    seg("bbbb", b, a, "out", ".", 901, 102, "CLOSE_WAIT")
    rc, out = ladder("-t", "none", "-", stdin="\n".join(lines) + "\n")
    assert rc == 0 and "Traceback" not in out, out
    fins = [l for l in out.splitlines() if "[F.]" in l]
    assert len(fins) == 2 and "rtx#1" in fins[1], out
    assert "->|" in fins[0] and "not acceptable" not in fins[0], out
    assert "->|" in fins[1] and "dropped: not acceptable" in fins[1], out
    assert not [l for l in fins if "not received" in l], out
    # Only the retransmission arrives (the original lost): it is the
    # one received, the original is drawn lost (unchanged).
    cut = [l for l in lines if not ("in flags=F." in l and "CLOSE_WAIT" in l)
           and "not acceptable" not in l]
    rc, out = ladder("-t", "none", "-", stdin="\n".join(cut) + "\n")
    fins = [l for l in out.splitlines() if "[F.]" in l]
    assert rc == 0 and len(fins) == 2, out
    assert "not received" in fins[0] and "->|" in fins[1], out


@test
def ladder_copies_told_apart_by_timestamps():
    """A FIN and its retransmission carry different TSvals: the one that
    arrives is the copy with the same options.  Here the original
    arrives (late) and the retransmission is lost (netem's queue
    deleted, the CLOSING scenario on 6.12): the ladder drew the
    original lost and the retransmission received."""
    a, b = "10.0.0.1:5000", "10.0.0.2:80"
    lines = ["# tracer: nop", "#"]
    t = [1.0]

    def ln(sk, src, dst, name, rest, dt=0.001):
        t[0] += dt
        lines.append("          python-1     [000] ..s1. %12.6f: %s: sk=%s %s -> %s %s"
                     % (t[0], name, sk, src, dst, rest))

    def seg(sk, src, dst, d, fl, seq, ack, st, tsval, dt=0.001):
        ln(sk, src, dst, "mytcp_segment",
           "%s flags=%s seq=%d ack=%d win=512 optlen=12 len=0 state=%s "
           "peer=%s wscale=7 opts=0101080a%08x00000001" %
           (d, fl, seq, ack, st, dst, tsval), dt)
    ln("aaaa", a, b, "mytcp_state", "CLOSE -> SYN_SENT")
    seg("aaaa", a, b, "out", "S", 100, 0, "SYN_SENT", 1)
    seg("bbbb", b, a, "in", "S", 100, 0, "LISTEN", 1)
    seg("bbbb", b, a, "out", "S.", 900, 101, "SYN_RECV", 2)
    seg("aaaa", a, b, "in", "S.", 900, 101, "SYN_SENT", 2)
    ln("aaaa", a, b, "mytcp_state", "SYN_SENT -> ESTABLISHED")
    seg("aaaa", a, b, "out", ".", 101, 901, "ESTABLISHED", 3)
    seg("bbbb", b, a, "in", ".", 101, 901, "SYN_RECV", 3)
    ln("bbbb", b, a, "mytcp_state", "SYN_RECV -> ESTABLISHED")
    ln("aaaa", a, b, "mytcp_state", "ESTABLISHED -> FIN_WAIT1")
    seg("aaaa", a, b, "out", "F.", 101, 901, "FIN_WAIT1", 600)
    ln("aaaa", a, b, "mytcp_timer", "timer=retransmit state=FIN_WAIT1", 0.2)
    seg("aaaa", a, b, "out", "F.", 101, 901, "FIN_WAIT1", 800)
    ln("aaaa", a, b, "mytcp_retransmit", "seq=101 end_seq=102 retrans=1")
    seg("bbbb", b, a, "in", "F.", 101, 901, "ESTABLISHED", 600, 0.1)
    ln("bbbb", b, a, "mytcp_state", "ESTABLISHED -> CLOSE_WAIT")
    rc, out = ladder("-t", "none", "-", stdin="\n".join(lines) + "\n")
    assert rc == 0 and "Traceback" not in out, out
    fins = [l for l in out.splitlines() if "[F.]" in l]
    assert len(fins) == 2 and "rtx#1" in fins[1], out
    assert "->|" in fins[0] and "not received" not in fins[0], out
    assert "X" in fins[1] and "not received" in fins[1], out


@test
def plot_reads_trace_cmd_report():
    """trace-cmd report's lines (no flags column, a "cpus=" header) give
    the same probe series as the tracefs text."""
    with open(PROBE) as f:
        text = f.read()
    report = "cpus=2\n" + re.sub(
        r"(?m)^( *\S+) +\[(\d+)\] \S+ +([0-9.]+): ", r"\1 [\2] \3: ", text)
    assert report != text
    rc, want, err = run([PLOT, "--csv", "-", PROBE])
    assert rc == 0 and want.count(b"\n") > 1, err
    rc, got, err = run([PLOT, "--csv", "-", "-"], stdin=report.encode())
    assert rc == 0 and got == want, (err, got[:200], want[:200])


@test
def mytcp_run_help_version_errors():
    """mytcp-run as the Python tools: --help on stdout with 0, --version,
    a clear message and a non-zero status for no command or a bad one."""
    def sh(*args):
        r = subprocess.run(["sh", os.path.join(TOP, "tools", "mytcp-run.sh")]
                           + list(args), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=30,
                           env=dict(os.environ, MYTCP_PRELOAD_LIB="/dev/null"))
        return r.returncode, r.stdout, r.stderr
    rc, out, err = sh("--help")
    assert rc == 0 and out.startswith("usage: mytcp-run") and not err, (rc, out, err)
    rc, out, err = sh("--version")
    assert rc == 0 and re.match(r"mytcp-run [0-9]", out), (rc, out, err)
    rc, out, err = sh()
    assert rc == 2 and "usage:" in err and not out, (rc, out, err)
    rc, out, err = sh("--bogus")
    assert rc == 2 and "usage:" in err, (rc, out, err)
    rc, out, err = sh("/nonexistent/command")
    assert rc == 127 and "mytcp-run: /nonexistent/command: command not found" in err, err


# ------------------------------------------------------------------ pcapng
def parse_pcapng(data):
    """Blocks of a little-endian pcapng: [(type, body, options)]."""
    blocks = []
    off = 0
    while off < len(data):
        btype, blen = struct.unpack_from("<II", data, off)
        assert blen >= 12 and blen % 4 == 0 and off + blen <= len(data), \
            "bad block length %d at %d" % (blen, off)
        assert struct.unpack_from("<I", data, off + blen - 4)[0] == blen, \
            "trailing length differs at %d" % off
        body = data[off + 8:off + blen - 4]
        blocks.append((btype, body))
        off += blen
    return blocks


def options(buf):
    out = []
    off = 0
    while off + 4 <= len(buf):
        code, ln = struct.unpack_from("<HH", buf, off)
        if code == 0:
            break
        out.append((code, buf[off + 4:off + 4 + ln]))
        off += 4 + ln + (-ln % 4)
    return out


def pcapng_of(trace, *args):
    """mytcp-ladder --pcapng's bytes, and the ladder it drew."""
    d = tempfile.mkdtemp()
    try:
        p = os.path.join(d, "out.pcapng")
        rc, text = ladder("--pcapng", p, *args, trace)
        assert rc == 0, text
        with open(p, "rb") as f:
            return f.read(), text
    finally:
        shutil.rmtree(d)


@test
def pcapng_blocks_lengths_comments():
    data, text = pcapng_of(FIXES, "-p", "5000")
    blocks = parse_pcapng(data)
    assert blocks[0][0] == 0x0A0D0D0A and \
        struct.unpack_from("<IHH", blocks[0][1])[0:3] == (0x1A2B3C4D, 1, 0)
    assert blocks[1][0] == 1 and struct.unpack_from("<H", blocks[1][1])[0] == 101
    epbs = [b for t, b in blocks if t == 6]
    assert len(blocks) == 2 + len(epbs)
    # one packet per arrow of the ladder
    arrows = [l for l in text.splitlines() if re.search(r"\|.*[<>X].*\|", l)]
    assert len(epbs) == len(arrows), (len(epbs), text)
    comments = []
    last_t = 0
    for body in epbs:
        _, hi, lo, cap, orig = struct.unpack_from("<IIIII", body)
        t = (hi << 32) | lo
        assert t >= last_t
        last_t = t
        pkt = body[20:20 + cap]
        assert pkt[0] == 0x45 and pkt[9] == 6 and orig >= cap
        ihl = (pkt[0] & 15) * 4
        assert struct.unpack_from("!H", pkt, 2)[0] == orig
        doff = (pkt[ihl + 12] >> 4) * 4
        assert cap == ihl + doff
        opts = options(body[20 + cap + (-cap % 4):])
        c = [v.decode() for k, v in opts if k == 1]
        assert len(c) == 1 and c[0].startswith("mytcp: "), opts
        comments.append(c[0])
    want = ["SYN (connect)", "SYN-ACK", "new data", "retransmission: RTO",
            "not received", "FIN retransmission: RTO", "TIME_WAIT",
            "window 512 << 7"]
    for w in want:
        assert any(w in c for c in comments), (w, comments)
    # the SYN keeps its options (MSS 1460 first)
    syn = epbs[0][20:]
    assert syn[40:44] == bytes.fromhex("020405b4"), syn[:60].hex()


@test
def pcapng_read_by_tshark():
    if not shutil.which("tshark"):
        raise Skip("tshark not installed")
    d = tempfile.mkdtemp()
    try:
        p = os.path.join(d, "out.pcapng")
        rc, text = ladder("--pcapng", p, "-p", "5000", FIXES)
        assert rc == 0, text
        r = subprocess.run(["tshark", "-r", p, "-T", "fields", "-e",
                            "tcp.flags.str", "-e", "frame.comment"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        lines = r.stdout.strip().splitlines()
        assert len(lines) == 13 and all("mytcp: " in l for l in lines), r.stdout
    finally:
        shutil.rmtree(d)


# -------------------------------------------------------------------- plot
def probes_in(trace, port):
    with open(trace) as f:
        return [l for l in f if " mytcp_probe: " in l and ":%d " % port in l]


@test
def plot_writes_png():
    py = plot_python()
    d = tempfile.mkdtemp()
    try:
        for ext, magic in ((".png", b"\x89PNG\r\n\x1a\n"), (".svg", b"<?xml")):
            out = os.path.join(d, "p" + ext)
            rc, so, err = run([PLOT, "-o", out, PROBE], py=py)
            assert rc == 0, err
            with open(out, "rb") as f:
                data = f.read()
            assert data.startswith(magic), data[:16]
            assert b"matplotlib" in data[:4096] or b"Matplotlib" in data[:4096], \
                "not written by matplotlib"
        rc, so, err = run([PLOT, "-g", "cwnd", "-o", out, FIXES], py=py)
        assert rc == 0, err
    finally:
        shutil.rmtree(d)


@test
def plot_without_matplotlib_says_so():
    d = tempfile.mkdtemp()
    try:
        # a matplotlib that cannot be imported, first on the path
        os.mkdir(os.path.join(d, "matplotlib"))
        with open(os.path.join(d, "matplotlib", "__init__.py"), "w") as f:
            f.write("raise ImportError('hidden for the test')\n")
        env = dict(os.environ, PYTHONPATH=d)
        r = subprocess.run([sys.executable, PLOT, "-o",
                            os.path.join(d, "x.png"), PROBE],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, env=env, timeout=60)
        assert r.returncode != 0 and "matplotlib is not installed" in r.stderr \
            and "Traceback" not in r.stderr, r.stderr
    finally:
        shutil.rmtree(d)


@test
def plot_csv_json_export():
    rc, out, err = run([PLOT, "--csv", "-", PROBE])
    assert rc == 0, err
    rows = out.decode().splitlines()
    assert rows[0].startswith("time,local,remote,family,snd_una,snd_nxt")
    sender = rows[1].split(",")[1]
    port = int(sender.split(":")[1])
    n = len([l for l in probes_in(PROBE, port) if " %s -> " % sender in l])
    assert n >= 3 and len(rows) - 1 == n, (n, len(rows))
    rc, out, err = run([PLOT, "--json", "-", PROBE])
    assert rc == 0, err
    js = json.loads(out)
    assert len(js) == n and js[0]["family"] == "AF_INET"
    for r in js:
        assert r["cwnd"] >= 1 and r["mss"] > 0 and r["cong"]
        assert (r["snd_nxt"] - r["snd_una"]) % (1 << 32) < (1 << 20)
        assert r["ca_state"] in ("open", "disorder", "recovery", "loss")
    rc, out, err = run([PLOT, "--csv", "-", TRACE])
    assert rc != 0 and "no mytcp_probe" in err and "Traceback" not in err, err


# ---------------------------------------------------------------- mytcpstat
STAT = os.path.join(TOP, "tools", "mytcpstat.py")
PROC = os.path.join(UNIT, "data", "proc_mytcp.txt")


@test
def mytcpstat_info_line():
    rc, out, err = run([STAT, "-t", "-a", "-n", "-o", "-i", "-f", PROC])
    assert rc == 0, err
    lines = out.decode().splitlines()
    assert lines[1].startswith("LISTEN") and lines[2].startswith("ESTAB"), out
    info = lines[3]
    assert info.startswith("\t reno wscale:7,7 rto:200 rtt:1.5/0.75 mss:1448 "
                           "cwnd:10 ssthresh:7 "), info
    assert "unacked:1" in info and "retrans:0/2" in info and \
        "ca_state:recovery" in info, info
    assert len(lines) == 4, out
    rc, out2, err = run([STAT, "-f", PROC])
    assert rc == 0 and "\t" not in out2.decode(), out2


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
        except Skip as e:
            print("ok %d %s # SKIP %s" % (n, fn.__name__, e))
            passed += 1
            continue
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
