// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Packet tests of the real server's TOA reader (bpf/xvs_toa.bpf.c), both
 * ingress programs (tc and XDP), through BPF_PROG_TEST_RUN: a handshake ACK
 * carrying option 254 leaves exactly one map entry, keyed by the connection
 * as the server's socket sees it, valued with the option's client; anything
 * else leaves none; a SYN forgets its 4-tuple; the first TOA wins; every
 * packet passes unchanged and lands in exactly one counter. Packets come
 * from tests/harness/pkt.h's builders. */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"
#include "test.h"
#include "xvs/toa_abi.h"
#include "xvs_toa.skel.h"

/* The director's local address (LIP) talks to the real server (RIP). */
#define LIP		"10.99.5.1"
#define RIP		"10.99.5.11"
#define LPORT		40001	/* the director's local port */
#define RPORT		8080
#define CLIENT		"10.99.77.7"
#define CLIENT_PORT	5555
#define CLIENT2		"10.99.77.8"

#define OPT_NOP		1
#define OPT_EOL		0

static const uint8_t mac_rs[6] = { 0x02, 0, 0, 0, 0, 0x11 };
static const uint8_t mac_dir[6] = { 0x02, 0, 0, 0, 0, 0x01 };

static struct xvs_toa *skel;

enum hook { HOOK_TC, HOOK_XDP, HOOK_MAX };
static const char *const hook_names[HOOK_MAX] = { "tc", "xdp" };

/* ---- packets ---- */

/* A TCP segment LIP:LPORT -> RIP:RPORT with the given flags and options
 * (padded with EOL to a multiple of 4 by the caller's opts_len). */
static struct pkt_spec segment(uint8_t flags, const uint8_t *opts, size_t opts_len)
{
	struct pkt_spec s = { 0 };

	memcpy(s.l2.dst, mac_rs, 6);
	memcpy(s.l2.src, mac_dir, 6);
	s.ip.saddr = pkt_addr(LIP);
	s.ip.daddr = pkt_addr(RIP);
	s.ip.proto = IPPROTO_TCP;
	s.ip.frag = PKT_DF;
	s.l4.sport = LPORT;
	s.l4.dport = RPORT;
	s.l4.flags = flags;
	s.l4.seq = 1001;
	s.l4.ack = 5001;
	memcpy(s.l4.opts, opts, opts_len);
	s.l4.opts_len = opts_len;
	return s;
}

/* Writes option 254 for client:port at p; returns its length (8). */
static size_t put_toa(uint8_t *p, const char *client, uint16_t port)
{
	uint32_t a = pkt_addr(client);

	p[0] = XVS_TOA_KIND;
	p[1] = XVS_TOA_LEN;
	p[2] = port >> 8;
	p[3] = port & 0xff;
	memcpy(p + 4, &a, 4);
	return XVS_TOA_LEN;
}

/* NOP, NOP, timestamps (kind 8, length 10): what Linux puts in every ACK. */
static size_t put_nop_nop_ts(uint8_t *p)
{
	static const uint8_t ts[12] = { OPT_NOP, OPT_NOP, 8, 10, 0, 0, 0x12, 0x34,
					0, 0, 0x56, 0x78 };

	memcpy(p, ts, sizeof(ts));
	return sizeof(ts);
}

static struct xvs_toa_key conn_key(void)
{
	struct xvs_toa_key k = { 0 };

	k.local_addr = pkt_addr(RIP);
	k.peer_addr = pkt_addr(LIP);
	k.local_port = htons(RPORT);
	k.peer_port = htons(LPORT);
	return k;
}

/* ---- fixture ---- */

static int fixture(void)
{
	if (skel)
		return 0;
	skel = xvs_toa__open_and_load();
	return skel ? 0 : -errno;
}

static void map_clear(void)
{
	int fd = bpf_map__fd(skel->maps.xvs_toa_conns);
	struct xvs_toa_key k;

	while (!bpf_map_get_next_key(fd, NULL, &k))
		bpf_map_delete_elem(fd, &k);
}

static size_t map_count(void)
{
	int fd = bpf_map__fd(skel->maps.xvs_toa_conns);
	struct xvs_toa_key k, next;
	void *prev = NULL;
	size_t n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		n++;
		k = next;
		prev = &k;
	}
	return n;
}

