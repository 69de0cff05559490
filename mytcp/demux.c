// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: early demux - a connection's segments skip the input route
 * lookup, as Linux TCP's do (tcp_v4_early_demux(), tcp_v6_early_demux()).
 *
 * Linux routes every segment it receives (ip_route_input_noref(),
 * ip6_route_input()) unless the protocol's early demux has set a route
 * on it first: the established socket's cached input route, sk_rx_dst,
 * while dst_check() says it is current and the segment came in on the
 * interface it was cached from.  mytcp is not the IPPROTO_TCP handler,
 * so it gets no early demux call; its receive hook is at LOCAL_IN, after
 * routing.  This file adds a netfilter hook at PRE_ROUTING (each family,
 * each netns, the last priority: after conntrack, mangle and NAT, which
 * may change the destination or drop a route) that does the same for
 * mytcp's connections:
 *
 *  - only when Linux would try its own early demux: net.ipv4.ip_early_demux
 *    and net.ipv4.tcp_early_demux on (IPv6 reads the same two, as Linux's
 *    ip6_rcv_finish() does), no route and no socket on the skb yet, a
 *    unicast TCP segment for this host, not a fragment (IPv6: TCP directly
 *    after the fixed header), not arriving on an L3 master's slave (there
 *    Linux's VRF handler runs between this hook and the routing);
 *  - the connection is found by the 4-tuple without a reference
 *    (mytcp_lookup_established_rcu(), under the hook's RCU read lock);
 *  - its cached route is set on the skb without a reference, as
 *    skb_dst_set_noref() in Linux's demux, if it is of the skb's family,
 *    dst_check() passes (a routing change bumps the namespace's generation
 *    or the IPv6 fib's serial) and its interface is the arrival interface;
 *    otherwise the skb is left as it was and Linux routes it.
 *
 * Nothing else changes: the skb goes on to Linux's routing code, which
 * sees a route and skips the lookup (and Linux's own early demux, which
 * needs none), then to LOCAL_IN, where ipv4.c's hook claims it as before.
 * A segment of Linux TCP's pays the test of this hook and, in a netns
 * with mytcp connections established, one failed ehash lookup.  The
 * socket is not handed to LOCAL_IN on skb->sk (Linux's sock_edemux()):
 * between the two hooks Linux code (xt_socket, TPROXY, tcp_v4_rcv() for a
 * segment LOCAL_IN gives back) would take it for one of its own sockets.
 *
 * The cache: mytcp_rx_dst_set() stores the route of a claimed segment of
 * a connection (not a listener's) when it differs from the cached one or
 * came in on another interface, where the socket processes it: under its
 * spinlock when the user does not own it, or from the backlog (the route
 * referenced there) when the user does, as Linux's sk_rx_dst_set() from
 * tcp_rcv_established() and tcp_finish_connect(); the early demux reads
 * it locklessly, as Linux's.  A reference is held on the cached route; it is
 * dropped at disconnect (mytcp_rx_dst_reset()) and when the socket is
 * destroyed, which the module's unload waits for, so no route reference
 * of mytcp outlives it.  A route is freed after an RCU grace period and a
 * socket only after one (SOCK_RCU_FREE), so the lockless reader never
 * sees either freed.
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_fib.h>
#include "mytcp.h"
#include "demux.h"

/* Linux's ip_rcv_finish_core() and ip6_rcv_finish() conditions. */
static bool demux_wanted(const struct net *net, const struct sk_buff *skb)
{
	return !skb_dst(skb) && !skb->sk && skb->pkt_type == PACKET_HOST &&
	       READ_ONCE(net->ipv4.sysctl_ip_early_demux) &&
	       READ_ONCE(net->ipv4.sysctl_tcp_early_demux) &&
	       !netif_is_l3_slave(skb->dev) &&
	       atomic_long_read(&mytcp_pernet(net)->stats[MYTCP_STAT_CURR_ESTAB]) > 0;
}

/*
 * The connection of l, r and the segment's ports (at thoff), if any, has
 * a current route for the arrival interface: set it on skb.
 */
static void demux(struct net *net, struct sk_buff *skb, unsigned int thoff,
		  const struct in6_addr *l, const struct in6_addr *r,
		  unsigned short family)
{
	__be16 _ports[2];
	const __be16 *ports;
	struct dst_entry *dst;
	struct sock *sk;

	ports = skb_header_pointer(skb, thoff, sizeof(_ports), _ports);
	if (!ports)
		return;
	sk = mytcp_lookup_established_rcu(net, l, ports[1], r, ports[0],
					  skb->skb_iif);
	if (!sk)
		return;
	dst = rcu_dereference(sk->sk_rx_dst);
	if (!dst || dst->ops->family != family ||
	    READ_ONCE(sk->sk_rx_dst_ifindex) != skb->skb_iif)
		return;
	dst = dst_check(dst, READ_ONCE(sk->sk_rx_dst_cookie));
	if (!dst)
		return;
	skb_dst_set_noref(skb, dst);
	MYTCP_INC_STATS(net, MYTCP_STAT_EARLY_DEMUX);
}

static unsigned int mytcp_nf_demux4(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct in6_addr l, r;

	if (iph->protocol != IPPROTO_TCP || ip_is_fragment(iph) ||
	    !demux_wanted(state->net, skb))
		return NF_ACCEPT;
	mytcp_v4_key(&l, iph->daddr);
	mytcp_v4_key(&r, iph->saddr);
	demux(state->net, skb, ip_hdrlen(skb), &l, &r, AF_INET);
	return NF_ACCEPT;
}

static unsigned int mytcp_nf_demux6(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);

	if (ip6h->nexthdr != IPPROTO_TCP || !demux_wanted(state->net, skb) ||
	    ipv6_addr_v4mapped(&ip6h->daddr) ||
	    ipv6_addr_v4mapped(&ip6h->saddr))
		return NF_ACCEPT;
	demux(state->net, skb, sizeof(*ip6h), &ip6h->daddr, &ip6h->saddr,
	      AF_INET6);
	return NF_ACCEPT;
}

static const struct nf_hook_ops mytcp_demux_ops[] = {
	{
		.hook = mytcp_nf_demux4,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_LAST - 1,
	},
	{
		.hook = mytcp_nf_demux6,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_LAST - 1,
	},
};

int mytcp_demux_register(struct net *net)
{
	return nf_register_net_hooks(net, mytcp_demux_ops,
				     ARRAY_SIZE(mytcp_demux_ops));
}

void mytcp_demux_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, mytcp_demux_ops,
				ARRAY_SIZE(mytcp_demux_ops));
}

/*
 * Cache the route of skb, a segment claimed for sk: the caller holds
 * sk's spinlock and the user does not own sk (softirq, under the hook's
 * RCU read lock), or the caller owns sk (its backlog: the route
 * referenced).
 */
void mytcp_rx_dst_set(struct sock *sk, const struct sk_buff *skb)
{
	struct dst_entry *dst = skb_dst(skb), *old;

	old = rcu_dereference_protected(sk->sk_rx_dst,
					lockdep_sock_is_held(sk));
	if (!dst || sk->sk_state == TCP_LISTEN ||
	    (dst == old && sk->sk_rx_dst_ifindex == skb->skb_iif))
		return;
	if (!dst_hold_safe(dst))
		return;
	WRITE_ONCE(sk->sk_rx_dst_ifindex, skb->skb_iif);
	WRITE_ONCE(sk->sk_rx_dst_cookie, dst->ops->family == AF_INET6 ?
		   rt6_get_cookie(container_of(dst, struct rt6_info, dst)) : 0);
	rcu_assign_pointer(sk->sk_rx_dst, dst);
	dst_release(old);
}

/* Drop the cached route: the socket is owned, disconnecting, or dying. */
void mytcp_rx_dst_reset(struct sock *sk)
{
	struct dst_entry *old = rcu_dereference_protected(sk->sk_rx_dst, 1);

	RCU_INIT_POINTER(sk->sk_rx_dst, NULL);
	dst_release(old);
}
