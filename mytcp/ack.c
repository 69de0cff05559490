// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: processing an acceptable ACK - RFC 9293 3.10.7.4, fifth check.
 *
 * mytcp_ack() runs the steps in the order of Linux's tcp_ack():
 *  1. the peer's SACK blocks update the scoreboard (sack.c);
 *  2. what SEG.ACK covers leaves the retransmit queue (clean_rtx_queue(),
 *     taking an RTT sample on the way: Karn's rule, RFC 7323 timestamps);
 *  3. SND.UNA advances and the retransmission state resets;
 *  4. a tail loss probe's episode is settled (rack.c's mytcp_tlp_ack(),
 *     Linux's tcp_process_tlp_ack(), before tcp_fastretrans_alert()): a
 *     probe that repaired a loss reduces cwnd, and a new loss the same
 *     ACK shows reduces it again from there, as Linux;
 *     recovery: a full ACK ends it, a partial one retransmits the next
 *     hole; outside recovery cwnd grows (cong.c); or a duplicate ACK is
 *     counted;
 *  5. loss detection: RACK (rack.c, RFC 8985) with SACK, or three
 *     duplicates or enough SACKed above SND.UNA, start fast retransmit
 *     and recovery (RFC 5681, 6582, 6675); the tail loss probe is
 *     scheduled (timer.c);
 *  6. the send window (SND.WL1/SND.WL2 rule);
 *  7. writers blocked on a full send buffer are woken.
 * The congestion window arithmetic is cong.c's; which segment to resend is
 * output.c's (mytcp_retransmit_head()) and sack.c's (mytcp_sack_recover()).
 *
 * Locking: socket owned, BH disabled (input.c).
 */
#include "mytcp.h"
#include "trace.h"

/*
 * Is the first unacknowledged segment lost?  Three duplicate ACKs, or
 * three segments SACKed above it (RFC 6675), or - when fewer than four
 * segments are out and nothing new can be sent to draw more ACKs - all
 * but one of them SACKed (early retransmit, RFC 5827).  With SACK,
 * DupThresh is the reordering degree seen (rack.c; 3 until then), as
 * Linux's tp->reordering.
 */
static bool loss_detected(const struct sock *sk)
{
	const struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 out = DIV_ROUND_UP(mtp->snd_max - mtp->snd_una, mtp->mss);
	u32 thresh = mtp->sack_ok ? mytcp_reordering(sk) : 3;

	if (mtp->dupacks >= thresh)
		return true;
	if (!mtp->sack_ok || !mtp->sacked_bytes)
		return false;
	if (mtp->sacked_bytes >= (u64)thresh * mtp->mss)
		return true;
	return out < 4 && !mtp->send_head &&
	       mtp->sacked_bytes >= (out - 1) * mtp->mss;
}

/*
 * Loss detected outside recovery: with RACK (rack.c), a segment it
 * marked lost; else the duplicate-ACK rules of loss_detected().  After
 * an RTO, not before recover is acknowledged (RFC 6582 4).
 */
static bool recovery_due(const struct sock *sk)
{
	const struct mytcp_sock *mtp = mytcp_sk(sk);

	return mtp->ca_state < MYTCP_CA_RECOVERY &&
	       mtp->snd_una != mtp->snd_max && sk->sk_state != TCP_SYN_SENT &&
	       (mytcp_rack_on(sk) ? mtp->rack.lost_bytes : loss_detected(sk));
}

/* The send times of what an ACK delivers (RTT samples, Karn's rule). */
struct ack_times {
	u64 first;	/* oldest segment newly acknowledged, not SACKed */
	u64 last;	/* newest such */
	bool retrans;	/* a retransmitted segment among them */
};

static void ack_time(struct ack_times *t, const struct mytcp_skb_cb *cb)
{
	if (cb->retrans) {
		t->retrans = true;
	} else if (!(cb->sacked & MYTCP_SACKED_ACKED) && cb->sent_ns) {
		if (!t->first)
			t->first = cb->sent_ns;
		t->last = cb->sent_ns;
	}
}

/*
 * Free what ack covers; an skb partly covered loses its acknowledged
 * bytes so a retransmission sends only the rest.  Returns the RTT of the
 * oldest segment this ACK delivered, in ns, and in *ca_rtt that of the
 * newest (as Linux's seq_rtt and ca_rtt): segments SACKed before do not
 * count - their delivery was earlier, and the cumulative ACK that fills
 * a hole would give the few microseconds since the latest of them was
 * sent - and none when a retransmitted
 * segment is acknowledged (Karn's rule; the echoed timestamp dates it:
 * ack_rtt()).  0: no sample.
 */
static u64 clean_rtx_queue(struct sock *sk, u32 ack, u64 now, u64 *ca_rtt,
			   const struct mytcp_opts *opts)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct ack_times t = { };
	struct sk_buff *skb;

	*ca_rtt = 0;
	while ((skb = skb_peek(&sk->sk_write_queue))) {
		struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
		u32 n = ack - cb->seq;

		/* not a resend whose original this ACK reports (rack.c) */
		if (!(cb->sacked & MYTCP_SACKED_ACKED) && after(ack, cb->seq) &&
		    !mytcp_rack_spurious_rtx(sk, skb, opts))
			mytcp_rack_advance(sk, skb, now, true);
		if (!after(cb->end_seq, ack)) {
			ack_time(&t, cb);
			mytcp_wq_acked(sk, skb);
			continue;
		}
		if (after(ack, cb->seq) && skb->len &&
		    !(cb->flags & TCPHDR_SYN) && skb != mtp->send_head) {
			ack_time(&t, cb);
			n = min(n, skb->len);
			/* No memory: left whole, resent whole. */
			if (!mytcp_trim_head(sk, skb, n)) {
				mytcp_sack_forget(sk, skb, n);
				cb->seq = ack;
			}
		}
		break;
	}
	if (t.retrans || !t.first || now < t.last)
		return 0;
	*ca_rtt = now - t.last;
	return now - t.first;
}

