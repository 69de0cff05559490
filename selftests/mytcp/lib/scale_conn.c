// SPDX-License-Identifier: GPL-2.0
/*
 * scale_conn: many connections held at once from one client address, for
 * scale.sh and the "scale" case of scripts/bench.sh (issue 20).  Client
 * and server are one single-threaded process on one epoll set, so the
 * tool costs the same for both stacks and the kernel does the work.
 *
 *   scale_conn -f mytcp|inet -n N [-a ADDR] [-p PORT] [-P NPORTS]
 *              [-i INFLIGHT] [-s SAMPLES] [-c rst|fin] [-x] [-r SECONDS]
 *              [-t SECONDS]
 *       NPORTS listeners (default 8) on ADDR (default 127.0.0.1), ports
 *       PORT.. (default 5000); N non-blocking connects from ADDR, spread
 *       over the listeners, at most INFLIGHT (default 256) not yet
 *       established; every one accepted; all N held at once.  Then:
 *         - SAMPLES (default 32) connections, spread over the N, each
 *           send 4096 bytes of their own pattern, which the server echoes:
 *           byte-exact both ways;
 *         - /proc/net/mytcp (inet: /proc/net/tcp) of the namespace lists
 *           N established connections on the server side (local port a
 *           listener's) and N on the client side, and (mytcp) CurrEstab
 *           reads 2N;
 *         - -x: every connection sends 1 byte and reads its echo (memory
 *           "after use", below);
 *         - -r SECONDS: connect/request/response/close to the first
 *           listener for that long while the N are held;
 *         - every client closes: -c rst (default) with SO_LINGER 0, -c fin
 *           with an orderly close (the client then holds TIME_WAIT); the
 *           server closes each connection on its EOF or reset; with fin,
 *           the TIME_WAIT entries of the namespace are counted and must
 *           be more than 0.
 *       Prints "key value" lines: held, setup_per_s (N over the time from
 *       the first connect to the last accept), server_estab, client_estab,
 *       curr_estab, mem_* (below), crr_per_s, close_s, timewait.
 *       Memory, from /proc/meminfo before the first connect and with the
 *       N held (idle: no data yet; used: after -x): mem_slab_B, the Slab
 *       delta per connection, and mem_total_B, the delta of MemTotal -
 *       MemFree - Buffers - Cached (slab, page allocations, page tables;
 *       the tool's own arrays and fd table are allocated before the first
 *       reading) per connection, both ends together.  /proc/slabinfo's
 *       biggest deltas (objects per connection, bytes per connection) are
 *       printed as "# slab" lines.
 *
 *       -C FIFO: once the N are held, write "disable" to FIFO (perf
 *       record/stat --control fifo:FIFO), so that a profile covers the
 *       setup alone.
 *
 *   scale_conn -f mytcp|inet -u CYCLES [-a ADDR] [-p PORT] [-t SECONDS]
 *       churn: CYCLES times connect to ADDR:PORT, accept, 1-byte request
 *       and response, client closes first (it holds TIME_WAIT), server
 *       closes on EOF.  Prints churn_per_s.
 *
 * A connect() that fails prints "connect #K (held H): ERROR" (e.g.
 * EADDRNOTAVAIL when the ephemeral ports run out).  -t (default 600) is
 * a wall-clock guard against a stall, not a speed requirement.  Exit
 * status 0 when everything held, 1 with a message otherwise.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mytcp_helpers.h"

#define SAMPLE_LEN	4096
#define MAXPORTS	64
#define T_LISTEN	1ULL
#define T_CLIENT	2ULL
#define T_SERVER	3ULL
#define EV(t, i)	((t) << 32 | (uint32_t)(i))

static int fam, is_mytcp, n = 2000, nports = 8, inflight_max = 256;
static int samples = 32, use_rst = 1, exchange, tmo = 600;
static double crr_secs;
static const char *addr = "127.0.0.1";
static int base_port = 5000;
static const char *perf_ctl;	/* -C: perf's control fifo */
static struct sockaddr_in sin_base;

static int ep;
static int lfd[MAXPORTS];
static int *cfd, *sfd;		/* client fds by index, server by accept order */
static int nstarted, nestab, ninflight, naccepted, nsclosed;
static long echo_bytes;

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stdout, "scale_conn: FAIL: ");
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	exit(1);
}

