// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: input - the RFC 9293 state machine (3.10.7): one segment for one
 * socket, per state.
 *
 * The family's receive path (ipv4.c) finds the socket and hands it the
 * segment (validated, skb->data at the TCP header, MYTCP_SKB_CB filled)
 * with the socket owned and BH disabled: directly from the hook, or from
 * the socket backlog through mytcp_backlog_rcv() when the user held it.
 * Nothing here sleeps.  LISTEN makes children (listen.c), SYN_SENT
 * completes an active open, and the synchronized states run the RFC's
 * checks in order, one function each: sequence number (with PAWS first),
 * RST, SYN, ACK (ack.c processes an acceptable one), then the text and FIN
 * (data.c).  TIME_WAIT segments are handled without a socket in
 * timewait.c.
 */
#include "mytcp.h"
#include "trace.h"
#include "demux.h"

/* ---- helpers ---- */

static u32 rcv_window_left(const struct mytcp_sock *mtp)
{
	s32 w = mtp->rcv_wup + mtp->rcv_wnd - mtp->rcv_nxt;

	return w > 0 ? w : 0;
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

/* A segment dropped for a reason: counted, and shown by mytcp_drop. */
void mytcp_dropped(struct sock *sk, struct sk_buff *skb, int item,
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

/* ---- the state machine ---- */

static int listen_rcv(struct sock *sk, struct sk_buff *skb,
		      const struct mytcp_opts *opts)
{
	const struct tcphdr *th = tcp_hdr(skb);
	u32 backlog = READ_ONCE(sk->sk_max_ack_backlog);
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct net *net = sock_net(sk);
	bool want_cookie;
	int cookies;

	if (th->rst)
		goto drop;
	if (th->ack) {
		/* The return of a SYN cookie (syncookies.c)? */
		if (!th->syn && mytcp_cookie_ack(sk, skb, opts))
			return 0;
		mytcp_send_reset_reply(net, skb);
		goto drop;
	}
	if (!th->syn || th->fin)
		goto drop;
	/*
	 * The queues over the backlog: a SYN cookie, or a drop, as
	 * net.mytcp.syncookies says (2: cookies always); a full accept
	 * queue drops the SYN either way (Linux's tcp_conn_request()).
	 */
	cookies = READ_ONCE(mytcp_pernet(net)->syncookies);
	want_cookie = cookies == 2 ||
		      mtp->accept_qlen + mtp->syn_qlen > backlog;
	if (want_cookie && (!cookies || mtp->accept_qlen > backlog)) {
		mytcp_dropped(sk, skb, MYTCP_STAT_DROP_LISTEN_OVERFLOW,
			      "listen overflow");
		goto drop;
	}
	/* Data on a SYN is not kept: the peer sends it again. */
	if (want_cookie)
		mytcp_cookie_synack(sk, skb, opts);
	else
		mytcp_req_create(sk, skb, opts);
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

	mytcp_ecn_rcv_syn(sk, cb->flags);
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
		mytcp_ack(sk, cb->ack_seq, ntohs(th->window), cb->seq, opts);
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
			mytcp_data_queue(sk, skb);
			return 0;
		}
		mytcp_inject_expect_hsack(sk);
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
 * Simultaneous open: the peer's SYN,ACK completes our SYN_RCVD; its SYN
 * is then no SYN for the checks that follow.
 */
static void simultaneous_synack(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (sk->sk_state == TCP_SYN_RECV && !mtp->parent &&
	    (cb->flags & (TCPHDR_SYN | TCPHDR_ACK)) ==
	    (TCPHDR_SYN | TCPHDR_ACK) &&
	    cb->seq + 1 == mtp->rcv_nxt && cb->ack_seq == mtp->snd_nxt) {
		cb->seq++;
		cb->flags &= ~TCPHDR_SYN;
	}
}

/* Where the data of an old segment ends, at most RCV.NXT (D-SACK). */
static u32 old_data_end(const struct mytcp_sock *mtp,
			const struct mytcp_skb_cb *cb)
{
	u32 end = cb->end_seq - !!(cb->flags & TCPHDR_FIN);

	return before(end, mtp->rcv_nxt) ? end : mtp->rcv_nxt;
}

/*
 * PAWS (RFC 7323 5): an old timestamp marks an old duplicate.  Pure ACKs
 * are exempt: reordered ACKs are harmless (as Linux).  A TSval up to
 * MYTCP_PAWS_WINDOW (one tick, 1 ms) older than TS.Recent passes, as
 * Linux's TCP_PAWS_WINDOW: on a reordering path a segment the network held
 * back arrives after one sent a moment later filled RCV.NXT and moved
 * TS.Recent; it is new data, not a wrapped sequence number, and dropped
 * it must be sent again (issue 16's "bad" path).  True: drop it.
 */
static bool paws_reject(struct sock *sk, struct sk_buff *skb,
			const struct mytcp_opts *opts)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (!mtp->ts_ok || !opts->saw_ts || (cb->flags & TCPHDR_RST) ||
	    cb->end_seq == cb->seq ||
	    (s32)(mtp->ts_recent - opts->tsval) <= MYTCP_PAWS_WINDOW)
		return false;
	/*
	 * Data below RCV.NXT: a copy of what arrived - on a reordering path
	 * the original that a resend overtook (the resend moved TS.Recent).
	 * As Linux's tcp_send_dupack(): a D-SACK tells the sender its resend
	 * was spurious (its undo, sack.c), quick ACKs follow, and the answer
	 * is not rate limited (data does not loop).  Other PAWS-failed
	 * segments - data at or above RCV.NXT with an old timestamp, which
	 * Linux answers one by one - are rate limited (hostile_seg.py).
	 */
	if (cb->end_seq != cb->seq && !(cb->flags & TCPHDR_SYN) &&
	    before(cb->seq, mtp->rcv_nxt)) {
		mytcp_dsack_set(sk, cb->seq, old_data_end(mtp, cb));
		mytcp_enter_quickack(sk, MYTCP_MAX_QUICKACKS);
		mytcp_send_ack(sk);
	} else if (!mytcp_oow_rate_limited(sock_net(sk), &mtp->oow_stamp)) {
		mytcp_send_ack(sk);
	}
	mytcp_dropped(sk, skb, MYTCP_STAT_DROP_PAWS, "paws");
	return true;
}

/* First check: the sequence number.  False: not acceptable, drop it. */
static bool check_seq(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	struct mytcp_sock *mtp = mytcp_sk(sk);
	bool syn = cb->flags & TCPHDR_SYN;

	if (mytcp_seq_acceptable(mtp->rcv_nxt, rcv_window_left(mtp), cb->seq,
				 cb->end_seq - cb->seq))
		return true;
	/* Late, not stray: sent before our last ACK reached the peer
	 * (Linux's tcp_sequence()).  A SYN keeps the answers below.
	 */
	if (!syn && mytcp_seq_since_wup(mtp->rcv_wup, mtp->rcv_nxt,
					cb->end_seq))
		return true;
	if (cb->flags & TCPHDR_RST) {
		/* no answer to a reset */
	} else if (sk->sk_state == TCP_SYN_RECV && syn &&
		   cb->seq == mtp->irs) {
		/* SYN again: SYN-ACK again, rate limited */
		if (!mytcp_oow_rate_limited(sock_net(sk), &mtp->oow_stamp))
			mytcp_retransmit_head(sk);
	} else {
		/* A SYN-ACK again: our handshake ACK was lost, and this ACK
		 * completes it instead (teaching mode classifies it so).
		 */
		if (syn && (cb->flags & TCPHDR_ACK) && cb->seq == mtp->irs)
			mytcp_inject_expect_hsack(sk);
		/* Old data again: a D-SACK tells the sender (RFC 2883),
		 * and quick ACKs follow (data.c).
		 */
		else if (!syn && before(cb->seq, mtp->rcv_nxt)) {
			mytcp_dsack_set(sk, cb->seq, old_data_end(mtp, cb));
			if (cb->end_seq != cb->seq)
				mytcp_enter_quickack(sk, MYTCP_MAX_QUICKACKS);
		}
		send_oow_ack(sk, skb);
	}
	mytcp_dropped(sk, skb, MYTCP_STAT_DROP_NOT_ACCEPTABLE,
		      "not acceptable");
	return false;
}

/* Second check: RST (RFC 5961 3.2): exactly at RCV.NXT, or challenged. */
static void check_rst(struct sock *sk, struct sk_buff *skb)
{
	if (MYTCP_SKB_CB(skb)->seq == mytcp_sk(sk)->rcv_nxt)
		reset_received(sk);
	else
		send_challenge_ack(sk);
}

/*
 * Fourth check: a SYN in a synchronized state (RFC 5961 4.2) draws a
 * challenge ACK; a stream of them is rate limited like other invalid
 * segments (as Linux).
 */
static void check_syn(struct sock *sk)
{
	if (!mytcp_oow_rate_limited(sock_net(sk), &mytcp_sk(sk)->oow_stamp))
		send_challenge_ack(sk);
}

/*
 * Fifth check, SYN_RCVD: an ACK of our SYN establishes the connection.
 * False: the segment is used up (reset sent, or the child went away).
 */
static bool ack_establishes(struct sock *sk, struct sk_buff *skb,
			    const struct mytcp_opts *opts)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 win = ntohs(tcp_hdr(skb)->window), ack = cb->ack_seq;

	if (!after(ack, mtp->snd_una) || after(ack, mtp->snd_max)) {
		mytcp_send_reset_reply(sock_net(sk), skb);
		return false;
	}
	/*
	 * TCP_DEFER_ACCEPT on the listener, as tcp_check_req(): a bare ACK
	 * (no data, no FIN) is dropped while the SYN-ACK was retransmitted
	 * fewer times than the option says; the child waits for data, or
	 * for the ACK to a later SYN-ACK (timer.c).
	 */
	if (mtp->parent && cb->end_seq == cb->seq &&
	    mtp->retransmits <
	    READ_ONCE(mytcp_sk(mtp->parent)->defer_accept)) {
		mtp->defer_acked = 1;
		return false;
	}
	replace_ts_recent(mtp, opts, cb->seq);
	mytcp_set_state(sk, TCP_ESTABLISHED);
	mtp->snd_wl1 = cb->seq;
	mtp->snd_wl2 = ack;
	mtp->snd_wnd = win << mtp->snd_wscale;
	mytcp_sync_mss(sk);
	mytcp_ack(sk, ack, win, cb->seq, opts);
	mytcp_keepalive_reset(sk);
	/* The SYN-ACK's sequence number is no data (as Linux). */
	if (mtp->bytes_acked)
		mtp->bytes_acked--;
	if (mtp->parent) {
		mytcp_child_established(sk);
		return sk->sk_state != TCP_CLOSE;
	}
	sk->sk_state_change(sk);
	sk_wake_async(sk, SOCK_WAKE_IO, POLL_OUT);
	return true;
}

