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

/* ---- incremental updates (RFC 1624: HC' = ~(~HC + ~m + m')) ----------
 * On checksum fields in memory the program writes directly. Values are
 * taken as stored (network order) and split into the 16-bit words they
 * occupy, so no byte swapping is needed. */

static __always_inline __u16 csum_fold32(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

static __always_inline __u32 csum_word_diff4(__be32 from, __be32 to)
{
	return (__u16)~from + (__u16)~(from >> 16) + (__u16)to + (__u16)(to >> 16);
}

static __always_inline __u32 csum_word_diff2(__be16 from, __be16 to)
{
	return (__u16)~from + (__u16)to;
}

/* Applies a sum of word differences (csum_word_diff*) to a checksum. */
static __always_inline void csum_apply(__sum16 *check, __u32 diff)
{
	__u32 sum = (__u16)~*check;

	*check = (__sum16)~csum_fold32(sum + csum_fold32(diff));
}

/* UDP: a zero checksum means "none" and stays so; a computed zero is sent
 * as 0xffff (RFC 768). */
static __always_inline void csum_apply_udp(__sum16 *check, __u32 diff)
{
	if (*check == 0)
		return;
	csum_apply(check, diff);
	if (*check == 0)
		*check = 0xffff;
}

#endif /* XVS_BPF_CSUM_H */
