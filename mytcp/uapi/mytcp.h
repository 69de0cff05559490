/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mytcp: user-space API.
 *
 * A mytcp socket is created with socket(AF_MYTCP, SOCK_STREAM, 0) (or
 * IPPROTO_TCP as the protocol).  Addresses are plain struct sockaddr_in
 * with sin_family = AF_INET (AF_MYTCP is accepted too).  Socket options at
 * IPPROTO_TCP use Linux's numbers from <netinet/tcp.h>.
 *
 * AF_MYTCP is the module's default family number.  A module loaded with
 * family=N uses N instead: read /sys/module/mytcp/parameters/family.
 */
#ifndef _UAPI_MYTCP_H
#define _UAPI_MYTCP_H

/* AF_ECONET: its driver left the kernel in 3.5; nothing registers 19. */
#define AF_MYTCP	19
#define PF_MYTCP	AF_MYTCP

#define MYTCP_FAMILY_PARAM	"/sys/module/mytcp/parameters/family"

/*
 * Teaching mode: fault injection.  setsockopt(fd, IPPROTO_TCP, MYTCP_INJECT,
 * &rule, sizeof(rule)) makes this socket drop (really not send, or not
 * process) segments of the chosen kinds in the chosen direction: the next
 * `count` of them, or all of them while count is MYTCP_INJECT_ALL.  A rule
 * with count 0 releases.  getsockopt returns the rule in force (count
 * counts down).  The namespace-wide control is /proc/net/mytcp_inject
 * (CAP_NET_ADMIN): write "out|in|both KIND[,KIND...] N|all" or "release".
 * Kinds there: syn synack hsack fin finack data ack probe.
 */
#define MYTCP_INJECT		200	/* IPPROTO_TCP option, mytcp's range */

/*
 * SO_REUSEPORT, at IPPROTO_TCP (int, 0 or 1; get and set).  On 6.12
 * setsockopt(SOL_SOCKET, SO_REUSEPORT) works on mytcp sockets as on
 * AF_INET ones; Linux 6.1's socket core refuses SO_REUSEPORT for every
 * family but AF_INET/AF_INET6 before mytcp sees it (EOPNOTSUPP), so there
 * this option is the way (it works on both kernels).
 */
#define MYTCP_REUSEPORT		201

#define MYTCP_INJ_SYN		0x01	/* SYN (connection request) */
#define MYTCP_INJ_SYNACK	0x02	/* SYN,ACK */
#define MYTCP_INJ_HSACK		0x04	/* ACK of a SYN-ACK (first or again) */
#define MYTCP_INJ_FIN		0x08	/* any segment with FIN */
#define MYTCP_INJ_FINACK	0x10	/* the pure ACK of a peer's FIN */
#define MYTCP_INJ_DATA		0x20	/* segments carrying data */
#define MYTCP_INJ_ACK		0x40	/* other pure ACKs */
#define MYTCP_INJ_PROBE		0x80	/* keepalive / zero-window probes */

#define MYTCP_INJ_OUT		0x1	/* segments mytcp sends */
#define MYTCP_INJ_IN		0x2	/* segments mytcp receives */

#define MYTCP_INJECT_ALL	(-1)

struct mytcp_inject {
	unsigned int kinds;	/* MYTCP_INJ_* kinds */
	unsigned int dir;	/* MYTCP_INJ_OUT and/or MYTCP_INJ_IN */
	int count;		/* how many more; MYTCP_INJECT_ALL; 0 = off */
};

#endif /* _UAPI_MYTCP_H */
