/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: RACK-TLP (RFC 8985) - the per-connection state (rack.c) and its
 * pure arithmetic: which of two transmissions is the later, the
 * reordering window, the time a segment has left before it is deemed
 * lost, the probe timeout.  Times in ns (ktime), RTTs in us.
 * unit/test_rack.c checks the rules.  Locking: the socket is owned.
 */
#ifndef _MYTCP_RACK_H
#define _MYTCP_RACK_H

#include <linux/kernel.h>
#include "seq.h"

#define MYTCP_RACK_STEPS_MAX	255	/* reo_wnd_steps bound (as Linux) */
#define MYTCP_RACK_PERSIST	16	/* recoveries a widened window lasts */
#define MYTCP_TLP_MIN_NS	(2 * NSEC_PER_MSEC)	/* PTO slack (Linux) */
#define MYTCP_RACK_SLACK_US	2000	/* reorder timer slack (Linux) */

struct mytcp_rack {
	u64 xmit_ns;		/* RACK.xmit_ts: latest delivered send */
	u32 end_seq;		/* RACK.end_seq: its end */
	u32 rtt_us;		/* RACK.rtt: its RTT */
	u32 fack;		/* highest end_seq delivered (reordering) */
	u32 prior_fack;		/* fack before this ACK (Linux's prior_fack) */
	u32 min_rtt_us;		/* lowest unambiguous RTT; 0: none yet */
	u32 lost_bytes;		/* marked MYTCP_SACKED_LOST, not delivered */
	u32 tlp_high_seq;	/* snd_nxt at the probe; 0: none out */
	u8 steps;		/* reo_wnd multiplier (D-SACK rounds) */
	u8 persist;		/* recoveries left with steps > 1 */
	u8 reord:1;		/* reordering seen on this connection */
	u8 tlp_rtx:1;		/* the probe was a retransmission */
	u8 tlp_push:1;		/* the probe may go beyond cwnd (output.c) */
	u8 frto:1;		/* F-RTO after this RTO (RFC 5682) */
	u8 orig_acked:1;	/* this ACK delivered a never-resent segment */
	u8 rprobe:1;		/* this fast recovery sent its probe */
	u32 frto_high;		/* F-RTO: SND.MAX at the RTO */
	u32 reordering;		/* degree, segments; 0: net.mytcp.reordering */
	u32 reord_seen;		/* reordering events (tcpi_reord_seen) */
	u32 dsack_dups;		/* segments D-SACKed (tcpi_dsack_dups) */
	u32 reord_low;		/* this ACK: lowest seq delivered below fack */
	u8 reord_pend:1;	/* reord_low is set */
	u8 advanced:1;		/* RACK moved since its last pass */
	u8 dsack_pend:1;	/* a D-SACK waits for its step (reo_update) */
	u8 reo_armed:1;		/* this ACK's RACK pass armed the timer */
	u64 step_ns;		/* when reo_wnd_steps last grew */
	u64 undo_ns;		/* the last undo that kept RACKED marks */
	u64 ack_sent_ns;	/* this ACK: latest send it delivered */
};

/*
 * Once per ACK that delivered something (Linux's
 * tcp_rack_update_reo_wnd()): a pending D-SACK adds a step to the
 * reordering window - one per round trip: unless the latest segment
 * this ACK delivered was sent after the last step, the D-SACK may be
 * the last step's own doing and is dropped - and keeps the window wide
 * for MYTCP_RACK_PERSIST recoveries; with none left the window is back
 * to one step.  An ACK that delivers nothing leaves the D-SACK pending.
 */
static inline void mytcp_rack_reo_update(struct mytcp_rack *r, u64 now)
{
	if (!r->ack_sent_ns)
		return;
	if (r->step_ns && r->ack_sent_ns < r->step_ns)
		r->dsack_pend = 0;
	if (r->dsack_pend) {
		r->steps = min_t(u32, max_t(u32, r->steps, 1) + 1,
				 MYTCP_RACK_STEPS_MAX);
		r->dsack_pend = 0;
		r->step_ns = now;
		r->persist = MYTCP_RACK_PERSIST;
	} else if (!r->persist) {
		r->steps = 1;
	}
}

