// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Packet tests of the live counts IPVS keeps per real server and of the
 * data plane's housekeeping, through both programs: active/inactive by
 * IPVS's tcp_state_active_table as packets move the state, back to 0 when
 * entries expire (the sweep, a packet meeting a dead entry, a reused
 * port), both halves of NAT going together; -x/-y overload and its
 * hysteresis; IPVS's rate estimator on its 2 s grid, checked against a
 * model of ip_vs_est.c written here. */
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "pkt.h"
#include "test.h"

#define SEC_NS 1000000000ull

static struct xvs_dest_conns counts(struct pkt_fixture *f, uint32_t dest_idx)
{
	struct xvs_dest_conns n = { -99, -99, -99, 0 };

	fix_dest_conns(f, dest_idx, &n);
	return n;
}

#define EXPECT_COUNTS(f, d, a, i, p)					\
	do {								\
		struct xvs_dest_conns _n = counts(f, d);		\
		EXPECT_EQ_INT(_n.active, a);				\
		EXPECT_EQ_INT(_n.inactive, i);				\
		EXPECT_EQ_INT(_n.persist, p);				\
	} while (0)

static void send_pkt(struct pkt_fixture *f, enum pkt_hook hook, const struct pkt_spec *s,
		 enum pkt_verdict v)
{
	uint8_t in[PKT_MAX];
	size_t len = pkt_build(in, s);

	fix_expect_run(f, hook, in, len, v, NULL, 0);
}

static struct pkt_spec tcp(uint16_t sport, uint8_t flags)
{
	struct pkt_spec s = fix_std_spec(STD_DR_TCP, flags, 0);

	s.l4.sport = sport;
	return s;
}

/* Makes the connection of s idle for age_ns. */
static void age(struct pkt_fixture *f, const struct pkt_spec *s, uint64_t age_ns)
{
	struct xvs_conn_key k = fix_conn_key(s);
	struct xvs_conn c;

	ASSERT(fix_conn_get(f, &k, &c) == 0);
	c.last_seen_ns = fix_now_ns() - age_ns;
	ASSERT(fix_conn_put(f, &k, &c) == 0);
}

/* ---- counts follow the state ---------------------------------------------------- */

static void tcp_states_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec syn = tcp(40000, PKT_SYN), ack = tcp(40000, PKT_ACK);
	struct pkt_spec fin = tcp(40000, PKT_FIN | PKT_ACK), rst = tcp(40000, PKT_RST);

	EXPECT_COUNTS(f, STD_DR_TCP, 0, 0, 0);
	send_pkt(f, hook, &syn, V_TX);	/* SYN_RECV: active since Linux 4.10 */
	EXPECT_COUNTS(f, STD_DR_TCP, 1, 0, 0);
	send_pkt(f, hook, &ack, V_TX);	/* ESTABLISHED */
	EXPECT_COUNTS(f, STD_DR_TCP, 1, 0, 0);
	send_pkt(f, hook, &fin, V_TX);	/* FIN_WAIT (INPUT-ONLY table) */
	EXPECT_COUNTS(f, STD_DR_TCP, 0, 1, 0);
	send_pkt(f, hook, &rst, V_TX);	/* CLOSE */
	EXPECT_COUNTS(f, STD_DR_TCP, 0, 1, 0);
	/* a second client's connection counts on its own */
	syn.l4.sport = 40001;
	send_pkt(f, hook, &syn, V_TX);
	EXPECT_COUNTS(f, STD_DR_TCP, 1, 1, 0);
}

static void counts_follow_tcp_states(void)
{
	fix_each_hook(tcp_states_hook);
}

static void udp_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec u = fix_std_spec(STD_DR_UDP, 0, 10);

	send_pkt(f, hook, &u, V_TX);
	send_pkt(f, hook, &u, V_TX);
	EXPECT_COUNTS(f, STD_DR_UDP, 0, 1, 0);	/* IPVS counts UDP as inactive */
}

