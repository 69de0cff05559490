# SPDX-License-Identifier: GPL-2.0
# Writes unit/data/ladder_fixes.trace (hand-made, see unit/test_tools.py):
#   python3 unit/data/ladder_fixes.py > unit/data/ladder_fixes.trace
t = 0.0
A = "10.0.0.1:5000"; B = "10.0.0.2:80"; L0 = "10.0.0.2:80 -> 0.0.0.0:0"
out = ["# tracer: nop", "#", "# made by unit/data/ladder_fixes.py for unit/test_tools.py: a listener opened 999 s",
       "# before its connection, a lost original and its RTO retransmission,",
       "# a segment dropped as not acceptable, TIME_WAIT re-ACKing a FIN and", "# ending (2MSL), a RST.", "#"]
def ln(name, rest):
    out.append("          python-1     [000] ..s1. %12.6f: %s: %s" % (t, name, rest))
def seg(sk, l, r, d, fl, seq, ack, n, st, opts=""):
    global t; t += 0.001
    ln("mytcp_segment", "sk=%s %s -> %s %s flags=%s seq=%d ack=%d win=512 optlen=%d len=%d state=%s peer=%s wscale=%d opts=%s"
       % (sk, l, r, d, fl, seq, ack, len(opts)//2, n, st, r, 0 if "S" in fl else 7, opts))
t = 1.0
ln("mytcp_state", "sk=bbbb 10.0.0.2:80 -> 0.0.0.0:0 CLOSE -> LISTEN")
t = 1000.0
ln("mytcp_state", "sk=aaaa %s -> %s CLOSE -> SYN_SENT" % (A, B))
seg("aaaa", A, B, "out", "S", 100, 0, 0, "SYN_SENT", "020405b40402080a000000010000000001030307")
seg("llll", "10.0.0.2:80", "0.0.0.0:0", "in", "S", 100, 0, 0, "LISTEN", "020405b40402080a000000010000000001030307")
seg("bbbb", B, A, "out", "S.", 900, 101, 0, "SYN_RECV", "020405b40402080a000000010000000101030307")
seg("aaaa", A, B, "in", "S.", 900, 101, 0, "SYN_SENT", "020405b40402080a000000010000000101030307")
ln("mytcp_state", "sk=aaaa %s -> %s SYN_SENT -> ESTABLISHED" % (A, B))
seg("aaaa", A, B, "out", ".", 101, 901, 0, "ESTABLISHED")
seg("bbbb", B, A, "in", ".", 101, 901, 0, "SYN_RECV")
ln("mytcp_state", "sk=bbbb %s -> %s SYN_RECV -> ESTABLISHED" % (B, A))
# a lost original, RTO, its retransmission arrives
seg("aaaa", A, B, "out", "P.", 101, 901, 100, "ESTABLISHED")
t += 0.2
ln("mytcp_timer", "sk=aaaa %s -> %s timer=retransmit state=ESTABLISHED" % (A, B))
seg("aaaa", A, B, "out", "P.", 101, 901, 100, "ESTABLISHED")
ln("mytcp_retransmit", "sk=aaaa %s -> %s seq=101 end_seq=201 retrans=1" % (A, B))
seg("bbbb", B, A, "in", "P.", 101, 901, 100, "ESTABLISHED")
seg("bbbb", B, A, "out", ".", 901, 201, 0, "ESTABLISHED")
seg("aaaa", A, B, "in", ".", 901, 201, 0, "ESTABLISHED")
t += 0.0001
ln("mytcp_probe", "sk=aaaa family=AF_INET %s -> %s snd_una=201 snd_nxt=201 rcv_nxt=901 cwnd=1 ssthresh=2 srtt_us=1000 rttvar_us=500 rto_us=201000 inflight=0 sacked=0 lost=0 retrans=0 snd_wnd=65536 rcv_wnd=65536 mss=100 ca_state=open cong=reno" % (A, B))
# the server's segment arrives and is dropped as not acceptable
seg("bbbb", B, A, "out", "P.", 901, 201, 10, "ESTABLISHED")
seg("aaaa", A, B, "in", "P.", 901, 201, 10, "ESTABLISHED")
ln("mytcp_drop", "sk=aaaa %s -> %s len=30 reason=not acceptable" % (A, B))
seg("aaaa", A, B, "out", ".", 201, 901, 0, "ESTABLISHED")
seg("bbbb", B, A, "in", ".", 201, 901, 0, "ESTABLISHED")
# close: A FIN, B ACK+FIN, A ACK lost, B retransmits FIN, TIME_WAIT re-ACKs
seg("aaaa", A, B, "out", "F.", 201, 901, 0, "FIN_WAIT1")
seg("bbbb", B, A, "in", "F.", 201, 901, 0, "ESTABLISHED")
ln("mytcp_state", "sk=bbbb %s -> %s ESTABLISHED -> CLOSE_WAIT" % (B, A))
seg("bbbb", B, A, "out", "F.", 901, 202, 0, "LAST_ACK")
seg("aaaa", A, B, "in", "F.", 901, 202, 0, "FIN_WAIT1")
ln("mytcp_state", "sk=aaaa %s -> %s FIN_WAIT1 -> TIME_WAIT" % (A, B))
seg("aaaa", A, B, "out", ".", 202, 902, 0, "TIME_WAIT")
t += 0.2
ln("mytcp_timer", "sk=bbbb %s -> %s timer=retransmit state=LAST_ACK" % (B, A))
seg("bbbb", B, A, "out", "F.", 901, 202, 0, "LAST_ACK")
ln("mytcp_retransmit", "sk=bbbb %s -> %s seq=901 end_seq=902 retrans=1" % (B, A))
t += 0.001
ln("mytcp_tw_segment", "%s -> %s in flags=F. seq=901 ack=202 win=512 optlen=0 len=0 state=TIME_WAIT opts=" % (A, B))
ln("mytcp_reply", "%s -> %s flags=. seq=202 ack=902 win=512" % (A, B))
seg("bbbb", B, A, "in", ".", 202, 902, 0, "LAST_ACK")
ln("mytcp_state", "sk=bbbb %s -> %s LAST_ACK -> CLOSE" % (B, A))
t += 1.0
ln("mytcp_tw_timer", "%s -> %s timer=time_wait state=TIME_WAIT" % (A, B))
# connection 2: reset received
C = "10.0.0.1:5001"
t += 1
seg("cccc", C, B, "out", "S", 5, 0, 0, "SYN_SENT")
seg("dddd", B, C, "out", "R.", 0, 6, 0, "SYN_RECV")
seg("cccc", C, B, "in", "R.", 0, 6, 0, "SYN_SENT")
ln("mytcp_reset", "sk=cccc %s -> %s received reason=received" % (C, B))
print("\n".join(out))
