// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The schedule of the connection-count schedulers (lc, wlc, sed, nq, fo,
 * ovf, twos, lblc, lblcr): the service's real servers of weight > 0, in
 * IPVS list order. The data plane walks it per new connection, reading each
 * server's live counts, weight and overload flag, as IPVS walks
 * svc->destinations; a server of weight 0 can never be picked by any of
 * them (IPVS skips it or its product with the weight loses every
 * comparison), so it is left out. */
#include <errno.h>

#include "sched.h"

int xvs_sched_build_servers(const struct xvs_sched_dest *d, size_t n, uint32_t *ring, size_t cap)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		if (d[i].weight == 0)
			continue;
		if (len == cap)
			return -E2BIG;
		ring[len++] = d[i].id;
	}
	return (int)len;
}
