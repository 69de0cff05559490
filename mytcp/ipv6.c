// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: IPv6 - the receive hook, header validation, lookup keys, routes,
 * the IPv6 segment builder's half and ICMPv6 (the role of Linux's
 * tcp_ipv6.c; ipv4.c, output.c and icmp.c are the IPv4 halves).
 *
 * The hook mirrors ipv4.c's: NF_INET_LOCAL_IN for NFPROTO_IPV6 in every
 * netns, just before Linux delivers to its protocol handlers.  Extension
 * headers are skipped (ipv6_skip_exthdr); fragments are left to Linux
 * (reassembly runs after LOCAL_IN for IPv6: a fragmented segment reaches
 * Linux TCP, which resets it - a documented limit).  A packet whose
 * addresses are v4-mapped is never ours: such keys name IPv4 connections
 * (addr.h), and Linux drops them.
 *
 * Sending: a connection whose peer is IPv6 (mytcp_wire_v6()) goes through
 * ip6_xmit() with the route cached in the socket (ip6_dst_store(), checked
 * with the route cookie).  ip6_xmit() reads inet6_sk(sk): every mytcp
 * socket embeds a struct ipv6_pinfo (mtp->inet6) that inet.pinet6 points
 * to, as Linux's tcp6_sock does.  Replies without a socket (RST, TIME_WAIT
 * ACK) are routed per packet and sent with ip6_local_out().
 *
 * Locking: as ipv4.c (hook in softirq under RCU); the socket functions run
 * with the socket owned.
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv6.h>
#include <linux/icmpv6.h>
#include <net/ipv6.h>
#include <net/ip6_route.h>
#include <net/ip6_checksum.h>
#include <net/dsfield.h>
#include <net/addrconf.h>
#include <net/transp_v6.h>
#include "mytcp.h"
#include "trace.h"

/* Defaults of a new socket, as inet6_create() sets them. */
void mytcp_v6_init_sock(struct sock *sk)
{
	struct ipv6_pinfo *np = &mytcp_sk(sk)->inet6;

	inet_sk(sk)->pinet6 = np;
	np->hop_limit = -1;
	np->mcast_hops = IPV6_DEFAULT_MCASTHOPS;
	np->pmtudisc = IPV6_PMTUDISC_WANT;
	sk->sk_ipv6only = sock_net(sk)->ipv6.sysctl.bindv6only;
}

/* ---- ICMPv6 (icmp.c does the rest) ---- */

static bool icmp6_rcv(struct net *net, struct sk_buff *skb, int off)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	const struct ipv6hdr *inner;
	const struct icmp6hdr *ih;
	struct ipv6hdr _inner;
	struct icmp6hdr _ih;
	__be32 _tcp[2];
	const __be32 *tcp;
	struct mytcp_request *req;
	struct sock *sk;
	__be16 frag_off;
	int ioff, err;
	u8 nexthdr;
	bool fatal;
	u32 mtu;

	ih = skb_header_pointer(skb, off, sizeof(_ih), &_ih);
	if (!ih || (ih->icmp6_type != ICMPV6_DEST_UNREACH &&
		    ih->icmp6_type != ICMPV6_PKT_TOOBIG &&
		    ih->icmp6_type != ICMPV6_TIME_EXCEED &&
		    ih->icmp6_type != ICMPV6_PARAMPROB))
		return false;
	/* A corrupt message is left to icmpv6_rcv(), which drops it. */
	if (skb->len < off + sizeof(_ih) ||
	    csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, skb->len - off,
			    IPPROTO_ICMPV6,
			    skb_checksum(skb, off, skb->len - off, 0)))
		return false;
	inner = skb_header_pointer(skb, off + sizeof(_ih), sizeof(_inner),
				   &_inner);
	if (!inner)
		return false;
	nexthdr = inner->nexthdr;
	ioff = ipv6_skip_exthdr(skb, off + sizeof(_ih) + sizeof(_inner),
				&nexthdr, &frag_off);
	if (ioff < 0 || nexthdr != IPPROTO_TCP ||
	    ipv6_addr_v4mapped(&inner->saddr) ||
	    ipv6_addr_v4mapped(&inner->daddr))
		return false;
	tcp = skb_header_pointer(skb, ioff, sizeof(_tcp), _tcp);
	if (!tcp)
		return false;
	req = mytcp_lookup_request(net, &inner->saddr,
				   ((const __be16 *)tcp)[0], &inner->daddr,
				   ((const __be16 *)tcp)[1], skb->dev->ifindex,
				   inet6_sdif(skb));
	if (req) {
		fatal = ih->icmp6_type != ICMPV6_PKT_TOOBIG &&
			icmpv6_err_convert(ih->icmp6_type, ih->icmp6_code,
					   &err);
		mytcp_req_icmp(req, ntohl(tcp[1]), fatal);
		mytcp_req_put(req);
		consume_skb(skb);
		return true;
	}
	sk = mytcp_lookup_established(net, &inner->saddr,
				      ((const __be16 *)tcp)[0], &inner->daddr,
				      ((const __be16 *)tcp)[1], skb->dev->ifindex,
				      inet6_sdif(skb));
	if (!sk)
		return false;
	if (ih->icmp6_type == ICMPV6_PKT_TOOBIG) {
		/* RFC 8201: below the IPv6 minimum is not believed */
		mtu = ntohl(ih->icmp6_mtu);
		if (mtu >= IPV6_MIN_MTU)
			mytcp_icmp_err(sk, ntohl(tcp[1]), mtu, 0, false);
	} else {
		fatal = icmpv6_err_convert(ih->icmp6_type, ih->icmp6_code,
					   &err);
		mytcp_icmp_err(sk, ntohl(tcp[1]), 0, err, fatal);
	}
	sock_put(sk);
	consume_skb(skb);
	return true;
}

