// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Packet tests of the data plane's connection handling, through both the
 * XDP and the tc program: a flow keeps its real server, round-robin order,
 * timeouts and reuse, IPVS's TCP state machine for DR/TUN, statistics. */
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "pkt.h"
#include "test.h"

#define SEC_NS 1000000000ull

/* Sends s, expects it forwarded to rs by DR (back out of link A). */
static bool expect_dr(struct pkt_fixture *f, enum pkt_hook hook, const struct pkt_spec *s,
		      const char *rs)
{
	uint8_t in[PKT_MAX], want[PKT_MAX];
	size_t in_len = pkt_build(in, s), want_len = fix_expect_dr(want, s, rs);

	return fix_expect_run(f, hook, in, in_len, V_TX, want, want_len);
}

static struct pkt_spec flow(uint16_t sport, uint8_t flags, size_t payload)
{
	struct pkt_spec s = fix_std_spec(STD_DR_TCP, flags, payload);

	s.l4.sport = sport;
	return s;
}

static int put_conn(struct pkt_fixture *f, const struct pkt_spec *s, const char *rs,
		    uint32_t dest_idx, uint8_t state, uint64_t age_ns)
{
	struct xvs_conn_key k = fix_conn_key(s);
	struct xvs_conn c = {
		.raddr = pkt_addr(rs),
		.rport = htons(s->l4.dport),
		.fwd = XVS_FWD_DR,
		.state = state,
		.dest_idx = dest_idx,
		.svc_idx = STD_DR_TCP,
		.laddr = pkt_addr(FIX_DIR_A),
		.last_seen_ns = fix_now_ns() - age_ns,
	};

	return fix_conn_put(f, &k, &c);
}

static uint8_t conn_state(struct pkt_fixture *f, const struct pkt_spec *s)
{
	struct xvs_conn_key k = fix_conn_key(s);
	struct xvs_conn c;

	if (fix_conn_get(f, &k, &c))
		return 0xff;
	return c.state;
}

/* ---- a flow and its packets ----------------------------------------- */

static void second_packet_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec syn = flow(40000, PKT_SYN, 0), ack = flow(40000, PKT_ACK, 100);
	struct xvs_conn_key k = fix_conn_key(&syn);
	uint64_t t0 = fix_now_ns(), t1;
	struct xvs_conn c;
	struct xvs_stats st;
	uint64_t counters[XVS_CNT_MAX] = {
		[XVS_CNT_RX] = 2, [XVS_CNT_FWD_DR] = 2, [XVS_CNT_CONN_NEW] = 1,
	};

	expect_dr(f, hook, &syn, FIX_RS1);
	t1 = fix_now_ns();
	ASSERT(fix_conn_get(f, &k, &c) == 0);
	EXPECT_EQ_INT(c.raddr, pkt_addr(FIX_RS1));
	EXPECT_EQ_INT(c.rport, htons(80));
	EXPECT_EQ_INT(c.fwd, XVS_FWD_DR);
	EXPECT_EQ_INT(c.state, XVS_CS_SYN_RECV);
	EXPECT_EQ_INT(c.dest_idx, STD_DR_TCP);
	EXPECT_EQ_INT(c.svc_idx, STD_DR_TCP);
	EXPECT_EQ_INT(c.laddr, 0);	/* only TUN and FULLNAT connections carry one */
	EXPECT(c.last_seen_ns >= t0 && c.last_seen_ns <= t1);

	expect_dr(f, hook, &ack, FIX_RS1);
	ASSERT(fix_conn_get(f, &k, &c) == 0);
	EXPECT_EQ_INT(c.state, XVS_CS_ESTABLISHED);
	EXPECT(c.last_seen_ns >= t1);
	fix_expect_counters(f, counters);

	/* IPVS statistics: bytes are IP total lengths; DR sees no replies */
	ASSERT(fix_svc_stats(f, STD_DR_TCP, &st) == 0);
	EXPECT_EQ_INT(st.conns, 1);
	EXPECT_EQ_INT(st.inpkts, 2);
	EXPECT_EQ_INT(st.inbytes, 40 + 140);
	EXPECT_EQ_INT(st.outpkts, 0);
	EXPECT_EQ_INT(st.outbytes, 0);
	ASSERT(fix_dest_stats(f, STD_DR_TCP, &st) == 0);
	EXPECT_EQ_INT(st.conns, 1);
	EXPECT_EQ_INT(st.inpkts, 2);
	EXPECT_EQ_INT(st.inbytes, 40 + 140);
}