static void counters_reset(void)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *zero = calloc(ncpu, sizeof(*zero));

	for (uint32_t k = 0; zero && k < XVS_TOA_CNT_MAX; k++)
		bpf_map_update_elem(bpf_map__fd(skel->maps.xvs_toa_counts), &k, zero, BPF_ANY);
	free(zero);
}

static uint64_t counter(uint32_t k)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals = calloc(ncpu, sizeof(*vals)), sum = 0;

	if (vals && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.xvs_toa_counts), &k, vals))
		for (int c = 0; c < ncpu; c++)
			sum += vals[c];
	free(vals);
	return sum;
}

/* Runs one frame through hook's program: it must come out unchanged with
 * the pass verdict, and exactly counter `reason` must go up by one. */
static void run(enum hook h, const uint8_t *in, size_t len, enum xvs_toa_counter reason)
{
	uint8_t out[PKT_MAX];
	char what[64];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = (__u32)len,
		    .data_out = out, .data_size_out = sizeof(out));
	int fd = bpf_program__fd(h == HOOK_TC ? skel->progs.xvs_toa_tc : skel->progs.xvs_toa_xdp);
	int err;

	counters_reset();
	err = bpf_prog_test_run_opts(fd, &opts);
	if (err) {
		test_fail(__FILE__, __LINE__, "%s: test run of %zu bytes failed: %d",
			  hook_names[h], len, err);
		return;
	}
	EXPECT_EQ_INT((int)opts.retval, h == HOOK_TC ? TC_ACT_UNSPEC : XDP_PASS);
	snprintf(what, sizeof(what), "%s output", hook_names[h]);
	EXPECT(test_bytes_equal(what, out, opts.data_size_out, in, len));
	for (uint32_t k = 0; k < XVS_TOA_CNT_MAX; k++)
		if (counter(k) != (k == (uint32_t)reason))
			test_fail(__FILE__, __LINE__, "%s: counter %u is %llu, expected %d",
				  hook_names[h], k, (unsigned long long)counter(k),
				  k == (uint32_t)reason);
}

static void run_spec(enum hook h, const struct pkt_spec *s, enum xvs_toa_counter reason)
{
	uint8_t buf[PKT_MAX];
	size_t len = pkt_build(buf, s);

	run(h, buf, len, reason);
}

/* EXPECTs the entry of conn_key() to hold client:port. */
static void expect_entry(enum hook h, const char *client, uint16_t port)
{
	struct xvs_toa_key k = conn_key();
	struct xvs_toa_client c;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.xvs_toa_conns), &k, &c)) {
		test_fail(__FILE__, __LINE__, "%s: no entry for the connection", hook_names[h]);
		return;
	}
	EXPECT_EQ_INT(c.addr, pkt_addr(client));
	EXPECT_EQ_INT(c.port, htons(port));
	EXPECT_EQ_INT(c.pad, 0);
	EXPECT_EQ_INT(map_count(), 1);
}

static void expect_no_entry(enum hook h)
{
	if (map_count() != 0)
		test_fail(__FILE__, __LINE__, "%s: %zu map entries, expected none",
			  hook_names[h], map_count());
}

/* ---- cases ---- */

static void abi_sizes_match_the_maps(void)
{
	ASSERT(fixture() == 0);
	EXPECT_EQ_INT(bpf_map__key_size(skel->maps.xvs_toa_conns), sizeof(struct xvs_toa_key));
	EXPECT_EQ_INT(bpf_map__value_size(skel->maps.xvs_toa_conns),
		      sizeof(struct xvs_toa_client));
	EXPECT_EQ_INT(bpf_map__max_entries(skel->maps.xvs_toa_counts), XVS_TOA_CNT_MAX);
	EXPECT_STREQ(bpf_map__name(skel->maps.xvs_toa_conns), XVS_TOA_MAP_CONNS);
	EXPECT_STREQ(bpf_map__name(skel->maps.xvs_toa_counts), XVS_TOA_MAP_COUNTS);
	EXPECT_STREQ(bpf_program__name(skel->progs.xvs_toa_tc), XVS_TOA_PROG_TC);
	EXPECT_STREQ(bpf_program__name(skel->progs.xvs_toa_xdp), XVS_TOA_PROG_XDP);
	EXPECT_STREQ(bpf_program__name(skel->progs.xvs_toa_peer4), XVS_TOA_PROG_PEER4);
	EXPECT_STREQ(bpf_program__name(skel->progs.xvs_toa_peer6), XVS_TOA_PROG_PEER6);
	EXPECT_STREQ(bpf_program__name(skel->progs.xvs_toa_sockops), XVS_TOA_PROG_SOCKOPS);
}

