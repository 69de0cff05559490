// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: per-socket timers - retransmission (RFC 6298), delayed ACK,
 * zero-window probe (persist), keepalive (also the orphan FIN_WAIT_2
 * timeout), RACK's reordering timer and the tail loss probe (rack.c), the
 * compressed SACK (data.c).
 *
 * Timer-wheel timers and hrtimers: the retransmission, delayed-ACK,
 * persist, keepalive and loss-probe timers are timer-wheel timers (struct
 * timer_list), as Linux's (icsk_retransmit_timer, icsk_delack_timer,
 * sk_timer): a start or cancel is a bucket list update, where an hrtimer's
 * is an rbtree update and at times a clock-event reprogram, and a
 * connection starts and cancels several.  Their waits are rounded up to
 * whole jiffies and one more (never early; at most a wheel slot late:
 * exact to the jiffy below 64 jiffies, 8 jiffies' granularity up to 512).
 * RACK's reordering window and the compressed SACK wait fractions of a
 * millisecond: they stay hrtimers (Linux's compressed_ack_timer is one).
 *
 * Locking and lifetime:
 *  - Timers run in softirq context (the wheel's timer softirq;
 *    HRTIMER_MODE_ABS_SOFT).  A callback
 *    takes bh_lock_sock(); if the user owns the socket it sets the timer's
 *    bit in mtp->deferred and mytcp_release_cb() runs the handler when
 *    release_sock() is called.  Handlers always run with the socket owned.
 *  - Every queued timer holds a socket reference.  mytcp_reset_timer()
 *    takes one unless it dequeued a pending timer (whose reference it
 *    inherits); a callback drops its reference when done; cancelling a
 *    pending timer drops it.  So no timer can fire on a freed socket, and
 *    the module cannot unload while one is queued (sockets pin it).
 *  - Arming and cancelling happen with the socket owned.
 *  - Lazy deadlines: mtp->timer_due[id] is when the timer is wanted
 *    (ktime ns, 0: not wanted); the timer is an alarm that goes off no
 *    later than that (a wheel timer: no more than a slot later).  Moving
 *    a deadline later (the RTO on every ACK) or dropping it (the delayed
 *    ACK once an ACK went out, the RTO once all is acknowledged) only
 *    writes timer_due; an alarm that goes off early re-arms for the real
 *    deadline or does nothing (timer_wanted()).  Only an earlier deadline
 *    moves the timer.  An hrtimer start or cancel
 *    costs a base lock, an rbtree update and at times a clock-event
 *    reprogram; per segment that was a third of a request/response
 *    transaction.  (Linux does the same with its timer-wheel timers:
 *    inet_csk_clear_xmit_timer() leaves the timer queued.)  A lazily
 *    dropped alarm keeps its socket reference until it goes off;
 *    mytcp_clear_timer() and mytcp_clear_all_timers() really cancel.
 */
#include <net/tcp.h>
#include "mytcp.h"
#include "timercode.h"
#include "rtt.h"
#include "trace.h"

static const char *const timer_names[MYTCP_T_MAX] = {
	[MYTCP_T_RTX] = "retransmit",
	[MYTCP_T_DELACK] = "delack",
	[MYTCP_T_PERSIST] = "persist",
	[MYTCP_T_KEEPALIVE] = "keepalive",
	[MYTCP_T_REO] = "reorder",
	[MYTCP_T_TLP] = "loss_probe",
	[MYTCP_T_COMPSACK] = "comp_sack",
};

static bool timer_is_hr(int id)
{
	return id >= MYTCP_T_NWHEEL;
}

static struct hrtimer *timer_hr(struct mytcp_sock *mtp, int id)
{
	return &mtp->hrtimers[id - MYTCP_T_NWHEEL];
}

/* A wait of ns in jiffies: rounded up, and one more (never early). */
static unsigned long wheel_wait(u64 ns)
{
	return nsecs_to_jiffies(ns + TICK_NSEC - 1) + 1;
}

static bool alarm_queued(struct mytcp_sock *mtp, int id)
{
	if (timer_is_hr(id))
		return hrtimer_is_queued(timer_hr(mtp, id));
	return timer_pending(&mtp->timers[id]);
}

/* 1: dequeued; 0: idle; -1: its callback is running. */
static int alarm_try_cancel(struct mytcp_sock *mtp, int id)
{
	if (timer_is_hr(id))
		return hrtimer_try_to_cancel(timer_hr(mtp, id));
	return try_to_del_timer_sync(&mtp->timers[id]);
}

/* Queued to go off no later than due (ns), ns from now? */
static bool alarm_no_later(struct mytcp_sock *mtp, int id, u64 due, u64 ns)
{
	if (timer_is_hr(id)) {
		struct hrtimer *t = timer_hr(mtp, id);

		return hrtimer_is_queued(t) &&
		       ktime_to_ns(hrtimer_get_expires(t)) <= due;
	}
	return timer_pending(&mtp->timers[id]) &&
	       time_before_eq(READ_ONCE(mtp->timers[id].expires),
			      jiffies + wheel_wait(ns));
}

/* As mytcp_reset_timer(), the alarm going off up to slack ns late. */
static void reset_timer_range(struct sock *sk, int id, u64 ns, u64 slack)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u64 due = ktime_get_ns() + ns;
	int ret;

	WRITE_ONCE(mtp->timer_due[id], due);
	/* Queued to go off no later: it re-arms itself for due then. */
	if (alarm_no_later(mtp, id, due, ns))
		return;
	ret = alarm_try_cancel(mtp, id);
	/*
	 * 1: it was queued and is now dequeued: its reference carries over.
	 * 0: idle: take one.  -1: its callback is running (and drops its own
	 * reference when done); if the timer was re-armed meanwhile, that
	 * arming holds a reference already.  The queued state cannot change
	 * under us then: a running timer stays on its CPU's base, which is
	 * busy running the callback, and only the socket's owner (us) arms it.
	 */
	if (ret == 0 || (ret == -1 && !alarm_queued(mtp, id)))
		sock_hold(sk);
	if (timer_is_hr(id))
		hrtimer_start_range_ns(timer_hr(mtp, id), ns_to_ktime(due),
				       slack, HRTIMER_MODE_ABS_SOFT);
	else
		mod_timer(&mtp->timers[id], jiffies + wheel_wait(ns));
}

void mytcp_reset_timer(struct sock *sk, int id, u64 ns)
{
	reset_timer_range(sk, id, ns, 0);
}

/* Not wanted any more; the alarm may still go off, and then does nothing. */
void mytcp_clear_timer_lazy(struct sock *sk, int id)
{
	WRITE_ONCE(mytcp_sk(sk)->timer_due[id], 0);
}

static void mytcp_clear_timer(struct sock *sk, int id)
{
	WRITE_ONCE(mytcp_sk(sk)->timer_due[id], 0);
	if (alarm_try_cancel(mytcp_sk(sk), id) == 1)
		__sock_put(sk);
}

void mytcp_clear_all_timers(struct sock *sk)
{
	int i;

	for (i = 0; i < MYTCP_T_MAX; i++) {
		mytcp_clear_timer(sk, i);
		/* The caller holds a reference: this is never the last. */
		if (test_and_clear_bit(i, &mytcp_sk(sk)->deferred))
			__sock_put(sk);
	}
	if (test_and_clear_bit(MYTCP_DEFER_ICMP_BIT, &mytcp_sk(sk)->deferred))
		__sock_put(sk);
	clear_bit(MYTCP_DEFER_ACK_BIT, &mytcp_sk(sk)->deferred);
}

static bool mytcp_timer_pending(const struct sock *sk, int id)
{
	return READ_ONCE(mytcp_sk(sk)->timer_due[id]) != 0;
}

/* Nanoseconds until timer id is due (0 if overdue); -1 if not wanted. */
s64 mytcp_timer_left_ns(const struct sock *sk, int id)
{
	u64 due = READ_ONCE(mytcp_sk(sk)->timer_due[id]);
	u64 now = ktime_get_ns();

	if (!due)
		return -1;
	return due > now ? due - now : 0;
}

/*
 * The pending timer as /proc/net/tcp and inet_diag code it, and its time
 * left (timercode.h: RTO, RACK and TLP are 1, the first to expire; then
 * persist, keepalive).  0: none.
 */
int mytcp_timer_pending_code(struct sock *sk, s64 *left)
{
	struct mytcp_timers_left t = {
		.rtx = mytcp_timer_left_ns(sk, MYTCP_T_RTX),
		.reo = mytcp_timer_left_ns(sk, MYTCP_T_REO),
		.tlp = mytcp_timer_left_ns(sk, MYTCP_T_TLP),
		.persist = mytcp_timer_left_ns(sk, MYTCP_T_PERSIST),
		.keepalive = mytcp_timer_left_ns(sk, MYTCP_T_KEEPALIVE),
	};

	return mytcp_timer_code(&t, left);
}

/*
 * The alarm went off (socket owned): is the timer due?  An alarm whose
 * deadline moved later is re-armed for it; one no longer wanted is ignored.
 */
static bool timer_wanted(struct sock *sk, int id)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u64 due = mtp->timer_due[id], now = ktime_get_ns();

	if (!due)
		return false;
	if (due > now) {
		mytcp_reset_timer(sk, id, due - now);
		return false;
	}
	WRITE_ONCE(mtp->timer_due[id], 0);
	/* The tracepoint shows timers that are due, not early alarms. */
	trace_mytcp_timer(sk, NULL, timer_names[id]);
	return true;
}

