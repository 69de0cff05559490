// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: congestion control - the plug-in interface, its registry, the
 * window arithmetic common to every algorithm, and NewReno.
 *
 * An algorithm is a struct mytcp_cong_ops (cong.h, modelled on Linux's
 * tcp_congestion_ops) registered with mytcp_register_congestion_control()
 * - from its own module (cong_cubic.c) or from here (NewReno, built in).
 * Window units are segments: cwnd, ssthresh, cwnd_cnt; ACKed bytes become
 * segments in mytcp_cong_pkts_acked() with the remainder carried, so an
 * ACK of part of a segment does not grow cwnd (RFC 3465 byte counting,
 * no ACK division).
 *
 * What is common (not the algorithm's): the entry into and exit from
 * fast recovery (RFC 5681 3.2, RFC 6582) and loss (RTO), the congestion
 * states the algorithm is told about, undo, congestion window validation
 * (RFC 7661 as Linux: cwnd grows only while the sender is cwnd-limited,
 * decays after an application-limited RTO, restarts after idle per RFC
 * 5681 4.1) and the bound on cwnd (cwnd * mss always fits in an s32).
 * Loss detection is ack.c's and timer.c's.
 *
 * The registry is a list under cong_lock, read under RCU; a socket holds a
 * reference on its algorithm's module (try_module_get()), so a module in
 * use cannot be unloaded.  Each namespace has a default algorithm by name
 * (net.mytcp.congestion_control): a socket created while no algorithm of
 * that name is registered gets NewReno.  cong_lock (BH) also guards the
 * per-netns default name.
 *
 * Locking: per-socket functions run with the socket owned.
 */
#include <linux/capability.h>
#include <linux/kmod.h>
#include <linux/rculist.h>
#include "mytcp.h"

static DEFINE_SPINLOCK(cong_lock);
static LIST_HEAD(cong_list);

/* RCU read side or cong_lock held. */
static struct mytcp_cong_ops *cong_find(const char *name)
{
	struct mytcp_cong_ops *ca;

	list_for_each_entry_rcu(ca, &cong_list, list,
				lockdep_is_held(&cong_lock))
		if (!strcmp(ca->name, name))
			return ca;
	return NULL;
}

int mytcp_register_congestion_control(struct mytcp_cong_ops *ca)
{
	int err = 0;

	if (!ca->ssthresh || !ca->cong_avoid || !ca->name[0] ||
	    strnlen(ca->name, MYTCP_CA_NAME_MAX) == MYTCP_CA_NAME_MAX)
		return -EINVAL;
	spin_lock_bh(&cong_lock);
	if (cong_find(ca->name))
		err = -EEXIST;
	else
		list_add_tail_rcu(&ca->list, &cong_list);
	spin_unlock_bh(&cong_lock);
	if (!err)
		pr_debug("mytcp: congestion control %s registered\n", ca->name);
	return err;
}
EXPORT_SYMBOL_GPL(mytcp_register_congestion_control);

/*
 * Called from the algorithm's module exit: no socket holds a reference
 * any more (the module could not be unloaded otherwise); lookups under RCU
 * that still see it fail try_module_get() on the going module.
 */
void mytcp_unregister_congestion_control(struct mytcp_cong_ops *ca)
{
	spin_lock_bh(&cong_lock);
	list_del_rcu(&ca->list);
	spin_unlock_bh(&cong_lock);
	synchronize_rcu();
}
EXPORT_SYMBOL_GPL(mytcp_unregister_congestion_control);

/* ---- the socket as an algorithm sees it ---- */

void *mytcp_ca_priv(const struct sock *sk)
{
	return mytcp_sk(sk)->ca_priv;
}
EXPORT_SYMBOL_GPL(mytcp_ca_priv);

u32 mytcp_cwnd(const struct sock *sk)
{
	return mytcp_sk(sk)->cwnd;
}
EXPORT_SYMBOL_GPL(mytcp_cwnd);

/*
 * The bound on cwnd: what the send buffer can ever have in flight (twice,
 * for inflation in recovery), and cwnd * mss below 2^31 whatever the
 * buffer (send_allowance() multiplies).
 */
static u32 cwnd_clamp(const struct sock *sk)
{
	const struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 mss = max_t(u32, mtp->mss, 1);
	u32 buf = max_t(u32, READ_ONCE(sk->sk_sndbuf) / mss, 4) * 2;

	return min_t(u32, buf, S32_MAX / mss);
}

void mytcp_cwnd_set(struct sock *sk, u32 cwnd)
{
	mytcp_sk(sk)->cwnd = clamp_t(u32, cwnd, 1, cwnd_clamp(sk));
}
EXPORT_SYMBOL_GPL(mytcp_cwnd_set);

u32 mytcp_ssthresh(const struct sock *sk)
{
	return mytcp_sk(sk)->ssthresh;
}
EXPORT_SYMBOL_GPL(mytcp_ssthresh);

void mytcp_ssthresh_set(struct sock *sk, u32 ssthresh)
{
	mytcp_sk(sk)->ssthresh = max(ssthresh, 2U);
}
EXPORT_SYMBOL_GPL(mytcp_ssthresh_set);

u32 mytcp_mss_now(const struct sock *sk)
{
	return mytcp_sk(sk)->mss;
}
EXPORT_SYMBOL_GPL(mytcp_mss_now);

u32 mytcp_srtt_us(const struct sock *sk)
{
	return mytcp_sk(sk)->srtt_us >> 3;
}
EXPORT_SYMBOL_GPL(mytcp_srtt_us);

u32 mytcp_packets_in_flight(const struct sock *sk)
{
	/* mytcp_in_flight() only reads the socket */
	return DIV_ROUND_UP(mytcp_in_flight((struct sock *)sk),
			    max_t(u32, mytcp_sk(sk)->mss, 1));
}
EXPORT_SYMBOL_GPL(mytcp_packets_in_flight);

u32 mytcp_snd_nxt(const struct sock *sk)
{
	return mytcp_sk(sk)->snd_nxt;
}
EXPORT_SYMBOL_GPL(mytcp_snd_nxt);

u32 mytcp_snd_una(const struct sock *sk)
{
	return mytcp_sk(sk)->snd_una;
}
EXPORT_SYMBOL_GPL(mytcp_snd_una);

u64 mytcp_last_send_us(const struct sock *sk)
{
	return div_u64(mytcp_sk(sk)->last_send_ns, NSEC_PER_USEC);
}
EXPORT_SYMBOL_GPL(mytcp_last_send_us);

u8 mytcp_ca_state(const struct sock *sk)
{
	return mytcp_sk(sk)->ca_state;
}
EXPORT_SYMBOL_GPL(mytcp_ca_state);

bool mytcp_in_slow_start(const struct sock *sk)
{
	return mytcp_sk(sk)->cwnd < mytcp_sk(sk)->ssthresh;
}
EXPORT_SYMBOL_GPL(mytcp_in_slow_start);

/*
 * Linux's tcp_is_cwnd_limited(): cwnd was the limit in this window, or -
 * in slow start - cwnd is less than twice the most that was in flight.
 */
bool mytcp_is_cwnd_limited(const struct sock *sk)
{
	const struct mytcp_sock *mtp = mytcp_sk(sk);

	if (mtp->is_cwnd_limited)
		return true;
	if (mytcp_in_slow_start(sk))
		return mtp->cwnd < 2 * mtp->max_packets_out;
	return false;
}
EXPORT_SYMBOL_GPL(mytcp_is_cwnd_limited);

u64 mytcp_clock_us(void)
{
	return div_u64(ktime_get_ns(), NSEC_PER_USEC);
}
EXPORT_SYMBOL_GPL(mytcp_clock_us);

/* Slow start: cwnd grows by what was acked, up to ssthresh; returns the
 * acked segments left over (Linux's tcp_slow_start()).
 */
u32 mytcp_slow_start(struct sock *sk, u32 acked)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 cwnd = min_t(u64, (u64)mtp->cwnd + acked, mtp->ssthresh);

	acked -= cwnd - mtp->cwnd;
	mytcp_cwnd_set(sk, cwnd);
	return acked;
}
EXPORT_SYMBOL_GPL(mytcp_slow_start);

