/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: the RFC 6298 round-trip estimator, in fixed point.
 *
 * srtt8 is SRTT << 3 and rttvar4 is RTTVAR << 2, both in microseconds, so
 * the gains 1/8 and 1/4 are shifts.  Pure: timer.c keeps the state in the
 * socket and bounds the result by the route's/sysctl's RTO limits;
 * unit/test_rtt.c checks the RFC's rules.
 */
#ifndef _MYTCP_RTT_H
#define _MYTCP_RTT_H

#include <linux/kernel.h>

/* Clock granularity G of RFC 6298 2.2: 1 ms. */
#define MYTCP_RTT_G_US	1000

/* Take one measurement r_us (> 0) into the estimator (RFC 6298 2.2, 2.3). */
static inline void mytcp_rtt_estimate(u32 *srtt8, u32 *rttvar4, u32 r_us)
{
	s64 err;

	if (!*srtt8) {
		/* first measurement: SRTT = R, RTTVAR = R/2 */
		*srtt8 = r_us << 3;
		*rttvar4 = r_us << 1;
		return;
	}
	err = (s64)r_us - (*srtt8 >> 3);
	/* RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R'| */
	*rttvar4 += (u32)abs(err) - (*rttvar4 >> 2);
	/* SRTT = 7/8 SRTT + 1/8 R' */
	*srtt8 += (s32)err;
}

/* RTO = SRTT + max(G, K * RTTVAR), K = 4 (before any bound). */
static inline u32 mytcp_rto_of(u32 srtt8, u32 rttvar4)
{
	return (srtt8 >> 3) + max_t(u32, rttvar4, MYTCP_RTT_G_US);
}

#endif /* _MYTCP_RTT_H */
