// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Packet tests of FULLNAT (-b) through both the XDP and the tc program,
 * from the issue 4 contract: the request leaves from a local address and
 * port, the reply goes back as from VIP:vport to the client, local
 * addresses round-robin, local ports within the configured range and never
 * shared, exhaustion and reuse after expiry, TOA (TCP option 254) in the
 * handshake-completing ACK only. The local port is the data plane's
 * choice: each test reads it from the connection entry, checks it, then
 * builds the expected packet with it from scratch (tests/harness/pkt.c). */
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "pkt.h"
#include "test.h"

#define SEC_NS 1000000000ull

static const uint8_t ip_opts[12] = { 0x94, 4, 0, 0, 7, 7, 4, 0, 0, 0, 0, 1 };
static const uint8_t tcp_mss_opt[4] = { 2, 4, 0x05, 0xb4 };

struct local {
	uint32_t addr;		/* network order */
	uint16_t port;		/* host order */
};

static struct pkt_spec client(enum fix_std_svc svc, uint16_t sport, uint8_t flags, size_t len)
{
	struct pkt_spec s = fix_std_spec(svc, flags, len);

	s.l4.sport = sport;
	return s;
}

static struct pkt_spec with_tcp_opts(struct pkt_spec s, const uint8_t *opts, size_t len)
{
	memcpy(s.l4.opts, opts, len);
	s.l4.opts_len = len;
	return s;
}

/* The request as the service's real server receives it from local l. */
static struct pkt_spec at_rs(enum fix_std_svc svc, const struct pkt_spec *req, struct local l)
{
	return fix_fnat_spec(req, fix_std[svc].rs, fix_std_rport(svc), l.addr, l.port);
}

/* The same with the client's address in TOA (the contract: port, then
 * address, after the existing options). */
static struct pkt_spec at_rs_toa(enum fix_std_svc svc, const struct pkt_spec *req,
				 struct local l)
{
	struct pkt_spec s = at_rs(svc, req, l);

	pkt_add_toa(&s.l4, req->l4.sport, req->ip.saddr);
	return s;
}

/* The reverse key: the reply as it arrives from the RS to the local address. */
static struct xvs_conn_key out_key(enum fix_std_svc svc, const struct pkt_spec *req,
				   struct local l)
{
	return fix_key(pkt_addr(fix_std[svc].rs), l.addr, fix_std_rport(svc), l.port,
		       req->ip.proto);
}

/* Sends a client packet that opens a connection of svc; checks the chosen
 * local address (want_laddr) and port (in [min, max]), both entries, and
 * the output bytes. Returns the local address and port ({0, 0} on
 * failure). */
static struct local open_conn(struct pkt_fixture *f, enum pkt_hook hook, enum fix_std_svc svc,
			      const struct pkt_spec *req, uint32_t want_laddr, uint16_t min,
			      uint16_t max)
{
	uint8_t out[PKT_MAX], want[PKT_MAX];
	size_t out_len = 0, want_len;
	struct xvs_conn_key k = fix_conn_key(req), ok, fwd;
	struct xvs_conn c;
	struct local l = { 0, 0 }, none = { 0, 0 };
	struct pkt_spec rs_in;

	if (fix_run_spec(f, hook, req, V_TX, out, &out_len))
		return none;
	if (fix_conn_get(f, &k, &c)) {
		test_fail(__FILE__, __LINE__, "%s: no connection entry", fix_hook_name(hook));
		return none;
	}
	l.addr = c.laddr;
	l.port = ntohs(c.lport);
	EXPECT_EQ_INT(c.raddr, pkt_addr(fix_std[svc].rs));
	EXPECT_EQ_INT(c.rport, htons(fix_std_rport(svc)));
	EXPECT_EQ_INT(c.fwd, XVS_FWD_FNAT);
	EXPECT_EQ_INT(c.state, req->ip.proto == IPPROTO_TCP ? XVS_CS_SYN_RECV : XVS_CS_UDP);
	EXPECT_EQ_INT(c.dest_idx, svc);
	EXPECT_EQ_INT(c.svc_idx, svc);
	EXPECT_EQ_INT(c.flags, 0);
	EXPECT_EQ_INT(l.addr, want_laddr);
	if (l.port < min || l.port > max)
		test_fail(__FILE__, __LINE__, "local port %u outside %u..%u", l.port, min, max);
	ok = out_key(svc, req, l);
	if (fix_conn_out_get(f, &ok, &fwd) == 0)
		EXPECT(memcmp(&fwd, &k, sizeof(k)) == 0);
	else
		test_fail(__FILE__, __LINE__, "no xvs_conns_out entry for local port %u", l.port);
	rs_in = at_rs(svc, req, l);
	want_len = pkt_build(want, &rs_in);
	test_bytes_equal(hook == PKT_XDP ? "xdp output" : "tc output", out, out_len, want,
			 want_len);
	return l;
}

