// SPDX-License-Identifier: GPL-2.0
/*
 * xfer: byte-exact transfer over mytcp or Linux TCP, in both directions,
 * with a half-close.  A tool for the interop tests, not a test itself.
 *
 *   xfer -f mytcp|inet -l PORT [-b ADDR] [options]    server
 *   xfer -f mytcp|inet -c ADDR:PORT [options]         client
 *
 * The client sends N bytes of a deterministic pseudo-random stream, then
 * shutdown(SHUT_WR).  The server reads to EOF, verifying every byte and
 * the count, then sends N bytes of a second stream and closes.  The client
 * verifies those and checks EOF.  Both sides must use the same -n and -s.
 *
 * Options:
 *   -n BYTES    bytes each way (suffix k, m, g: 1024-based; default 1m)
 *   -s SEED     stream seed (default 1)
 *   -t SECONDS  SO_RCVTIMEO/SO_SNDTIMEO of every socket, accept and connect
 *               included: a stall fails instead of hanging (default 20)
 *   -w SECONDS  wall-clock limit of the whole run (default 600)
 *   -r FILE     server: create FILE once listening (for scripts)
 *   -q          quiet: no summary line on success
 *
 * Exit status 0 when everything matched; 1 with a message on stderr on a
 * mismatch, a short or long count, a missing EOF, a timeout or an error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "lib/mytcp_helpers.h"

#define BUFSZ (256 * 1024)

static const char *role = "xfer";
static int quiet;

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xfer %s: FAIL: ", role);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void on_alarm(int sig)
{
	static const char msg[] = "xfer: FAIL: wall-clock limit (-w) reached\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

/* Byte i of stream SEED: byte i % 8 of splitmix64(seed, i / 8). */
static uint64_t mix(uint64_t seed, uint64_t block)
{
	uint64_t z = seed * 0x9e3779b97f4a7c15ULL + block + 1;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void gen(uint64_t seed, uint64_t off, unsigned char *buf, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint64_t pos = off + i, v = mix(seed, pos / 8);
		unsigned int b = pos % 8;

		for (; b < 8 && i < len; b++, i++)
			buf[i] = (unsigned char)(v >> (8 * b));
	}
}

static unsigned long long parse_size(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		die("bad size '%s'", s);
	switch (*end) {
	case 'g': case 'G': v <<= 10; /* fallthrough */
	case 'm': case 'M': v <<= 10; /* fallthrough */
	case 'k': case 'K': v <<= 10; end++; break;
	case 0: break;
	default: die("bad size '%s'", s);
	}
	if (*end)
		die("bad size '%s'", s);
	return v;
}

static void set_timeouts(int fd, int secs)
{
	struct timeval tv = { .tv_sec = secs };

	if (!secs)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		die("SO_RCVTIMEO/SO_SNDTIMEO: %s", strerror(errno));
}

static const char *errstr(int err)
{
	if (err == EAGAIN)
		return "timed out (SO_RCVTIMEO/SO_SNDTIMEO, -t)";
	return strerror(err);
}

static void send_stream(int fd, uint64_t seed, unsigned long long n)
{
	static unsigned char buf[BUFSZ];
	unsigned long long off = 0;

	while (off < n) {
		size_t len = n - off < BUFSZ ? n - off : BUFSZ, done = 0;

		gen(seed, off, buf, len);
		while (done < len) {
			ssize_t r = send(fd, buf + done, len - done, MSG_NOSIGNAL);

			if (r < 0) {
				if (errno == EINTR)
					continue;
				die("send at byte %llu of %llu: %s", off + done,
				    n, errstr(errno));
			}
			if (r == 0)
				die("send returned 0 at byte %llu", off + done);
			done += r;
		}
		off += len;
	}
}

/* Read to EOF, verifying N bytes of stream SEED. */
static void recv_stream(int fd, uint64_t seed, unsigned long long n)
{
	static unsigned char buf[BUFSZ], want[BUFSZ];
	unsigned long long off = 0;

	for (;;) {
		ssize_t r = recv(fd, buf, BUFSZ, 0), i;

		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("recv after %llu of %llu bytes: %s", off, n,
			    errstr(errno));
		}
		if (r == 0)
			break;
		if (off + r > n)
			die("received more than %llu bytes (at least %llu)",
			    n, off + r);
		gen(seed, off, want, r);
		if (memcmp(buf, want, r)) {
			for (i = 0; i < r && buf[i] == want[i]; i++)
				;
			die("data mismatch at byte %llu: got 0x%02x, want 0x%02x",
			    off + i, buf[i], want[i]);
		}
		off += r;
	}
	if (off != n)
		die("EOF after %llu bytes, want %llu", off, n);
}

