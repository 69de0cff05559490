/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The comparison framework of sock_api.c and sockopts.c: a scenario runs
 * once on AF_INET and once on mytcp; every call's result is recorded (R,
 * W, OK, FAILS, FD, V, VW) and compare() checks that the two runs agree
 * record by record, and that AF_INET gives what the scenario expects.
 * Plus the socket helpers both use (every socket gets SO_RCVTIMEO and
 * SO_SNDTIMEO guards, so a stall fails instead of hanging).
 *
 * Include it after kselftest_harness.h, mytcp_helpers.h and the system
 * headers.  A file whose scenarios name ports it maps (sock_api.c: one
 * port range per run) defines CMP_PORT(port) first.
 */
#ifndef MYTCP_COMPARE_LIB_H
#define MYTCP_COMPARE_LIB_H

#ifndef CMP_PORT
#define CMP_PORT(port) (port)
#endif

#define MAXREC		128
#define GUARD_S		8	/* SO_RCVTIMEO/SO_SNDTIMEO of every socket */
#define LO		"127.0.0.1"
#define SILENT		"192.0.2.2"	/* routed to a veth nobody answers on */

struct rec {
	char label[48];
	long ret;
	int err;
	int has_want;
	long want_ret;
	int want_err;
};

struct result {
	int n;
	int broken;
	char why[256];
	struct rec r[MAXREC];
};

/* In a run: the family under test and where records go. */
static int g_fam;
static struct result *g_res;
static volatile sig_atomic_t g_sigpipe;

static void rec_add(const char *label, long ret, int err, int has_want,
		    long want_ret, int want_err)
{
	struct rec *r;

	if (g_res->n >= MAXREC) {
		g_res->broken = 1;
		snprintf(g_res->why, sizeof(g_res->why), "too many records");
		return;
	}
	r = &g_res->r[g_res->n++];
	snprintf(r->label, sizeof(r->label), "%s", label);
	r->ret = ret;
	r->err = err;
	r->has_want = has_want;
	r->want_ret = want_ret;
	r->want_err = want_err;
}

/* Record a call: its return value and errno. */
#define R(label, expr) ({						\
	long __r;							\
	errno = 0;							\
	__r = (long)(expr);						\
	rec_add(label, __r, __r == -1 ? errno : 0, 0, 0, 0);		\
	__r; })

/* ... and what Linux is expected to give. */
#define W(label, expr, wret, werr) ({					\
	long __r;							\
	errno = 0;							\
	__r = (long)(expr);						\
	rec_add(label, __r, __r == -1 ? errno : 0, 1, wret, werr);	\
	__r; })

#define OK(label, expr)		W(label, expr, 0, 0)
#define FAILS(label, expr, e)	W(label, expr, -1, e)

/*
 * A deliberate difference (Documentation/design.rst): the call fails with
 * e_inet on AF_INET and with e_mytcp on mytcp.  mytcp's errno is recorded
 * as e_inet, so that the two runs compare equal only when each family
 * gave its own.
 */
#define FAILS_AS(label, expr, e_inet, e_mytcp) ({			\
	long __r;							\
	int __e;							\
	errno = 0;							\
	__r = (long)(expr);						\
	__e = __r == -1 ? errno : 0;					\
	if (g_fam != AF_INET && __e == (e_mytcp))			\
		__e = (e_inet);						\
	rec_add(label, __r, __e, 1, -1, e_inet);			\
	__r; })

/* A call returning a descriptor: recorded as 0 (success) or -1 + errno. */
#define FD(label, expr, werr) ({					\
	long __r;							\
	errno = 0;							\
	__r = (long)(expr);						\
	rec_add(label, __r >= 0 ? 0 : -1, __r < 0 ? errno : 0, 1,	\
		(werr) ? -1 : 0, werr);					\
	__r; })

/* An observed value. */
#define V(label, val)		rec_add(label, (long)(val), 0, 0, 0, 0)

#define VW(label, val, want)	rec_add(label, (long)(val), 0, 1, (long)(want), 0)

/* Setup that must work for the scenario to mean anything. */
#define NEED(cond, fmt, ...) do {					\
	if (!(cond)) {							\
		broken("%s:%d: " fmt " (errno %s)", __func__, __LINE__,	\
		       ##__VA_ARGS__, strerror(errno));			\
		return;							\
	}								\
} while (0)

static void __attribute__((format(printf, 1, 2))) broken(const char *fmt, ...)
{
	va_list ap;

	if (g_res->broken)
		return;
	g_res->broken = 1;
	va_start(ap, fmt);
	vsnprintf(g_res->why, sizeof(g_res->why), fmt, ap);
	va_end(ap);
}

static struct sockaddr_in sin_of(const char *ip, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_port = htons(CMP_PORT(port));
	inet_pton(AF_INET, ip, &sin.sin_addr);
	return sin;
}

#define SA(sinp) ((struct sockaddr *)(sinp))

