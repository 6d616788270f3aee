/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Finding a packet's connection, or scheduling a new one on its service:
 * the control plane precomputes each service's schedule as a run of ring
 * slots; the data plane takes the next slot with an atomic cursor (rr, wrr)
 * or the slot a hash of the packet's address names (sh, dh, mh). */
#ifndef XVS_BPF_SCHED_H
#define XVS_BPF_SCHED_H

#include "conn.h"
#include "lport.h"
#include "stats.h"

/* ---- hash methods (sh, dh, mh) ------------------------------------------
 * The control plane fills the service's ring with IPVS's bucket table; the
 * data plane hashes the packet exactly as IPVS's scheduler does and reads
 * the bucket. No per-flow state: the same address always names the same
 * bucket while the table is unchanged. */

/* -b flags in xvs_svc.sched_flags (abi.h) */
#define SVC_SCHED_FALLBACK	XVS_SCHED_F_FLAG1	/* sh-fallback, mh-fallback */
#define SVC_SCHED_PORT		XVS_SCHED_F_FLAG2	/* sh-port, mh-port */

/* include/linux/hash.h: hash_32(v, bits) = (v * GOLDEN_RATIO_32) >> (32 - bits).
 * Scaling the product to len buckets as (x * len) >> 32 gives exactly that
 * for len = 2^bits (IPVS's 256-bucket sh/dh tables) with no log2. */
#define GOLDEN_RATIO_32		0x61C88647u

static __always_inline __u32 hash32_bucket(__u32 v, __u32 len)
{
	__u32 x = v * GOLDEN_RATIO_32;

	return ((__u64)x * len) >> 32;
}

/* lib/siphash.c hsiphash() on 64-bit kernels, for one u32: SipHash-1-3
 * with a 128-bit key, folded to 32 bits. ip_vs_mh.c keys it with the fixed
 * constants of generate_hash_secret(); the lookup uses hash1. */
#define MH_HASH1_KEY		2654435761ull
#define SIP_ROTL(x, b)		(((x) << (b)) | ((x) >> (64 - (b))))
#define SIP_ROUND(v0, v1, v2, v3) do {					\
	v0 += v1; v1 = SIP_ROTL(v1, 13); v1 ^= v0; v0 = SIP_ROTL(v0, 32);	\
	v2 += v3; v3 = SIP_ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = SIP_ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = SIP_ROTL(v1, 17); v1 ^= v2; v2 = SIP_ROTL(v2, 32);	\
} while (0)

static __always_inline __u32 mh_hsiphash(__u32 v)
{
	__u64 v0 = 0x736f6d6570736575ull ^ MH_HASH1_KEY;
	__u64 v1 = 0x646f72616e646f6dull ^ MH_HASH1_KEY;
	__u64 v2 = 0x6c7967656e657261ull ^ MH_HASH1_KEY;
	__u64 v3 = 0x7465646279746573ull ^ MH_HASH1_KEY;
	__u64 b = (4ull << 56) | v;

	v3 ^= b;
	SIP_ROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	return (__u32)((v0 ^ v1) ^ (v2 ^ v3));
}

/* What one lookup needs; also the bpf_loop context of the fallback scan. */
struct hash_pick {
	__u32 svc_idx;
	__u32 ring_off;
	__u32 ring_len;
	__u32 key;		/* ntohl(addr) [+ ntohs(sport)]: IPVS's hash input */
	__u32 first;		/* the bucket the key names */
	__u8 pick;		/* enum xvs_pick */
	__u8 pad[3];
	long found;		/* fallback result: dest index, or -1 */
};

/* The bucket of the key at fallback offset `offset` (0: the first pick).
 * sh: ip_vs_sh_hashkey(offset) = (offset + hash_32(key)) & mask, with
 * offset = (i + first) % len as ip_vs_sh_get_fallback passes it. mh:
 * ip_vs_mh_hashkey hashes offset + key. */
static __always_inline __u32 hash_bucket(const struct hash_pick *h, __u32 offset)
{
	__u32 len = h->ring_len;

	if (h->pick == XVS_PICK_SIPHASH_SRC)
		return mh_hsiphash(h->key + offset) % len;
	return (offset + hash32_bucket(h->key, len)) % len;
}

/* Slot states as the IPVS schedulers see their bucket's dest. */
enum {
	SLOT_EMPTY = -2,	/* no dest: IPVS gives up */
	SLOT_UNAVAILABLE = -1,	/* weight 0, or not (any more) of this service */
};

