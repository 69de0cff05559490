/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp tracepoints (system "mytcp"): state changes, segments in and out,
 * retransmissions, timers, resets and drops, a probe per processed ACK
 * and congestion state changes.  Usable from trace-cmd, perf
 * and bpftrace; mytcp-ladder draws connections from them.  Every event
 * with a socket carries its 4-tuple as saddr/sport/daddr/dport, and every
 * event with a 4-tuple ends with family (AF_INET 2, AF_INET6 10; the
 * probe names it earlier) and the addresses as IPv6 (saddr6/daddr6, IPv4
 * ones v4-mapped): an IPv6 connection's saddr/daddr are not its
 * addresses.
 *
 * Locking: tracepoints run in the caller's context and take no locks.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mytcp

#if !defined(_MYTCP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _MYTCP_TRACE_H

#include <linux/tracepoint.h>
#include <linux/tcp.h>
#include <net/sock.h>
#include <net/inet_sock.h>

#ifndef _MYTCP_TRACE_HELPERS
#define _MYTCP_TRACE_HELPERS
/* The 4-tuple of sk (zeros without a socket). */
static inline void mytcp_trace_tuple(const struct sock *sk, __u32 *saddr,
				     __u16 *sport, __u32 *daddr, __u16 *dport)
{
	const struct inet_sock *inet = sk ? inet_sk(sk) : NULL;

	/* addresses stay in network order: %pI4 prints them */
	*saddr = inet ? (__force __u32)inet->inet_saddr : 0;
	*daddr = inet ? (__force __u32)inet->inet_daddr : 0;
	*sport = inet ? ntohs(inet->inet_sport) : 0;
	*dport = inet ? ntohs(inet->inet_dport) : 0;
}

/*
 * The 4-tuple's addresses as IPv6 (IPv4 v4-mapped) and the socket's
 * family (AF_INET6 for an IPv6 socket, v4-mapped peers included).
 */
static inline void mytcp_trace_addr6(const struct sock *sk, __u8 *s6,
				     __u8 *d6, __u16 *family)
{
	struct in6_addr a = {};

	*family = AF_INET;
	if (sk && mytcp_sk(sk)->v6) {
		*family = AF_INET6;
		memcpy(s6, &mytcp_sk(sk)->inet6.saddr, 16);
		memcpy(d6, &sk->sk_v6_daddr, 16);
		return;
	}
	if (sk)
		ipv6_addr_set_v4mapped(inet_sk(sk)->inet_saddr, &a);
	memcpy(s6, &a, 16);
	if (sk)
		ipv6_addr_set_v4mapped(inet_sk(sk)->inet_daddr, &a);
	memcpy(d6, &a, 16);
}

/*
 * The 4-tuple and addresses of sk, or (sk NULL) of request socket req
 * (request.c): its keys are addr.h's, IPv4 v4-mapped, as the child's
 * addresses will be.
 */
static inline void mytcp_trace_tuple_of(const struct sock *sk,
					const struct mytcp_request *req,
					__u32 *saddr, __u16 *sport,
					__u32 *daddr, __u16 *dport,
					__u8 *s6, __u8 *d6, __u16 *family)
{
	if (sk || !req) {
		mytcp_trace_tuple(sk, saddr, sport, daddr, dport);
		mytcp_trace_addr6(sk, s6, d6, family);
		return;
	}
	*saddr = req->wire_v6 ? 0 : (__force __u32)req->laddr.s6_addr32[3];
	*daddr = req->wire_v6 ? 0 : (__force __u32)req->raddr.s6_addr32[3];
	*sport = ntohs(req->lport);
	*dport = ntohs(req->rport);
	*family = req->sk_v6 ? AF_INET6 : AF_INET;
	memcpy(s6, &req->laddr, 16);
	memcpy(d6, &req->raddr, 16);
}

/*
 * The addresses of packet skb (network header set) as IPv6 (IPv4 ones
 * v4-mapped) and its family; swap: ours are its destination (a segment
 * received).  s4, d4: the IPv4 addresses, 0 for IPv6.
 */
