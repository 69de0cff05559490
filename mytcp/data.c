// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: receiving data - RFC 9293 3.10.7.4, seventh and eighth checks.
 *
 * The text and FIN of an acceptable segment: in order onto the receive
 * queue (RCV.NXT advances), or out of order into an rbtree by sequence
 * number (mtp->ooo_root) and reported in SACK blocks until the hole
 * fills.  Memory: every queued skb is charged to the socket (sk_rmem_alloc,
 * queue.c) within twice sk_rcvbuf and the global limit; out-of-order data
 * is given up first when memory runs out.  Also the ACK policy for data
 * (delayed ACK, RFC 9293 3.8.6.3 and RFC 5681 4.2).
 *
 * Locking: socket owned, BH disabled (input.c).
 */
#include "mytcp.h"
#include "trace.h"

/*
 * The window offered is sized from sk_rcvbuf and the measured data/truesize
 * ratio; segments inside it are accepted up to twice sk_rcvbuf of memory,
 * which absorbs a wrong estimate and still bounds what a peer can pin.
 * The memory must also be granted by the global limit (net.mytcp.mem,
 * sk_rmem_schedule(): refused above the hard limit, and under pressure
 * beyond a fair share, except the socket's first 4 KiB).
 */
static bool rcvbuf_fits(struct sock *sk, struct sk_buff *skb)
{
	return atomic_read(&sk->sk_rmem_alloc) + skb->truesize <=
	       2 * READ_ONCE(sk->sk_rcvbuf);
}

static bool rcvbuf_has_room(struct sock *sk, struct sk_buff *skb)
{
	return rcvbuf_fits(sk, skb) &&
	       sk_rmem_schedule(sk, skb, skb->truesize);
}

static void fin_received(struct sock *sk);

/*
 * A segment whose buffer is mostly empty (a few bytes in a large skb) is
 * copied into one of its size, so that memory charged to the socket stays
 * within a small factor of the data whatever the peer sends.
 */
static struct sk_buff *right_size(struct sk_buff *skb)
{
	struct sk_buff *nskb;

	if (skb->truesize <= 2 * SKB_TRUESIZE(skb->len) + 1024)
		return skb;
	nskb = alloc_skb(skb->len, GFP_ATOMIC);
	if (!nskb) {
		kfree_skb(skb);
		return NULL;
	}
	if (skb_copy_bits(skb, 0, skb_put(nskb, skb->len), skb->len)) {
		kfree_skb(nskb);
		kfree_skb(skb);
		return NULL;
	}
	memcpy(nskb->cb, skb->cb, sizeof(skb->cb));
	consume_skb(skb);
	return nskb;
}

/* skb holds only payload; cb->seq == rcv_nxt. Takes ownership. */
static void queue_in_order(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	bool fin = cb->flags & TCPHDR_FIN;

	mtp->rcv_nxt = cb->end_seq - fin;
	if (skb->len) {
		mtp->bytes_received += skb->len;
		__skb_queue_tail(&sk->sk_receive_queue, skb);
	} else {
		mytcp_rq_consume(skb);
	}
	if (fin)
		fin_received(sk);
}

/* Move what became in order from the out-of-order tree. */
static void ooo_drain(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct rb_node *node;

	while ((node = rb_first(&mtp->ooo_root))) {
		struct sk_buff *skb = rb_to_skb(node);
		struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

		if (after(cb->seq, mtp->rcv_nxt))
			break;
		rb_erase(node, &mtp->ooo_root);
		mtp->ooo_count--;
		mtp->ooo_bytes -= skb->len;
		if (!after(cb->end_seq, mtp->rcv_nxt) &&
		    !((cb->flags & TCPHDR_FIN) && cb->end_seq - 1 ==
		      mtp->rcv_nxt)) {
			mytcp_rq_drop(skb);	/* wholly duplicate */
			continue;
		}
		if (before(cb->seq, mtp->rcv_nxt)) {
			u32 trim = mtp->rcv_nxt - cb->seq;

			if (trim > skb->len || !pskb_pull(skb, trim)) {
				mytcp_rq_drop(skb);
				continue;
			}
			cb->seq = mtp->rcv_nxt;
		}
		queue_in_order(sk, skb);
		if (mtp->fin_rcvd)
			break;
	}
	if (mtp->fin_rcvd)
		mytcp_ooo_purge(sk);	/* nothing can follow a FIN */
}

