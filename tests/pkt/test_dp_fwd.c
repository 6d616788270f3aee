// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Packet tests of the data plane, one packet each, through both the XDP
 * and the tc program: forwarding (DR, TUN), what passes untouched, what is
 * dropped and why, MTU handling. Each row names the input, the verdict,
 * the expected output bytes and the one reason counter. */
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "pkt.h"
#include "test.h"

enum out_kind {
	OUT_NONE,		/* dropped: the bytes do not matter */
	OUT_SAME,		/* passed: byte-identical */
	OUT_DR,			/* toward rs, MACs rewritten */
	OUT_TUN,		/* toward rs, IPIP */
	OUT_FRAG_NEEDED,	/* ICMP back to the client, with mtu */
};

struct one_case {
	const char *name;
	struct pkt_spec (*spec)(void);
	/* Optional: damage the built frame (truncate, bad fields). */
	void (*mangle)(uint8_t *buf, size_t *len);
	/* Optional: a non-IPv4 frame instead of spec. */
	size_t (*raw)(uint8_t *buf);
	enum pkt_verdict verdict;
	enum out_kind out;
	const char *rs;
	uint16_t mtu;
	enum xvs_counter reason;
	int conns;		/* connections created */
	/* The kernel's tc test run refuses an IPv4 EtherType followed by
	 * less than 20 bytes (-EINVAL): only XDP can see such a frame here. */
	bool tc_refused;
};

static const struct one_case *current;

static void run_one_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	const struct one_case *c = current;
	uint8_t in[PKT_MAX], want[PKT_MAX];
	size_t in_len, want_len = 0;
	struct pkt_spec s = {};
	uint64_t counters[XVS_CNT_MAX] = {};

	if (c->raw) {
		in_len = c->raw(in);
	} else {
		s = c->spec();
		in_len = pkt_build(in, &s);
	}
	if (c->mangle)
		c->mangle(in, &in_len);
	if (hook == PKT_TC && c->tc_refused) {
		uint8_t out[PKT_MAX];
		size_t out_len;
		int retval;

		EXPECT_EQ_INT(fix_run(f, hook, in, in_len, out, &out_len, &retval, NULL, NULL),
			      -EINVAL);
		return;
	}
	switch (c->out) {
	case OUT_SAME:
		memcpy(want, in, in_len);
		want_len = in_len;
		break;
	case OUT_DR:
		want_len = fix_expect_dr(want, &s, c->rs);
		break;
	case OUT_TUN:
		want_len = fix_expect_tun(want, &s, c->rs);
		break;
	case OUT_FRAG_NEEDED:
		want_len = fix_expect_frag_needed(want, &s, c->mtu);
		break;
	case OUT_NONE:
		break;
	}
	fix_expect_run(f, hook, in, in_len, c->verdict, c->out == OUT_NONE ? NULL : want,
		       want_len);
	counters[XVS_CNT_RX] = 1;
	counters[c->reason] = 1;
	counters[XVS_CNT_CONN_NEW] = c->conns;
	fix_expect_counters(f, counters);
}

static void run_one(const struct one_case *c)
{
	current = c;
	fix_each_hook(run_one_hook);
}

