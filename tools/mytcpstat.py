#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# mytcpstat: list mytcp sockets as ss(8) lists TCP's.
#
# Asks the module's sock_diag handler (netlink, NETLINK_SOCK_DIAG, an
# inet_diag dump for the mytcp family: mytcp/diag.c) for the sockets and
# TIME_WAIT entries of the caller's network namespace and prints them in
# ss's columns; falls back to /proc/net/mytcp (/proc/net/tcp's columns)
# when the module has no handler.  -f FILE prints a saved /proc/net/mytcp
# in the classic table.  -s prints /proc/net/mytcp_stat as nstat does.
# Python standard library only.  See mytcpstat(8).

import argparse
import errno
import ipaddress
import os
import re
import socket
import struct
import sys

PROC_SOCKS = "/proc/net/mytcp"
PROC_SOCKS6 = "/proc/net/mytcp6"	# IPv6 sockets, /proc/net/tcp6's format
PROC_STAT = "/proc/net/mytcp_stat"
FAMILY_PARAM = "/sys/module/mytcp/parameters/family"
VERSION = "3"

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




# ---------------------------------------------------------------- netlink
NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST = 0x1
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3
INET_DIAG_MEMINFO, INET_DIAG_INFO, INET_DIAG_CONG = 1, 2, 4
INET_DIAG_TOS, INET_DIAG_SKMEMINFO, INET_DIAG_SHUTDOWN = 5, 7, 8
INET_DIAG_MARK = 15

# struct tcp_info: (name, struct format, offset), as <linux/tcp.h> lays it
# out; fields past the end of what the kernel sent stay 0.
TCPI_U8 = ("state", "ca_state", "retransmits", "probes", "backoff",
           "options", "wscale", "flags")
TCPI_U32 = ("rto", "ato", "snd_mss", "rcv_mss", "unacked", "sacked", "lost",
            "retrans", "fackets", "last_data_sent", "last_ack_sent",
            "last_data_recv", "last_ack_recv", "pmtu", "rcv_ssthresh", "rtt",
            "rttvar", "snd_ssthresh", "snd_cwnd", "advmss", "reordering",
            "rcv_rtt", "rcv_space", "total_retrans")
TCPI_REST = (("pacing_rate", "Q", 104), ("max_pacing_rate", "Q", 112),
             ("bytes_acked", "Q", 120), ("bytes_received", "Q", 128),
             ("segs_out", "I", 136), ("segs_in", "I", 140),
             ("notsent_bytes", "I", 144), ("min_rtt", "I", 148),
             ("data_segs_in", "I", 152), ("data_segs_out", "I", 156),
             ("delivery_rate", "Q", 160), ("busy_time", "Q", 168),
             ("rwnd_limited", "Q", 176), ("sndbuf_limited", "Q", 184),
             ("delivered", "I", 192), ("delivered_ce", "I", 196),
             ("bytes_sent", "Q", 200), ("bytes_retrans", "Q", 208),
             ("dsack_dups", "I", 216), ("reord_seen", "I", 220),
             ("rcv_ooopack", "I", 224), ("snd_wnd", "I", 228),
             ("rcv_wnd", "I", 232))
TCPI_OPT_TIMESTAMPS, TCPI_OPT_SACK, TCPI_OPT_WSCALE, TCPI_OPT_ECN = 1, 2, 4, 8


def parse_tcp_info(b):
    info = {}
    for i, k in enumerate(TCPI_U8):
        info[k] = b[i] if i < len(b) else 0
    info["snd_wscale"] = info["wscale"] & 15
    info["rcv_wscale"] = info["wscale"] >> 4
    info["app_limited"] = info["flags"] & 1
    for i, k in enumerate(TCPI_U32):
        off = 8 + 4 * i
        info[k] = struct.unpack_from("=I", b, off)[0] if off + 4 <= len(b) else 0
    for k, f, off in TCPI_REST:
        n = struct.calcsize("=" + f)
        info[k] = struct.unpack_from("=" + f, b, off)[0] if off + n <= len(b) else 0
    return info


