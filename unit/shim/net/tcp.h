/* SPDX-License-Identifier: GPL-2.0 */
/*
 * unit/shim: what options.c takes from <net/tcp.h>: struct tcphdr (the
 * uapi one), option kinds and lengths, big-endian loads and htonl.
 */
#ifndef _UNIT_SHIM_NET_TCP_H
#define _UNIT_SHIM_NET_TCP_H

#include <linux/kernel.h>
#include <linux/tcp.h>
#include <arpa/inet.h>

#define TCPOPT_NOP		1
#define TCPOPT_EOL		0
#define TCPOPT_MSS		2
#define TCPOPT_WINDOW		3
#define TCPOPT_SACK_PERM	4
#define TCPOPT_SACK		5
#define TCPOPT_TIMESTAMP	8

#define TCPOLEN_MSS		4
#define TCPOLEN_WINDOW		3
#define TCPOLEN_SACK_PERM	2
#define TCPOLEN_TIMESTAMP	10
#define TCPOLEN_SACK_BASE	2
#define TCPOLEN_SACK_PERBLOCK	8

static inline u16 get_unaligned_be16(const void *p)
{
	const u8 *b = p;

	return (u16)(b[0] << 8 | b[1]);
}

static inline u32 get_unaligned_be32(const void *p)
{
	const u8 *b = p;

	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

#endif
