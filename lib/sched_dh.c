// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* dh: IPVS's destination hashing. ip_vs_dh_reassign gives the 256 buckets
 * to the real servers in list order, one each, round and round; weights
 * play no part in the table (weight 0 only makes a server unavailable at
 * pick time). The data plane hashes the packet's destination address with
 * hash_32 into it (XVS_PICK_HASH32_DST, bpf/sched.h); for a service on one
 * VIP that is one bucket, so every client goes to the same server, as in
 * IPVS. dh has no -b flags. */
#include <errno.h>

#include "sched.h"
#include "sched_hash.h"

static int sched_dh_build(const struct xvs_sched_dest *d, size_t n, uint32_t *ring, size_t cap)
{
	size_t any = 0;

	for (size_t i = 0; i < n; i++)
		any += d[i].weight > 0 && !d[i].overloaded;
	if (!any)	/* every pick would fail: an empty schedule says so */
		return 0;
	if (cap < XVS_SH_TAB_SIZE)
		return -E2BIG;
	for (uint32_t b = 0; b < XVS_SH_TAB_SIZE; b++)
		ring[b] = d[b % n].id;
	return XVS_SH_TAB_SIZE;
}

const struct xvs_sched_ops xvs_sched_dh = {
	.name = "dh",
	.pick = XVS_PICK_HASH32_DST,
	.build = sched_dh_build,
};