/* An RTT sample from the ACK, if it gives one (RFC 6298, RFC 7323 4.1). */
static void ack_rtt(struct sock *sk, u64 rtt_ns,
		    const struct mytcp_opts *opts)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (rtt_ns) {
		mytcp_rtt_sample(sk, div_u64(rtt_ns, NSEC_PER_USEC));
	} else if (mtp->ts_ok && opts->saw_ts && opts->tsecr) {
		/* Retransmitted data: the echoed timestamp still dates the
		 * segment that was acknowledged, so the backed-off RTO can
		 * come down.
		 */
		u32 ms = mytcp_ts_now(mtp) - opts->tsecr;

		if (ms < 60 * MSEC_PER_SEC)
			mytcp_rtt_sample(sk, max(ms, 1U) * USEC_PER_MSEC);
	}
}

/* SND.UNA advances to ack: the retransmission state starts over. */
static void snd_una_update(struct sock *sk, u32 ack)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	mtp->bytes_acked += ack - mtp->snd_una;
	mtp->snd_una = ack;
	if (before(mtp->snd_nxt, ack))
		mtp->snd_nxt = ack;
	mtp->retransmits = 0;
	mtp->backoff = 0;
	mtp->rtx_start_ns = 0;
	mtp->dupacks = 0;
	if (before(mtp->highest_sack, ack))
		mtp->highest_sack = ack;
}

/*
 * New data acknowledged: recovery goes on or ends, or cwnd grows by what
 * the ACK delivered.  hold: a late original filled the hole (sack.c's
 * Eifel): nothing retransmitted.  An ACK that also shows a loss starts
 * the recovery instead of growing cwnd: the reduction is from the window
 * the loss happened in, and the ACK's share is PRR's (Linux's tcp_ack():
 * tcp_fastretrans_alert() first, then tcp_cong_control() reduces rather
 * than runs cong_avoid() while in a cwnd reduction).
 */