/* ---- the hook ---- */

/*
 * Extension headers Linux must see before the transport does: AH (xfrm
 * verifies the ICV and gives the decapsulated packet back to LOCAL_IN)
 * and a routing header with segments left (the packet is not for this
 * host yet: Linux forwards or drops it, as ipv6_rthdr_rcv()).  Walks the
 * chain as ipv6_skip_exthdr() does, bounded by the packet.
 */
static bool exthdr_for_linux(const struct sk_buff *skb)
{
	u8 nexthdr = ipv6_hdr(skb)->nexthdr;
	unsigned int off = sizeof(struct ipv6hdr);
	struct ipv6_rt_hdr _rt;
	const struct ipv6_rt_hdr *rt;

	while (ipv6_ext_hdr(nexthdr) && nexthdr != NEXTHDR_NONE) {
		if (nexthdr == NEXTHDR_AUTH || nexthdr == NEXTHDR_FRAGMENT)
			return true;
		rt = skb_header_pointer(skb, off, sizeof(_rt), &_rt);
		if (!rt)
			return true;
		if (nexthdr == NEXTHDR_ROUTING && rt->segments_left)
			return true;
		off += ipv6_optlen(rt);
		nexthdr = rt->nexthdr;
	}
	return false;
}

static unsigned int mytcp_nf_in6(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	struct in6_addr l, r;
	__be16 frag_off;
	u8 nexthdr;
	int thoff;

	if (skb->pkt_type != PACKET_HOST)
		return NF_ACCEPT;
	nexthdr = ip6h->nexthdr;
	thoff = ipv6_skip_exthdr(skb, sizeof(*ip6h), &nexthdr, &frag_off);
	if (thoff < 0 || frag_off)
		return NF_ACCEPT;
	if (nexthdr == IPPROTO_ICMPV6)
		return icmp6_rcv(state->net, skb, thoff) ? NF_STOLEN :
							   NF_ACCEPT;
	if (nexthdr != IPPROTO_TCP)
		return NF_ACCEPT;
	if (thoff > sizeof(*ip6h) && exthdr_for_linux(skb))
		return NF_ACCEPT;
	l = ip6h->daddr;
	r = ip6h->saddr;
	if (ipv6_addr_v4mapped(&l) || ipv6_addr_v4mapped(&r))
		return NF_ACCEPT;
	return mytcp_hook_deliver(state->net, skb, thoff, &l, &r,
				  inet6_iif(skb), inet6_sdif(skb));
}

static const struct nf_hook_ops mytcp_nf6_ops = {
	.hook = mytcp_nf_in6,
	.pf = NFPROTO_IPV6,
	.hooknum = NF_INET_LOCAL_IN,
	.priority = NF_IP6_PRI_LAST - 1,
};

int mytcp_v6_hooks_register(struct net *net)
{
	return nf_register_net_hook(net, &mytcp_nf6_ops);
}

void mytcp_v6_hooks_unregister(struct net *net)
{
	nf_unregister_net_hook(net, &mytcp_nf6_ops);
}

/* ---- routes and transmission ---- */

