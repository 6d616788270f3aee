/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The packet context shared by the XDP and tc entry points, and the few
 * operations that differ between the two hooks.
 *
 * Every function here is __always_inline and branches on pkt.hook, which the
 * entry point sets to a constant: after inlining, each program keeps only its
 * own branch (the tc program never contains an XDP helper call and vice
 * versa). Nothing may take the address of a struct pkt field or pass the
 * struct to a helper, or the constant stops being folded.
 */
#ifndef XVS_BPF_CTX_H
#define XVS_BPF_CTX_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

enum hook {
	HOOK_XDP,
	HOOK_TC,
};

/* What to do with a packet; pkt_return() turns it into the hook's code. */
enum action {
	ACT_PASS = 0,		/* to the local stack, untouched */
	ACT_DROP,
	ACT_TX,			/* back out of the ingress interface */
	ACT_REDIRECT,		/* out of pkt.out_ifindex */
};

/* A decision: the action and the counter (enum xvs_counter) that says why.
 * 0 means "not decided yet": it would read PASS with reason XVS_CNT_RX,
 * which is never a reason. */
#define DECIDE(act, cnt)	(((act) << 8) | (cnt))
#define DECISION_ACT(d)		((d) >> 8)
#define DECISION_CNT(d)		((d) & 0xff)
#define UNDECIDED		0
#define PASS(cnt)		DECIDE(ACT_PASS, cnt)
#define DROP(cnt)		DECIDE(ACT_DROP, cnt)

struct pkt {
	void *data;
	void *data_end;
	void *ctx;		/* struct xdp_md * or struct __sk_buff * */
	enum hook hook;		/* constant per program */
	__u32 in_ifindex;	/* where the packet arrived */
	__u32 out_ifindex;	/* ACT_REDIRECT target */
	__u32 gso;		/* tc: a GSO skb, segmented (and MTU-checked) later */
};

/* Longest header chain read directly: Ethernet, two VLAN tags, IPv4 with
 * full options, then TCP with full options, or ICMP (8) quoting an IPv4
 * header with full options and 20 bytes of its TCP header. */
#define PKT_HDR_MAX	(14 + 8 + 60 + 8 + 60 + 20)

static __always_inline void pkt_reload(struct pkt *p)
{
	if (p->hook == HOOK_XDP) {
		struct xdp_md *x = p->ctx;

		p->data = (void *)(long)x->data;
		p->data_end = (void *)(long)x->data_end;
	} else {
		struct __sk_buff *s = p->ctx;

		p->data = (void *)(long)s->data;
		p->data_end = (void *)(long)s->data_end;
	}
}

static __always_inline struct pkt pkt_init_xdp(struct xdp_md *ctx)
{
	struct pkt p = {
		.ctx = ctx,
		.hook = HOOK_XDP,
		.in_ifindex = ctx->ingress_ifindex,
	};

	pkt_reload(&p);
	return p;
}

static __always_inline struct pkt pkt_init_tc(struct __sk_buff *skb)
{
	struct pkt p = {
		.ctx = skb,
		.hook = HOOK_TC,
		.in_ifindex = skb->ifindex,
		.gso = skb->gso_segs > 1 || skb->gso_size != 0,
	};

	pkt_reload(&p);
	return p;
}

#define LOOPBACK_IFINDEX	1	/* in every network namespace */

/* The skb's mark (tc); XDP frames have none. */
static __always_inline __u32 pkt_mark(const struct pkt *p)
{
	if (p->hook == HOOK_TC)
		return ((struct __sk_buff *)p->ctx)->mark;
	return 0;
}

/* Whole packet length (tc: including the non-linear part). */
static __always_inline __u32 pkt_len(const struct pkt *p)
{
	if (p->hook == HOOK_XDP)
		return (__u32)(p->data_end - p->data);
	return ((struct __sk_buff *)p->ctx)->len;
}

/* tc: makes the first len bytes (at most the packet) linear and writable so
 * they can be accessed directly. XDP frames are always linear here. */
static __always_inline int pkt_pull(struct pkt *p, __u32 len)
{
	if (p->hook == HOOK_TC) {
		struct __sk_buff *s = p->ctx;

		if (len > s->len)
			len = s->len;
		if (bpf_skb_pull_data(s, len))
			return -1;
		pkt_reload(p);
	}
	return 0;
}

static __always_inline long pkt_load(struct pkt *p, __u32 off, void *buf, __u32 len)
{
	if (p->hook == HOOK_XDP)
		return bpf_xdp_load_bytes(p->ctx, off, buf, len);
	return bpf_skb_load_bytes(p->ctx, off, buf, len);
}

/* Invalidates packet pointers: pkt_reload() after. */
static __always_inline long pkt_store(struct pkt *p, __u32 off, void *buf, __u32 len)
{
	if (p->hook == HOOK_XDP)
		return bpf_xdp_store_bytes(p->ctx, off, buf, len);
	return bpf_skb_store_bytes(p->ctx, off, buf, len, 0);
}

/* Grows or shrinks the packet at its end to len bytes. */
static __always_inline int pkt_set_len(struct pkt *p, __u32 len)
{
	long err;

	if (p->hook == HOOK_XDP)
		err = bpf_xdp_adjust_tail(p->ctx, (int)len - (int)(p->data_end - p->data));
	else
		err = bpf_skb_change_tail(p->ctx, len, 0);
	pkt_reload(p);
	return err ? -1 : 0;
}

/* Opens 20 bytes for an outer IPv4 header right after the Ethernet header.
 * XDP: moves the packet start back; the caller rewrites the L2 header(s) at
 * the new start. tc: bpf_skb_adjust_room() moves the MAC header itself and,
 * told this is an IPv4-in-IPv4 encapsulation, keeps CHECKSUM_PARTIAL offsets
 * and GSO metadata right (gso_size shrinks by 20, SKB_GSO_IPXIP4 is set). */
static __always_inline int pkt_open_ipip_room(struct pkt *p)
{
	long err;

	if (p->hook == HOOK_XDP)
		err = bpf_xdp_adjust_head(p->ctx, -20);
	else
		err = bpf_skb_adjust_room(p->ctx, 20, BPF_ADJ_ROOM_MAC,
					  BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
	pkt_reload(p);
	return err ? -1 : 0;
}

/* The hook's return code for an action. tc sends even "back out of the
 * ingress interface" through bpf_redirect(): it has no XDP_TX. */
static __always_inline int pkt_return(struct pkt *p, enum action act)
{
	if (p->hook == HOOK_XDP) {
		switch (act) {
		case ACT_PASS:
			return XDP_PASS;
		case ACT_TX:
			return XDP_TX;
		case ACT_REDIRECT:
			return bpf_redirect(p->out_ifindex, 0);	/* XDP_REDIRECT */
		default:
			return XDP_DROP;
		}
	}
	switch (act) {
	case ACT_PASS:
		return TC_ACT_OK;
	case ACT_TX:
		return bpf_redirect(p->in_ifindex, 0);		/* TC_ACT_REDIRECT */
	case ACT_REDIRECT:
		return bpf_redirect(p->out_ifindex, 0);
	default:
		return TC_ACT_SHOT;
	}
}

#endif /* XVS_BPF_CTX_H */
