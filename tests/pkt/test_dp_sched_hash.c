// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Packet tests of the hash pick methods (sh, dh, mh) through the XDP and tc
 * programs: the data plane must read the bucket IPVS's hash names for the
 * packet, keep a client on one real server, spread clients, follow the
 * source port with -b *-port and walk past an unavailable server with
 * -b *-fallback exactly as ip_vs_sh_get_fallback / ip_vs_mh_get_fallback do.
 * The tables come from libxvs's builders; the expected buckets from libxvs's
 * hash functions, which tests/unit/test_sched_hash.c checks against an
 * independent reference, and from the walks written out below. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "../../lib/sched.h"
#include "../../lib/sched_hash.h"
#include "pkt.h"
#include "test.h"
#include "xvs_dp.skel.h"

#define SVC		0
#define NRS		3
#define FLAG_FALLBACK	0x0008	/* IP_VS_SVC_F_SCHED1 */
#define FLAG_PORT	0x0010	/* IP_VS_SVC_F_SCHED2 */
#define MAX_TAB		XVS_MH_TAB_SIZE

static const char *const rs_addr[NRS + 1] = { NULL, FIX_RS1, FIX_RS2, FIX_RS3 };

/* The service under test: real servers 1..3 (dest index = RS number, in
 * IPVS list order 3, 2, 1: newest first) with the given weights, the table
 * the named scheduler builds, and the pick method and flags. */
struct scene {
	const struct xvs_sched_ops *ops;
	uint32_t weight[NRS + 1];
	uint32_t flags;
	uint32_t ring[MAX_TAB];
	uint32_t len;
};

static int scene_load(struct pkt_fixture *f, struct scene *sc)
{
	struct xvs_sched_dest d[NRS];
	struct xvs_svc s;
	int len, err = 0;

	for (int i = 0; i < NRS; i++) {
		uint32_t id = NRS - i;

		d[i] = (struct xvs_sched_dest){
			.id = id, .weight = sc->weight[id],
			.addr = pkt_addr(rs_addr[id]), .port = htons(80),
		};
		err = err ? err : fix_dest(f, id, SVC, rs_addr[id], 80, XVS_FWD_DR, sc->weight[id]);
	}
	len = sc->ops->build(d, NRS, sc->ring, MAX_TAB);
	if (err || len <= 0)
		return err ? err : -EINVAL;
	sc->len = (uint32_t)len;
	err = fix_svc(f, SVC, IPPROTO_TCP, FIX_VIP, 80, 0, sc->ring, sc->len);
	if (!err)
		err = fix_svc_get(f, SVC, &s);
	if (err)
		return err;
	s.pick = sc->ops->pick;
	s.sched_flags = sc->flags;
	return bpf_map__update_elem(f->skel->maps.xvs_svc_info, &(uint32_t){ SVC },
				    sizeof(uint32_t), &s, sizeof(s), BPF_ANY);
}

/* Changes a real server's weight in the data plane only, leaving the table
 * as it is: IPVS's sh keeps weight-0 servers in its buckets, and its mh
 * keeps a server's positions by its last non-zero weight. */
static int set_weight(struct pkt_fixture *f, uint32_t id, uint32_t weight)
{
	return fix_dest(f, id, SVC, rs_addr[id], 80, XVS_FWD_DR, weight);
}

static uint32_t client(int i)
{
	return htonl(0x0a4d0000u | (uint32_t)(i * 2654435761u >> 16));	/* 10.77.x.y */
}

/* Sends a SYN from saddr:sport to vip:80; returns the real server (1..3) it was sent
 * to, 0 when dropped, -1 for anything else. */
static int picked_at(struct pkt_fixture *f, enum pkt_hook hook, uint32_t saddr, uint16_t sport,
		     const char *vip)
{
	struct pkt_spec s = fix_client_spec(IPPROTO_TCP, vip, 80, PKT_SYN, 0);
	uint8_t in[PKT_MAX], out[PKT_MAX];
	size_t in_len, out_len = 0;
	int retval;

	s.ip.saddr = saddr;
	s.l4.sport = sport;
	in_len = pkt_build(in, &s);
	if (fix_run(f, hook, in, in_len, out, &out_len, &retval, NULL, NULL))
		return -1;
	if (retval == fix_verdict_code(hook, V_DROP))
		return 0;
	if (retval != fix_verdict_code(hook, V_TX) || out_len < 6)
		return -1;
	for (int id = 1; id <= NRS; id++)
		if (!memcmp(out, fix_rs_mac(pkt_addr(rs_addr[id])), 6))
			return id;
	return -1;
}

static int picked(struct pkt_fixture *f, enum pkt_hook hook, uint32_t saddr, uint16_t sport)
{
	return picked_at(f, hook, saddr, sport, FIX_VIP);
}

