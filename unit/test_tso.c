// SPDX-License-Identifier: GPL-2.0
/* TSO deferral's rule (mytcp/tso.h, after Linux's tcp_tso_should_defer). */
#include "unit.h"
#include "tso.h"

#define MS	1000000ULL
#define MSS	1448U

TEST(tso_defer_small_room)
{
	/* cwnd 40, goal 10 segments: an ACK opened 2, the next is due */
	EXPECT_EQ(mytcp_tso_defer(2 * MSS, 10 * MSS, 20 * MSS, 40 * MSS,
				  MS / 10, 0, 15 * MS), 1);
	/* overdue (the head's ACK is late): still held, an ACK is coming */
	EXPECT_EQ(mytcp_tso_defer(2 * MSS, 10 * MSS, 20 * MSS, 40 * MSS,
				  MS / 10, -(s64)(5 * MS), 15 * MS), 1);
}

TEST(tso_defer_sends)
{
	/* the goal, the whole skb, a third of the window: send */
	EXPECT_EQ(mytcp_tso_defer(10 * MSS, 10 * MSS, 20 * MSS, 40 * MSS,
				  0, 0, 15 * MS), 0);
	EXPECT_EQ(mytcp_tso_defer(2 * MSS, 10 * MSS, 2 * MSS, 40 * MSS,
				  0, 0, 15 * MS), 0);
	EXPECT_EQ(mytcp_tso_defer(2 * MSS, 10 * MSS, 20 * MSS, 6 * MSS,
				  0, 0, 15 * MS), 0);
	/* the last transmission more than 1 ms ago */
	EXPECT_EQ(mytcp_tso_defer(2 * MSS, 10 * MSS, 20 * MSS, 40 * MSS,
				  MS + 1, 0, 15 * MS), 0);
	/* the next ACK due later than 1 ms, or than SRTT/2 */
	EXPECT_EQ(mytcp_tso_defer(2 * MSS, 10 * MSS, 20 * MSS, 40 * MSS,
				  0, MS + 1, 15 * MS), 0);
	EXPECT_EQ(mytcp_tso_defer(2 * MSS, 10 * MSS, 20 * MSS, 40 * MSS,
				  0, 300000, 500000), 0);
	EXPECT_EQ(mytcp_tso_defer(2 * MSS, 10 * MSS, 20 * MSS, 40 * MSS,
				  0, 250000, 500000), 1);
	/* no RTT measured yet */
	EXPECT_EQ(mytcp_tso_defer(2 * MSS, 10 * MSS, 20 * MSS, 40 * MSS,
				  0, 0, 0), 0);
}