static bool expect_request(struct pkt_fixture *f, enum pkt_hook hook, enum fix_std_svc svc,
			   const struct pkt_spec *req, struct local l, bool toa)
{
	struct pkt_spec want = toa ? at_rs_toa(svc, req, l) : at_rs(svc, req, l);

	return fix_expect_spec(f, hook, req, V_TX, &want);
}

static bool expect_reply(struct pkt_fixture *f, enum pkt_hook hook, const struct pkt_spec *reply,
			 const struct pkt_spec *req)
{
	struct pkt_spec want = fix_reply_to_client_spec(reply, req);

	return fix_expect_spec(f, hook, reply, V_TX, &want);
}

static uint8_t conn_state(struct pkt_fixture *f, const struct pkt_spec *req)
{
	struct xvs_conn_key k = fix_conn_key(req);
	struct xvs_conn c;

	if (fix_conn_get(f, &k, &c))
		return 0xff;
	return c.state;
}

/* ---- request and reply ------------------------------------------------------ */

static void tcp_syn_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec syn = with_tcp_opts(client(STD_FNAT_TCP, 40000, PKT_SYN, 0),
					    tcp_mss_opt, sizeof(tcp_mss_opt));
	uint64_t t0 = fix_now_ns();
	struct xvs_conn_key k = fix_conn_key(&syn);
	struct xvs_conn c;
	uint64_t counters[XVS_CNT_MAX] = {
		[XVS_CNT_RX] = 1, [XVS_CNT_FWD_FNAT] = 1, [XVS_CNT_CONN_NEW] = 1,
	};

	/* cfg 0/0: the default range 1025..65535 */
	open_conn(f, hook, STD_FNAT_TCP, &syn, pkt_addr(FIX_LIP1), XVS_LPORT_MIN_DEFAULT,
		  XVS_LPORT_MAX_DEFAULT);
	ASSERT(fix_conn_get(f, &k, &c) == 0);
	EXPECT(c.last_seen_ns >= t0 && c.last_seen_ns <= fix_now_ns());
	EXPECT_EQ_INT(fix_conn_count(f), 1);
	EXPECT_EQ_INT(fix_conn_out_count(f), 1);
	fix_expect_counters(f, counters);
}

static void fnat_tcp_syn_from_local_address(void)
{
	fix_each_hook(tcp_syn_hook);
}

static void range_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	enum { N = 10, MIN = 20000 };
	bool used[N] = { false };

	ASSERT(fix_lport_range(f, MIN, MIN + N - 1) == 0);
	for (int i = 0; i < N; i++) {
		struct pkt_spec syn = client(STD_FNAT_TCP, 41000 + i, PKT_SYN, 0);
		struct local l = open_conn(f, hook, STD_FNAT_TCP, &syn, pkt_addr(FIX_LIP1),
					   MIN, MIN + N - 1);

		ASSERT(l.port >= MIN && l.port < MIN + N);
		if (used[l.port - MIN])
			test_fail(__FILE__, __LINE__, "local port %u given twice", l.port);
		used[l.port - MIN] = true;
	}
	EXPECT_EQ_INT(fix_conn_out_count(f), N);
}

static void fnat_local_ports_in_range_and_unshared(void)
{
	fix_each_hook(range_hook);
}