/*
 * Fifth check, synchronized states: an ACK beyond what was sent, or older
 * than the largest window back, is challenged (RFC 5961 5.2); an
 * acceptable one is processed (ack.c).  False: drop the segment.
 */
static bool check_ack(struct sock *sk, struct sk_buff *skb,
		      const struct mytcp_opts *opts)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 ack = cb->ack_seq;
	bool ece, progress;

	if (sk->sk_state == TCP_SYN_RECV)
		return ack_establishes(sk, skb, opts);
	if (after(ack, mtp->snd_max)) {
		mytcp_dropped(sk, skb, MYTCP_STAT_DROP_ACK_UNSENT,
			      "ack of unsent data");
		send_challenge_ack(sk);
		return false;
	}
	if (before(ack, mtp->snd_una - mtp->max_window)) {
		send_challenge_ack(sk);
		return false;
	}
	replace_ts_recent(mtp, opts, cb->seq);
	ece = mytcp_ecn_echoed(sk, skb);
	progress = mytcp_ack(sk, ack, ntohs(tcp_hdr(skb)->window), cb->seq,
			     opts);
	if (ece)
		mytcp_ecn_ack(sk, progress);
	return true;
}

/*
 * Our FIN acknowledged: FIN_WAIT1 -> FIN_WAIT2, CLOSING -> TIME_WAIT,
 * LAST_ACK -> CLOSED.  True: the connection is over for this socket.
 */
