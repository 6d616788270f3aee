/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Per-CPU counters: the reason for every pass and drop, and IPVS-style
 * per-service and per-real-server traffic statistics. */
#ifndef XVS_BPF_STATS_H
#define XVS_BPF_STATS_H

#include "maps.h"

static __always_inline void count(__u32 counter)
{
	__u64 *c = bpf_map_lookup_elem(&xvs_counters, &counter);

	if (c)
		*c += 1;
}

/* One more connection scheduled to this service and real server. */
static __always_inline void stats_conn(__u32 svc_idx, __u32 dest_idx)
{
	struct xvs_stats *s = bpf_map_lookup_elem(&xvs_svc_stats, &svc_idx);
	struct xvs_stats *d = bpf_map_lookup_elem(&xvs_dest_stats, &dest_idx);

	if (s)
		s->conns += 1;
	if (d)
		d->conns += 1;
}

/* One more packet handed to a connection's transmitter. As IPVS does
 * (ip_vs_in_stats() before the xmit function), this counts the packet even
 * if the transmitter then drops it or answers it with ICMP. DR and TUN
 * never see replies, so their outpkts/outbytes stay 0. */
static __always_inline void stats_in(__u32 svc_idx, __u32 dest_idx, __u32 ip_len)
{
	struct xvs_stats *s = bpf_map_lookup_elem(&xvs_svc_stats, &svc_idx);
	struct xvs_stats *d = bpf_map_lookup_elem(&xvs_dest_stats, &dest_idx);

	if (s) {
		s->inpkts += 1;
		s->inbytes += ip_len;
	}
	if (d) {
		d->inpkts += 1;
		d->inbytes += ip_len;
	}
}

/* One more reply packet of a NAT/FULLNAT connection (IPVS's out stats). */
static __always_inline void stats_out(__u32 svc_idx, __u32 dest_idx, __u32 ip_len)
{
	struct xvs_stats *s = bpf_map_lookup_elem(&xvs_svc_stats, &svc_idx);
	struct xvs_stats *d = bpf_map_lookup_elem(&xvs_dest_stats, &dest_idx);

	if (s) {
		s->outpkts += 1;
		s->outbytes += ip_len;
	}
	if (d) {
		d->outpkts += 1;
		d->outbytes += ip_len;
	}
}

#endif /* XVS_BPF_STATS_H */