static inline void mytcp_trace_skb_addr6(const struct sk_buff *skb,
					 bool swap, __u8 *s6, __u8 *d6,
					 __u16 *family, __u32 *s4, __u32 *d4)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	const struct iphdr *iph = ip_hdr(skb);
	struct in6_addr a = {};

	if (iph->version == 6) {
		*family = AF_INET6;
		memcpy(s6, swap ? &ip6h->daddr : &ip6h->saddr, 16);
		memcpy(d6, swap ? &ip6h->saddr : &ip6h->daddr, 16);
		*s4 = 0;
		*d4 = 0;
		return;
	}
	*family = AF_INET;
	*s4 = (__force __u32)(swap ? iph->daddr : iph->saddr);
	*d4 = (__force __u32)(swap ? iph->saddr : iph->daddr);
	ipv6_addr_set_v4mapped((__force __be32)*s4, &a);
	memcpy(s6, &a, 16);
	ipv6_addr_set_v4mapped((__force __be32)*d4, &a);
	memcpy(d6, &a, 16);
}

/*
 * A segment received without a connection of its own (sk NULL: TIME_WAIT
 * or before a lookup; or a listener's): is its own 4-tuple readable?  In
 * LOCAL_IN the network header is set and the transport header follows
 * it; the ports are read only where they are in the linear data.
 */
static inline bool mytcp_trace_rx_pkt(const struct sock *sk,
				      const struct sk_buff *skb)
{
	const unsigned char *th;

	if (sk && sk->sk_state != TCP_LISTEN)
		return false;
	if (!skb_transport_header_was_set(skb))
		return false;
	th = skb_transport_header(skb);
	return th >= skb->head && th + 4 <= skb_tail_pointer(skb) &&
	       (ip_hdr(skb)->version == 4 || ip_hdr(skb)->version == 6);
}

/* That packet's ports as ours (its destination) and the peer's. */
static inline void mytcp_trace_rx_ports(const struct sk_buff *skb,
					__u16 *sport, __u16 *dport)
{
	const struct tcphdr *th = tcp_hdr(skb);

	*sport = ntohs(th->dest);
	*dport = ntohs(th->source);
}

/*
 * mytcp_drop's 4-tuple: a listener's or TIME_WAIT's segment (sk NULL or
 * listening) its own, else the socket's.
 */
static inline void mytcp_trace_drop_tuple(const struct sock *sk,
					  const struct sk_buff *skb,
					  __u32 *saddr, __u16 *sport,
					  __u32 *daddr, __u16 *dport,
					  __u8 *s6, __u8 *d6, __u16 *family)
{
	if (mytcp_trace_rx_pkt(sk, skb)) {
		mytcp_trace_skb_addr6(skb, true, s6, d6, family, saddr, daddr);
		mytcp_trace_rx_ports(skb, sport, dport);
		return;
	}
	mytcp_trace_tuple(sk, saddr, sport, daddr, dport);
	mytcp_trace_addr6(sk, s6, d6, family);
}

/*
 * The congestion state as Linux names it (TCP_CA_*): cong.c's ca_state,
 * whose MYTCP_CA_* values are Linux's (cong.h).  For the probe, /proc
 * and TCP_INFO alike.
 */
static inline u8 mytcp_trace_ca_state(const struct mytcp_sock *mtp)
{
	return mtp->ca_state;
}

/* Bytes to segments of mss (rounded up; 0 without an MSS yet). */
static inline u32 mytcp_trace_segs(u32 bytes, u32 mss)
{
	return mss ? DIV_ROUND_UP(bytes, mss) : 0;
}

/* Segments thought lost (as tcpi_lost): all unSACKed data in Loss,
 * the unSACKed holes below the highest SACK in Recovery.
 */
static inline u32 mytcp_trace_lost(const struct mytcp_sock *mtp)
{
	u32 out = mtp->snd_nxt - mtp->snd_una;
	u32 hole;

	if (mtp->ca_state == MYTCP_CA_LOSS)
		return mytcp_trace_segs(out - min(mtp->sacked_bytes, out),
					mtp->mss);
	if (mtp->ca_state != MYTCP_CA_RECOVERY ||
	    !after(mtp->highest_sack, mtp->snd_una))
		return 0;
	hole = mtp->highest_sack - mtp->snd_una;
	return mytcp_trace_segs(hole - min(mtp->sacked_bytes, hole), mtp->mss);
}

/* RFC 6675's pipe in segments: unacked - (sacked + lost) + retrans. */
static inline u32 mytcp_trace_inflight(const struct mytcp_sock *mtp)
{
	u32 pkts = mytcp_trace_segs(mtp->snd_nxt - mtp->snd_una, mtp->mss);
	u32 gone = mytcp_trace_segs(mtp->sacked_bytes, mtp->mss) +
		   mytcp_trace_lost(mtp);

	return pkts - min(pkts, gone) +
	       mytcp_trace_segs(mtp->retrans_bytes, mtp->mss);
}