#define ONE(id, ...) \
	static void id(void) \
	{ \
		static const struct one_case c = { #id, __VA_ARGS__ }; \
		run_one(&c); \
	}

/* ---- inputs ----------------------------------------------------------- */

static const uint8_t tcp_mss_opt[4] = { 2, 4, 0x05, 0xb4 };
/* Router alert (RFC 2113) and a record-route option with room for one
 * address: options a forwarder must carry through unchanged. */
static const uint8_t ip_opts[12] = { 0x94, 4, 0, 0, 7, 7, 4, 0, 0, 0, 0, 1 };

static struct pkt_spec with_mss(struct pkt_spec s)
{
	memcpy(s.l4.opts, tcp_mss_opt, sizeof(tcp_mss_opt));
	s.l4.opts_len = sizeof(tcp_mss_opt);
	return s;
}

static struct pkt_spec with_ip_opts(struct pkt_spec s)
{
	memcpy(s.ip.opts, ip_opts, sizeof(ip_opts));
	s.ip.opts_len = sizeof(ip_opts);
	return s;
}

static struct pkt_spec without_df(struct pkt_spec s)
{
	s.ip.frag &= ~PKT_DF;
	return s;
}

static struct pkt_spec sp_dr_syn(void) { return with_mss(fix_std_spec(STD_DR_TCP, PKT_SYN, 0)); }
static struct pkt_spec sp_dr_udp(void) { return fix_std_spec(STD_DR_UDP, 0, 40); }
static struct pkt_spec sp_dr_link_b(void) { return fix_std_spec(STD_DR_LINK_B, PKT_SYN, 0); }
static struct pkt_spec sp_tun_syn(void) { return with_mss(fix_std_spec(STD_TUN_TCP, PKT_SYN, 0)); }
static struct pkt_spec sp_tun_udp(void) { return fix_std_spec(STD_TUN_UDP, 0, 100); }
static struct pkt_spec sp_tun_nodf(void) { return without_df(fix_std_spec(STD_TUN_UDP, 0, 10)); }
static struct pkt_spec sp_tun_link_b(void) { return fix_std_spec(STD_TUN_LINK_B, PKT_SYN, 0); }
static struct pkt_spec sp_weight0(void) { return fix_std_spec(STD_WEIGHT0, PKT_SYN, 0); }
static struct pkt_spec sp_empty(void) { return fix_std_spec(STD_EMPTY, PKT_SYN, 0); }
static struct pkt_spec sp_no_neigh(void) { return fix_std_spec(STD_NO_NEIGH, PKT_SYN, 0); }
static struct pkt_spec sp_no_route(void) { return fix_std_spec(STD_NO_ROUTE, PKT_SYN, 0); }
static struct pkt_spec sp_dr_ack(void) { return fix_std_spec(STD_DR_TCP, PKT_ACK, 10); }
static struct pkt_spec sp_dr_synack(void) { return fix_std_spec(STD_DR_TCP, PKT_SYN | PKT_ACK, 0); }
static struct pkt_spec sp_dr_synrst(void) { return fix_std_spec(STD_DR_TCP, PKT_SYN | PKT_RST, 0); }
static struct pkt_spec sp_dr_fin(void) { return fix_std_spec(STD_DR_TCP, PKT_FIN | PKT_ACK, 0); }

static struct pkt_spec sp_other_port(void)
{
	return fix_client_spec(IPPROTO_TCP, FIX_VIP, 22, PKT_SYN, 0);
}

static struct pkt_spec sp_other_addr(void)
{
	return fix_client_spec(IPPROTO_UDP, FIX_DIR_A, 53, 0, 20);
}

static struct pkt_spec sp_other_proto_port(void)
{
	/* UDP to the port of a TCP service */
	return fix_client_spec(IPPROTO_UDP, FIX_VIP, 80, 0, 20);
}

static struct pkt_spec sp_dr_opts(void) { return with_ip_opts(sp_dr_syn()); }
static struct pkt_spec sp_tun_opts(void) { return with_ip_opts(sp_tun_syn()); }

static struct pkt_spec sp_frag_first(void)
{
	struct pkt_spec s = fix_std_spec(STD_DR_UDP, 0, 64);

	s.ip.frag = PKT_MF;
	return s;
}

static struct pkt_spec sp_frag_later(void)
{
	struct pkt_spec s = fix_std_spec(STD_DR_UDP, 0, 64);

	s.ip.frag = 185;	/* offset 1480, last fragment */
	return s;
}

static struct pkt_spec sp_frag_tcp(void)
{
	struct pkt_spec s = fix_std_spec(STD_DR_TCP, PKT_SYN, 64);

	s.ip.frag = PKT_MF;
	return s;
}

static struct pkt_spec sp_frag_other(void)
{
	struct pkt_spec s = sp_other_addr();

	s.ip.frag = PKT_MF;
	return s;
}

static struct pkt_spec sp_vlan(void)
{
	struct pkt_spec s = sp_dr_syn();

	s.l2.nvlan = 1;
	s.l2.vlan_tci[0] = 100;
	return s;
}

static struct pkt_spec sp_qinq(void)
{
	struct pkt_spec s = sp_dr_udp();

	s.l2.nvlan = 2;
	s.l2.vlan_tpid[0] = 0x88a8;
	s.l2.vlan_tci[0] = 10;
	s.l2.vlan_tci[1] = 0x2014;	/* priority 1, VLAN 20 */
	return s;
}

/* Sizes around the MTUs: link A 1500, link B 1400. TCP header 20. */
static struct pkt_spec sp_dr_big(void) { return fix_std_spec(STD_DR_LINK_B, PKT_SYN, 1401 - 40); }
static struct pkt_spec sp_dr_fits(void) { return fix_std_spec(STD_DR_LINK_B, PKT_SYN, 1400 - 40); }
static struct pkt_spec sp_dr_big_nodf(void) { return without_df(sp_dr_big()); }
static struct pkt_spec sp_tun_big(void) { return fix_std_spec(STD_TUN_TCP, PKT_SYN, 1481 - 40); }
static struct pkt_spec sp_tun_fits(void) { return fix_std_spec(STD_TUN_TCP, PKT_SYN, 1480 - 40); }
static struct pkt_spec sp_tun_big_nodf(void) { return without_df(sp_tun_big()); }
static struct pkt_spec sp_tun_big_udp(void) { return fix_std_spec(STD_TUN_UDP, 0, 1500 - 28); }

static struct pkt_spec sp_tun_big_opts(void)
{
	return with_ip_opts(fix_std_spec(STD_TUN_TCP, PKT_SYN, 1500 - 40 - sizeof(ip_opts)));
}

static struct pkt_spec sp_tun_big_b(void)
{
	return fix_std_spec(STD_TUN_LINK_B, PKT_SYN, 1381 - 40);
}

static size_t raw_arp(uint8_t *buf)
{
	static const uint8_t arp[28] = {
		0, 1, 8, 0, 6, 4, 0, 1,				/* request */
		2, 0, 0, 0, 0, 2, 10, 99, 0, 100,		/* sender */
		0, 0, 0, 0, 0, 0, 10, 99, 100, 1,		/* target: the VIP */
	};
	struct pkt_spec s = sp_dr_syn();

	memset(s.l2.dst, 0xff, 6);
	return pkt_build_eth(buf, &s.l2, 0x0806, arp, sizeof(arp));
}

static size_t raw_ipv6(uint8_t *buf)
{
	uint8_t ip6[40 + 8] = { 0x60, 0, 0, 0, 0, 8, 17, 64 };
	struct pkt_spec s = sp_dr_syn();

	ip6[8 + 15] = 1;	/* ::1 -> ::2, UDP */
	ip6[24 + 15] = 2;
	return pkt_build_eth(buf, &s.l2, 0x86dd, ip6, sizeof(ip6));
}

static size_t raw_icmp_echo(uint8_t *buf)
{
	uint8_t echo[16] = { 8, 0, 0, 0, 0x12, 0x34, 0, 1, 'x', 'v', 's' };
	struct pkt_spec s = fix_client_spec(IPPROTO_ICMP, FIX_DIR_A, 0, 0, 0);
	uint16_t sum = pkt_csum(echo, sizeof(echo), 0);

	echo[2] = sum >> 8;
	echo[3] = sum & 0xff;
	return pkt_build_ip_payload(buf, &s.l2, &s.ip, echo, sizeof(echo));
}

static size_t raw_icmp_to_vip(uint8_t *buf)
{
	size_t len = raw_icmp_echo(buf);
	uint32_t vip = pkt_addr(FIX_VIP);

	memcpy(buf + 14 + 16, &vip, 4);	/* checksum left stale: not checked */
	return len;
}

static size_t raw_vlan_cut(uint8_t *buf)
{
	struct pkt_spec s = sp_dr_syn();
	size_t len = pkt_put_eth(buf, &s.l2, 0x8100);

	buf[len++] = 0;		/* half a tag */
	buf[len++] = 100;
	return len;
}

static size_t raw_three_tags(uint8_t *buf)
{
	/* a third tag: beyond what we parse, so not IPv4 to us */
	struct pkt_spec s = sp_qinq();
	size_t len = pkt_build(buf, &s);

	memmove(buf + 26, buf + 22, len - 22);
	buf[20] = 0x81;
	buf[21] = 0x00;
	buf[22] = 0;
	buf[23] = 30;
	buf[24] = 0x08;
	buf[25] = 0x00;
	return len + 4;
}

/* Frame offsets with no VLAN tag. */
#define IP_AT	14
#define L4_AT	(14 + 20)

static void set16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void mg_eth_only(uint8_t *buf, size_t *len) { (void)buf; *len = 14; }
static void mg_ip_cut(uint8_t *buf, size_t *len) { (void)buf; *len = IP_AT + 12; }
static void mg_vlan_ip_cut(uint8_t *buf, size_t *len) { (void)buf; *len = 18 + 19; }
static void mg_vlan_eth_only(uint8_t *buf, size_t *len) { (void)buf; *len = 18; }
static void mg_ihl4(uint8_t *buf, size_t *len) { (void)len; buf[IP_AT] = 0x44; }
static void mg_version6(uint8_t *buf, size_t *len) { (void)len; buf[IP_AT] = 0x65; }
static void mg_tot_len_long(uint8_t *buf, size_t *len) { set16(buf + IP_AT + 2, *len - IP_AT + 1); }
static void mg_tot_len_short(uint8_t *buf, size_t *len) { (void)len; set16(buf + IP_AT + 2, 16); }
static void mg_doff_big(uint8_t *buf, size_t *len) { (void)len; buf[L4_AT + 12] = 0xf0; }
static void mg_doff_small(uint8_t *buf, size_t *len) { (void)len; buf[L4_AT + 12] = 0x40; }

static void mg_tcp_cut(uint8_t *buf, size_t *len)
{
	*len = L4_AT + 12;
	set16(buf + IP_AT + 2, 20 + 12);
}

static void mg_udp_cut(uint8_t *buf, size_t *len)
{
	*len = L4_AT + 6;
	set16(buf + IP_AT + 2, 20 + 6);
}

static void mg_tcp_past_tot_len(uint8_t *buf, size_t *len)
{
	/* the TCP header is in the frame, but tot_len ends inside it */
	(void)len;
	set16(buf + IP_AT + 2, 20 + 16);
}

/* ---- cases --------------------------------------------------------------- */

/* forwarded */
ONE(dr_tcp_syn, .spec = sp_dr_syn, .verdict = V_TX, .out = OUT_DR, .rs = FIX_RS1,
    .reason = XVS_CNT_FWD_DR, .conns = 1)
ONE(dr_tcp_synack_schedules, .spec = sp_dr_synack, .verdict = V_TX, .out = OUT_DR,
    .rs = FIX_RS1, .reason = XVS_CNT_FWD_DR, .conns = 1)
ONE(dr_udp, .spec = sp_dr_udp, .verdict = V_TX, .out = OUT_DR, .rs = FIX_RS2,
    .reason = XVS_CNT_FWD_DR, .conns = 1)
ONE(dr_other_link_redirects, .spec = sp_dr_link_b, .verdict = V_REDIRECT, .out = OUT_DR,
    .rs = FIX_RS_B, .reason = XVS_CNT_FWD_DR, .conns = 1)
ONE(dr_ip_options_unchanged, .spec = sp_dr_opts, .verdict = V_TX, .out = OUT_DR,
    .rs = FIX_RS1, .reason = XVS_CNT_FWD_DR, .conns = 1)
ONE(dr_vlan_tag_kept, .spec = sp_vlan, .verdict = V_TX, .out = OUT_DR, .rs = FIX_RS1,
    .reason = XVS_CNT_FWD_DR, .conns = 1)
ONE(dr_qinq_tags_kept, .spec = sp_qinq, .verdict = V_TX, .out = OUT_DR, .rs = FIX_RS2,
    .reason = XVS_CNT_FWD_DR, .conns = 1)
ONE(dr_at_mtu_fits, .spec = sp_dr_fits, .verdict = V_REDIRECT, .out = OUT_DR,
    .rs = FIX_RS_B, .reason = XVS_CNT_FWD_DR, .conns = 1)
ONE(tun_tcp_syn, .spec = sp_tun_syn, .verdict = V_TX, .out = OUT_TUN, .rs = FIX_RS1,
    .reason = XVS_CNT_FWD_TUN, .conns = 1)
ONE(tun_udp, .spec = sp_tun_udp, .verdict = V_TX, .out = OUT_TUN, .rs = FIX_RS2,
    .reason = XVS_CNT_FWD_TUN, .conns = 1)
ONE(tun_udp_without_df, .spec = sp_tun_nodf, .verdict = V_TX, .out = OUT_TUN,
    .rs = FIX_RS2, .reason = XVS_CNT_FWD_TUN, .conns = 1)
ONE(tun_other_link_redirects, .spec = sp_tun_link_b, .verdict = V_REDIRECT, .out = OUT_TUN,
    .rs = FIX_RS_B, .reason = XVS_CNT_FWD_TUN, .conns = 1)
ONE(tun_ip_options_intact, .spec = sp_tun_opts, .verdict = V_TX, .out = OUT_TUN,
    .rs = FIX_RS1, .reason = XVS_CNT_FWD_TUN, .conns = 1)
ONE(tun_at_mtu_fits, .spec = sp_tun_fits, .verdict = V_TX, .out = OUT_TUN, .rs = FIX_RS1,
    .reason = XVS_CNT_FWD_TUN, .conns = 1)

/* MTU */
ONE(dr_over_mtu_df_icmp, .spec = sp_dr_big, .verdict = V_TX, .out = OUT_FRAG_NEEDED,
    .mtu = 1400, .reason = XVS_CNT_ICMP_FRAG_NEEDED, .conns = 1)
ONE(dr_over_mtu_no_df_drops, .spec = sp_dr_big_nodf, .verdict = V_DROP, .out = OUT_NONE,
    .reason = XVS_CNT_DROP_TOO_BIG, .conns = 1)
ONE(tun_over_mtu_df_icmp, .spec = sp_tun_big, .verdict = V_TX, .out = OUT_FRAG_NEEDED,
    .mtu = 1480, .reason = XVS_CNT_ICMP_FRAG_NEEDED, .conns = 1)
ONE(tun_over_mtu_udp_icmp, .spec = sp_tun_big_udp, .verdict = V_TX, .out = OUT_FRAG_NEEDED,
    .mtu = 1480, .reason = XVS_CNT_ICMP_FRAG_NEEDED, .conns = 1)
ONE(tun_over_mtu_options_quoted, .spec = sp_tun_big_opts, .verdict = V_TX,
    .out = OUT_FRAG_NEEDED, .mtu = 1480, .reason = XVS_CNT_ICMP_FRAG_NEEDED, .conns = 1)
ONE(tun_over_mtu_other_link, .spec = sp_tun_big_b, .verdict = V_TX, .out = OUT_FRAG_NEEDED,
    .mtu = 1380, .reason = XVS_CNT_ICMP_FRAG_NEEDED, .conns = 1)
ONE(tun_over_mtu_no_df_drops, .spec = sp_tun_big_nodf, .verdict = V_DROP, .out = OUT_NONE,
    .reason = XVS_CNT_DROP_TOO_BIG, .conns = 1)

/* no real server, no way there */
ONE(weight0_drops_no_dest, .spec = sp_weight0, .verdict = V_DROP, .out = OUT_NONE,
    .reason = XVS_CNT_DROP_NO_DEST)
ONE(empty_service_drops_no_dest, .spec = sp_empty, .verdict = V_DROP, .out = OUT_NONE,
    .reason = XVS_CNT_DROP_NO_DEST)
ONE(unresolved_rs_drops_no_neigh, .spec = sp_no_neigh, .verdict = V_DROP, .out = OUT_NONE,
    .reason = XVS_CNT_DROP_NO_NEIGH, .conns = 1)
ONE(unroutable_rs_drops_no_route, .spec = sp_no_route, .verdict = V_DROP, .out = OUT_NONE,
    .reason = XVS_CNT_DROP_NO_ROUTE, .conns = 1)

/* not ours: passed byte-identical */
ONE(arp_passes, .raw = raw_arp, .verdict = V_PASS, .out = OUT_SAME,
    .reason = XVS_CNT_PASS_NOT_IP)
ONE(ipv6_passes, .raw = raw_ipv6, .verdict = V_PASS, .out = OUT_SAME,
    .reason = XVS_CNT_PASS_NOT_IP)
ONE(three_vlan_tags_pass, .raw = raw_three_tags, .verdict = V_PASS, .out = OUT_SAME,
    .reason = XVS_CNT_PASS_NOT_IP)
ONE(icmp_echo_to_director_passes, .raw = raw_icmp_echo, .verdict = V_PASS, .out = OUT_SAME,
    .reason = XVS_CNT_PASS_NOT_L4)
ONE(icmp_to_vip_passes, .raw = raw_icmp_to_vip, .verdict = V_PASS, .out = OUT_SAME,
    .reason = XVS_CNT_PASS_NOT_L4)
ONE(tcp_other_port_passes, .spec = sp_other_port, .verdict = V_PASS, .out = OUT_SAME,
    .reason = XVS_CNT_PASS_NO_SVC)
ONE(udp_other_address_passes, .spec = sp_other_addr, .verdict = V_PASS, .out = OUT_SAME,
    .reason = XVS_CNT_PASS_NO_SVC)
ONE(udp_to_tcp_service_port_passes, .spec = sp_other_proto_port, .verdict = V_PASS,
    .out = OUT_SAME, .reason = XVS_CNT_PASS_NO_SVC)
ONE(tcp_ack_without_conn_passes, .spec = sp_dr_ack, .verdict = V_PASS, .out = OUT_SAME,
    .reason = XVS_CNT_PASS_NO_CONN)
ONE(tcp_fin_without_conn_passes, .spec = sp_dr_fin, .verdict = V_PASS, .out = OUT_SAME,
    .reason = XVS_CNT_PASS_NO_CONN)
ONE(tcp_syn_rst_without_conn_passes, .spec = sp_dr_synrst, .verdict = V_PASS,
    .out = OUT_SAME, .reason = XVS_CNT_PASS_NO_CONN)

/* fragments */
ONE(first_fragment_to_vip_drops, .spec = sp_frag_first, .verdict = V_DROP, .out = OUT_NONE,
    .reason = XVS_CNT_DROP_FRAGMENT)
ONE(later_fragment_to_vip_drops, .spec = sp_frag_later, .verdict = V_DROP, .out = OUT_NONE,
    .reason = XVS_CNT_DROP_FRAGMENT)
ONE(tcp_fragment_to_vip_drops, .spec = sp_frag_tcp, .verdict = V_DROP, .out = OUT_NONE,
    .reason = XVS_CNT_DROP_FRAGMENT)
ONE(fragment_to_other_address_passes, .spec = sp_frag_other, .verdict = V_PASS,
    .out = OUT_SAME, .reason = XVS_CNT_PASS_NO_SVC)

/* malformed: passed untouched, never forwarded */
ONE(ethernet_only_passes_malformed, .spec = sp_dr_syn, .mangle = mg_eth_only,
    .verdict = V_PASS, .out = OUT_SAME, .reason = XVS_CNT_PASS_MALFORMED, .tc_refused = true)
ONE(truncated_vlan_passes_malformed, .raw = raw_vlan_cut, .verdict = V_PASS,
    .out = OUT_SAME, .reason = XVS_CNT_PASS_MALFORMED)
ONE(ip_header_cut_passes_malformed, .spec = sp_dr_syn, .mangle = mg_ip_cut,
    .verdict = V_PASS, .out = OUT_SAME, .reason = XVS_CNT_PASS_MALFORMED, .tc_refused = true)
ONE(vlan_ip_header_cut_passes_malformed, .spec = sp_vlan, .mangle = mg_vlan_ip_cut,
    .verdict = V_PASS, .out = OUT_SAME, .reason = XVS_CNT_PASS_MALFORMED)
ONE(vlan_ethernet_only_passes_malformed, .spec = sp_vlan, .mangle = mg_vlan_eth_only,
    .verdict = V_PASS, .out = OUT_SAME, .reason = XVS_CNT_PASS_MALFORMED)
ONE(ihl_below_5_passes_malformed, .spec = sp_dr_syn, .mangle = mg_ihl4, .verdict = V_PASS,
    .out = OUT_SAME, .reason = XVS_CNT_PASS_MALFORMED)
ONE(ip_version_6_passes_malformed, .spec = sp_dr_syn, .mangle = mg_version6,
    .verdict = V_PASS, .out = OUT_SAME, .reason = XVS_CNT_PASS_MALFORMED)
ONE(tot_len_beyond_data_passes_malformed, .spec = sp_dr_syn, .mangle = mg_tot_len_long,
    .verdict = V_PASS, .out = OUT_SAME, .reason = XVS_CNT_PASS_MALFORMED)
ONE(tot_len_below_ihl_passes_malformed, .spec = sp_dr_syn, .mangle = mg_tot_len_short,
    .verdict = V_PASS, .out = OUT_SAME, .reason = XVS_CNT_PASS_MALFORMED)
ONE(tcp_header_cut_passes_malformed, .spec = sp_dr_syn, .mangle = mg_tcp_cut,
    .verdict = V_PASS, .out = OUT_SAME, .reason = XVS_CNT_PASS_MALFORMED)
ONE(tcp_past_tot_len_passes_malformed, .spec = sp_dr_ack, .mangle = mg_tcp_past_tot_len,
    .verdict = V_PASS, .out = OUT_SAME, .reason = XVS_CNT_PASS_MALFORMED)
ONE(tcp_doff_beyond_data_passes_malformed, .spec = sp_dr_ack, .mangle = mg_doff_big,
    .verdict = V_PASS, .out = OUT_SAME, .reason = XVS_CNT_PASS_MALFORMED)
ONE(tcp_doff_below_5_passes_malformed, .spec = sp_dr_syn, .mangle = mg_doff_small,
    .verdict = V_PASS, .out = OUT_SAME, .reason = XVS_CNT_PASS_MALFORMED)
ONE(udp_header_cut_passes_malformed, .spec = sp_dr_udp, .mangle = mg_udp_cut,
    .verdict = V_PASS, .out = OUT_SAME, .reason = XVS_CNT_PASS_MALFORMED)

/* ---- cases that differ between the hooks ---------------------------- */

/* XDP encapsulates behind the tags; tc cannot (see fwd_tun.h). */
static void vlan_tun_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec s = sp_tun_syn();
	uint8_t in[PKT_MAX], want[PKT_MAX];
	size_t in_len, want_len;
	uint64_t counters[XVS_CNT_MAX] = { [XVS_CNT_RX] = 1, [XVS_CNT_CONN_NEW] = 1 };

	s.l2.nvlan = 2;
	s.l2.vlan_tpid[0] = 0x88a8;
	s.l2.vlan_tci[0] = 10;
	s.l2.vlan_tci[1] = 20;
	in_len = pkt_build(in, &s);
	want_len = fix_expect_tun(want, &s, FIX_RS1);
	if (hook == PKT_XDP) {
		fix_expect_run(f, hook, in, in_len, V_TX, want, want_len);
		counters[XVS_CNT_FWD_TUN] = 1;
	} else {
		fix_expect_run(f, hook, in, in_len, V_DROP, NULL, 0);
		counters[XVS_CNT_DROP_UNSUPPORTED] = 1;
	}
	fix_expect_counters(f, counters);
}

