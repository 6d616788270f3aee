// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsadm's FULLNAT local addresses (DPVS's -P/-Q/-G with -z/-F), the xvs
 * --lport-range command and NAT/FULLNAT real servers: parsing and the
 * option matrix, error texts, the -G and -L renderings, and -S -> parse
 * round trips. No root, no BPF. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "../../cmd/xvsadm/xvsadm.h"
#include "../harness/test.h"

#define RENDER(call) ({ \
	static char *_buf; size_t _len; FILE *_f; \
	free(_buf); _buf = NULL; \
	_f = open_memstream(&_buf, &_len); \
	call; \
	fclose(_f); \
	_buf; })
#define OUT _f

static int parse_line(const char *line, struct xvsadm_cmdline *cl, struct xvsadm_err *err)
{
	static char buf[1024];
	char *argv[64] = { "xvsadm" };
	int n;

	snprintf(buf, sizeof(buf), "%s", line);
	n = xvsadm_split_line(buf, argv + 1, 62);
	return xvsadm_parse(n + 1, argv, cl, err);
}

static int parse_text(const char *text, struct xvsadm_cmdline **cls, size_t *n,
		      struct xvsadm_err *err)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int r;

	if (!f)
		return -1;
	r = xvsadm_restore_parse(f, cls, n, err);
	fclose(f);
	return r;
}

/* ---- parsing ---- */