static bool fin_acked(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (!mtp->fin_queued || mtp->snd_una != mtp->write_seq)
		return false;
	switch (sk->sk_state) {
	case TCP_FIN_WAIT1:
		mytcp_set_state(sk, TCP_FIN_WAIT2);
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | SEND_SHUTDOWN);
		sk->sk_state_change(sk);
		mytcp_fin_wait2_timeout(sk);
		return false;
	case TCP_CLOSING:
		mytcp_time_wait(sk);
		return true;
	case TCP_LAST_ACK:
		mytcp_done(sk);
		return true;
	}
	return false;
}

/*
 * New data for a socket the application closed: nobody will read it; say
 * so with a reset (RFC 1122 4.2.2.13, RFC 9293 3.6).  True: reset sent.
 */
static bool data_after_close(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	bool fin = cb->flags & TCPHDR_FIN;

	if (!sock_flag(sk, SOCK_DEAD) || !(sk->sk_shutdown & RCV_SHUTDOWN) ||
	    skb->len <= tcp_hdrlen(skb) ||
	    !after(cb->end_seq - fin, mytcp_sk(sk)->rcv_nxt) ||
	    !((1 << sk->sk_state) & (TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2)))
		return false;
	mytcp_send_active_reset(sk, GFP_ATOMIC);
	mytcp_done(sk);
	return true;
}

