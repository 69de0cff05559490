/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: the receive path - the family glue (ipv4.c, icmp.c), the state
 * machine (input.c), ACK processing (ack.c) and data (data.c).
 * Included by mytcp.h, after struct mytcp_sock.
 */
#ifndef _MYTCP_INPUT_H
#define _MYTCP_INPUT_H

/* ipv4.c */
int mytcp_hooks_register(struct net *net);
void mytcp_hooks_unregister(struct net *net);

/* input.c */
int mytcp_rcv_state_process(struct sock *sk, struct sk_buff *skb);
bool mytcp_oow_rate_limited(struct net *net, u64 *stamp);
void mytcp_dropped(struct sock *sk, struct sk_buff *skb, int item,
		   const char *why);

/* ack.c */
bool mytcp_ack(struct sock *sk, u32 ack, u32 win, u32 seq,
	       const struct mytcp_opts *opts);

/* data.c */
void mytcp_data_queue(struct sock *sk, struct sk_buff *skb);
void mytcp_ooo_purge(struct sock *sk);
bool mytcp_ack_on_read(struct sock *sk, size_t copied);
void mytcp_enter_quickack(struct sock *sk, u32 max);
void mytcp_pingpong_data_sent(struct sock *sk, u64 now);

/* icmp.c */
bool mytcp_icmp_rcv(struct net *net, struct sk_buff *skb);
void mytcp_icmp_process(struct sock *sk);

#endif /* _MYTCP_INPUT_H */
