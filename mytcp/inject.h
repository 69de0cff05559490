/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: teaching mode (inject.c): segments dropped on purpose.
 */
#ifndef _MYTCP_INJECT_H
#define _MYTCP_INJECT_H

#include <linux/types.h>
#include <linux/sockptr.h>

struct sock;
struct sk_buff;
struct net;
struct mytcp_tw;

/* inject.c */
bool mytcp_inject_drop(struct sock *sk, struct sk_buff *skb, bool out);
void mytcp_inject_expect_hsack(struct sock *sk);
int mytcp_inject_tw_count(const struct sock *sk);
bool mytcp_inject_tw_drop(struct mytcp_tw *tw, struct sk_buff *skb);
int mytcp_inject_set(struct sock *sk, sockptr_t optval, unsigned int optlen);
int mytcp_inject_get(struct sock *sk, char __user *optval, int __user *optlen);
int mytcp_inject_init_net(struct net *net);
void mytcp_inject_exit_net(struct net *net);
bool mytcp_inject_net_drop(struct net *net, struct sk_buff *skb,
			   unsigned int kind, bool out);

#endif /* _MYTCP_INJECT_H */
