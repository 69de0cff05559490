// SPDX-License-Identifier: GPL-2.0
/*
 * load_conn: many connections through one listener, server and client in
 * one process (the server is a thread).  A tool for load.sh.
 *
 *   load_conn -f mytcp|inet -m seq -n N [-p PORT] [-t SECONDS]
 *       N connections one after the other: connect, send 16 bytes, read
 *       the 16-byte echo, close.
 *   load_conn -f mytcp|inet -m conc -n N [-p PORT] [-t SECONDS]
 *       N non-blocking connects at once, all N established together, then
 *       a 16-byte exchange on each, then all closed.
 *
 * The client closes first; the server reads EOF on every connection before
 * closing it, so every connection ends with an orderly FIN exchange.
 * Every socket has SO_RCVTIMEO/SO_SNDTIMEO (-t, default 20 s) and the run
 * an alarm, so a stall fails.  Exit status 0 when every exchange was
 * byte-exact, 1 with a message otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "lib/mytcp_helpers.h"

#define MSG 16

static int fam, n = 100, port = 6000, tmo = 20, conc;

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "load_conn: FAIL: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void on_alarm(int sig)
{
	static const char msg[] = "load_conn: FAIL: wall-clock limit reached\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

static void guards(int fd)
{
	struct timeval tv = { .tv_sec = tmo };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		die("SO_RCVTIMEO: %s", strerror(errno));
}

static int mk(void)
{
	int fd = socket(fam, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket: %s", strerror(errno));
	guards(fd);
	return fd;
}

static struct sockaddr_in addr(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sin;
}

static void msg_for(int i, char *buf)
{
	snprintf(buf, MSG + 1, "c%07u/%07u", (unsigned int)i % 10000000,
		 (unsigned int)n % 10000000);
}

static void send_all(int fd, const char *buf, size_t len, const char *what, int i)
{
	while (len) {
		ssize_t r = send(fd, buf, len, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("%s #%d: send: %s", what, i, r ? strerror(errno) : "0");
		buf += r;
		len -= r;
	}
}

static void recv_exact(int fd, char *buf, size_t len, const char *what, int i)
{
	while (len) {
		ssize_t r = recv(fd, buf, len, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("%s #%d: recv: %s", what, i, strerror(errno));
		if (!r)
			die("%s #%d: early EOF, %zu bytes missing", what, i, len);
		buf += r;
		len -= r;
	}
}

static void expect_eof(int fd, const char *what, int i)
{
	char c;
	ssize_t r = recv(fd, &c, 1, 0);

	if (r)
		die("%s #%d: want EOF, got %zd (%s)", what, i, r,
		    r < 0 ? strerror(errno) : "data");
}

static int lfd;

static void *server(void *arg)
{
	char buf[MSG];
	int i, *fds = NULL;

	(void)arg;
	if (conc) {
		fds = calloc(n, sizeof(*fds));
		if (!fds)
			die("calloc");
		for (i = 0; i < n; i++) {
			fds[i] = accept(lfd, NULL, NULL);
			if (fds[i] < 0)
				die("server: accept #%d of %d: %s", i, n, strerror(errno));
			guards(fds[i]);
		}
		/* All N established and accepted at once; now the exchanges. */
		for (i = 0; i < n; i++) {
			recv_exact(fds[i], buf, MSG, "server", i);
			send_all(fds[i], buf, MSG, "server", i);
		}
		for (i = 0; i < n; i++) {
			expect_eof(fds[i], "server", i);
			if (close(fds[i]))
				die("server: close #%d: %s", i, strerror(errno));
		}
		free(fds);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			die("server: accept #%d: %s", i, strerror(errno));
		guards(fd);
		recv_exact(fd, buf, MSG, "server", i);
		send_all(fd, buf, MSG, "server", i);
		expect_eof(fd, "server", i);
		if (close(fd))
			die("server: close #%d: %s", i, strerror(errno));
	}
	return NULL;
}

static void client_seq(void)
{
	struct sockaddr_in sin = addr();
	char out[MSG + 1], in[MSG];
	int i;

	for (i = 0; i < n; i++) {
		int fd = mk();

		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
			die("client: connect #%d: %s", i, strerror(errno));
		msg_for(i, out);
		send_all(fd, out, MSG, "client", i);
		recv_exact(fd, in, MSG, "client", i);
		if (memcmp(in, out, MSG))
			die("client #%d: echo mismatch", i);
		if (close(fd))
			die("client: close #%d: %s", i, strerror(errno));
	}
}