static void set_guards(int fd, int secs)
{
	struct timeval tv = { .tv_sec = secs };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int mk(void)
{
	int fd = socket(g_fam, SOCK_STREAM, 0);

	if (fd >= 0)
		set_guards(fd, GUARD_S);
	return fd;
}

static int bind_to(int fd, const char *ip, int port)
{
	struct sockaddr_in sin = sin_of(ip, port);

	return bind(fd, SA(&sin), sizeof(sin));
}

static int connect_to(int fd, const char *ip, int port)
{
	struct sockaddr_in sin = sin_of(ip, port);

	return connect(fd, SA(&sin), sizeof(sin));
}

static int mk_listener(int port)
{
	int fd = mk(), one = 1;

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind_to(fd, LO, port) || listen(fd, 16)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A connected pair *c (client) and *s (accepted) through port PORT. */
static int mk_pair(int port, int *c, int *s)
{
	int l = mk_listener(port);

	*c = *s = -1;
	if (l < 0)
		return -1;
	*c = mk();
	if (*c < 0 || connect_to(*c, LO, port))
		goto fail;
	*s = accept(l, NULL, NULL);
	if (*s < 0)
		goto fail;
	close(l);
	set_guards(*s, GUARD_S);
	return 0;
fail:
	close(l);
	if (*c >= 0)
		close(*c);
	*c = -1;
	return -1;
}

#define POLL_ALL (POLLIN | POLLPRI | POLLOUT | POLLRDHUP | POLLRDNORM | \
		  POLLRDBAND | POLLWRNORM | POLLWRBAND)

static int poll_now(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLL_ALL };

	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

/* Poll mask once any bit of WANT is set (up to 5 s), else the last mask. */
static int poll_until(int fd, int want)
{
	int i, m = 0;

	for (i = 0; i < 500; i++) {
		m = poll_now(fd);
		if (m < 0 || (m & want))
			break;
		usleep(10000);
	}
	return m;
}

static int set_nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -1;
	return fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

static int set_linger0(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	return setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

static void on_sigpipe(int sig)
{
	(void)sig;
	g_sigpipe++;
}

static int handle(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = { .sa_handler = fn, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static int lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), ret;

	if (fd < 0)
		return -1;
	strcpy(ifr.ifr_name, "lo");
	ret = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (!ret) {
		ifr.ifr_flags |= IFF_UP;
		ret = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return ret;
}

static void fill(char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		seed = seed * 1103515245 + 12345;
		buf[i] = seed >> 16;
	}
}

static const char *ename(int err)
{
	static char buf[8][32];
	static int i;
	const char *n = strerrorname_np(err);

	if (!err)
		return "0";
	if (n)
		return n;
	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "errno %d", err);
	return buf[i];
}

static void compare(struct __test_metadata *_metadata, const char *name,
		    struct result *in, struct result *my)
{
	int i, n = in->n > my->n ? in->n : my->n, bad = 0;

	if (in->broken)
		TH_LOG("%s: AF_INET run broken: %s", name, in->why);
	if (my->broken)
		TH_LOG("%s: mytcp run broken: %s", name, my->why);
	for (i = 0; i < n; i++) {
		struct rec *a = i < in->n ? &in->r[i] : NULL;
		struct rec *b = i < my->n ? &my->r[i] : NULL;

		if (a && a->has_want &&
		    (a->ret != a->want_ret || a->err != a->want_err)) {
			TH_LOG("%s: AF_INET itself: %s = %ld (%s), scenario expects %ld (%s)",
			       name, a->label, a->ret, ename(a->err),
			       a->want_ret, ename(a->want_err));
			bad++;
		}
		if (!a || !b) {
			TH_LOG("%s: record %d only in %s: %s", name, i,
			       a ? "AF_INET" : "mytcp", a ? a->label : b->label);
			bad++;
			continue;
		}
		if (strcmp(a->label, b->label)) {
			TH_LOG("%s: record %d: AF_INET '%s', mytcp '%s' (runs diverged)",
			       name, i, a->label, b->label);
			bad++;
			break;
		}
		if (a->ret != b->ret || a->err != b->err) {
			TH_LOG("%s: %s: AF_INET %ld (%s) [%#lx], mytcp %ld (%s) [%#lx]",
			       name, a->label, a->ret, ename(a->err), a->ret,
			       b->ret, ename(b->err), b->ret);
			bad++;
		}
	}
	if (bad || in->broken || my->broken) {
		TH_LOG("%s: records (AF_INET %d, mytcp %d):", name, in->n, my->n);
		for (i = 0; i < n; i++) {
			struct rec *a = i < in->n ? &in->r[i] : NULL;
			struct rec *b = i < my->n ? &my->r[i] : NULL;

			TH_LOG("  %2d %-40s %6ld %-12s | %-40s %6ld %s", i,
			       a ? a->label : "-", a ? a->ret : 0,
			       a ? ename(a->err) : "", b ? b->label : "-",
			       b ? b->ret : 0, b ? ename(b->err) : "");
		}
	}
	EXPECT_EQ(0, in->broken);
	EXPECT_EQ(0, my->broken);
	EXPECT_EQ(0, bad);
	EXPECT_LT(0, in->n);
}

#endif /* MYTCP_COMPARE_LIB_H */
