/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Internet checksums (RFC 1071) of headers the data plane writes from
 * scratch. Sums are taken over memory as stored, so the folded result is
 * stored back as is, whatever the host byte order. */
#ifndef XVS_BPF_CSUM_H
#define XVS_BPF_CSUM_H

#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

static __always_inline __u16 csum_fold(__u64 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* Checksum of an option-less IPv4 header (its check field must be 0). */
static __always_inline __u16 csum_ipv4_hdr(const struct iphdr *ip)
{
	const __u16 *w = (const __u16 *)ip;
	__u64 sum = 0;

#pragma unroll
	for (int i = 0; i < (int)(sizeof(*ip) / 2); i++)
		sum += w[i];
	return csum_fold(sum);
}

#endif /* XVS_BPF_CSUM_H */
