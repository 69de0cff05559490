/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: the bookkeeping of a socket's two queues (queue.c).
 *
 * Write queue (sk->sk_write_queue): skbs in sequence order; those before
 * mtp->send_head were sent and are not yet acknowledged (the retransmit
 * queue), send_head and after are not sent yet.  Every skb on it is
 * counted in sk_wmem_queued and charged to the socket's memory
 * (sk_mem_charge), and counted in mytcp_live_skbs.  Only the helpers below
 * add, remove, grow or shrink an skb on it, so the three stay in step.
 *
 * Receive queue (sk->sk_receive_queue) and the out-of-order tree
 * (mtp->ooo_root, data.c): skbs owned by the socket (skb_set_owner_r:
 * sk_rmem_alloc), counted in mytcp_live_skbs.
 *
 * Locking: all with the socket owned (or, for a socket being destroyed,
 * by its last reference).
 */
#ifndef _MYTCP_QUEUE_H
#define _MYTCP_QUEUE_H

struct sock;
struct sk_buff;

/* write queue */
void mytcp_wq_add(struct sock *sk, struct sk_buff *skb);
void mytcp_wq_add_after(struct sock *sk, struct sk_buff *skb,
			struct sk_buff *buff);
void mytcp_wq_grow(struct sock *sk, struct sk_buff *skb, u32 bytes);
void mytcp_wq_shrink(struct sock *sk, struct sk_buff *skb, u32 bytes);
void mytcp_wq_sent(struct sock *sk, struct sk_buff *skb);
void mytcp_wq_acked(struct sock *sk, struct sk_buff *skb);
void mytcp_wq_rewind(struct sock *sk);
void mytcp_wq_purge(struct sock *sk);
void mytcp_record_retrans(struct sock *sk, struct sk_buff *skb);
void mytcp_wq_tstamp(struct sock *sk);
void mytcp_wq_tstamp_split(struct sk_buff *skb, struct sk_buff *buff);
void mytcp_wq_tstamp_acked(struct sock *sk, struct sk_buff *skb, u32 una);

/* receive queue and out-of-order tree */
void mytcp_rq_own(struct sock *sk, struct sk_buff *skb);
void mytcp_rq_drop(struct sk_buff *skb);
void mytcp_rq_consume(struct sk_buff *skb);
void mytcp_rq_unlink(struct sock *sk, struct sk_buff *skb);
void mytcp_rq_purge(struct sock *sk);

#endif /* _MYTCP_QUEUE_H */
