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

/* Forwarding and ICMP translation run in functions of their own, one per
 * hook, so that their locals are not on the stack while a new connection
 * is scheduled (the BPF stack is 512 bytes for all call levels together).
 * Each works on a copy of the packet context whose hook is a constant, as
 * ctx.h needs; the caller only reads back where to redirect. */
#define HOOK_STEP(name, hook_id, body)						\
static __noinline int name(struct pkt *in, const struct flow *f, const struct conn_ref *r) \
{										\
	struct pkt q = *in;							\
	struct pkt *p = &q;							\
	int d;									\
										\
	(void)r;								\
	q.hook = hook_id;							\
	d = body;								\
	in->out_ifindex = q.out_ifindex;					\
	return d;								\
}
HOOK_STEP(forward_xdp, HOOK_XDP, forward(p, f, r))
HOOK_STEP(forward_tc, HOOK_TC, forward(p, f, r))
HOOK_STEP(icmp_error_xdp, HOOK_XDP, icmp_error(p, f))
HOOK_STEP(icmp_error_tc, HOOK_TC, icmp_error(p, f))

/* The parsed packet and its connection live in per-CPU memory, not on the
 * stack (see above). */
struct scratch {
	struct flow f;
	struct conn_ref r;
};
_Static_assert(sizeof(struct scratch) <= sizeof(struct xvs_scratch), "scratch too small");

/* One packet: parse, find or schedule its connection, account, forward. */
static __always_inline int process(struct pkt *p)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&xvs_scratch, &zero);
	struct flow *f;
	struct conn_ref *r;
	int d;

	if (!s)
		return DROP(XVS_CNT_DROP_UNSUPPORTED);
	f = &s->f;
	r = &s->r;
	__builtin_memset(f, 0, sizeof(*f));
	d = parse_packet(p, f);
	if (d)
		return d;
	f->skb_mark = pkt_mark(p);
	if (f->key.proto == IPPROTO_ICMP)
		return p->hook == HOOK_XDP ? icmp_error_xdp(p, f, r) : icmp_error_tc(p, f, r);
	d = conn_get(f, r);
	if (d)
		return d;
	if (r->side == SIDE_REPLY)
		stats_out(r->c.svc_idx, r->c.dest_idx, f->tot_len);
	else
		stats_in(r->c.svc_idx, r->c.dest_idx, f->tot_len);
	return p->hook == HOOK_XDP ? forward_xdp(p, f, r) : forward_tc(p, f, r);
}

/* A request of libxvs to the housekeeping: a frame of our EtherType
 * "arriving" on the loopback device, which only a BPF_PROG_TEST_RUN can
 * make happen (the data plane never attaches to loopback). */
static __always_inline bool maint_requested(struct pkt *p)
{
	struct ethhdr *eth = p->data;

	return p->in_ifindex == LOOPBACK_IFINDEX && (void *)(eth + 1) <= p->data_end &&
	       eth->h_proto == bpf_htons(XVS_ETH_P_MAINT);
}

static __always_inline void maint_request(struct pkt *p)
{
	struct xvs_maint_req *rq = p->data + sizeof(struct ethhdr);
	struct xvs_conn_key k;
	__u64 now = bpf_ktime_get_ns();

	if ((void *)(rq + 1) > p->data_end)
		return;
	if (rq->op == XVS_MAINT_OP_SWEEP) {
		maint_run(now, MAINT_FORCE);
	} else if (rq->op == XVS_MAINT_OP_REAP) {
		k = rq->key;
		maint_reap(&k, now);
	}
}

static __always_inline int run(struct pkt *p)
{
	int d;

	if (maint_requested(p)) {
		maint_request(p);
		return pkt_return(p, ACT_PASS);
	}
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