static void dr_second_packet_same_rs(void)
{
	fix_each_hook(second_packet_hook);
}

static void tun_flow_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec syn = fix_std_spec(STD_TUN_TCP, PKT_SYN, 0);
	struct pkt_spec ack = fix_std_spec(STD_TUN_TCP, PKT_ACK, 1000);
	uint8_t in[PKT_MAX], want[PKT_MAX];
	size_t in_len, want_len;
	struct xvs_stats st;
	uint64_t counters[XVS_CNT_MAX] = {
		[XVS_CNT_RX] = 2, [XVS_CNT_FWD_TUN] = 2, [XVS_CNT_CONN_NEW] = 1,
	};

	in_len = pkt_build(in, &syn);
	want_len = fix_expect_tun(want, &syn, FIX_RS1);
	fix_expect_run(f, hook, in, in_len, V_TX, want, want_len);
	in_len = pkt_build(in, &ack);
	want_len = fix_expect_tun(want, &ack, FIX_RS1);
	fix_expect_run(f, hook, in, in_len, V_TX, want, want_len);
	EXPECT_EQ_INT(conn_state(f, &ack), XVS_CS_ESTABLISHED);
	fix_expect_counters(f, counters);
	ASSERT(fix_dest_stats(f, STD_TUN_TCP, &st) == 0);
	EXPECT_EQ_INT(st.conns, 1);
	EXPECT_EQ_INT(st.inpkts, 2);
	EXPECT_EQ_INT(st.inbytes, 40 + 1040);	/* inner lengths, as IPVS counts */
}

static void tun_second_packet_same_rs(void)
{
	fix_each_hook(tun_flow_hook);
}

static void udp_flow_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec s = fix_std_spec(STD_DR_UDP, 0, 20);
	uint64_t counters[XVS_CNT_MAX] = {
		[XVS_CNT_RX] = 3, [XVS_CNT_FWD_DR] = 3, [XVS_CNT_CONN_NEW] = 2,
		[XVS_CNT_CONN_RESCHED] = 1, [XVS_CNT_CONN_EXPIRED] = 1,
	};
	struct xvs_conn_key k = fix_conn_key(&s);
	struct xvs_conn c;
	uint64_t before;

	expect_dr(f, hook, &s, FIX_RS2);
	EXPECT_EQ_INT(conn_state(f, &s), XVS_CS_UDP);
	/* a live UDP entry is refreshed by every packet */
	ASSERT(fix_conn_get(f, &k, &c) == 0);
	c.last_seen_ns -= 10 * SEC_NS;
	before = c.last_seen_ns;
	ASSERT(fix_conn_put(f, &k, &c) == 0);
	expect_dr(f, hook, &s, FIX_RS2);
	ASSERT(fix_conn_get(f, &k, &c) == 0);
	EXPECT(c.last_seen_ns > before + 9 * SEC_NS);
	/* an expired one is scheduled again (IPVS: a new connection) */
	ASSERT(fix_set_timeout(f, XVS_CS_UDP, 5) == 0);
	c.last_seen_ns -= 6 * SEC_NS;
	ASSERT(fix_conn_put(f, &k, &c) == 0);
	expect_dr(f, hook, &s, FIX_RS2);
	fix_expect_counters(f, counters);
}

static void udp_flow_refreshed_then_expires(void)
{
	fix_each_hook(udp_flow_hook);
}

/* ---- schedule changes ----------------------------------------------- */

static void rs_change_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec a_syn = flow(40000, PKT_SYN, 0), a_ack = flow(40000, PKT_ACK, 10);
	struct pkt_spec b_syn = flow(40001, PKT_SYN, 0);
	const uint32_t ring_rs2[] = { 20 };

	expect_dr(f, hook, &a_syn, FIX_RS1);
	/* the control plane replaces RS1 by RS2 in the schedule */
	ASSERT(fix_dest(f, 20, STD_DR_TCP, FIX_RS2, 80, XVS_FWD_DR, 1) == 0);
	ASSERT(fix_svc_ring(f, STD_DR_TCP, 100, ring_rs2, 1) == 0);
	expect_dr(f, hook, &a_ack, FIX_RS1);		/* old flow: old RS */
	expect_dr(f, hook, &b_syn, FIX_RS2);		/* new flow: new RS */
	/* RS1 removed entirely: its flows still reach it, as in IPVS */
	ASSERT(fix_dest_del(f, STD_DR_TCP) == 0);
	expect_dr(f, hook, &a_ack, FIX_RS1);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_FWD_DR), 4);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_CONN_NEW), 2);
}

