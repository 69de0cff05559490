// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: input - the receive hook and the RFC 9293 state machine.
 *
 * The hook: a netfilter hook at NF_INET_LOCAL_IN, registered in every
 * network namespace, at priority NF_IP_PRI_LAST - 1: after the filter,
 * security and NAT tables (so firewall rules apply to mytcp as to any
 * local TCP), just before Linux delivers to its protocol handlers.  It
 * looks the segment up in mytcp's tables (connection 4-tuple, TIME_WAIT,
 * then listener); a segment that matches is claimed (NF_STOLEN) and
 * processed here, so Linux TCP never sees it and never answers it; any
 * other packet is returned untouched (NF_ACCEPT).
 *
 * Locking: the hook runs in softirq under rcu_read_lock().  A claimed
 * segment is processed under bh_lock_sock(); when the user owns the socket
 * it goes to the socket backlog and mytcp_backlog_rcv() processes it (with
 * BH disabled) from release_sock().  All state processing thus runs with
 * the socket owned and BH disabled, and never sleeps.  TIME_WAIT segments
 * are handled lock-free in timewait.c.
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <net/ip.h>
#include <net/tcp.h>
#include <net/icmp.h>
#include "mytcp.h"
#include "trace.h"

static bool mytcp_ack_update(struct sock *sk, u32 ack, u32 win, u32 seq,
			     const struct mytcp_opts *opts);

/* ---- helpers ---- */

static u32 rcv_window_left(const struct mytcp_sock *mtp)
{
	s32 w = mtp->rcv_wup + mtp->rcv_wnd - mtp->rcv_nxt;

	return w > 0 ? w : 0;
}

/* RFC 9293 3.10.7.4 first check, the four cases of the table. */
static bool seq_acceptable(const struct mytcp_sock *mtp, u32 seq, u32 len)
{
	u32 wnd = rcv_window_left(mtp);

	if (!len) {
		if (!wnd)
			return seq == mtp->rcv_nxt;
		return mytcp_between(seq, mtp->rcv_nxt, mtp->rcv_nxt + wnd - 1);
	}
	if (!wnd)
		return false;
	return mytcp_between(seq, mtp->rcv_nxt, mtp->rcv_nxt + wnd - 1) ||
	       mytcp_between(seq + len - 1, mtp->rcv_nxt,
			     mtp->rcv_nxt + wnd - 1);
}

/* RFC 5961 7: challenge ACKs are rate limited, here per socket. */
static void send_challenge_ack(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct mytcp_net *mn = mytcp_pernet(sock_net(sk));
	u64 now = ktime_get_ns();

	if (now - mtp->challenge_stamp >= NSEC_PER_SEC) {
		mtp->challenge_stamp = now;
		mtp->challenge_count = 0;
	}
	if (mtp->challenge_count >= READ_ONCE(mn->challenge_ack_limit))
		return;
	mtp->challenge_count++;
	MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_CHALLENGE_ACKS);
	mytcp_send_ack(sk);
}

static void drop_reason(struct sock *sk, struct sk_buff *skb, int item,
			const char *why)
{
	MYTCP_INC_STATS(sock_net(sk), item);
	trace_mytcp_drop(sk, skb, why);
}

/*
 * May we answer an invalid segment (out of window, PAWS-failed, a SYN in a
 * synchronized state, anything reaching TIME_WAIT)?  At most one such ACK
 * per net.mytcp.invalid_ratelimit_ms per socket or TIME_WAIT entry (*stamp:
 * when the last one went), so two endpoints that disagree about the
 * sequence space cannot keep ACKing each other's ACKs at full speed
 * (Linux: tcp_oow_rate_limited(), sysctl tcp_invalid_ratelimit).  True:
 * rate limited, do not send (OOWRateLimited counts it).  cmpxchg64: a
 * TIME_WAIT entry is not locked, and of concurrent callers only one wins.
 */
bool mytcp_oow_rate_limited(struct net *net, u64 *stamp)
{
	u64 ms = READ_ONCE(mytcp_pernet(net)->invalid_ratelimit_ms);
	u64 last = READ_ONCE(*stamp), now = ktime_get_ns();

	if (!ms)
		return false;
	/* 0: nothing sent yet (the clock starts at boot) */
	if ((last && now - last < ms * NSEC_PER_MSEC) ||
	    cmpxchg64(stamp, last, now) != last) {
		MYTCP_INC_STATS(net, MYTCP_STAT_OOW_RATE_LIMITED);
		return true;
	}
	return false;
}

/*
 * A duplicate ACK for a segment that failed the sequence check: rate
 * limited, except for one carrying data without SYN (as Linux): it is a
 * retransmission whose ACK was lost, the ACK brings the peer up to date,
 * and data does not loop between two endpoints as pure ACKs can.
 */
static void send_oow_ack(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

	if ((cb->end_seq != cb->seq && !(cb->flags & TCPHDR_SYN)) ||
	    !mytcp_oow_rate_limited(sock_net(sk), &mytcp_sk(sk)->oow_stamp))
		mytcp_send_ack(sk);
}

