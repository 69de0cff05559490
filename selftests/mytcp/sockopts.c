// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp socket options (SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP) and ioctls
 * against Linux TCP.
 *
 * Same method as sock_api.c: each scenario runs twice, in a fresh child
 * process in a fresh network namespace (lo up), once with AF_INET sockets
 * and once with mytcp sockets; every call's return value and errno, and the
 * values read back (option values, TCP_INFO fields, ioctl answers), are
 * recorded and the two runs must agree record by record.  Records with an
 * expectation are also checked on AF_INET.  Values that legitimately differ
 * between the two stacks (default buffer sizes, the congestion control
 * name, the window scale) are not recorded, or only as a property
 * ("snd_mss <= 1000").  Nothing asserts on time except coarse "this call
 * blocked" / "this call did not block" properties of SO_LINGER.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/tcp.h>
#include <linux/sockios.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/mytcp_helpers.h"

#define WATCHDOG_S	40	/* alarm() of one run */

#include "lib/compare_lib.h"

/* ------------------------------------------------------------ helpers */

/*
 * 192.0.2.0/24 on a veth whose peer has no address: SYNs go unanswered.
 * A permanent neighbour entry for SILENT, so that no failed ARP turns the
 * timeout into EHOSTUNREACH.
 */
static int silent_route(void)
{
	return system("PATH=/usr/sbin:/sbin:/usr/bin:/bin:$PATH; "
		      "ip link add va type veth peer name vb && "
		      "ip addr add 192.0.2.1/24 dev va && "
		      "ip link set va up && ip link set vb up && "
		      "ip neigh add " SILENT " lladdr 02:00:00:00:00:02 dev va nud permanent");
}

/* ------------------------------------------------------------ runner */

typedef void (*scenario_t)(void);

static void run_one(int fam, scenario_t fn, struct result *res)
{
	pid_t pid;
	int st;

	memset(res, 0, sizeof(*res));
	pid = fork();
	if (pid < 0) {
		res->broken = 1;
		snprintf(res->why, sizeof(res->why), "fork: %s", strerror(errno));
		return;
	}
	if (!pid) {
		g_fam = fam;
		g_res = res;
		alarm(WATCHDOG_S);
		if (unshare(CLONE_NEWNET) || lo_up()) {
			broken("cannot make a netns with lo up: %s", strerror(errno));
			_exit(0);
		}
		handle(SIGPIPE, on_sigpipe, 0);
		fn();
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid) {
		res->broken = 1;
		snprintf(res->why, sizeof(res->why), "waitpid: %s", strerror(errno));
	} else if (WIFSIGNALED(st) && !res->broken) {
		res->broken = 1;
		snprintf(res->why, sizeof(res->why), "killed by signal %d%s after %d records",
			 WTERMSIG(st), WTERMSIG(st) == SIGALRM ? " (watchdog: stalled)" : "",
			 res->n);
	}
}

static void run_cmp(struct __test_metadata *_metadata, const char *name,
		    scenario_t fn, int family)
{
	struct result *res = mmap(NULL, 2 * sizeof(*res), PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, res);
	run_one(AF_INET, fn, &res[0]);
	run_one(family, fn, &res[1]);
	compare(_metadata, name, &res[0], &res[1]);
	munmap(res, 2 * sizeof(*res));
}

FIXTURE(api) {
	int family;
};

FIXTURE_SETUP(api)
{
	int ret = mytcp_ensure_loaded();

	if (ret == 1)
		SKIP(return, "mytcp not loaded and $MYTCP_KO not set");
	ASSERT_EQ(0, ret) TH_LOG("cannot load mytcp from $MYTCP_KO");
	self->family = mytcp_family();
	ASSERT_LT(0, self->family);
}

FIXTURE_TEARDOWN(api)
{
}

#define CMP(name)							\
	static void sc_##name(void);					\
	TEST_F_TIMEOUT(api, name, 2 * WATCHDOG_S + 10)			\
	{								\
		run_cmp(_metadata, #name, sc_##name, self->family);	\
	}								\
	static void sc_##name(void)

/* ------------------------------------------------------------ helpers */

/* Linux's state numbers (include/net/tcp_states.h), as in tcpi_state. */
enum { ST_ESTABLISHED = 1, ST_FIN_WAIT2 = 5, ST_CLOSE = 7, ST_CLOSE_WAIT = 8,
       ST_LISTEN = 10 };

static int geti(int fd, int level, int name)
{
	int val = -12345;
	socklen_t len = sizeof(val);

	if (getsockopt(fd, level, name, &val, &len))
		return -errno - 100000;
	return val;
}

static int seti(int fd, int level, int name, int val)
{
	return setsockopt(fd, level, name, &val, sizeof(val));
}

/* Record set(VAL) and the value read back. */
#define SETGET(label, fd, level, name, val) do {			\
	R(label " set", seti(fd, level, name, val));			\
	V(label " get", geti(fd, level, name));				\
} while (0)

