/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* From the runtime model to the data plane: what xvs should hold (the
 * "want" set, computed from the configuration and the servers' states),
 * what xvsd has put there (the "have" set), and the smallest list of
 * libxvs calls that turns one into the other. Every change, whatever
 * caused it (a check, a reload, a start), goes through apply_sync(), so
 * an unchanged state makes no write at all.
 *
 * Rules:
 * - a virtual server becomes one xvs service per address:port of its
 *   virtual_server_group (ranges and CIDRs expanded) or fwmark;
 * - at start, services of the configuration already in the data plane are
 *   adopted as they are (their connections and counters stay), unless
 *   lvs_flush; services not in the configuration are left alone;
 * - a real server that leaves the configuration (reload), or that the data
 *   plane holds in an adopted service without the configuration naming it,
 *   is drained: weight 0, its connections continue, and it is deleted once
 *   the data plane counts no connection for it (ActiveConn + InActConn 0);
 * - what libxvs refuses (-EOPNOTSUPP, an unknown scheduler, ...) is logged
 *   once with the file:line:column of the virtual or real server and not
 *   tried again until the next reload; a refusal that may pass by itself
 *   (-ENODEV, -ENOSPC, -ENOMEM) is tried again by apply_retry_transient.
 * The data plane is reached through struct dp_ops: libxvs in the daemon
 * (dp_xvs.c), a recording fake in the unit tests. */
#ifndef XVSD_APPLY_H
#define XVSD_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "vs.h"
#include "xvs/xvs.h"

/* One batch runs between begin() and end(): libxvs holds the namespace's
 * lock for a handle's lifetime, so xvsadm waits only while a batch runs. */
struct dp_ops {
	int (*begin)(void *ctx);
	void (*end)(void *ctx);
	int (*list)(void *ctx, struct xvs_svc_info **out, size_t *n);
	void (*list_free)(void *ctx, struct xvs_svc_info *list, size_t n);
	int (*laddr_list)(void *ctx, const struct xvs_svc_conf *svc, struct xvs_laddr_info **out,
			  size_t *n);
	int (*svc_add)(void *ctx, const struct xvs_svc_conf *svc);
	int (*svc_edit)(void *ctx, const struct xvs_svc_conf *svc);
	int (*svc_del)(void *ctx, const struct xvs_svc_conf *svc);
	int (*dest_add)(void *ctx, const struct xvs_svc_conf *svc, const struct xvs_dest_conf *d);
	int (*dest_edit)(void *ctx, const struct xvs_svc_conf *svc, const struct xvs_dest_conf *d);
	int (*dest_del)(void *ctx, const struct xvs_svc_conf *svc, const struct xvs_dest_conf *d);
	int (*laddr_add)(void *ctx, const struct xvs_svc_conf *svc, const struct xvs_laddr_conf *l);
	int (*laddr_del)(void *ctx, const struct xvs_svc_conf *svc, const struct xvs_laddr_conf *l);
	int (*timeout_set)(void *ctx, uint32_t tcp_s, uint32_t tcpfin_s, uint32_t udp_s);
	int (*flush)(void *ctx);
	int (*detach)(void *ctx);
	int (*counters)(void *ctx, uint64_t out[XVS_CNT_MAX]);
	const char *(*warning)(void *ctx);	/* of the last dest add/edit, or NULL */
	/* 1 when some firewall-mark rule (xvsadm --add-mark) gives packets
	 * mark, 0 when none does, or -errno. */
	int (*mark_used)(void *ctx, uint32_t mark);
};

struct dp_dest {
	struct xvs_dest_conf c;
	const struct conf_pos *pos;	/* its real_server/sorry_server; NULL: draining */
};

struct dp_svc {
	struct xvs_svc_conf c;
	const struct conf_vs *vs;	/* want sets only */
	struct dp_dest *d;
	size_t n_d, cap_d;
	struct xvs_laddr_conf *l;
	size_t n_l, cap_l;
	bool dead;			/* deleted, until the set is compacted */
};

/* Services in the order they were added, with a hash index by key (a
 * group can expand to 65536 services: lookups must not be linear). */
struct dp_set {
	struct dp_svc *v;
	size_t n, cap;
	size_t *slot;			/* position + 1; 0: empty */
	size_t n_slots;			/* power of two, or 0: no index yet */
};

struct apply_drain {
	struct xvs_svc_conf svc;
	struct xvs_dest_conf dest;
};

struct apply_failed {
	struct xvs_svc_conf svc;
	bool is_dest;
	struct xvs_dest_conf dest;	/* is_dest */
	int err;
};

struct apply {
	const struct dp_ops *ops;
	void *ctx;
	struct dp_set have;
	bool have_stale;		/* read the data plane before the next diff */
	struct apply_drain *drain;
	size_t n_drain, cap_drain;
	struct apply_failed *failed;
	size_t n_failed, cap_failed;
	bool timeouts_pending;
	uint32_t timeout_tcp_s, timeout_tcpfin_s, timeout_udp_s;
	uint64_t writes;		/* libxvs calls that change the data plane */
	uint64_t errors;		/* of them, failed */
	uint64_t warnings;		/* added services that will see no packet */
};

void apply_init(struct apply *a, const struct dp_ops *ops, void *ctx);
void apply_fini(struct apply *a);

/* Start: flush (lvs_flush) or adopt what the data plane holds for rt's
 * services (rs_adopt on each real server found), and arm lvs_timeouts.
 * Call before rt_init_states. */
int apply_start(struct apply *a, struct rt *rt);
/* A reload replaced the runtime: dests the new one no longer wants are
 * drained, refused items are tried again, the data plane is read again
 * (what an operator changed by hand is seen), lvs_timeouts re-armed if
 * changed. */
void apply_reload(struct apply *a, const struct rt *old_rt, const struct rt *new_rt);
/* One batch: the calls that bring the data plane to what rt wants. 0, or
 * the first -errno of begin() (nothing done; try again later). Refused
 * calls are logged, not returned. */
int apply_sync(struct apply *a, const struct rt *rt);
/* Refusals that may go away by themselves (no interface yet, a full
 * table, no memory) are forgotten, so the next sync tries again; what the
 * data plane cannot do waits for a reload. Returns how many. */
size_t apply_retry_transient(struct apply *a);
/* Drained dests without connections any more are forgotten (the next sync
 * deletes them). Returns how many, or -errno. */
int apply_drain_sweep(struct apply *a);
/* SIGTERM: CONF_FLUSH_STOP_NONE leaves everything; _VS deletes xvsd's
 * services; _ALL flushes every service and detaches the data plane. */
int apply_stop(struct apply *a, enum conf_flush_on_stop mode);

/* The want set of rt (exposed for tests and metrics). */
int apply_want(const struct apply *a, const struct rt *rt, struct dp_set *want);
void dp_set_free(struct dp_set *s);

/* "TCP 10.0.0.1:80", "FWM 7": how xvsadm lists a service. */
const char *dp_svc_name(const struct xvs_svc_conf *c, char *buf, size_t len);

#endif /* XVSD_APPLY_H */
