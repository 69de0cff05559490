// SPDX-License-Identifier: GPL-2.0
/* SYN cookies (mytcp/syncookie.h): encoding, age, MSS and TS options. */
#include "unit.h"
#include "syncookie.h"

TEST(cookie_mssind_largest_not_above)
{
	EXPECT(mytcp_cookie_mssind(mytcp_cookie_msstab4, 1460) == 3);
	EXPECT(mytcp_cookie_mssind(mytcp_cookie_msstab4, 65495) == 3);
	EXPECT(mytcp_cookie_mssind(mytcp_cookie_msstab4, 1459) == 2);
	EXPECT(mytcp_cookie_mssind(mytcp_cookie_msstab4, 1300) == 1);
	EXPECT(mytcp_cookie_mssind(mytcp_cookie_msstab4, 1000) == 0);
	/* below the smallest: the smallest (Linux too) */
	EXPECT(mytcp_cookie_mssind(mytcp_cookie_msstab4, 100) == 0);
	EXPECT(mytcp_cookie_mssind(mytcp_cookie_msstab6, 1440) == 2);
}

TEST(cookie_round_trip)
{
	u32 h0 = 0x9e3779b9, h1 = 0x7f4a7c15, seq = 0xfffffff0, now = 0x1234;
	u32 mssind, age, c;

	for (mssind = 0; mssind < 4; mssind++) {
		c = mytcp_cookie_make(h0, h1, seq, now, mssind);
		EXPECT(mytcp_cookie_age(c, h0, seq, now, &age) && age == 0);
		EXPECT(mytcp_cookie_mss_of(c, h0, h1, seq) == (int)mssind);
		/* a minute later: still good, age 1 */
		EXPECT(mytcp_cookie_age(c, h0, seq, now + 1, &age) &&
		       age == 1);
	}
}

TEST(cookie_stale_or_forged)
{
	u32 h0 = 0x01020304, h1 = 0x0a0b0c0d, seq = 1000, now = 77, age;
	u32 c = mytcp_cookie_make(h0, h1, seq, now, 3);

	/* two minutes later: too old */
	EXPECT(!mytcp_cookie_age(c, h0, seq, now + 2, &age));
	/* from the future */
	EXPECT(!mytcp_cookie_age(c, h0, seq, now - 1, &age));
	/* another SYN sequence or another tuple's hashes */
	EXPECT(mytcp_cookie_mss_of(c, h0, h1, seq + 100) < 0);
	EXPECT(mytcp_cookie_mss_of(c, h0 + 100, h1, seq) < 0);
	EXPECT(mytcp_cookie_mss_of(c, h0, h1 + 17, seq) < 0);
	EXPECT(mytcp_cookie_mss_of(c + 4, h0, h1, seq) < 0);
	/* wrapping counter: age across the wrap of the 8 count bits */
	c = mytcp_cookie_make(h0, h1, seq, 255, 1);
	EXPECT(mytcp_cookie_age(c, h0, seq, 256, &age) && age == 1);
}

TEST(cookie_ts_options)
{
	bool ws, sack, ecn;
	u8 shift;
	u32 o, ts;

	o = mytcp_cookie_ts_opts(true, 7, true, false);
	ts = mytcp_cookie_tsval(1000000, o);
	EXPECT((s32)(ts - 1000000) <= 0 && 1000000 - ts < 64);
	EXPECT(mytcp_cookie_ts_decode(ts, &ws, &shift, &sack, &ecn));
	EXPECT(ws && shift == 7 && sack && !ecn);

	o = mytcp_cookie_ts_opts(false, 0, false, true);
	ts = mytcp_cookie_tsval(64 * 5, o);	/* now's low bits 0 */
	EXPECT(ts == 64 * 4 + o);
	EXPECT(mytcp_cookie_ts_decode(ts, &ws, &shift, &sack, &ecn));
	EXPECT(!ws && shift == 0 && !sack && ecn);
	/* wscale 14 fits; 0xe is 14 */
	EXPECT(mytcp_cookie_ts_decode(14, &ws, &shift, &sack, &ecn) &&
	       shift == 14);
}