void mytcp_ooo_purge(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct rb_node *node;

	while ((node = rb_first(&mtp->ooo_root))) {
		rb_erase(node, &mtp->ooo_root);
		mytcp_rq_drop(rb_to_skb(node));
	}
	mtp->ooo_count = 0;
	mtp->ooo_bytes = 0;
}

/* Insert into the out-of-order tree: O(log n), bounded by sk_rcvbuf. */
static bool ooo_insert(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	struct rb_node **p = &mtp->ooo_root.rb_node, *parent = NULL;

	while (*p) {
		struct sk_buff *o = rb_to_skb(*p);
		struct mytcp_skb_cb *ocb = MYTCP_SKB_CB(o);

		parent = *p;
		/* Already covered by one segment: a duplicate. */
		if (!before(cb->seq, ocb->seq) &&
		    !after(cb->end_seq, ocb->end_seq))
			return false;
		if (before(cb->seq, ocb->seq))
			p = &parent->rb_left;
		else
			p = &parent->rb_right;
	}
	rb_link_node(&skb->rbnode, parent, p);
	rb_insert_color(&skb->rbnode, &mtp->ooo_root);
	mtp->ooo_count++;
	mtp->ooo_bytes += skb->len;
	MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_OFO_QUEUED);
	return true;
}

/*
 * No memory for @skb: give up out-of-order data queued beyond it, from the
 * highest sequence down, until it fits (as Linux's tcp_prune_ofo_queue).
 * Data nearer RCV.NXT is worth more: it is what unblocks the reader, and
 * the segment at RCV.NXT must always be able to land, or a queue full of
 * out-of-order data could never drain.  The SACK blocks are reset since
 * they may cover what was dropped (reneging, RFC 2018 section 8).
 */
static bool ooo_prune(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 seq = MYTCP_SKB_CB(skb)->seq;
	struct rb_node *node;
	bool pruned = false;

	while (!rcvbuf_has_room(sk, skb) &&
	       (node = rb_last(&mtp->ooo_root))) {
		struct sk_buff *o = rb_to_skb(node);

		if (!after(MYTCP_SKB_CB(o)->seq, seq))
			break;
		rb_erase(node, &mtp->ooo_root);
		mtp->ooo_count--;
		mtp->ooo_bytes -= o->len;
		mytcp_dropped(sk, o, MYTCP_STAT_DROP_OFO_MEM, "ofo_prune");
		mytcp_rq_drop(o);
		pruned = true;
	}
	if (pruned)
		mtp->num_rcv_sacks = 0;
	return rcvbuf_has_room(sk, skb);
}

/*
 * The global limit refused memory for @skb: still take the segment at
 * RCV.NXT when nothing waits to be read (as Linux's tcp_data_queue), else
 * two hosts whose memory sits in write queues waiting for each other's
 * ACKs would never move again.  At most one skb per socket above the limit.
 */
static bool rcv_forced(struct sock *sk, struct sk_buff *skb)
{
	if (MYTCP_SKB_CB(skb)->seq != mytcp_sk(sk)->rcv_nxt ||
	    !rcvbuf_fits(sk, skb) || !skb_queue_empty(&sk->sk_receive_queue))
		return false;
	mytcp_forced_mem_schedule(sk, skb->truesize);
	return true;
}

/*
 * Quick-ACK credits (Linux's tcp_incr_quickack()): at the start of the
 * data, and when data comes after an idle RTO, the next ACKs go at once
 * so that the sender's slow start is not held by delayed ACKs: half the
 * window in segments, at least 2, at most max.  Each ACK sent with data
 * owed spends one (output.c).
 */
static void incr_quickack(struct mytcp_sock *mtp, u32 max)
{
	u32 n = mtp->rcv_wnd / (2 * max_t(u32, mtp->rcv_mss, MYTCP_MIN_MSS));

	n = clamp_t(u32, n, 2, max);
	if (n > mtp->quick)
		mtp->quick = n;
}

/*
 * Old data again (input.c's sequence check, or below), or a CE mark
 * (ecn.c, max 2): our ACKs may have been lost, or the sender must hear
 * soon, so the next ones go at once, and ping-pong mode ends (Linux's
 * tcp_enter_quickack_mode(), from tcp_send_dupack(), tcp_data_queue()
 * and __tcp_ecn_check_ce()).
 */
void mytcp_enter_quickack(struct sock *sk, u32 max)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	incr_quickack(mtp, max);
	mtp->pingpong = 0;
}

