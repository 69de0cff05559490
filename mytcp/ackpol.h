/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: the receiver's ACK policy rules that need no socket (data.c;
 * Linux's __tcp_ack_snd_check()).  Pure: unit/test_ackpol.c checks them.
 */
#ifndef _MYTCP_ACKPOL_H
#define _MYTCP_ACKPOL_H

#include <linux/types.h>
#include <linux/kernel.h>

/* Duplicate ACKs sent at once per RCV.NXT (Linux's TCP_FASTRETRANS_THRESH) */
#define MYTCP_COMP_DUPACKS	3

/* The compressed-SACK state of a socket (mytcp_sock, data.c). */
struct mytcp_comp {
	u8 acks;		/* ACKs held */
	u8 dupacks;		/* sent at once for rcv_nxt */
	u32 rcv_nxt;		/* the RCV.NXT they were for */
};

/*
 * An out-of-order segment owes an ACK that nothing else sends at once:
 * hold it (true) or send it (false)?  Sent: without SACK, once nr are
 * held (nr 0: always), and the first MYTCP_COMP_DUPACKS for a RCV.NXT.
 */
static inline bool mytcp_comp_hold(struct mytcp_comp *c, u32 rcv_nxt,
				   bool sack_ok, int nr)
{
	if (!sack_ok || c->acks >= nr)
		return false;
	if (c->rcv_nxt != rcv_nxt) {
		c->rcv_nxt = rcv_nxt;
		c->dupacks = 0;
	}
	if (c->dupacks < MYTCP_COMP_DUPACKS) {
		c->dupacks++;
		return false;
	}
	c->acks++;
	return true;
}

/*
 * How long held ACKs wait: 5% of the RTT (srtt8_us: 8 times it, in
 * microseconds, as mtp->srtt_us), at most max_ns; 0 without an RTT.
 */
static inline u64 mytcp_comp_delay_ns(u32 srtt8_us, u64 max_ns)
{
	return min_t(u64, max_ns, (u64)srtt8_us * (1000 >> 3) / 20);
}

/*
 * Does an ACK move the window's right edge by what it acknowledges: the
 * window the buffer allows now (wnd, before scaling) at least the one
 * last offered (Linux's __tcp_select_window() >= rcv_wnd)?
 */
static inline bool mytcp_edge_advances(u32 wnd, u32 rcv_wnd, u8 wscale)
{
	return ALIGN(wnd, 1U << wscale) >= rcv_wnd;
}

#endif /* _MYTCP_ACKPOL_H */
