// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: IPv4 - the receive hook, header validation and socket lookup
 * (the role of Linux's tcp_ipv4.c; ipv6.c mirrors it).  Lookups take
 * addr.h's keys: the IPv4 addresses v4-mapped, so that a dual-stack IPv6
 * listener or connection matches them too.
 *
 * The hook: a netfilter hook at NF_INET_LOCAL_IN, registered in every
 * network namespace, at priority NF_IP_PRI_LAST - 1: after the filter,
 * security and NAT tables (so firewall rules apply to mytcp as to any
 * local TCP), just before Linux delivers to its protocol handlers.  It
 * looks the segment up in mytcp's tables (connection 4-tuple, TIME_WAIT,
 * then listener); a segment that matches is claimed (NF_STOLEN) and
 * processed, so Linux TCP never sees it and never answers it; any other
 * packet is returned untouched (NF_ACCEPT).  ICMP errors go to icmp.c.
 *
 * Locking: the hook runs in softirq under rcu_read_lock().  A claimed
 * segment is processed under bh_lock_sock() by the state machine
 * (input.c); when the user owns the socket it goes to the socket backlog
 * and mytcp_backlog_rcv() processes it (with BH disabled) from
 * release_sock().  TIME_WAIT segments are handled lock-free in
 * timewait.c.
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <net/ip.h>
#include <net/dsfield.h>
#include <net/ip6_checksum.h>
#include "mytcp.h"
#include "trace.h"
#include "demux.h"

/* The pseudo-header sum of skb's family, for skb_checksum_init(). */
static __wsum compute_pseudo(struct sk_buff *skb, int proto)
{
	if (skb->protocol == htons(ETH_P_IPV6))
		return ip6_compute_pseudo(skb, proto);
	return inet_compute_pseudo(skb, proto);
}

/*
 * Header checks of a claimed segment of either family (thoff: its TCP
 * header); pulls skb to the TCP header and fills cb.  False: drop it.
 */
static bool validate(struct net *net, struct sk_buff *skb,
		     unsigned int thoff)
{
	bool v6 = skb->protocol == htons(ETH_P_IPV6);
	struct mytcp_skb_cb *cb;
	const struct tcphdr *th;
	struct mytcp_opts opts;

	if (!pskb_may_pull(skb, thoff + sizeof(struct tcphdr)))
		goto bad_hdr;
	th = (const struct tcphdr *)(skb->data + thoff);
	if (th->doff < sizeof(struct tcphdr) / 4 ||
	    !pskb_may_pull(skb, thoff + th->doff * 4))
		goto bad_hdr;
	/* IPv6's headers do not sum to zero (IPv4's, checksum included,
	 * do): a CHECKSUM_COMPLETE sum must follow the pull.
	 */
	if (v6)
		skb_pull_rcsum(skb, thoff);
	else
		__skb_pull(skb, thoff);
	skb_reset_transport_header(skb);
	th = tcp_hdr(skb);
	if (skb->len < th->doff * 4)
		goto bad_hdr;
	if (skb_checksum_init(skb, IPPROTO_TCP, compute_pseudo) ||
	    (!skb_csum_unnecessary(skb) && __skb_checksum_complete(skb))) {
		MYTCP_INC_STATS(net, MYTCP_STAT_IN_CSUM_ERRORS);
		MYTCP_INC_STATS(net, MYTCP_STAT_IN_ERRS);
		trace_mytcp_drop(NULL, skb, "bad checksum");
		return false;
	}
	if (mytcp_parse_options(th, &opts))
		goto bad_hdr;
	cb = MYTCP_SKB_CB(skb);
	memset(cb, 0, sizeof(*cb));
	cb->seq = ntohl(th->seq);
	cb->end_seq = cb->seq + th->syn + th->fin + skb->len - th->doff * 4;
	cb->ack_seq = ntohl(th->ack_seq);
	cb->flags = tcp_flag_byte(th);
	cb->ip_dsfield = v6 ? ipv6_get_dsfield(ipv6_hdr(skb)) :
			      ipv4_get_dsfield(ip_hdr(skb));
	return true;
bad_hdr:
	MYTCP_INC_STATS(net, MYTCP_STAT_DROP_HDR);
	MYTCP_INC_STATS(net, MYTCP_STAT_IN_ERRS);
	trace_mytcp_drop(NULL, skb, "bad header");
	return false;
}

/* A segment is ours: counted, its conntrack entry and route dropped
 * (nothing of Linux's follows it), its headers checked.  False: drop it.
 * keep_dst: a connection's or a request's segment keeps its route for
 * mytcp_sock_rcv() or the child made at the final ACK, which cache it for
 * the early demux (demux.c) and drop it; a request's other segments are
 * answered and freed within the hook (no noref route outlives it).
 */