/*
 * RFC 7323 4.3 and Appendix D: TS.Recent takes SEG.TSval only from a
 * segment that passed the sequence check and whose ACK is acceptable, that
 * covers the last ACK we sent (SEG.SEQ <= Last.ACK.sent), and never moves
 * back (a pure ACK is exempt from PAWS; Linux: tcp_replace_ts_recent()).
 * A segment with a forged ACK therefore cannot poison it.
 */
static void replace_ts_recent(struct mytcp_sock *mtp,
			      const struct mytcp_opts *opts, u32 seq)
{
	if (mtp->ts_ok && opts->saw_ts && !after(seq, mtp->rcv_wup) &&
	    (s32)(opts->tsval - mtp->ts_recent) >= 0)
		mtp->ts_recent = opts->tsval;
}

/* Peer reset us: RFC 9293 3.10.7.4 second check, per state. */
static void reset_received(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_IN_RSTS);
	trace_mytcp_reset(sk, "received", false);
	switch (sk->sk_state) {
	case TCP_SYN_RECV:
		if (mtp->parent) {
			mytcp_child_drop(sk);
			return;
		}
		WRITE_ONCE(sk->sk_err, ECONNREFUSED);
		break;
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
		MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_ESTAB_RESETS);
		fallthrough;
	case TCP_FIN_WAIT1:
	case TCP_FIN_WAIT2:
		WRITE_ONCE(sk->sk_err, ECONNRESET);
		break;
	default:	/* CLOSING, LAST_ACK */
		break;
	}
	if (sk->sk_err)
		sk_error_report(sk);
	mytcp_done(sk);
}

/* ---- receiving data ---- */

/* A dropped segment (kfree_skb: drop monitors see it). */
static void free_rcv_skb(struct sk_buff *skb)
{
	atomic_dec(&mytcp_live_skbs);
	kfree_skb(skb);
}

