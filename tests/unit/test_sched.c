// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Scheduler conformance: the schedules rr and wrr build must be the
 * sequences IPVS's ip_vs_rr_schedule / ip_vs_wrr_schedule produce for the
 * same real servers in the same list order. The expected sequences below
 * were worked out by hand from IPVS's algorithm (see lib/sched_wrr.c). */
#include <stdlib.h>

#include "../../lib/internal.h"
#include "../../lib/sched.h"
#include "test.h"

struct sched_case {
	const char *sched;
	uint32_t weights[6];	/* list order: IPVS's newest-first */
	size_t n;
	const char *want;	/* one letter per pick: 'a' is weights[0], ... */
};

static const struct sched_case cases[] = {
	{ "rr", { 1, 1, 1 }, 3, "abc" },
	{ "rr", { 5, 1, 9 }, 3, "abc" },		/* rr ignores weights ... */
	{ "rr", { 1, 0, 1 }, 3, "ac" },			/* ... but skips weight 0 */
	{ "rr", { 0, 0 }, 2, "" },
	{ "wrr", { 1, 1, 1 }, 3, "abc" },
	{ "wrr", { 4, 3, 2 }, 3, "aababcabc" },
	{ "wrr", { 3, 2, 1 }, 3, "aababc" },
	{ "wrr", { 4, 2 }, 2, "aab" },			/* gcd 2: mw = 4 - 1 */
	{ "wrr", { 5, 1 }, 2, "aaaaab" },
	{ "wrr", { 2, 0, 1 }, 3, "aac" },
	{ "wrr", { 1, 3 }, 2, "bbab" },
	{ "wrr", { 0, 0, 0 }, 3, "" },
	{ "wrr", { 6, 4, 2 }, 3, "aababc" },		/* same as 3:2:1 */
};

static void build_case(const struct sched_case *c)
{
	const struct xvs_sched_ops *ops = xvs_sched_find(c->sched);
	struct xvs_sched_dest d[6];
	uint32_t ring[64];
	char got[65];
	int len;

	ASSERT(ops);
	for (size_t i = 0; i < c->n; i++)
		d[i] = (struct xvs_sched_dest){ .id = (uint32_t)i, .weight = c->weights[i] };
	len = ops->build(d, c->n, ring, 64);
	ASSERT(len >= 0 && len <= 64);
	for (int i = 0; i < len; i++)
		got[i] = (char)('a' + ring[i]);
	got[len] = 0;
	EXPECT_STREQ(got, c->want);
}

static void test_ipvs_sequences(void)
{
	for (size_t i = 0; i < XVS_ARRAY_SIZE(cases); i++) {
		int before = test_case_failures;

		build_case(&cases[i]);
		if (test_case_failures != before)
			printf("# case %zu (%s) failed\n", i, cases[i].sched);
	}
}

/* Over any whole number of periods, wrr hands out connections exactly in
 * proportion to the weights (what t_sched_rr_wrr.sh checks end to end). */
static void test_wrr_proportions(void)
{
	const uint32_t w[] = { 7, 5, 3, 1 };
	struct xvs_sched_dest d[4];
	uint32_t ring[64], count[4] = { 0 };
	int len;

	for (int i = 0; i < 4; i++)
		d[i] = (struct xvs_sched_dest){ .id = (uint32_t)i, .weight = w[i] };
	len = xvs_sched_wrr.build(d, 4, ring, 64);
	EXPECT_EQ_INT(len, 16);
	for (int i = 0; i < len; i++)
		count[ring[i]]++;
	for (int i = 0; i < 4; i++)
		EXPECT_EQ_INT(count[i], w[i]);
}

/* A period longer than the ring is scaled down, keeping every server. */
static void test_wrr_scaled(void)
{
	struct xvs_sched_dest d[2] = { { .id = 0, .weight = 100000 }, { .id = 1, .weight = 1 } };
	uint32_t *ring = calloc(XVS_RING_MAX_PER_SVC, sizeof(*ring)), seen[2] = { 0 };
	int len;

	ASSERT(ring);
	len = xvs_sched_wrr.build(d, 2, ring, XVS_RING_MAX_PER_SVC);
	EXPECT(len > 0 && len <= XVS_RING_MAX_PER_SVC);
	for (int i = 0; i < len; i++)
		seen[ring[i]]++;
	EXPECT(seen[1] >= 1);
	EXPECT(seen[0] > 1000 * seen[1] / 2);
	free(ring);
}

static void test_overloaded_skipped(void)
{
	struct xvs_sched_dest d[3] = {
		{ .id = 0, .weight = 1 }, { .id = 1, .weight = 1, .overloaded = true }, { .id = 2, .weight = 1 },
	};
	uint32_t ring[8];

	EXPECT_EQ_INT(xvs_sched_rr.build(d, 3, ring, 8), 2);
	EXPECT_EQ_INT(ring[1], 2);
	EXPECT_EQ_INT(xvs_sched_wrr.build(d, 3, ring, 8), 2);
}

static void test_registry(void)
{
	EXPECT(xvs_sched_exists("rr"));
	EXPECT(xvs_sched_exists("wrr"));
	EXPECT(!xvs_sched_exists("bogus"));
	EXPECT(xvs_sched_exists(xvs_sched_default()));
}

/* Ring segments: first fit among the services' segments, never overlapping
 * a live one (the service being rebuilt included). */
static void test_ring_alloc(void)
{
	struct xvs_svc_slot s[3] = { 0 };
	uint32_t off = 99;

	s[0].idx = 0, s[0].v.ring_off = 0, s[0].v.ring_len = 10;
	s[1].idx = 1, s[1].v.ring_off = 20, s[1].v.ring_len = 5;
	s[2].idx = 2, s[2].v.ring_off = 30, s[2].v.ring_len = 0;	/* empty: no segment */
	EXPECT_EQ_INT(xvs_ring_alloc(s, 3, UINT32_MAX, 10, &off), 0);
	EXPECT_EQ_INT(off, 10);
	EXPECT_EQ_INT(xvs_ring_alloc(s, 3, UINT32_MAX, 11, &off), 0);
	EXPECT_EQ_INT(off, 25);
	EXPECT_EQ_INT(xvs_ring_alloc(s, 3, 0, 15, &off), 0);	/* skipping svc 0 frees 0..9 */
	EXPECT_EQ_INT(off, 0);
	EXPECT(xvs_ring_alloc(s, 3, UINT32_MAX, XVS_RING_SLOTS, &off) < 0);
}

static const struct test_case tests[] = {
	TEST_CASE(test_ipvs_sequences),
	TEST_CASE(test_wrr_proportions),
	TEST_CASE(test_wrr_scaled),
	TEST_CASE(test_overloaded_skipped),
	TEST_CASE(test_registry),
	TEST_CASE(test_ring_alloc),
};

TEST_MAIN(tests)
