/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What bpf/xvs_rs.bpf.c and xvs-rs share: map and program names, the VIP map
 * layout and the counter ids of the real server's IPIP decapsulator. The
 * real-server side has its own small ABI because it never runs with the
 * director's data plane (include/xvs/abi.h); it lives here, next to its only
 * userspace reader. Fixed-width types only.
 */
#ifndef XVS_RS_ABI_H
#define XVS_RS_ABI_H

#include <linux/types.h>

/* Map names (bpf_map_info.name, at most 15 characters), by which xvs-rs finds
 * the maps again through the program attached to an interface. */
#define XVS_RS_MAP_VIPS		"xvs_rs_vips"
#define XVS_RS_MAP_COUNTERS	"xvs_rs_counters"

/* Program names (bpf_prog_info.name), by which xvs-rs recognises its own
 * decapsulator on an interface. */
#define XVS_RS_PROG_TC		"xvs_rs_tc"
#define XVS_RS_PROG_XDP		"xvs_rs_xdp"

/* VIPs one real server can decapsulate for. */
#define XVS_RS_MAX_VIPS		256

/* xvs_rs_vips: key __be32 inner destination (a VIP), value below. */
struct xvs_rs_vip {
	__u32 flags;		/* reserved, 0 */
};

/* Per-CPU counters: every packet the program sees lands in exactly one. */
enum xvs_rs_counter {
	XVS_RS_CNT_DECAP = 0,		/* outer header stripped, inner passed on */
	XVS_RS_CNT_PASS_NOT_IPV4,	/* not IPv4 (ARP, IPv6, ...) */
	XVS_RS_CNT_PASS_NOT_IPIP,	/* IPv4, protocol other than 4 */
	XVS_RS_CNT_PASS_FRAGMENT,	/* IPIP, but the outer packet is a fragment */
	XVS_RS_CNT_PASS_NOT_VIP,	/* IPIP whose inner destination is no VIP */
	XVS_RS_CNT_MALFORMED_L2,	/* shorter than an Ethernet header */
	XVS_RS_CNT_MALFORMED_OUTER,	/* outer IPv4 truncated, ihl < 5, bad length */
	XVS_RS_CNT_MALFORMED_INNER,	/* inner IPv4 truncated, not v4, ihl < 5 */
	XVS_RS_CNT_DECAP_FAILED,	/* the kernel refused to shrink the packet */
	XVS_RS_CNT_MAX,
};

#endif /* XVS_RS_ABI_H */
