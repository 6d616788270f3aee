// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* mh: IPVS's Maglev hashing (ip_vs_mh.c, after the Maglev paper §3.4).
 * Each real server gets a permutation of the 4093 table positions from
 * hsiphash of its address and port (offset with key hash1, skip with
 * hash2; both keys are ip_vs_mh.c's fixed constants); the servers then take
 * turns, in list order, claiming their next free preferred position, each
 * claiming weight / gcd positions per turn (shifted right so the largest
 * takes at most 2^6), until the table is full. A server of weight 0 takes
 * no turns. The data plane hashes the client address (plus the source port
 * with -b mh-port) with hash1 into the table, and with -b mh-fallback
 * rehashes with growing offsets past unavailable servers
 * (XVS_PICK_SIPHASH_SRC, bpf/sched.h).
 *
 * IPVS takes the turns from the server's last non-zero weight, so a server
 * set to weight 0 keeps its positions there (and its clients get no server,
 * or the fallback's). xvs keeps no last weight: a server at weight 0 is
 * left out of the table, as IPVS does for one added with weight 0. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include "sched.h"
#include "sched_hash.h"

struct mh_setup {
	uint32_t perm;		/* next preferred position */
	uint32_t skip;
	uint32_t turns;		/* positions claimed per round */
};

static int fls_u32(uint32_t x)
{
	int r = 0;

	while (x) {
		r++;
		x >>= 1;
	}
	return r;
}

/* ip_vs_mh_gcd_weight, ip_vs_mh_shift_weight and ip_vs_mh_permutate. */
static void mh_permutate(const struct xvs_sched_dest *d, size_t n, uint32_t g,
			 struct mh_setup *ds)
{
	uint32_t max = 0;
	int shift;

	for (size_t i = 0; i < n; i++)
		if (d[i].weight > max)
			max = d[i].weight;
	shift = fls_u32(max / g) - XVS_MH_TAB_BITS;
	if (shift < 0)
		shift = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t key = ntohs(d[i].port) + ntohl(d[i].addr);
		uint32_t turns = (d[i].weight / g) >> shift;
		uint32_t h1 = xvs_hsiphash_u32(key, XVS_MH_HASH1_KEY, XVS_MH_HASH1_KEY);
		uint32_t h2 = xvs_hsiphash_u32(key, XVS_MH_HASH2_KEY, XVS_MH_HASH2_KEY);

		ds[i].perm = h1 % XVS_MH_TAB_SIZE;
		ds[i].skip = h2 % (XVS_MH_TAB_SIZE - 1) + 1;
		ds[i].turns = turns ? turns : d[i].weight != 0;
	}
}

/* ip_vs_mh_populate: rounds over the list until every position is taken. */
static void mh_populate(const struct xvs_sched_dest *d, size_t n, struct mh_setup *ds,
			bool *taken, uint32_t *ring)
{
	uint32_t filled = 0, claimed = 0;

	for (;;) {
		for (size_t i = 0; i < n;) {
			uint32_t c;

			if (ds[i].turns < 1) {
				i++;
				continue;
			}
			while (taken[ds[i].perm]) {
				ds[i].perm += ds[i].skip;
				if (ds[i].perm >= XVS_MH_TAB_SIZE)
					ds[i].perm -= XVS_MH_TAB_SIZE;
			}
			c = ds[i].perm;
			taken[c] = true;
			ring[c] = d[i].id;
			if (++filled == XVS_MH_TAB_SIZE)
				return;
			if (++claimed >= ds[i].turns) {
				claimed = 0;
				i++;
			}
		}
	}
}

static int sched_mh_build(const struct xvs_sched_dest *d, size_t n, uint32_t *ring, size_t cap)
{
	struct mh_setup *ds;
	bool *taken;
	uint32_t g = 0;
	size_t any = 0;

	if (n > XVS_MH_TAB_SIZE)
		return -EINVAL;		/* as ip_vs_mh_reassign */
	for (size_t i = 0; i < n; i++) {
		if (d[i].weight > 0)
			g = g ? (uint32_t)xvs_sched_gcd(g, d[i].weight) : d[i].weight;
		any += d[i].weight > 0 && !d[i].overloaded;
	}
	if (!g || !any)		/* every pick would fail: an empty schedule says so */
		return 0;
	if (cap < XVS_MH_TAB_SIZE)
		return -E2BIG;
	ds = calloc(n, sizeof(*ds));
	taken = calloc(XVS_MH_TAB_SIZE, sizeof(*taken));
	if (!ds || !taken) {
		free(ds);
		free(taken);
		return -ENOMEM;
	}
	mh_permutate(d, n, g, ds);
	mh_populate(d, n, ds, taken, ring);
	free(ds);
	free(taken);
	return XVS_MH_TAB_SIZE;
}

const struct xvs_sched_ops xvs_sched_mh = {
	.name = "mh",
	.pick = XVS_PICK_SIPHASH_SRC,
	.build = sched_mh_build,
};