/* Additive increase: one segment per w segments acked (tcp_cong_avoid_ai). */
void mytcp_cong_avoid_ai(struct sock *sk, u32 w, u32 acked)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	w = max(w, 1U);
	/* credit earned at a higher w is applied gently */
	if (mtp->cwnd_cnt >= w) {
		mtp->cwnd_cnt = 0;
		mytcp_cwnd_set(sk, mtp->cwnd + 1);
	}
	mtp->cwnd_cnt += acked;
	if (mtp->cwnd_cnt >= w) {
		u32 delta = mtp->cwnd_cnt / w;

		mtp->cwnd_cnt -= delta * w;
		mytcp_cwnd_set(sk, (u32)min_t(u64, (u64)mtp->cwnd + delta,
					      U32_MAX));
	}
}
EXPORT_SYMBOL_GPL(mytcp_cong_avoid_ai);

/* ---- NewReno (RFC 5681, RFC 6582) ---- */

/* RFC 5681 (4): ssthresh = max(FlightSize / 2, 2 * SMSS). */
u32 mytcp_reno_ssthresh(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 flight = (mtp->snd_max - mtp->snd_una) / max_t(u32, mtp->mss, 1);

	return max_t(u32, flight / 2, 2);
}
EXPORT_SYMBOL_GPL(mytcp_reno_ssthresh);

