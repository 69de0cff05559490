/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the mytcp C selftests.
 *
 * The module is loaded on demand from $MYTCP_KO (absolute path of the
 * built mytcp.ko, exported by the runner); tests skip when it is neither
 * loaded nor given.  The family is read from the module parameter, so a
 * module loaded with family=N is tested as N.
 */
#ifndef MYTCP_SELFTEST_HELPERS_H
#define MYTCP_SELFTEST_HELPERS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mytcp.h>

#define MYTCP_STAT_PATH "/proc/net/mytcp_stat"

static inline int mytcp_loaded(void)
{
	return access("/sys/module/mytcp", F_OK) == 0;
}

/* The family the loaded module registered, or -1. */
static inline int mytcp_family(void)
{
	FILE *f = fopen(MYTCP_FAMILY_PARAM, "r");
	int fam = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &fam) != 1)
		fam = -1;
	fclose(f);
	return fam;
}

/*
 * Make sure mytcp is loaded.  Returns 0 when it is, 1 when it is not and
 * $MYTCP_KO is not set (skip), -1 when loading failed.  mytcp_cubic.ko
 * from next to $MYTCP_KO is loaded too when it is there (CUBIC the
 * default, as mytcp_lib.sh's mytcp_load).
 */
static inline int mytcp_ensure_loaded(void)
{
	const char *ko = getenv("MYTCP_KO");
	char cmd[4200];

	if (mytcp_loaded())
		return 0;
	if (!ko || !*ko)
		return 1;
	if (strlen(ko) > 4000 || strchr(ko, '\''))
		return -1;
	snprintf(cmd, sizeof(cmd), "insmod '%s'", ko);
	if (system(cmd) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "c=\"$(dirname '%s')/mytcp_cubic.ko\"; [ ! -r \"$c\" ] || "
		 "[ -d /sys/module/mytcp_cubic ] || insmod \"$c\"", ko);
	if (system(cmd) != 0)
		fprintf(stderr, "# insmod mytcp_cubic.ko failed: reno the default\n");
	return mytcp_loaded() ? 0 : -1;
}

/*
 * Value of KEY in /proc/net/mytcp_stat ("name value" lines), or -1 when
 * the file or the key is missing.
 */
static inline long long mytcp_stat(const char *key)
{
	FILE *f = fopen(MYTCP_STAT_PATH, "r");
	char name[128];
	long long val, ret = -1;

	if (!f)
		return -1;
	while (fscanf(f, "%127s %lld", name, &val) == 2) {
		if (!strcmp(name, key)) {
			ret = val;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* Poll KEY until it equals WANT or TIMEOUT_MS passes; returns last value. */
static inline long long mytcp_stat_wait(const char *key, long long want,
					int timeout_ms)
{
	long long v = mytcp_stat(key);

	while (v != want && timeout_ms > 0) {
		usleep(10000);
		timeout_ms -= 10;
		v = mytcp_stat(key);
	}
	return v;
}

#endif /* MYTCP_SELFTEST_HELPERS_H */
