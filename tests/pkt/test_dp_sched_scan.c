// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Conformance of the connection-count schedulers, through both programs:
 * for random pools (weights, live counts, overload flags) the real server
 * the data plane picks must be the one IPVS's algorithm picks. The models
 * below are written from ip_vs_lc.c, ip_vs_wlc.c, ip_vs_sed.c, ip_vs_nq.c,
 * ip_vs_fo.c and ip_vs_ovf.c, walking the whole list (weight-0 servers
 * included, as IPVS does), not from the code under test; the data plane
 * walks the schedule libxvs builds (servers of weight > 0). twos is random:
 * its distribution is checked against the probabilities of IPVS's draws.
 * lblc and lblcr are checked as sequences of events. */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"
#include "test.h"

#define SEC_NS		1000000000ull
#define SVC		40
#define PORT		9100
#define FIRST		40	/* dest indices FIRST .. FIRST + MAXN - 1 */
#define MAXN		8
#define RING_OFF	400

struct member {
	int64_t weight, active, inactive;
	bool overloaded;
};

static const char *const rs_addrs[] = { FIX_RS1, FIX_RS2, FIX_RS3 };

/* ---- IPVS's algorithms ------------------------------------------------------------- */

static int64_t overhead(const struct member *m)
{
	return m->active * 256 + m->inactive;	/* ip_vs_dest_conn_overhead() */
}

static int model_lc(const struct member *m, int n)
{
	int least = -1;
	int64_t loh = 0;

	for (int i = 0; i < n; i++) {
		if (m[i].overloaded || m[i].weight == 0)
			continue;
		if (least < 0 || overhead(&m[i]) < loh) {
			least = i;
			loh = overhead(&m[i]);
		}
	}
	return least;
}

/* wlc and sed differ in the overhead only. */
static int model_weighted(const struct member *m, int n, bool sed)
{
	int least = -1, i;
	int64_t loh = 0, doh;

	for (i = 0; i < n; i++) {
		if (!m[i].overloaded && m[i].weight > 0) {
			least = i;
			loh = sed ? m[i].active + 1 : overhead(&m[i]);
			break;
		}
	}
	if (least < 0)
		return -1;
	for (i = least + 1; i < n; i++) {
		if (m[i].overloaded)
			continue;
		doh = sed ? m[i].active + 1 : overhead(&m[i]);
		if (loh * m[i].weight > doh * m[least].weight) {
			least = i;
			loh = doh;
		}
	}
	return least;
}

static int model_nq(const struct member *m, int n)
{
	int least = -1;
	int64_t loh = 0, doh;

	for (int i = 0; i < n; i++) {
		if (m[i].overloaded || m[i].weight == 0)
			continue;
		doh = m[i].active + 1;
		if (m[i].active == 0)
			return i;
		if (least < 0 || loh * m[i].weight > doh * m[least].weight) {
			least = i;
			loh = doh;
		}
	}
	return least;
}

static int model_fo(const struct member *m, int n)
{
	int best = -1;
	int64_t hw = 0;

	for (int i = 0; i < n; i++)
		if (!m[i].overloaded && m[i].weight > hw) {
			best = i;
			hw = m[i].weight;
		}
	return best;
}

static int model_ovf(const struct member *m, int n)
{
	int h = -1;

	for (int i = 0; i < n; i++) {
		if (m[i].overloaded || m[i].active > m[i].weight || m[i].weight == 0)
			continue;
		if (h < 0 || m[i].weight > m[h].weight)
			h = i;
	}
	return h;
}

static int model(enum xvs_pick pick, const struct member *m, int n)
{
	switch (pick) {
	case XVS_PICK_LC:
		return model_lc(m, n);
	case XVS_PICK_WLC:
		return model_weighted(m, n, false);
	case XVS_PICK_SED:
		return model_weighted(m, n, true);
	case XVS_PICK_NQ:
		return model_nq(m, n);
	case XVS_PICK_FO:
		return model_fo(m, n);
	case XVS_PICK_OVF:
		return model_ovf(m, n);
	default:
		return -2;
	}
}

/* ---- the pool in the data plane ----------------------------------------------------- */

/* Writes the pool: real servers FIRST.., their counts, the service with
 * pick and the schedule libxvs builds for it (weight > 0, list order). */