static void udp_counts_as_inactive(void)
{
	fix_each_hook(udp_hook);
}

/* ---- and go back when entries leave ------------------------------------------------ */

static void sweep_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec a = tcp(40000, PKT_SYN), b = tcp(40001, PKT_SYN);
	struct pkt_spec nat = fix_std_spec(STD_NAT, PKT_SYN, 0);
	struct xvs_maint m;

	send_pkt(f, hook, &a, V_TX);
	send_pkt(f, hook, &b, V_TX);
	send_pkt(f, hook, &nat, V_TX);
	EXPECT_COUNTS(f, STD_DR_TCP, 2, 0, 0);
	EXPECT_COUNTS(f, STD_NAT, 1, 0, 0);
	EXPECT_EQ_INT(fix_conn_out_count(f), 1);
	age(f, &a, 61 * SEC_NS);	/* SYN_RECV times out after 60 s */
	age(f, &nat, 61 * SEC_NS);
	ASSERT(fix_maint(f, hook) == 0);
	EXPECT_COUNTS(f, STD_DR_TCP, 1, 0, 0);
	EXPECT_COUNTS(f, STD_NAT, 0, 0, 0);
	EXPECT_EQ_INT(fix_conn_count(f), 1);
	EXPECT_EQ_INT(fix_conn_out_count(f), 0);	/* both halves went */
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_CONN_EXPIRED), 2);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_MAINT_SWEEPS), 1);
	ASSERT(fix_maint_get(f, &m) == 0);
	EXPECT_EQ_INT(m.sweep_seen, 3);
	EXPECT_EQ_INT(m.sweep_freed, 2);
	EXPECT(m.sweep_ns > 0);
	/* a sweep of a table with nothing expired changes nothing */
	ASSERT(fix_maint(f, hook) == 0);
	EXPECT_COUNTS(f, STD_DR_TCP, 1, 0, 0);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_CONN_EXPIRED), 2);
}

static void sweep_takes_expired_out_of_the_counts(void)
{
	fix_each_hook(sweep_hook);
}

/* Another CPU may write a clock after this CPU read its now: a packet's
 * last_seen during a sweep, a job's claim. Such a clock is ahead, which is
 * not an age of centuries: the connection is live, the job not due. */
static void clock_ahead_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec a = tcp(40000, PKT_SYN), ack = tcp(40000, PKT_ACK);
	struct pkt_spec nat = fix_std_spec(STD_NAT, PKT_SYN, 0);
	struct pkt_spec rs_in = fix_nat_spec(&nat, fix_std[STD_NAT].rs, fix_std_rport(STD_NAT));
	struct pkt_spec reply = fix_rs_reply_spec(&rs_in, PKT_SYN | PKT_ACK, 0);
	uint64_t sweeps;
	struct xvs_maint m;

	send_pkt(f, hook, &a, V_TX);
	send_pkt(f, hook, &nat, V_TX);
	age(f, &a, -10 * SEC_NS);	/* last seen 10 s from now */
	age(f, &nat, -10 * SEC_NS);
	ASSERT(fix_maint(f, hook) == 0);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_CONN_EXPIRED), 0);
	EXPECT_EQ_INT(fix_conn_count(f), 2);
	EXPECT_COUNTS(f, STD_DR_TCP, 1, 0, 0);
	EXPECT_COUNTS(f, STD_NAT, 1, 0, 0);
	/* and a packet finds them live */
	age(f, &a, -10 * SEC_NS);
	send_pkt(f, hook, &ack, V_TX);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_FWD_DR), 2);
	age(f, &nat, -10 * SEC_NS);
	send_pkt(f, hook, &reply, V_TX);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_REPLY_NAT), 1);
	/* a sweep clock ahead: no sweep is due */
	sweeps = fix_counter(f, XVS_CNT_MAINT_SWEEPS);
	ASSERT(fix_maint_get(f, &m) == 0);
	m.sweep_last_ns = fix_now_ns() + 10 * SEC_NS;
	ASSERT(fix_maint_put(f, &m) == 0);
	send_pkt(f, hook, &ack, V_TX);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_MAINT_SWEEPS), sweeps);
}