/* Was (t1, seq1) sent after (t2, seq2)?  RFC 8985 6.2 RACK_sent_after. */
static inline bool mytcp_rack_sent_after(u64 t1, u32 seq1, u64 t2, u32 seq2)
{
	return t1 > t2 || (t1 == t2 && mytcp_after(seq1, seq2));
}

/*
 * RACK.reo_wnd in us (RFC 8985 6.2 step 4, as Linux's tcp_rack_reo_wnd()):
 * without reordering seen, 0 once in recovery or when dupthresh segments
 * (the reordering degree: mytcp_reordering_update()) are SACKed - the
 * classic rule stays as fast; else min_RTT/4 per step, at most SRTT.
 */
static inline u32 mytcp_rack_reo_wnd(u32 min_rtt_us, u32 srtt_us, u8 steps,
				     bool reord, bool recovery, u32 sacked_segs,
				     u32 dupthresh)
{
	if (!reord && (recovery || sacked_segs >= dupthresh))
		return 0;
	return min_t(u32, (min_rtt_us >> 2) * max_t(u32, steps, 1), srtt_us);
}

/*
 * The reordering degree (Linux's tcp_check_sack_reordering()): a segment
 * never retransmitted from low_seq was delivered below fack, the highest
 * end delivered; the degree grows to the segments between them, at most
 * max.  cur: the degree so far.
 */
static inline u32 mytcp_reordering_update(u32 cur, u32 fack, u32 low_seq,
					  u32 mss, u32 max)
{
	u32 metric;

	if (!mss || !mytcp_before(low_seq, fack))
		return cur;
	metric = fack - low_seq;
	if ((u64)metric > (u64)cur * mss)
		cur = min_t(u32, metric / mss + !!(metric % mss), max);
	return cur;
}

/*
 * Time left (ns) before a segment sent at sent_ns is deemed lost: RACK.rtt
 * + reo_wnd after its transmission (RFC 8985 6.2 step 5); <= 0: lost.
 */
static inline s64 mytcp_rack_left_ns(u64 now, u64 sent_ns, u32 rtt_us,
				     u32 reo_us)
{
	return (s64)(sent_ns + ((u64)rtt_us + reo_us) * NSEC_PER_USEC - now);
}

/*
 * The reorder timer (Linux's tcp_rack_mark_lost()): the longest wait of
 * a segment not yet deemed lost, plus TCP_TIMEOUT_MIN_US (2 ms), rounded
 * up to whole ticks of tick_us as usecs_to_jiffies() does.  A late
 * original that arrives within the slack saves a spurious retransmission;
 * the ACK path still marks losses without it.
 */
static inline u32 mytcp_rack_reo_timer_us(u32 wait_us, u32 tick_us)
{
	u32 us = min_t(u32, wait_us, 0x7fffffffU) + MYTCP_RACK_SLACK_US;

	if (!tick_us)
		return us;
	return (us + tick_us - 1) / tick_us * tick_us;
}

/*
 * The probe timeout (RFC 8985 7.2, as Linux's tcp_schedule_loss_probe()):
 * 2 * SRTT, plus the peer's delayed-ACK allowance (ato_ns) when a single
 * segment is out, else 2 ms; 1 s without an RTT sample.  Never later
 * than the RTO (rto_left_ns, < 0: not armed).
 */
static inline u64 mytcp_tlp_pto_ns(u32 srtt_us, bool one_out, u64 ato_ns,
				   s64 rto_left_ns)
{
	u64 pto = NSEC_PER_SEC;

	if (srtt_us)
		pto = 2ULL * srtt_us * NSEC_PER_USEC +
		      (one_out ? ato_ns : MYTCP_TLP_MIN_NS);
	if (rto_left_ns >= 0 && (u64)rto_left_ns < pto)
		pto = rto_left_ns;
	return pto;
}

#endif /* _MYTCP_RACK_H */
