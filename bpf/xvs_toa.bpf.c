// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Real-server TOA reader for FULLNAT, without the TOA kernel module. The
 * director puts the client's address in TCP option 254 of the ACK that
 * completes the handshake. An ingress program (tc clsact or XDP) remembers
 * it per connection in xvs_toa_conns; cgroup getpeername4/6 programs give it
 * to applications instead of the director's local address, for
 * getpeername() and for the address accept() returns; a sockops program
 * forgets it when the connection ends.
 *
 * Invariants: the ingress programs never change or drop a packet. A SYN
 * deletes the entry of its 4-tuple, and an entry is only created, never
 * overwritten (BPF_NOEXIST): the first TOA after the latest SYN wins, so a
 * reused 4-tuple never inherits an old client and a client cannot replace
 * its address with an option of its own later in the connection. The
 * cgroup programs run for every socket of every network namespace below the
 * cgroup they are attached to: they act only in the namespace whose cookie
 * xvs-rs wrote into xvs_toa_netns_cookie, only on TCP sockets found in the
 * map, and always return 1 (allow).
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/socket.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "rs_common.h"

#include "xvs/toa_abi.h"

#ifndef AF_INET6
#define AF_INET6	10
#endif
#ifndef AF_INET
#define AF_INET		2
#endif

#define IP_MF_OFFSET	0x3fff		/* more-fragments bit + fragment offset */
#define TCP_OPT_EOL	0
#define TCP_OPT_NOP	1
#define TCP_OPTS_MAX	40		/* data offset 15 */
#define TCP_OPTS_MASK	63		/* index mask inside the 64-byte buffer */
#define TCP_STATE_CLOSE	7		/* TCP_CLOSE of the kernel's enum */

/* The network namespace this instance serves (SO_NETNS_COOKIE), set by
 * xvs-rs before loading. */
const volatile __u64 xvs_toa_netns_cookie = 0;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XVS_TOA_MAX_CONNS);
	__type(key, struct xvs_toa_key);
	__type(value, struct xvs_toa_client);
} xvs_toa_conns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XVS_TOA_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} xvs_toa_counts SEC(".maps");

static __always_inline void toa_count(enum xvs_toa_counter reason)
{
	rs_percpu_inc(&xvs_toa_counts, reason);
}

/* Walks len bytes of TCP options for option 254. The offset is a scalar
 * masked into the buffer at every access, and every option advances it by
 * at least one byte, so 40 rounds cover the longest header. */
static __always_inline enum xvs_toa_counter
toa_find(const __u8 *opts, __u32 len, struct xvs_toa_client *out)
{
	__u32 off = 0, olen;
	__u8 kind;

	for (int i = 0; i < TCP_OPTS_MAX; i++) {
		if (off >= len)
			return XVS_TOA_CNT_NO_TOA;
		kind = opts[off & TCP_OPTS_MASK];
		if (kind == TCP_OPT_EOL)
			return XVS_TOA_CNT_NO_TOA;
		if (kind == TCP_OPT_NOP) {
			off++;
			continue;
		}
		if (off + 1 >= len)
			return XVS_TOA_CNT_BAD_OPTIONS;
		olen = opts[(off + 1) & TCP_OPTS_MASK];
		if (olen < 2 || off + olen > len)
			return XVS_TOA_CNT_BAD_OPTIONS;
		if (kind == XVS_TOA_KIND) {
			if (olen != XVS_TOA_LEN)
				return XVS_TOA_CNT_BAD_TOA;
			/* both fields are in network order in the option: copy bytes */
			for (int b = 0; b < 2; b++)
				((__u8 *)&out->port)[b] = opts[(off + 2 + b) & TCP_OPTS_MASK];
			for (int b = 0; b < 4; b++)
				((__u8 *)&out->addr)[b] = opts[(off + 4 + b) & TCP_OPTS_MASK];
			out->pad = 0;
			return XVS_TOA_CNT_STORED;
		}
		off += olen;
	}
	return XVS_TOA_CNT_NO_TOA;
}

