// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Service-list helpers: lookups, deep copies, local-address lists, and
 * --rate's per-second values from two samples (libxvs has no rate
 * estimator yet). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xvsadm.h"

static bool same_svc(const struct xvs_svc_conf *a, const struct xvs_svc_conf *b)
{
	if (a->fwmark || b->fwmark)
		return a->fwmark == b->fwmark;
	return a->proto == b->proto && a->addr == b->addr && a->port == b->port;
}

const struct xvs_svc_info *xvsadm_find_svc(const struct xvs_svc_info *list, size_t n,
					   const struct xvs_svc_conf *conf)
{
	for (size_t i = 0; i < n; i++)
		if (same_svc(&list[i].conf, conf))
			return &list[i];
	return NULL;
}

const struct xvs_dest_info *xvsadm_find_dest(const struct xvs_svc_info *svc,
					     const struct xvs_dest_conf *conf)
{
	for (size_t i = 0; svc && i < svc->n_dests; i++)
		if (svc->dests[i].conf.addr == conf->addr && svc->dests[i].conf.port == conf->port)
			return &svc->dests[i];
	return NULL;
}

void xvsadm_svc_list_free(struct xvs_svc_info *list, size_t n)
{
	for (size_t i = 0; list && i < n; i++)
		free(list[i].dests);
	free(list);
}

void xvsadm_laddr_lists_free(struct xvsadm_laddr_list *l, size_t n)
{
	for (size_t i = 0; l && i < n; i++)
		free(l[i].v);
	free(l);
}

int xvsadm_svc_list_dup(const struct xvs_svc_info *in, size_t n, struct xvs_svc_info **out)
{
	struct xvs_svc_info *copy = calloc(n ? n : 1, sizeof(*copy));

	if (!copy)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		copy[i] = in[i];
		copy[i].dests = NULL;
		if (!in[i].n_dests)
			continue;
		copy[i].dests = malloc(in[i].n_dests * sizeof(*copy[i].dests));
		if (!copy[i].dests) {
			xvsadm_svc_list_free(copy, i);
			return -ENOMEM;
		}
		memcpy(copy[i].dests, in[i].dests, in[i].n_dests * sizeof(*copy[i].dests));
	}
	*out = copy;
	return 0;
}

static uint64_t per_second(uint64_t now, uint64_t before, uint64_t elapsed_ms)
{
	if (now <= before || !elapsed_ms)
		return 0;	/* zeroed in between, or a new entry */
	return ((now - before) * 1000 + elapsed_ms / 2) / elapsed_ms;
}

/* Turns cur into rates against prev (NULL: no earlier sample, rate 0). */
static void stats_to_rate(struct xvs_stats *cur, const struct xvs_stats *prev,
			  uint64_t elapsed_ms)
{
	if (!prev)
		prev = cur;
	cur->conns = per_second(cur->conns, prev->conns, elapsed_ms);
	cur->inpkts = per_second(cur->inpkts, prev->inpkts, elapsed_ms);
	cur->outpkts = per_second(cur->outpkts, prev->outpkts, elapsed_ms);
	cur->inbytes = per_second(cur->inbytes, prev->inbytes, elapsed_ms);
	cur->outbytes = per_second(cur->outbytes, prev->outbytes, elapsed_ms);
}

int xvsadm_rates(const struct xvs_svc_info *prev, size_t n_prev,
		 const struct xvs_svc_info *cur, size_t n_cur,
		 uint64_t elapsed_ms, struct xvs_svc_info **out)
{
	struct xvs_svc_info *r;
	int err = xvsadm_svc_list_dup(cur, n_cur, &r);

	if (err)
		return err;
	for (size_t i = 0; i < n_cur; i++) {
		const struct xvs_svc_info *p = xvsadm_find_svc(prev, n_prev, &cur[i].conf);

		stats_to_rate(&r[i].stats, p ? &p->stats : NULL, elapsed_ms);
		for (size_t k = 0; k < r[i].n_dests; k++) {
			const struct xvs_dest_info *pd = xvsadm_find_dest(p, &cur[i].dests[k].conf);

			stats_to_rate(&r[i].dests[k].stats, pd ? &pd->stats : NULL, elapsed_ms);
		}
	}
	*out = r;
	return 0;
}