/* ---- the expected picks, as IPVS computes them ------------------------ */

static bool available(const struct scene *sc, uint32_t id)
{
	return sc->weight[id] > 0;
}

static uint32_t hash_key(uint32_t addr, uint16_t sport, uint32_t flags)
{
	return ntohl(addr) + (flags & FLAG_PORT ? sport : 0);
}

/* ip_vs_sh_schedule: bucket hash_32(key, 8); with fallback, for offset
 * 0..255 bucket (((offset + first) % 256) + hash_32(key, 8)) & 255. */
static int sh_expect(const struct scene *sc, uint32_t addr, uint16_t sport)
{
	uint32_t first = xvs_hash_32(hash_key(addr, sport, sc->flags), XVS_SH_TAB_BITS);

	if (available(sc, sc->ring[first]))
		return (int)sc->ring[first];
	if (!(sc->flags & FLAG_FALLBACK))
		return 0;
	for (uint32_t off = 0; off < XVS_SH_TAB_SIZE; off++) {
		uint32_t b = (((off + first) % XVS_SH_TAB_SIZE) + first) & (XVS_SH_TAB_SIZE - 1);

		if (available(sc, sc->ring[b]))
			return (int)sc->ring[b];
	}
	return 0;
}

static uint32_t mh_hash1(uint32_t key)
{
	return xvs_hsiphash_u32(key, XVS_MH_HASH1_KEY, XVS_MH_HASH1_KEY);
}

/* ip_vs_mh_schedule: bucket hsiphash(key) % 4093; with fallback, for
 * offset 0..4092 bucket hsiphash(key + (offset + first) % 4093) % 4093. */
static int mh_expect(const struct scene *sc, uint32_t addr, uint16_t sport)
{
	uint32_t key = hash_key(addr, sport, sc->flags);
	uint32_t first = mh_hash1(key) % XVS_MH_TAB_SIZE;

	if (available(sc, sc->ring[first]))
		return (int)sc->ring[first];
	if (!(sc->flags & FLAG_FALLBACK))
		return 0;
	for (uint32_t off = 0; off < XVS_MH_TAB_SIZE; off++) {
		uint32_t r = (off + first) % XVS_MH_TAB_SIZE;
		uint32_t b = mh_hash1(key + r) % XVS_MH_TAB_SIZE;

		if (available(sc, sc->ring[b]))
			return (int)sc->ring[b];
	}
	return 0;
}

/* ---- fixture per hook ------------------------------------------------- */

static void each_hook(bool full, struct scene *proto,
		      void (*fn)(struct pkt_fixture *f, enum pkt_hook hook, struct scene *sc))
{
	for (int h = 0; h < PKT_HOOK_MAX; h++) {
		struct pkt_fixture f;
		struct scene *sc = malloc(sizeof(*sc));
		int failures = test_case_failures, err;

		if (!sc) {
			test_fail(__FILE__, __LINE__, "out of memory");
			return;
		}
		*sc = *proto;
		err = full ? fix_setup_full(&f) : fix_setup(&f);
		if (!err)
			err = scene_load(&f, sc);
		if (err) {
			test_fail(__FILE__, __LINE__, "fixture setup failed (%s): %d",
				  fix_hook_name(h), err);
			fix_teardown(&f);
			free(sc);
			return;
		}
		fn(&f, h, sc);
		if (test_case_failures != failures)
			printf("# ^ in the %s program\n", fix_hook_name(h));
		fix_teardown(&f);
		free(sc);
	}
}

/* ---- sh ----------------------------------------------------------------- */

#define CLIENTS 48

/* Every client lands where IPVS's bucket says, whatever its source port,
 * and the clients reach every real server. */
static void sh_clients_hook(struct pkt_fixture *f, enum pkt_hook hook, struct scene *sc)
{
	int seen[NRS + 1] = { 0 };

	for (int i = 0; i < CLIENTS; i++) {
		int want = sh_expect(sc, client(i), 0);
		int a = picked(f, hook, client(i), 40000), b = picked(f, hook, client(i), 51234);

		EXPECT(want > 0);
		EXPECT_EQ_INT(a, want);
		EXPECT_EQ_INT(b, want);
		if (a > 0)
			seen[a]++;
	}
	for (int id = 1; id <= NRS; id++)
		EXPECT(seen[id] > 0);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_CONN_NEW), 2 * CLIENTS);
}

static void sh_same_client_same_rs(void)
{
	struct scene sc = { .ops = &xvs_sched_sh, .weight = { 0, 1, 1, 1 } };

	each_hook(false, &sc, sh_clients_hook);
}

/* Weights 3:1:... give bucket runs of 3 and 1: the data plane still reads
 * the bucket of the hash, so the spread follows the table. */
