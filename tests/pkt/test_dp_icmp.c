// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Packet tests of ICMP error translation through both the XDP and the tc
 * program, from the issue 4 contract: errors from the real-server side
 * (fragmentation needed, port and host unreachable) go to the client with
 * the quote turned back into exactly the packet the client sent; errors
 * from the client side (time exceeded, port unreachable) go to the real
 * server as it would expect them for NAT and FULLNAT, as a DR or TUN
 * packet otherwise; errors about unknown flows and echo pass untouched.
 * Expected frames are built from scratch (tests/harness/pkt.c), so every
 * checksum (outer IP, ICMP, quoted IP, quoted TCP/UDP) is checked. */
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "pkt.h"
#include "test.h"

#define FIX_ROUTER	"10.99.0.254"	/* a router on link A sending errors */

static const uint8_t mac_router[6] = { 0x02, 0, 0, 0, 0x00, 0xfe };

/* One flow through the director, as both ends see it. */
struct flow {
	enum fix_std_svc svc;
	struct pkt_spec client_pkt;	/* a packet as the client sent it */
	struct pkt_spec rs_pkt;		/* the same as the real server got it */
	uint32_t laddr;			/* FULLNAT local address */
};

static struct pkt_spec client(enum fix_std_svc svc, uint16_t sport, uint8_t flags, size_t len)
{
	struct pkt_spec s = fix_std_spec(svc, flags, len);

	s.l4.sport = sport;
	return s;
}

/* Opens a connection of svc from sport (TCP: SYN then ACK, so FULLNAT's
 * TOA is behind us), then describes a data packet of len bytes of it. */
static bool open_flow(struct pkt_fixture *f, enum pkt_hook hook, enum fix_std_svc svc,
		      uint16_t sport, size_t len, bool udp_csum_zero, struct flow *fl)
{
	bool tcp = fix_std[svc].proto == IPPROTO_TCP;
	struct pkt_spec first = client(svc, sport, tcp ? PKT_SYN : 0, tcp ? 0 : len);
	struct xvs_conn_key k = fix_conn_key(&first);
	uint8_t out[PKT_MAX];
	size_t out_len;
	struct xvs_conn c;
	int failures = test_case_failures;

	memset(fl, 0, sizeof(*fl));
	fl->svc = svc;
	first.l4.udp_csum_zero = udp_csum_zero;
	fix_run_spec(f, hook, &first, V_TX, out, &out_len);
	if (fix_conn_get(f, &k, &c)) {
		test_fail(__FILE__, __LINE__, "%s: no connection", fix_hook_name(hook));
		return false;
	}
	if (tcp) {
		struct pkt_spec ack = client(svc, sport, PKT_ACK, 0);

		fix_run_spec(f, hook, &ack, V_TX, out, &out_len);
		fl->client_pkt = client(svc, sport, PKT_ACK | PKT_PSH, len);
	} else {
		fl->client_pkt = first;
	}
	switch (fix_std[svc].fwd) {
	case XVS_FWD_NAT:
		fl->rs_pkt = fix_nat_spec(&fl->client_pkt, fix_std[svc].rs, fix_std_rport(svc));
		break;
	case XVS_FWD_FNAT:
		fl->laddr = c.laddr;
		fl->rs_pkt = fix_fnat_spec(&fl->client_pkt, fix_std[svc].rs, fix_std_rport(svc),
					   c.laddr, ntohs(c.lport));
		break;
	default:
		fl->rs_pkt = fl->client_pkt;
		break;
	}
	return failures == test_case_failures;
}

static void snapshot_counters(struct pkt_fixture *f, uint64_t c[XVS_CNT_MAX])
{
	for (int i = 0; i < XVS_CNT_MAX; i++)
		c[i] = fix_counter(f, i);
}

/* ---- errors from the real-server side ----------------------------------------- */

struct rs_case {
	const char *name;
	enum fix_std_svc svc;
	uint8_t type, code;
	uint16_t mtu;
	size_t payload;		/* of the quoted packet */
	size_t quote_len;	/* bytes of it quoted */
	bool from_router;	/* sent by a router on the way, not the RS */
	bool udp_csum_zero;
};

