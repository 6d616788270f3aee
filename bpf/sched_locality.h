/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* lblc and lblcr (ip_vs_lblc.c, ip_vs_lblcr.c): a per-service cache from
 * the packet's destination address to a real server (lblc) or a set of
 * them (lblcr), kept in xvs_locality, falling back to wlc. Entries are
 * changed in place, as IPVS changes its own under a lock: two CPUs racing
 * on one destination may both schedule it, which IPVS's lock would have
 * ordered; the set stays well formed either way. Expiry: maint.h. */
#ifndef XVS_BPF_SCHED_LOCALITY_H
#define XVS_BPF_SCHED_LOCALITY_H

#include "sched_scan.h"

/* ip_vs_lblcr.c's sysctl_lblcr_expiration default: a set with more than
 * one server drops its most loaded one when it has not changed this long. */
#define LBLCR_SET_TRIM_NS	(24ull * 60 * 60 * 1000000000ull)

/* A set position the verifier can see is in bounds whatever the compiler
 * did with the checks before it. */
static __always_inline __u32 set_pos(__u32 i)
{
	asm volatile("%0 &= %1" : "+r"(i) : "i"(XVS_LBLCR_SET_MAX - 1));
	return i;
}

static __always_inline void locality_new(const struct xvs_locality_key *k, __u32 dest, __u64 now)
{
	struct xvs_locality l = { .lastuse_ns = now, .lastmod_ns = now, .n = 1 };
	__u32 zero = 0;
	struct xvs_maint *m;

	l.dest[0] = dest;
	/* a full table leaves the connection scheduled, uncached, as IPVS does
	 * when it cannot allocate an entry */
	if (bpf_map_update_elem(&xvs_locality, k, &l, BPF_NOEXIST))
		return;
	m = bpf_map_lookup_elem(&xvs_maint, &zero);
	if (m)
		__sync_fetch_and_add(&m->locality_entries, 1);
}

/* ip_vs_lblc_schedule(), first half: the cached server of daddr if it can
 * take the connection, else -1 (the caller schedules by wlc and calls
 * lblc_record()). Global functions: checked once. */
__noinline long lblc_cached(__u32 svc_idx, __be32 daddr, __u32 ring_off, __u32 len, __u64 now)
{
	struct xvs_locality_key k = { .svc_idx = svc_idx, .daddr = daddr };
	struct xvs_locality *l = bpf_map_lookup_elem(&xvs_locality, &k);
	struct xvs_dest *d;
	long dest;

	if (!l)
		return -1;
	l->lastuse_ns = now;
	dest = l->dest[0];
	d = dest_in_svc(dest, svc_idx);
	if (d && d->weight > 0 && !locality_overloaded(dest, svc_idx, ring_off, len))
		return dest;
	return -1;
}

/* ip_vs_lblc_new(): daddr now goes to dest. */
__noinline int lblc_record(__u32 svc_idx, __be32 daddr, __u32 dest, __u64 now)
{
	struct xvs_locality_key k = { .svc_idx = svc_idx, .daddr = daddr };
	struct xvs_locality *l = bpf_map_lookup_elem(&xvs_locality, &k);

	if (!l) {
		locality_new(&k, dest, now);
		return 0;
	}
	if (l->dest[0] != dest) {
		l->dest[0] = dest;
		l->lastuse_ns = now;
	}
	return 0;
}

/* ip_vs_dest_set_min(): the set's usable server of least overhead /
 * weight. */
struct set_ctx {
	struct xvs_locality *l;
	__u32 svc_idx;
	__u32 pos;		/* set_max: position of the result */
	long best;
	__s64 best_oh, best_w;
};

static long set_min_step(__u32 i, struct set_ctx *s)
{
	struct xvs_dest_conns *n;
	struct xvs_dest *d;
	__u32 idx;
	__s64 oh;

	if (i >= XVS_LBLCR_SET_MAX || i >= s->l->n)
		return 1;
	idx = s->l->dest[set_pos(i)];
	d = dest_in_svc(idx, s->svc_idx);	/* IP_VS_DEST_F_AVAILABLE */
	n = bpf_map_lookup_elem(&xvs_dest_conns, &idx);
	if (!d || !n || dest_overloaded(n))
		return 0;
	oh = OVERHEAD((__s64)READ_ONCE_S32(n->active), (__s64)READ_ONCE_S32(n->inactive));
	if (s->best < 0) {
		if (d->weight > 0) {
			s->best = idx;
			s->best_oh = oh;
			s->best_w = d->weight;
		}
	} else if (s->best_oh * d->weight > oh * s->best_w) {
		s->best = idx;
		s->best_oh = oh;
		s->best_w = d->weight;
	}
	return 0;
}

/* ip_vs_dest_set_max(): the member of greatest overhead / weight among
 * those of weight > 0, whether or not still in the service. */
