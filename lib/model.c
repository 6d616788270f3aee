// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The handle's model of the service and real-server tables: read from the
 * maps once when a handle opens, then kept in step by every change. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <bpf/bpf.h>

#include "internal.h"

void xvs_svc_key_from_conf(struct xvs_svc_key *k, const struct xvs_svc_conf *c)
{
	memset(k, 0, sizeof(*k));
	k->addr = c->addr;
	k->port = htons(c->port);
	k->proto = c->proto;
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	void *p;
	size_t ncap;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

int xvs_model_svc_put(struct xvs *x, uint32_t idx, const struct xvs_svc *v)
{
	for (size_t i = 0; i < x->n_svcs; i++)
		if (x->svcs[i].idx == idx) {
			x->svcs[i].v = *v;
			return 0;
		}
	if (grow((void **)&x->svcs, &x->cap_svcs, x->n_svcs + 1, sizeof(*x->svcs)))
		return -ENOMEM;
	x->svcs[x->n_svcs].idx = idx;
	x->svcs[x->n_svcs].v = *v;
	x->n_svcs++;
	return 0;
}

int xvs_model_dest_put(struct xvs *x, uint32_t idx, const struct xvs_dest *v)
{
	for (size_t i = 0; i < x->n_dests; i++)
		if (x->dests[i].idx == idx) {
			x->dests[i].v = *v;
			return 0;
		}
	if (grow((void **)&x->dests, &x->cap_dests, x->n_dests + 1, sizeof(*x->dests)))
		return -ENOMEM;
	x->dests[x->n_dests].idx = idx;
	x->dests[x->n_dests].v = *v;
	x->n_dests++;
	return 0;
}

void xvs_model_svc_drop(struct xvs *x, uint32_t idx)
{
	for (size_t i = 0; i < x->n_svcs; i++)
		if (x->svcs[i].idx == idx) {
			x->svcs[i] = x->svcs[--x->n_svcs];
			return;
		}
}

void xvs_model_dest_drop(struct xvs *x, uint32_t idx)
{
	for (size_t i = 0; i < x->n_dests; i++)
		if (x->dests[i].idx == idx) {
			x->dests[i] = x->dests[--x->n_dests];
			return;
		}
}

void xvs_model_free(struct xvs *x)
{
	free(x->svcs);
	free(x->dests);
	x->svcs = NULL;
	x->dests = NULL;
	x->n_svcs = x->cap_svcs = x->n_dests = x->cap_dests = 0;
}

static int load_svcs(struct xvs *x)
{
	struct xvs_svc_key key, *prev = NULL;
	int err;

	while (!bpf_map_get_next_key(x->map_fd[MAP_SVCS], prev, &key)) {
		struct xvs_svc v;
		uint32_t idx;

		prev = &key;
		if (bpf_map_lookup_elem(x->map_fd[MAP_SVCS], &key, &idx) ||
		    bpf_map_lookup_elem(x->map_fd[MAP_SVC_INFO], &idx, &v))
			continue;	/* deleted meanwhile */
		if (!(v.flags & XVS_SVC_F_IN_USE))
			continue;
		err = xvs_model_svc_put(x, idx, &v);
		if (err)
			return err;
	}
	return errno == ENOENT ? 0 : -errno;
}

/* Reads the whole dest array in batches. */
static int load_dests(struct xvs *x)
{
	const uint32_t batch = 4096;
	struct xvs_dest *vals = calloc(batch, sizeof(*vals));
	uint32_t *keys = calloc(batch, sizeof(*keys)), in = 0, out = 0;
	bool first = true;
	int err = 0;

	if (!vals || !keys) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		uint32_t count = batch;
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		int r = bpf_map_lookup_batch(x->map_fd[MAP_DESTS], first ? NULL : &in, &out,
					     keys, vals, &count, &opts);

		if (r && errno != ENOENT) {
			err = -errno;
			break;
		}
		for (uint32_t i = 0; i < count && !err; i++)
			if (vals[i].flags & XVS_DEST_F_IN_USE)
				err = xvs_model_dest_put(x, keys[i], &vals[i]);
		if (r || err)
			break;
		in = out;
		first = false;
	}
out:
	free(vals);
	free(keys);
	return err;
}