static void on_alarm(int sig)
{
	static const char msg[] = "scale_conn: FAIL: wall-clock guard (-t) reached\n";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *ename(int e)
{
	switch (e) {
	case EADDRNOTAVAIL:
		return "EADDRNOTAVAIL";
	case EADDRINUSE:
		return "EADDRINUSE";
	case ECONNREFUSED:
		return "ECONNREFUSED";
	case ECONNRESET:
		return "ECONNRESET";
	case ETIMEDOUT:
		return "ETIMEDOUT";
	case ENOBUFS:
		return "ENOBUFS";
	case ENOMEM:
		return "ENOMEM";
	case EMFILE:
		return "EMFILE";
	case ENFILE:
		return "ENFILE";
	default:
		return "?";
	}
}

static void ep_ctl(int op, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	if (epoll_ctl(ep, op, fd, &ev))
		die("epoll_ctl: %s", strerror(errno));
}

static struct sockaddr_in port_addr(int port)
{
	struct sockaddr_in a = sin_base;

	a.sin_port = htons(port);
	return a;
}

static void make_listeners(void)
{
	int i, one = 1;

	for (i = 0; i < nports; i++) {
		struct sockaddr_in a = port_addr(base_port + i);
		int fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);

		if (fd < 0)
			die("socket: %s", strerror(errno));
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
			die("SO_REUSEADDR: %s", strerror(errno));
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
			die("bind %s:%d: %s", addr, base_port + i, strerror(errno));
		if (listen(fd, 4096))
			die("listen: %s", strerror(errno));
		lfd[i] = fd;
		ep_ctl(EPOLL_CTL_ADD, fd, EPOLLIN, EV(T_LISTEN, i));
	}
}

static void start_connect(void)
{
	struct sockaddr_in a = port_addr(base_port + nstarted % nports);
	int fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0)
		die("socket #%d (held %d): %s (%s)", nstarted + 1, nestab,
		    strerror(errno), ename(errno));
	if (!connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		cfd[nstarted++] = fd;
		nestab++;
		return;
	}
	if (errno != EINPROGRESS)
		die("connect #%d (held %d): %s (%s)", nstarted + 1, nestab,
		    strerror(errno), ename(errno));
	cfd[nstarted] = fd;
	ep_ctl(EPOLL_CTL_ADD, fd, EPOLLOUT, EV(T_CLIENT, nstarted));
	nstarted++;
	ninflight++;
}

static void do_accept(int li)
{
	for (;;) {
		int fd = accept4(lfd[li], NULL, NULL, 0);

		if (fd < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			die("accept (accepted %d): %s", naccepted,
			    strerror(errno));
		}
		if (naccepted >= n)
			die("more than %d connections accepted", n);
		sfd[naccepted] = fd;
		ep_ctl(EPOLL_CTL_ADD, fd, EPOLLIN, EV(T_SERVER, naccepted));
		naccepted++;
	}
}

static void client_done(int ci)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(cfd[ci], SOL_SOCKET, SO_ERROR, &err, &len))
		die("SO_ERROR: %s", strerror(errno));
	if (err)
		die("connect #%d (held %d) completed with %s (%s)", ci + 1,
		    nestab, strerror(err), ename(err));
	ep_ctl(EPOLL_CTL_DEL, cfd[ci], 0, 0);
	ninflight--;
	nestab++;
}

/* Server side: echo what arrives, close on EOF or reset. */
static void server_ready(int si)
{
	char buf[SAMPLE_LEN];
	ssize_t r = read(sfd[si], buf, sizeof(buf));

	if (r > 0) {
		if (write(sfd[si], buf, r) != r)
			die("server echo: %s", strerror(errno));
		echo_bytes += r;
		return;
	}
	if (r < 0 && errno != ECONNRESET)
		die("server read: %s", strerror(errno));
	ep_ctl(EPOLL_CTL_DEL, sfd[si], 0, 0);
	close(sfd[si]);
	sfd[si] = -1;
	nsclosed++;
}

/* One round of events; client events only matter while connecting. */
static void events(int ms)
{
	struct epoll_event evs[256];
	int i, k = epoll_wait(ep, evs, 256, ms);

	if (k < 0 && errno != EINTR)
		die("epoll_wait: %s", strerror(errno));
	for (i = 0; i < k; i++) {
		uint64_t t = evs[i].data.u64 >> 32;
		int idx = (uint32_t)evs[i].data.u64;

		if (t == T_LISTEN)
			do_accept(idx);
		else if (t == T_CLIENT)
			client_done(idx);
		else
			server_ready(idx);
	}
}

static void pattern(unsigned char *p, int len, int idx)
{
	uint32_t x = 2654435761u * (idx + 1);
	int i;

	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = x >> 16;
	}
}