static void tun_vlan_tags_xdp_only(void)
{
	fix_each_hook(vlan_tun_hook);
}

/* tc: a GSO skb is not MTU-checked here (its segments will be), so a
 * 2000-byte GSO packet is forwarded where a plain one gets ICMP. */
static void gso_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec s = fix_std_spec(STD_DR_LINK_B, PKT_ACK, 2000 - 40);
	uint8_t in[PKT_MAX], out[PKT_MAX], want[PKT_MAX];
	size_t in_len = pkt_build(in, &s), out_len, want_len;
	struct pkt_run_opts gso = { .gso_segs = 2, .gso_size = 1360 };
	uint64_t counters[XVS_CNT_MAX] = { [XVS_CNT_RX] = 1, [XVS_CNT_CONN_NEW] = 0 };
	int retval;

	if (hook == PKT_XDP)
		return;		/* XDP has no GSO packets */
	/* the flow exists: the SYN came earlier */
	struct xvs_conn_key k = fix_conn_key(&s);
	struct xvs_conn c = {
		.raddr = pkt_addr(FIX_RS_B), .rport = htons(8080), .fwd = XVS_FWD_DR,
		.state = XVS_CS_ESTABLISHED, .dest_idx = STD_DR_LINK_B,
		.svc_idx = STD_DR_LINK_B, .last_seen_ns = fix_now_ns(),
	};
	ASSERT(fix_conn_put(f, &k, &c) == 0);
	ASSERT(fix_run(f, hook, in, in_len, out, &out_len, &retval, &gso, NULL) == 0);
	EXPECT_EQ_INT(retval, fix_verdict_code(hook, V_REDIRECT));
	want_len = fix_expect_dr(want, &s, FIX_RS_B);
	test_bytes_equal("gso output", out, out_len, want, want_len);
	counters[XVS_CNT_FWD_DR] = 1;
	fix_expect_counters(f, counters);
}