/* RFC 5681 3.1: slow start, then one segment per cwnd acked. */
void mytcp_reno_cong_avoid(struct sock *sk, u32 ack, u32 acked)
{
	if (!mytcp_is_cwnd_limited(sk))
		return;
	if (mytcp_in_slow_start(sk)) {
		acked = mytcp_slow_start(sk, acked);
		if (!acked)
			return;
	}
	mytcp_cong_avoid_ai(sk, mytcp_sk(sk)->cwnd, acked);
}
EXPORT_SYMBOL_GPL(mytcp_reno_cong_avoid);

u32 mytcp_reno_undo_cwnd(struct sock *sk)
{
	return max(mytcp_sk(sk)->cwnd, mytcp_sk(sk)->prior_cwnd);
}
EXPORT_SYMBOL_GPL(mytcp_reno_undo_cwnd);

struct mytcp_cong_ops mytcp_reno = {
	.flags = MYTCP_CONG_NON_RESTRICTED,
	.name = "reno",
	.owner = NULL,		/* built in: no reference to take */
	.ssthresh = mytcp_reno_ssthresh,
	.cong_avoid = mytcp_reno_cong_avoid,
	.undo_cwnd = mytcp_reno_undo_cwnd,
};

int mytcp_cong_init(void)
{
	return mytcp_register_congestion_control(&mytcp_reno);
}

/* ---- the registry seen from sockets and sysctls ---- */

static void ca_switch(struct sock *sk, const struct mytcp_cong_ops *ca)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	mytcp_cong_release(sk);
	memset(mtp->ca_priv, 0, sizeof(mtp->ca_priv));
	mtp->cong = ca;
	if (ca->init)
		ca->init(sk);
}

/* A new socket: the namespace's default, or NewReno. */
void mytcp_cong_assign(struct sock *sk)
{
	struct mytcp_net *mn = mytcp_pernet(sock_net(sk));
	const struct mytcp_cong_ops *ca;
	char name[MYTCP_CA_NAME_MAX];

	spin_lock_bh(&cong_lock);
	memcpy(name, mn->cong_default, sizeof(name));
	spin_unlock_bh(&cong_lock);
	rcu_read_lock();
	ca = cong_find(name);
	if (!ca || !try_module_get(ca->owner))
		ca = &mytcp_reno;
	rcu_read_unlock();
	ca_switch(sk, ca);
}

/* A listener's child uses the listener's algorithm (as Linux). */
void mytcp_cong_inherit(struct sock *child, const struct sock *parent)
{
	const struct mytcp_cong_ops *ca = mytcp_sk(parent)->cong;

	if (ca == mytcp_sk(child)->cong || !try_module_get(ca->owner))
		return;
	ca_switch(child, ca);
}

/* The socket lets go of its algorithm (freed, or switching). */
void mytcp_cong_release(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	const struct mytcp_cong_ops *ca = mtp->cong;

	if (!ca)
		return;
	if (ca->release)
		ca->release(sk);
	mtp->cong = NULL;
	module_put(ca->owner);
}

