// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Packet tests of the real-server IPIP decapsulator (bpf/xvs_rs.bpf.c),
 * both entry points, through BPF_PROG_TEST_RUN: what is decapsulated comes
 * out as the inner packet behind the original Ethernet header, byte for
 * byte; everything else comes out identical; each packet lands in exactly
 * the expected counter. Packets are built here with checksums computed from
 * scratch (the small builders below; they predate tests/harness/pkt.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "xvs_rs.skel.h"
#include "xvs/rs_abi.h"

#define BUF_MAX 512

#define CLIENT	"10.99.0.100"
#define DIR	"10.99.0.1"
#define RIP	"10.99.0.11"
#define VIP	"10.99.100.1"
#define VIP2	"10.99.100.2"
#define OTHER	"10.99.100.9"	/* not a configured VIP */

static const uint8_t mac_rs[6] = { 0x02, 0, 0, 0, 0, 0x11 };
static const uint8_t mac_dir[6] = { 0x02, 0, 0, 0, 0, 0x01 };

/* ---- builders ---- */

static uint32_t addr(const char *dotted)
{
	struct in_addr a;

	inet_pton(AF_INET, dotted, &a);
	return a.s_addr;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* RFC 1071 over len bytes, starting from a partial sum. */
static uint16_t csum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static size_t put_eth(uint8_t *b, uint16_t ethertype)
{
	memcpy(b, mac_rs, 6);
	memcpy(b + 6, mac_dir, 6);
	put16(b + 12, ethertype);
	return 14;
}

struct ip_spec {
	const char *src, *dst;
	uint8_t proto;
	uint8_t version;	/* 0: 4 */
	uint8_t ihl;		/* 0: 5; options are NOPs (1) */
	uint16_t frag;		/* flags | offset, host order */
	int tot_len_delta;	/* added to the true total length */
};

/* IPv4 header for payload_len bytes; checksum computed. An ihl below 5
 * still writes 20 bytes (a header that lies about its length). */
static size_t put_ip(uint8_t *b, const struct ip_spec *s, size_t payload_len)
{
	size_t hl = (s->ihl ? s->ihl : 5) * 4;
	uint32_t a;

	if (hl < 20)
		hl = 20;
	memset(b, 0, hl);
	b[0] = (s->version ? s->version : 4) << 4 | (s->ihl ? s->ihl : 5);
	put16(b + 2, (uint16_t)(hl + payload_len + s->tot_len_delta));
	put16(b + 4, 0x1234);
	put16(b + 6, s->frag);
	b[8] = 64;
	b[9] = s->proto;
	a = addr(s->src);
	memcpy(b + 12, &a, 4);
	a = addr(s->dst);
	memcpy(b + 16, &a, 4);
	memset(b + 20, 1, hl - 20);
	put16(b + 10, csum(b, hl, 0));
	return hl;
}

/* Pseudo-header sum for TCP/UDP. */
static uint32_t pseudo(const uint8_t *ip, uint8_t proto, size_t l4_len)
{
	uint32_t sum = 0;

	for (int i = 12; i < 20; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	return sum + proto + (uint32_t)l4_len;
}

enum inner_kind { IN_TCP_SYN, IN_UDP, IN_ICMP_ECHO };

/* A whole inner IPv4 packet from CLIENT to dst. */
static size_t put_inner(uint8_t *b, enum inner_kind k, const char *dst)
{
	static const uint8_t payload[] = "xvs-rs decap test";
	struct ip_spec ip = { .src = CLIENT, .dst = dst };
	uint8_t *l4;
	size_t l4_len;

	ip.proto = k == IN_TCP_SYN ? IPPROTO_TCP : k == IN_UDP ? IPPROTO_UDP : IPPROTO_ICMP;
	l4 = b + 20;
	switch (k) {
	case IN_TCP_SYN:
		l4_len = 20;
		memset(l4, 0, l4_len);
		put16(l4, 40001);
		put16(l4 + 2, 8080);
		put16(l4 + 4, 0xabcd);		/* seq, high half */
		l4[12] = 5 << 4;
		l4[13] = 0x02;			/* SYN */
		put16(l4 + 14, 64240);
		break;
	case IN_UDP:
		l4_len = 8 + sizeof(payload);
		put16(l4, 40002);
		put16(l4 + 2, 5000);
		put16(l4 + 4, (uint16_t)l4_len);
		put16(l4 + 6, 0);
		memcpy(l4 + 8, payload, sizeof(payload));
		break;
	default:
		l4_len = 8 + sizeof(payload);
		memset(l4, 0, 8);
		l4[0] = 8;			/* echo request */
		put16(l4 + 4, 7);
		put16(l4 + 6, 1);
		memcpy(l4 + 8, payload, sizeof(payload));
		break;
	}
	put_ip(b, &ip, l4_len);
	if (k == IN_TCP_SYN)
		put16(l4 + 16, csum(l4, l4_len, pseudo(b, IPPROTO_TCP, l4_len)));
	else if (k == IN_UDP)
		put16(l4 + 6, csum(l4, l4_len, pseudo(b, IPPROTO_UDP, l4_len)));
	else
		put16(l4 + 2, csum(l4, l4_len, 0));
	return 20 + l4_len;
}

/* Ethernet + outer IPv4 (DIR -> RIP, protocol 4) + the given inner bytes. */
static size_t put_ipip(uint8_t *b, const struct ip_spec *outer, const uint8_t *inner, size_t len)
{
	struct ip_spec o = outer ? *outer : (struct ip_spec){ 0 };
	size_t n = put_eth(b, 0x0800);

	o.src = DIR;
	o.dst = RIP;
	if (!o.proto)
		o.proto = IPPROTO_IPIP;
	n += put_ip(b + n, &o, len);
	memcpy(b + n, inner, len);
	return n + len;
}

/* ---- fixture ---- */

static struct xvs_rs *skel;

static int fixture(void)
{
	static const char *const vips[] = { VIP, VIP2 };
	struct xvs_rs_vip v = { 0 };

	if (skel)
		return 0;
	skel = xvs_rs__open_and_load();
	if (!skel)
		return -errno;
	for (size_t i = 0; i < 2; i++) {
		uint32_t a = addr(vips[i]);

		if (bpf_map_update_elem(bpf_map__fd(skel->maps.xvs_rs_vips), &a, &v, BPF_ANY))
			return -errno;
	}
	return 0;
}

static void counters_reset(void)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *zero = calloc(ncpu, sizeof(*zero));

	for (uint32_t k = 0; zero && k < XVS_RS_CNT_MAX; k++)
		bpf_map_update_elem(bpf_map__fd(skel->maps.xvs_rs_counters), &k, zero, BPF_ANY);
	free(zero);
}

static uint64_t counter(uint32_t k)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals = calloc(ncpu, sizeof(*vals)), sum = 0;

	if (vals && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.xvs_rs_counters), &k, vals))
		for (int c = 0; c < ncpu; c++)
			sum += vals[c];
	free(vals);
	return sum;
}

