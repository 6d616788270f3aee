/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Minimal test harness: a table of named cases, each run once, reported as
 * TAP lines ("ok N - name" / "not ok N - name") that tests/run.sh counts.
 * A failed EXPECT records the failure with file:line and goes on; a failed
 * ASSERT also leaves the case. */
#ifndef XVS_TEST_H
#define XVS_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(void);
};

#define TEST_CASE(fn) { #fn, fn }

extern int test_case_failures;

void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define EXPECT(cond) \
	do { if (!(cond)) test_fail(__FILE__, __LINE__, "expected %s", #cond); } while (0)
#define ASSERT(cond) \
	do { if (!(cond)) { test_fail(__FILE__, __LINE__, "required %s", #cond); return; } } while (0)
#define EXPECT_EQ_INT(a, b) \
	do { long long _a = (long long)(a), _b = (long long)(b); \
	     if (_a != _b) test_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", \
				     #a, _a, #b, _b); } while (0)
#define EXPECT_STREQ(a, b) \
	do { const char *_a = (a), *_b = (b); \
	     if (!_a || !_b || strcmp(_a, _b)) \
		test_fail(__FILE__, __LINE__, "%s:\n  got      \"%s\"\n  expected \"%s\"", \
			  #a, _a ? _a : "(null)", _b ? _b : "(null)"); } while (0)

/* Runs every case (or those named in argv), prints TAP, returns the exit
 * status: 0 when all passed. */
int test_run_all(const struct test_case *cases, size_t n, int argc, char **argv);

#define TEST_MAIN(cases) \
	int main(int argc, char **argv) \
	{ return test_run_all(cases, sizeof(cases) / sizeof(cases[0]), argc, argv); }

/* Hex dump of the first difference between two buffers, for byte-exact
 * packet comparisons. Returns true when they are equal. */
bool test_bytes_equal(const char *what, const void *got, size_t got_len,
		      const void *want, size_t want_len);

#endif /* XVS_TEST_H */
