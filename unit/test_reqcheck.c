// SPDX-License-Identifier: GPL-2.0
/* Request sockets (mytcp/reqcheck.h): a segment's verdict in SYN_RCVD. */
#include "unit.h"
#include "reqcheck.h"

#define F MYTCP_RQ_FIN
#define S MYTCP_RQ_SYN
#define R MYTCP_RQ_RST
#define A MYTCP_RQ_ACK

static const struct mytcp_req_state st = {
	.iss = 0xfffffff0, .irs = 1000, .rcv_wnd = 65535,
	.ts_recent = 500, .ts_ok = true,
};

static enum mytcp_req_verdict v(const struct mytcp_req_state *r, u32 seq,
				u32 len, u32 ack, u8 flags, bool ts,
				u32 tsval)
{
	struct mytcp_req_seg s = {
		.seq = seq, .ack_seq = ack, .flags = flags, .saw_ts = ts,
		.tsval = tsval,
	};

	s.end_seq = seq + len + !!(flags & S) + !!(flags & F);
	return mytcp_req_check(r, &s);
}

TEST(reqcheck_handshake_ack)
{
	/* ISS + 1 wraps */
	EXPECT_EQ(v(&st, 1001, 0, 0xfffffff1, A, true, 600), MYTCP_REQ_CHILD);
	EXPECT_EQ(v(&st, 1001, 5, 0xfffffff1, A, true, 600), MYTCP_REQ_CHILD);
	EXPECT_EQ(v(&st, 1001, 0, 0xfffffff1, A | F, false, 0),
		  MYTCP_REQ_CHILD);
	/* a pure ACK with an old TSval is exempt from PAWS */
	EXPECT_EQ(v(&st, 1001, 0, 0xfffffff1, A, true, 400), MYTCP_REQ_CHILD);
}

TEST(reqcheck_bad_ack_and_no_ack)
{
	EXPECT_EQ(v(&st, 1001, 0, 0xfffffff0, A, false, 0),
		  MYTCP_REQ_BAD_ACK);
	EXPECT_EQ(v(&st, 1001, 0, 0xfffffff2, A, false, 0),
		  MYTCP_REQ_BAD_ACK);
	EXPECT_EQ(v(&st, 1001, 3, 0, 0, false, 0), MYTCP_REQ_NO_ACK);
}

TEST(reqcheck_paws)
{
	EXPECT_EQ(v(&st, 1001, 5, 0xfffffff1, A, true, 499), MYTCP_REQ_PAWS);
	/* RST exempt */
	EXPECT_EQ(v(&st, 1001, 0, 0, R, true, 1), MYTCP_REQ_RST);
	/* no timestamps negotiated: no PAWS */
	{
		struct mytcp_req_state r = st;

		r.ts_ok = false;
		EXPECT_EQ(v(&r, 1001, 5, 0xfffffff1, A, true, 1),
			  MYTCP_REQ_CHILD);
	}
}

TEST(reqcheck_rst_syn)
{
	EXPECT_EQ(v(&st, 1001, 0, 0, R, false, 0), MYTCP_REQ_RST);
	EXPECT_EQ(v(&st, 1001, 0, 0xfffffff1, R | A, false, 0),
		  MYTCP_REQ_RST);
	EXPECT_EQ(v(&st, 1500, 0, 0, R, false, 0), MYTCP_REQ_RST_CHALLENGE);
	EXPECT_EQ(v(&st, 999, 0, 0, R, false, 0), MYTCP_REQ_OOW_RST);
	EXPECT_EQ(v(&st, 1001 + 65535, 0, 0, R, false, 0),
		  MYTCP_REQ_OOW_RST);
	/* the SYN again, or a new one in the window */
	EXPECT_EQ(v(&st, 1000, 0, 0, S, false, 0), MYTCP_REQ_SYN_AGAIN);
	EXPECT_EQ(v(&st, 1200, 0, 0, S, false, 0), MYTCP_REQ_SYN);
	/* a SYN-ACK echo at IRS: out of window, answered by an ACK */
	EXPECT_EQ(v(&st, 1000, 0, 0xfffffff1, S | A, false, 0),
		  MYTCP_REQ_SYN_AGAIN);
}

TEST(reqcheck_out_of_window)
{
	EXPECT_EQ(v(&st, 990, 5, 0xfffffff1, A, false, 0), MYTCP_REQ_OOW);
	EXPECT_EQ(v(&st, 1001 + 65535, 1, 0xfffffff1, A, false, 0),
		  MYTCP_REQ_OOW);
	{
		struct mytcp_req_state r = st;

		/* a zero window takes only SEG.SEQ = RCV.NXT, empty */
		r.rcv_wnd = 0;
		EXPECT_EQ(v(&r, 1001, 0, 0xfffffff1, A, false, 0),
			  MYTCP_REQ_CHILD);
		EXPECT_EQ(v(&r, 1001, 1, 0xfffffff1, A, false, 0),
			  MYTCP_REQ_OOW);
	}
}

TEST(reqcheck_defer_accept)
{
	struct mytcp_req_state r = st;

	r.defer_accept = 2;
	EXPECT_EQ(v(&r, 1001, 0, 0xfffffff1, A, false, 0), MYTCP_REQ_DEFER);
	/* data or FIN is never held */
	EXPECT_EQ(v(&r, 1001, 1, 0xfffffff1, A, false, 0), MYTCP_REQ_CHILD);
	EXPECT_EQ(v(&r, 1001, 0, 0xfffffff1, A | F, false, 0),
		  MYTCP_REQ_CHILD);
	/* after as many SYN-ACK retransmissions, the bare ACK completes */
	r.retransmits = 2;
	EXPECT_EQ(v(&r, 1001, 0, 0xfffffff1, A, false, 0), MYTCP_REQ_CHILD);
}