/*
 * Ping-pong mode (Linux's icsk_ack.pingpong, TCP_PINGPONG_THRESH 1,
 * tcp_event_data_sent()): data sent within the delayed-ACK time (Linux's
 * ato; mytcp's is fixed at 40 ms) of the last data received is a reply,
 * so the ACK of the next request can wait for the reply to carry it:
 * quick-ACK credits are not used and reading a short segment sends no
 * ACK (ack_policy(), mytcp_ack_on_read()).  It ends when the delayed-ACK
 * timer fires with an ACK owed (timer.c) and in quick-ACK mode
 * (mytcp_enter_quickack()); TCP_QUICKACK 0 sets it, 1 clears it and,
 * while set, keeps it off (every ACK goes at once then).  From output.c,
 * for every segment with data.
 */
void mytcp_pingpong_data_sent(struct sock *sk, u64 now)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (mtp->data_segs_in && !mtp->quickack &&
	    now - mtp->last_data_rcv_ns < MYTCP_DELACK_NS)
		mtp->pingpong = 1;
}

/* A full-sized segment: the largest seen, within our MSS (a GRO
 * aggregate counts as several).
 */
static u32 rcv_full(const struct mytcp_sock *mtp)
{
	return min_t(u32, max_t(u32, mtp->rcv_mss, MYTCP_MIN_MSS),
		     max_t(u32, mtp->adv_mss, MYTCP_MIN_MSS));
}

/*
 * Would an ACK now move the window's right edge by what it acknowledges
 * (Linux's __tcp_select_window() >= rcv_wnd)?  Not while the data sits
 * unread in the buffer: the reader's recvmsg sends that ACK
 * (mytcp_ack_on_read()).
 */
static bool window_advances(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	return mytcp_edge_advances(mytcp_window_now(sk), mtp->rcv_wnd,
				   mtp->rcv_wscale);
}

/*
 * Out-of-order data queued and no reason to ACK at once (Linux's
 * compressed SACK, __tcp_ack_snd_check()): the first three duplicate
 * ACKs for a RCV.NXT go at once (the sender's fast retransmit needs
 * them); later ones are held, at most net.mytcp.tcp_comp_sack_nr, and
 * one ACK carrying the latest SACK blocks goes when the timer fires
 * (min(tcp_comp_sack_delay_ns, 5% of the RTT)) or any other ACK is sent
 * (output.c counts the held ones in TCPAckCompressed).  No RTT yet: at
 * once, as Linux.  Without SACK, or with the sysctl at 0: every ACK.
 * The RTT is SRTT (Linux takes the smaller of SRTT and its receiver's
 * estimate, which mytcp does not keep).
 */
static void ack_compress(struct sock *sk)
{
	struct mytcp_net *mn = mytcp_pernet(sock_net(sk));
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u64 max_ns = READ_ONCE(mn->comp_sack_delay_ns);

	if (!mytcp_comp_hold(&mtp->comp, mtp->rcv_nxt, mtp->sack_ok,
			     READ_ONCE(mn->comp_sack_nr))) {
		mytcp_send_ack(sk);
		return;
	}
	mytcp_comp_sack_start(sk, mytcp_comp_delay_ns(mtp->srtt_us, max_ns),
			      READ_ONCE(mn->comp_sack_slack_ns));
}

/*
 * When received data is acknowledged (RFC 9293 3.8.6.3, RFC 5681 4.2;
 * Linux's __tcp_ack_snd_check(), segment by segment): at once when asked
 * (a gap filled, a FIN, a duplicate, CE), with TCP_QUICKACK, in quick-ACK
 * mode (not in ping-pong mode), or once more than one
 * full-sized segment is unacknowledged and either the ACK moves the
 * window's right edge (so: every second segment while the reader keeps
 * up; else recvmsg ACKs) or less than SO_RCVLOWAT is unread.  Otherwise
 * within the delayed-ACK time (40 ms, well under the RFC's 500 ms), or,
 * with out-of-order data queued, compressed (ack_compress()).  From the
 * backlog (the user owned the socket), one ACK goes from release_cb for
 * all of it (Linux's TCP_ACK_DEFERRED, tcp_backlog_ack_defer).
 */
