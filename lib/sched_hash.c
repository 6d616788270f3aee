// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* IPVS's hash functions for the hash schedulers' table builders. */
#include "sched_hash.h"

#define GOLDEN_RATIO_32		0x61C88647u

uint32_t xvs_hash_32(uint32_t v, unsigned int bits)
{
	return (uint32_t)(v * GOLDEN_RATIO_32) >> (32 - bits);
}

static uint64_t rotl64(uint64_t x, unsigned int b)
{
	return (x << b) | (x >> (64 - b));
}

static void sip_round(uint64_t v[4])
{
	v[0] += v[1], v[1] = rotl64(v[1], 13), v[1] ^= v[0], v[0] = rotl64(v[0], 32);
	v[2] += v[3], v[3] = rotl64(v[3], 16), v[3] ^= v[2];
	v[0] += v[3], v[3] = rotl64(v[3], 21), v[3] ^= v[0];
	v[2] += v[1], v[1] = rotl64(v[1], 17), v[1] ^= v[2], v[2] = rotl64(v[2], 32);
}

/* On 64-bit kernels hsiphash is SipHash-1-3: for a 4-byte input there is
 * no full message word, so the length byte and the input form the last
 * block, followed by one compression and three finalisation rounds. */
uint32_t xvs_hsiphash_u32(uint32_t value, uint64_t k0, uint64_t k1)
{
	uint64_t v[4] = {
		0x736f6d6570736575ull ^ k0, 0x646f72616e646f6dull ^ k1,
		0x6c7967656e657261ull ^ k0, 0x7465646279746573ull ^ k1,
	};
	uint64_t b = (4ull << 56) | value;

	v[3] ^= b;
	sip_round(v);
	v[0] ^= b;
	v[2] ^= 0xff;
	for (int i = 0; i < 3; i++)
		sip_round(v);
	return (uint32_t)(v[0] ^ v[1] ^ v[2] ^ v[3]);
}
