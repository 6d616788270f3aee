// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Listing services and real servers with their counts and statistics, in
 * ipvsadm's order: services by (protocol, address, port), real servers by
 * (address, port). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "conn.h"

struct conn_counts {
	uint32_t *active, *inactive;	/* indexed by dest index */
	const struct xvs_dest **dest;	/* the real server at each index, or NULL */
};

static int count_conn(const struct xvs_conn_key *k, const struct xvs_conn *c,
		      uint32_t expire_s, void *data)
{
	struct conn_counts *cc = data;

	(void)k;
	(void)expire_s;
	const struct xvs_dest *d;

	if (c->dest_idx >= XVS_MAX_DEST)
		return 0;
	/* A connection of a removed real server whose index was reused by
	 * another one still runs to its old server: it is not the new one's. */
	d = cc->dest[c->dest_idx];
	if (!d || d->addr != c->raddr || d->port != c->rport || d->fwd != c->fwd)
		return 0;
	if (c->state == XVS_CS_ESTABLISHED)
		cc->active[c->dest_idx]++;
	else
		cc->inactive[c->dest_idx]++;
	return 0;
}

static int svc_cmp(const void *a, const void *b)
{
	const struct xvs_svc_conf *x = &((const struct xvs_svc_info *)a)->conf;
	const struct xvs_svc_conf *y = &((const struct xvs_svc_info *)b)->conf;

	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->addr != y->addr)
		return ntohl(x->addr) < ntohl(y->addr) ? -1 : 1;
	return x->port < y->port ? -1 : x->port > y->port;
}

static int dest_cmp(const void *a, const void *b)
{
	const struct xvs_dest_conf *x = &((const struct xvs_dest_info *)a)->conf;
	const struct xvs_dest_conf *y = &((const struct xvs_dest_info *)b)->conf;

	if (x->addr != y->addr)
		return ntohl(x->addr) < ntohl(y->addr) ? -1 : 1;
	return x->port < y->port ? -1 : x->port > y->port;
}

static void svc_conf_from(struct xvs_svc_conf *c, const struct xvs_svc *v)
{
	memset(c, 0, sizeof(*c));
	c->proto = v->key.proto;
	c->addr = v->key.addr;
	c->port = ntohs(v->key.port);
	memcpy(c->sched, v->sched_name, sizeof(c->sched));
	c->sched[sizeof(c->sched) - 1] = 0;
	c->sched_flags = v->sched_flags;
	c->persistent = v->flags & XVS_SVC_F_PERSISTENT;
	c->ops = v->flags & XVS_SVC_F_OPS;
	c->persist_timeout_s = v->persist_timeout_s;
	c->netmask = v->netmask;
}

static int fill_dests(struct xvs *x, struct xvs_svc_info *info, uint32_t svc_idx,
		      const struct conn_counts *cc)
{
	struct xvs_dest_slot **dests;
	size_t n;
	int err = xvs_model_svc_dests(x, svc_idx, &dests, &n);

	if (err)
		return err;
	info->dests = calloc(n + 1, sizeof(*info->dests));
	if (!info->dests) {
		free(dests);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n && !err; i++) {
		struct xvs_dest_info *d = &info->dests[i];
		const struct xvs_dest *v = &dests[i]->v;

		d->conf = (struct xvs_dest_conf){
			.addr = v->addr, .port = ntohs(v->port), .fwd = v->fwd,
			.weight = v->weight, .u_threshold = v->u_threshold,
			.l_threshold = v->l_threshold,
		};
		d->active_conns = cc->active[dests[i]->idx];
		d->inact_conns = cc->inactive[dests[i]->idx];
		err = xvs_stats_read(x, MAP_DEST_STATS, dests[i]->idx, &d->stats);
	}
	info->n_dests = n;
	free(dests);
	qsort(info->dests, info->n_dests, sizeof(*info->dests), dest_cmp);
	return err;
}

int xvs_svc_list(struct xvs *x, struct xvs_svc_info **out, size_t *n)
{
	struct conn_counts cc = { 0 };
	struct xvs_svc_info *list;
	int err = 0;

	*out = NULL;
	*n = 0;
	list = calloc(x->n_svcs + 1, sizeof(*list));
	cc.active = calloc(XVS_MAX_DEST, sizeof(uint32_t));
	cc.inactive = calloc(XVS_MAX_DEST, sizeof(uint32_t));
	cc.dest = calloc(XVS_MAX_DEST, sizeof(*cc.dest));
	if (!list || !cc.active || !cc.inactive || !cc.dest)
		err = -ENOMEM;
	for (size_t i = 0; !err && i < x->n_dests; i++)
		cc.dest[x->dests[i].idx] = &x->dests[i].v;
	if (!err && xvs_is_loaded(x))
		err = xvs_conn_walk(x, count_conn, &cc);
	for (size_t i = 0; i < x->n_svcs && !err; i++) {
		svc_conf_from(&list[i].conf, &x->svcs[i].v);
		err = xvs_stats_read(x, MAP_SVC_STATS, x->svcs[i].idx, &list[i].stats);
		if (!err)
			err = fill_dests(x, &list[i], x->svcs[i].idx, &cc);
	}
	free(cc.active);
	free(cc.inactive);
	free(cc.dest);
	if (err) {
		xvs_svc_list_free(list, x->n_svcs);
		return err;
	}
	qsort(list, x->n_svcs, sizeof(*list), svc_cmp);
	*out = list;
	*n = x->n_svcs;
	return 0;
}

void xvs_svc_list_free(struct xvs_svc_info *list, size_t n)
{
	if (!list)
		return;
	for (size_t i = 0; i < n; i++)
		free(list[i].dests);
	free(list);
}
