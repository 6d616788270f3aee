// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The xvs data plane: an IPVS-compatible director for IPv4 TCP/UDP
 * virtual services, forwarding by direct routing or IPIP tunnelling.
 * Two entry points, XDP and tc ingress, run the same code; each only sets
 * up the packet context and turns the decision into its return code. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "ctx.h"
#include "fwd_dr.h"
#include "fwd_tun.h"
#include "parse.h"
#include "sched.h"
#include "stats.h"

static __always_inline int forward(struct pkt *p, const struct flow *f, const struct xvs_conn *c)
{
	switch (c->fwd) {
	case XVS_FWD_DR:
		return fwd_dr(p, f, c);
	case XVS_FWD_TUN:
		return fwd_tun(p, f, c);
	default:
		return DROP(XVS_CNT_DROP_UNSUPPORTED);	/* NAT, FNAT: not yet */
	}
}

/* One packet: parse, find or schedule its connection, account, forward. */
static __always_inline int process(struct pkt *p)
{
	struct flow f = {};
	struct xvs_conn c = {};
	int d;

	d = parse_packet(p, &f);
	if (d)
		return d;
	d = conn_get(&f, &c);
	if (d)
		return d;
	stats_in(c.svc_idx, c.dest_idx, f.tot_len);
	return forward(p, &f, &c);
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