static void ack_with_toa_stores_the_client(void)
{
	uint8_t o[40] = { 0 };
	size_t n = put_toa(o, CLIENT, CLIENT_PORT);
	struct pkt_spec s = segment(PKT_ACK, o, n);

	ASSERT(fixture() == 0);
	for (int h = 0; h < HOOK_MAX; h++) {
		map_clear();
		run_spec(h, &s, XVS_TOA_CNT_STORED);
		expect_entry(h, CLIENT, CLIENT_PORT);
	}
}

/* The key is the server's view: local = destination, peer = source. */
static void entry_is_keyed_by_the_servers_view(void)
{
	uint8_t o[40] = { 0 };
	struct pkt_spec s = segment(PKT_ACK, o, put_toa(o, CLIENT, CLIENT_PORT));
	struct xvs_toa_key swapped = conn_key();
	struct xvs_toa_client c;

	ASSERT(fixture() == 0);
	swapped.local_addr = pkt_addr(LIP);
	swapped.peer_addr = pkt_addr(RIP);
	swapped.local_port = htons(LPORT);
	swapped.peer_port = htons(RPORT);
	for (int h = 0; h < HOOK_MAX; h++) {
		map_clear();
		run_spec(h, &s, XVS_TOA_CNT_STORED);
		EXPECT(bpf_map_lookup_elem(bpf_map__fd(skel->maps.xvs_toa_conns), &swapped, &c));
		expect_entry(h, CLIENT, CLIENT_PORT);
	}
}

static void toa_after_other_options_is_found(void)
{
	uint8_t o[40] = { 0 };
	size_t n;
	struct pkt_spec s;

	ASSERT(fixture() == 0);
	/* NOP NOP timestamps TOA: 20 bytes */
	n = put_nop_nop_ts(o);
	n += put_toa(o + n, CLIENT, CLIENT_PORT);
	s = segment(PKT_ACK, o, n);
	for (int h = 0; h < HOOK_MAX; h++) {
		map_clear();
		run_spec(h, &s, XVS_TOA_CNT_STORED);
		expect_entry(h, CLIENT, CLIENT_PORT);
	}
	/* the longest header: 32 bytes of NOPs and timestamps, TOA last */
	memset(o, OPT_NOP, 20);
	n = 20 + put_nop_nop_ts(o + 20);
	n += put_toa(o + n, CLIENT2, 1);
	ASSERT(n == 40);
	s = segment(PKT_ACK, o, n);
	for (int h = 0; h < HOOK_MAX; h++) {
		map_clear();
		run_spec(h, &s, XVS_TOA_CNT_STORED);
		expect_entry(h, CLIENT2, 1);
	}
}

/* The director may put it on an ACK that carries data. */
static void ack_with_data_and_toa_stores(void)
{
	uint8_t o[40] = { 0 };
	struct pkt_spec s = segment(PKT_ACK | PKT_PSH, o, put_toa(o, CLIENT, CLIENT_PORT));

	ASSERT(fixture() == 0);
	s.l4.payload_len = 100;
	for (int h = 0; h < HOOK_MAX; h++) {
		map_clear();
		run_spec(h, &s, XVS_TOA_CNT_STORED);
		expect_entry(h, CLIENT, CLIENT_PORT);
	}
}

static void ack_without_toa_stores_nothing(void)
{
	uint8_t o[40] = { 0 };
	struct pkt_spec bare = segment(PKT_ACK, o, 0);
	struct pkt_spec ts = segment(PKT_ACK, o, put_nop_nop_ts(o));

	ASSERT(fixture() == 0);
	for (int h = 0; h < HOOK_MAX; h++) {
		map_clear();
		run_spec(h, &bare, XVS_TOA_CNT_NO_TOA);
		run_spec(h, &ts, XVS_TOA_CNT_NO_TOA);
		expect_no_entry(h);
	}
}