static void ack_progress(struct sock *sk, u32 ack, u32 acked, u32 delivered,
			 bool hold)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (mtp->ca_state != MYTCP_CA_RECOVERY) {
		if (recovery_due(sk))
			mytcp_ack_enter_recovery(sk, delivered);
		else if (sk->sk_state != TCP_SYN_SENT &&
			 sk->sk_state != TCP_SYN_RECV)
			mytcp_cong_on_ack(sk, ack, acked, delivered);
	} else if (!before(ack, mtp->recover)) {
		mytcp_cong_end_recovery(sk);	/* full ACK (RFC 6582) */
		mytcp_rack_recovery_end(sk);
		/* and it grows cwnd by what it delivered, as Linux's
		 * tcp_cong_control() after tcp_end_cwnd_reduction() (without
		 * SACK Linux holds Recovery until beyond recover) - unless
		 * it shows a new loss beyond recover: a new recovery
		 */
		if (recovery_due(sk))
			mytcp_ack_enter_recovery(sk, delivered);
		else if (mtp->sack_ok || after(ack, mtp->recover))
			mytcp_cong_on_ack(sk, ack, acked, delivered);
	} else if (mtp->sack_ok) {
		if (!hold)
			mytcp_sack_recover(sk);
	} else {
		/* Partial ACK: the next hole was lost too. */
		mytcp_retransmit_head(sk);
		mytcp_cong_partial_ack(sk, acked);
	}
}

/*
 * A duplicate ACK (RFC 5681 2: nothing new acknowledged, no window
 * change, data outstanding; with SACK: it carries new SACK information).
 */
static void ack_duplicate(struct sock *sk, u32 win, bool sacked_new)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (mtp->snd_una == mtp->snd_max ||
	    !(mtp->sack_ok ? sacked_new :
	      (win << mtp->snd_wscale) == mtp->snd_wnd))
		return;
	mtp->dupacks++;
	if (mtp->ca_state == MYTCP_CA_RECOVERY && mtp->sack_ok)
		mytcp_sack_recover(sk);
	else if (mtp->ca_state == MYTCP_CA_RECOVERY)
		mytcp_cong_dupack(sk);
}

/* Fast retransmit and recovery (RFC 5681, 6675; or RACK's loss: rack.c). */
void mytcp_ack_enter_recovery(struct sock *sk, u32 delivered)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_FAST_RETRANS);
	mytcp_undo_start(sk);
	mytcp_cong_enter_recovery(sk);
	/* this ACK's share (PRR); it signalled a loss: not a safe ACK */
	mytcp_cong_prr(sk, delivered, false);
	mtp->rack.tlp_high_seq = 0;	/* the recovery responds instead */
	mtp->rack.rprobe = 0;		/* one probe per recovery (rack.c) */
	if (mtp->sack_ok)
		mytcp_sack_fast_retransmit(sk);
	else
		mytcp_retransmit_head(sk);
}

static void maybe_enter_recovery(struct sock *sk, u32 delivered)
{
	if (recovery_due(sk))
		mytcp_ack_enter_recovery(sk, delivered);
}

/* The send window (RFC 9293 3.10.7.4: the SND.WL1/SND.WL2 rule). */
static void window_update(struct sock *sk, u32 ack, u32 win, u32 seq)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (!before(mtp->snd_wl1, seq) &&
	    (mtp->snd_wl1 != seq || before(ack, mtp->snd_wl2)))
		return;
	mtp->snd_wnd = win << mtp->snd_wscale;
	mtp->snd_wl1 = seq;
	mtp->snd_wl2 = ack;
	if (mtp->snd_wnd > mtp->max_window)
		mtp->max_window = mtp->snd_wnd;
	if (mtp->snd_wnd) {
		mtp->probes_out = 0;
		mytcp_persist_stop(sk);
	}
}

/*
 * Space was freed.  The send buffer shrunk by the memory limit
 * (send.c) grows back once the pressure is over.  Writers are woken
 * only when one ran out of space (SOCK_NOSPACE, set by a blocked
 * sendmsg() or by poll()): a wake-up per ACK would also wake every reader
 * sleeping on the same wait queue; and only once a third of the buffer
 * is free (mytcp_stream_writeable(), as Linux's sk_stream_write_space()).
 */
static void wake_writers(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (mtp->sndbuf_full && !mytcp_under_memory_pressure()) {
		if (!(sk->sk_userlocks & SOCK_SNDBUF_LOCK))
			WRITE_ONCE(sk->sk_sndbuf, mtp->sndbuf_full);
		mtp->sndbuf_full = 0;
	}
	if (sk->sk_socket) {
		smp_mb();	/* pairs with mytcp_poll() */
		if (test_bit(SOCK_NOSPACE, &sk->sk_socket->flags) &&
		    mytcp_stream_writeable(sk, 1))
			sk->sk_write_space(sk);
	}
}

