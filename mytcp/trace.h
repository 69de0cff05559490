/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp tracepoints (system "mytcp"): state changes, segments in and out,
 * retransmissions, timers, resets and drops.  Usable from trace-cmd, perf
 * and bpftrace; mytcp-ladder draws connections from them.  Every event
 * with a socket carries its 4-tuple as saddr/sport/daddr/dport.
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
#endif

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

TRACE_EVENT(mytcp_state,
	    TP_PROTO(const struct sock *sk, int oldstate, int newstate),
	    TP_ARGS(sk, oldstate, newstate),
	    TP_STRUCT__entry(__field(const void *, skaddr)
			     __field(__u32, saddr)
			     __field(__u32, daddr)
			     __field(__u16, sport)
			     __field(__u16, dport)
			     __field(int, oldstate)
			     __field(int, newstate)),
	    TP_fast_assign(__entry->skaddr = sk;
			   mytcp_trace_tuple(sk, &__entry->saddr,
					     &__entry->sport, &__entry->daddr,
					     &__entry->dport);
			   __entry->oldstate = oldstate;
			   __entry->newstate = newstate;),
	    TP_printk("sk=%p %pI4:%u -> %pI4:%u %s -> %s", __entry->skaddr,
		      &__entry->saddr, __entry->sport, &__entry->daddr,
		      __entry->dport, mytcp_show_state(__entry->oldstate),
		      mytcp_show_state(__entry->newstate))
);

/* A segment sent (out=1) or received (out=0); skb->data at TCP header. */
TRACE_EVENT(mytcp_segment,
	    TP_PROTO(const struct sock *sk, const struct sk_buff *skb,
		     bool out),
	    TP_ARGS(sk, skb, out),
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
			     __field(int, state)),
	    TP_fast_assign(__entry->skaddr = sk;
			   mytcp_trace_tuple(sk, &__entry->saddr,
					     &__entry->sport, &__entry->daddr,
					     &__entry->dport);
			   __entry->out = out;
			   __entry->flags = tcp_flag_byte(tcp_hdr(skb));
			   __entry->seq = ntohl(tcp_hdr(skb)->seq);
			   __entry->ack = ntohl(tcp_hdr(skb)->ack_seq);
			   __entry->window = ntohs(tcp_hdr(skb)->window);
			   __entry->optlen = tcp_hdr(skb)->doff * 4 -
					     sizeof(struct tcphdr);
			   __entry->len = skb->len - tcp_hdr(skb)->doff * 4;
			   __entry->state = sk->sk_state;),
	    TP_printk("sk=%p %pI4:%u -> %pI4:%u %s flags=%s%s%s%s%s%s seq=%u ack=%u win=%u optlen=%u len=%u state=%s",
		      __entry->skaddr, &__entry->saddr, __entry->sport,
		      &__entry->daddr, __entry->dport,
		      __entry->out ? "out" : "in",
		      __entry->flags & TCPHDR_SYN ? "S" : "",
		      __entry->flags & TCPHDR_FIN ? "F" : "",
		      __entry->flags & TCPHDR_RST ? "R" : "",
		      __entry->flags & TCPHDR_PSH ? "P" : "",
		      __entry->flags & TCPHDR_ACK ? "." : "",
		      __entry->flags & TCPHDR_URG ? "U" : "",
		      __entry->seq, __entry->ack, __entry->window,
		      __entry->optlen, __entry->len,
		      mytcp_show_state(__entry->state))
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
			     __field(__u32, ack)),
	    TP_fast_assign(__entry->saddr = (__force __u32)ip_hdr(skb)->saddr;
			   __entry->daddr = (__force __u32)ip_hdr(skb)->daddr;
			   __entry->sport = ntohs(tcp_hdr(skb)->source);
			   __entry->dport = ntohs(tcp_hdr(skb)->dest);
			   __entry->flags = tcp_flag_byte(tcp_hdr(skb));
			   __entry->seq = ntohl(tcp_hdr(skb)->seq);
			   __entry->ack = ntohl(tcp_hdr(skb)->ack_seq);),
	    TP_printk("%pI4:%u -> %pI4:%u flags=%s%s seq=%u ack=%u",
		      &__entry->saddr, __entry->sport, &__entry->daddr,
		      __entry->dport,
		      __entry->flags & TCPHDR_RST ? "R" : "",
		      __entry->flags & TCPHDR_ACK ? "." : "",
		      __entry->seq, __entry->ack)
);