/*
 * TCP_CONGESTION (Linux's tcp_set_congestion_control()): ENOENT when no
 * algorithm has that name (after trying to load mytcp-cong-NAME, for
 * CAP_NET_ADMIN), EPERM for a restricted one without CAP_NET_ADMIN,
 * EBUSY when its module is going away.  Socket not owned on entry.
 */
int mytcp_cong_set_name(struct sock *sk, const char *name)
{
	bool admin = ns_capable(sock_net(sk)->user_ns, CAP_NET_ADMIN);
	const struct mytcp_cong_ops *ca;
	int err = 0;

	rcu_read_lock();
	ca = cong_find(name);
	if (!ca && capable(CAP_NET_ADMIN)) {
		rcu_read_unlock();
		request_module("mytcp-cong-%s", name);
		rcu_read_lock();
		ca = cong_find(name);
	}
	if (!ca)
		err = -ENOENT;
	else if (!(ca->flags & MYTCP_CONG_NON_RESTRICTED) && !admin)
		err = -EPERM;
	else if (!try_module_get(ca->owner))
		err = -EBUSY;
	rcu_read_unlock();
	if (err)
		return err;

	lock_sock(sk);
	if (ca == mytcp_sk(sk)->cong)
		module_put(ca->owner);
	else
		ca_switch(sk, ca);
	release_sock(sk);
	return 0;
}

/* TCP_CC_INFO: what the algorithm tells, or nothing (as Reno on Linux). */
size_t mytcp_cong_get_info(struct sock *sk, union tcp_cc_info *info)
{
	const struct mytcp_cong_ops *ca = mytcp_sk(sk)->cong;
	int attr;

	if (!ca || !ca->get_info)
		return 0;
	return min(ca->get_info(sk, ~0U, &attr, info), sizeof(*info));
}

/* net.mytcp.congestion_control write: the name must be registered. */
int mytcp_cong_default_set(struct net *net, const char *name)
{
	struct mytcp_net *mn = mytcp_pernet(net);
	bool found;

	rcu_read_lock();
	found = cong_find(name);
	rcu_read_unlock();
	if (!found) {
		request_module("mytcp-cong-%s", name);
		rcu_read_lock();
		found = cong_find(name);
		rcu_read_unlock();
	}
	if (!found)
		return -ENOENT;
	spin_lock_bh(&cong_lock);
	strscpy(mn->cong_default, name, sizeof(mn->cong_default));
	spin_unlock_bh(&cong_lock);
	return 0;
}

/* The default a new socket gets now: the name, or reno if unregistered. */
void mytcp_cong_default_get(struct net *net, char *buf, size_t len)
{
	struct mytcp_net *mn = mytcp_pernet(net);
	char name[MYTCP_CA_NAME_MAX];

	spin_lock_bh(&cong_lock);
	memcpy(name, mn->cong_default, sizeof(name));
	spin_unlock_bh(&cong_lock);
	rcu_read_lock();
	strscpy(buf, cong_find(name) ? name : mytcp_reno.name, len);
	rcu_read_unlock();
}

/* net.mytcp.available_congestion_control: the registered names. */
void mytcp_cong_available(char *buf, size_t len)
{
	struct mytcp_cong_ops *ca;
	size_t off = 0;

	buf[0] = 0;
	rcu_read_lock();
	list_for_each_entry_rcu(ca, &cong_list, list) {
		off += snprintf(buf + off, len - off, "%s%s",
				off ? " " : "", ca->name);
		if (off >= len)
			break;
	}
	rcu_read_unlock();
}

/* ---- per-ACK processing ---- */

static void set_state(struct sock *sk, u8 state)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (mtp->ca_state == state)
		return;
	if (mtp->cong->set_state)
		mtp->cong->set_state(sk, state);
	mtp->ca_state = state;
}

static void ca_event(struct sock *sk, enum mytcp_ca_event ev)
{
	if (mytcp_sk(sk)->cong->cwnd_event)
		mytcp_sk(sk)->cong->cwnd_event(sk, ev);
}

/*
 * Every ACK of new data, before the recovery or growth decisions: bytes
 * become segments (remainder carried), and the algorithm gets the sample.
 */