static void sh_weighted_clients(void)
{
	struct scene sc = { .ops = &xvs_sched_sh, .weight = { 0, 3, 1, 2 } };

	each_hook(false, &sc, sh_clients_hook);
}

/* -b sh-port: one client, many source ports, several real servers. */
static void sh_port_hook(struct pkt_fixture *f, enum pkt_hook hook, struct scene *sc)
{
	int seen[NRS + 1] = { 0 }, distinct = 0;

	for (uint16_t port = 40000; port < 40000 + CLIENTS; port++) {
		int want = sh_expect(sc, client(1), port), got = picked(f, hook, client(1), port);

		EXPECT_EQ_INT(got, want);
		if (got > 0 && !seen[got]++)
			distinct++;
	}
	EXPECT(distinct >= 2);
}

static void sh_port_changes_with_source_port(void)
{
	struct scene sc = { .ops = &xvs_sched_sh, .weight = { 0, 1, 1, 1 }, .flags = FLAG_PORT };

	each_hook(false, &sc, sh_port_hook);
}

/* Clients whose bucket holds a weight-0 server: dropped without fallback
 * (IPVS: no destination available), moved on with it. */
static void weight0_hook(struct pkt_fixture *f, enum pkt_hook hook, struct scene *sc,
			 int (*expect)(const struct scene *, uint32_t, uint16_t))
{
	int hit = 0, drops = 0;

	sc->weight[2] = 0;
	ASSERT(set_weight(f, 2, 0) == 0);
	for (int i = 0; i < 4 * CLIENTS; i++) {
		int want = expect(sc, client(i), 0), got = picked(f, hook, client(i), 40000);
		struct scene unweighted = *sc;

		unweighted.weight[2] = 1;
		if (expect(&unweighted, client(i), 0) != 2)
			continue;	/* only clients of the weight-0 server */
		hit++;
		EXPECT_EQ_INT(got, want);
		EXPECT(got != 2);
		if (sc->flags & FLAG_FALLBACK)
			EXPECT(got == 1 || got == 3);
		else
			EXPECT_EQ_INT(got, 0);
		drops += got == 0;
	}
	EXPECT(hit >= 5);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_DROP_NO_DEST), drops);
}

static void sh_weight0_hook(struct pkt_fixture *f, enum pkt_hook hook, struct scene *sc)
{
	weight0_hook(f, hook, sc, sh_expect);
}

static void sh_weight0_dropped_without_fallback(void)
{
	struct scene sc = { .ops = &xvs_sched_sh, .weight = { 0, 1, 1, 1 } };

	each_hook(false, &sc, sh_weight0_hook);
}

static void sh_fallback_skips_weight0(void)
{
	struct scene sc = { .ops = &xvs_sched_sh, .weight = { 0, 1, 1, 1 }, .flags = FLAG_FALLBACK };

	each_hook(false, &sc, sh_weight0_hook);
}

/* ---- dh ----------------------------------------------------------------- */

/* dh hashes the destination: on one VIP every client gets the one server of
 * bucket hash_32(VIP, 8); the -b bits do not apply to dh. Services on
 * several VIPs (each with its own real servers 4v+1..4v+3 on RS1..RS3 and
 * a copy of the table) show that each VIP names its own bucket. */
#define DH_VIPS 8

static int dh_vip_service(struct pkt_fixture *f, const struct scene *sc, uint32_t v,
			  char *vip, size_t vip_len)
{
	uint32_t ring[XVS_SH_TAB_SIZE];
	struct xvs_svc s;
	int err = 0;

	snprintf(vip, vip_len, "10.99.100.%u", v + 1);
	if (v == 0)
		return 0;	/* FIX_VIP: scene_load's service */
	for (uint32_t id = 1; !err && id <= NRS; id++)
		err = fix_dest(f, 4 * v + id, v, rs_addr[id], 80, XVS_FWD_DR, 1);
	for (uint32_t b = 0; b < XVS_SH_TAB_SIZE; b++)
		ring[b] = 4 * v + sc->ring[b];
	if (!err)
		err = fix_svc(f, v, IPPROTO_TCP, vip, 80, v * XVS_SH_TAB_SIZE, ring, XVS_SH_TAB_SIZE);
	if (!err)
		err = fix_svc_get(f, v, &s);
	if (err)
		return err;
	s.pick = sc->ops->pick;
	s.sched_flags = sc->flags;
	return bpf_map__update_elem(f->skel->maps.xvs_svc_info, &v, sizeof(v), &s,
				    sizeof(s), BPF_ANY);
}

