/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The data plane's maps, named and shaped as include/xvs/abi.h says. The
 * control plane fills svcs, svc_info, dests, ring, vips and cfg; the data
 * plane writes only svc_info.cursor (atomically), conns, counters and the
 * stats maps. */
#ifndef XVS_BPF_MAPS_H
#define XVS_BPF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xvs/abi.h"

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

#endif /* XVS_BPF_MAPS_H */