enum hook { HOOK_TC, HOOK_XDP, HOOK_MAX };
static const char *const hook_names[HOOK_MAX] = { "tc", "xdp" };

/* Runs the packet through one program and checks the return code, the
 * output bytes and that exactly counter `reason` went up by one. */
static void expect_run(enum hook h, const uint8_t *in, size_t in_len, const uint8_t *want,
		       size_t want_len, enum xvs_rs_counter reason, struct __sk_buff *skb_ctx)
{
	uint8_t out[BUF_MAX];
	char what[64];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = (__u32)in_len,
		    .data_out = out, .data_size_out = sizeof(out));
	int fd = bpf_program__fd(h == HOOK_TC ? skel->progs.xvs_rs_tc : skel->progs.xvs_rs_xdp);
	int err;

	if (skb_ctx) {
		opts.ctx_in = skb_ctx;
		opts.ctx_size_in = sizeof(*skb_ctx);
	}
	counters_reset();
	err = bpf_prog_test_run_opts(fd, &opts);
	if (err) {
		test_fail(__FILE__, __LINE__, "%s: test run of %zu bytes failed: %d",
			  hook_names[h], in_len, err);
		return;
	}
	EXPECT_EQ_INT((int)opts.retval, h == HOOK_TC ? TC_ACT_UNSPEC : XDP_PASS);
	snprintf(what, sizeof(what), "%s output", hook_names[h]);
	EXPECT(test_bytes_equal(what, out, opts.data_size_out, want, want_len));
	for (uint32_t k = 0; k < XVS_RS_CNT_MAX; k++)
		if (counter(k) != (k == (uint32_t)reason)) {
			test_fail(__FILE__, __LINE__, "%s: counter %u is %llu, expected %d",
				  hook_names[h], k, (unsigned long long)counter(k),
				  k == (uint32_t)reason);
		}
}