/* A segment whose content was used up (consume_skb: not a drop). */
static void consume_rcv_skb(struct sk_buff *skb)
{
	atomic_dec(&mytcp_live_skbs);
	consume_skb(skb);
}

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
		consume_rcv_skb(skb);
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
			free_rcv_skb(skb);	/* wholly duplicate */
			continue;
		}
		if (before(cb->seq, mtp->rcv_nxt)) {
			u32 trim = mtp->rcv_nxt - cb->seq;

			if (trim > skb->len || !pskb_pull(skb, trim)) {
				free_rcv_skb(skb);
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
		free_rcv_skb(rb_to_skb(node));
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
		drop_reason(sk, o, MYTCP_STAT_DROP_OFO_MEM, "ofo_prune");
		free_rcv_skb(o);
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

static void ack_policy(struct sock *sk, bool now)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	mtp->ack_pending = 1;
	if (now || mtp->quickack || ++mtp->segs_since_ack >= 2) {
		mytcp_send_ack(sk);
		return;
	}
	if (!mytcp_timer_pending(sk, MYTCP_T_DELACK))
		mytcp_reset_timer(sk, MYTCP_T_DELACK, MYTCP_DELACK_NS);
}

/*
 * Data and FIN of an acceptable segment (RFC 9293 3.10.7.4, seventh and
 * eighth checks).  skb->data is at the TCP header; takes ownership.
 */
static void data_queue(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	bool fin = cb->flags & TCPHDR_FIN;
	bool had_ooo = !RB_EMPTY_ROOT(&mtp->ooo_root);
	u32 hdr = tcp_hdrlen(skb);

	__skb_pull(skb, hdr);
	if (cb->flags & TCPHDR_SYN)
		cb->seq++;		/* data after a SYN */
	if (!skb->len && !fin) {
		consume_skb(skb);
		return;
	}
	/* The receive side was shut by the peer already: only re-ACK. */
	if (mtp->fin_rcvd) {
		kfree_skb(skb);
		mytcp_send_ack(sk);
		return;
	}
	/* Old data: trim what we have, or it is a duplicate. */
	if (before(cb->seq, mtp->rcv_nxt)) {
		u32 trim = mtp->rcv_nxt - cb->seq;

		if (trim > skb->len || (trim == skb->len && !fin)) {
			kfree_skb(skb);
			mytcp_send_ack(sk);	/* duplicate: ACK now */
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
			drop_reason(sk, skb, MYTCP_STAT_DROP_MEM, "memory");
		else if (cb->seq == mtp->rcv_nxt)
			drop_reason(sk, skb, MYTCP_STAT_DROP_RCVBUF, "rcvbuf");
		else
			drop_reason(sk, skb, MYTCP_STAT_DROP_OFO_MEM, "ofo_mem");
		kfree_skb(skb);
		mytcp_send_ack(sk);
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
	skb_set_owner_r(skb, sk);
	atomic_inc(&mytcp_live_skbs);
	if (mtp->rcv_mss < skb->len)
		mtp->rcv_mss = skb->len;
	mtp->data_segs_in += !!skb->len;
	mtp->last_data_rcv_ns = ktime_get_ns();

	if (cb->seq == mtp->rcv_nxt) {
		queue_in_order(sk, skb);
		ooo_drain(sk);
		if (mtp->num_rcv_sacks)
			mytcp_sack_trim(sk);
		/* Filling a gap or a FIN: ACK at once (RFC 5681 4.2). */
		ack_policy(sk, had_ooo || fin || mtp->fin_rcvd);
		sk->sk_data_ready(sk);
		return;
	}
	/* Out of order: keep it, and send a duplicate ACK now. */
	if (ooo_insert(sk, skb))
		mytcp_sack_add(sk, cb->seq, cb->end_seq);
	else
		free_rcv_skb(skb);
	mytcp_send_ack(sk);
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

/* ---- the state machine ---- */

static bool our_fin_acked(const struct mytcp_sock *mtp)
{
	return mtp->fin_queued && mtp->snd_una == mtp->write_seq;
}

static int listen_rcv(struct sock *sk, struct sk_buff *skb,
		      const struct mytcp_opts *opts)
{
	const struct tcphdr *th = tcp_hdr(skb);
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct net *net = sock_net(sk);

	if (th->rst)
		goto drop;
	if (th->ack) {
		mytcp_send_reset_reply(net, skb);
		goto drop;
	}
	if (!th->syn || th->fin)
		goto drop;
	if (mtp->accept_qlen + mtp->syn_qlen >
	    READ_ONCE(sk->sk_max_ack_backlog)) {
		drop_reason(sk, skb, MYTCP_STAT_DROP_LISTEN_OVERFLOW,
			    "listen overflow");
		goto drop;
	}
	/* Data on a SYN is not kept: the peer sends it again. */
	mytcp_create_child(sk, skb, opts);
	consume_skb(skb);
	return 0;
drop:
	kfree_skb(skb);
	return 0;
}

static int syn_sent_rcv(struct sock *sk, struct sk_buff *skb,
			const struct mytcp_opts *opts)
{
	const struct tcphdr *th = tcp_hdr(skb);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (th->ack && (!after(cb->ack_seq, mtp->iss) ||
			after(cb->ack_seq, mtp->snd_max))) {
		if (!th->rst)
			mytcp_send_reset_reply(sock_net(sk), skb);
		goto drop;
	}
	if (th->rst) {
		if (th->ack) {
			MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_IN_RSTS);
			MYTCP_INC_STATS(sock_net(sk),
					MYTCP_STAT_ATTEMPT_FAILS);
			trace_mytcp_reset(sk, "refused", false);
			WRITE_ONCE(sk->sk_err, ECONNREFUSED);
			sk_error_report(sk);
			mytcp_done(sk);
		}
		goto drop;
	}
	if (!th->syn)
		goto drop;

	mtp->irs = cb->seq;
	mtp->rcv_nxt = cb->seq + 1;
	mtp->rcv_wup = mtp->rcv_nxt;
	mtp->copied_seq = mtp->rcv_nxt;
	mtp->peer_mss = opts->saw_mss ? opts->mss : MYTCP_DEFAULT_MSS;
	/* Timestamps and SACK only when both ends offered them. */
	if (!opts->saw_ts)
		mtp->ts_ok = 0;
	else
		mtp->ts_recent = opts->tsval;
	if (!opts->sack_ok)
		mtp->sack_ok = 0;
	if (opts->saw_wscale && mtp->wscale_ok) {
		mtp->snd_wscale = opts->wscale;
	} else {
		mtp->wscale_ok = 0;
		mtp->snd_wscale = 0;
		mtp->rcv_wscale = 0;
	}
	/* The window of a SYN is never scaled. */
	mtp->snd_wnd = ntohs(th->window);
	mtp->max_window = mtp->snd_wnd;
	mtp->snd_wl1 = cb->seq;
	mtp->last_rcv_ns = ktime_get_ns();
	mytcp_sync_mss(sk);

	if (th->ack) {
		mytcp_ack_update(sk, cb->ack_seq, ntohs(th->window), cb->seq,
				 opts);
		/* A SYN's window is never scaled (RFC 7323 2.2). */
		mtp->snd_wnd = ntohs(th->window);
		mtp->max_window = mtp->snd_wnd;
		mtp->snd_wl1 = cb->seq;
		mtp->snd_wl2 = cb->ack_seq;
		mytcp_set_state(sk, TCP_ESTABLISHED);
		mytcp_keepalive_reset(sk);
		sk->sk_state_change(sk);
		sk_wake_async(sk, SOCK_WAKE_IO, POLL_OUT);
		if (skb->len > tcp_hdrlen(skb) || th->fin) {
			data_queue(sk, skb);
			return 0;
		}
		mtp->hs_ack_pending = 1;
		mytcp_send_ack(sk);
		mytcp_push(sk);
		consume_skb(skb);
		return 0;
	}
	/* Simultaneous open (RFC 9293 3.5, figure 7): SYN,ACK our SYN. */
	mytcp_set_state(sk, TCP_SYN_RECV);
	mtp->snd_wl2 = mtp->iss;
	if (skb_peek(&sk->sk_write_queue)) {
		MYTCP_SKB_CB(skb_peek(&sk->sk_write_queue))->flags |=
			TCPHDR_ACK;
		mtp->send_head = skb_peek(&sk->sk_write_queue);
		mtp->snd_nxt = mtp->snd_una;
		mytcp_push(sk);
	}
	consume_skb(skb);
	return 0;
drop:
	kfree_skb(skb);
	return 0;
}

/*
 * Is the first unacknowledged segment lost?  Three duplicate ACKs, or
 * three segments SACKed above it (RFC 6675), or - when fewer than four
 * segments are out and nothing new can be sent to draw more ACKs - all
 * but one of them SACKed (early retransmit, RFC 5827).
 */
static bool loss_detected(const struct mytcp_sock *mtp)
{
	u32 out = DIV_ROUND_UP(mtp->snd_max - mtp->snd_una, mtp->mss);

	if (mtp->dupacks >= 3)
		return true;
	if (!mtp->sack_ok || !mtp->sacked_bytes)
		return false;
	if (mtp->sacked_bytes >= 3 * mtp->mss)
		return true;
	return out < 4 && !mtp->send_head &&
	       mtp->sacked_bytes >= (out - 1) * mtp->mss;
}

/* ACK processing (RFC 9293 3.10.7.4 fifth check; RFC 5681; RFC 6582). */
static bool mytcp_ack_update(struct sock *sk, u32 ack, u32 win, u32 seq,
			     const struct mytcp_opts *opts)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 prior_una = mtp->snd_una, acked = 0;
	bool progress = after(ack, mtp->snd_una);
	u64 now = ktime_get_ns();
	bool sacked_new;

	mtp->last_ack_rcv_ns = now;
	/* The peer answers: no probe of ours is outstanding (as Linux) -
	 * unless the answer is to a zero-window probe and keeps the window
	 * shut: those count toward the persist timer's limit, or a peer
	 * that ACKs every probe would hold an orphan forever.
	 */
	if (progress || !mtp->send_head || mtp->snd_una != mtp->snd_nxt)
		mtp->probes_out = 0;
	sacked_new = opts->num_sacks && mytcp_sack_process(sk, opts);
	if (progress) {
		struct sk_buff *skb;
		u64 rtt_ns = 0;

		while ((skb = skb_peek(&sk->sk_write_queue))) {
			struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

			if (after(cb->end_seq, ack)) {
				/* Partly acknowledged: drop the acked bytes
				 * so a retransmission sends only the rest.
				 */
				u32 n = ack - cb->seq;

				if (after(ack, cb->seq) && skb->len &&
				    !(cb->flags & TCPHDR_SYN) &&
				    skb != mtp->send_head) {
					if (!cb->retrans && cb->sent_ns)
						rtt_ns = now - cb->sent_ns;
					n = min(n, skb->len);
					/* No memory: left whole, resent whole. */
					if (!mytcp_trim_head(sk, skb, n)) {
						mytcp_sack_forget(sk, skb, n);
						cb->seq = ack;
					}
				}
				break;
			}
			/* Karn: no RTT from a retransmitted segment. */
			if (!cb->retrans && cb->sent_ns)
				rtt_ns = now - cb->sent_ns;
			if (skb == mtp->send_head)
				mtp->send_head = mytcp_write_next(sk, skb);
			mytcp_sack_forget(sk, skb, skb->len);
			__skb_unlink(skb, &sk->sk_write_queue);
			mytcp_wmem_uncharge(sk, skb);
			atomic_dec(&mytcp_live_skbs);
			if (mtp->packets_out)
				mtp->packets_out--;
			consume_skb(skb);
		}
		acked = ack - prior_una;
		mtp->snd_una = ack;
		if (before(mtp->snd_nxt, ack))
			mtp->snd_nxt = ack;
		mtp->bytes_acked += acked;
		mtp->retransmits = 0;
		mtp->backoff = 0;
		mtp->rtx_start_ns = 0;
		mtp->dupacks = 0;
		if (before(mtp->highest_sack, ack))
			mtp->highest_sack = ack;
		if (rtt_ns) {
			mytcp_rtt_sample(sk, div_u64(rtt_ns, NSEC_PER_USEC));
		} else if (mtp->ts_ok && opts->saw_ts && opts->tsecr) {
			/* Retransmitted data: the echoed timestamp still
			 * dates the segment that was acknowledged (RFC 7323
			 * 4.1), so the backed-off RTO can come down.
			 */
			u32 ms = mytcp_ts_now(mtp) - opts->tsecr;

			if (ms < 60 * MSEC_PER_SEC)
				mytcp_rtt_sample(sk, max(ms, 1U) * USEC_PER_MSEC);
		}
		if (mtp->in_recovery) {
			if (!before(ack, mtp->recover)) {
				/* Full ACK: recovery is over (RFC 6582). */
				mtp->in_recovery = 0;
				mtp->retrans_bytes = 0;
				mtp->cwnd = max(mtp->ssthresh, 2U);
			} else if (mtp->sack_ok) {
				mytcp_sack_recover(sk);
			} else {
				/* Partial ACK: the next hole was lost too. */
				mytcp_retransmit_head(sk);
				mtp->cwnd = max_t(u32, mtp->cwnd -
						  min(acked / mtp->mss,
						      mtp->cwnd) + 1, 2U);
			}
		} else if (sk->sk_state != TCP_SYN_SENT &&
			   sk->sk_state != TCP_SYN_RECV) {
			mytcp_cong_on_ack(sk, acked);
		}
		mytcp_rearm_rtx(sk);
	} else if (ack == mtp->snd_una && mtp->snd_una != mtp->snd_max &&
		   (mtp->sack_ok ? sacked_new :
		    (win << mtp->snd_wscale) == mtp->snd_wnd)) {
		/* A duplicate ACK (RFC 5681 2; with SACK: new SACK info). */
		mtp->dupacks++;
		if (mtp->in_recovery && mtp->sack_ok)
			mytcp_sack_recover(sk);
		else if (mtp->in_recovery)
			mtp->cwnd++;	/* inflate for each segment that left */
	}
	/* Loss: three duplicates, or (RFC 6675) three segments SACKed
	 * above the first unacknowledged byte.
	 */
	if (!mtp->in_recovery && mtp->snd_una != mtp->snd_max &&
	    sk->sk_state != TCP_SYN_SENT && loss_detected(mtp)) {
		MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_FAST_RETRANS);
		mytcp_cong_enter_recovery(sk);
		if (mtp->sack_ok)
			mytcp_sack_recover(sk);
		else
			mytcp_retransmit_head(sk);
	}
	/* Window update (RFC 9293 3.10.7.4: SND.WL1/SND.WL2 rule). */
	if (before(mtp->snd_wl1, seq) ||
	    (mtp->snd_wl1 == seq && !before(ack, mtp->snd_wl2))) {
		mtp->snd_wnd = win << mtp->snd_wscale;
		mtp->snd_wl1 = seq;
		mtp->snd_wl2 = ack;
		if (mtp->snd_wnd > mtp->max_window)
			mtp->max_window = mtp->snd_wnd;
		if (mtp->snd_wnd) {
			mtp->probes_out = 0;
			mytcp_clear_timer(sk, MYTCP_T_PERSIST);
		}
	}
	/* Wake writers only when one ran out of space (SOCK_NOSPACE, set by
	 * a blocked sendmsg() or by poll()): a wake-up per ACK would also
	 * wake every reader sleeping on the same wait queue.
	 */
	/* The send buffer shrunk by the memory limit (stream.c) grows back
	 * once the pressure is over.
	 */
	if (progress && mtp->sndbuf_full && !mytcp_under_memory_pressure()) {
		if (!(sk->sk_userlocks & SOCK_SNDBUF_LOCK))
			WRITE_ONCE(sk->sk_sndbuf, mtp->sndbuf_full);
		mtp->sndbuf_full = 0;
	}
	if (progress && sk->sk_socket) {
		smp_mb();	/* pairs with mytcp_poll() */
		if (test_bit(SOCK_NOSPACE, &sk->sk_socket->flags) &&
		    sk->sk_wmem_queued < READ_ONCE(sk->sk_sndbuf))
			sk->sk_write_space(sk);
	}
	return progress;
}

/* Segments in SYN_RCVD and every synchronized state. */
static int synchronized_rcv(struct sock *sk, struct sk_buff *skb,
			    const struct mytcp_opts *opts)
{
	const struct tcphdr *th = tcp_hdr(skb);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct net *net = sock_net(sk);
	u32 ack = cb->ack_seq;
	bool syn = th->syn;

	/* Simultaneous open: the peer's SYN,ACK completes our SYN_RCVD. */
	if (sk->sk_state == TCP_SYN_RECV && syn && th->ack && !mtp->parent &&
	    cb->seq + 1 == mtp->rcv_nxt && ack == mtp->snd_nxt) {
		cb->seq++;
		cb->flags &= ~TCPHDR_SYN;
		syn = false;
	}
	/* PAWS (RFC 7323 5): an old timestamp marks an old duplicate.
	 * Pure ACKs are exempt: reordered ACKs are harmless (as Linux).
	 */
	if (mtp->ts_ok && opts->saw_ts && !th->rst &&
	    cb->end_seq != cb->seq &&
	    (s32)(opts->tsval - mtp->ts_recent) < 0) {
		/* An old duplicate by definition: rate limited, data too. */
		if (!mytcp_oow_rate_limited(net, &mtp->oow_stamp))
			mytcp_send_ack(sk);
		drop_reason(sk, skb, MYTCP_STAT_DROP_PAWS, "paws");
		goto drop;
	}
	/* First: sequence number. */
	if (!seq_acceptable(mtp, cb->seq, cb->end_seq - cb->seq)) {
		if (!th->rst) {
			if (sk->sk_state == TCP_SYN_RECV && syn &&
			    cb->seq == mtp->irs) {
				/* SYN again: SYN-ACK again, rate limited */
				if (!mytcp_oow_rate_limited(net,
							    &mtp->oow_stamp))
					mytcp_retransmit_head(sk);
			} else {
				/* A SYN-ACK again: our handshake ACK was
				 * lost, and this ACK completes it instead
				 * (teaching mode classifies it so).
				 */
				if (syn && th->ack && cb->seq == mtp->irs)
					mtp->hs_ack_pending = 1;
				send_oow_ack(sk, skb);
			}
		}
		drop_reason(sk, skb, MYTCP_STAT_DROP_NOT_ACCEPTABLE,
			    "not acceptable");
		goto drop;
	}
	mtp->last_rcv_ns = ktime_get_ns();
	/* TS.Recent waits for an acceptable ACK (replace_ts_recent()). */
	/* Second: RST (RFC 5961 3.2). */
	if (th->rst) {
		if (cb->seq == mtp->rcv_nxt)
			reset_received(sk);
		else
			send_challenge_ack(sk);
		goto drop;
	}
	/* Fourth: SYN in a synchronized state (RFC 5961 4.2); a stream of
	 * them is rate limited like other invalid segments (as Linux).
	 */
	if (syn) {
		if (!mytcp_oow_rate_limited(net, &mtp->oow_stamp))
			send_challenge_ack(sk);
		goto drop;
	}
	/* Fifth: ACK. */
	if (!th->ack)
		goto drop;
	if (sk->sk_state == TCP_SYN_RECV) {
		if (!after(ack, mtp->snd_una) || after(ack, mtp->snd_max)) {
			mytcp_send_reset_reply(net, skb);
			goto drop;
		}
		replace_ts_recent(mtp, opts, cb->seq);
		mytcp_set_state(sk, TCP_ESTABLISHED);
		mtp->snd_wl1 = cb->seq;
		mtp->snd_wl2 = ack;
		mtp->snd_wnd = ntohs(th->window) << mtp->snd_wscale;
		mytcp_sync_mss(sk);
		mytcp_ack_update(sk, ack, ntohs(th->window), cb->seq, opts);
		mytcp_keepalive_reset(sk);
		/* The SYN-ACK's sequence number is no data (as Linux). */
		if (mtp->bytes_acked)
			mtp->bytes_acked--;
		if (mtp->parent) {
			mytcp_child_established(sk);
			if (sk->sk_state == TCP_CLOSE)
				goto drop;
		} else {
			sk->sk_state_change(sk);
			sk_wake_async(sk, SOCK_WAKE_IO, POLL_OUT);
		}
	} else {
		/* RFC 5961 5.2: ACK outside [SND.UNA - MAX.SND.WND, SND.NXT]. */
		if (after(ack, mtp->snd_max)) {
			drop_reason(sk, skb, MYTCP_STAT_DROP_ACK_UNSENT,
				    "ack of unsent data");
			send_challenge_ack(sk);
			goto drop;
		}
		if (before(ack, mtp->snd_una - mtp->max_window)) {
			send_challenge_ack(sk);
			goto drop;
		}
		replace_ts_recent(mtp, opts, cb->seq);
		mytcp_ack_update(sk, ack, ntohs(th->window), cb->seq, opts);
	}
	switch (sk->sk_state) {
	case TCP_FIN_WAIT1:
		if (our_fin_acked(mtp)) {
			mytcp_set_state(sk, TCP_FIN_WAIT2);
			WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown |
				   SEND_SHUTDOWN);
			sk->sk_state_change(sk);
			/* An orphan waits at most fin_timeout for the FIN. */
			if (sock_flag(sk, SOCK_DEAD))
				mytcp_reset_timer(sk, MYTCP_T_KEEPALIVE,
						  mytcp_fin_timeout_ns(sk));
		}
		break;
	case TCP_CLOSING:
		if (our_fin_acked(mtp)) {
			mytcp_time_wait(sk);
			consume_skb(skb);
			return 0;
		}
		break;
	case TCP_LAST_ACK:
		if (our_fin_acked(mtp)) {
			mytcp_done(sk);
			consume_skb(skb);
			return 0;
		}
		break;
	}
	/* New data for a socket the application closed: nobody will read
	 * it; say so with a reset (RFC 1122 4.2.2.13, RFC 9293 3.6).
	 */
	if (sock_flag(sk, SOCK_DEAD) && (sk->sk_shutdown & RCV_SHUTDOWN) &&
	    skb->len > tcp_hdrlen(skb) &&
	    after(cb->end_seq - th->fin, mtp->rcv_nxt) &&
	    ((1 << sk->sk_state) & (TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2))) {
		mytcp_send_active_reset(sk, GFP_ATOMIC);
		mytcp_done(sk);
		goto drop;
	}
	/* Seventh and eighth: data and FIN. */
	if (skb->len > tcp_hdrlen(skb) || th->fin) {
		switch (sk->sk_state) {
		case TCP_ESTABLISHED:
		case TCP_FIN_WAIT1:
		case TCP_FIN_WAIT2:
			data_queue(sk, skb);
			mytcp_push(sk);
			return 0;
		default:
			/* CLOSE_WAIT, CLOSING, LAST_ACK: the peer's FIN is
			 * in; this is a retransmission.  ACK it again.
			 */
			mytcp_send_ack(sk);
			break;
		}
	}
	mytcp_push(sk);
	consume_skb(skb);	/* an ACK, used */
	return 0;
drop:
	kfree_skb(skb);
	return 0;
}