/* ---- RTO estimation (RFC 6298 2.2-2.4, as Linux), in microseconds ---- */

static u32 rto_bound(struct sock *sk, u64 rto)
{
	struct mytcp_net *mn = mytcp_pernet(sock_net(sk));

	rto = max_t(u64, rto, (u64)READ_ONCE(mn->rto_min_ms) * 1000);
	return min_t(u64, rto, (u64)READ_ONCE(mn->rto_max_ms) * 1000);
}

/*
 * Linux's tcp_rtt_estimator() and tcp_set_rto() (rtt.h): rto_min enters
 * through rttvar (RTO = SRTT + max(4 * RTTVAR, rto_min)); the bound
 * is rto_max (RFC 6298 2.5).  A round of data ends when SND.UNA passes
 * the SND.NXT of its first sample (Linux's rtt_seq).
 */
void mytcp_rtt_sample(struct sock *sk, u32 rtt_us)
{
	struct mytcp_net *mn = mytcp_pernet(sock_net(sk));
	struct mytcp_sock *mtp = mytcp_sk(sk);
	bool new_round = !mtp->srtt_us || after(mtp->snd_una, mtp->rtt_seq);

	if (!rtt_us)
		rtt_us = 1;
	mtp->rtt_last_us = rtt_us;
	mytcp_rtt_estimate(&mtp->srtt_us, &mtp->mdev_us, &mtp->mdev_max_us,
			   &mtp->rttvar_us, rtt_us,
			   READ_ONCE(mn->rto_min_ms) * USEC_PER_MSEC,
			   new_round);
	if (new_round)
		mtp->rtt_seq = mtp->snd_nxt;
	mtp->rto_us = mytcp_rto_of(mtp->srtt_us, mtp->rttvar_us,
				   READ_ONCE(mn->rto_max_ms) * USEC_PER_MSEC);
}

