// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The xvs data plane: an IPVS-compatible director for IPv4 TCP/UDP
 * virtual services, forwarding by direct routing, IPIP tunnelling, NAT or
 * FULLNAT, and translating ICMP errors about its connections.
 * Two entry points, XDP and tc ingress, run the same code; each only sets
 * up the packet context and turns the decision into its return code. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "ctx.h"
#include "fwd_dr.h"
#include "fwd_nat.h"
#include "fwd_tun.h"
#include "icmp_err.h"
#include "lookup.h"
#include "parse.h"
#include "stats.h"

/* TOA goes into the client's ACK that completes a FULLNAT TCP handshake. */
static __always_inline bool wants_toa(const struct flow *f, const struct conn_ref *r)
{
	return r->c.fwd == XVS_FWD_FNAT && f->key.proto == IPPROTO_TCP &&
	       r->state_before == XVS_CS_SYN_RECV && r->c.state == XVS_CS_ESTABLISHED;
}

static __always_inline int forward(struct pkt *p, const struct flow *f, const struct conn_ref *r)
{
	const struct xvs_conn *c = &r->c;

	if (r->side == SIDE_REPLY)
		return fwd_nat_reply(p, f, &r->key, c);
	switch (c->fwd) {
	case XVS_FWD_DR:
		return fwd_dr(p, f, c);
	case XVS_FWD_TUN:
		return fwd_tun(p, f, c);
	case XVS_FWD_NAT:
	case XVS_FWD_FNAT:
		return fwd_nat(p, f, c, wants_toa(f, r));
	default:
		return DROP(XVS_CNT_DROP_UNSUPPORTED);
	}
}

/* One packet: parse, find or schedule its connection, account, forward. */
static __always_inline int process(struct pkt *p)
{
	struct flow f = {};
	struct conn_ref r;
	int d;

	d = parse_packet(p, &f);
	if (d)
		return d;
	if (f.key.proto == IPPROTO_ICMP)
		return icmp_error(p, &f);
	d = conn_get(&f, &r);
	if (d)
		return d;
	if (r.side == SIDE_REPLY)
		stats_out(r.c.svc_idx, r.c.dest_idx, f.tot_len);
	else
		stats_in(r.c.svc_idx, r.c.dest_idx, f.tot_len);
	return forward(p, &f, &r);
}

static __always_inline int run(struct pkt *p)
{
	int d;

	count(XVS_CNT_RX);
	d = process(p);
	count(DECISION_CNT(d));
	return pkt_return(p, DECISION_ACT(d));
}

SEC("xdp")
int xvs_xdp(struct xdp_md *ctx)
{
	struct pkt p = pkt_init_xdp(ctx);

	return run(&p);
}

SEC("tc")
int xvs_tc(struct __sk_buff *skb)
{
	struct pkt p = pkt_init_tc(skb);

	return run(&p);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