void mytcp_cong_pkts_acked(struct sock *sk, u32 acked, u64 rtt_ns)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 mss = max_t(u32, mtp->mss, 1);
	u64 total = (u64)mtp->acked_rem + acked, now = ktime_get_ns();
	struct mytcp_ack_sample s;

	mtp->acked_segs = div_u64_rem(total, mss, &mtp->acked_rem);
	s.pkts_acked = mtp->acked_segs;
	s.rtt_us = rtt_ns ? (s32)min_t(u64, div_u64(rtt_ns, NSEC_PER_USEC),
				       S32_MAX) : -1;
	s.in_flight = DIV_ROUND_UP(mytcp_in_flight(sk) + acked, mss);
	s.prior_delivered = mtp->delivered;
	s.delivered = mtp->acked_segs;
	s.interval_us = mtp->delivered_ns ?
		(u32)min_t(u64, div_u64(now - mtp->delivered_ns,
					NSEC_PER_USEC), U32_MAX) : 0;
	mtp->delivered += mtp->acked_segs;
	mtp->delivered_ns = now;
	if (mtp->cong->pkts_acked)
		mtp->cong->pkts_acked(sk, &s);
}

/*
 * Growth on new data acknowledged outside recovery: the algorithm's, by
 * the segments this ACK delivered (Linux's acked_sacked): acked bytes
 * acknowledged cumulatively (acked_segs, remainder carried), less what
 * was SACKed before - counted when SACKed, not again - plus what new
 * SACK blocks took (delivered = acked + newly SACKed - SACKed bytes
 * acked, ack.c).  So the ACK ending a recovery undone as spurious grows
 * cwnd by what it delivered, not by the whole SACKed flight.
 */
void mytcp_cong_on_ack(struct sock *sk, u32 ack, u32 acked, u32 delivered)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 mss = max_t(u32, mtp->mss, 1), segs = mtp->acked_segs;

	if (delivered < acked)
		segs -= min(segs, (acked - delivered) / mss);
	else
		segs += (delivered - acked) / mss;
	/* No growth while reduced for ECN, or on an ACK with ECE (Linux's
	 * tcp_cong_control() after tcp_enter_cwr())
	 */
	if (!segs || mtp->ca_state == MYTCP_CA_CWR ||
	    (mtp->ecn_flags & MYTCP_ECN_ECHOED))
		return;
	mtp->cong->cong_avoid(sk, ack, segs);
	mytcp_cwnd_set(sk, mtp->cwnd);
}

/* After each ACK: open, or disorder while duplicates or SACKs are seen. */
void mytcp_cong_update_state(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (mtp->ca_state == MYTCP_CA_RECOVERY)
		return;
	if (mtp->ca_state == MYTCP_CA_CWR) {
		/* Over once beyond the window's end is acknowledged, so the
		 * CWR flag reached the peer (Linux's tcp_fastretrans_alert()
		 * and tcp_end_cwnd_reduction()).
		 */
		if (!after(mtp->snd_una, mtp->ecn_high))
			return;
		mytcp_cwnd_set(sk, mtp->ssthresh);
		ca_event(sk, MYTCP_CA_EVENT_COMPLETE_CWR);
	}
	if (mtp->ca_state == MYTCP_CA_LOSS &&
	    before(mtp->snd_una, mtp->recover))
		return;
	set_state(sk, mtp->dupacks || mtp->sacked_bytes ?
		  MYTCP_CA_DISORDER : MYTCP_CA_OPEN);
}

/* Linux's tcp_current_ssthresh(): 3/4 cwnd when that is more. */
static u32 current_ssthresh(const struct mytcp_sock *mtp)
{
	if (mtp->ca_state == MYTCP_CA_RECOVERY)
		return mtp->ssthresh;
	return max(mtp->ssthresh, (mtp->cwnd >> 1) + (mtp->cwnd >> 2));
}

/*
 * Restart after idle (RFC 5681 4.1, Linux's tcp_cwnd_restart()): cwnd
 * halves per RTO of idleness, down to the initial window at most.
 */
