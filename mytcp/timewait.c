// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: TIME_WAIT.
 *
 * A connection that reaches TIME_WAIT gives up its socket: a small
 * struct mytcp_tw keeps what the 2*MSL wait needs (the 4-tuple, the
 * sequence numbers to re-ACK a retransmitted FIN, the port it holds, what
 * teaching mode withholds of those ACKs) and an hrtimer that ends it.
 * RFC 1337: a RST in TIME_WAIT is ignored.  A new SYN whose sequence
 * number is above the old RCV.NXT ends the wait early and goes to the
 * listener (RFC 6191-style reuse).
 *
 * Locking and lifetime: an entry is reference counted: one reference for
 * the table (twhash, dropped by whoever unlinks it), one for the queued
 * timer, one per lookup.  Fields are written once before insertion and
 * only read afterwards (but inj_finack, an atomic_t, and oow_stamp,
 * updated with cmpxchg64), so segments need no lock.  The last put frees
 * it with kfree_rcu().  Namespace exit kills every entry synchronously
 * (del_timer_sync), so no timer of ours outlives the module.
 *
 * The wait is a timer-wheel timer (struct timer_list, softirq), as Linux's
 * inet_twsk_schedule(), not an hrtimer: a 60 s wait needs no nanosecond
 * precision (the wheel ends it at most one slot late, about 2 s at 60 s,
 * never early), and tens of thousands of waiting entries kept in the
 * hrtimer tree made every other hrtimer start and cancel of the CPU walk
 * a deeper tree, and each ending entry a timer interrupt of its own.
 */
#include <net/tcp.h>
#include "mytcp.h"
#include "trace.h"

void mytcp_tw_put(struct mytcp_tw *tw)
{
	if (refcount_dec_and_test(&tw->refcnt)) {
		atomic_dec(&mytcp_live_tw);
		kfree_rcu(tw, rcu);
	}
}

static void tw_unlink(struct mytcp_tw *tw)
{
	if (mytcp_tw_remove(tw)) {
		atomic_dec(&mytcp_pernet(read_pnet(&tw->net))->tw_count);
		mytcp_unbind_tw(tw);
		mytcp_tw_put(tw);	/* the table's reference */
	}
}

static void tw_timer_fire(struct timer_list *t)
{
	struct mytcp_tw *tw = from_timer(tw, t, timer);

	trace_mytcp_tw_timer(tw);
	tw_unlink(tw);
	mytcp_tw_put(tw);		/* the timer's reference */
}

/* 2*MSL in jiffies, rounded up */
static unsigned long tw_len(struct net *net)
{
	return msecs_to_jiffies(2 * READ_ONCE(mytcp_pernet(net)->msl_ms));
}

/* What is left of the wait, for /proc and sock_diag; 0 once it is over. */
s64 mytcp_tw_left_ns(const struct mytcp_tw *tw)
{
	long left = (long)(READ_ONCE(tw->timer.expires) - jiffies);

	if (!timer_pending(&tw->timer) || left <= 0)
		return 0;
	return jiffies_to_nsecs(left);
}

/* sk (owned) has reached TIME_WAIT: replace it with an entry. */
void mytcp_time_wait(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	struct mytcp_net *mn = mytcp_pernet(sock_net(sk));
	struct mytcp_tw *tw = NULL;

	/* An ACK still owed goes now: the entry only answers what comes
	 * later.  From the backlog, a simultaneous close's FIN (CLOSING)
	 * leaves its ACK to release_cb (data.c), and the ACK of our FIN
	 * processed after it brings the socket here first: without this the
	 * peer waits in CLOSING for its loss probe or RTO (Linux's tcp_fin()
	 * ACKs that FIN at once).
	 */
	if (mtp->ack_pending)
		mytcp_send_ack(sk);
	mytcp_set_state(sk, TCP_TIME_WAIT);
	/* At most max_tw_buckets entries per netns (as Linux): beyond, the
	 * connection closes without TIME_WAIT, and TimeWaitOverflow counts.
	 */
	if (atomic_inc_return(&mn->tw_count) > READ_ONCE(mn->max_tw))
		MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_TW_OVERFLOW);
	else
		tw = kzalloc(sizeof(*tw), GFP_ATOMIC);
	if (!tw)
		atomic_dec(&mn->tw_count);
	if (tw) {
		write_pnet(&tw->net, sock_net(sk));
		mytcp_sk_laddr(sk, &tw->saddr);
		mytcp_sk_raddr(sk, &tw->daddr);
		tw->v6 = mtp->v6;
		tw->bound_dev_if = sk->sk_bound_dev_if;
		tw->sport = inet->inet_sport;
		tw->dport = inet->inet_dport;
		tw->rcv_nxt = mtp->rcv_nxt;
		tw->snd_nxt = mtp->snd_nxt;
		tw->rcv_wnd = mtp->rcv_wnd;
		tw->rcv_wscale = mtp->rcv_wscale;
		tw->ts_ok = mtp->ts_ok;
		tw->ts_recent = mtp->ts_recent;
		tw->ts_offset = mtp->ts_offset;
		tw->ts_stamp = (u32)ktime_get_seconds();
		atomic_set(&tw->inj_finack, mytcp_inject_tw_count(sk));
		refcount_set(&tw->refcnt, 1);
		INIT_HLIST_NODE(&tw->node);
		timer_setup(&tw->timer, tw_timer_fire, 0);
		atomic_inc(&mytcp_live_tw);
		mytcp_bind_tw(tw, sk);
		/* In the table before the socket leaves: no gap in which
		 * Linux TCP could see (and reset) a segment of ours.
		 */
		mytcp_tw_insert(tw);
		refcount_inc(&tw->refcnt);
		mod_timer(&tw->timer, jiffies + tw_len(sock_net(sk)));
		mytcp_tw_put(tw);
	}
	/* The socket itself is done; it leaves TIME_WAIT silently. */
	mytcp_state_store(sk, TCP_CLOSE);
	mytcp_done(sk);
}

