/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: TCP options, read and written (RFC 9293 3.2, RFC 6691 MSS,
 * RFC 7323 window scale and timestamps, RFC 2018 SACK).
 *
 * Pure: no socket state.  input.c parses every claimed segment's options
 * into a struct mytcp_opts; output.c fills one from the socket and writes
 * it.  unit/test_options.c checks both and their round trip.
 */
#ifndef _MYTCP_OPTIONS_H
#define _MYTCP_OPTIONS_H

#include <linux/types.h>

struct tcphdr;

#define MYTCP_MAX_WSCALE	14
#define MYTCP_MAX_OPT_LEN	40
#define MYTCP_MAX_SACKS		4
#define MYTCP_TS_LEN		12	/* NOP NOP TS */

/*
 * Options of a segment.  Parsed: what the segment carried (saw_*).  To
 * write: saw_* says which options to write (MSS on a SYN always).
 */
struct mytcp_opts {
	u16 mss;
	u8 wscale;
	u8 saw_mss:1, saw_wscale:1, saw_ts:1, sack_ok:1;
	u8 num_sacks;
	u32 tsval, tsecr;
	u32 sack[MYTCP_MAX_SACKS][2];	/* start, end */
};

int mytcp_parse_options(const struct tcphdr *th, struct mytcp_opts *opts);
unsigned int mytcp_write_options(const struct mytcp_opts *opts, bool syn,
				 __be32 *ptr);

#endif /* _MYTCP_OPTIONS_H */
