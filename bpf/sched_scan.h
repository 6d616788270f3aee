/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The connection-count schedulers: a walk over the service's real servers
 * (the ring holds those of weight > 0 in IPVS list order) reading their
 * live counts, with IPVS's comparison for each (ip_vs_lc.c, ip_vs_wlc.c,
 * ip_vs_sed.c, ip_vs_nq.c, ip_vs_fo.c, ip_vs_ovf.c, ip_vs_twos.c): O(n) per
 * new connection, as in IPVS, under bpf_loop so any pool size verifies. */
#ifndef XVS_BPF_SCHED_SCAN_H
#define XVS_BPF_SCHED_SCAN_H

#include "counts.h"
#include "maps.h"

/* IPVS's ip_vs_dest_conn_overhead(): an active connection costs 256
 * inactive ones. */
#define OVERHEAD(active, inactive)	((active) * 256 + (inactive))

/* A real server of the service, as the schedulers read it. */
static __always_inline struct xvs_dest *dest_in_svc(__u32 dest_idx, __u32 svc_idx)
{
	struct xvs_dest *d = bpf_map_lookup_elem(&xvs_dests, &dest_idx);

	if (!d || !(d->flags & XVS_DEST_F_IN_USE) || d->svc_idx != svc_idx)
		return NULL;
	return d;
}

struct scan_member {
	__u32 idx;
	__s64 weight;
	__s64 active, inactive;
	bool overloaded;		/* IP_VS_DEST_F_OVERLOAD */
};

/* Ring slot `slot` as a member; false when it names no server of the
 * service (left it since the ring was built). */
static __always_inline bool scan_read(__u32 slot, __u32 svc_idx, struct scan_member *m)
{
	struct xvs_dest_conns *n;
	struct xvs_dest *d;
	__u32 *idx;

	if (slot >= XVS_RING_SLOTS)
		return false;
	idx = bpf_map_lookup_elem(&xvs_ring, &slot);
	if (!idx)
		return false;
	m->idx = *idx;
	d = dest_in_svc(m->idx, svc_idx);
	n = bpf_map_lookup_elem(&xvs_dest_conns, &m->idx);
	if (!d || !n)
		return false;
	m->weight = d->weight;
	m->active = READ_ONCE_S32(n->active);
	m->inactive = READ_ONCE_S32(n->inactive);
	m->overloaded = dest_overloaded(n);
	return true;
}

struct scan_ctx {
	__u32 svc_idx;
	__u32 ring_off;
	__u32 pick;			/* enum xvs_pick */
	__u32 pad;
	long best;			/* dest index, -1: none yet */
	__s64 best_oh, best_w;
};

/* wlc, sed and the locality schedulers' wlc: the first usable server, then
 * any whose overhead / weight is strictly lower (compared as products). */
static __always_inline void scan_weighted_least(struct scan_ctx *s, const struct scan_member *m,
						__s64 oh)
{
	if (m->overloaded)
		return;
	if (s->best < 0) {
		if (m->weight > 0) {
			s->best = m->idx;
			s->best_oh = oh;
			s->best_w = m->weight;
		}
		return;
	}
	if (s->best_oh * m->weight > oh * s->best_w) {
		s->best = m->idx;
		s->best_oh = oh;
		s->best_w = m->weight;
	}
}

static long scan_step(__u32 i, struct scan_ctx *s)
{
	struct scan_member m;
	__s64 oh;

	if (!scan_read(s->ring_off + i, s->svc_idx, &m))
		return 0;
	switch (s->pick) {
	case XVS_PICK_LC:
		if (m.overloaded || m.weight == 0)
			return 0;
		oh = OVERHEAD(m.active, m.inactive);
		if (s->best < 0 || oh < s->best_oh) {
			s->best = m.idx;
			s->best_oh = oh;
		}
		return 0;
	case XVS_PICK_SED:
		scan_weighted_least(s, &m, m.active + 1);
		return 0;
	case XVS_PICK_NQ:
		if (m.overloaded || m.weight == 0)
			return 0;
		oh = m.active + 1;
		if (m.active == 0) {	/* an idle server: take it at once */
			s->best = m.idx;
			return 1;
		}
		if (s->best < 0 || s->best_oh * m.weight > oh * s->best_w) {
			s->best = m.idx;
			s->best_oh = oh;
			s->best_w = m.weight;
		}
		return 0;
	case XVS_PICK_FO:
		if (!m.overloaded && m.weight > s->best_w) {
			s->best = m.idx;
			s->best_w = m.weight;
		}
		return 0;
	case XVS_PICK_OVF:
		if (m.overloaded || m.active > m.weight || m.weight == 0)
			return 0;
		if (s->best < 0 || m.weight > s->best_w) {
			s->best = m.idx;
			s->best_w = m.weight;
		}
		return 0;
	default:	/* wlc, and lblc/lblcr when they schedule */
		scan_weighted_least(s, &m, OVERHEAD(m.active, m.inactive));
		return 0;
	}
}

