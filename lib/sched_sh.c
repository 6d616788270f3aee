// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sh: IPVS's source hashing. ip_vs_sh_reassign fills 256 buckets walking
 * the real servers in list order, giving each `weight` consecutive buckets
 * (at least one: a server of weight 0 still takes one bucket, where it is
 * found unavailable at pick time) and starting over at the list head until
 * the table is full. The data plane hashes the client address (plus the
 * source port with -b sh-port) with hash_32 into it, and with -b sh-fallback
 * walks on from an unavailable server (XVS_PICK_HASH32_SRC, bpf/sched.h). */
#include <errno.h>

#include "sched.h"
#include "sched_hash.h"

static bool sh_available(const struct xvs_sched_dest *d)
{
	return d->weight > 0 && !d->overloaded;
}

static int sched_sh_build(const struct xvs_sched_dest *d, size_t n, uint32_t *ring, size_t cap)
{
	size_t pos = 0, any = 0;
	uint32_t filled = 0;

	for (size_t i = 0; i < n; i++)
		any += sh_available(&d[i]);
	if (!any)	/* every pick would fail: an empty schedule says so */
		return 0;
	if (cap < XVS_SH_TAB_SIZE)
		return -E2BIG;
	for (uint32_t b = 0; b < XVS_SH_TAB_SIZE; b++) {
		ring[b] = d[pos].id;
		if (++filled >= d[pos].weight) {
			pos = (pos + 1) % n;
			filled = 0;
		}
	}
	return XVS_SH_TAB_SIZE;
}

const struct xvs_sched_ops xvs_sched_sh = {
	.name = "sh",
	.pick = XVS_PICK_HASH32_SRC,
	.build = sched_sh_build,
};
