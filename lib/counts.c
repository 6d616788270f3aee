// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The real servers' live connection counts, read from the data plane's
 * xvs_dest_conns mapped into our memory: the data plane changes them with
 * atomic adds, so we read and clear with atomics too. */
#include "internal.h"

struct xvs_dest_conns xvs_counts_get(const struct xvs *x, uint32_t dest_idx)
{
	struct xvs_dest_conns n = { 0 };
	const struct xvs_dest_conns *p;

	if (!x->dest_conns || dest_idx >= XVS_MAX_DEST)
		return n;
	p = &x->dest_conns[dest_idx];
	n.active = __atomic_load_n(&p->active, __ATOMIC_RELAXED);
	n.inactive = __atomic_load_n(&p->inactive, __ATOMIC_RELAXED);
	n.persist = __atomic_load_n(&p->persist, __ATOMIC_RELAXED);
	n.flags = __atomic_load_n(&p->flags, __ATOMIC_RELAXED);
	return n;
}

bool xvs_counts_busy(const struct xvs *x, uint32_t dest_idx)
{
	struct xvs_dest_conns n = xvs_counts_get(x, dest_idx);

	return n.active || n.inactive || n.persist;
}

void xvs_counts_thresholds_changed(struct xvs *x, uint32_t dest_idx, uint32_t old_u,
				   uint32_t new_u)
{
	if (!x->dest_conns || dest_idx >= XVS_MAX_DEST)
		return;
	if (new_u == 0 || new_u > old_u)
		__atomic_fetch_and(&x->dest_conns[dest_idx].flags, ~XVS_DEST_CONNS_F_OVERLOAD,
				   __ATOMIC_RELAXED);
}