static bool claim(struct net *net, struct sk_buff *skb, unsigned int thoff,
		  bool keep_dst)
{
	MYTCP_INC_STATS(net, MYTCP_STAT_IN_SEGS);
	nf_reset_ct(skb);
	if (!keep_dst)
		skb_dst_drop(skb);
	return validate(net, skb, thoff);
}

/*
 * Host policy, as tcp_filter() in tcp_v4_rcv(): sk_filter_trim_cap() runs
 * the LSM's socket_sock_rcv_skb hook (AppArmor secmark rules, SELinux
 * ignores families other than inet) and the socket's filter
 * (SO_ATTACH_FILTER, a listener's inherited by its children) on every
 * segment a socket is to process: for a listener before a child is made,
 * for a connection before the state machine looks at it.  TIME_WAIT
 * entries have no socket and no filter, as in Linux.  A dropped segment
 * draws no answer (the peer retransmits).  The program sees the segment
 * from the TCP header on (skb->data), like an AF_INET TCP socket's; it may
 * trim the payload, never the header, and end_seq follows.  The cgroup
 * BPF ingress hook it also calls returns at once for non-inet families.
 * Softirq, under the hook's rcu_read_lock(); the socket is not locked
 * (neither is Linux's).
 */
static bool mytcp_sock_filter_drop(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	const struct tcphdr *th = tcp_hdr(skb);

	if (sk_filter_trim_cap(sk, skb, th->doff * 4)) {
		mytcp_dropped(sk, skb, MYTCP_STAT_DROP_FILTER, "socket filter");
		return true;
	}
	th = tcp_hdr(skb);
	cb->end_seq = cb->seq + th->syn + th->fin + skb->len - th->doff * 4;
	return false;
}

void mytcp_sock_rcv(struct sock *sk, struct sk_buff *skb)
{
	if (mytcp_sock_filter_drop(sk, skb)) {
		kfree_skb(skb);
		return;
	}
	bh_lock_sock_nested(sk);
	if (!sock_owned_by_user(sk)) {
		mytcp_rx_dst_take(sk, skb);
		mytcp_rcv_state_process(sk, skb);
		bh_unlock_sock(sk);
		return;
	}
	/* The route goes along, referenced (__sk_add_backlog()), for
	 * mytcp_backlog_rcv() to cache: a SYN-ACK that found connect()
	 * owning the socket, as Linux's backlog keeps it.
	 */
	if (sk_add_backlog(sk, skb, mytcp_backlog_limit(sk))) {
		mytcp_dropped(sk, skb, MYTCP_STAT_DROP_BACKLOG, "backlog full");
		kfree_skb(skb);
	}
	bh_unlock_sock(sk);
}

/*
 * A mytcp listener may share its port with Linux TCP connections (both
 * under SO_REUSEADDR, as Linux allows): their segments are Linux's.  A
 * SYN for a 4-tuple in Linux's TIME_WAIT opens a new mytcp connection.
 */
static bool listener_may_claim(struct net *net, struct sk_buff *skb,
			       unsigned int thoff, const struct in6_addr *l,
			       const struct in6_addr *r, const __be16 *ports,
			       int dif, int sdif)
{
	u8 _flags;
	const u8 *flags;
	bool tw;

	if (!mytcp_linux_owns(net, l, ports[1], r, ports[0], dif, sdif, &tw))
		return true;
	if (!tw)
		return false;
	flags = skb_header_pointer(skb, thoff + 13, 1, &_flags);
	return flags && (*flags & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST)) ==
			TCPHDR_SYN;
}

/*
 * skb (claimed) was for a request that a segment on another CPU completed
 * or dropped meanwhile (Linux: req_stolen in tcp_v4_rcv()): the child that
 * completion made is in the connection table now.  Looked up once; no
 * child (the request was reset or given up): dropped.
 */
static void req_stolen(struct net *net, struct sk_buff *skb,
		       const struct in6_addr *l, __be16 lport,
		       const struct in6_addr *r, __be16 rport, int dif,
		       int sdif)
{
	struct sock *sk;

	sk = mytcp_lookup_established(net, l, lport, r, rport, dif, sdif);
	if (!sk) {
		kfree_skb(skb);
		return;
	}
	mytcp_sock_rcv(sk, skb);
	sock_put(sk);
}

