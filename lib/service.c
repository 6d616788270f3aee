// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Virtual services: add, edit, delete, flush (ipvsadm -A -E -D -C). */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "internal.h"
#include "sched.h"

#define XVS_PERSIST_MAX_S	(86400 * 31)	/* ipvsadm's limit on -p */

int xvs_locality_flush(struct xvs *x, uint32_t svc_idx)
{
	struct xvs_locality_key k, next, *prev = NULL;
	int err = 0;

	if (!xvs_is_loaded(x))
		return 0;
	/* delete behind the walk: a deleted key cannot be the cursor */
	while (!bpf_map_get_next_key(x->map_fd[MAP_LOCALITY], prev, &next)) {
		if (prev && k.svc_idx == svc_idx)
			err = xvs_map_delete(x, MAP_LOCALITY, &k);
		k = next;
		prev = &k;
		if (err)
			return err;
	}
	if (prev && k.svc_idx == svc_idx)
		err = xvs_map_delete(x, MAP_LOCALITY, &k);
	return err;
}

static int svc_conf_check(const struct xvs_svc_conf *c)
{
	if (c->sched[0] && !xvs_sched_exists(c->sched))
		return -ENOENT;
	if (c->persistent && (c->persist_timeout_s == 0 || c->persist_timeout_s > XVS_PERSIST_MAX_S))
		return -EINVAL;
	if (c->fwmark)
		return 0;	/* by mark: address, port and protocol play no part */
	if (c->proto != IPPROTO_TCP && c->proto != IPPROTO_UDP)
		return -EPROTONOSUPPORT;
	if (c->port == 0 && !c->persistent)
		return -EINVAL;	/* zero port only for persistent services */
	return 0;
}

static void svc_fill(struct xvs_svc *v, const struct xvs_svc_conf *c)
{
	const char *sched = c->sched[0] ? c->sched : xvs_sched_default();

	xvs_svc_key_from_conf(&v->key, c);
	v->flags = XVS_SVC_F_IN_USE | (c->persistent ? XVS_SVC_F_PERSISTENT : 0) |
		   (c->ops ? XVS_SVC_F_OPS : 0);
	v->fwmark = c->fwmark;
	v->sched_flags = c->sched_flags;
	v->persist_timeout_s = c->persistent ? c->persist_timeout_s : 0;
	v->netmask = c->persistent ? (c->netmask ? c->netmask : 0xffffffffu) : 0;
	memset(v->sched_name, 0, sizeof(v->sched_name));
	snprintf(v->sched_name, sizeof(v->sched_name), "%s", sched);
}

/* A firewall-mark service has no address of its own. */
static int vip_ref(struct xvs *x, const struct xvs_svc_key *k, int delta)
{
	uint32_t refs = 0, addr = k->addr;

	if (k->kind != XVS_SVC_KEY_ADDR)
		return 0;
	if (bpf_map_lookup_elem(x->map_fd[MAP_VIPS], &addr, &refs))
		refs = 0;
	refs = delta > 0 ? refs + 1 : refs ? refs - 1 : 0;
	if (refs == 0)
		return xvs_map_delete(x, MAP_VIPS, &addr);
	return xvs_map_update(x, MAP_VIPS, &addr, &refs);
}

static int svc_insert(struct xvs *x, const struct xvs_svc_conf *c)
{
	struct xvs_svc v = { 0 };
	uint32_t idx;
	int err;

	err = xvs_model_free_svc_idx(x, &idx);
	if (err)
		return err;
	svc_fill(&v, c);
	v.seq = xvs_model_next_seq(x);
	err = xvs_map_update(x, MAP_SVC_INFO, &idx, &v);
	if (!err)
		err = xvs_stats_zero(x, MAP_SVC_STATS, idx);
	if (!err)
		err = xvs_est_restart(x, MAP_SVC_EST, MAP_SVC_STATS, idx);
	if (!err)
		err = xvs_locality_flush(x, idx);
	if (!err)
		err = vip_ref(x, &v.key, +1);
	if (!err)
		err = xvs_map_update(x, MAP_SVCS, &v.key, &idx);
	if (!err)
		err = xvs_model_svc_put(x, idx, &v);
	return err;
}

