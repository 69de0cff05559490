// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: the write queue and the receive queue - what is on them, what it
 * costs, and which skb goes next.  The rules are in queue.h; this file is
 * the one place that keeps them.
 */
#include "mytcp.h"
#include "trace.h"

/* ---- write queue ---- */

static void wq_charge(struct sock *sk, struct sk_buff *skb)
{
	sk_wmem_queued_add(sk, skb->truesize);
	sk_mem_charge(sk, skb->truesize);
	atomic_inc(&mytcp_live_skbs);
}

static void wq_uncharge(struct sock *sk, struct sk_buff *skb)
{
	sk_wmem_queued_add(sk, -skb->truesize);
	sk_mem_uncharge(sk, skb->truesize);
	atomic_dec(&mytcp_live_skbs);
}

/* New data or control at the tail; the first unsent skb if none was. */
void mytcp_wq_add(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	__skb_queue_tail(&sk->sk_write_queue, skb);
	wq_charge(sk, skb);
	if (!mtp->send_head)
		mtp->send_head = skb;
}

/* The second half of a split skb (mytcp_fragment()), right after it. */
void mytcp_wq_add_after(struct sock *sk, struct sk_buff *skb,
			struct sk_buff *buff)
{
	__skb_queue_after(&sk->sk_write_queue, skb, buff);
	wq_charge(sk, buff);
}

/* bytes of page fragments were appended to skb (sendmsg). */
void mytcp_wq_grow(struct sock *sk, struct sk_buff *skb, u32 bytes)
{
	/* truesize counts the bytes (as Linux TCP): they move with the
	 * fragments when an skb is split or trimmed.
	 */
	skb->len += bytes;
	skb->data_len += bytes;
	skb->truesize += bytes;
	sk_wmem_queued_add(sk, bytes);
	sk_mem_charge(sk, bytes);
}

/* bytes of page fragments left skb (mytcp_trim_head()). */
void mytcp_wq_shrink(struct sock *sk, struct sk_buff *skb, u32 bytes)
{
	skb->data_len -= bytes;
	skb->len -= bytes;
	skb->truesize -= bytes;
	sk_wmem_queued_add(sk, -(int)bytes);
	sk_mem_uncharge(sk, bytes);
}

/* skb (send_head) went out for the first time, or again after a rewind. */
void mytcp_wq_sent(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	mtp->packets_out++;
	mtp->send_head = mytcp_write_next(sk, skb);
}

/* skb, the head of the queue, is wholly acknowledged: free it. */
void mytcp_wq_acked(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (skb == mtp->send_head)
		mtp->send_head = mytcp_write_next(sk, skb);
	mytcp_sack_forget(sk, skb, skb->len);
	__skb_unlink(skb, &sk->sk_write_queue);
	wq_uncharge(sk, skb);
	if (mtp->packets_out)
		mtp->packets_out--;
	consume_skb(skb);
}

/*
 * Send again from SND.UNA (RTO, or a smaller path MTU): everything sent
 * counts as not sent.
 */
void mytcp_wq_rewind(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	mtp->send_head = skb_peek(&sk->sk_write_queue);
	mtp->snd_nxt = mtp->snd_una;
	mtp->packets_out = 0;
}

void mytcp_wq_purge(struct sock *sk)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&sk->sk_write_queue))) {
		wq_uncharge(sk, skb);
		kfree_skb(skb);
	}
	mytcp_sk(sk)->send_head = NULL;
}

/* skb, already sent, went out again: the one place that counts it. */
void mytcp_record_retrans(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	MYTCP_SKB_CB(skb)->retrans++;
	if (mtp->undo_ok) {
		if (!mtp->undo_retrans++)
			mtp->undo_tsval = mytcp_ts_now(mtp);
	}
	mtp->total_retrans++;
	mtp->bytes_retrans += skb->len;
	MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_RETRANS_SEGS);
	trace_mytcp_retransmit(sk, skb);
}

/* ---- receive queue and out-of-order tree ---- */

/* A received skb becomes the socket's (sk_rmem_alloc). */
void mytcp_rq_own(struct sock *sk, struct sk_buff *skb)
{
	skb_set_owner_r(skb, sk);
	atomic_inc(&mytcp_live_skbs);
}

/* An owned skb dropped (kfree_skb: drop monitors see it). */
void mytcp_rq_drop(struct sk_buff *skb)
{
	atomic_dec(&mytcp_live_skbs);
	kfree_skb(skb);
}

/* An owned skb whose content was used up (consume_skb: not a drop). */
void mytcp_rq_consume(struct sk_buff *skb)
{
	atomic_dec(&mytcp_live_skbs);
	consume_skb(skb);
}

/* The reader took all of skb (recvmsg). */
void mytcp_rq_unlink(struct sock *sk, struct sk_buff *skb)
{
	__skb_unlink(skb, &sk->sk_receive_queue);
	mytcp_rq_consume(skb);
}

void mytcp_rq_purge(struct sock *sk)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&sk->sk_receive_queue)))
		mytcp_rq_drop(skb);
	mytcp_ooo_purge(sk);
}
