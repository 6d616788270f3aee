// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The handle's model of the service and real-server tables: read from the
 * maps once when a handle opens, then kept in step by every change.
 *
 * Indexed so that a restore of 10,000 services does not scan the model per
 * line: position of each service and real server by its table index, each
 * service's real servers chained, free indices found from a rolling hint,
 * and a service found by key through the xvs_svcs map itself (the data
 * plane's own hash, which the model mirrors). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "internal.h"

#define NONE UINT32_MAX

struct xvs_model_index {
	uint32_t svc_pos[XVS_MAX_SVC];		/* idx -> position in x->svcs, or NONE */
	uint32_t svc_head[XVS_MAX_SVC];		/* first real server of the service, or NONE */
	uint32_t dest_pos[XVS_MAX_DEST];	/* idx -> position in x->dests, or NONE */
	uint32_t dest_next[XVS_MAX_DEST];	/* next real server of the same service */
	uint32_t svc_hint, dest_hint;		/* where to look for a free index */
	uint32_t max_seq;
};

void xvs_svc_key_from_conf(struct xvs_svc_key *k, const struct xvs_svc_conf *c)
{
	memset(k, 0, sizeof(*k));
	if (c->fwmark) {
		k->addr = htonl(c->fwmark);
		k->kind = XVS_SVC_KEY_FWMARK;
		return;
	}
	k->addr = c->addr;
	k->port = htons(c->port);
	k->proto = c->proto;
}

static int index_init(struct xvs *x)
{
	struct xvs_model_index *ix = malloc(sizeof(*ix));

	if (!ix)
		return -ENOMEM;
	memset(ix->svc_pos, 0xff, sizeof(ix->svc_pos));
	memset(ix->svc_head, 0xff, sizeof(ix->svc_head));
	memset(ix->dest_pos, 0xff, sizeof(ix->dest_pos));
	memset(ix->dest_next, 0xff, sizeof(ix->dest_next));
	ix->svc_hint = ix->dest_hint = 0;
	ix->max_seq = 0;
	x->index = ix;
	return 0;
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

static void note_seq(struct xvs *x, uint32_t seq)
{
	if (seq > x->index->max_seq)
		x->index->max_seq = seq;
}

int xvs_model_svc_put(struct xvs *x, uint32_t idx, const struct xvs_svc *v)
{
	struct xvs_model_index *ix = x->index;

	if (idx >= XVS_MAX_SVC)
		return -EINVAL;
	note_seq(x, v->seq);
	if (ix->svc_pos[idx] != NONE) {
		x->svcs[ix->svc_pos[idx]].v = *v;
		return 0;
	}
	if (grow((void **)&x->svcs, &x->cap_svcs, x->n_svcs + 1, sizeof(*x->svcs)))
		return -ENOMEM;
	x->svcs[x->n_svcs] = (struct xvs_svc_slot){ .idx = idx, .v = *v };
	ix->svc_pos[idx] = (uint32_t)x->n_svcs++;
	if (v->ring_len && v->ring_off + v->ring_len > x->ring_top)
		x->ring_top = v->ring_off + v->ring_len;
	return 0;
}

int xvs_model_dest_put(struct xvs *x, uint32_t idx, const struct xvs_dest *v)
{
	struct xvs_model_index *ix = x->index;

	if (idx >= XVS_MAX_DEST || v->svc_idx >= XVS_MAX_SVC)
		return -EINVAL;
	note_seq(x, v->seq);
	if (ix->dest_pos[idx] != NONE) {
		x->dests[ix->dest_pos[idx]].v = *v;	/* a real server never changes service */
		return 0;
	}
	if (grow((void **)&x->dests, &x->cap_dests, x->n_dests + 1, sizeof(*x->dests)))
		return -ENOMEM;
	x->dests[x->n_dests] = (struct xvs_dest_slot){ .idx = idx, .v = *v };
	ix->dest_pos[idx] = (uint32_t)x->n_dests++;
	ix->dest_next[idx] = ix->svc_head[v->svc_idx];
	ix->svc_head[v->svc_idx] = idx;
	return 0;
}

void xvs_model_svc_drop(struct xvs *x, uint32_t idx)
{
	struct xvs_model_index *ix = x->index;
	uint32_t pos = idx < XVS_MAX_SVC ? ix->svc_pos[idx] : NONE;

	if (pos == NONE)
		return;
	x->svcs[pos] = x->svcs[--x->n_svcs];	/* the last one moves into the hole */
	ix->svc_pos[x->svcs[pos].idx] = pos;
	ix->svc_pos[idx] = NONE;
}

void xvs_model_dest_drop(struct xvs *x, uint32_t idx)
{
	struct xvs_model_index *ix = x->index;
	uint32_t pos = idx < XVS_MAX_DEST ? ix->dest_pos[idx] : NONE, *link;

	if (pos == NONE)
		return;
	for (link = &ix->svc_head[x->dests[pos].v.svc_idx]; *link != NONE; link = &ix->dest_next[*link])
		if (*link == idx) {
			*link = ix->dest_next[idx];
			break;
		}
	x->dests[pos] = x->dests[--x->n_dests];
	ix->dest_pos[x->dests[pos].idx] = pos;
	ix->dest_pos[idx] = NONE;
}

void xvs_model_free(struct xvs *x)
{
	free(x->svcs);
	free(x->dests);
	free(x->index);
	free(x->trash);
	x->svcs = NULL;
	x->dests = NULL;
	x->index = NULL;
	x->trash = NULL;
	x->n_trash = x->cap_trash = 0;
	x->n_svcs = x->cap_svcs = x->n_dests = x->cap_dests = 0;
	x->ring_top = 0;
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

static int load_dest(const void *key, const void *val, void *data)
{
	const struct xvs_dest *d = val;
	uint32_t idx = *(const uint32_t *)key;
	struct xvs *x = data;

	if (d->flags & XVS_DEST_F_IN_USE)
		return xvs_model_dest_put(x, idx, d);
	if ((d->flags & XVS_DEST_F_TRASH) && xvs_counts_busy(x, idx))
		return xvs_model_trash_put(x, idx, d);
	return 0;
}

struct xvs_dest_slot *xvs_model_trash_find(struct xvs *x, uint32_t svc_idx, uint32_t addr,
					   uint16_t port_be)
{
	for (size_t i = 0; i < x->n_trash; i++) {
		struct xvs_dest_slot *t = &x->trash[i];

		if (t->v.svc_idx == svc_idx && t->v.addr == addr && t->v.port == port_be &&
		    xvs_counts_busy(x, t->idx))
			return t;
	}
	return NULL;
}

int xvs_model_trash_put(struct xvs *x, uint32_t idx, const struct xvs_dest *v)
{
	if (grow((void **)&x->trash, &x->cap_trash, x->n_trash + 1, sizeof(*x->trash)))
		return -ENOMEM;
	x->trash[x->n_trash++] = (struct xvs_dest_slot){ .idx = idx, .v = *v };
	return 0;
}

void xvs_model_trash_drop(struct xvs *x, uint32_t idx)
{
	for (size_t i = 0; i < x->n_trash; i++)
		if (x->trash[i].idx == idx) {
			x->trash[i] = x->trash[--x->n_trash];
			return;
		}
}

/* A service slot stays taken while real servers of it in the trash are
 * counted on: their connections' statistics still go to it. */
static bool svc_idx_held(struct xvs *x, uint32_t idx)
{
	for (size_t i = 0; i < x->n_trash; i++)
		if (x->trash[i].v.svc_idx == idx && xvs_counts_busy(x, x->trash[i].idx))
			return true;
	return false;
}

int xvs_model_load(struct xvs *x)
{
	int err;

	xvs_model_free(x);
	err = index_init(x);
	if (err || !xvs_is_loaded(x))
		return err;
	err = load_svcs(x);
	if (!err)
		err = xvs_map_walk(x, MAP_DESTS, sizeof(uint32_t), sizeof(struct xvs_dest),
				   load_dest, x);
	return err;
}

struct xvs_svc_slot *xvs_model_svc_find(struct xvs *x, const struct xvs_svc_key *k)
{
	uint32_t idx, pos;

	if (!xvs_is_loaded(x) || bpf_map_lookup_elem(x->map_fd[MAP_SVCS], k, &idx) ||
	    idx >= XVS_MAX_SVC)
		return NULL;
	pos = x->index->svc_pos[idx];
	return pos == NONE ? NULL : &x->svcs[pos];
}

struct xvs_svc_slot *xvs_model_svc_at(struct xvs *x, uint32_t idx)
{
	uint32_t pos = idx < XVS_MAX_SVC ? x->index->svc_pos[idx] : NONE;

	return pos == NONE ? NULL : &x->svcs[pos];
}

struct xvs_dest_slot *xvs_model_dest_find(struct xvs *x, uint32_t svc_idx,
					  uint32_t addr, uint16_t port_be)
{
	struct xvs_model_index *ix = x->index;

	if (svc_idx >= XVS_MAX_SVC)
		return NULL;
	for (uint32_t i = ix->svc_head[svc_idx]; i != NONE; i = ix->dest_next[i]) {
		struct xvs_dest_slot *d = &x->dests[ix->dest_pos[i]];

		if (d->v.addr == addr && d->v.port == port_be)
			return d;
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
	struct xvs_model_index *ix = x->index;
	struct xvs_dest_slot **list;
	size_t k = 0, cap = 16;

	list = malloc(cap * sizeof(*list));
	if (!list)
		return -ENOMEM;
	for (uint32_t i = svc_idx < XVS_MAX_SVC ? ix->svc_head[svc_idx] : NONE; i != NONE;
	     i = ix->dest_next[i]) {
		if (k == cap) {
			void *p = realloc(list, (cap *= 2) * sizeof(*list));

			if (!p) {
				free(list);
				return -ENOMEM;
			}
			list = p;
		}
		list[k++] = &x->dests[ix->dest_pos[i]];
	}
	qsort(list, k, sizeof(*list), by_seq_desc);
	*out = list;
	*n = k;
	return 0;
}

/* First index at or after *hint whose position is NONE and that held()
 * does not keep, wrapping once. */
static int free_idx(struct xvs *x, const uint32_t *pos, uint32_t max, uint32_t *hint,
		    bool (*held)(struct xvs *, uint32_t), uint32_t *idx)
{
	for (uint32_t n = 0, i = *hint % max; n < max; n++, i = (i + 1) % max)
		if (pos[i] == NONE && !held(x, i)) {
			*idx = i;
			*hint = (i + 1) % max;
			return 0;
		}
	return -ENOSPC;
}

int xvs_model_free_svc_idx(struct xvs *x, uint32_t *idx)
{
	return free_idx(x, x->index->svc_pos, XVS_MAX_SVC, &x->index->svc_hint, svc_idx_held,
			idx);
}

/* A real-server slot is reused only once nothing counts on it. */
static bool dest_idx_held(struct xvs *x, uint32_t idx)
{
	return xvs_counts_busy(x, idx);
}

int xvs_model_free_dest_idx(struct xvs *x, uint32_t *idx)
{
	return free_idx(x, x->index->dest_pos, XVS_MAX_DEST, &x->index->dest_hint, dest_idx_held,
			idx);
}

uint32_t xvs_model_next_seq(struct xvs *x)
{
	return x->index->max_seq + 1;
}