static void sample(int ci)
{
	unsigned char out[SAMPLE_LEN], in[SAMPLE_LEN];
	int fd = cfd[ci], got = 0;

	pattern(out, SAMPLE_LEN, ci);
	if (write(fd, out, SAMPLE_LEN) != SAMPLE_LEN)
		die("sample %d: write: %s", ci, strerror(errno));
	while (got < SAMPLE_LEN) {
		ssize_t r = read(fd, in + got, SAMPLE_LEN - got);

		if (r > 0) {
			got += r;
			continue;
		}
		if (r == 0)
			die("sample %d: EOF after %d bytes", ci, got);
		if (errno != EAGAIN)
			die("sample %d: read: %s", ci, strerror(errno));
		events(1000);
	}
	if (memcmp(in, out, SAMPLE_LEN))
		die("sample %d: echo differs", ci);
}

/* Every connection: 1 byte each way. */
static void exchange_all(void)
{
	long want = echo_bytes + n;
	int i;
	char c;

	for (i = 0; i < n; i++)
		if (write(cfd[i], "x", 1) != 1)
			die("exchange %d: write: %s", i, strerror(errno));
	while (echo_bytes < want)
		events(1000);
	for (i = 0; i < n; i++) {
		struct pollfd p = { .fd = cfd[i], .events = POLLIN };

		if (poll(&p, 1, 10000) != 1 || read(cfd[i], &c, 1) != 1 ||
		    c != 'x')
			die("exchange %d: no echo", i);
	}
}

/* Established (st 01) entries by side, TIME_WAIT (st 06) entries. */
static void count_proc(int *server, int *client, int *tw)
{
	FILE *f = fopen(is_mytcp ? "/proc/net/mytcp" : "/proc/net/tcp", "r");
	unsigned int lp, rp, st;
	char line[512];

	*server = *client = *tw = 0;
	if (!f)
		die("/proc/net/%s: %s", is_mytcp ? "mytcp" : "tcp",
		    strerror(errno));
	if (!fgets(line, sizeof(line), f))
		die("/proc: empty");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %*d: %*x:%x %*x:%x %x", &lp, &rp, &st) != 3)
			continue;
		if (st == 6)
			(*tw)++;
		if (st != 1)
			continue;
		if (lp >= (unsigned int)base_port &&
		    lp < (unsigned int)(base_port + nports))
			(*server)++;
		else if (rp >= (unsigned int)base_port &&
			 rp < (unsigned int)(base_port + nports))
			(*client)++;
	}
	fclose(f);
}

struct meminfo {
	long total, mfree, buffers, cached, slab;
};

static void read_meminfo(struct meminfo *m)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char key[64];
	long v;

	memset(m, 0, sizeof(*m));
	if (!f)
		die("/proc/meminfo: %s", strerror(errno));
	while (fscanf(f, "%63s %ld kB\n", key, &v) == 2) {
		if (!strcmp(key, "MemTotal:"))
			m->total = v;
		else if (!strcmp(key, "MemFree:"))
			m->mfree = v;
		else if (!strcmp(key, "Buffers:"))
			m->buffers = v;
		else if (!strcmp(key, "Cached:"))
			m->cached = v;
		else if (!strcmp(key, "Slab:"))
			m->slab = v;
	}
	fclose(f);
}

#define MAXCACHES 512
struct slabent {
	char name[64];
	long objs, size;
};

static int read_slabinfo(struct slabent *s)
{
	FILE *f = fopen("/proc/slabinfo", "r");
	char line[512];
	int k = 0;

	if (!f)
		return 0;
	while (k < MAXCACHES && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %ld %*d %ld", s[k].name, &s[k].objs,
			   &s[k].size) == 3 && s[k].name[0] != '#')
			k++;
	}
	fclose(f);
	return k;
}

static void print_mem(const char *tag, const struct meminfo *a,
		      const struct meminfo *b)
{
	long used_a = a->total - a->mfree - a->buffers - a->cached;
	long used_b = b->total - b->mfree - b->buffers - b->cached;

	printf("mem_%s_slab_B %.0f\n", tag, (b->slab - a->slab) * 1024.0 / n);
	printf("mem_%s_total_B %.0f\n", tag, (used_b - used_a) * 1024.0 / n);
}