/* The TCP options of a segment (th->doff checked by the caller). */
static inline void mytcp_trace_opts(const struct tcphdr *th, u8 *buf,
				    u16 *len)
{
	*len = min_t(u16, th->doff * 4 - sizeof(*th), 40);
	memcpy(buf, th + 1, *len);
}
#endif

#define mytcp_show_ca(s)					\
	__print_symbolic(s,					\
		{ TCP_CA_Open, "open" },			\
		{ TCP_CA_Disorder, "disorder" },		\
		{ TCP_CA_CWR, "cwr" },				\
		{ TCP_CA_Recovery, "recovery" },		\
		{ TCP_CA_Loss, "loss" })

#define mytcp_show_flags(f)					\
	__print_flags(f, "",					\
		{ TCPHDR_SYN, "S" }, { TCPHDR_FIN, "F" },	\
		{ TCPHDR_RST, "R" }, { TCPHDR_PSH, "P" },	\
		{ TCPHDR_ACK, "." }, { TCPHDR_URG, "U" },	\
		{ TCPHDR_ECE, "E" }, { TCPHDR_CWR, "W" })

#define mytcp_show_state(s)					\
	__print_symbolic(s,					\
		{ TCP_ESTABLISHED, "ESTABLISHED" },		\
		{ TCP_SYN_SENT, "SYN_SENT" },			\
		{ TCP_SYN_RECV, "SYN_RECV" },			\
		{ TCP_FIN_WAIT1, "FIN_WAIT1" },			\
		{ TCP_FIN_WAIT2, "FIN_WAIT2" },			\
		{ TCP_TIME_WAIT, "TIME_WAIT" },			\
		{ TCP_CLOSE, "CLOSE" },				\
		{ TCP_CLOSE_WAIT, "CLOSE_WAIT" },		\
		{ TCP_LAST_ACK, "LAST_ACK" },			\
		{ TCP_LISTEN, "LISTEN" },			\
		{ TCP_CLOSING, "CLOSING" })

/* sk's state change, or (sk NULL) request socket req's (request.c). */
TRACE_EVENT(mytcp_state,
	    TP_PROTO(const struct sock *sk, const struct mytcp_request *req,
		     int oldstate, int newstate),
	    TP_ARGS(sk, req, oldstate, newstate),
	    TP_STRUCT__entry(__field(const void *, skaddr)
			     __field(__u32, saddr)
			     __field(__u32, daddr)
			     __field(__u16, sport)
			     __field(__u16, dport)
			     __field(int, oldstate)
			     __field(int, newstate)
			     __field(__u16, family)
			     __array(__u8, saddr6, 16)
			     __array(__u8, daddr6, 16)),
	    TP_fast_assign(__entry->skaddr = sk ? (const void *)sk : req;
			   mytcp_trace_tuple_of(sk, req, &__entry->saddr,
						&__entry->sport,
						&__entry->daddr,
						&__entry->dport,
						__entry->saddr6,
						__entry->daddr6,
						&__entry->family);
			   __entry->oldstate = oldstate;
			   __entry->newstate = newstate;),
	    TP_printk("sk=%p %pI4:%u -> %pI4:%u %s -> %s family=%u saddr6=%pI6c daddr6=%pI6c",
		      __entry->skaddr, &__entry->saddr, __entry->sport, &__entry->daddr,
		      __entry->dport, mytcp_show_state(__entry->oldstate),
		      mytcp_show_state(__entry->newstate),
		      __entry->family, __entry->saddr6, __entry->daddr6)
);

/*
 * A segment sent (out=1) or received (out=0); skb->data at TCP header.
 * sk NULL: request socket req's (request.c), in SYN_RECV.
 */
