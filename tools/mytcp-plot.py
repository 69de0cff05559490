#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# mytcp-plot: plots of one mytcp connection from the mytcp tracepoints
# (mytcp_probe per processed ACK, mytcp_segment per segment), from a saved
# trace (the text of tracefs 'trace', trace-cmd report, perf script) or live
# around a command:
#   - the time-sequence (Stevens) graph: segments sent, retransmitted, the
#     ACK line, SACKed ranges and the receive window's right edge;
#   - cwnd, ssthresh and in-flight over time (segments);
#   - RTT samples (Karn: never of a retransmitted segment), srtt and RTO.
# PNG or SVG by the output's extension (matplotlib).  --csv and --json
# export the probe series (no matplotlib needed).  See mytcp-plot(1).

import argparse
import csv
import importlib.machinery
import importlib.util
import json
import os
import sys

MOD32 = 1 << 32
PROBE_INT = ("snd_una", "snd_nxt", "rcv_nxt", "cwnd", "ssthresh", "srtt_us",
             "rttvar_us", "rto_us", "inflight", "sacked", "lost", "retrans",
             "snd_wnd", "rcv_wnd", "mss")
PROBE_FIELDS = ("time", "local", "remote", "family") + PROBE_INT + \
    ("ca_state", "cong")


def load_ladder():
    """mytcp-ladder's parser and live tracing (installed beside us)."""
    here = os.path.dirname(os.path.realpath(__file__))
    for name in ("mytcp-ladder.py", "mytcp-ladder"):
        path = os.path.join(here, name)
        if os.path.exists(path):
            loader = importlib.machinery.SourceFileLoader("mytcp_ladder", path)
            spec = importlib.util.spec_from_loader("mytcp_ladder", loader)
            mod = importlib.util.module_from_spec(spec)
            loader.exec_module(mod)
            return mod
    sys.exit("mytcp-plot: mytcp-ladder not found beside %s" % here)


L = load_ladder()


def ep_str(ep):
    return "%s:%d" % ep


def conn_key(ev):
    return tuple(sorted([ev.local, ev.remote]))


class Conn:
    def __init__(self, key):
        self.key = key
        self.probes = []     # Ev of mytcp_probe, each with .local = sender
        self.segs = []       # Ev of mytcp_segment (with a full tuple)
        self.rtx = []        # Ev of mytcp_retransmit
        self.ca = []         # Ev of mytcp_cong_state


def connections(evs):
    conns = {}
    order = []
    for ev in evs:
        if ev.remote == L.NOWHERE or ev.remote[1] == 0:
            continue
        k = conn_key(ev)
        if k not in conns:
            conns[k] = Conn(k)
            order.append(k)
        c = conns[k]
        if ev.name == "mytcp_probe":
            c.probes.append(ev)
        elif ev.name in ("mytcp_segment", "mytcp_tw_segment"):
            c.segs.append(ev)
        elif ev.name == "mytcp_retransmit":
            c.rtx.append(ev)
        elif ev.name == "mytcp_cong_state":
            c.ca.append(ev)
    return [conns[k] for k in order]


def sender_of(c):
    """The endpoint that sent the most payload (the graphs' sender)."""
    sent = {}
    for ev in c.segs:
        src = ev.local if ev.dir == "out" else ev.remote
        sent[src] = sent.get(src, 0) + int(ev.f.get("len", 0))
    if not sent:
        return c.probes[0].local if c.probes else c.key[0]
    return max(sent, key=lambda ep: (sent[ep], ep == c.key[0]))


def probe_rows(c, sender=None):
    rows = []
    for ev in c.probes:
        if sender is not None and ev.local != sender:
            continue
        r = {"time": ev.t, "local": ep_str(ev.local),
             "remote": ep_str(ev.remote),
             "family": ev.f.get("family", "AF_INET"),
             "ca_state": ev.f.get("ca_state", ""), "cong": ev.f.get("cong", "")}
        for k in PROBE_INT:
            try:
                r[k] = int(ev.f.get(k, 0))
            except ValueError:
                r[k] = 0
        rows.append(r)
    return rows


