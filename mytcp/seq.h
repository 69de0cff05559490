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

#endif /* _MYTCP_SEQ_H */