static void clocks_ahead_are_not_ages(void)
{
	fix_each_hook(clock_ahead_hook);
}

/* libxvs names expired entries it found: the data plane removes those,
 * and only those. */
static void reap_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec a = tcp(40000, PKT_SYN), b = tcp(40001, PKT_SYN);
	struct xvs_maint_req rq = { .op = XVS_MAINT_OP_REAP };

	send_pkt(f, hook, &a, V_TX);
	send_pkt(f, hook, &b, V_TX);
	age(f, &a, 61 * SEC_NS);
	rq.key = fix_conn_key(&b);	/* live: stays */
	ASSERT(fix_maint_req(f, hook, &rq) == 0);
	EXPECT_EQ_INT(fix_conn_count(f), 2);
	rq.key = fix_conn_key(&a);	/* expired: goes, and out of the count */
	ASSERT(fix_maint_req(f, hook, &rq) == 0);
	EXPECT_EQ_INT(fix_conn_count(f), 1);
	EXPECT_COUNTS(f, STD_DR_TCP, 1, 0, 0);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_CONN_EXPIRED), 1);
	ASSERT(fix_maint_req(f, hook, &rq) == 0);	/* named again: nothing left to do */
	EXPECT_COUNTS(f, STD_DR_TCP, 1, 0, 0);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_MAINT_SWEEPS), 0);	/* no sweep for it */
}

static void user_space_names_expired_entries(void)
{
	fix_each_hook(reap_hook);
}

/* A long sweep spaces the next ones: at most 1/20 of a CPU. */
static void duty_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec a = tcp(40000, PKT_SYN);
	struct xvs_cfg cfg;
	struct xvs_maint m;

	ASSERT(fix_cfg_get(f, &cfg) == 0);
	cfg.maint_interval_ms = 0;	/* the default, 1 s */
	ASSERT(fix_cfg_put(f, &cfg) == 0);
	/* the last sweep took 5 s (!) and ended 2 s ago: not due for 100 s */
	ASSERT(fix_maint_get(f, &m) == 0);
	m.sweep_ns = 5 * SEC_NS;
	m.sweep_last_ns = fix_now_ns() - 2 * SEC_NS;
	ASSERT(fix_maint_put(f, &m) == 0);
	send_pkt(f, hook, &a, V_TX);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_MAINT_SWEEPS), 0);
	/* the same sweep 200 s ago: due */
	m.sweep_last_ns = fix_now_ns() - 200 * SEC_NS;
	ASSERT(fix_maint_put(f, &m) == 0);
	a.l4.sport = 40001;
	send_pkt(f, hook, &a, V_TX);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_MAINT_SWEEPS), 1);
}

static void sweep_interval_grows_with_its_cost(void)
{
	fix_each_hook(duty_hook);
}

/* With the periodic sweep on, a packet after the interval runs it. */
static void periodic_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec a = tcp(40000, PKT_SYN), other = tcp(40002, PKT_SYN);
	struct xvs_cfg cfg;
	struct xvs_maint m;

	send_pkt(f, hook, &a, V_TX);
	age(f, &a, 61 * SEC_NS);
	ASSERT(fix_cfg_get(f, &cfg) == 0);
	/* an interval long enough that no test machine is that slow */
	cfg.maint_interval_ms = 3600 * 1000;
	ASSERT(fix_cfg_put(f, &cfg) == 0);
	ASSERT(fix_maint_get(f, &m) == 0);
	m.sweep_last_ns = fix_now_ns() - 3601 * SEC_NS;
	ASSERT(fix_maint_put(f, &m) == 0);
	/* another client's SYN: the sweep runs first, then it is scheduled */
	send_pkt(f, hook, &other, V_TX);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_MAINT_SWEEPS), 1);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_CONN_EXPIRED), 1);
	EXPECT_COUNTS(f, STD_DR_TCP, 1, 0, 0);
	/* not again within the interval */
	send_pkt(f, hook, &other, V_TX);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_MAINT_SWEEPS), 1);
}