static const struct rs_case rs_cases[] = {
	{ "NAT TCP frag needed, 28 bytes quoted", STD_NAT, PKT_ICMP_UNREACH,
	  PKT_UNREACH_FRAG_NEEDED, 1400, 1400, 28, false, false },
	{ "NAT TCP frag needed, 548 bytes quoted (TCP checksum inside)", STD_NAT_MAP,
	  PKT_ICMP_UNREACH, PKT_UNREACH_FRAG_NEEDED, 1280, 1400, 548, false, false },
	{ "NAT TCP frag needed from a router", STD_NAT, PKT_ICMP_UNREACH,
	  PKT_UNREACH_FRAG_NEEDED, 1400, 1400, 28, true, false },
	{ "NAT UDP port unreachable, 28 bytes (UDP checksum inside)", STD_NAT_UDP,
	  PKT_ICMP_UNREACH, PKT_UNREACH_PORT, 0, 100, 28, false, false },
	{ "NAT UDP port unreachable, whole packet", STD_NAT_UDP, PKT_ICMP_UNREACH,
	  PKT_UNREACH_PORT, 0, 100, 128, false, false },
	{ "NAT UDP without checksum", STD_NAT_UDP, PKT_ICMP_UNREACH, PKT_UNREACH_PORT, 0,
	  100, 128, false, true },
	{ "FULLNAT TCP frag needed, 28 bytes", STD_FNAT_TCP, PKT_ICMP_UNREACH,
	  PKT_UNREACH_FRAG_NEEDED, 1400, 1400, 28, false, false },
	{ "FULLNAT TCP frag needed, 548 bytes", STD_FNAT_TCP, PKT_ICMP_UNREACH,
	  PKT_UNREACH_FRAG_NEEDED, 1400, 1400, 548, false, false },
	{ "FULLNAT UDP port unreachable, 28 bytes", STD_FNAT_UDP, PKT_ICMP_UNREACH,
	  PKT_UNREACH_PORT, 0, 60, 28, false, false },
	{ "FULLNAT UDP host unreachable from a router, whole packet", STD_FNAT_UDP,
	  PKT_ICMP_UNREACH, 1, 0, 60, 88, true, false },
	{ "FULLNAT UDP without checksum", STD_FNAT_UDP, PKT_ICMP_UNREACH, PKT_UNREACH_PORT,
	  0, 60, 88, false, true },
	{ "NAT TCP time exceeded", STD_NAT, PKT_ICMP_TIME_EXCEEDED, 0, 0, 10, 28, true,
	  false },
};

static void rs_side_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	for (size_t i = 0; i < sizeof(rs_cases) / sizeof(rs_cases[0]); i++) {
		const struct rs_case *rc = &rs_cases[i];
		const char *rs = fix_std[rc->svc].rs;
		struct pkt_l2 l2 = { .nvlan = 0 };
		struct pkt_ip outer = {
			.saddr = pkt_addr(rc->from_router ? FIX_ROUTER : rs),
			.tos = 0xc0,
			.ttl = 64,
			.id = 0x5500 + i,
		}, want_outer;
		struct pkt_l2 want_l2;
		uint8_t in[PKT_MAX], want[PKT_MAX];
		size_t in_len, want_len;
		uint64_t counters[XVS_CNT_MAX];
		int failures = test_case_failures;
		struct flow fl;

		if (!open_flow(f, hook, rc->svc, 45000 + i, rc->payload, rc->udp_csum_zero, &fl))
			goto next;
		memcpy(l2.dst, fix_mac_dir_a, 6);
		memcpy(l2.src, rc->from_router ? mac_router : fix_rs_mac(pkt_addr(rs)), 6);
		/* to whom the RS sent the quoted packet's answer */
		outer.daddr = fl.rs_pkt.ip.saddr;
		in_len = fix_icmp_error(in, &l2, &outer, rc->type, rc->code, rc->mtu, &fl.rs_pkt,
					rc->quote_len);
		/* from the VIP to the client, quoting what the client sent */
		want_outer = outer;
		want_outer.saddr = fl.client_pkt.ip.daddr;
		want_outer.daddr = fl.client_pkt.ip.saddr;
		want_l2 = fix_l2_to_client(&l2);
		want_len = fix_icmp_error(want, &want_l2, &want_outer, rc->type, rc->code, rc->mtu,
					  &fl.client_pkt, rc->quote_len);
		snapshot_counters(f, counters);
		fix_expect_run(f, hook, in, in_len, V_TX, want, want_len);
		counters[XVS_CNT_RX]++;
		counters[XVS_CNT_ICMP_OUT]++;
		fix_expect_counters(f, counters);
next:
		if (test_case_failures != failures)
			printf("# ^ case: %s\n", rc->name);
	}
}