static int get_info(int fd, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int ioctl_int(int fd, unsigned long req)
{
	int v = -12345;

	if (ioctl(fd, req, &v))
		return -errno - 100000;
	return v;
}

/* Wait (up to 5 s) until FD's ioctl REQ reads WANT; returns the last. */
static int ioctl_wait(int fd, unsigned long req, int want)
{
	int i, v = 0;

	for (i = 0; i < 500; i++) {
		v = ioctl_int(fd, req);
		if (v == want)
			break;
		usleep(10000);
	}
	return v;
}

/* Read exactly LEN bytes (blocking, guarded by SO_RCVTIMEO). */
static ssize_t read_all(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = recv(fd, buf + got, len - got, 0);

		if (n <= 0)
			return got ? (ssize_t)got : n;
		got += n;
	}
	return got;
}

/* -------------------------------------------------- IPPROTO_TCP values */

CMP(tcp_defaults_roundtrip)
{
	int fd = mk();

	NEED(fd >= 0, "socket");
	V("NODELAY default", geti(fd, IPPROTO_TCP, TCP_NODELAY));
	V("CORK default", geti(fd, IPPROTO_TCP, TCP_CORK));
	V("MAXSEG default", geti(fd, IPPROTO_TCP, TCP_MAXSEG));
	V("KEEPIDLE default", geti(fd, IPPROTO_TCP, TCP_KEEPIDLE));
	V("KEEPINTVL default", geti(fd, IPPROTO_TCP, TCP_KEEPINTVL));
	V("KEEPCNT default", geti(fd, IPPROTO_TCP, TCP_KEEPCNT));
	V("SYNCNT default", geti(fd, IPPROTO_TCP, TCP_SYNCNT));
	V("USER_TIMEOUT default", geti(fd, IPPROTO_TCP, TCP_USER_TIMEOUT));
	V("QUICKACK default", geti(fd, IPPROTO_TCP, TCP_QUICKACK));
	SETGET("NODELAY 1", fd, IPPROTO_TCP, TCP_NODELAY, 1);
	SETGET("NODELAY 7", fd, IPPROTO_TCP, TCP_NODELAY, 7);
	SETGET("NODELAY 0", fd, IPPROTO_TCP, TCP_NODELAY, 0);
	SETGET("CORK 1", fd, IPPROTO_TCP, TCP_CORK, 1);
	SETGET("CORK 0", fd, IPPROTO_TCP, TCP_CORK, 0);
	SETGET("MAXSEG 1000", fd, IPPROTO_TCP, TCP_MAXSEG, 1000);
	SETGET("MAXSEG 88", fd, IPPROTO_TCP, TCP_MAXSEG, 88);
	SETGET("MAXSEG 32767", fd, IPPROTO_TCP, TCP_MAXSEG, 32767);
	SETGET("MAXSEG 0", fd, IPPROTO_TCP, TCP_MAXSEG, 0);
	SETGET("KEEPIDLE 10", fd, IPPROTO_TCP, TCP_KEEPIDLE, 10);
	SETGET("KEEPIDLE 32767", fd, IPPROTO_TCP, TCP_KEEPIDLE, 32767);
	SETGET("KEEPINTVL 3", fd, IPPROTO_TCP, TCP_KEEPINTVL, 3);
	SETGET("KEEPCNT 4", fd, IPPROTO_TCP, TCP_KEEPCNT, 4);
	SETGET("KEEPCNT 127", fd, IPPROTO_TCP, TCP_KEEPCNT, 127);
	SETGET("SYNCNT 2", fd, IPPROTO_TCP, TCP_SYNCNT, 2);
	SETGET("SYNCNT 127", fd, IPPROTO_TCP, TCP_SYNCNT, 127);
	SETGET("USER_TIMEOUT 5000", fd, IPPROTO_TCP, TCP_USER_TIMEOUT, 5000);
	SETGET("USER_TIMEOUT 0", fd, IPPROTO_TCP, TCP_USER_TIMEOUT, 0);
	SETGET("QUICKACK 0", fd, IPPROTO_TCP, TCP_QUICKACK, 0);
	SETGET("QUICKACK 1", fd, IPPROTO_TCP, TCP_QUICKACK, 1);
	close(fd);
}