/*
 * Process one segment for sk.  Socket owned, BH disabled; skb->data at the
 * TCP header, cb filled; consumes skb.
 */
static int mytcp_rcv_state_process(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct mytcp_opts opts;

	if (mytcp_parse_options(tcp_hdr(skb), &opts)) {
		kfree_skb(skb);
		return 0;
	}
	if (unlikely(mytcp_inject_drop(sk, skb, false))) {
		kfree_skb(skb);
		return 0;
	}
	mtp->segs_in++;
	trace_mytcp_segment(sk, skb, false);
	switch (sk->sk_state) {
	case TCP_CLOSE:
		mytcp_send_reset_reply(sock_net(sk), skb);
		kfree_skb(skb);
		return 0;
	case TCP_LISTEN:
		return listen_rcv(sk, skb, &opts);
	case TCP_SYN_SENT:
		return syn_sent_rcv(sk, skb, &opts);
	default:
		return synchronized_rcv(sk, skb, &opts);
	}
}

/* proto->backlog_rcv: segments queued while the user held the socket. */
int mytcp_backlog_rcv(struct sock *sk, struct sk_buff *skb)
{
	local_bh_disable();
	mytcp_rcv_state_process(sk, skb);
	local_bh_enable();
	return 0;
}

/* ---- the hook ---- */

