// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* wrr: IPVS's weighted round robin. IPVS keeps a current weight cw that
 * starts at mw = max weight - (gcd - 1) and walks the list picking every
 * server whose weight is >= cw; each time the walk passes the end of the
 * list cw drops by the gcd of the weights, and below 1 it restarts at mw.
 * The resulting sequence repeats after sum(weight) / gcd picks, so we run
 * that state machine once here and let the data plane replay it: the same
 * interleaving as IPVS (e.g. 4:3:2 gives a a b a b c a b c) at O(1) per
 * connection. A period longer than the ring allows is scaled down
 * proportionally (documented in docs/design.md). */
#include <errno.h>
#include <stdlib.h>

#include "sched.h"

static bool wrr_usable(const struct xvs_sched_dest *d)
{
	return d->weight > 0 && !d->overloaded;
}

/* Replays IPVS's walk for `len` picks over weights w[0..n). */
static void wrr_walk(const struct xvs_sched_dest *d, const uint64_t *w, size_t n,
		     uint64_t gcd, uint64_t mw, uint32_t *ring, size_t len)
{
	int64_t cw = (int64_t)mw;
	size_t pos = n;		/* n stands for the list head */

	for (size_t k = 0; k < len; k++) {
		for (;;) {
			pos = pos + 1 > n ? 0 : pos + 1;
			if (pos == n) {	/* passed the end of the list */
				cw -= (int64_t)gcd;
				if (cw <= 0)
					cw = (int64_t)mw;
				continue;
			}
			if (wrr_usable(&d[pos]) && w[pos] >= (uint64_t)cw)
				break;
		}
		ring[k] = d[pos].id;
	}
}

static int sched_wrr_build(const struct xvs_sched_dest *d, size_t n, uint32_t *ring, size_t cap)
{
	uint64_t *w, g = 0, max = 0, sum = 0;

	w = calloc(n ? n : 1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		w[i] = wrr_usable(&d[i]) ? d[i].weight : 0;
		if (w[i])
			g = g ? xvs_sched_gcd(g, w[i]) : w[i];
	}
	if (!g) {
		free(w);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		sum += w[i] / g;
	if (sum > cap) {	/* scale the weights so one period fits */
		g = 0;
		for (size_t i = 0; i < n; i++) {
			if (!w[i])
				continue;
			w[i] = w[i] * cap / sum ? w[i] * cap / sum : 1;
			g = g ? xvs_sched_gcd(g, w[i]) : w[i];
		}
		sum = 0;
		for (size_t i = 0; i < n; i++)
			sum += w[i] / g;
		if (sum > cap) {
			free(w);
			return -E2BIG;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (w[i] > max)
			max = w[i];
	wrr_walk(d, w, n, g, max - (g - 1), ring, sum);
	free(w);
	return (int)sum;
}

const struct xvs_sched_ops xvs_sched_wrr = {
	.name = "wrr",
	.pick = XVS_PICK_RING_CURSOR,
	.build = sched_wrr_build,
};