/* The dest index in bucket `bucket`, or a SLOT_* value. */
static __always_inline long hash_slot(const struct hash_pick *h, __u32 bucket)
{
	__u32 slot = h->ring_off + bucket, *dest_idx;
	struct xvs_dest *dest;

	if (slot >= XVS_RING_SLOTS)
		return SLOT_EMPTY;
	dest_idx = bpf_map_lookup_elem(&xvs_ring, &slot);
	if (!dest_idx)
		return SLOT_EMPTY;
	dest = bpf_map_lookup_elem(&xvs_dests, dest_idx);
	if (!dest)
		return SLOT_EMPTY;
	if (!(dest->flags & XVS_DEST_F_IN_USE) || dest->svc_idx != h->svc_idx ||
	    dest->weight == 0)
		return SLOT_UNAVAILABLE;
	return *dest_idx;
}

/* One step of ip_vs_{sh,mh}_get_fallback's loop around the table. */
static long hash_fallback_step(__u32 i, void *ctx)
{
	struct hash_pick *h = ctx;
	__u32 len = h->ring_len;
	long r;

	if (len == 0)
		return 1;
	r = hash_slot(h, hash_bucket(h, (i + h->first) % len));
	if (r == SLOT_UNAVAILABLE)
		return 0;
	h->found = r;	/* a dest, or SLOT_EMPTY: stop either way */
	return 1;
}

static __always_inline long sched_pick_hash(const struct xvs_svc *svc, __u32 svc_idx,
					    const struct flow *f, struct xvs_dest **dest_out)
{
	struct hash_pick h = {
		.svc_idx = svc_idx,
		.ring_off = svc->ring_off,
		.ring_len = svc->ring_len,
		.pick = svc->pick,
		.found = -1,
	};
	bool src = svc->pick != XVS_PICK_HASH32_DST;
	__u32 flags = src ? svc->sched_flags : 0;	/* dh has no flags */
	struct xvs_dest *dest;
	__u32 idx;
	long r;

	if (svc->pick >= XVS_PICK_MAX || h.ring_len == 0 || h.ring_len > XVS_RING_MAX_PER_SVC)
		return -1;
	h.key = bpf_ntohl(src ? f->key.saddr : f->key.daddr);
	if (flags & SVC_SCHED_PORT)
		h.key += bpf_ntohs(f->key.sport);
	h.first = hash_bucket(&h, 0);
	r = hash_slot(&h, h.first);
	if (r == SLOT_UNAVAILABLE && (flags & SVC_SCHED_FALLBACK)) {
		bpf_loop(h.ring_len, hash_fallback_step, &h, 0);
		r = h.found;
	}
	if (r < 0)
		return -1;
	idx = r;
	dest = bpf_map_lookup_elem(&xvs_dests, &idx);
	if (!dest)
		return -1;
	*dest_out = dest;
	return idx;
}

/* The real server for the next new connection of service svc_idx, or a
 * negative value when it has none available. */
static __always_inline long sched_pick(__u32 svc_idx, const struct flow *f,
				       struct xvs_dest **dest_out)
{
	struct xvs_svc *svc = bpf_map_lookup_elem(&xvs_svc_info, &svc_idx);
	struct xvs_dest *dest;
	__u32 ring_len, pos, slot, *dest_idx;