TRACE_EVENT(mytcp_segment,
	    TP_PROTO(const struct sock *sk, const struct mytcp_request *req,
		     const struct sk_buff *skb, bool out),
	    TP_ARGS(sk, req, skb, out),
	    TP_STRUCT__entry(__field(const void *, skaddr)
			     __field(__u32, saddr)
			     __field(__u32, daddr)
			     __field(__u16, sport)
			     __field(__u16, dport)
			     __field(bool, out)
			     __field(__u8, flags)
			     __field(__u32, seq)
			     __field(__u32, ack)
			     __field(__u16, window)
			     __field(__u16, optlen)
			     __field(__u32, len)
			     __field(int, state)
			     __field(__u32, paddr)
			     __field(__u16, pport)
			     __field(__u8, wscale)
			     __field(__u16, olen)
			     __array(__u8, opts, 40)
			     __field(__u16, family)
			     __array(__u8, saddr6, 16)
			     __array(__u8, daddr6, 16)),
	    TP_fast_assign(__entry->skaddr = sk ? (const void *)sk : req;
			   mytcp_trace_tuple_of(sk, req, &__entry->saddr,
						&__entry->sport,
						&__entry->daddr,
						&__entry->dport,
						__entry->saddr6,
						__entry->daddr6,
						&__entry->family);
			   /* the packet's own peer: a listener has none
			    * (an IPv6 packet's: 0, saddr6/daddr6 tell)
			    */
			   __entry->paddr = out ? __entry->daddr :
				skb->protocol == htons(ETH_P_IPV6) ? 0 :
				(__force __u32)ip_hdr(skb)->saddr;
			   __entry->pport = out ? __entry->dport :
				ntohs(tcp_hdr(skb)->source);
			   /* the shift that scales this segment's window */
			   __entry->wscale = tcp_hdr(skb)->syn ? 0 :
				req ? (out ? req->rcv_wscale :
					     req->snd_wscale) :
				out ? mytcp_sk(sk)->rcv_wscale :
				      mytcp_sk(sk)->snd_wscale;
			   mytcp_trace_opts(tcp_hdr(skb), __entry->opts,
					    &__entry->olen);
			   __entry->out = out;
			   __entry->flags = tcp_flag_byte(tcp_hdr(skb));
			   __entry->seq = ntohl(tcp_hdr(skb)->seq);
			   __entry->ack = ntohl(tcp_hdr(skb)->ack_seq);
			   __entry->window = ntohs(tcp_hdr(skb)->window);
			   __entry->optlen = tcp_hdr(skb)->doff * 4 -
					     sizeof(struct tcphdr);
			   __entry->len = skb->len - tcp_hdr(skb)->doff * 4;
			   __entry->state = sk ? sk->sk_state :
						 TCP_SYN_RECV;),
	    TP_printk("sk=%p %pI4:%u -> %pI4:%u %s flags=%s seq=%u ack=%u win=%u optlen=%u len=%u state=%s peer=%pI4:%u wscale=%u opts=%s family=%u saddr6=%pI6c daddr6=%pI6c",
		      __entry->skaddr, &__entry->saddr, __entry->sport,
		      &__entry->daddr, __entry->dport,
		      __entry->out ? "out" : "in",
		      mytcp_show_flags(__entry->flags),
		      __entry->seq, __entry->ack, __entry->window,
		      __entry->optlen, __entry->len,
		      mytcp_show_state(__entry->state),
		      &__entry->paddr, __entry->pport, __entry->wscale,
		      __print_hex_str(__entry->opts, __entry->olen),
		      __entry->family, __entry->saddr6, __entry->daddr6)
);

/*
 * A segment received by a TIME_WAIT entry (no socket): its own 4-tuple,
 * printed as mytcp_segment prints an incoming one.
 */
TRACE_EVENT(mytcp_tw_segment,
	    TP_PROTO(const struct sk_buff *skb),
	    TP_ARGS(skb),
	    TP_STRUCT__entry(__field(__u32, saddr)
			     __field(__u32, daddr)
			     __field(__u16, sport)
			     __field(__u16, dport)
			     __field(__u8, flags)
			     __field(__u32, seq)
			     __field(__u32, ack)
			     __field(__u16, window)
			     __field(__u32, len)
			     __field(__u16, olen)
			     __array(__u8, opts, 40)
			     __field(__u16, family)
			     __array(__u8, saddr6, 16)
			     __array(__u8, daddr6, 16)),
	    TP_fast_assign(mytcp_trace_skb_addr6(skb, true, __entry->saddr6,
						 __entry->daddr6,
						 &__entry->family,
						 &__entry->saddr,
						 &__entry->daddr);
			   __entry->sport = ntohs(tcp_hdr(skb)->dest);
			   __entry->dport = ntohs(tcp_hdr(skb)->source);
			   __entry->flags = tcp_flag_byte(tcp_hdr(skb));
			   __entry->seq = ntohl(tcp_hdr(skb)->seq);
			   __entry->ack = ntohl(tcp_hdr(skb)->ack_seq);
			   __entry->window = ntohs(tcp_hdr(skb)->window);
			   __entry->len = skb->len - tcp_hdr(skb)->doff * 4;
			   mytcp_trace_opts(tcp_hdr(skb), __entry->opts,
					    &__entry->olen);),
	    TP_printk("%pI4:%u -> %pI4:%u in flags=%s seq=%u ack=%u win=%u optlen=%u len=%u state=TIME_WAIT opts=%s family=%u saddr6=%pI6c daddr6=%pI6c",
		      &__entry->saddr, __entry->sport, &__entry->daddr,
		      __entry->dport, mytcp_show_flags(__entry->flags),
		      __entry->seq, __entry->ack, __entry->window,
		      __entry->olen, __entry->len,
		      __print_hex_str(__entry->opts, __entry->olen),
		      __entry->family, __entry->saddr6, __entry->daddr6)
);