/* Looks at one frame of pkt_len bytes (Ethernet included) and updates the
 * map; returns the counter the packet belongs to. */
static __always_inline enum xvs_toa_counter toa_inspect(void *ctx, bool xdp, __u32 pkt_len)
{
	struct xvs_toa_client client = { 0 };
	struct xvs_toa_key key = { 0 };
	__u8 opts[TCP_OPTS_MASK + 1];
	enum xvs_toa_counter verdict;
	struct tcphdr tcp;
	struct iphdr ip;
	__be16 h_proto;
	__u32 ihl, tot_len, thl, olen;

	if (rs_load_bytes(ctx, xdp, offsetof(struct ethhdr, h_proto), &h_proto, sizeof(h_proto)))
		return XVS_TOA_CNT_MALFORMED;
	if (h_proto != bpf_htons(ETH_P_IP))
		return XVS_TOA_CNT_NOT_TCP;
	if (rs_load_bytes(ctx, xdp, ETH_HLEN, &ip, sizeof(ip)))
		return XVS_TOA_CNT_MALFORMED;
	if (ip.version != 4 || ip.ihl < 5)
		return XVS_TOA_CNT_MALFORMED;
	if (ip.protocol != IPPROTO_TCP || (ip.frag_off & bpf_htons(IP_MF_OFFSET)))
		return XVS_TOA_CNT_NOT_TCP;
	ihl = ip.ihl * 4;
	tot_len = bpf_ntohs(ip.tot_len);
	if (tot_len < ihl + sizeof(tcp) || tot_len > pkt_len - ETH_HLEN)
		return XVS_TOA_CNT_MALFORMED;
	if (rs_load_bytes(ctx, xdp, ETH_HLEN + ihl, &tcp, sizeof(tcp)))
		return XVS_TOA_CNT_MALFORMED;
	thl = tcp.doff * 4;
	if (thl < sizeof(tcp) || thl > tot_len - ihl)
		return XVS_TOA_CNT_BAD_OPTIONS;

	key.local_addr = ip.daddr;
	key.local_port = tcp.dest;
	key.peer_addr = ip.saddr;
	key.peer_port = tcp.source;
	if (tcp.syn) {
		bpf_map_delete_elem(&xvs_toa_conns, &key);
		return XVS_TOA_CNT_SYN_FORGOT;
	}
	if (!tcp.ack || tcp.rst)
		return XVS_TOA_CNT_NO_TOA;

	olen = (thl - sizeof(tcp)) & TCP_OPTS_MASK;
	if (olen == 0 || olen > TCP_OPTS_MAX)
		return XVS_TOA_CNT_NO_TOA;
	__builtin_memset(opts, 0, sizeof(opts));
	if (rs_load_bytes(ctx, xdp, ETH_HLEN + ihl + sizeof(tcp), opts, olen))
		return XVS_TOA_CNT_MALFORMED;
	verdict = toa_find(opts, olen, &client);
	if (verdict != XVS_TOA_CNT_STORED)
		return verdict;
	switch (bpf_map_update_elem(&xvs_toa_conns, &key, &client, BPF_NOEXIST)) {
	case 0:
		return XVS_TOA_CNT_STORED;
	case -17:	/* -EEXIST: this connection's TOA was taken already */
		return XVS_TOA_CNT_KEPT;
	default:
		return XVS_TOA_CNT_MAP_FULL;
	}
}

SEC("tc")
int xvs_toa_tc(struct __sk_buff *skb)
{
	toa_count(toa_inspect(skb, false, skb->len));
	return TC_ACT_UNSPEC;	/* reads, never judges: next filter decides */
}

SEC("xdp")
int xvs_toa_xdp(struct xdp_md *ctx)
{
	toa_count(toa_inspect(ctx, true, ctx->data_end - ctx->data));
	return XDP_PASS;
}