/* Option 254 of another length is not the TOA we know. */
static void toa_of_wrong_length_stores_nothing(void)
{
	static const uint8_t lens[] = { 2, 6, 10, 20 };
	uint8_t o[40] = { 0 };

	ASSERT(fixture() == 0);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		memset(o, OPT_EOL, sizeof(o));
		put_toa(o, CLIENT, CLIENT_PORT);
		o[1] = lens[i];
		struct pkt_spec s = segment(PKT_ACK, o, 20);

		for (int h = 0; h < HOOK_MAX; h++) {
			map_clear();
			run_spec(h, &s, XVS_TOA_CNT_BAD_TOA);
			expect_no_entry(h);
		}
	}
}

/* Options after end-of-list are not options. */
static void toa_after_eol_is_ignored(void)
{
	uint8_t o[40] = { OPT_NOP, OPT_NOP, OPT_NOP, OPT_EOL };
	struct pkt_spec s;

	ASSERT(fixture() == 0);
	put_toa(o + 4, CLIENT, CLIENT_PORT);
	s = segment(PKT_ACK, o, 12);
	for (int h = 0; h < HOOK_MAX; h++) {
		map_clear();
		run_spec(h, &s, XVS_TOA_CNT_NO_TOA);
		expect_no_entry(h);
	}
}

/* A SYN deletes its 4-tuple's entry (a reused tuple starts clean) and
 * leaves other connections alone; a SYN carrying TOA stores nothing. */
static void syn_forgets_the_tuple(void)
{
	uint8_t o[40] = { 0 };
	struct pkt_spec ack = segment(PKT_ACK, o, put_toa(o, CLIENT, CLIENT_PORT));
	struct pkt_spec syn = segment(PKT_SYN, o, put_toa(o, CLIENT2, 7));
	struct pkt_spec other = syn;

	ASSERT(fixture() == 0);
	other.l4.sport = LPORT + 1;
	for (int h = 0; h < HOOK_MAX; h++) {
		map_clear();
		run_spec(h, &ack, XVS_TOA_CNT_STORED);
		run_spec(h, &other, XVS_TOA_CNT_SYN_FORGOT);
		expect_entry(h, CLIENT, CLIENT_PORT);
		run_spec(h, &syn, XVS_TOA_CNT_SYN_FORGOT);
		expect_no_entry(h);
		/* the new connection's TOA is taken */
		ack = segment(PKT_ACK, o, put_toa(o, CLIENT2, 7));
		run_spec(h, &ack, XVS_TOA_CNT_STORED);
		expect_entry(h, CLIENT2, 7);
		ack = segment(PKT_ACK, o, put_toa(o, CLIENT, CLIENT_PORT));
	}
}

/* Later options 254 on the same connection (a client writing its own)
 * change nothing: the first TOA after the SYN wins. */
static void first_toa_wins(void)
{
	uint8_t o1[40], o2[40];
	struct pkt_spec first = segment(PKT_ACK, o1, put_toa(o1, CLIENT, CLIENT_PORT));
	struct pkt_spec later = segment(PKT_ACK | PKT_PSH, o2, put_toa(o2, CLIENT2, 7));

	ASSERT(fixture() == 0);
	later.l4.payload_len = 10;
	for (int h = 0; h < HOOK_MAX; h++) {
		map_clear();
		run_spec(h, &first, XVS_TOA_CNT_STORED);
		run_spec(h, &later, XVS_TOA_CNT_KEPT);
		expect_entry(h, CLIENT, CLIENT_PORT);
	}
}

static void rst_with_toa_stores_nothing(void)
{
	uint8_t o[40] = { 0 };
	struct pkt_spec rst = segment(PKT_RST | PKT_ACK, o, put_toa(o, CLIENT, CLIENT_PORT));
	struct pkt_spec fin = segment(PKT_FIN, o, put_toa(o, CLIENT, CLIENT_PORT));

	ASSERT(fixture() == 0);
	for (int h = 0; h < HOOK_MAX; h++) {
		map_clear();
		run_spec(h, &rst, XVS_TOA_CNT_NO_TOA);
		run_spec(h, &fin, XVS_TOA_CNT_NO_TOA);	/* no ACK bit */
		expect_no_entry(h);
	}
}

/* Options that run past their area, or a data offset past the packet, are
 * read no further, and nothing is stored. */
