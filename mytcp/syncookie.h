/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: SYN cookies (RFC 4987 3.6), the pure part: what a cookie holds
 * and how it is checked, given the two keyed hashes of the 4-tuple
 * (syncookies.c computes them).  Linux's scheme (net/ipv4/syncookies.c):
 *
 *   ISS = H0 + SEG.SEQ + (count << 24) + ((H1(count) + mssind) & 0xffffff)
 *
 * count is a minute counter; a cookie is good for MYTCP_COOKIE_AGE of its
 * ticks (2: one to two minutes).  The MSS is one of four (msstab), the
 * largest not above the peer's.  With timestamps, the low 6 bits of our
 * SYN-ACK's TSval say window scale (4 bits, 0xf: none), SACK and ECN;
 * the peer echoes them in the final ACK's TSecr.  Without timestamps the
 * SYN-ACK offers none of them.  unit/test_syncookie.c checks it.
 */
#ifndef _MYTCP_SYNCOOKIE_H
#define _MYTCP_SYNCOOKIE_H

#include <linux/types.h>

#define MYTCP_COOKIE_BITS	24
#define MYTCP_COOKIE_MASK	((1U << MYTCP_COOKIE_BITS) - 1)
#define MYTCP_COOKIE_AGE	2	/* counter ticks a cookie is good */
#define MYTCP_COOKIE_PERIOD_S	60	/* one tick */
#define MYTCP_COOKIE_TS_BITS	6
#define MYTCP_COOKIE_TS_MASK	((1U << MYTCP_COOKIE_TS_BITS) - 1)
#define MYTCP_COOKIE_TS_WS_NONE	0xf
#define MYTCP_COOKIE_TS_SACK	0x10
#define MYTCP_COOKIE_TS_ECN	0x20

/* Linux's msstab (IPv4) and msstab of syncookies.c's IPv6 side. */
static const u16 mytcp_cookie_msstab4[] = { 536, 1300, 1440, 1460 };
static const u16 mytcp_cookie_msstab6[] = { 1220, 1420, 1440, 8940 };

/* The index of the largest table MSS not above mss (0 at least). */
static inline u32 mytcp_cookie_mssind(const u16 *tab, u16 mss)
{
	u32 i;

	for (i = 3; i; i--)
		if (mss >= tab[i])
			break;
	return i;
}

/* The ISS for a SYN of sequence seq, hashes h0 and h1 (of count). */
static inline u32 mytcp_cookie_make(u32 h0, u32 h1, u32 seq, u32 count,
				    u32 mssind)
{
	return h0 + seq + (count << MYTCP_COOKIE_BITS) +
	       ((h1 + mssind) & MYTCP_COOKIE_MASK);
}

/*
 * The count a cookie (an ACK's SEG.ACK - 1 for SYN seq, SEG.SEQ - 1) was
 * made at, relative to now: how many ticks old, in *age.  False: too old
 * (or from the future: forged).
 */
static inline bool mytcp_cookie_age(u32 cookie, u32 h0, u32 seq, u32 now,
				    u32 *age)
{
	u32 c = cookie - h0 - seq;

	*age = (now - (c >> MYTCP_COOKIE_BITS)) &
	       (0xffffffffU >> MYTCP_COOKIE_BITS);
	return *age < MYTCP_COOKIE_AGE;
}

/*
 * The MSS index a cookie holds, h1 being the hash of its count (now -
 * age); -1: not a cookie of ours.
 */
static inline int mytcp_cookie_mss_of(u32 cookie, u32 h0, u32 h1, u32 seq)
{
	u32 v = (cookie - h0 - seq - h1) & MYTCP_COOKIE_MASK;

	return v < 4 ? (int)v : -1;
}

/* The options the SYN-ACK's TSval carries. */
static inline u32 mytcp_cookie_ts_opts(bool ws_ok, u8 snd_wscale,
				       bool sack_ok, bool ecn_ok)
{
	u32 o = ws_ok ? (snd_wscale & 0xf) : MYTCP_COOKIE_TS_WS_NONE;

	if (sack_ok)
		o |= MYTCP_COOKIE_TS_SACK;
	if (ecn_ok)
		o |= MYTCP_COOKIE_TS_ECN;
	return o;
}

/*
 * The SYN-ACK's TSval: now's upper bits and the options, never after now
 * (our later TSvals must not go back: Linux's cookie_init_timestamp()).
 */
static inline u32 mytcp_cookie_tsval(u32 now, u32 opts)
{
	u32 ts = (now & ~MYTCP_COOKIE_TS_MASK) | opts;

	if ((s32)(ts - now) > 0)
		ts -= 1U << MYTCP_COOKIE_TS_BITS;
	return ts;
}

/*
 * The options an echoed TSecr gives back.  False: they are not valid
 * (window scale above 14 other than 0xf), the ACK is no good.
 */
static inline bool mytcp_cookie_ts_decode(u32 tsecr, bool *ws_ok,
					  u8 *snd_wscale, bool *sack_ok,
					  bool *ecn_ok)
{
	u32 ws = tsecr & 0xf;

	*sack_ok = tsecr & MYTCP_COOKIE_TS_SACK;
	*ecn_ok = tsecr & MYTCP_COOKIE_TS_ECN;
	*ws_ok = ws != MYTCP_COOKIE_TS_WS_NONE;
	*snd_wscale = *ws_ok ? ws : 0;
	return !*ws_ok || ws <= 14;
}

#endif /* _MYTCP_SYNCOOKIE_H */