/* Header checks of a claimed segment; fills cb.  False: drop it. */
static bool validate(struct net *net, struct sk_buff *skb)
{
	struct mytcp_skb_cb *cb;
	const struct tcphdr *th;
	struct mytcp_opts opts;
	unsigned int ihl = ip_hdrlen(skb);

	if (!pskb_may_pull(skb, ihl + sizeof(struct tcphdr)))
		goto bad_hdr;
	th = (const struct tcphdr *)(skb->data + ihl);
	if (th->doff < sizeof(struct tcphdr) / 4 ||
	    !pskb_may_pull(skb, ihl + th->doff * 4))
		goto bad_hdr;
	__skb_pull(skb, ihl);
	skb_reset_transport_header(skb);
	th = tcp_hdr(skb);
	if (skb->len < th->doff * 4)
		goto bad_hdr;
	if (skb_checksum_init(skb, IPPROTO_TCP, inet_compute_pseudo) ||
	    (!skb_csum_unnecessary(skb) && __skb_checksum_complete(skb))) {
		MYTCP_INC_STATS(net, MYTCP_STAT_IN_CSUM_ERRORS);
		MYTCP_INC_STATS(net, MYTCP_STAT_IN_ERRS);
		trace_mytcp_drop(NULL, skb, "bad checksum");
		return false;
	}
	if (mytcp_parse_options(th, &opts))
		goto bad_hdr;
	cb = MYTCP_SKB_CB(skb);
	memset(cb, 0, sizeof(*cb));
	cb->seq = ntohl(th->seq);
	cb->end_seq = cb->seq + th->syn + th->fin + skb->len - th->doff * 4;
	cb->ack_seq = ntohl(th->ack_seq);
	cb->flags = tcp_flag_byte(th);
	return true;
bad_hdr:
	MYTCP_INC_STATS(net, MYTCP_STAT_DROP_HDR);
	MYTCP_INC_STATS(net, MYTCP_STAT_IN_ERRS);
	trace_mytcp_drop(NULL, skb, "bad header");
	return false;
}