static void ack_policy(struct sock *sk, bool now)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	mtp->ack_pending = 1;
	if (now || mtp->quickack || (mtp->quick && !mtp->pingpong) ||
	    (mtp->rcv_nxt - mtp->rcv_wup > rcv_full(mtp) &&
	     (mtp->rcv_nxt - mtp->copied_seq <
	      (u32)READ_ONCE(sk->sk_rcvlowat) || window_advances(sk)))) {
		if (sock_owned_by_user_nocheck(sk))
			set_bit(MYTCP_DEFER_ACK_BIT, &mtp->deferred);
		else
			mytcp_send_ack(sk);
		return;
	}
	if (RB_EMPTY_ROOT(&mtp->ooo_root)) {
		mytcp_delack_start(sk);
		return;
	}
	ack_compress(sk);
}

/*
 * After the reader took copied bytes (Linux's __tcp_cleanup_rbuf()):
 * the ACK ack_policy() held for the window goes now that reading moved
 * the edge, once more than one full segment is unacknowledged; or when
 * the reader drained the buffer and a short or pushed segment was in it
 * (an application's last write, whose sender may wait for this ACK): two
 * such segments, or one unless in ping-pong mode.
 */
bool mytcp_ack_on_read(struct sock *sk, size_t copied)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (!mtp->ack_pending)
		return false;
	return mtp->rcv_nxt - mtp->rcv_wup > rcv_full(mtp) ||
	       (copied && !atomic_read(&sk->sk_rmem_alloc) &&
		((mtp->ack_pushed & MYTCP_ACK_PUSHED2) ||
		 ((mtp->ack_pushed & MYTCP_ACK_PUSHED) && !mtp->pingpong)));
}

/*
 * In-order data (Linux's tcp_measure_rcv_mss()): a short segment, or a
 * full one with PSH, marks the ACK pushed; a second short one, pushed
 * twice.  Sending an ACK clears them (output.c).
 */
static void note_pushed(struct mytcp_sock *mtp, struct sk_buff *skb, u8 flags)
{
	if (!skb->len)
		return;
	if (skb->len >= rcv_full(mtp)) {
		if (flags & TCPHDR_PSH)
			mtp->ack_pushed |= MYTCP_ACK_PUSHED;
		return;
	}
	if (mtp->ack_pushed & MYTCP_ACK_PUSHED)
		mtp->ack_pushed |= MYTCP_ACK_PUSHED2;
	mtp->ack_pushed |= MYTCP_ACK_PUSHED;
}

/*
 * A new out-of-order segment that lands beyond the first two SACK blocks
 * (Linux's tcp_sack_new_ofo_skb(), TCP_SACK_BLOCKS_EXPECTED): the held
 * ACK goes first, before the blocks it would report are pushed out.
 */
static void ack_compressed_flush(struct sock *sk, u32 seq, u32 end)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	int i;

	if (!mtp->comp.acks)
		return;
	for (i = 0; i < mtp->num_rcv_sacks; i++)
		if (!after(seq, mtp->rcv_sack[i][1]) &&
		    !before(end, mtp->rcv_sack[i][0]))
			break;
	if (i >= 2) {
		mtp->comp.acks--;	/* this one is sent */
		mytcp_send_ack(sk);
	}
}

/*
 * Data and FIN of an acceptable segment (RFC 9293 3.10.7.4, seventh and
 * eighth checks).  skb->data is at the TCP header; takes ownership.
 */
