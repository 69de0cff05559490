/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: the pending timer as /proc/net/tcp and inet_diag code it (Linux's
 * get_tcp4_sock() and inet_sk_diag_fill()): 1 for the retransmission
 * timer, RACK's reordering timer and the tail loss probe (one timer in
 * Linux, three in mytcp: the first of them to expire), else 4 persist,
 * else 2 keepalive, else 0.
 *
 * Pure: proc.c and diag.c read the timers; unit/test_timercode.c checks
 * the rules.
 */
#ifndef _MYTCP_TIMERCODE_H
#define _MYTCP_TIMERCODE_H

#include <linux/types.h>

/* The time left of each timer in ns, negative when it is not pending. */
struct mytcp_timers_left {
	s64 rtx, reo, tlp, persist, keepalive;
};

/* The code of the pending timer; *left its time left (-1 for none). */
static inline int mytcp_timer_code(const struct mytcp_timers_left *t,
				   s64 *left)
{
	const s64 ns[] = { t->rtx, t->reo, t->tlp, t->persist, t->keepalive };
	static const int code[] = { 1, 1, 1, 4, 2 };
	int i, c = 0;

	*left = -1;
	for (i = 0; i < 5; i++) {
		if (ns[i] < 0 || (c && (c != code[i] || ns[i] >= *left)))
			continue;
		*left = ns[i];
		c = code[i];
	}
	return c;
}

#endif /* _MYTCP_TIMERCODE_H */
