// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: the write queue and the receive queue - what is on them, what it
 * costs, and which skb goes next.  The rules are in queue.h; this file is
 * the one place that keeps them.
 */
#include <linux/errqueue.h>
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

/*
 * SO_TIMESTAMPING on sent data, as tcp_tx_timestamp(): after sendmsg the
 * tail skb asks for the socket's TX timestamps (sock_tx_timestamp(): the
 * scheduler's and the device's, which the core queues on the error
 * queue from the skb's shared info, shared by the clones sent) of its
 * byte shinfo->tskey, the write's last.  The key is the absolute
 * sequence number: GSO (tcp_gso_tstamp()) compares it with the segments'
 * sequence numbers, and the core makes it relative to SO_TIMESTAMPING's
 * start (sk_tskey) for AF_INET TCP sockets only, so on mytcp ee_data is
 * the byte's sequence number (Documentation/design.rst).
 */
void mytcp_wq_tstamp(struct sock *sk)
{
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);
	u32 tsflags = READ_ONCE(sk->sk_tsflags);
	struct skb_shared_info *shinfo;

	if (!tsflags || !skb || !skb->len)
		return;
	shinfo = skb_shinfo(skb);
	sock_tx_timestamp(sk, tsflags, &shinfo->tx_flags);
	if (tsflags & SOF_TIMESTAMPING_TX_ACK)
		MYTCP_SKB_CB(skb)->txstamp_ack = 1;
	if (tsflags & SOF_TIMESTAMPING_TX_RECORD_MASK)
		shinfo->tskey = MYTCP_SKB_CB(skb)->seq + skb->len - 1;
}

/* skb was split at buff: the request follows its byte (tcp_fragment_tstamp) */
void mytcp_wq_tstamp_split(struct sk_buff *skb, struct sk_buff *buff)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);
	u8 flags = shinfo->tx_flags & SKBTX_ANY_TSTAMP;

	if (likely(!flags && !MYTCP_SKB_CB(skb)->txstamp_ack) ||
	    before(shinfo->tskey, MYTCP_SKB_CB(buff)->seq))
		return;
	shinfo->tx_flags &= ~flags;
	skb_shinfo(buff)->tx_flags |= flags;
	swap(shinfo->tskey, skb_shinfo(buff)->tskey);
	MYTCP_SKB_CB(buff)->txstamp_ack = MYTCP_SKB_CB(skb)->txstamp_ack;
	MYTCP_SKB_CB(skb)->txstamp_ack = 0;
}

/* The bytes of skb before una are acknowledged: SCM_TSTAMP_ACK if due. */
void mytcp_wq_tstamp_acked(struct sock *sk, struct sk_buff *skb, u32 una)
{
	if (likely(!MYTCP_SKB_CB(skb)->txstamp_ack) ||
	    !before(skb_shinfo(skb)->tskey, una))
		return;
	MYTCP_SKB_CB(skb)->txstamp_ack = 0;
	__skb_tstamp_tx(skb, NULL, NULL, sk, SCM_TSTAMP_ACK);
}

/* skb, the head of the queue, is wholly acknowledged: free it. */
void mytcp_wq_acked(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	mytcp_wq_tstamp_acked(sk, skb, MYTCP_SKB_CB(skb)->end_seq);

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
	/* in segments, as the D-SACKs that may report them (sack.c) */
	u32 segs = max_t(u32, DIV_ROUND_UP(skb->len, max_t(u32, mtp->mss, 1)),
			 1);

	MYTCP_SKB_CB(skb)->retrans++;
	/* Eifel's reference (sack.c) is the TSval the first retransmission
	 * carried, as Linux's retrans_stamp is its skb's timestamp: from
	 * the send time, taken before the header was built.  The clock read
	 * now (after the transmission) can be a millisecond later, and an
	 * ACK echoing the retransmission itself would then look caused by
	 * the original: a real loss undone.
	 */
	if (mtp->undo_ok && !mtp->undo_retrans)
		mtp->undo_tsval = MYTCP_SKB_CB(skb)->sent_ns ?
			(u32)div_u64(MYTCP_SKB_CB(skb)->sent_ns,
				     NSEC_PER_MSEC) + mtp->ts_offset :
			mytcp_ts_now(mtp);
	if (mtp->undo_ok)
		mtp->undo_retrans += segs;
	mtp->total_retrans += segs;
	mtp->bytes_retrans += skb->len;
	MYTCP_ADD_STATS(sock_net(sk), MYTCP_STAT_RETRANS_SEGS, segs);
	trace_mytcp_retransmit(sk, NULL, skb);
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
