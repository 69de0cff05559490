// SPDX-License-Identifier: GPL-2.0
/*
 * The RTT estimator and RTO (mytcp/rtt.h): Linux's tcp_rtt_estimator()
 * and tcp_set_rto().  The expected values are Linux's arithmetic by hand.
 */
#include "unit.h"
#include "rtt.h"

#define RTO_MAX	120000000	/* 120 s */

struct est {
	u32 srtt8, mdev4, mdev_max4, rttvar4, rto_min;
};

static void sample(struct est *e, u32 r_us, bool new_round)
{
	mytcp_rtt_estimate(&e->srtt8, &e->mdev4, &e->mdev_max4, &e->rttvar4,
			   r_us, e->rto_min, new_round);
}

static u32 rto(const struct est *e)
{
	return mytcp_rto_of(e->srtt8, e->rttvar4, RTO_MAX);
}

TEST(rtt_first_sample)
{
	struct est e = { .rto_min = 1000 };

	sample(&e, 100000, true);
	/* SRTT = R, 4 * RTTVAR = 2R: RTO = 3R above rto_min */
	EXPECT_EQ(e.srtt8 >> 3, 100000);
	EXPECT_EQ(e.mdev4, 200000);
	EXPECT_EQ(e.rttvar4, 200000);
	EXPECT_EQ(rto(&e), 300000);
}

TEST(rtt_first_sample_rto_min_added)
{
	struct est e = { .rto_min = 200000 };

	/* Linux: SRTT + max(2R, rto_min) = 50 + 200 ms; RFC 6298's
	 * max(SRTT + 4 RTTVAR, rto_min) would be 200 ms
	 */
	sample(&e, 50000, true);
	EXPECT_EQ(e.rttvar4, 200000);
	EXPECT_EQ(e.mdev4, 100000);
	EXPECT_EQ(rto(&e), 250000);
	e = (struct est){ .rto_min = 600000 };
	sample(&e, 200000, true);
	EXPECT_EQ(rto(&e), 800000);
	e = (struct est){ .rto_min = 200000 };
	sample(&e, 150000, true);	/* 2R above rto_min */
	EXPECT_EQ(rto(&e), 450000);
}

TEST(rtt_rttvar_held_for_the_round)
{
	struct est e = { .rto_min = 1000 };

	sample(&e, 100000, true);
	/* the same RTT within the round: mdev falls, rttvar (the RTO) not */
	sample(&e, 100000, false);
	EXPECT_EQ(e.mdev4, 150000);
	EXPECT_EQ(e.rttvar4, 200000);
	EXPECT_EQ(rto(&e), 300000);
	/* round ends: mdev_max back to rto_min, rttvar still the largest */
	sample(&e, 100000, true);
	EXPECT_EQ(e.mdev4, 112500);
	EXPECT_EQ(e.mdev_max4, 1000);
	EXPECT_EQ(rto(&e), 300000);
	/* next round: rttvar decays a quarter of the way to mdev_max */
	sample(&e, 100000, true);
	EXPECT_EQ(e.mdev4, 84375);
	EXPECT_EQ(e.rttvar4, 171094);
	EXPECT_EQ(rto(&e), 271094);
}

TEST(rtt_larger_sample)
{
	struct est e = { .rto_min = 1000 };

	sample(&e, 100000, true);
	sample(&e, 200000, false);
	/* error +100000: mdev4 = 200000 + 100000 - 50000, SRTT + 12500 */
	EXPECT_EQ(e.mdev4, 250000);
	EXPECT_EQ(e.rttvar4, 250000);
	EXPECT_EQ(e.srtt8 >> 3, 112500);
	EXPECT_EQ(rto(&e), 362500);
}

TEST(rtt_smaller_sample_small_gain)
{
	struct est e = { .rto_min = 1000 };

	sample(&e, 100000, true);
	sample(&e, 20000, false);
	/* error -80000: Linux's gain 1/32 when the RTT falls, (80000 -
	 * 50000) / 8 = 3750 (RFC 6298: 1/4, 230000)
	 */
	EXPECT_EQ(e.srtt8 >> 3, 90000);
	EXPECT_EQ(e.mdev4, 203750);
	EXPECT_EQ(e.rttvar4, 203750);
	EXPECT_EQ(rto(&e), 293750);
}

TEST(rtt_rto_min_floor)
{
	struct est e = { .rto_min = 200000 };
	int i;

	/* A steady tiny RTT: the RTO stays SRTT + rto_min */
	for (i = 0; i < 200; i++)
		sample(&e, 10, true);
	EXPECT_EQ(e.srtt8 >> 3, 10);
	EXPECT_EQ(e.rttvar4, 200000);
	EXPECT_EQ(rto(&e), 200010);
}

TEST(rtt_converges)
{
	struct est e = { .rto_min = 1000 };
	int i;

	sample(&e, 500000, true);
	for (i = 0; i < 200; i++)
		sample(&e, 40000, true);
	EXPECT_EQ(e.srtt8 >> 3, 40000);
	EXPECT_EQ(rto(&e), 41003);
	EXPECT(e.rttvar4 >= e.rto_min);
}

TEST(rtt_rto_max_clamp)
{
	struct est e = { .rto_min = 200000 };

	/* 50 s: SRTT + 100 s, bounded by rto_max (RFC 6298 2.5) */
	sample(&e, 50000000, true);
	EXPECT_EQ(rto(&e), RTO_MAX);
	EXPECT_EQ(mytcp_rto_of(e.srtt8, e.rttvar4, 1000000), 1000000);
	/* a zero rttvar (never, rto_min >= 1 ms) still adds G */
	EXPECT_EQ(mytcp_rto_of(8000, 0, RTO_MAX), 1000 + MYTCP_RTT_G_US);
}

TEST(rtt_long_samples_no_overflow)
{
	struct est e = { .rto_min = 200000 };

	/* 120 s (the largest RTO): SRTT << 3 still fits in 32 bits */
	sample(&e, 120000000, true);
	sample(&e, 1000, true);
	EXPECT_EQ(e.srtt8 >> 3, 105000125);
	sample(&e, 120000000, true);
	EXPECT((e.srtt8 >> 3) > 105000125 && (e.srtt8 >> 3) < 120000000);
	EXPECT(e.mdev4 < 0x80000000u && e.rttvar4 >= e.mdev_max4 / 2);
	EXPECT_EQ(rto(&e), RTO_MAX);
}