static int pool(struct pkt_fixture *f, enum xvs_pick pick, const struct member *m, int n,
		bool first)
{
	uint32_t ring[MAXN], len = 0;
	struct xvs_svc s;
	int err = 0;

	for (int i = 0; i < n && !err; i++) {
		struct xvs_dest_conns c = {
			.active = (int32_t)m[i].active, .inactive = (int32_t)m[i].inactive,
			.flags = m[i].overloaded ? XVS_DEST_CONNS_F_OVERLOAD : 0,
		};

		err = fix_dest(f, FIRST + i, SVC, rs_addrs[i % 3], PORT, XVS_FWD_DR,
			       (uint32_t)m[i].weight);
		if (!err)
			err = fix_dest_conns_put(f, FIRST + i, &c);
		if (m[i].weight > 0)
			ring[len++] = FIRST + i;
	}
	if (err)
		return err;
	if (first)
		err = fix_svc(f, SVC, IPPROTO_TCP, FIX_VIP2, PORT, RING_OFF, ring, len);
	else
		err = fix_svc_ring(f, SVC, RING_OFF, ring, len);
	if (!err)
		err = fix_svc_get(f, SVC, &s);
	if (!err) {
		s.pick = pick;
		err = fix_svc_put(f, SVC, &s);
	}
	return err;
}

static struct pkt_spec syn(uint16_t sport, uint32_t daddr)
{
	struct pkt_spec s = fix_client_spec(IPPROTO_TCP, FIX_VIP2, PORT, PKT_SYN, 0);

	s.l4.sport = sport;
	if (daddr)
		s.ip.daddr = daddr;
	return s;
}

/* Sends a SYN; returns the pool position it was scheduled to, -1 when it
 * was dropped for want of a server, -3 on anything else. The entry is
 * removed again, so the next event sees the counts the test wrote. */
static int pick_one(struct pkt_fixture *f, enum pkt_hook hook, uint16_t sport)
{
	struct pkt_spec s = syn(sport, 0);
	struct xvs_conn_key k = fix_conn_key(&s);
	uint8_t in[PKT_MAX], out[PKT_MAX];
	size_t len = pkt_build(in, &s), out_len;
	struct xvs_conn c;
	int ret;

	if (fix_run(f, hook, in, len, out, &out_len, &ret, NULL, NULL))
		return -3;
	if (ret == fix_verdict_code(hook, V_DROP))
		return -1;
	if (ret != fix_verdict_code(hook, V_TX) || fix_conn_get(f, &k, &c))
		return -3;
	fix_conn_del(f, &k);
	return (int)c.dest_idx - FIRST;
}

static void random_pool(struct member *m, int n)
{
	for (int i = 0; i < n; i++) {
		m[i].weight = rand() % 4 == 0 ? 0 : rand() % 6;
		m[i].active = rand() % 3 == 0 ? 0 : rand() % 20;
		m[i].inactive = rand() % 600;
		m[i].overloaded = rand() % 10 == 0;
	}
	/* ties: equal pools are where "the first of equals" shows */
	if (n > 1 && rand() % 3 == 0)
		m[n - 1] = m[0];
}

static enum xvs_pick current_pick;

static void conformance_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct member m[MAXN];
	int mismatches = 0;

	srand(1234 + current_pick + hook * 100);
	for (int round = 0; round < 150; round++) {
		int n = 1 + rand() % MAXN, want, got;

		random_pool(m, n);
		ASSERT(pool(f, current_pick, m, n, round == 0) == 0);
		want = model(current_pick, m, n);
		got = pick_one(f, hook, (uint16_t)(20000 + round));
		if (got != want && mismatches++ < 5) {
			test_fail(__FILE__, __LINE__, "round %d (%d servers): picked %d, IPVS picks %d",
				  round, n, got, want);
			for (int i = 0; i < n; i++)
				printf("#   %d: weight %lld active %lld inactive %lld%s\n", i,
				       (long long)m[i].weight, (long long)m[i].active,
				       (long long)m[i].inactive, m[i].overloaded ? " overloaded" : "");
		}
	}
}

static void conformance(enum xvs_pick pick)
{
	current_pick = pick;
	fix_each_hook(conformance_hook);
}

static void lc_picks_as_ipvs(void)
{
	conformance(XVS_PICK_LC);
}

static void wlc_picks_as_ipvs(void)
{
	conformance(XVS_PICK_WLC);
}

static void sed_picks_as_ipvs(void)
{
	conformance(XVS_PICK_SED);
}

static void nq_picks_as_ipvs(void)
{
	conformance(XVS_PICK_NQ);
}

static void fo_picks_as_ipvs(void)
{
	conformance(XVS_PICK_FO);
}

static void ovf_picks_as_ipvs(void)
{
	conformance(XVS_PICK_OVF);
}