static void reply_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec syn = client(STD_FNAT_TCP, 40001, PKT_SYN, 0);
	struct local l = open_conn(f, hook, STD_FNAT_TCP, &syn, pkt_addr(FIX_LIP1),
				   XVS_LPORT_MIN_DEFAULT, XVS_LPORT_MAX_DEFAULT);
	struct pkt_spec rs_in = at_rs(STD_FNAT_TCP, &syn, l);
	struct pkt_spec synack = with_tcp_opts(fix_rs_reply_spec(&rs_in, PKT_SYN | PKT_ACK, 0),
					       tcp_mss_opt, sizeof(tcp_mss_opt));
	struct pkt_spec data = fix_rs_reply_spec(&rs_in, PKT_ACK | PKT_PSH, 1300);
	struct xvs_conn_key k = fix_conn_key(&syn);
	struct xvs_conn c;
	uint64_t counters[XVS_CNT_MAX] = {
		[XVS_CNT_RX] = 3, [XVS_CNT_FWD_FNAT] = 1, [XVS_CNT_CONN_NEW] = 1,
		[XVS_CNT_REPLY_FNAT] = 2,
	};

	ASSERT(l.port);
	/* RIP:rport -> LIP:lport becomes VIP:vport -> CIP:cport */
	expect_reply(f, hook, &synack, &syn);
	ASSERT(fix_conn_get(f, &k, &c) == 0);
	EXPECT_EQ_INT(c.flags, XVS_CONN_F_OUTPUT);
	EXPECT_EQ_INT(c.state, XVS_CS_SYN_RECV);
	expect_reply(f, hook, &data, &syn);
	fix_expect_counters(f, counters);
}

static void fnat_reply_rewritten_to_client(void)
{
	fix_each_hook(reply_hook);
}

static void udp_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec req = client(STD_FNAT_UDP, 40002, 0, 64);
	struct pkt_spec zero = client(STD_FNAT_UDP, 40003, 0, 21);
	struct local l, lz;
	struct pkt_spec rs_in, reply;
	uint64_t counters[XVS_CNT_MAX] = {
		[XVS_CNT_RX] = 5, [XVS_CNT_FWD_FNAT] = 3, [XVS_CNT_CONN_NEW] = 2,
		[XVS_CNT_REPLY_FNAT] = 2,
	};

	l = open_conn(f, hook, STD_FNAT_UDP, &req, pkt_addr(FIX_LIP1), XVS_LPORT_MIN_DEFAULT,
		      XVS_LPORT_MAX_DEFAULT);
	ASSERT(l.port);
	rs_in = at_rs(STD_FNAT_UDP, &req, l);
	reply = fix_rs_reply_spec(&rs_in, 0, 300);
	expect_reply(f, hook, &reply, &req);
	expect_request(f, hook, STD_FNAT_UDP, &req, l, false);	/* no TOA for UDP */
	/* checksum 0 stays 0 both ways */
	zero.l4.udp_csum_zero = true;
	lz = open_conn(f, hook, STD_FNAT_UDP, &zero, pkt_addr(FIX_LIP1), XVS_LPORT_MIN_DEFAULT,
		       XVS_LPORT_MAX_DEFAULT);
	ASSERT(lz.port);
	EXPECT(lz.port != l.port);
	rs_in = at_rs(STD_FNAT_UDP, &zero, lz);
	reply = fix_rs_reply_spec(&rs_in, 0, 5);
	reply.l4.udp_csum_zero = true;
	expect_reply(f, hook, &reply, &zero);
	fix_expect_counters(f, counters);
}

static void fnat_udp_request_reply_and_checksum_zero(void)
{
	fix_each_hook(udp_hook);
}

static void unknown_reply_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec syn = client(STD_FNAT_TCP, 40004, PKT_SYN, 0);
	struct local l = open_conn(f, hook, STD_FNAT_TCP, &syn, pkt_addr(FIX_LIP1),
				   XVS_LPORT_MIN_DEFAULT, XVS_LPORT_MAX_DEFAULT);
	struct pkt_spec rs_in = at_rs(STD_FNAT_TCP, &syn, l);
	struct pkt_spec reply = fix_rs_reply_spec(&rs_in, PKT_ACK, 10);

	ASSERT(l.port);
	/* to a local port no connection holds: not ours */
	reply.l4.dport = l.port == 65535 ? 1025 : l.port + 1;
	fix_expect_spec(f, hook, &reply, V_PASS, NULL);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_PASS_NO_SVC), 1);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_REPLY_FNAT), 0);
}

static void fnat_reply_to_unknown_local_port_passes(void)
{
	fix_each_hook(unknown_reply_hook);
}