static void icmp_from_rs_side_translated_to_client(void)
{
	fix_each_hook(rs_side_hook);
}

/* ---- errors from the client side ------------------------------------------------ */

struct client_case {
	const char *name;
	enum fix_std_svc svc;
	uint8_t type, code;
	size_t payload;		/* of the quoted reply */
	size_t quote_len;
	bool from_router;	/* else from the client itself */
};

static const struct client_case client_cases[] = {
	{ "NAT TCP time exceeded from a router", STD_NAT, PKT_ICMP_TIME_EXCEEDED, 0, 500, 28,
	  true },
	{ "NAT TCP time exceeded, whole reply quoted", STD_NAT_MAP, PKT_ICMP_TIME_EXCEEDED, 0,
	  300, 340, true },
	{ "NAT UDP port unreachable from the client", STD_NAT_UDP, PKT_ICMP_UNREACH,
	  PKT_UNREACH_PORT, 50, 78, false },
	{ "FULLNAT TCP time exceeded from the client", STD_FNAT_TCP, PKT_ICMP_TIME_EXCEEDED, 0,
	  500, 28, false },
	{ "FULLNAT TCP time exceeded from a router", STD_FNAT_TCP, PKT_ICMP_TIME_EXCEEDED, 0,
	  500, 28, true },
	{ "FULLNAT UDP port unreachable from the client, whole reply", STD_FNAT_UDP,
	  PKT_ICMP_UNREACH, PKT_UNREACH_PORT, 40, 68, false },
	{ "DR TCP time exceeded from a router", STD_DR_TCP, PKT_ICMP_TIME_EXCEEDED, 0, 500, 28,
	  true },
	{ "DR UDP port unreachable from the client", STD_DR_UDP, PKT_ICMP_UNREACH,
	  PKT_UNREACH_PORT, 30, 58, false },
	{ "TUN TCP time exceeded from a router", STD_TUN_TCP, PKT_ICMP_TIME_EXCEEDED, 0, 500,
	  28, true },
	{ "TUN UDP port unreachable from the client", STD_TUN_UDP, PKT_ICMP_UNREACH,
	  PKT_UNREACH_PORT, 30, 58, false },
};

