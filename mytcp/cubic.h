/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: CUBIC's window function (RFC 9438 4.2), in fixed point - the
 * pure part of cong_cubic.c, tested by unit/test_cubic.c.
 *
 * Time is in units of 2^-10 s (as Linux's BICTCP_HZ), windows in
 * segments.  C = 0.4 is 410/1024, beta_cubic = 0.7 is 717/1024.
 * 64-bit division: amd64 (the only target) does it natively.
 */
#ifndef _MYTCP_CUBIC_H
#define _MYTCP_CUBIC_H

#include <linux/kernel.h>

#define MYTCP_CUBIC_HZ		10		/* time unit: 2^-10 s */
#define MYTCP_CUBIC_C		410		/* C = 410 / 1024 */
#define MYTCP_CUBIC_BETA	717		/* beta = 717 / 1024 */
#define MYTCP_CUBIC_SCALE	1024
/* The largest |t - K| computed: 256 s keeps C * offs^3 in 64 bits. */
#define MYTCP_CUBIC_OFFS_MAX	((1ULL << 18) - 1)

/* floor(cbrt(a)), by Newton's method from above. */
static inline u32 mytcp_cubic_root(u64 a)
{
	u64 x, y;
	int bits = 0;

	if (!a)
		return 0;
	for (y = a; y; y >>= 1)
		bits++;
	x = 1ULL << ((bits + 2) / 3);	/* >= cbrt(a) */
	for (;;) {
		y = (2 * x + a / (x * x)) / 3;
		if (y >= x)
			break;
		x = y;
	}
	return (u32)x;
}

/*
 * K = cbrt((W_max - cwnd_epoch) / C) (RFC 9438 eq. 2), in 2^-10 s: the
 * time the window function takes from cwnd_epoch back to W_max.
 */
static inline u32 mytcp_cubic_k(u32 wmax, u32 cwnd_epoch)
{
	u64 d = wmax > cwnd_epoch ? wmax - cwnd_epoch : 0;
	u64 factor = (1ULL << (10 + 3 * MYTCP_CUBIC_HZ)) / MYTCP_CUBIC_C;

	/* factor < 2^32 and d < 2^32: the product fits */
	return mytcp_cubic_root(d * factor);
}

/* W_cubic(t) = C * (t - K)^3 + W_max (RFC 9438 eq. 1), t in 2^-10 s. */
static inline u32 mytcp_cubic_target(u32 wmax, u32 k, u64 t)
{
	u64 offs = t < k ? k - t : t - k, delta;

	offs = min_t(u64, offs, MYTCP_CUBIC_OFFS_MAX);
	delta = (MYTCP_CUBIC_C * offs * offs * offs) >>
		(10 + 3 * MYTCP_CUBIC_HZ);
	if (t < k)
		return delta < wmax ? wmax - (u32)delta : 1;
	return (u32)min_t(u64, wmax + delta, 0x7fffffff);
}

/* ssthresh = cwnd * beta_cubic (RFC 9438 4.6), at least 2. */
static inline u32 mytcp_cubic_ssthresh(u32 cwnd)
{
	return max_t(u32, (u64)cwnd * MYTCP_CUBIC_BETA / MYTCP_CUBIC_SCALE, 2);
}

/*
 * W_max after a congestion event, with fast convergence (RFC 9438 4.7):
 * below the previous W_max the flow releases bandwidth,
 * W_max = cwnd * (1 + beta) / 2.
 */
static inline u32 mytcp_cubic_wmax(u32 cwnd, u32 last_wmax, bool fast_conv)
{
	if (fast_conv && cwnd < last_wmax)
		return (u64)cwnd * (MYTCP_CUBIC_SCALE + MYTCP_CUBIC_BETA) /
		       (2 * MYTCP_CUBIC_SCALE);
	return cwnd;
}

#endif /* _MYTCP_CUBIC_H */
