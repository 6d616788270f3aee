/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Which connection a TCP/UDP packet belongs to: a client's packet of a
 * known connection, a real server's reply to one (NAT, FULLNAT), or the
 * first packet of a new one, scheduled on its service (directly or through
 * its persistence template) and recorded. Entries found expired are
 * removed (both halves) on the way. */
#ifndef XVS_BPF_LOOKUP_H
#define XVS_BPF_LOOKUP_H

#include <linux/errno.h>

#include "lport.h"
#include "maint.h"
#include "persist.h"
#include "sched.h"
#include "svc.h"

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
	/* FULLNAT: the local address and port of the entry a new SYN
	 * replaces, tried first for the new connection (lport.h) */
	__be32 reuse_laddr;
	__be16 reuse_lport;
};

/* Removes an entry found dead; counted once, by the CPU that removed it. */
static __always_inline void conn_expire(const struct xvs_conn_key *k, __u64 now)
{
	if (conn_remove(k, now))
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
		/* a FULLNAT port claim whose connection is not recorded yet, or
		 * (cannot happen) an orphan: neither is a connection */
		return PASS(XVS_CNT_PASS_NO_SVC);
	}
	if (!conn_is_live(e, cfg, now)) {
		conn_expire(&ref->key, now);
		return PASS(XVS_CNT_PASS_NO_SVC);
	}
	ref->state_before = conn_touch(&ref->key, f, now, true);
	ref->c = *e;
	ref->side = SIDE_REPLY;
	return UNDECIDED;
}

/* The destination port of a new connection (ip_vs_schedule(): the
 * server's port, or the packet's when the server has none;
 * ip_vs_sched_persist(): the server's only for packets to the service's
 * own port, so port-0 and firewall-mark services keep the packet's). */
static __always_inline __be16 conn_rport(const struct xvs_svc *svc, const struct xvs_dest *dest,
					 const struct flow *f)
{
	__be16 svc_port = svc->key.kind == XVS_SVC_KEY_FWMARK ? 0 : svc->key.port;

	if (svc->flags & XVS_SVC_F_PERSISTENT)
		return f->key.dport == svc_port && dest->port ? dest->port : f->key.dport;
	return dest->port ? dest->port : f->key.dport;
}

enum insert_result {
	INSERT_OK,
	INSERT_EXISTS,		/* another CPU recorded the same flow first */
	INSERT_FULL,		/* no room, even after a sweep */
};

/* Records a new connection: the forward entry and, for NAT, the reply
 * entry (FULLNAT's was inserted by the port claim). */
static __always_inline int conn_insert(const struct flow *f, __u64 now, const struct xvs_conn *c)
{
	struct xvs_conn_key r;
	long err;

	err = bpf_map_update_elem(&xvs_conns, &f->key, c, BPF_NOEXIST);
	if (err && err != -EEXIST && maint_run(now, MAINT_TABLE_FULL))
		err = bpf_map_update_elem(&xvs_conns, &f->key, c, BPF_NOEXIST);
	if (err)
		return err == -EEXIST ? INSERT_EXISTS : INSERT_FULL;
	if (c->fwd != XVS_FWD_NAT)
		return INSERT_OK;
	/* NAT's reply key is fixed by the flow; a stale holder (a client
	 * reusing its port toward another VIP on the same server) loses it. */
	conn_reply_key(&r, &f->key, c);
	if (bpf_map_update_elem(&xvs_conns_out, &r, &f->key, BPF_ANY)) {
		bpf_map_delete_elem(&xvs_conns, &f->key);
		return INSERT_FULL;
	}
	return INSERT_OK;
}

/* Takes back what a connection that could not be recorded had taken: its
 * FULLNAT port claim and its place in its template's n_control. */
static __always_inline void conn_unclaim(const struct flow *f, const struct xvs_conn *c,
					 struct xvs_conn *tpl, __u64 now)
{
	struct xvs_conn_key r;

	if (c->fwd == XVS_FWD_FNAT) {
		conn_reply_key(&r, &f->key, c);
		bpf_map_delete_elem(&xvs_conns_out, &r);
	}
	if (tpl && __sync_fetch_and_sub(&tpl->n_control, 1) == 1)
		tpl_released(tpl, now);
}

/* The packet's flow was recorded by another CPU meanwhile: it is this
 * packet's connection. */
static __always_inline int conn_adopt(const struct flow *f, const struct xvs_cfg *cfg, __u64 now,
				      struct conn_ref *ref)
{
	struct xvs_conn *e = bpf_map_lookup_elem(&xvs_conns, &f->key);

	if (!e || !conn_is_live(e, cfg, now))
		return -1;
	ref->state_before = conn_touch(&f->key, f, now, false);
	ref->c = *e;
	return 0;
}

/* Schedules a new connection for a packet without a live one and records
 * it. replacing: a dead or closed entry was removed for it. A global
 * function: its locals stay out of the entry programs' stack frame, and the
 * verifier checks it once. */
