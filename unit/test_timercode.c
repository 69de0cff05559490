// SPDX-License-Identifier: GPL-2.0
/* The timer code of /proc/net/mytcp and sock_diag (mytcp/timercode.h). */
#include "unit.h"
#include "timercode.h"

static int code(s64 rtx, s64 reo, s64 tlp, s64 persist, s64 ka, s64 *left)
{
	struct mytcp_timers_left t = { rtx, reo, tlp, persist, ka };

	return mytcp_timer_code(&t, left);
}

TEST(timercode_none)
{
	s64 left;

	EXPECT_EQ(code(-1, -1, -1, -1, -1, &left), 0);
	EXPECT_EQ(left, -1);
}

TEST(timercode_rack_and_tlp_are_retransmit_class)
{
	s64 left;

	/* Linux reports ICSK_TIME_REO_TIMEOUT and _LOSS_PROBE as 1 */
	EXPECT_EQ(code(-1, 5000, -1, -1, -1, &left), 1);
	EXPECT_EQ(left, 5000);
	EXPECT_EQ(code(-1, -1, 7000, -1, 3, &left), 1);
	EXPECT_EQ(left, 7000);
	/* the first of the three to expire */
	EXPECT_EQ(code(200000, 9000, 30000, -1, -1, &left), 1);
	EXPECT_EQ(left, 9000);
	EXPECT_EQ(code(200000, -1, 30000, -1, -1, &left), 1);
	EXPECT_EQ(left, 30000);
	EXPECT_EQ(code(0, -1, 30000, -1, -1, &left), 1);
	EXPECT_EQ(left, 0);
}

TEST(timercode_persist_then_keepalive)
{
	s64 left;

	/* a retransmit-class timer wins even when the others are sooner */
	EXPECT_EQ(code(900, -1, -1, 5, 1, &left), 1);
	EXPECT_EQ(left, 900);
	EXPECT_EQ(code(-1, -1, -1, 400, 1, &left), 4);
	EXPECT_EQ(left, 400);
	EXPECT_EQ(code(-1, -1, -1, -1, 60000, &left), 2);
	EXPECT_EQ(left, 60000);
}