static void dh_hook(struct pkt_fixture *f, enum pkt_hook hook, struct scene *sc)
{
	int seen[NRS + 1] = { 0 };

	for (uint32_t v = 0; v < DH_VIPS; v++) {
		char vip[32];
		int want;

		ASSERT(dh_vip_service(f, sc, v, vip, sizeof(vip)) == 0);
		want = (int)sc->ring[xvs_hash_32(ntohl(pkt_addr(vip)), XVS_SH_TAB_BITS)];
		seen[want]++;
		for (int i = 0; i < CLIENTS / 4; i++)
			EXPECT_EQ_INT(picked_at(f, hook, client(i), (uint16_t)(40000 + i), vip), want);
	}
	EXPECT((seen[1] > 0) + (seen[2] > 0) + (seen[3] > 0) >= 2);	/* VIPs spread */
}

static void dh_hashes_the_destination(void)
{
	struct scene sc = {
		.ops = &xvs_sched_dh, .weight = { 0, 1, 1, 1 }, .flags = FLAG_PORT | FLAG_FALLBACK,
	};

	each_hook(true, &sc, dh_hook);
}

/* ---- mh ----------------------------------------------------------------- */

static void mh_clients_hook(struct pkt_fixture *f, enum pkt_hook hook, struct scene *sc)
{
	int seen[NRS + 1] = { 0 };

	EXPECT_EQ_INT(sc->len, XVS_MH_TAB_SIZE);
	for (int i = 0; i < CLIENTS; i++) {
		int want = mh_expect(sc, client(i), 40000);
		int a = picked(f, hook, client(i), 40000), b = picked(f, hook, client(i), 40001);

		EXPECT(want > 0);
		EXPECT_EQ_INT(a, want);
		if (!(sc->flags & FLAG_PORT))
			EXPECT_EQ_INT(b, want);
		else
			EXPECT_EQ_INT(b, mh_expect(sc, client(i), 40001));
		if (a > 0)
			seen[a]++;
	}
	for (int id = 1; id <= NRS; id++)
		EXPECT(seen[id] > 0);
}

static void mh_same_client_same_rs(void)
{
	struct scene sc = { .ops = &xvs_sched_mh, .weight = { 0, 1, 1, 1 } };

	each_hook(true, &sc, mh_clients_hook);
}

static void mh_port_hashes_the_source_port(void)
{
	struct scene sc = { .ops = &xvs_sched_mh, .weight = { 0, 2, 1, 1 }, .flags = FLAG_PORT };

	each_hook(true, &sc, mh_clients_hook);
}

static void mh_weight0_hook(struct pkt_fixture *f, enum pkt_hook hook, struct scene *sc)
{
	weight0_hook(f, hook, sc, mh_expect);
}

/* The table still holds the server (IPVS keeps its positions by its last
 * weight); at weight 0 its clients are dropped, or rehashed with fallback. */
static void mh_weight0_dropped_without_fallback(void)
{
	struct scene sc = { .ops = &xvs_sched_mh, .weight = { 0, 1, 1, 1 } };

	each_hook(true, &sc, mh_weight0_hook);
}

static void mh_fallback_skips_weight0(void)
{
	struct scene sc = { .ops = &xvs_sched_mh, .weight = { 0, 1, 1, 1 }, .flags = FLAG_FALLBACK };

	each_hook(true, &sc, mh_weight0_hook);
}

/* Every server at weight 0: the fallback walks the whole table (256 or
 * 4093 rehashes, bounded by bpf_loop) and finds none. */
static void all_weight0_hook(struct pkt_fixture *f, enum pkt_hook hook, struct scene *sc)
{
	for (uint32_t id = 1; id <= NRS; id++)
		ASSERT(set_weight(f, id, 0) == 0);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ_INT(picked(f, hook, client(i), 40000), 0);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_DROP_NO_DEST), 4);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_CONN_NEW), 0);
	(void)sc;
}

static void fallback_without_any_server_drops(void)
{
	struct scene sh = { .ops = &xvs_sched_sh, .weight = { 0, 1, 1, 1 }, .flags = FLAG_FALLBACK };
	struct scene mh = { .ops = &xvs_sched_mh, .weight = { 0, 1, 1, 1 }, .flags = FLAG_FALLBACK };

	each_hook(false, &sh, all_weight0_hook);
	each_hook(true, &mh, all_weight0_hook);
}

static const struct test_case tests[] = {
	TEST_CASE(sh_same_client_same_rs),
	TEST_CASE(sh_weighted_clients),
	TEST_CASE(sh_port_changes_with_source_port),
	TEST_CASE(sh_weight0_dropped_without_fallback),
	TEST_CASE(sh_fallback_skips_weight0),
	TEST_CASE(dh_hashes_the_destination),
	TEST_CASE(mh_same_client_same_rs),
	TEST_CASE(mh_port_hashes_the_source_port),
	TEST_CASE(mh_weight0_dropped_without_fallback),
	TEST_CASE(mh_fallback_skips_weight0),
	TEST_CASE(fallback_without_any_server_drops),
};

TEST_MAIN(tests)
