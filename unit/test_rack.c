// SPDX-License-Identifier: GPL-2.0
/* RACK-TLP arithmetic (mytcp/rack.h, RFC 8985). */
#include "unit.h"
#ifndef NSEC_PER_USEC
#define NSEC_PER_USEC	1000ULL
#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_SEC	1000000000ULL
#endif
#include "rack.h"

TEST(rack_sent_after)
{
	/* later time wins; same time: higher end_seq (6.2) */
	EXPECT_EQ(mytcp_rack_sent_after(2, 100, 1, 200), 1);
	EXPECT_EQ(mytcp_rack_sent_after(1, 200, 2, 100), 0);
	EXPECT_EQ(mytcp_rack_sent_after(5, 200, 5, 100), 1);
	EXPECT_EQ(mytcp_rack_sent_after(5, 100, 5, 100), 0);
	/* sequence wrap */
	EXPECT_EQ(mytcp_rack_sent_after(5, 10, 5, 0xfffffff0u), 1);
}

TEST(rack_reo_wnd)
{
	/* min_RTT/4, at most SRTT */
	EXPECT_EQ(mytcp_rack_reo_wnd(400000, 500000, 1, 0, 0, 1), 100000);
	EXPECT_EQ(mytcp_rack_reo_wnd(400000, 500000, 0, 0, 0, 1), 100000);
	EXPECT_EQ(mytcp_rack_reo_wnd(400000, 500000, 3, 1, 0, 1), 300000);
	EXPECT_EQ(mytcp_rack_reo_wnd(400000, 500000, 255, 1, 1, 9), 500000);
	/* no reordering seen: 0 in recovery or at dupthresh SACKed */
	EXPECT_EQ(mytcp_rack_reo_wnd(400000, 500000, 1, 0, 1, 0), 0);
	EXPECT_EQ(mytcp_rack_reo_wnd(400000, 500000, 1, 0, 0, 3), 0);
	/* reordering seen: the window stays */
	EXPECT_EQ(mytcp_rack_reo_wnd(400000, 500000, 1, 1, 1, 3), 100000);
}

TEST(rack_left)
{
	/* sent at 1 s, RACK.rtt 100 ms, reo 25 ms: lost from 1.125 s */
	EXPECT_EQ(mytcp_rack_left_ns(1000000000, 1000000000, 100000, 25000),
		  125000000);
	EXPECT_EQ(mytcp_rack_left_ns(1125000000, 1000000000, 100000, 25000),
		  0);
	EXPECT_EQ(mytcp_rack_left_ns(1200000000, 1000000000, 100000, 25000) <
		  0, 1);
}

TEST(tlp_pto)
{
	/* 2 SRTT + 2 ms; one segment out: + the delayed-ACK allowance */
	EXPECT_EQ(mytcp_tlp_pto_ns(100000, 0, 200000000, -1), 202000000);
	EXPECT_EQ(mytcp_tlp_pto_ns(100000, 1, 200000000, -1), 400000000);
	/* no RTT yet: 1 s; never after the RTO */
	EXPECT_EQ(mytcp_tlp_pto_ns(0, 0, 200000000, -1), 1000000000);
	EXPECT_EQ(mytcp_tlp_pto_ns(100000, 0, 200000000, 50000000), 50000000);
}
