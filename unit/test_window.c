// SPDX-License-Identifier: GPL-2.0
/* The advertised window's right edge (mytcp/window.h). */
#include "unit.h"
#include "window.h"

TEST(win_plain)
{
	EXPECT_EQ(mytcp_window_edge(1000, 0, false, 0), 1000);
	EXPECT_EQ(mytcp_window_edge(0, 0, false, 0), 0);
}

TEST(win_edge_never_moves_left)
{
	/* the buffer filled, but 800 bytes were promised */
	EXPECT_EQ(mytcp_window_edge(500, 800, false, 0), 800);
	EXPECT_EQ(mytcp_window_edge(0, 800, false, 0), 800);
}

TEST(win_grows_when_buffer_frees)
{
	EXPECT_EQ(mytcp_window_edge(2000, 800, false, 0), 2000);
}

TEST(win_held_while_hole_open)
{
	/* more room, but a hole is open: duplicate ACKs must stay
	 * duplicates, so the edge does not move
	 */
	EXPECT_EQ(mytcp_window_edge(2000, 800, true, 0), 800);
}

TEST(win_nothing_promised)
{
	/* promised <= 0 (RCV.NXT at or past the old edge) */
	EXPECT_EQ(mytcp_window_edge(300, -5, true, 0), 300);
	EXPECT_EQ(mytcp_window_edge(300, 0, true, 0), 300);
}

TEST(win_field_limit)
{
	EXPECT_EQ(mytcp_window_edge(100000, 0, false, 0), 65535);
	EXPECT_EQ(mytcp_window_edge(0xffffffff, 0, false, 14),
		  65535U << 14);
}

TEST(win_scaled_rounds_up)
{
	/* RFC 7323 2.3: the low bits are lost; rounding up holds the edge */
	EXPECT_EQ(mytcp_window_edge(1000, 0, false, 7), 1024);
	EXPECT_EQ(mytcp_window_edge(1024, 0, false, 7), 1024);
	EXPECT_EQ(mytcp_window_edge(1025, 0, false, 7), 1152);
	EXPECT_EQ(mytcp_window_edge(100, 1000, false, 7), 1024);
}
