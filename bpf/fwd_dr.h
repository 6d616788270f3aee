/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Direct routing (-g): the packet goes to the real server unchanged except
 * for its Ethernet addresses; the real server holds the VIP itself. */
#ifndef XVS_BPF_FWD_DR_H
#define XVS_BPF_FWD_DR_H

#include "fib.h"
#include "icmp.h"

/* The decision for a failed or MTU-exceeding lookup, UNDECIDED on success.
 * overhead: bytes the transmitter adds (the client's MTU is that much
 * smaller). A scheduled packet is never passed to the local stack, which
 * holds the VIP and would answer it. */
static __always_inline int fib_check(struct pkt *p, const struct flow *f, long rc,
				     const struct bpf_fib_lookup *fib, __u32 overhead)
{
	switch (rc) {
	case BPF_FIB_LKUP_RET_SUCCESS:
		return UNDECIDED;
	case BPF_FIB_LKUP_RET_NO_NEIGH:
		return DROP(XVS_CNT_DROP_NO_NEIGH);
	case BPF_FIB_LKUP_RET_FRAG_NEEDED:
		return pkt_too_big(p, f, fib->mtu_result - overhead);
	default:
		return DROP(XVS_CNT_DROP_NO_ROUTE);
	}
}

static __always_inline int fwd_dr(struct pkt *p, const struct flow *f, const struct xvs_conn *c)
{
	struct bpf_fib_lookup fib;
	struct ethhdr *eth;
	long rc;
	int d;

	/* A GSO skb's segments are checked against the MTU when segmented. */
	rc = fib_lookup(p, f, &fib, f->key.saddr, c->raddr, f->key.proto,
			p->gso ? 0 : f->tot_len, 0);
	d = fib_check(p, f, rc, &fib, 0);
	if (d)
		return d;
	eth = p->data;
	if ((void *)(eth + 1) > p->data_end)
		return DROP(XVS_CNT_PASS_MALFORMED);	/* cannot happen: parsed */
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	return DECIDE(fib_action(p, &fib), XVS_CNT_FWD_DR);
}

#endif /* XVS_BPF_FWD_DR_H */
