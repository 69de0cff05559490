/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp tracepoints (system "mytcp"): state changes, segments in and out,
 * retransmissions, timers, resets and drops.  Usable from trace-cmd, perf
 * and bpftrace; mytcp-ladder draws connections from them.
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

/* __assign_str() lost its source argument in 6.10 (see Kbuild). */
#ifdef MYTCP_HAVE_ASSIGN_STR_1
#define mytcp_assign_str(dst, src) __assign_str(dst)
#else
#define mytcp_assign_str(dst, src) __assign_str(dst, src)
#endif

#define MYTCP_TRACE_TUPLE_FIELDS			\
	__field(__be32, saddr)				\
	__field(__be32, daddr)				\
	__field(__u16, sport)				\
	__field(__u16, dport)

#define MYTCP_TRACE_TUPLE_ASSIGN(sk) do {			\
	if (sk) {						\
		__entry->saddr = inet_sk(sk)->inet_saddr;	\
		__entry->daddr = inet_sk(sk)->inet_daddr;	\
		__entry->sport = ntohs(inet_sk(sk)->inet_sport);\
		__entry->dport = ntohs(inet_sk(sk)->inet_dport);\
	} else {						\
		__entry->saddr = 0;				\
		__entry->daddr = 0;				\
		__entry->sport = 0;				\
		__entry->dport = 0;				\
	}							\
} while (0)

#define MYTCP_TRACE_TUPLE_FMT "%pI4:%u -> %pI4:%u"
#define MYTCP_TRACE_TUPLE_ARGS \
	&__entry->saddr, __entry->sport, &__entry->daddr, __entry->dport

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
	TP_STRUCT__entry(
		__field(const void *, skaddr)
		MYTCP_TRACE_TUPLE_FIELDS
		__field(int, oldstate)
		__field(int, newstate)
	),
	TP_fast_assign(
		__entry->skaddr = sk;
		MYTCP_TRACE_TUPLE_ASSIGN(sk);
		__entry->oldstate = oldstate;
		__entry->newstate = newstate;
	),
	TP_printk("sk=%p " MYTCP_TRACE_TUPLE_FMT " %s -> %s", __entry->skaddr,
		  MYTCP_TRACE_TUPLE_ARGS, mytcp_show_state(__entry->oldstate),
		  mytcp_show_state(__entry->newstate))
);

