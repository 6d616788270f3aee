/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Route and next-hop lookup toward a real server. */
#ifndef XVS_BPF_FIB_H
#define XVS_BPF_FIB_H

#include "ctx.h"
#include "parse.h"

#ifndef AF_INET
#define AF_INET 2
#endif
/* Kernel 6.7+: the lookup also picks the source address (not in our 6.1
 * UAPI headers). */
#ifndef BPF_FIB_LOOKUP_SRC
#define BPF_FIB_LOOKUP_SRC (1U << 4)
#endif

/* Looks up the route from src to dst as if the packet had been received
 * on the ingress interface (so the interface must have IPv4 forwarding
 * enabled, else BPF_FIB_LKUP_RET_FWD_DISABLED). tot_len != 0 asks for an
 * MTU check: BPF_FIB_LKUP_RET_FRAG_NEEDED with fib->mtu_result. */
static __always_inline long fib_lookup(struct pkt *p, const struct flow *f,
				       struct bpf_fib_lookup *fib, __be32 src, __be32 dst,
				       __u8 l4_proto, __u32 tot_len, __u32 flags)
{
	__builtin_memset(fib, 0, sizeof(*fib));
	fib->family = AF_INET;
	fib->tos = f->tos;
	fib->l4_protocol = l4_proto;
	if (l4_proto == f->key.proto) {
		fib->sport = f->key.sport;
		fib->dport = f->key.dport;
	}
	fib->tot_len = tot_len;
	fib->ifindex = p->in_ifindex;
	fib->ipv4_src = src;
	fib->ipv4_dst = dst;
	return bpf_fib_lookup(p->ctx, fib, sizeof(*fib), flags);
}

/* The action that sends a packet toward the lookup's next hop: the same
 * interface goes back out (XDP_TX), another by redirect. */
static __always_inline int fib_action(struct pkt *p, const struct bpf_fib_lookup *fib)
{
	if (fib->ifindex == p->in_ifindex)
		return ACT_TX;
	p->out_ifindex = fib->ifindex;
	return ACT_REDIRECT;
}

#endif /* XVS_BPF_FIB_H */
