/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* NAT (-m) and FULLNAT (-b): requests are translated toward the real
 * server, its replies back toward the client, both routed by the director.
 *   NAT      request CIP:cport -> VIP:vport  becomes CIP:cport -> RIP:rport
 *            reply   RIP:rport -> CIP:cport  becomes VIP:vport -> CIP:cport
 *   FULLNAT  request CIP:cport -> VIP:vport  becomes LIP:lport -> RIP:rport
 *            reply   RIP:rport -> LIP:lport  becomes VIP:vport -> CIP:cport */
#ifndef XVS_BPF_FWD_NAT_H
#define XVS_BPF_FWD_NAT_H

#include <stdbool.h>

#include "fwd_dr.h"
#include "nat.h"
#include "toa.h"

/* Routes the translated packet: looks the path up (with the MTU check made
 * against the packet as it arrived, so an ICMP error still quotes what the
 * sender sent), rewrites, and sets the Ethernet addresses. */
static __always_inline int nat_route(struct pkt *p, const struct flow *f, const struct nat_to *to,
				     struct bpf_fib_lookup *fib)
{
	struct ethhdr *eth;
	long rc;
	int d;

	rc = fib_lookup(p, f, fib, to->saddr, to->daddr, f->key.proto,
			p->gso ? 0 : f->tot_len, 0);
	d = fib_check(p, f, rc, fib, 0);
	if (d)
		return d;
	if (nat_rewrite(p, f, to))
		return DROP(XVS_CNT_PASS_MALFORMED);
	eth = p->data;
	if ((void *)(eth + 1) > p->data_end)
		return DROP(XVS_CNT_PASS_MALFORMED);
	__builtin_memcpy(eth->h_dest, fib->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib->smac, ETH_ALEN);
	return UNDECIDED;
}

/* A client's packet toward its real server. toa: add the client address
 * (FULLNAT TCP, the handshake-completing ACK). */
static __always_inline int fwd_nat(struct pkt *p, const struct flow *f, const struct xvs_conn *c,
				   bool toa)
{
	bool fnat = c->fwd == XVS_FWD_FNAT;
	struct nat_to to = {
		.saddr = fnat ? c->laddr : f->key.saddr,
		.sport = fnat ? c->lport : f->key.sport,
		.daddr = c->raddr,
		.dport = c->rport,
	};
	struct bpf_fib_lookup fib;
	int d = nat_route(p, f, &to, &fib);

	if (d)
		return d;
	if (toa && toa_insert(p, f, f->key.saddr, f->key.sport))
		return DROP(XVS_CNT_DROP_ENCAP);
	return DECIDE(fib_action(p, &fib), fnat ? XVS_CNT_FWD_FNAT : XVS_CNT_FWD_NAT);
}

/* A real server's reply toward the client. k: the connection's key (as
 * the client sent its packets). */
static __always_inline int fwd_nat_reply(struct pkt *p, const struct flow *f,
					 const struct xvs_conn_key *k, const struct xvs_conn *c)
{
	bool fnat = c->fwd == XVS_FWD_FNAT;
	struct nat_to to = {
		.saddr = k->daddr,
		.sport = k->dport,
		.daddr = fnat ? k->saddr : f->key.daddr,
		.dport = fnat ? k->sport : f->key.dport,
	};
	struct bpf_fib_lookup fib;
	int d = nat_route(p, f, &to, &fib);

	if (d)
		return d;
	return DECIDE(fib_action(p, &fib), fnat ? XVS_CNT_REPLY_FNAT : XVS_CNT_REPLY_NAT);
}

#endif /* XVS_BPF_FWD_NAT_H */
