/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ICMP errors about tracked connections (destination unreachable, time
 * exceeded), translated like IPVS's ip_vs_nat_icmp(): the quoted packet and
 * the outer header are rewritten so each side sees addresses it knows.
 *   from the real server's side (about a request it received): toward the
 *     client, the quote becoming the packet the client sent;
 *   from the client's side (about a reply it received): toward the real
 *     server, the quote becoming the packet the real server sent.
 * Outer IP, quoted IP, ICMP and (when quoted) the quoted TCP/UDP checksums
 * are updated incrementally. Other ICMP passes to the kernel. */
#ifndef XVS_BPF_ICMP_ERR_H
#define XVS_BPF_ICMP_ERR_H

#include "fwd_dr.h"
#include "fwd_tun.h"
#include "lookup.h"

#define ICMP_TIME_EXCEEDED	11

/* The error's headers, pointers checked against the packet's end. */
struct icmp_view {
	struct iphdr *ip;		/* outer */
	__sum16 *icmp_check;
	struct iphdr *in_ip;		/* quoted */
	__be16 *in_ports;		/* quoted source, destination port */
	__sum16 *in_l4_check;		/* NULL when not quoted (or UDP without) */
	__u8 in_proto;
};

static __always_inline int icmp_view(struct pkt *p, const struct flow *f, struct icmp_view *v)
{
	__u32 l3_off = f->l3_off & 0x1f, ihl = f->ihl_bytes & 0x3c, in_ihl;
	__u8 *icmp;

	v->ip = p->data + l3_off;
	if ((void *)(v->ip + 1) > p->data_end)
		return -1;
	icmp = (void *)v->ip + ihl;
	v->in_ip = (void *)(icmp + 8);
	if ((void *)(v->in_ip + 1) > p->data_end)
		return -1;
	v->icmp_check = (__sum16 *)(icmp + 2);
	in_ihl = (v->in_ip->ihl * 4) & 0x3c;
	if (v->in_ip->version != 4 || in_ihl < 20)
		return -1;
	v->in_proto = v->in_ip->protocol;
	if (v->in_proto != IPPROTO_TCP && v->in_proto != IPPROTO_UDP)
		return -1;
	v->in_ports = (void *)v->in_ip + in_ihl;
	if ((void *)(v->in_ports + 4) > p->data_end)	/* the 8 bytes RFC 792 promises */
		return -1;
	v->in_l4_check = NULL;
	if (v->in_proto == IPPROTO_UDP) {
		v->in_l4_check = (__sum16 *)(v->in_ports + 3);
		if (*v->in_l4_check == 0)
			v->in_l4_check = NULL;
	} else if ((void *)(v->in_ports + 9) <= p->data_end) {
		v->in_l4_check = (__sum16 *)(v->in_ports + 8);
	}
	return 0;
}

/* New outer and quoted addresses/ports. */
struct icmp_to {
	__be32 saddr, daddr;			/* outer */
	__be32 in_saddr, in_daddr;
	__be16 in_sport, in_dport;
};

static __always_inline void icmp_rewrite(struct icmp_view *v, const struct icmp_to *to)
{
	__u32 in_addr = csum_word_diff4(v->in_ip->saddr, to->in_saddr) +
			csum_word_diff4(v->in_ip->daddr, to->in_daddr);
	__u32 in_ports = csum_word_diff2(v->in_ports[0], to->in_sport) +
			 csum_word_diff2(v->in_ports[1], to->in_dport);
	__u32 icmp = in_addr + in_ports;
	__sum16 old;

	old = v->in_ip->check;
	csum_apply(&v->in_ip->check, in_addr);
	icmp += csum_word_diff2(old, v->in_ip->check);
	if (v->in_l4_check) {
		old = *v->in_l4_check;
		if (v->in_proto == IPPROTO_UDP)
			csum_apply_udp(v->in_l4_check, in_addr + in_ports);
		else
			csum_apply(v->in_l4_check, in_addr + in_ports);
		icmp += csum_word_diff2(old, *v->in_l4_check);
	}
	csum_apply(v->icmp_check, icmp);
	csum_apply(&v->ip->check, csum_word_diff4(v->ip->saddr, to->saddr) +
				   csum_word_diff4(v->ip->daddr, to->daddr));
	v->ip->saddr = to->saddr;
	v->ip->daddr = to->daddr;
	v->in_ip->saddr = to->in_saddr;
	v->in_ip->daddr = to->in_daddr;
	v->in_ports[0] = to->in_sport;
	v->in_ports[1] = to->in_dport;
}