/* Re-arm (or stop) the RTO after the retransmit queue changed. */
void mytcp_rearm_rtx(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (mtp->snd_una == mtp->snd_nxt)
		mytcp_clear_timer_lazy(sk, MYTCP_T_RTX);
	else
		mytcp_reset_timer(sk, MYTCP_T_RTX, (u64)mtp->rto_us * 1000);
}

/* Something is in flight: the RTO runs (unless it already does). */
void mytcp_rtx_ensure(struct sock *sk)
{
	if (!mytcp_timer_pending(sk, MYTCP_T_RTX))
		mytcp_reset_timer(sk, MYTCP_T_RTX,
				  (u64)mytcp_sk(sk)->rto_us * NSEC_PER_USEC);
}

/* RACK: a segment sent before RACK.xmit_ts is lost in ns unless ACKed. */
void mytcp_rack_timer_set(struct sock *sk, s64 ns)
{
	mytcp_reset_timer(sk, MYTCP_T_REO, max_t(s64, ns, 1));
}

/*
 * After an ACK or a transmission: in Open state with data in flight, a
 * tail loss probe goes out after PTO unless an ACK comes first (RFC 8985
 * 7.2); one per tail (rack.tlp_high_seq).  In fast recovery, with
 * net.mytcp.recovery_probe, one per recovery (rack.c's recovery_probe()).
 * Otherwise not wanted (mytcp_tlp_wanted()).
 */
void mytcp_tlp_schedule(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u64 ato = (u64)READ_ONCE(mytcp_pernet(sock_net(sk))->rto_min_ms) *
		  NSEC_PER_MSEC;

	if (!mytcp_tlp_wanted(sk)) {
		mytcp_clear_timer_lazy(sk, MYTCP_T_TLP);
		return;
	}
	mytcp_reset_timer(sk, MYTCP_T_TLP,
			  mytcp_tlp_pto_ns(mtp->srtt_us >> 3,
					   mtp->snd_nxt - mtp->snd_una <=
					   mtp->mss, ato,
					   mytcp_timer_left_ns(sk, MYTCP_T_RTX)));
}

/* The peer's window is shut with nothing in flight: probe it. */
void mytcp_persist_start(struct sock *sk)
{
	if (!mytcp_timer_pending(sk, MYTCP_T_PERSIST))
		mytcp_reset_timer(sk, MYTCP_T_PERSIST,
				  (u64)mytcp_sk(sk)->rto_us * NSEC_PER_USEC);
}

/*
 * A cork (TCP_CORK, MSG_MORE) holds a partial segment and nothing is in
 * flight: the persist timer sends it within MYTCP_CORK_NS, as Linux's
 * probe timer does (tcp_check_probe_timer() -> tcp_write_wakeup()).
 */
void mytcp_cork_timer_start(struct sock *sk)
{
	if (!mytcp_timer_pending(sk, MYTCP_T_PERSIST))
		mytcp_reset_timer(sk, MYTCP_T_PERSIST, MYTCP_CORK_NS);
}

