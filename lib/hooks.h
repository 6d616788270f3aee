/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Per-interface hook operations (attach.c), shared with discover.c and
 * dataplane.c. */
#ifndef XVS_LIB_HOOKS_H
#define XVS_LIB_HOOKS_H

#include <stdint.h>

#include "xvs/xvs.h"

int xvs_hook_attach(int ifindex, enum xvs_hook hook, int prog_fd);
int xvs_hook_detach(int ifindex, enum xvs_hook hook);
void xvs_hook_query(int ifindex, uint32_t prog_id[XVS_HOOK_MAX]);
int xvs_dp_find_sibling(struct xvs *x, int kind);

struct xvs_iface;
/* Called for every program attached at one of our hooks of any interface;
 * a non-zero return stops the walk and is returned by xvs_hook_each(). */
typedef int (*xvs_hook_visit_fn)(const struct xvs_iface *ifc, enum xvs_hook hook,
				 uint32_t prog_id, void *data);
int xvs_hook_each(xvs_hook_visit_fn visit, void *data);

#endif /* XVS_LIB_HOOKS_H */