static long set_max_step(__u32 i, struct set_ctx *s)
{
	struct xvs_dest_conns *n;
	struct xvs_dest *d;
	__u32 idx;
	__s64 oh;

	if (i >= XVS_LBLCR_SET_MAX || i >= s->l->n)
		return 1;
	idx = s->l->dest[set_pos(i)];
	d = bpf_map_lookup_elem(&xvs_dests, &idx);
	n = bpf_map_lookup_elem(&xvs_dest_conns, &idx);
	if (!d || !n || d->weight == 0)
		return 0;
	oh = OVERHEAD((__s64)READ_ONCE_S32(n->active), (__s64)READ_ONCE_S32(n->inactive));
	if (s->best < 0 || s->best_oh * d->weight < oh * s->best_w) {
		s->best = idx;
		s->pos = i;
		s->best_oh = oh;
		s->best_w = d->weight;
	}
	return 0;
}

struct set_edit {
	struct xvs_locality *l;
	__u32 n, pos, dest;
	bool present;
};

static long set_erase_step(__u32 i, struct set_edit *e)
{
	if (i + 1 >= e->n || i + 1 >= XVS_LBLCR_SET_MAX)
		return 1;
	if (i >= e->pos)
		e->l->dest[set_pos(i)] = e->l->dest[set_pos(i + 1)];
	return 0;
}

/* Removes position pos from the set. */
static __always_inline void set_erase(struct xvs_locality *l, __u32 pos, __u64 now)
{
	struct set_edit e = { .l = l, .n = l->n, .pos = pos };

	if (e.n > XVS_LBLCR_SET_MAX || pos >= e.n)
		return;
	bpf_loop(XVS_LBLCR_SET_MAX, set_erase_step, &e, 0);
	l->n = e.n - 1;
	l->lastmod_ns = now;
}

static long set_find_step(__u32 i, struct set_edit *e)
{
	if (i >= e->n || i >= XVS_LBLCR_SET_MAX)
		return 1;
	if (e->l->dest[set_pos(i)] == e->dest) {
		e->present = true;
		return 1;
	}
	return 0;
}

/* Moves dest[j - 1] to dest[j] for j = n .. 1 (j = n - i). */
static long set_shift_step(__u32 i, struct set_edit *e)
{
	__u32 j = e->n - i;

	if (i >= e->n || j == 0 || j >= XVS_LBLCR_SET_MAX)
		return i >= e->n;
	e->l->dest[set_pos(j)] = e->l->dest[set_pos(j - 1)];
	return 0;
}

/* ip_vs_dest_set_insert(set, dest, true): at the head unless present; a
 * full set loses its oldest member (IPVS's sets have no bound). */
static __always_inline void set_insert(struct xvs_locality *l, __u32 dest, __u64 now)
{
	struct set_edit e = { .l = l, .n = l->n, .dest = dest };

	if (e.n > XVS_LBLCR_SET_MAX)
		e.n = XVS_LBLCR_SET_MAX;
	bpf_loop(XVS_LBLCR_SET_MAX, set_find_step, &e, 0);
	if (e.present)
		return;
	bpf_loop(XVS_LBLCR_SET_MAX, set_shift_step, &e, 0);
	l->dest[0] = dest;
	l->n = e.n < XVS_LBLCR_SET_MAX ? e.n + 1 : XVS_LBLCR_SET_MAX;
	l->lastmod_ns = now;
}

/* ip_vs_lblcr_schedule(), first half: the set's least loaded server if it
 * is not overloaded, else -1 (the caller schedules by wlc and calls
 * lblcr_record()). An old set of several servers gives up its most loaded
 * one on the way. Global functions: checked once. */
__noinline long lblcr_cached(__u32 svc_idx, __be32 daddr, __u32 ring_off, __u32 len, __u64 now)
{
	struct xvs_locality_key k = { .svc_idx = svc_idx, .daddr = daddr };
	struct set_ctx s = { .svc_idx = svc_idx, .best = -1 };
	struct xvs_locality *l = bpf_map_lookup_elem(&xvs_locality, &k);
	long dest;

	if (!l)
		return -1;
	l->lastuse_ns = now;
	s.l = l;
	bpf_loop(XVS_LBLCR_SET_MAX, set_min_step, &s, 0);
	dest = s.best;
	if (l->n > 1 && ns_since(now, l->lastmod_ns) > LBLCR_SET_TRIM_NS) {
		s.best = -1;
		bpf_loop(XVS_LBLCR_SET_MAX, set_max_step, &s, 0);
		if (s.best >= 0)
			set_erase(l, s.pos, now);
	}
	if (dest >= 0 && !locality_overloaded(dest, svc_idx, ring_off, len))
		return dest;
	return -1;
}

/* dest joins daddr's set, or a new entry holds it (ip_vs_lblcr_new()). */
__noinline int lblcr_record(__u32 svc_idx, __be32 daddr, __u32 dest, __u64 now)
{
	struct xvs_locality_key k = { .svc_idx = svc_idx, .daddr = daddr };
	struct xvs_locality *l = bpf_map_lookup_elem(&xvs_locality, &k);

	if (l)
		set_insert(l, dest, now);
	else
		locality_new(&k, dest, now);
	return 0;
}

#endif /* XVS_BPF_SCHED_LOCALITY_H */