CMP(tcp_bad_calls)
{
	int fd = mk(), val = 1;
	char small[2] = { 1, 0 }, name[32];
	struct tcp_info ti;
	socklen_t len;

	NEED(fd >= 0, "socket");
	FAILS("KEEPIDLE 0", seti(fd, IPPROTO_TCP, TCP_KEEPIDLE, 0), EINVAL);
	FAILS("KEEPIDLE -1", seti(fd, IPPROTO_TCP, TCP_KEEPIDLE, -1), EINVAL);
	FAILS("KEEPIDLE 32768", seti(fd, IPPROTO_TCP, TCP_KEEPIDLE, 32768), EINVAL);
	FAILS("KEEPINTVL 0", seti(fd, IPPROTO_TCP, TCP_KEEPINTVL, 0), EINVAL);
	FAILS("KEEPINTVL 32768", seti(fd, IPPROTO_TCP, TCP_KEEPINTVL, 32768), EINVAL);
	FAILS("KEEPCNT 0", seti(fd, IPPROTO_TCP, TCP_KEEPCNT, 0), EINVAL);
	FAILS("KEEPCNT 128", seti(fd, IPPROTO_TCP, TCP_KEEPCNT, 128), EINVAL);
	FAILS("SYNCNT 0", seti(fd, IPPROTO_TCP, TCP_SYNCNT, 0), EINVAL);
	FAILS("SYNCNT 128", seti(fd, IPPROTO_TCP, TCP_SYNCNT, 128), EINVAL);
	FAILS("MAXSEG 87", seti(fd, IPPROTO_TCP, TCP_MAXSEG, 87), EINVAL);
	FAILS("MAXSEG 32768", seti(fd, IPPROTO_TCP, TCP_MAXSEG, 32768), EINVAL);
	FAILS("MAXSEG -1", seti(fd, IPPROTO_TCP, TCP_MAXSEG, -1), EINVAL);
	FAILS("USER_TIMEOUT -1", seti(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, -1), EINVAL);
	V("values unchanged", geti(fd, IPPROTO_TCP, TCP_KEEPIDLE) +
	  geti(fd, IPPROTO_TCP, TCP_KEEPCNT) + geti(fd, IPPROTO_TCP, TCP_MAXSEG));
	FAILS("optlen 0", setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &val, 0), EINVAL);
	FAILS("optlen 2", setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, small, 2), EINVAL);
	FAILS("optval NULL", setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, NULL, 4), EFAULT);
	FAILS("optval bad ptr", setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, (void *)8, 4), EFAULT);
	FAILS("unknown optname", seti(fd, IPPROTO_TCP, 9999, 1), ENOPROTOOPT);
	FAILS("unknown optname len 1", setsockopt(fd, IPPROTO_TCP, 9999, small, 1), EINVAL);
	FAILS("set TCP_INFO", seti(fd, IPPROTO_TCP, TCP_INFO, 1), ENOPROTOOPT);
	FAILS("unknown level", seti(fd, 9999, TCP_NODELAY, 1), ENOPROTOOPT);
	FAILS("udp level", seti(fd, IPPROTO_UDP, 1, 1), ENOPROTOOPT);
	FAILS("ipv6 level", seti(fd, IPPROTO_IPV6, 1, 1), ENOPROTOOPT);
	OK("CONGESTION reno", setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "reno", 4));
	FAILS("CONGESTION nosuch", setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "nosuch", 6), ENOENT);
	FAILS("CONGESTION len 0", setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "reno", 0), EINVAL);
	len = sizeof(name);
	OK("get CONGESTION", getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, &len));
	V("CONGESTION len", len);
	/* getsockopt */
	FAILS("get optlen NULL", getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &val, NULL), EFAULT);
	len = 4;
	FAILS("get optval NULL", getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, NULL, &len), EFAULT);
	len = 0;
	OK("get len 0", getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &val, &len));
	V("len 0 stays", len);
	len = 2;
	val = 0;
	OK("get len 2", getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &val, &len));
	V("len 2 stays", len);
	V("len 2 value", val);
	len = 64;
	val = 0;
	OK("get len 64", getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &val, &len));
	V("len 64 -> 4", len);
	len = 4;
	FAILS("get unknown", getsockopt(fd, IPPROTO_TCP, 9999, &val, &len), ENOPROTOOPT);
	FAILS("get unknown level", getsockopt(fd, 9999, TCP_NODELAY, &val, &len), EOPNOTSUPP);
	FAILS("get udp level", getsockopt(fd, IPPROTO_UDP, 1, &val, &len), EOPNOTSUPP);
	len = 8;
	OK("TCP_INFO len 8", getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len));
	V("TCP_INFO len 8 -> 8", len);
	len = 0;
	OK("TCP_INFO len 0", getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len));
	V("TCP_INFO len 0 -> 0", len);
	len = 1000;
	OK("TCP_INFO len 1000", getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len));
	V("TCP_INFO len 1000 -> >= 104", len >= 104 && len < 1000);
	len = 4;
	FAILS("TCP_INFO bad ptr", getsockopt(fd, IPPROTO_TCP, TCP_INFO, (void *)8, &len), EFAULT);
	close(fd);
}

/* Kernel-version dependent on Linux itself: recorded, not expected. */
CMP(tcp_get_negative_len)
{
	int fd = mk(), val = 0;
	socklen_t len = -1;
	struct tcp_info ti;

	NEED(fd >= 0, "socket");
	R("get NODELAY len -1", getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &val, &len));
	len = -1;
	R("get TCP_INFO len -1", getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len));
	close(fd);
}

/* ---------------------------------------------------- IPPROTO_IP values */