static void cwnd_restart(struct sock *sk, s64 idle_ns)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 restart = min_t(u32, MYTCP_INIT_CWND, mtp->cwnd);
	s64 rto_ns = (s64)max(mtp->rto_us, 1U) * NSEC_PER_USEC;
	u32 cwnd = mtp->cwnd;

	ca_event(sk, MYTCP_CA_EVENT_CWND_RESTART);
	mtp->ssthresh = current_ssthresh(mtp);
	while ((idle_ns -= rto_ns) > 0 && cwnd > restart)
		cwnd >>= 1;
	mytcp_cwnd_set(sk, max(cwnd, restart));
	mtp->cwnd_stamp_ns = ktime_get_ns();
	mtp->cwnd_used = 0;
}

/*
 * At the start of every mytcp_push(): remember where sending starts (for
 * mytcp_cong_validate()); with nothing in flight and something to send,
 * restart after idle.
 */
void mytcp_cong_idle_restart(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u64 now;

	mtp->push_nxt = mtp->snd_nxt;
	if (mtp->snd_una != mtp->snd_max || !mtp->send_head ||
	    !mtp->last_send_ns || mtp->tx_start_ns == mtp->last_send_ns)
		return;
	/* once per idle period, however often mytcp_push() runs in it */
	mtp->tx_start_ns = mtp->last_send_ns;
	now = ktime_get_ns();
	if (now - mtp->last_send_ns > (u64)mtp->rto_us * NSEC_PER_USEC)
		cwnd_restart(sk, now - mtp->last_send_ns);
	ca_event(sk, MYTCP_CA_EVENT_TX_START);
}

/*
 * RFC 2861/7661 as Linux's tcp_cwnd_application_limited(): after an RTO
 * without being cwnd-limited, cwnd comes down halfway to what was used.
 */
static void cwnd_application_limited(struct sock *sk, u64 now)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (mtp->ca_state == MYTCP_CA_OPEN && sk->sk_socket &&
	    !test_bit(SOCK_NOSPACE, &sk->sk_socket->flags)) {
		u32 used = max_t(u32, mtp->cwnd_used, MYTCP_INIT_CWND);

		if (used < mtp->cwnd) {
			mtp->ssthresh = current_ssthresh(mtp);
			mytcp_cwnd_set(sk, (mtp->cwnd + used) >> 1);
		}
		mtp->cwnd_used = 0;
	}
	mtp->cwnd_stamp_ns = now;
}

/*
 * After mytcp_push(): was cwnd the limit (Linux's tcp_cwnd_validate())?
 * The most in flight is tracked per window of data (until snd_una passes
 * the snd_nxt of the window's start).  As Linux, only when this push sent
 * something or cwnd stopped it: ACKs draining the tail of a transfer do
 * not shrink the record of what the window was used for.
 */
void mytcp_cong_validate(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 mss = max_t(u32, mtp->mss, 1), flight = mytcp_in_flight(sk);
	u32 pkts = DIV_ROUND_UP(flight, mss);
	bool limited = (u64)flight + mss > (u64)mtp->cwnd * mss ||
		       mtp->tso_deferred;	/* held for cwnd (output.c) */
	u64 now;

	if (!limited && mtp->snd_nxt == mtp->push_nxt)
		return;
	now = ktime_get_ns();
	if (!before(mtp->snd_una, mtp->cwnd_usage_seq) || limited ||
	    (!mtp->is_cwnd_limited && pkts > mtp->max_packets_out)) {
		mtp->is_cwnd_limited = limited;
		mtp->max_packets_out = pkts;
		mtp->cwnd_usage_seq = mtp->snd_nxt;
	}
	if (mytcp_is_cwnd_limited(sk)) {
		mtp->cwnd_used = 0;
		mtp->cwnd_stamp_ns = now;
		return;
	}
	mtp->cwnd_used = max(mtp->cwnd_used, pkts);
	if (!mtp->cwnd_stamp_ns)
		mtp->cwnd_stamp_ns = now;
	else if (now - mtp->cwnd_stamp_ns >= (u64)mtp->rto_us * NSEC_PER_USEC)
		cwnd_application_limited(sk, now);
}

/* Remember the window before a reduction, for undo. */
static void save_prior(struct mytcp_sock *mtp)
{
	mtp->prior_cwnd = mtp->cwnd;
	mtp->prior_ssthresh = current_ssthresh(mtp);
}

/*
 * RTO: RFC 5681 (4): ssthresh from the algorithm, cwnd = 1 (loss
 * window); recover = the highest sequence sent (RFC 6582 3.2 step 4's
 * rule after a timeout).  No second reduction for the same episode.
 */
