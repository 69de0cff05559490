// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: RACK-TLP loss detection (RFC 8985), the default with SACK
 * (net.mytcp.recovery bit 0; 0 falls back to the duplicate-ACK rules of
 * ack.c's loss_detected(), RFC 5681/6675).
 *
 * RACK: each delivery (a segment cumulatively ACKed or newly SACKed)
 * that is not an ambiguous retransmission moves RACK.xmit_ts/end_seq to
 * the latest transmission delivered, and RACK.rtt to its own RTT (the
 * last one processed: a late original lengthens it)
 * (mytcp_rack_advance()).  A segment not delivered that was sent before
 * it is lost once RACK.rtt + reo_wnd passed since its own transmission
 * (mytcp_rack_detect(): marks MYTCP_SACKED_LOST, counted in
 * rack.lost_bytes; a lost retransmission loses its RETRANS mark and is
 * sent again).  reo_wnd is min_RTT/4 times reo_wnd_steps (one more per
 * round with a D-SACK, back to one after 16 recoveries without), at most
 * SRTT, and 0 before any reordering was seen in recovery or once the
 * reordering degree's segments are SACKed (rack.h; the degree grows with
 * what is seen delivered out of order, as Linux's tp->reordering).  A
 * segment not yet lost arms the reorder timer (MYTCP_T_REO) for when it
 * will be, 2 ms and a tick later as Linux's (mytcp_rack_reo_timer_us()).
 * Only a D-SACK that follows reordering seen widens the window (sack.c).  In recovery the pipe is
 * RFC 6675's with RACK's losses: out - SACKed - lost + retransmitted
 * (sack.c's mytcp_in_flight()), and only lost segments are resent.
 *
 * TLP: in Open state with data in flight (and, mytcp's own, once per fast
 * recovery with net.mytcp.recovery_probe: recovery_probe()) the probe
 * timer (MYTCP_T_TLP)
 * runs PTO = 2 * SRTT (+ the delayed-ACK allowance for one segment out),
 * never later than the RTO.  It sends one new segment (cwnd does not
 * hold it), or resends the last segment sent, once per tail (until an
 * ACK at or above rack.tlp_high_seq).  An ACK above tlp_high_seq without
 * a D-SACK, for a retransmitted probe, shows the probe repaired a loss:
 * cwnd comes down to ssthresh (RFC 8985 7.4.2) - before the ACK's own
 * loss detection (ack.c), so that a new loss it also shows, in data sent
 * after the probe, starts a recovery that reduces again from there
 * (Linux's tcp_process_tlp_ack() before tcp_fastretrans_alert()).
 *
 * Work per ACK: at most MYTCP_RACK_BUDGET skbs walked.  Locking: the
 * socket is owned (ACK processing, timers).
 */
#include "mytcp.h"

#define MYTCP_RACK_BUDGET	256

bool mytcp_rack_on(const struct sock *sk)
{
	return mytcp_sk(sk)->sack_ok &&
	       (READ_ONCE(mytcp_pernet(sock_net(sk))->recovery) & 1);
}

/* The reordering degree in segments (Linux's tp->reordering). */
u32 mytcp_reordering(const struct sock *sk)
{
	return mytcp_sk(sk)->rack.reordering ? :
	       READ_ONCE(mytcp_pernet(sock_net(sk))->reordering);
}

/*
 * Reordering seen (Linux's tcp_check_sack_reordering()): low_seq, never
 * retransmitted, was delivered below the highest delivered; ts: shown by
 * an echoed timestamp (Eifel) rather than by SACK.  RACK widens its
 * window from now on (rack.h) and the degree grows with the distance, up
 * to net.mytcp.max_reordering.
 */
static void rack_reordering(struct sock *sk, u32 low_seq, bool ts)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct mytcp_rack *r = &mtp->rack;
	u32 max = READ_ONCE(mytcp_pernet(sock_net(sk))->max_reordering);

	r->reordering = mytcp_reordering_update(mytcp_reordering(sk), r->fack,
						low_seq, mtp->mss, max);
	r->reord = 1;
	r->reord_seen++;
	MYTCP_INC_STATS(sock_net(sk), ts ? MYTCP_STAT_TS_REORDER :
				       MYTCP_STAT_SACK_REORDER);
}

/* Once per ACK: what mytcp_rack_advance() saw delivered out of order. */
void mytcp_rack_reord_check(struct sock *sk)
{
	struct mytcp_rack *r = &mytcp_sk(sk)->rack;

	if (!r->reord_pend)
		return;
	r->reord_pend = 0;
	rack_reordering(sk, r->reord_low, false);
}

/*
 * An ACK in recovery echoes a timestamp older than the first
 * retransmission: the hole at SND.UNA (prior_una) was filled by the
 * original, late (Linux's tcp_try_undo_partial()).
 */
void mytcp_rack_reord_ts(struct sock *sk, u32 prior_una)
{
	rack_reordering(sk, prior_una, true);
}

/*
 * An ACK that covers a resent skb echoes a timestamp older than the
 * resend (Linux's tcp_skb_spurious_retrans()): the original was
 * delivered, late, and the resend's send time says nothing of what
 * RACK.xmit_ts and RACK.rtt should be.  Taken, it moved RACK.xmit_ts to
 * the resend and called everything sent before it lost after a
 * RACK.rtt of a few milliseconds: more spurious resends, each the next
 * one's cause (issue 16's "bad" path).  The TSval is the one the resend
 * carried (its send time, as queue.c's Eifel reference).
 */
bool mytcp_rack_spurious_rtx(const struct sock *sk, const struct sk_buff *skb,
			     const struct mytcp_opts *opts)
{
	const struct mytcp_sock *mtp = mytcp_sk(sk);
	const struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	u32 tsval;

	if (!cb->retrans || !cb->sent_ns || !mtp->ts_ok || !opts->saw_ts ||
	    !opts->tsecr)
		return false;
	tsval = (u32)div_u64(cb->sent_ns, NSEC_PER_MSEC) + mtp->ts_offset;
	return before(opts->tsecr, tsval);
}

/*
 * A segment was delivered (RFC 8985 6.2 steps 2-3): by a SACK block, or
 * by the cumulative ACK (cumulative).  It shows reordering when it lies
 * below what was delivered before it: for a SACK block, below fack as
 * the blocks below it in this ACK left it (sack.c takes them in
 * ascending order, as Linux's tcp_sacktag_write_queue()); for the
 * cumulative ACK, below fack as it was before this ACK (prior_fack, as
 * Linux's tcp_clean_rtx_queue()) - an ACK that both covers in-order data
 * and SACKs above a new hole, after the ACKs between were lost, shows
 * no reordering.
 */
void mytcp_rack_advance(struct sock *sk, const struct sk_buff *skb, u64 now,
			bool cumulative)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	const struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	struct mytcp_rack *r = &mtp->rack;
	u32 ref = cumulative ? r->prior_fack : r->fack;
	u32 rtt_us;

	if (!cb->retrans)
		r->orig_acked = 1;	/* F-RTO's evidence */
	if (!cb->sent_ns || now < cb->sent_ns)
		return;
	if (cb->sent_ns > r->ack_sent_ns)
		r->ack_sent_ns = cb->sent_ns;	/* mytcp_rack_reo_update() */
	rtt_us = max_t(u64, div_u64(now - cb->sent_ns, NSEC_PER_USEC), 1);
	if (!cb->retrans) {
		if (!r->min_rtt_us || rtt_us < r->min_rtt_us)
			r->min_rtt_us = rtt_us;
		/* Delivered below what was delivered before: reordering
		 * (mytcp_rack_reord_check() once per ACK).
		 */
		if (ref && before(cb->end_seq, ref) &&
		    (!r->reord_pend || before(cb->seq, r->reord_low))) {
			r->reord_low = cb->seq;
			r->reord_pend = 1;
		}
	} else if (rtt_us < r->min_rtt_us) {
		return;		/* the original's ACK, not the resend's */
	}
	if (!r->fack || after(cb->end_seq, r->fack))
		r->fack = cb->end_seq;
	/* RACK.rtt from every delivery, in the order they are processed
	 * (RFC 8985 6.2 step 2, Linux's tcp_rack_advance()): a late
	 * original delivered now lengthens it, where the RTT of the latest
	 * segment sent, which passed it, would call its neighbours lost.
	 */
	r->rtt_us = rtt_us;
	r->advanced = 1;
	if (mytcp_rack_sent_after(cb->sent_ns, cb->end_seq, r->xmit_ns,
				  r->end_seq) || !r->xmit_ns) {
		r->xmit_ns = cb->sent_ns;
		r->end_seq = cb->end_seq;
	}
}

static void mark_lost(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

	if (cb->sacked & MYTCP_SACKED_RETRANS) {
		/* the retransmission was lost too: it goes again */
		cb->sacked &= ~MYTCP_SACKED_RETRANS;
		mtp->retrans_bytes -= min(mtp->retrans_bytes, skb->len);
	}
	if (!(cb->sacked & MYTCP_SACKED_LOST)) {
		cb->sacked |= MYTCP_SACKED_LOST;
		mtp->rack.lost_bytes += skb->len;
	}
	cb->sacked |= MYTCP_SACKED_RACKED;
}

/*
 * RFC 8985 6.2 step 5: mark what RACK deems lost; arm the reorder timer
 * for the rest sent before RACK.xmit_ts.  True if anything was marked.
 */
bool mytcp_rack_detect(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct mytcp_rack *r = &mtp->rack;
	int budget = MYTCP_RACK_BUDGET;
	u64 now = ktime_get_ns();
	bool lost = false;
	s64 wait = 0;
	struct sk_buff *skb;
	u32 reo_us;

	if (!mytcp_rack_on(sk) || mtp->ca_state == MYTCP_CA_LOSS ||
	    !r->xmit_ns || mtp->snd_una == mtp->snd_nxt)
		return false;
	reo_us = mytcp_rack_reo_wnd(r->min_rtt_us, mtp->srtt_us >> 3, r->steps,
				    r->reord,
				    mtp->ca_state == MYTCP_CA_RECOVERY,
				    mtp->sacked_bytes / max_t(u32, mtp->mss, 1),
				    mytcp_reordering(sk));
	skb_queue_walk(&sk->sk_write_queue, skb) {
		struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
		u64 sent = cb->sent_ns;
		s64 left;

		if (skb == mtp->send_head || !budget--)
			break;
		/* not delivered, and not lost and waiting for its resend */
		if ((cb->sacked & MYTCP_SACKED_ACKED) ||
		    (cb->flags & TCPHDR_SYN) ||
		    ((cb->sacked & MYTCP_SACKED_LOST) &&
		     !(cb->sacked & MYTCP_SACKED_RETRANS)))
			continue;
		/* Called lost since it was last sent, and an undo took the
		 * mark back: judged as if sent at the undo, so that neither
		 * the ACK that undid nor anything sent before it calls it
		 * lost again, but what is sent after it does (Linux leaves
		 * such a segment to the RTO: mytcp_rack_unmark()).
		 */
		if (cb->sacked & MYTCP_SACKED_RACKED)
			sent = max(sent, r->undo_ns);
		if (!mytcp_rack_sent_after(r->xmit_ns, r->end_seq,
					   sent, cb->end_seq))
			continue;
		left = mytcp_rack_left_ns(now, sent, r->rtt_us, reo_us);
		if (left <= 0) {
			mark_lost(sk, skb);
			lost = true;
		} else {
			wait = max(wait, left);
		}
	}
	if (wait) {
		u32 us = div_u64(wait + NSEC_PER_USEC - 1, NSEC_PER_USEC);

		us = mytcp_rack_reo_timer_us(us, jiffies_to_usecs(1));
		mytcp_rack_timer_set(sk, (s64)us * NSEC_PER_USEC);
		r->reo_armed = 1;
	}
	return lost;
}

/*
 * The RACK pass of an ACK (Linux's tcp_rack_mark_lost()): only when the
 * ACK delivered something that moved RACK (or an undo forgot the marks).
 * An ACK that delivers nothing - a D-SACK of a duplicate, a window update
 * - marks nothing: what passed its deadline meanwhile is the reorder
 * timer's, whose slack gives a late original its chance.
 */
bool mytcp_rack_mark_lost(struct sock *sk)
{
	struct mytcp_rack *r = &mytcp_sk(sk)->rack;

	if (!r->advanced)
		return false;
	r->advanced = 0;
	return mytcp_rack_detect(sk);
}

/*
 * A D-SACK after reordering was seen (sack.c): a wider window for a while
 * (6.2 step 4), once the ACKs show a round trip since the last widening
 * (mytcp_rack_reo_update(), from mytcp_rack_reo_wnd_ack()).  The D-SACK
 * itself is not reordering (Linux's tcp_dsack_seen()): a duplicating
 * link or a loss probe makes them too.
 */
void mytcp_rack_dsack(struct sock *sk)
{
	mytcp_sk(sk)->rack.dsack_pend = 1;
}

/* Once per ACK, after its SACK blocks and cumulative ACK were taken. */
void mytcp_rack_reo_wnd_ack(struct sock *sk)
{
	mytcp_rack_reo_update(&mytcp_sk(sk)->rack, ktime_get_ns());
}

/*
 * A recovery ended (not undone): a widened window lasts
 * MYTCP_RACK_PERSIST of them (Linux's tcp_try_undo_recovery()).
 */
void mytcp_rack_recovery_end(struct sock *sk)
{
	struct mytcp_rack *r = &mytcp_sk(sk)->rack;

	if (r->persist)
		r->persist--;
}

/*
 * Forget every LOST mark (an undo: nothing is presumed lost), and let the
 * next ACK's pass look again (as Linux's tcp_undo_cwnd_reduction() sets
 * rack.advanced).  What RACK called lost before is judged in that pass
 * as if sent now (MYTCP_SACKED_RACKED, rack.undo_ns, mytcp_rack_detect()):
 * the ACK that undid the recovery - a late original filling the hole -
 * would otherwise call the same segments lost again from the same
 * RACK.xmit_ts and RACK.rtt and start a new recovery that resends them;
 * their own late originals have a round trip to arrive, and once a
 * segment sent after the undo is delivered, RACK.rtt and reo_wnd after
 * the undo, those still missing are lost.  (Linux takes a segment it
 * marks lost off its time-sorted list until it is sent again, so after
 * an undo it waits for the RTO - on the "bad" path a stall of 200 ms
 * and more with SACKs arriving all the while.)  again: they may be
 * called lost again at once (the D-SACK undo, after which Linux keeps
 * its LOST marks: tcp_try_undo_dsack()).
 */
void mytcp_rack_unmark(struct sock *sk, bool again)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct sk_buff *skb;
	u8 clear = MYTCP_SACKED_LOST | (again ? MYTCP_SACKED_RACKED : 0);

	mtp->rack.tlp_high_seq = 0;
	mtp->rack.advanced = 1;		/* the next ACK looks again */
	mtp->rack.undo_ns = ktime_get_ns();
	if (!mtp->rack.lost_bytes && !again)
		return;
	/* The whole queue: a rewind may have put send_head below marks. */
	skb_queue_walk(&sk->sk_write_queue, skb)
		MYTCP_SKB_CB(skb)->sacked &= ~clear;
	mtp->rack.lost_bytes = 0;
}