static void sk_flow6(struct sock *sk, struct flowi6 *fl6)
{
	struct ipv6_pinfo *np = &mytcp_sk(sk)->inet6;
	struct inet_sock *inet = inet_sk(sk);

	memset(fl6, 0, sizeof(*fl6));
	fl6->flowi6_proto = IPPROTO_TCP;
	fl6->daddr = sk->sk_v6_daddr;
	fl6->saddr = np->saddr;
	fl6->flowlabel = np->flow_label;
	fl6->flowi6_oif = sk->sk_bound_dev_if;
	fl6->flowi6_mark = READ_ONCE(sk->sk_mark);
	fl6->fl6_sport = inet->inet_sport;
	fl6->fl6_dport = inet->inet_dport;
	fl6->flowi6_uid = sk->sk_uid;
	security_sk_classify_flow(sk, flowi6_to_flowi_common(fl6));
}

static void dst_store(struct sock *sk, struct dst_entry *dst)
{
#ifdef MYTCP_HAVE_DST_STORE_BOOL
	ip6_dst_store(sk, dst, NULL, false);
#else
	ip6_dst_store(sk, dst, NULL, NULL);
#endif
}

/*
 * Route sk to its peer and keep the route in the socket (source address
 * filled in when unset).  *dstp: the route, not referenced.  Socket owned.
 */
int mytcp_v6_route(struct sock *sk, struct dst_entry **dstp)
{
	struct ipv6_pinfo *np = &mytcp_sk(sk)->inet6;
	struct dst_entry *dst;
	struct flowi6 fl6;

	sk_flow6(sk, &fl6);
	dst = ip6_dst_lookup_flow(sock_net(sk), sk, &fl6, NULL);
	if (IS_ERR(dst))
		return PTR_ERR(dst);
	if (ipv6_addr_any(&np->saddr))
		np->saddr = fl6.saddr;
	if (ipv6_addr_any(&sk->sk_v6_rcv_saddr))
		sk->sk_v6_rcv_saddr = fl6.saddr;
	dst_store(sk, dst);
	*dstp = dst;
	return 0;
}

/* MSS we announce: the IPv6 path MTU less the headers. */
u16 mytcp_v6_route_mss(struct sock *sk)
{
	struct dst_entry *dst;
	u32 mtu = IPV6_MIN_MTU;

	if (!mytcp_v6_route(sk, &dst))
		mtu = dst_mtu(dst);
	return clamp_t(u32, mtu - sizeof(struct ipv6hdr) -
		       sizeof(struct tcphdr), MYTCP_MIN_MSS, 65535);
}

/* Send one built TCP segment (skb) over IPv6.  Socket owned. */
int mytcp_v6_xmit(struct sock *sk, struct sk_buff *skb)
{
	struct ipv6_pinfo *np = &mytcp_sk(sk)->inet6;
	struct dst_entry *dst;
	struct flowi6 fl6;
	int err;

	sk_flow6(sk, &fl6);
	rcu_read_lock();
	dst = __sk_dst_check(sk, np->dst_cookie);
	if (!dst) {
		err = mytcp_v6_route(sk, &dst);
		if (err) {
			rcu_read_unlock();
			WRITE_ONCE(sk->sk_err_soft, -err);
			kfree_skb(skb);
			return err;
		}
	}
	skb_dst_set_noref(skb, dst);
	fl6.saddr = np->saddr;
	/* ip6_xmit() makes the automatic flow label from the skb hash: a
	 * random one per connection, as Linux's TCP sets sk_txhash
	 */
	if (!READ_ONCE(sk->sk_txhash))
		sk_set_txhash(sk);
	skb_set_hash_from_sk(skb, sk);
	err = ip6_xmit(sk, skb, &fl6, READ_ONCE(sk->sk_mark), NULL,
		       np->tclass, READ_ONCE(sk->sk_priority));
	rcu_read_unlock();
	return err;
}

/* A reply without a socket: skb holds the TCP header (mytcp_fill_reply). */
void mytcp_v6_send_reply(struct net *net, struct sk_buff *oskb,
			 struct sk_buff *skb, bool trace)
{
	const struct ipv6hdr *oip6h = ipv6_hdr(oskb);
	struct tcphdr *th = tcp_hdr(skb);
	struct dst_entry *dst;
	struct ipv6hdr *ip6h;
	struct flowi6 fl6;