static void print_slab_delta(const struct slabent *a, int na,
			     const struct slabent *b, int nb)
{
	struct { const char *name; double objs, bytes; } top[8] = {};
	int i, j, k;

	for (j = 0; j < nb; j++) {
		long before = 0;
		double objs, bytes;

		for (i = 0; i < na; i++)
			if (!strcmp(a[i].name, b[j].name))
				before = a[i].objs;
		objs = (double)(b[j].objs - before) / n;
		bytes = objs * b[j].size;
		for (k = 0; k < 8; k++) {
			if (bytes > top[k].bytes) {
				memmove(&top[k + 1], &top[k],
					(7 - k) * sizeof(top[0]));
				top[k].name = b[j].name;
				top[k].objs = objs;
				top[k].bytes = bytes;
				break;
			}
		}
	}
	for (k = 0; k < 8 && top[k].name; k++)
		if (top[k].bytes >= 16)
			printf("# slab %-24s %6.2f objects %7.0f B per connection\n",
			       top[k].name, top[k].objs, top[k].bytes);
}

/* connect/request/response/close to the first listener, -r seconds. */
static void crr(void)
{
	struct sockaddr_in a = port_addr(base_port);
	double t0 = now(), t;
	long cycles = 0;
	char c;

	do {
		int fd = socket(fam, SOCK_STREAM, 0), s;
		struct pollfd p = { .fd = lfd[0], .events = POLLIN };

		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
			die("crr connect #%ld: %s (%s)", cycles + 1,
			    strerror(errno), ename(errno));
		if (poll(&p, 1, 10000) != 1)
			die("crr: nothing to accept");
		s = accept4(lfd[0], NULL, NULL, 0);
		if (s < 0)
			die("crr accept: %s", strerror(errno));
		if (write(fd, "C", 1) != 1 || read(s, &c, 1) != 1 ||
		    write(s, "S", 1) != 1 || read(fd, &c, 1) != 1)
			die("crr exchange: %s", strerror(errno));
		close(fd);
		if (read(s, &c, 1) != 0)
			die("crr: no EOF");
		close(s);
		cycles++;
		t = now() - t0;
	} while (t < crr_secs);
	printf("crr_per_s %.1f\n", cycles / t);
}

static void churn(long cycles)
{
	double t0 = now();
	long i;

	crr_secs = 0;
	for (i = 0; i < cycles; i++) {
		struct sockaddr_in a = port_addr(base_port);
		int fd = socket(fam, SOCK_STREAM, 0), s;
		char c;

		if (fd < 0)
			die("churn socket: %s", strerror(errno));
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
			die("connect #%ld (churn, %ld cycles done): %s (%s)",
			    i + 1, i, strerror(errno), ename(errno));
		s = accept4(lfd[0], NULL, NULL, 0);
		if (s < 0)
			die("churn accept: %s", strerror(errno));
		if (write(fd, "C", 1) != 1 || read(s, &c, 1) != 1 ||
		    write(s, "S", 1) != 1 || read(fd, &c, 1) != 1)
			die("churn exchange: %s", strerror(errno));
		close(fd);
		if (read(s, &c, 1) != 0)
			die("churn: no EOF");
		close(s);
	}
	printf("churn_cycles %ld\n", cycles);
	printf("churn_per_s %.1f\n", cycles / (now() - t0));
}

