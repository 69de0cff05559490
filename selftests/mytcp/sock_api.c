// SPDX-License-Identifier: GPL-2.0
/*
 * The mytcp socket API against Linux TCP, call by call.
 *
 * Each test is a scenario: a sequence of socket calls over 127.0.0.1.  It
 * runs twice, each time in a fresh child process in a fresh network
 * namespace (lo up): once with AF_INET sockets, once with mytcp sockets.
 * Every call's return value and errno (and a few observed values: poll
 * masks, fcntl flags, addresses, signal counts) is recorded, and the two
 * runs must agree record by record.  Records marked with an expectation
 * are also checked against it on AF_INET, so that a scenario that went
 * wrong on both sides does not pass unnoticed.
 *
 * Waits (for data, a FIN or a RST to arrive) are bounded polls; nothing
 * asserts on time.  Every socket has SO_RCVTIMEO/SO_SNDTIMEO guards and
 * each run an alarm(), so a stall fails instead of hanging.
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/mytcp_helpers.h"

#define WATCHDOG_S	60	/* alarm() of one run */

/*
 * Ports: scenarios name 5000..5099; each run gets its own range (g_base),
 * so runs sharing the test netns never meet each other's leftovers.
 */
static int g_base = 5000;
#define P(port) ((port) - 5000 + g_base)
#define UNP(port) ((port) - g_base + 5000)	/* as the scenario names it */
/* The netns all runs share, made once at startup (see setup_netns). */
static int g_netns_err, g_silent_err;
/* Tests run in forks of the harness: their count lives in shared memory. */
static int *g_test_no;
static volatile sig_atomic_t g_sigusr1;

/* Scenario ports 5000..5099 are the run's own (see g_base). */
#define CMP_PORT(port) \
	((port) >= 5000 && (port) < 5100 ? P(port) : (port))
#include "lib/compare_lib.h"

/* ------------------------------------------------------------ helpers */

static int so_error(int fd)
{
	int err = -1;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return -errno;
	return err;
}

static void on_sigusr1(int sig)
{
	(void)sig;
	g_sigusr1++;
}

/*
 * A helper process: after DELAY_MS, SIGUSR1 to us; then, after another
 * DELAY_MS, send LEN bytes of "x" on FD (when FD >= 0).
 */
static pid_t kick_later(int delay_ms, int fd, int len)
{
	pid_t parent = getpid(), pid = fork();

	if (pid)
		return pid;
	usleep(delay_ms * 1000);
	kill(parent, SIGUSR1);
	if (fd >= 0) {
		char buf[64];

		memset(buf, 'x', sizeof(buf));
		usleep(delay_ms * 1000);
		if (send(fd, buf, len, 0) != len)
			_exit(1);
	}
	_exit(0);
}

static void reap(pid_t pid)
{
	int st;

	if (pid > 0)
		waitpid(pid, &st, 0);
}

/* 192.0.2.0/24 on a veth whose peer has no address: SYNs go unanswered. */
static int silent_route(void)
{
	return system("PATH=/usr/sbin:/sbin:/usr/bin:/bin:$PATH; "
		      "ip link add va type veth peer name vb && "
		      "ip addr add 192.0.2.1/24 dev va && "
		      "ip link set va up && ip link set vb up");
}

/* ------------------------------------------------------------ runner */

typedef void (*scenario_t)(void);

/*
 * One network namespace for the whole program (lo up, and the silent
 * 192.0.2.0/24 route): making and destroying two per test is slow under
 * TCG.  Runs are kept apart by their port ranges.
 */
static void __attribute__((constructor)) setup_netns(void)
{
	g_test_no = mmap(NULL, sizeof(*g_test_no), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g_test_no == MAP_FAILED)
		g_test_no = NULL;
	else
		*g_test_no = 0;
	if (geteuid())
		return;
	if (unshare(CLONE_NEWNET) || lo_up()) {
		g_netns_err = errno ? errno : EIO;
		return;
	}
	g_silent_err = silent_route();
}