/*
 * An acceptable ACK: SEG.ACK ack, SEG.WND win (unscaled), SEG.SEQ seq.
 * Returns true when it acknowledged new data.
 */
bool mytcp_ack(struct sock *sk, u32 ack, u32 win, u32 seq,
	       const struct mytcp_opts *opts)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	bool progress = after(ack, mtp->snd_una);
	u32 prior_sacked = mtp->sacked_bytes, delivered = 0;
	u64 now = ktime_get_ns();
	bool sacked_new, dsack;

	mtp->last_ack_rcv_ns = now;
	/* The peer answers: no probe of ours is outstanding (as Linux) -
	 * unless the answer is to a zero-window probe and keeps the window
	 * shut: those count toward the persist timer's limit, or a peer
	 * that ACKs every probe would hold an orphan forever.
	 */
	if (progress || !mtp->send_head || mtp->snd_una != mtp->snd_nxt)
		mtp->probes_out = 0;
	mtp->rack.orig_acked = 0;
	mtp->rack.reo_armed = 0;
	dsack = mytcp_undo_dsack(sk, ack, opts);
	mtp->rack.prior_fack = mtp->rack.fack;
	mtp->rack.ack_sent_ns = 0;
	sacked_new = opts->num_sacks && mytcp_sack_process(sk, opts);
	if (progress) {
		u32 acked = ack - mtp->snd_una, lost;
		u64 ca_rtt_ns, rtt_ns = clean_rtx_queue(sk, ack, now, &ca_rtt_ns,
							opts);
		bool hold;

		mytcp_rack_reord_check(sk);
		mytcp_rack_reo_wnd_ack(sk);
		hold = mytcp_undo_eifel(sk, opts);
		mytcp_frto_ack(sk, true, sacked_new);
		snd_una_update(sk, ack);
		mytcp_sack_loss_end(sk, ack);
		ack_rtt(sk, rtt_ns, opts);
		mytcp_cong_pkts_acked(sk, acked, ca_rtt_ns);
		lost = mtp->rack.lost_bytes;
		if (!hold)
			mytcp_rack_mark_lost(sk);
		/* delivered: cumulatively or by new SACKs (PRR) */
		delivered = max_t(s64, (s64)acked + mtp->sacked_bytes -
				  prior_sacked, 0);
		if (mtp->ca_state == MYTCP_CA_RECOVERY)
			mytcp_cong_prr(sk, delivered,
				       mtp->rack.lost_bytes <= lost);
		mytcp_tlp_ack(sk, ack, dsack, true);
		ack_progress(sk, ack, acked, delivered, hold);
		mytcp_rearm_rtx(sk);
		/* Data acknowledged and RACK armed no reorder timer on this
		 * ACK: the RTO (or the probe) takes over, and what waited out
		 * the reordering window waits for an ACK that delivers
		 * something - Linux's tcp_set_xmit_timer() replaces
		 * ICSK_TIME_REO_TIMEOUT on its one retransmit timer.  A late
		 * original that fills the hole (nothing for RACK) leaves the
		 * others, late too, their chance.
		 */
		if (!mtp->rack.reo_armed)
			mytcp_clear_timer_lazy(sk, MYTCP_T_REO);
	} else if (ack == mtp->snd_una) {
		mytcp_rack_reord_check(sk);
		mytcp_rack_reo_wnd_ack(sk);
		mytcp_frto_ack(sk, false, sacked_new);
		mytcp_rack_mark_lost(sk);
		delivered = max_t(s64, (s64)mtp->sacked_bytes - prior_sacked,
				  0);
		if (mtp->ca_state == MYTCP_CA_RECOVERY)
			mytcp_cong_prr(sk, delivered, false);
		mytcp_tlp_ack(sk, ack, dsack, false);
		ack_duplicate(sk, win, sacked_new);
	}
	maybe_enter_recovery(sk, delivered);
	mytcp_cong_update_state(sk);
	mytcp_tlp_schedule(sk);
	window_update(sk, ack, win, seq);
	if (progress)
		wake_writers(sk);
	mytcp_trace_probe(sk);
	return progress;
}
