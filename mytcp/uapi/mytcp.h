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

#endif /* _UAPI_MYTCP_H */
