/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* FULLNAT local address and port for a new connection. The reply entry
 * (RIP:rport -> LIP:lport) is the claim: inserted with BPF_NOEXIST into the
 * shared xvs_conns_out, so two CPUs can never hand out the same port toward
 * the same real server, with no per-CPU port ranges to size. */
#ifndef XVS_BPF_LPORT_H
#define XVS_BPF_LPORT_H

#include "conn.h"
#include "stats.h"

/* Candidates tried per local address: every port of a range up to this
 * size (so exhaustion is exact), a random run of this many otherwise. */
#define LPORT_TRIES	64

struct lport_search {
	const struct xvs_conn_key *key;		/* the new connection */
	struct xvs_laddr_set *set;
	const struct xvs_cfg *cfg;
	__be32 raddr;
	__be16 rport;
	__u16 min, range;			/* host order */
	__u32 tries, first_laddr, base;
	__u64 now;
	__be32 laddr;				/* result */
	__be16 lport;
	__u8 found;
};

/* Takes over a reply key whose connection has expired. */
static __always_inline bool lport_reclaim(struct lport_search *s, const struct xvs_conn_key *r)
{
	struct xvs_conn_key *holder = bpf_map_lookup_elem(&xvs_conns_out, r);
	struct xvs_conn_key hk;
	struct xvs_conn *hc;

	if (!holder)
		return false;	/* freed meanwhile: the next candidate will do */
	hk = *holder;
	hc = bpf_map_lookup_elem(&xvs_conns, &hk);
	/* No connection yet: another CPU claimed the port and is about to
	 * record it. Only a dead connection gives its port up. */
	if (!hc || conn_is_live(hc, s->cfg, s->now) || !conn_claim(&hk, s->now))
		return false;
	bpf_map_delete_elem(&xvs_conns, &hk);
	count(XVS_CNT_CONN_EXPIRED);
	return bpf_map_update_elem(&xvs_conns_out, r, s->key, BPF_EXIST) == 0;
}

/* Candidate i: local address (first + i / tries) % count, port
 * min + (base + i % tries) % range. */
static long lport_try(__u32 i, void *ctx)
{
	struct lport_search *s = ctx;
	struct xvs_conn_key r = {};
	__u32 count = s->set->count, slot;
	__be32 laddr;

	if (count == 0 || count > XVS_LADDR_MAX || s->tries == 0 || s->range == 0)
		return 1;
	slot = (s->first_laddr + i / s->tries) % count;
	/* slot < count <= XVS_LADDR_MAX already, so the compiler drops a C
	 * mask; the verifier cannot see it through the modulo and needs one. */
	asm volatile("%0 &= %1" : "+r"(slot) : "i"(XVS_LADDR_MAX - 1));
	laddr = s->set->addr[slot];
	if (!laddr)
		return 0;
	r.saddr = s->raddr;
	r.sport = s->rport;
	r.daddr = laddr;
	r.dport = bpf_htons(s->min + (s->base + i % s->tries) % s->range);
	r.proto = s->key->proto;
	if (bpf_map_update_elem(&xvs_conns_out, &r, s->key, BPF_NOEXIST) && !lport_reclaim(s, &r))
		return 0;
	s->laddr = laddr;
	s->lport = r.dport;
	s->found = 1;
	return 1;
}

/* The local address and port the client's previous connection of this
 * 5-tuple had (c->laddr/lport on entry), if the service still has that
 * address and the range that port. The real server may still hold that
 * pair's TIME_WAIT: the same client tuple behind it keeps the sequence
 * numbers and timestamps the server saw increasing, so it accepts the
 * new SYN, where another client's would be refused by PAWS (the client
 * retransmits a second later). */
static __always_inline bool lport_try_reuse(struct lport_search *s, __be32 laddr, __be16 lport)
{
	struct xvs_conn_key r = {};
	__u16 port = bpf_ntohs(lport);
	bool have = false;

	if (!laddr || port < s->min || port - s->min >= s->range)
		return false;
	for (__u32 i = 0; i < XVS_LADDR_MAX; i++) {
		if (i >= s->set->count)
			break;
		if (s->set->addr[i] == laddr)
			have = true;
	}
	if (!have)
		return false;
	r.saddr = s->raddr;
	r.sport = s->rport;
	r.daddr = laddr;
	r.dport = lport;
	r.proto = s->key->proto;
	if (bpf_map_update_elem(&xvs_conns_out, &r, s->key, BPF_NOEXIST))
		return false;	/* taken toward this real server: a fresh one */
	s->laddr = laddr;
	s->lport = lport;
	return true;
}

/* Fills c->laddr/lport and records the reply entry, or returns the drop
 * decision: no local address configured, or none with a free port.
 * c->laddr/lport on entry: the pair to reuse if it can be (or 0). */
static __noinline int lport_claim(const struct xvs_conn_key *key, __u32 svc_idx,
				       const struct xvs_cfg *cfg, __u64 now, struct xvs_conn *c)
{
	struct lport_search s = {
		.key = key,
		.cfg = cfg,
		.raddr = c->raddr,
		.rport = c->rport,
		.now = now,
	};
	__u32 count;

	s.set = bpf_map_lookup_elem(&xvs_laddrs, &svc_idx);
	if (!s.set)
		return DROP(XVS_CNT_DROP_NO_LADDR);
	count = s.set->count;
	if (count == 0 || count > XVS_LADDR_MAX)
		return DROP(XVS_CNT_DROP_NO_LADDR);
	s.min = cfg->lport_min ? cfg->lport_min : XVS_LPORT_MIN_DEFAULT;
	s.range = (cfg->lport_max ? cfg->lport_max : XVS_LPORT_MAX_DEFAULT) - s.min + 1;
	if (cfg->lport_max && cfg->lport_max < s.min)
		return DROP(XVS_CNT_DROP_NO_LPORT);
	if (!lport_try_reuse(&s, c->laddr, c->lport)) {
		s.tries = s.range < LPORT_TRIES ? s.range : LPORT_TRIES;
		s.base = bpf_get_prandom_u32() % s.range;
		s.first_laddr = __sync_fetch_and_add(&s.set->cursor, 1) % count;
		bpf_loop(count * s.tries, lport_try, &s, 0);
		if (!s.found)
			return DROP(XVS_CNT_DROP_NO_LPORT);
	}
	c->laddr = s.laddr;
	c->lport = s.lport;
	return UNDECIDED;
}

#endif /* XVS_BPF_LPORT_H */