/* Both hooks: decapsulated to eth + inner. */
static void expect_decap(const uint8_t *in, size_t in_len, const uint8_t *inner, size_t inner_len)
{
	uint8_t want[BUF_MAX];
	size_t n = put_eth(want, 0x0800);

	memcpy(want + n, inner, inner_len);
	for (int h = 0; h < HOOK_MAX; h++)
		expect_run(h, in, in_len, want, n + inner_len, XVS_RS_CNT_DECAP, NULL);
}

/* Both hooks: passed byte-identical, counted under reason. */
static void expect_pass(const uint8_t *in, size_t in_len, enum xvs_rs_counter reason)
{
	for (int h = 0; h < HOOK_MAX; h++)
		expect_run(h, in, in_len, in, in_len, reason, NULL);
}

/* ---- cases ---- */

static const struct {
	enum inner_kind kind;
	const char *vip;
} decap_cases[] = {
	{ IN_TCP_SYN, VIP }, { IN_UDP, VIP }, { IN_ICMP_ECHO, VIP },
	{ IN_TCP_SYN, VIP2 }, { IN_UDP, VIP2 },
};

static void ipip_to_vip_is_decapsulated(void)
{
	uint8_t inner[BUF_MAX], in[BUF_MAX];

	ASSERT(fixture() == 0);
	for (size_t i = 0; i < sizeof(decap_cases) / sizeof(decap_cases[0]); i++) {
		size_t ilen = put_inner(inner, decap_cases[i].kind, decap_cases[i].vip);
		size_t len = put_ipip(in, NULL, inner, ilen);

		expect_decap(in, len, inner, ilen);
	}
}

static void ipip_with_outer_options_is_decapsulated(void)
{
	uint8_t inner[BUF_MAX], in[BUF_MAX];
	struct ip_spec outer = { .ihl = 7 };	/* 8 bytes of options */
	size_t ilen, len;

	ASSERT(fixture() == 0);
	ilen = put_inner(inner, IN_TCP_SYN, VIP);
	len = put_ipip(in, &outer, inner, ilen);
	EXPECT_EQ_INT(len, 14 + 28 + ilen);
	expect_decap(in, len, inner, ilen);
}

static void ipip_with_df_is_decapsulated(void)
{
	uint8_t inner[BUF_MAX], in[BUF_MAX];
	struct ip_spec outer = { .frag = 0x4000 };
	size_t ilen, len;

	ASSERT(fixture() == 0);
	ilen = put_inner(inner, IN_UDP, VIP);
	len = put_ipip(in, &outer, inner, ilen);
	expect_decap(in, len, inner, ilen);
}

static void ipip_to_other_address_passes(void)
{
	uint8_t inner[BUF_MAX], in[BUF_MAX];
	size_t ilen, len;

	ASSERT(fixture() == 0);
	ilen = put_inner(inner, IN_TCP_SYN, OTHER);
	len = put_ipip(in, NULL, inner, ilen);
	expect_pass(in, len, XVS_RS_CNT_PASS_NOT_VIP);
}

static void plain_tcp_to_vip_passes(void)
{
	uint8_t in[BUF_MAX];
	size_t len = put_eth(in, 0x0800);

	ASSERT(fixture() == 0);
	len += put_inner(in + len, IN_TCP_SYN, VIP);
	expect_pass(in, len, XVS_RS_CNT_PASS_NOT_IPIP);
}

static void arp_passes(void)
{
	uint8_t in[BUF_MAX];
	size_t len = put_eth(in, 0x0806);
	uint32_t a;

	ASSERT(fixture() == 0);
	put16(in + len, 1);		/* Ethernet */
	put16(in + len + 2, 0x0800);
	in[len + 4] = 6;
	in[len + 5] = 4;
	put16(in + len + 6, 1);		/* request */
	memcpy(in + len + 8, mac_dir, 6);
	a = addr(DIR);
	memcpy(in + len + 14, &a, 4);
	memset(in + len + 18, 0, 6);
	a = addr(VIP);
	memcpy(in + len + 24, &a, 4);
	len += 28;
	expect_pass(in, len, XVS_RS_CNT_PASS_NOT_IPV4);
}

