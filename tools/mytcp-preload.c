// SPDX-License-Identifier: GPL-2.0
/*
 * libmytcp-preload.so: run an unmodified program over mytcp (LD_PRELOAD).
 *
 * socket(AF_INET or AF_INET6, SOCK_STREAM, 0 or IPPROTO_TCP) creates a
 * mytcp socket (family from /sys/module/mytcp/parameters/family, or
 * $MYTCP_FAMILY, or AF_MYTCP, which autoloads an installed module).  mytcp
 * sockets take and return struct sockaddr_in or sockaddr_in6 (an IPv6
 * socket once bound or connected with sockaddr_in6), so bind/connect/
 * accept/getsockname pass through unchanged.  Smoothed over for programs
 * written for Linux TCP:
 *
 *   getsockopt(SOL_SOCKET, SO_DOMAIN)  reports AF_INET or AF_INET6 (what
 *     socket() was asked for), not the mytcp family
 *   setsockopt(SOL_SOCKET, SO_REUSEPORT)  on Linux 6.1, where the socket
 *     core refuses it for mytcp, becomes MYTCP_REUSEPORT at IPPROTO_TCP
 *   getsockopt(IPPROTO_TCP, TCP_CONGESTION)  reports "reno" where the module
 *     does not answer it (older modules)
 *   setsockopt() of an option mytcp lacks (IPPROTO_IP options such as
 *     IP_RECVERR, TCP_FASTOPEN*, TCP_NOTSENT_LOWAT,
 *     TCP_DEFER_ACCEPT, TCP_WINDOW_CLAMP...): mytcp answers ENOPROTOOPT;
 *     the call is reported as successful and the option noted on stderr
 *     (MYTCP_PRELOAD_DEBUG=1), unless MYTCP_PRELOAD_STRICT=1.
 *
 * If the module is absent (socket() fails with EAFNOSUPPORT) the program
 * gets Linux TCP, with one warning on stderr unless MYTCP_PRELOAD_QUIET=1.
 *
 * Environment: MYTCP_FAMILY (force the family), MYTCP_PRELOAD_QUIET=1,
 * MYTCP_PRELOAD_DEBUG=1 (one line per converted socket and smoothed-over
 * option), MYTCP_PRELOAD_STRICT=1 (return mytcp's errors unchanged).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "mytcp.h"

static int (*real_socket)(int, int, int);
static int (*real_getsockopt)(int, int, int, void *, socklen_t *);
static int (*real_setsockopt)(int, int, int, const void *, socklen_t);

static int mytcp_fam = -1;	/* -1: not known yet */
static int fallback;		/* module absent: plain AF_INET */
static int quiet, debug, strict;
static pthread_once_t once = PTHREAD_ONCE_INIT;
/* fds created as AF_INET6 (SO_DOMAIN); accepted ones report AF_INET */
#define V6_FDS	4096
static unsigned char v6_fd[V6_FDS / 8];

static void note_v6(int fd, int v6)
{
	if (fd < 0 || fd >= V6_FDS)
		return;
	if (v6)
		__atomic_or_fetch(&v6_fd[fd / 8], 1 << (fd % 8),
				  __ATOMIC_RELAXED);
	else
		__atomic_and_fetch(&v6_fd[fd / 8], ~(1 << (fd % 8)),
				   __ATOMIC_RELAXED);
}

/* A bound socket's name tells its family; an unbound one's, socket()'s. */
static int is_v6(int fd)
{
	struct sockaddr_in6 a;
	socklen_t len = sizeof(a);

	memset(&a, 0, sizeof(a));
	if (getsockname(fd, (struct sockaddr *)&a, &len) == 0) {
		if (a.sin6_family == AF_INET6)
			return 1;
		if (a.sin6_port)
			return 0;
	}
	return fd >= 0 && fd < V6_FDS &&
	       (__atomic_load_n(&v6_fd[fd / 8], __ATOMIC_RELAXED) &
		(1 << (fd % 8)));
}

static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	/* write(2): no stdio locking or buffering inside a socket() call. */
	if (write(STDERR_FILENO, buf, n) < 0)
		return;
}

static int env_on(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") != 0;
}

