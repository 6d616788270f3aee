/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* libxvs internals: the handle, its in-memory model of the tables, and the
 * helpers the per-concern files share. Private to lib/.
 *
 * Invariant: the maps are the only state. A handle reads them into a model
 * when it opens (under the namespace lock) and writes every change through
 * to the maps before returning, so any later handle sees the same tables.
 */
#ifndef XVS_LIB_INTERNAL_H
#define XVS_LIB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xvs/xvs.h"

enum xvs_map_id {
	MAP_SVCS = 0,
	MAP_SVC_INFO,
	MAP_DESTS,
	MAP_RING,
	MAP_CONNS,
	MAP_CFG,
	MAP_COUNTERS,
	MAP_SVC_STATS,
	MAP_DEST_STATS,
	MAP_VIPS,
	MAP_CONNS_OUT,
	MAP_LADDRS,
	MAP_DEST_CONNS,
	MAP_MAINT,
	MAP_SVC_EST,
	MAP_DEST_EST,
	MAP_LOCALITY,
	MAP_MARK_LPM,
	MAP_SCRATCH,
	MAP_COUNT,
};

/* Name of each map, indexed by enum xvs_map_id. */
extern const char *const xvs_map_names[MAP_COUNT];

struct xvs_svc_slot {
	uint32_t idx;			/* index in xvs_svc_info */
	struct xvs_svc v;
};

struct xvs_dest_slot {
	uint32_t idx;			/* index in xvs_dests */
	struct xvs_dest v;
};

struct xvs_model_index;

struct xvs {
	int lock_fd;
	struct xvs_open_opts opts;
	char ifaces_buf[256];		/* copy of opts.ifaces */
	int map_fd[MAP_COUNT];		/* -1 until loaded or found */
	int prog_xdp_fd, prog_tc_fd;	/* -1 until loaded or found */
	/* xvs_dest_conns mapped into memory: live counts read, and the
	 * overload flag cleared, with atomics of our own (NULL until loaded) */
	struct xvs_dest_conns *dest_conns;
	struct xvs_cfg cfg;

	/* model of the tables (model.c) */
	struct xvs_svc_slot *svcs;
	size_t n_svcs, cap_svcs;
	struct xvs_dest_slot *dests;
	size_t n_dests, cap_dests;
	struct xvs_model_index *index;	/* position by index, per-service chains */
	/* real servers removed while connections still count on them
	 * (XVS_DEST_F_TRASH): their slots are not reused until the counts
	 * are 0, and re-adding one takes it back */
	struct xvs_dest_slot *trash;
	size_t n_trash, cap_trash;
	uint32_t ring_top;		/* end of the highest ring segment handed out */

	char warning[256];
	int neigh_wait_left_ms;		/* ARP wait budget left for this handle */
	bool ifaces_synced;		/* attached to every wanted interface once */
	void *nl;			/* rtnetlink socket (neigh.c), or NULL */
};

/* ---- data plane lifecycle (dataplane.c, discover.c, attach.c) ---- */
int xvs_dp_discover(struct xvs *x);		/* 0 found, -ENOENT none */
int xvs_dp_load(struct xvs *x);			/* load and attach */
int xvs_dp_attach_all(struct xvs *x);		/* attach where missing */
int xvs_dp_detach_all(struct xvs *x);
int xvs_dp_ensure(struct xvs *x);		/* discover or load */
void xvs_dp_close_fds(struct xvs *x);
/* Maps xvs_dest_conns once the map fds are there. */
int xvs_dp_map_counts(struct xvs *x);
/* Hands the data plane's housekeeping a request (a test run of our
 * program on an XVS_ETH_P_MAINT frame). */
int xvs_dp_maint(struct xvs *x, const struct xvs_maint_req *rq);
/* Makes the live counts exact before they are read: unless the data plane
 * swept recently, expired entries are found here and removed by it. */
int xvs_counts_refresh(struct xvs *x);

/* ---- interfaces (iface.c) ---- */
struct xvs_iface {
	char name[16];
	int ifindex;
	bool up, loopback;
	char driver[32];
};
int xvs_iface_list(struct xvs_iface **out, size_t *n);

/* Hook for an interface under XVS_HOOK_AUTO (see attach.c). */
enum xvs_hook xvs_hook_auto_for(const struct xvs_iface *ifc);

/* ---- model (model.c) ---- */
int xvs_model_load(struct xvs *x);
void xvs_model_free(struct xvs *x);
struct xvs_svc_slot *xvs_model_svc_find(struct xvs *x, const struct xvs_svc_key *k);
struct xvs_svc_slot *xvs_model_svc_at(struct xvs *x, uint32_t idx);
struct xvs_dest_slot *xvs_model_dest_find(struct xvs *x, uint32_t svc_idx,
					  uint32_t addr, uint16_t port_be);
/* Dests of a service in IPVS list order (newest first); caller frees. */
int xvs_model_svc_dests(struct xvs *x, uint32_t svc_idx,
			struct xvs_dest_slot ***out, size_t *n);
int xvs_model_svc_put(struct xvs *x, uint32_t idx, const struct xvs_svc *v);
int xvs_model_dest_put(struct xvs *x, uint32_t idx, const struct xvs_dest *v);
void xvs_model_svc_drop(struct xvs *x, uint32_t idx);
void xvs_model_dest_drop(struct xvs *x, uint32_t idx);
int xvs_model_free_svc_idx(struct xvs *x, uint32_t *idx);
int xvs_model_free_dest_idx(struct xvs *x, uint32_t *idx);
uint32_t xvs_model_next_seq(struct xvs *x);
/* The trashed real server (svc_idx, addr, port) still counted on, or NULL. */
struct xvs_dest_slot *xvs_model_trash_find(struct xvs *x, uint32_t svc_idx, uint32_t addr,
					   uint16_t port_be);