/*
 * The reorder timer: what was waiting out reo_wnd may be lost now.  It is
 * not armed again for what still waits (Linux's tcp_rack_reo_timeout()):
 * the next ACK decides those, or the RTO.
 */
void mytcp_rack_reo_timeout(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	bool lost;

	if (sk->sk_state == TCP_CLOSE)
		return;
	lost = mytcp_rack_detect(sk);
	mytcp_clear_timer_lazy(sk, MYTCP_T_REO);
	if (!lost)
		return;
	MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_RACK_REO);
	if (mtp->ca_state < MYTCP_CA_RECOVERY)
		mytcp_ack_enter_recovery(sk, 0);
	else
		mytcp_sack_recover(sk);
	mytcp_push(sk);
	mytcp_rtx_ensure(sk);
}

/*
 * An ACK of a tail probe's episode (RFC 8985 7.4, as Linux's
 * tcp_process_tlp_ack()); dsack: it carried a D-SACK.
 */
void mytcp_tlp_ack(struct sock *sk, u32 ack, bool dsack, bool progress)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct mytcp_rack *r = &mtp->rack;

	if (!r->tlp_high_seq || before(ack, r->tlp_high_seq))
		return;
	if (!r->tlp_rtx || dsack) {
		r->tlp_high_seq = 0;	/* new data, or the probe was a copy */
	} else if (after(ack, r->tlp_high_seq)) {
		/* the probe repaired a loss: respond to it once */
		r->tlp_high_seq = 0;
		mytcp_ssthresh_set(sk, mtp->cong->ssthresh(sk));
		mytcp_cwnd_set(sk, min(mtp->cwnd, mtp->ssthresh));
		MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_TLP_RECOVERY);
	} else if (!progress) {
		r->tlp_high_seq = 0;	/* a pure duplicate: both arrived */
	}
}