static void flow_keeps_rs_after_schedule_change(void)
{
	fix_each_hook(rs_change_hook);
}

static void rr_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	static const char *const order[] = { FIX_RS1, FIX_RS2, FIX_RS3, FIX_RS1 };
	const uint32_t ring[] = { 30, 31, 32 };
	uint32_t svc_idx = STD_DR_TCP;
	struct xvs_svc svc;

	ASSERT(fix_dest(f, 30, STD_DR_TCP, FIX_RS1, 80, XVS_FWD_DR, 1) == 0);
	ASSERT(fix_dest(f, 31, STD_DR_TCP, FIX_RS2, 80, XVS_FWD_DR, 1) == 0);
	ASSERT(fix_dest(f, 32, STD_DR_TCP, FIX_RS3, 80, XVS_FWD_DR, 1) == 0);
	ASSERT(fix_svc_ring(f, STD_DR_TCP, 200, ring, 3) == 0);
	for (int i = 0; i < 4; i++) {
		struct pkt_spec s = flow(41000 + i, PKT_SYN, 0);
		struct xvs_conn_key k = fix_conn_key(&s);
		struct xvs_conn c;

		expect_dr(f, hook, &s, order[i]);
		ASSERT(fix_conn_get(f, &k, &c) == 0);
		EXPECT_EQ_INT(c.dest_idx, ring[i % 3]);
	}
	ASSERT(fix_svc_get(f, svc_idx, &svc) == 0);
	EXPECT_EQ_INT(svc.cursor, 4);
}

static void rr_ring_order(void)
{
	fix_each_hook(rr_hook);
}

/* ---- liveness and reuse --------------------------------------------- */

static void timeout_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec ack = flow(40000, PKT_ACK, 10), syn = flow(40000, PKT_SYN, 0);
	uint8_t in[PKT_MAX];
	size_t in_len = pkt_build(in, &ack);
	uint64_t counters[XVS_CNT_MAX] = {
		[XVS_CNT_RX] = 3, [XVS_CNT_FWD_DR] = 2, [XVS_CNT_PASS_NO_CONN] = 1,
		[XVS_CNT_CONN_NEW] = 1, [XVS_CNT_CONN_EXPIRED] = 1,
	};

	ASSERT(fix_set_timeout(f, XVS_CS_ESTABLISHED, 5) == 0);
	/* live: used even though RS3 is in no schedule */
	ASSERT(put_conn(f, &ack, FIX_RS3, 7, XVS_CS_ESTABLISHED, 4 * SEC_NS) == 0);
	expect_dr(f, hook, &ack, FIX_RS3);
	/* expired: removed when met; a non-SYN then finds no connection */
	ASSERT(put_conn(f, &ack, FIX_RS3, 7, XVS_CS_ESTABLISHED, 6 * SEC_NS) == 0);
	fix_expect_run(f, hook, in, in_len, V_PASS, in, in_len);
	/* ... and a SYN is scheduled afresh, as a new connection */
	expect_dr(f, hook, &syn, FIX_RS1);
	EXPECT_EQ_INT(conn_state(f, &syn), XVS_CS_SYN_RECV);
	fix_expect_counters(f, counters);
}

static void expired_conn_is_gone(void)
{
	fix_each_hook(timeout_hook);
}

static void reuse_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	static const uint8_t closed[] = { XVS_CS_TIME_WAIT, XVS_CS_CLOSE };
	uint64_t counters[XVS_CNT_MAX] = {
		[XVS_CNT_RX] = 4, [XVS_CNT_FWD_DR] = 4, [XVS_CNT_CONN_NEW] = 2,
		[XVS_CNT_CONN_RESCHED] = 2,
	};

	for (int i = 0; i < 2; i++) {
		struct pkt_spec syn = flow(40000 + i, PKT_SYN, 0);
		struct pkt_spec synack = flow(40010 + i, PKT_SYN | PKT_ACK, 0);

		/* a new SYN on a closed connection: a new flow (IPVS
		 * conn_reuse_mode), scheduled on the service */
		ASSERT(put_conn(f, &syn, FIX_RS3, 7, closed[i], 0) == 0);
		expect_dr(f, hook, &syn, FIX_RS1);
		EXPECT_EQ_INT(conn_state(f, &syn), XVS_CS_SYN_RECV);
		/* SYN+ACK is not a client opening: the entry stays */
		ASSERT(put_conn(f, &synack, FIX_RS3, 7, closed[i], 0) == 0);
		expect_dr(f, hook, &synack, FIX_RS3);
		EXPECT_EQ_INT(conn_state(f, &synack), XVS_CS_SYN_RECV);
	}
	fix_expect_counters(f, counters);
}

