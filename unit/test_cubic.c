// SPDX-License-Identifier: GPL-2.0
/* CUBIC's window function (mytcp/cubic.h) against RFC 9438's formulas. */
#include <math.h>
#include "unit.h"
#include "cubic.h"

TEST(cubic_root_exact_and_floor)
{
	u64 i;

	EXPECT_EQ(mytcp_cubic_root(0), 0);
	EXPECT_EQ(mytcp_cubic_root(1), 1);
	EXPECT_EQ(mytcp_cubic_root(7), 1);
	EXPECT_EQ(mytcp_cubic_root(8), 2);
	EXPECT_EQ(mytcp_cubic_root(26), 2);
	EXPECT_EQ(mytcp_cubic_root(27), 3);
	EXPECT_EQ(mytcp_cubic_root(~0ULL), 2642245);
	for (i = 1; i < 2642245; i += 997) {
		EXPECT_EQ(mytcp_cubic_root(i * i * i), i);
		EXPECT_EQ(mytcp_cubic_root(i * i * i - 1), i - 1);
	}
}

/* K = cbrt(W_max (1 - beta) / C) seconds, after a reduction to beta W_max. */
TEST(cubic_k_matches_rfc)
{
	u32 wmax;

	for (wmax = 10; wmax < 100000; wmax = wmax * 3 / 2) {
		u32 epoch = mytcp_cubic_ssthresh(wmax);
		double k = cbrt((wmax - epoch) / 0.4);
		double got = mytcp_cubic_k(wmax, epoch) / 1024.0;

		/* C is 410/1024 (0.1% off 0.4), K is floored to 1/1024 s */
		EXPECT(fabs(got - k) <= 0.002 * k + 2.0 / 1024);
	}
	EXPECT_EQ(mytcp_cubic_k(10, 20), 0);
}

/* W_cubic(t) = C (t - K)^3 + W_max, within 0.5% + 1 segment. */
TEST(cubic_target_matches_rfc)
{
	u32 wmax, t;

	for (wmax = 20; wmax < 50000; wmax *= 3) {
		u32 k = mytcp_cubic_k(wmax, mytcp_cubic_ssthresh(wmax));

		for (t = 0; t < 30 * 1024; t += 97) {
			double ts = t / 1024.0, ks = k / 1024.0;
			double want = 0.4 * pow(ts - ks, 3) + wmax;
			u32 got = mytcp_cubic_target(wmax, k, t);

			if (want < 1)
				want = 1;
			EXPECT(fabs(got - want) <= 0.005 * want + 1);
		}
		/* at t = K the window is back at W_max */
		EXPECT_EQ(mytcp_cubic_target(wmax, k, k), wmax);
	}
}

TEST(cubic_target_bounded)
{
	/* far beyond 256 s the offset is clamped, never overflowing */
	EXPECT(mytcp_cubic_target(100, 0, 1ULL << 40) <= 0x7fffffff);
	EXPECT(mytcp_cubic_target(100, 0, 1ULL << 40) > 100);
	EXPECT(mytcp_cubic_target(0x7fffffff, 0, 1ULL << 20) == 0x7fffffff);
}

TEST(cubic_beta_and_fast_convergence)
{
	EXPECT_EQ(mytcp_cubic_ssthresh(100), 70);
	EXPECT_EQ(mytcp_cubic_ssthresh(2), 2);
	EXPECT_EQ(mytcp_cubic_ssthresh(0xffffffff), 3007315967u);
	/* below the last W_max: W_max = cwnd (1 + beta) / 2 */
	EXPECT_EQ(mytcp_cubic_wmax(100, 120, true), 85);
	EXPECT_EQ(mytcp_cubic_wmax(100, 120, false), 100);
	EXPECT_EQ(mytcp_cubic_wmax(130, 120, true), 130);
}