static void packets_run_the_sweep_every_interval(void)
{
	fix_each_hook(periodic_hook);
}

static void met_dead_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec syn = tcp(40000, PKT_SYN), ack = tcp(40000, PKT_ACK);
	struct pkt_spec fin = tcp(40000, PKT_FIN | PKT_ACK);

	send_pkt(f, hook, &syn, V_TX);
	send_pkt(f, hook, &ack, V_TX);
	age(f, &syn, 901 * SEC_NS);
	/* a late ACK of the dead connection: removed, counted once, passed */
	send_pkt(f, hook, &ack, V_PASS);
	EXPECT_COUNTS(f, STD_DR_TCP, 0, 0, 0);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_CONN_EXPIRED), 1);
	/* a reused port: a SYN on a closed connection replaces it */
	send_pkt(f, hook, &syn, V_TX);
	send_pkt(f, hook, &fin, V_TX);	/* SYN_RECV + FIN: TIME_WAIT */
	EXPECT_COUNTS(f, STD_DR_TCP, 0, 1, 0);
	send_pkt(f, hook, &syn, V_TX);	/* the old one out, the new one in */
	EXPECT_COUNTS(f, STD_DR_TCP, 1, 0, 0);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_CONN_RESCHED), 1);
	EXPECT_EQ_INT(fix_conn_count(f), 1);
}

static void dead_and_reused_entries_leave_the_counts(void)
{
	fix_each_hook(met_dead_hook);
}

/* ---- thresholds ---------------------------------------------------------------------- */

/* Service 40: rr over dests 40 and 41 (RS1, RS2), thresholds on 40. */
#define T_SVC	40
#define T_PORT	9000

static void threshold_scene(struct pkt_fixture *f, uint32_t u, uint32_t l)
{
	uint32_t ring[2] = { 40, 41 };
	struct xvs_dest d;

	ASSERT(fix_dest(f, 40, T_SVC, FIX_RS1, T_PORT, XVS_FWD_DR, 1) == 0);
	ASSERT(fix_dest(f, 41, T_SVC, FIX_RS2, T_PORT, XVS_FWD_DR, 1) == 0);
	ASSERT(fix_dest_get(f, 40, &d) == 0);
	d.u_threshold = u;
	d.l_threshold = l;
	ASSERT(fix_dest_put(f, 40, &d) == 0);
	ASSERT(fix_svc(f, T_SVC, IPPROTO_TCP, FIX_VIP2, T_PORT, 300, ring, 2) == 0);
}

static struct pkt_spec tsyn(uint16_t sport)
{
	struct pkt_spec s = fix_client_spec(IPPROTO_TCP, FIX_VIP2, T_PORT, PKT_SYN, 0);

	s.l4.sport = sport;
	return s;
}

/* The real server the connection from sport went to. */
static uint32_t dest_of(struct pkt_fixture *f, uint16_t sport, uint16_t dport, const char *vip)
{
	struct pkt_spec s = fix_client_spec(IPPROTO_TCP, vip, dport, PKT_SYN, 0);
	struct xvs_conn_key k;
	struct xvs_conn c;

	s.l4.sport = sport;
	k = fix_conn_key(&s);
	if (fix_conn_get(f, &k, &c))
		return UINT32_MAX;
	return c.dest_idx;
}

static void syn_from(struct pkt_fixture *f, enum pkt_hook hook, uint16_t sport,
		     enum pkt_verdict v)
{
	struct pkt_spec s = tsyn(sport);

	send_pkt(f, hook, &s, v);
}

static void expire(struct pkt_fixture *f, uint16_t sport)
{
	struct pkt_spec s = tsyn(sport);

	age(f, &s, 61 * SEC_NS);
}