static int get_family(const char *name)
{
	if (!strcmp(name, "inet"))
		return AF_INET;
	if (!strcmp(name, "mytcp")) {
		int fam = mytcp_family();

		if (fam < 0)
			die("mytcp not loaded (cannot read %s)", MYTCP_FAMILY_PARAM);
		return fam;
	}
	die("bad family '%s' (mytcp or inet)", name);
}

static void parse_addr(const char *s, struct sockaddr_in *sin)
{
	char host[64], *colon;
	unsigned long port;

	if (strlen(s) >= sizeof(host))
		die("bad address '%s'", s);
	strcpy(host, s);
	colon = strrchr(host, ':');
	if (!colon)
		die("address '%s' lacks :PORT", s);
	*colon = 0;
	port = strtoul(colon + 1, NULL, 10);
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	if (!port || port > 65535 || inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		die("bad address '%s'", s);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xfer -f mytcp|inet -l PORT [-b ADDR] [-r FILE] [opts]\n"
		"       xfer -f mytcp|inet -c ADDR:PORT [opts]\n"
		"opts:  -n BYTES -s SEED -t IO_TIMEOUT_S -w WALL_S -q\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *fam_name = NULL, *bind_addr = "0.0.0.0", *ready = NULL;
	const char *connect_to = NULL;
	unsigned long long n = 1 << 20;
	uint64_t seed = 1, s_up, s_down;
	int port = 0, tmo = 20, wall = 600, opt, fam, fd;
	struct sockaddr_in sin;

	while ((opt = getopt(argc, argv, "f:l:b:c:n:s:t:w:r:q")) != -1) {
		switch (opt) {
		case 'f': fam_name = optarg; break;
		case 'l': port = atoi(optarg); break;
		case 'b': bind_addr = optarg; break;
		case 'c': connect_to = optarg; break;
		case 'n': n = parse_size(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 't': tmo = atoi(optarg); break;
		case 'w': wall = atoi(optarg); break;
		case 'r': ready = optarg; break;
		case 'q': quiet = 1; break;
		default: usage();
		}
	}
	if (!fam_name || optind != argc || (!port == !connect_to))
		usage();
	role = connect_to ? "client" : "server";
	fam = get_family(fam_name);
	s_up = seed * 2;	/* client -> server */
	s_down = seed * 2 + 1;	/* server -> client */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	alarm(wall);

	if (connect_to) {
		parse_addr(connect_to, &sin);
		fd = socket(fam, SOCK_STREAM, 0);
		if (fd < 0)
			die("socket(%s): %s", fam_name, strerror(errno));
		set_timeouts(fd, tmo);
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
			die("connect %s: %s", connect_to, errstr(errno));
		send_stream(fd, s_up, n);
		if (shutdown(fd, SHUT_WR))
			die("shutdown(SHUT_WR): %s", strerror(errno));
		recv_stream(fd, s_down, n);
		/* EOF stays EOF. */
		{
			char c;
			ssize_t r = recv(fd, &c, 1, MSG_DONTWAIT);

			if (r != 0)
				die("second read after EOF: %zd (%s)", r,
				    r < 0 ? strerror(errno) : "data");
		}
		if (close(fd))
			die("close: %s", strerror(errno));
	} else {
		int lfd, one = 1;

		if (port <= 0 || port > 65535)
			die("bad port %d", port);
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(port);
		if (inet_pton(AF_INET, bind_addr, &sin.sin_addr) != 1)
			die("bad bind address '%s'", bind_addr);
		lfd = socket(fam, SOCK_STREAM, 0);
		if (lfd < 0)
			die("socket(%s): %s", fam_name, strerror(errno));
		if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
			die("SO_REUSEADDR: %s", strerror(errno));
		set_timeouts(lfd, tmo);
		if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)))
			die("bind %s:%d: %s", bind_addr, port, strerror(errno));
		if (listen(lfd, 8))
			die("listen: %s", strerror(errno));
		if (ready) {
			int rfd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);

			if (rfd < 0)
				die("cannot create %s: %s", ready, strerror(errno));
			close(rfd);
		}
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			die("accept: %s", errstr(errno));
		close(lfd);
		set_timeouts(fd, tmo);
		recv_stream(fd, s_up, n);
		send_stream(fd, s_down, n);
		if (close(fd))
			die("close: %s", strerror(errno));
	}
	if (!quiet)
		printf("xfer %s: %s: %llu bytes each way, byte-exact\n", role,
		       fam_name, n);
	return 0;
}
