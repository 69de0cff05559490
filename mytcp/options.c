// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: TCP options, read and written (see options.h).
 *
 * Pure: no socket, no skb; unit-tested in user space (unit/).
 */
#include <net/tcp.h>
#include "options.h"

/*
 * Read th's options into o.  Unknown kinds are skipped; a length that
 * runs past the header, or is below 2, makes the segment invalid
 * (-EINVAL).  Options valid only on a SYN are ignored elsewhere.
 */
int mytcp_parse_options(const struct tcphdr *th, struct mytcp_opts *o)
{
	const u8 *p = (const u8 *)(th + 1);
	int len = th->doff * 4 - (int)sizeof(*th);

	memset(o, 0, sizeof(*o));
	while (len > 0) {
		u8 kind = p[0], optlen;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			p++;
			len--;
			continue;
		}
		if (len < 2)
			return -EINVAL;
		optlen = p[1];
		if (optlen < 2 || optlen > len)
			return -EINVAL;
		switch (kind) {
		case TCPOPT_MSS:
			if (optlen == TCPOLEN_MSS && th->syn) {
				o->mss = get_unaligned_be16(p + 2);
				o->saw_mss = 1;
			}
			break;
		case TCPOPT_WINDOW:
			if (optlen == TCPOLEN_WINDOW && th->syn) {
				o->wscale = min_t(u8, p[2], MYTCP_MAX_WSCALE);
				o->saw_wscale = 1;
			}
			break;
		case TCPOPT_TIMESTAMP:
			if (optlen == TCPOLEN_TIMESTAMP) {
				o->tsval = get_unaligned_be32(p + 2);
				o->tsecr = get_unaligned_be32(p + 6);
				o->saw_ts = 1;
			}
			break;
		case TCPOPT_SACK_PERM:
			if (optlen == TCPOLEN_SACK_PERM && th->syn)
				o->sack_ok = 1;
			break;
		case TCPOPT_SACK:
			if (optlen >= 10 && !((optlen - 2) % 8)) {
				int i, n = min((optlen - 2) / 8,
						MYTCP_MAX_SACKS);

				for (i = 0; i < n; i++) {
					o->sack[i][0] =
						get_unaligned_be32(p + 2 + 8 * i);
					o->sack[i][1] =
						get_unaligned_be32(p + 6 + 8 * i);
				}
				o->num_sacks = n;
			}
			break;
		default:
			break;	/* unknown: skipped */
		}
		p += optlen;
		len -= optlen;
	}
	return 0;
}

/* 32-bit words of options, each a kind's own or padded with NOPs */
#define OPT_WORD(a, b, c, d)	htonl(((a) << 24) | ((b) << 16) | ((c) << 8) | (d))

/*
 * Write o's options at ptr (room for MYTCP_MAX_OPT_LEN bytes); returns
 * their length, a multiple of 4.  On a SYN: MSS, then SACK-permitted and
 * timestamps (sharing a word as Linux lays them out), then window scale.
 * Elsewhere: timestamps, then up to 3 SACK blocks beside timestamps or 4
 * without (RFC 2018 3: 40 bytes of options at most).
 */
unsigned int mytcp_write_options(const struct mytcp_opts *o, bool syn,
				 __be32 *ptr)
{
	unsigned int len = 0;
	int i, n;

	if (syn) {
		*ptr++ = htonl((TCPOPT_MSS << 24) | (TCPOLEN_MSS << 16) |
			       o->mss);
		len += 4;
		if (o->saw_ts) {
			*ptr++ = o->sack_ok ?
				 OPT_WORD(TCPOPT_SACK_PERM, TCPOLEN_SACK_PERM,
					  TCPOPT_TIMESTAMP, TCPOLEN_TIMESTAMP) :
				 OPT_WORD(TCPOPT_NOP, TCPOPT_NOP,
					  TCPOPT_TIMESTAMP, TCPOLEN_TIMESTAMP);
			*ptr++ = htonl(o->tsval);
			*ptr++ = htonl(o->tsecr);
			len += 12;
		} else if (o->sack_ok) {
			*ptr++ = OPT_WORD(TCPOPT_NOP, TCPOPT_NOP,
					  TCPOPT_SACK_PERM, TCPOLEN_SACK_PERM);
			len += 4;
		}
		if (o->saw_wscale) {
			*ptr++ = OPT_WORD(TCPOPT_NOP, TCPOPT_WINDOW,
					  TCPOLEN_WINDOW, o->wscale);
			len += 4;
		}
		return len;
	}
	if (o->saw_ts) {
		*ptr++ = OPT_WORD(TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TIMESTAMP,
				  TCPOLEN_TIMESTAMP);
		*ptr++ = htonl(o->tsval);
		*ptr++ = htonl(o->tsecr);
		len += 12;
	}
	if (o->num_sacks) {
		n = min_t(int, o->num_sacks, o->saw_ts ? 3 : MYTCP_MAX_SACKS);
		*ptr++ = OPT_WORD(TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK,
				  TCPOLEN_SACK_BASE + n * TCPOLEN_SACK_PERBLOCK);
		for (i = 0; i < n; i++) {
			*ptr++ = htonl(o->sack[i][0]);
			*ptr++ = htonl(o->sack[i][1]);
		}
		len += 4 + n * 8;
	}
	return len;
}