int xvs_model_trash_put(struct xvs *x, uint32_t idx, const struct xvs_dest *v);
void xvs_model_trash_drop(struct xvs *x, uint32_t idx);

void xvs_svc_key_from_conf(struct xvs_svc_key *k, const struct xvs_svc_conf *c);

/* A real server leaves its service (dest.c): its slot is cleared, or goes
 * to the trash while connections still count on it. */
int xvs_dest_retire(struct xvs *x, uint32_t idx, const struct xvs_dest *v);

/* ---- schedules (schedule.c) ---- */
/* Rebuilds the service's ring from its current real servers and publishes
 * it (new segment, then the service entry, then the old one is free). */
int xvs_schedule_publish(struct xvs *x, struct xvs_svc_slot *s);
/* First free run of n ring slots given the services' segments. */
int xvs_ring_alloc(const struct xvs_svc_slot *svcs, size_t n_svcs, uint32_t skip_idx,
		   uint32_t n, uint32_t *off);

/* ---- next hops (neigh.c) ---- */
/* How long one handle waits in all for real servers' next hops to answer
 * ARP: one real server that is down costs at most this once, and a restore
 * of many servers on a dead segment does not wait for each of them. */
#define XVS_NEIGH_WAIT_MS 1000

/* Resolves the route to addr, makes sure the next hop's neighbour entry
 * exists and is kept resolved by the kernel, and returns the source address
 * the director uses toward addr. Waits up to wait_ms for resolution;
 * returns -EHOSTUNREACH when there is no route, -ETIMEDOUT when the
 * neighbour did not answer in time (the entry stays, the kernel keeps
 * trying). */
int xvs_neigh_prepare(struct xvs *x, uint32_t addr, uint32_t *src_out, int wait_ms);
void xvs_nl_close(struct xvs *x);
/* Sends one rtnetlink request on the handle's socket and runs cb (an
 * mnl_cb_t) over the answers up to the ack. */
struct nlmsghdr;
typedef int (*xvs_nl_cb)(const struct nlmsghdr *nlh, void *data);
int xvs_nl_talk(struct xvs *x, struct nlmsghdr *req, xvs_nl_cb cb, void *data);

/* ---- interface addresses (addr.c) ---- */
/* 1 when the interface has the IPv4 address, 0 when not, or -errno. */
int xvs_addr_present(int ifindex, uint32_t addr);
/* Adds / removes addr/32 on the interface. */
int xvs_addr_add(struct xvs *x, int ifindex, uint32_t addr);
int xvs_addr_del(struct xvs *x, int ifindex, uint32_t addr);

/* ---- FULLNAT local addresses (laddr.c) ---- */
/* A service is going away: its local addresses are released. */
int xvs_laddr_svc_release(struct xvs *x, uint32_t svc_idx);

/* ---- live counts (counts.c) ---- */
/* A real server's counts; zeros when the data plane is not loaded. */
struct xvs_dest_conns xvs_counts_get(const struct xvs *x, uint32_t dest_idx);
/* True while connections or templates still count on the slot. */
bool xvs_counts_busy(const struct xvs *x, uint32_t dest_idx);
/* IPVS's __ip_vs_update_dest(): a threshold removed or raised ends an
 * overload at once. */
void xvs_counts_thresholds_changed(struct xvs *x, uint32_t dest_idx, uint32_t old_u,
				   uint32_t new_u);

/* ---- rate estimators (est.c) ---- */
/* A new, revived or zeroed service / real server starts with no rate
 * history, counting from its counters as they are now (IPVS's
 * ip_vs_start_estimator() / ip_vs_zero_estimator()). */
int xvs_est_restart(struct xvs *x, enum xvs_map_id est_map, enum xvs_map_id stats_map,
		    uint32_t idx);
/* Per-second rates now, from the data plane's estimator plus the periods
 * it has not run yet (its clock moves with packets only). */
int xvs_est_rate(struct xvs *x, enum xvs_map_id est_map, enum xvs_map_id stats_map,
		 uint32_t idx, struct xvs_stats *rate);

/* ---- lblc/lblcr state (service.c) ---- */
/* Drops every xvs_locality entry of a service. */
int xvs_locality_flush(struct xvs *x, uint32_t svc_idx);

/* ---- maps helpers (maps.c) ---- */
int xvs_map_update(struct xvs *x, enum xvs_map_id m, const void *k, const void *v);
int xvs_map_delete(struct xvs *x, enum xvs_map_id m, const void *k);
int xvs_cfg_write(struct xvs *x);
/* Calls visit for every element of map m, read in batches; stops at the
 * first non-zero return and returns it. */
typedef int (*xvs_map_visit_fn)(const void *key, const void *val, void *data);
int xvs_map_walk(struct xvs *x, enum xvs_map_id m, size_t key_sz, size_t val_sz,
		 xvs_map_visit_fn visit, void *data);
void xvs_cfg_defaults(struct xvs_cfg *c, uint32_t conn_max);
/* Sums a per-CPU struct xvs_stats element. */
int xvs_stats_read(struct xvs *x, enum xvs_map_id m, uint32_t idx, struct xvs_stats *out);
int xvs_stats_zero(struct xvs *x, enum xvs_map_id m, uint32_t idx);

#define XVS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* XVS_LIB_INTERNAL_H */