static void init(void)
{
	const char *env = getenv("MYTCP_FAMILY");
	FILE *f;

	real_socket = dlsym(RTLD_NEXT, "socket");
	real_getsockopt = dlsym(RTLD_NEXT, "getsockopt");
	real_setsockopt = dlsym(RTLD_NEXT, "setsockopt");
	quiet = env_on("MYTCP_PRELOAD_QUIET");
	debug = env_on("MYTCP_PRELOAD_DEBUG");
	strict = env_on("MYTCP_PRELOAD_STRICT");

	if (env && *env) {
		mytcp_fam = atoi(env);
		return;
	}
	f = fopen(MYTCP_FAMILY_PARAM, "re");
	if (f) {
		if (fscanf(f, "%d", &mytcp_fam) != 1)
			mytcp_fam = -1;
		fclose(f);
	}
	/* Not loaded (yet): socket(AF_MYTCP) may autoload an installed one. */
	if (mytcp_fam <= 0)
		mytcp_fam = AF_MYTCP;
}

static void init_once(void)
{
	pthread_once(&once, init);
}

static int is_mytcp_fd(int fd)
{
	int dom = -1;
	socklen_t len = sizeof(dom);

	if (fallback || mytcp_fam <= 0)
		return 0;
	if (real_getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &len) < 0)
		return 0;
	return dom == mytcp_fam;
}

int socket(int domain, int type, int protocol)
{
	int fd, err;

	init_once();
	if ((domain != AF_INET && domain != AF_INET6) ||
	    (type & 0xf) != SOCK_STREAM ||
	    (protocol != 0 && protocol != IPPROTO_TCP) || fallback)
		return real_socket(domain, type, protocol);

	fd = real_socket(mytcp_fam, type, protocol);
	if (fd >= 0) {
		note_v6(fd, domain == AF_INET6);
		if (debug)
			say("mytcp-preload: socket(%s, SOCK_STREAM) -> mytcp (family %d) fd %d\n",
			    domain == AF_INET6 ? "AF_INET6" : "AF_INET",
			    mytcp_fam, fd);
		return fd;
	}
	err = errno;
	if (err == EAFNOSUPPORT) {
		fallback = 1;
		if (!quiet)
			say("mytcp-preload: warning: the mytcp module is not loaded (family %d: %s); using Linux TCP\n",
			    mytcp_fam, strerror(err));
		return real_socket(domain, type, protocol);
	}
	errno = err;
	return -1;
}

int getsockopt(int fd, int level, int optname, void *optval,
	       socklen_t *optlen)
{
	int ret, err;

	init_once();
	ret = real_getsockopt(fd, level, optname, optval, optlen);
	err = errno;
	if (ret == 0 && level == SOL_SOCKET && optname == SO_DOMAIN &&
	    optval && optlen && *optlen >= sizeof(int) &&
	    *(int *)optval == mytcp_fam && !fallback && mytcp_fam > 0) {
		*(int *)optval = is_v6(fd) ? AF_INET6 : AF_INET;
		return 0;
	}
	if (ret < 0 && err == ENOPROTOOPT && level == IPPROTO_TCP &&
	    optname == TCP_CONGESTION && optval && optlen && !strict &&
	    is_mytcp_fd(fd)) {
		static const char name[] = "reno";
		socklen_t n = *optlen < sizeof(name) ? *optlen : sizeof(name);

		memcpy(optval, name, n);
		*optlen = n;
		return 0;
	}
	errno = err;
	return ret;
}

int setsockopt(int fd, int level, int optname, const void *optval,
	       socklen_t optlen)
{
	int ret, err;

	init_once();
	ret = real_setsockopt(fd, level, optname, optval, optlen);
	if (ret == 0)
		return ret;
	err = errno;
	/* Linux 6.1 refuses SOL_SOCKET SO_REUSEPORT for mytcp sockets. */
	if (err == EOPNOTSUPP && level == SOL_SOCKET &&
	    optname == SO_REUSEPORT && is_mytcp_fd(fd))
		return real_setsockopt(fd, IPPROTO_TCP, MYTCP_REUSEPORT,
				       optval, optlen);
	if (strict)
		return ret;
	if (err == ENOPROTOOPT && level != SOL_SOCKET && is_mytcp_fd(fd)) {
		if (debug)
			say("mytcp-preload: fd %d: setsockopt(level %d, option %d) not supported by mytcp; ignored\n",
			    fd, level, optname);
		return 0;
	}
	errno = err;
	return ret;
}
