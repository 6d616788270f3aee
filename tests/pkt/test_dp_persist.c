// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Packet tests of persistence (-p, -M) and one-packet scheduling (-o),
 * through both programs, against IPVS's ip_vs_sched_persist(): templates
 * keyed <proto, caddr & mask, 0, vaddr, vport> (vport 0 for port-0 and
 * FTP services), counted as persistent on their server, kept while they
 * control connections and then on IPVS's 60 s re-arm grid, invalidated
 * when their server leaves, assured when a connection is established. */
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "pkt.h"
#include "test.h"

#define SEC_NS		1000000000ull
#define SVC		40
#define PORT		9200
#define FIRST		40
#define RING_OFF	500
#define TIMEOUT_S	300

/* Service SVC on VIP2:port (proto), rr over RS1..RS3 (dests 40..42),
 * persistent with a /24 mask, flags XVS_SVC_F_* added. */
static int persistent_svc(struct pkt_fixture *f, uint8_t proto, uint16_t port, uint32_t flags)
{
	static const char *const rs[] = { FIX_RS1, FIX_RS2, FIX_RS3 };
	uint32_t ring[3] = { FIRST, FIRST + 1, FIRST + 2 };
	struct xvs_svc s;
	int err = 0;

	for (int i = 0; i < 3 && !err; i++)
		err = fix_dest(f, FIRST + i, SVC, rs[i], port, XVS_FWD_DR, 1);
	if (!err)
		err = fix_svc(f, SVC, proto, FIX_VIP2, port, RING_OFF, ring, 3);
	if (!err)
		err = fix_svc_get(f, SVC, &s);
	if (err)
		return err;
	s.flags |= flags;
	s.netmask = htonl(0xffffff00u);
	s.persist_timeout_s = TIMEOUT_S;
	return fix_svc_put(f, SVC, &s);
}

static struct pkt_spec pkt_from(const char *client, uint16_t sport, uint16_t dport, uint8_t flags)
{
	struct pkt_spec s = fix_client_spec(IPPROTO_TCP, FIX_VIP2, dport, flags, 0);

	s.ip.saddr = pkt_addr(client);
	s.l4.sport = sport;
	return s;
}

static void send_pkt(struct pkt_fixture *f, enum pkt_hook hook, const struct pkt_spec *s,
		     enum pkt_verdict v)
{
	uint8_t in[PKT_MAX];
	size_t len = pkt_build(in, s);

	fix_expect_run(f, hook, in, len, v, NULL, 0);
}

/* Real server (pool position) of the connection of s, -1 when none. */
static int dest_of(struct pkt_fixture *f, const struct pkt_spec *s)
{
	struct xvs_conn_key k = fix_conn_key(s);
	struct xvs_conn c;

	return fix_conn_get(f, &k, &c) ? -1 : (int)c.dest_idx - FIRST;
}

/* The SYN's real server. */
static int syn_to(struct pkt_fixture *f, enum pkt_hook hook, const char *client, uint16_t sport,
		  uint16_t dport)
{
	struct pkt_spec s = pkt_from(client, sport, dport, PKT_SYN);

	send_pkt(f, hook, &s, V_TX);
	return dest_of(f, &s);
}

static struct xvs_conn_key tpl_key(const char *net, uint16_t dport, uint8_t proto)
{
	struct xvs_conn_key k = {
		.saddr = pkt_addr(net), .daddr = pkt_addr(FIX_VIP2), .dport = htons(dport),
		.proto = proto, .kind = XVS_CONN_KEY_TEMPLATE,
	};

	return k;
}

static int32_t persist_count(struct pkt_fixture *f, int pos)
{
	struct xvs_dest_conns n = { .persist = -99 };

	fix_dest_conns(f, FIRST + pos, &n);
	return n.persist;
}

static void age_entry(struct pkt_fixture *f, const struct xvs_conn_key *k, uint64_t age_ns)
{
	struct xvs_conn c;

	ASSERT(fix_conn_get(f, k, &c) == 0);
	c.last_seen_ns = fix_now_ns() - age_ns;
	ASSERT(fix_conn_put(f, k, &c) == 0);
}

/* ---- a client stays on its server --------------------------------------------------- */

