/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: the send path (output.c): segments, push, retransmission, MSS.
 * Included by mytcp.h, after struct mytcp_sock.
 */
#ifndef _MYTCP_OUTPUT_H
#define _MYTCP_OUTPUT_H

/* output.c */
u32 mytcp_window_now(struct sock *sk);
int mytcp_transmit_skb(struct sock *sk, struct sk_buff *skb, bool clone,
		       gfp_t gfp);
void mytcp_send_ack(struct sock *sk);
void mytcp_send_syn(struct sock *sk);
void mytcp_send_synack(struct sock *sk);
int mytcp_send_fin(struct sock *sk);
void mytcp_send_active_reset(struct sock *sk, gfp_t gfp);
void mytcp_send_reset_reply(struct net *net, struct sk_buff *skb);
void mytcp_send_ack_reply(struct net *net, struct sk_buff *skb, u32 seq,
			  u32 ack, u32 win, const struct mytcp_tw *tw);
void mytcp_push(struct sock *sk);
void mytcp_retransmit_head(struct sock *sk);
int mytcp_retransmit_skb(struct sock *sk, struct sk_buff *skb);
void mytcp_send_probe(struct sock *sk, bool keepalive);
void mytcp_sync_mss(struct sock *sk);
int mytcp_fragment(struct sock *sk, struct sk_buff *skb, u32 len);
int mytcp_trim_head(struct sock *sk, struct sk_buff *skb, u32 len);
u32 mytcp_ts_clock(u32 offset);
u32 mytcp_ts_now(const struct mytcp_sock *mtp);
struct sk_buff *mytcp_alloc_skb(struct sock *sk, unsigned int size, gfp_t gfp);
u32 mytcp_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport);
u32 mytcp_ts_off(const struct in6_addr *saddr, const struct in6_addr *daddr);
void mytcp_send_synack_reply(struct net *net, struct sk_buff *skb, u32 seq,
			     u32 ack, u32 win, const struct mytcp_opts *o,
			     bool ece);
struct mytcp_request;
void mytcp_send_req_reply(struct net *net, struct sk_buff *oskb, u8 flags,
			  u32 seq, u32 ack, u32 win,
			  const struct mytcp_opts *o,
			  const struct mytcp_request *req);

#endif /* _MYTCP_OUTPUT_H */
