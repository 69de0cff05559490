/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: ECN (RFC 3168) decisions, pure (unit/test_ecn.c).  The socket
 * side is ecn.c; the header bits are TCP's (TCPHDR_*) and IP's
 * (INET_ECN_*), repeated here so that this file needs no kernel header.
 */
#ifndef _MYTCP_ECN_H
#define _MYTCP_ECN_H

#include <linux/types.h>

#define MYTCP_TH_ACK		0x10	/* TCPHDR_ACK */
#define MYTCP_TH_ECE		0x40	/* TCPHDR_ECE */
#define MYTCP_TH_CWR		0x80	/* TCPHDR_CWR */
#define MYTCP_IP_ECN_MASK	0x03	/* INET_ECN_MASK; 0: Not-ECT */

/* struct mytcp_sock.ecn_flags (Linux's TCP_ECN_*) */
#define MYTCP_ECN_OK		0x1	/* negotiated (or asked, SYN_SENT) */
#define MYTCP_ECN_QUEUE_CWR	0x2	/* CWR on the next new data */
#define MYTCP_ECN_DEMAND_CWR	0x4	/* ECE on every segment until CWR */
#define MYTCP_ECN_SEEN		0x8	/* an ECT or CE segment arrived */
#define MYTCP_ECN_ECHOED	0x10	/* the ACK being processed has ECE */

/* net.mytcp.ecn, as net.ipv4.tcp_ecn */
#define MYTCP_ECN_SYSCTL_OFF	0	/* neither ask nor accept */
#define MYTCP_ECN_SYSCTL_ON	1	/* ask on connect(), accept */
#define MYTCP_ECN_SYSCTL_PASSIVE 2	/* accept when asked (default) */

/* A window reduction: CWR goes on the next new data (ECN connections). */
static inline void mytcp_ecn_queue_cwr(u8 *ecn_flags)
{
	if (*ecn_flags & MYTCP_ECN_OK)
		*ecn_flags |= MYTCP_ECN_QUEUE_CWR;
}

/* Our SYN asks for ECN (ECE and CWR, RFC 3168 6.1.1). */
static inline bool mytcp_ecn_ask(int sysctl)
{
	return sysctl == MYTCP_ECN_SYSCTL_ON;
}

/*
 * A listener's answer to a SYN (Linux's tcp_ecn_create_request()): ECN
 * when the SYN has ECE and CWR, the sysctl is not 0, and the SYN itself
 * is Not-ECT (RFC 3168 6.1.1: SYNs are never ECT; Linux refuses ECN to
 * one that is, as a sign of a path that rewrites the field).
 */
static inline bool mytcp_ecn_syn_ok(u8 th_flags, u8 dsfield, int sysctl)
{
	return sysctl != MYTCP_ECN_SYSCTL_OFF &&
	       (th_flags & (MYTCP_TH_ECE | MYTCP_TH_CWR)) ==
	       (MYTCP_TH_ECE | MYTCP_TH_CWR) &&
	       !(dsfield & MYTCP_IP_ECN_MASK);
}

/*
 * The peer's SYN-ACK to our ECN-setup SYN agrees with ECE alone; one with
 * ECE and CWR both set (a peer reflecting the flags) or none does not
 * (RFC 3168 6.1.1).  A SYN crossing ours (simultaneous open) agrees with
 * ECE and CWR, as a setup SYN (Linux's tcp_ecn_rcv_syn()).
 */
static inline bool mytcp_ecn_peer_agrees(u8 th_flags)
{
	u8 ecn = th_flags & (MYTCP_TH_ECE | MYTCP_TH_CWR);

	if (th_flags & MYTCP_TH_ACK)
		return ecn == MYTCP_TH_ECE;
	return ecn == (MYTCP_TH_ECE | MYTCP_TH_CWR);
}

/*
 * ECN flags of a segment that is not a SYN, and whether it is ECT(0)
 * (Linux's tcp_ecn_send()): only new data is ECT(0) and carries a queued
 * CWR (RFC 3168 6.1.5: not retransmissions; 6.1.4: not pure ACKs or
 * window probes); every segment echoes ECE while a CE mark waits for the
 * peer's CWR.  *ecn_flags loses QUEUE_CWR when CWR goes out.
 */
static inline u8 mytcp_ecn_send_flags(u8 *ecn_flags, bool new_data,
				      bool *ect)
{
	u8 th = 0;

	*ect = false;
	if (!(*ecn_flags & MYTCP_ECN_OK))
		return 0;
	if (new_data) {
		*ect = true;
		if (*ecn_flags & MYTCP_ECN_QUEUE_CWR) {
			*ecn_flags &= ~MYTCP_ECN_QUEUE_CWR;
			th |= MYTCP_TH_CWR;
		}
	}
	if (*ecn_flags & MYTCP_ECN_DEMAND_CWR)
		th |= MYTCP_TH_ECE;
	return th;
}

#endif /* _MYTCP_ECN_H */