static void ipv6_passes(void)
{
	uint8_t in[BUF_MAX];
	size_t len = put_eth(in, 0x86dd);

	ASSERT(fixture() == 0);
	memset(in + len, 0, 40);
	in[len] = 0x60;
	in[len + 6] = 59;		/* no next header */
	in[len + 7] = 64;
	len += 40;
	expect_pass(in, len, XVS_RS_CNT_PASS_NOT_IPV4);
}

static void outer_fragments_pass(void)
{
	static const uint16_t frags[] = { 0x2000 /* MF */, 0x0010 /* offset 128 */,
					  0x4000 | 0x0001 };
	uint8_t inner[BUF_MAX], in[BUF_MAX];
	size_t ilen, len;

	ASSERT(fixture() == 0);
	ilen = put_inner(inner, IN_UDP, VIP);
	for (size_t i = 0; i < sizeof(frags) / sizeof(frags[0]); i++) {
		struct ip_spec outer = { .frag = frags[i] };

		len = put_ipip(in, &outer, inner, ilen);
		expect_pass(in, len, XVS_RS_CNT_PASS_FRAGMENT);
	}
}

static void truncated_outer_header_passes(void)
{
	uint8_t inner[BUF_MAX], in[BUF_MAX];
	size_t ilen, len;

	ASSERT(fixture() == 0);
	ilen = put_inner(inner, IN_TCP_SYN, VIP);
	len = put_ipip(in, NULL, inner, ilen);
	/* 12 of 20 bytes: XDP only, BPF_PROG_TEST_RUN refuses to build an skb
	 * whose IPv4 header is cut short (-EINVAL) */
	expect_run(HOOK_XDP, in, 14 + 12, in, 14 + 12, XVS_RS_CNT_MALFORMED_OUTER, NULL);
	/* options announced but cut off */
	struct ip_spec outer = { .ihl = 15 };
	len = put_ipip(in, &outer, inner, 0);
	expect_pass(in, 14 + 40, XVS_RS_CNT_MALFORMED_OUTER);
	/* total length beyond the frame */
	struct ip_spec longer = { .tot_len_delta = 100 };
	len = put_ipip(in, &longer, inner, ilen);
	expect_pass(in, len, XVS_RS_CNT_MALFORMED_OUTER);
	/* total length shorter than the header */
	struct ip_spec shorter = { .tot_len_delta = -(int)ilen - 4 };
	len = put_ipip(in, &shorter, inner, ilen);
	expect_pass(in, len, XVS_RS_CNT_MALFORMED_OUTER);
}

static void bad_outer_ihl_passes(void)
{
	uint8_t inner[BUF_MAX], in[BUF_MAX];
	struct ip_spec outer = { .ihl = 4 };
	size_t ilen, len;

	ASSERT(fixture() == 0);
	ilen = put_inner(inner, IN_TCP_SYN, VIP);
	len = put_ipip(in, &outer, inner, ilen);
	expect_pass(in, len, XVS_RS_CNT_MALFORMED_OUTER);
}

static void truncated_inner_header_passes(void)
{
	uint8_t inner[BUF_MAX], in[BUF_MAX];
	size_t len;

	ASSERT(fixture() == 0);
	put_inner(inner, IN_TCP_SYN, VIP);
	len = put_ipip(in, NULL, inner, 12);	/* 12 of the inner 20 bytes */
	expect_pass(in, len, XVS_RS_CNT_MALFORMED_INNER);
	/* the frame has the bytes, the outer length says they are not ours */
	struct ip_spec outer = { .tot_len_delta = -30 };
	len = put_ipip(in, &outer, inner, 40);
	expect_pass(in, len, XVS_RS_CNT_MALFORMED_INNER);
}

