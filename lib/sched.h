/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Scheduler plug-ins. Each scheduler is one file (lib/sched_NAME.c) holding a
 * const struct xvs_sched_ops, registered by one line in lib/sched.c. A
 * scheduler turns a service's real servers into a schedule the data plane
 * reads with one of the generic pick methods (enum xvs_pick): for the ring
 * method, a sequence of real-server indices that the data plane walks with
 * an atomic per-service cursor, one step per new connection.
 */
#ifndef XVS_LIB_SCHED_H
#define XVS_LIB_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xvs/abi.h"

/* One real server as a scheduler sees it, in IPVS list order (the most
 * recently added first, as IPVS links new destinations at the list head). */
struct xvs_sched_dest {
	uint32_t id;		/* what the schedule refers to (xvs_dests index) */
	uint32_t weight;
	bool overloaded;	/* unused: overload is the data plane's live flag */
	uint32_t addr;		/* network byte order: mh hashes the server's */
	uint16_t port;		/* address and port into its table positions */
};

struct xvs_sched_ops {
	const char *name;
	enum xvs_pick pick;
	/* Writes the schedule for d[0..n) into ring (capacity cap) and returns
	 * its length, 0 when no real server can take new connections, or a
	 * negative errno. */
	int (*build)(const struct xvs_sched_dest *d, size_t n, uint32_t *ring, size_t cap);
};

/* Greatest common divisor, for the weight arithmetic of wrr and mh. */
uint64_t xvs_sched_gcd(uint64_t a, uint64_t b);

/* The registered scheduler named name, or NULL. */
const struct xvs_sched_ops *xvs_sched_find(const char *name);

extern const struct xvs_sched_ops xvs_sched_rr;
extern const struct xvs_sched_ops xvs_sched_wrr;
extern const struct xvs_sched_ops xvs_sched_sh;
extern const struct xvs_sched_ops xvs_sched_dh;
extern const struct xvs_sched_ops xvs_sched_mh;
extern const struct xvs_sched_ops xvs_sched_lc;
extern const struct xvs_sched_ops xvs_sched_wlc;
extern const struct xvs_sched_ops xvs_sched_sed;
extern const struct xvs_sched_ops xvs_sched_nq;
extern const struct xvs_sched_ops xvs_sched_fo;
extern const struct xvs_sched_ops xvs_sched_ovf;
extern const struct xvs_sched_ops xvs_sched_twos;
extern const struct xvs_sched_ops xvs_sched_lblc;
extern const struct xvs_sched_ops xvs_sched_lblcr;

/* The schedule of the connection-count schedulers (lib/sched_scan.c):
 * the servers of weight > 0 in list order. */
int xvs_sched_build_servers(const struct xvs_sched_dest *d, size_t n, uint32_t *ring, size_t cap);

#endif /* XVS_LIB_SCHED_H */