struct twos_ctx {
	__u32 svc_idx;
	__u32 ring_off;
	__s64 total, r1, r2;
	long c1, c2;
	__s64 w1, w2, oh1, oh2;
};

/* twos, first walk: the sum of the usable weights. */
static long twos_sum_step(__u32 i, struct twos_ctx *s)
{
	struct scan_member m;

	if (scan_read(s->ring_off + i, s->svc_idx, &m) && !m.overloaded && m.weight > 0) {
		s->total += m.weight;
		s->c1 = m.idx;	/* IPVS's choice1 when nothing else is found */
	}
	return 0;
}

/* twos, second walk: the servers where the two random weights fall. */
static long twos_pick_step(__u32 i, struct twos_ctx *s)
{
	struct scan_member m;

	if (!scan_read(s->ring_off + i, s->svc_idx, &m) || m.overloaded || m.weight <= 0)
		return 0;
	s->r1 -= m.weight;
	s->r2 -= m.weight;
	if (s->r1 <= 0 && s->w1 < 0) {
		s->c1 = m.idx;
		s->w1 = m.weight;
		s->oh1 = OVERHEAD(m.active, m.inactive);
	}
	if (s->r2 <= 0 && s->w2 < 0) {
		s->c2 = m.idx;
		s->w2 = m.weight;
		s->oh2 = OVERHEAD(m.active, m.inactive);
	}
	return s->w1 >= 0 && s->w2 >= 0;
}

/* ip_vs_twos_schedule(). A global function: checked once. */
__noinline long sched_twos(__u32 svc_idx, __u32 ring_off, __u32 len)
{
	struct twos_ctx s = { .svc_idx = svc_idx, .ring_off = ring_off, .c1 = -1 };
	__u32 bound;

	if (len == 0 || len > XVS_RING_MAX_PER_SVC)
		return -1;
	bpf_loop(len, twos_sum_step, &s, 0);
	if (s.c1 < 0)
		return -1;
	bound = (__u32)s.total + 1;	/* IPVS: random in [0, total] */
	s.r1 = bpf_get_prandom_u32() % bound;
	s.r2 = bpf_get_prandom_u32() % bound;
	s.w1 = s.w2 = -1;
	s.c2 = -1;
	bpf_loop(len, twos_pick_step, &s, 0);
	if (s.c2 >= 0 && s.w2 * s.oh1 > s.w1 * s.oh2)
		return s.c2;
	return s.c1;
}

/* The scheduler's pick among the ring's servers, or -1. A global function:
 * checked once. */
__noinline long sched_scan(__u32 svc_idx, __u32 ring_off, __u32 len, __u32 pick)
{
	struct scan_ctx s = {
		.svc_idx = svc_idx, .ring_off = ring_off, .pick = pick, .best = -1,
	};

	if (len == 0 || len > XVS_RING_MAX_PER_SVC)
		return -1;
	bpf_loop(len, scan_step, &s, 0);
	return s.best;
}

/* lblc/lblcr's is_overloaded(): a server with more active connections
 * than its weight is passed over when some server of the service has
 * fewer than half its weight. */
struct spare_ctx {
	__u32 svc_idx, ring_off;
	bool found;
};

static long spare_step(__u32 i, struct spare_ctx *s)
{
	struct scan_member m;

	if (scan_read(s->ring_off + i, s->svc_idx, &m) && m.active * 2 < m.weight) {
		s->found = true;
		return 1;
	}
	return 0;
}

static __always_inline bool locality_overloaded(__u32 dest_idx, __u32 svc_idx, __u32 ring_off,
						__u32 len)
{
	struct xvs_dest_conns *n = bpf_map_lookup_elem(&xvs_dest_conns, &dest_idx);
	struct xvs_dest *d = bpf_map_lookup_elem(&xvs_dests, &dest_idx);
	struct spare_ctx s = { .svc_idx = svc_idx, .ring_off = ring_off };

	if (!n || !d || READ_ONCE_S32(n->active) <= (__s64)d->weight)
		return false;
	if (len > XVS_RING_MAX_PER_SVC)
		return false;
	bpf_loop(len, spare_step, &s, 0);
	return s.found;
}

#endif /* XVS_BPF_SCHED_SCAN_H */
