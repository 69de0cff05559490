/* SPDX-License-Identifier: GPL-2.0 */
/*
 * unit.h: a small test harness for mytcp's pure logic in user space.
 *
 *	TEST(name) { EXPECT(cond); EXPECT_EQ(a, b); }
 *
 * Every TEST registers itself; unit.c runs them in file order and prints
 * one line per test ("ok N name" / "not ok N name" with the failed checks
 * as "# " lines), then "N passed, N failed".  An argument runs only the
 * tests whose name contains it.
 */
#ifndef _MYTCP_UNIT_H
#define _MYTCP_UNIT_H

struct unit_test {
	const char *name;
	void (*fn)(void);
	struct unit_test *next;
};

void unit_register(struct unit_test *t);
void unit_fail(const char *file, int line, const char *what);
void unit_fail_eq(const char *file, int line, const char *a, const char *b,
		  long long va, long long vb);

#define TEST(name)							\
	static void name(void);						\
	static struct unit_test unit_t_##name = { #name, name, 0 };	\
	__attribute__((constructor)) static void unit_r_##name(void)	\
	{								\
		unit_register(&unit_t_##name);				\
	}								\
	static void name(void)

#define EXPECT(cond)							\
	do {								\
		if (!(cond))						\
			unit_fail(__FILE__, __LINE__, #cond);		\
	} while (0)

#define EXPECT_EQ(a, b)							\
	do {								\
		long long unit_a = (long long)(a);			\
		long long unit_b = (long long)(b);			\
		if (unit_a != unit_b)					\
			unit_fail_eq(__FILE__, __LINE__, #a, #b,	\
				     unit_a, unit_b);			\
	} while (0)

#endif