int xvs_svc_add(struct xvs *x, const struct xvs_svc_conf *c)
{
	bool fresh = !xvs_is_loaded(x);
	struct xvs_svc_key k;
	int err;

	err = svc_conf_check(c);
	if (err)
		return err;
	xvs_svc_key_from_conf(&k, c);
	if (xvs_model_svc_find(x, &k))
		return -EEXIST;
	err = xvs_dp_ensure(x);
	if (err)
		return err;
	err = svc_insert(x, c);
	if (err && fresh)
		xvs_detach(x);	/* leave the namespace as we found it */
	return err;
}

int xvs_svc_edit(struct xvs *x, const struct xvs_svc_conf *c)
{
	struct xvs_svc_slot *s;
	struct xvs_svc_key k;
	struct xvs_svc v;
	int err;

	err = svc_conf_check(c);
	if (err)
		return err;
	xvs_svc_key_from_conf(&k, c);
	s = xvs_model_svc_find(x, &k);
	if (!s)
		return -ESRCH;
	v = s->v;
	svc_fill(&v, c);
	if (strcmp(v.sched_name, s->v.sched_name)) {
		struct xvs_svc old = s->v;

		s->v = v;
		err = xvs_schedule_publish(x, s);
		if (err) {
			s->v = old;
			return err;
		}
		/* IPVS's done_service(): the old scheduler's lblc/lblcr state goes */
		return xvs_locality_flush(x, s->idx);
	}
	err = xvs_map_update(x, MAP_SVC_INFO, &s->idx, &v);
	if (!err)
		s->v = v;
	return err;
}

/* Removes a service and its real servers. Connections already scheduled
 * keep flowing to their real servers until they expire, as in IPVS. */
static int svc_remove(struct xvs *x, uint32_t idx)
{
	struct xvs_svc_slot *s = xvs_model_svc_at(x, idx);
	struct xvs_dest_slot **dests, *retired;
	struct xvs_svc empty = { 0 };
	size_t n;
	int err;

	if (!s)
		return -ESRCH;
	err = xvs_map_delete(x, MAP_SVCS, &s->v.key);
	if (!err)
		err = xvs_laddr_svc_release(x, idx);
	if (!err)
		err = vip_ref(x, &s->v.key, -1);
	if (!err)
		err = xvs_map_update(x, MAP_SVC_INFO, &idx, &empty);
	if (!err)
		err = xvs_locality_flush(x, idx);
	if (!err)
		err = xvs_model_svc_dests(x, idx, &dests, &n);
	if (err)
		return err;
	xvs_model_svc_drop(x, idx);
	retired = calloc(n + 1, sizeof(*retired));	/* copies first: dropping moves slots */
	for (size_t i = 0; retired && i < n; i++)
		retired[i] = *dests[i];
	free(dests);
	if (!retired)
		return -ENOMEM;
	for (size_t i = 0; i < n && !err; i++) {
		xvs_model_dest_drop(x, retired[i].idx);
		err = xvs_dest_retire(x, retired[i].idx, &retired[i].v);
	}
	free(retired);
	return err;
}

int xvs_svc_del(struct xvs *x, const struct xvs_svc_conf *c)
{
	struct xvs_svc_slot *s;
	struct xvs_svc_key k;

	xvs_svc_key_from_conf(&k, c);
	s = xvs_model_svc_find(x, &k);
	return s ? svc_remove(x, s->idx) : -ESRCH;
}

int xvs_flush(struct xvs *x)
{
	int err = 0;

	while (x->n_svcs && !err)
		err = svc_remove(x, x->svcs[x->n_svcs - 1].idx);
	return err;
}