/* The last segment sent, at most one MSS (the tail of its skb). */
static struct sk_buff *tlp_last_segment(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct sk_buff *skb, *next;
	u32 mss = max_t(u32, mtp->mss, 1);

	skb = mtp->send_head ? skb_queue_prev(&sk->sk_write_queue,
					      mtp->send_head) :
			       skb_peek_tail(&sk->sk_write_queue);
	if (!skb || skb == (struct sk_buff *)&sk->sk_write_queue ||
	    (MYTCP_SKB_CB(skb)->sacked & MYTCP_SACKED_ACKED))
		return NULL;
	if (skb->len > mss &&
	    !mytcp_fragment(sk, skb, rounddown(skb->len - 1, mss))) {
		next = skb_queue_next(&sk->sk_write_queue, skb);
		skb = next;
	}
	return skb;
}

/*
 * Would a loss probe go now?  Data in flight, and in Open state none out
 * yet (RFC 8985 7.2); or in fast recovery, with net.mytcp.recovery_probe,
 * none yet in this recovery.
 */
bool mytcp_tlp_wanted(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (!mytcp_rack_on(sk) || mtp->snd_una == mtp->snd_nxt ||
	    !((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT |
				     TCPF_FIN_WAIT1 | TCPF_CLOSING |
				     TCPF_LAST_ACK)))
		return false;
	if (mtp->ca_state == MYTCP_CA_RECOVERY)
		return !mtp->rack.rprobe &&
		       READ_ONCE(mytcp_pernet(sock_net(sk))->recovery_probe);
	return mtp->ca_state == MYTCP_CA_OPEN && !mtp->rack.tlp_high_seq;
}