/* The window opened. */
void mytcp_persist_stop(struct sock *sk)
{
	mytcp_sk(sk)->probes_start_ns = 0;
	mytcp_clear_timer(sk, MYTCP_T_PERSIST);
}

/* Data owes an ACK: it goes within the delayed-ACK time at the latest. */
void mytcp_delack_start(struct sock *sk)
{
	if (!mytcp_timer_pending(sk, MYTCP_T_DELACK))
		mytcp_reset_timer(sk, MYTCP_T_DELACK, MYTCP_DELACK_NS);
}

/*
 * ACKs held while out-of-order data is queued (data.c): one goes within
 * ns, up to slack_ns later (Linux's compressed_ack_timer, whose slack
 * lets the hrtimer share an interrupt); not moved while it runs.  Any
 * ACK sent drops it (output.c).
 */
void mytcp_comp_sack_start(struct sock *sk, u64 ns, u64 slack_ns)
{
	if (!mytcp_timer_pending(sk, MYTCP_T_COMPSACK))
		reset_timer_range(sk, MYTCP_T_COMPSACK, ns, slack_ns);
}

/*
 * The keepalive timer doubles as the FIN_WAIT2 timeout of an orphan (a
 * closed socket waiting for the peer's FIN), as in Linux.  Only the
 * functions below and keepalive_handler() know it.
 */
static bool orphan_in_fin_wait2(const struct sock *sk)
{
	return sock_flag(sk, SOCK_DEAD) && sk->sk_state == TCP_FIN_WAIT2;
}

/* An orphan reached FIN_WAIT2: it waits at most fin_timeout for the FIN. */
void mytcp_fin_wait2_timeout(struct sock *sk)
{
	if (orphan_in_fin_wait2(sk))
		mytcp_reset_timer(sk, MYTCP_T_KEEPALIVE,
				  mytcp_fin_timeout_ns(sk));
}

/* No keepalive any more (an orphan's FIN_WAIT2 timeout stays). */
void mytcp_keepalive_stop(struct sock *sk)
{
	if (!orphan_in_fin_wait2(sk))
		mytcp_clear_timer(sk, MYTCP_T_KEEPALIVE);
}

/* Abort: the application sees err (ETIMEDOUT, ECONNRESET, ...). */
static void abort_conn(struct sock *sk, int err)
{
	WRITE_ONCE(sk->sk_err, err);
	sk_error_report(sk);
	mytcp_done(sk);
}

/*
 * Too many orphans (more than net.mytcp.max_orphans, the count shifted
 * left by shift for a suspect one), or this socket holds send memory
 * while all of mytcp is above the hard limit: as Linux's tcp_check_oom().
 */
bool mytcp_check_oom(struct sock *sk, int shift)
{
	bool too_many = (atomic_read(&mytcp_orphans) << shift) >
			READ_ONCE(mytcp_max_orphans);
	bool no_mem = sk->sk_wmem_queued > SOCK_MIN_SNDBUF &&
		      atomic_long_read(&mytcp_memory_allocated) >
		      READ_ONCE(mytcp_sysctl_mem[2]);

	if (too_many)
		net_info_ratelimited("mytcp: too many orphaned sockets\n");
	if (no_mem)
		net_info_ratelimited("mytcp: out of memory -- consider tuning net.mytcp.mem\n");
	return too_many || no_mem;
}

/*
 * An orphan's timer: reset it when resources are short (Linux's
 * tcp_out_of_resources).  One idle for long, or after an ICMP error, is
 * penalised (counted double or fourfold against max_orphans).  Returns
 * true when the socket is gone.
 */
static bool out_of_resources(struct sock *sk, bool do_reset)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u64 idle = ktime_get_ns() - mtp->last_data_sent_ns;
	u64 rto_max = (u64)READ_ONCE(mytcp_pernet(sock_net(sk))->rto_max_ms) *
		      NSEC_PER_MSEC;
	int shift = 0;

	if (idle > 2 * rto_max || !do_reset)
		shift++;
	if (READ_ONCE(sk->sk_err_soft))
		shift++;
	if (!mytcp_check_oom(sk, shift))
		return false;
	/* Reset when it may matter to the peer: recent data, or a shut
	 * window with nothing in flight.
	 */
	if (idle <= 2ULL * READ_ONCE(mytcp_pernet(sock_net(sk))->msl_ms) *
	    NSEC_PER_MSEC || (!mtp->snd_wnd && mtp->snd_una == mtp->snd_nxt))
		do_reset = true;
	if (do_reset)
		mytcp_send_active_reset(sk, GFP_ATOMIC);
	mytcp_done(sk);
	MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_ABORT_ON_MEMORY);
	return true;
}

/*
 * Probes (or RTOs) an orphan gets: net.mytcp.orphan_retries, 0 meaning 8
 * while the peer is alive (as Linux's tcp_orphan_retries); none after an
 * ICMP error once the backoff reached rto_max.
 */
