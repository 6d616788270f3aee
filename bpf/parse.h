/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Header parsing: Ethernet with up to two VLAN tags (left in place), IPv4
 * with options, TCP or UDP. Produces a struct flow or a pass decision with
 * its reason. Every direct access is preceded by its bounds check. */
#ifndef XVS_BPF_PARSE_H
#define XVS_BPF_PARSE_H

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>

#include "ctx.h"
#include "maps.h"

#define IP_DF		0x4000
#define IP_MF		0x2000
#define IP_OFFSET	0x1fff

#define TCPF_FIN	0x01
#define TCPF_SYN	0x02
#define TCPF_RST	0x04
#define TCPF_ACK	0x10

#define VLAN_MAX	2

struct vlan_tag {
	__be16 tci;
	__be16 proto;		/* of what follows the tag */
};

/* What the rest of the data plane needs to know about a packet. */
struct flow {
	struct xvs_conn_key key;	/* saddr, daddr, sport, dport, proto */
	__u32 l3_off;			/* Ethernet + VLAN tags: 14, 18 or 22 */
	__u32 ihl_bytes;		/* IPv4 header with options: 20..60 */
	__u32 tot_len;			/* IPv4 total length */
	__u32 nvlan;			/* VLAN tags in the frame's data */
	__be16 ip_id;
	__u8 tos;
	__u8 tcp_flags;			/* TCPF_* (TCP only) */
	__u8 df;			/* DF set */
	__u8 icmp_type;			/* ICMP only */
	__u8 icmp_code;
	__u8 pad;
	__u32 skb_mark;			/* tc: the skb's mark; XDP: 0 */
};

static __always_inline int parse_l2(struct pkt *p, struct flow *f)
{
	struct ethhdr *eth = p->data;
	__be16 proto;
	__u32 off = sizeof(*eth);

	if ((void *)(eth + 1) > p->data_end)
		return PASS(XVS_CNT_PASS_MALFORMED);
	proto = eth->h_proto;
#pragma unroll
	for (int i = 0; i < VLAN_MAX; i++) {
		struct vlan_tag *tag;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		tag = p->data + off;
		if ((void *)(tag + 1) > p->data_end)
			return PASS(XVS_CNT_PASS_MALFORMED);
		proto = tag->proto;
		off += sizeof(*tag);
		f->nvlan++;
	}
	if (proto != bpf_htons(ETH_P_IP))
		return PASS(XVS_CNT_PASS_NOT_IP);
	f->l3_off = off;
	return UNDECIDED;
}

static __always_inline int parse_ipv4(struct pkt *p, struct flow *f)
{
	struct iphdr *ip = p->data + f->l3_off;
	__u32 ihl_bytes, tot_len;

	if ((void *)(ip + 1) > p->data_end)
		return PASS(XVS_CNT_PASS_MALFORMED);
	if (ip->version != 4 || ip->ihl < 5)
		return PASS(XVS_CNT_PASS_MALFORMED);
	ihl_bytes = ip->ihl * 4;
	tot_len = bpf_ntohs(ip->tot_len);
	if (tot_len < ihl_bytes || f->l3_off + tot_len > pkt_len(p))
		return PASS(XVS_CNT_PASS_MALFORMED);
	if ((void *)ip + ihl_bytes > p->data_end)
		return PASS(XVS_CNT_PASS_MALFORMED);
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP &&
	    ip->protocol != IPPROTO_ICMP)
		return PASS(XVS_CNT_PASS_NOT_L4);
	if (ip->protocol == IPPROTO_ICMP && (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET)))
		return PASS(XVS_CNT_PASS_NOT_L4);
	/* We cannot reassemble, and a fragment without ports cannot be
	 * matched to a flow: drop fragments for our VIPs (the client's stack
	 * then learns nothing, as with any loss) and leave others alone. */
	if (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET)) {
		__be32 daddr = ip->daddr;

		if (bpf_map_lookup_elem(&xvs_vips, &daddr))
			return DROP(XVS_CNT_DROP_FRAGMENT);
		return PASS(XVS_CNT_PASS_NO_SVC);
	}
	f->ihl_bytes = ihl_bytes;
	f->tot_len = tot_len;
	f->tos = ip->tos;
	f->ip_id = ip->id;
	f->df = !!(ip->frag_off & bpf_htons(IP_DF));
	f->key.saddr = ip->saddr;
	f->key.daddr = ip->daddr;
	f->key.proto = ip->protocol;
	return UNDECIDED;
}

static __always_inline int parse_tcp(struct pkt *p, struct flow *f, void *l4)
{
	struct tcphdr *th = l4;
	__u32 doff_bytes;

	if ((void *)(th + 1) > p->data_end)
		return PASS(XVS_CNT_PASS_MALFORMED);
	doff_bytes = th->doff * 4;
	if (doff_bytes < sizeof(*th) || f->ihl_bytes + doff_bytes > f->tot_len)
		return PASS(XVS_CNT_PASS_MALFORMED);
	if (l4 + doff_bytes > p->data_end)
		return PASS(XVS_CNT_PASS_MALFORMED);
	f->key.sport = th->source;
	f->key.dport = th->dest;
	f->tcp_flags = ((__u8 *)th)[13];
	return UNDECIDED;
}

static __always_inline int parse_udp(struct pkt *p, struct flow *f, void *l4)
{
	struct udphdr *uh = l4;

	if ((void *)(uh + 1) > p->data_end ||
	    f->ihl_bytes + sizeof(*uh) > f->tot_len)
		return PASS(XVS_CNT_PASS_MALFORMED);
	f->key.sport = uh->source;
	f->key.dport = uh->dest;
	return UNDECIDED;
}

/* ICMP: the 8-byte header must be there; the quoted packet of an error is
 * parsed by icmp_err.h. */
static __always_inline int parse_icmp(struct pkt *p, struct flow *f, void *l4)
{
	__u8 *h = l4;

	if ((void *)(h + 8) > p->data_end || f->ihl_bytes + 8 > f->tot_len)
		return PASS(XVS_CNT_PASS_NOT_L4);
	f->icmp_type = h[0];
	f->icmp_code = h[1];
	return UNDECIDED;
}

/* Fills f, or returns the pass/drop decision for a packet that is not a
 * well-formed, unfragmented IPv4 TCP, UDP or ICMP packet. */
static __always_inline int parse_packet(struct pkt *p, struct flow *f)
{
	__u32 l4_off;
	void *l4;
	int d;

	if (pkt_pull(p, PKT_HDR_MAX))
		return PASS(XVS_CNT_PASS_MALFORMED);
	d = parse_l2(p, f);
	if (d)
		return d;
	d = parse_ipv4(p, f);
	if (d)
		return d;
	l4_off = f->l3_off + f->ihl_bytes;
	if (l4_off > 14 + 8 + 60)
		return PASS(XVS_CNT_PASS_MALFORMED);
	l4 = p->data + l4_off;
	if (f->key.proto == IPPROTO_TCP)
		return parse_tcp(p, f, l4);
	if (f->key.proto == IPPROTO_ICMP)
		return parse_icmp(p, f, l4);
	return parse_udp(p, f, l4);
}

#endif /* XVS_BPF_PARSE_H */
