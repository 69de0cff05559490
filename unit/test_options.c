// SPDX-License-Identifier: GPL-2.0
/*
 * TCP options (mytcp/options.c): parsing every option and every malformed
 * length, writing, and the round trip.
 */
#include <net/tcp.h>
#include "unit.h"
#include "options.h"

struct seg {
	struct tcphdr th;
	u8 opt[40];
};

/* A header with the option bytes given (padded to a word with EOL). */
static struct tcphdr *seg_make(struct seg *s, bool syn, const u8 *opt,
			       unsigned int len)
{
	memset(s, 0, sizeof(*s));
	if (len)
		memcpy(s->opt, opt, len);
	s->th.doff = 5 + (len + 3) / 4;
	s->th.syn = syn;
	s->th.ack = !syn;
	return &s->th;
}

static int parse(bool syn, const u8 *opt, unsigned int len,
		 struct mytcp_opts *o)
{
	struct seg s;

	return mytcp_parse_options(seg_make(&s, syn, opt, len), o);
}

TEST(opt_none)
{
	struct mytcp_opts o;

	EXPECT_EQ(parse(true, NULL, 0, &o), 0);
	EXPECT(!o.saw_mss && !o.saw_wscale && !o.saw_ts && !o.sack_ok);
	EXPECT_EQ(o.num_sacks, 0);
}

TEST(opt_mss_on_syn)
{
	static const u8 b[] = { 2, 4, 0x05, 0xb4 };
	struct mytcp_opts o;

	EXPECT_EQ(parse(true, b, sizeof(b), &o), 0);
	EXPECT(o.saw_mss);
	EXPECT_EQ(o.mss, 1460);
}

TEST(opt_mss_ignored_without_syn)
{
	static const u8 b[] = { 2, 4, 0x05, 0xb4 };
	struct mytcp_opts o;

	EXPECT_EQ(parse(false, b, sizeof(b), &o), 0);
	EXPECT(!o.saw_mss);
}

TEST(opt_mss_wrong_length_skipped)
{
	static const u8 b[] = { 2, 3, 0x05, 1, 1, 1, 1, 1 };
	struct mytcp_opts o;

	EXPECT_EQ(parse(true, b, sizeof(b), &o), 0);
	EXPECT(!o.saw_mss);
}

TEST(opt_wscale_capped_at_14)
{
	static const u8 b[] = { 1, 3, 3, 20 };
	struct mytcp_opts o;

	EXPECT_EQ(parse(true, b, sizeof(b), &o), 0);
	EXPECT(o.saw_wscale);
	EXPECT_EQ(o.wscale, 14);
}

TEST(opt_wscale_ignored_without_syn)
{
	static const u8 b[] = { 1, 3, 3, 7 };
	struct mytcp_opts o;

	EXPECT_EQ(parse(false, b, sizeof(b), &o), 0);
	EXPECT(!o.saw_wscale);
}

TEST(opt_timestamps)
{
	static const u8 b[] = { 1, 1, 8, 10, 0x11, 0x22, 0x33, 0x44,
				0xaa, 0xbb, 0xcc, 0xdd };
	struct mytcp_opts o;

	EXPECT_EQ(parse(false, b, sizeof(b), &o), 0);
	EXPECT(o.saw_ts);
	EXPECT_EQ(o.tsval, 0x11223344);
	EXPECT_EQ(o.tsecr, 0xaabbccddU);
}

TEST(opt_timestamps_wrong_length_skipped)
{
	static const u8 b[] = { 8, 8, 1, 2, 3, 4, 5, 6 };
	struct mytcp_opts o;

	EXPECT_EQ(parse(false, b, sizeof(b), &o), 0);
	EXPECT(!o.saw_ts);
}

TEST(opt_sack_permitted_on_syn_only)
{
	static const u8 b[] = { 1, 1, 4, 2 };
	struct mytcp_opts o;

	EXPECT_EQ(parse(true, b, sizeof(b), &o), 0);
	EXPECT(o.sack_ok);
	EXPECT_EQ(parse(false, b, sizeof(b), &o), 0);
	EXPECT(!o.sack_ok);
}