/*
 * Per processed ACK (mytcp_ack()): what a student needs to explain each
 * change.  cwnd, ssthresh, in-flight, sacked, lost and retrans are in
 * segments (as Linux's tcp:tcp_probe and TCP_INFO); srtt and rttvar in
 * microseconds (unshifted); rto in microseconds; windows in bytes.
 */
TRACE_EVENT(mytcp_probe,
	    TP_PROTO(const struct sock *sk),
	    TP_ARGS(sk),
	    TP_STRUCT__entry(__field(const void *, skaddr)
			     __field(__u16, family)
			     __field(__u32, saddr)
			     __field(__u32, daddr)
			     __field(__u16, sport)
			     __field(__u16, dport)
			     __field(__u32, snd_una)
			     __field(__u32, snd_nxt)
			     __field(__u32, rcv_nxt)
			     __field(__u32, cwnd)
			     __field(__u32, ssthresh)
			     __field(__u32, srtt_us)
			     __field(__u32, rttvar_us)
			     __field(__u32, rto_us)
			     __field(__u32, inflight)
			     __field(__u32, sacked)
			     __field(__u32, lost)
			     __field(__u32, retrans)
			     __field(__u32, snd_wnd)
			     __field(__u32, rcv_wnd)
			     __field(__u16, mss)
			     __field(__u8, ca_state)
			     __array(char, cong, 16)
			     __array(__u8, saddr6, 16)
			     __array(__u8, daddr6, 16)),
	    TP_fast_assign(__entry->skaddr = sk;
			   mytcp_trace_addr6(sk, __entry->saddr6,
					     __entry->daddr6, &__entry->family);
			   mytcp_trace_tuple(sk, &__entry->saddr,
					     &__entry->sport, &__entry->daddr,
					     &__entry->dport);
			   __entry->snd_una = mytcp_sk(sk)->snd_una;
			   __entry->snd_nxt = mytcp_sk(sk)->snd_nxt;
			   __entry->rcv_nxt = mytcp_sk(sk)->rcv_nxt;
			   __entry->cwnd = mytcp_sk(sk)->cwnd;
			   __entry->ssthresh = mytcp_sk(sk)->ssthresh;
			   __entry->srtt_us = mytcp_sk(sk)->srtt_us >> 3;
			   __entry->rttvar_us = mytcp_sk(sk)->mdev_us >> 2;
			   __entry->rto_us = mytcp_sk(sk)->rto_us;
			   __entry->sacked =
				mytcp_trace_segs(mytcp_sk(sk)->sacked_bytes,
						 mytcp_sk(sk)->mss);
			   __entry->lost = mytcp_trace_lost(mytcp_sk(sk));
			   __entry->retrans =
				mytcp_trace_segs(mytcp_sk(sk)->retrans_bytes,
						 mytcp_sk(sk)->mss);
			   __entry->inflight = mytcp_trace_inflight(mytcp_sk(sk));
			   __entry->snd_wnd = mytcp_sk(sk)->snd_wnd;
			   __entry->rcv_wnd = mytcp_sk(sk)->rcv_wnd;
			   __entry->mss = mytcp_sk(sk)->mss;
			   __entry->ca_state = mytcp_trace_ca_state(mytcp_sk(sk));
			   strscpy(__entry->cong, mytcp_sk(sk)->cong ?
				   mytcp_sk(sk)->cong->name : "none",
				   sizeof(__entry->cong));),
	    TP_printk("sk=%p family=%s %pI4:%u -> %pI4:%u snd_una=%u snd_nxt=%u rcv_nxt=%u cwnd=%u ssthresh=%u srtt_us=%u rttvar_us=%u rto_us=%u inflight=%u sacked=%u lost=%u retrans=%u snd_wnd=%u rcv_wnd=%u mss=%u ca_state=%s cong=%s saddr6=%pI6c daddr6=%pI6c",
		      __entry->skaddr,
		      __entry->family == AF_INET ? "AF_INET" : "AF_INET6",
		      &__entry->saddr, __entry->sport, &__entry->daddr,
		      __entry->dport, __entry->snd_una, __entry->snd_nxt,
		      __entry->rcv_nxt, __entry->cwnd, __entry->ssthresh,
		      __entry->srtt_us, __entry->rttvar_us, __entry->rto_us,
		      __entry->inflight, __entry->sacked, __entry->lost,
		      __entry->retrans, __entry->snd_wnd, __entry->rcv_wnd,
		      __entry->mss, mytcp_show_ca(__entry->ca_state),
		      __entry->cong, __entry->saddr6, __entry->daddr6)
);

