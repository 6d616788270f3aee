/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Helpers the real server's programs (xvs_rs: IP-in-IP decapsulator,
 * xvs_toa: TOA reader) share: each is built for XDP and tc from one body,
 * with `xdp` a compile-time constant at every call. */
#ifndef XVS_BPF_RS_COMMON_H
#define XVS_BPF_RS_COMMON_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Copies len bytes at off into buf, from an XDP buffer or an skb; only one
 * helper is emitted per call site. */
static __always_inline long rs_load_bytes(void *ctx, bool xdp, __u32 off, void *buf, __u32 len)
{
	if (xdp)
		return bpf_xdp_load_bytes(ctx, off, buf, len);
	return bpf_skb_load_bytes(ctx, off, buf, len);
}

/* Adds one to slot key of a per-CPU array of u64 (no atomics needed). */
static __always_inline void rs_percpu_inc(void *map, __u32 key)
{
	__u64 *n = bpf_map_lookup_elem(map, &key);

	if (n)
		*n += 1;
}

#endif /* XVS_BPF_RS_COMMON_H */
