/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: the receive window's right edge (RFC 9293 3.8.6, RFC 7323 2.3).
 *
 * Pure: output.c computes what the buffer allows and applies the result;
 * unit/test_window.c checks the rules.
 */
#ifndef _MYTCP_WINDOW_H
#define _MYTCP_WINDOW_H

#include <linux/kernel.h>

/*
 * The window to advertise, unscaled, given what the free buffer allows
 * now (wnd), what the last advertisement still promises beyond RCV.NXT
 * (promised, <= 0 when nothing), whether an out-of-order hole is open, and
 * our window scale:
 *  - never move the right edge left, and hold it still while a hole is
 *    open so that duplicate ACKs stay duplicates;
 *  - at most what the 16-bit field can say at this scale;
 *  - a multiple of the scale unit, rounded up so the edge holds.
 */
static inline u32 mytcp_window_edge(u32 wnd, s32 promised, bool hole,
				    u8 wscale)
{
	if (promised > 0 && (wnd < (u32)promised || hole))
		wnd = promised;
	wnd = min(wnd, 65535U << wscale);
	return ALIGN(wnd, 1U << wscale);
}

#endif /* _MYTCP_WINDOW_H */