static void same_client_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct xvs_conn_key tk = tpl_key("10.99.0.0", PORT, IPPROTO_TCP);
	struct pkt_spec first = pkt_from(FIX_CLIENT, 41000, PORT, PKT_SYN);
	struct xvs_conn_key ck = fix_conn_key(&first);
	struct xvs_conn t, c;

	ASSERT(persistent_svc(f, IPPROTO_TCP, PORT, XVS_SVC_F_PERSISTENT) == 0);
	EXPECT_EQ_INT(syn_to(f, hook, FIX_CLIENT, 41000, PORT), 0);
	/* the template IPVS makes: masked client, port 0, the service port */
	ASSERT(fix_conn_get(f, &tk, &t) == 0);
	EXPECT(t.flags & XVS_CONN_F_TEMPLATE);
	EXPECT_EQ_INT(t.dest_idx, FIRST);
	EXPECT_EQ_INT(t.raddr, pkt_addr(FIX_RS1));
	EXPECT_EQ_INT(t.rport, htons(PORT));
	EXPECT_EQ_INT(t.timeout_s, TIMEOUT_S);
	EXPECT_EQ_INT(t.n_control, 1);
	EXPECT_EQ_INT(t.state, XVS_TPL_NONE);
	EXPECT_EQ_INT(persist_count(f, 0), 1);
	ASSERT(fix_conn_get(f, &ck, &c) == 0);
	EXPECT(c.flags & XVS_CONN_F_CONTROLLED);
	EXPECT_EQ_INT(c.tpl_caddr, pkt_addr("10.99.0.0"));
	/* another port, another host of the /24: the same server (rr would
	 * have moved on) */
	EXPECT_EQ_INT(syn_to(f, hook, FIX_CLIENT, 41001, PORT), 0);
	EXPECT_EQ_INT(syn_to(f, hook, "10.99.0.77", 41002, PORT), 0);
	ASSERT(fix_conn_get(f, &tk, &t) == 0);
	EXPECT_EQ_INT(t.n_control, 3);
	/* another /24: scheduled, rr's next */
	EXPECT_EQ_INT(syn_to(f, hook, "10.98.7.1", 41003, PORT), 1);
	EXPECT_EQ_INT(persist_count(f, 1), 1);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_PERSIST_NEW), 2);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_PERSIST_HIT), 2);
	/* a connection established: the template is assured */
	first.l4.flags = PKT_ACK;
	send_pkt(f, hook, &first, V_TX);
	ASSERT(fix_conn_get(f, &tk, &t) == 0);
	EXPECT_EQ_INT(t.state, XVS_TPL_ASSURED);
}

static void a_client_stays_on_its_server(void)
{
	fix_each_hook(same_client_hook);
}

/* ---- the template's life ------------------------------------------------------------ */

static void expiry_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct xvs_conn_key tk = tpl_key("10.99.0.0", PORT, IPPROTO_TCP);
	struct pkt_spec s = pkt_from(FIX_CLIENT, 42000, PORT, PKT_SYN);
	struct xvs_conn_key ck = fix_conn_key(&s);
	struct xvs_conn t;

	ASSERT(persistent_svc(f, IPPROTO_TCP, PORT, XVS_SVC_F_PERSISTENT) == 0);
	EXPECT_EQ_INT(syn_to(f, hook, FIX_CLIENT, 42000, PORT), 0);
	/* the connection goes: the template stays for its own timeout */
	age_entry(f, &ck, 61 * SEC_NS);
	ASSERT(fix_maint(f, hook) == 0);
	ASSERT(fix_conn_get(f, &tk, &t) == 0);
	EXPECT_EQ_INT(t.n_control, 0);
	EXPECT_EQ_INT(syn_to(f, hook, FIX_CLIENT, 42001, PORT), 0);	/* still followed */
	/* unused past -p with nothing to control: gone, out of the count */
	s.l4.sport = 42001;
	ck = fix_conn_key(&s);
	age_entry(f, &ck, 61 * SEC_NS);
	ASSERT(fix_maint(f, hook) == 0);
	age_entry(f, &tk, (TIMEOUT_S + 1) * SEC_NS);
	ASSERT(fix_maint(f, hook) == 0);
	EXPECT(fix_conn_get(f, &tk, &t) != 0);
	EXPECT_EQ_INT(persist_count(f, 0), 0);
	/* the next connection is scheduled afresh: rr's next server */
	EXPECT_EQ_INT(syn_to(f, hook, FIX_CLIENT, 42002, PORT), 1);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_PERSIST_NEW), 2);
}

static void template_expires_after_its_timeout(void)
{
	fix_each_hook(expiry_hook);
}

