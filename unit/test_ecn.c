// SPDX-License-Identifier: GPL-2.0
/* ECN decisions (mytcp/ecn.h): setup and the flags of a segment. */
#include "unit.h"
#include "ecn.h"

#define SYN 0x02
#define ACK MYTCP_TH_ACK
#define ECE MYTCP_TH_ECE
#define CWR MYTCP_TH_CWR

TEST(ecn_ask_only_with_1)
{
	EXPECT(!mytcp_ecn_ask(0));
	EXPECT(mytcp_ecn_ask(1));
	EXPECT(!mytcp_ecn_ask(2));
}

TEST(ecn_listener_accepts)
{
	/* ECE+CWR, Not-ECT: accepted with 1 and 2, not with 0 */
	EXPECT(!mytcp_ecn_syn_ok(SYN | ECE | CWR, 0, 0));
	EXPECT(mytcp_ecn_syn_ok(SYN | ECE | CWR, 0, 1));
	EXPECT(mytcp_ecn_syn_ok(SYN | ECE | CWR, 0, 2));
	/* the DS bits other than ECN do not matter */
	EXPECT(mytcp_ecn_syn_ok(SYN | ECE | CWR, 0xb8, 2));
}

TEST(ecn_listener_refuses)
{
	EXPECT(!mytcp_ecn_syn_ok(SYN, 0, 2));
	EXPECT(!mytcp_ecn_syn_ok(SYN | ECE, 0, 2));
	EXPECT(!mytcp_ecn_syn_ok(SYN | CWR, 0, 2));
	/* an ECT or CE SYN: the path rewrites the field */
	EXPECT(!mytcp_ecn_syn_ok(SYN | ECE | CWR, 2, 2));
	EXPECT(!mytcp_ecn_syn_ok(SYN | ECE | CWR, 1, 1));
	EXPECT(!mytcp_ecn_syn_ok(SYN | ECE | CWR, 3, 1));
}

TEST(ecn_synack_answer)
{
	EXPECT(mytcp_ecn_peer_agrees(SYN | ACK | ECE));
	EXPECT(!mytcp_ecn_peer_agrees(SYN | ACK | ECE | CWR));
	EXPECT(!mytcp_ecn_peer_agrees(SYN | ACK));
	EXPECT(!mytcp_ecn_peer_agrees(SYN | ACK | CWR));
	/* simultaneous open: a setup SYN */
	EXPECT(mytcp_ecn_peer_agrees(SYN | ECE | CWR));
	EXPECT(!mytcp_ecn_peer_agrees(SYN | ECE));
	EXPECT(!mytcp_ecn_peer_agrees(SYN));
}

TEST(ecn_send_without_ecn)
{
	u8 f = MYTCP_ECN_QUEUE_CWR | MYTCP_ECN_DEMAND_CWR;	/* no OK */
	bool ect = true;

	EXPECT_EQ(mytcp_ecn_send_flags(&f, true, &ect), 0);
	EXPECT(!ect);
}

TEST(ecn_send_new_data)
{
	u8 f = MYTCP_ECN_OK;
	bool ect = false;

	EXPECT_EQ(mytcp_ecn_send_flags(&f, true, &ect), 0);
	EXPECT(ect);
	EXPECT_EQ(mytcp_ecn_send_flags(&f, false, &ect), 0);
	EXPECT(!ect);
}

TEST(ecn_send_cwr_once_on_new_data)
{
	u8 f = MYTCP_ECN_OK;
	bool ect;

	mytcp_ecn_queue_cwr(&f);
	/* an ACK or a retransmission does not take it */
	EXPECT_EQ(mytcp_ecn_send_flags(&f, false, &ect), 0);
	EXPECT_EQ(mytcp_ecn_send_flags(&f, true, &ect), CWR);
	EXPECT(ect);
	EXPECT_EQ(mytcp_ecn_send_flags(&f, true, &ect), 0);
	EXPECT_EQ(f, MYTCP_ECN_OK);
}

TEST(ecn_queue_cwr_needs_ecn)
{
	u8 f = 0;

	mytcp_ecn_queue_cwr(&f);
	EXPECT_EQ(f, 0);
}

TEST(ecn_send_ece_on_everything)
{
	u8 f = MYTCP_ECN_OK | MYTCP_ECN_DEMAND_CWR;
	bool ect;

	EXPECT_EQ(mytcp_ecn_send_flags(&f, false, &ect), ECE);
	EXPECT(!ect);
	EXPECT_EQ(mytcp_ecn_send_flags(&f, true, &ect), ECE);
	EXPECT(ect);
	f |= MYTCP_ECN_QUEUE_CWR;
	EXPECT_EQ(mytcp_ecn_send_flags(&f, true, &ect), ECE | CWR);
}