/* Segments in SYN_RCVD and every synchronized state, check by check. */
static int synchronized_rcv(struct sock *sk, struct sk_buff *skb,
			    const struct mytcp_opts *opts)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

	simultaneous_synack(sk, skb);
	if (paws_reject(sk, skb, opts) || !check_seq(sk, skb))
		goto drop;
	mytcp_sk(sk)->last_rcv_ns = ktime_get_ns();
	/* TS.Recent waits for an acceptable ACK (replace_ts_recent()). */
	if (cb->flags & TCPHDR_RST) {
		check_rst(sk, skb);
		goto drop;
	}
	/* Third check (security) does not apply: no IP security options. */
	if (cb->flags & TCPHDR_SYN) {
		check_syn(sk);
		goto drop;
	}
	if (!(cb->flags & TCPHDR_ACK) || !check_ack(sk, skb, opts))
		goto drop;
	if (fin_acked(sk)) {
		consume_skb(skb);
		return 0;
	}
	if (data_after_close(sk, skb))
		goto drop;
	/* Sixth (URG) is not supported; seventh and eighth: data and FIN. */
	if (skb->len > tcp_hdrlen(skb) || (cb->flags & TCPHDR_FIN)) {
		switch (sk->sk_state) {
		case TCP_ESTABLISHED:
		case TCP_FIN_WAIT1:
		case TCP_FIN_WAIT2:
			mytcp_data_queue(sk, skb);
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
int mytcp_rcv_state_process(struct sock *sk, struct sk_buff *skb)
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
	trace_mytcp_segment(sk, NULL, skb, false);
	switch (sk->sk_state) {
	case TCP_CLOSE:
		/* The connection ended while this waited in the backlog (or
		 * after its lookup): dropped, as Linux's (TCP_CLOSE): a reset
		 * would answer for a connection that closed cleanly and may
		 * sit in TIME_WAIT, which answers the peer's retransmissions.
		 */
		mytcp_dropped(sk, skb, MYTCP_STAT_DROP_CLOSED, "closed");
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
	mytcp_rx_dst_take(sk, skb);
	mytcp_rcv_state_process(sk, skb);
	local_bh_enable();
	return 0;
}
