/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Finding a packet's connection, or scheduling a new one on its service:
 * the control plane precomputes each service's schedule as a run of ring
 * slots; the data plane takes the next slot with an atomic cursor. */
#ifndef XVS_BPF_SCHED_H
#define XVS_BPF_SCHED_H

#include "conn.h"
#include "stats.h"

/* The real server for the next new connection of service svc_idx, or a
 * negative value when it has none available. */
static __always_inline long sched_pick(__u32 svc_idx, struct xvs_dest **dest_out)
{
	struct xvs_svc *svc = bpf_map_lookup_elem(&xvs_svc_info, &svc_idx);
	struct xvs_dest *dest;
	__u32 ring_len, pos, slot, *dest_idx;

	if (!svc || svc->pick != XVS_PICK_RING_CURSOR)
		return -1;
	ring_len = svc->ring_len;
	if (ring_len == 0)
		return -1;
	pos = __sync_fetch_and_add(&svc->cursor, 1) % ring_len;
	slot = svc->ring_off + pos;
	if (slot >= XVS_RING_SLOTS)
		return -1;
	dest_idx = bpf_map_lookup_elem(&xvs_ring, &slot);
	if (!dest_idx)
		return -1;
	dest = bpf_map_lookup_elem(&xvs_dests, dest_idx);
	if (!dest || !(dest->flags & XVS_DEST_F_IN_USE) ||
	    dest->svc_idx != svc_idx || dest->weight == 0)
		return -1;
	*dest_out = dest;
	return *dest_idx;
}

/* Schedules a new connection for a packet without a live one and records
 * it. replacing: a dead or closed entry is being replaced. */
static __always_inline int sched_new_conn(const struct flow *f, __u64 now, bool replacing,
					  struct xvs_conn *c)
{
	struct xvs_svc_key sk = {
		.addr = f->key.daddr,
		.port = f->key.dport,
		.proto = f->key.proto,
	};
	struct xvs_dest *dest = NULL;
	__u32 *svc_idx = bpf_map_lookup_elem(&xvs_svcs, &sk);
	long dest_idx;

	if (!svc_idx)
		return PASS(XVS_CNT_PASS_NO_SVC);
	/* IPVS schedules TCP only on a SYN; anything else is not ours. */
	if (f->key.proto == IPPROTO_TCP && !tcp_is_syn(f))
		return PASS(XVS_CNT_PASS_NO_CONN);
	dest_idx = sched_pick(*svc_idx, &dest);
	if (dest_idx < 0 || !dest)
		return DROP(XVS_CNT_DROP_NO_DEST);

	c->raddr = dest->addr;
	c->rport = dest->port;
	c->fwd = dest->fwd;
	c->state = f->key.proto == IPPROTO_TCP ? XVS_CS_SYN_RECV : XVS_CS_UDP;
	c->dest_idx = dest_idx;
	c->svc_idx = *svc_idx;
	c->tun_saddr = dest->tun_saddr;
	c->last_seen_ns = now;
	/* A failed insert (table full of pinned entries) still forwards this
	 * packet; the flow's next packet then finds no connection. */
	bpf_map_update_elem(&xvs_conns, &f->key, c, BPF_ANY);
	count(XVS_CNT_CONN_NEW);
	if (replacing)
		count(XVS_CNT_CONN_RESCHED);
	stats_conn(c->svc_idx, c->dest_idx);
	return UNDECIDED;
}

/* Fills c with the packet's connection: the live one (its state advanced),
 * or a newly scheduled one. Returns a decision when there is none. */
static __always_inline int conn_get(const struct flow *f, struct xvs_conn *c)
{
	__u32 zero = 0;
	struct xvs_cfg *cfg = bpf_map_lookup_elem(&xvs_cfg, &zero);
	struct xvs_conn *e;
	__u64 now = bpf_ktime_get_ns();

	if (!cfg)
		return PASS(XVS_CNT_PASS_NO_SVC);
	e = bpf_map_lookup_elem(&xvs_conns, &f->key);
	if (e && conn_is_live(e, cfg, now) && !conn_is_reused(e, f)) {
		conn_touch(e, f, now);
		*c = *e;
		return UNDECIDED;
	}
	return sched_new_conn(f, now, e != NULL, c);
}

#endif /* XVS_BPF_SCHED_H */
