// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Real-server IPIP decapsulator, for kernels without the ipip module: strips
 * the outer IPv4 header of IPIP packets whose inner destination is one of the
 * VIPs in xvs_rs_vips, and hands the inner packet to the stack behind the
 * same Ethernet header, as if it had arrived bare. Everything else passes
 * untouched. Two entry points share one classifier: tc clsact ingress (the
 * default) and XDP (lets a director's native XDP redirect into this veth).
 *
 * Invariants: a packet is changed only when it is decapsulated; every packet
 * is counted once in xvs_rs_counters. The tc program returns TC_ACT_UNSPEC
 * (continue with the next filter) because it never judges a packet, only
 * unwraps it.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "rs_common.h"

#include "xvs/rs_abi.h"

/* BPF_F_ADJ_ROOM_DECAP_L3_IPV4 (Linux 6.3) is missing from the 6.1 UAPI
 * headers we build against; the kernel (6.18) knows it. It only re-labels
 * skb->protocol when the outer and inner families differ, so for IPIP it
 * states intent. Own name, so a newer header's enum cannot collide. */
#define XVS_RS_ADJ_ROOM_DECAP_L3_IPV4	(1ULL << 7)

/* Why BPF_F_ADJ_ROOM_FIXED_GSO: for a GSO skb (a director's tc encap over
 * veth keeps the super-packet, marked SKB_GSO_IPXIP4 | SKB_GSO_TCPV4),
 * gso_size is the inner TCP MSS, which removing the outer header does not
 * change; without the flag the kernel would grow it by 20. The 6.18 kernel
 * has no flag to clear SKB_GSO_IPXIP4 on decap (see docs/xvs-rs.md): the bit
 * stays, which local delivery ignores. */
#define RS_DECAP_FLAGS (XVS_RS_ADJ_ROOM_DECAP_L3_IPV4 | BPF_F_ADJ_ROOM_FIXED_GSO)

#define IP_MF_OFFSET	0x3fff		/* more-fragments bit + fragment offset */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XVS_RS_MAX_VIPS);
	__type(key, __be32);
	__type(value, struct xvs_rs_vip);
} xvs_rs_vips SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XVS_RS_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} xvs_rs_counters SEC(".maps");

static __always_inline void rs_count(enum xvs_rs_counter reason)
{
	rs_percpu_inc(&xvs_rs_counters, reason);
}

/* Decides what to do with a frame of pkt_len bytes (Ethernet included).
 * Returns XVS_RS_CNT_DECAP with *outer_len set when the outer header is to
 * be removed, otherwise the reason the packet passes untouched. */
static __always_inline enum xvs_rs_counter
rs_classify(void *ctx, bool xdp, __u32 pkt_len, __u32 *outer_len)
{
	struct iphdr outer, inner;
	__be16 h_proto;
	__u32 olen, tot_len;

	if (rs_load_bytes(ctx, xdp, offsetof(struct ethhdr, h_proto), &h_proto, sizeof(h_proto)))
		return XVS_RS_CNT_MALFORMED_L2;
	if (h_proto != bpf_htons(ETH_P_IP))
		return XVS_RS_CNT_PASS_NOT_IPV4;

	if (rs_load_bytes(ctx, xdp, ETH_HLEN, &outer, sizeof(outer)))
		return XVS_RS_CNT_MALFORMED_OUTER;
	if (outer.version != 4 || outer.ihl < 5)
		return XVS_RS_CNT_MALFORMED_OUTER;
	if (outer.protocol != IPPROTO_IPIP)
		return XVS_RS_CNT_PASS_NOT_IPIP;
	if (outer.frag_off & bpf_htons(IP_MF_OFFSET))
		return XVS_RS_CNT_PASS_FRAGMENT;

	olen = outer.ihl * 4;
	tot_len = bpf_ntohs(outer.tot_len);
	if (tot_len < olen || tot_len > pkt_len - ETH_HLEN)
		return XVS_RS_CNT_MALFORMED_OUTER;
	if (tot_len < olen + sizeof(inner))
		return XVS_RS_CNT_MALFORMED_INNER;

	if (rs_load_bytes(ctx, xdp, ETH_HLEN + olen, &inner, sizeof(inner)))
		return XVS_RS_CNT_MALFORMED_INNER;
	if (inner.version != 4 || inner.ihl < 5)
		return XVS_RS_CNT_MALFORMED_INNER;
	if (!bpf_map_lookup_elem(&xvs_rs_vips, &inner.daddr))
		return XVS_RS_CNT_PASS_NOT_VIP;

	*outer_len = olen;
	return XVS_RS_CNT_DECAP;
}

SEC("tc")
int xvs_rs_tc(struct __sk_buff *skb)
{
	enum xvs_rs_counter verdict;
	__u32 olen = 0;

	verdict = rs_classify(skb, false, skb->len, &olen);
	if (verdict == XVS_RS_CNT_DECAP &&
	    bpf_skb_adjust_room(skb, -(__s32)olen, BPF_ADJ_ROOM_MAC, RS_DECAP_FLAGS))
		verdict = XVS_RS_CNT_DECAP_FAILED;	/* skb left as it was */
	rs_count(verdict);
	return TC_ACT_UNSPEC;
}

enum rs_strip { RS_STRIPPED, RS_UNCHANGED, RS_DAMAGED };

/* Moves the start of the frame past the outer header and writes the saved
 * Ethernet header in front of the inner one. */
static __always_inline enum rs_strip rs_xdp_strip(struct xdp_md *ctx, __u32 olen)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data, saved;

	if ((void *)(eth + 1) > data_end)
		return RS_UNCHANGED;
	saved = *eth;
	if (bpf_xdp_adjust_head(ctx, (int)olen))
		return RS_UNCHANGED;

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	/* Cannot fail (the inner header was read), but the verifier asks, and
	 * a half-moved frame must not reach the stack. */
	if ((void *)(eth + 1) > data_end)
		return RS_DAMAGED;
	__builtin_memcpy(eth, &saved, sizeof(saved));
	return RS_STRIPPED;
}

SEC("xdp")
int xvs_rs_xdp(struct xdp_md *ctx)
{
	__u32 pkt_len = ctx->data_end - ctx->data;
	enum xvs_rs_counter verdict;
	enum rs_strip strip;
	__u32 olen = 0;

	verdict = rs_classify(ctx, true, pkt_len, &olen);
	if (verdict != XVS_RS_CNT_DECAP) {
		rs_count(verdict);
		return XDP_PASS;
	}
	strip = rs_xdp_strip(ctx, olen);
	rs_count(strip == RS_STRIPPED ? XVS_RS_CNT_DECAP : XVS_RS_CNT_DECAP_FAILED);
	return strip == RS_DAMAGED ? XDP_ABORTED : XDP_PASS;
}

char _license[] SEC("license") = "Dual BSD/GPL";
