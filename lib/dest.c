// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Real servers: add, edit, delete (ipvsadm -a -e -d). Every change rebuilds
 * the service's schedule; connections already scheduled are untouched. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"

bool xvs_fwd_supported(enum xvs_fwd fwd)
{
	return fwd < XVS_FWD_MAX;
}

static int dest_conf_check(const struct xvs_dest_conf *d)
{
	if (d->fwd >= XVS_FWD_MAX)
		return -EINVAL;
	if (!xvs_fwd_supported(d->fwd))
		return -EOPNOTSUPP;	/* not in the data plane yet: refuse, never ignore */
	if (d->weight > INT32_MAX || d->u_threshold > INT32_MAX || d->l_threshold > INT32_MAX)
		return -EINVAL;
	if (d->l_threshold > d->u_threshold)
		return -ERANGE;		/* IPVS: "lower threshold is higher than upper" */
	return 0;
}

/* DR and TUN cannot map ports: like ipvsadm, the real server takes the
 * service's port. */
static uint16_t dest_port_be(const struct xvs_svc_slot *s, const struct xvs_dest_conf *d)
{
	if (s->v.key.kind == XVS_SVC_KEY_FWMARK)
		return htons(d->port);	/* 0: the packet's port, whatever the method */
	return d->fwd == XVS_FWD_DR || d->fwd == XVS_FWD_TUN ? s->v.key.port : htons(d->port);
}

/* Resolves the next hop now so the first packet finds it; failures are
 * warnings, as IPVS accepts any real server. */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void dest_prepare_hop(struct xvs *x, struct xvs_dest *v)
{
	char addr[INET_ADDRSTRLEN];
	int64_t start = now_ms();
	int err = xvs_neigh_prepare(x, v->addr, &v->tun_saddr, x->neigh_wait_left_ms);

	x->neigh_wait_left_ms -= (int)(now_ms() - start);
	if (x->neigh_wait_left_ms < 0)
		x->neigh_wait_left_ms = 0;

	if (!err)
		return;
	inet_ntop(AF_INET, &v->addr, addr, sizeof(addr));
	snprintf(x->warning, sizeof(x->warning), "real server %s: %s", addr,
		 err == -ETIMEDOUT ? "no ARP reply yet (the kernel keeps trying)" :
		 err == -EHOSTUNREACH ? "no route" : xvs_strerror(err));
}

static void dest_fill(struct xvs_dest *v, const struct xvs_dest_conf *d)
{
	v->fwd = (uint8_t)d->fwd;
	v->weight = d->weight;
	v->u_threshold = d->u_threshold;
	v->l_threshold = d->l_threshold;
}

int xvs_dest_add(struct xvs *x, const struct xvs_svc_conf *svc, const struct xvs_dest_conf *d)
{
	struct xvs_dest_slot *trash;
	struct xvs_svc_slot *s;
	struct xvs_svc_key k;
	struct xvs_dest v = { 0 };
	uint32_t idx;
	int err;

	x->warning[0] = 0;
	err = dest_conf_check(d);
	if (err)
		return err;
	xvs_svc_key_from_conf(&k, svc);
	s = xvs_model_svc_find(x, &k);
	if (!s)
		return -ESRCH;
	if (xvs_model_dest_find(x, s->idx, d->addr, dest_port_be(s, d)))
		return -EEXIST;
	/* IPVS's trash: the same server removed while still counted on comes
	 * back with its counts and statistics */
	trash = xvs_model_trash_find(x, s->idx, d->addr, dest_port_be(s, d));
	if (trash) {
		idx = trash->idx;
		xvs_model_trash_drop(x, idx);
	} else {
		err = xvs_model_free_dest_idx(x, &idx);
		if (!err)
			err = xvs_stats_zero(x, MAP_DEST_STATS, idx);
		if (err)
			return err;
	}
	v.addr = d->addr;
	v.port = dest_port_be(s, d);
	v.flags = XVS_DEST_F_IN_USE;
	v.svc_idx = s->idx;
	v.seq = xvs_model_next_seq(x);
	dest_fill(&v, d);
	dest_prepare_hop(x, &v);
	xvs_counts_thresholds_changed(x, idx, UINT32_MAX, v.u_threshold);
	err = xvs_est_restart(x, MAP_DEST_EST, MAP_DEST_STATS, idx);
	if (!err)
		err = xvs_map_update(x, MAP_DESTS, &idx, &v);
	if (!err)
		err = xvs_model_dest_put(x, idx, &v);
	if (!err)
		err = xvs_schedule_publish(x, s);
	return err;
}

static struct xvs_dest_slot *dest_lookup(struct xvs *x, const struct xvs_svc_conf *svc,
					 const struct xvs_dest_conf *d, struct xvs_svc_slot **sp)
{
	struct xvs_svc_key k;

	xvs_svc_key_from_conf(&k, svc);
	*sp = xvs_model_svc_find(x, &k);
	if (!*sp)
		return NULL;
	return xvs_model_dest_find(x, (*sp)->idx, d->addr, dest_port_be(*sp, d));
}

int xvs_dest_edit(struct xvs *x, const struct xvs_svc_conf *svc, const struct xvs_dest_conf *d)
{
	struct xvs_svc_slot *s;
	struct xvs_dest_slot *ds;
	struct xvs_dest v;
	int err;

	x->warning[0] = 0;
	err = dest_conf_check(d);
	if (err)
		return err;
	ds = dest_lookup(x, svc, d, &s);
	if (!ds)
		return s ? -ENOENT : -ESRCH;
	v = ds->v;
	dest_fill(&v, d);
	if (v.fwd != ds->v.fwd)
		dest_prepare_hop(x, &v);
	err = xvs_map_update(x, MAP_DESTS, &ds->idx, &v);
	if (err)
		return err;
	xvs_counts_thresholds_changed(x, ds->idx, ds->v.u_threshold, v.u_threshold);
	ds->v = v;
	return xvs_schedule_publish(x, s);
}

int xvs_dest_retire(struct xvs *x, uint32_t idx, const struct xvs_dest *v)
{
	struct xvs_dest none = { 0 }, t = *v;
	int err;

	if (!xvs_counts_busy(x, idx))
		return xvs_map_update(x, MAP_DESTS, &idx, &none);
	t.flags = XVS_DEST_F_TRASH;
	err = xvs_map_update(x, MAP_DESTS, &idx, &t);
	if (!err)
		err = xvs_model_trash_put(x, idx, &t);
	return err;
}

int xvs_dest_del(struct xvs *x, const struct xvs_svc_conf *svc, const struct xvs_dest_conf *d)
{
	struct xvs_svc_slot *s;
	struct xvs_dest v;
	struct xvs_dest_slot *ds;
	uint32_t idx;
	int err;

	ds = dest_lookup(x, svc, d, &s);
	if (!ds)
		return s ? -ENOENT : -ESRCH;
	idx = ds->idx;
	v = ds->v;
	xvs_model_dest_drop(x, idx);	/* out of the schedule first ... */
	err = xvs_schedule_publish(x, s);
	if (!err)			/* ... then out of the table */
		err = xvs_dest_retire(x, idx, &v);
	return err;
}
