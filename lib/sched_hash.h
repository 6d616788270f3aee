/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The hashes and table sizes of IPVS's hash schedulers (sh, dh, mh), shared
 * by their table builders; bpf/sched.h computes the same hashes per packet.
 * Values as a stock 64-bit kernel builds them (net/netfilter/ipvs/ip_vs_sh.c,
 * ip_vs_dh.c, ip_vs_mh.c with the default Kconfig). */
#ifndef XVS_LIB_SCHED_HASH_H
#define XVS_LIB_SCHED_HASH_H

#include <stdint.h>

#define XVS_SH_TAB_BITS		8	/* CONFIG_IP_VS_SH_TAB_BITS, also dh's */
#define XVS_SH_TAB_SIZE		(1u << XVS_SH_TAB_BITS)
#define XVS_MH_TAB_SIZE		4093	/* primes[CONFIG_IP_VS_MH_TAB_INDEX(12) - 8] */
#define XVS_MH_TAB_BITS		6	/* IP_VS_MH_TAB_BITS: 12 / 2, for weight shifts */
/* ip_vs_mh.c generate_hash_secret(): fixed, not random, so tables agree
 * with the kernel's on every machine. Both words of each key are equal. */
#define XVS_MH_HASH1_KEY	2654435761ull
#define XVS_MH_HASH2_KEY	2654446892ull

/* include/linux/hash.h hash_32(): the top bits of v * GOLDEN_RATIO_32. */
uint32_t xvs_hash_32(uint32_t v, unsigned int bits);
/* lib/siphash.c hsiphash() of one u32 on a 64-bit kernel (SipHash-1-3
 * with key words k0, k1). */
uint32_t xvs_hsiphash_u32(uint32_t v, uint64_t k0, uint64_t k1);

#endif /* XVS_LIB_SCHED_HASH_H */