static int orphan_retries(struct sock *sk, bool alive)
{
	int retries = READ_ONCE(mytcp_pernet(sock_net(sk))->orphan_retries);

	if (READ_ONCE(sk->sk_err_soft) && !alive)
		retries = 0;
	if (!retries && alive)
		retries = 8;
	return retries;
}

/*
 * A child whose bare ACK TCP_DEFER_ACCEPT dropped lives until the
 * deferral's retransmissions too (syn_ack_recalc()).
 */
static int synack_limit(struct sock *sk, int limit)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (!mtp->parent || !mtp->defer_acked)
		return limit;
	return max_t(int, limit,
		     READ_ONCE(mytcp_sk(mtp->parent)->defer_accept));
}

/*
 * The deferred child's SYN-ACK is not resent until the last
 * retransmission of the deferral, which gives the peer a last chance to
 * send data or an ACK that now establishes (syn_ack_recalc()).
 */
static bool synack_deferred(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	return sk->sk_state == TCP_SYN_RECV && mtp->parent &&
	       mtp->defer_acked &&
	       mtp->retransmits + 1 <
	       READ_ONCE(mytcp_sk(mtp->parent)->defer_accept);
}

static bool retries_exhausted(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct mytcp_net *mn = mytcp_pernet(sock_net(sk));
	int limit;

	if (sk->sk_state == TCP_SYN_SENT)
		limit = mtp->syn_retries ? : READ_ONCE(mn->syn_retries);
	else if (sk->sk_state == TCP_SYN_RECV)
		limit = synack_limit(sk, READ_ONCE(mn->synack_retries));
	else
		limit = READ_ONCE(mn->retries2);
	if (sock_flag(sk, SOCK_DEAD))
		limit = min(limit, orphan_retries(sk, mtp->rto_us <
					READ_ONCE(mn->rto_max_ms) * 1000U));
	if (mtp->user_timeout_ms && mtp->rtx_start_ns &&
	    ktime_get_ns() - mtp->rtx_start_ns >=
	    (u64)mtp->user_timeout_ms * NSEC_PER_MSEC)
		return true;
	return mtp->retransmits >= limit;
}

/*
 * Nothing in flight, yet the timer was wanted: a transmission failed for
 * want of memory (output.c: the SYN or SYN-ACK was never queued, or a
 * split or clone failed in mytcp_push()) and left this timer to try again.
 */
