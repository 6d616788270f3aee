/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* IP tunnelling (-i): the packet is wrapped in an outer IPv4 header (IPIP,
 * protocol 4) from the director to the real server, which decapsulates it
 * and answers the client directly. */
#ifndef XVS_BPF_FWD_TUN_H
#define XVS_BPF_FWD_TUN_H

#include "csum.h"
#include "fwd_dr.h"

#define IPIP_HLEN	20

/* Ethernet header and its VLAN tags, moved as one block. Room for three
 * tags, so that a length computed as 14 + 4 * (nvlan & 3) always fits. */
struct l2_hdr {
	struct ethhdr eth;
	struct vlan_tag tags[3];
} __attribute__((packed));

static __always_inline void tun_outer_header(struct iphdr *outer, const struct flow *f,
					     __be32 saddr, __be32 daddr)
{
	__builtin_memset(outer, 0, sizeof(*outer));
	outer->version = 4;
	outer->ihl = 5;
	outer->tos = f->tos;
	outer->tot_len = bpf_htons(f->tot_len + IPIP_HLEN);
	outer->id = f->ip_id;
	outer->frag_off = f->df ? bpf_htons(IP_DF) : 0;
	outer->ttl = 64;
	outer->protocol = IPPROTO_IPIP;
	outer->saddr = saddr;
	outer->daddr = daddr;
	outer->check = csum_ipv4_hdr(outer);
}

static __always_inline int fwd_tun(struct pkt *p, const struct flow *f, const struct xvs_conn *c)
{
	struct bpf_fib_lookup fib;
	struct l2_hdr l2;
	struct iphdr outer;
	__be32 saddr = c->laddr;
	__u32 l3_off = sizeof(l2.eth) + (f->nvlan & 3) * sizeof(struct vlan_tag);
	long rc;
	int d;

	/* In tc, bpf_skb_adjust_room(BPF_ADJ_ROOM_MAC) opens room after
	 * skb->mac_len and refuses skbs whose protocol is not IPv4/IPv6: a
	 * tag left in the data (skb->protocol 802.1Q) cannot be encapsulated
	 * behind. The stack moves the outer tag into skb metadata before tc
	 * ingress, so this is only stacked (QinQ) traffic. */
	if (p->hook == HOOK_TC && f->nvlan)
		return DROP(XVS_CNT_DROP_UNSUPPORTED);
	if (f->tot_len + IPIP_HLEN > 0xffff)
		return pkt_too_big(p, f, 0xffff - IPIP_HLEN);
	/* No source configured: let the lookup choose one (kernel 6.7+). */
	rc = fib_lookup(p, f, &fib, saddr, c->raddr, IPPROTO_IPIP,
			p->gso ? 0 : f->tot_len + IPIP_HLEN, saddr ? 0 : BPF_FIB_LOOKUP_SRC);
	d = fib_check(p, f, rc, &fib, IPIP_HLEN);
	if (d)
		return d;
	if (!saddr)
		saddr = fib.ipv4_src;
	tun_outer_header(&outer, f, saddr, c->raddr);

	if (pkt_load(p, 0, &l2, l3_off))
		return DROP(XVS_CNT_DROP_ENCAP);
	__builtin_memcpy(l2.eth.h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(l2.eth.h_source, fib.smac, ETH_ALEN);
	if (pkt_open_ipip_room(p))
		return DROP(XVS_CNT_DROP_ENCAP);
	if (pkt_store(p, 0, &l2, l3_off) || pkt_store(p, l3_off, &outer, sizeof(outer)))
		return DROP(XVS_CNT_DROP_ENCAP);
	pkt_reload(p);
	return DECIDE(fib_action(p, &fib), XVS_CNT_FWD_TUN);
}

#endif /* XVS_BPF_FWD_TUN_H */