def sack_blocks(opts):
    """SACK blocks (left, right) in a segment's options (hex)."""
    try:
        b = bytes.fromhex(opts or "")
    except ValueError:
        return []
    out = []
    i = 0
    while i < len(b):
        kind = b[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(b) or b[i + 1] < 2:
            break
        ln = b[i + 1]
        if kind == 5:
            body = b[i + 2:i + ln]
            for j in range(0, len(body) - 7, 8):
                out.append((int.from_bytes(body[j:j + 4], "big"),
                            int.from_bytes(body[j + 4:j + 8], "big")))
        i += ln
    return out


def series(c, sender):
    """Everything the graphs draw, times relative to the first event."""
    evs = c.segs + c.probes
    t0 = min(ev.t for ev in evs) if evs else 0.0
    isn = None
    for ev in c.segs:
        src = ev.local if ev.dir == "out" else ev.remote
        if src == sender and "S" in ev.f.get("flags", ""):
            isn = int(ev.f.get("seq", 0))
            break
    if isn is None:
        for ev in c.segs:
            src = ev.local if ev.dir == "out" else ev.remote
            if src == sender:
                isn = int(ev.f.get("seq", 0)) - 1
                break
    if isn is None:
        isn = int(c.probes[0].f.get("snd_una", 0)) if c.probes else 0

    def rel(v):
        return ((v - isn) % MOD32)

    s = {"sent": [], "rtx": [], "ack": [], "win": [], "sack": [],
         "rtt": [], "t0": t0, "isn": isn}
    # The sender's segments (traced out at the sender, or in at the peer
    # when the sender is not mytcp), and the ACKs coming back.
    sender_traced = any(ev.local == sender and ev.dir == "out"
                        for ev in c.segs)
    seen = {}
    first_send = {}
    for ev in c.segs:
        t = ev.t - t0
        f = ev.f
        seq, ln = int(f.get("seq", 0)), int(f.get("len", 0))
        src = ev.local if ev.dir == "out" else ev.remote
        if src == sender and (ev.dir == "out" or not sender_traced):
            if ln:
                r = rel(seq)
                if r in seen:
                    s["rtx"].append((t, r, r + ln))
                else:
                    s["sent"].append((t, r, r + ln))
                    first_send[r + ln] = t
                seen[r] = seen.get(r, 0) + 1
            continue
        if src == sender or "." not in f.get("flags", ""):
            continue
        # an ACK toward the sender: count it once (at the sender if traced)
        if sender_traced and ev.local != sender:
            continue
        ack = rel(int(f.get("ack", 0)))
        win = int(f.get("win", 0)) << int(f.get("wscale", 0) or 0)
        s["ack"].append((t, ack))
        s["win"].append((t, ack + win))
        for left, right in sack_blocks(f.get("opts")):
            s["sack"].append((t, rel(left), rel(right)))
    # RTT samples by Karn's rule: the first ACK covering a segment sent once.
    rtx_ends = {r for _, _, r in s["rtx"]}
    pend = sorted(first_send.items())
    i = 0
    for t, ack in s["ack"]:
        best = None
        while i < len(pend) and pend[i][0] <= ack:
            end, ts = pend[i]
            if end not in rtx_ends and t >= ts:
                best = (t, (t - ts) * 1000.0)
            i += 1
        if best:
            s["rtt"].append(best)
    return s


def need_matplotlib():
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit("mytcp-plot: matplotlib is not installed (Debian: apt-get "
                 "install python3-matplotlib); --csv and --json work without it")
    return plt


def plot(c, sender, out, graphs, title):
    plt = need_matplotlib()
    s = series(c, sender)
    rows = probe_rows(c, sender)
    n = len(graphs)
    fig, axes = plt.subplots(n, 1, figsize=(10, 3.6 * n), squeeze=False)
    axes = [a[0] for a in axes]
    fig.suptitle(title, fontsize=10)
    for ax, g in zip(axes, graphs):
        if g == "tseq":
            for t, a, b in s["sent"]:
                ax.plot([t, t], [a, b], color="black", lw=1.2)
            for t, a, b in s["rtx"]:
                ax.plot([t, t], [a, b], color="red", lw=1.6)
            for t, a, b in s["sack"]:
                ax.plot([t, t], [a, b], color="tab:purple", lw=3, alpha=0.5)
            if s["ack"]:
                ax.step([p[0] for p in s["ack"]], [p[1] for p in s["ack"]],
                        where="post", color="tab:green", lw=1, label="ACK")
                ax.step([p[0] for p in s["win"]], [p[1] for p in s["win"]],
                        where="post", color="tab:olive", lw=0.8, ls="--",
                        label="receive window")
            ax.plot([], [], color="black", label="sent")
            ax.plot([], [], color="red", label="retransmitted")
            ax.plot([], [], color="tab:purple", lw=3, alpha=0.5, label="SACKed")
            # the window may reach far above the data: keep the data in view
            top = max([b for _, _, b in s["sent"] + s["rtx"]] +
                      [p[1] for p in s["ack"]] + [1])
            ax.set_ylim(-0.02 * top, top * 1.25)
            ax.set_ylabel("sequence (bytes, relative)")
            ax.set_title("time-sequence graph of %s" % ep_str(sender),
                         fontsize=9)
        elif g == "cwnd":
            t = [r["time"] - s["t0"] for r in rows]
            top = max([r["cwnd"] for r in rows] + [r["inflight"] for r in rows]
                      + [1])
            ax.step(t, [r["cwnd"] for r in rows], where="post", label="cwnd")
            ax.step(t, [r["inflight"] for r in rows], where="post",
                    label="in flight")
            ss = [(x, r["ssthresh"]) for x, r in zip(t, rows)
                  if r["ssthresh"] <= 4 * top]
            if ss:
                ax.step([p[0] for p in ss], [p[1] for p in ss], where="post",
                        ls="--", label="ssthresh")
            for ev in c.ca:
                if ev.local == sender:
                    ax.axvline(ev.t - s["t0"], color="grey", lw=0.5, ls=":")
            ax.set_ylabel("segments")
            ax.set_title("congestion window (%s)" %
                         (rows[0]["cong"] if rows else "?"), fontsize=9)
        elif g == "rtt":
            t = [r["time"] - s["t0"] for r in rows]
            if s["rtt"]:
                ax.plot([p[0] for p in s["rtt"]], [p[1] for p in s["rtt"]],
                        ".", ms=3, label="RTT sample")
            ax.step(t, [r["srtt_us"] / 1000.0 for r in rows], where="post",
                    label="srtt")
            ax.step(t, [r["rto_us"] / 1000.0 for r in rows], where="post",
                    ls="--", label="RTO")
            ax.set_ylabel("ms")
            ax.set_title("round-trip time", fontsize=9)
        ax.set_xlabel("seconds")
        ax.grid(True, lw=0.3)
        ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)