/* The congestion state changed (as seen at an ACK or a send). */
TRACE_EVENT(mytcp_cong_state,
	    TP_PROTO(const struct sock *sk, u8 oldstate, u8 newstate),
	    TP_ARGS(sk, oldstate, newstate),
	    TP_STRUCT__entry(__field(const void *, skaddr)
			     __field(__u32, saddr)
			     __field(__u32, daddr)
			     __field(__u16, sport)
			     __field(__u16, dport)
			     __field(__u8, oldstate)
			     __field(__u8, newstate)
			     __field(__u32, cwnd)
			     __field(__u32, ssthresh)
			     __field(__u16, family)
			     __array(__u8, saddr6, 16)
			     __array(__u8, daddr6, 16)),
	    TP_fast_assign(__entry->skaddr = sk;
			   mytcp_trace_tuple(sk, &__entry->saddr,
					     &__entry->sport, &__entry->daddr,
					     &__entry->dport);
			   __entry->oldstate = oldstate;
			   __entry->newstate = newstate;
			   __entry->cwnd = mytcp_sk(sk)->cwnd;
			   __entry->ssthresh = mytcp_sk(sk)->ssthresh;
			   mytcp_trace_addr6(sk, __entry->saddr6,
					     __entry->daddr6, &__entry->family);),
	    TP_printk("sk=%p %pI4:%u -> %pI4:%u ca_state %s -> %s cwnd=%u ssthresh=%u family=%u saddr6=%pI6c daddr6=%pI6c",
		      __entry->skaddr, &__entry->saddr, __entry->sport,
		      &__entry->daddr, __entry->dport,
		      mytcp_show_ca(__entry->oldstate),
		      mytcp_show_ca(__entry->newstate), __entry->cwnd,
		      __entry->ssthresh,
		      __entry->family, __entry->saddr6, __entry->daddr6)
);

/* A segment sent without a socket (RST to a closed port, TIME_WAIT ACK). */
TRACE_EVENT(mytcp_reply,
	    TP_PROTO(const struct net *net, const struct sk_buff *skb),
	    TP_ARGS(net, skb),
	    TP_STRUCT__entry(__field(__u32, saddr)
			     __field(__u32, daddr)
			     __field(__u16, sport)
			     __field(__u16, dport)
			     __field(__u8, flags)
			     __field(__u32, seq)
			     __field(__u32, ack)
			     __field(__u16, window)
			     __field(__u16, family)
			     __array(__u8, saddr6, 16)
			     __array(__u8, daddr6, 16)),
	    TP_fast_assign(mytcp_trace_skb_addr6(skb, false, __entry->saddr6,
						 __entry->daddr6,
						 &__entry->family,
						 &__entry->saddr,
						 &__entry->daddr);
			   __entry->window = ntohs(tcp_hdr(skb)->window);
			   __entry->sport = ntohs(tcp_hdr(skb)->source);
			   __entry->dport = ntohs(tcp_hdr(skb)->dest);
			   __entry->flags = tcp_flag_byte(tcp_hdr(skb));
			   __entry->seq = ntohl(tcp_hdr(skb)->seq);
			   __entry->ack = ntohl(tcp_hdr(skb)->ack_seq);),
	    TP_printk("%pI4:%u -> %pI4:%u flags=%s%s seq=%u ack=%u win=%u family=%u saddr6=%pI6c daddr6=%pI6c",
		      &__entry->saddr, __entry->sport, &__entry->daddr,
		      __entry->dport,
		      __entry->flags & TCPHDR_RST ? "R" : "",
		      __entry->flags & TCPHDR_ACK ? "." : "",
		      __entry->seq, __entry->ack, __entry->window,
		      __entry->family, __entry->saddr6, __entry->daddr6)
);