	memset(&fl6, 0, sizeof(fl6));
	fl6.daddr = oip6h->saddr;
	fl6.saddr = oip6h->daddr;
	fl6.flowi6_proto = IPPROTO_TCP;
	fl6.fl6_sport = th->source;
	fl6.fl6_dport = th->dest;
	/* a link-local peer is reached by the interface it came in on */
	if (rt6_need_strict(&fl6.daddr))
		fl6.flowi6_oif = oskb->skb_iif;
	th->check = ~tcp_v6_check(skb->len, &fl6.saddr, &fl6.daddr, 0);
	dst = ip6_dst_lookup_flow(net, NULL, &fl6, NULL);
	if (IS_ERR(dst)) {
		kfree_skb(skb);
		return;
	}
	ip6h = skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	/* an automatic flow label, as Linux's replies from its ctl socket */
	ip6_flow_hdr(ip6h, 0, ip6_make_flowlabel(net, skb, 0, true, &fl6));
	ip6h->nexthdr = IPPROTO_TCP;
	ip6h->hop_limit = ip6_dst_hoplimit(dst);
	ip6h->saddr = oip6h->daddr;
	ip6h->daddr = oip6h->saddr;
	skb->protocol = htons(ETH_P_IPV6);
	skb_dst_set(skb, dst);

	MYTCP_INC_STATS(net, MYTCP_STAT_OUT_SEGS);
	if (th->rst)
		MYTCP_INC_STATS(net, MYTCP_STAT_OUT_RSTS);
	if (trace)	/* else the caller traced it (a request's) */
		trace_mytcp_reply(net, skb);
	ip6_local_out(net, NULL, skb);
}

/* ---- the socket side ---- */

/*
 * A child of listener parent for the segment skb: its addresses and
 * route.  An IPv6 listener's child of an IPv4 segment is v4-mapped (the
 * IPv4 fields were filled by the caller).
 */
void mytcp_v6_child_init(struct sock *child, struct sock *parent,
			 struct sk_buff *skb)
{
	struct ipv6_pinfo *np = &mytcp_sk(child)->inet6;
	const struct ipv6_pinfo *pnp = &mytcp_sk(parent)->inet6;
	struct inet_sock *inet = inet_sk(child);

	mytcp_sk(child)->v6 = 1;
	child->sk_ipv6only = parent->sk_ipv6only;
	np->tclass = pnp->tclass;
	np->hop_limit = pnp->hop_limit;
	if (skb->protocol != htons(ETH_P_IPV6)) {
		ipv6_addr_set_v4mapped(inet->inet_daddr, &child->sk_v6_daddr);
		ipv6_addr_set_v4mapped(inet->inet_rcv_saddr,
				       &child->sk_v6_rcv_saddr);
		np->saddr = child->sk_v6_rcv_saddr;
		return;
	}
	child->sk_v6_daddr = ipv6_hdr(skb)->saddr;
	child->sk_v6_rcv_saddr = ipv6_hdr(skb)->daddr;
	np->saddr = ipv6_hdr(skb)->daddr;
	inet->inet_daddr = LOOPBACK4_IPV6;
	inet->inet_saddr = LOOPBACK4_IPV6;
	inet->inet_rcv_saddr = LOOPBACK4_IPV6;
	child->sk_bound_dev_if = parent->sk_bound_dev_if;
	if (!child->sk_bound_dev_if && rt6_need_strict(&child->sk_v6_daddr))
		child->sk_bound_dev_if = skb->skb_iif;
}

/* bind() with a sockaddr_in6: address checks (Linux's __inet6_bind()). */
int mytcp_v6_check_bind(struct sock *sk, const struct sockaddr_in6 *sin6,
			int *dev_if)
{
	const struct in6_addr *a = &sin6->sin6_addr;
	struct net *net = sock_net(sk);
	int type = ipv6_addr_type(a);
	struct net_device *dev = NULL;
	bool ok;

	*dev_if = sk->sk_bound_dev_if;
	if (type & IPV6_ADDR_MAPPED) {
		if (sk->sk_ipv6only)
			return -EINVAL;
		if (a->s6_addr32[3] && inet_addr_type(net, a->s6_addr32[3]) !=
		    RTN_LOCAL)
			return -EADDRNOTAVAIL;
		return 0;
	}
	if (type == IPV6_ADDR_ANY)
		return 0;
	if (type & IPV6_ADDR_MULTICAST)
		return -EADDRNOTAVAIL;
	if (__ipv6_addr_needs_scope_id(type)) {
		if (sin6->sin6_scope_id)
			*dev_if = sin6->sin6_scope_id;
		if (!*dev_if)
			return -EINVAL;
	}
	rcu_read_lock();
	if (*dev_if) {
		dev = dev_get_by_index_rcu(net, *dev_if);
		if (!dev) {
			rcu_read_unlock();
			return -ENODEV;
		}
	}
	ok = ipv6_chk_addr(net, a, dev, 0);
	rcu_read_unlock();
	return ok ? 0 : -EADDRNOTAVAIL;
}

