// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Conformance of the hash schedulers (sh, dh, mh) with IPVS: the hashes
 * against the kernel's own test vectors and hand-worked values, the tables
 * against references written here from IPVS's algorithms (not by calling
 * the code under test), weight proportions, and Maglev's disruption when a
 * real server goes away. The data plane's reading of the tables is checked
 * by tests/pkt/test_dp_sched_hash.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include "../../lib/internal.h"
#include "../../lib/sched.h"
#include "../../lib/sched_hash.h"
#include "test.h"
#include "xvs/xvs.h"

#define MH_M		4093	/* IPVS's default mh table size (a prime) */
#define SH_N		256	/* IPVS's sh/dh table size */
#define MAX_RS		16

/* ---- reference SipHash-c-d, generic over bytes ------------------------ */

static uint64_t ref_rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static void ref_sipround(uint64_t *v0, uint64_t *v1, uint64_t *v2, uint64_t *v3)
{
	*v0 += *v1; *v1 = ref_rotl(*v1, 13); *v1 ^= *v0; *v0 = ref_rotl(*v0, 32);
	*v2 += *v3; *v3 = ref_rotl(*v3, 16); *v3 ^= *v2;
	*v0 += *v3; *v3 = ref_rotl(*v3, 21); *v3 ^= *v0;
	*v2 += *v1; *v1 = ref_rotl(*v1, 17); *v1 ^= *v2; *v2 = ref_rotl(*v2, 32);
}