static bool idle_retry_wanted(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	return mtp->send_head ||
	       (((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) &&
		mtp->write_seq == mtp->iss);
}

/*
 * Retransmissions into a shut window are probes, but TCP_USER_TIMEOUT
 * still bounds them (tcp_rtx_probe0_timed_out()): retries_exhausted()
 * then ends the connection.
 */
static bool zwp_user_timeout(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	return mtp->user_timeout_ms &&
	       ktime_get_ns() - mtp->rtx_start_ns >
	       (u64)mtp->user_timeout_ms * NSEC_PER_MSEC;
}

/*
 * The RTO and the loss probe due together (the PTO is never later than
 * the RTO: mytcp_tlp_schedule()): the probe goes instead, as Linux's one
 * retransmit timer fires the probe it was last armed for; the probe
 * re-arms the RTO.  Which alarm went off first does not decide.
 */
static bool tlp_instead(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u64 due = READ_ONCE(mtp->timer_due[MYTCP_T_TLP]);

	if (!due || due > ktime_get_ns() || !mytcp_tlp_wanted(sk))
		return false;
	WRITE_ONCE(mtp->timer_due[MYTCP_T_TLP], 0);
	trace_mytcp_timer(sk, NULL, timer_names[MYTCP_T_TLP]);
	mytcp_tlp_probe(sk);
	return true;
}

static void rtx_timer_handler(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	bool idle = mtp->snd_una == mtp->snd_max, new_episode;

	if (sk->sk_state == TCP_CLOSE || sk->sk_state == TCP_LISTEN ||
	    (idle && !idle_retry_wanted(sk)))
		return;
	if (!idle && tlp_instead(sk))
		return;
	if (!idle)
		MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_TIMEOUTS);
	if (sock_flag(sk, SOCK_DEAD) &&
	    !((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) &&
	    out_of_resources(sk, true))
		return;
	if (!mtp->rtx_start_ns)
		mtp->rtx_start_ns = ktime_get_ns();
	/* A peer that shrank its window to zero still answers: our
	 * retransmissions are window probes, so give up only when it has
	 * been silent for longer than the largest RTO (as Linux does).
	 */
	if (!mtp->snd_wnd && !sock_flag(sk, SOCK_DEAD) &&
	    !((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) &&
	    !zwp_user_timeout(sk) &&
	    ktime_get_ns() - mtp->last_rcv_ns <=
	    2ULL * READ_ONCE(mytcp_pernet(sock_net(sk))->rto_max_ms) *
	    NSEC_PER_MSEC) {
		mtp->retransmits = 0;
	} else if (retries_exhausted(sk)) {
		if (sk->sk_state == TCP_SYN_SENT || sk->sk_state == TCP_SYN_RECV)
			MYTCP_INC_STATS(sock_net(sk),
					MYTCP_STAT_ATTEMPT_FAILS);
		if (sk->sk_state == TCP_SYN_RECV && mtp->parent) {
			mytcp_child_drop(sk);
			return;
		}
		abort_conn(sk, READ_ONCE(sk->sk_err_soft) ? : ETIMEDOUT);
		return;
	}
	if (synack_deferred(sk)) {
		mtp->retransmits++;
		mtp->backoff++;
		mtp->rto_us = rto_bound(sk, (u64)mtp->rto_us * 2);
		mytcp_reset_timer(sk, MYTCP_T_RTX, (u64)mtp->rto_us * 1000);
		return;
	}
	mtp->retransmits++;
	/* Karn: back off, and the next sample comes from new data only. */
	mtp->backoff++;
	mtp->rto_us = rto_bound(sk, (u64)mtp->rto_us * 2);
	if (idle) {
		/* Try the failed transmission again; nothing was lost on
		 * the path, so the congestion state stays.  A new failure
		 * re-arms this timer (output.c).
		 */
		if (mtp->write_seq == mtp->iss &&
		    sk->sk_state == TCP_SYN_SENT)
			mytcp_send_syn(sk);
		else if (mtp->write_seq == mtp->iss &&
			 sk->sk_state == TCP_SYN_RECV)
			mytcp_send_synack(sk);
		else
			mytcp_push(sk);
		return;
	}
	new_episode = mtp->ca_state < MYTCP_CA_RECOVERY || mtp->retransmits > 1;
	mytcp_undo_start(sk);
	mytcp_cong_enter_loss(sk);
	mytcp_sack_reset(sk);
	mytcp_frto_start(sk, new_episode);
	/* Go back to the first unacknowledged segment. */
	mytcp_wq_rewind(sk);
	mytcp_push(sk);
	mytcp_reset_timer(sk, MYTCP_T_RTX, (u64)mtp->rto_us * 1000);
}

/*
 * An ACK owed when the timer fires: the reply that was to carry it did
 * not come, so ping-pong mode ends (Linux's tcp_delack_timer_handler();
 * data.c).
 */
static void delack_handler(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (mtp->ack_pending) {
		mtp->pingpong = 0;
		MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_DELAYED_ACKS);
		mytcp_send_ack(sk);
	}
}

/* Linux's tcp_compressed_ack_kick(): the held ACKs, as one. */
static void comp_sack_handler(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (mtp->comp.acks) {
		mtp->comp.acks--;	/* this one is sent, not compressed */
		mytcp_send_ack(sk);
	}
}

static void persist_handler(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u64 next_us;
	struct mytcp_net *mn = mytcp_pernet(sock_net(sk));

	if (sk->sk_state == TCP_CLOSE || !mtp->send_head ||
	    mtp->snd_una != mtp->snd_nxt) {
		mtp->probes_start_ns = 0;
		return;
	}
	if (mtp->snd_wnd) {
		/* A small window the sender-side SWS rule waited on: the
		 * override timeout sends what fits (RFC 1122 4.2.3.4); or
		 * what a cork held (mytcp_cork_timer_start()).
		 */
		mtp->probes_start_ns = 0;
		mtp->force_send = 1;
		mytcp_push(sk);
		return;
	}
	/*
	 * TCP_USER_TIMEOUT, as tcp_probe_timer(): counted from the first
	 * probe while the window stays shut, answered or not; the end is
	 * an error without a reset (tcp_write_err()), and the next probe
	 * waits no longer than the time left (at least 2 ms, cf.
	 * tcp_clamp_probe0_to_user_timeout()).
	 */
	if (!mtp->probes_start_ns) {
		mtp->probes_start_ns = ktime_get_ns();
	} else if (mtp->user_timeout_ms &&
		   ktime_get_ns() - mtp->probes_start_ns >=
		   (u64)mtp->user_timeout_ms * NSEC_PER_MSEC) {
		MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_TIMEOUTS);
		abort_conn(sk, READ_ONCE(sk->sk_err_soft) ? : ETIMEDOUT);
		return;
	}
	/* Back off like the RTO, up to rto_max (two minutes). */
	next_us = (u64)mtp->rto_us << min_t(u8, mtp->probes_out + 1, 10);
	next_us = min_t(u64, next_us,
			(u64)READ_ONCE(mn->rto_max_ms) * USEC_PER_MSEC);
	if (mtp->user_timeout_ms) {
		u64 used_us = div_u64(ktime_get_ns() - mtp->probes_start_ns,
				      NSEC_PER_USEC);
		u64 left_us = (u64)mtp->user_timeout_ms * USEC_PER_MSEC;

		left_us = left_us > used_us ? left_us - used_us : 0;
		next_us = min(next_us, max_t(u64, left_us, 2 * USEC_PER_MSEC));
	}
	/*
	 * An orphan whose peer keeps its window shut dies after
	 * orphan_retries probes, however faithfully the peer ACKs them
	 * (zero-window ACKs do not reset probes_out: input.c), or at once
	 * when resources are short (as Linux's tcp_probe_timer).
	 */
	if (sock_flag(sk, SOCK_DEAD)) {
		bool alive = next_us < (u64)READ_ONCE(mn->rto_max_ms) *
				       USEC_PER_MSEC;

		if (mtp->probes_out >= orphan_retries(sk, alive)) {
			MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_TIMEOUTS);
			mytcp_send_active_reset(sk, GFP_ATOMIC);
			abort_conn(sk, ETIMEDOUT);
			return;
		}
		if (out_of_resources(sk, true))
			return;
	}
	mtp->probes_out++;
	mytcp_send_probe(sk, false);
	mytcp_reset_timer(sk, MYTCP_T_PERSIST, next_us * NSEC_PER_USEC);
}