	if (!svc)
		return -1;
	if (svc->pick != XVS_PICK_RING_CURSOR)
		return sched_pick_hash(svc, svc_idx, f, dest_out);
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

/* ---- table full ------------------------------------------------------------
 * The table is a plain hash so that a NAT/FULLNAT pair is never split by
 * silent eviction; dead entries leave it when a packet meets them, when the
 * control plane sweeps, or here: an insert that finds the table full walks
 * it once and removes every expired connection (both halves), at most once
 * per RECLAIM_GAP_NS across all CPUs, so a table full of live flows costs
 * one walk per interval, not one per packet. */
#define RECLAIM_GAP_NS	(1000ull * 1000 * 1000)

__u64 conn_reclaim_last_ns;

struct reclaim_ctx {
	const struct xvs_cfg *cfg;
	__u64 now;
	__u32 freed;
};

static long reclaim_one(void *map, struct xvs_conn_key *k, struct xvs_conn *c,
			struct reclaim_ctx *r)
{
	(void)map;
	if (!conn_is_live(c, r->cfg, r->now)) {
		conn_delete(k, c);
		count(XVS_CNT_CONN_EXPIRED);
		/* A flag, not a count: a counter here would be a new value per
		 * iteration to the verifier and its states would never merge. */
		r->freed = 1;
	}
	return 0;
}

/* Non-zero when expired connections were removed. A global function: the
 * verifier checks it once on its own, not on every path that inlines it. */
__noinline int conn_reclaim(__u64 now)
{
	__u32 zero = 0;
	struct xvs_cfg *cfg = bpf_map_lookup_elem(&xvs_cfg, &zero);
	struct reclaim_ctx r = { .cfg = cfg, .now = now };
	__u64 last = conn_reclaim_last_ns;

	if (!cfg || now - last < RECLAIM_GAP_NS ||
	    __sync_val_compare_and_swap(&conn_reclaim_last_ns, last, now) != last)
		return false;
	bpf_for_each_map_elem(&xvs_conns, reclaim_one, &r, 0);
	return r.freed;
}

/* Records a new connection: the forward entry and, for NAT/FULLNAT, the
 * reply entry (FULLNAT's was inserted by the port claim). Returns a drop
 * decision when a two-way connection cannot be recorded: its replies would
 * have nowhere to go. */
static __always_inline int conn_insert(const struct flow *f, __u64 now, const struct xvs_conn *c)
{
	struct xvs_conn_key r;

	if (bpf_map_update_elem(&xvs_conns, &f->key, c, BPF_ANY) &&
	    (!conn_reclaim(now) || bpf_map_update_elem(&xvs_conns, &f->key, c, BPF_ANY))) {
		if (c->fwd == XVS_FWD_FNAT) {
			conn_reply_key(&r, &f->key, c);
			bpf_map_delete_elem(&xvs_conns_out, &r);
		}
		if (conn_two_way(c))
			return DROP(XVS_CNT_CONN_TABLE_FULL);
		count(XVS_CNT_CONN_TABLE_FULL);	/* DR/TUN: forward this packet anyway */
		return UNDECIDED;
	}
	if (c->fwd != XVS_FWD_NAT)
		return UNDECIDED;
	/* NAT's reply key is fixed by the flow; a stale holder (a client
	 * reusing its port toward another VIP on the same server) loses it. */
	conn_reply_key(&r, &f->key, c);
	if (bpf_map_update_elem(&xvs_conns_out, &r, &f->key, BPF_ANY)) {
		bpf_map_delete_elem(&xvs_conns, &f->key);
		return DROP(XVS_CNT_CONN_TABLE_FULL);
	}
	return UNDECIDED;
}

/* Schedules a new connection for a packet without a live one and records
 * it. replacing: a dead or closed entry was removed for it. */
static __always_inline int sched_new_conn(const struct flow *f, const struct xvs_cfg *cfg,
					  __u64 now, bool replacing, struct xvs_conn *c)
{
	struct xvs_svc_key sk = {
		.addr = f->key.daddr,
		.port = f->key.dport,
		.proto = f->key.proto,
	};
	struct xvs_dest *dest = NULL;
	__u32 *svc_idx = bpf_map_lookup_elem(&xvs_svcs, &sk);
	long dest_idx;
	int d;

	if (!svc_idx)
		return PASS(XVS_CNT_PASS_NO_SVC);
	/* IPVS schedules TCP only on a SYN; anything else is not ours. */
	if (f->key.proto == IPPROTO_TCP && !tcp_is_syn(f))
		return PASS(XVS_CNT_PASS_NO_CONN);
	dest_idx = sched_pick(*svc_idx, f, &dest);
	if (dest_idx < 0 || !dest)
		return DROP(XVS_CNT_DROP_NO_DEST);

	__builtin_memset(c, 0, sizeof(*c));
	c->raddr = dest->addr;
	c->rport = dest->port;
	c->fwd = dest->fwd;
	c->state = f->key.proto == IPPROTO_TCP ? XVS_CS_SYN_RECV : XVS_CS_UDP;
	c->dest_idx = dest_idx;
	c->svc_idx = *svc_idx;
	c->last_seen_ns = now;
	if (c->fwd == XVS_FWD_TUN)
		c->laddr = dest->tun_saddr;
	if (c->fwd == XVS_FWD_FNAT) {
		d = lport_claim(&f->key, c->svc_idx, cfg, now, c);
		if (d)
			return d;
	}
	d = conn_insert(f, now, c);
	if (d)
		return d;
	count(XVS_CNT_CONN_NEW);
	if (replacing)
		count(XVS_CNT_CONN_RESCHED);
	stats_conn(c->svc_idx, c->dest_idx);
	return UNDECIDED;
}

#endif /* XVS_BPF_SCHED_H */
