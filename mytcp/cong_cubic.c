// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp_cubic: CUBIC (RFC 9438) with HyStart++ (RFC 9406) for mytcp, as
 * its own module - the example to copy for a new algorithm
 * (Documentation/congestion.rst).  It uses only cong.h.
 *
 * The window function is Linux's tcp_cubic.c (bictcp_update(): the same
 * fixed point, C = 0.4, beta = 0.7, the Reno-friendly estimate, fast
 * convergence), with times in microseconds instead of jiffies; its pure
 * part is cubic.h.  Linux's HyStart (ACK trains, delay) is replaced by
 * HyStart++: when a round's minimum RTT rises by RttThresh over the
 * previous round's (clamp(last / 8, 4 ms, 16 ms), after 8 samples),
 * Conservative Slow Start grows cwnd by a quarter of what is acked for 5
 * rounds, then congestion avoidance starts (ssthresh = cwnd); an RTT back
 * below the baseline returns to slow start.  Slow start grows by all an
 * ACK acknowledges, as Linux's: no RFC 9406 L (8 segments per ACK for an
 * unpaced sender), which would hold back an ACK of a large GSO skb.
 *
 * Module parameters: hystart (HyStart++ on), fast_convergence.
 */
#include <linux/module.h>
#include <linux/time64.h>
#include "cong.h"
#include "cubic.h"

static bool hystart = true;
module_param(hystart, bool, 0644);
MODULE_PARM_DESC(hystart, "HyStart++ (RFC 9406) in slow start");
static bool fast_convergence = true;
module_param(fast_convergence, bool, 0644);
MODULE_PARM_DESC(fast_convergence, "fast convergence (RFC 9438 4.7)");

/* HyStart++ constants (RFC 9406 4.3) */
#define HS_MIN_RTT_THRESH_US	4000
#define HS_MAX_RTT_THRESH_US	16000
#define HS_MIN_RTT_DIVISOR	8
#define HS_N_RTT_SAMPLE		8
#define HS_CSS_GROWTH_DIVISOR	4
#define HS_CSS_ROUNDS		5

enum { HS_SS, HS_CSS, HS_DONE };

/* Per socket, in mytcp_ca_priv() (zeroed before init). */
struct cubic {
	u32 cnt;		/* cwnd + 1 after cnt segments acked */
	u32 last_max_cwnd;	/* W_max */
	u32 last_cwnd;
	u32 origin_point;	/* W_max of this epoch */
	u32 k;			/* 2^-10 s */
	u32 delay_min_us;
	u32 ack_cnt;		/* acked in this epoch, for W_est */
	u32 tcp_cwnd;		/* W_est: what Reno would have */
	u64 last_time_us;
	u64 epoch_start_us;	/* 0: no epoch */
	/* HyStart++ */
	u8 hs_state;
	u8 css_rounds;
	u8 round_started;
	u32 window_end;		/* the round ends when this is acked */
	u32 rtt_cnt;		/* samples in this round */
	u32 cur_rtt_min;	/* this round's; 0: none (infinity) */
	u32 last_rtt_min;	/* the previous round's; 0: none */
	u32 css_baseline;
	u32 css_acked;		/* credit toward the next CSS segment */
};

static void cubic_reset(struct cubic *ca)
{
	memset(ca, 0, sizeof(*ca));
	ca->hs_state = hystart ? HS_SS : HS_DONE;
}

static void cubic_init(struct sock *sk)
{
	cubic_reset(mytcp_ca_priv(sk));
}

/* RFC 9438 4.2-4.3 in Linux's fixed point: how many ACKed segments per
 * one segment of growth (ca->cnt).
 */