/*
 * Host policy, as tcp_filter() in tcp_v4_rcv(): sk_filter_trim_cap() runs
 * the LSM's socket_sock_rcv_skb hook (AppArmor secmark rules, SELinux
 * ignores families other than inet) and the socket's filter
 * (SO_ATTACH_FILTER, a listener's inherited by its children) on every
 * segment a socket is to process: for a listener before a child is made,
 * for a connection before the state machine looks at it.  TIME_WAIT
 * entries have no socket and no filter, as in Linux.  A dropped segment
 * draws no answer (the peer retransmits).  The program sees the segment
 * from the TCP header on (skb->data), like an AF_INET TCP socket's; it may
 * trim the payload, never the header, and end_seq follows.  The cgroup
 * BPF ingress hook it also calls returns at once for non-inet families.
 * Softirq, under the hook's rcu_read_lock(); the socket is not locked
 * (neither is Linux's).
 */
static bool sock_filter_drop(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	const struct tcphdr *th = tcp_hdr(skb);

	if (sk_filter_trim_cap(sk, skb, th->doff * 4)) {
		drop_reason(sk, skb, MYTCP_STAT_DROP_FILTER, "socket filter");
		return true;
	}
	th = tcp_hdr(skb);
	cb->end_seq = cb->seq + th->syn + th->fin + skb->len - th->doff * 4;
	return false;
}

