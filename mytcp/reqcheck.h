/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: what a segment does to a request socket (request.c), the pure
 * part.  The checks input.c's synchronized_rcv() makes for a child in
 * SYN_RCVD, in its order (Linux: tcp_check_req()): PAWS (pure ACKs and
 * RSTs exempt), the sequence number against RCV.NXT = IRS + 1 and the
 * window the SYN-ACK offered, RST (RFC 5961: exactly at RCV.NXT, or
 * challenged), SYN (challenged), no ACK, an ACK of anything but our SYN,
 * TCP_DEFER_ACCEPT holding a bare ACK while fewer SYN-ACKs were resent
 * than it says; what passes them all completes the handshake.
 * unit/test_reqcheck.c checks it.
 */
#ifndef _MYTCP_REQCHECK_H
#define _MYTCP_REQCHECK_H

#include <linux/types.h>
#include "seq.h"

/* TCP header flag bits (the tcp_flag_byte() order) */
#define MYTCP_RQ_FIN	0x01
#define MYTCP_RQ_SYN	0x02
#define MYTCP_RQ_RST	0x04
#define MYTCP_RQ_ACK	0x10

enum mytcp_req_verdict {
	MYTCP_REQ_PAWS,		/* old TSval: ACK (rate limited), drop */
	MYTCP_REQ_SYN_AGAIN,	/* the SYN again: SYN-ACK (rate limited) */
	MYTCP_REQ_OOW,		/* not acceptable: ACK (data: always) */
	MYTCP_REQ_OOW_RST,	/* an RST not acceptable: no answer */
	MYTCP_REQ_RST,		/* RST at RCV.NXT: the request is reset */
	MYTCP_REQ_RST_CHALLENGE, /* RST elsewhere in the window */
	MYTCP_REQ_SYN,		/* SYN in the window: challenge ACK */
	MYTCP_REQ_NO_ACK,	/* no ACK: dropped */
	MYTCP_REQ_BAD_ACK,	/* not SEG.ACK = ISS + 1: RST <SEQ=SEG.ACK> */
	MYTCP_REQ_DEFER,	/* a bare ACK TCP_DEFER_ACCEPT holds */
	MYTCP_REQ_CHILD,	/* the handshake is complete */
};

/* The request's side. */
struct mytcp_req_state {
	u32 iss, irs;
	u32 rcv_wnd;		/* the window of our SYN-ACK */
	u32 ts_recent;
	bool ts_ok;
	u32 retransmits;	/* SYN-ACKs resent */
	u32 defer_accept;	/* the listener's, in SYN-ACK retransmissions */
};

/* The segment's side. */
struct mytcp_req_seg {
	u32 seq, end_seq, ack_seq;
	u8 flags;		/* MYTCP_RQ_* */
	bool saw_ts;
	u32 tsval;
};

static inline enum mytcp_req_verdict
mytcp_req_check(const struct mytcp_req_state *r, const struct mytcp_req_seg *s)
{
	u32 rcv_nxt = r->irs + 1;
	bool rst = s->flags & MYTCP_RQ_RST, syn = s->flags & MYTCP_RQ_SYN;

	if (r->ts_ok && s->saw_ts && !rst && s->end_seq != s->seq &&
	    (s32)(s->tsval - r->ts_recent) < 0)
		return MYTCP_REQ_PAWS;
	if (!mytcp_seq_acceptable(rcv_nxt, r->rcv_wnd, s->seq,
				  s->end_seq - s->seq)) {
		if (rst)
			return MYTCP_REQ_OOW_RST;
		if (syn && s->seq == r->irs)
			return MYTCP_REQ_SYN_AGAIN;
		return MYTCP_REQ_OOW;
	}
	if (rst)
		return s->seq == rcv_nxt ? MYTCP_REQ_RST :
					   MYTCP_REQ_RST_CHALLENGE;
	if (syn)
		return MYTCP_REQ_SYN;
	if (!(s->flags & MYTCP_RQ_ACK))
		return MYTCP_REQ_NO_ACK;
	if (s->ack_seq != r->iss + 1)
		return MYTCP_REQ_BAD_ACK;
	if (s->end_seq == s->seq && r->retransmits < r->defer_accept)
		return MYTCP_REQ_DEFER;
	return MYTCP_REQ_CHILD;
}

#endif /* _MYTCP_REQCHECK_H */