def mytcp_family():
    try:
        with open(FAMILY_PARAM) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return 19


def ntop(fam, raw):
    if fam == socket.AF_INET6:
        return socket.inet_ntop(socket.AF_INET6, raw)
    return socket.inet_ntoa(raw[:4])


def parse_diag_msg(b):
    (fam, st, timer, retrans, sport, dport) = struct.unpack_from("=BBBB", b, 0) + \
        struct.unpack_from("!HH", b, 4)
    src, dst = b[8:24], b[24:40]
    ifindex, c0, c1, expires, rq, wq, uid, ino = struct.unpack_from("=8I", b, 40)
    s = {"st": st, "family": fam, "local": (ntop(fam, src), sport),
         "peer": (ntop(fam, dst), dport), "recvq": rq, "sendq": wq,
         "timer": timer, "timer_ms": expires, "retrans": retrans,
         "uid": uid, "inode": ino, "cookie": (c1 << 32) | c0,
         "tw": st == 0x06, "info": None, "cong": None, "skmem": None,
         "shutdown": None, "mark": 0}
    off = 72
    while off + 4 <= len(b):
        ln, typ = struct.unpack_from("=HH", b, off)
        if ln < 4:
            break
        data = b[off + 4:off + ln]
        typ &= 0x3fff
        if typ == INET_DIAG_INFO:
            s["info"] = parse_tcp_info(data)
        elif typ == INET_DIAG_CONG:
            s["cong"] = data.split(b"\0")[0].decode("ascii", "replace")
        elif typ == INET_DIAG_SKMEMINFO:
            s["skmem"] = list(struct.unpack("=%dI" % (len(data) // 4),
                                            data[:len(data) // 4 * 4]))
        elif typ == INET_DIAG_SHUTDOWN and data:
            s["shutdown"] = data[0]
        elif typ == INET_DIAG_MARK and len(data) >= 4:
            s["mark"] = struct.unpack_from("=I", data)[0]
        off += (ln + 3) & ~3
    return s


def diag_request(family, states, ext, proto=socket.IPPROTO_TCP, extra=b"",
                 flags=NLM_F_REQUEST | NLM_F_DUMP):
    """The netlink message of an inet_diag dump request."""
    req = struct.pack("=BBBBI", family, proto, ext, 0, states) + b"\0" * 48 + extra
    return struct.pack("=IHHII", 16 + len(req), SOCK_DIAG_BY_FAMILY,
                       flags, 1, 0) + req


def netlink_socks(states, ext, msg=None, family=None):
    """The sockets the module's sock_diag handler lists (OSError if none)."""
    fd = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
    socks = []
    with fd:
        fd.sendto(msg or diag_request(family or mytcp_family(), states, ext), (0, 0))
        while True:
            data = fd.recv(1 << 17)
            off = 0
            while off + 16 <= len(data):
                ln, typ = struct.unpack_from("=IH", data, off)
                if ln < 16:
                    raise OSError(errno.EPROTO, "bad netlink message")
                body = data[off + 16:off + ln]
                if typ == NLMSG_DONE:
                    err = struct.unpack_from("=i", body)[0] if len(body) >= 4 else 0
                    if err < 0:
                        raise OSError(-err, os.strerror(-err))
                    return socks
                if typ == NLMSG_ERROR:
                    err = struct.unpack_from("=i", body)[0]
                    if err < 0:
                        raise OSError(-err, os.strerror(-err))
                    return socks
                if typ == SOCK_DIAG_BY_FAMILY and len(body) >= 72:
                    socks.append(parse_diag_msg(body))
                off += (ln + 3) & ~3


def proc_rows(path):
    """(family, row) of /proc/net/mytcp and, read with it, of
    /proc/net/mytcp6 (IPv6 sockets, /proc/net/tcp6's format)."""
    for s in parse_socks(path):
        yield socket.AF_INET, s
    if path == PROC_SOCKS and os.path.exists(PROC_SOCKS6):
        for s in parse_socks(PROC_SOCKS6):
            for k in ("local", "peer"):     # hexaddr()'s [brackets] off
                s[k] = (s[k][0].strip("[]"), s[k][1])
            yield socket.AF_INET6, s


def proc_socks(path):
    """/proc/net/mytcp's (and mytcp6's) lines as netlink_socks() gives them."""
    codes = {v: k for k, v in TIMERS.items()}
    out = []
    for fam, s in proc_rows(path):
        d = dict(s)
        d["timer"] = codes.get(s["timer"], 5)
        d["family"] = fam
        d["cookie"] = None
        d["cong"] = s.get("cong")
        d["skmem"] = d["shutdown"] = None
        d["mark"] = 0
        if s["timer"] in ("keepalive", "persist"):
            d["retrans"] = s["probes"]
        d["info"] = None
        listening = s["st"] == 0x0A and "ssthresh" in s
        if listening:
            d["sendq"] = s["ssthresh"]      # the backlog, as ss shows it
        if not s["tw"] and "srtt_us" in s:
            d["info"] = {
                "state": s["st"], "rto": s["rto_ms"] * 1000,
                "rtt": s["srtt_us"], "rttvar": s["rttvar_us"],
                "snd_mss": s["mss"], "snd_cwnd": s["cwnd"],
                "snd_ssthresh": 0 if listening else s["ssthresh"] & 0xffffffff,
                "bytes_acked": s["bytes_acked"],
                "bytes_received": s["bytes_received"],
                "unacked": s["unacked"], "sacked": s["sacked"],
                "lost": s["lost"], "retrans": s["retrans"] if d["timer"] == 1 else 0,
                "total_retrans": s["total_retrans"],
                "snd_wscale": s["snd_wscale"], "rcv_wscale": s["rcv_wscale"],
                "options": TCPI_OPT_WSCALE if s["snd_wscale"] or s["rcv_wscale"] else 0,
                "ca_state": s["ca_state"], "reordering": 3,
            }
        out.append(d)
    return out


# ---------------------------------------------------------------- ss output
TMR_NAME = ("off", "on", "keepalive", "timewait", "persist", "unknown")


def print_ms_timer(timeout):
    """ss's print_ms_timer()."""
    secs, msecs = timeout // 1000, timeout % 1000
    minutes, secs = secs // 60, secs % 60
    buf = ""
    if minutes:
        msecs = 0
        buf = "%dmin" % minutes
        if minutes > 9:
            secs = 0
    if secs:
        if secs > 9:
            msecs = 0
        buf += "%d%s" % (secs, "." if msecs else "sec")
    if msecs:
        buf += "%03dms" % msecs
    return buf


def sprint_bw(bw, numeric=True):
    if numeric:
        return "%.0f" % bw
    if bw > 1000000000.:
        return "%.1fG" % (bw / 1000000000.)
    if bw > 1000000.:
        return "%.1fM" % (bw / 1000000.)
    if bw > 1000.:
        return "%.1fK" % (bw / 1000.)
    return "%g" % bw


def ss_info(s, i, numeric=True, options=False):
    """ss -i's fields (tcp_show_info()), in its order."""
    g = lambda k: i.get(k, 0)
    out = []
    # ss shows the options negotiated only with -o
    opts = g("options") if options else g("options") & TCPI_OPT_WSCALE
    if opts & TCPI_OPT_TIMESTAMPS:
        out.append("ts")
    if opts & TCPI_OPT_SACK:
        out.append("sack")
    if opts & TCPI_OPT_ECN:
        out.append("ecn")
    if s.get("cong"):
        out.append(s["cong"])
    if opts & TCPI_OPT_WSCALE:
        out.append("wscale:%d,%d" % (g("snd_wscale"), g("rcv_wscale")))
    if g("rto"):
        out.append("rto:%g" % (g("rto") / 1000.0))
    if g("backoff"):
        out.append("backoff:%u" % g("backoff"))
    if g("rtt"):
        out.append("rtt:%g/%g" % (g("rtt") / 1000.0, g("rttvar") / 1000.0))
    if g("ato"):
        out.append("ato:%g" % (g("ato") / 1000.0))
    for k, n in (("snd_mss", "mss"), ("pmtu", "pmtu"), ("rcv_mss", "rcvmss"),
                 ("advmss", "advmss"), ("snd_cwnd", "cwnd")):
        if g(k):
            out.append("%s:%d" % (n, g(k)))
    if g("snd_ssthresh") and g("snd_ssthresh") < 0xFFFF:
        out.append("ssthresh:%d" % g("snd_ssthresh"))
    for k in ("bytes_sent", "bytes_retrans", "bytes_acked", "bytes_received",
              "segs_out", "segs_in", "data_segs_out", "data_segs_in"):
        if g(k):
            out.append("%s:%d" % (k, g(k)))
    if g("rtt") and g("snd_mss") and g("snd_cwnd"):
        out.append("send %sbps" % sprint_bw(g("snd_cwnd") * g("snd_mss") *
                                            8000000.0 / g("rtt"), numeric))
    for k, n in (("last_data_sent", "lastsnd"), ("last_data_recv", "lastrcv"),
                 ("last_ack_recv", "lastack")):
        if g(k):
            out.append("%s:%u" % (n, g(k)))
    if g("pacing_rate") and g("pacing_rate") != (1 << 64) - 1:
        r = "pacing_rate %sbps" % sprint_bw(g("pacing_rate") * 8.0, numeric)
        if g("max_pacing_rate") and g("max_pacing_rate") != (1 << 64) - 1:
            r += "/%sbps" % sprint_bw(g("max_pacing_rate") * 8.0, numeric)
        out.append(r)
    if g("delivery_rate"):
        out.append("delivery_rate %sbps" % sprint_bw(g("delivery_rate") * 8.0,
                                                     numeric))
    if g("delivered"):
        out.append("delivered:%u" % g("delivered"))
    if g("app_limited"):
        out.append("app_limited")
    if g("busy_time"):
        b = "busy:%ums" % (g("busy_time") // 1000)
        if g("rwnd_limited"):
            b += " rwnd_limited:%ums(%.1f%%)" % (
                g("rwnd_limited") // 1000,
                100.0 * g("rwnd_limited") / g("busy_time"))
        if g("sndbuf_limited"):
            b += " sndbuf_limited:%ums(%.1f%%)" % (
                g("sndbuf_limited") // 1000,
                100.0 * g("sndbuf_limited") / g("busy_time"))
        out.append(b)
    if g("unacked"):
        out.append("unacked:%u" % g("unacked"))
    if g("retrans") or g("total_retrans"):
        out.append("retrans:%u/%u" % (g("retrans"), g("total_retrans")))
    if g("lost"):
        out.append("lost:%u" % g("lost"))
    if g("sacked") and s["st"] != 0x0A:
        out.append("sacked:%u" % g("sacked"))
    if g("dsack_dups"):
        out.append("dsack_dups:%u" % g("dsack_dups"))
    if i.get("reordering", 3) != 3:
        out.append("reordering:%d" % i["reordering"])
    if g("rcv_rtt"):
        out.append("rcv_rtt:%g" % (g("rcv_rtt") / 1000.0))
    for k, n in (("rcv_space", "rcv_space"), ("rcv_ssthresh", "rcv_ssthresh"),
                 ("notsent_bytes", "notsent")):
        if g(k):
            out.append("%s:%u" % (n, g(k)))
    if g("min_rtt"):
        out.append("minrtt:%g" % (g("min_rtt") / 1000.0))
    # rcv_wnd: ss 6.1 (Debian 12) does not print it
    for k in ("rcv_ooopack", "snd_wnd"):
        if g(k):
            out.append("%s:%u" % (k, g(k)))
    return out


def fmt_addr(s, which):
    a, p = s[which]
    if s.get("family") == socket.AF_INET6:
        a = "[%s]" % a
    return a, ("*" if p == 0 and which == "peer" else str(p))


def ss_rows(socks, args):
    rows = []
    for s in socks:
        extra = []
        if args.options and s["timer"]:
            extra.append("timer:(%s,%s,%d)" % (TMR_NAME[min(s["timer"], 5)],
                                               print_ms_timer(s["timer_ms"]),
                                               s["retrans"]))
        if args.extended:
            if s["uid"]:
                extra.append("uid:%u" % s["uid"])
            extra.append("ino:%u" % s["inode"])
            if s.get("cookie") is not None:
                extra.append("sk:%x" % s["cookie"])
            if s["mark"]:
                extra.append("fwmark:0x%x" % s["mark"])
            if s["shutdown"] is not None:
                m = s["shutdown"]
                extra.append("%s-%s" % ("-" if m & 1 else "<",
                                        "-" if m & 2 else ">"))
        second = []
        if args.memory and s["skmem"]:
            m = s["skmem"] + [0] * 9
            sk = "skmem:(r%u,rb%u,t%u,tb%u,f%u,w%u,o%u" % tuple(m[:7])
            if len(s["skmem"]) > 7:
                sk += ",bl%u" % m[7]
            if len(s["skmem"]) > 8:
                sk += ",d%u" % m[8]
            second.append(sk + ")")
        if args.info and s["info"]:
            second += ss_info(s, s["info"], args.numeric, args.options)
        rows.append((STATES.get(s["st"], ("UNKNOWN",))[0], str(s["recvq"]),
                     str(s["sendq"]), fmt_addr(s, "local"),
                     fmt_addr(s, "peer"), extra, second))
    return rows


def print_ss(rows, header, show_state, second_line):
    """ss's columns: the state (not when one state is asked for), the
    queues, address: right-aligned, port left-aligned, then Process glued
    to the peer port column as ss lays it out."""
    hdr = ("State", "Recv-Q", "Send-Q", ("Local Address", "Port"),
           ("Peer Address", "Port"))
    allr = ([hdr] if header else []) + [r[:5] for r in rows]
    if not allr:
        return
    w = [max(len(r[i]) for r in allr) for i in range(3)]
    aw = [max(len(r[i][0]) for r in allr) for i in (3, 4)]
    pw = [max(len(r[i][1]) for r in allr) for i in (3, 4)]
    for n, r in enumerate(allr):
        cells = [r[0].ljust(w[0])] if show_state else []
        cells += [r[1].ljust(w[1]), r[2].ljust(w[2])]
        for j, i in enumerate((3, 4)):
            cells.append(r[i][0].rjust(aw[j]) + ":" + r[i][1].ljust(pw[j]))
        line = " ".join(cells)
        if header and n == 0:
            print((line + "Process").rstrip())
            continue
        row = rows[n - (1 if header else 0)]
        if row[5]:
            line += " " + " ".join(row[5])
        print(line.rstrip())
        if second_line:
            print(("\t " + " ".join(row[6])).rstrip() if row[6] else "\t")


# ---------------------------------------------------------------- filter
class FilterError(Exception):
    pass


OPS = {"=": "eq", "==": "eq", "eq": "eq", "!=": "ne", "ne": "ne",
       "neq": "ne", ">": "gt", "gt": "gt", "<": "lt", "lt": "lt",
       ">=": "ge", "ge": "ge", "geq": "ge", "<=": "le", "le": "le",
       "leq": "le"}
CMP = {"eq": lambda a, b: a == b, "ne": lambda a, b: a != b,
       "gt": lambda a, b: a > b, "lt": lambda a, b: a < b,
       "ge": lambda a, b: a >= b, "le": lambda a, b: a <= b}


def tokenize(words):
    text = " ".join(words)
    return re.findall(r"\(|\)|!=|>=|<=|==|=|>|<|!|[^\s()!=<>]+", text)


def parse_port_tok(tok):
    t = tok.rsplit(":", 1)[-1] if ":" in tok else tok
    if t == "*":
        return None
    try:
        p = int(t)
    except ValueError:
        p = -1
    if not 0 <= p <= 65535:
        raise FilterError("bad port '%s'" % tok)
    return p


def parse_hostport(tok):
    """ADDR[/LEN][:PORT], [ADDR6][:PORT], :PORT, * -> (network|None, port|None)."""
    port = None
    host = tok
    if tok.startswith("["):
        end = tok.find("]")
        if end < 0:
            raise FilterError("bad address '%s'" % tok)
        host, rest = tok[1:end], tok[end + 1:]
        if rest.startswith(":"):
            port = parse_port_tok(rest)
    elif tok.count(":") == 1:
        host, p = tok.split(":")
        port = parse_port_tok(":" + p)
    if host in ("", "*"):
        return None, port
    try:
        net = ipaddress.ip_network(host, strict=False)
    except ValueError:
        raise FilterError("bad address '%s'" % tok)
    return net, port


class Parser:
    def __init__(self, toks):
        self.t, self.i = toks, 0

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self):
        tok = self.peek()
        if tok is None:
            raise FilterError("filter ends too early")
        self.i += 1
        return tok

    def expr(self):
        node = self.conj()
        while self.peek() in ("or", "||", "|"):
            self.take()
            right = self.conj()
            node = ("or", node, right)
        return node

    def conj(self):
        node = self.unary()
        while self.peek() not in (None, ")", "or", "||", "|"):
            if self.peek() in ("and", "&&", "&"):
                self.take()
            right = self.unary()
            node = ("and", node, right)
        return node

    def unary(self):
        tok = self.take()
        if tok in ("not", "!"):
            return ("not", self.unary())
        if tok == "(":
            node = self.expr()
            if self.take() != ")":
                raise FilterError("missing ')'")
            return node
        if tok in ("sport", "dport", "src", "dst"):
            op = "eq"
            if self.peek() in OPS:
                op = OPS[self.take()]
            val = self.take()
            if tok in ("sport", "dport"):
                return (tok, op, parse_port_tok(val))
            if op not in ("eq", "ne"):
                raise FilterError("%s takes = or != only" % tok)
            return (tok, op, parse_hostport(val))
        raise FilterError("cannot parse filter at '%s'" % tok)


def eval_filter(node, s):
    kind = node[0]
    if kind == "or":
        return eval_filter(node[1], s) or eval_filter(node[2], s)
    if kind == "and":
        return eval_filter(node[1], s) and eval_filter(node[2], s)
    if kind == "not":
        return not eval_filter(node[1], s)
    which = "local" if kind in ("sport", "src") else "peer"
    addr, port = s[which]
    op = node[1]
    if kind in ("sport", "dport"):
        return True if node[2] is None else CMP[op](port, node[2])
    net, want = node[2]
    ok = True
    if net is not None:
        try:
            ok = ipaddress.ip_address(addr) in net
        except ValueError:
            ok = False
    if want is not None:
        ok = ok and port == want
    return ok if op == "eq" else not ok


def parse_filter(words):
    """state/exclude words, then an ss filter expression."""
    toks = tokenize(words)
    states = None
    excluded = set()
    rest = []
    i = 0
    while i < len(toks):
        w = toks[i]
        if w in ("state", "exclude", "excl"):
            if i + 1 >= len(toks):
                raise FilterError("%s needs a state name" % w)
            name = toks[i + 1].lower()
            i += 2
            if name in GROUPS:
                sts = GROUPS[name]
            elif name in NAME_TO_ST:
                sts = {NAME_TO_ST[name]}
            else:
                raise FilterError("unknown state '%s'" % name)
            if w == "state":
                states = (states or set()) | sts
            else:
                excluded |= sts
        else:
            rest.append(w)
            i += 1
    expr = None
    if rest:
        p = Parser(rest)
        expr = p.expr()
        if p.peek() is not None:
            raise FilterError("cannot parse filter at '%s'" % p.peek())
    return states, excluded, expr


# ---------------------------------------------------------------- -s
# /proc/net/mytcp_stat's names -> Linux's (nstat: Tcp* from /proc/net/snmp,
# TcpExt* from /proc/net/netstat); mytcp's own are Mytcp<Name>.
LINUX_NAMES = {
    "ActiveOpens": "TcpActiveOpens", "PassiveOpens": "TcpPassiveOpens",
    "AttemptFails": "TcpAttemptFails", "EstabResets": "TcpEstabResets",
    "CurrEstab": "TcpCurrEstab", "InSegs": "TcpInSegs",
    "OutSegs": "TcpOutSegs", "RetransSegs": "TcpRetransSegs",
    "InCsumErrors": "TcpInCsumErrors", "InErrs": "TcpInErrs",
    "OutRsts": "TcpOutRsts",
    "ChallengeAcks": "TcpExtTCPChallengeACK",
    "DropBacklog": "TcpExtTCPBacklogDrop",
    "DropRcvbuf": "TcpExtTCPRcvQDrop",
    "DropListenOverflow": "TcpExtListenOverflows",
    "DropOfoMem": "TcpExtTCPOFODrop", "DropPaws": "TcpExtPAWSEstab",
    "Timeouts": "TcpExtTCPTimeouts", "FastRetrans": "TcpExtTCPFastRetrans",
    "OfoQueued": "TcpExtTCPOFOQueue", "DelayedAcks": "TcpExtDelayedACKs",
    "ZeroWindowProbes": "TcpExtTCPWinProbe",
    "TimeWaitOverflow": "TcpExtTCPTimeWaitOverflow",
    "WqueueTooBig": "TcpExtTCPWqueueTooBig",
    "MemoryPressures": "TcpExtTCPMemoryPressures",
    "AbortOnMemory": "TcpExtTCPAbortOnMemory",
    "DSackRecv": "TcpExtTCPDSACKRecv",
    "SyncookiesSent": "TcpExtSyncookiesSent",
    "SyncookiesRecv": "TcpExtSyncookiesRecv",
    "SyncookiesFailed": "TcpExtSyncookiesFailed",
    "SACKReorder": "TcpExtTCPSACKReorder",
    "TSReorder": "TcpExtTCPTSReorder",
    "TCPAckCompressed": "TcpExtTCPAckCompressed",
}


def nstat_name(k):
    if k in LINUX_NAMES:
        return LINUX_NAMES[k]
    return "Mytcp" + "".join(p[:1].upper() + p[1:] for p in k.split("_"))


def counters(stat_path):
    try:
        with open(stat_path) as f:
            pairs = [l.split() for l in f.read().splitlines() if l.strip()]
    except FileNotFoundError:
        print("mytcpstat: %s not found: is the mytcp module loaded?" % stat_path,
              file=sys.stderr)
        return 1
    except OSError as e:
        print("mytcpstat: %s: %s" % (stat_path, e.strerror), file=sys.stderr)
        return 1
    print("#kernel")
    for p in pairs:
        if len(p) == 2 and re.match(r"^-?[0-9]+$", p[1]):
            print("%-32s%-16d%6.1f" % (nstat_name(p[0]), int(p[1]), 0.0))
    return 0


# ---------------------------------------------------------------- main
SS_CONN = set(STATES) - {0x0A, 0x07, 0x06, 0x03}


class Parser_(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print("mytcpstat: %s" % message, file=sys.stderr)
        sys.exit(2)


def classic(socks, args):
    """-f: a saved /proc/net/mytcp in the classic table (the guide's)."""
    rows = []
    infos = []
    for s in socks:
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


def main():
    ap = Parser_(
        prog="mytcpstat",
        description="List mytcp sockets as ss lists TCP's (sock_diag netlink; "
                    "/proc/net/mytcp when the module has no handler).",
        epilog="FILTER: [state NAME]... [exclude NAME]... then an ss "
               "expression: sport|dport [OP] :N, src|dst [=|!=] "
               "ADDR[/LEN][:PORT], and, or, not, ( ); OP: = == != > < >= <= "
               "(eq ne gt lt ge le).  NAME: established syn-sent syn-recv "
               "fin-wait-1 fin-wait-2 time-wait closed close-wait last-ack "
               "listening closing, or all connected synchronized bucket big.")
    ap.add_argument("-a", "--all", action="store_true",
                    help="all sockets (default: connected ones, as ss)")
    ap.add_argument("-l", "--listening", action="store_true",
                    help="listening sockets only")
    ap.add_argument("-n", "--numeric", action="store_true",
                    help="numeric addresses and ports (always on)")
    ap.add_argument("-t", "--tcp", action="store_true",
                    help="TCP sockets (the only kind mytcp has)")
    ap.add_argument("-o", "--options", action="store_true",
                    help="timer information: timer:(name,left,count)")
    ap.add_argument("-e", "--extended", action="store_true",
                    help="uid, inode, cookie (sk:) and shutdown state")
    ap.add_argument("-m", "--memory", action="store_true",
                    help="socket memory: skmem:(r,rb,t,tb,f,w,o,bl,d)")
    ap.add_argument("-i", "--info", action="store_true",
                    help="internal TCP information (TCP_INFO), as ss -i")
    ap.add_argument("-s", "--summary", action="store_true",
                    help="the module's counters, as nstat -az prints them")
    ap.add_argument("-p", "--port", type=int, action="append", default=[],
                    help="local or peer port N (repeatable; not ss's -p)")
    ap.add_argument("-H", "--no-header", action="store_true",
                    help="no header line")
    ap.add_argument("--proc", action="store_true",
                    help="read /proc/net/mytcp, not netlink")
    ap.add_argument("-f", "--file",
                    help="print a saved /proc/net/mytcp in the classic table")
    ap.add_argument("--stat-file", default=PROC_STAT, help=argparse.SUPPRESS)
    # tests: the same request for another family (2: Linux TCP, as ss)
    ap.add_argument("--diag-family", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--version", action="version", version="%(prog)s " + VERSION)
    ap.add_argument("filter", nargs="*", help="ss-like filter")
    args = ap.parse_args()

    try:
        states, excluded, expr = parse_filter(args.filter)
    except FilterError as e:
        print("mytcpstat: %s" % e, file=sys.stderr)
        return 1
    if args.summary:
        return counters(args.stat_file)
    one_state = states is not None and len(states) == 1 and \
        not args.listening
    if states is None:
        if args.listening:
            states = {0x0A}
        elif args.file or args.all:
            states = set(STATES)
        else:
            states = set(SS_CONN)
    elif args.listening:
        states |= {0x0A}
    states -= excluded

    src = args.file or PROC_SOCKS
    try:
        if args.file:
            socks = parse_socks(args.file)
        elif args.proc:
            socks = proc_socks(PROC_SOCKS)
        else:
            mask = sum(1 << st for st in states)
            ext = 0
            if args.info:
                ext |= (1 << (INET_DIAG_INFO - 1)) | (1 << (INET_DIAG_CONG - 1))
            if args.memory:
                ext |= 1 << (INET_DIAG_SKMEMINFO - 1)
            try:
                socks = netlink_socks(mask, ext, family=args.diag_family)
            except OSError as e:
                if e.errno not in (errno.ENOENT, errno.EPROTONOSUPPORT,
                                   errno.EAFNOSUPPORT, errno.EOPNOTSUPP):
                    raise
                socks = proc_socks(PROC_SOCKS)
    except FileNotFoundError:
        print("mytcpstat: %s not found: is the mytcp module loaded?" % src,
              file=sys.stderr)
        return 1
    except OSError as e:
        print("mytcpstat: %s" % (e.strerror or e), file=sys.stderr)
        return 1

    def keep(s):
        if s["st"] not in states:
            return False
        if expr is not None and not eval_filter(expr, s):
            return False
        if args.port and s["local"][1] not in args.port and \
                s["peer"][1] not in args.port:
            return False
        return True

    socks = [s for s in socks if keep(s)]
    if args.file:
        return classic(socks, args)
    print_ss(ss_rows(socks, args), not args.no_header,
             not (one_state and len(states) == 1),
             args.memory or args.info)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
