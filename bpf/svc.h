/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Which virtual service a packet without a connection belongs to, in the
 * order of IPVS's ip_vs_service_find(): the service of its firewall mark,
 * then (protocol, address, port), then a persistent FTP service of the
 * address for a data connection, then the address's port-0 service.
 *
 * Marks: the data plane runs before netfilter, so no iptables MARK rule has
 * run yet. A packet's mark is the first matching rule of xvs_mark_lpm
 * (xvsadm --add-mark, built by libxvs), or, in tc, the skb mark an earlier
 * tc filter set (e.g. flower ... action skbedit mark N). */
#ifndef XVS_BPF_SVC_H
#define XVS_BPF_SVC_H

#include "maps.h"
#include "parse.h"

#define FTP_PORT	21
#define FTP_DATA_PORT	20
/* inet_port_requires_bind_service(): ports below ip_unprivileged_port_start */
#define UNPRIV_PORT_MIN	1024

struct mark_ctx {
	const struct xvs_mark_set *set;
	__u16 port;		/* host order */
	__u32 mark;
};

static long mark_step(__u32 i, struct mark_ctx *m)
{
	if (i >= XVS_MARK_SET_MAX || i >= m->set->n)
		return 1;
	if (m->port >= m->set->rule[i].port_min && m->port <= m->set->rule[i].port_max) {
		m->mark = m->set->rule[i].mark;
		return 1;
	}
	return 0;
}

static __always_inline __u32 mark_lookup(const struct flow *f)
{
	struct xvs_mark_lpm_key k = {
		.prefixlen = 64, .proto = f->key.proto, .daddr = f->key.daddr,
	};
	struct mark_ctx m = { .port = bpf_ntohs(f->key.dport) };

	m.set = bpf_map_lookup_elem(&xvs_mark_lpm, &k);
	if (!m.set)
		return 0;
	bpf_loop(XVS_MARK_SET_MAX, mark_step, &m, 0);
	return m.mark;
}

static __always_inline __u32 *svc_lookup(__be32 addr, __be16 port, __u8 proto, __u8 kind)
{
	struct xvs_svc_key k = { .addr = addr, .port = port, .proto = proto, .kind = kind };

	return bpf_map_lookup_elem(&xvs_svcs, &k);
}

/* The service index for f, or NULL. */
static __always_inline __u32 *svc_find(const struct flow *f, const struct xvs_cfg *cfg)
{
	__u32 mark = 0, *idx;
	struct xvs_svc *svc;
	__u16 dport = bpf_ntohs(f->key.dport);

	if (cfg->mark_rules)
		mark = mark_lookup(f);
	if (!mark)
		mark = f->skb_mark;
	if (mark) {
		idx = svc_lookup(bpf_htonl(mark), 0, 0, XVS_SVC_KEY_FWMARK);
		if (idx)
			return idx;
	}
	idx = svc_lookup(f->key.daddr, f->key.dport, f->key.proto, XVS_SVC_KEY_ADDR);
	if (idx)
		return idx;
	/* An FTP data connection: IPVS looks for the address's FTP service;
	 * only a persistent one schedules it (ip_vs_schedule() refuses the
	 * others, and ip_vs_leave() lets the packet pass). */
	if (f->key.proto == IPPROTO_TCP && (dport == FTP_DATA_PORT || dport >= UNPRIV_PORT_MIN)) {
		idx = svc_lookup(f->key.daddr, bpf_htons(FTP_PORT), IPPROTO_TCP, XVS_SVC_KEY_ADDR);
		if (idx) {
			svc = bpf_map_lookup_elem(&xvs_svc_info, idx);
			if (svc && (svc->flags & XVS_SVC_F_PERSISTENT))
				return idx;
		}
	}
	return svc_lookup(f->key.daddr, 0, f->key.proto, XVS_SVC_KEY_ADDR);
}

#endif /* XVS_BPF_SVC_H */