static void client_conc(void)
{
	struct sockaddr_in sin = addr();
	char out[MSG + 1], in[MSG];
	struct pollfd *pfd = calloc(n, sizeof(*pfd));
	int i, left = n;

	if (!pfd)
		die("calloc");
	for (i = 0; i < n; i++) {
		pfd[i].fd = mk();
		pfd[i].events = POLLOUT;
		if (fcntl(pfd[i].fd, F_SETFL, O_NONBLOCK))
			die("O_NONBLOCK: %s", strerror(errno));
		if (connect(pfd[i].fd, (struct sockaddr *)&sin, sizeof(sin)) &&
		    errno != EINPROGRESS)
			die("client: connect #%d: %s", i, strerror(errno));
	}
	/* Wait for every handshake. */
	while (left) {
		int r = poll(pfd, n, tmo * 1000);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("client: %d of %d connects still pending after %d s",
			    left, n, tmo);
		for (i = 0; i < n; i++) {
			int err = -1;
			socklen_t len = sizeof(err);

			if (!pfd[i].revents || pfd[i].fd < 0)
				continue;
			if (getsockopt(pfd[i].fd, SOL_SOCKET, SO_ERROR, &err, &len) || err)
				die("client: connect #%d: %s (revents %#x)", i,
				    strerror(err > 0 ? err : errno), pfd[i].revents);
			if (fcntl(pfd[i].fd, F_SETFL, 0))
				die("fcntl: %s", strerror(errno));
			pfd[i].fd = -pfd[i].fd - 1;	/* done: poll skips it */
			left--;
		}
	}
	for (i = 0; i < n; i++)
		pfd[i].fd = -pfd[i].fd - 1;
	for (i = 0; i < n; i++) {
		msg_for(i, out);
		send_all(pfd[i].fd, out, MSG, "client", i);
	}
	for (i = 0; i < n; i++) {
		msg_for(i, out);
		recv_exact(pfd[i].fd, in, MSG, "client", i);
		if (memcmp(in, out, MSG))
			die("client #%d: echo mismatch", i);
	}
	for (i = 0; i < n; i++)
		if (close(pfd[i].fd))
			die("client: close #%d: %s", i, strerror(errno));
	free(pfd);
}

int main(int argc, char **argv)
{
	const char *fam_name = NULL, *mode = NULL;
	struct sockaddr_in sin;
	pthread_t t;
	int opt, one = 1;

	while ((opt = getopt(argc, argv, "f:m:n:p:t:")) != -1) {
		switch (opt) {
		case 'f': fam_name = optarg; break;
		case 'm': mode = optarg; break;
		case 'n': n = atoi(optarg); break;
		case 'p': port = atoi(optarg); break;
		case 't': tmo = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (!fam_name || !mode || n <= 0 || optind != argc)
		goto usage;
	if (!strcmp(mode, "conc"))
		conc = 1;
	else if (strcmp(mode, "seq"))
		goto usage;
	if (!strcmp(fam_name, "inet"))
		fam = AF_INET;
	else if (!strcmp(fam_name, "mytcp"))
		fam = mytcp_family();
	else
		goto usage;
	if (fam < 0)
		die("mytcp not loaded");
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	alarm(10 * tmo + n / 10);

	lfd = mk();
	sin = addr();
	if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(lfd, conc ? n + 16 : 16))
		die("listener on 127.0.0.1:%d: %s", port, strerror(errno));
	if (pthread_create(&t, NULL, server, NULL))
		die("pthread_create");
	if (conc)
		client_conc();
	else
		client_seq();
	pthread_join(t, NULL);
	if (close(lfd))
		die("close listener: %s", strerror(errno));
	printf("load_conn: %s: %d %s connections, byte-exact echo, closed\n",
	       fam_name, n, conc ? "concurrent" : "sequential");
	return 0;
usage:
	fprintf(stderr, "usage: load_conn -f mytcp|inet -m seq|conc -n N [-p PORT] [-t S]\n");
	return 2;
}
