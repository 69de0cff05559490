// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: ECN (RFC 3168), the socket side; the decisions are ecn.h's.
 *
 * mytcp_sock.ecn_flags (ecn.h) is the connection's ECN state, zeroed with
 * the connection (mytcp_init_conn()).  Setup: the first SYN asks when
 * net.mytcp.ecn is 1, the SYN-ACK answers (mytcp_ecn_rcv_syn()); a
 * listener's child accepts from the SYN and its namespace's sysctl
 * (mytcp_ecn_child()).  Sending (mytcp_ecn_xmit(), output.c): ECT(0) in
 * the IP header of new data, CWR once after a reduction, ECE while a CE
 * mark is unanswered.  Receiving: the IP ECN field is in the skb's cb
 * (ipv4.c); data.c calls mytcp_ecn_rcv(), input.c mytcp_ecn_echoed() and
 * mytcp_ecn_ack() around mytcp_ack(); the window reduction is cong.c's
 * (mytcp_cong_enter_cwr()).
 *
 * Locking: the socket is owned (every caller), or a child not yet
 * visible to anyone.
 */
#include <net/inet_ecn.h>
#include "mytcp.h"

static int ecn_sysctl(const struct sock *sk)
{
	return READ_ONCE(mytcp_pernet(sock_net(sk))->ecn);
}

/*
 * Before a segment's header is built: its ECN flags, and the IP header's
 * ECN field through inet->tos (ip_queue_xmit() copies it), as Linux's
 * tcp_ecn_send() and INET_ECN_xmit()/INET_ECN_dontxmit().  New data is
 * data at or above snd_max: a segment resent after an RTO rewound snd_nxt
 * is a retransmission.  A SYN is Not-ECT; the first one asks for ECN, a
 * retransmitted one does not (RFC 3168 6.1.1.1, Linux's
 * tcp_ecn_clear_syn()), though a SYN-ACK with ECE alone still sets ECN
 * up.  A SYN-ACK says ECE when the SYN asked and ECN is allowed.
 */
u8 mytcp_ecn_xmit(struct sock *sk, const struct sk_buff *skb, u8 flags)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	const struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	bool ect = false;
	u8 th = 0;

	BUILD_BUG_ON(MYTCP_TH_ACK != TCPHDR_ACK);
	BUILD_BUG_ON(MYTCP_TH_ECE != TCPHDR_ECE);
	BUILD_BUG_ON(MYTCP_TH_CWR != TCPHDR_CWR);
	BUILD_BUG_ON(MYTCP_IP_ECN_MASK != INET_ECN_MASK);
	if (!(flags & TCPHDR_SYN)) {
		th = mytcp_ecn_send_flags(&mtp->ecn_flags,
					  skb->len &&
					  !before(cb->seq, mtp->snd_max),
					  &ect);
	} else if (flags & TCPHDR_ACK) {
		if (mtp->ecn_flags & MYTCP_ECN_OK)
			th = TCPHDR_ECE;
	} else if (!before(cb->seq, mtp->snd_max)) {
		mtp->ecn_flags = 0;
		if (mytcp_ecn_ask(ecn_sysctl(sk))) {
			mtp->ecn_flags = MYTCP_ECN_OK;
			th = TCPHDR_ECE | TCPHDR_CWR;
		}
	}
	if (ect)
		INET_ECN_xmit(sk);
	else
		INET_ECN_dontxmit(sk);
	return th;
}

/* SYN_SENT: the SYN-ACK (or a SYN crossing ours) agrees or not. */
void mytcp_ecn_rcv_syn(struct sock *sk, u8 th_flags)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (!mytcp_ecn_peer_agrees(th_flags))
		mtp->ecn_flags &= ~MYTCP_ECN_OK;
}

/* A listener's new child: ECN as its SYN asked and its netns allows. */
void mytcp_ecn_child(struct sock *child, const struct sk_buff *syn)
{
	const struct mytcp_skb_cb *cb = MYTCP_SKB_CB(syn);

	mytcp_sk(child)->ecn_flags =
		mytcp_ecn_syn_ok(cb->flags, cb->ip_dsfield,
				 ecn_sysctl(child)) ? MYTCP_ECN_OK : 0;
}

/*
 * data.c, an acceptable segment with data or FIN, before it is queued
 * (Linux's tcp_ecn_accept_cwr() then __tcp_ecn_check_ce()): CWR ends our
 * ECE (with data, ACK at once: the sender's cwnd may be small); a CE mark
 * on new data starts ECE, and the ACK goes at once with one more quick
 * ACK after it (Linux's tcp_enter_quickack_mode(sk, 2)); Not-ECT data
 * after ECT was seen is probably a retransmission: quick ACKs too.
 * Returns true: ACK this segment at once.
 */
bool mytcp_ecn_rcv(struct sock *sk, const struct sk_buff *skb)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	const struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	bool now = false;

	if (!(mtp->ecn_flags & MYTCP_ECN_OK))
		return false;
	if (cb->flags & TCPHDR_CWR) {
		mtp->ecn_flags &= ~MYTCP_ECN_DEMAND_CWR;
		now = cb->end_seq != cb->seq;
	}
	if (!after(cb->end_seq, mtp->rcv_nxt) || !skb->len)
		return now;
	switch (cb->ip_dsfield & INET_ECN_MASK) {
	case INET_ECN_NOT_ECT:
		if (mtp->ecn_flags & MYTCP_ECN_SEEN)
			mytcp_enter_quickack(sk, 2);
		break;
	case INET_ECN_CE:
		MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_IN_CE);
		if (!(mtp->ecn_flags & MYTCP_ECN_DEMAND_CWR)) {
			mtp->ecn_flags |= MYTCP_ECN_DEMAND_CWR;
			mytcp_enter_quickack(sk, 2);
			now = true;
		}
		fallthrough;
	default:
		mtp->ecn_flags |= MYTCP_ECN_SEEN;
		break;
	}
	return now;
}

/*
 * input.c, an acceptable ACK in a synchronized state, before mytcp_ack():
 * does it echo congestion for data in flight (Linux's
 * tcp_ecn_rcv_ecn_echo() on tcp_ack()'s slow path)?  Not on a connection
 * without ECN, not with SYN, not on an old ACK or with nothing in flight
 * (Linux's "no_queue").  Such an ACK does not grow cwnd (ECHOED, read by
 * mytcp_cong_on_ack()): Linux enters CWR before its cong_control().
 */
bool mytcp_ecn_echoed(struct sock *sk, const struct sk_buff *skb)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	const struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

	if (!(mtp->ecn_flags & MYTCP_ECN_OK) ||
	    (cb->flags & (TCPHDR_ECE | TCPHDR_SYN)) != TCPHDR_ECE ||
	    mtp->snd_una == mtp->snd_max || before(cb->ack_seq, mtp->snd_una))
		return false;
	mtp->ecn_flags |= MYTCP_ECN_ECHOED;
	return true;
}

/* After mytcp_ack() of an ACK that echoed congestion: reduce (cong.c). */
void mytcp_ecn_ack(struct sock *sk, bool progress)
{
	mytcp_sk(sk)->ecn_flags &= ~MYTCP_ECN_ECHOED;
	if (progress)
		MYTCP_ADD_STATS(sock_net(sk), MYTCP_STAT_DELIVERED_CE,
				mytcp_sk(sk)->acked_segs);
	mytcp_cong_enter_cwr(sk);
}
