/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Persistence (-p, -M) as IPVS's ip_vs_sched_persist() does it: a template
 * entry in xvs_conns, keyed by the client address masked by the service's
 * netmask, names the real server of every new connection from that client
 * while it lives; the first connection's scheduling creates it. A template
 * counts in its server's persistconns; it lives for the service's timeout
 * after its last use and, while connections it made are alive, is kept
 * (conn.h: tpl_is_live). */
#ifndef XVS_BPF_PERSIST_H
#define XVS_BPF_PERSIST_H

#include "conn.h"
#include "sched_scan.h"
#include "svc.h"

/* What a new connection takes from its template. */
struct persist_ref {
	__u32 svc_idx;			/* the service, given */
	struct xvs_conn_key key;	/* the template's */
	struct xvs_conn *tpl;		/* NULL: the connection has none */
	__u8 conn_flags;		/* XVS_CONN_F_TPL_* for the connection */
};

/* IPVS's template key for f on svc (see abi.h struct xvs_conn_key). */
static __always_inline void persist_key(struct persist_ref *pr, const struct flow *f,
					const struct xvs_svc *svc)
{
	struct xvs_conn_key *t = &pr->key;
	__be16 svc_port = svc->key.kind == XVS_SVC_KEY_FWMARK ? 0 : svc->key.port;

	__builtin_memset(t, 0, sizeof(*t));
	t->saddr = f->key.saddr & svc->netmask;
	t->kind = XVS_CONN_KEY_TEMPLATE;
	t->proto = f->key.proto;
	t->daddr = f->key.daddr;
	if (f->key.dport == svc_port) {
		/* <proto, caddr, 0, vaddr, vport>; FTP: <proto, caddr, 0, vaddr, 0> */
		if (svc_port != bpf_htons(FTP_PORT))
			t->dport = f->key.dport;
	} else if (svc->key.kind == XVS_SVC_KEY_FWMARK) {
		/* <IPPROTO_IP, caddr, 0, fwmark, 0> */
		t->proto = 0;
		t->daddr = bpf_htonl(svc->fwmark);
		pr->conn_flags = XVS_CONN_F_TPL_FWMARK;
		return;
	}
	/* else a port-0 service or an FTP data connection: <proto, caddr, 0, vaddr, 0> */
	if (!t->dport)
		pr->conn_flags = XVS_CONN_F_TPL_NOPORT;
}

/* ip_vs_check_template(): the template's server must still be in the
 * service (not just alive: weight 0 and overload do not matter). */
static __always_inline bool persist_usable(const struct xvs_conn *t, __u32 svc_idx,
					   const struct xvs_cfg *cfg, __u64 now)
{
	struct xvs_dest *d = dest_in_svc(t->dest_idx, svc_idx);

	return conn_is_live(t, cfg, now) && t->svc_idx == svc_idx && d &&
	       d->addr == t->raddr;
}

/* The template for f, if one lives and its server is still in the
 * service: returns that server and sets pr->tpl; otherwise -1 (a dead or
 * invalid one is removed: IPVS invalidates it, a new one replaces it). */
static __always_inline long persist_find(struct persist_ref *pr, const struct xvs_svc *svc,
					 const struct flow *f, const struct xvs_cfg *cfg, __u64 now)
{
	struct xvs_conn *t;

	persist_key(pr, f, svc);
	t = bpf_map_lookup_elem(&xvs_conns, &pr->key);
	if (!t)
		return -1;
	if (!persist_usable(t, pr->svc_idx, cfg, now)) {
		conn_remove(&pr->key, now);
		return -1;
	}
	count(XVS_CNT_PERSIST_HIT);
	pr->tpl = t;
	return t->dest_idx;
}

/* A new template for the scheduler's choice dest (ip_vs_conn_new() with
 * IP_VS_CONN_F_TEMPLATE; its dport is the server's port only for a
 * template keyed by port). Returns the server to use: dest, or the one of
 * a template another CPU made first. A full table goes without. */
static __always_inline long persist_create(struct persist_ref *pr, const struct xvs_svc *svc,
					   __u32 dest, const struct xvs_cfg *cfg, __u64 now)
{
	struct xvs_dest *d = bpf_map_lookup_elem(&xvs_dests, &dest);
	struct xvs_conn t = {}, *e;

	if (!d)
		return dest;
	t.raddr = d->addr;
	t.rport = pr->key.dport ? d->port : 0;
	t.fwd = d->fwd;
	t.dest_idx = dest;
	t.svc_idx = pr->svc_idx;
	t.timeout_s = svc->persist_timeout_s;
	t.last_seen_ns = now;
	t.state = XVS_TPL_NONE;
	t.flags = XVS_CONN_F_TEMPLATE;
	if (!bpf_map_update_elem(&xvs_conns, &pr->key, &t, BPF_NOEXIST)) {
		count_bind(dest, CLASS_PERSIST);
		count(XVS_CNT_PERSIST_NEW);
		pr->tpl = bpf_map_lookup_elem(&xvs_conns, &pr->key);
		return dest;
	}
	e = bpf_map_lookup_elem(&xvs_conns, &pr->key);
	if (e && persist_usable(e, pr->svc_idx, cfg, now)) {
		pr->tpl = e;	/* lost the race to another CPU's template: follow it */
		return e->dest_idx;
	}
	return dest;
}

/* The template was used by a new connection (ip_vs_conn_put(ct)): its
 * timer restarts, with 60 s once it has been kept past its timeout. */
static __always_inline void persist_touch(struct xvs_conn *t, __u64 now)
{
	if (now > t->last_seen_ns + (__u64)t->timeout_s * SEC_NS)
		t->timeout_s = TPL_RECHECK_S;
	t->last_seen_ns = now;
}

#endif /* XVS_BPF_PERSIST_H */