/* skb resent by sk, or (sk NULL) request socket req's SYN-ACK resent. */
TRACE_EVENT(mytcp_retransmit,
	    TP_PROTO(const struct sock *sk, const struct mytcp_request *req,
		     const struct sk_buff *skb),
	    TP_ARGS(sk, req, skb),
	    TP_STRUCT__entry(__field(const void *, skaddr)
			     __field(__u32, saddr)
			     __field(__u32, daddr)
			     __field(__u16, sport)
			     __field(__u16, dport)
			     __field(__u32, seq)
			     __field(__u32, end_seq)
			     __field(__u16, retrans)
			     __field(__u16, family)
			     __array(__u8, saddr6, 16)
			     __array(__u8, daddr6, 16)),
	    TP_fast_assign(__entry->skaddr = sk ? (const void *)sk : req;
			   mytcp_trace_tuple_of(sk, req, &__entry->saddr,
						&__entry->sport,
						&__entry->daddr,
						&__entry->dport,
						__entry->saddr6,
						__entry->daddr6,
						&__entry->family);
			   __entry->seq = req ? req->iss :
					  MYTCP_SKB_CB(skb)->seq;
			   __entry->end_seq = req ? req->iss + 1 :
					      MYTCP_SKB_CB(skb)->end_seq;
			   __entry->retrans = req ? req->retransmits :
					      MYTCP_SKB_CB(skb)->retrans;),
	    TP_printk("sk=%p %pI4:%u -> %pI4:%u seq=%u end_seq=%u retrans=%u family=%u saddr6=%pI6c daddr6=%pI6c",
		      __entry->skaddr, &__entry->saddr, __entry->sport,
		      &__entry->daddr, __entry->dport, __entry->seq,
		      __entry->end_seq, __entry->retrans,
		      __entry->family, __entry->saddr6, __entry->daddr6)
);

/* sk's timer fired, or (sk NULL) request socket req's SYN-ACK timer. */
TRACE_EVENT(mytcp_timer,
	    TP_PROTO(const struct sock *sk, const struct mytcp_request *req,
		     const char *name),
	    TP_ARGS(sk, req, name),
	    TP_STRUCT__entry(__field(const void *, skaddr)
			     __field(__u32, saddr)
			     __field(__u32, daddr)
			     __field(__u16, sport)
			     __field(__u16, dport)
			     __array(char, name, 16)
			     __field(int, state)
			     __field(__u16, family)
			     __array(__u8, saddr6, 16)
			     __array(__u8, daddr6, 16)),
	    TP_fast_assign(__entry->skaddr = sk ? (const void *)sk : req;
			   mytcp_trace_tuple_of(sk, req, &__entry->saddr,
						&__entry->sport,
						&__entry->daddr,
						&__entry->dport,
						__entry->saddr6,
						__entry->daddr6,
						&__entry->family);
			   strscpy(__entry->name, name, sizeof(__entry->name));
			   __entry->state = sk ? sk->sk_state :
					    req ? TCP_SYN_RECV : TCP_TIME_WAIT;),
	    TP_printk("sk=%p %pI4:%u -> %pI4:%u timer=%s state=%s family=%u saddr6=%pI6c daddr6=%pI6c",
		      __entry->skaddr, &__entry->saddr, __entry->sport,
		      &__entry->daddr, __entry->dport, __entry->name,
		      mytcp_show_state(__entry->state),
		      __entry->family, __entry->saddr6, __entry->daddr6)
);

/* The 2MSL timer of a TIME_WAIT entry fired: the wait ends. */
TRACE_EVENT(mytcp_tw_timer,
	    TP_PROTO(const struct mytcp_tw *tw),
	    TP_ARGS(tw),
	    TP_STRUCT__entry(__field(__u32, saddr)
			     __field(__u32, daddr)
			     __field(__u16, sport)
			     __field(__u16, dport)
			     __field(__u16, family)
			     __array(__u8, saddr6, 16)
			     __array(__u8, daddr6, 16)),
	    TP_fast_assign(__entry->family =
				ipv6_addr_v4mapped(&tw->saddr) ? AF_INET :
								 AF_INET6;
			   __entry->saddr = __entry->family == AF_INET ?
				(__force __u32)tw->saddr.s6_addr32[3] : 0;
			   __entry->daddr = __entry->family == AF_INET ?
				(__force __u32)tw->daddr.s6_addr32[3] : 0;
			   memcpy(__entry->saddr6, &tw->saddr, 16);
			   memcpy(__entry->daddr6, &tw->daddr, 16);
			   __entry->sport = ntohs(tw->sport);
			   __entry->dport = ntohs(tw->dport);),
	    TP_printk("%pI4:%u -> %pI4:%u timer=time_wait state=TIME_WAIT family=%u saddr6=%pI6c daddr6=%pI6c",
		      &__entry->saddr, __entry->sport, &__entry->daddr,
		      __entry->dport,
		      __entry->family, __entry->saddr6, __entry->daddr6)
);