static void usage(void)
{
	fprintf(stderr,
		"usage: scale_conn -f mytcp|inet -n N [-a ADDR] [-p PORT] [-P NPORTS]\n"
		"                  [-i INFLIGHT] [-s SAMPLES] [-c rst|fin] [-x]\n"
		"                  [-r SECONDS] [-t SECONDS] [-C FIFO]\n"
		"       scale_conn -f mytcp|inet -u CYCLES [-a ADDR] [-p PORT]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct slabent slab_a[MAXCACHES], slab_b[MAXCACHES];
	int opt, i, server, client, tw, na, nb, step;
	struct meminfo m0, m1, m2;
	long churn_cycles = 0;
	double t0, t1;
	struct rlimit rl;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "f:n:a:p:P:i:s:c:xr:t:u:C:")) != -1) {
		switch (opt) {
		case 'f':
			is_mytcp = !strcmp(optarg, "mytcp");
			if (!is_mytcp && strcmp(optarg, "inet"))
				usage();
			break;
		case 'n':
			n = atoi(optarg);
			break;
		case 'a':
			addr = optarg;
			break;
		case 'p':
			base_port = atoi(optarg);
			break;
		case 'P':
			nports = atoi(optarg);
			break;
		case 'i':
			inflight_max = atoi(optarg);
			break;
		case 's':
			samples = atoi(optarg);
			break;
		case 'c':
			if (!strcmp(optarg, "rst"))
				use_rst = 1;
			else if (!strcmp(optarg, "fin"))
				use_rst = 0;
			else
				usage();
			break;
		case 'x':
			exchange = 1;
			break;
		case 'r':
			crr_secs = atof(optarg);
			break;
		case 't':
			tmo = atoi(optarg);
			break;
		case 'u':
			churn_cycles = atol(optarg);
			break;
		case 'C':
			perf_ctl = optarg;
			break;
		default:
			usage();
		}
	}
	if (n < 1 || nports < 1 || nports > MAXPORTS || inflight_max < 1 ||
	    samples < 0)
		usage();
	if (samples > n)
		samples = n;
	if (is_mytcp) {
		if (mytcp_ensure_loaded())
			die("mytcp not loaded and MYTCP_KO not usable");
		fam = mytcp_family();
		if (fam < 0)
			die("cannot read the mytcp family");
	} else {
		fam = AF_INET;
	}
	sin_base.sin_family = AF_INET;
	if (inet_pton(AF_INET, addr, &sin_base.sin_addr) != 1)
		die("bad address %s", addr);
	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	alarm(tmo);

	/* fds for both ends; the fd table grows before the first reading */
	rl.rlim_cur = rl.rlim_max = 2 * (rlim_t)n + nports + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("RLIMIT_NOFILE %lu: %s", (unsigned long)rl.rlim_cur,
		    strerror(errno));
	ep = epoll_create1(0);
	if (ep < 0)
		die("epoll_create1: %s", strerror(errno));
	make_listeners();
	if (churn_cycles) {
		churn(churn_cycles);
		return 0;
	}
	if (dup2(0, 2 * n + nports + 32) < 0)
		die("dup2: %s", strerror(errno));
	close(2 * n + nports + 32);
	cfd = calloc(n, sizeof(*cfd));
	sfd = calloc(n, sizeof(*sfd));
	if (!cfd || !sfd)
		die("out of memory");
	memset(cfd, 0xff, n * sizeof(*cfd));
	memset(sfd, 0xff, n * sizeof(*sfd));
	na = read_slabinfo(slab_a);
	read_meminfo(&m0);

	t0 = now();
	while (nestab < n || naccepted < n) {
		while (nstarted < n && ninflight < inflight_max)
			start_connect();
		events(1000);
	}
	t1 = now();
	if (perf_ctl) {
		int cfd_ctl = open(perf_ctl, O_WRONLY);

		if (cfd_ctl < 0 || write(cfd_ctl, "disable\n", 8) != 8)
			die("%s: %s", perf_ctl, strerror(errno));
		close(cfd_ctl);
	}
	/* wait for lazily freed memory (RCU, deferred work) to settle */
	usleep(200000);
	read_meminfo(&m1);
	nb = read_slabinfo(slab_b);
	printf("held %d\n", n);
	printf("setup_per_s %.1f\n", n / (t1 - t0));
	print_mem("idle", &m0, &m1);
	print_slab_delta(slab_a, na, slab_b, nb);

	step = samples ? n / samples : 0;
	for (i = 0; i < samples; i++)
		sample(i * step + (i * 7919) % (step ? step : 1));
	printf("samples_ok %d\n", samples);

	count_proc(&server, &client, &tw);
	printf("server_estab %d\n", server);
	printf("client_estab %d\n", client);
	if (is_mytcp)
		printf("curr_estab %lld\n", mytcp_stat("CurrEstab"));
	if (server != n || client != n)
		die("/proc/net/%s lists %d server and %d client connections established, want %d each",
		    is_mytcp ? "mytcp" : "tcp", server, client, n);
	if (is_mytcp && mytcp_stat("CurrEstab") != 2LL * n)
		die("CurrEstab is %lld, want %d", mytcp_stat("CurrEstab"),
		    2 * n);

	if (exchange) {
		exchange_all();
		usleep(200000);
		read_meminfo(&m2);
		print_mem("used", &m0, &m2);
	}
	if (crr_secs > 0)
		crr();

	t0 = now();
	for (i = 0; i < n; i++) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		if (use_rst &&
		    setsockopt(cfd[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
			die("SO_LINGER: %s", strerror(errno));
		close(cfd[i]);
		if (!(i & 255))
			events(0);
	}
	while (nsclosed < n)
		events(1000);
	printf("close_s %.2f\n", now() - t0);
	if (!use_rst) {
		count_proc(&server, &client, &tw);
		printf("timewait %d\n", tw);
		if (!tw)
			die("no TIME_WAIT entry after %d orderly closes", n);
	}
	for (i = 0; i < nports; i++)
		close(lfd[i]);
	return 0;
}
