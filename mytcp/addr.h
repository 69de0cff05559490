/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: family-neutral addresses.  Every table key (connections, TIME_WAIT
 * entries, bound ports, listeners), every lookup, the ISN and the ephemeral
 * port choice take a struct in6_addr: an IPv6 address as it is, an IPv4
 * address v4-mapped (::ffff:a.b.c.d, RFC 4291 2.5.5.2).  The IPv4
 * wildcard is ::ffff:0.0.0.0, the IPv6 one ::.
 *
 * A socket's family is the user's: mtp->v6 is set once it was bound or
 * connected with a sockaddr_in6 (it survives a disconnect, as an AF_INET6
 * socket stays one).  An IPv4 socket's addresses are inet_rcv_saddr and
 * inet_daddr; an IPv6 socket's are sk_v6_rcv_saddr and sk_v6_daddr (and
 * inet6_sk(sk)->saddr), v4-mapped for an IPv4 peer, in which case the IPv4
 * fields hold the same addresses, as in Linux's tcp_ipv6.c.
 */
#ifndef _MYTCP_ADDR_H
#define _MYTCP_ADDR_H

#include <net/ipv6.h>

static inline void mytcp_v4_key(struct in6_addr *a, __be32 v4)
{
	ipv6_addr_set_v4mapped(v4, a);
}

/* The socket's local address as a table key. */
static inline void mytcp_sk_laddr(const struct sock *sk, struct in6_addr *a)
{
	if (mytcp_sk(sk)->v6)
		*a = sk->sk_v6_rcv_saddr;
	else
		mytcp_v4_key(a, inet_sk(sk)->inet_rcv_saddr);
}

static inline void mytcp_sk_raddr(const struct sock *sk, struct in6_addr *a)
{
	if (mytcp_sk(sk)->v6)
		*a = sk->sk_v6_daddr;
	else
		mytcp_v4_key(a, inet_sk(sk)->inet_daddr);
}

/* Does this connection speak IPv6 on the wire? */
static inline bool mytcp_wire_v6(const struct sock *sk)
{
	return mytcp_sk(sk)->v6 && !ipv6_addr_v4mapped(&sk->sk_v6_daddr);
}

/* Network header length of the connection's segments. */
static inline unsigned int mytcp_nh_len(const struct sock *sk)
{
	return mytcp_wire_v6(sk) ? sizeof(struct ipv6hdr) :
				   sizeof(struct iphdr);
}

static inline bool mytcp_addr_any(const struct in6_addr *a)
{
	return ipv6_addr_any(a) ||
	       (ipv6_addr_v4mapped(a) && !a->s6_addr32[3]);
}

/* ipv4.c: what both hooks share */
void mytcp_sock_rcv(struct sock *sk, struct sk_buff *skb);
unsigned int mytcp_hook_deliver(struct net *net, struct sk_buff *skb,
				unsigned int thoff, const struct in6_addr *l,
				const struct in6_addr *r, int dif, int sdif);
/* icmp.c */
void mytcp_icmp_err(struct sock *sk, u32 seq, u32 mtu, int err, bool fatal);
/* output.c */
void mytcp_fill_reply(struct sk_buff *skb, const struct tcphdr *oth, u8 flags,
		      u32 seq, u32 ack, u32 wnd, const struct mytcp_opts *o);

/* ipv6.c */
int mytcp_v6_hooks_register(struct net *net);
void mytcp_v6_hooks_unregister(struct net *net);
int mytcp_v6_xmit(struct sock *sk, struct sk_buff *skb);
int mytcp_v6_route(struct sock *sk, struct dst_entry **dstp);
void mytcp_v6_send_reply(struct net *net, struct sk_buff *oskb,
			 struct sk_buff *skb, bool trace);
void mytcp_v6_init_sock(struct sock *sk);
u16 mytcp_v6_route_mss(struct sock *sk);
void mytcp_v6_child_init(struct sock *child, struct sock *parent,
			 struct sk_buff *skb);
int mytcp_v6_check_bind(struct sock *sk, const struct sockaddr_in6 *sin6,
			int *dev_if);
int mytcp_v6_connect_route(struct sock *sk, const struct sockaddr_in6 *sin6,
			   u16 *adv_mss);
int mytcp_v6_getname(struct sock *sk, struct sockaddr *uaddr, int peer);
int mytcp_v6_setsockopt(struct sock *sk, int optname, sockptr_t optval,
			unsigned int optlen);
int mytcp_v6_getsockopt(struct sock *sk, int optname, char __user *optval,
			int __user *optlen);
u32 mytcp_isn6(const struct in6_addr *saddr, const struct in6_addr *daddr,
	       __be16 sport, __be16 dport);

#endif /* _MYTCP_ADDR_H */