/* Routes the rewritten error (no MTU check: no ICMP about ICMP). */
static __always_inline int icmp_route(struct pkt *p, const struct flow *f, __be32 saddr,
				      __be32 daddr, __u32 cnt)
{
	struct bpf_fib_lookup fib;
	struct ethhdr *eth;
	long rc = fib_lookup(p, f, &fib, saddr, daddr, IPPROTO_ICMP, 0, 0);
	int d = fib_check(p, f, rc, &fib, 0);

	if (d)
		return d;
	eth = p->data;
	if ((void *)(eth + 1) > p->data_end)
		return DROP(XVS_CNT_PASS_MALFORMED);
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	return DECIDE(fib_action(p, &fib), cnt);
}

/* From the real server's side: the quote is a request as the real server
 * received it; k/c the connection. */
static __always_inline int icmp_to_client(struct pkt *p, const struct flow *f,
					  struct icmp_view *v, const struct xvs_conn_key *k,
					  const struct xvs_conn *c)
{
	struct icmp_to to = {
		.saddr = k->daddr,
		.daddr = k->saddr,
		.in_saddr = k->saddr,
		.in_daddr = k->daddr,
		.in_sport = k->sport,
		.in_dport = k->dport,
	};

	(void)c;
	icmp_rewrite(v, &to);
	return icmp_route(p, f, to.saddr, to.daddr, XVS_CNT_ICMP_OUT);
}

/* From the client's side: the quote is a reply as the client received it. */
static __always_inline int icmp_to_rs(struct pkt *p, const struct flow *f, struct icmp_view *v,
				      const struct xvs_conn_key *k, const struct xvs_conn *c)
{
	bool fnat = c->fwd == XVS_FWD_FNAT;
	struct icmp_to to = {
		.saddr = fnat ? c->laddr : v->ip->saddr,
		.daddr = c->raddr,
		.in_saddr = c->raddr,
		.in_sport = c->rport,
		.in_daddr = fnat ? c->laddr : k->saddr,
		.in_dport = fnat ? c->lport : k->sport,
	};
	int d;

	if (c->fwd == XVS_FWD_DR || c->fwd == XVS_FWD_TUN) {
		d = c->fwd == XVS_FWD_DR ? fwd_dr(p, f, c) : fwd_tun(p, f, c);
		if (DECISION_CNT(d) == XVS_CNT_FWD_DR || DECISION_CNT(d) == XVS_CNT_FWD_TUN)
			d = DECIDE(DECISION_ACT(d), XVS_CNT_ICMP_IN);
		return d;
	}
	icmp_rewrite(v, &to);
	return icmp_route(p, f, to.saddr, to.daddr, XVS_CNT_ICMP_IN);
}

static __always_inline int icmp_error(struct pkt *p, const struct flow *f)
{
	__u32 zero = 0;
	struct xvs_cfg *cfg = bpf_map_lookup_elem(&xvs_cfg, &zero);
	struct xvs_conn_key rev = {}, k, *fk;
	struct xvs_conn *e;
	struct icmp_view v;
	bool from_rs;

	if (f->icmp_type != ICMP_DEST_UNREACH && f->icmp_type != ICMP_TIME_EXCEEDED)
		return PASS(XVS_CNT_PASS_NOT_L4);
	if (!cfg || icmp_view(p, f, &v))
		return PASS(XVS_CNT_PASS_NOT_L4);
	/* Errors go to the quoted packet's source. */
	if (v.ip->daddr != v.in_ip->saddr)
		return PASS(XVS_CNT_PASS_NOT_L4);
	/* The quote reversed is the key of the packets that answer it. */
	rev.saddr = v.in_ip->daddr;
	rev.daddr = v.in_ip->saddr;
	rev.sport = v.in_ports[1];
	rev.dport = v.in_ports[0];
	rev.proto = v.in_proto;
	fk = bpf_map_lookup_elem(&xvs_conns_out, &rev);
	from_rs = fk != NULL;
	k = from_rs ? *fk : rev;
	e = bpf_map_lookup_elem(&xvs_conns, &k);
	if (!e || !conn_is_live(e, cfg, bpf_ktime_get_ns()))
		return PASS(XVS_CNT_PASS_NOT_L4);
	if (from_rs)
		return icmp_to_client(p, f, &v, &k, e);
	return icmp_to_rs(p, f, &v, &k, e);
}

#endif /* XVS_BPF_ICMP_ERR_H */
