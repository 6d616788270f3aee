/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The data plane's maps, named and shaped as include/xvs/abi.h says. The
 * control plane fills svcs, svc_info, dests, ring, vips, laddrs, cfg and
 * the mark rules; the data plane writes svc_info.cursor and laddrs.cursor
 * (atomically), conns, conns_out, dest_conns (atomically), locality, maint,
 * the estimators, counters and the stats maps. */
#ifndef XVS_BPF_MAPS_H
#define XVS_BPF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xvs/abi.h"

/* Loads of fields other CPUs change with atomics. */
#define READ_ONCE_U32(x)	(*(volatile const __u32 *)&(x))
#define READ_ONCE_S32(x)	(*(volatile const __s32 *)&(x))
#define READ_ONCE_U64(x)	(*(volatile const __u64 *)&(x))

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XVS_MAX_SVC);
	__type(key, struct xvs_svc_key);
	__type(value, __u32);			/* index into xvs_svc_info */
} xvs_svcs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XVS_MAX_SVC);
	__type(key, __u32);
	__type(value, struct xvs_svc);
} xvs_svc_info SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XVS_MAX_DEST);
	__type(key, __u32);
	__type(value, struct xvs_dest);
} xvs_dests SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XVS_RING_SLOTS);
	__type(key, __u32);
	__type(value, __u32);			/* index into xvs_dests */
} xvs_ring SEC(".maps");

/* Sized by the loader (bpf_map__set_max_entries) before load. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XVS_CONN_MAX_DEFAULT);
	__type(key, struct xvs_conn_key);
	__type(value, struct xvs_conn);
} xvs_conns SEC(".maps");

/* Reply direction of NAT and FULLNAT connections: reply key -> the key of
 * the connection in xvs_conns. Same capacity as xvs_conns. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XVS_CONN_MAX_DEFAULT);
	__type(key, struct xvs_conn_key);
	__type(value, struct xvs_conn_key);
} xvs_conns_out SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XVS_MAX_SVC);
	__type(key, __u32);
	__type(value, struct xvs_laddr_set);
} xvs_laddrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xvs_cfg);
} xvs_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XVS_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} xvs_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XVS_MAX_SVC);
	__type(key, __u32);
	__type(value, struct xvs_stats);
} xvs_svc_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XVS_MAX_DEST);
	__type(key, __u32);
	__type(value, struct xvs_stats);
} xvs_dest_stats SEC(".maps");

/* VIP -> number of services on it: tells fragments for us from others. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XVS_MAX_SVC);
	__type(key, __be32);
	__type(value, __u32);
} xvs_vips SEC(".maps");

/* Live connection counts per real server. Userspace maps it (mmap) to read
 * the counts and to clear the overload flag with atomics of its own. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XVS_MAX_DEST);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct xvs_dest_conns);
} xvs_dest_conns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xvs_maint);
} xvs_maint SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XVS_MAX_SVC);
	__type(key, __u32);
	__type(value, struct xvs_est);
} xvs_svc_est SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XVS_MAX_DEST);
	__type(key, __u32);
	__type(value, struct xvs_est);
} xvs_dest_est SEC(".maps");

/* lblc/lblcr: allocated as used, most services never need it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XVS_LOCALITY_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xvs_locality_key);
	__type(value, struct xvs_locality);
} xvs_locality SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XVS_MARK_RULES_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xvs_mark_lpm_key);
	__type(value, struct xvs_mark_set);
} xvs_mark_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xvs_scratch);
} xvs_scratch SEC(".maps");

/* Nanoseconds from then to now, 0 when then is later: a clock another CPU
 * wrote (a packet's last_seen, a job's claim) can be ahead of the now this
 * CPU read before it, and a plain unsigned difference would then wrap to an
 * age of centuries (a live connection swept as expired). Compared as the
 * kernel's time_after() does, in signed wrap-around arithmetic. */
static __always_inline __u64 ns_since(__u64 now, __u64 then)
{
	__s64 d = (__s64)(now - then);

	return d > 0 ? (__u64)d : 0;
}

#endif /* XVS_BPF_MAPS_H */
