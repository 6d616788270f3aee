// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsadm command-line parsing and validation: good lines give the expected
 * parsed struct, bad lines give ipvsadm's message and exit status, and the
 * command x option matrix holds ipvsadm's rules. No root, no BPF. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "../../cmd/xvsadm/xvsadm.h"
#include "../harness/test.h"

static int parse_line(const char *line, struct xvsadm_cmdline *cl, struct xvsadm_err *err)
{
	static char buf[1024];
	char *argv[64] = { "xvsadm" };
	int n;

	snprintf(buf, sizeof(buf), "%s", line);
	n = xvsadm_split_line(buf, argv + 1, 62);
	return xvsadm_parse(n + 1, argv, cl, err);
}

static uint32_t ip(const char *s)
{
	return s ? inet_addr(s) : 0;
}

/* ---- good lines: every parsed field compared ---- */

struct good_case {
	const char *line;
	enum xvsadm_cmd cmd;
	uint8_t proto;
	const char *vip;
	uint16_t vport;
	const char *sched;
	bool persistent;
	uint32_t persist_s;
	const char *mask;		/* NULL: 0 (/32) */
	uint32_t sched_flags;
	bool ops;
	const char *rip;
	uint16_t rport;
	enum xvs_fwd fwd;
	uint32_t weight, u_thresh, l_thresh;
	unsigned int format;
};

#define TCP IPPROTO_TCP
#define UDP IPPROTO_UDP

static const struct good_case good_cases[] = {
	{ "-A -t 10.0.0.1:80 -s rr", XVSADM_CMD_ADD, TCP, "10.0.0.1", 80, "rr",
	  .weight = 1 },
	{ "ipvsadm -A -t 10.0.0.1:80 -s wrr", XVSADM_CMD_ADD, TCP, "10.0.0.1", 80, "wrr",
	  .weight = 1 },
	{ "--add-service --tcp-service=10.0.0.1:http --scheduler rr", XVSADM_CMD_ADD, TCP,
	  "10.0.0.1", 80, "rr", .weight = 1 },
	{ "--add-servi --tcp 10.0.0.1:80 --schedu=rr", XVSADM_CMD_ADD, TCP,
	  "10.0.0.1", 80, "rr", .weight = 1 },
	{ "-A -u 10.0.0.2:53 -s rr -o", XVSADM_CMD_ADD, UDP, "10.0.0.2", 53, "rr",
	  .ops = true, .weight = 1 },
	{ "-A -t 10.0.0.1 -s rr -p", XVSADM_CMD_ADD, TCP, "10.0.0.1", 0, "rr", true, 300,
	  .weight = 1 },
	{ "-A -t 10.0.0.1:443 -s rr -p 600 -M 255.255.255.0", XVSADM_CMD_ADD, TCP,
	  "10.0.0.1", 443, "rr", true, 600, "255.255.255.0", .weight = 1 },
	{ "-A -t 10.0.0.1:443 -s rr -p600", XVSADM_CMD_ADD, TCP, "10.0.0.1", 443, "rr",
	  true, 600, .weight = 1 },
	{ "-A -t 10.0.0.1:443 -s rr --persistent=60 -M 255.255.255.255", XVSADM_CMD_ADD,
	  TCP, "10.0.0.1", 443, "rr", true, 60, NULL, .weight = 1 },
	{ "-A -t 10.0.0.1:443 -s rr -p -M 255.255.0.0", XVSADM_CMD_ADD, TCP,
	  "10.0.0.1", 443, "rr", true, 300, "255.255.0.0", .weight = 1 },
	{ "-A -t 10.0.0.1:80 -s rr -b flag-1,flag-3", XVSADM_CMD_ADD, TCP, "10.0.0.1", 80,
	  "rr", .sched_flags = XVS_SCHED_F_FLAG1 | XVS_SCHED_F_FLAG3, .weight = 1 },
	{ "-At10.0.0.1:80 -srr", XVSADM_CMD_ADD, TCP, "10.0.0.1", 80, "rr", .weight = 1 },
	{ "-E -t 10.0.0.1:80 -s wrr", XVSADM_CMD_EDIT, TCP, "10.0.0.1", 80, "wrr",
	  .weight = 1 },
	{ "-D -t 10.0.0.1:80", XVSADM_CMD_DEL, TCP, "10.0.0.1", 80, .weight = 1 },
	{ "-a -t 10.0.0.1:80 -r 10.0.1.1", XVSADM_CMD_ADDDEST, TCP, "10.0.0.1", 80,
	  .rip = "10.0.1.1", .rport = 80, .fwd = XVS_FWD_DR, .weight = 1 },
	/* DR and TUN cannot change the port: ipvsadm forces the service's */
	{ "-a -t 10.0.0.1:80 -r 10.0.1.1:8080 -g -w 5", XVSADM_CMD_ADDDEST, TCP,
	  "10.0.0.1", 80, .rip = "10.0.1.1", .rport = 80, .fwd = XVS_FWD_DR, .weight = 5 },
	{ "-a -t 10.0.0.1:80 -r 10.0.1.2 -i -w 0 -x 100 -y 50", XVSADM_CMD_ADDDEST, TCP,
	  "10.0.0.1", 80, .rip = "10.0.1.2", .rport = 80, .fwd = XVS_FWD_TUN, .weight = 0,
	  .u_thresh = 100, .l_thresh = 50 },
	{ "-a -t 10.0.0.1:80 -r 10.0.1.2 -i --tun-type ipip", XVSADM_CMD_ADDDEST, TCP,
	  "10.0.0.1", 80, .rip = "10.0.1.2", .rport = 80, .fwd = XVS_FWD_TUN, .weight = 1 },
	{ "-r 10.0.1.3 -a -t 10.0.0.1:80 -w 2147483647", XVSADM_CMD_ADDDEST, TCP,
	  "10.0.0.1", 80, .rip = "10.0.1.3", .rport = 80, .weight = 2147483647 },
	{ "-e -t 10.0.0.1:80 -r 10.0.1.1 -w 3", XVSADM_CMD_EDITDEST, TCP, "10.0.0.1", 80,
	  .rip = "10.0.1.1", .rport = 80, .weight = 3 },
	{ "-d -t 10.0.0.1:80 -r 10.0.1.1", XVSADM_CMD_DELDEST, TCP, "10.0.0.1", 80,
	  .rip = "10.0.1.1", .rport = 80, .weight = 1 },
	{ "-d -u 10.0.0.2:53 -r 10.0.1.1:5353", XVSADM_CMD_DELDEST, UDP, "10.0.0.2", 53,
	  .rip = "10.0.1.1", .rport = 5353, .weight = 1 },
	{ "-C", XVSADM_CMD_FLUSH, .weight = 1 },
	{ "--clear", XVSADM_CMD_FLUSH, .weight = 1 },
	{ "-L", XVSADM_CMD_LIST, .weight = 1 },
	{ "-l", XVSADM_CMD_LIST, .weight = 1 },
	{ "-Ln", XVSADM_CMD_LIST, .weight = 1, .format = XVSADM_FMT_NUMERIC },
	{ "-L -n --stats --exact", XVSADM_CMD_LIST, .weight = 1,
	  .format = XVSADM_FMT_NUMERIC | XVSADM_FMT_STATS | XVSADM_FMT_EXACT },
	{ "-L -n --rate -X", XVSADM_CMD_LIST, .weight = 1,
	  .format = XVSADM_FMT_NUMERIC | XVSADM_FMT_RATE | XVSADM_FMT_EXACT },
	{ "-L -n --thresholds --sort", XVSADM_CMD_LIST, .weight = 1,
	  .format = XVSADM_FMT_NUMERIC | XVSADM_FMT_THRESHOLDS },
	{ "-L -n -t 10.0.0.1:80 --persistent-conn", XVSADM_CMD_LIST, TCP, "10.0.0.1", 80,
	  .weight = 1, .format = XVSADM_FMT_NUMERIC | XVSADM_FMT_PERSISTCONN },
	{ "-L -c -n", XVSADM_CMD_LIST, .weight = 1, .format = XVSADM_FMT_NUMERIC },
	{ "-L --timeout", XVSADM_CMD_LIST, .weight = 1 },
	{ "-L --counters", XVSADM_CMD_LIST, .weight = 1 },
	{ "-S -n", XVSADM_CMD_SAVE, .weight = 1, .format = XVSADM_FMT_NUMERIC },
	{ "-Z", XVSADM_CMD_ZERO, .weight = 1 },
	{ "-Z -t 10.0.0.1:80", XVSADM_CMD_ZERO, TCP, "10.0.0.1", 80, .weight = 1 },
	{ "--set 900 120 300", XVSADM_CMD_TIMEOUT, .weight = 1 },
	{ "-R", XVSADM_CMD_RESTORE, .weight = 1 },
	{ "--detach", XVSADM_CMD_DETACH, .weight = 1 },
	{ "-h", XVSADM_CMD_HELP, .weight = 1 },
	{ "-v", XVSADM_CMD_VERSION, .weight = 1 },
};

