// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: ICMP errors for mytcp connections.
 *
 * The receive hook hands over ICMP destination-unreachable and
 * time-exceeded messages whose quoted IP/TCP header belongs to a mytcp
 * connection (Linux TCP would find no socket for them) and whose ICMP
 * checksum is right (they run before icmp_rcv() checks it).  The quoted
 * sequence number must lie in [SND.UNA, SND.MAX] (RFC 5927 4.1), else the
 * message is ignored.  Fragmentation needed lowers the path MTU and the
 * MSS and resends what is outstanding at the new size; a hard error
 * during connect fails it (RFC 1122 4.2.3.9); anything else is a soft
 * error reported only if the connection later times out.
 *
 * Locking: runs from the hook in softirq with bh_lock_sock(); when the
 * user owns the socket the work is deferred to mytcp_release_cb() through
 * mtp->icmp_mtu / mtp->icmp_err and the MYTCP_DEFER_ICMP bit.
 */
#include <linux/icmp.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/tcp.h>
#include "mytcp.h"

static void mtu_reduced(struct sock *sk, u32 mtu)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	struct dst_entry *dst;
	struct rtable *rt;
	u16 old = mtp->mss;

	if ((1 << sk->sk_state) & (TCPF_LISTEN | TCPF_CLOSE))
		return;
	dst = __sk_dst_get(sk);
	if (!dst || mtu >= dst_mtu(dst) || mtu < (mytcp_wire_v6(sk) ? IPV6_MIN_MTU : 68))
		return;
	dst->ops->update_pmtu(dst, sk, NULL, mtu, true);
	if (mytcp_wire_v6(sk)) {
		/* ipv6.c routes again and stores the new route */
		if (mytcp_v6_route(sk, &dst))
			return;
	} else {
		rt = ip_route_output_ports(sock_net(sk), &inet->cork.fl.u.ip4,
					   sk, inet->inet_daddr,
					   inet->inet_saddr,
					   inet->inet_dport, inet->inet_sport,
					   IPPROTO_TCP, 0, sk->sk_bound_dev_if);
		if (IS_ERR(rt))
			return;
		sk_setup_caps(sk, &rt->dst);
	}
	mytcp_sync_mss(sk);
	if (mtp->mss >= old || mtp->snd_una == mtp->snd_nxt)
		return;
	/* What is out was too big: send it again at the new size, without
	 * counting it as congestion (RFC 1191).  The recovery scoreboard
	 * goes (RETRANS and LOST marks, retrans_bytes, the TLP): what is
	 * resent is counted afresh, SACKed data is not resent.
	 */
	mytcp_cong_enter_loss_pmtu(sk);
	mytcp_sack_reset(sk);
	mtp->rack.frto = 0;
	mytcp_clear_timer_lazy(sk, MYTCP_T_TLP);
	mytcp_wq_rewind(sk);
	mytcp_push(sk);
}

static void hard_error(struct sock *sk, int err)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	switch (sk->sk_state) {
	case TCP_SYN_SENT:
		MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_ATTEMPT_FAILS);
		WRITE_ONCE(sk->sk_err, err);
		sk_error_report(sk);
		mytcp_done(sk);
		break;
	case TCP_SYN_RECV:
		if (mtp->parent)
			mytcp_child_drop(sk);
		break;
	default:
		/* Established: soft, reported if the connection times out. */
		WRITE_ONCE(sk->sk_err_soft, err);
		break;
	}
}

/* Socket owned. */
void mytcp_icmp_process(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 mtu = mtp->icmp_mtu;
	int err = mtp->icmp_err;

	mtp->icmp_mtu = 0;
	mtp->icmp_err = 0;
	if (mtu)
		mtu_reduced(sk, mtu);
	if (err)
		hard_error(sk, err);
}

/*
 * From the hook: an ICMP message (skb->data at the outer IP header).
 * Returns true when it was for mytcp and has been consumed.
 */