static void syn_on_closed_conn_reschedules(void)
{
	fix_each_hook(reuse_hook);
}

static void deleted_service_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	/* a flow of a service that no longer exists keeps going */
	struct pkt_spec ack = fix_client_spec(IPPROTO_TCP, FIX_VIP, 7777, PKT_ACK, 10);
	struct pkt_spec other = ack;

	other.l4.sport++;
	ASSERT(put_conn(f, &ack, FIX_RS2, 40, XVS_CS_ESTABLISHED, 0) == 0);
	expect_dr(f, hook, &ack, FIX_RS2);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_FWD_DR), 1);
	/* while a packet of another flow to that address is not ours */
	uint8_t in[PKT_MAX];
	size_t in_len = pkt_build(in, &other);

	fix_expect_run(f, hook, in, in_len, V_PASS, in, in_len);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_PASS_NO_SVC), 1);
}

static void deleted_service_flow_continues(void)
{
	fix_each_hook(deleted_service_hook);
}

/* ---- TCP states ------------------------------------------------------- */

/* IPVS's INPUT-ONLY transitions (ip_vs_proto_tcp.c), by event then state
 * NONE ES SYN_SENT SYN_RECV FIN_WAIT TIME_WAIT CLOSE CLOSE_WAIT LAST_ACK
 * LISTEN SYNACK; written out independently of bpf/conn.h. */
enum { NO, ES, SS, SR, FW, TW, CL, CW, LA, LI, SA };
static const uint8_t ipvs_syn[] = { SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR };
static const uint8_t ipvs_fin[] = { CL, FW, SS, TW, FW, TW, CL, CW, LA, LI, TW };
static const uint8_t ipvs_ack[] = { ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES };
static const uint8_t ipvs_rst[] = { CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL };
static const uint8_t ipvs_none[] = { CL, CL, CL, CL, CL, CL, CL, CL, CL, CL, CL };

/* Flags and the row they select: rst before syn before fin before ack. */
static const struct {
	uint8_t flags;
	const uint8_t *next;
} transitions[] = {
	{ PKT_SYN, ipvs_syn },
	{ PKT_FIN, ipvs_fin },
	{ PKT_ACK, ipvs_ack },
	{ PKT_RST, ipvs_rst },
	{ 0, ipvs_none },
	{ PKT_FIN | PKT_ACK, ipvs_fin },
	{ PKT_SYN | PKT_FIN, ipvs_syn },
	{ PKT_RST | PKT_ACK, ipvs_rst },
	{ PKT_SYN | PKT_ACK, ipvs_syn },
	{ PKT_PSH | PKT_ACK, ipvs_ack },
};

static void states_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	for (size_t t = 0; t < sizeof(transitions) / sizeof(transitions[0]); t++) {
		for (uint8_t st = XVS_CS_NONE; st < XVS_CS_UDP; st++) {
			struct pkt_spec s = flow(42000, transitions[t].flags, 0);
			uint8_t got;

			ASSERT(put_conn(f, &s, FIX_RS1, STD_DR_TCP, st, 0) == 0);
			if (!expect_dr(f, hook, &s, FIX_RS1))
				printf("# state %u, flags %#x\n", st, transitions[t].flags);
			got = conn_state(f, &s);
			if (got != transitions[t].next[st])
				test_fail(__FILE__, __LINE__,
					  "state %u + flags %#x -> %u, expected %u", st,
					  transitions[t].flags, got, transitions[t].next[st]);
		}
	}
}

static void tcp_states_follow_ipvs_input_only(void)
{
	fix_each_hook(states_hook);
}

/* ---- cost ------------------------------------------------------------- */

/* Not a benchmark: the figure is printed for information, with the real
 * table sizes; the test checks the repeated packet is still forwarded. */