static void laddr_commands_parse(void)
{
	static const struct {
		const char *line;
		enum xvsadm_cmd cmd;
		uint8_t proto;
		const char *vip;
		uint16_t vport;
		const char *lip;	/* NULL: none */
		const char *ifname;
	} cases[] = {
		{ "-P -t 192.0.2.10:80 -z 10.0.9.1 -F veth0", XVSADM_CMD_ADDLADDR, IPPROTO_TCP,
		  "192.0.2.10", 80, "10.0.9.1", "veth0" },
		{ "--add-laddr --tcp-service=192.0.2.10:http --laddr 10.0.9.2 --ifname=eth1",
		  XVSADM_CMD_ADDLADDR, IPPROTO_TCP, "192.0.2.10", 80, "10.0.9.2", "eth1" },
		{ "-P -u 192.0.2.10:53 -z 10.0.9.1 -F a-long-name-15c", XVSADM_CMD_ADDLADDR,
		  IPPROTO_UDP, "192.0.2.10", 53, "10.0.9.1", "a-long-name-15c" },
		{ "ipvsadm -Pt192.0.2.10:80 -z10.0.9.3 -Fveth0", XVSADM_CMD_ADDLADDR, IPPROTO_TCP,
		  "192.0.2.10", 80, "10.0.9.3", "veth0" },
		{ "-Q -t 192.0.2.10:80 -z 10.0.9.1", XVSADM_CMD_DELLADDR, IPPROTO_TCP,
		  "192.0.2.10", 80, "10.0.9.1", "" },
		{ "--del-laddr -t 192.0.2.10:80 -z 10.0.9.1 -F veth0", XVSADM_CMD_DELLADDR,
		  IPPROTO_TCP, "192.0.2.10", 80, "10.0.9.1", "veth0" },
		{ "-G", XVSADM_CMD_GETLADDR, 0, NULL, 0, NULL, "" },
		{ "--get-laddr -u 192.0.2.10:53", XVSADM_CMD_GETLADDR, IPPROTO_UDP,
		  "192.0.2.10", 53, NULL, "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xvsadm_cmdline cl;
		struct xvsadm_err err;

		if (parse_line(cases[i].line, &cl, &err)) {
			test_fail(__FILE__, __LINE__, "'%s': %s", cases[i].line, err.msg);
			continue;
		}
		EXPECT_EQ_INT(cl.cmd, cases[i].cmd);
		if (cases[i].vip) {
			EXPECT_EQ_INT(cl.svc.proto, cases[i].proto);
			EXPECT_EQ_INT(cl.svc.addr, inet_addr(cases[i].vip));
			EXPECT_EQ_INT(cl.svc.port, cases[i].vport);
		}
		EXPECT_EQ_INT(cl.laddr.addr, cases[i].lip ? inet_addr(cases[i].lip) : 0);
		EXPECT_STREQ(cl.laddr.ifname, cases[i].ifname);
	}
}

static void lport_range_parses(void)
{
	struct xvsadm_cmdline cl;
	struct xvsadm_err err;

	ASSERT(parse_line("--lport-range 20000-29999", &cl, &err) == 0);
	EXPECT_EQ_INT(cl.cmd, XVSADM_CMD_LPORT_RANGE);
	EXPECT_EQ_INT(cl.lport_min, 20000);
	EXPECT_EQ_INT(cl.lport_max, 29999);
	ASSERT(parse_line("--lport-range=1-65535", &cl, &err) == 0);
	EXPECT_EQ_INT(cl.lport_min, 1);
	EXPECT_EQ_INT(cl.lport_max, 65535);
	ASSERT(parse_line("--lport-range 5000-5000", &cl, &err) == 0);
	EXPECT_EQ_INT(cl.lport_min, 5000);
	EXPECT_EQ_INT(cl.lport_max, 5000);
}

static void bad_laddr_lines_fail_clearly(void)
{
	static const struct {
		const char *line;
		int code;
		const char *msg;
	} cases[] = {
		/* the option matrix, in DPVS's words */
		{ "-P -t 192.0.2.10:80 -z 10.0.9.1", 2,
		  "You need to supply the 'ifname' option for the 'add-laddr' command" },
		{ "-P -t 192.0.2.10:80 -F veth0", 2,
		  "You need to supply the 'local-address' option for the 'add-laddr' command" },
		{ "-P -z 10.0.9.1 -F veth0", 2,
		  "You need to supply the 'service-address' option for the 'add-laddr' command" },
		{ "-Q -t 192.0.2.10:80", 2,
		  "You need to supply the 'local-address' option for the 'del-laddr' command" },
		{ "-Q -t 192.0.2.10:80 -F veth0", 2,
		  "You need to supply the 'local-address' option for the 'del-laddr' command" },
		{ "-P -t 192.0.2.10:80 -z 10.0.9.1 -F veth0 -w 1", 2,
		  "Illegal 'weight' option with the 'add-laddr' command" },
		{ "-P -t 192.0.2.10:80 -z 10.0.9.1 -F veth0 -r 10.0.0.1", 2,
		  "Illegal 'real-server' option with the 'add-laddr' command" },
		{ "-Q -t 192.0.2.10:80 -z 10.0.9.1 -s rr", 2,
		  "Illegal 'scheduler' option with the 'del-laddr' command" },
		{ "-G -z 10.0.9.1", 2, "Illegal 'local-address' option with the 'get-laddr' command" },
		{ "-G -F veth0", 2, "Illegal 'ifname' option with the 'get-laddr' command" },
		{ "-G -n", 2, "Illegal 'numeric' option with the 'get-laddr' command" },
		{ "-A -t 192.0.2.10:80 -s rr -z 10.0.9.1", 2,
		  "Illegal 'local-address' option with the 'add-service' command" },
		{ "-a -t 192.0.2.10:80 -r 10.0.0.1 -b -F veth0", 2,
		  "Illegal 'ifname' option with the 'add-server' command" },
		{ "-L -F veth0", 2, "Illegal 'ifname' option with the 'list' command" },
		{ "-S -z 10.0.9.1", 2, "Illegal 'local-address' option with the 'save' command" },
		{ "-P -Q -t 192.0.2.10:80", 2, "multiple commands specified" },
		{ "-P -t 192.0.2.10:80 -z 10.0.9.1 -z 10.0.9.2 -F veth0", 2,
		  "multiple 'local-address' options specified" },
		{ "-P -t 192.0.2.10:80 -z 10.0.9.1 -F veth0 -F veth1", 2,
		  "multiple 'ifname' options specified" },
		/* values */
		{ "-P -t 192.0.2.10:80 -z 0.0.0.0 -F veth0", 2, "illegal local address" },
		{ "-P -t 192.0.2.10:80 -z 224.0.0.5 -F veth0", 2, "illegal local address" },
		{ "-P -t 192.0.2.10:80 -z 255.255.255.255 -F veth0", 2, "illegal local address" },
		{ "-P -t 192.0.2.10:80 -z 127.0.0.2 -F veth0", 2, "illegal local address" },
		{ "-P -t 192.0.2.10:80 -z 10.0.9.1:80 -F veth0", 2, "illegal local address" },
		{ "-P -t 192.0.2.10:80 -z 10.0.9.300 -F veth0", 2, "illegal local address" },
		{ "-P -t 192.0.2.10:80 -z 12345 -F veth0", 2, "illegal local address" },
		{ "-P -t 192.0.2.10:80 -z 2001:db8::1 -F veth0", 2,
		  "xvsadm: IPv6 local addresses are not supported yet" },
		{ "-P -t 192.0.2.10:80 -z 10.0.9.1 -F a/b", 2, "xvsadm: invalid interface name `a/b'" },
		{ "-P -t 192.0.2.10:80 -z 10.0.9.1 -F averyveryverylongname", 2,
		  "xvsadm: invalid interface name `averyveryverylongname'" },
		{ "-P -t 192.0.2.10:80 -z 10.0.9.1 -F ..", 2, "xvsadm: invalid interface name `..'" },
		{ "-P -t 192.0.2.10:80 -z 10.0.9.1 -F", 2, "-F: missing argument" },
		{ "-P -t 192.0.2.1x:80 -z 10.0.9.1 -F veth0", 2,
		  "illegal virtual server address[:port] specified" },
		{ "--lport-range 3000-2000", 2,
		  "xvsadm: invalid local port range `3000-2000' (MIN-MAX within 1-65535)" },
		{ "--lport-range 0-100", 2,
		  "xvsadm: invalid local port range `0-100' (MIN-MAX within 1-65535)" },
		{ "--lport-range 1-65536", 2,
		  "xvsadm: invalid local port range `1-65536' (MIN-MAX within 1-65535)" },
		{ "--lport-range 5000", 2,
		  "xvsadm: invalid local port range `5000' (MIN-MAX within 1-65535)" },
		{ "--lport-range a-b", 2, "xvsadm: invalid local port range `a-b' (MIN-MAX within 1-65535)" },
		{ "--lport-range", 2, "--lport-range: missing argument" },
		{ "--lport-range 1-2 -n", 2, "Illegal 'numeric' option with the 'lport-range' command" },
		{ "--lport-range 1-2 -L", 2, "multiple commands specified" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xvsadm_cmdline cl;
		struct xvsadm_err err;
		int r = parse_line(cases[i].line, &cl, &err);

		if (r != cases[i].code || strcmp(err.msg, cases[i].msg))
			test_fail(__FILE__, __LINE__, "'%s':\n  got      %d \"%s\"\n  expected %d \"%s\"",
				  cases[i].line, r, r ? err.msg : "", cases[i].code, cases[i].msg);
	}
}

static void matrix_holds_dpvs_laddr_rules(void)
{
	static const struct {
		enum xvsadm_cmd cmd;
		enum xvsadm_opt opt;
		char rule;
	} rules[] = {
		{ XVSADM_CMD_ADDLADDR, XVSADM_OPT_SERVICE, '+' },
		{ XVSADM_CMD_ADDLADDR, XVSADM_OPT_LADDR, '+' },
		{ XVSADM_CMD_ADDLADDR, XVSADM_OPT_IFNAME, '+' },
		{ XVSADM_CMD_ADDLADDR, XVSADM_OPT_NUMERIC, 'x' },
		{ XVSADM_CMD_ADDLADDR, XVSADM_OPT_HOOK, 'x' },
		{ XVSADM_CMD_DELLADDR, XVSADM_OPT_SERVICE, '+' },
		{ XVSADM_CMD_DELLADDR, XVSADM_OPT_LADDR, '+' },
		{ XVSADM_CMD_DELLADDR, XVSADM_OPT_IFNAME, ' ' },	/* DPVS: '+' */
		{ XVSADM_CMD_GETLADDR, XVSADM_OPT_SERVICE, ' ' },
		{ XVSADM_CMD_GETLADDR, XVSADM_OPT_LADDR, 'x' },
		{ XVSADM_CMD_GETLADDR, XVSADM_OPT_IFNAME, 'x' },
		{ XVSADM_CMD_GETLADDR, XVSADM_OPT_NUMERIC, 'x' },
		{ XVSADM_CMD_LPORT_RANGE, XVSADM_OPT_SERVICE, 'x' },
		{ XVSADM_CMD_ADD, XVSADM_OPT_LADDR, 'x' },
		{ XVSADM_CMD_ADDDEST, XVSADM_OPT_IFNAME, 'x' },
		{ XVSADM_CMD_LIST, XVSADM_OPT_LADDR, 'x' },
		{ XVSADM_CMD_RESTORE, XVSADM_OPT_IFNAME, 'x' },
	};

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		char got = xvsadm_opt_rule(rules[i].cmd, rules[i].opt);

		if (got != rules[i].rule)
			test_fail(__FILE__, __LINE__, "%s/%s: '%c', expected '%c'",
				  xvsadm_cmd_name(rules[i].cmd), xvsadm_opt_name(rules[i].opt),
				  got, rules[i].rule);
	}
	EXPECT_STREQ(xvsadm_cmd_name(XVSADM_CMD_ADDLADDR), "add-laddr");
	EXPECT_STREQ(xvsadm_cmd_name(XVSADM_CMD_DELLADDR), "del-laddr");
	EXPECT_STREQ(xvsadm_cmd_name(XVSADM_CMD_GETLADDR), "get-laddr");
	EXPECT_STREQ(xvsadm_opt_name(XVSADM_OPT_LADDR), "local-address");
	EXPECT_STREQ(xvsadm_opt_name(XVSADM_OPT_IFNAME), "ifname");
}

/* NAT and FULLNAT servers keep their own port; DR and TUN take the
 * service's, as ipvsadm. */
static void nat_and_fullnat_servers_keep_their_port(void)
{
	static const struct {
		const char *line;
		enum xvs_fwd fwd;
		uint16_t port;
	} cases[] = {
		{ "-a -t 192.0.2.10:80 -r 10.0.0.1:8080 -m -w 2", XVS_FWD_NAT, 8080 },
		{ "-a -t 192.0.2.10:80 -r 10.0.0.1:8080 -b", XVS_FWD_FNAT, 8080 },
		{ "-e -t 192.0.2.10:80 -r 10.0.0.1:8080 --fullnat -w 3", XVS_FWD_FNAT, 8080 },
		{ "-a -t 192.0.2.10:80 -r 10.0.0.1 --masquerading", XVS_FWD_NAT, 80 },
		{ "-a -t 192.0.2.10:80 -r 10.0.0.1:8080 -g", XVS_FWD_DR, 80 },
	};

	ASSERT(xvs_fwd_supported(XVS_FWD_NAT));
	ASSERT(xvs_fwd_supported(XVS_FWD_FNAT));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xvsadm_cmdline cl;
		struct xvsadm_err err;

		if (parse_line(cases[i].line, &cl, &err)) {
			test_fail(__FILE__, __LINE__, "'%s': %s", cases[i].line, err.msg);
			continue;
		}
		EXPECT_EQ_INT(cl.dest.fwd, cases[i].fwd);
		EXPECT_EQ_INT(cl.dest.port, cases[i].port);
	}
}

