// SPDX-License-Identifier: GPL-2.0
/* Bind and listener address rules (mytcp/bindaddr.h), as Linux's
 * inet_rcv_saddr_equal() and compute_score() decide them.
 */
#include "unit.h"
#include "bindaddr.h"

static const u8 any6[16];
static const u8 any4[16] = { [10] = 0xff, [11] = 0xff };
static const u8 lo4[16] = { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 };
static const u8 other4[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 };
static const u8 lo6[16] = { [15] = 1 };
static const u8 ll6[16] = { 0xfe, 0x80, [15] = 1 };

TEST(bindaddr_kinds)
{
	EXPECT(mytcp_key_any(any6));
	EXPECT(!mytcp_key_any(any4));
	EXPECT(mytcp_key_v4(any4) && mytcp_key_v4_any(any4));
	EXPECT(mytcp_key_v4(lo4) && !mytcp_key_v4_any(lo4));
	EXPECT(!mytcp_key_v4(lo6) && !mytcp_key_v4(any6));
}

TEST(bindaddr_wildcards_cover)
{
	/* :: covers everything, IPv4 only without V6ONLY */
	EXPECT(mytcp_wild_covers(any6, false, lo4));
	EXPECT(mytcp_wild_covers(any6, false, lo6));
	EXPECT(!mytcp_wild_covers(any6, true, lo4));
	EXPECT(mytcp_wild_covers(any6, true, ll6));
	/* 0.0.0.0 covers IPv4 only */
	EXPECT(mytcp_wild_covers(any4, false, lo4));
	EXPECT(!mytcp_wild_covers(any4, false, lo6));
	/* a specific address covers nothing else */
	EXPECT(!mytcp_wild_covers(lo4, false, other4));
}

TEST(bindaddr_overlap)
{
	EXPECT(mytcp_bind_overlap(any6, false, any4, false));
	EXPECT(!mytcp_bind_overlap(any6, true, any4, false));
	EXPECT(mytcp_bind_overlap(any6, true, any6, false));
	EXPECT(mytcp_bind_overlap(lo4, false, lo4, false));
	EXPECT(!mytcp_bind_overlap(lo4, false, other4, false));
	EXPECT(mytcp_bind_overlap(lo6, false, any6, true));
	EXPECT(!mytcp_bind_overlap(lo6, false, any4, false));
	EXPECT(!mytcp_bind_overlap(lo4, false, lo6, false));
}

TEST(bindaddr_listen_score)
{
	EXPECT_EQ(mytcp_listen_score(lo4, false, lo4), 3);
	EXPECT_EQ(mytcp_listen_score(any4, false, lo4), 2);
	EXPECT_EQ(mytcp_listen_score(any6, false, lo4), 1);
	EXPECT_EQ(mytcp_listen_score(any6, true, lo4), 0);
	EXPECT_EQ(mytcp_listen_score(any6, true, lo6), 1);
	EXPECT_EQ(mytcp_listen_score(any4, false, lo6), 0);
	EXPECT_EQ(mytcp_listen_score(lo6, false, lo6), 3);
	EXPECT_EQ(mytcp_listen_score(other4, false, lo4), 0);
}