/* The example: lc and wlc by IPVS's overhead, active x 256 +
 * inactive. 1 active = 256 inactive: with equal weights a server with 255
 * inactive beats one with 1 active, one with 257 does not. */
static void overhead_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct member m[2] = { { 1, 1, 0, false }, { 1, 0, 255, false } };

	ASSERT(pool(f, XVS_PICK_LC, m, 2, true) == 0);
	EXPECT_EQ_INT(pick_one(f, hook, 30001), 1);
	m[1].inactive = 257;
	ASSERT(pool(f, XVS_PICK_LC, m, 2, false) == 0);
	EXPECT_EQ_INT(pick_one(f, hook, 30002), 0);
	/* wlc: twice the weight carries twice the overhead */
	m[0] = (struct member){ 2, 2, 0, false };
	m[1] = (struct member){ 1, 1, 1, false };
	ASSERT(pool(f, XVS_PICK_WLC, m, 2, false) == 0);
	EXPECT_EQ_INT(pick_one(f, hook, 30003), 0);	/* 512/2 < 257/1 */
	/* every server of weight 0 or overloaded: no server, dropped */
	m[0].weight = 0;
	m[1].overloaded = true;
	ASSERT(pool(f, XVS_PICK_WLC, m, 2, false) == 0);
	EXPECT_EQ_INT(pick_one(f, hook, 30004), -1);
}

static void overhead_is_active_times_256_plus_inactive(void)
{
	fix_each_hook(overhead_hook);
}

/* ---- twos ------------------------------------------------------------------------ */

static void twos_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct member m[3] = { { 1, 100, 0, false }, { 1, 0, 0, false }, { 1, 0, 0, false } };
	int seen[3] = { 0 }, runs = 400, p;

	/* one usable server: always that one */
	struct member one[3] = { { 1, 0, 0, true }, { 0, 0, 0, false }, { 3, 7, 9, false } };

	ASSERT(pool(f, XVS_PICK_TWOS, one, 3, true) == 0);
	for (int i = 0; i < 20; i++)
		EXPECT_EQ_INT(pick_one(f, hook, (uint16_t)(31000 + i)), 2);
	/* IPVS draws r in [0, 3] twice over weights 1:1:1 (the first server
	 * covers r = 0 and 1) and keeps the draw of lesser overhead/weight:
	 * the loaded first server only when both draws hit it, 1/4; the
	 * others, idle and tied (the first draw stays), 3/8 each */
	for (int i = 0; i < runs; i++) {
		ASSERT(pool(f, XVS_PICK_TWOS, m, 3, false) == 0);
		p = pick_one(f, hook, (uint16_t)(32000 + i));
		ASSERT(p >= 0 && p < 3);
		seen[p]++;
	}
	printf("# %s twos over 400 picks: %d %d %d (expected 100 150 150)\n", fix_hook_name(hook),
	       seen[0], seen[1], seen[2]);
	/* bounds of more than 5 standard deviations */
	EXPECT(seen[0] >= 55 && seen[0] <= 145);
	EXPECT(seen[1] >= 100 && seen[1] <= 200);
	EXPECT(seen[2] >= 100 && seen[2] <= 200);
}

static void twos_draws_two_and_keeps_the_lesser(void)
{
	fix_each_hook(twos_hook);
}

/* ---- lblc, lblcr ------------------------------------------------------------------- */

static void set_counts(struct pkt_fixture *f, int pos, int32_t active)
{
	struct xvs_dest_conns c = { .active = active };

	fix_dest_conns_put(f, FIRST + pos, &c);
}