static void run_one(int fam, int base, scenario_t fn, struct result *res)
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
		g_base = base;
		alarm(WATCHDOG_S);
		if (g_netns_err || geteuid()) {
			broken("no test netns with lo up: %s",
			       geteuid() ? "not root" : strerror(g_netns_err));
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
	int base;

	ASSERT_NE(MAP_FAILED, res);
	ASSERT_NE(NULL, g_test_no);
	/* 40 ports per test, 20 per run: below the ephemeral ranges. */
	base = 10000 + 40 * (__atomic_fetch_add(g_test_no, 1, __ATOMIC_SEQ_CST) % 500);
	run_one(AF_INET, base, fn, &res[0]);
	run_one(family, base + 20, fn, &res[1]);
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

/* ------------------------------------------------------------- bind */

CMP(bind_port0)
{
	struct sockaddr_in sin = sin_of(LO, 0);
	socklen_t len = sizeof(sin);
	int fd = mk();

	NEED(fd >= 0, "socket");
	OK("bind 127.0.0.1:0", bind(fd, SA(&sin), sizeof(sin)));
	memset(&sin, 0, sizeof(sin));
	OK("getsockname", getsockname(fd, SA(&sin), &len));
	VW("addrlen", len, sizeof(sin));
	VW("family", sin.sin_family, AF_INET);
	VW("port chosen", sin.sin_port != 0, 1);
	VW("address kept", sin.sin_addr.s_addr == htonl(INADDR_LOOPBACK), 1);
	OK("listen", listen(fd, 1));
	close(fd);
}

CMP(bind_any)
{
	struct sockaddr_in sin = sin_of("0.0.0.0", 5000);
	socklen_t len = sizeof(sin);
	int fd = mk(), c = mk(), s;

	NEED(fd >= 0 && c >= 0, "socket");
	OK("bind 0.0.0.0:5000", bind(fd, SA(&sin), sizeof(sin)));
	memset(&sin, 0, sizeof(sin));
	OK("getsockname", getsockname(fd, SA(&sin), &len));
	VW("port", UNP(ntohs(sin.sin_port)), 5000);
	VW("address any", sin.sin_addr.s_addr, 0);
	OK("listen", listen(fd, 1));
	OK("connect 127.0.0.1:5000", connect_to(c, LO, 5000));
	s = FD("accept", accept(fd, NULL, NULL), 0);
	len = sizeof(sin);
	OK("accepted getsockname", getsockname(s, SA(&sin), &len));
	VW("accepted local address", sin.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	VW("accepted local port", UNP(ntohs(sin.sin_port)), 5000);
	close(s);
	close(c);
	close(fd);
}

CMP(bind_eaddrinuse)
{
	int a = mk(), b = mk(), c = mk(), d = mk(), e = mk(), f = mk(), one = 1;

	NEED(a >= 0 && b >= 0 && c >= 0 && d >= 0 && e >= 0 && f >= 0, "socket");
	OK("a bind 127.0.0.1:5000", bind_to(a, LO, 5000));
	FAILS("b bind 127.0.0.1:5000", bind_to(b, LO, 5000), EADDRINUSE);
	FAILS("c bind 0.0.0.0:5000", bind_to(c, "0.0.0.0", 5000), EADDRINUSE);
	OK("b bind 127.0.0.1:5001 after failing", bind_to(b, LO, 5001));
	OK("a listen", listen(a, 1));
	setsockopt(d, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	FAILS("d (SO_REUSEADDR) bind on a listener's port", bind_to(d, LO, 5000),
	      EADDRINUSE);
	/* Both SO_REUSEADDR, neither listening: both bind, one listens. */
	setsockopt(e, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(f, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	OK("e (SO_REUSEADDR) bind 127.0.0.1:5002", bind_to(e, LO, 5002));
	OK("f (SO_REUSEADDR) bind 127.0.0.1:5002", bind_to(f, LO, 5002));
	OK("e listen", listen(e, 1));
	FAILS("f listen", listen(f, 1), EADDRINUSE);
	close(a);
	/* The port is free again once its only owner is closed. */
	OK("c bind 0.0.0.0:5000 after close", bind_to(c, "0.0.0.0", 5000));
	close(b);
	close(c);
	close(d);
	close(e);
	close(f);
}

CMP(bind_einval)
{
	int fd = mk(), c, s;

	NEED(fd >= 0, "socket");
	OK("bind 127.0.0.1:5000", bind_to(fd, LO, 5000));
	FAILS("bind again to another port", bind_to(fd, LO, 5001), EINVAL);
	FAILS("bind again to the same port", bind_to(fd, LO, 5000), EINVAL);
	close(fd);
	NEED(!mk_pair(5010, &c, &s), "pair");
	FAILS("bind a connected socket", bind_to(c, LO, 5011), EINVAL);
	FAILS("bind an accepted socket", bind_to(s, LO, 5012), EINVAL);
	close(c);
	close(s);
}

CMP(bind_bad_address)
{
	struct sockaddr_in sin;
	int fd = mk();

	NEED(fd >= 0, "socket");
	sin = sin_of(LO, 5000);
	sin.sin_family = AF_INET6;
	/* mytcp takes sockaddr_in6 too: 16 bytes are a short one (EINVAL,
	 * as an AF_INET6 socket answers)
	 */
	FAILS_AS("bind AF_INET6 in 16 bytes (mytcp: EINVAL)",
		 bind(fd, SA(&sin), sizeof(sin)), EAFNOSUPPORT, EINVAL);
	sin.sin_family = AF_UNIX;
	FAILS("bind sin_family AF_UNIX", bind(fd, SA(&sin), sizeof(sin)), EAFNOSUPPORT);
	sin.sin_family = AF_UNSPEC;
	FAILS("bind AF_UNSPEC 127.0.0.1", bind(fd, SA(&sin), sizeof(sin)), EAFNOSUPPORT);
	sin = sin_of(LO, 5000);
	FAILS("bind addrlen 15", bind(fd, SA(&sin), sizeof(sin) - 1), EINVAL);
	FAILS("bind addrlen 2", bind(fd, SA(&sin), 2), EINVAL);
	FAILS("bind addrlen 0", bind(fd, SA(&sin), 0), EINVAL);
	FAILS("bind 192.0.2.7 (not local)", bind_to(fd, "192.0.2.7", 5000),
	      EADDRNOTAVAIL);
	sin = sin_of("0.0.0.0", 5000);
	sin.sin_family = AF_UNSPEC;
	OK("bind AF_UNSPEC INADDR_ANY (tolerated)", bind(fd, SA(&sin), sizeof(sin)));
	close(fd);
}

/* ----------------------------------------------------- listen, accept */

CMP(listen_semantics)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = mk(), c, s, x = mk();

	NEED(fd >= 0 && x >= 0, "socket");
	OK("listen unbound (autobind)", listen(fd, 4));
	OK("getsockname", getsockname(fd, SA(&sin), &len));
	VW("autobound port nonzero", sin.sin_port != 0, 1);
	VW("autobound address any", sin.sin_addr.s_addr, 0);
	OK("listen again (new backlog)", listen(fd, 8));
	OK("listen backlog -1", listen(fd, -1));
	FAILS("accept on an unbound socket", accept(x, NULL, NULL), EINVAL);
	OK("bind x", bind_to(x, LO, 5001));
	FAILS("accept on a bound socket", accept(x, NULL, NULL), EINVAL);
	close(fd);
	close(x);
	NEED(!mk_pair(5000, &c, &s), "pair");
	FAILS("listen on a connected socket", listen(c, 1), EINVAL);
	FAILS("listen on an accepted socket", listen(s, 1), EINVAL);
	FAILS("accept on a connected socket", accept(c, NULL, NULL), EINVAL);
	close(c);
	close(s);
}

CMP(accept_flags)
{
	struct sockaddr_in peer, local;
	socklen_t plen = sizeof(peer), llen = sizeof(local);
	int l = mk_listener(5000), c1 = mk(), c2 = mk(), a1, a2;

	NEED(l >= 0 && c1 >= 0 && c2 >= 0, "setup");
	OK("connect 1", connect_to(c1, LO, 5000));
	OK("connect 2", connect_to(c2, LO, 5000));
	a1 = FD("accept4 SOCK_NONBLOCK|SOCK_CLOEXEC",
		accept4(l, SA(&peer), &plen, SOCK_NONBLOCK | SOCK_CLOEXEC), 0);
	NEED(a1 >= 0, "accept4");
	VW("O_NONBLOCK on the result", !!(fcntl(a1, F_GETFL) & O_NONBLOCK), 1);
	VW("FD_CLOEXEC on the result", !!(fcntl(a1, F_GETFD) & FD_CLOEXEC), 1);
	VW("peer addrlen", plen, sizeof(peer));
	VW("peer family", peer.sin_family, AF_INET);
	getsockname(c1, SA(&local), &llen);
	VW("peer is the client", peer.sin_port == local.sin_port &&
	   peer.sin_addr.s_addr == local.sin_addr.s_addr, 1);
	FAILS("recv on the non-blocking accepted socket",
	      recv(a1, &plen, 1, 0), EAGAIN);
	a2 = FD("accept4 no flags", accept4(l, NULL, NULL, 0), 0);
	NEED(a2 >= 0, "accept4");
	VW("no O_NONBLOCK", !!(fcntl(a2, F_GETFL) & O_NONBLOCK), 0);
	VW("no FD_CLOEXEC", !!(fcntl(a2, F_GETFD) & FD_CLOEXEC), 0);
	FAILS("accept4 bad flags", accept4(l, NULL, NULL, 0x1), EINVAL);
	close(a1);
	close(a2);
	close(c1);
	close(c2);
	close(l);
}

CMP(accept_eagain)
{
	struct timeval tv = { .tv_usec = 200000 };
	int l = mk_listener(5000), c = mk(), a;

	NEED(l >= 0 && c >= 0, "setup");
	OK("O_NONBLOCK listener", set_nonblock(l, 1));
	FAILS("accept, empty queue", accept(l, NULL, NULL), EAGAIN);
	FAILS("accept4 SOCK_NONBLOCK, empty queue",
	      accept4(l, NULL, NULL, SOCK_NONBLOCK), EAGAIN);
	VW("listener poll, empty queue", poll_now(l), 0);
	OK("connect", connect_to(c, LO, 5000));
	VW("listener poll, pending", poll_until(l, POLLIN), POLLIN | POLLRDNORM);
	a = FD("accept, pending", accept(l, NULL, NULL), 0);
	VW("accepted socket inherits no O_NONBLOCK",
	   !!(fcntl(a, F_GETFL) & O_NONBLOCK), 0);
	FAILS("accept, drained", accept(l, NULL, NULL), EAGAIN);
	OK("blocking listener", set_nonblock(l, 0));
	setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	FAILS("blocking accept, SO_RCVTIMEO 200ms", accept(l, NULL, NULL), EAGAIN);
	close(a);
	close(c);
	close(l);
}

/* ------------------------------------------------------------ connect */

CMP(connect_blocking)
{
	struct sockaddr_in sin, me, peer;
	socklen_t len = sizeof(sin);
	int l = mk_listener(5000), c = mk(), a;

	NEED(l >= 0 && c >= 0, "setup");
	OK("connect", connect_to(c, LO, 5000));
	VW("SO_ERROR", so_error(c), 0);
	OK("getpeername", getpeername(c, SA(&sin), &len));
	VW("peer family", sin.sin_family, AF_INET);
	VW("peer port", UNP(ntohs(sin.sin_port)), 5000);
	VW("peer address", sin.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	len = sizeof(me);
	OK("getsockname", getsockname(c, SA(&me), &len));
	VW("local family", me.sin_family, AF_INET);
	VW("local address", me.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	VW("local port nonzero", me.sin_port != 0, 1);
	a = FD("accept", accept(l, NULL, NULL), 0);
	len = sizeof(peer);
	OK("accepted getpeername", getpeername(a, SA(&peer), &len));
	VW("accepted peer is the client", peer.sin_port == me.sin_port, 1);
	FAILS("connect again", connect_to(c, LO, 5000), EISCONN);
	FAILS("connect again elsewhere", connect_to(c, LO, 5001), EISCONN);
	sin = sin_of(LO, 5000);
	sin.sin_family = AF_INET6;
	FAILS("connect again, bad family", connect(c, SA(&sin), sizeof(sin)), EISCONN);
	FAILS("connect a listener", connect_to(l, LO, 5000), EISCONN);
	FAILS("connect an accepted socket", connect_to(a, LO, 5000), EISCONN);
	close(a);
	close(c);
	close(l);
}

CMP(connect_bad_address)
{
	struct sockaddr_in sin = sin_of(LO, 5000);
	int l = mk_listener(5000), c = mk();

	NEED(l >= 0 && c >= 0, "setup");
	sin.sin_family = AF_INET6;
	FAILS_AS("connect AF_INET6 in 16 bytes (mytcp: EINVAL)",
		 connect(c, SA(&sin), sizeof(sin)), EAFNOSUPPORT, EINVAL);
	sin.sin_family = AF_INET;
	FAILS("connect addrlen 15", connect(c, SA(&sin), sizeof(sin) - 1), EINVAL);
	FAILS("connect addrlen 1", connect(c, SA(&sin), 1), EINVAL);
	FAILS("connect addrlen 0", connect(c, SA(&sin), 0), EINVAL);
	/* AF_UNSPEC on an unconnected socket: a no-op disconnect. */
	sin.sin_family = AF_UNSPEC;
	OK("connect AF_UNSPEC, unconnected", connect(c, SA(&sin), sizeof(sin)));
	OK("connect after all that", connect_to(c, LO, 5000));
	close(c);
	close(l);
}

CMP(connect_nonblocking)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int l = mk_listener(5000), c = mk(), a;

	NEED(l >= 0 && c >= 0, "setup");
	OK("O_NONBLOCK", set_nonblock(c, 1));
	FAILS("connect", connect_to(c, LO, 5000), EINPROGRESS);
	VW("poll POLLOUT", poll_until(c, POLLOUT) & (POLLOUT | POLLERR | POLLHUP),
	   POLLOUT);
	VW("SO_ERROR", so_error(c), 0);
	OK("getpeername", getpeername(c, SA(&sin), &len));
	VW("peer port", UNP(ntohs(sin.sin_port)), 5000);
	/* The first connect after completion reports success, then EISCONN. */
	OK("connect again (completes)", connect_to(c, LO, 5000));
	FAILS("connect a third time", connect_to(c, LO, 5000), EISCONN);
	a = FD("accept", accept(l, NULL, NULL), 0);
	OK("send", send(a, "x", 1, 0) - 1);
	VW("poll after data", poll_until(c, POLLIN), POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM);
	close(a);
	close(c);
	close(l);
}

CMP(connect_refused)
{
	int c = mk(), n = mk(), b = mk(), l, a;
	char ch;

	NEED(c >= 0 && n >= 0 && b >= 0, "socket");
	/* Nobody at all on 5000. */
	FAILS("connect, closed port", connect_to(c, LO, 5000), ECONNREFUSED);
	VW("SO_ERROR after", so_error(c), 0);
	FAILS("getpeername after", getpeername(c, NULL, NULL), ENOTCONN);
	FAILS("connect again, closed port", connect_to(c, LO, 5000), ECONNREFUSED);
	FAILS("recv after refusal", recv(c, &ch, 1, 0), ENOTCONN);
	/* A socket bound to 5001 but not listening. */
	OK("bind 127.0.0.1:5001, no listen", bind_to(b, LO, 5001));
	FAILS("connect, bound port", connect_to(c, LO, 5001), ECONNREFUSED);
	/* Non-blocking: the refusal comes through poll and SO_ERROR. */
	OK("O_NONBLOCK", set_nonblock(n, 1));
	FAILS("non-blocking connect, closed port", connect_to(n, LO, 5000),
	      EINPROGRESS);
	VW("poll", poll_until(n, POLLERR) & (POLLERR | POLLHUP | POLLOUT),
	   POLLERR | POLLHUP | POLLOUT);
	VW("SO_ERROR", so_error(n), ECONNREFUSED);
	VW("SO_ERROR read again", so_error(n), 0);
	/* Still SS_CONNECTING, but the error is gone: aborted. */
	FAILS("connect after the refusal was read", connect_to(n, LO, 5000),
	      ECONNABORTED);
	FAILS("connect anew", connect_to(n, LO, 5000), EINPROGRESS);
	VW("poll again", poll_until(n, POLLERR) & POLLERR, POLLERR);
	FAILS("connect, refusal pending", connect_to(n, LO, 5000), ECONNREFUSED);
	FAILS("connect anew", connect_to(n, LO, 5000), EINPROGRESS);
	/* The same socket connects once someone listens. */
	l = mk_listener(5000);
	NEED(l >= 0, "listener");
	OK("connect, now listening", connect_to(c, LO, 5000));
	/* ... and is a working connection. */
	a = FD("accept", accept(l, NULL, NULL), 0);
	W("send on the reconnected socket", send(c, "x", 1, MSG_NOSIGNAL), 1, 0);
	W("peer receives it", recv(a, &ch, 1, 0), 1, 0);
	W("peer answers", send(a, "y", 1, MSG_NOSIGNAL), 1, 0);
	W("recv on the reconnected socket", recv(c, &ch, 1, 0), 1, 0);
	close(a);
	close(c);
	close(n);
	close(b);
	close(l);
}

/*
 * Refusals across the two stacks: in the mytcp run one side is mytcp and
 * the other Linux TCP (in the AF_INET run both are Linux TCP).
 */
CMP(connect_refused_mixed)
{
	int i1 = socket(AF_INET, SOCK_STREAM, 0), m1 = mk();
	int m2 = mk(), i2 = socket(AF_INET, SOCK_STREAM, 0);
	int m3, i3 = socket(AF_INET, SOCK_STREAM, 0);
	int i4 = socket(AF_INET, SOCK_STREAM, 0), m4 = mk();

	NEED(i1 >= 0 && m1 >= 0 && m2 >= 0 && i2 >= 0 && i3 >= 0 && i4 >= 0 &&
	     m4 >= 0, "socket");
	set_guards(i1, GUARD_S);
	set_guards(i2, GUARD_S);
	set_guards(i3, GUARD_S);
	set_guards(i4, GUARD_S);
	OK("Linux socket bound to 5001, not listening", bind_to(i1, LO, 5001));
	FAILS("connect to it", connect_to(m1, LO, 5001), ECONNREFUSED);
	OK("socket bound to 5002, not listening", bind_to(m2, LO, 5002));
	FAILS("Linux connect to it", connect_to(i2, LO, 5002), ECONNREFUSED);
	m3 = mk_listener(5003);
	NEED(m3 >= 0, "listener");
	OK("listener on 5003 closed", close(m3));
	FAILS("Linux connect to the closed listener", connect_to(i3, LO, 5003),
	      ECONNREFUSED);
	OK("Linux listener on 5004", bind_to(i4, LO, 5004) || listen(i4, 1));
	OK("... closed", close(i4));
	FAILS("connect to the closed Linux listener", connect_to(m4, LO, 5004),
	      ECONNREFUSED);
	close(i1);
	close(m1);
	close(m2);
	close(i2);
	close(i3);
	close(m4);
}

/* SYN_SENT: a non-blocking connect toward an address that never answers. */
CMP(connect_ealready)
{
	struct sockaddr_in sin = sin_of(SILENT, 5000);
	int c = mk(), d = mk();
	char ch;

	NEED(c >= 0 && d >= 0, "socket");
	NEED(!g_silent_err, "ip link add veth / ip addr add failed at startup");
	OK("O_NONBLOCK", set_nonblock(c, 1));
	FAILS("connect", connect(c, SA(&sin), sizeof(sin)), EINPROGRESS);
	FAILS("connect again", connect(c, SA(&sin), sizeof(sin)), EALREADY);
	FAILS("connect again elsewhere", connect_to(c, LO, 5001), EALREADY);
	sin.sin_family = AF_INET6;
	FAILS("connect again, bad family", connect(c, SA(&sin), sizeof(sin)),
	      EALREADY);
	VW("poll in SYN_SENT", poll_now(c), 0);
	FAILS("getpeername in SYN_SENT", getpeername(c, NULL, NULL), ENOTCONN);
	VW("SO_ERROR in SYN_SENT", so_error(c), 0);
	FAILS("send in SYN_SENT", send(c, "x", 1, MSG_DONTWAIT), EAGAIN);
	FAILS("recv in SYN_SENT", recv(c, &ch, 1, MSG_DONTWAIT), EAGAIN);
	VW("SIGPIPE so far", g_sigpipe, 0);
	OK("shutdown(SHUT_WR) in SYN_SENT aborts", shutdown(c, SHUT_WR));
	VW("poll after the abort", poll_now(c) & (POLLERR | POLLHUP), POLLERR | POLLHUP);
	VW("SO_ERROR after the abort", so_error(c), ECONNRESET);
	/* Blocking connect interrupted by a signal, then EALREADY. */
	OK("SIGUSR1 handler, no SA_RESTART", handle(SIGUSR1, on_sigusr1, 0));
	sin = sin_of(SILENT, 5000);
	{
		pid_t k = kick_later(300, -1, 0);

		FAILS("blocking connect, signal", connect(d, SA(&sin), sizeof(sin)),
		      EINTR);
		reap(k);
	}
	VW("SIGUSR1 caught", g_sigusr1, 1);
	OK("O_NONBLOCK", set_nonblock(d, 1));
	FAILS("connect after EINTR", connect(d, SA(&sin), sizeof(sin)), EALREADY);
	close(c);
	close(d);
}

/* ------------------------------------------------------------- data */

CMP(data_calls)
{
	char out[64], in[64], a[8], b[8];
	struct iovec iov[3];
	struct msghdr mh = { 0 };
	int c, s;

	NEED(!mk_pair(5000, &c, &s), "pair");
	fill(out, sizeof(out), 1);
	W("write", write(c, out, 10), 10, 0);
	W("read", read(s, in, sizeof(in)), 10, 0);
	VW("read data", !memcmp(in, out, 10), 1);
	W("send", send(s, out, 20, 0), 20, 0);
	W("recv", recv(c, in, sizeof(in), 0), 20, 0);
	VW("recv data", !memcmp(in, out, 20), 1);
	W("send 0 bytes", send(c, out, 0, 0), 0, 0);
	iov[0] = (struct iovec){ out, 3 };
	iov[1] = (struct iovec){ out + 3, 0 };
	iov[2] = (struct iovec){ out + 3, 12 };
	W("writev", writev(c, iov, 3), 15, 0);
	iov[0] = (struct iovec){ a, 5 };
	iov[1] = (struct iovec){ in, 40 };
	W("readv", readv(s, iov, 2), 15, 0);
	VW("readv data", !memcmp(a, out, 5) && !memcmp(in, out + 5, 10), 1);
	iov[0] = (struct iovec){ out, 7 };
	iov[1] = (struct iovec){ out + 7, 9 };
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	W("sendmsg", sendmsg(s, &mh, 0), 16, 0);
	memset(&mh, 0, sizeof(mh));
	iov[0] = (struct iovec){ b, 8 };
	iov[1] = (struct iovec){ in, 40 };
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	W("recvmsg", recvmsg(c, &mh, 0), 16, 0);
	VW("recvmsg data", !memcmp(b, out, 8) && !memcmp(in, out + 8, 8), 1);
	VW("recvmsg msg_flags", mh.msg_flags, 0);
	VW("recvmsg msg_namelen", mh.msg_namelen, 0);
	close(c);
	close(s);
}

CMP(data_unconnected)
{
	int fd = mk(), l = mk_listener(5000);
	char ch;

	NEED(fd >= 0 && l >= 0, "setup");
	FAILS("recv, unconnected", recv(fd, &ch, 1, 0), ENOTCONN);
	FAILS("read, unconnected", read(fd, &ch, 1), ENOTCONN);
	FAILS("send, unconnected", send(fd, "x", 1, 0), EPIPE);
	VW("SIGPIPE", g_sigpipe, 1);
	FAILS("send MSG_NOSIGNAL, unconnected", send(fd, "x", 1, MSG_NOSIGNAL), EPIPE);
	VW("no SIGPIPE", g_sigpipe, 1);
	FAILS("recv on a listener", recv(l, &ch, 1, 0), ENOTCONN);
	FAILS("recv MSG_DONTWAIT on a listener", recv(l, &ch, 1, MSG_DONTWAIT),
	      ENOTCONN);
	FAILS("send on a listener", send(l, "x", 1, MSG_NOSIGNAL), EPIPE);
	close(fd);
	close(l);
}

CMP(peek_dontwait)
{
	char out[16], in[32], pk[32];
	int c, s;

	NEED(!mk_pair(5000, &c, &s), "pair");
	fill(out, sizeof(out), 2);
	FAILS("recv MSG_DONTWAIT, empty", recv(c, in, 1, MSG_DONTWAIT), EAGAIN);
	FAILS("recv MSG_PEEK|MSG_DONTWAIT, empty", recv(c, in, 1, MSG_PEEK | MSG_DONTWAIT),
	      EAGAIN);
	OK("O_NONBLOCK", set_nonblock(c, 1));
	FAILS("read O_NONBLOCK, empty", read(c, in, 1), EAGAIN);
	OK("blocking again", set_nonblock(c, 0));
	W("send 10", send(s, out, 10, 0), 10, 0);
	VW("poll", poll_until(c, POLLIN), POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM);
	W("recv MSG_PEEK 4", recv(c, pk, 4, MSG_PEEK), 4, 0);
	W("recv MSG_PEEK 32", recv(c, pk, sizeof(pk), MSG_PEEK), 10, 0);
	VW("peeked data", !memcmp(pk, out, 10), 1);
	W("recv 3", recv(c, in, 3, 0), 3, 0);
	W("recv MSG_PEEK after a partial read", recv(c, pk, sizeof(pk), MSG_PEEK), 7, 0);
	VW("peeked data", !memcmp(pk, out + 3, 7), 1);
	W("recv MSG_DONTWAIT", recv(c, in, sizeof(in), MSG_DONTWAIT), 7, 0);
	VW("data", !memcmp(in, out + 3, 7), 1);
	FAILS("recv MSG_DONTWAIT, drained", recv(c, in, 1, MSG_DONTWAIT), EAGAIN);
	VW("poll drained", poll_now(c), POLLOUT | POLLWRNORM);
	close(c);
	close(s);
}

struct later_send {
	int fd, delay_ms, len, ret;
	const char *buf;
};

static void *later_send_fn(void *arg)
{
	struct later_send *ls = arg;

	usleep(ls->delay_ms * 1000);
	ls->ret = send(ls->fd, ls->buf, ls->len, 0);
	return NULL;
}

CMP(waitall)
{
	char out[300], in[400];
	struct later_send ls;
	pthread_t t;
	int c, s;

	NEED(!mk_pair(5000, &c, &s), "pair");
	fill(out, sizeof(out), 3);
	W("send first half", send(s, out, 100, 0), 100, 0);
	ls = (struct later_send){ s, 200, 100, -1, out + 100 };
	NEED(!pthread_create(&t, NULL, later_send_fn, &ls), "pthread_create");
	W("recv 200 MSG_WAITALL", recv(c, in, 200, MSG_WAITALL), 200, 0);
	pthread_join(t, NULL);
	VW("second half sent", ls.ret, 100);
	VW("data", !memcmp(in, out, 200), 1);
	W("send 50", send(s, out + 200, 50, 0), 50, 0);
	OK("shutdown(SHUT_WR)", shutdown(s, SHUT_WR));
	W("recv 100 MSG_WAITALL, EOF after 50", recv(c, in, 100, MSG_WAITALL), 50, 0);
	VW("data", !memcmp(in, out + 200, 50), 1);
	W("recv at EOF", recv(c, in, 100, MSG_WAITALL), 0, 0);
	close(c);
	close(s);
}

CMP(epipe_sigpipe)
{
	char in[16];
	int c, s;

	NEED(!mk_pair(5000, &c, &s), "pair");
	OK("shutdown(SHUT_WR)", shutdown(c, SHUT_WR));
	FAILS("send after SHUT_WR", send(c, "x", 1, 0), EPIPE);
	VW("SIGPIPE", g_sigpipe, 1);
	FAILS("send MSG_NOSIGNAL after SHUT_WR", send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	VW("no new SIGPIPE", g_sigpipe, 1);
	FAILS("write after SHUT_WR", write(c, "x", 1), EPIPE);
	VW("SIGPIPE again", g_sigpipe, 2);
	FAILS("sendmsg MSG_NOSIGNAL after SHUT_WR",
	      sendmsg(c, &(struct msghdr){ .msg_iov = &(struct iovec){ "x", 1 },
					   .msg_iovlen = 1 }, MSG_NOSIGNAL), EPIPE);
	VW("still 2", g_sigpipe, 2);
	W("peer reads EOF", recv(s, in, sizeof(in), 0), 0, 0);
	/* Half-closed: the other direction still works. */
	W("peer sends", send(s, "hello", 5, 0), 5, 0);
	W("recv on the half-closed side", recv(c, in, sizeof(in), 0), 5, 0);
	VW("SO_ERROR", so_error(c), 0);
	close(c);
	close(s);
}

/* ------------------------------------------------------------ shutdown */

CMP(shutdown_unconnected)
{
	int fd = mk(), l = mk_listener(5000), c = mk();

	NEED(fd >= 0 && l >= 0 && c >= 0, "setup");
	FAILS("SHUT_RD, unconnected", shutdown(fd, SHUT_RD), ENOTCONN);
	FAILS("SHUT_WR, unconnected", shutdown(fd, SHUT_WR), ENOTCONN);
	FAILS("SHUT_RDWR, unconnected", shutdown(fd, SHUT_RDWR), ENOTCONN);
	FAILS("how 3", shutdown(fd, 3), EINVAL);
	FAILS("how -1", shutdown(fd, -1), EINVAL);
	OK("bind", bind_to(fd, LO, 5001));
	FAILS("SHUT_WR, bound", shutdown(fd, SHUT_WR), ENOTCONN);
	/* A listener ignores SHUT_WR; SHUT_RD stops it. */
	OK("SHUT_WR on a listener", shutdown(l, SHUT_WR));
	OK("connect to it", connect_to(c, LO, 5000));
	OK("SHUT_RD on a listener", shutdown(l, SHUT_RD));
	FAILS("accept after SHUT_RD", accept(l, NULL, NULL), EINVAL);
	VW("listener poll after SHUT_RD", poll_now(l) & (POLLIN | POLLHUP), POLLHUP);
	close(c);
	c = mk();
	FAILS("connect to the stopped listener", connect_to(c, LO, 5000),
	      ECONNREFUSED);
	OK("listen again", listen(l, 1));
	OK("connect to it again", connect_to(c, LO, 5000));
	close(fd);
	close(l);
	close(c);
}

CMP(shutdown_connected)
{
	char in[16];
	int c, s;

	NEED(!mk_pair(5000, &c, &s), "pair");
	OK("SHUT_RD", shutdown(c, SHUT_RD));
	W("recv after SHUT_RD", recv(c, in, sizeof(in), 0), 0, 0);
	VW("poll after SHUT_RD", poll_now(c),
	   POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT | POLLWRNORM);
	W("send after SHUT_RD", send(c, "abc", 3, 0), 3, 0);
	W("peer receives it", recv(s, in, sizeof(in), 0), 3, 0);
	OK("SHUT_WR", shutdown(c, SHUT_WR));
	OK("SHUT_WR twice", shutdown(c, SHUT_WR));
	W("peer reads EOF", recv(s, in, sizeof(in), 0), 0, 0);
	VW("poll, both local directions shut", poll_now(c) & (POLLHUP | POLLIN),
	   POLLHUP | POLLIN);
	OK("SHUT_RDWR on the peer", shutdown(s, SHUT_RDWR));
	FAILS("send after SHUT_RDWR", send(s, "x", 1, MSG_NOSIGNAL), EPIPE);
	W("recv after SHUT_RDWR", recv(s, in, sizeof(in), 0), 0, 0);
	close(c);
	close(s);
}

/* ------------------------------------------------------------ names */

CMP(getname)
{
	struct sockaddr_in sin, cl;
	socklen_t len = sizeof(sin);
	char small[4];
	sa_family_t fam;
	int fd = mk(), l = mk_listener(5000), c, s;

	NEED(fd >= 0 && l >= 0, "setup");
	memset(&sin, 0xff, sizeof(sin));
	OK("getsockname, fresh", getsockname(fd, SA(&sin), &len));
	VW("family", sin.sin_family, AF_INET);
	VW("port", sin.sin_port, 0);
	VW("address", sin.sin_addr.s_addr, 0);
	VW("sin_zero cleared", sin.sin_zero[0] | sin.sin_zero[7], 0);
	FAILS("getpeername, fresh", getpeername(fd, SA(&sin), &len), ENOTCONN);
	FAILS("getpeername, listener", getpeername(l, SA(&sin), &len), ENOTCONN);
	len = sizeof(sin);
	OK("getsockname, listener", getsockname(l, SA(&sin), &len));
	VW("listener port", UNP(ntohs(sin.sin_port)), 5000);
	close(l);
	NEED(!mk_pair(5001, &c, &s), "pair");
	len = sizeof(cl);
	OK("client getsockname", getsockname(c, SA(&cl), &len));
	len = sizeof(sin);
	OK("accepted getpeername", getpeername(s, SA(&sin), &len));
	VW("accepted peer = client name", !memcmp(&sin, &cl, sizeof(sin)), 1);
	len = sizeof(small);
	OK("getsockname, 4-byte buffer", getsockname(c, (struct sockaddr *)small, &len));
	VW("full length reported", len, sizeof(sin));
	memcpy(&fam, small, sizeof(fam));
	VW("truncated family", fam, AF_INET);
	/* After the peer leaves, the names stay. */
	close(s);
	poll_until(c, POLLRDHUP);
	len = sizeof(sin);
	OK("getpeername after peer close", getpeername(c, SA(&sin), &len));
	VW("port", UNP(ntohs(sin.sin_port)), 5001);
	close(c);
	close(fd);
}

/* ------------------------------------------------------- readiness */

#define RW (POLLOUT | POLLWRNORM)
#define RD (POLLIN | POLLRDNORM)

CMP(poll_states)
{
	char in[4];
	int fd = mk(), c, s;

	NEED(fd >= 0, "socket");
	VW("fresh socket", poll_now(fd), POLLOUT | POLLWRNORM | POLLHUP);
	NEED(!mk_pair(5000, &c, &s), "pair");
	VW("connected, idle", poll_now(c), RW);
	VW("accepted, idle", poll_now(s), RW);
	send(s, "x", 1, 0);
	VW("data", poll_until(c, POLLIN), RD | RW);
	OK("peer SHUT_WR", shutdown(s, SHUT_WR));
	VW("data + peer FIN", poll_until(c, POLLRDHUP), RD | RW | POLLRDHUP);
	W("read the data", recv(c, in, sizeof(in), 0), 1, 0);
	VW("peer FIN only", poll_now(c), RD | RW | POLLRDHUP);
	OK("local SHUT_WR", shutdown(c, SHUT_WR));
	VW("both shut", poll_now(c), RD | RW | POLLRDHUP | POLLHUP);
	VW("peer: both shut", poll_until(s, POLLHUP), RD | RW | POLLRDHUP | POLLHUP);
	close(c);
	close(s);
	close(fd);
}

CMP(poll_rst)
{
	char in[4];
	int c, s;

	NEED(!mk_pair(5000, &c, &s), "pair");
	OK("SO_LINGER {1, 0}", set_linger0(s));
	OK("close", close(s));
	VW("after RST", poll_until(c, POLLERR), RD | RW | POLLRDHUP | POLLHUP | POLLERR);
	FAILS("recv", recv(c, in, sizeof(in), 0), ECONNRESET);
	VW("after the error was read", poll_now(c), RD | RW | POLLRDHUP | POLLHUP);
	close(c);
}

CMP(select_epoll)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET }, got[4];
	struct timeval tv0;
	fd_set rd, wr;
	int c, s, ep = epoll_create1(0);
	char in[8];

	NEED(ep >= 0, "epoll_create1");
	NEED(!mk_pair(5000, &c, &s), "pair");
	ev.data.fd = c;
	OK("EPOLL_CTL_ADD", epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev));
	W("epoll, idle", epoll_wait(ep, got, 4, 0), 0, 0);
	FD_ZERO(&rd); FD_ZERO(&wr); FD_SET(c, &rd); FD_SET(c, &wr);
	tv0 = (struct timeval){ 0 };
	W("select, idle", select(c + 1, &rd, &wr, NULL, &tv0), 1, 0);
	VW("select readable", FD_ISSET(c, &rd), 0);
	VW("select writable", !!FD_ISSET(c, &wr), 1);
	send(s, "ab", 2, 0);
	W("epoll, data", epoll_wait(ep, got, 4, 5000), 1, 0);
	VW("events", got[0].events, EPOLLIN);
	W("epoll, edge consumed", epoll_wait(ep, got, 4, 0), 0, 0);
	FD_ZERO(&rd); FD_SET(c, &rd);
	tv0 = (struct timeval){ 5, 0 };
	W("select, data", select(c + 1, &rd, NULL, NULL, &tv0), 1, 0);
	VW("select readable", !!FD_ISSET(c, &rd), 1);
	shutdown(s, SHUT_WR);
	W("epoll, peer FIN", epoll_wait(ep, got, 4, 5000), 1, 0);
	VW("events", got[0].events, EPOLLIN | EPOLLRDHUP);
	W("read", recv(c, in, sizeof(in), 0), 2, 0);
	W("read EOF", recv(c, in, sizeof(in), 0), 0, 0);
	/* Level-triggered, writability. */
	ev.events = EPOLLOUT;
	OK("EPOLL_CTL_MOD EPOLLOUT", epoll_ctl(ep, EPOLL_CTL_MOD, c, &ev));
	W("epoll, writable", epoll_wait(ep, got, 4, 0), 1, 0);
	VW("events", got[0].events, EPOLLOUT);
	W("epoll, writable again", epoll_wait(ep, got, 4, 0), 1, 0);
	close(ep);
	close(c);
	close(s);
}

/* ------------------------------------------------- non-blocking, reset */

CMP(nonblock_full)
{
	static char buf[65536], in[65536];
	long sent = 0, got = 0;
	int c, s, sz = 32768, i, eagain = 0;
	ssize_t r;

	NEED(!mk_pair(5000, &c, &s), "pair");
	setsockopt(c, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	OK("O_NONBLOCK", set_nonblock(c, 1));
	fill(buf, sizeof(buf), 4);
	/* Write until the buffers are full: EAGAIN, not a block. */
	for (i = 0; i < 4096; i++) {
		r = send(c, buf, sizeof(buf), 0);
		if (r < 0) {
			eagain = errno;
			break;
		}
		sent += r;
	}
	VW("writes end with EAGAIN", eagain, EAGAIN);
	VW("something was written", sent > 0, 1);
	/* Drain; everything arrives. */
	OK("blocking again", set_nonblock(c, 0));
	OK("SHUT_WR", shutdown(c, SHUT_WR));
	while ((r = recv(s, in, sizeof(in), 0)) > 0)
		got += r;
	rec_add("drained to EOF", r, r < 0 ? errno : 0, 1, 0, 0);
	VW("all bytes arrived", got == sent, 1);
	close(c);
	close(s);
}

CMP(reset_linger0)
{
	char in[4];
	int c, s, c2, s2;

	NEED(!mk_pair(5000, &c, &s), "pair");
	OK("peer SO_LINGER {1, 0}", set_linger0(s));
	OK("peer close", close(s));
	poll_until(c, POLLERR);
	FAILS("recv", recv(c, in, sizeof(in), 0), ECONNRESET);
	W("recv again", recv(c, in, sizeof(in), 0), 0, 0);
	FAILS("send MSG_NOSIGNAL", send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	VW("SO_ERROR", so_error(c), 0);
	FAILS("getpeername", getpeername(c, NULL, NULL), ENOTCONN);
	FAILS("shutdown after reset", shutdown(c, SHUT_RDWR), ENOTCONN);
	close(c);
	/* The first call after a reset is a send. */
	NEED(!mk_pair(5001, &c2, &s2), "pair");
	OK("peer SO_LINGER {1, 0}", set_linger0(s2));
	OK("peer close", close(s2));
	poll_until(c2, POLLERR);
	FAILS("send", send(c2, "x", 1, 0), ECONNRESET);
	VW("no SIGPIPE for ECONNRESET", g_sigpipe, 0);
	FAILS("send again", send(c2, "x", 1, 0), EPIPE);
	VW("SIGPIPE", g_sigpipe, 1);
	W("recv", recv(c2, in, sizeof(in), 0), 0, 0);
	close(c2);
}

CMP(close_unread_rst)
{
	char in[4];
	int c, s, c2, s2;

	NEED(!mk_pair(5000, &c, &s), "pair");
	W("send", send(c, "0123456789", 10, 0), 10, 0);
	poll_until(s, POLLIN);
	OK("close with 10 unread bytes", close(s));
	VW("peer poll", poll_until(c, POLLERR) & POLLERR, POLLERR);
	FAILS("recv", recv(c, in, sizeof(in), 0), ECONNRESET);
	close(c);
	/* Nothing unread: an orderly FIN. */
	NEED(!mk_pair(5001, &c2, &s2), "pair");
	W("send", send(c2, "0123456789", 10, 0), 10, 0);
	poll_until(s2, POLLIN);
	W("read 4", recv(s2, in, 4, MSG_WAITALL), 4, 0);
	W("read 4 more", recv(s2, in, 4, MSG_WAITALL), 4, 0);
	W("read the last 2", recv(s2, in, 4, 0), 2, 0);
	OK("close with nothing unread", close(s2));
	W("recv EOF", recv(c2, in, sizeof(in), 0), 0, 0);
	VW("SO_ERROR", so_error(c2), 0);
	close(c2);
}

/* ------------------------------------------------------------- blocking */

CMP(eintr_reader)
{
	struct timeval tv0 = { 0 };
	char in[8];
	pid_t k;
	int c, s;

	NEED(!mk_pair(5000, &c, &s), "pair");
	/* No SO_RCVTIMEO: the real blocking path (-ERESTARTSYS). */
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv0, sizeof(tv0));
	OK("SIGUSR1 handler, no SA_RESTART", handle(SIGUSR1, on_sigusr1, 0));
	k = kick_later(300, -1, 0);
	FAILS("blocked recv, signal", recv(c, in, sizeof(in), 0), EINTR);
	reap(k);
	VW("SIGUSR1 caught", g_sigusr1, 1);
	/* SA_RESTART: the read restarts and gets the data sent after. */
	OK("SIGUSR1 handler, SA_RESTART", handle(SIGUSR1, on_sigusr1, SA_RESTART));
	k = kick_later(300, s, 3);
	W("blocked recv, signal, SA_RESTART", recv(c, in, sizeof(in), 0), 3, 0);
	reap(k);
	VW("SIGUSR1 caught", g_sigusr1, 2);
	/* With SO_RCVTIMEO, a signal is EINTR even with SA_RESTART. */
	tv0.tv_sec = GUARD_S;
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv0, sizeof(tv0));
	k = kick_later(300, -1, 0);
	FAILS("blocked recv with SO_RCVTIMEO, signal, SA_RESTART",
	      recv(c, in, sizeof(in), 0), EINTR);
	reap(k);
	close(c);
	close(s);
}

struct bigwrite {
	int fd;
	char *buf;
	size_t len;
	long ret;
	int err;
	volatile int done;
};

static void *bigwrite_fn(void *arg)
{
	struct bigwrite *bw = arg;

	bw->ret = send(bw->fd, bw->buf, bw->len, 0);
	bw->err = bw->ret < 0 ? errno : 0;
	__atomic_store_n(&bw->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

CMP(blocked_writer)
{
	const size_t len = 2 << 20;
	char *buf = malloc(len), *in = malloc(len);
	struct bigwrite bw = { 0 };
	int l, c = mk(), s, sz = 32768;
	size_t got = 0;
	pthread_t t;
	ssize_t r = 0;

	NEED(buf && in && c >= 0, "setup");
	l = mk_listener(5000);
	NEED(l >= 0, "listener");
	/* Small buffers, set before the handshake, on both ends. */
	setsockopt(l, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(c, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	OK("connect", connect_to(c, LO, 5000));
	s = FD("accept", accept(l, NULL, NULL), 0);
	NEED(s >= 0, "accept");
	fill(buf, len, 5);
	bw = (struct bigwrite){ .fd = c, .buf = buf, .len = len };
	NEED(!pthread_create(&t, NULL, bigwrite_fn, &bw), "pthread_create");
	usleep(300000);
	/* 2 MiB cannot fit in 32 KiB buffers: the writer is blocked. */
	VW("writer blocked while nobody reads", __atomic_load_n(&bw.done, __ATOMIC_SEQ_CST), 0);
	while (got < len) {
		r = recv(s, in + got, len - got, 0);
		if (r <= 0)
			break;
		got += r;
	}
	rec_add("reader: last recv", got == len ? 0 : r,
		got == len || r == 0 ? 0 : errno, 1, 0, 0);
	pthread_join(t, NULL);
	VW("writer completed", bw.ret, len);
	VW("writer errno", bw.err, 0);
	VW("reader got everything", got, len);
	VW("byte-exact", !memcmp(buf, in, len), 1);
	close(c);
	close(s);
	close(l);
	free(buf);
	free(in);
}

/* -------------------------------------------------- mytcp-only checks */

TEST_F(api, af_mytcp_as_sin_family)
{
	struct sockaddr_in sin = sin_of(LO, 5000), got;
	socklen_t len = sizeof(got);
	int l, c, a, i;
	pid_t pid;

	/* In its own netns, like the comparisons. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid) {
		int st;

		ASSERT_EQ(pid, waitpid(pid, &st, 0));
		ASSERT_TRUE(WIFEXITED(st)) TH_LOG("child died, status %#x", st);
		EXPECT_EQ(0, WEXITSTATUS(st)) TH_LOG("check %d failed", WEXITSTATUS(st));
		return;
	}
	i = 1;
	if (unshare(CLONE_NEWNET) || lo_up())
		_exit(i);
	g_fam = self->family;
	sin.sin_family = self->family;
	l = mk();
	c = mk();
	i++;
	if (bind(l, SA(&sin), sizeof(sin)) || listen(l, 1))	/* 2 */
		_exit(i);
	i++;
	if (connect(c, SA(&sin), sizeof(sin)))			/* 3 */
		_exit(i);
	i++;
	a = accept(l, NULL, NULL);				/* 4 */
	if (a < 0)
		_exit(i);
	i++;
	if (getsockname(l, SA(&got), &len) || got.sin_family != AF_INET) /* 5 */
		_exit(i);
	i++;
	len = sizeof(got);
	if (getpeername(c, SA(&got), &len) || got.sin_family != AF_INET ||
	    ntohs(got.sin_port) != 5000)			/* 6 */
		_exit(i);
	i++;
	/* AF_INET itself does not take AF_MYTCP in sin_family. */
	a = socket(AF_INET, SOCK_STREAM, 0);
	if (!bind(a, SA(&sin), sizeof(sin)) || errno != EAFNOSUPPORT) /* 7 */
		_exit(i);
	_exit(0);
}

TEST_HARNESS_MAIN