static void upper_lower_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	threshold_scene(f, 2, 1);
	syn_from(f, hook, 1001, V_TX);		/* rr: 40 */
	syn_from(f, hook, 1002, V_TX);		/* 41 */
	syn_from(f, hook, 1003, V_TX);		/* 40: now 2 = -x 2: overloaded */
	EXPECT_EQ_INT(dest_of(f, 1003, T_PORT, FIX_VIP2), 40);
	EXPECT(counts(f, 40).flags & XVS_DEST_CONNS_F_OVERLOAD);
	syn_from(f, hook, 1004, V_TX);		/* 41 */
	syn_from(f, hook, 1005, V_TX);		/* 40's turn, but overloaded: 41 */
	EXPECT_EQ_INT(dest_of(f, 1005, T_PORT, FIX_VIP2), 41);
	syn_from(f, hook, 1006, V_TX);		/* rr goes on after 41: 40 skipped again */
	EXPECT_EQ_INT(dest_of(f, 1006, T_PORT, FIX_VIP2), 41);
	/* one of 40's two connections goes: 1 is not below -y 1 */
	expire(f, 1001);
	ASSERT(fix_maint(f, hook) == 0);
	EXPECT(counts(f, 40).flags & XVS_DEST_CONNS_F_OVERLOAD);
	/* the other: 0 < 1, back in service */
	expire(f, 1003);
	ASSERT(fix_maint(f, hook) == 0);
	EXPECT(!(counts(f, 40).flags & XVS_DEST_CONNS_F_OVERLOAD));
	syn_from(f, hook, 1007, V_TX);
	EXPECT_EQ_INT(dest_of(f, 1007, T_PORT, FIX_VIP2), 40);
}

static void thresholds_mark_overloaded_and_back(void)
{
	fix_each_hook(upper_lower_hook);
}

/* No -y: the overload ends below 3/4 of -x. */
static void three_quarters_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	uint16_t sport[4] = { 2001, 2003, 2005, 2007 };

	threshold_scene(f, 4, 0);
	for (uint16_t p = 2001; p <= 2008; p++)
		syn_from(f, hook, p, V_TX);	/* 40 gets the odd ports */
	EXPECT_COUNTS(f, 40, 4, 0, 0);
	EXPECT(counts(f, 40).flags & XVS_DEST_CONNS_F_OVERLOAD);
	expire(f, sport[0]);
	ASSERT(fix_maint(f, hook) == 0);	/* 3 * 4 = 12, not below 4 * 3 */
	EXPECT(counts(f, 40).flags & XVS_DEST_CONNS_F_OVERLOAD);
	expire(f, sport[1]);
	ASSERT(fix_maint(f, hook) == 0);	/* 2 * 4 = 8 < 12 */
	EXPECT(!(counts(f, 40).flags & XVS_DEST_CONNS_F_OVERLOAD));
}

static void overload_ends_below_three_quarters_without_lower(void)
{
	fix_each_hook(three_quarters_hook);
}

/* ---- rate estimator -------------------------------------------------------------------- */

/* ip_vs_est.c, written out again: every 2 s, avg += (delta * scale - avg) / 4
 * with an arithmetic shift, scale 2^9 for conns and packets and 2^4 for
 * bytes; read as (avg + 0x1FF) >> 10 and (avg + 0xF) >> 5. */
struct model {
	int64_t cps, pps, bps;
	uint64_t conns, pkts, bytes;
};

static void model_period(struct model *m, uint64_t conns, uint64_t pkts, uint64_t bytes)
{
	m->cps += ((int64_t)((conns - m->conns) << 9) - m->cps) >> 2;
	m->pps += ((int64_t)((pkts - m->pkts) << 9) - m->pps) >> 2;
	m->bps += ((int64_t)((bytes - m->bytes) << 4) - m->bps) >> 2;
	m->conns = conns;
	m->pkts = pkts;
	m->bytes = bytes;
}

static struct xvs_est dest_est(struct pkt_fixture *f, uint32_t idx)
{
	struct xvs_est e = { 0 };

