/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: per-socket timers (timer.c): one timer per purpose (a timer-wheel
 * timer, or an hrtimer for sub-jiffy waits), each holding a socket
 * reference while armed, and the intents the protocol code expresses
 * with them.
 */
#ifndef _MYTCP_TIMER_H
#define _MYTCP_TIMER_H

#include <linux/types.h>

struct sock;

/* ---- timers ---- */
enum mytcp_timer_id {
	/* timer-wheel timers (struct timer_list), as Linux's */
	MYTCP_T_RTX,		/* retransmission, SYN/SYN-ACK/FIN too */
	MYTCP_T_DELACK,
	MYTCP_T_PERSIST,	/* zero-window probe */
	MYTCP_T_KEEPALIVE,	/* also FIN_WAIT_2 timeout on orphans */
	MYTCP_T_TLP,		/* tail loss probe (rack.c) */
	MYTCP_T_NWHEEL,
	/* hrtimers: sub-jiffy waits */
	MYTCP_T_REO = MYTCP_T_NWHEEL,	/* RACK reordering window (rack.c) */
	MYTCP_T_COMPSACK,	/* compressed SACK: held ACKs (data.c) */
	MYTCP_T_MAX
};

/* Bits in mtp->deferred: work for mytcp_release_cb(). */
#define MYTCP_DEFER_TIMER(id)	(1UL << (id))
#define MYTCP_DEFER_ICMP_BIT	MYTCP_T_MAX
/* An ACK owed by segments from the backlog: one, from release_cb */
#define MYTCP_DEFER_ACK_BIT	(MYTCP_T_MAX + 1)

/* timer.c */
void mytcp_init_timers(struct sock *sk);
void mytcp_reset_timer(struct sock *sk, int id, u64 ns);
void mytcp_clear_timer_lazy(struct sock *sk, int id);
void mytcp_clear_all_timers(struct sock *sk);
s64 mytcp_timer_left_ns(const struct sock *sk, int id);
int mytcp_timer_pending_code(struct sock *sk, s64 *left);
void mytcp_release_cb(struct sock *sk);
void mytcp_rearm_rtx(struct sock *sk);
void mytcp_rtx_ensure(struct sock *sk);
void mytcp_persist_start(struct sock *sk);
void mytcp_persist_stop(struct sock *sk);
void mytcp_cork_timer_start(struct sock *sk);
void mytcp_delack_start(struct sock *sk);
void mytcp_fin_wait2_timeout(struct sock *sk);
void mytcp_keepalive_stop(struct sock *sk);
void mytcp_rtt_sample(struct sock *sk, u32 rtt_us);
void mytcp_keepalive_reset(struct sock *sk);
bool mytcp_check_oom(struct sock *sk, int shift);
u32 mytcp_keepalive_time_s(const struct sock *sk);
void mytcp_rack_timer_set(struct sock *sk, s64 ns);
void mytcp_tlp_schedule(struct sock *sk);
void mytcp_comp_sack_start(struct sock *sk, u64 ns, u64 slack_ns);

#endif /* _MYTCP_TIMER_H */