static void sock_rcv(struct sock *sk, struct sk_buff *skb)
{
	if (sock_filter_drop(sk, skb)) {
		kfree_skb(skb);
		return;
	}
	bh_lock_sock_nested(sk);
	if (!sock_owned_by_user(sk)) {
		mytcp_rcv_state_process(sk, skb);
	} else if (sk_add_backlog(sk, skb, mytcp_backlog_limit(sk))) {
		drop_reason(sk, skb, MYTCP_STAT_DROP_BACKLOG, "backlog full");
		kfree_skb(skb);
	}
	bh_unlock_sock(sk);
}

/*
 * A mytcp listener may share its port with Linux TCP connections (both
 * under SO_REUSEADDR, as Linux allows): their segments are Linux's.  A
 * SYN for a 4-tuple in Linux's TIME_WAIT opens a new mytcp connection.
 */
static bool listener_may_claim(struct net *net, struct sk_buff *skb,
			       const struct iphdr *iph, const __be16 *ports)
{
	u8 _flags;
	const u8 *flags;
	bool tw;

	if (!mytcp_linux_owns(net, iph->daddr, ports[1], iph->saddr, ports[0],
			      &tw))
		return true;
	if (!tw)
		return false;
	flags = skb_header_pointer(skb, ip_hdrlen(skb) + 13, 1, &_flags);
	return flags && (*flags & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST)) ==
			TCPHDR_SYN;
}