static void established_dr_cost(void)
{
	for (int h = 0; h < PKT_HOOK_MAX; h++) {
		struct pkt_fixture f;
		struct pkt_spec syn = flow(40000, PKT_SYN, 0), ack = flow(40000, PKT_ACK, 64);
		struct pkt_run_opts opts = { .repeat = 1000000 };
		uint8_t in[PKT_MAX], out[PKT_MAX];
		size_t in_len = pkt_build(in, &ack), out_len;
		uint32_t ns = 0;
		int retval;

		if (fix_setup_full(&f) || fix_std_services(&f)) {
			test_fail(__FILE__, __LINE__, "fixture setup failed");
			fix_teardown(&f);
			return;
		}
		expect_dr(&f, h, &syn, FIX_RS1);
		if (fix_run(&f, h, in, in_len, out, &out_len, &retval, &opts, &ns) == 0) {
			EXPECT_EQ_INT(retval, fix_verdict_code(h, V_TX));
			EXPECT_EQ_INT(fix_counter(&f, XVS_CNT_FWD_DR), 1 + opts.repeat);
			printf("# %s: established DR packet: %u ns/packet (test run, %u repeats)\n",
			       fix_hook_name(h), ns, opts.repeat);
		} else {
			test_fail(__FILE__, __LINE__, "repeated run failed");
		}
		fix_teardown(&f);
	}
}

/* ---- a full table ----------------------------------------------------- */

#define FIX_CONNS 4096	/* fix_setup()'s connection table */

/* Fills the table with DR connections of other clients, idle for age_ns. */
static void fill_table(struct pkt_fixture *f, uint64_t age_ns)
{
	for (uint32_t i = 0; i < FIX_CONNS; i++) {
		struct pkt_spec s = flow((uint16_t)(1024 + i % 50000), PKT_SYN, 0);

		s.ip.saddr = htonl(0x0a500000u + i);	/* 10.80.x.y: no fixture client */
		ASSERT(put_conn(f, &s, FIX_RS3, 7, XVS_CS_ESTABLISHED, age_ns) == 0);
	}
}

static void full_of_dead_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec syn = flow(41000, PKT_SYN, 0);
	struct xvs_conn_key k = fix_conn_key(&syn);
	struct xvs_conn c;

	struct xvs_maint m;

	ASSERT(fix_set_timeout(f, XVS_CS_ESTABLISHED, 5) == 0);
	fill_table(f, 6 * SEC_NS);
	/* no sweep in the last second: a full table may sweep at once */
	ASSERT(fix_maint_get(f, &m) == 0);
	m.sweep_last_ns = fix_now_ns() - 2 * SEC_NS;
	ASSERT(fix_maint_put(f, &m) == 0);
	/* the insert finds no room, the walk frees every expired entry */
	expect_dr(f, hook, &syn, FIX_RS1);
	EXPECT(fix_conn_get(f, &k, &c) == 0);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_CONN_EXPIRED), FIX_CONNS);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_CONN_TABLE_FULL), 0);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_CONN_NEW), 1);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_MAINT_SWEEPS), 1);
}

static void full_table_reclaims_expired(void)
{
	fix_each_hook(full_of_dead_hook);
}

static void full_of_live_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec syn = flow(41000, PKT_SYN, 0), old = flow(1024, PKT_ACK, 10);
	struct pkt_spec nat = fix_std_spec(STD_NAT, PKT_SYN, 0);
	struct xvs_conn_key k = fix_conn_key(&syn);
	struct xvs_conn c;
	uint8_t in[PKT_MAX];
	size_t len = pkt_build(in, &nat);

	fill_table(f, 1 * SEC_NS);
	old.ip.saddr = htonl(0x0a500000u);
	/* DR: the new flow is still forwarded, just not recorded */
	expect_dr(f, hook, &syn, FIX_RS1);
	EXPECT(fix_conn_get(f, &k, &c) != 0);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_CONN_TABLE_FULL), 1);
	/* NAT: a connection whose replies could not be matched is refused */
	fix_expect_run(f, hook, in, len, V_DROP, NULL, 0);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_CONN_TABLE_FULL), 2);
	/* established flows are not disturbed */
	expect_dr(f, hook, &old, FIX_RS3);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_CONN_EXPIRED), 0);
}

static void full_table_of_live_flows(void)
{
	fix_each_hook(full_of_live_hook);
}

static const struct test_case cases[] = {
	TEST_CASE(dr_second_packet_same_rs),
	TEST_CASE(tun_second_packet_same_rs),
	TEST_CASE(udp_flow_refreshed_then_expires),
	TEST_CASE(flow_keeps_rs_after_schedule_change),
	TEST_CASE(rr_ring_order),
	TEST_CASE(expired_conn_is_gone),
	TEST_CASE(syn_on_closed_conn_reschedules),
	TEST_CASE(deleted_service_flow_continues),
	TEST_CASE(tcp_states_follow_ipvs_input_only),
	TEST_CASE(established_dr_cost),
	TEST_CASE(full_table_reclaims_expired),
	TEST_CASE(full_table_of_live_flows),
};

TEST_MAIN(cases)