/*
 * The delivery of both families' hooks (this file's and ipv6.c's), as
 * Linux's tcp_v4_rcv() and tcp_v6_rcv() share their logic: the segment
 * whose TCP header starts at thoff, with addr.h keys l (ours) and r, that
 * came in on dif (sdif: the VRF slave), goes to its connection, TIME_WAIT
 * entry or listener.  NF_ACCEPT: not ours, untouched; NF_STOLEN: consumed.
 * The arrival interface is read by the caller: validation overwrites the
 * control block (IP6CB) that inet6_iif() reads.
 */
unsigned int mytcp_hook_deliver(struct net *net, struct sk_buff *skb,
				unsigned int thoff, const struct in6_addr *l,
				const struct in6_addr *r, int dif, int sdif)
{
	struct mytcp_request *req;
	struct mytcp_tw *tw = NULL;
	__be16 _ports[2];
	const __be16 *ports;
	struct sock *sk;

	ports = skb_header_pointer(skb, thoff, sizeof(_ports), _ports);
	if (!ports)
		return NF_ACCEPT;
	/* a request before the connections: see mytcp_lookup_request() */
	req = mytcp_lookup_request(net, l, ports[1], r, ports[0], dif, sdif);
	if (req) {
		bool done = true;

		if (!claim(net, skb, thoff, true) ||
		    mytcp_sock_filter_drop(req->listener, skb))
			kfree_skb(skb);
		else
			done = mytcp_req_rcv(req, skb);
		mytcp_req_put(req);
		if (!done)
			req_stolen(net, skb, l, ports[1], r, ports[0], dif, sdif);
		return NF_STOLEN;
	}
	sk = mytcp_lookup_established(net, l, ports[1], r, ports[0], dif,
				      sdif);
	if (!sk) {
		tw = mytcp_lookup_tw(net, l, ports[1], r, ports[0], dif, sdif);
		if (!tw)
			sk = mytcp_lookup_listener(net, l, ports[1], r,
						   ports[0], dif, sdif);
		if (sk && !listener_may_claim(net, skb, thoff, l, r, ports,
					      dif, sdif)) {
			sock_put(sk);
			return NF_ACCEPT;
		}
	}
	if (!sk && !tw)
		return NF_ACCEPT;

	/* Ours from here on. */
	if (!claim(net, skb, thoff, !tw)) {
		kfree_skb(skb);
	} else if (tw) {
		if (mytcp_tw_rcv(tw, skb) > 0) {
			/* An acceptable new SYN: the wait is over. */
			struct sock *lsk;

			lsk = mytcp_lookup_listener(net, l, tcp_hdr(skb)->dest,
						    r, tcp_hdr(skb)->source,
						    dif, sdif);
			if (lsk) {
				mytcp_sock_rcv(lsk, skb);
				sock_put(lsk);
			} else {
				mytcp_send_reset_reply(net, skb);
				kfree_skb(skb);
			}
		}
	} else {
		mytcp_sock_rcv(sk, skb);
	}
	if (tw)
		mytcp_tw_put(tw);
	if (sk)
		sock_put(sk);
	return NF_STOLEN;
}

static unsigned int mytcp_nf_in(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct in6_addr l, r;

	if (skb->pkt_type != PACKET_HOST || ip_is_fragment(iph))
		return NF_ACCEPT;
	if (iph->protocol == IPPROTO_ICMP)
		return mytcp_icmp_rcv(state->net, skb) ? NF_STOLEN : NF_ACCEPT;
	if (iph->protocol != IPPROTO_TCP)
		return NF_ACCEPT;
	/* The ports alone identify the connection. */
	mytcp_v4_key(&l, iph->daddr);
	mytcp_v4_key(&r, iph->saddr);
	return mytcp_hook_deliver(state->net, skb, ip_hdrlen(skb), &l, &r,
				  inet_iif(skb), inet_sdif(skb));
}

static const struct nf_hook_ops mytcp_nf_ops = {
	.hook = mytcp_nf_in,
	.pf = NFPROTO_IPV4,
	.hooknum = NF_INET_LOCAL_IN,
	.priority = NF_IP_PRI_LAST - 1,
};

/* Both families' hooks (ipv6.c's too). */
int mytcp_hooks_register(struct net *net)
{
	int err = nf_register_net_hook(net, &mytcp_nf_ops);

	if (err)
		return err;
	err = mytcp_v6_hooks_register(net);
	if (err)
		goto out_v4;
	err = mytcp_demux_register(net);
	if (err)
		goto out_v6;
	return 0;
out_v6:
	mytcp_v6_hooks_unregister(net);
out_v4:
	nf_unregister_net_hook(net, &mytcp_nf_ops);
	return err;
}

void mytcp_hooks_unregister(struct net *net)
{
	mytcp_demux_unregister(net);
	mytcp_v6_hooks_unregister(net);
	nf_unregister_net_hook(net, &mytcp_nf_ops);
}

