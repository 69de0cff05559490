// SPDX-License-Identifier: GPL-2.0
/*
 * bench_tool: throughput, request/response and connection-rate benchmark
 * for mytcp and Linux TCP with the same code path (scripts/bench.sh runs
 * it).  Not a test.
 *
 *   bench_tool -f mytcp|inet -l PORT [-b ADDR]                 server
 *   bench_tool -f mytcp|inet -c ADDR:PORT -m MODE [-d SECONDS] client
 *
 * The server accepts connections one after the other (forever); the first
 * byte of a connection picks the mode:
 *   bulk  the client writes 128 KiB buffers for -d seconds, half-closes and
 *         waits for the server's 8-byte count of what it read (so the time
 *         includes delivery); prints "bulk MBYTES_PER_S" (10^6 bytes).
 *   rr    1-byte request, 1-byte response, TCP_NODELAY on both sides, for
 *         -d seconds; prints "rr TRANSACTIONS_PER_S".
 *   crr   connect, 1-byte request, 1-byte response, close; repeated for
 *         -d seconds; prints "crr CONNECTIONS_PER_S".
 * Exit status 0 on success, 1 on any error (with a message).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/mytcp_helpers.h"

#define BULK_BUF (128 * 1024)

static int fam;

static void die(const char *what)
{
	fprintf(stderr, "bench_tool: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void nodelay(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		die("TCP_NODELAY");
}

static void timeouts(int fd)
{
	struct timeval tv = { .tv_sec = 30 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t r = write(fd, p, len);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		p += r;
		len -= r;
	}
}

static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t r = read(fd, p, len);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		if (r == 0)
			return 0;
		p += r;
		len -= r;
	}
	return 1;
}

static void serve(int fd)
{
	static char buf[BULK_BUF];
	char mode, c;
	uint64_t n = 0;
	ssize_t r;

	timeouts(fd);
	if (!read_full(fd, &mode, 1))
		return;
	switch (mode) {
	case 'B':
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			n += r;
		if (r < 0)
			die("server read");
		write_all(fd, &n, sizeof(n));
		break;
	case 'R':
		nodelay(fd);
		while (read_full(fd, &c, 1))
			write_all(fd, &c, 1);
		break;
	case 'C':	/* the mode byte is the request */
		write_all(fd, &mode, 1);
		break;
	}
}

static int connect_to(const struct sockaddr_in *sin)
{
	int fd = socket(fam, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	timeouts(fd);
	if (connect(fd, (const struct sockaddr *)sin, sizeof(*sin)))
		die("connect");
	return fd;
}

int main(int argc, char **argv)
{
	const char *fam_name = NULL, *bind_addr = "0.0.0.0", *peer = NULL;
	const char *mode = "bulk";
	double secs = 3, t0, t;
	int opt, port = 0;
	struct sockaddr_in sin = { .sin_family = AF_INET };

	while ((opt = getopt(argc, argv, "f:l:b:c:m:d:")) != -1) {
		switch (opt) {
		case 'f': fam_name = optarg; break;
		case 'l': port = atoi(optarg); break;
		case 'b': bind_addr = optarg; break;
		case 'c': peer = optarg; break;
		case 'm': mode = optarg; break;
		case 'd': secs = atof(optarg); break;
		default: goto usage;
		}
	}
	if (!fam_name || !port == !peer)
		goto usage;
	if (!strcmp(fam_name, "inet")) {
		fam = AF_INET;
	} else if (!strcmp(fam_name, "mytcp")) {
		fam = mytcp_family();
		if (fam < 0) {
			fprintf(stderr, "bench_tool: mytcp not loaded\n");
			return 1;
		}
	} else {
		goto usage;
	}
	signal(SIGPIPE, SIG_IGN);

	if (port) {
		int lfd = socket(fam, SOCK_STREAM, 0), one = 1;

		if (lfd < 0)
			die("socket");
		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		sin.sin_port = htons(port);
		if (inet_pton(AF_INET, bind_addr, &sin.sin_addr) != 1)
			goto usage;
		if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)))
			die("bind");
		if (listen(lfd, 128))
			die("listen");
		printf("listening\n");
		fflush(stdout);
		for (;;) {
			int fd = accept(lfd, NULL, NULL);

			if (fd < 0) {
				if (errno == EINTR || errno == ECONNABORTED)
					continue;
				die("accept");
			}
			serve(fd);
			close(fd);
		}
	}

	{
		char host[64], *colon;

		snprintf(host, sizeof(host), "%s", peer);
		colon = strrchr(host, ':');
		if (!colon)
			goto usage;
		*colon = 0;
		sin.sin_port = htons(atoi(colon + 1));
		if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
			goto usage;
	}

	if (!strcmp(mode, "bulk")) {
		static char buf[BULK_BUF];
		uint64_t sent = 0, got;
		int fd = connect_to(&sin);

		memset(buf, 0x5a, sizeof(buf));
		write_all(fd, "B", 1);
		t0 = now();
		do {
			write_all(fd, buf, sizeof(buf));
			sent += sizeof(buf);
		} while (now() - t0 < secs);
		if (shutdown(fd, SHUT_WR))
			die("shutdown");
		if (!read_full(fd, &got, sizeof(got)))
			die("bulk: no count from the server");
		t = now() - t0;
		if (got != sent) {
			fprintf(stderr, "bench_tool: server read %llu of %llu\n",
				(unsigned long long)got, (unsigned long long)sent);
			return 1;
		}
		printf("bulk %.2f\n", sent / t / 1e6);
		close(fd);
	} else if (!strcmp(mode, "rr")) {
		unsigned long long n = 0;
		int fd = connect_to(&sin);
		char c = 'x';

		nodelay(fd);
		write_all(fd, "R", 1);
		t0 = now();
		do {
			write_all(fd, &c, 1);
			if (!read_full(fd, &c, 1))
				die("rr: EOF");
			n++;
		} while ((n & 15) || now() - t0 < secs);
		t = now() - t0;
		printf("rr %.1f\n", n / t);
		close(fd);
	} else if (!strcmp(mode, "crr")) {
		unsigned long long n = 0;
		char c;

		t0 = now();
		do {
			int fd = connect_to(&sin);

			write_all(fd, "C", 1);
			if (!read_full(fd, &c, 1))
				die("crr: EOF");
			close(fd);
			n++;
		} while (now() - t0 < secs);
		t = now() - t0;
		printf("crr %.1f\n", n / t);
	} else {
		goto usage;
	}
	return 0;
usage:
	fprintf(stderr, "usage: bench_tool -f mytcp|inet -l PORT [-b ADDR]\n"
			"       bench_tool -f mytcp|inet -c ADDR:PORT -m bulk|rr|crr [-d SECONDS]\n");
	return 2;
}