static void cubic_update(struct cubic *ca, u32 cwnd, u32 acked)
{
	u64 now = mytcp_clock_us(), t;
	u32 target, delta;

	ca->ack_cnt += acked;
	if (ca->last_cwnd == cwnd &&
	    now - ca->last_time_us <= USEC_PER_SEC / 32)
		return;
	ca->last_cwnd = cwnd;
	ca->last_time_us = now;
	if (!ca->epoch_start_us) {
		ca->epoch_start_us = now;
		ca->ack_cnt = acked;
		ca->tcp_cwnd = cwnd;
		if (ca->last_max_cwnd <= cwnd) {
			ca->k = 0;
			ca->origin_point = cwnd;
		} else {
			ca->k = mytcp_cubic_k(ca->last_max_cwnd, cwnd);
			ca->origin_point = ca->last_max_cwnd;
		}
	}
	/* W_cubic(t + RTT): where the window should be an RTT from now */
	t = now - ca->epoch_start_us + ca->delay_min_us;
	t = (t << MYTCP_CUBIC_HZ) / USEC_PER_SEC;
	target = mytcp_cubic_target(ca->origin_point, ca->k, t);
	if (target > cwnd)
		ca->cnt = cwnd / (target - cwnd);
	else
		ca->cnt = 100 * cwnd;	/* very small increment */
	/* no W_max yet: at most 5% per RTT */
	if (!ca->last_max_cwnd && ca->cnt > 20)
		ca->cnt = 20;

	/* Reno-friendly region: W_est grows alpha = 3(1-b)/(1+b) per RTT */
	delta = max_t(u32, (u64)cwnd * 15 >> 3, 1);	/* cwnd / alpha */
	if (ca->ack_cnt > delta) {
		u32 n = (ca->ack_cnt - 1) / delta;

		ca->ack_cnt -= n * delta;
		ca->tcp_cwnd += n;
	}
	if (ca->tcp_cwnd > cwnd) {
		u32 max_cnt = cwnd / (ca->tcp_cwnd - cwnd);

		ca->cnt = min(ca->cnt, max_cnt);
	}
	/* at most 1.5x per RTT */
	ca->cnt = max(ca->cnt, 2U);
}

/* Slow start: what was acked, as Linux (no L); a quarter of it in CSS. */
static u32 cubic_slow_start(struct sock *sk, struct cubic *ca, u32 acked)
{
	u32 inc;

	if (ca->hs_state != HS_CSS)
		return mytcp_slow_start(sk, acked);
	ca->css_acked += acked;
	inc = ca->css_acked / HS_CSS_GROWTH_DIVISOR;
	ca->css_acked -= inc * HS_CSS_GROWTH_DIVISOR;
	if (inc)
		mytcp_slow_start(sk, inc);
	return 0;
}

static void cubic_cong_avoid(struct sock *sk, u32 ack, u32 acked)
{
	struct cubic *ca = mytcp_ca_priv(sk);

	if (!mytcp_is_cwnd_limited(sk))
		return;
	if (mytcp_in_slow_start(sk)) {
		acked = cubic_slow_start(sk, ca, acked);
		if (!acked)
			return;
	}
	cubic_update(ca, mytcp_cwnd(sk), acked);
	mytcp_cong_avoid_ai(sk, ca->cnt, acked);
}

static u32 cubic_ssthresh(struct sock *sk)
{
	struct cubic *ca = mytcp_ca_priv(sk);
	u32 cwnd = mytcp_cwnd(sk);

	ca->epoch_start_us = 0;		/* end of epoch */
	ca->last_max_cwnd = mytcp_cubic_wmax(cwnd, ca->last_max_cwnd,
					     fast_convergence);
	ca->hs_state = HS_DONE;		/* loss ends slow start */
	return mytcp_cubic_ssthresh(cwnd);
}

static void cubic_set_state(struct sock *sk, u8 new_state)
{
	if (new_state == MYTCP_CA_LOSS)
		cubic_reset(mytcp_ca_priv(sk));
}

