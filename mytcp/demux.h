/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: early demux (demux.c) - the PRE_ROUTING hooks that give a
 * connection's segments its cached input route, and that cache.
 */
#ifndef _MYTCP_DEMUX_H
#define _MYTCP_DEMUX_H

#include <net/sock.h>

int mytcp_demux_register(struct net *net);
void mytcp_demux_unregister(struct net *net);
void mytcp_rx_dst_set(struct sock *sk, const struct sk_buff *skb);
void mytcp_rx_dst_reset(struct sock *sk);

/*
 * skb, a segment claimed for sk, which is about to process it (spinlock
 * held and not owned by the user, or owned and from the backlog): its
 * route cached, then dropped from skb.
 */
static inline void mytcp_rx_dst_take(struct sock *sk, struct sk_buff *skb)
{
	if (skb_dst(skb)) {
		mytcp_rx_dst_set(sk, skb);
		skb_dst_drop(skb);
	}
}

#endif /* _MYTCP_DEMUX_H */