static void held_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct xvs_conn_key tk = tpl_key("10.99.0.0", PORT, IPPROTO_TCP);
	struct pkt_spec s = pkt_from(FIX_CLIENT, 43000, PORT, PKT_SYN);
	struct xvs_conn_key ck = fix_conn_key(&s);
	uint64_t fire, now, step = 60 * SEC_NS;
	struct xvs_conn t;

	ASSERT(persistent_svc(f, IPPROTO_TCP, PORT, XVS_SVC_F_PERSISTENT) == 0);
	EXPECT_EQ_INT(syn_to(f, hook, FIX_CLIENT, 43000, PORT), 0);
	s.l4.flags = PKT_ACK;
	send_pkt(f, hook, &s, V_TX);	/* established: 15 min */
	/* -p is long past, but it controls a live connection: kept */
	age_entry(f, &tk, (TIMEOUT_S + 150) * SEC_NS);
	ASSERT(fix_conn_get(f, &tk, &t) == 0);
	fire = t.last_seen_ns + TIMEOUT_S * SEC_NS;
	ASSERT(fix_maint(f, hook) == 0);
	ASSERT(fix_conn_get(f, &tk, &t) == 0);
	/* the connection ends: IPVS expires it at its next 60 s check */
	age_entry(f, &ck, 901 * SEC_NS);
	ASSERT(fix_maint(f, hook) == 0);
	now = fix_now_ns();
	ASSERT(fix_conn_get(f, &tk, &t) == 0);
	EXPECT_EQ_INT(t.n_control, 0);
	EXPECT_EQ_INT(t.timeout_s, 60);
	EXPECT((t.last_seen_ns + step - fire) % step == 0);	/* on the grid of its firings */
	EXPECT(t.last_seen_ns + step >= now && t.last_seen_ns <= now);
	/* until then a new connection still follows it */
	EXPECT_EQ_INT(syn_to(f, hook, FIX_CLIENT, 43001, PORT), 0);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_PERSIST_HIT), 1);
}

static void template_is_kept_while_it_controls_connections(void)
{
	fix_each_hook(held_hook);
}

static void removed_server_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	ASSERT(persistent_svc(f, IPPROTO_TCP, PORT, XVS_SVC_F_PERSISTENT) == 0);
	EXPECT_EQ_INT(syn_to(f, hook, FIX_CLIENT, 44000, PORT), 0);
	/* weight 0: IPVS keeps sending the client there */
	{
		struct xvs_dest d;

		ASSERT(fix_dest_get(f, FIRST, &d) == 0);
		d.weight = 0;
		ASSERT(fix_dest_put(f, FIRST, &d) == 0);
	}
	EXPECT_EQ_INT(syn_to(f, hook, FIX_CLIENT, 44001, PORT), 0);
	/* the server leaves the service: the template no longer holds */
	ASSERT(fix_dest_del(f, FIRST) == 0);
	EXPECT_EQ_INT(syn_to(f, hook, FIX_CLIENT, 44002, PORT), 1);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_PERSIST_NEW), 2);
}

static void template_follows_quiesced_not_removed_server(void)
{
	fix_each_hook(removed_server_hook);
}

/* ---- port 0 and FTP ------------------------------------------------------------------- */

static void port0_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct xvs_conn_key tk = tpl_key("10.99.0.0", 0, IPPROTO_TCP);
	struct pkt_spec https = pkt_from(FIX_CLIENT, 45001, 443, PKT_SYN);
	struct xvs_conn_key ck = fix_conn_key(&https);
	struct xvs_conn t, c;

	ASSERT(persistent_svc(f, IPPROTO_TCP, 0, XVS_SVC_F_PERSISTENT) == 0);
	/* every port of the address, one template <TCP, caddr, 0, vaddr, 0> */
	EXPECT_EQ_INT(syn_to(f, hook, FIX_CLIENT, 45000, 8080), 0);
	EXPECT_EQ_INT(syn_to(f, hook, FIX_CLIENT, 45001, 443), 0);
	ASSERT(fix_conn_get(f, &tk, &t) == 0);
	EXPECT_EQ_INT(t.rport, 0);
	EXPECT_EQ_INT(t.n_control, 2);
	ASSERT(fix_conn_get(f, &ck, &c) == 0);
	EXPECT_EQ_INT(c.rport, htons(443));	/* the packet's port */
	EXPECT(c.flags & XVS_CONN_F_TPL_NOPORT);
	/* a service of its own port wins over port 0 */
	{
		uint32_t ring = FIRST + 3;

		ASSERT(fix_dest(f, FIRST + 3, 41, FIX_RS3, 8443, XVS_FWD_DR, 1) == 0);
		ASSERT(fix_svc(f, 41, IPPROTO_TCP, FIX_VIP2, 8443, 520, &ring, 1) == 0);
		EXPECT_EQ_INT(syn_to(f, hook, FIX_CLIENT, 45002, 8443), 3);
	}
}