int xvs_model_load(struct xvs *x)
{
	int err;

	xvs_model_free(x);
	if (!xvs_is_loaded(x))
		return 0;
	err = load_svcs(x);
	if (!err)
		err = load_dests(x);
	return err;
}

struct xvs_svc_slot *xvs_model_svc_find(struct xvs *x, const struct xvs_svc_key *k)
{
	for (size_t i = 0; i < x->n_svcs; i++) {
		const struct xvs_svc_key *s = &x->svcs[i].v.key;

		if (s->addr == k->addr && s->port == k->port && s->proto == k->proto)
			return &x->svcs[i];
	}
	return NULL;
}

struct xvs_dest_slot *xvs_model_dest_find(struct xvs *x, uint32_t svc_idx,
					  uint32_t addr, uint16_t port_be)
{
	for (size_t i = 0; i < x->n_dests; i++) {
		const struct xvs_dest *d = &x->dests[i].v;

		if (d->svc_idx == svc_idx && d->addr == addr && d->port == port_be)
			return &x->dests[i];
	}
	return NULL;
}

static int by_seq_desc(const void *a, const void *b)
{
	const struct xvs_dest_slot *const *da = a, *const *db = b;

	return (*da)->v.seq < (*db)->v.seq ? 1 : (*da)->v.seq > (*db)->v.seq ? -1 : 0;
}

int xvs_model_svc_dests(struct xvs *x, uint32_t svc_idx, struct xvs_dest_slot ***out, size_t *n)
{
	struct xvs_dest_slot **list = calloc(x->n_dests + 1, sizeof(*list));
	size_t k = 0;

	if (!list)
		return -ENOMEM;
	for (size_t i = 0; i < x->n_dests; i++)
		if (x->dests[i].v.svc_idx == svc_idx)
			list[k++] = &x->dests[i];
	qsort(list, k, sizeof(*list), by_seq_desc);
	*out = list;
	*n = k;
	return 0;
}

/* Lowest index not in use; the sets are small enough for a bitmap. */
static int free_idx(const uint32_t *used, size_t n, uint32_t max, uint32_t *idx)
{
	uint8_t *bits = calloc(max / 8 + 1, 1);

	if (!bits)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (used[i] < max)
			bits[used[i] / 8] |= 1u << (used[i] % 8);
	for (uint32_t i = 0; i < max; i++)
		if (!(bits[i / 8] & (1u << (i % 8)))) {
			free(bits);
			*idx = i;
			return 0;
		}
	free(bits);
	return -ENOSPC;
}

int xvs_model_free_svc_idx(struct xvs *x, uint32_t *idx)
{
	uint32_t *used = calloc(x->n_svcs + 1, sizeof(*used));
	int err;

	if (!used)
		return -ENOMEM;
	for (size_t i = 0; i < x->n_svcs; i++)
		used[i] = x->svcs[i].idx;
	err = free_idx(used, x->n_svcs, XVS_MAX_SVC, idx);
	free(used);
	return err;
}

int xvs_model_free_dest_idx(struct xvs *x, uint32_t *idx)
{
	uint32_t *used = calloc(x->n_dests + 1, sizeof(*used));
	int err;

	if (!used)
		return -ENOMEM;
	for (size_t i = 0; i < x->n_dests; i++)
		used[i] = x->dests[i].idx;
	err = free_idx(used, x->n_dests, XVS_MAX_DEST, idx);
	free(used);
	return err;
}

uint32_t xvs_model_next_seq(struct xvs *x)
{
	uint32_t seq = 0;

	for (size_t i = 0; i < x->n_svcs; i++)
		if (x->svcs[i].v.seq > seq)
			seq = x->svcs[i].v.seq;
	for (size_t i = 0; i < x->n_dests; i++)
		if (x->dests[i].v.seq > seq)
			seq = x->dests[i].v.seq;
	return seq + 1;
}