static void good_lines_parse_to_expected_structs(void)
{
	for (size_t i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		const struct good_case *g = &good_cases[i];
		struct xvsadm_cmdline cl;
		struct xvsadm_err err;
		int r = parse_line(g->line, &cl, &err);

		if (r) {
			test_fail(__FILE__, __LINE__, "'%s' failed (%d): %s", g->line, r, err.msg);
			continue;
		}
#define FIELD(got, want) \
	do { if ((long long)(got) != (long long)(want)) \
		test_fail(__FILE__, __LINE__, "'%s': %s = %lld, expected %lld", g->line, \
			  #got, (long long)(got), (long long)(want)); } while (0)
		FIELD(cl.cmd, g->cmd);
		FIELD(cl.format, g->format);
		if (g->vip) {
			FIELD(cl.svc.proto, g->proto);
			FIELD(cl.svc.addr, ip(g->vip));
			FIELD(cl.svc.port, g->vport);
		}
		if (g->sched && strcmp(cl.svc.sched, g->sched))
			test_fail(__FILE__, __LINE__, "'%s': sched %s, expected %s", g->line,
				  cl.svc.sched, g->sched);
		FIELD(cl.svc.persistent, g->persistent);
		FIELD(cl.svc.persist_timeout_s, g->persist_s);
		FIELD(cl.svc.netmask, ip(g->mask));
		FIELD(cl.svc.sched_flags, g->sched_flags);
		FIELD(cl.svc.ops, g->ops);
		if (g->rip) {
			FIELD(cl.dest.addr, ip(g->rip));
			FIELD(cl.dest.port, g->rport);
			FIELD(cl.dest.fwd, g->fwd);
		}
		FIELD(cl.dest.weight, g->weight);
		FIELD(cl.dest.u_threshold, g->u_thresh);
		FIELD(cl.dest.l_threshold, g->l_thresh);
#undef FIELD
	}
}

static void add_without_scheduler_uses_the_default(void)
{
	struct xvsadm_cmdline cl;
	struct xvsadm_err err;

	ASSERT(parse_line("-A -t 10.0.0.1:80", &cl, &err) == 0);
	EXPECT_STREQ(cl.svc.sched, xvs_sched_default());
}

static void set_takes_three_timeouts(void)
{
	struct xvsadm_cmdline cl;
	struct xvsadm_err err;

	ASSERT(parse_line("--set 10 0 2678400", &cl, &err) == 0);
	EXPECT_EQ_INT(cl.timeout[0], 10);
	EXPECT_EQ_INT(cl.timeout[1], 0);
	EXPECT_EQ_INT(cl.timeout[2], 86400 * 31);
}

static void hook_and_ifaces_fill_open_options(void)
{
	struct xvsadm_cmdline cl;
	struct xvsadm_err err;

	ASSERT(parse_line("-A -t 10.0.0.1:80 -s rr --hook xdp-generic --ifaces veth0,eth1",
			  &cl, &err) == 0);
	EXPECT_EQ_INT(cl.hook, XVS_HOOK_XDP_GENERIC);
	EXPECT_STREQ(cl.ifaces, "veth0,eth1");
	ASSERT(parse_line("-R --hook=tc", &cl, &err) == 0);
	EXPECT_EQ_INT(cl.hook, XVS_HOOK_TC);
	EXPECT_EQ_INT(cl.conn_max, 0);
	ASSERT(parse_line("-R --conn-max 4194304", &cl, &err) == 0);
	EXPECT_EQ_INT(cl.conn_max, 4194304);
	ASSERT(parse_line("-A -t 10.0.0.1:80 --conn-max=1024", &cl, &err) == 0);
	EXPECT_EQ_INT(cl.conn_max, 1024);
	EXPECT_STREQ(cl.ifaces, "");
}

static void no_arguments_lists_with_names(void)
{
	struct xvsadm_cmdline cl;
	struct xvsadm_err err;
	char *argv[] = { "xvsadm", NULL };

	ASSERT(xvsadm_parse(1, argv, &cl, &err) == 0);
	EXPECT_EQ_INT(cl.cmd, XVSADM_CMD_LIST);
	EXPECT_EQ_INT(cl.format & XVSADM_FMT_NUMERIC, 0);
}

/* ---- bad lines: message and exit status ---- */

struct bad_case {
	const char *line;
	int code;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	{ "-n", 2, "Try `xvsadm -h' or 'xvsadm --help' for more information." },
	{ "-A -D -t 10.0.0.1:80", 2, "multiple commands specified" },
	{ "-A -t 10.0.0.1:80 -t 10.0.0.2:80", 2, "multiple 'service-address' options specified" },
	{ "-A -t 10.0.0.1:80 -s rr -s wrr", 2, "multiple 'scheduler' options specified" },
	{ "-A", 2, "You need to supply the 'service-address' option for the 'add-service' command" },
	{ "-a -t 10.0.0.1:80", 2, "You need to supply the 'real-server' option for the 'add-server' command" },
	{ "-A -t 10.0.0.1:80 -w 1", 2, "Illegal 'weight' option with the 'add-service' command" },
	{ "-A -t 10.0.0.1:80 -r 10.0.1.1", 2, "Illegal 'real-server' option with the 'add-service' command" },
	{ "-D -t 10.0.0.1:80 -s rr", 2, "Illegal 'scheduler' option with the 'delete-service' command" },
	{ "-d -t 10.0.0.1:80 -r 10.0.1.1 -w 2", 2, "Illegal 'weight' option with the 'delete-server' command" },
	{ "-C -n", 2, "Illegal 'numeric' option with the 'flush' command" },
	{ "-S -c", 2, "Illegal 'connection' option with the 'save' command" },
	{ "-L -c -t 10.0.0.1:80", 2,
	  "The option 'service-address' conflicts with the 'connection' option in the 'list' command" },
	{ "-L --timeout --counters", 2,
	  "The option 'counters' conflicts with the 'timeout' option in the 'list' command" },
	{ "-L -c --stats", 2, "options conflicts in the list command" },
	{ "-L --timeout --persistent-conn", 2, "options conflicts in the list command" },
	{ "-L --counters --rate", 2, "options conflicts in the list command" },
	{ "-A -t 10.0.0.1 -s rr", 2, "Zero port specified for non-persistent service" },
	{ "-A -t 10.0.0.1:0 -s rr", 2, "Zero port specified for non-persistent service" },
	{ "-A -t 10.0.0.1:80 -s rr -o", 2, "One-Packet Scheduling is only for UDP virtual services" },
	{ "-A -t 10.0.0.1:65536 -s rr", 2, "illegal virtual server address[:port] specified" },
	{ "-A -t 10.0.0.1:-1 -s rr", 2, "illegal virtual server address[:port] specified" },
	{ "-A -t 10.0.0.1:nosuchservice -s rr", 2, "illegal virtual server address[:port] specified" },
	{ "-A -t 300.1.1.1:80 -s rr", 2, "illegal virtual server address[:port] specified" },
	{ "-A -t 12345 -s rr", 2, "illegal virtual server address[:port] specified" },
	{ "-A -t 10.0.0.1: -s rr", 2, "illegal virtual server address[:port] specified" },
	{ "-a -t 10.0.0.1:80 -r 10.0.1.x", 2, "illegal real server address[:port] specified" },
	{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -w -1", 2, "illegal weight specified" },
	{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -w 2147483648", 2, "illegal weight specified" },
	{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -w 1x", 2, "illegal weight specified" },
	{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -x -5", 2, "illegal u_threshold specified" },
	{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -y abc", 2, "illegal l_threshold specified" },
	{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -x 10 -y 20", 2,
	  "illegal l_threshold specified: above the u_threshold 10" },
	{ "-A -t 10.0.0.1:80 -s rr -p 0", 2, "invalid timeout value `0' specified" },
	{ "-A -t 10.0.0.1:80 -s rr -p 2678401", 2, "invalid timeout value `2678401' specified" },
	{ "-A -t 10.0.0.1:80 -s rr -p abc", 2, "invalid timeout value `abc' specified" },
	{ "-A -t 10.0.0.1:80 -s rr -p -M 255.0.255.0", 2,
	  "illegal virtual server persistent mask specified" },
	{ "-A -t 10.0.0.1:80 -s rr -p -M 300.0.0.0", 2,
	  "illegal virtual server persistent mask specified" },
	{ "-A -t 10.0.0.1:80 -s rr -b flag-9", 2, "invalid scheduler flag `flag-9'" },
	{ "-A -t 10.0.0.1:80 -s rr -b flag-1,sh-port", 2, "incompatible scheduler flag `sh-port'" },
	{ "-A -t 10.0.0.1:80 -s nosuch", 1, "Scheduler or persistence engine not found" },
	{ "--set 1 2", 2, "--set option requires 3 timeout values" },
	{ "--set 1 2 x", 2, "invalid timeout value `x' specified" },
	{ "--set 1 2 3 4", 2, "unexpected argument 4" },
	{ "-L extra", 2, "unexpected argument extra" },
	{ "--bogus", 2, "--bogus: unknown option" },
	{ "-L -j", 2, "-j: unknown option" },
	{ "-L --pers", 2, "--pers: ambiguous option" },
	{ "--add-serv -t 10.0.0.1:80", 2, "--add-serv: ambiguous option" },
	{ "-L --numeric=1", 2, "--numeric: option does not take an argument" },
	{ "-A -t", 2, "-t: missing argument" },
	{ "-A --tcp-service", 2, "--tcp-service: missing argument" },
	{ "-a -t 10.0.0.1:80 -r 10.0.1.1 --tun-type ipip", 2,
	  "Tunnel options conflict with forward method" },
	{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-port 6080", 2,
	  "Illegal 'tun-port' option with the 'ipip' tunnel type" },
	{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-csum", 2,
	  "Illegal 'tun-csum' option with the 'ipip' tunnel type" },
	{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-type vxlan", 2, "illegal tunnel type specified" },
	{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-type gue --tun-port 6080", 2,
	  "xvsadm: only --tun-type ipip is supported" },
	{ "-a -t 10.0.0.1:80 -r 10.0.1.1 -g -i", 2, "multiple 'forwarding-method' options specified" },
	{ "-A -f 0 -s rr", 2, "invalid fwmark value `0' specified" },
	{ "-A -t 10.0.0.1:80 -6", 2, "-6 used before -f" },
	{ "-A -f 7 -6 -s rr", 2, "xvsadm: IPv6 services are not supported yet" },
	{ "-A -t 10.0.0.0/24:80 -s rr", 2, "illegal virtual server address[:port] specified" },
	{ "-a -t 10.0.0.1:80-90 -r 10.0.1.1", 2, "illegal virtual server address[:port] specified" },
	{ "--add-mark 0 -t 10.0.0.1", 2, "invalid fwmark value `0' specified" },
	{ "--add-mark 1", 2, "You need to supply the 'service-address' option for the 'add-mark' command" },
	{ "--add-mark 1 -f 3", 2, "xvsadm: a mark rule matches -t or -u traffic, not -f" },
	{ "--add-mark 1 -t 10.0.0.1/33", 2,
	  "xvsadm: illegal mark match `10.0.0.1/33' (ADDR[/LEN][:PORT[-PORT]])" },
	{ "--add-mark 1 -t 10.0.0.1:90-80", 2,
	  "xvsadm: illegal mark match `10.0.0.1:90-80' (ADDR[/LEN][:PORT[-PORT]])" },
	{ "--add-mark 1 -t 10.0.0.1 -s rr", 2, "Illegal 'scheduler' option with the 'add-mark' command" },
	{ "--add-mark 1 -t [2001:db8::1]:80", 2, "xvsadm: IPv6 mark rules are not supported yet" },
	{ "-L --marks -c", 2, "The option 'marks' conflicts with the 'connection' option in the 'list' command" },
	{ "-A --sctp-service 10.0.0.1:80 -s rr", 2,
	  "xvsadm: SCTP services (--sctp-service) are not supported yet" },
	{ "-A -t [2001:db8::1]:80 -s rr", 2, "xvsadm: IPv6 services are not supported yet" },
	{ "-A -t 2001:db8::1 -s rr -p", 2, "xvsadm: IPv6 services are not supported yet" },
	{ "-a -t 10.0.0.1:80 -r [2001:db8::2]:80", 2, "xvsadm: IPv6 real servers are not supported yet" },
	{ "-A -t 10.0.0.1:80 -s rr --pe sip", 2, "xvsadm: persistence engines (--pe) are not supported" },
	{ "--start-daemon master", 2, "xvsadm: the connection sync daemon is not supported yet" },
	{ "--start-daemon master --syncid 3 --mcast-interface eth0", 2,
	  "xvsadm: the connection sync daemon is not supported yet" },
	{ "--start-daemon leader", 2, "illegal start-daemon parameter specified" },
	{ "--stop-daemon x", 2, "illegal start_daemon specified" },
	{ "--start-daemon master --syncid 256", 2, "illegal syncid specified" },
	{ "--start-daemon master --mcast-group 10.0.0.1", 2, "invalid IPv4 mcast-group `10.0.0.1'" },
	{ "--start-daemon master --mcast-port 0", 2, "illegal mcast-port specified" },
	{ "-L --daemon", 2, "xvsadm: the connection sync daemon is not supported yet" },
	{ "-A -t 10.0.0.1:80 -s rr --hook ebpf", 2,
	  "xvsadm: invalid hook `ebpf' (auto, xdp, xdp-generic or tc)" },
	{ "-A -t 10.0.0.1:80 -s rr --ifaces eth0,,eth1", 2, "xvsadm: invalid interface list `eth0,,eth1'" },
	{ "-A -t 10.0.0.1:80 -s rr --ifaces averyveryverylongname", 2,
	  "xvsadm: invalid interface list `averyveryverylongname'" },
	{ "-a -t 10.0.0.1:80 -r 10.0.1.1 --hook xdp", 2,
	  "Illegal 'hook' option with the 'add-server' command" },
	{ "-A -t 10.0.0.1:80 --conn-max 1000", 2,
	  "xvsadm: invalid --conn-max `1000' (1024 to 134217728 connections)" },
	{ "-A -t 10.0.0.1:80 --conn-max 1M", 2,
	  "xvsadm: invalid --conn-max `1M' (1024 to 134217728 connections)" },
	{ "-L -n --conn-max 4096", 2,
	  "Illegal 'conn-max' option with the 'list' command" },
	{ "-E -t 10.0.0.1:80 --ifaces eth0", 2, "Illegal 'ifaces' option with the 'edit-service' command" },
	{ "-C --counters", 2, "Illegal 'counters' option with the 'flush' command" },
	{ "--detach -n", 2, "Illegal 'numeric' option with the 'detach' command" },
};

/* -f services parse as ipvsadm parses them; --add-mark/--del-mark take a
 * mark and a -t/-u match with a prefix and a port range. */
static void fwmark_services_and_mark_rules(void)
{
	static const struct {
		const char *line;
		enum xvsadm_cmd cmd;
		uint32_t fwmark;
		uint8_t proto;
		const char *addr;
		uint8_t len;
		uint16_t pmin, pmax;
	} cases[] = {
		{ "-A -f 7 -s wlc -p", XVSADM_CMD_ADD, 7, 0, NULL, 0, 0, 0 },
		{ "-a -f 7 -r 10.0.1.1 -m", XVSADM_CMD_ADDDEST, 7, 0, NULL, 0, 0, 0 },
		{ "--add-mark 7 -t 192.0.2.0/24:80-90", XVSADM_CMD_ADDMARK, 7, TCP, "192.0.2.0", 24,
		  80, 90 },
		{ "--add-mark 1 -u 10.0.0.1", XVSADM_CMD_ADDMARK, 1, UDP, "10.0.0.1", 32, 0, 65535 },
		{ "--add-mark 2 -t 10.0.0.1:http", XVSADM_CMD_ADDMARK, 2, TCP, "10.0.0.1", 32, 80, 80 },
		{ "-t 0.0.0.0/0:443 --del-mark 3", XVSADM_CMD_DELMARK, 3, TCP, "0.0.0.0", 0, 443, 443 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xvsadm_cmdline cl;
		struct xvsadm_err err;
		int r = parse_line(cases[i].line, &cl, &err);

		if (r) {
			test_fail(__FILE__, __LINE__, "'%s' failed: %s", cases[i].line, err.msg);
			continue;
		}
		EXPECT_EQ_INT(cl.cmd, cases[i].cmd);
		if (cases[i].cmd == XVSADM_CMD_ADDMARK || cases[i].cmd == XVSADM_CMD_DELMARK) {
			EXPECT_EQ_INT(cl.mark.mark, cases[i].fwmark);
			EXPECT_EQ_INT(cl.mark.proto, cases[i].proto);
			EXPECT_EQ_INT(cl.mark.addr, inet_addr(cases[i].addr));
			EXPECT_EQ_INT(cl.mark.prefix_len, cases[i].len);
			EXPECT_EQ_INT(cl.mark.port_min, cases[i].pmin);
			EXPECT_EQ_INT(cl.mark.port_max, cases[i].pmax);
			EXPECT_EQ_INT(cl.svc.fwmark, 0);
		} else {
			EXPECT_EQ_INT(cl.svc.fwmark, cases[i].fwmark);
		}
	}
}

static void bad_lines_fail_with_ipvsadm_messages(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *b = &bad_cases[i];
		struct xvsadm_cmdline cl;
		struct xvsadm_err err;
		int r = parse_line(b->line, &cl, &err);

		if (r != b->code || err.code != b->code || strcmp(err.msg, b->msg))
			test_fail(__FILE__, __LINE__, "'%s':\n  got      %d \"%s\"\n  expected %d \"%s\"",
				  b->line, r, r ? err.msg : "", b->code, b->msg);
	}
}

/* Masquerading and full NAT wait for the data plane: refused until
 * xvs_fwd_supported() says otherwise, accepted after. */
static void unsupported_forwarding_follows_the_library(void)
{
	static const struct {
		const char *line;
		enum xvs_fwd fwd;
		const char *msg;
	} cases[] = {
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1:8080 -m", XVS_FWD_NAT,
		  "xvsadm: masquerading (-m) is not supported by this xvs yet" },
		{ "-a -t 10.0.0.1:80 -r 10.0.1.1:8080 -b", XVS_FWD_FNAT,
		  "xvsadm: full NAT (-b/--fullnat) is not supported by this xvs yet" },
		{ "-e -t 10.0.0.1:80 -r 10.0.1.1:8080 --fullnat -w 2", XVS_FWD_FNAT,
		  "xvsadm: full NAT (-b/--fullnat) is not supported by this xvs yet" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xvsadm_cmdline cl;
		struct xvsadm_err err;
		int r = parse_line(cases[i].line, &cl, &err);

		if (xvs_fwd_supported(cases[i].fwd)) {
			EXPECT_EQ_INT(r, 0);
			EXPECT_EQ_INT(cl.dest.fwd, cases[i].fwd);
			EXPECT_EQ_INT(cl.dest.port, 8080);	/* NAT keeps its port */
		} else {
			EXPECT_EQ_INT(r, 2);
			EXPECT_STREQ(err.msg, cases[i].msg);
		}
	}
}

/* ---- the legality matrix ---- */

static void every_matrix_row_covers_every_option(void)
{
	for (int c = XVSADM_CMD_NONE + 1; c < XVSADM_CMD_MAX; c++) {
		EXPECT(strcmp(xvsadm_cmd_name(c), "?") != 0);
		for (int o = 0; o < XVSADM_OPT_MAX; o++) {
			char r = xvsadm_opt_rule(c, o);

			if (r != '+' && r != 'x' && r != '1' && r != ' ')
				test_fail(__FILE__, __LINE__, "%s/%s: rule '%c'",
					  xvsadm_cmd_name(c), xvsadm_opt_name(o), r);
		}
	}
	/* a short row would silently make the last options illegal */
	EXPECT_EQ_INT(xvsadm_opt_rule(XVSADM_CMD_LIST, XVSADM_OPT_COUNTERS), '1');
	EXPECT_EQ_INT(xvsadm_opt_rule(XVSADM_CMD_ADD, XVSADM_OPT_IFACES), ' ');
}

static void matrix_holds_ipvsadm_rules(void)
{
	static const struct {
		enum xvsadm_cmd cmd;
		enum xvsadm_opt opt;
		char rule;
	} rules[] = {
		{ XVSADM_CMD_ADD, XVSADM_OPT_SERVICE, '+' },
		{ XVSADM_CMD_ADD, XVSADM_OPT_SCHEDULER, ' ' },
		{ XVSADM_CMD_ADD, XVSADM_OPT_PERSISTENT, ' ' },
		{ XVSADM_CMD_ADD, XVSADM_OPT_NETMASK, ' ' },
		{ XVSADM_CMD_ADD, XVSADM_OPT_ONEPACKET, ' ' },
		{ XVSADM_CMD_ADD, XVSADM_OPT_SCHED_FLAGS, ' ' },
		{ XVSADM_CMD_ADD, XVSADM_OPT_WEIGHT, 'x' },
		{ XVSADM_CMD_ADD, XVSADM_OPT_NUMERIC, 'x' },
		{ XVSADM_CMD_EDIT, XVSADM_OPT_HOOK, 'x' },
		{ XVSADM_CMD_DEL, XVSADM_OPT_SERVICE, '+' },
		{ XVSADM_CMD_DEL, XVSADM_OPT_SCHEDULER, 'x' },
		{ XVSADM_CMD_LIST, XVSADM_OPT_NUMERIC, ' ' },
		{ XVSADM_CMD_LIST, XVSADM_OPT_CONNECTION, '1' },
		{ XVSADM_CMD_LIST, XVSADM_OPT_SERVICE, '1' },
		{ XVSADM_CMD_LIST, XVSADM_OPT_TIMEOUT, '1' },
		{ XVSADM_CMD_LIST, XVSADM_OPT_DAEMON, '1' },
		{ XVSADM_CMD_LIST, XVSADM_OPT_STATS, ' ' },
		{ XVSADM_CMD_LIST, XVSADM_OPT_EXACT, ' ' },
		{ XVSADM_CMD_LIST, XVSADM_OPT_TUN_INFO, ' ' },
		{ XVSADM_CMD_LIST, XVSADM_OPT_SCHEDULER, 'x' },
		{ XVSADM_CMD_ADDDEST, XVSADM_OPT_SERVER, '+' },
		{ XVSADM_CMD_ADDDEST, XVSADM_OPT_FORWARD, ' ' },
		{ XVSADM_CMD_ADDDEST, XVSADM_OPT_LTHRESHOLD, ' ' },
		{ XVSADM_CMD_ADDDEST, XVSADM_OPT_TUN_TYPE, ' ' },
		{ XVSADM_CMD_ADDDEST, XVSADM_OPT_SCHEDULER, 'x' },
		{ XVSADM_CMD_EDITDEST, XVSADM_OPT_WEIGHT, ' ' },
		{ XVSADM_CMD_DELDEST, XVSADM_OPT_SERVER, '+' },
		{ XVSADM_CMD_DELDEST, XVSADM_OPT_FORWARD, 'x' },
		{ XVSADM_CMD_TIMEOUT, XVSADM_OPT_NUMERIC, 'x' },
		{ XVSADM_CMD_STARTDAEMON, XVSADM_OPT_MCAST, ' ' },
		{ XVSADM_CMD_STARTDAEMON, XVSADM_OPT_SYNC_MAXLEN, ' ' },
		{ XVSADM_CMD_STOPDAEMON, XVSADM_OPT_SYNCID, ' ' },
		{ XVSADM_CMD_STOPDAEMON, XVSADM_OPT_MCAST, 'x' },
		{ XVSADM_CMD_RESTORE, XVSADM_OPT_HOOK, ' ' },
		{ XVSADM_CMD_RESTORE, XVSADM_OPT_NUMERIC, 'x' },
		{ XVSADM_CMD_SAVE, XVSADM_OPT_NUMERIC, ' ' },
		{ XVSADM_CMD_SAVE, XVSADM_OPT_SERVICE, 'x' },
		{ XVSADM_CMD_ZERO, XVSADM_OPT_SERVICE, ' ' },
		{ XVSADM_CMD_ZERO, XVSADM_OPT_NUMERIC, 'x' },
		{ XVSADM_CMD_DETACH, XVSADM_OPT_HOOK, 'x' },
	};

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		char got = xvsadm_opt_rule(rules[i].cmd, rules[i].opt);

		if (got != rules[i].rule)
			test_fail(__FILE__, __LINE__, "%s/%s: '%c', expected '%c'",
				  xvsadm_cmd_name(rules[i].cmd), xvsadm_opt_name(rules[i].opt),
				  got, rules[i].rule);
	}
}

static void validator_reports_first_offender_in_column_order(void)
{
	struct xvsadm_err err;
	uint64_t bad = XVSADM_OPT_BIT(XVSADM_OPT_SERVICE) | XVSADM_OPT_BIT(XVSADM_OPT_WEIGHT) |
		       XVSADM_OPT_BIT(XVSADM_OPT_NUMERIC);

	EXPECT_EQ_INT(xvsadm_check_options(XVSADM_CMD_ADD, bad, &err), 2);
	EXPECT_STREQ(err.msg, "Illegal 'numeric' option with the 'add-service' command");
	EXPECT_EQ_INT(xvsadm_check_options(XVSADM_CMD_ADD, XVSADM_OPT_BIT(XVSADM_OPT_SERVICE),
					   &err), 0);
	EXPECT_EQ_INT(xvsadm_check_options(XVSADM_CMD_LIST,
					   XVSADM_OPT_BIT(XVSADM_OPT_TIMEOUT) |
					   XVSADM_OPT_BIT(XVSADM_OPT_CONNECTION), &err), 2);
	EXPECT_STREQ(err.msg,
		     "The option 'timeout' conflicts with the 'connection' option in the 'list' command");
}

/* ---- value parsers ---- */

static void sched_flags_follow_the_scheduler(void)
{
	static const struct {
		const char *sched, *list;
		int code;
		uint32_t flags;
		const char *msg;
	} cases[] = {
		{ "sh", "sh-fallback,sh-port", 0, XVS_SCHED_F_FLAG1 | XVS_SCHED_F_FLAG2, NULL },
		{ "mh", "mh-port", 0, XVS_SCHED_F_FLAG2, NULL },
		{ "mh", "flag-3", 0, XVS_SCHED_F_FLAG3, NULL },
		{ "rr", "flag-1,flag-2,flag-3", 0, 0x38, NULL },
		{ "mh", "sh-port", 2, 0, "incompatible scheduler flag `sh-port'" },
		{ "wrr", "mh-fallback", 2, 0, "incompatible scheduler flag `mh-fallback'" },
		{ "sh", "sh-nothing", 2, 0, "invalid scheduler flag `sh-nothing'" },
		{ "sh", "", 2, 0, "invalid scheduler flag `'" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xvsadm_err err = { 0 };
		uint32_t flags = 0;
		int r = xvsadm_parse_sched_flags(cases[i].sched, cases[i].list, &flags, &err);

		EXPECT_EQ_INT(r, cases[i].code);
		if (!r)
			EXPECT_EQ_INT(flags, cases[i].flags);
		else
			EXPECT_STREQ(err.msg, cases[i].msg);
	}
}

static void addresses_parse_as_ipvsadm_does(void)
{
	static const struct {
		const char *arg;
		int r;
		const char *addr;
		uint16_t port;
		bool port_given;
	} cases[] = {
		{ "192.0.2.1:443", 0, "192.0.2.1", 443, true },
		{ "192.0.2.1", 0, "192.0.2.1", 0, false },
		{ "192.0.2.1:0", 0, "192.0.2.1", 0, true },
		{ "192.0.2.1:65535", 0, "192.0.2.1", 65535, true },
		{ "localhost:80", 0, "127.0.0.1", 80, true },
		{ "10.1:22", 0, "10.0.0.1", 22, true },	/* inet_aton forms */
		{ "192.0.2.1:65536", -1, NULL, 0, false },
		{ "192.0.2.1:8o", -1, NULL, 0, false },
		{ "80", -1, NULL, 0, false },
		{ "", -1, NULL, 0, false },
		{ "[::1]:80", -2, NULL, 0, false },
		{ "fe80::1", -2, NULL, 0, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t a = 0;
		uint16_t p = 0;
		bool given = false;
		int r = xvsadm_parse_addrport(cases[i].arg, IPPROTO_TCP, &a, &p, &given);

		if (r != cases[i].r) {
			test_fail(__FILE__, __LINE__, "'%s': %d, expected %d", cases[i].arg, r,
				  cases[i].r);
			continue;
		}
		if (r)
			continue;
		EXPECT_EQ_INT(a, inet_addr(cases[i].addr));
		EXPECT_EQ_INT(p, cases[i].port);
		EXPECT_EQ_INT(given, cases[i].port_given);
	}
}

static void netmasks_must_be_contiguous(void)
{
	static const struct {
		const char *s;
		int r;
	} cases[] = {
		{ "255.255.255.0", 0 }, { "255.255.255.255", 0 }, { "0.0.0.0", 0 },
		{ "255.128.0.0", 0 }, { "255.0.255.0", -1 }, { "0.255.255.255", -1 },
		{ "junk..", -1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t m;

		if (xvsadm_parse_netmask(cases[i].s, &m) != cases[i].r)
			test_fail(__FILE__, __LINE__, "netmask '%s' expected %d", cases[i].s,
				  cases[i].r);
	}
}

/* libxvs codes -> ipvsadm's per-operation messages */
static void errors_map_to_ipvsadm_messages(void)
{
	static const struct {
		enum xvsadm_cmd cmd;
		int err;
		bool svc_exists;
		const char *msg;
	} cases[] = {
		{ XVSADM_CMD_ADD, -EEXIST, true, "Service already exists" },
		{ XVSADM_CMD_ADD, -ENOENT, false, "Scheduler or persistence engine not found" },
		{ XVSADM_CMD_EDIT, -ESRCH, false, "No such service" },
		{ XVSADM_CMD_EDIT, -ENOENT, false, "No such service" },
		{ XVSADM_CMD_EDIT, -ENOENT, true, "Scheduler or persistence engine not found" },
		{ XVSADM_CMD_DEL, -ESRCH, false, "No such service" },
		{ XVSADM_CMD_ZERO, -ENOENT, false, "No such service" },
		{ XVSADM_CMD_ADDDEST, -ESRCH, false, "Service not defined" },
		{ XVSADM_CMD_ADDDEST, -EEXIST, true, "Destination already exists" },
		{ XVSADM_CMD_EDITDEST, -ENOENT, true, "No such destination" },
		{ XVSADM_CMD_EDITDEST, -ENOENT, false, "Service not defined" },
		{ XVSADM_CMD_DELDEST, -ESRCH, false, "Service not defined" },
		{ XVSADM_CMD_DELDEST, -ENOENT, true, "No such destination" },
		{ XVSADM_CMD_FLUSH, -EPERM, false, "Permission denied (you must be root)" },
		{ XVSADM_CMD_ADDDEST, -ENOMEM, true, "Memory allocation problem" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT_STREQ(xvsadm_op_strerror(cases[i].cmd, cases[i].err, cases[i].svc_exists),
			     cases[i].msg);
	/* anything else: libxvs's own text */
	EXPECT_STREQ(xvsadm_op_strerror(XVSADM_CMD_ADD, -ENOSPC, false), xvs_strerror(-ENOSPC));
}

static const struct test_case cases[] = {
	TEST_CASE(good_lines_parse_to_expected_structs),
	TEST_CASE(add_without_scheduler_uses_the_default),
	TEST_CASE(set_takes_three_timeouts),
	TEST_CASE(hook_and_ifaces_fill_open_options),
	TEST_CASE(no_arguments_lists_with_names),
	TEST_CASE(bad_lines_fail_with_ipvsadm_messages),
	TEST_CASE(fwmark_services_and_mark_rules),
	TEST_CASE(unsupported_forwarding_follows_the_library),
	TEST_CASE(every_matrix_row_covers_every_option),
	TEST_CASE(matrix_holds_ipvsadm_rules),
	TEST_CASE(validator_reports_first_offender_in_column_order),
	TEST_CASE(sched_flags_follow_the_scheduler),
	TEST_CASE(addresses_parse_as_ipvsadm_does),
	TEST_CASE(netmasks_must_be_contiguous),
	TEST_CASE(errors_map_to_ipvsadm_messages),
};

TEST_MAIN(cases)
