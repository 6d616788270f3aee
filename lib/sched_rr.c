// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* rr: every available real server in turn, in IPVS list order (IPVS's
 * ip_vs_rr_schedule walks the list from the head and skips servers that are
 * overloaded or have weight 0). */
#include <errno.h>

#include "sched.h"

static int sched_rr_build(const struct xvs_sched_dest *d, size_t n, uint32_t *ring, size_t cap)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		if (d[i].overloaded || d[i].weight == 0)
			continue;
		if (len == cap)
			return -E2BIG;
		ring[len++] = d[i].id;
	}
	return (int)len;
}

const struct xvs_sched_ops xvs_sched_rr = {
	.name = "rr",
	.pick = XVS_PICK_RING_CURSOR,
	.build = sched_rr_build,
};
