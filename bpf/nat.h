/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Address and port translation of a TCP/UDP packet with its checksums, the
 * rewrite NAT and FULLNAT apply in both directions.
 *
 * tc uses the kernel's checksum helpers: they know whether the skb's L4
 * checksum is complete or still CHECKSUM_PARTIAL (a veth sender with
 * offload leaves only the pseudo-header sum, which must then change with
 * the addresses but not with the ports). XDP frames carry no such state:
 * the checksums are updated in place (RFC 1624). */
#ifndef XVS_BPF_NAT_H
#define XVS_BPF_NAT_H

#include <linux/bpf.h>
#include <stddef.h>

#include "csum.h"
#include "ctx.h"
#include "parse.h"

/* The packet's new addresses and ports (network order). */
struct nat_to {
	__be32 saddr, daddr;
	__be16 sport, dport;
};

static __always_inline __u32 nat_l4_check_off(const struct flow *f)
{
	return f->l3_off + f->ihl_bytes +
	       (f->key.proto == IPPROTO_TCP ? offsetof(struct tcphdr, check)
					    : offsetof(struct udphdr, check));
}

static __always_inline int nat_rewrite_xdp(struct pkt *p, const struct flow *f,
					   const struct nat_to *to)
{
	__u32 l3_off = f->l3_off & 0x1f, ihl = f->ihl_bytes & 0x3c;
	struct iphdr *ip = p->data + l3_off;
	__be16 *ports;
	__sum16 *check;
	__u32 addr_diff, port_diff;

	if ((void *)(ip + 1) > p->data_end)
		return -1;
	ports = (void *)ip + ihl;
	if ((void *)(ports + 4) > p->data_end)		/* UDP header, TCP up to seq */
		return -1;
	if (f->key.proto == IPPROTO_TCP) {
		struct tcphdr *th = (void *)ports;

		if ((void *)(th + 1) > p->data_end)
			return -1;
		check = &th->check;
	} else {
		check = &((struct udphdr *)ports)->check;
	}
	addr_diff = csum_word_diff4(ip->saddr, to->saddr) + csum_word_diff4(ip->daddr, to->daddr);
	port_diff = csum_word_diff2(ports[0], to->sport) + csum_word_diff2(ports[1], to->dport);
	csum_apply(&ip->check, addr_diff);
	if (f->key.proto == IPPROTO_TCP)
		csum_apply(check, addr_diff + port_diff);
	else
		csum_apply_udp(check, addr_diff + port_diff);
	ip->saddr = to->saddr;
	ip->daddr = to->daddr;
	ports[0] = to->sport;
	ports[1] = to->dport;
	return 0;
}

static __always_inline int nat_rewrite_tc(struct pkt *p, const struct flow *f,
					  const struct nat_to *to)
{
	struct __sk_buff *skb = p->ctx;
	__u32 ip_off = f->l3_off, l4_off = f->l3_off + f->ihl_bytes;
	__u32 ip_check = ip_off + offsetof(struct iphdr, check), l4_check = nat_l4_check_off(f);
	__u64 mangled = f->key.proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0;
	struct { __be32 saddr, daddr; __be16 sport, dport; } hdr = {
		to->saddr, to->daddr, to->sport, to->dport,
	};
	const struct xvs_conn_key *k = &f->key;
	__u32 addr_diff = csum_word_diff4(k->saddr, to->saddr) + csum_word_diff4(k->daddr, to->daddr);
	__u32 port_diff = csum_word_diff2(k->sport, to->sport) + csum_word_diff2(k->dport, to->dport);

	/* Each helper call takes a whole difference (size 0) rather than one
	 * field: 3 calls instead of 6, and the helpers still treat the
	 * pseudo-header part (the addresses) apart from the rest. */
	if (bpf_l3_csum_replace(skb, ip_check, 0, addr_diff, 0) ||
	    bpf_l4_csum_replace(skb, l4_check, 0, addr_diff, BPF_F_PSEUDO_HDR | mangled) ||
	    bpf_l4_csum_replace(skb, l4_check, 0, port_diff, mangled))
		return -1;
	/* without IP options the addresses and the ports are adjacent */
	if (f->ihl_bytes == sizeof(struct iphdr)) {
		if (bpf_skb_store_bytes(skb, ip_off + offsetof(struct iphdr, saddr), &hdr,
					sizeof(hdr), 0))
			return -1;
	} else if (bpf_skb_store_bytes(skb, ip_off + offsetof(struct iphdr, saddr), &hdr,
				       2 * sizeof(__be32), 0) ||
		   bpf_skb_store_bytes(skb, l4_off, &hdr.sport, 2 * sizeof(__be16), 0)) {
		return -1;
	}
	pkt_reload(p);
	return 0;
}

/* Rewrites the packet's addresses and ports to `to`; f keeps describing
 * the packet as it arrived. Returns 0 or -1 (packet left inconsistent:
 * drop it). */
static __always_inline int nat_rewrite(struct pkt *p, const struct flow *f, const struct nat_to *to)
{
	if (p->hook == HOOK_XDP)
		return nat_rewrite_xdp(p, f, to);
	return nat_rewrite_tc(p, f, to);
}

#endif /* XVS_BPF_NAT_H */
