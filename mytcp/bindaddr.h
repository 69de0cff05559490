/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: which addresses a bound or listening socket covers - pure logic
 * (unit/test_bindaddr.c), on addr.h's keys as 16 bytes: IPv6, IPv4
 * v4-mapped (::ffff:a.b.c.d), the IPv4 wildcard ::ffff:0.0.0.0 and the
 * IPv6 one ::.  The rules are Linux's inet_rcv_saddr_equal() and
 * compute_score(): :: covers every address, IPv4 ones only without
 * IPV6_V6ONLY; 0.0.0.0 covers the IPv4 ones.
 */
#ifndef _MYTCP_BINDADDR_H
#define _MYTCP_BINDADDR_H

#include <linux/types.h>
#include <linux/kernel.h>

static inline bool mytcp_key_any(const u8 *a)
{
	int i;

	for (i = 0; i < 16; i++)
		if (a[i])
			return false;
	return true;
}

static inline bool mytcp_key_v4(const u8 *a)
{
	int i;

	for (i = 0; i < 10; i++)
		if (a[i])
			return false;
	return a[10] == 0xff && a[11] == 0xff;
}

static inline bool mytcp_key_v4_any(const u8 *a)
{
	return mytcp_key_v4(a) && !a[12] && !a[13] && !a[14] && !a[15];
}

/* Does the wildcard w (bound with IPV6_V6ONLY v6only) cover a? */
static inline bool mytcp_wild_covers(const u8 *w, bool v6only, const u8 *a)
{
	if (mytcp_key_any(w))
		return !v6only || !mytcp_key_v4(a);
	if (mytcp_key_v4_any(w))
		return mytcp_key_v4(a);
	return false;
}

/* Do two bound addresses overlap (a bind conflict if the rest allows)? */
static inline bool mytcp_bind_overlap(const u8 *a, bool a_v6only,
				      const u8 *b, bool b_v6only)
{
	if (!memcmp(a, b, 16))
		return true;
	return mytcp_wild_covers(a, a_v6only, b) ||
	       mytcp_wild_covers(b, b_v6only, a);
}

/*
 * How well a listener bound to l (v6only) matches a segment to d: 0 not
 * at all, 3 the exact address, 2 the IPv4 wildcard for IPv4, 1 the IPv6
 * wildcard (Linux's compute_score() prefers PF_INET for IPv4).
 */
static inline int mytcp_listen_score(const u8 *l, bool v6only, const u8 *d)
{
	if (!memcmp(l, d, 16))
		return 3;
	if (!mytcp_wild_covers(l, v6only, d))
		return 0;
	return mytcp_key_v4(d) && mytcp_key_v4(l) ? 2 : 1;
}

#endif /* _MYTCP_BINDADDR_H */
