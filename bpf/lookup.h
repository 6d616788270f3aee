/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Which connection a TCP/UDP packet belongs to: a client's packet of a
 * known connection, a real server's reply to one (NAT, FULLNAT), or the
 * first packet of a new one, scheduled on its service. Entries found
 * expired are removed (both halves) on the way. */
#ifndef XVS_BPF_LOOKUP_H
#define XVS_BPF_LOOKUP_H

#include "sched.h"

enum conn_side {
	SIDE_REQUEST,		/* from the client */
	SIDE_REPLY,		/* from the real server */
};

/* What the forwarding code needs about the packet's connection. */
struct conn_ref {
	struct xvs_conn c;		/* copy, state already advanced */
	struct xvs_conn_key key;	/* the connection's (client-side) key */
	enum conn_side side;
	__u8 state_before;
};

static __always_inline void conn_expire(const struct xvs_conn_key *k, const struct xvs_conn *c)
{
	conn_delete(k, c);
	count(XVS_CNT_CONN_EXPIRED);
}

/* A reply: the packet's key is a NAT/FULLNAT connection's reply key. */
static __always_inline int conn_get_reply(const struct flow *f, const struct xvs_cfg *cfg,
					  __u64 now, struct conn_ref *ref)
{
	struct xvs_conn_key *fk = bpf_map_lookup_elem(&xvs_conns_out, &f->key);
	struct xvs_conn *e;

	if (!fk)
		return PASS(XVS_CNT_PASS_NO_SVC);
	ref->key = *fk;
	e = bpf_map_lookup_elem(&xvs_conns, &ref->key);
	if (!e) {
		bpf_map_delete_elem(&xvs_conns_out, &f->key);	/* orphan: cannot happen */
		return PASS(XVS_CNT_PASS_NO_SVC);
	}
	if (!conn_is_live(e, cfg, now)) {
		conn_expire(&ref->key, e);
		return PASS(XVS_CNT_PASS_NO_SVC);
	}
	ref->state_before = conn_touch(e, f, now, true);
	ref->c = *e;
	ref->side = SIDE_REPLY;
	return UNDECIDED;
}

/* Fills ref with the packet's connection, or returns a decision when it
 * has none (not ours, or no real server). */
static __always_inline int conn_get(const struct flow *f, struct conn_ref *ref)
{
	__u32 zero = 0;
	struct xvs_cfg *cfg = bpf_map_lookup_elem(&xvs_cfg, &zero);
	struct xvs_conn *e;
	__u64 now = bpf_ktime_get_ns();
	bool replacing = false;
	int d;

	if (!cfg)
		return PASS(XVS_CNT_PASS_NO_SVC);
	e = bpf_map_lookup_elem(&xvs_conns, &f->key);
	if (e) {
		if (conn_is_live(e, cfg, now) && !conn_is_reused(e, f)) {
			ref->state_before = conn_touch(e, f, now, false);
			ref->c = *e;
			ref->key = f->key;
			ref->side = SIDE_REQUEST;
			return UNDECIDED;
		}
		if (conn_is_live(e, cfg, now))
			conn_delete(&f->key, e);	/* closed, and a new SYN reuses it */
		else
			conn_expire(&f->key, e);
		replacing = true;
	} else {
		d = conn_get_reply(f, cfg, now, ref);
		if (d != PASS(XVS_CNT_PASS_NO_SVC))
			return d;
	}
	ref->key = f->key;
	ref->side = SIDE_REQUEST;
	ref->state_before = XVS_CS_NONE;
	return sched_new_conn(f, cfg, now, replacing, &ref->c);
}

#endif /* XVS_BPF_LOOKUP_H */
