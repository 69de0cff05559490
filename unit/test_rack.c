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
	EXPECT_EQ(mytcp_rack_reo_wnd(400000, 500000, 1, 0, 0, 1, 3), 100000);
	EXPECT_EQ(mytcp_rack_reo_wnd(400000, 500000, 0, 0, 0, 1, 3), 100000);
	EXPECT_EQ(mytcp_rack_reo_wnd(400000, 500000, 3, 1, 0, 1, 3), 300000);
	EXPECT_EQ(mytcp_rack_reo_wnd(400000, 500000, 255, 1, 1, 9, 3), 500000);
	/* no reordering seen: 0 in recovery or at dupthresh SACKed */
	EXPECT_EQ(mytcp_rack_reo_wnd(400000, 500000, 1, 0, 1, 0, 3), 0);
	EXPECT_EQ(mytcp_rack_reo_wnd(400000, 500000, 1, 0, 0, 3, 3), 0);
	/* reordering seen: the window stays */
	EXPECT_EQ(mytcp_rack_reo_wnd(400000, 500000, 1, 1, 1, 3, 3), 100000);
	/* a degree of 10 seen: 3 SACKed is not yet dupthresh */
	EXPECT_EQ(mytcp_rack_reo_wnd(400000, 500000, 1, 0, 0, 3, 10), 100000);
	EXPECT_EQ(mytcp_rack_reo_wnd(400000, 500000, 1, 0, 0, 10, 10), 0);
}

TEST(reordering_update)
{
	/* 10 segments of 1000 between the late one and fack: 10 */
	EXPECT_EQ(mytcp_reordering_update(3, 11000, 1000, 1000, 300), 10);
	/* rounded up; never down */
	EXPECT_EQ(mytcp_reordering_update(3, 11001, 1000, 1000, 300), 11);
	EXPECT_EQ(mytcp_reordering_update(20, 11000, 1000, 1000, 300), 20);
	/* at most max (net.mytcp.max_reordering) */
	EXPECT_EQ(mytcp_reordering_update(3, 1001000, 1000, 1000, 300), 300);
	/* not below fack, or no MSS: unchanged */
	EXPECT_EQ(mytcp_reordering_update(3, 1000, 1000, 1000, 300), 3);
	EXPECT_EQ(mytcp_reordering_update(3, 11000, 1000, 0, 300), 3);
	/* sequence wrap; no overflow of cur * mss */
	EXPECT_EQ(mytcp_reordering_update(3, 4000, 0xfffffc18u, 1000, 300), 5);
	EXPECT_EQ(mytcp_reordering_update(0xffffffffu, 0x7fffffffu, 0, 65535,
					  0xffffffffu), 0xffffffffu);
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

TEST(rack_reo_timer)
{
	/* the wait + 2 ms, rounded up to ticks (HZ 250: 4 ms) */
	EXPECT_EQ(mytcp_rack_reo_timer_us(100, 4000), 4000);
	EXPECT_EQ(mytcp_rack_reo_timer_us(2000, 4000), 4000);
	EXPECT_EQ(mytcp_rack_reo_timer_us(2001, 4000), 8000);
	EXPECT_EQ(mytcp_rack_reo_timer_us(0, 1000), 2000);
	/* no tick: the slack alone; no overflow */
	EXPECT_EQ(mytcp_rack_reo_timer_us(5, 0), 2005);
	EXPECT_EQ(mytcp_rack_reo_timer_us(0xffffffffu, 0) > 0x7fffffffu, 1);
	EXPECT_EQ(mytcp_rack_reo_timer_us(0xffffffffu, 4000) > 0x7fffffffu, 1);
}

TEST(rack_reo_update)
{
	struct mytcp_rack r = { .steps = 1 };

	/* a D-SACK waits for an ACK that delivers something */
	r.dsack_pend = 1;
	mytcp_rack_reo_update(&r, 1000);
	EXPECT_EQ(r.steps, 1);
	EXPECT_EQ(r.dsack_pend, 1);
	/* then it is a step, and the window stays wide (persist) */
	r.ack_sent_ns = 900;
	mytcp_rack_reo_update(&r, 1000);
	EXPECT_EQ(r.steps, 2);
	EXPECT_EQ(r.dsack_pend, 0);
	EXPECT_EQ(r.persist, MYTCP_RACK_PERSIST);
	EXPECT_EQ(r.step_ns, 1000);
	/* a D-SACK whose ACK delivers only what was sent before the step:
	 * dropped (at most one step per round trip)
	 */
	r.dsack_pend = 1;
	r.ack_sent_ns = 999;
	mytcp_rack_reo_update(&r, 1500);
	EXPECT_EQ(r.steps, 2);
	EXPECT_EQ(r.dsack_pend, 0);
	/* sent after the step: the next step */
	r.dsack_pend = 1;
	r.ack_sent_ns = 1200;
	mytcp_rack_reo_update(&r, 2000);
	EXPECT_EQ(r.steps, 3);
	/* persist spent (recoveries): back to one step at the next ACK */
	r.persist = 0;
	r.ack_sent_ns = 2100;
	mytcp_rack_reo_update(&r, 2200);
	EXPECT_EQ(r.steps, 1);
	/* bounded */
	r.steps = MYTCP_RACK_STEPS_MAX;
	r.dsack_pend = 1;
	r.ack_sent_ns = 3000;
	mytcp_rack_reo_update(&r, 3100);
	EXPECT_EQ(r.steps, MYTCP_RACK_STEPS_MAX);
}
