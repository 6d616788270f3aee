// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsadm -R input handling and the -S -> -R round trip: line splitting,
 * whole-input validation naming the bad line, and a saved table parsing
 * back to the same service and real-server confs. No root, no BPF. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "../../cmd/xvsadm/xvsadm.h"
#include "../harness/test.h"

static void lines_split_into_words(void)
{
	static const struct {
		const char *line;
		int n;
		const char *first, *last;
	} cases[] = {
		{ "-A -t 10.0.0.1:80 -s rr\n", 5, "-A", "rr" },
		{ "ipvsadm -A -t 10.0.0.1:80\n", 3, "-A", "10.0.0.1:80" },
		{ "/sbin/ipvsadm -C", 1, "-C", "-C" },
		{ "  xvsadm\t-C  ", 1, "-C", "-C" },
		{ "", 0, NULL, NULL },
		{ "   \n", 0, NULL, NULL },
		{ "# a comment -A -t 1.2.3.4:80\n", 0, NULL, NULL },
		{ "   # indented comment\n", 0, NULL, NULL },
		{ "ipvsadm\n", 0, NULL, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[256], *w[16];
		int n;

		snprintf(buf, sizeof(buf), "%s", cases[i].line);
		n = xvsadm_split_line(buf, w, 16);
		EXPECT_EQ_INT(n, cases[i].n);
		if (n != cases[i].n || n == 0)
			continue;
		EXPECT_STREQ(w[0], cases[i].first);
		EXPECT_STREQ(w[n - 1], cases[i].last);
	}
}

static void too_many_words_is_an_error(void)
{
	char buf[256] = "a b c d e";
	char *w[4];

	EXPECT_EQ_INT(xvsadm_split_line(buf, w, 4), -1);
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

static void restore_input_parses_every_line(void)
{
	struct xvsadm_cmdline *cls = NULL;
	struct xvsadm_err err;
	size_t n = 0;

	ASSERT(parse_text("# saved by xvsadm -S\n"
			  "-A -t 10.0.0.1:80 -s rr\n"
			  "\n"
			  "ipvsadm -a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 2\n"
			  "-a -t 10.0.0.1:80 -r 10.0.1.2:80 -i -w 1\n"
			  "--set 900 120 300\n", &cls, &n, &err) == 0);
	ASSERT(n == 4);
	EXPECT_EQ_INT(cls[0].cmd, XVSADM_CMD_ADD);
	EXPECT_EQ_INT(cls[0].lineno, 2);
	EXPECT_EQ_INT(cls[1].cmd, XVSADM_CMD_ADDDEST);
	EXPECT_EQ_INT(cls[1].dest.weight, 2);
	EXPECT_EQ_INT(cls[1].lineno, 4);
	EXPECT_EQ_INT(cls[2].dest.fwd, XVS_FWD_TUN);
	EXPECT_EQ_INT(cls[3].cmd, XVSADM_CMD_TIMEOUT);
	EXPECT_EQ_INT(cls[3].timeout[1], 120);
	free(cls);
}

static void bad_restore_input_names_the_line(void)
{
	static const struct {
		const char *text;
		int code;
		const char *msg;
	} cases[] = {
		{ "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.1.1 -w x\n", 2,
		  "line 2: illegal weight specified" },
		{ "\n\n-A -t 10.0.0.1 -s rr\n", 2,
		  "line 3: Zero port specified for non-persistent service" },
		{ "-A -t 10.0.0.1:80 -s nosuch\n", 1,
		  "line 1: Scheduler or persistence engine not found" },
		{ "-L -n\n", 2, "line 1: the 'list' command cannot be used in a restore" },
		{ "-R\n", 2, "line 1: the 'restore' command cannot be used in a restore" },
		{ "-S\n", 2, "line 1: the 'save' command cannot be used in a restore" },
		{ "--detach\n", 2, "line 1: the 'detach' command cannot be used in a restore" },
		{ "-A -t 10.0.0.1:80 -s rr --hook xdp\n", 2,
		  "line 1: --hook, --ifaces and --conn-max belong on the -R command line" },
		{ "-A -t 10.0.0.1:80 -s rr --conn-max 4096\n", 2,
		  "line 1: --hook, --ifaces and --conn-max belong on the -R command line" },
		{ "-A -t 10.0.0.1:80 -s rr\n-K\n", 2, "line 2: -K: unknown option" },
		{ "-w 1\n", 2, "line 1: Try `xvsadm -h' or 'xvsadm --help' for more information." },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xvsadm_cmdline *cls = NULL;
		struct xvsadm_err err = { 0 };
		size_t n = 0;
		int r = parse_text(cases[i].text, &cls, &n, &err);

		EXPECT_EQ_INT(r, cases[i].code);
		EXPECT_STREQ(err.msg, cases[i].msg);
		EXPECT(cls == NULL);
	}
}

/* Field by field: struct padding is not part of a conf. */
static bool svc_conf_equal(const struct xvs_svc_conf *a, const struct xvs_svc_conf *b)
{
	return a->proto == b->proto && a->addr == b->addr && a->port == b->port &&
	       a->fwmark == b->fwmark && !strcmp(a->sched, b->sched) &&
	       a->sched_flags == b->sched_flags && a->persistent == b->persistent &&
	       a->persist_timeout_s == b->persist_timeout_s && a->netmask == b->netmask &&
	       a->ops == b->ops;
}

static bool dest_conf_equal(const struct xvs_dest_conf *a, const struct xvs_dest_conf *b)
{
	return a->addr == b->addr && a->port == b->port && a->fwd == b->fwd &&
	       a->weight == b->weight && a->u_threshold == b->u_threshold &&
	       a->l_threshold == b->l_threshold;
}

/* A table using only what this xvs accepts, saved and parsed back. */
static void save_then_parse_gives_the_same_table(void)
{
	struct xvs_dest_info d1[] = {
		{ .conf = { .port = 80, .fwd = XVS_FWD_DR, .weight = 1 } },
		{ .conf = { .port = 80, .fwd = XVS_FWD_TUN, .weight = 0, .u_threshold = 9,
			    .l_threshold = 3 } },
	};
	struct xvs_dest_info d2[] = {
		{ .conf = { .port = 53, .fwd = XVS_FWD_DR, .weight = 2147483647 } },
	};
	struct xvs_svc_info s[] = {
		{ .conf = { .proto = IPPROTO_TCP, .port = 80, .sched = "rr" },
		  .dests = d1, .n_dests = 2 },
		{ .conf = { .proto = IPPROTO_UDP, .port = 53, .sched = "wrr", .ops = true,
			    .persistent = true, .persist_timeout_s = 1800,
			    .sched_flags = XVS_SCHED_F_FLAG2 },
		  .dests = d2, .n_dests = 1 },
		{ .conf = { .proto = IPPROTO_TCP, .port = 0, .sched = "wrr", .persistent = true,
			    .persist_timeout_s = 300 } },
	};
	struct xvsadm_table t = { .svcs = s, .n_svcs = 3 };
	struct xvsadm_cmdline *cls = NULL;
	struct xvsadm_err err;
	char *text = NULL;
	size_t len = 0, n = 0, k = 0;
	FILE *f;

	s[0].conf.addr = inet_addr("192.0.2.1");
	s[1].conf.addr = inet_addr("192.0.2.2");
	s[1].conf.netmask = inet_addr("255.255.240.0");
	s[2].conf.addr = inet_addr("192.0.2.3");
	d1[0].conf.addr = inet_addr("10.0.0.1");
	d1[1].conf.addr = inet_addr("10.0.0.2");
	d2[0].conf.addr = inet_addr("10.0.0.3");

	f = open_memstream(&text, &len);
	xvsadm_render_save(f, &t, XVSADM_FMT_NUMERIC);
	fclose(f);
	if (parse_text(text, &cls, &n, &err)) {
		test_fail(__FILE__, __LINE__, "saved text does not parse: %s\n%s", err.msg, text);
		free(text);
		return;
	}
	EXPECT_EQ_INT(n, 6);
	for (size_t i = 0; i < 3 && k < n; i++) {
		EXPECT_EQ_INT(cls[k].cmd, XVSADM_CMD_ADD);
		EXPECT(svc_conf_equal(&cls[k].svc, &s[i].conf));
		k++;
		for (size_t j = 0; j < s[i].n_dests && k < n; j++, k++) {
			EXPECT_EQ_INT(cls[k].cmd, XVSADM_CMD_ADDDEST);
			EXPECT_EQ_INT(cls[k].svc.addr, s[i].conf.addr);
			EXPECT_EQ_INT(cls[k].svc.port, s[i].conf.port);
			EXPECT(dest_conf_equal(&cls[k].dest, &s[i].dests[j].conf));
		}
	}
	if (test_case_failures)
		printf("# saved text:\n%s", text);
	free(cls);
	free(text);
}

static const struct test_case cases[] = {
	TEST_CASE(lines_split_into_words),
	TEST_CASE(too_many_words_is_an_error),
	TEST_CASE(restore_input_parses_every_line),
	TEST_CASE(bad_restore_input_names_the_line),
	TEST_CASE(save_then_parse_gives_the_same_table),
};

TEST_MAIN(cases)
