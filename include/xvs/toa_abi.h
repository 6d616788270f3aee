/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What bpf/xvs_toa.bpf.c and xvs-rs share: the real server's TOA reader for
 * FULLNAT (map and program names, the connection map's key and value, the
 * counter ids). The director puts the client's address in TCP option 254
 * (TOA, 8 bytes: kind, length, port, IPv4 address) of the ACK that completes
 * the handshake; the ingress program remembers it per connection and the
 * cgroup getpeername programs hand it to applications. Separate from
 * include/xvs/abi.h because the real server never runs the director's data
 * plane. Fixed-width types only, explicit padding.
 */
#ifndef XVS_TOA_ABI_H
#define XVS_TOA_ABI_H

#include <linux/types.h>

/* TCP option as the xvs director (and Alibaba LVS, DPVS) writes it. */
#define XVS_TOA_KIND		254
#define XVS_TOA_LEN		8	/* kind, length, __be16 port, __be32 addr */

/* Map names (bpf_map_info.name, at most 15 characters). */
#define XVS_TOA_MAP_CONNS	"xvs_toa_conns"
#define XVS_TOA_MAP_COUNTS	"xvs_toa_counts"

/* Program names (bpf_prog_info.name, at most 15 characters), by which
 * xvs-rs recognises its programs on interfaces and on the cgroup. */
#define XVS_TOA_PROG_TC		"xvs_toa_tc"
#define XVS_TOA_PROG_XDP	"xvs_toa_xdp"
#define XVS_TOA_PROG_PEER4	"xvs_toa_peer4"
#define XVS_TOA_PROG_PEER6	"xvs_toa_peer6"
#define XVS_TOA_PROG_SOCKOPS	"xvs_toa_sockops"

/* Connections remembered at once (LRU: the least recently used go first). */
#define XVS_TOA_MAX_CONNS	65536

/* xvs_toa_conns key: the connection as the real server's socket sees it.
 * In FULLNAT the peer is the director's local address (LIP:lport). */
struct xvs_toa_key {
	__be32 local_addr;	/* RIP: destination of the incoming packet */
	__be32 peer_addr;	/* LIP: source of the incoming packet */
	__be16 local_port;	/* network order */
	__be16 peer_port;	/* network order */
};

/* xvs_toa_conns value: the client's address from the option. */
struct xvs_toa_client {
	__be32 addr;
	__be16 port;		/* network order */
	__u16 pad;		/* 0 */
};

#ifdef __cplusplus
static_assert(sizeof(struct xvs_toa_key) == 12, "xvs_toa_key layout");
static_assert(sizeof(struct xvs_toa_client) == 8, "xvs_toa_client layout");
#else
_Static_assert(sizeof(struct xvs_toa_key) == 12, "xvs_toa_key layout");
_Static_assert(sizeof(struct xvs_toa_client) == 8, "xvs_toa_client layout");
#endif

/* Per-CPU counters. Up to XVS_TOA_CNT_MAP_FULL: the ingress program's, every
 * packet lands in exactly one; after it, the cgroup programs'. */
enum xvs_toa_counter {
	XVS_TOA_CNT_STORED = 0,		/* handshake ACK with TOA: client remembered */
	XVS_TOA_CNT_KEPT,		/* TOA on a connection that already has one: ignored */
	XVS_TOA_CNT_SYN_FORGOT,		/* SYN: any old entry of its 4-tuple deleted */
	XVS_TOA_CNT_NO_TOA,		/* TCP without option 254 */
	XVS_TOA_CNT_BAD_TOA,		/* option 254 of another length */
	XVS_TOA_CNT_BAD_OPTIONS,	/* options truncated or inconsistent */
	XVS_TOA_CNT_NOT_TCP,		/* not IPv4 TCP (ARP, IPv6, UDP, fragments) */
	XVS_TOA_CNT_MALFORMED,		/* headers cut short or lying */
	XVS_TOA_CNT_MAP_FULL,		/* the map refused the entry */
	XVS_TOA_CNT_PEER_REWRITTEN,	/* getpeername/accept answered with a TOA client */
	XVS_TOA_CNT_MAX,
};

#endif /* XVS_TOA_ABI_H */