/*
 * The probe in fast recovery (mytcp's own; RFC 8985 7.2 and Linux probe
 * only in Open state).  No ACK for a PTO in recovery: what was
 * retransmitted, or the ACKs for it, were lost, and nothing sent after it
 * can be delivered for RACK to see that - only the RTO, after 200 ms and
 * more, would end the wait, and with cwnd back to one.  One segment goes,
 * beyond cwnd: new data if the peer's window takes it (its SACK lets RACK
 * call the lost retransmission lost), else the first segment not
 * delivered (it repairs the hole).  One per recovery; the RTO restarts
 * from it.  No cwnd response of its own: the recovery has reduced cwnd,
 * and a copy the peer had is D-SACKed and undone as any retransmission.
 */
static void recovery_probe(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 nxt = mtp->snd_nxt;
	struct sk_buff *skb;

	mtp->rack.rprobe = 1;
	mtp->rack.tlp_push = 1;
	mtp->force_send = 1;
	mytcp_push(sk);
	mtp->force_send = 0;
	mtp->rack.tlp_push = 0;
	if (mtp->snd_nxt == nxt) {
		skb_queue_walk(&sk->sk_write_queue, skb) {
			if (skb == mtp->send_head)
				return;
			if (!(MYTCP_SKB_CB(skb)->sacked & MYTCP_SACKED_ACKED))
				break;
		}
		if (skb == (struct sk_buff *)&sk->sk_write_queue ||
		    mytcp_retransmit_skb(sk, skb))
			return;
		/* in the pipe as the recovery's own resends (sack.c) */
		if ((MYTCP_SKB_CB(skb)->sacked & MYTCP_SACKED_LOST) &&
		    !(MYTCP_SKB_CB(skb)->sacked & MYTCP_SACKED_RETRANS)) {
			MYTCP_SKB_CB(skb)->sacked |= MYTCP_SACKED_RETRANS;
			mtp->retrans_bytes += skb->len;
		}
	}
	MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_RECOVERY_PROBES);
}

