/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Walking the live entries of the connection table (conn.c). */
#ifndef XVS_LIB_CONN_H
#define XVS_LIB_CONN_H

#include "internal.h"

typedef int (*xvs_conn_visit_fn)(const struct xvs_conn_key *k, const struct xvs_conn *c,
				 uint32_t expire_s, void *data);

/* Calls visit for every live connection; stops at the first non-zero. */
int xvs_conn_walk(struct xvs *x, xvs_conn_visit_fn visit, void *data);

#endif /* XVS_LIB_CONN_H */