static void ip_opts_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec syn = client(STD_FNAT_TCP, 40005, PKT_SYN, 0);
	struct local l;
	struct pkt_spec rs_in, synack;

	memcpy(syn.ip.opts, ip_opts, sizeof(ip_opts));
	syn.ip.opts_len = sizeof(ip_opts);
	l = open_conn(f, hook, STD_FNAT_TCP, &syn, pkt_addr(FIX_LIP1), XVS_LPORT_MIN_DEFAULT,
		      XVS_LPORT_MAX_DEFAULT);
	ASSERT(l.port);
	rs_in = at_rs(STD_FNAT_TCP, &syn, l);
	synack = fix_rs_reply_spec(&rs_in, PKT_SYN | PKT_ACK, 0);
	memcpy(synack.ip.opts, ip_opts, sizeof(ip_opts));
	synack.ip.opts_len = sizeof(ip_opts);
	expect_reply(f, hook, &synack, &syn);
}

static void fnat_ip_options_kept(void)
{
	fix_each_hook(ip_opts_hook);
}

static void round_robin_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	const uint32_t lips[2] = { pkt_addr(FIX_LIP1), pkt_addr(FIX_LIP2) };
	struct xvs_laddr_set set;

	ASSERT(fix_laddrs(f, STD_FNAT_TCP, lips, 2) == 0);
	for (int i = 0; i < 5; i++) {
		struct pkt_spec syn = client(STD_FNAT_TCP, 40100 + i, PKT_SYN, 0);

		open_conn(f, hook, STD_FNAT_TCP, &syn, lips[i % 2], XVS_LPORT_MIN_DEFAULT,
			  XVS_LPORT_MAX_DEFAULT);
	}
	ASSERT(fix_laddrs_get(f, STD_FNAT_TCP, &set) == 0);
	EXPECT_EQ_INT(set.cursor, 5);
	EXPECT_EQ_INT(fix_conn_out_count(f), 5);
}

static void fnat_local_addresses_round_robin(void)
{
	fix_each_hook(round_robin_hook);
}

static void no_laddr_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec syn = client(STD_FNAT_NO_LADDR, 40006, PKT_SYN, 0);
	uint64_t counters[XVS_CNT_MAX] = {
		[XVS_CNT_RX] = 1, [XVS_CNT_DROP_NO_LADDR] = 1,
	};

	fix_expect_spec(f, hook, &syn, V_DROP, NULL);
	EXPECT_EQ_INT(fix_conn_count(f), 0);
	EXPECT_EQ_INT(fix_conn_out_count(f), 0);
	fix_expect_counters(f, counters);
}

static void fnat_service_without_local_address_drops(void)
{
	fix_each_hook(no_laddr_hook);
}

/* ---- TOA ---------------------------------------------------------------------- */

/* TCP options of the handshake-completing ACK. */
static const uint8_t opts_ts[12] = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2 };

struct toa_case {
	const char *name;
	size_t opts_len;	/* opts_ts then NOPs */
	size_t payload;
	bool ip_opts;
	bool reply_seen;	/* SYN-ACK before the ACK (else INPUT-ONLY) */
	bool room;		/* data offset <= 13 */
};

static const struct toa_case toa_cases[] = {
	{ "pure ACK, doff 5 -> 7", 0, 0, false, true, true },
	{ "ACK with payload", 0, 200, false, true, true },
	{ "timestamps, doff 8 -> 10", 12, 0, false, true, true },
	{ "timestamps and payload", 12, 100, false, true, true },
	{ "doff 13 -> 15", 32, 10, false, true, true },
	{ "IP options", 12, 10, true, true, true },
	{ "no SYN-ACK seen (INPUT-ONLY)", 12, 0, false, false, true },
	{ "doff 14: no room", 36, 10, false, true, false },
	{ "doff 15: no room", 40, 0, false, true, false },
};

static struct pkt_spec toa_ack(const struct toa_case *tc, uint16_t sport)
{
	struct pkt_spec ack = client(STD_FNAT_TCP, sport, PKT_ACK, tc->payload);

	memset(ack.l4.opts, 1, tc->opts_len);	/* NOP */
	memcpy(ack.l4.opts, opts_ts, tc->opts_len < sizeof(opts_ts) ? tc->opts_len
								    : sizeof(opts_ts));
	ack.l4.opts_len = tc->opts_len;
	if (tc->ip_opts) {
		memcpy(ack.ip.opts, ip_opts, sizeof(ip_opts));
		ack.ip.opts_len = sizeof(ip_opts);
	}
	return ack;
}

