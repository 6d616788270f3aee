// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Packet tests of firewall-mark services (-f), through both programs: the
 * data plane marks packets by its rules (the lookup entries libxvs builds:
 * a prefix's own rules, then those of the prefixes containing it), or in
 * tc takes the skb mark, and finds services in IPVS's order, the mark's
 * first. A persistent one keys its templates <IP, caddr, 0, mark, 0>. */
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "pkt.h"
#include "test.h"

#define FIRST		40
#define RING_OFF	600

static void send_pkt(struct pkt_fixture *f, enum pkt_hook hook, const struct pkt_spec *s,
		     enum pkt_verdict v, const struct pkt_run_opts *opts)
{
	uint8_t in[PKT_MAX], out[PKT_MAX];
	size_t len = pkt_build(in, s), out_len;
	int ret;

	if (fix_run(f, hook, in, len, out, &out_len, &ret, opts, NULL))
		test_fail(__FILE__, __LINE__, "test run failed");
	else if (ret != fix_verdict_code(hook, v))
		test_fail(__FILE__, __LINE__, "%s: return code %d, expected %d", fix_hook_name(hook),
			  ret, fix_verdict_code(hook, v));
}

static struct pkt_spec tcp_to(const char *daddr, uint16_t dport, uint16_t sport)
{
	struct pkt_spec s = fix_client_spec(IPPROTO_TCP, daddr, dport, PKT_SYN, 0);

	s.l4.sport = sport;
	return s;
}

/* The real server index of s's connection, -1 when none. */
static long dest_of(struct pkt_fixture *f, const struct pkt_spec *s)
{
	struct xvs_conn_key k = fix_conn_key(s);
	struct xvs_conn c;

	return fix_conn_get(f, &k, &c) ? -1 : (long)c.dest_idx;
}

/* Mark 7: service 40, rr over dests 40 (RS1) and 41 (RS2); mark 8:
 * service 41, dest 42 (RS3). Rules: TCP to VIP2, ports 9300-9310 -> 7;
 * TCP to 10.99.100.0/24, every port -> 8. */
static int scene(struct pkt_fixture *f, bool rules)
{
	uint32_t ring7[2] = { FIRST, FIRST + 1 }, ring8 = FIRST + 2;
	struct xvs_mark_set host = {
		.n = 2, .n_own = 1,
		.rule = { { 9300, 9310, 7 }, { 0, 65535, 8 } },
	}, net = {
		.n = 1, .n_own = 1,
		.rule = { { 0, 65535, 8 } },
	};
	int err;

	err = fix_dest(f, FIRST, 40, FIX_RS1, 0, XVS_FWD_DR, 1);
	if (!err)
		err = fix_dest(f, FIRST + 1, 40, FIX_RS2, 0, XVS_FWD_DR, 1);
	if (!err)
		err = fix_dest(f, FIRST + 2, 41, FIX_RS3, 0, XVS_FWD_DR, 1);
	if (!err)
		err = fix_svc_fwmark(f, 40, 7, RING_OFF, ring7, 2);
	if (!err)
		err = fix_svc_fwmark(f, 41, 8, RING_OFF + 2, &ring8, 1);
	if (!err && rules)
		err = fix_mark_set(f, IPPROTO_TCP, FIX_VIP2, 32, &host);
	if (!err && rules)
		err = fix_mark_set(f, IPPROTO_TCP, "10.99.100.0", 24, &net);
	return err;
}

static void rules_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec a = tcp_to(FIX_VIP2, 9305, 50001), b = tcp_to(FIX_VIP2, 9300, 50002);
	struct pkt_spec wide = tcp_to(FIX_VIP2, 9999, 50003), vip80 = tcp_to(FIX_VIP, 80, 50004);
	struct pkt_spec udp = fix_client_spec(IPPROTO_UDP, FIX_VIP2, 9305, 0, 10);
	struct pkt_spec other = tcp_to("10.99.101.1", 9305, 50005);
	struct xvs_conn_key k = fix_conn_key(&a);
	struct xvs_conn c;

	ASSERT(scene(f, true) == 0);
	/* the host rule: mark 7, its service's rr */
	send_pkt(f, hook, &a, V_TX, NULL);
	send_pkt(f, hook, &b, V_TX, NULL);
	EXPECT_EQ_INT(dest_of(f, &a), FIRST);
	EXPECT_EQ_INT(dest_of(f, &b), FIRST + 1);
	/* a real server without a port keeps the packet's */
	ASSERT(fix_conn_get(f, &k, &c) == 0);
	EXPECT_EQ_INT(c.rport, htons(9305));
	EXPECT_EQ_INT(c.svc_idx, 40);
	/* outside the host rule's ports: the /24 rule it inherited, mark 8 */
	send_pkt(f, hook, &wide, V_TX, NULL);
	EXPECT_EQ_INT(dest_of(f, &wide), FIRST + 2);
	/* IPVS looks for the mark's service first: VIP:80 has a service by
	 * address too, and the /24 mark takes it */
	send_pkt(f, hook, &vip80, V_TX, NULL);
	EXPECT_EQ_INT(dest_of(f, &vip80), FIRST + 2);
	/* no rule for UDP, none outside the /24: not ours */
	send_pkt(f, hook, &udp, V_PASS, NULL);
	send_pkt(f, hook, &other, V_PASS, NULL);
}