TEST(opt_sack_blocks)
{
	u8 b[36] = { 1, 1, 5, 34 };
	struct mytcp_opts o;
	int i;

	for (i = 0; i < 32; i++)
		b[4 + i] = (u8)i;
	EXPECT_EQ(parse(false, b, sizeof(b), &o), 0);
	EXPECT_EQ(o.num_sacks, 4);
	EXPECT_EQ(o.sack[0][0], 0x00010203);
	EXPECT_EQ(o.sack[0][1], 0x04050607);
	EXPECT_EQ(o.sack[3][1], 0x1c1d1e1f);
	b[3] = 10;
	EXPECT_EQ(parse(false, b, 12, &o), 0);
	EXPECT_EQ(o.num_sacks, 1);
}

TEST(opt_sack_bad_lengths_skipped)
{
	u8 b[12] = { 1, 5, 9 };
	struct mytcp_opts o;

	/* not 2 + 8n */
	EXPECT_EQ(parse(false, b, sizeof(b), &o), 0);
	EXPECT_EQ(o.num_sacks, 0);
	/* no block at all */
	b[1] = 5;
	b[2] = 2;
	EXPECT_EQ(parse(false, b + 1, 2, &o), 0);
	EXPECT_EQ(o.num_sacks, 0);
}

TEST(opt_eol_ends_the_list)
{
	static const u8 b[] = { 0, 2, 4, 0x05, 0xb4, 0, 0, 0 };
	struct mytcp_opts o;

	EXPECT_EQ(parse(true, b, sizeof(b), &o), 0);
	EXPECT(!o.saw_mss);
}

TEST(opt_nop_padding)
{
	static const u8 b[] = { 1, 1, 1, 2, 4, 0x02, 0x18, 1 };
	struct mytcp_opts o;

	EXPECT_EQ(parse(true, b, sizeof(b), &o), 0);
	EXPECT(o.saw_mss);
	EXPECT_EQ(o.mss, 536);
}

TEST(opt_length_zero_or_one_invalid)
{
	static const u8 b0[] = { 2, 0, 0, 0 };
	static const u8 b1[] = { 3, 1, 0, 0 };
	struct mytcp_opts o;

	EXPECT_EQ(parse(true, b0, sizeof(b0), &o), -EINVAL);
	EXPECT_EQ(parse(true, b1, sizeof(b1), &o), -EINVAL);
}

TEST(opt_length_past_header_invalid)
{
	static const u8 b[] = { 1, 1, 8, 10 };	/* TS needs 10 bytes */
	struct mytcp_opts o;

	EXPECT_EQ(parse(false, b, sizeof(b), &o), -EINVAL);
}

TEST(opt_kind_without_length_invalid)
{
	static const u8 b[] = { 1, 1, 1, 2 };	/* MSS kind in the last byte */
	struct mytcp_opts o;

	EXPECT_EQ(parse(true, b, sizeof(b), &o), -EINVAL);
}

TEST(opt_unknown_kinds_skipped)
{
	static const u8 b[] = { 30, 6, 9, 9, 9, 9, 2, 4, 0x01, 0x00, 1, 1 };
	struct mytcp_opts o;

	EXPECT_EQ(parse(true, b, sizeof(b), &o), 0);
	EXPECT(o.saw_mss);
	EXPECT_EQ(o.mss, 256);
}

TEST(opt_every_truncation_is_safe)
{
	/* A full SYN option list cut at every length: never reads past
	 * the header (ASan watches), valid or -EINVAL.
	 */
	static const u8 b[] = { 2, 4, 5, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4,
				5, 6, 7, 8, 1, 3, 3, 7 };
	unsigned int len;

	for (len = 0; len <= sizeof(b); len++) {
		struct mytcp_opts o;
		struct seg s;
		int r;

		seg_make(&s, true, b, len);
		s.th.doff = 5 + len / 4;	/* cut, not padded */
		r = mytcp_parse_options(&s.th, &o);
		EXPECT(r == 0 || r == -EINVAL);
	}
}

/* ---- writing ---- */

static unsigned int write_parse(const struct mytcp_opts *in, bool syn,
				struct mytcp_opts *out, u8 *bytes)
{
	struct seg s;
	unsigned int len;

	memset(&s, 0, sizeof(s));
	len = mytcp_write_options(in, syn, (__be32 *)s.opt);
	s.th.doff = 5 + len / 4;
	s.th.syn = syn;
	if (bytes)
		memcpy(bytes, s.opt, len);
	EXPECT_EQ(mytcp_parse_options(&s.th, out), 0);
	return len;
}

