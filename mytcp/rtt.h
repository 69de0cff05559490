/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: the round-trip estimator and RTO, in fixed point, as Linux's
 * tcp_rtt_estimator() and tcp_set_rto().
 *
 * srtt8 is SRTT << 3, mdev4 the mean deviation << 2 (RFC 6298's RTTVAR
 * << 2, with Linux's smaller gain when the RTT falls), mdev_max4 the
 * largest mdev4 of this round of data (at least rto_min), rttvar4 what
 * the RTO adds to SRTT: the largest mdev_max4, decaying by a quarter per
 * round towards the round's, never below rto_min.  All in microseconds.
 * RTO = SRTT + rttvar4, that is SRTT + max(4 * RTTVAR, rto_min) after
 * the first sample (Linux), not RFC 6298's max(SRTT + 4 * RTTVAR,
 * rto_min).  Pure: timer.c keeps the state in the socket, says when a
 * round ends (SND.UNA passed the SND.NXT of the round's first sample)
 * and bounds the RTO by rto_max; unit/test_rtt.c checks the arithmetic.
 */
#ifndef _MYTCP_RTT_H
#define _MYTCP_RTT_H

#include <linux/kernel.h>

/* Clock granularity G of RFC 6298 2.2: 1 ms. */
#define MYTCP_RTT_G_US	1000

/*
 * Take one measurement r_us (> 0) into the estimator; new_round: the
 * previous sample's round of data is acknowledged (always true for the
 * first sample).
 */
static inline void mytcp_rtt_estimate(u32 *srtt8, u32 *mdev4,
				      u32 *mdev_max4, u32 *rttvar4,
				      u32 r_us, u32 rto_min_us,
				      bool new_round)
{
	s64 m = r_us;

	if (!*srtt8) {
		/* first measurement: SRTT = R, RTTVAR = R/2 */
		*srtt8 = max_t(u32, r_us << 3, 1);
		*mdev4 = r_us << 1;
		*rttvar4 = max(*mdev4, rto_min_us);
		*mdev_max4 = *rttvar4;
		return;
	}
	m -= *srtt8 >> 3;		/* the error */
	*srtt8 = max_t(s64, (s64)*srtt8 + m, 1); /* SRTT += error / 8 */
	if (m < 0) {
		/* RTT falling: gain 1/32 instead of 1/4 (Linux), so that a
		 * sudden drop does not raise the RTO
		 */
		m = -m - (*mdev4 >> 2);
		if (m > 0)
			m >>= 3;
	} else {
		m -= *mdev4 >> 2;
	}
	*mdev4 = (s64)*mdev4 + m;	/* mdev = 3/4 mdev + 1/4 |error| */
	if (*mdev4 > *mdev_max4) {
		*mdev_max4 = *mdev4;
		if (*mdev_max4 > *rttvar4)
			*rttvar4 = *mdev_max4;
	}
	if (new_round) {
		if (*mdev_max4 < *rttvar4)
			*rttvar4 -= (*rttvar4 - *mdev_max4) >> 2;
		*mdev_max4 = rto_min_us;
	}
}

/*
 * RTO = SRTT + rttvar4 (at least G: rto_min_ms is at least 1 ms), at
 * most rto_max_us (RFC 6298 2.5; Linux's tcp_bound_rto()).
 */
static inline u32 mytcp_rto_of(u32 srtt8, u32 rttvar4, u32 rto_max_us)
{
	u64 rto = (u64)(srtt8 >> 3) + max_t(u32, rttvar4, MYTCP_RTT_G_US);

	return min_t(u64, rto, rto_max_us);
}

#endif /* _MYTCP_RTT_H */