/* Idle time is not growth time: the epoch moves by the idle period. */
static void cubic_cwnd_event(struct sock *sk, enum mytcp_ca_event ev)
{
	struct cubic *ca = mytcp_ca_priv(sk);
	u64 now, last;

	if (ev != MYTCP_CA_EVENT_TX_START || !ca->epoch_start_us)
		return;
	now = mytcp_clock_us();
	last = mytcp_last_send_us(sk);
	if (now > last) {
		ca->epoch_start_us += now - last;
		if (ca->epoch_start_us > now)
			ca->epoch_start_us = now;
	}
}

/* HyStart++ (RFC 9406 4.2): per-round minimum RTT, CSS entry and exit. */
static void hystart_sample(struct sock *sk, struct cubic *ca, u32 rtt_us)
{
	u32 thresh;

	if (!ca->round_started ||
	    (s32)(mytcp_snd_una(sk) - ca->window_end) > 0) {
		/* a new round */
		ca->round_started = 1;
		ca->window_end = mytcp_snd_nxt(sk);
		ca->last_rtt_min = ca->cur_rtt_min;
		ca->cur_rtt_min = 0;
		ca->rtt_cnt = 0;
		if (ca->hs_state == HS_CSS &&
		    ++ca->css_rounds >= HS_CSS_ROUNDS) {
			ca->hs_state = HS_DONE;
			mytcp_ssthresh_set(sk, mytcp_cwnd(sk));
			return;
		}
	}
	if (!ca->cur_rtt_min || rtt_us < ca->cur_rtt_min)
		ca->cur_rtt_min = rtt_us;
	ca->rtt_cnt++;
	if (ca->rtt_cnt < HS_N_RTT_SAMPLE || !ca->last_rtt_min)
		return;
	if (ca->hs_state == HS_SS) {
		thresh = clamp_t(u32, ca->last_rtt_min / HS_MIN_RTT_DIVISOR,
				 HS_MIN_RTT_THRESH_US, HS_MAX_RTT_THRESH_US);
		if (ca->cur_rtt_min >= ca->last_rtt_min + thresh) {
			ca->css_baseline = ca->cur_rtt_min;
			ca->hs_state = HS_CSS;
			ca->css_rounds = 0;
			ca->css_acked = 0;
		}
	} else if (ca->cur_rtt_min < ca->css_baseline) {
		/* the delay increase was spurious: back to slow start */
		ca->hs_state = HS_SS;
	}
}

static void cubic_pkts_acked(struct sock *sk,
			     const struct mytcp_ack_sample *sample)
{
	struct cubic *ca = mytcp_ca_priv(sk);
	u32 rtt_us;

	if (sample->rtt_us <= 0)
		return;
	rtt_us = sample->rtt_us;
	if (!ca->delay_min_us || rtt_us < ca->delay_min_us)
		ca->delay_min_us = rtt_us;
	if (ca->hs_state != HS_DONE && mytcp_in_slow_start(sk) &&
	    mytcp_ca_state(sk) == MYTCP_CA_OPEN)
		hystart_sample(sk, ca, rtt_us);
}

static struct mytcp_cong_ops cubic = {
	.flags = MYTCP_CONG_NON_RESTRICTED,
	.init = cubic_init,
	.ssthresh = cubic_ssthresh,
	.cong_avoid = cubic_cong_avoid,
	.set_state = cubic_set_state,
	.undo_cwnd = mytcp_reno_undo_cwnd,
	.cwnd_event = cubic_cwnd_event,
	.pkts_acked = cubic_pkts_acked,
	.owner = THIS_MODULE,
	.name = "cubic",
};

static int __init cubic_register(void)
{
	BUILD_BUG_ON(sizeof(struct cubic) > MYTCP_CA_PRIV_SIZE);
	return mytcp_register_congestion_control(&cubic);
}

static void __exit cubic_unregister(void)
{
	mytcp_unregister_congestion_control(&cubic);
}

module_init(cubic_register);
module_exit(cubic_unregister);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("CUBIC congestion control (RFC 9438, HyStart++) for mytcp");
/* request_module("mytcp-cong-cubic"): TCP_CONGESTION, the sysctl */
MODULE_ALIAS("mytcp-cong-cubic");