static void rules_mark_packets_for_fwmark_services(void)
{
	fix_each_hook(rules_hook);
}

static void skb_mark_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec s = tcp_to(FIX_VIP, 80, 51000);
	struct pkt_run_opts marked = { .mark = 8 };

	ASSERT(scene(f, false) == 0);
	send_pkt(f, hook, &s, V_TX, &marked);
	/* tc: the mark an earlier tc filter set; XDP frames have none */
	EXPECT_EQ_INT(dest_of(f, &s), hook == PKT_TC ? FIRST + 2 : STD_DR_TCP);
	/* a mark no service has: the service by address */
	marked.mark = 99;
	s.l4.sport = 51001;
	send_pkt(f, hook, &s, V_TX, &marked);
	EXPECT_EQ_INT(dest_of(f, &s), STD_DR_TCP);
}

static void tc_takes_the_skb_mark(void)
{
	fix_each_hook(skb_mark_hook);
}

static void persistent_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct xvs_conn_key tk = {
		.saddr = pkt_addr(FIX_CLIENT), .daddr = htonl(8), .kind = XVS_CONN_KEY_TEMPLATE,
	};
	struct pkt_spec a = tcp_to(FIX_VIP, 80, 52000), b = tcp_to(FIX_VIP2, 9999, 52001);
	uint32_t ring8[2] = { FIRST + 2, FIRST + 3 };
	struct xvs_conn t;
	struct xvs_svc s;

	ASSERT(scene(f, true) == 0);
	ASSERT(fix_dest(f, FIRST + 3, 41, FIX_RS1, 0, XVS_FWD_DR, 1) == 0);
	ASSERT(fix_svc_ring(f, 41, RING_OFF + 2, ring8, 2) == 0);
	ASSERT(fix_svc_get(f, 41, &s) == 0);
	s.flags |= XVS_SVC_F_PERSISTENT;
	s.netmask = 0xffffffffu;
	s.persist_timeout_s = 300;
	ASSERT(fix_svc_put(f, 41, &s) == 0);
	/* two addresses and ports under mark 8: one template, one server */
	send_pkt(f, hook, &a, V_TX, NULL);
	send_pkt(f, hook, &b, V_TX, NULL);
	EXPECT_EQ_INT(dest_of(f, &a), FIRST + 2);
	EXPECT_EQ_INT(dest_of(f, &b), FIRST + 2);
	ASSERT(fix_conn_get(f, &tk, &t) == 0);	/* <IP, caddr, 0, 0.0.0.8, 0> */
	EXPECT_EQ_INT(t.n_control, 2);
	EXPECT_EQ_INT(t.rport, 0);
}

static void persistent_fwmark_template_spans_addresses(void)
{
	fix_each_hook(persistent_hook);
}

static const struct test_case cases[] = {
	TEST_CASE(rules_mark_packets_for_fwmark_services),
	TEST_CASE(tc_takes_the_skb_mark),
	TEST_CASE(persistent_fwmark_template_spans_addresses),
};

TEST_MAIN(cases)