static void lblc_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct member m[3] = { { 1, 0, 0, false }, { 1, 0, 0, false }, { 1, 0, 0, false } };
	uint32_t vip = pkt_addr(FIX_VIP2);
	struct xvs_locality l;
	struct xvs_maint mt;

	ASSERT(pool(f, XVS_PICK_LBLC, m, 3, true) == 0);
	/* first connection to the address: wlc's pick, remembered */
	EXPECT_EQ_INT(pick_one(f, hook, 33001), 0);
	ASSERT(fix_locality(f, SVC, vip, &l) == 0);
	EXPECT_EQ_INT(l.dest[0], FIRST);
	/* remembered while not overloaded, whatever the others carry */
	set_counts(f, 0, 1);
	EXPECT_EQ_INT(pick_one(f, hook, 33002), 0);
	/* more active than its weight, and a server under half its weight:
	 * wlc again, and the address moves */
	set_counts(f, 0, 5);
	set_counts(f, 1, 0);
	EXPECT_EQ_INT(pick_one(f, hook, 33003), 1);
	ASSERT(fix_locality(f, SVC, vip, &l) == 0);
	EXPECT_EQ_INT(l.dest[0], FIRST + 1);
	/* overloaded past its weight but nobody has room: it stays */
	set_counts(f, 0, 5);
	set_counts(f, 1, 2);
	set_counts(f, 2, 1);
	EXPECT_EQ_INT(pick_one(f, hook, 33004), 1);
	/* its server leaves the service: rescheduled */
	ASSERT(fix_dest_del(f, FIRST + 1) == 0);
	set_counts(f, 0, 0);
	EXPECT_EQ_INT(pick_one(f, hook, 33005), 0);
	/* unused for 24 hours: the minute check removes it */
	ASSERT(fix_locality(f, SVC, vip, &l) == 0);
	l.lastuse_ns = fix_now_ns() - 25 * 3600 * SEC_NS;
	ASSERT(fix_locality_put(f, SVC, vip, &l) == 0);
	ASSERT(fix_maint_get(f, &mt) == 0);
	mt.locality_last_ns = fix_now_ns() - 61 * SEC_NS;
	ASSERT(fix_maint_put(f, &mt) == 0);
	{
		struct pkt_spec other = fix_std_spec(STD_DR_TCP, PKT_SYN, 0);
		uint8_t in[PKT_MAX];
		size_t len = pkt_build(in, &other);

		fix_expect_run(f, hook, in, len, V_TX, NULL, 0);
	}
	EXPECT(fix_locality(f, SVC, vip, &l) != 0);
}

static void lblc_keeps_an_address_on_its_server(void)
{
	fix_each_hook(lblc_hook);
}

static void lblcr_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct member m[3] = { { 1, 0, 0, false }, { 1, 0, 0, false }, { 1, 0, 0, false } };
	uint32_t vip = pkt_addr(FIX_VIP2);
	struct xvs_locality l;

	ASSERT(pool(f, XVS_PICK_LBLCR, m, 3, true) == 0);
	EXPECT_EQ_INT(pick_one(f, hook, 34001), 0);
	ASSERT(fix_locality(f, SVC, vip, &l) == 0);
	EXPECT_EQ_INT(l.n, 1);
	/* the set's server is over its weight and another has room: wlc adds
	 * one at the head of the set */
	set_counts(f, 0, 5);
	set_counts(f, 1, 0);
	EXPECT_EQ_INT(pick_one(f, hook, 34002), 1);
	ASSERT(fix_locality(f, SVC, vip, &l) == 0);
	EXPECT_EQ_INT(l.n, 2);
	EXPECT_EQ_INT(l.dest[0], FIRST + 1);
	EXPECT_EQ_INT(l.dest[1], FIRST);
	/* the least loaded of the set serves */
	set_counts(f, 1, 0);
	EXPECT_EQ_INT(pick_one(f, hook, 34003), 1);
	set_counts(f, 0, 0);
	set_counts(f, 1, 1);
	EXPECT_EQ_INT(pick_one(f, hook, 34004), 0);
	/* unchanged for a day: the most loaded leaves the set */
	set_counts(f, 0, 3);
	set_counts(f, 1, 0);
	ASSERT(fix_locality(f, SVC, vip, &l) == 0);
	l.lastmod_ns = fix_now_ns() - 25 * 3600 * SEC_NS;
	ASSERT(fix_locality_put(f, SVC, vip, &l) == 0);
	EXPECT_EQ_INT(pick_one(f, hook, 34005), 1);
	ASSERT(fix_locality(f, SVC, vip, &l) == 0);
	EXPECT_EQ_INT(l.n, 1);
	EXPECT_EQ_INT(l.dest[0], FIRST + 1);
}

static void lblcr_keeps_a_set_per_address(void)
{
	fix_each_hook(lblcr_hook);
}

static const struct test_case cases[] = {
	TEST_CASE(lc_picks_as_ipvs),
	TEST_CASE(wlc_picks_as_ipvs),
	TEST_CASE(sed_picks_as_ipvs),
	TEST_CASE(nq_picks_as_ipvs),
	TEST_CASE(fo_picks_as_ipvs),
	TEST_CASE(ovf_picks_as_ipvs),
	TEST_CASE(overhead_is_active_times_256_plus_inactive),
	TEST_CASE(twos_draws_two_and_keeps_the_lesser),
	TEST_CASE(lblc_keeps_an_address_on_its_server),
	TEST_CASE(lblcr_keeps_a_set_per_address),
};

TEST_MAIN(cases)