static void tc_gso_skips_mtu_check(void)
{
	fix_each_hook(gso_hook);
}

/* bpf_fib_lookup() refuses when the ingress device does not forward: the
 * control plane must enable forwarding. A scheduled packet is then
 * dropped, never passed to the stack that holds the VIP. */
static void no_forwarding_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec s = sp_dr_syn();
	uint8_t in[PKT_MAX];
	size_t in_len = pkt_build(in, &s);
	uint64_t counters[XVS_CNT_MAX] = {
		[XVS_CNT_RX] = 1, [XVS_CNT_CONN_NEW] = 1, [XVS_CNT_DROP_NO_ROUTE] = 1,
	};

	ASSERT(fix_set_forwarding(false) == 0);
	fix_expect_run(f, hook, in, in_len, V_DROP, NULL, 0);
	EXPECT(fix_set_forwarding(true) == 0);
	fix_expect_counters(f, counters);
}

static void forwarding_disabled_drops_no_route(void)
{
	fix_each_hook(no_forwarding_hook);
}

/* Without a configured outer source the route lookup chooses one: the
 * director's address on the real server's link. */
static void tun_no_saddr_hook(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct pkt_spec s = sp_tun_syn();
	uint8_t in[PKT_MAX], want[PKT_MAX];
	size_t in_len = pkt_build(in, &s), want_len = fix_expect_tun(want, &s, FIX_RS1);

	ASSERT(fix_dest_tun_saddr(f, STD_TUN_TCP, 0) == 0);
	fix_expect_run(f, hook, in, in_len, V_TX, want, want_len);
	EXPECT_EQ_INT(fix_counter(f, XVS_CNT_FWD_TUN), 1);
}