static void truncated_options_are_safe(void)
{
	uint8_t o[40] = { 0 }, buf[PKT_MAX];
	struct pkt_spec s;
	size_t len;

	ASSERT(fixture() == 0);
	/* TOA cut after 4 of its 8 bytes by the end of the options */
	put_toa(o, CLIENT, CLIENT_PORT);
	s = segment(PKT_ACK, o, 4);
	for (int h = 0; h < HOOK_MAX; h++) {
		map_clear();
		run_spec(h, &s, XVS_TOA_CNT_BAD_OPTIONS);
		expect_no_entry(h);
	}
	/* an option claiming 30 bytes in a 12-byte area, TOA hidden after it */
	memset(o, 0, sizeof(o));
	o[0] = 8;
	o[1] = 30;
	put_toa(o + 4, CLIENT, CLIENT_PORT);
	s = segment(PKT_ACK, o, 12);
	for (int h = 0; h < HOOK_MAX; h++) {
		map_clear();
		run_spec(h, &s, XVS_TOA_CNT_BAD_OPTIONS);
		expect_no_entry(h);
	}
	/* length 0 and 1 would loop forever in a naive walk */
	for (uint8_t bad = 0; bad < 2; bad++) {
		memset(o, 0, sizeof(o));
		o[0] = 8;
		o[1] = bad;
		put_toa(o + 4, CLIENT, CLIENT_PORT);
		s = segment(PKT_ACK, o, 12);
		for (int h = 0; h < HOOK_MAX; h++) {
			map_clear();
			run_spec(h, &s, XVS_TOA_CNT_BAD_OPTIONS);
			expect_no_entry(h);
		}
	}
	/* data offset 15 (60 bytes) on a packet holding 20 bytes of options;
	 * the frame is cut right after them */
	s = segment(PKT_ACK, o, put_toa(o, CLIENT, CLIENT_PORT));
	len = pkt_build(buf, &s);
	buf[14 + 20 + 12] = 15 << 4;
	for (int h = 0; h < HOOK_MAX; h++) {
		map_clear();
		run(h, buf, len, XVS_TOA_CNT_BAD_OPTIONS);
		expect_no_entry(h);
	}
	/* data offset below 5 */
	buf[14 + 20 + 12] = 4 << 4;
	for (int h = 0; h < HOOK_MAX; h++) {
		map_clear();
		run(h, buf, len, XVS_TOA_CNT_BAD_OPTIONS);
		expect_no_entry(h);
	}
	/* the TCP header itself cut short (XDP only: BPF_PROG_TEST_RUN builds
	 * no skb from it); the IP total length still claims it */
	s = segment(PKT_ACK, o, put_toa(o, CLIENT, CLIENT_PORT));
	len = pkt_build(buf, &s);
	map_clear();
	run(HOOK_XDP, buf, 14 + 20 + 10, XVS_TOA_CNT_MALFORMED);
	expect_no_entry(HOOK_XDP);
}

static void other_packets_pass(void)
{
	uint8_t o[40] = { 0 }, buf[PKT_MAX];
	struct pkt_spec udp = segment(0, o, 0);
	struct pkt_spec frag = segment(PKT_ACK, o, put_toa(o, CLIENT, CLIENT_PORT));
	static const uint8_t arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1 };
	size_t len;

	ASSERT(fixture() == 0);
	udp.ip.proto = IPPROTO_UDP;
	udp.l4.payload_len = 20;
	frag.ip.frag = PKT_MF;
	for (int h = 0; h < HOOK_MAX; h++) {
		map_clear();
		run_spec(h, &udp, XVS_TOA_CNT_NOT_TCP);
		run_spec(h, &frag, XVS_TOA_CNT_NOT_TCP);
		len = pkt_build_eth(buf, &udp.l2, 0x0806, arp, sizeof(arp));
		run(h, buf, len, XVS_TOA_CNT_NOT_TCP);
		expect_no_entry(h);
	}
}

static const struct test_case cases[] = {
	TEST_CASE(abi_sizes_match_the_maps),
	TEST_CASE(ack_with_toa_stores_the_client),
	TEST_CASE(entry_is_keyed_by_the_servers_view),
	TEST_CASE(toa_after_other_options_is_found),
	TEST_CASE(ack_with_data_and_toa_stores),
	TEST_CASE(ack_without_toa_stores_nothing),
	TEST_CASE(toa_of_wrong_length_stores_nothing),
	TEST_CASE(toa_after_eol_is_ignored),
	TEST_CASE(syn_forgets_the_tuple),
	TEST_CASE(first_toa_wins),
	TEST_CASE(rst_with_toa_stores_nothing),
	TEST_CASE(truncated_options_are_safe),
	TEST_CASE(other_packets_pass),
};

TEST_MAIN(cases)