static uint64_t ref_le64(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* SipHash-c-d (Aumasson, Bernstein) of m[0..len) under key k0, k1. */
static uint64_t ref_siphash(int c, int d, uint64_t k0, uint64_t k1, const uint8_t *m, size_t len)
{
	uint64_t v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1;
	uint64_t v2 = 0x6c7967656e657261ull ^ k0, v3 = 0x7465646279746573ull ^ k1;
	size_t full = len - len % 8;
	uint64_t b;

	for (size_t i = 0; i < full; i += 8) {
		uint64_t w = ref_le64(m + i, 8);

		v3 ^= w;
		for (int r = 0; r < c; r++)
			ref_sipround(&v0, &v1, &v2, &v3);
		v0 ^= w;
	}
	b = (uint64_t)len << 56 | ref_le64(m + full, len - full);
	v3 ^= b;
	for (int r = 0; r < c; r++)
		ref_sipround(&v0, &v1, &v2, &v3);
	v0 ^= b;
	v2 ^= 0xff;
	for (int r = 0; r < d; r++)
		ref_sipround(&v0, &v1, &v2, &v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

/* hsiphash() of a u32 on a 64-bit kernel: SipHash-1-3 over its 4 bytes in
 * memory (little-endian on the x86/arm64 hosts xvs targets), truncated. */
static uint32_t ref_hsiphash_u32(uint32_t v, uint64_t k0, uint64_t k1)
{
	uint8_t m[4] = { v & 0xff, v >> 8 & 0xff, v >> 16 & 0xff, v >> 24 };

	return (uint32_t)ref_siphash(1, 3, k0, k1, m, 4);
}

/* lib/siphash_kunit.c: key 00..0f, message 00 01 .. (i-1) of length i. */
#define KUNIT_K0 0x0706050403020100ull
#define KUNIT_K1 0x0f0e0d0c0b0a0908ull
static const uint64_t kunit_siphash24[8] = {
	0x726fdb47dd0e0e31ull, 0x74f839c593dc67fdull, 0x0d6c8009d9a94f5aull,
	0x85676696d7fb7e2dull, 0xcf2794e0277187b7ull, 0x18765564cd99a68dull,
	0xcbc9466e58fee3ceull, 0xab0200f58b01d137ull,
};
static const uint32_t kunit_hsiphash64[8] = {	/* the BITS_PER_LONG == 64 table */
	0x050fc4dcu, 0x7d57ca93u, 0x4dc7d44du, 0xe7ddf7fbu,
	0x88d38328u, 0x49533b67u, 0xc59f22a7u, 0x9bb11140u,
};

static void reference_siphash_matches_kernel_vectors(void)
{
	uint8_t m[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };

	for (size_t i = 0; i < 8; i++) {
		EXPECT(ref_siphash(2, 4, KUNIT_K0, KUNIT_K1, m, i) == kunit_siphash24[i]);
		EXPECT_EQ_INT((uint32_t)ref_siphash(1, 3, KUNIT_K0, KUNIT_K1, m, i),
			      kunit_hsiphash64[i]);
	}
}

static void hsiphash_is_the_kernels(void)
{
	/* hsiphash_1u32(0x03020100) is the kernel's vector 4 */
	EXPECT_EQ_INT(xvs_hsiphash_u32(0x03020100u, KUNIT_K0, KUNIT_K1), 0x88d38328u);
	for (uint32_t i = 0; i < 100000; i++) {
		uint32_t v = i * 2654435761u + 12345;

		EXPECT_EQ_INT(xvs_hsiphash_u32(v, XVS_MH_HASH1_KEY, XVS_MH_HASH1_KEY),
			      ref_hsiphash_u32(v, 2654435761ull, 2654435761ull));
		EXPECT_EQ_INT(xvs_hsiphash_u32(v, XVS_MH_HASH2_KEY, XVS_MH_HASH2_KEY),
			      ref_hsiphash_u32(v, 2654446892ull, 2654446892ull));
		if (test_case_failures)
			break;
	}
}

/* hash_32(v, 8) worked by hand: the top byte of v * 0x61C88647 mod 2^32. */
static void hash_32_hand_worked(void)
{
	EXPECT_EQ_INT(xvs_hash_32(1, 8), 0x61);			/* 0x61c88647 */
	EXPECT_EQ_INT(xvs_hash_32(2, 8), 0xc3);			/* 0xc3910c8e */
	EXPECT_EQ_INT(xvs_hash_32(3, 8), 0x25);			/* 0x1|255992d5 */
	/* 10.0.0.1: 0x61c88647 + (0x0a * 0x47 mod 256 = 0xc6) << 24 = 0x27c88647 */
	EXPECT_EQ_INT(xvs_hash_32(0x0a000001u, 8), 0x27);
	EXPECT_EQ_INT(xvs_hash_32(0, 8), 0);
	EXPECT_EQ_INT(xvs_hash_32(1, 12), 0x61c);
}

/* ---- building tables through the registry ---------------------------- */

struct rs_set {
	uint32_t weight[MAX_RS];	/* list order: IPVS's newest first */
	size_t n;
};

static void to_dests(const struct rs_set *s, struct xvs_sched_dest *d)
{
	for (size_t i = 0; i < s->n; i++)
		d[i] = (struct xvs_sched_dest){
			.id = (uint32_t)i, .weight = s->weight[i],
			.addr = htonl(0x0a000001u + (uint32_t)i), .port = htons(80),
		};
}

static int build(const char *sched, const struct rs_set *s, uint32_t *ring)
{
	const struct xvs_sched_ops *ops = xvs_sched_find(sched);
	struct xvs_sched_dest d[MAX_RS];

	if (!ops)
		return -ENOENT;
	to_dests(s, d);
	return ops->build(d, s->n, ring, XVS_RING_MAX_PER_SVC);
}

static void count_ids(const uint32_t *ring, int len, uint32_t *count)
{
	for (int i = 0; i < len; i++)
		count[ring[i]]++;
}

/* ---- sh and dh ----------------------------------------------------------- */

/* ip_vs_sh_reassign as a repeating sequence: each server appears
 * max(weight, 1) times in a row, in list order. */
static uint32_t ref_sh_bucket(const struct rs_set *s, uint32_t b)
{
	uint32_t period = 0, pos;

	for (size_t i = 0; i < s->n; i++)
		period += s->weight[i] ? s->weight[i] : 1;
	pos = b % period;
	for (size_t i = 0; i < s->n; i++) {
		uint32_t run = s->weight[i] ? s->weight[i] : 1;

		if (pos < run)
			return (uint32_t)i;
		pos -= run;
	}
	return UINT32_MAX;
}

static const struct rs_set sh_sets[] = {
	{ { 1, 1, 1 }, 3 },
	{ { 3, 2, 1 }, 3 },
	{ { 1, 0, 1 }, 3 },		/* weight 0 still takes one bucket */
	{ { 5 }, 1 },
	{ { 100, 200, 7, 1 }, 4 },	/* runs longer than the table */
	{ { 2, 3, 5, 7, 11, 13, 17, 19, 23, 29 }, 10 },
};

static void sh_table_is_ipvs(void)
{
	uint32_t *ring = calloc(XVS_RING_MAX_PER_SVC, sizeof(*ring));

	ASSERT(ring);
	for (size_t k = 0; k < XVS_ARRAY_SIZE(sh_sets); k++) {
		int len = build("sh", &sh_sets[k], ring);
		int bad = 0;

		EXPECT_EQ_INT(len, SH_N);
		for (int b = 0; b < len && b < SH_N; b++)
			bad += ring[b] != ref_sh_bucket(&sh_sets[k], (uint32_t)b);
		if (bad)
			test_fail(__FILE__, __LINE__, "sh set %zu: %d buckets differ", k, bad);
	}
	free(ring);
}

/* 3:2:1 gives runs aaabbc; 256 = 42 * 6 + 4, the last 4 being aaab. */
static void sh_weight_proportions_hand_worked(void)
{
	struct rs_set s = { { 3, 2, 1 }, 3 };
	uint32_t ring[SH_N], count[3] = { 0 };

	ASSERT(build("sh", &s, ring) == SH_N);
	count_ids(ring, SH_N, count);
	EXPECT_EQ_INT(count[0], 129);
	EXPECT_EQ_INT(count[1], 85);
	EXPECT_EQ_INT(count[2], 42);
}

static void dh_table_is_ipvs(void)
{
	struct rs_set s = { { 5, 0, 1, 9 }, 4 };	/* weights play no part */
	uint32_t ring[SH_N];

	ASSERT(build("dh", &s, ring) == SH_N);
	for (uint32_t b = 0; b < SH_N; b++)
		EXPECT_EQ_INT(ring[b], b % 4);
}

static void no_available_server_no_table(void)
{
	struct rs_set none = { { 0, 0 }, 2 }, empty = { { 0 }, 0 };
	uint32_t ring[MH_M];

	EXPECT_EQ_INT(build("sh", &none, ring), 0);
	EXPECT_EQ_INT(build("dh", &none, ring), 0);
	EXPECT_EQ_INT(build("mh", &none, ring), 0);
	EXPECT_EQ_INT(build("sh", &empty, ring), 0);
	EXPECT_EQ_INT(build("dh", &empty, ring), 0);
	EXPECT_EQ_INT(build("mh", &empty, ring), 0);
}

/* ---- mh ----------------------------------------------------------------- */

static uint32_t ref_gcd(uint32_t a, uint32_t b)
{
	return b ? ref_gcd(b, a % b) : a;
}

/* Maglev as the paper states it (permutation[i][j] = (offset_i + j *
 * skip_i) mod M), with IPVS's choices: offset and skip from hsiphash of
 * ntohs(port) + ntohl(addr) under its two fixed keys, servers taking turns
 * in list order, each claiming (weight / gcd) >> shift positions per turn
 * (at least one when its weight is not 0), shift keeping the largest
 * claim within 6 bits. */
static void ref_maglev(const struct xvs_sched_dest *d, size_t n, uint32_t *table)
{
	uint32_t offset[MAX_RS], skip[MAX_RS], next[MAX_RS] = { 0 }, turns[MAX_RS];
	uint32_t g = 0, max = 0, filled = 0;
	static bool taken[MH_M];
	int bits = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t key = ntohs(d[i].port) + ntohl(d[i].addr);

		offset[i] = ref_hsiphash_u32(key, 2654435761ull, 2654435761ull) % MH_M;
		skip[i] = ref_hsiphash_u32(key, 2654446892ull, 2654446892ull) % (MH_M - 1) + 1;
		if (d[i].weight)
			g = ref_gcd(d[i].weight, g);
		if (d[i].weight > max)
			max = d[i].weight;
	}
	for (uint32_t m = max / g; m; m >>= 1)
		bits++;
	for (size_t i = 0; i < n; i++) {
		turns[i] = (d[i].weight / g) >> (bits > 6 ? bits - 6 : 0);
		if (!turns[i] && d[i].weight)
			turns[i] = 1;
	}
	memset(taken, 0, sizeof(taken));
	while (filled < MH_M) {
		for (size_t i = 0; i < n && filled < MH_M; i++) {
			for (uint32_t t = 0; t < turns[i] && filled < MH_M; t++) {
				uint32_t c;

				do {
					c = (uint32_t)(((uint64_t)offset[i] +
							(uint64_t)next[i] * skip[i]) % MH_M);
					next[i]++;
				} while (taken[c]);
				taken[c] = true;
				table[c] = d[i].id;
				filled++;
			}
		}
	}
}

static const struct rs_set mh_sets[] = {
	{ { 1, 1, 1 }, 3 },
	{ { 3, 2, 1 }, 3 },
	{ { 1, 0, 1 }, 3 },		/* weight 0: no turns */
	{ { 1000, 1 }, 2 },		/* shifted: 1000 >> 4 = 62 vs 1 */
	{ { 4, 4, 8, 12 }, 4 },		/* gcd 4 */
	{ { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, 10 },
	{ { 65535, 300, 7, 1, 1 }, 5 },
};

static void mh_table_is_ipvs(void)
{
	uint32_t *ring = calloc(XVS_RING_MAX_PER_SVC, sizeof(*ring)), want[MH_M];
	struct xvs_sched_dest d[MAX_RS];

	ASSERT(ring);
	for (size_t k = 0; k < XVS_ARRAY_SIZE(mh_sets); k++) {
		int len = build("mh", &mh_sets[k], ring), bad = 0;

		to_dests(&mh_sets[k], d);
		ref_maglev(d, mh_sets[k].n, want);
		EXPECT_EQ_INT(len, MH_M);
		for (int b = 0; b < len && b < MH_M; b++)
			bad += ring[b] != want[b];
		if (bad)
			test_fail(__FILE__, __LINE__, "mh set %zu: %d positions differ", k, bad);
	}
	free(ring);
}

/* Turns per round are weight / gcd (shifted), so the table follows the
 * weights to the position: 3:2:1 fills 682 rounds of 6 (4092) and the
 * first server takes the last position; 1000:1 is shifted by 4 (fls(1000)
 * = 10 > 6) to 62:1, 64 rounds of 63 (4032) and 61 more for the first. */
static void mh_weight_proportions_hand_worked(void)
{
	struct rs_set a = { { 3, 2, 1 }, 3 }, b = { { 1000, 1 }, 2 };
	uint32_t ring[MH_M], ca[3] = { 0 }, cb[2] = { 0 };

	ASSERT(build("mh", &a, ring) == MH_M);
	count_ids(ring, MH_M, ca);
	EXPECT_EQ_INT(ca[0], 3 * 682 + 1);
	EXPECT_EQ_INT(ca[1], 2 * 682);
	EXPECT_EQ_INT(ca[2], 682);
	ASSERT(build("mh", &b, ring) == MH_M);
	count_ids(ring, MH_M, cb);
	EXPECT_EQ_INT(cb[0], 64 * 62 + 61);
	EXPECT_EQ_INT(cb[1], 64);
}

static void mh_too_many_servers(void)
{
	size_t n = MH_M + 1;
	struct xvs_sched_dest *d = calloc(n, sizeof(*d));
	uint32_t *ring = calloc(XVS_RING_MAX_PER_SVC, sizeof(*ring));

	ASSERT(d && ring);
	for (size_t i = 0; i < n; i++)
		d[i] = (struct xvs_sched_dest){ .id = (uint32_t)i, .weight = 1,
						.addr = htonl(0x0a000000u + (uint32_t)i) };
	EXPECT_EQ_INT(xvs_sched_mh.build(d, n, ring, XVS_RING_MAX_PER_SVC), -EINVAL);
	free(d);
	free(ring);
}

/* ---- Maglev disruption -------------------------------------------------- */

#define SAMPLES 10000

/* Builds mh over servers 0..n-1 (weight 1) without server `gone` (n: none),
 * keeping the ids, into ring. */
static int mh_without(size_t n, size_t gone, uint32_t *ring)
{
	struct xvs_sched_dest d[MAX_RS];
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (i != gone)
			d[k++] = (struct xvs_sched_dest){
				.id = (uint32_t)i, .weight = 1,
				.addr = htonl(0xc0a80a01u + (uint32_t)i), .port = htons(80),
			};
	return xvs_sched_mh.build(d, k, ring, XVS_RING_MAX_PER_SVC);
}

/* Removing one of n servers must move that server's clients and hardly
 * anyone else's: Maglev's promise, about 1/n of all clients. */
static void disruption(size_t n, double table_bound, double client_bound)
{
	uint32_t *before = calloc(XVS_RING_MAX_PER_SVC, sizeof(*before));
	uint32_t *after = calloc(XVS_RING_MAX_PER_SVC, sizeof(*after));
	size_t gone = n / 2, changed = 0, others = 0, moved = 0, orphans = 0;
	uint32_t lcg = 12345;

	ASSERT(before && after);
	ASSERT(mh_without(n, n, before) == MH_M);
	ASSERT(mh_without(n, gone, after) == MH_M);
	for (uint32_t b = 0; b < MH_M; b++) {
		changed += before[b] != after[b];
		others += before[b] != after[b] && before[b] != gone;
		EXPECT(after[b] != gone);
	}
	for (int i = 0; i < SAMPLES; i++) {
		uint32_t addr, h;

		lcg = lcg * 1103515245u + 12345u;
		addr = 0x0a000000u | (lcg >> 8);	/* 10.x.y.z */
		h = ref_hsiphash_u32(addr, 2654435761ull, 2654435761ull) % MH_M;
		moved += before[h] != after[h];
		orphans += before[h] == gone;
	}
	printf("# mh, %zu servers, one removed: %zu of %u positions changed (%.2f%%, 1/n = %.2f%%), "
	       "%zu of other servers'; %zu of %d sampled clients moved (%.2f%%), %zu had to\n",
	       n, changed, MH_M, 100.0 * changed / MH_M, 100.0 / n, others, moved, SAMPLES,
	       100.0 * moved / SAMPLES, orphans);
	EXPECT(moved >= orphans);
	EXPECT(others <= MH_M * 3 / 100);	/* other servers' positions: a few */
	EXPECT((double)changed / MH_M <= table_bound);
	EXPECT((double)moved / SAMPLES <= client_bound);
	free(before);
	free(after);
}

static void mh_disruption_3_servers(void)
{
	disruption(3, 1.0 / 3 + 0.05, 1.0 / 3 + 0.05);
}

static void mh_disruption_10_servers(void)
{
	disruption(10, 0.10 + 0.05, 0.10 + 0.05);
}

/* ---- registry and ABI ----------------------------------------------------- */

static void registered_with_their_pick_methods(void)
{
	EXPECT(xvs_sched_find("sh") && xvs_sched_find("sh")->pick == XVS_PICK_HASH32_SRC);
	EXPECT(xvs_sched_find("dh") && xvs_sched_find("dh")->pick == XVS_PICK_HASH32_DST);
	EXPECT(xvs_sched_find("mh") && xvs_sched_find("mh")->pick == XVS_PICK_SIPHASH_SRC);
	/* the data plane reads IPVS's IP_VS_SVC_F_SCHED1/2 bits (bpf/sched.h) */
	EXPECT_EQ_INT(XVS_SCHED_F_FLAG1, 0x0008);
	EXPECT_EQ_INT(XVS_SCHED_F_FLAG2, 0x0010);
}

static const struct test_case tests[] = {
	TEST_CASE(reference_siphash_matches_kernel_vectors),
	TEST_CASE(hsiphash_is_the_kernels),
	TEST_CASE(hash_32_hand_worked),
	TEST_CASE(sh_table_is_ipvs),
	TEST_CASE(sh_weight_proportions_hand_worked),
	TEST_CASE(dh_table_is_ipvs),
	TEST_CASE(no_available_server_no_table),
	TEST_CASE(mh_table_is_ipvs),
	TEST_CASE(mh_weight_proportions_hand_worked),
	TEST_CASE(mh_too_many_servers),
	TEST_CASE(mh_disruption_3_servers),
	TEST_CASE(mh_disruption_10_servers),
	TEST_CASE(registered_with_their_pick_methods),
};

TEST_MAIN(tests)