u32 mytcp_keepalive_time_s(const struct sock *sk)
{
	const struct mytcp_sock *mtp = mytcp_sk(sk);

	return mtp->keepidle_s ? :
	       READ_ONCE(mytcp_pernet(sock_net(sk))->keepalive_time_s);
}

static u32 ka_intvl_s(const struct sock *sk)
{
	const struct mytcp_sock *mtp = mytcp_sk(sk);

	return mtp->keepintvl_s ? :
	       READ_ONCE(mytcp_pernet(sock_net(sk))->keepalive_intvl_s);
}

static u32 ka_probes(const struct sock *sk)
{
	const struct mytcp_sock *mtp = mytcp_sk(sk);

	return mtp->keepcnt ? :
	       READ_ONCE(mytcp_pernet(sock_net(sk))->keepalive_probes);
}

/* (Re)start the keepalive clock, or stop it when not wanted. */
void mytcp_keepalive_reset(struct sock *sk)
{
	if (!sock_flag(sk, SOCK_KEEPOPEN) ||
	    ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN | TCPF_SYN_SENT |
				    TCPF_SYN_RECV))) {
		mytcp_keepalive_stop(sk);
		return;
	}
	mytcp_reset_timer(sk, MYTCP_T_KEEPALIVE,
			  (u64)mytcp_keepalive_time_s(sk) * NSEC_PER_SEC);
}

static void keepalive_handler(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u64 idle_ns, now = ktime_get_ns();

	/* Orphaned FIN_WAIT_2: the peer never sent its FIN. */
	if (orphan_in_fin_wait2(sk)) {
		mytcp_done(sk);
		return;
	}
	if (!sock_flag(sk, SOCK_KEEPOPEN) ||
	    !((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT |
				     TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2)))
		return;
	idle_ns = now - mtp->last_rcv_ns;
	/* Data in flight or waiting: the RTO and persist timers watch the
	 * peer; keepalive only probes an idle connection (as Linux).
	 */
	if (mtp->snd_una != mtp->snd_max || mtp->send_head) {
		mtp->probes_out = 0;
		mytcp_reset_timer(sk, MYTCP_T_KEEPALIVE,
				  (u64)mytcp_keepalive_time_s(sk) * NSEC_PER_SEC);
		return;
	}
	if (idle_ns < (u64)mytcp_keepalive_time_s(sk) * NSEC_PER_SEC &&
	    !mtp->probes_out) {
		mytcp_reset_timer(sk, MYTCP_T_KEEPALIVE,
				  (u64)mytcp_keepalive_time_s(sk) *
				  NSEC_PER_SEC - idle_ns);
		return;
	}
	/* TCP_USER_TIMEOUT replaces the probe count: the connection ends
	 * once it has been silent that long and a probe went unanswered
	 * (tcp_keepalive_timer()).
	 */
	if (mtp->user_timeout_ms ?
	    (mtp->probes_out &&
	     idle_ns >= (u64)mtp->user_timeout_ms * NSEC_PER_MSEC) :
	    mtp->probes_out >= ka_probes(sk)) {
		MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_KEEPALIVE_TIMEOUTS);
		mytcp_send_active_reset(sk, GFP_ATOMIC);
		abort_conn(sk, ETIMEDOUT);
		return;
	}
	/* Unacknowledged data means the RTO is already probing. */
	if (mtp->snd_una == mtp->snd_max)
		mytcp_send_probe(sk, true);
	mtp->probes_out++;
	mytcp_reset_timer(sk, MYTCP_T_KEEPALIVE,
			  (u64)ka_intvl_s(sk) * NSEC_PER_SEC);
}

