// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Service-list helpers: lookups, deep copies, local-address lists, and
 * --rate's values in place of the statistics. */
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

void xvsadm_stats_to_rates(struct xvs_svc_info *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		list[i].stats = list[i].rate;
		for (size_t k = 0; k < list[i].n_dests; k++)
			list[i].dests[k].stats = list[i].dests[k].rate;
	}
}
