// SPDX-License-Identifier: GPL-2.0
/*
 * mod_cycle KO COUNT [PARAMS]: load and unload a module COUNT times with
 * finit_module(2)/delete_module(2), without spawning insmod/rmmod each
 * time (process start-up is what is slow in a TCG guest).  The module
 * name is taken from the file name (mytcp.ko -> mytcp).  Exit 0 when
 * every cycle worked; on failure says which step failed and why.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *params = argc > 3 ? argv[3] : "";
	char name[256], *dot;
	const char *base;
	int i, count, fd, tries;

	if (argc < 3) {
		fprintf(stderr, "usage: %s KO COUNT [PARAMS]\n", argv[0]);
		return 2;
	}
	count = atoi(argv[2]);
	base = strrchr(argv[1], '/');
	base = base ? base + 1 : argv[1];
	snprintf(name, sizeof(name), "%s", base);
	dot = strchr(name, '.');
	if (dot)
		*dot = '\0';

	for (i = 1; i <= count; i++) {
		fd = open(argv[1], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "open %s: %s\n", argv[1], strerror(errno));
			return 1;
		}
		if (syscall(SYS_finit_module, fd, params, 0)) {
			fprintf(stderr, "cycle %d: finit_module: %s\n", i, strerror(errno));
			close(fd);
			return 1;
		}
		close(fd);
		/* Deferred frees may hold the module for a moment: retry 5 s. */
		for (tries = 0; syscall(SYS_delete_module, name, O_NONBLOCK); tries++) {
			if ((errno != EWOULDBLOCK && errno != EBUSY) || tries >= 500) {
				fprintf(stderr, "cycle %d: delete_module: %s\n", i, strerror(errno));
				return 1;
			}
			usleep(10000);
		}
	}
	return 0;
}