static void toa_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	for (size_t i = 0; i < sizeof(toa_cases) / sizeof(toa_cases[0]); i++) {
		const struct toa_case *tc = &toa_cases[i];
		uint16_t sport = 42000 + i;
		struct pkt_spec syn = client(STD_FNAT_TCP, sport, PKT_SYN, 0);
		struct pkt_spec ack = toa_ack(tc, sport);
		struct pkt_spec next = ack;
		uint64_t added = fix_counter(f, XVS_CNT_TOA_ADDED);
		uint64_t no_room = fix_counter(f, XVS_CNT_TOA_NO_ROOM);
		int failures = test_case_failures;
		struct xvs_stats before, after;
		struct local l;

		if (tc->ip_opts) {
			memcpy(syn.ip.opts, ip_opts, sizeof(ip_opts));
			syn.ip.opts_len = sizeof(ip_opts);
		}
		/* the SYN itself carries no TOA (open_conn's bytes) */
		l = open_conn(f, hook, STD_FNAT_TCP, &syn, pkt_addr(FIX_LIP1),
			      XVS_LPORT_MIN_DEFAULT, XVS_LPORT_MAX_DEFAULT);
		ASSERT(l.port);
		if (tc->reply_seen) {
			struct pkt_spec rs_in = at_rs(STD_FNAT_TCP, &syn, l);
			struct pkt_spec synack = fix_rs_reply_spec(&rs_in, PKT_SYN | PKT_ACK, 0);

			expect_reply(f, hook, &synack, &syn);
		}
		ASSERT(fix_svc_stats(f, STD_FNAT_TCP, &before) == 0);
		expect_request(f, hook, STD_FNAT_TCP, &ack, l, tc->room);
		EXPECT_EQ_INT(conn_state(f, &ack), XVS_CS_ESTABLISHED);
		EXPECT_EQ_INT(fix_counter(f, XVS_CNT_TOA_ADDED), added + tc->room);
		EXPECT_EQ_INT(fix_counter(f, XVS_CNT_TOA_NO_ROOM), no_room + !tc->room);
		/* statistics count the packet as received, before TOA */
		ASSERT(fix_svc_stats(f, STD_FNAT_TCP, &after) == 0);
		EXPECT_EQ_INT(after.inbytes - before.inbytes,
			      20 + ack.ip.opts_len + 20 + ack.l4.opts_len + ack.l4.payload_len);
		/* established: the next packets go without TOA */
		next.l4.flags = PKT_ACK | PKT_PSH;
		next.l4.payload_len = 50;
		expect_request(f, hook, STD_FNAT_TCP, &next, l, false);
		expect_request(f, hook, STD_FNAT_TCP, &ack, l, false);
		EXPECT_EQ_INT(fix_counter(f, XVS_CNT_TOA_ADDED), added + tc->room);
		if (test_case_failures != failures)
			printf("# ^ TOA case: %s\n", tc->name);
	}
}

static void fnat_toa_in_handshake_ack_only(void)
{
	fix_each_hook(toa_hook);
}

static void toa_fin_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	/* SYN_RECV -> something else than ESTABLISHED: no TOA (a FIN or RST
	 * right after the SYN, a second SYN) */
	static const uint8_t flags[] = { PKT_FIN | PKT_ACK, PKT_RST | PKT_ACK, PKT_SYN };

	for (size_t i = 0; i < sizeof(flags); i++) {
		struct pkt_spec syn = client(STD_FNAT_TCP, 42100 + i, PKT_SYN, 0);
		struct pkt_spec pkt = client(STD_FNAT_TCP, 42100 + i, flags[i], 0);
		struct local l = open_conn(f, hook, STD_FNAT_TCP, &syn, pkt_addr(FIX_LIP1),
					   XVS_LPORT_MIN_DEFAULT, XVS_LPORT_MAX_DEFAULT);

		ASSERT(l.port);
		expect_request(f, hook, STD_FNAT_TCP, &pkt, l, false);
	}
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_TOA_ADDED), 0);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_TOA_NO_ROOM), 0);
}

static void fnat_no_toa_without_handshake_completion(void)
{
	fix_each_hook(toa_fin_hook);
}