TEST(opt_write_syn_linux_layout)
{
	struct mytcp_opts in = { .mss = 1460, .wscale = 7, .saw_wscale = 1,
				 .saw_ts = 1, .sack_ok = 1,
				 .tsval = 0x01020304, .tsecr = 0 };
	static const u8 want[20] = { 2, 4, 5, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4,
				     0, 0, 0, 0, 1, 3, 3, 7 };
	struct mytcp_opts out;
	u8 bytes[40];

	EXPECT_EQ(write_parse(&in, true, &out, bytes), 20);
	EXPECT(!memcmp(bytes, want, sizeof(want)));
	EXPECT(out.saw_mss && out.saw_wscale && out.saw_ts && out.sack_ok);
	EXPECT_EQ(out.mss, 1460);
	EXPECT_EQ(out.wscale, 7);
	EXPECT_EQ(out.tsval, 0x01020304);
}

TEST(opt_write_syn_each_combination)
{
	int m;

	for (m = 0; m < 8; m++) {
		struct mytcp_opts in = { .mss = 536, .wscale = 3,
					 .tsval = 77, .tsecr = 88 };
		struct mytcp_opts out;
		unsigned int len;

		in.saw_ts = !!(m & 1);
		in.sack_ok = !!(m & 2);
		in.saw_wscale = !!(m & 4);
		len = write_parse(&in, true, &out, NULL);
		EXPECT_EQ(len % 4, 0);
		EXPECT(len <= MYTCP_MAX_OPT_LEN);
		EXPECT_EQ(len, 4 + (in.saw_ts ? 12 : in.sack_ok ? 4 : 0) +
			  (in.saw_wscale ? 4 : 0));
		EXPECT(out.saw_mss && out.mss == 536);
		EXPECT_EQ(out.saw_ts, in.saw_ts);
		EXPECT_EQ(out.sack_ok, in.sack_ok);
		EXPECT_EQ(out.saw_wscale, in.saw_wscale);
		if (in.saw_ts)
			EXPECT(out.tsval == 77 && out.tsecr == 88);
	}
}

TEST(opt_write_syn_only_options_not_on_ack)
{
	struct mytcp_opts in = { .mss = 1460, .saw_wscale = 1, .wscale = 7,
				 .sack_ok = 1 };
	struct mytcp_opts out;

	EXPECT_EQ(write_parse(&in, false, &out, NULL), 0);
}

TEST(opt_write_ack_sack_beside_timestamps)
{
	struct mytcp_opts in = { .saw_ts = 1, .tsval = 5, .tsecr = 6,
				 .num_sacks = 4 };
	struct mytcp_opts out;
	int i;

	for (i = 0; i < 4; i++) {
		in.sack[i][0] = 1000 * i;
		in.sack[i][1] = 1000 * i + 500;
	}
	/* 12 + 4 + 3 * 8 = 40: the fourth block does not fit */
	EXPECT_EQ(write_parse(&in, false, &out, NULL), 40);
	EXPECT_EQ(out.num_sacks, 3);
	EXPECT(out.saw_ts && out.tsval == 5 && out.tsecr == 6);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(out.sack[i][0], in.sack[i][0]);
		EXPECT_EQ(out.sack[i][1], in.sack[i][1]);
	}
}

TEST(opt_write_ack_four_sacks_without_timestamps)
{
	struct mytcp_opts in = { .num_sacks = 4 };
	struct mytcp_opts out;
	int i;

	for (i = 0; i < 4; i++) {
		in.sack[i][0] = 0xfffff000 + 0x100 * i;
		in.sack[i][1] = 0xfffff080 + 0x100 * i;
	}
	EXPECT_EQ(write_parse(&in, false, &out, NULL), 36);
	EXPECT_EQ(out.num_sacks, 4);
	EXPECT_EQ(out.sack[3][1], in.sack[3][1]);
}

TEST(opt_write_ack_plain)
{
	struct mytcp_opts in = { 0 };
	struct mytcp_opts out;

	EXPECT_EQ(write_parse(&in, false, &out, NULL), 0);
	in.saw_ts = 1;
	EXPECT_EQ(write_parse(&in, false, &out, NULL), 12);
	EXPECT(out.saw_ts);
}