void mytcp_cong_enter_loss(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (mtp->ca_state <= MYTCP_CA_DISORDER ||
	    (mtp->ca_state == MYTCP_CA_LOSS && mtp->retransmits <= 1)) {
		save_prior(mtp);
		mytcp_ssthresh_set(sk, mtp->cong->ssthresh(sk));
		ca_event(sk, MYTCP_CA_EVENT_LOSS);
	}
	mtp->cwnd = 1;
	mtp->cwnd_cnt = 0;
	mtp->dupacks = 0;
	mtp->recover = mtp->snd_max;
	set_state(sk, MYTCP_CA_LOSS);
	mytcp_ecn_queue_cwr(&mtp->ecn_flags);
}

/* Three duplicate ACKs: fast retransmit and recovery (RFC 6582). */
void mytcp_cong_enter_recovery(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	/* Reduced for ECN in this window already: not again (Linux's
	 * tcp_enter_recovery()); recovery goes on from that ssthresh.
	 */
	if (mtp->ca_state != MYTCP_CA_CWR) {
		save_prior(mtp);
		mytcp_ssthresh_set(sk, mtp->cong->ssthresh(sk));
		mytcp_ecn_queue_cwr(&mtp->ecn_flags);
	}
	set_state(sk, MYTCP_CA_RECOVERY);
	/* NewReno inflates by the three segments that left; with SACK the
	 * pipe is counted instead (RFC 6675).
	 */
	mytcp_cwnd_set(sk, mtp->ssthresh + (mtp->sack_ok ? 0 : 3));
	mtp->cwnd_cnt = 0;
	mtp->recover = mtp->snd_max;
	mtp->prr_delivered = 0;
	mtp->prr_out = 0;
	/* RecoverFS, as Linux; from CWR (prior_cwnd not saved) the cwnd
	 * ECN reduced to
	 */
	mtp->prr_fs = max(mtp->prior_cwnd ? : mtp->cwnd, 1U);
}

/*
 * PRR (RFC 6937, PRR-SSRB, as Linux's tcp_cwnd_reduction()): in SACK
 * recovery, an ACK that delivered bytes (cumulatively or by new SACKs)
 * lets out ssthresh/RecoverFS of what was delivered while the pipe is
 * above ssthresh - the reduction spread over the recovery's round trip
 * - and, below, as much as was delivered, plus one segment when the ACK
 * is safe (it advanced SND.UNA and marked nothing newly lost: Linux's
 * FLAG_SND_UNA_ADVANCED && !newly_lost, the SafeACK of RFC 6937bis), up
 * to ssthresh (slow start back to it).  cwnd becomes the pipe plus that:
 * sack.c's mytcp_sack_recover() and mytcp_push() send against it.  The
 * first ACK of a recovery lets at least one segment go (the fast
 * retransmit).  prr_out counts what went (output.c).  Segments, with
 * delivered and prr_out rounded up as Linux counts packets.
 */
void mytcp_cong_prr(struct sock *sk, u32 delivered, bool safe_ack)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 mss = max_t(u32, mtp->mss, 1);
	u32 pipe = DIV_ROUND_UP(mytcp_in_flight(sk), mss);
	u32 out = DIV_ROUND_UP(mtp->prr_out, mss), dlv;
	s64 sndcnt;

	if (!mtp->sack_ok || (!delivered && mtp->prr_out))
		return;
	mtp->prr_delivered += delivered;
	dlv = DIV_ROUND_UP(mtp->prr_delivered, mss);
	if (pipe > mtp->ssthresh) {
		sndcnt = (s64)div_u64((u64)mtp->ssthresh * dlv + mtp->prr_fs - 1,
				      mtp->prr_fs) - out;
	} else {
		sndcnt = max_t(s64, (s64)dlv - out,
			       DIV_ROUND_UP(delivered, mss)) + safe_ack;
		sndcnt = min_t(s64, sndcnt, mtp->ssthresh - pipe);
	}
	sndcnt = max_t(s64, sndcnt, mtp->prr_out ? 0 : 1);
	mytcp_cwnd_set(sk, pipe + (u32)min_t(s64, sndcnt, U16_MAX));
}

