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

#endif /* _MYTCP_DEMUX_H */