CMP(ip_level)
{
	int fd = mk(), c, s;

	NEED(fd >= 0, "socket");
	V("IP_TOS default", geti(fd, IPPROTO_IP, IP_TOS));
	SETGET("IP_TOS 0x10", fd, IPPROTO_IP, IP_TOS, 0x10);
	SETGET("IP_TOS 0x13 (ECN bits kept)", fd, IPPROTO_IP, IP_TOS, 0x13);
	V("IP_TTL default", geti(fd, IPPROTO_IP, IP_TTL));
	SETGET("IP_TTL 10", fd, IPPROTO_IP, IP_TTL, 10);
	FAILS("IP_TTL 0", seti(fd, IPPROTO_IP, IP_TTL, 0), EINVAL);
	FAILS("IP_TTL 256", seti(fd, IPPROTO_IP, IP_TTL, 256), EINVAL);
	SETGET("IP_TTL -1", fd, IPPROTO_IP, IP_TTL, -1);
	V("IP_MTU_DISCOVER default", geti(fd, IPPROTO_IP, IP_MTU_DISCOVER));
	SETGET("IP_MTU_DISCOVER DO", fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO);
	FAILS("IP_MTU_DISCOVER 99", seti(fd, IPPROTO_IP, IP_MTU_DISCOVER, 99), EINVAL);
	V("IP_MTU unconnected", geti(fd, IPPROTO_IP, IP_MTU));
	FAILS("set IP_MTU", seti(fd, IPPROTO_IP, IP_MTU, 1000), ENOPROTOOPT);
	close(fd);
	NEED(!mk_pair(7001, &c, &s), "pair");
	V("IP_MTU connected", geti(c, IPPROTO_IP, IP_MTU));
	V("accepted IP_TTL", geti(s, IPPROTO_IP, IP_TTL));
	close(c);
	close(s);
}

/* ---------------------------------------------------- SOL_SOCKET values */

CMP(sol_socket_values)
{
	int fd = mk(), l;
	struct linger lg = { 1, 3 }, lg2;
	struct timeval tv = { 1, 500000 }, tv2;
	socklen_t len;

	NEED(fd >= 0, "socket");
	V("SO_TYPE", geti(fd, SOL_SOCKET, SO_TYPE));
	V("SO_PROTOCOL", geti(fd, SOL_SOCKET, SO_PROTOCOL));
	V("SO_DOMAIN is the family", geti(fd, SOL_SOCKET, SO_DOMAIN) == g_fam);
	V("SO_ERROR", geti(fd, SOL_SOCKET, SO_ERROR));
	V("SO_ACCEPTCONN", geti(fd, SOL_SOCKET, SO_ACCEPTCONN));
	V("SO_KEEPALIVE default", geti(fd, SOL_SOCKET, SO_KEEPALIVE));
	SETGET("SO_KEEPALIVE 1", fd, SOL_SOCKET, SO_KEEPALIVE, 1);
	SETGET("SO_KEEPALIVE 0", fd, SOL_SOCKET, SO_KEEPALIVE, 0);
	SETGET("SO_REUSEADDR 1", fd, SOL_SOCKET, SO_REUSEADDR, 1);
	SETGET("SO_REUSEPORT 0", fd, SOL_SOCKET, SO_REUSEPORT, 0);
	SETGET("SO_RCVBUF 100000", fd, SOL_SOCKET, SO_RCVBUF, 100000);
	SETGET("SO_SNDBUF 100000", fd, SOL_SOCKET, SO_SNDBUF, 100000);
	SETGET("SO_RCVBUF 1 (minimum)", fd, SOL_SOCKET, SO_RCVBUF, 1);
	SETGET("SO_SNDBUF 1 (minimum)", fd, SOL_SOCKET, SO_SNDBUF, 1);
	V("SO_RCVLOWAT default", geti(fd, SOL_SOCKET, SO_RCVLOWAT));
	SETGET("SO_RCVLOWAT 10", fd, SOL_SOCKET, SO_RCVLOWAT, 10);
	SETGET("SO_RCVLOWAT 0", fd, SOL_SOCKET, SO_RCVLOWAT, 0);
	SETGET("SO_RCVLOWAT -1", fd, SOL_SOCKET, SO_RCVLOWAT, -1);
	FAILS("SO_SNDLOWAT", seti(fd, SOL_SOCKET, SO_SNDLOWAT, 1), ENOPROTOOPT);
	OK("SO_LINGER set", setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	len = sizeof(lg2);
	OK("SO_LINGER get", getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg2, &len));
	V("SO_LINGER onoff", lg2.l_onoff);
	V("SO_LINGER secs", lg2.l_linger);
	FAILS("SO_LINGER short", setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, 4), EINVAL);
	OK("SO_RCVTIMEO set", setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	len = sizeof(tv2);
	OK("SO_RCVTIMEO get", getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv2, &len));
	V("SO_RCVTIMEO ms", tv2.tv_sec * 1000 + tv2.tv_usec / 1000);
	tv.tv_usec = 2000000;
	FAILS("SO_SNDTIMEO bad usec", setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), EDOM);
	close(fd);
	l = mk_listener(7002);
	NEED(l >= 0, "listener");
	V("listener SO_ACCEPTCONN", geti(l, SOL_SOCKET, SO_ACCEPTCONN));
	close(l);
}