/* A segment sent (out=1) or received (out=0); skb->data at TCP header. */
TRACE_EVENT(mytcp_segment,
	TP_PROTO(const struct sock *sk, const struct sk_buff *skb, bool out),
	TP_ARGS(sk, skb, out),
	TP_STRUCT__entry(
		__field(const void *, skaddr)
		MYTCP_TRACE_TUPLE_FIELDS
		__field(bool, out)
		__field(__u8, flags)
		__field(__u32, seq)
		__field(__u32, ack)
		__field(__u16, window)
		__field(__u16, optlen)
		__field(__u32, len)
		__field(int, state)
	),
	TP_fast_assign(
		const struct tcphdr *th = tcp_hdr(skb);

		__entry->skaddr = sk;
		MYTCP_TRACE_TUPLE_ASSIGN(sk);
		__entry->out = out;
		__entry->flags = tcp_flag_byte(th);
		__entry->seq = ntohl(th->seq);
		__entry->ack = ntohl(th->ack_seq);
		__entry->window = ntohs(th->window);
		__entry->optlen = th->doff * 4 - sizeof(*th);
		__entry->len = skb->len - th->doff * 4;
		__entry->state = sk->sk_state;
	),
	TP_printk("sk=%p " MYTCP_TRACE_TUPLE_FMT " %s flags=%s%s%s%s%s%s seq=%u ack=%u win=%u optlen=%u len=%u state=%s",
		  __entry->skaddr, MYTCP_TRACE_TUPLE_ARGS,
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
	TP_STRUCT__entry(
		__field(__be32, saddr)
		__field(__be32, daddr)
		__field(__u16, sport)
		__field(__u16, dport)
		__field(__u8, flags)
		__field(__u32, seq)
		__field(__u32, ack)
	),
	TP_fast_assign(
		const struct tcphdr *th = tcp_hdr(skb);

		__entry->saddr = ip_hdr(skb)->saddr;
		__entry->daddr = ip_hdr(skb)->daddr;
		__entry->sport = ntohs(th->source);
		__entry->dport = ntohs(th->dest);
		__entry->flags = tcp_flag_byte(th);
		__entry->seq = ntohl(th->seq);
		__entry->ack = ntohl(th->ack_seq);
	),
	TP_printk(MYTCP_TRACE_TUPLE_FMT " flags=%s%s seq=%u ack=%u",
		  MYTCP_TRACE_TUPLE_ARGS,
		  __entry->flags & TCPHDR_RST ? "R" : "",
		  __entry->flags & TCPHDR_ACK ? "." : "",
		  __entry->seq, __entry->ack)
);

TRACE_EVENT(mytcp_retransmit,
	TP_PROTO(const struct sock *sk, const struct sk_buff *skb),
	TP_ARGS(sk, skb),
	TP_STRUCT__entry(
		__field(const void *, skaddr)
		MYTCP_TRACE_TUPLE_FIELDS
		__field(__u32, seq)
		__field(__u32, end_seq)
		__field(__u16, retrans)
	),
	TP_fast_assign(
		__entry->skaddr = sk;
		MYTCP_TRACE_TUPLE_ASSIGN(sk);
		__entry->seq = ((const struct mytcp_skb_cb *)skb->cb)->seq;
		__entry->end_seq =
			((const struct mytcp_skb_cb *)skb->cb)->end_seq;
		__entry->retrans =
			((const struct mytcp_skb_cb *)skb->cb)->retrans;
	),
	TP_printk("sk=%p " MYTCP_TRACE_TUPLE_FMT " seq=%u end_seq=%u retrans=%u",
		  __entry->skaddr, MYTCP_TRACE_TUPLE_ARGS, __entry->seq,
		  __entry->end_seq, __entry->retrans)
);

TRACE_EVENT(mytcp_timer,
	TP_PROTO(const struct sock *sk, const char *name),
	TP_ARGS(sk, name),
	TP_STRUCT__entry(
		__field(const void *, skaddr)
		MYTCP_TRACE_TUPLE_FIELDS
		__string(name, name)
		__field(int, state)
	),
	TP_fast_assign(
		__entry->skaddr = sk;
		MYTCP_TRACE_TUPLE_ASSIGN(sk);
		mytcp_assign_str(name, name);
		__entry->state = sk ? sk->sk_state : TCP_TIME_WAIT;
	),
	TP_printk("sk=%p " MYTCP_TRACE_TUPLE_FMT " timer=%s state=%s",
		  __entry->skaddr, MYTCP_TRACE_TUPLE_ARGS, __get_str(name),
		  mytcp_show_state(__entry->state))
);

TRACE_EVENT(mytcp_reset,
	TP_PROTO(const struct sock *sk, const char *reason, bool out),
	TP_ARGS(sk, reason, out),
	TP_STRUCT__entry(
		__field(const void *, skaddr)
		MYTCP_TRACE_TUPLE_FIELDS
		__string(reason, reason)
		__field(bool, out)
	),
	TP_fast_assign(
		__entry->skaddr = sk;
		MYTCP_TRACE_TUPLE_ASSIGN(sk);
		mytcp_assign_str(reason, reason);
		__entry->out = out;
	),
	TP_printk("sk=%p " MYTCP_TRACE_TUPLE_FMT " %s reason=%s",
		  __entry->skaddr, MYTCP_TRACE_TUPLE_ARGS,
		  __entry->out ? "sent" : "received", __get_str(reason))
);

TRACE_EVENT(mytcp_drop,
	TP_PROTO(const struct sock *sk, const struct sk_buff *skb,
		 const char *reason),
	TP_ARGS(sk, skb, reason),
	TP_STRUCT__entry(
		__field(const void *, skaddr)
		MYTCP_TRACE_TUPLE_FIELDS
		__field(__u32, len)
		__string(reason, reason)
	),
	TP_fast_assign(
		__entry->skaddr = sk;
		MYTCP_TRACE_TUPLE_ASSIGN(sk);
		__entry->len = skb->len;
		mytcp_assign_str(reason, reason);
	),
	TP_printk("sk=%p " MYTCP_TRACE_TUPLE_FMT " len=%u reason=%s",
		  __entry->skaddr, MYTCP_TRACE_TUPLE_ARGS, __entry->len,
		  __get_str(reason))
);

#endif /* _MYTCP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
