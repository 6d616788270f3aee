// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Publishing a service's schedule. The ring map holds every service's
 * schedule as a segment of real-server indices. A new schedule goes into a
 * free segment first and the service entry is switched to it afterwards, so
 * the data plane never reads a half-written schedule; the old segment is
 * free from then on. Segments are derived from the service entries, so no
 * allocator state needs to survive between processes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "internal.h"
#include "sched.h"

struct seg {
	uint32_t off, len;
};

static int seg_cmp(const void *a, const void *b)
{
	const struct seg *sa = a, *sb = b;

	return sa->off < sb->off ? -1 : sa->off > sb->off;
}

int xvs_ring_alloc(const struct xvs_svc_slot *svcs, size_t n_svcs, uint32_t skip_idx,
		   uint32_t n, uint32_t *off)
{
	struct seg *segs = calloc(n_svcs + 1, sizeof(*segs));
	uint32_t cur = 0;
	size_t k = 0;

	if (!segs)
		return -ENOMEM;
	for (size_t i = 0; i < n_svcs; i++)
		if (svcs[i].idx != skip_idx && svcs[i].v.ring_len)
			segs[k++] = (struct seg){ svcs[i].v.ring_off, svcs[i].v.ring_len };
	qsort(segs, k, sizeof(*segs), seg_cmp);
	for (size_t i = 0; i < k; i++) {
		if (segs[i].off >= cur && segs[i].off - cur >= n)
			break;
		if (segs[i].off + segs[i].len > cur)
			cur = segs[i].off + segs[i].len;
	}
	free(segs);
	if (cur > XVS_RING_SLOTS || XVS_RING_SLOTS - cur < n)
		return -ENOSPC;
	*off = cur;
	return 0;
}

/* Segments are handed out from the top of the ring while there is room
 * (O(1) per rebuild, which a restore of many services needs); once the top
 * is reached, the holes that rebuilds left below are reused first-fit. */
static int ring_take(struct xvs *x, uint32_t n, uint32_t *off)
{
	if (x->ring_top <= XVS_RING_SLOTS && XVS_RING_SLOTS - x->ring_top >= n) {
		*off = x->ring_top;
		x->ring_top += n;
		return 0;
	}
	return xvs_ring_alloc(x->svcs, x->n_svcs, UINT32_MAX, n, off);
}

static int ring_write(struct xvs *x, uint32_t off, const uint32_t *ring, uint32_t len)
{
	uint32_t *keys = malloc(len * sizeof(*keys) + 1);
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint32_t count = len;
	int err = 0;

	if (!keys)
		return -ENOMEM;
	for (uint32_t i = 0; i < len; i++)
		keys[i] = off + i;
	if (len && bpf_map_update_batch(x->map_fd[MAP_RING], keys, ring, &count, &opts))
		err = -errno;
	free(keys);
	return err;
}

/* Builds the schedule of svc from its real servers in IPVS list order. */
static int schedule_build(struct xvs *x, const struct xvs_sched_ops *ops,
			  const struct xvs_svc_slot *s, uint32_t *ring)
{
	struct xvs_dest_slot **dests;
	struct xvs_sched_dest *sd;
	size_t n;
	int len;

	len = xvs_model_svc_dests(x, s->idx, &dests, &n);
	if (len)
		return len;
	sd = calloc(n + 1, sizeof(*sd));
	if (!sd) {
		free(dests);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		sd[i] = (struct xvs_sched_dest){
			.id = dests[i]->idx, .weight = dests[i]->v.weight,
			.addr = dests[i]->v.addr, .port = dests[i]->v.port,
		};
	len = ops->build(sd, n, ring, XVS_RING_MAX_PER_SVC);
	free(sd);
	free(dests);
	return len;
}

int xvs_schedule_publish(struct xvs *x, struct xvs_svc_slot *s)
{
	const struct xvs_sched_ops *ops = xvs_sched_find(s->v.sched_name);
	uint32_t *ring, off = 0;
	struct xvs_svc v = s->v;
	int len, err;

	if (!ops)
		return -ENOENT;
	ring = malloc(XVS_RING_MAX_PER_SVC * sizeof(*ring));
	if (!ring)
		return -ENOMEM;
	len = schedule_build(x, ops, s, ring);
	err = len < 0 ? len : 0;
	if (!err && len)
		err = ring_take(x, (uint32_t)len, &off);
	if (!err)
		err = ring_write(x, off, ring, (uint32_t)len);
	free(ring);
	if (err)
		return err;
	v.ring_off = off;
	v.ring_len = (uint32_t)len;
	v.cursor = 0;
	v.pick = ops->pick;
	err = xvs_map_update(x, MAP_SVC_INFO, &s->idx, &v);
	if (!err)
		s->v = v;
	return err;
}
