// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Listing services and real servers with their counts, statistics and
 * rates, in ipvsadm's order: services by (protocol, address, port) with
 * firewall-mark services after the others by mark, real servers by
 * (address, port). The counts are the data plane's own (the ones its
 * schedulers use), with expired connections taken out first. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int svc_cmp(const void *a, const void *b)
{
	const struct xvs_svc_conf *x = &((const struct xvs_svc_info *)a)->conf;
	const struct xvs_svc_conf *y = &((const struct xvs_svc_info *)b)->conf;

	if (x->fwmark != y->fwmark)	/* ipvsadm: fwmark first, 0 (by address) lowest */
		return x->fwmark < y->fwmark ? -1 : 1;
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
	c->netmask = v->netmask == 0xffffffffu ? 0 : v->netmask;
	if (v->key.kind == XVS_SVC_KEY_FWMARK) {
		c->fwmark = v->fwmark;
		c->addr = 0;
		c->port = 0;
		c->proto = IPPROTO_TCP;	/* as ipvsadm fills it for -f */
	}
}

static int fill_dests(struct xvs *x, struct xvs_svc_info *info, uint32_t svc_idx)
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
		struct xvs_dest_conns n = xvs_counts_get(x, dests[i]->idx);

		/* a transient negative (a count moved on another CPU while we
		 * read) shows as 0 */
		d->active_conns = n.active > 0 ? (uint32_t)n.active : 0;
		d->inact_conns = n.inactive > 0 ? (uint32_t)n.inactive : 0;
		d->persist_conns = n.persist > 0 ? (uint32_t)n.persist : 0;
		d->overloaded = n.flags & XVS_DEST_CONNS_F_OVERLOAD;
		err = xvs_stats_read(x, MAP_DEST_STATS, dests[i]->idx, &d->stats);
		if (!err)
			err = xvs_est_rate(x, MAP_DEST_EST, MAP_DEST_STATS, dests[i]->idx, &d->rate);
	}
	info->n_dests = n;
	free(dests);
	qsort(info->dests, info->n_dests, sizeof(*info->dests), dest_cmp);
	return err;
}

int xvs_svc_list(struct xvs *x, struct xvs_svc_info **out, size_t *n)
{
	struct xvs_svc_info *list;
	int err = 0;

	*out = NULL;
	*n = 0;
	list = calloc(x->n_svcs + 1, sizeof(*list));
	if (!list)
		return -ENOMEM;
	if (xvs_is_loaded(x))
		err = xvs_counts_refresh(x);	/* expired connections out of the counts */
	for (size_t i = 0; i < x->n_svcs && !err; i++) {
		svc_conf_from(&list[i].conf, &x->svcs[i].v);
		err = xvs_stats_read(x, MAP_SVC_STATS, x->svcs[i].idx, &list[i].stats);
		if (!err)
			err = xvs_est_rate(x, MAP_SVC_EST, MAP_SVC_STATS, x->svcs[i].idx,
					   &list[i].rate);
		if (!err)
			err = fill_dests(x, &list[i], x->svcs[i].idx);
	}
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
