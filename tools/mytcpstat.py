#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# mytcpstat: list mytcp sockets, like `ss -tanoi` does for TCP.
#
# Reads /proc/net/mytcp (one line per socket and TIME_WAIT entry of the
# caller's network namespace, in /proc/net/tcp's columns) and, with -s,
# /proc/net/mytcp_stat.  Python standard library only.  See mytcpstat(8).

import argparse
import os
import socket
import struct
import sys

PROC_SOCKS = "/proc/net/mytcp"
PROC_SOCKS6 = "/proc/net/mytcp6"	# IPv6 sockets, /proc/net/tcp6's format
PROC_STAT = "/proc/net/mytcp_stat"

# Linux state numbers (st column) -> (ss-style name, filter name).
STATES = {
    0x01: ("ESTAB", "established"),
    0x02: ("SYN-SENT", "syn-sent"),
    0x03: ("SYN-RECV", "syn-recv"),
    0x04: ("FIN-WAIT-1", "fin-wait-1"),
    0x05: ("FIN-WAIT-2", "fin-wait-2"),
    0x06: ("TIME-WAIT", "time-wait"),
    0x07: ("UNCONN", "closed"),
    0x08: ("CLOSE-WAIT", "close-wait"),
    0x09: ("LAST-ACK", "last-ack"),
    0x0A: ("LISTEN", "listening"),
    0x0B: ("CLOSING", "closing"),
}
NAME_TO_ST = {v[1]: k for k, v in STATES.items()}
# Aliases accepted after `state`, as ss(8) knows them.
NAME_TO_ST.update({"listen": 0x0A, "close": 0x07, "unconnected": 0x07,
                   "estab": 0x01, "syn-rcvd": 0x03})
GROUPS = {
    "all": set(STATES),
    "connected": set(STATES) - {0x0A, 0x07},
    "synchronized": set(STATES) - {0x0A, 0x07, 0x02},
    "bucket": {0x03, 0x06},
    "big": set(STATES) - {0x03, 0x06},
}

# tr column (timer code) as /proc/net/tcp codes it.
TIMERS = {0: None, 1: "on", 2: "keepalive", 3: "timewait", 4: "persist"}


def hexaddr(h):
    """'0100007F:1389' -> ('127.0.0.1', 5001); an IPv6 one (32 hex
    digits, /proc/net/tcp6) -> ('[::1]', 5001), as ss prints it."""
    a, p = h.split(":")
    if len(a) == 32:
        raw = struct.pack("<IIII", *(int(a[i:i + 8], 16)
                                     for i in range(0, 32, 8)))
        return "[%s]" % socket.inet_ntop(socket.AF_INET6, raw), int(p, 16)
    return socket.inet_ntoa(struct.pack("<I", int(a, 16))), int(p, 16)


