// SPDX-License-Identifier: GPL-2.0
/* The receiver's ACK policy rules (mytcp/ackpol.h), as Linux's. */
#include "unit.h"
#include "ackpol.h"

TEST(ackpol_three_dupacks_then_held)
{
	struct mytcp_comp c = { 0 };
	int i;

	for (i = 0; i < MYTCP_COMP_DUPACKS; i++)
		EXPECT(!mytcp_comp_hold(&c, 1000, true, 44));
	EXPECT(mytcp_comp_hold(&c, 1000, true, 44));
	EXPECT_EQ(c.acks, 1);
}

TEST(ackpol_at_most_nr_held)
{
	struct mytcp_comp c = { 0 };
	int i, held = 0;

	for (i = 0; i < 100; i++) {
		if (mytcp_comp_hold(&c, 1000, true, 44)) {
			held++;
		} else if (c.acks) {
			/* sent: output.c counts and clears the held ones */
			EXPECT_EQ(c.acks, 44);
			c.acks = 0;
		}
	}
	/* 3 at once, then 44 held, one sent, 44 held, one sent, 7 held */
	EXPECT_EQ(held, 95);
}

TEST(ackpol_new_rcv_nxt_restarts_dupacks)
{
	struct mytcp_comp c = { 0 };
	int i;

	for (i = 0; i < 5; i++)
		mytcp_comp_hold(&c, 1000, true, 44);
	c.acks = 0;			/* an ACK went out */
	/* part of the hole filled: three dupACKs at once again */
	for (i = 0; i < MYTCP_COMP_DUPACKS; i++)
		EXPECT(!mytcp_comp_hold(&c, 2000, true, 44));
	EXPECT(mytcp_comp_hold(&c, 2000, true, 44));
}

TEST(ackpol_off)
{
	struct mytcp_comp c = { 0 };
	int i;

	/* tcp_comp_sack_nr 0, or no SACK: every ACK goes */
	for (i = 0; i < 10; i++) {
		EXPECT(!mytcp_comp_hold(&c, 1000, true, 0));
		EXPECT(!mytcp_comp_hold(&c, 1000, false, 44));
	}
	EXPECT_EQ(c.acks, 0);
}

TEST(ackpol_delay)
{
	/* 5% of the RTT (srtt_us is 8 times it), at most the sysctl */
	EXPECT_EQ(mytcp_comp_delay_ns(8 * 10000, 1000000), 500000);
	EXPECT_EQ(mytcp_comp_delay_ns(8 * 100000, 1000000), 1000000);
	EXPECT_EQ(mytcp_comp_delay_ns(0, 1000000), 0);
	EXPECT_EQ(mytcp_comp_delay_ns(0xffffffff, (u64)-1),
		  (u64)0xffffffff * 125 / 20);
}

TEST(ackpol_edge)
{
	EXPECT(mytcp_edge_advances(5000, 5000, 0));
	EXPECT(!mytcp_edge_advances(4999, 5000, 0));
	/* scaled: the unit rounds up, as the window sent */
	EXPECT(mytcp_edge_advances(4097, 8192, 12));
	EXPECT(!mytcp_edge_advances(4096, 8192, 12));
}
