// SPDX-License-Identifier: GPL-2.0
/* The RFC 6298 estimator (mytcp/rtt.h). */
#include "unit.h"
#include "rtt.h"

TEST(rtt_first_sample)
{
	u32 srtt8 = 0, rttvar4 = 0;

	mytcp_rtt_estimate(&srtt8, &rttvar4, 100000);
	/* 2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4 RTTVAR) */
	EXPECT_EQ(srtt8 >> 3, 100000);
	EXPECT_EQ(rttvar4 >> 2, 50000);
	EXPECT_EQ(mytcp_rto_of(srtt8, rttvar4), 300000);
}

TEST(rtt_same_sample_again)
{
	u32 srtt8 = 0, rttvar4 = 0;

	mytcp_rtt_estimate(&srtt8, &rttvar4, 100000);
	mytcp_rtt_estimate(&srtt8, &rttvar4, 100000);
	/* 2.3: RTTVAR = 3/4 * 50000 + 1/4 * 0, SRTT unchanged */
	EXPECT_EQ(srtt8 >> 3, 100000);
	EXPECT_EQ(rttvar4 >> 2, 37500);
	EXPECT_EQ(mytcp_rto_of(srtt8, rttvar4), 250000);
}

TEST(rtt_larger_sample)
{
	u32 srtt8 = 0, rttvar4 = 0;

	mytcp_rtt_estimate(&srtt8, &rttvar4, 100000);
	mytcp_rtt_estimate(&srtt8, &rttvar4, 200000);
	/* RTTVAR = 37500 + 25000, SRTT = 87500 + 25000 */
	EXPECT_EQ(rttvar4 >> 2, 62500);
	EXPECT_EQ(srtt8 >> 3, 112500);
	EXPECT_EQ(mytcp_rto_of(srtt8, rttvar4), 362500);
}

TEST(rtt_smaller_sample)
{
	u32 srtt8 = 0, rttvar4 = 0;

	mytcp_rtt_estimate(&srtt8, &rttvar4, 100000);
	mytcp_rtt_estimate(&srtt8, &rttvar4, 20000);
	/* |SRTT - R'| = 80000: RTTVAR = 37500 + 20000; SRTT = 87500 + 2500 */
	EXPECT_EQ(rttvar4 >> 2, 57500);
	EXPECT_EQ(srtt8 >> 3, 90000);
}

TEST(rtt_clock_granularity_floor)
{
	u32 srtt8 = 0, rttvar4 = 0;
	int i;

	/* A steady tiny RTT: RTTVAR decays, the RTO keeps G (1 ms) */
	for (i = 0; i < 200; i++)
		mytcp_rtt_estimate(&srtt8, &rttvar4, 10);
	EXPECT_EQ(srtt8 >> 3, 10);
	EXPECT(rttvar4 < MYTCP_RTT_G_US);
	EXPECT_EQ(mytcp_rto_of(srtt8, rttvar4), 10 + MYTCP_RTT_G_US);
}

TEST(rtt_converges)
{
	u32 srtt8 = 0, rttvar4 = 0;
	int i;

	mytcp_rtt_estimate(&srtt8, &rttvar4, 500000);
	for (i = 0; i < 200; i++)
		mytcp_rtt_estimate(&srtt8, &rttvar4, 40000);
	EXPECT((srtt8 >> 3) >= 40000 && (srtt8 >> 3) < 40100);
	EXPECT(mytcp_rto_of(srtt8, rttvar4) < 40000 + 2 * MYTCP_RTT_G_US);
}

TEST(rtt_long_samples_no_overflow)
{
	u32 srtt8 = 0, rttvar4 = 0;

	/* 120 s (the largest RTO): SRTT << 3 still fits in 32 bits */
	mytcp_rtt_estimate(&srtt8, &rttvar4, 120000000);
	mytcp_rtt_estimate(&srtt8, &rttvar4, 1000);
	EXPECT_EQ(srtt8 >> 3, 105000125);
	mytcp_rtt_estimate(&srtt8, &rttvar4, 120000000);
	EXPECT((srtt8 >> 3) > 105000125 && (srtt8 >> 3) < 120000000);
}