/* The entry for a socket of this namespace, by its local address and the
 * peer address the kernel is about to report; NULL when not ours. */
static __always_inline struct xvs_toa_client *
toa_lookup(struct bpf_sock *sk, __be32 peer_addr, __be16 peer_port)
{
	struct xvs_toa_key key = { 0 };

	if (!sk || sk->protocol != IPPROTO_TCP)
		return NULL;
	key.local_addr = sk->src_ip4;
	key.local_port = bpf_htons((__u16)sk->src_port);	/* host order in bpf_sock */
	key.peer_addr = peer_addr;
	key.peer_port = peer_port;
	return bpf_map_lookup_elem(&xvs_toa_conns, &key);
}

SEC("cgroup/getpeername4")
int xvs_toa_peer4(struct bpf_sock_addr *ctx)
{
	struct xvs_toa_client *c;

	if (bpf_get_netns_cookie(ctx) != xvs_toa_netns_cookie)
		return 1;
	c = toa_lookup(ctx->sk, ctx->user_ip4, (__be16)ctx->user_port);
	if (c) {
		ctx->user_ip4 = c->addr;
		ctx->user_port = c->port;
		toa_count(XVS_TOA_CNT_PEER_REWRITTEN);
	}
	return 1;
}

/* Dual-stack listeners see IPv4 peers as ::ffff:a.b.c.d. */
SEC("cgroup/getpeername6")
int xvs_toa_peer6(struct bpf_sock_addr *ctx)
{
	struct xvs_toa_client *c;

	if (bpf_get_netns_cookie(ctx) != xvs_toa_netns_cookie)
		return 1;
	if (ctx->user_ip6[0] || ctx->user_ip6[1] || ctx->user_ip6[2] != bpf_htonl(0xffff))
		return 1;
	c = toa_lookup(ctx->sk, ctx->user_ip6[3], (__be16)ctx->user_port);
	if (c) {
		ctx->user_ip6[3] = c->addr;
		ctx->user_port = c->port;
		toa_count(XVS_TOA_CNT_PEER_REWRITTEN);
	}
	return 1;
}

/* Forgetting a connection when it ends. For a passive connection whose
 * handshake ACK carried a TOA, ask the kernel for state callbacks; when it
 * reaches TCP_CLOSE (reset, closed, or gone to TIME_WAIT) getpeername() can
 * only fail from then on, so the entry goes. (cgroup/sock_release cannot read
 * a socket's addresses on this kernel; sockops can.) */
SEC("sockops")
int xvs_toa_sockops(struct bpf_sock_ops *ctx)
{
	struct xvs_toa_key key = { 0 };

	if (bpf_get_netns_cookie(ctx) != xvs_toa_netns_cookie)
		return 1;
	if (ctx->family != AF_INET && ctx->family != AF_INET6)
		return 1;
	key.local_addr = ctx->local_ip4;
	key.local_port = bpf_htons((__u16)ctx->local_port);	/* host order in sock_ops */
	key.peer_addr = ctx->remote_ip4;
	/* network order in the upper half on little-endian machines: read as
	 * a 32-bit network-order number it is the port on either */
	key.peer_port = bpf_htons((__u16)bpf_ntohl(ctx->remote_port));
	switch (ctx->op) {
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		if (bpf_map_lookup_elem(&xvs_toa_conns, &key))
			bpf_sock_ops_cb_flags_set(ctx, ctx->bpf_sock_ops_cb_flags |
						       BPF_SOCK_OPS_STATE_CB_FLAG);
		break;
	case BPF_SOCK_OPS_STATE_CB:
		if (ctx->args[1] == TCP_STATE_CLOSE)
			bpf_map_delete_elem(&xvs_toa_conns, &key);
		break;
	default:
		break;
	}
	return 1;
}

char _license[] SEC("license") = "Dual BSD/GPL";