/*
 * connect() to an IPv6 peer: route, pick the source, fill the addresses.
 * A v4-mapped peer is the caller's (IPv4 path).  Socket owned.
 */
int mytcp_v6_connect_route(struct sock *sk, const struct sockaddr_in6 *sin6,
			   u16 *adv_mss)
{
	struct ipv6_pinfo *np = &mytcp_sk(sk)->inet6;
	struct inet_sock *inet = inet_sk(sk);
	struct in6_addr daddr = sin6->sin6_addr;
	int type = ipv6_addr_type(&daddr);
	struct dst_entry *dst;
	int err;

	if (type & IPV6_ADDR_MULTICAST)
		return -ENETUNREACH;
	if (ipv6_addr_any(&daddr))
		daddr = in6addr_loopback;	/* as Linux: :: is ::1 */
	if (__ipv6_addr_needs_scope_id(type)) {
		if (sin6->sin6_scope_id) {
			if (sk->sk_bound_dev_if &&
			    sk->sk_bound_dev_if != sin6->sin6_scope_id)
				return -EINVAL;
			sk->sk_bound_dev_if = sin6->sin6_scope_id;
		}
		if (!sk->sk_bound_dev_if)
			return -EINVAL;
	}
	sk->sk_v6_daddr = daddr;
	/* sin6_flowinfo is ignored, as Linux does without
	 * IPV6_FLOWINFO_SEND (not supported): automatic labels only
	 */
	np->flow_label = 0;
	inet->inet_dport = sin6->sin6_port;
	err = mytcp_v6_route(sk, &dst);
	if (err) {
		sk->sk_v6_daddr = in6addr_any;
		inet->inet_dport = 0;
		return err;
	}
	inet->inet_daddr = LOOPBACK4_IPV6;
	inet->inet_saddr = LOOPBACK4_IPV6;
	inet->inet_rcv_saddr = LOOPBACK4_IPV6;
	*adv_mss = clamp_t(u32, dst_mtu(dst) - sizeof(struct ipv6hdr) -
			   sizeof(struct tcphdr), MYTCP_MIN_MSS, 65535);
	return 0;
}

/* getsockname()/getpeername() of an IPv6 socket. */
int mytcp_v6_getname(struct sock *sk, struct sockaddr *uaddr, int peer)
{
	DECLARE_SOCKADDR(struct sockaddr_in6 *, sin6, uaddr);
	struct inet_sock *inet = inet_sk(sk);

	sin6->sin6_family = AF_INET6;
	sin6->sin6_flowinfo = 0;
	if (peer) {
		sin6->sin6_port = inet->inet_dport;
		sin6->sin6_addr = sk->sk_v6_daddr;
	} else {
		sin6->sin6_port = inet->inet_sport;
		sin6->sin6_addr = ipv6_addr_any(&sk->sk_v6_rcv_saddr) ?
				  mytcp_sk(sk)->inet6.saddr :
				  sk->sk_v6_rcv_saddr;
	}
	sin6->sin6_scope_id = ipv6_iface_scope_id(&sin6->sin6_addr,
						  sk->sk_bound_dev_if);
	return sizeof(*sin6);
}

/* SOL_IPV6: IPV6_V6ONLY and IPV6_TCLASS. */
int mytcp_v6_setsockopt(struct sock *sk, int optname, sockptr_t optval,
			unsigned int optlen)
{
	int val, err = 0;

	if (optname != IPV6_V6ONLY && optname != IPV6_TCLASS)
		return -ENOPROTOOPT;
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	lock_sock(sk);
	if (optname == IPV6_V6ONLY) {
		/* as Linux: not once bound */
		if (inet_sk(sk)->inet_num)
			err = -EINVAL;
		else
			sk->sk_ipv6only = !!val;
	} else {
		if (val < -1 || val > 0xff)
			err = -EINVAL;
		else
			mytcp_sk(sk)->inet6.tclass = val < 0 ? 0 : val;
	}
	release_sock(sk);
	return err;
}

int mytcp_v6_getsockopt(struct sock *sk, int optname, char __user *optval,
			int __user *optlen)
{
	int val, len;

	if (optname == IPV6_V6ONLY)
		val = sk->sk_ipv6only;
	else if (optname == IPV6_TCLASS)
		val = mytcp_sk(sk)->inet6.tclass;
	else
		return -ENOPROTOOPT;
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	len = min_t(int, len, sizeof(int));
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}