__noinline int sched_new_conn(const struct flow *f, __u64 now, int replacing, struct conn_ref *ref)
{
	struct persist_ref pr = {};
	struct xvs_cfg *cfg;
	struct xvs_conn *c;
	struct xvs_dest *dest;
	struct xvs_svc *svc;
	__u32 *svc_idx, didx, zero = 0;
	long dest_idx;
	int d, ins;

	if (!f || !ref)
		return PASS(XVS_CNT_PASS_NO_SVC);
	cfg = bpf_map_lookup_elem(&xvs_cfg, &zero);
	if (!cfg)
		return PASS(XVS_CNT_PASS_NO_SVC);
	c = &ref->c;
	svc_idx = svc_find(f, cfg);
	if (!svc_idx)
		return PASS(XVS_CNT_PASS_NO_SVC);
	/* IPVS schedules TCP only on a SYN; anything else is not ours. */
	if (f->key.proto == IPPROTO_TCP && !tcp_is_syn(f))
		return PASS(XVS_CNT_PASS_NO_CONN);
	svc = bpf_map_lookup_elem(&xvs_svc_info, svc_idx);
	if (!svc)
		return PASS(XVS_CNT_PASS_NO_SVC);
	pr.svc_idx = *svc_idx;
	dest_idx = -1;
	if (svc->flags & XVS_SVC_F_PERSISTENT)
		dest_idx = persist_find(&pr, svc, f, cfg, now);
	if (dest_idx < 0) {
		dest_idx = sched_pick(*svc_idx, f, now);
		if (dest_idx >= 0 && (svc->flags & XVS_SVC_F_PERSISTENT))
			dest_idx = persist_create(&pr, svc, dest_idx, cfg, now);
	}
	if (dest_idx < 0)
		return DROP(XVS_CNT_DROP_NO_DEST);
	didx = dest_idx;
	dest = bpf_map_lookup_elem(&xvs_dests, &didx);
	if (!dest)
		return DROP(XVS_CNT_DROP_NO_DEST);

	__builtin_memset(c, 0, sizeof(*c));
	c->raddr = dest->addr;
	c->rport = conn_rport(svc, dest, f);
	c->fwd = dest->fwd;
	c->state = f->key.proto == IPPROTO_TCP ? XVS_CS_SYN_RECV : XVS_CS_UDP;
	c->dest_idx = didx;
	c->svc_idx = *svc_idx;
	c->last_seen_ns = now;
	if (c->fwd == XVS_FWD_TUN)
		c->laddr = dest->tun_saddr;
	if (pr.tpl) {
		c->flags |= XVS_CONN_F_CONTROLLED | pr.conn_flags;
		c->tpl_caddr = pr.key.saddr;
		persist_touch(pr.tpl, now);
	}
	/* -o: a UDP packet of DR/TUN is scheduled alone and leaves no entry
	 * (NAT/FULLNAT flows are recorded anyway: their replies need it) */
	if ((svc->flags & XVS_SVC_F_OPS) && f->key.proto == IPPROTO_UDP &&
	    (c->fwd == XVS_FWD_DR || c->fwd == XVS_FWD_TUN)) {
		count(XVS_CNT_CONN_NEW);
		stats_conn(c->svc_idx, c->dest_idx);
		return UNDECIDED;
	}
	if (c->fwd == XVS_FWD_FNAT) {
		c->laddr = ref->reuse_laddr;
		c->lport = ref->reuse_lport;
		d = lport_claim(&f->key, c->svc_idx, cfg, now, c);
		if (d)
			return d;
	}
	if (pr.tpl)
		__sync_fetch_and_add(&pr.tpl->n_control, 1);
	ins = conn_insert(f, now, c);
	if (ins != INSERT_OK) {
		conn_unclaim(f, c, pr.tpl, now);
		if (ins == INSERT_EXISTS && !conn_adopt(f, cfg, now, ref))
			return UNDECIDED;
		if (conn_two_way(c))
			return DROP(XVS_CNT_CONN_TABLE_FULL);
		count(XVS_CNT_CONN_TABLE_FULL);	/* DR/TUN: forward this packet anyway */
		return UNDECIDED;
	}
	count_bind(didx, conn_class_of(c->state, c->flags));
	count(XVS_CNT_CONN_NEW);
	if (replacing)
		count(XVS_CNT_CONN_RESCHED);
	stats_conn(c->svc_idx, c->dest_idx);
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
	maint_on_packet(cfg, now);
	ref->reuse_laddr = 0;
	e = bpf_map_lookup_elem(&xvs_conns, &f->key);
	if (e) {
		bool live = conn_is_live(e, cfg, now);

		if (live && !conn_is_reused(e, f)) {
			ref->state_before = conn_touch(&f->key, f, now, false);
			ref->c = *e;
			ref->key = f->key;
			ref->side = SIDE_REQUEST;
			return UNDECIDED;
		}
		if (e->fwd == XVS_FWD_FNAT) {
			ref->reuse_laddr = e->laddr;
			ref->reuse_lport = e->lport;
		}
		if (live)
			conn_remove(&f->key, now);	/* closed, and a new SYN reuses it */
		else
			conn_expire(&f->key, now);
		replacing = true;
	} else {
		d = conn_get_reply(f, cfg, now, ref);
		if (d != PASS(XVS_CNT_PASS_NO_SVC))
			return d;
	}
	ref->key = f->key;
	ref->side = SIDE_REQUEST;
	ref->state_before = XVS_CS_NONE;
	return sched_new_conn(f, now, replacing, ref);
}

#endif /* XVS_BPF_LOOKUP_H */
