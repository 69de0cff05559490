/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: the rule of TSO deferral (output.c's tso_should_defer(), after
 * Linux's tcp_tso_should_defer()), pure so that unit/test_tso.c checks
 * it.  Bytes and nanoseconds.
 */
#ifndef _MYTCP_TSO_H
#define _MYTCP_TSO_H

#include <linux/kernel.h>

#ifndef NSEC_PER_MSEC
#define NSEC_PER_MSEC	1000000L
#endif

/*
 * Hold back a transmission that cwnd limits to cwnd_room bytes, waiting
 * for the next ACK to add to it?  goal: the skb size wanted; len: what
 * the skb holds; window: min(SND.WND, cwnd * MSS); since_sent_ns: time
 * since the last data segment went; due_ns: when the oldest outstanding
 * segment's ACK is due (its send time + SRTT - now; negative: overdue);
 * srtt_ns: SRTT.  Not when the room reaches the goal, the whole skb or a
 * third of the window; not more than 1 ms after the last transmission;
 * not when the next ACK is due later than min(1 ms, SRTT/2).
 */
static inline bool mytcp_tso_defer(u32 cwnd_room, u32 goal, u32 len,
				   u64 window, u64 since_sent_ns, s64 due_ns,
				   u64 srtt_ns)
{
	if (!srtt_ns || cwnd_room >= goal || cwnd_room >= len ||
	    cwnd_room >= window / 3 || since_sent_ns > NSEC_PER_MSEC)
		return false;
	return due_ns <= (s64)min_t(u64, srtt_ns / 2, NSEC_PER_MSEC);
}

#endif /* _MYTCP_TSO_H */
