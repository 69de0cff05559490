/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: sequence number arithmetic (RFC 9293 3.4), modulo 2^32.
 *
 * Pure: no kernel state, unit-tested in user space (unit/test_seq.c).
 */
#ifndef _MYTCP_SEQ_H
#define _MYTCP_SEQ_H

#include <linux/types.h>

/* a is before b: a - b is negative as a 32-bit signed number */
static inline bool mytcp_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

#define mytcp_after(a, b)	mytcp_before(b, a)

static inline bool mytcp_between(u32 seq, u32 lo, u32 hi)
{
	/* lo <= seq <= hi, modulo 2^32 */
	return hi - lo >= seq - lo;
}

/*
 * RFC 9293 3.10.7.4, first check: is a segment of len sequence numbers
 * (SYN and FIN count) starting at seq acceptable when RCV.NXT is rcv_nxt
 * and wnd of the window is left?  The four cases of the RFC's table.
 */
static inline bool mytcp_seq_acceptable(u32 rcv_nxt, u32 wnd, u32 seq,
					u32 len)
{
	if (!len) {
		if (!wnd)
			return seq == rcv_nxt;
		return mytcp_between(seq, rcv_nxt, rcv_nxt + wnd - 1);
	}
	if (!wnd)
		return false;
	return mytcp_between(seq, rcv_nxt, rcv_nxt + wnd - 1) ||
	       mytcp_between(seq + len - 1, rcv_nxt, rcv_nxt + wnd - 1);
}

/*
 * A segment the first check refuses that Linux's tcp_sequence() takes: it
 * lies wholly at or below RCV.NXT but ends at or after RCV.WUP (rcv_wup:
 * the RCV.NXT our last ACK carried).  The peer sent it before it could
 * see that ACK, so it is only late (reordered, or from a peer that
 * answered a segment of ours together with the ACK it just sent), not a
 * stray: its ACK field is processed and it draws no duplicate ACK of its
 * own (old data in it is still D-SACKed and ACKed by the data path).  A
 * segment that ends before RCV.WUP stays unacceptable.
 */
static inline bool mytcp_seq_since_wup(u32 rcv_wup, u32 rcv_nxt, u32 end_seq)
{
	return !mytcp_before(end_seq, rcv_wup) &&
	       !mytcp_after(end_seq, rcv_nxt);
}

#endif /* _MYTCP_SEQ_H */