static void tun_source_from_route_when_unset(void)
{
	fix_each_hook(tun_no_saddr_hook);
}

static const struct test_case cases[] = {
	TEST_CASE(dr_tcp_syn),
	TEST_CASE(dr_tcp_synack_schedules),
	TEST_CASE(dr_udp),
	TEST_CASE(dr_other_link_redirects),
	TEST_CASE(dr_ip_options_unchanged),
	TEST_CASE(dr_vlan_tag_kept),
	TEST_CASE(dr_qinq_tags_kept),
	TEST_CASE(dr_at_mtu_fits),
	TEST_CASE(tun_tcp_syn),
	TEST_CASE(tun_udp),
	TEST_CASE(tun_udp_without_df),
	TEST_CASE(tun_other_link_redirects),
	TEST_CASE(tun_ip_options_intact),
	TEST_CASE(tun_at_mtu_fits),
	TEST_CASE(tun_vlan_tags_xdp_only),
	TEST_CASE(tun_source_from_route_when_unset),
	TEST_CASE(dr_over_mtu_df_icmp),
	TEST_CASE(dr_over_mtu_no_df_drops),
	TEST_CASE(tun_over_mtu_df_icmp),
	TEST_CASE(tun_over_mtu_udp_icmp),
	TEST_CASE(tun_over_mtu_options_quoted),
	TEST_CASE(tun_over_mtu_other_link),
	TEST_CASE(tun_over_mtu_no_df_drops),
	TEST_CASE(tc_gso_skips_mtu_check),
	TEST_CASE(weight0_drops_no_dest),
	TEST_CASE(empty_service_drops_no_dest),
	TEST_CASE(unresolved_rs_drops_no_neigh),
	TEST_CASE(unroutable_rs_drops_no_route),
	TEST_CASE(forwarding_disabled_drops_no_route),
	TEST_CASE(arp_passes),
	TEST_CASE(ipv6_passes),
	TEST_CASE(three_vlan_tags_pass),
	TEST_CASE(icmp_echo_to_director_passes),
	TEST_CASE(icmp_to_vip_passes),
	TEST_CASE(tcp_other_port_passes),
	TEST_CASE(udp_other_address_passes),
	TEST_CASE(udp_to_tcp_service_port_passes),
	TEST_CASE(tcp_ack_without_conn_passes),
	TEST_CASE(tcp_fin_without_conn_passes),
	TEST_CASE(tcp_syn_rst_without_conn_passes),
	TEST_CASE(first_fragment_to_vip_drops),
	TEST_CASE(later_fragment_to_vip_drops),
	TEST_CASE(tcp_fragment_to_vip_drops),
	TEST_CASE(fragment_to_other_address_passes),
	TEST_CASE(ethernet_only_passes_malformed),
	TEST_CASE(truncated_vlan_passes_malformed),
	TEST_CASE(ip_header_cut_passes_malformed),
	TEST_CASE(vlan_ip_header_cut_passes_malformed),
	TEST_CASE(vlan_ethernet_only_passes_malformed),
	TEST_CASE(ihl_below_5_passes_malformed),
	TEST_CASE(ip_version_6_passes_malformed),
	TEST_CASE(tot_len_beyond_data_passes_malformed),
	TEST_CASE(tot_len_below_ihl_passes_malformed),
	TEST_CASE(tcp_header_cut_passes_malformed),
	TEST_CASE(tcp_past_tot_len_passes_malformed),
	TEST_CASE(tcp_doff_beyond_data_passes_malformed),
	TEST_CASE(tcp_doff_below_5_passes_malformed),
	TEST_CASE(udp_header_cut_passes_malformed),
};

TEST_MAIN(cases)