static void client_side_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	for (size_t i = 0; i < sizeof(client_cases) / sizeof(client_cases[0]); i++) {
		const struct client_case *cc = &client_cases[i];
		const char *rs = fix_std[cc->svc].rs;
		enum xvs_fwd fwd = fix_std[cc->svc].fwd;
		struct pkt_l2 l2 = { .nvlan = 0 }, want_l2;
		struct pkt_ip outer = {
			.saddr = pkt_addr(cc->from_router ? FIX_ROUTER : FIX_CLIENT),
			.tos = 0xc0,
			.ttl = 62,
			.id = 0x6600 + i,
		}, want_outer;
		struct pkt_spec rs_reply, client_got;
		uint8_t in[PKT_MAX], want[PKT_MAX];
		size_t in_len, want_len;
		uint64_t counters[XVS_CNT_MAX];
		int failures = test_case_failures;
		struct flow fl;

		if (!open_flow(f, hook, cc->svc, 46000 + i, 10, false, &fl))
			goto next;
		memcpy(l2.dst, fix_mac_dir_a, 6);
		memcpy(l2.src, cc->from_router ? mac_router : fix_mac_client, 6);
		/* the RS's reply (as it sent it: for DR/TUN from the VIP),
		 * dying on the way with TTL 1; the client side quotes it
		 * as it arrived there */
		rs_reply = fix_rs_reply_spec(&fl.rs_pkt, fl.rs_pkt.ip.proto == IPPROTO_TCP ?
					     PKT_ACK | PKT_PSH : 0, cc->payload);
		rs_reply.ip.ttl = 1;
		client_got = fix_reply_to_client_spec(&rs_reply, &fl.client_pkt);
		outer.daddr = client_got.ip.saddr;	/* the VIP */
		in_len = fix_icmp_error(in, &l2, &outer, cc->type, cc->code, 0, &client_got,
					cc->quote_len);

		want_l2 = fix_l2_toward(&l2, rs);
		want_outer = outer;
		if (fwd == XVS_FWD_NAT || fwd == XVS_FWD_FNAT)
			want_outer.daddr = pkt_addr(rs);
		/* FULLNAT: the RS only knows the local address. Ambiguity
		 * (contract says "outer saddr CIP -> LIP"): an error from a
		 * router between client and director gets the local address
		 * too, as DPVS hides everything on the client side. */
		if (fwd == XVS_FWD_FNAT)
			want_outer.saddr = fl.laddr;
		if (fwd == XVS_FWD_TUN) {
			uint8_t *ip = in + 14;

			want_len = fix_expect_tun_ip(want, &l2, ip, in_len - 14, rs);
		} else if (fwd == XVS_FWD_DR) {
			want_len = fix_icmp_error(want, &want_l2, &want_outer, cc->type, cc->code,
						  0, &client_got, cc->quote_len);
		} else {
			want_len = fix_icmp_error(want, &want_l2, &want_outer, cc->type, cc->code,
						  0, &rs_reply, cc->quote_len);
		}
		snapshot_counters(f, counters);
		fix_expect_run(f, hook, in, in_len, V_TX, want, want_len);
		counters[XVS_CNT_RX]++;
		counters[XVS_CNT_ICMP_IN]++;
		fix_expect_counters(f, counters);
next:
		if (test_case_failures != failures)
			printf("# ^ case: %s\n", cc->name);
	}
}

static void icmp_from_client_side_sent_to_rs(void)
{
	fix_each_hook(client_side_hook);
}

/* ---- what passes ----------------------------------------------------------------- */

/* Sends frame in (in_len bytes), expects it passed untouched and, unless
 * reason is XVS_CNT_MAX, counted as such. */
static void expect_pass(struct pkt_fixture *f, enum pkt_hook hook, const uint8_t *in,
			size_t in_len, enum xvs_counter reason, const char *what)
{
	uint64_t counters[XVS_CNT_MAX];
	int failures = test_case_failures;

	snapshot_counters(f, counters);
	fix_expect_run(f, hook, in, in_len, V_PASS, in, in_len);
	if (reason != XVS_CNT_MAX) {
		counters[XVS_CNT_RX]++;
		counters[reason]++;
		fix_expect_counters(f, counters);
	}
	if (test_case_failures != failures)
		printf("# ^ %s\n", what);
}