static void port_zero_service_covers_every_port(void)
{
	fix_each_hook(port0_hook);
}

static void ftp_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct xvs_conn_key tk = tpl_key("10.99.0.0", 0, IPPROTO_TCP);
	struct xvs_conn t;
	struct xvs_svc s;

	ASSERT(persistent_svc(f, IPPROTO_TCP, 21, XVS_SVC_F_PERSISTENT) == 0);
	/* FTP's template has port 0: the passive data connection follows */
	EXPECT_EQ_INT(syn_to(f, hook, FIX_CLIENT, 46000, 21), 0);
	EXPECT_EQ_INT(syn_to(f, hook, FIX_CLIENT, 46001, 40123), 0);
	ASSERT(fix_conn_get(f, &tk, &t) == 0);
	EXPECT_EQ_INT(t.n_control, 2);
	/* a privileged port other than 20 is not a data connection */
	{
		struct pkt_spec p = pkt_from(FIX_CLIENT, 46002, 25, PKT_SYN);

		send_pkt(f, hook, &p, V_PASS);
	}
	/* without persistence IPVS does not schedule data connections */
	ASSERT(fix_svc_get(f, SVC, &s) == 0);
	s.flags &= ~XVS_SVC_F_PERSISTENT;
	ASSERT(fix_svc_put(f, SVC, &s) == 0);
	{
		struct pkt_spec p = pkt_from(FIX_CLIENT, 46003, 40124, PKT_SYN);

		send_pkt(f, hook, &p, V_PASS);
	}
}

static void persistent_ftp_takes_its_data_connections(void)
{
	fix_each_hook(ftp_hook);
}

/* ---- one-packet scheduling --------------------------------------------------------------- */

static void ops_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec u = fix_client_spec(IPPROTO_UDP, FIX_VIP2, 5353, 0, 30);
	struct xvs_stats st;
	struct xvs_svc s;
	uint8_t in[PKT_MAX], out[PKT_MAX];
	size_t len = pkt_build(in, &u), out_len;
	int ret, hits[3] = { 0 };

	ASSERT(persistent_svc(f, IPPROTO_UDP, 5353, XVS_SVC_F_OPS) == 0);
	ASSERT(fix_svc_get(f, SVC, &s) == 0);
	s.flags &= ~XVS_SVC_F_PERSISTENT;
	ASSERT(fix_svc_put(f, SVC, &s) == 0);
	/* every packet of one flow scheduled alone: rr over the three */
	for (int i = 0; i < 6; i++) {
		ASSERT(fix_run(f, hook, in, len, out, &out_len, &ret, NULL, NULL) == 0);
		EXPECT_EQ_INT(ret, fix_verdict_code(hook, V_TX));
		for (int k = 0; k < 3; k++)
			if (!memcmp(out, fix_rs_mac(pkt_addr(k == 0 ? FIX_RS1 : k == 1 ? FIX_RS2 :
							     FIX_RS3)), 6))
				hits[k]++;
	}
	EXPECT_EQ_INT(hits[0], 2);
	EXPECT_EQ_INT(hits[1], 2);
	EXPECT_EQ_INT(hits[2], 2);
	EXPECT_EQ_INT(fix_conn_count(f), 0);	/* nothing recorded */
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_CONN_NEW), 6);
	ASSERT(fix_svc_stats(f, SVC, &st) == 0);
	EXPECT_EQ_INT(st.conns, 6);
	EXPECT_EQ_INT(st.inpkts, 6);
}

static void one_packet_scheduling_records_nothing(void)
{
	fix_each_hook(ops_hook);
}

static const struct test_case cases[] = {
	TEST_CASE(a_client_stays_on_its_server),
	TEST_CASE(template_expires_after_its_timeout),
	TEST_CASE(template_is_kept_while_it_controls_connections),
	TEST_CASE(template_follows_quiesced_not_removed_server),
	TEST_CASE(port_zero_service_covers_every_port),
	TEST_CASE(persistent_ftp_takes_its_data_connections),
	TEST_CASE(one_packet_scheduling_records_nothing),
};

TEST_MAIN(cases)
