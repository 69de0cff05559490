// SPDX-License-Identifier: GPL-2.0
/* Sequence arithmetic (mytcp/seq.h), RFC 9293 3.4. */
#include "unit.h"
#include "seq.h"

TEST(seq_before_plain)
{
	EXPECT(mytcp_before(1, 2));
	EXPECT(!mytcp_before(2, 1));
	EXPECT(!mytcp_before(5, 5));
}

TEST(seq_before_wraps)
{
	EXPECT(mytcp_before(0xfffffff0, 0x10));
	EXPECT(!mytcp_before(0x10, 0xfffffff0));
	EXPECT(mytcp_before(0xffffffff, 0));
}

TEST(seq_before_half_space)
{
	/* within 2^31 - 1 the order is defined; exactly 2^31 apart, both
	 * read as "before" (the sign bit alone decides)
	 */
	EXPECT(mytcp_before(0, 0x7fffffff));
	EXPECT(!mytcp_before(0x7fffffff, 0));
	EXPECT(mytcp_before(0, 0x80000000));
	EXPECT(mytcp_before(0x80000000, 0));
}

TEST(seq_after_is_mirror)
{
	EXPECT(mytcp_after(2, 1));
	EXPECT(!mytcp_after(1, 2));
	EXPECT(!mytcp_after(7, 7));
	EXPECT(mytcp_after(0x10, 0xfffffff0));
}

TEST(seq_between_inclusive)
{
	EXPECT(mytcp_between(5, 5, 10));
	EXPECT(mytcp_between(10, 5, 10));
	EXPECT(mytcp_between(7, 5, 10));
	EXPECT(!mytcp_between(4, 5, 10));
	EXPECT(!mytcp_between(11, 5, 10));
}

TEST(seq_between_wraps)
{
	EXPECT(mytcp_between(2, 0xfffffff0, 0x10));
	EXPECT(mytcp_between(0xfffffff8, 0xfffffff0, 0x10));
	EXPECT(!mytcp_between(0x20, 0xfffffff0, 0x10));
	EXPECT(!mytcp_between(0xffffffe0, 0xfffffff0, 0x10));
}

TEST(seq_between_single_point)
{
	EXPECT(mytcp_between(100, 100, 100));
	EXPECT(!mytcp_between(101, 100, 100));
	EXPECT(!mytcp_between(99, 100, 100));
}

TEST(seq_between_whole_space)
{
	/* hi = lo - 1: every sequence number is inside */
	EXPECT(mytcp_between(0, 1, 0));
	EXPECT(mytcp_between(0x80000000, 1, 0));
	EXPECT(mytcp_between(1, 1, 0));
}

/* RFC 9293 3.10.7.4, the table of the first check: four cases. */
TEST(seq_acceptable_empty_zero_window)
{
	/* length 0, window 0: only SEG.SEQ = RCV.NXT */
	EXPECT(mytcp_seq_acceptable(1000, 0, 1000, 0));
	EXPECT(!mytcp_seq_acceptable(1000, 0, 999, 0));
	EXPECT(!mytcp_seq_acceptable(1000, 0, 1001, 0));
}

TEST(seq_acceptable_empty_open_window)
{
	/* length 0, window > 0: RCV.NXT =< SEG.SEQ < RCV.NXT + RCV.WND */
	EXPECT(mytcp_seq_acceptable(1000, 100, 1000, 0));
	EXPECT(mytcp_seq_acceptable(1000, 100, 1099, 0));
	EXPECT(!mytcp_seq_acceptable(1000, 100, 1100, 0));
	EXPECT(!mytcp_seq_acceptable(1000, 100, 999, 0));
}

TEST(seq_acceptable_data_zero_window)
{
	/* length > 0, window 0: never, not even at RCV.NXT */
	EXPECT(!mytcp_seq_acceptable(1000, 0, 1000, 1));
	EXPECT(!mytcp_seq_acceptable(1000, 0, 999, 10));
}

TEST(seq_acceptable_data_open_window)
{
	/* either end of the segment inside the window */
	EXPECT(mytcp_seq_acceptable(1000, 100, 1000, 50));
	EXPECT(mytcp_seq_acceptable(1000, 100, 990, 20));	/* old start */
	EXPECT(mytcp_seq_acceptable(1000, 100, 1090, 50));	/* runs over */
	EXPECT(!mytcp_seq_acceptable(1000, 100, 900, 100));	/* all old */
	EXPECT(!mytcp_seq_acceptable(1000, 100, 1100, 10));	/* beyond */
	/* a segment covering the whole window: its ends are both outside,
	 * the RFC's test refuses it (Linux trims instead; mytcp follows the
	 * RFC) */
	EXPECT(!mytcp_seq_acceptable(1000, 100, 990, 200));
}

/* Linux's left edge: RCV.WUP, not RCV.NXT, for a wholly old segment */
TEST(seq_since_wup)
{
	/* ACK sent at 1000, data to 1010 came since: a late segment */
	EXPECT(mytcp_seq_since_wup(1000, 1010, 1000));	/* pure ACK */
	EXPECT(mytcp_seq_since_wup(1000, 1010, 1005));	/* old data */
	EXPECT(mytcp_seq_since_wup(1000, 1010, 1010));
	EXPECT(!mytcp_seq_since_wup(1000, 1010, 999));	/* before the ACK */
	EXPECT(!mytcp_seq_since_wup(1000, 1010, 1011));	/* not old */
	/* nothing came since our ACK: only RCV.NXT itself */
	EXPECT(mytcp_seq_since_wup(1000, 1000, 1000));
	EXPECT(!mytcp_seq_since_wup(1000, 1000, 999));
	/* across the wrap */
	EXPECT(mytcp_seq_since_wup(0xfffffff0, 0x10, 0xfffffff8));
	EXPECT(!mytcp_seq_since_wup(0xfffffff0, 0x10, 0xffffffe0));
}

TEST(seq_acceptable_wraps)
{
	EXPECT(mytcp_seq_acceptable(0xfffffff0, 0x100, 0x10, 4));
	EXPECT(mytcp_seq_acceptable(0xfffffff0, 0x100, 0xffffffe0, 0x20));
	EXPECT(!mytcp_seq_acceptable(0xfffffff0, 0x100, 0xf0, 4));
}