/* ---- local port exhaustion -------------------------------------------------- */

static void exhaustion_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	enum { MIN = 2000, MAX = 2003, N = 8 };
	const uint32_t lips[2] = { pkt_addr(FIX_LIP1), pkt_addr(FIX_LIP2) };
	struct local got[N];
	struct pkt_spec syn9 = client(STD_FNAT_TCP, 41000 + N, PKT_SYN, 0);
	struct pkt_spec syn10 = client(STD_FNAT_TCP, 41000 + N + 1, PKT_SYN, 0);
	struct pkt_spec old = client(STD_FNAT_TCP, 41005, PKT_SYN, 0);
	struct pkt_spec ack3 = client(STD_FNAT_TCP, 41003, PKT_ACK, 20);
	struct xvs_conn_key k9 = fix_conn_key(&syn9), kold = fix_conn_key(&old), ok, fwd;
	struct xvs_conn c;
	struct local l;
	uint64_t counters[XVS_CNT_MAX] = {
		[XVS_CNT_RX] = N + 1 + 2 + 1, [XVS_CNT_FWD_FNAT] = N + 2 + 1,
		[XVS_CNT_CONN_NEW] = N + 1, [XVS_CNT_DROP_NO_LPORT] = 1,
		[XVS_CNT_TOA_ADDED] = 1, [XVS_CNT_CONN_EXPIRED] = 1,
	};

	/* 4 ports x 2 local addresses toward RS1:8087: 8 connections */
	ASSERT(fix_lport_range(f, MIN, MAX) == 0);
	ASSERT(fix_laddrs(f, STD_FNAT_TCP, lips, 2) == 0);
	for (int i = 0; i < N; i++) {
		struct pkt_spec syn = client(STD_FNAT_TCP, 41000 + i, PKT_SYN, 0);

		got[i] = open_conn(f, hook, STD_FNAT_TCP, &syn, lips[i % 2], MIN, MAX);
		ASSERT(got[i].port);
		for (int j = 0; j < i; j++)
			if (got[j].addr == got[i].addr && got[j].port == got[i].port)
				test_fail(__FILE__, __LINE__, "connections %d and %d share %u", j,
					  i, got[i].port);
	}
	/* the ninth finds nothing free: dropped, nothing recorded */
	fix_expect_spec(f, hook, &syn9, V_DROP, NULL);
	EXPECT(fix_conn_get(f, &k9, &c) != 0);
	EXPECT_EQ_INT(fix_conn_count(f), N);
	EXPECT_EQ_INT(fix_conn_out_count(f), N);
	/* established flows go on (this ACK completes its handshake: TOA) */
	expect_request(f, hook, STD_FNAT_TCP, &ack3, got[3], true);
	ack3.l4.payload_len = 30;
	expect_request(f, hook, STD_FNAT_TCP, &ack3, got[3], false);
	/* one connection expires (SYN_RECV: 60 s): its port is free again */
	ASSERT(fix_conn_get(f, &kold, &c) == 0);
	c.last_seen_ns = fix_now_ns() - 61 * SEC_NS;
	ASSERT(fix_conn_put(f, &kold, &c) == 0);
	l = open_conn(f, hook, STD_FNAT_TCP, &syn10, got[5].addr, MIN, MAX);
	EXPECT_EQ_INT(l.port, got[5].port);
	EXPECT(fix_conn_get(f, &kold, &c) != 0);
	ok = out_key(STD_FNAT_TCP, &syn10, got[5]);
	ASSERT(fix_conn_out_get(f, &ok, &fwd) == 0);
	k9 = fix_conn_key(&syn10);
	EXPECT(memcmp(&fwd, &k9, sizeof(k9)) == 0);
	EXPECT_EQ_INT(fix_conn_count(f), N);
	EXPECT_EQ_INT(fix_conn_out_count(f), N);
	fix_expect_counters(f, counters);
}

static void fnat_local_ports_exhausted_then_reused(void)
{
	fix_each_hook(exhaustion_hook);
}