static void inner_not_ipv4_passes(void)
{
	uint8_t inner[BUF_MAX], in[BUF_MAX];
	size_t ilen, len;

	ASSERT(fixture() == 0);
	ilen = put_inner(inner, IN_TCP_SYN, VIP);
	inner[0] = 0x65;			/* version 6 */
	len = put_ipip(in, NULL, inner, ilen);
	expect_pass(in, len, XVS_RS_CNT_MALFORMED_INNER);
	inner[0] = 0x44;			/* ihl 4 */
	len = put_ipip(in, NULL, inner, ilen);
	expect_pass(in, len, XVS_RS_CNT_MALFORMED_INNER);
}

/* A GSO skb the kernel cannot shrink (gso_size set, no TCP GSO type: what
 * BPF_PROG_TEST_RUN builds) is handed on unchanged and counted. */
static void tc_unshrinkable_gso_passes_unchanged(void)
{
	uint8_t inner[BUF_MAX], in[BUF_MAX];
	struct __sk_buff ctx = { .gso_segs = 2, .gso_size = 100 };
	size_t ilen, len;

	ASSERT(fixture() == 0);
	ilen = put_inner(inner, IN_TCP_SYN, VIP);
	len = put_ipip(in, NULL, inner, ilen);
	expect_run(HOOK_TC, in, len, in, len, XVS_RS_CNT_DECAP_FAILED, &ctx);
}

/* Removing a VIP from the map stops decapsulation for it at once. */
static void vip_removed_from_map_passes(void)
{
	uint8_t inner[BUF_MAX], in[BUF_MAX];
	struct xvs_rs_vip v = { 0 };
	uint32_t a = addr(VIP2);
	size_t ilen, len;

	ASSERT(fixture() == 0);
	ilen = put_inner(inner, IN_UDP, VIP2);
	len = put_ipip(in, NULL, inner, ilen);
	ASSERT(bpf_map_delete_elem(bpf_map__fd(skel->maps.xvs_rs_vips), &a) == 0);
	expect_pass(in, len, XVS_RS_CNT_PASS_NOT_VIP);
	ASSERT(bpf_map_update_elem(bpf_map__fd(skel->maps.xvs_rs_vips), &a, &v, BPF_ANY) == 0);
	expect_decap(in, len, inner, ilen);
}

/* The builders themselves: a checksum over a header that carries its own
 * checksum is zero (RFC 1071), so a wrong builder cannot pass unnoticed. */
static void builders_make_valid_checksums(void)
{
	uint8_t inner[BUF_MAX];
	size_t ilen = put_inner(inner, IN_TCP_SYN, VIP);

	EXPECT_EQ_INT(csum(inner, 20, 0), 0);
	EXPECT_EQ_INT(csum(inner + 20, ilen - 20, pseudo(inner, IPPROTO_TCP, ilen - 20)), 0);
	ilen = put_inner(inner, IN_ICMP_ECHO, VIP);
	EXPECT_EQ_INT(csum(inner + 20, ilen - 20, 0), 0);
	/* a known header (RFC 1071 style example): 45 00 00 73 00 00 40 00 40 11
	 * .. c0 a8 00 01 c0 a8 00 c7 has checksum b8 61 */
	const uint8_t known[20] = { 0x45, 0, 0, 0x73, 0, 0, 0x40, 0, 0x40, 0x11, 0, 0,
				    0xc0, 0xa8, 0, 1, 0xc0, 0xa8, 0, 0xc7 };
	EXPECT_EQ_INT(csum(known, 20, 0), 0xb861);
}

static const struct test_case cases[] = {
	TEST_CASE(builders_make_valid_checksums),
	TEST_CASE(ipip_to_vip_is_decapsulated),
	TEST_CASE(ipip_with_outer_options_is_decapsulated),
	TEST_CASE(ipip_with_df_is_decapsulated),
	TEST_CASE(ipip_to_other_address_passes),
	TEST_CASE(plain_tcp_to_vip_passes),
	TEST_CASE(arp_passes),
	TEST_CASE(ipv6_passes),
	TEST_CASE(outer_fragments_pass),
	TEST_CASE(truncated_outer_header_passes),
	TEST_CASE(bad_outer_ihl_passes),
	TEST_CASE(truncated_inner_header_passes),
	TEST_CASE(inner_not_ipv4_passes),
	TEST_CASE(tc_unshrinkable_gso_passes_unchanged),
	TEST_CASE(vip_removed_from_map_passes),
};

TEST_MAIN(cases)