static void unknown_flow_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_l2 l2 = { .nvlan = 0 };
	struct pkt_ip outer = { .tos = 0xc0, .ttl = 64, .id = 0x7700 };
	uint8_t in[PKT_MAX];
	size_t in_len;
	struct flow fl;
	struct pkt_spec other, other_rs, reply;

	/* a known flow, so that "unknown" below is about the key */
	ASSERT(open_flow(f, hook, STD_FNAT_TCP, 47000, 100, false, &fl));
	memcpy(l2.dst, fix_mac_dir_a, 6);
	memcpy(l2.src, fix_rs_mac(pkt_addr(FIX_RS1)), 6);

	/* from RS1 about a NAT request never seen (another client port) */
	other = client(STD_NAT, 47001, PKT_ACK, 100);
	other_rs = fix_nat_spec(&other, FIX_RS1, 85);
	outer.saddr = pkt_addr(FIX_RS1);
	outer.daddr = other.ip.saddr;
	in_len = fix_icmp_error(in, &l2, &outer, PKT_ICMP_UNREACH, PKT_UNREACH_FRAG_NEEDED,
				1400, &other_rs, 28);
	expect_pass(f, hook, in, in_len, XVS_CNT_PASS_NOT_L4, "RS side, NAT, no connection");

	/* from RS1 to the local address about a local port nobody holds */
	other_rs = fl.rs_pkt;
	other_rs.l4.sport = other_rs.l4.sport == 65535 ? 1025 : other_rs.l4.sport + 1;
	outer.daddr = fl.laddr;
	in_len = fix_icmp_error(in, &l2, &outer, PKT_ICMP_UNREACH, PKT_UNREACH_FRAG_NEEDED,
				1400, &other_rs, 28);
	expect_pass(f, hook, in, in_len, XVS_CNT_PASS_NOT_L4, "RS side, FULLNAT, unknown port");

	/* from the client side about a reply of no connection */
	memcpy(l2.src, fix_mac_client, 6);
	reply = fix_rs_reply_spec(&other, PKT_ACK, 10);	/* VIP:85 -> CIP:47001 */
	outer.saddr = pkt_addr(FIX_CLIENT);
	outer.daddr = pkt_addr(FIX_VIP);
	in_len = fix_icmp_error(in, &l2, &outer, PKT_ICMP_TIME_EXCEEDED, 0, 0, &reply, 28);
	expect_pass(f, hook, in, in_len, XVS_CNT_PASS_NOT_L4, "client side, no connection");

	/* a known flow, but a quote cut inside the ports: not parseable as
	 * IPv4 + 8 bytes, so not translated (reason not specified) */
	memcpy(l2.src, fix_rs_mac(pkt_addr(FIX_RS1)), 6);
	outer.saddr = pkt_addr(FIX_RS1);
	outer.daddr = fl.laddr;
	in_len = fix_icmp_error(in, &l2, &outer, PKT_ICMP_UNREACH, PKT_UNREACH_PORT, 0,
				&fl.rs_pkt, 24);
	expect_pass(f, hook, in, in_len, XVS_CNT_MAX, "RS side, quote of 24 bytes");
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_ICMP_OUT), 0);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_ICMP_IN), 0);
}

static void icmp_about_unknown_flow_passes(void)
{
	fix_each_hook(unknown_flow_hook);
}

static void echo_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	static const uint8_t data[56] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct pkt_l2 l2 = { .nvlan = 0 };
	struct pkt_ip ip = {
		.saddr = pkt_addr(FIX_CLIENT),
		.daddr = pkt_addr(FIX_VIP),
		.ttl = 64,
		.proto = IPPROTO_ICMP,
		.id = 0x8800,
		.frag = PKT_DF,
	};
	uint8_t icmp[128], in[PKT_MAX];
	size_t icmp_len, in_len;
	struct flow fl;

	/* with a connection of the client on the VIP, echo is still not ours */
	ASSERT(open_flow(f, hook, STD_NAT, 40000, 10, false, &fl));
	memcpy(l2.dst, fix_mac_dir_a, 6);
	memcpy(l2.src, fix_mac_client, 6);
	icmp_len = pkt_put_icmp(icmp, PKT_ICMP_ECHO, 0, 0x1234 << 16 | 1, data, sizeof(data));
	in_len = pkt_build_ip_payload(in, &l2, &ip, icmp, icmp_len);
	expect_pass(f, hook, in, in_len, XVS_CNT_PASS_NOT_L4, "echo request to the VIP");
	/* the RS's echo reply to the client */
	memcpy(l2.src, fix_rs_mac(pkt_addr(FIX_RS1)), 6);
	ip.saddr = pkt_addr(FIX_RS1);
	ip.daddr = pkt_addr(FIX_CLIENT);
	icmp_len = pkt_put_icmp(icmp, PKT_ICMP_ECHO_REPLY, 0, 0x1234 << 16 | 1, data,
				sizeof(data));
	in_len = pkt_build_ip_payload(in, &l2, &ip, icmp, icmp_len);
	expect_pass(f, hook, in, in_len, XVS_CNT_PASS_NOT_L4, "echo reply from the RS");
}

static void icmp_echo_passes(void)
{
	fix_each_hook(echo_hook);
}

static const struct test_case cases[] = {
	TEST_CASE(icmp_from_rs_side_translated_to_client),
	TEST_CASE(icmp_from_client_side_sent_to_rs),
	TEST_CASE(icmp_about_unknown_flow_passes),
	TEST_CASE(icmp_echo_passes),
};

TEST_MAIN(cases)