	fix_est(f, true, idx, &e);
	return e;
}

/* Puts the estimator's clock `periods` 2-second periods (and a bit) back. */
static void est_clock_back(struct pkt_fixture *f, unsigned int periods)
{
	struct xvs_maint m;

	ASSERT(fix_maint_get(f, &m) == 0);
	m.est_last_ns = fix_now_ns() - periods * XVS_EST_TICK_NS - XVS_EST_TICK_NS / 4;
	ASSERT(fix_maint_put(f, &m) == 0);
}

/* The packet u after the estimator's clock was set back: how many periods
 * it ended (a slow machine may have let one more pass), on the grid. */
static unsigned int periods_run(struct pkt_fixture *f, enum pkt_hook hook,
				const struct pkt_spec *u, unsigned int back)
{
	struct xvs_maint m0, m1;

	est_clock_back(f, back);
	if (fix_maint_get(f, &m0))
		return 0;
	send_pkt(f, hook, u, V_TX);
	if (fix_maint_get(f, &m1))
		return 0;
	EXPECT((m1.est_last_ns - m0.est_last_ns) % XVS_EST_TICK_NS == 0);
	return (unsigned int)((m1.est_last_ns - m0.est_last_ns) / XVS_EST_TICK_NS);
}

static void estimator_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec u = fix_std_spec(STD_DR_UDP, 0, 72);	/* 100-byte packets */
	struct model want = { 0 };
	struct xvs_est e;
	unsigned int k;

	for (int i = 0; i < 5; i++)
		send_pkt(f, hook, &u, V_TX);
	/* a period has ended: the next packet runs it, with the 5 before it */
	k = periods_run(f, hook, &u, 1);
	EXPECT(k >= 1);
	model_period(&want, 1, 5, 500);
	for (unsigned int i = 1; i < k; i++)
		model_period(&want, 1, 5, 500);
	e = dest_est(f, STD_DR_UDP);
	EXPECT_EQ_INT(e.cps, want.cps);
	EXPECT_EQ_INT(e.inpps, want.pps);
	EXPECT_EQ_INT(e.inbps, want.bps);
	EXPECT_EQ_INT(e.last_inpkts, 5);
	/* three periods later: the first has the traffic, the others none */
	for (int i = 0; i < 9; i++)
		send_pkt(f, hook, &u, V_TX);
	k = periods_run(f, hook, &u, 3);
	EXPECT(k >= 3);
	model_period(&want, 1, 15, 1500);
	for (unsigned int i = 1; i < k; i++)
		model_period(&want, 1, 15, 1500);
	e = dest_est(f, STD_DR_UDP);
	EXPECT_EQ_INT(e.cps, want.cps);
	EXPECT_EQ_INT(e.inpps, want.pps);
	EXPECT_EQ_INT(e.inbps, want.bps);
	EXPECT_EQ_INT(e.outpps, 0);
	/* and the service's estimator counts the same traffic */
	ASSERT(fix_est(f, false, STD_DR_UDP, &e) == 0);
	EXPECT_EQ_INT(e.inpps, want.pps);
}

static void estimator_runs_ipvs_periods(void)
{
	fix_each_hook(estimator_hook);
}

static const struct test_case cases[] = {
	TEST_CASE(counts_follow_tcp_states),
	TEST_CASE(udp_counts_as_inactive),
	TEST_CASE(sweep_takes_expired_out_of_the_counts),
	TEST_CASE(clocks_ahead_are_not_ages),
	TEST_CASE(packets_run_the_sweep_every_interval),
	TEST_CASE(user_space_names_expired_entries),
	TEST_CASE(sweep_interval_grows_with_its_cost),
	TEST_CASE(dead_and_reused_entries_leave_the_counts),
	TEST_CASE(thresholds_mark_overloaded_and_back),
	TEST_CASE(overload_ends_below_three_quarters_without_lower),
	TEST_CASE(estimator_runs_ipvs_periods),
};

TEST_MAIN(cases)