/* End a wait early; the caller holds a reference. */
void mytcp_tw_kill(struct mytcp_tw *tw, bool sync)
{
	/* 1: it was pending and is not now; 0: idle, or its callback runs
	 * (sync: ran), and drops the timer's reference itself
	 */
	int ret = sync ? del_timer_sync(&tw->timer) : del_timer(&tw->timer);

	if (ret == 1)
		mytcp_tw_put(tw);	/* the timer's reference */
	tw_unlink(tw);
}

/* Our ACK to skb, with timestamps when the connection had them. */
static void tw_ack(struct mytcp_tw *tw, struct sk_buff *skb)
{
	struct net *net = read_pnet(&tw->net);
	const struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

	/* A FIN or data without SYN is not part of an ACK loop: always
	 * answered (Linux's tcp_oow_rate_limited()); pure ACKs and SYNs are
	 * rate limited.
	 */
	if ((cb->end_seq != cb->seq && !(cb->flags & TCPHDR_SYN)) ||
	    !mytcp_oow_rate_limited(net, &tw->oow_stamp))
		mytcp_send_ack_reply(net, skb, tw->snd_nxt, tw->rcv_nxt,
				     tw->rcv_wnd, tw);
}

/* The wait starts again (Linux's inet_twsk_reschedule()).  Entries are
 * not locked: mod_timer_pending() moves a pending timer only, under the
 * timer base's lock; a timer already firing (or killed) is left to end
 * the entry, and its reference stays the timer's.
 */
static void tw_restart(struct mytcp_tw *tw)
{
	struct net *net = read_pnet(&tw->net);

	mod_timer_pending(&tw->timer, jiffies + tw_len(net));
}

/*
 * A segment for a TIME_WAIT entry (cb filled, data at the TCP header),
 * as Linux's tcp_timewait_state_process().  With timestamps, PAWS (RFC
 * 7323 5) applies: an old TSval marks an old duplicate, which is only
 * ACKed; TS.Recent does not move (a retransmitted FIN lies below
 * Last.ACK.sent, RFC 7323 4.3); and a SYN whose TSval is
 * newer than TS.Recent may start a new connection even when its sequence
 * number is not above RCV.NXT (RFC 6191).  A bare ACK at RCV.NXT
 * restarts the wait and draws no answer; any other segment but a RST
 * draws an ACK, and restarts the wait when it carries ACK or failed PAWS
 * (as Linux).  ACKs of pure ACKs and SYNs are rate limited, of a FIN or
 * data not (tw_ack()); every one carries our timestamp and TS.Recent.
 * Returns 1 when it is a SYN that may start a new connection (skb not
 * consumed), else 0 (consumed).
 */
int mytcp_tw_rcv(struct mytcp_tw *tw, struct sk_buff *skb)
{
	struct net *net = read_pnet(&tw->net);
	const struct tcphdr *th = tcp_hdr(skb);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	bool paws_reject = false, ts_newer = false;
	struct mytcp_opts opts;

	trace_mytcp_tw_segment(skb);
	/* TS.Recent is written once, before the entry is hashed. */
	if (tw->ts_ok && !mytcp_parse_options(th, &opts) && opts.saw_ts) {
		s32 d = opts.tsval - tw->ts_recent;

		paws_reject = d < 0;
		ts_newer = d > 0;
	}
	if (th->rst) {
		/* RFC 1337: TIME-WAIT assassination is not allowed. */
		MYTCP_INC_STATS(net, MYTCP_STAT_DROP_TW_RST);
		trace_mytcp_drop(NULL, skb, "rst in time_wait");
		goto drop;
	}
	if (!paws_reject && cb->seq == tw->rcv_nxt && cb->end_seq == cb->seq) {
		/* In window, no SYN, FIN or data: a bare ACK. */
		tw_restart(tw);
		goto used;
	}
	if (!paws_reject && th->syn && !th->ack &&
	    (after(cb->seq, tw->rcv_nxt) || ts_newer)) {
		mytcp_tw_kill(tw, false);
		return 1;
	}
	if (paws_reject) {
		MYTCP_INC_STATS(net, MYTCP_STAT_DROP_PAWS);
		trace_mytcp_drop(NULL, skb, "paws");
	}
	/* Out of window (a retransmitted FIN among them: the peer did not
	 * get our last ACK), or an old duplicate: again, and restart unless
	 * an ACK-less SYN (an old duplicate, or a new SYN below RCV.NXT).
	 */
	if (paws_reject || th->ack)
		tw_restart(tw);
	if (th->fin && cb->end_seq == tw->rcv_nxt &&
	    mytcp_inject_tw_drop(tw, skb))
		goto drop;		/* teaching mode withholds its ACK */
	tw_ack(tw, skb);
	if (paws_reject)
		goto drop;
used:
	/* Taken in (a bare ACK, or answered): not a drop (drop_report.sh) */
	consume_skb(skb);
	return 0;
drop:
	kfree_skb(skb);
	return 0;
}