/* A full ACK: recovery is over (RFC 6582 3.2 step 3), cwnd deflates. */
void mytcp_cong_end_recovery(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	mtp->retrans_bytes = 0;
	mytcp_cwnd_set(sk, max(mtp->ssthresh, 2U));
	ca_event(sk, MYTCP_CA_EVENT_COMPLETE_CWR);
	set_state(sk, MYTCP_CA_OPEN);
}

/*
 * NewReno partial ACK (RFC 6582 3.2 step 5): deflate by what was
 * acknowledged, add back one segment for the retransmission.
 */
void mytcp_cong_partial_ack(struct sock *sk, u32 acked)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	mytcp_cwnd_set(sk, max_t(u32, mtp->cwnd -
				 min(acked / mtp->mss, mtp->cwnd) + 1, 2U));
}

/* NewReno: each duplicate ACK in recovery means a segment left the
 * network (RFC 5681 3.2 step 4): inflate (bounded: a peer sending
 * duplicates without end does not overflow cwnd).
 */
void mytcp_cong_dupack(struct sock *sk)
{
	mytcp_cwnd_set(sk, mytcp_sk(sk)->cwnd + 1);
}

/*
 * The last reduction was spurious (D-SACK, Eifel, F-RTO: the caller
 * knows): back to the window before it, as Linux's
 * tcp_undo_cwnd_reduction().
 */
void mytcp_cong_undo(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (!mtp->prior_cwnd)
		return;
	mytcp_cwnd_set(sk, mtp->cong->undo_cwnd ? mtp->cong->undo_cwnd(sk) :
			   max(mtp->cwnd, mtp->prior_cwnd));
	if (mtp->prior_ssthresh > mtp->ssthresh) {
		mtp->ssthresh = mtp->prior_ssthresh;
		/* nothing to announce (Linux's tcp_ecn_withdraw_cwr()) */
		mtp->ecn_flags &= ~MYTCP_ECN_QUEUE_CWR;
	}
	mtp->prior_cwnd = 0;
	mtp->prior_ssthresh = 0;
	/* retrans_bytes stays: it counts the skbs marked RETRANS, which are
	 * still in flight (as Linux keeps retrans_out); zeroed, a recovery
	 * starting before they are acknowledged would count a pipe without
	 * them and send too much.
	 */
	set_state(sk, MYTCP_CA_OPEN);
}

/*
 * ECN-Echo (RFC 3168 6.1.2, Linux's tcp_enter_cwr()): once per window of
 * data - until SND.UNA passes what was sent before it - and never on top
 * of fast recovery or an RTO, which reduced already: ssthresh from the
 * algorithm (Reno, CUBIC: never below 2 segments), cwnd down to it at
 * once (Linux gets there by PRR over the window), CWR on the next new
 * data.  Not a loss: nothing to undo.
 */
void mytcp_cong_enter_cwr(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (mtp->ca_state > MYTCP_CA_DISORDER)
		return;
	mtp->prior_cwnd = 0;
	mtp->prior_ssthresh = 0;
	mytcp_ssthresh_set(sk, mtp->cong->ssthresh(sk));
	mytcp_cwnd_set(sk, min(mtp->cwnd, mtp->ssthresh));
	mtp->cwnd_cnt = 0;
	mtp->ecn_high = mtp->snd_nxt;
	set_state(sk, MYTCP_CA_CWR);
	mytcp_ecn_queue_cwr(&mtp->ecn_flags);
	MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_ECN_CWR);
}

/*
 * The path MTU fell under what is out (icmp.c): everything not SACKed is
 * sent again in smaller segments.  Not congestion (RFC 1191): cwnd and
 * ssthresh stay in their units, as Linux's tcp_simple_retransmit(); LOSS
 * until SND.MAX is acknowledged keeps RACK and fast recovery off the
 * resent data, and nothing of this episode can be undone.
 */
void mytcp_cong_enter_loss_pmtu(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (mtp->ca_state == MYTCP_CA_LOSS)
		return;
	mtp->ssthresh = current_ssthresh(mtp);
	mtp->prior_cwnd = 0;
	mtp->prior_ssthresh = 0;
	mtp->undo_ok = 0;
	mtp->dupacks = 0;
	set_state(sk, MYTCP_CA_LOSS);
}