static void (*const handlers[MYTCP_T_MAX])(struct sock *sk) = {
	[MYTCP_T_RTX] = rtx_timer_handler,
	[MYTCP_T_DELACK] = delack_handler,
	[MYTCP_T_PERSIST] = persist_handler,
	[MYTCP_T_KEEPALIVE] = keepalive_handler,
	[MYTCP_T_REO] = mytcp_rack_reo_timeout,
	[MYTCP_T_TLP] = mytcp_tlp_probe,
	[MYTCP_T_COMPSACK] = comp_sack_handler,
};

static void timer_fire(struct mytcp_sock *mtp, int id)
{
	struct sock *sk = (struct sock *)mtp;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		/* The owner runs it from release_sock(); keep the ref. */
		if (!test_and_set_bit(id, &mtp->deferred))
			sock_hold(sk);
	} else if (timer_wanted(sk, id)) {
		handlers[id](sk);
	}
	bh_unlock_sock(sk);
	sock_put(sk);
}

static void rtx_fire(struct timer_list *t)
{
	timer_fire(container_of(t, struct mytcp_sock, timers[MYTCP_T_RTX]), MYTCP_T_RTX);
}

static void delack_fire(struct timer_list *t)
{
	timer_fire(container_of(t, struct mytcp_sock, timers[MYTCP_T_DELACK]), MYTCP_T_DELACK);
}

static void persist_fire(struct timer_list *t)
{
	timer_fire(container_of(t, struct mytcp_sock, timers[MYTCP_T_PERSIST]), MYTCP_T_PERSIST);
}

static void keepalive_fire(struct timer_list *t)
{
	timer_fire(container_of(t, struct mytcp_sock,
				timers[MYTCP_T_KEEPALIVE]), MYTCP_T_KEEPALIVE);
}

static void tlp_fire(struct timer_list *t)
{
	timer_fire(container_of(t, struct mytcp_sock, timers[MYTCP_T_TLP]), MYTCP_T_TLP);
}

static void (*const wheel_fires[MYTCP_T_NWHEEL])(struct timer_list *) = {
	[MYTCP_T_RTX] = rtx_fire,
	[MYTCP_T_DELACK] = delack_fire,
	[MYTCP_T_PERSIST] = persist_fire,
	[MYTCP_T_KEEPALIVE] = keepalive_fire,
	[MYTCP_T_TLP] = tlp_fire,
};

static enum hrtimer_restart reo_fire(struct hrtimer *t)
{
	timer_fire(container_of(t, struct mytcp_sock,
				hrtimers[MYTCP_T_REO - MYTCP_T_NWHEEL]),
		   MYTCP_T_REO);
	return HRTIMER_NORESTART;
}

static enum hrtimer_restart comp_sack_fire(struct hrtimer *t)
{
	timer_fire(container_of(t, struct mytcp_sock,
				hrtimers[MYTCP_T_COMPSACK - MYTCP_T_NWHEEL]),
		   MYTCP_T_COMPSACK);
	return HRTIMER_NORESTART;
}

static enum hrtimer_restart (*const hr_fires[MYTCP_T_MAX - MYTCP_T_NWHEEL])
	(struct hrtimer *) = {
	[MYTCP_T_REO - MYTCP_T_NWHEEL] = reo_fire,
	[MYTCP_T_COMPSACK - MYTCP_T_NWHEEL] = comp_sack_fire,
};

void mytcp_init_timers(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	int i;

	for (i = 0; i < MYTCP_T_MAX; i++) {
		struct hrtimer *t;

		mtp->timer_due[i] = 0;
		if (!timer_is_hr(i)) {
			timer_setup(&mtp->timers[i], wheel_fires[i], 0);
			continue;
		}
		t = timer_hr(mtp, i);
		hrtimer_init(t, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_SOFT);
		t->function = hr_fires[i - MYTCP_T_NWHEEL];
	}
	mtp->deferred = 0;
}

/* proto->release_cb: run what timers deferred while the user held sk. */
void mytcp_release_cb(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	int i;

	for (i = 0; i < MYTCP_T_MAX; i++) {
		if (!test_and_clear_bit(i, &mtp->deferred))
			continue;
		/* Re-armed meanwhile: the alarm goes off again later. */
		if (!alarm_queued(mtp, i) && timer_wanted(sk, i))
			handlers[i](sk);
		__sock_put(sk);
	}
	if (test_and_clear_bit(MYTCP_DEFER_ICMP_BIT, &mtp->deferred)) {
		mytcp_icmp_process(sk);
		__sock_put(sk);
	}
	/* Linux's TCP_ACK_DEFERRED: one ACK for the whole backlog. */
	if (test_and_clear_bit(MYTCP_DEFER_ACK_BIT, &mtp->deferred) &&
	    mtp->ack_pending)
		mytcp_send_ack(sk);
}
