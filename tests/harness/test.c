// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* TAP reporting for the C test binaries (see test.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "test.h"

int test_case_failures;

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	test_case_failures++;
	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static bool selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

int test_run_all(const struct test_case *cases, size_t n, int argc, char **argv)
{
	int failed = 0, num = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < n; i++) {
		if (!selected(cases[i].name, argc, argv))
			continue;
		test_case_failures = 0;
		cases[i].fn();
		num++;
		if (test_case_failures) {
			failed++;
			printf("not ok %d - %s\n", num, cases[i].name);
		} else {
			printf("ok %d - %s\n", num, cases[i].name);
		}
	}
	printf("1..%d\n", num);
	return failed ? 1 : 0;
}

bool test_bytes_equal(const char *what, const void *got, size_t got_len,
		      const void *want, size_t want_len)
{
	const unsigned char *g = got, *w = want;
	size_t n = got_len < want_len ? got_len : want_len, i;

	for (i = 0; i < n && g[i] == w[i]; i++)
		;
	if (i == n && got_len == want_len)
		return true;
	test_case_failures++;
	printf("# %s: %zu bytes, expected %zu; first difference at byte %zu\n",
	       what, got_len, want_len, i);
	for (size_t row = i & ~(size_t)15; row < n && row < (i & ~(size_t)15) + 32; row += 16) {
		printf("#  %04zx got ", row);
		for (size_t k = row; k < row + 16 && k < got_len; k++)
			printf("%02x", g[k]);
		printf("\n#  %04zx want", row);
		for (size_t k = row; k < row + 16 && k < want_len; k++)
			printf("%02x", w[k]);
		printf("\n");
	}
	return false;
}