/* ---- error texts ---- */

static void laddr_errors_have_clear_texts(void)
{
	static const struct {
		enum xvsadm_cmd cmd;
		int err;
		const char *msg;
	} cases[] = {
		{ XVSADM_CMD_ADDLADDR, -ESRCH, "Service not defined" },
		{ XVSADM_CMD_ADDLADDR, -EEXIST, "Local address already exists" },
		{ XVSADM_CMD_ADDLADDR, -ENOSPC, "Too many local addresses (at most 16 per service)" },
		{ XVSADM_CMD_ADDLADDR, -ENODEV, "No such interface" },
		{ XVSADM_CMD_ADDLADDR, -EINVAL, "illegal local address" },
		{ XVSADM_CMD_DELLADDR, -ESRCH, "Service not defined" },
		{ XVSADM_CMD_DELLADDR, -ENOENT, "No such local address" },
		{ XVSADM_CMD_GETLADDR, -ENOENT, "No such service" },
		{ XVSADM_CMD_LPORT_RANGE, -EINVAL, "xvsadm: invalid local port range" },
		{ XVSADM_CMD_ADDLADDR, -EPERM, "Permission denied (you must be root)" },
	};
	struct xvsadm_cmdline cl;
	struct xvsadm_err err;
	char buf[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT_STREQ(xvsadm_op_strerror(cases[i].cmd, cases[i].err, true), cases[i].msg);
	/* the missing interface is named */
	ASSERT(parse_line("-P -t 192.0.2.10:80 -z 10.0.9.1 -F nosuch0", &cl, &err) == 0);
	EXPECT_STREQ(xvsadm_op_message(buf, sizeof(buf), &cl, -ENODEV, true),
		     "No such interface `nosuch0'");
	EXPECT_STREQ(xvsadm_op_message(buf, sizeof(buf), &cl, -EEXIST, true),
		     "Local address already exists");
}

/* ---- rendering ---- */

static struct xvs_dest_info fnat_dests[] = {
	{ .conf = { .port = 8080, .fwd = XVS_FWD_FNAT, .weight = 1 }, .active_conns = 4 },
	{ .conf = { .port = 8081, .fwd = XVS_FWD_NAT, .weight = 2 }, .inact_conns = 1 },
};
static struct xvs_svc_info two_svcs[] = {
	{ .conf = { .proto = IPPROTO_TCP, .port = 80, .sched = "rr" },
	  .dests = fnat_dests, .n_dests = 2 },
	{ .conf = { .proto = IPPROTO_UDP, .port = 53, .sched = "wrr" } },
};
static struct xvs_laddr_info laddrs0[] = {
	{ .conf = { .ifname = "veth0" }, .conns = 3 },
	{ .conf = { .ifname = "eth1" }, .conns = 0 },
};
static const struct xvsadm_laddr_list laddr_lists[] = {
	{ laddrs0, 2 },
	{ NULL, 0 },
};

static void fill(void)
{
	two_svcs[0].conf.addr = inet_addr("192.0.2.10");
	two_svcs[1].conf.addr = inet_addr("192.0.2.11");
	fnat_dests[0].conf.addr = inet_addr("10.0.0.11");
	fnat_dests[1].conf.addr = inet_addr("10.0.0.12");
	laddrs0[0].conf.addr = inet_addr("10.0.9.1");
	laddrs0[1].conf.addr = inet_addr("10.0.9.2");
}

static void get_laddr_matches_dpvs_layout(void)
{
	struct xvsadm_table t = { .svcs = two_svcs, .n_svcs = 2, .laddrs = laddr_lists,
				  .lport_min = 1025, .lport_max = 65535 };

	fill();
	EXPECT_STREQ(RENDER(xvsadm_render_laddrs(OUT, &t)),
		"Local port range: 1025-65535\n"
		"VIP:VPORT            TOTAL    SNAT_IP              CONFLICTS  CONNS     \n"
		"192.0.2.10:80        2        \n"
		"                              10.0.9.1             0          3         \n"
		"                              10.0.9.2             0          0         \n"
		"192.0.2.11:53        0        \n");
	/* one service (-G -t): the title and that service */
	t.svcs = &two_svcs[1];
	t.laddrs = &laddr_lists[1];
	t.n_svcs = 1;
	t.lport_min = 20000;
	t.lport_max = 20999;
	EXPECT_STREQ(RENDER(xvsadm_render_laddrs(OUT, &t)),
		"Local port range: 20000-20999\n"
		"VIP:VPORT            TOTAL    SNAT_IP              CONFLICTS  CONNS     \n"
		"192.0.2.11:53        0        \n");
	/* no service: no title, as DPVS; no range known: no range line */
	EXPECT_STREQ(RENDER(xvsadm_render_laddrs(OUT, &(struct xvsadm_table){ .n_svcs = 0 })), "");
}

static void list_shows_laddrs_after_the_real_servers(void)
{
	struct xvsadm_table t = { .svcs = two_svcs, .n_svcs = 2, .laddrs = laddr_lists };

	fill();
	EXPECT_STREQ(RENDER(xvsadm_render_list(OUT, &t, XVSADM_FMT_NUMERIC, 4096)),
		"IP Virtual Server version 1.2.1 (size=4096)\n"
		"Prot LocalAddress:Port Scheduler Flags\n"
		"  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
		"TCP  192.0.2.10:80 rr\n"
		"  -> 10.0.0.11:8080               FullNat 1      4          0         \n"
		"  -> 10.0.0.12:8081               Masq    2      0          1         \n"
		"  => laddr 10.0.9.1 dev veth0 conns 3\n"
		"  => laddr 10.0.9.2 dev eth1 conns 0\n"
		"UDP  192.0.2.11:53 wrr\n");
	/* one service (-L -t) */
	EXPECT_STREQ(RENDER(xvsadm_render_entry(OUT, &two_svcs[0], &laddr_lists[0],
						XVSADM_FMT_NUMERIC | XVSADM_FMT_TUN_INFO)),
		"TCP  192.0.2.10:80 rr\n"
		"  -> 10.0.0.11:8080               FullNat n/a           1      4          0         \n"
		"  -> 10.0.0.12:8081               Masq    n/a           2      0          1         \n"
		"  => laddr 10.0.9.1 dev veth0 conns 3\n"
		"  => laddr 10.0.9.2 dev eth1 conns 0\n");
	/* the numeric layouts keep ipvsadm's lines only */
	EXPECT_STREQ(RENDER(xvsadm_render_entry(OUT, &two_svcs[0], &laddr_lists[0],
						XVSADM_FMT_NUMERIC | XVSADM_FMT_THRESHOLDS)),
		"TCP  192.0.2.10:80 rr\n"
		"  -> 10.0.0.11:8080               0          0          4          0         \n"
		"  -> 10.0.0.12:8081               0          0          0          1         \n");
	EXPECT(!strstr(RENDER(xvsadm_render_list(OUT, &t, XVSADM_FMT_NUMERIC | XVSADM_FMT_STATS, 1)),
		       "=>"));
}

/* -c keeps ipvsadm's layout for FULLNAT connections (DPVS has no option
 * that adds the local address to it). */
static void fullnat_connections_keep_the_ipvsadm_layout(void)
{
	struct xvs_conn_info c = { .proto = IPPROTO_TCP, .fwd = XVS_FWD_FNAT, .cport = 40000,
				   .vport = 80, .dport = 8080, .lport = 1025,
				   .state = XVS_CS_ESTABLISHED, .expire_s = 61 };

	c.caddr = inet_addr("198.51.100.7");
	c.vaddr = inet_addr("192.0.2.10");
	c.daddr = inet_addr("10.0.0.11");
	c.laddr = inet_addr("10.0.9.1");
	EXPECT_STREQ(RENDER(xvsadm_render_conns(OUT, &c, 1, XVSADM_FMT_NUMERIC)),
		"IPVS connection entries\n"
		"pro expire state       source             virtual            destination\n"
		"TCP 01:01  ESTABLISHED 198.51.100.7:40000 192.0.2.10:80      10.0.0.11:8080\n");
}

/* ---- save and restore ---- */

static void save_emits_laddrs_and_the_port_range(void)
{
	struct xvsadm_table t = { .svcs = two_svcs, .n_svcs = 2, .laddrs = laddr_lists,
				  .lport_min = 20000, .lport_max = 29999 };

	fill();
	EXPECT_STREQ(RENDER(xvsadm_render_save(OUT, &t, XVSADM_FMT_NUMERIC)),
		"--lport-range 20000-29999\n"
		"-A -t 192.0.2.10:80 -s rr\n"
		"-a -t 192.0.2.10:80 -r 10.0.0.11:8080 -b -w 1\n"
		"-a -t 192.0.2.10:80 -r 10.0.0.12:8081 -m -w 2\n"
		"-P -t 192.0.2.10:80 -z 10.0.9.1 -F veth0\n"
		"-P -t 192.0.2.10:80 -z 10.0.9.2 -F eth1\n"
		"-A -u 192.0.2.11:53 -s wrr\n");
	/* the default range (or none known) is not saved */
	t.lport_min = XVS_LPORT_MIN_DEFAULT;
	t.lport_max = XVS_LPORT_MAX_DEFAULT;
	EXPECT(strncmp(RENDER(xvsadm_render_save(OUT, &t, XVSADM_FMT_NUMERIC)), "-A ", 3) == 0);
	t.lport_min = t.lport_max = 0;
	EXPECT(strncmp(RENDER(xvsadm_render_save(OUT, &t, XVSADM_FMT_NUMERIC)), "-A ", 3) == 0);
}

static void saved_laddrs_parse_back_to_the_same_table(void)
{
	struct xvsadm_table t = { .svcs = two_svcs, .n_svcs = 2, .laddrs = laddr_lists,
				  .lport_min = 3000, .lport_max = 3999 };
	struct xvsadm_cmdline *cls = NULL;
	struct xvsadm_err err;
	char *text = NULL;
	size_t len = 0, n = 0;
	FILE *f;

	fill();
	f = open_memstream(&text, &len);
	xvsadm_render_save(f, &t, XVSADM_FMT_NUMERIC);
	fclose(f);
	if (parse_text(text, &cls, &n, &err)) {
		test_fail(__FILE__, __LINE__, "saved text does not parse: %s\n%s", err.msg, text);
		free(text);
		return;
	}
	ASSERT(n == 7);
	EXPECT_EQ_INT(cls[0].cmd, XVSADM_CMD_LPORT_RANGE);
	EXPECT_EQ_INT(cls[0].lport_min, 3000);
	EXPECT_EQ_INT(cls[0].lport_max, 3999);
	EXPECT_EQ_INT(cls[1].cmd, XVSADM_CMD_ADD);
	for (int k = 2; k <= 3; k++) {
		const struct xvs_dest_conf *want = &fnat_dests[k - 2].conf;

		EXPECT_EQ_INT(cls[k].cmd, XVSADM_CMD_ADDDEST);
		EXPECT_EQ_INT(cls[k].dest.addr, want->addr);
		EXPECT_EQ_INT(cls[k].dest.port, want->port);
		EXPECT_EQ_INT(cls[k].dest.fwd, want->fwd);
		EXPECT_EQ_INT(cls[k].dest.weight, want->weight);
	}
	for (int k = 4; k <= 5; k++) {
		EXPECT_EQ_INT(cls[k].cmd, XVSADM_CMD_ADDLADDR);
		EXPECT_EQ_INT(cls[k].svc.proto, IPPROTO_TCP);
		EXPECT_EQ_INT(cls[k].svc.addr, two_svcs[0].conf.addr);
		EXPECT_EQ_INT(cls[k].svc.port, 80);
		EXPECT_EQ_INT(cls[k].laddr.addr, laddrs0[k - 4].conf.addr);
		EXPECT_STREQ(cls[k].laddr.ifname, laddrs0[k - 4].conf.ifname);
	}
	EXPECT_EQ_INT(cls[6].cmd, XVSADM_CMD_ADD);
	EXPECT_EQ_INT(cls[6].svc.proto, IPPROTO_UDP);
	if (test_case_failures)
		printf("# saved text:\n%s", text);
	free(cls);
	free(text);
}

static void restore_takes_laddr_lines_and_names_bad_ones(void)
{
	static const struct {
		const char *text;
		int code;
		const char *msg;
	} bad[] = {
		{ "-A -t 192.0.2.10:80 -s rr\n-P -t 192.0.2.10:80 -z 10.0.9.1\n", 2,
		  "line 2: You need to supply the 'ifname' option for the 'add-laddr' command" },
		{ "-P -t 192.0.2.10:80 -z 0.0.0.0 -F veth0\n", 2, "line 1: illegal local address" },
		{ "--lport-range 9-1\n", 2,
		  "line 1: xvsadm: invalid local port range `9-1' (MIN-MAX within 1-65535)" },
		{ "-G\n", 2, "line 1: the 'get-laddr' command cannot be used in a restore" },
	};
	struct xvsadm_cmdline *cls = NULL;
	struct xvsadm_err err;
	size_t n = 0;

	ASSERT(parse_text("-A -t 192.0.2.10:80 -s rr\n"
			  "ipvsadm -P -t 192.0.2.10:80 -z 10.0.9.1 -F veth0\n"
			  "-Q -t 192.0.2.10:80 -z 10.0.9.1\n"
			  "--lport-range 1025-2047\n", &cls, &n, &err) == 0);
	ASSERT(n == 4);
	EXPECT_EQ_INT(cls[1].cmd, XVSADM_CMD_ADDLADDR);
	EXPECT_EQ_INT(cls[1].lineno, 2);
	EXPECT_EQ_INT(cls[2].cmd, XVSADM_CMD_DELLADDR);
	EXPECT_STREQ(cls[2].laddr.ifname, "");
	EXPECT_EQ_INT(cls[3].cmd, XVSADM_CMD_LPORT_RANGE);
	free(cls);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cls = NULL;
		EXPECT_EQ_INT(parse_text(bad[i].text, &cls, &n, &err), bad[i].code);
		EXPECT_STREQ(err.msg, bad[i].msg);
		EXPECT(cls == NULL);
	}
}

static const struct test_case cases[] = {
	TEST_CASE(laddr_commands_parse),
	TEST_CASE(lport_range_parses),
	TEST_CASE(bad_laddr_lines_fail_clearly),
	TEST_CASE(matrix_holds_dpvs_laddr_rules),
	TEST_CASE(nat_and_fullnat_servers_keep_their_port),
	TEST_CASE(laddr_errors_have_clear_texts),
	TEST_CASE(get_laddr_matches_dpvs_layout),
	TEST_CASE(list_shows_laddrs_after_the_real_servers),
	TEST_CASE(fullnat_connections_keep_the_ipvsadm_layout),
	TEST_CASE(save_emits_laddrs_and_the_port_range),
	TEST_CASE(saved_laddrs_parse_back_to_the_same_table),
	TEST_CASE(restore_takes_laddr_lines_and_names_bad_ones),
};

TEST_MAIN(cases)