def write_csv(rows, path):
    f = sys.stdout if path == "-" else open(path, "w", newline="")
    try:
        w = csv.DictWriter(f, fieldnames=PROBE_FIELDS)
        w.writeheader()
        for r in rows:
            w.writerow(r)
    finally:
        if f is not sys.stdout:
            f.close()


def write_json(rows, path):
    text = json.dumps(rows, indent=1) + "\n"
    if path == "-":
        sys.stdout.write(text)
    else:
        with open(path, "w") as f:
            f.write(text)


def main():
    ap = argparse.ArgumentParser(
        prog="mytcp-plot",
        description="Plot a mytcp connection (time-sequence, cwnd, RTT) from "
                    "the mytcp tracepoints; export the mytcp_probe series.",
        usage="%(prog)s [options] -o OUT.png|OUT.svg [TRACEFILE | -]\n"
              "       %(prog)s -l [options] -o OUT.png [-w FILE] -- CMD [ARGS...]")
    ap.add_argument("file", nargs="?", help="saved trace; - for stdin")
    ap.add_argument("-o", "--output", help="image to write (.png or .svg)")
    ap.add_argument("-g", "--graph", action="append",
                    choices=("tseq", "cwnd", "rtt"),
                    help="only these graphs (default: all three)")
    ap.add_argument("--csv", metavar="FILE", help="the probe series as CSV (- = stdout)")
    ap.add_argument("--json", metavar="FILE", help="the probe series as JSON (- = stdout)")
    ap.add_argument("-p", "--port", type=int, action="append", default=[],
                    help="only connections with this port")
    ap.add_argument("-c", "--conn", type=int,
                    help="the Nth connection (default: the one with the most probes)")
    ap.add_argument("-L", "--list", action="store_true", help="list connections")
    ap.add_argument("-l", "--live", action="store_true",
                    help="trace live around CMD (or until Ctrl-C / -d)")
    ap.add_argument("-d", "--duration", type=float, help="live: stop after SECS")
    ap.add_argument("-w", "--write", help="live: also save the raw trace")
    ap.add_argument("--version", action="version", version="%(prog)s " + L.VERSION)
    args = L.parse_live_args(ap)
    if not (args.output or args.csv or args.json or args.list):
        ap.error("nothing to do: give -o OUT, --csv, --json or -L")
    if args.output and not args.output.lower().endswith((".png", ".svg")):
        ap.error("-o: OUT must end in .png or .svg")
    if args.output:
        need_matplotlib()       # before a long live run, not after
    rc = 0
    if args.live:
        lines, rc = L.live(args)
    elif args.file in (None, "-"):
        lines = L.read_trace(sys.stdin.buffer.read(), "stdin")
    else:
        try:
            with open(args.file, "rb") as f:
                lines = L.read_trace(f.read(), args.file)
        except OSError as e:
            raise L.Usage("%s: %s" % (args.file, e.strerror))
    conns = [c for c in connections(L.parse_trace(lines))
             if not args.port or any(ep[1] in args.port for ep in c.key)]
    if args.list:
        for i, c in enumerate(conns, 1):
            print("%d: %s <-> %s  %d probes, %d segments" % (
                i, ep_str(c.key[0]), ep_str(c.key[1]), len(c.probes),
                len(c.segs)))
        return rc
    if args.conn:
        if not 1 <= args.conn <= len(conns):
            raise L.Usage("no connection %d (%d in the trace)" %
                          (args.conn, len(conns)))
        c = conns[args.conn - 1]
    else:
        withp = [c for c in conns if c.probes]
        if not withp:
            raise L.Usage("no mytcp_probe event in the trace%s: trace with "
                          "mytcp-plot -l, or enable events/mytcp/mytcp_probe"
                          % (" for port " + ",".join(map(str, args.port))
                             if args.port else ""))
        c = max(withp, key=lambda c: len(c.probes))
    sender = sender_of(c)
    rows = probe_rows(c, sender)
    if args.csv:
        write_csv(rows, args.csv)
    if args.json:
        write_json(rows, args.json)
    if args.output:
        other = c.key[1] if c.key[0] == sender else c.key[0]
        plot(c, sender, args.output, args.graph or ["tseq", "cwnd", "rtt"],
             "mytcp-plot: %s -> %s" % (ep_str(sender), ep_str(other)))
    return rc


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.exit(0)
    except L.Usage as e:
        sys.exit("mytcp-plot: %s" % e)
    except OSError as e:
        sys.exit("mytcp-plot: %s" % e)
    except KeyboardInterrupt:
        sys.exit(130)