/* Options set on a listener are inherited by accepted sockets. */
CMP(inherited_by_accept)
{
	int l = mk(), c, s, one = 1;
	struct sockaddr_in sin = sin_of(LO, 7003);

	NEED(l >= 0, "socket");
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	seti(l, SOL_SOCKET, SO_KEEPALIVE, 1);
	seti(l, IPPROTO_TCP, TCP_KEEPIDLE, 11);
	seti(l, IPPROTO_TCP, TCP_KEEPINTVL, 12);
	seti(l, IPPROTO_TCP, TCP_KEEPCNT, 13);
	seti(l, IPPROTO_TCP, TCP_NODELAY, 1);
	seti(l, IPPROTO_TCP, TCP_USER_TIMEOUT, 4321);
	NEED(!bind(l, SA(&sin), sizeof(sin)) && !listen(l, 4), "listen");
	c = mk();
	NEED(!connect_to(c, LO, 7003), "connect");
	s = accept(l, NULL, NULL);
	NEED(s >= 0, "accept");
	V("SO_KEEPALIVE", geti(s, SOL_SOCKET, SO_KEEPALIVE));
	V("KEEPIDLE", geti(s, IPPROTO_TCP, TCP_KEEPIDLE));
	V("KEEPINTVL", geti(s, IPPROTO_TCP, TCP_KEEPINTVL));
	V("KEEPCNT", geti(s, IPPROTO_TCP, TCP_KEEPCNT));
	V("NODELAY", geti(s, IPPROTO_TCP, TCP_NODELAY));
	V("USER_TIMEOUT", geti(s, IPPROTO_TCP, TCP_USER_TIMEOUT));
	V("client KEEPALIVE", geti(c, SOL_SOCKET, SO_KEEPALIVE));
	close(c);
	close(s);
	close(l);
}

/* ------------------------------------------------------- effects */

