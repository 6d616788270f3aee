/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Choosing the real server of a new connection: the control plane
 * precomputes each service's schedule as a run of ring slots; the data
 * plane takes the next slot with an atomic cursor (rr, wrr), the slot a
 * hash of the packet's address names (sh, dh, mh), or walks the slots'
 * servers over their live counts (lc, wlc, sed, nq, fo, ovf, twos, lblc,
 * lblcr). A server marked overloaded by its -x threshold is passed over as
 * each IPVS scheduler passes it over. */
#ifndef XVS_BPF_SCHED_H
#define XVS_BPF_SCHED_H

#include "sched_locality.h"
#include "sched_scan.h"
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
	/* is_unavailable() of sh and mh, and dh's own test: not of the
	 * service (any more), weight 0, or overloaded */
	if (!(dest->flags & XVS_DEST_F_IN_USE) || dest->svc_idx != h->svc_idx ||
	    dest->weight == 0 || dest_overloaded(bpf_map_lookup_elem(&xvs_dest_conns, dest_idx)))
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

/* ---- ring cursor (rr, wrr) ----------------------------------------------- */

struct ring_pick {
	__u32 svc_idx, ring_off, ring_len, pos;
	long found;
	__u32 skipped;
};

/* The real server in ring slot off + pos, if it can take a connection. */
static __always_inline long ring_usable(const struct ring_pick *r, __u32 pos)
{
	__u32 slot = r->ring_off + pos, *dest_idx;
	struct xvs_dest *dest;

	if (slot >= XVS_RING_SLOTS)
		return -1;
	dest_idx = bpf_map_lookup_elem(&xvs_ring, &slot);
	if (!dest_idx)
		return -1;
	dest = dest_in_svc(*dest_idx, r->svc_idx);
	if (!dest || dest->weight == 0 ||
	    dest_overloaded(bpf_map_lookup_elem(&xvs_dest_conns, dest_idx)))
		return -1;
	return *dest_idx;
}

static long ring_next_step(__u32 i, struct ring_pick *r)
{
	long d;

	if (r->ring_len == 0)
		return 1;
	d = ring_usable(r, (r->pos + 1 + i) % r->ring_len);
	if (d < 0)
		return 0;
	r->found = d;
	r->skipped = i + 1;
	return 1;
}

/* IPVS's rr and wrr skip overloaded servers and go on from the one they
 * took: the cursor moves past the slots passed over. */
static __always_inline long sched_pick_ring(struct xvs_svc *svc, __u32 svc_idx)
{
	struct ring_pick r = {
		.svc_idx = svc_idx, .ring_off = svc->ring_off, .ring_len = svc->ring_len,
		.found = -1,
	};

	if (r.ring_len == 0 || r.ring_len > XVS_RING_MAX_PER_SVC)
		return -1;
	r.pos = __sync_fetch_and_add(&svc->cursor, 1) % r.ring_len;
	r.found = ring_usable(&r, r.pos);
	if (r.found >= 0)
		return r.found;
	bpf_loop(r.ring_len - 1, ring_next_step, &r, 0);
	if (r.found >= 0)
		__sync_fetch_and_add(&svc->cursor, r.skipped);
	return r.found;
}

/* The real server for the next new connection of service svc_idx, or a
 * negative value when it has none available. A global function: the
 * verifier checks the schedulers once, not on every path to them. */
__noinline long sched_pick(__u32 svc_idx, const struct flow *f, __u64 now)
{
	struct xvs_svc *svc = bpf_map_lookup_elem(&xvs_svc_info, &svc_idx);
	struct xvs_dest *dest;
	__u32 off, len;
	long d;

	if (!svc || !f)
		return -1;
	off = svc->ring_off;
	len = svc->ring_len;
	switch (svc->pick) {
	case XVS_PICK_RING_CURSOR:
		return sched_pick_ring(svc, svc_idx);
	case XVS_PICK_HASH32_SRC:
	case XVS_PICK_HASH32_DST:
	case XVS_PICK_SIPHASH_SRC:
		return sched_pick_hash(svc, svc_idx, f, &dest);
	case XVS_PICK_TWOS:
		return sched_twos(svc_idx, off, len);
	case XVS_PICK_LBLC:
		d = lblc_cached(svc_idx, f->key.daddr, off, len, now);
		if (d >= 0)
			return d;
		d = sched_scan(svc_idx, off, len, XVS_PICK_WLC);
		if (d >= 0)
			lblc_record(svc_idx, f->key.daddr, d, now);
		return d;
	case XVS_PICK_LBLCR:
		d = lblcr_cached(svc_idx, f->key.daddr, off, len, now);
		if (d >= 0)
			return d;
		d = sched_scan(svc_idx, off, len, XVS_PICK_WLC);
		if (d >= 0)
			lblcr_record(svc_idx, f->key.daddr, d, now);
		return d;
	default:
		return sched_scan(svc_idx, off, len, svc->pick);
	}
}

#endif /* XVS_BPF_SCHED_H */