static unsigned int mytcp_nf_in(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	struct net *net = state->net;
	const struct iphdr *iph = ip_hdr(skb);
	struct mytcp_tw *tw = NULL;
	__be16 _ports[2];
	const __be16 *ports;
	struct sock *sk;

	if (skb->pkt_type != PACKET_HOST || ip_is_fragment(iph))
		return NF_ACCEPT;
	if (iph->protocol == IPPROTO_ICMP)
		return mytcp_icmp_rcv(net, skb) ? NF_STOLEN : NF_ACCEPT;
	if (iph->protocol != IPPROTO_TCP)
		return NF_ACCEPT;
	/* The ports alone identify the connection. */
	ports = skb_header_pointer(skb, ip_hdrlen(skb), sizeof(_ports),
				   _ports);
	if (!ports)
		return NF_ACCEPT;
	sk = mytcp_lookup_established(net, iph->daddr, ports[1], iph->saddr,
				      ports[0]);
	if (!sk) {
		tw = mytcp_lookup_tw(net, iph->daddr, ports[1], iph->saddr,
				     ports[0]);
		if (!tw)
			sk = mytcp_lookup_listener(net, iph->daddr, ports[1],
						   iph->saddr, ports[0]);
		if (sk && !listener_may_claim(net, skb, iph, ports)) {
			sock_put(sk);
			return NF_ACCEPT;
		}
	}
	if (!sk && !tw)
		return NF_ACCEPT;

	/* Ours from here on. */
	MYTCP_INC_STATS(net, MYTCP_STAT_IN_SEGS);
	nf_reset_ct(skb);
	skb_dst_drop(skb);
	if (!validate(net, skb)) {
		kfree_skb(skb);
	} else if (tw) {
		if (mytcp_tw_rcv(tw, skb) > 0) {
			/* An acceptable new SYN: the wait is over. */
			struct sock *lsk;

			iph = ip_hdr(skb);
			lsk = mytcp_lookup_listener(net, iph->daddr,
						    tcp_hdr(skb)->dest,
						    iph->saddr,
						    tcp_hdr(skb)->source);
			if (lsk) {
				sock_rcv(lsk, skb);
				sock_put(lsk);
			} else {
				mytcp_send_reset_reply(net, skb);
				kfree_skb(skb);
			}
		}
	} else {
		sock_rcv(sk, skb);
	}
	if (tw)
		mytcp_tw_put(tw);
	if (sk)
		sock_put(sk);
	return NF_STOLEN;
}

static const struct nf_hook_ops mytcp_nf_ops = {
	.hook = mytcp_nf_in,
	.pf = NFPROTO_IPV4,
	.hooknum = NF_INET_LOCAL_IN,
	.priority = NF_IP_PRI_LAST - 1,
};

int mytcp_hooks_register(struct net *net)
{
	return nf_register_net_hook(net, &mytcp_nf_ops);
}

void mytcp_hooks_unregister(struct net *net)
{
	nf_unregister_net_hook(net, &mytcp_nf_ops);
}