static void claimed_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	/* another CPU claimed a port (BPF_NOEXIST in xvs_conns_out) and has
	 * not written its connection yet: the port is taken all the same */
	const uint16_t ports[2] = { 3000, 3001 };
	struct xvs_conn_key other = fix_key(pkt_addr("10.99.0.77"), pkt_addr(FIX_VIP), 1234, 87,
					    IPPROTO_TCP);
	struct pkt_spec last = client(STD_FNAT_TCP, 43009, PKT_SYN, 0);
	struct xvs_conn_key klast = fix_conn_key(&last);
	struct xvs_conn c;

	ASSERT(fix_lport_range(f, ports[0], ports[1]) == 0);
	for (int i = 0; i < 2; i++) {
		struct pkt_spec syn = client(STD_FNAT_TCP, 43000 + i, PKT_SYN, 0);
		struct local claimed = { pkt_addr(FIX_LIP1), ports[i] }, l;
		struct xvs_conn_key ck = out_key(STD_FNAT_TCP, &syn, claimed), k, fwd;

		ASSERT(fix_conn_out_put(f, &ck, &other) == 0);
		l = open_conn(f, hook, STD_FNAT_TCP, &syn, pkt_addr(FIX_LIP1), ports[0], ports[1]);
		EXPECT_EQ_INT(l.port, ports[1 - i]);
		ASSERT(fix_conn_out_get(f, &ck, &fwd) == 0);	/* the claim is left alone */
		EXPECT(memcmp(&fwd, &other, sizeof(other)) == 0);
		if (i == 1)
			break;
		/* free both for the other round */
		k = fix_conn_key(&syn);
		ck = out_key(STD_FNAT_TCP, &syn, l);
		ASSERT(fix_conn_del(f, &k) == 0);
		ASSERT(fix_conn_out_del(f, &ck) == 0);
		ck = out_key(STD_FNAT_TCP, &syn, claimed);
		ASSERT(fix_conn_out_del(f, &ck) == 0);
	}
	/* 3001 claimed in flight, 3000 held: nothing left */
	fix_expect_spec(f, hook, &last, V_DROP, NULL);
	EXPECT(fix_conn_get(f, &klast, &c) != 0);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_DROP_NO_LPORT), 1);
	EXPECT_EQ_INT(fix_conn_out_count(f), 2);
}

static void fnat_claimed_local_port_skipped(void)
{
	fix_each_hook(claimed_hook);
}

static void expired_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	/* the client reopens after its connection expired: the old pair
	 * (and so its local port) is gone, a new one is made */
	struct pkt_spec syn = client(STD_FNAT_TCP, 40300, PKT_SYN, 0);
	struct xvs_conn_key k = fix_conn_key(&syn), ok, fwd;
	struct xvs_conn c;
	struct local first, second;

	ASSERT(fix_lport_range(f, 5000, 5001) == 0);
	first = open_conn(f, hook, STD_FNAT_TCP, &syn, pkt_addr(FIX_LIP1), 5000, 5001);
	ASSERT(first.port);
	ASSERT(fix_conn_get(f, &k, &c) == 0);
	c.last_seen_ns = fix_now_ns() - 61 * SEC_NS;	/* SYN_RECV: 60 s */
	ASSERT(fix_conn_put(f, &k, &c) == 0);
	second = open_conn(f, hook, STD_FNAT_TCP, &syn, pkt_addr(FIX_LIP1), 5000, 5001);
	ASSERT(second.port);
	EXPECT_EQ_INT(fix_conn_count(f), 1);
	EXPECT_EQ_INT(fix_conn_out_count(f), 1);
	if (second.port != first.port) {
		ok = out_key(STD_FNAT_TCP, &syn, first);
		EXPECT(fix_conn_out_get(f, &ok, &fwd) != 0);
	}
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_CONN_EXPIRED), 1);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_CONN_NEW), 2);
}

static void fnat_expired_conn_replaced(void)
{
	fix_each_hook(expired_hook);
}

/* Closes the client's connection of syn (TIME_WAIT, still live). */
static void to_time_wait(struct pkt_fixture *f, const struct pkt_spec *syn)
{
	struct xvs_conn_key k = fix_conn_key(syn);
	struct xvs_conn c;

	ASSERT(fix_conn_get(f, &k, &c) == 0);
	c.state = XVS_CS_TIME_WAIT;
	ASSERT(fix_conn_put(f, &k, &c) == 0);
}