TRACE_EVENT(mytcp_reset,
	    TP_PROTO(const struct sock *sk, const char *reason, bool out),
	    TP_ARGS(sk, reason, out),
	    TP_STRUCT__entry(__field(const void *, skaddr)
			     __field(__u32, saddr)
			     __field(__u32, daddr)
			     __field(__u16, sport)
			     __field(__u16, dport)
			     __array(char, reason, 24)
			     __field(bool, out)
			     __field(__u16, family)
			     __array(__u8, saddr6, 16)
			     __array(__u8, daddr6, 16)),
	    TP_fast_assign(__entry->skaddr = sk;
			   mytcp_trace_tuple(sk, &__entry->saddr,
					     &__entry->sport, &__entry->daddr,
					     &__entry->dport);
			   strscpy(__entry->reason, reason,
				   sizeof(__entry->reason));
			   __entry->out = out;
			   mytcp_trace_addr6(sk, __entry->saddr6,
					     __entry->daddr6, &__entry->family);),
	    TP_printk("sk=%p %pI4:%u -> %pI4:%u %s reason=%s family=%u saddr6=%pI6c daddr6=%pI6c",
		      __entry->skaddr, &__entry->saddr, __entry->sport,
		      &__entry->daddr, __entry->dport,
		      __entry->out ? "sent" : "received", __entry->reason,
		      __entry->family, __entry->saddr6, __entry->daddr6)
);

TRACE_EVENT(mytcp_drop,
	    TP_PROTO(const struct sock *sk, const struct sk_buff *skb,
		     const char *reason),
	    TP_ARGS(sk, skb, reason),
	    TP_STRUCT__entry(__field(const void *, skaddr)
			     __field(__u32, saddr)
			     __field(__u32, daddr)
			     __field(__u16, sport)
			     __field(__u16, dport)
			     __field(__u32, len)
			     __array(char, reason, 24)
			     __field(__u16, family)
			     __array(__u8, saddr6, 16)
			     __array(__u8, daddr6, 16)),
	    TP_fast_assign(__entry->skaddr = sk;
			   __entry->len = skb->len;
			   strscpy(__entry->reason, reason,
				   sizeof(__entry->reason));
			   mytcp_trace_drop_tuple(sk, skb, &__entry->saddr,
						  &__entry->sport,
						  &__entry->daddr,
						  &__entry->dport,
						  __entry->saddr6,
						  __entry->daddr6,
						  &__entry->family);),
	    TP_printk("sk=%p %pI4:%u -> %pI4:%u len=%u reason=%s family=%u saddr6=%pI6c daddr6=%pI6c",
		      __entry->skaddr, &__entry->saddr, __entry->sport,
		      &__entry->daddr, __entry->dport, __entry->len,
		      __entry->reason,
		      __entry->family, __entry->saddr6, __entry->daddr6)
);

#ifndef _MYTCP_TRACE_FUNCS
#define _MYTCP_TRACE_FUNCS
/*
 * Fire mytcp_cong_state when the congestion state differs from the last
 * one traced (mtp->traced_ca_state; socket owned or in softirq, as
 * every caller of mytcp_ack() and the output path).
 */
static inline void mytcp_trace_ca(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u8 ca = mytcp_trace_ca_state(mtp);

	if (ca != mtp->traced_ca_state) {
		trace_mytcp_cong_state(sk, mtp->traced_ca_state, ca);
		mtp->traced_ca_state = ca;
	}
}

/* At the end of ACK processing: the probe, and a state change. */
static inline void mytcp_trace_probe(struct sock *sk)
{
	mytcp_trace_ca(sk);
	trace_mytcp_probe(sk);
}
#endif

#endif /* _MYTCP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