void mytcp_data_queue(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	bool fin = cb->flags & TCPHDR_FIN;
	bool had_ooo = !RB_EMPTY_ROOT(&mtp->ooo_root);
	u32 hdr = tcp_hdrlen(skb);
	bool ecn_now;

	__skb_pull(skb, hdr);
	if (cb->flags & TCPHDR_SYN)
		cb->seq++;		/* data after a SYN */
	if (!skb->len && !fin) {
		consume_skb(skb);
		return;
	}
	ecn_now = mytcp_ecn_rcv(sk, skb);	/* CWR, CE (ecn.c) */
	/* The receive side was shut by the peer already: only re-ACK. */
	if (mtp->fin_rcvd) {
		kfree_skb(skb);
		mytcp_send_ack(sk);
		return;
	}
	/* Old data: trim what we have, or it is a duplicate. */
	if (before(cb->seq, mtp->rcv_nxt)) {
		u32 trim = mtp->rcv_nxt - cb->seq;

		mytcp_dsack_set(sk, cb->seq, cb->seq + min(trim, skb->len));
		if (trim > skb->len || (trim == skb->len && !fin)) {
			kfree_skb(skb);
			/* Duplicate: ACK now, and quick ACKs after it, as
			 * our ACKs may be lost (Linux's
			 * tcp_enter_quickack_mode()).
			 */
			mytcp_enter_quickack(sk, MYTCP_MAX_QUICKACKS);
			ack_policy(sk, true);
			return;
		}
		if (!pskb_pull(skb, trim)) {
			kfree_skb(skb);
			return;
		}
		cb->seq = mtp->rcv_nxt;
	}
	skb = right_size(skb);
	if (!skb)
		return;
	cb = MYTCP_SKB_CB(skb);		/* a copy has its own */
	if (!rcvbuf_has_room(sk, skb) && !ooo_prune(sk, skb) &&
	    !rcv_forced(sk, skb)) {
		if (rcvbuf_fits(sk, skb))
			mytcp_dropped(sk, skb, MYTCP_STAT_DROP_MEM, "memory");
		else if (cb->seq == mtp->rcv_nxt)
			mytcp_dropped(sk, skb, MYTCP_STAT_DROP_RCVBUF, "rcvbuf");
		else
			mytcp_dropped(sk, skb, MYTCP_STAT_DROP_OFO_MEM, "ofo_mem");
		/* In order: the window says why at once; out of order: no
		 * ACK (Linux's tcp_data_queue_ofo()), so a peer spraying
		 * beyond our memory draws none.
		 */
		if (cb->seq == mtp->rcv_nxt)
			mytcp_send_ack(sk);
		kfree_skb(skb);
		return;
	}
	skb_orphan(skb);
	if (skb->len) {
		/* How much of the memory a segment costs is data: the
		 * window offered is free buffer times this (EWMA, 1/8).
		 */
		u32 r = clamp_t(u32, ((u64)skb->len << 8) / skb->truesize,
				1, 256);

		mtp->rcv_ratio = (mtp->rcv_ratio * 7 + r) >> 3;
	}
	mytcp_rq_own(sk, skb);
	if (mtp->rcv_mss < skb->len)
		mtp->rcv_mss = skb->len;
	/* First data, or data after an idle RTO: quick-ACK mode (Linux's
	 * tcp_event_data_recv()).
	 */
	if (skb->len && (!mtp->data_segs_in ||
			 ktime_get_ns() - mtp->last_data_rcv_ns >
			 (u64)mtp->rto_us * NSEC_PER_USEC))
		incr_quickack(mtp, MYTCP_MAX_QUICKACKS);
	mtp->data_segs_in += !!skb->len;
	mtp->last_data_rcv_ns = ktime_get_ns();

	if (cb->seq == mtp->rcv_nxt) {
		note_pushed(mtp, skb, cb->flags);
		queue_in_order(sk, skb);
		ooo_drain(sk);
		if (mtp->num_rcv_sacks)
			mytcp_sack_trim(sk);
		/* Filling a gap or a FIN: ACK at once (RFC 5681 4.2). */
		ack_policy(sk, had_ooo || fin || mtp->fin_rcvd || ecn_now);
		sk->sk_data_ready(sk);
		return;
	}
	/* Out of order: keep it; a duplicate ACK, at once or compressed. */
	if (ooo_insert(sk, skb)) {
		ack_compressed_flush(sk, cb->seq, cb->end_seq);
		mytcp_sack_add(sk, cb->seq, cb->end_seq);
	} else {
		mytcp_dsack_set(sk, cb->seq, cb->seq + skb->len);
		mytcp_rq_drop(skb);
	}
	ack_policy(sk, ecn_now);
}

/* RFC 9293 3.10.7.4, eighth check: the FIN, now in order. */
static void fin_received(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	mtp->rcv_nxt++;
	mtp->fin_rcvd = 1;
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | RCV_SHUTDOWN);
	sock_set_flag(sk, SOCK_DONE);
	switch (sk->sk_state) {
	case TCP_SYN_RECV:
	case TCP_ESTABLISHED:
		mytcp_set_state(sk, TCP_CLOSE_WAIT);
		break;
	case TCP_FIN_WAIT1:
		/* Our FIN is not yet acknowledged: simultaneous close. */
		mytcp_set_state(sk, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT2:
		mytcp_send_ack(sk);
		mytcp_time_wait(sk);
		return;
	default:
		break;
	}
	if (!sock_flag(sk, SOCK_DEAD)) {
		sk->sk_state_change(sk);
		sk_wake_async(sk, SOCK_WAKE_WAITD, POLL_HUP);
	}
}