static void reuse_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	/* the client reopens its 5-tuple while the director's entry is in
	 * TIME_WAIT (IPVS's conn_reuse_mode): the new connection leaves from
	 * the same local address and port, out of 1,000 (the real server's
	 * TIME_WAIT of that pair accepts only the same client's SYN) */
	struct pkt_spec syn = client(STD_FNAT_TCP, 40400, PKT_SYN, 0);
	struct local first, again, narrowed;

	ASSERT(fix_lport_range(f, 5000, 5999) == 0);
	first = open_conn(f, hook, STD_FNAT_TCP, &syn, pkt_addr(FIX_LIP1), 5000, 5999);
	ASSERT(first.port);
	to_time_wait(f, &syn);
	again = open_conn(f, hook, STD_FNAT_TCP, &syn, pkt_addr(FIX_LIP1), 5000, 5999);
	EXPECT_EQ_INT(again.port, first.port);
	EXPECT_EQ_INT(again.addr, first.addr);
	EXPECT_EQ_INT(fix_conn_out_count(f), 1);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_CONN_RESCHED), 1);
	/* a port the range no longer has is not reused */
	to_time_wait(f, &syn);
	ASSERT(fix_lport_range(f, 6000, 6001) == 0);
	narrowed = open_conn(f, hook, STD_FNAT_TCP, &syn, pkt_addr(FIX_LIP1), 6000, 6001);
	ASSERT(narrowed.port);
	EXPECT_EQ_INT(fix_conn_out_count(f), 1);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_CONN_NEW), 3);
}

static void fnat_reused_tuple_keeps_local_port(void)
{
	fix_each_hook(reuse_hook);
}

/* ---- statistics -------------------------------------------------------------- */

static void stats_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec syn = client(STD_FNAT_TCP, 40200, PKT_SYN, 0);
	struct pkt_spec ack = client(STD_FNAT_TCP, 40200, PKT_ACK, 100);
	struct local l = open_conn(f, hook, STD_FNAT_TCP, &syn, pkt_addr(FIX_LIP1),
				   XVS_LPORT_MIN_DEFAULT, XVS_LPORT_MAX_DEFAULT);
	struct pkt_spec rs_in = at_rs(STD_FNAT_TCP, &syn, l);
	struct pkt_spec synack = fix_rs_reply_spec(&rs_in, PKT_SYN | PKT_ACK, 0);
	struct pkt_spec data = fix_rs_reply_spec(&rs_in, PKT_ACK, 500);
	struct xvs_stats st;

	ASSERT(l.port);
	expect_reply(f, hook, &synack, &syn);
	expect_request(f, hook, STD_FNAT_TCP, &ack, l, true);
	expect_reply(f, hook, &data, &syn);
	for (int i = 0; i < 2; i++) {
		ASSERT((i ? fix_dest_stats(f, STD_FNAT_TCP, &st)
			  : fix_svc_stats(f, STD_FNAT_TCP, &st)) == 0);
		EXPECT_EQ_INT(st.conns, 1);
		EXPECT_EQ_INT(st.inpkts, 2);
		EXPECT_EQ_INT(st.inbytes, 40 + 140);	/* as received, before TOA */
		EXPECT_EQ_INT(st.outpkts, 2);
		EXPECT_EQ_INT(st.outbytes, 40 + 540);
	}
}

static void fnat_stats_in_and_out(void)
{
	fix_each_hook(stats_hook);
}

static const struct test_case cases[] = {
	TEST_CASE(fnat_tcp_syn_from_local_address),
	TEST_CASE(fnat_local_ports_in_range_and_unshared),
	TEST_CASE(fnat_reply_rewritten_to_client),
	TEST_CASE(fnat_udp_request_reply_and_checksum_zero),
	TEST_CASE(fnat_reply_to_unknown_local_port_passes),
	TEST_CASE(fnat_ip_options_kept),
	TEST_CASE(fnat_local_addresses_round_robin),
	TEST_CASE(fnat_service_without_local_address_drops),
	TEST_CASE(fnat_toa_in_handshake_ack_only),
	TEST_CASE(fnat_no_toa_without_handshake_completion),
	TEST_CASE(fnat_local_ports_exhausted_then_reused),
	TEST_CASE(fnat_claimed_local_port_skipped),
	TEST_CASE(fnat_expired_conn_replaced),
	TEST_CASE(fnat_reused_tuple_keeps_local_port),
	TEST_CASE(fnat_stats_in_and_out),
};

TEST_MAIN(cases)
