// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsadm output, byte for byte against ipvsadm 1.31's layouts: -L -n and
 * its --stats/--rate/--exact/--thresholds/--persistent-conn/--tun-info
 * variants, -c, --timeout, -S, number scaling and --rate's arithmetic.
 * Tables are built by hand; no root, no BPF. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "../../cmd/xvsadm/xvsadm.h"
#include "../harness/test.h"

/* Renders through a memory stream and returns the text (static buffer). */
#define RENDER(call) ({ \
	static char *_buf; size_t _len; FILE *_f; \
	free(_buf); _buf = NULL; \
	_f = open_memstream(&_buf, &_len); \
	call; \
	fclose(_f); \
	_buf; })
#define OUT _f

static struct xvs_dest_info dests1[] = {
	{ .conf = { .port = 443, .fwd = XVS_FWD_DR, .weight = 1 },
	  .active_conns = 12, .inact_conns = 40 },
	{ .conf = { .port = 443, .fwd = XVS_FWD_DR, .weight = 0 },
	  .active_conns = 3, .inact_conns = 7 },
};
static struct xvs_dest_info dests2[] = {
	{ .conf = { .port = 53, .fwd = XVS_FWD_NAT, .weight = 2 }, .inact_conns = 9 },
};
static struct xvs_dest_info dests3[] = {
	{ .conf = { .port = 80, .fwd = XVS_FWD_TUN, .weight = 3, .u_threshold = 100,
		    .l_threshold = 50 },
	  .active_conns = 1 },
};
static struct xvs_svc_info svcs[] = {
	{ .conf = { .proto = IPPROTO_TCP, .port = 443, .sched = "wlc", .persistent = true,
		    .persist_timeout_s = 300, .netmask = 0xffffffff },
	  .dests = dests1, .n_dests = 2 },
	{ .conf = { .proto = IPPROTO_UDP, .port = 53, .sched = "mh",
		    .sched_flags = XVS_SCHED_F_FLAG1 | XVS_SCHED_F_FLAG2, .ops = true },
	  .dests = dests2, .n_dests = 1 },
	{ .conf = { .proto = IPPROTO_TCP, .port = 80, .sched = "rr", .persistent = true,
		    .persist_timeout_s = 600 },
	  .dests = dests3, .n_dests = 1 },
};

static void fill_addresses(void)
{
	svcs[0].conf.addr = inet_addr("192.0.2.10");
	svcs[1].conf.addr = inet_addr("192.0.2.10");
	svcs[2].conf.addr = inet_addr("192.0.2.20");
	svcs[2].conf.netmask = inet_addr("255.255.255.0");
	dests1[0].conf.addr = inet_addr("10.0.0.11");
	dests1[1].conf.addr = inet_addr("10.0.0.12");
	dests2[0].conf.addr = inet_addr("10.0.1.5");
	dests3[0].conf.addr = inet_addr("10.0.2.7");
}

static const struct xvsadm_table table = { .svcs = svcs, .n_svcs = 3 };

static void list_numeric_matches_ipvsadm(void)
{
	fill_addresses();
	EXPECT_STREQ(RENDER(xvsadm_render_list(OUT, &table, XVSADM_FMT_NUMERIC, 4096)),
		"IP Virtual Server version 1.2.1 (size=4096)\n"
		"Prot LocalAddress:Port Scheduler Flags\n"
		"  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
		"TCP  192.0.2.10:443 wlc persistent 300\n"
		"  -> 10.0.0.11:443                Route   1      12         40        \n"
		"  -> 10.0.0.12:443                Route   0      3          7         \n"
		"UDP  192.0.2.10:53 mh (mh-fallback,mh-port) ops\n"
		"  -> 10.0.1.5:53                  Masq    2      0          9         \n"
		"TCP  192.0.2.20:80 rr persistent 600 mask 255.255.255.0\n"
		"  -> 10.0.2.7:80                  Tunnel  3      1          0         \n");
}