CMP(rcvtimeo_sndtimeo_eagain)
{
	struct timeval tv = { 0, 200000 };
	int c, s, i, sz = 4096, flags = 0;
	static char buf[65536];
	long long t0;
	ssize_t n = 0;

	NEED(!mk_pair(7004, &c, &s), "pair");
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	t0 = now_ms();
	FAILS("recv times out", recv(c, buf, 10, 0), EAGAIN);
	V("recv blocked >= 150 ms", now_ms() - t0 >= 150);
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(c, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	for (i = 0; i < 400; i++) {
		errno = 0;
		n = send(c, buf, sizeof(buf), 0);
		if (n < 0)
			break;
		if (n < (ssize_t)sizeof(buf))
			flags |= 1;	/* a partial write: timed out mid-way */
	}
	V("send eventually -1", n);
	V("send errno", n < 0 ? errno : 0);
	(void)flags;
	close(c);
	close(s);
}

CMP(rcvlowat)
{
	int c, s, lowat = 10;
	char buf[64];

	NEED(!mk_pair(7005, &c, &s), "pair");
	OK("set SO_RCVLOWAT", setsockopt(s, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat)));
	W("send 5", send(c, "abcde", 5, 0), 5, 0);
	VW("SIOCINQ 5", ioctl_wait(s, SIOCINQ, 5), 5);
	VW("poll: not readable below lowat", poll_now(s) & POLLIN, 0);
	W("send 5 more", send(c, "fghij", 5, 0), 5, 0);
	VW("SIOCINQ 10", ioctl_wait(s, SIOCINQ, 10), 10);
	VW("poll: readable at lowat", poll_until(s, POLLIN) & POLLIN, POLLIN);
	W("recv", recv(s, buf, sizeof(buf), 0), 10, 0);
	W("send 3", send(c, "klm", 3, 0), 3, 0);
	VW("SIOCINQ 3", ioctl_wait(s, SIOCINQ, 3), 3);
	R("recv DONTWAIT below lowat", recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	close(c);
	close(s);
}

CMP(linger_zero_rst)
{
	int c, s;
	char buf[8];

	NEED(!mk_pair(7006, &c, &s), "pair");
	OK("linger 0", set_linger0(c));
	OK("close", close(c));
	VW("peer sees RST", poll_until(s, POLLERR | POLLHUP) & (POLLERR | POLLHUP),
	   POLLERR | POLLHUP);
	FAILS("peer recv", recv(s, buf, sizeof(buf), 0), ECONNRESET);
	close(s);
}

/* SO_LINGER N: close() waits for the data to be acknowledged, at most N s. */
CMP(linger_waits)
{
	struct linger lg = { 1, 1 };
	int c, s, sz = 4096, i;
	static char buf[65536];
	long long t0;

	/* Acknowledged promptly: close returns at once. */
	NEED(!mk_pair(7007, &c, &s), "pair");
	W("send", send(c, buf, 1000, 0), 1000, 0);
	W("peer reads", read_all(s, buf, 1000), 1000, 0);
	lg.l_linger = 5;
	OK("linger 5", setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	t0 = now_ms();
	OK("close acked", close(c));
	VW("close did not wait 5 s", now_ms() - t0 < 2500, 1);
	close(s);

	/* Never acknowledged (peer's window stays shut): close waits N s. */
	NEED(!mk_pair(7008, &c, &s), "pair");
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(c, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	set_nonblock(c, 1);
	for (i = 0; i < 400; i++)
		if (send(c, buf, sizeof(buf), 0) < 0)
			break;
	VW("filled", i < 400, 1);
	set_nonblock(c, 0);
	lg.l_linger = 1;
	OK("linger 1", setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	t0 = now_ms();
	OK("close unacked", close(c));
	VW("close waited ~1 s", now_ms() - t0 >= 700, 1);
	close(s);
}

CMP(tcp_info_transfer)
{
	static char buf[10000];
	struct tcp_info ci, si;
	int c, s, l;

	NEED(!mk_pair(7009, &c, &s), "pair");
	fill(buf, sizeof(buf), 7);
	W("send", send(c, buf, sizeof(buf), 0), sizeof(buf), 0);
	W("recv", read_all(s, buf, sizeof(buf)), sizeof(buf), 0);
	VW("acked", ioctl_wait(c, SIOCOUTQ, 0), 0);
	W("reply", send(s, buf, 123, 0), 123, 0);
	W("recv reply", read_all(c, buf, 123), 123, 0);
	VW("reply acked", ioctl_wait(s, SIOCOUTQ, 0), 0);
	OK("client TCP_INFO", get_info(c, &ci));
	OK("server TCP_INFO", get_info(s, &si));
	VW("client state", ci.tcpi_state, ST_ESTABLISHED);
	VW("server state", si.tcpi_state, ST_ESTABLISHED);
	V("client bytes_acked", ci.tcpi_bytes_acked);
	V("client bytes_received", ci.tcpi_bytes_received);
	V("server bytes_acked", si.tcpi_bytes_acked);
	V("server bytes_received", si.tcpi_bytes_received);
	V("client bytes_sent", ci.tcpi_bytes_sent);
	V("client options", ci.tcpi_options & (TCPI_OPT_TIMESTAMPS | TCPI_OPT_SACK | TCPI_OPT_WSCALE));
	V("server options", si.tcpi_options & (TCPI_OPT_TIMESTAMPS | TCPI_OPT_SACK | TCPI_OPT_WSCALE));
	/* Linux bounds the MSS to half the peer's largest window: not mytcp. */
	VW("client snd_mss", ci.tcpi_snd_mss > 1000 && ci.tcpi_snd_mss <= 65483, 1);
	VW("server snd_mss", si.tcpi_snd_mss > 1000 && si.tcpi_snd_mss <= 65483, 1);
	V("client advmss", ci.tcpi_advmss);
	V("client pmtu", ci.tcpi_pmtu);
	V("client unacked", ci.tcpi_unacked);
	V("client retrans", ci.tcpi_total_retrans);
	V("client lost", ci.tcpi_lost);
	V("client rtt > 0", ci.tcpi_rtt > 0);
	V("client rto >= 200 ms", ci.tcpi_rto >= 200000);
	V("client cwnd >= 10", ci.tcpi_snd_cwnd >= 10);
	V("client ssthresh big", ci.tcpi_snd_ssthresh >= 1000);
	V("client segs_out >= 3", ci.tcpi_segs_out >= 3);
	V("server segs_in >= 3", si.tcpi_segs_in >= 3);
	V("client data_segs_out >= 1", ci.tcpi_data_segs_out >= 1);
	V("server last_data_recv < 5 s", si.tcpi_last_data_recv < 5000);
	V("client last_data_sent < 5 s", ci.tcpi_last_data_sent < 5000);
	V("client rcv_mss > 0", ci.tcpi_rcv_mss > 0);
	W("shutdown", shutdown(c, SHUT_WR), 0, 0);
	VW("server sees EOF", read_all(s, buf, 1), 0);
	for (l = 0; l < 100; l++) {	/* the FIN's ACK may be delayed */
		get_info(c, &ci);
		if (ci.tcpi_state == ST_FIN_WAIT2)
			break;
		usleep(10000);
	}
	OK("client TCP_INFO", get_info(c, &ci));
	OK("server TCP_INFO", get_info(s, &si));
	VW("client FIN_WAIT2", ci.tcpi_state, ST_FIN_WAIT2);
	VW("server CLOSE_WAIT", si.tcpi_state, ST_CLOSE_WAIT);
	close(c);
	close(s);
	l = mk_listener(7010);
	NEED(l >= 0, "listener");
	OK("listener TCP_INFO", get_info(l, &ci));
	VW("listener state", ci.tcpi_state, ST_LISTEN);
	close(l);
	c = mk();
	OK("new TCP_INFO", get_info(c, &ci));
	VW("new state", ci.tcpi_state, ST_CLOSE);
	close(c);
}

CMP(maxseg_effect)
{
	struct tcp_info ci, si;
	int l = mk_listener(7011), c, s, m;

	NEED(l >= 0, "listener");
	c = mk();
	OK("MAXSEG 1000", seti(c, IPPROTO_TCP, TCP_MAXSEG, 1000));
	OK("connect", connect_to(c, LO, 7011));
	s = accept(l, NULL, NULL);
	NEED(s >= 0, "accept");
	m = geti(c, IPPROTO_TCP, TCP_MAXSEG);
	VW("client MAXSEG <= 1000", m > 0 && m <= 1000, 1);
	OK("client TCP_INFO", get_info(c, &ci));
	OK("server TCP_INFO", get_info(s, &si));
	VW("client snd_mss <= 1000", ci.tcpi_snd_mss <= 1000, 1);
	VW("server snd_mss <= 1000", si.tcpi_snd_mss <= 1000, 1);
	VW("server snd_mss >= 900", si.tcpi_snd_mss >= 900, 1);
	close(c);
	close(s);
	close(l);
}

/* TCP_CORK holds partial segments; SIOCOUTQNSD counts them. */
CMP(cork_effect)
{
	struct tcp_info ti;
	int c, s, i;
	char buf[400];
	unsigned int before;

	NEED(!mk_pair(7012, &c, &s), "pair");
	OK("CORK 1", seti(c, IPPROTO_TCP, TCP_CORK, 1));
	get_info(c, &ti);
	before = ti.tcpi_data_segs_out;
	memset(buf, 'c', sizeof(buf));
	for (i = 0; i < 3; i++)
		W("send 100", send(c, buf, 100, 0), 100, 0);
	usleep(50000);
	VW("SIOCOUTQ", ioctl_int(c, SIOCOUTQ), 300);
	VW("SIOCOUTQNSD", ioctl_int(c, SIOCOUTQNSD), 300);
	get_info(c, &ti);
	VW("nothing sent", ti.tcpi_data_segs_out - before, 0);
	FAILS("peer has nothing", recv(s, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	OK("CORK 0", seti(c, IPPROTO_TCP, TCP_CORK, 0));
	W("peer gets all", read_all(s, buf, 300), 300, 0);
	VW("SIOCOUTQNSD after", ioctl_wait(c, SIOCOUTQNSD, 0), 0);
	VW("SIOCOUTQ after", ioctl_wait(c, SIOCOUTQ, 0), 0);
	close(c);
	close(s);
}

CMP(ioctls)
{
	int l = mk_listener(7013), c, s, fd = mk();
	char buf[200];

	NEED(l >= 0 && fd >= 0, "listener");
	FAILS("listener SIOCINQ", ioctl(l, SIOCINQ, buf), EINVAL);
	FAILS("listener SIOCOUTQ", ioctl(l, SIOCOUTQ, buf), EINVAL);
	FAILS("listener SIOCOUTQNSD", ioctl(l, SIOCOUTQNSD, buf), EINVAL);
	close(l);
	V("unconnected SIOCINQ", ioctl_int(fd, SIOCINQ));
	V("unconnected SIOCOUTQ", ioctl_int(fd, SIOCOUTQ));
	close(fd);
	NEED(!mk_pair(7014, &c, &s), "pair");
	memset(buf, 'i', sizeof(buf));
	W("send 150", send(c, buf, 150, 0), 150, 0);
	VW("SIOCINQ", ioctl_wait(s, SIOCINQ, 150), 150);
	VW("FIONREAD", ioctl_int(s, FIONREAD), 150);
	VW("sender SIOCOUTQ", ioctl_wait(c, SIOCOUTQ, 0), 0);
	VW("sender SIOCOUTQNSD", ioctl_int(c, SIOCOUTQNSD), 0);
	W("recv 50", recv(s, buf, 50, 0), 50, 0);
	VW("SIOCINQ after recv", ioctl_int(s, SIOCINQ), 100);
	W("shutdown", shutdown(c, SHUT_WR), 0, 0);
	VW("SIOCINQ after FIN", poll_until(s, POLLRDHUP) ? ioctl_int(s, SIOCINQ) : -1, 100);
	FAILS("bad pointer", ioctl(s, SIOCINQ, (void *)8), EFAULT);
	close(c);
	close(s);
}

/* SO_REUSEADDR: bind over a TIME_WAIT entry; without it, EADDRINUSE. */
CMP(reuseaddr_time_wait)
{
	int c, s, n;
	char buf[4];

	NEED(!mk_pair(7015, &c, &s), "pair");
	/* The server closes first: its port 7015 ends in TIME_WAIT. */
	OK("server close", close(s));
	VW("client EOF", read_all(c, buf, 1), 0);
	OK("client close", close(c));
	usleep(100000);
	n = mk();
	FAILS("bind without SO_REUSEADDR", bind_to(n, LO, 7015), EADDRINUSE);
	close(n);
	n = mk();
	OK("SO_REUSEADDR", seti(n, SOL_SOCKET, SO_REUSEADDR, 1));
	OK("bind with SO_REUSEADDR", bind_to(n, LO, 7015));
	OK("listen", listen(n, 4));
	c = mk();
	OK("connect again", connect_to(c, LO, 7015));
	s = accept(n, NULL, NULL);
	VW("accept again", s >= 0, 1);
	close(s);
	close(c);
	close(n);
}

/*
 * SO_REUSEPORT: two listeners on one port both get connections.  The
 * kernel's core refuses SO_REUSEPORT for non-inet families; 6.12 lets
 * mytcp handle SOL_SOCKET itself (SOCK_CUSTOM_SOCKOPT), 6.1 cannot: there
 * the mytcp run uses MYTCP_REUSEPORT at IPPROTO_TCP (uapi/mytcp.h) and
 * must spread the connections all the same.
 */
static void sc_reuseport_spread(void);

static int reuseport_refused_by_core(int family)
{
	int fd = socket(family, SOCK_STREAM, 0), one = 1, ret;
	struct utsname u;

	if (fd < 0)
		return 0;
	ret = setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	close(fd);
	return ret && errno == EOPNOTSUPP && !uname(&u) &&
	       !strncmp(u.release, "6.1.", 4);
}

/* Where the core refuses it (6.1), MYTCP_REUSEPORT at IPPROTO_TCP. */
static int reuseport_level = SOL_SOCKET, reuseport_name = SO_REUSEPORT;

TEST_F_TIMEOUT(api, reuseport_spread, 2 * WATCHDOG_S + 10)
{
	if (reuseport_refused_by_core(self->family)) {
		TH_LOG("6.1: the core refuses SO_REUSEPORT for non-inet families: MYTCP_REUSEPORT");
		reuseport_level = IPPROTO_TCP;
		reuseport_name = MYTCP_REUSEPORT;
	}
	run_cmp(_metadata, "reuseport_spread", sc_reuseport_spread, self->family);
	reuseport_level = SOL_SOCKET;
	reuseport_name = SO_REUSEPORT;
}

/* The extension works on every kernel, and reads back. */
TEST_F(api, mytcp_reuseport_option)
{
	int fd = socket(self->family, SOCK_STREAM, 0), v = -1;
	socklen_t len = sizeof(v);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, MYTCP_REUSEPORT, &v, &len));
	EXPECT_EQ(0, v);
	v = 1;
	ASSERT_EQ(0, setsockopt(fd, IPPROTO_TCP, MYTCP_REUSEPORT, &v, sizeof(v)));
	v = -1;
	ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, MYTCP_REUSEPORT, &v, &len));
	EXPECT_EQ(1, v);
	EXPECT_EQ(-1, setsockopt(fd, IPPROTO_TCP, MYTCP_REUSEPORT, &v, 2));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

static void sc_reuseport_spread(void)
{
	int l[2], c[24], i, j, n, got[2] = { 0, 0 };
	struct sockaddr_in sin = sin_of(LO, 7016);

	for (j = 0; j < 2; j++) {
		l[j] = mk();
		NEED(l[j] >= 0, "socket");
		if (g_fam == AF_INET)
			OK("SO_REUSEPORT", seti(l[j], SOL_SOCKET, SO_REUSEPORT, 1));
		else
			OK("SO_REUSEPORT", seti(l[j], reuseport_level, reuseport_name, 1));
		OK("bind", bind(l[j], SA(&sin), sizeof(sin)));
		OK("listen", listen(l[j], 32));
	}
	n = mk();
	FAILS("third without SO_REUSEPORT", bind(n, SA(&sin), sizeof(sin)), EADDRINUSE);
	close(n);
	for (i = 0; i < 24; i++) {
		c[i] = mk();
		NEED(c[i] >= 0 && !connect_to(c[i], LO, 7016), "connect %d", i);
	}
	usleep(100000);
	for (j = 0; j < 2; j++) {
		set_nonblock(l[j], 1);
		for (;;) {
			int s = accept(l[j], NULL, NULL);

			if (s < 0)
				break;
			got[j]++;
			close(s);
		}
	}
	VW("all accepted", got[0] + got[1], 24);
	VW("both listeners got some", got[0] > 0 && got[1] > 0, 1);
	for (i = 0; i < 24; i++)
		close(c[i]);
	close(l[0]);
	close(l[1]);
}

/* TCP_SYNCNT 1: connect gives up after one SYN retransmission. */
CMP(syncnt_effect)
{
	int fd;
	long long t0;

	NEED(!silent_route(), "silent route");
	fd = mk();
	NEED(fd >= 0, "socket");
	OK("SYNCNT 1", seti(fd, IPPROTO_TCP, TCP_SYNCNT, 1));
	t0 = now_ms();
	FAILS("connect", connect_to(fd, SILENT, 7017), ETIMEDOUT);
	VW("gave up before the default would", now_ms() - t0 < 7500, 1);
	close(fd);
}

TEST_HARNESS_MAIN