bool mytcp_icmp_rcv(struct net *net, struct sk_buff *skb)
{
	unsigned int ihl = ip_hdrlen(skb), iihl;
	const struct icmphdr *ih;
	const struct iphdr *inner;
	struct icmphdr _ih;
	struct iphdr _inner;
	struct in6_addr l, r;
	__be32 _tcp[2];
	const __be32 *tcp;
	struct mytcp_request *req;
	struct sock *sk;
	u32 seq;

	ih = skb_header_pointer(skb, ihl, sizeof(_ih), &_ih);
	if (!ih || (ih->type != ICMP_DEST_UNREACH &&
		    ih->type != ICMP_TIME_EXCEEDED))
		return false;
	/* RFC 792: the checksum covers the whole ICMP message.  A corrupt
	 * one is left to icmp_rcv(), which counts and drops it.
	 */
	if (skb->len < ihl + sizeof(_ih) ||
	    csum_fold(skb_checksum(skb, ihl, skb->len - ihl, 0)))
		return false;
	inner = skb_header_pointer(skb, ihl + sizeof(_ih), sizeof(_inner),
				   &_inner);
	if (!inner || inner->protocol != IPPROTO_TCP || inner->ihl < 5)
		return false;
	iihl = inner->ihl * 4;
	/* RFC 792 quotes at least the first 8 bytes: ports and seq. */
	tcp = skb_header_pointer(skb, ihl + sizeof(_ih) + iihl, sizeof(_tcp),
				 _tcp);
	if (!tcp)
		return false;
	mytcp_v4_key(&l, inner->saddr);
	mytcp_v4_key(&r, inner->daddr);
	req = mytcp_lookup_request(net, &l, ((const __be16 *)tcp)[0], &r,
				   ((const __be16 *)tcp)[1], inet_iif(skb),
				   inet_sdif(skb));
	if (req) {
		/* a request has no path MTU; errors as a child's */
		mytcp_req_icmp(req, ntohl(tcp[1]),
			       ih->type == ICMP_DEST_UNREACH &&
			       ih->code != ICMP_FRAG_NEEDED &&
			       ih->code <= NR_ICMP_UNREACH &&
			       icmp_err_convert[ih->code].fatal);
		mytcp_req_put(req);
		consume_skb(skb);
		return true;
	}
	sk = mytcp_lookup_established(net, &l, ((const __be16 *)tcp)[0], &r,
				      ((const __be16 *)tcp)[1], inet_iif(skb),
				      inet_sdif(skb));
	if (!sk)
		return false;
	seq = ntohl(tcp[1]);
	if (ih->type == ICMP_DEST_UNREACH && ih->code == ICMP_FRAG_NEEDED)
		mytcp_icmp_err(sk, seq, ntohs(ih->un.frag.mtu), 0, false);
	else if (ih->type == ICMP_DEST_UNREACH && ih->code <= NR_ICMP_UNREACH)
		mytcp_icmp_err(sk, seq, 0, icmp_err_convert[ih->code].errno,
			       icmp_err_convert[ih->code].fatal);
	else
		mytcp_icmp_err(sk, seq, 0, EHOSTUNREACH, false);
	sock_put(sk);
	consume_skb(skb);
	return true;
}

/*
 * An ICMP or ICMPv6 error for sk (referenced, not locked) quoting our
 * sequence number seq: a smaller path MTU (mtu) or an error err, fatal
 * to a connection being opened.  Softirq.
 */
void mytcp_icmp_err(struct sock *sk, u32 seq, u32 mtu, int err, bool fatal)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_ICMP_ERRORS);
	bh_lock_sock(sk);
	if (!mytcp_between(seq, mtp->snd_una, mtp->snd_max))
		goto out;	/* not for data we have out: forged or stale */
	if (mtu)
		mtp->icmp_mtu = mtu;
	else if (fatal &&
		 (1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))
		mtp->icmp_err = err;
	else
		WRITE_ONCE(sk->sk_err_soft, err);
	if (!mtp->icmp_mtu && !mtp->icmp_err)
		goto out;
	if (!sock_owned_by_user(sk))
		mytcp_icmp_process(sk);
	else if (!test_and_set_bit(MYTCP_DEFER_ICMP_BIT, &mtp->deferred))
		sock_hold(sk);
out:
	bh_unlock_sock(sk);
}