void mytcp_tlp_probe(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct mytcp_rack *r = &mtp->rack;
	u32 nxt = mtp->snd_nxt;
	struct sk_buff *skb;

	if (!mytcp_tlp_wanted(sk))
		return;
	if (mtp->ca_state == MYTCP_CA_RECOVERY) {
		recovery_probe(sk);
		mytcp_clear_timer_lazy(sk, MYTCP_T_TLP);
		goto rearm;
	}
	/* New data if the peer's window takes it, cwnd or not. */
	r->tlp_push = 1;
	mtp->force_send = 1;
	mytcp_push(sk);
	mtp->force_send = 0;
	r->tlp_push = 0;
	r->tlp_rtx = 0;
	if (mtp->snd_nxt == nxt) {
		skb = tlp_last_segment(sk);
		if (!skb || mytcp_retransmit_skb(sk, skb))
			goto rearm;
		r->tlp_rtx = 1;
	}
	r->tlp_high_seq = mtp->snd_nxt;
	mytcp_clear_timer_lazy(sk, MYTCP_T_TLP);	/* one per tail */
	MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_TLP);
rearm:
	mytcp_rearm_rtx(sk);
}

/*
 * F-RTO (RFC 5682 3.1, the SACK-enhanced version, as Linux's
 * tcp_process_loss()): an RTO that is not the first of a fast recovery
 * retransmits the first segment as usual; new_episode says so.
 */