TRACE_EVENT(mytcp_retransmit,
	    TP_PROTO(const struct sock *sk, const struct sk_buff *skb),
	    TP_ARGS(sk, skb),
	    TP_STRUCT__entry(__field(const void *, skaddr)
			     __field(__u32, saddr)
			     __field(__u32, daddr)
			     __field(__u16, sport)
			     __field(__u16, dport)
			     __field(__u32, seq)
			     __field(__u32, end_seq)
			     __field(__u16, retrans)),
	    TP_fast_assign(__entry->skaddr = sk;
			   mytcp_trace_tuple(sk, &__entry->saddr,
					     &__entry->sport, &__entry->daddr,
					     &__entry->dport);
			   __entry->seq = MYTCP_SKB_CB(skb)->seq;
			   __entry->end_seq = MYTCP_SKB_CB(skb)->end_seq;
			   __entry->retrans = MYTCP_SKB_CB(skb)->retrans;),
	    TP_printk("sk=%p %pI4:%u -> %pI4:%u seq=%u end_seq=%u retrans=%u",
		      __entry->skaddr, &__entry->saddr, __entry->sport,
		      &__entry->daddr, __entry->dport, __entry->seq,
		      __entry->end_seq, __entry->retrans)
);

TRACE_EVENT(mytcp_timer,
	    TP_PROTO(const struct sock *sk, const char *name),
	    TP_ARGS(sk, name),
	    TP_STRUCT__entry(__field(const void *, skaddr)
			     __field(__u32, saddr)
			     __field(__u32, daddr)
			     __field(__u16, sport)
			     __field(__u16, dport)
			     __array(char, name, 16)
			     __field(int, state)),
	    TP_fast_assign(__entry->skaddr = sk;
			   mytcp_trace_tuple(sk, &__entry->saddr,
					     &__entry->sport, &__entry->daddr,
					     &__entry->dport);
			   strscpy(__entry->name, name, sizeof(__entry->name));
			   __entry->state = sk ? sk->sk_state : TCP_TIME_WAIT;),
	    TP_printk("sk=%p %pI4:%u -> %pI4:%u timer=%s state=%s",
		      __entry->skaddr, &__entry->saddr, __entry->sport,
		      &__entry->daddr, __entry->dport, __entry->name,
		      mytcp_show_state(__entry->state))
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
			     __field(bool, out)),
	    TP_fast_assign(__entry->skaddr = sk;
			   mytcp_trace_tuple(sk, &__entry->saddr,
					     &__entry->sport, &__entry->daddr,
					     &__entry->dport);
			   strscpy(__entry->reason, reason,
				   sizeof(__entry->reason));
			   __entry->out = out;),
	    TP_printk("sk=%p %pI4:%u -> %pI4:%u %s reason=%s",
		      __entry->skaddr, &__entry->saddr, __entry->sport,
		      &__entry->daddr, __entry->dport,
		      __entry->out ? "sent" : "received", __entry->reason)
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
			     __array(char, reason, 24)),
	    TP_fast_assign(__entry->skaddr = sk;
			   mytcp_trace_tuple(sk, &__entry->saddr,
					     &__entry->sport, &__entry->daddr,
					     &__entry->dport);
			   __entry->len = skb->len;
			   strscpy(__entry->reason, reason,
				   sizeof(__entry->reason));),
	    TP_printk("sk=%p %pI4:%u -> %pI4:%u len=%u reason=%s",
		      __entry->skaddr, &__entry->saddr, __entry->sport,
		      &__entry->daddr, __entry->dport, __entry->len,
		      __entry->reason)
);

#endif /* _MYTCP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