static void list_of_empty_table_has_only_headers(void)
{
	struct xvsadm_table empty = { .svcs = NULL };

	EXPECT_STREQ(RENDER(xvsadm_render_list(OUT, &empty, XVSADM_FMT_NUMERIC, 4096)),
		"IP Virtual Server version 1.2.1 (size=4096)\n"
		"Prot LocalAddress:Port Scheduler Flags\n"
		"  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
}

static void one_service_listing_has_no_version_line(void)
{
	fill_addresses();
	EXPECT_STREQ(RENDER(xvsadm_render_service(OUT, &svcs[2], XVSADM_FMT_NUMERIC)),
		"Prot LocalAddress:Port Scheduler Flags\n"
		"  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
		"TCP  192.0.2.20:80 rr persistent 600 mask 255.255.255.0\n"
		"  -> 10.0.2.7:80                  Tunnel  3      1          0         \n");
}

static void sched_flag_names_depend_on_scheduler(void)
{
	struct xvs_svc_info s = { .conf = { .proto = IPPROTO_TCP, .port = 1,
		.sched_flags = XVS_SCHED_F_FLAG1 | XVS_SCHED_F_FLAG2 | XVS_SCHED_F_FLAG3 } };

	s.conf.addr = inet_addr("192.0.2.1");
	strcpy(s.conf.sched, "sh");	/* sh has no word for flag-3 */
	EXPECT_STREQ(RENDER(xvsadm_render_service(OUT, &s, XVSADM_FMT_NUMERIC)),
		     "Prot LocalAddress:Port Scheduler Flags\n"
		     "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
		     "TCP  192.0.2.1:1 sh (sh-fallback,sh-port)\n");
	strcpy(s.conf.sched, "wrr");
	EXPECT_STREQ(RENDER(xvsadm_render_save(OUT, &(struct xvsadm_table){ .svcs = &s, .n_svcs = 1 },
					      XVSADM_FMT_NUMERIC)),
		     "-A -t 192.0.2.1:1 -s wrr -b flag-1,flag-2,flag-3\n");
}

static void stats_line_of_an_idle_service(void)
{
	struct xvs_svc_info s = { .conf = { .proto = IPPROTO_TCP, .port = 65535, .sched = "rr" } };

	s.conf.addr = inet_addr("203.0.113.200");
	EXPECT_STREQ(RENDER(xvsadm_render_list(OUT, &(struct xvsadm_table){ .svcs = &s, .n_svcs = 1 },
					      XVSADM_FMT_NUMERIC | XVSADM_FMT_STATS, 1)),
		     "IP Virtual Server version 1.2.1 (size=1)\n"
		     "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
		     "  -> RemoteAddress:Port\n"
		     "TCP  203.0.113.200:65535                 0        0        0        0        0\n");
}

static void stats_scale_large_numbers(void)
{
	fill_addresses();
	svcs[0].stats = (struct xvs_stats){ 1520, 98211, 0, 123456789, 0 };
	dests1[0].stats = (struct xvs_stats){ 100000000, 999999999, 1000000000,
					      99999999999ULL, 150000000000000ULL };
	EXPECT_STREQ(RENDER(xvsadm_render_service(OUT, &(struct xvs_svc_info){
			.conf = svcs[0].conf, .stats = svcs[0].stats, .dests = dests1,
			.n_dests = 1 }, XVSADM_FMT_NUMERIC | XVSADM_FMT_STATS)),
		"Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
		"  -> RemoteAddress:Port\n"
		"TCP  192.0.2.10:443                   1520    98211        0  123456K        0\n"
		"  -> 10.0.0.11:443                 100000K  999999K    1000M   99999M     150T\n");
	EXPECT_STREQ(RENDER(xvsadm_render_service(OUT, &(struct xvs_svc_info){
			.conf = svcs[0].conf, .stats = svcs[0].stats, .dests = dests1,
			.n_dests = 1 }, XVSADM_FMT_NUMERIC | XVSADM_FMT_STATS | XVSADM_FMT_EXACT)),
		"Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
		"  -> RemoteAddress:Port\n"
		"TCP  192.0.2.10:443                   1520    98211        0 123456789        0\n"
		"  -> 10.0.0.11:443                100000000 999999999 1000000000 99999999999 150000000000000\n");
	memset(&svcs[0].stats, 0, sizeof(svcs[0].stats));
	memset(&dests1[0].stats, 0, sizeof(dests1[0].stats));
}

static void largenum_boundaries(void)
{
	static const struct {
		unsigned long long n;
		unsigned int fmt;
		const char *want;
	} cases[] = {
		{ 0, 0, "        0" },
		{ 99999999ULL, 0, " 99999999" },
		{ 100000000ULL, 0, "  100000K" },
		{ 999999999ULL, 0, "  999999K" },
		{ 1000000000ULL, 0, "    1000M" },
		{ 99999999999ULL, 0, "   99999M" },
		{ 100000000000ULL, 0, "     100G" },
		{ 99999999999999ULL, 0, "   99999G" },
		{ 100000000000000ULL, 0, "     100T" },
		{ 18446744073709551615ULL, 0, "18446744T" },
		{ 12345678ULL, XVSADM_FMT_EXACT, " 12345678" },
		{ 123456789ULL, XVSADM_FMT_EXACT, " 123456789" },
		{ 7ULL, XVSADM_FMT_EXACT, "        7" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT_STREQ(RENDER(xvsadm_print_largenum(OUT, cases[i].n, cases[i].fmt)),
			     cases[i].want);
}

/* --rate shows the estimator's rates (libxvs) in the statistics' columns. */
static void rates_replace_the_statistics(void)
{
	struct xvs_dest_info d = { .conf = { .port = 443 } };
	struct xvs_svc_info s = { .conf = svcs[0].conf, .dests = &d, .n_dests = 1 };

	fill_addresses();
	s.conf = svcs[0].conf;
	d.conf.addr = inet_addr("10.0.0.11");
	s.stats = (struct xvs_stats){ 124, 2660, 0, 172240, 0 };
	d.stats = (struct xvs_stats){ 22, 1330, 0, 62120, 0 };
	s.rate = (struct xvs_stats){ 12, 830, 0, 61120, 0 };
	d.rate = (struct xvs_stats){ 6, 415, 0, 30560, 0 };
	xvsadm_stats_to_rates(&s, 1);
	EXPECT_EQ_INT(s.stats.conns, 12);
	EXPECT_EQ_INT(s.dests[0].stats.inpkts, 415);
	EXPECT_STREQ(RENDER(xvsadm_render_service(OUT, &s, XVSADM_FMT_NUMERIC | XVSADM_FMT_RATE)),
		"Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
		"  -> RemoteAddress:Port\n"
		"TCP  192.0.2.10:443                     12      830        0    61120        0\n"
		"  -> 10.0.0.11:443                       6      415        0    30560        0\n");
}

static void thresholds_persistconn_and_tuninfo_layouts(void)
{
	struct xvs_svc_info one;

	fill_addresses();
	one = svcs[2];
	EXPECT_STREQ(RENDER(xvsadm_render_service(OUT, &one, XVSADM_FMT_NUMERIC | XVSADM_FMT_THRESHOLDS)),
		"Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n"
		"  -> RemoteAddress:Port\n"
		"TCP  192.0.2.20:80 rr persistent 600 mask 255.255.255.0\n"
		"  -> 10.0.2.7:80                  100        50         1          0         \n");
	EXPECT_STREQ(RENDER(xvsadm_render_service(OUT, &one, XVSADM_FMT_NUMERIC | XVSADM_FMT_PERSISTCONN)),
		"Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n"
		"  -> RemoteAddress:Port\n"
		"TCP  192.0.2.20:80 rr persistent 600 mask 255.255.255.0\n"
		"  -> 10.0.2.7:80                  3         0           1          0         \n");
	EXPECT_STREQ(RENDER(xvsadm_render_service(OUT, &one, XVSADM_FMT_NUMERIC | XVSADM_FMT_TUN_INFO)),
		"Prot LocalAddress:Port Scheduler Flags\n"
		"  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n"
		"TCP  192.0.2.20:80 rr persistent 600 mask 255.255.255.0\n"
		"  -> 10.0.2.7:80                  Tunnel  ipip          3      1          0         \n");
}

static void connections_layout(void)
{
	struct xvs_conn_info c[3] = {
		{ .proto = IPPROTO_TCP, .cport = 51512, .vport = 443, .dport = 443, .state = XVS_CS_ESTABLISHED, .expire_s = 896 },
		{ .proto = IPPROTO_UDP, .cport = 40001, .vport = 53, .dport = 53, .state = XVS_CS_UDP, .expire_s = 299 },
		{ .proto = IPPROTO_TCP, .cport = 1, .vport = 80, .dport = 80, .state = XVS_CS_SYN_RECV, .expire_s = 7205 },
	};

	c[0].caddr = inet_addr("198.51.100.7");
	c[0].vaddr = inet_addr("192.0.2.10");
	c[0].daddr = inet_addr("10.0.0.11");
	c[1].caddr = inet_addr("198.51.100.9");
	c[1].vaddr = inet_addr("192.0.2.10");
	c[1].daddr = inet_addr("10.0.1.5");
	c[2].caddr = inet_addr("198.51.100.7");
	c[2].vaddr = inet_addr("192.0.2.20");
	c[2].daddr = inet_addr("10.0.2.7");
	EXPECT_STREQ(RENDER(xvsadm_render_conns(OUT, c, 3, XVSADM_FMT_NUMERIC)),
		"IPVS connection entries\n"
		"pro expire state       source             virtual            destination\n"
		"TCP 14:56  ESTABLISHED 198.51.100.7:51512 192.0.2.10:443     10.0.0.11:443\n"
		"UDP 04:59  UDP         198.51.100.9:40001 192.0.2.10:53      10.0.1.5:53\n"
		"TCP 120:05 SYN_RECV    198.51.100.7:1     192.0.2.20:80      10.0.2.7:80\n");
	EXPECT_STREQ(RENDER(xvsadm_render_conns(OUT, c, 0, XVSADM_FMT_NUMERIC | XVSADM_FMT_PERSISTCONN)),
		"IPVS connection entries\n"
		"pro expire state       source             virtual            destination        pe name          pe_data\n");
}

/* Templates as ipvsadm -c shows IPVS's: client port 0, state NONE or
 * ASSURED, a firewall-mark template's protocol "IP" and the mark as its
 * virtual address. */
static void templates_in_connection_listing(void)
{
	struct xvs_conn_info c[2] = {
		{ .proto = IPPROTO_TCP, .vport = 443, .dport = 443, .state = (enum xvs_conn_state)XVS_TPL_ASSURED,
		  .expire_s = 273, .is_template = true },
		{ .proto = 0, .state = (enum xvs_conn_state)XVS_TPL_NONE, .expire_s = 59, .is_template = true },
	};

	c[0].caddr = inet_addr("198.51.100.0");
	c[0].vaddr = inet_addr("192.0.2.10");
	c[0].daddr = inet_addr("10.0.0.11");
	c[1].caddr = inet_addr("198.51.100.7");
	c[1].vaddr = inet_addr("0.0.0.7");
	c[1].daddr = inet_addr("10.0.2.7");
	EXPECT_STREQ(RENDER(xvsadm_render_conns(OUT, c, 2, XVSADM_FMT_NUMERIC)),
		"IPVS connection entries\n"
		"pro expire state       source             virtual            destination\n"
		"TCP 04:33  ASSURED     198.51.100.0:0     192.0.2.10:443     10.0.0.11:443\n"
		"IP  00:59  NONE        198.51.100.7:0     0.0.0.7:0          10.0.2.7:0\n");
}

/* -L --marks, most specific first; -S puts the rules before the services,
 * so a restore has them before it needs them. */
static void mark_rules_render_and_save(void)
{
	struct xvs_mark_rule r[3] = {
		{ IPPROTO_TCP, 0, 24, 0, 65535, 8 },
		{ IPPROTO_TCP, 0, 32, 8000, 8100, 7 },
		{ IPPROTO_UDP, 0, 32, 53, 53, 9 },
	};
	struct xvsadm_table t = { .marks = r, .n_marks = 3 };

	r[0].addr = inet_addr("192.0.2.0");
	r[1].addr = inet_addr("192.0.2.10");
	r[2].addr = inet_addr("192.0.2.10");
	EXPECT_STREQ(RENDER(xvsadm_render_marks(OUT, r, 3, XVSADM_FMT_NUMERIC)),
		"Firewall mark rules\n"
		"Prot Destination[/len][:ports]         Mark\n"
		"TCP  192.0.2.10:8000-8100              7\n"
		"UDP  192.0.2.10:53                     9\n"
		"TCP  192.0.2.0/24                      8\n");
	EXPECT_STREQ(RENDER(xvsadm_render_save(OUT, &t, XVSADM_FMT_NUMERIC)),
		"--add-mark 8 -t 192.0.2.0/24\n"
		"--add-mark 7 -t 192.0.2.10:8000-8100\n"
		"--add-mark 9 -u 192.0.2.10:53\n");
}

/* -f services: "FWM  N" in -L, "-f N" in -S, after the others. */
static void fwmark_service_layouts(void)
{
	struct xvs_dest_info d = { .conf = { .port = 0, .fwd = XVS_FWD_DR, .weight = 1 },
				   .active_conns = 2, .persist_conns = 1 };
	struct xvs_svc_info s = { .conf = { .proto = IPPROTO_TCP, .fwmark = 5, .sched = "wlc",
					    .persistent = true, .persist_timeout_s = 60 },
				  .dests = &d, .n_dests = 1 };
	struct xvsadm_table t = { .svcs = &s, .n_svcs = 1 };

	d.conf.addr = inet_addr("10.0.2.7");
	EXPECT_STREQ(RENDER(xvsadm_render_entry(OUT, &s, NULL, XVSADM_FMT_NUMERIC)),
		"FWM  5 wlc persistent 60\n"
		"  -> 10.0.2.7:0                   Route   1      2          0         \n");
	EXPECT_STREQ(RENDER(xvsadm_render_entry(OUT, &s, NULL,
						XVSADM_FMT_NUMERIC | XVSADM_FMT_PERSISTCONN)),
		"FWM  5 wlc persistent 60\n"
		"  -> 10.0.2.7:0                   1         1           2          0         \n");
	EXPECT_STREQ(RENDER(xvsadm_render_save(OUT, &t, XVSADM_FMT_NUMERIC)),
		"-A -f 5 -s wlc -p 60\n"
		"-a -f 5 -r 10.0.2.7:0 -g -w 1\n");
}

static void timeout_and_counters(void)
{
	uint64_t vals[2] = { 7, 18446744073709551615ULL };
	char want[256];

	EXPECT_STREQ(RENDER(xvsadm_render_timeout(OUT, 900, 120, 300)),
		     "Timeout (tcp tcpfin udp): 900 120 300\n");
	snprintf(want, sizeof(want), "%-24s 7\n%-24s 18446744073709551615\n",
		 xvs_counter_name(0), xvs_counter_name(1));
	EXPECT_STREQ(RENDER(xvsadm_render_counters(OUT, vals, 2)), want);
}

static void save_matches_ipvsadm(void)
{
	fill_addresses();
	EXPECT_STREQ(RENDER(xvsadm_render_save(OUT, &table, XVSADM_FMT_NUMERIC)),
		"-A -t 192.0.2.10:443 -s wlc -p 300\n"
		"-a -t 192.0.2.10:443 -r 10.0.0.11:443 -g -w 1\n"
		"-a -t 192.0.2.10:443 -r 10.0.0.12:443 -g -w 0\n"
		"-A -u 192.0.2.10:53 -s mh -o -b mh-fallback,mh-port\n"
		"-a -u 192.0.2.10:53 -r 10.0.1.5:53 -m -w 2\n"
		"-A -t 192.0.2.20:80 -s rr -p 600 -M 255.255.255.0\n"
		"-a -t 192.0.2.20:80 -r 10.0.2.7:80 -i -w 3 --tun-type ipip -x 100 -y 50\n");
}

static void names_are_resolved_without_numeric(void)
{
	char buf[128];

	/* /etc/hosts and /etc/services entries every Debian system has */
	xvsadm_addrport(buf, sizeof(buf), inet_addr("127.0.0.1"), 80, IPPROTO_TCP, 0);
	EXPECT_STREQ(buf, "localhost:http");
	xvsadm_addrport(buf, sizeof(buf), inet_addr("127.0.0.1"), 80, IPPROTO_TCP,
			XVSADM_FMT_NUMERIC);
	EXPECT_STREQ(buf, "127.0.0.1:80");
	xvsadm_addrport(buf, sizeof(buf), inet_addr("127.0.0.1"), 61999, IPPROTO_UDP, 0);
	EXPECT_STREQ(buf, "localhost:61999");
}

static const struct test_case cases[] = {
	TEST_CASE(list_numeric_matches_ipvsadm),
	TEST_CASE(list_of_empty_table_has_only_headers),
	TEST_CASE(one_service_listing_has_no_version_line),
	TEST_CASE(sched_flag_names_depend_on_scheduler),
	TEST_CASE(stats_line_of_an_idle_service),
	TEST_CASE(stats_scale_large_numbers),
	TEST_CASE(largenum_boundaries),
	TEST_CASE(rates_replace_the_statistics),
	TEST_CASE(thresholds_persistconn_and_tuninfo_layouts),
	TEST_CASE(connections_layout),
	TEST_CASE(templates_in_connection_listing),
	TEST_CASE(mark_rules_render_and_save),
	TEST_CASE(fwmark_service_layouts),
	TEST_CASE(timeout_and_counters),
	TEST_CASE(save_matches_ipvsadm),
	TEST_CASE(names_are_resolved_without_numeric),
};

TEST_MAIN(cases)