void mytcp_frto_start(struct sock *sk, bool new_episode)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	mtp->rack.frto = new_episode && mtp->sack_ok &&
			 READ_ONCE(mytcp_pernet(sock_net(sk))->frto) &&
			 ((1 << sk->sk_state) & (TCPF_ESTABLISHED |
						 TCPF_CLOSE_WAIT));
	mtp->rack.frto_high = mtp->snd_max;
}

/*
 * An ACK after an RTO with F-RTO on (before SND.UNA moves and the loss
 * state may end): never-retransmitted data (S)ACKed shows the RTO
 * spurious - undo (step 3.b); else the first ACK that moves SND.UNA sends
 * new data instead of the next retransmissions (2.b), and a SACK or a
 * duplicate ACK after that shows the loss real (3.a): go back to
 * SND.UNA as an RTO does.  Without new data to send, the conventional
 * recovery from the start.
 */
void mytcp_frto_ack(struct sock *sk, bool progress, bool sacked_new)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct mytcp_rack *r = &mtp->rack;
	struct sk_buff *skb;

	if (!r->frto)
		return;
	if (mtp->ca_state != MYTCP_CA_LOSS) {
		r->frto = 0;
		return;
	}
	if (r->orig_acked && mytcp_undo_frto(sk)) {
		r->frto = 0;
		return;
	}
	if (after(mtp->snd_max, r->frto_high)) {
		if (sacked_new || !progress) {
			r->frto = 0;		/* 3.a: the loss was real */
			mytcp_wq_rewind(sk);
		}
		return;
	}
	if (!progress)
		return;
	/* 2.b: new data if the peer's window takes it */
	skb = mtp->send_head;
	while (skb && before(MYTCP_SKB_CB(skb)->seq, mtp->snd_max))
		skb = skb_queue_is_last(&sk->sk_write_queue, skb) ? NULL :
		      skb_queue_next(&sk->sk_write_queue, skb);
	if (!skb || !before(MYTCP_SKB_CB(skb)->seq,
			    mtp->snd_una + mtp->snd_wnd)) {
		r->frto = 0;
		return;
	}
	while ((skb = mtp->send_head) &&
	       before(MYTCP_SKB_CB(skb)->seq, mtp->snd_max))
		mytcp_wq_sent(sk, skb);
	if (after(mtp->snd_max, mtp->snd_nxt))
		mtp->snd_nxt = mtp->snd_max;
}
