/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Path MTU discovery for scheduled packets that do not fit toward their
 * real server: with DF, the client gets ICMP "fragmentation needed" as IPVS
 * sends it; without DF the packet is dropped, since the data plane does not
 * fragment (the client's retransmission logic or PMTU probing has to cope;
 * DR/TUN traffic from TCP clients carries DF in practice). */
#ifndef XVS_BPF_ICMP_H
#define XVS_BPF_ICMP_H

#include "csum.h"
#include "ctx.h"
#include "parse.h"

/* <linux/icmp.h> pulls in <linux/if.h> and with it libc's <sys/socket.h>,
 * which does not build for the BPF target: the few facts needed, here. */
#define ICMP_DEST_UNREACH	3
#define ICMP_FRAG_NEEDED	4

/* RFC 1191 destination unreachable, fragmentation needed. */
struct icmp_frag_hdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 unused;
	__be16 mtu;		/* next-hop MTU */
};

#define ICMP_QUOTE_MAX	(60 + 8)	/* offending IP header and 8 bytes */

struct icmp_frag_reply {
	struct iphdr ip;
	struct icmp_frag_hdr icmp;
	__u8 quote[ICMP_QUOTE_MAX];
};

static __always_inline void icmp_reply_headers(struct icmp_frag_reply *r, const struct flow *f,
					       __u32 quote_len, __u16 mtu)
{
	r->ip.version = 4;
	r->ip.ihl = 5;
	r->ip.tos = 0xc0;		/* IPTOS_PREC_INTERNETCONTROL, as icmp_send() */
	r->ip.tot_len = bpf_htons(sizeof(r->ip) + sizeof(r->icmp) + quote_len);
	r->ip.ttl = 64;
	r->ip.protocol = IPPROTO_ICMP;
	r->ip.saddr = f->key.daddr;	/* the VIP: IPVS answers from it */
	r->ip.daddr = f->key.saddr;
	r->ip.check = csum_ipv4_hdr(&r->ip);
	r->icmp.type = ICMP_DEST_UNREACH;
	r->icmp.code = ICMP_FRAG_NEEDED;
	r->icmp.mtu = bpf_htons(mtu);
}

/* Turns the packet into the ICMP reply, in place: Ethernet addresses
 * swapped (VLAN tags kept), a new IPv4 header, the ICMP header, the
 * original IP header with options and its first 8 payload bytes. */
static __always_inline int icmp_frag_needed(struct pkt *p, const struct flow *f, __u16 mtu)
{
	struct icmp_frag_reply r = {};
	/* Masked, not just compared, so the verifier sees the bound where the
	 * length reaches a helper: 8..68 bytes. */
	__u32 l3_off = f->l3_off, quote_len = (f->ihl_bytes & 0x3c) + 8;
	__u8 mac[ETH_ALEN];
	struct ethhdr *eth;
	long sum;

	if (pkt_load(p, l3_off, r.quote, quote_len))
		return DROP(XVS_CNT_DROP_TOO_BIG);
	icmp_reply_headers(&r, f, quote_len, mtu);
	sum = bpf_csum_diff(NULL, 0, (__be32 *)&r.icmp, sizeof(r.icmp) + quote_len, 0);
	if (sum < 0)
		return DROP(XVS_CNT_DROP_TOO_BIG);
	r.icmp.checksum = csum_fold((__u32)sum);

	if (pkt_set_len(p, l3_off + sizeof(r.ip) + sizeof(r.icmp) + quote_len))
		return DROP(XVS_CNT_DROP_TOO_BIG);
	eth = p->data;
	if ((void *)(eth + 1) > p->data_end)
		return DROP(XVS_CNT_DROP_TOO_BIG);
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	if (pkt_store(p, l3_off, &r, sizeof(r.ip) + sizeof(r.icmp) + quote_len))
		return DROP(XVS_CNT_DROP_TOO_BIG);
	pkt_reload(p);
	return DECIDE(ACT_TX, XVS_CNT_ICMP_FRAG_NEEDED);
}

/* A packet that does not fit the path: mtu is what the client may send. */
static __always_inline int pkt_too_big(struct pkt *p, const struct flow *f, __u32 mtu)
{
	if (!f->df)
		return DROP(XVS_CNT_DROP_TOO_BIG);
	return icmp_frag_needed(p, f, mtu);
}

#endif /* XVS_BPF_ICMP_H */
