// SPDX-License-Identifier: GPL-2.0
/*
 * unit.c: runs the registered tests (see unit.h).  Exit status 1 when a
 * test failed.
 */
#include <stdio.h>
#include <string.h>
#include "unit.h"

static struct unit_test *head, **tail = &head;
static int failed_checks;

void unit_register(struct unit_test *t)
{
	*tail = t;
	tail = &t->next;
}

void unit_fail(const char *file, int line, const char *what)
{
	printf("# %s:%d: expected %s\n", file, line, what);
	failed_checks++;
}

void unit_fail_eq(const char *file, int line, const char *a, const char *b,
		  long long va, long long vb)
{
	printf("# %s:%d: %s == %s: %lld (0x%llx) != %lld (0x%llx)\n", file,
	       line, a, b, va, (unsigned long long)va, vb,
	       (unsigned long long)vb);
	failed_checks++;
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	int n = 0, pass = 0, fail = 0;
	struct unit_test *t;

	for (t = head; t; t = t->next) {
		int before = failed_checks;

		if (only && !strstr(t->name, only))
			continue;
		t->fn();
		n++;
		if (failed_checks == before) {
			printf("ok %d %s\n", n, t->name);
			pass++;
		} else {
			printf("not ok %d %s\n", n, t->name);
			fail++;
		}
	}
	printf("c: %d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