def fmt_time(ms):
    """ss(8)'s way of printing a timer: 200ms, 1.5sec, 2min."""
    if ms < 1000:
        return "%dms" % ms
    if ms < 60000:
        s = ms / 1000.0
        return ("%.1fsec" % s) if s < 10 else ("%dsec" % int(s))
    return "%dmin" % (ms // 60000)


def parse_socks(path):
    hz = os.sysconf("SC_CLK_TCK") or 100
    socks = []
    with open(path) as f:
        lines = f.read().splitlines()
    for line in lines[1:]:
        fld = line.split()
        if len(fld) < 12:
            continue
        st = int(fld[3], 16)
        tx, rx = (int(x, 16) for x in fld[4].split(":"))
        tr, when = (int(x, 16) for x in fld[5].split(":"))
        s = {
            "st": st,
            "local": hexaddr(fld[1]),
            "peer": hexaddr(fld[2]),
            "sendq": tx,
            "recvq": rx,
            "timer": TIMERS.get(tr, "unknown"),
            "timer_ms": when * 1000 // hz,
            "retrans": int(fld[6], 16),
            "uid": int(fld[7]),
            "probes": int(fld[8]),
            "inode": int(fld[9]),
            "tw": len(fld) < 17,
        }
        if len(fld) >= 17:
            s["rto_ms"] = int(fld[12]) * 1000 // hz
            s["cwnd"] = int(fld[15])
            s["ssthresh"] = int(fld[16])
        if len(fld) >= 30:
            # mytcp's columns after Linux's (see mytcp/proc.c)
            for i, k in enumerate(("srtt_us", "rttvar_us", "mss", "snd_wscale",
                                   "rcv_wscale", "ca_state", "total_retrans",
                                   "unacked", "sacked", "lost", "bytes_acked",
                                   "bytes_received"), 17):
                s[k] = int(fld[i])
            s["cong"] = fld[29]
        socks.append(s)
    return socks


CA_STATES = {0: "open", 1: "disorder", 2: "cwr", 3: "recovery", 4: "loss"}


def info_line(s):
    """ss -i's second line, from what /proc/net/mytcp gives."""
    if s["tw"] or "srtt_us" not in s:
        return None
    if s["st"] == 0x0A:
        return "\t backlog:%d" % s["ssthresh"] if "ssthresh" in s else None
    parts = [s["cong"]]
    if s["snd_wscale"] or s["rcv_wscale"]:
        parts.append("wscale:%d,%d" % (s["snd_wscale"], s["rcv_wscale"]))
    parts.append("rto:%d" % s["rto_ms"])
    if s["srtt_us"]:
        parts.append("rtt:%g/%g" % (s["srtt_us"] / 1000.0,
                                    s["rttvar_us"] / 1000.0))
    parts.append("mss:%d" % s["mss"])
    parts.append("cwnd:%d" % s["cwnd"])
    if s["ssthresh"] >= 0:
        parts.append("ssthresh:%d" % s["ssthresh"])
    parts.append("bytes_acked:%d" % s["bytes_acked"])
    parts.append("bytes_received:%d" % s["bytes_received"])
    if s["unacked"]:
        parts.append("unacked:%d" % s["unacked"])
    if s["retrans"] or s["total_retrans"]:
        parts.append("retrans:%d/%d" % (s["retrans"], s["total_retrans"]))
    if s["lost"]:
        parts.append("lost:%d" % s["lost"])
    if s["sacked"]:
        parts.append("sacked:%d" % s["sacked"])
    if s["ca_state"]:
        parts.append("ca_state:%s" % CA_STATES.get(s["ca_state"], "?"))
    return "\t " + " ".join(parts)


def parse_port(tok):
    """':N', 'N', '*:N' or 'ADDR:N' -> N."""
    tok = tok.rsplit(":", 1)[-1]
    try:
        return int(tok)
    except ValueError:
        raise SystemExit("mytcpstat: bad port '%s'" % tok)


def parse_filter(words):
    """ss-like filter: [state S]... [exclude S]... [sport OP :N] [dport OP :N]."""
    states = None
    excluded = set()
    ports = []          # (which, port): which in sport, dport
    i = 0
    while i < len(words):
        w = words[i]
        if w in ("state", "exclude", "excl") and i + 1 < len(words):
            name = words[i + 1].lower()
            i += 2
            if name in GROUPS:
                sts = GROUPS[name]
            elif name in NAME_TO_ST:
                sts = {NAME_TO_ST[name]}
            else:
                raise SystemExit("mytcpstat: unknown state '%s'" % name)
            if w == "state":
                states = (states or set()) | sts
            else:
                excluded |= sts
        elif w in ("sport", "dport") and i + 1 < len(words):
            j = i + 1
            if words[j] in ("=", "==", "eq"):
                j += 1
            if j >= len(words):
                raise SystemExit("mytcpstat: %s needs a port" % w)
            ports.append((w, parse_port(words[j])))
            i = j + 1
        elif w in ("and", "&&"):
            i += 1
        else:
            raise SystemExit("mytcpstat: cannot parse filter at '%s'" % w)
    return states, excluded, ports


def summary(socks, stat_path):
    counts = {}
    for s in socks:
        counts[s["st"]] = counts.get(s["st"], 0) + 1
    total = len(socks)
    print("Total: %d (estab %d, closed %d, orphaned n/a, timewait %d, listen %d)"
          % (total, counts.get(0x01, 0), counts.get(0x07, 0),
             counts.get(0x06, 0), counts.get(0x0A, 0)))
    other = {STATES[k][1]: v for k, v in sorted(counts.items())
             if k not in (0x01, 0x06, 0x07, 0x0A)}
    if other:
        print("Other states: " + ", ".join("%s %d" % kv for kv in other.items()))
    try:
        with open(stat_path) as f:
            pairs = [l.split() for l in f.read().splitlines() if l.strip()]
    except OSError as e:
        print("mytcpstat: %s: %s" % (stat_path, e.strerror), file=sys.stderr)
        return 1
    pairs = [p for p in pairs if len(p) == 2]
    # global values: live_* and the memory/orphan state (net.mytcp.mem)
    gkeys = ("mem_pages", "mem_pressure", "orphans")
    glob = [p for p in pairs if p[0].startswith("live_") or p[0] in gkeys]
    rest = [p for p in pairs if p not in glob]
    print("Live objects (all namespaces): " +
          ", ".join("%s %s" % (k[5:] if k.startswith("live_") else k, v)
                    for k, v in glob))
    print()
    print("Counters (this namespace):")
    w = max([len(k) for k, _ in rest] + [1])
    vw = max([len(v) for _, v in rest] + [1])
    cols = 3
    rows = (len(rest) + cols - 1) // cols
    for r in range(rows):
        cells = []
        for c in range(cols):
            k = r + c * rows
            if k < len(rest):
                cells.append("  %-*s %*s" % (w, rest[k][0], vw, rest[k][1]))
        print("".join(cells).rstrip())
    return 0


def main():
    ap = argparse.ArgumentParser(
        prog="mytcpstat",
        description="List mytcp sockets (/proc/net/mytcp), like ss -tanoi.",
        epilog="FILTER: [state NAME]... [exclude NAME]... [sport = :N] [dport = :N]; "
               "NAME: established syn-sent syn-recv fin-wait-1 fin-wait-2 time-wait "
               "closed close-wait last-ack listening closing, or all connected "
               "synchronized bucket big.")
    ap.add_argument("-a", "--all", action="store_true",
                    help="all sockets (the default)")
    ap.add_argument("-l", "--listening", action="store_true",
                    help="listening sockets only")
    ap.add_argument("-n", "--numeric", action="store_true",
                    help="numeric addresses and ports (always on)")
    ap.add_argument("-p", "--port", type=int, action="append", default=[],
                    help="local or peer port N (repeatable)")
    ap.add_argument("-s", "--summary", action="store_true",
                    help="summary and counters from /proc/net/mytcp_stat")
    ap.add_argument("-i", "--info", action="store_true",
                    help="internal TCP information, as ss -i (a second line "
                         "per socket: cong, wscale, rto, rtt, mss, cwnd, ...)")
    for o, lo in (("-t", "--tcp"), ("-o", "--options"), ("-e", "--extended"),
                  ("-m", "--memory")):
        ap.add_argument(o, lo, action="store_true",
                        help="accepted as ss takes it (timers are always shown)"
                        if o == "-o" else argparse.SUPPRESS)
    ap.add_argument("--version", action="version", version="%(prog)s 2")
    ap.add_argument("-H", "--no-header", action="store_true",
                    help="no header line")
    ap.add_argument("-f", "--file", default=PROC_SOCKS,
                    help="read this file instead of /proc/net/mytcp")
    ap.add_argument("--stat-file", default=PROC_STAT, help=argparse.SUPPRESS)
    ap.add_argument("filter", nargs="*", help="ss-like filter")
    args = ap.parse_args()

    states, excluded, ports = parse_filter(args.filter)
    if args.listening:
        states = (states or set()) | {0x0A}
    try:
        socks = parse_socks(args.file)
        if args.file == PROC_SOCKS and os.path.exists(PROC_SOCKS6):
            socks += parse_socks(PROC_SOCKS6)
    except FileNotFoundError:
        print("mytcpstat: %s not found: is the mytcp module loaded?" % args.file,
              file=sys.stderr)
        return 1
    except OSError as e:
        print("mytcpstat: %s: %s" % (args.file, e.strerror), file=sys.stderr)
        return 1

    if args.summary:
        return summary(socks, args.stat_file)

    def keep(s):
        if states is not None and s["st"] not in states:
            return False
        if s["st"] in excluded:
            return False
        for which, p in ports:
            if (s["local"][1] if which == "sport" else s["peer"][1]) != p:
                return False
        if args.port and s["local"][1] not in args.port and \
                s["peer"][1] not in args.port:
            return False
        return True

    rows = []
    infos = []
    for s in socks:
        if not keep(s):
            continue
        if s["timer"]:
            timer = "%s,%s,%d" % (s["timer"], fmt_time(s["timer_ms"]),
                                  s["retrans"] if s["timer"] != "keepalive"
                                  else s["probes"])
        else:
            timer = "-"
        peer = "%s:%s" % (s["peer"][0], s["peer"][1] or "*") \
            if s["peer"] != ("0.0.0.0", 0) else "*:*"
        local = "%s:%d" % s["local"] if s["local"][0] != "0.0.0.0" \
            else "*:%d" % s["local"][1]
        tw = s["tw"]
        rows.append([STATES.get(s["st"], ("?%02X" % s["st"],))[0],
                     str(s["recvq"]), str(s["sendq"]), local, peer, timer,
                     "-" if tw else str(s["uid"]),
                     "-" if tw else str(s["inode"]),
                     "-" if tw else str(s["rto_ms"]),
                     "-" if tw else str(s["cwnd"]),
                     "-" if tw else str(s["ssthresh"])])
        infos.append(info_line(s) if args.info else None)
    hdr = ["State", "Recv-Q", "Send-Q", "Local Address:Port",
           "Peer Address:Port", "Timer", "Uid", "Inode", "Rto(ms)", "Cwnd",
           "Ssthresh"]
    allrows = ([hdr] if not args.no_header else []) + rows
    infos = ([None] if not args.no_header else []) + infos
    if not allrows:
        return 0
    w = [max(len(r[i]) for r in allrows) for i in range(len(hdr))]
    right = {1, 2, 6, 7, 8, 9, 10}
    for r, info in zip(allrows, infos):
        cells = [(c.rjust(w[i]) if i in right else c.ljust(w[i]))
                 for i, c in enumerate(r)]
        print(" ".join(cells).rstrip())
        if info:
            print(info)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.exit(0)
