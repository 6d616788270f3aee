// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsd configuration front end: lexer (quotes, escapes, comments,
 * conditionals, limits), parser (blocks, arity, positions of errors), the
 * model's defaults and inheritance, and the validation rules. No root. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include "../../cmd/xvsd/conf.h"
#include "../harness/test.h"

#define VS_HEAD "virtual_server 10.0.0.1 80 {\n lvs_sched rr\n lvs_method DR\n protocol TCP\n"

static int load(const char *text, struct conf **c, struct conf_diags *d)
{
	struct conf_opts opts = { .config_id = "main", .no_includes = true };

	memset(d, 0, sizeof(*d));
	return conf_load_buffer("t.conf", text, strlen(text), &opts, c, d);
}

/* The first diagnostic of severity SEV, or NULL. */
static const struct conf_diag *first(const struct conf_diags *d, enum conf_sev sev)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->v[i].sev == sev)
			return &d->v[i];
	return NULL;
}

static bool has_msg(const struct conf_diags *d, enum conf_sev sev, const char *part)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->v[i].sev == sev && strstr(d->v[i].msg, part))
			return true;
	return false;
}

static void defaults_follow_keepalived(void)
{
	struct conf_diags d;
	struct conf *c;
	const struct conf_vs *vs;
	const struct conf_checker *ck;

	ASSERT(load("virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n"
		    "  TCP_CHECK {\n  }\n }\n}\n", &c, &d) == 0);
	vs = c->vs[0];
	EXPECT_STREQ(vs->sched, "wlc");
	EXPECT_EQ_INT(vs->method.fwd, CONF_FWD_NAT);
	EXPECT_EQ_INT(vs->protocol, IPPROTO_TCP);
	EXPECT_EQ_INT(vs->quorum, 1);
	EXPECT_EQ_INT(vs->rs[0]->weight, 1);
	EXPECT_EQ_INT(vs->rs[0]->eff_fwd, CONF_FWD_NAT);
	ck = vs->rs[0]->checkers[0];
	EXPECT_EQ_INT(ck->eff.delay_loop_us, 60000000);
	EXPECT_EQ_INT(ck->eff.connect_timeout_us, 5000000);
	EXPECT_EQ_INT(ck->eff.retry, 1);
	EXPECT_EQ_INT(ck->eff.delay_before_retry_us, 1000000);
	/* keepalived's three complaints: warnings, not errors */
	EXPECT_EQ_INT(d.count[CONF_ERROR], 0);
	EXPECT_EQ_INT(d.count[CONF_WARNING], 3);
	EXPECT(has_msg(&d, CONF_WARNING, "no forwarding method set, setting default NAT"));
	EXPECT(has_msg(&d, CONF_WARNING, "no scheduler set, setting default 'wlc'"));
	conf_free(c);
	conf_diags_free(&d);
}

static void checker_type_defaults(void)
{
	struct conf_diags d;
	struct conf *c;
	struct conf_checker **ck;

	ASSERT(load(VS_HEAD " real_server 10.0.0.2 80 {\n"
		    "  MISC_CHECK {\n   misc_path /bin/true\n  }\n"
		    "  DNS_CHECK {\n  }\n"
		    "  HTTP_GET {\n   url {\n    path /\n   }\n  }\n }\n}\n", &c, &d) == 0);
	ck = c->vs[0]->rs[0]->checkers;
	EXPECT_EQ_INT(ck[0]->eff.retry, 0);			/* MISC */
	EXPECT_EQ_INT(ck[0]->misc.timeout_us, 60000000);	/* delay_loop */
	EXPECT_EQ_INT(ck[1]->eff.retry, 3);			/* DNS */
	EXPECT_EQ_INT(ck[1]->dns.qtype, 6);			/* SOA */
	EXPECT_STREQ(ck[1]->dns.name, ".");
	EXPECT_EQ_INT(ck[1]->eff.delay_before_retry_us, 60000000);
	EXPECT_EQ_INT(ck[2]->eff.delay_before_retry_us, 3000000);	/* HTTP */
	EXPECT_EQ_INT(ck[2]->http.http_protocol, 10);
	EXPECT_EQ_INT(d.count[CONF_WARNING], 0);
	conf_free(c);
	conf_diags_free(&d);
}

static void inheritance_vs_rs_checker(void)
{
	struct conf_diags d;
	struct conf *c;
	const struct conf_checker *ck;

	ASSERT(load(VS_HEAD " delay_loop 10\n retry 5\n inhibit_on_failure\n virtualhost vs.example\n"
		    " real_server 10.0.0.2 80 {\n  connect_timeout 2.5\n  virtualhost rs.example\n"
		    "  HTTP_GET {\n   retry 4\n   url {\n    path /\n   }\n  }\n }\n}\n", &c, &d) == 0);
	ck = c->vs[0]->rs[0]->checkers[0];
	EXPECT_EQ_INT(ck->eff.delay_loop_us, 10000000);
	EXPECT_EQ_INT(ck->eff.connect_timeout_us, 2500000);
	EXPECT_EQ_INT(ck->eff.retry, 4);
	EXPECT(ck->eff.inhibit_on_failure);
	EXPECT_EQ_INT(ck->eff.warmup_us, 10000000);
	EXPECT_STREQ(ck->eff_virtualhost, "rs.example");
	EXPECT_EQ_INT(c->vs[0]->rs[0]->eff.retry, 5);
	conf_free(c);
	conf_diags_free(&d);
}

static void persistence_defaults(void)
{
	struct conf_diags d;
	struct conf *c;

	ASSERT(load(VS_HEAD " persistence_timeout\n real_server 10.0.0.2 80 {\n }\n}\n"
		    VS_HEAD " persistence_granularity 255.255.255.0\n real_server 10.0.0.3 80 {\n }\n}\n"
		    "virtual_server 10.0.0.9 81 {\n lvs_sched rr\n lvs_method DR\n protocol UDP\n"
		    " persistence_timeout 50\n real_server 10.0.0.2 81 {\n }\n}\n", &c, &d) != 0);
	/* the first two are the same service: a duplicate */
	EXPECT(has_msg(&d, CONF_ERROR, "is already defined at line 1"));
	conf_diags_free(&d);
	ASSERT(load(VS_HEAD " persistence_timeout\n real_server 10.0.0.2 80 {\n }\n}\n"
		    "virtual_server 10.0.0.9 81 {\n lvs_sched rr\n lvs_method DR\n protocol UDP\n"
		    " persistence_granularity 255.255.255.0\n real_server 10.0.0.2 81 {\n }\n}\n",
		    &c, &d) == 0);
	EXPECT(c->vs[0]->persistent);
	EXPECT_EQ_INT(c->vs[0]->persistence_timeout_s, 360);
	EXPECT_EQ_INT(c->vs[1]->persistence_timeout_s, 360);
	EXPECT_EQ_INT(c->vs[1]->persistence_mask.u.v4.s_addr, htonl(0xffffff00));
	conf_free(c);
	conf_diags_free(&d);
}

static void error_positions(void)
{
	static const struct {
		const char *text;
		unsigned line, col;
		const char *msg;
	} cases[] = {
		{ VS_HEAD " real_server 10.0.0.2 80 {\n   weight x\n }\n}\n", 6, 11,
		  "invalid weight 'x': expected an integer 0..2147483647" },
		{ VS_HEAD " real_server 10.0.0.2 80 {\n  foo 1\n }\n}\n", 6, 3,
		  "unknown keyword 'foo' in real_server" },
		{ VS_HEAD " real_server 10.0.0.2 80\n}\n", 5, 25, "expected '{' after real_server" },
		{ VS_HEAD " lvs_sched\n real_server 10.0.0.2 80 {\n }\n}\n", 5, 11,
		  "missing parameter after 'lvs_sched': expected a scheduler name" },
		{ VS_HEAD " virtualhost \"abc\n}\n", 5, 14, "unterminated quoted string" },
		{ "}\n", 1, 1, "unexpected '}': no block is open" },
		{ "global_defs {\n router_id x\n", 3, 1, "missing '}'" },
		{ "virtual_server 10.0.0.1 80 {\n weight 1 {\n }\n}\n", 2, 11,
		  "'weight' does not take a block" },
		{ "virtual_server 1.2.3 80 {\n}\n", 1, 16, "invalid virtual_server address '1.2.3'" },
		{ VS_HEAD " delay_loop 3.\n}\n", 5, 13, "invalid delay_loop '3.'" },
		{ VS_HEAD " real_server 10.0.0.2 80 {\n  TCP_CHECK {\n   connect_port 0\n  }\n }\n}\n",
		  7, 17, "invalid connect_port '0': expected an integer 1..65535" },
		{ "include x.conf\n", 1, 1, "include is disabled here" },
		{ "$X=1\n", 1, 1, "parameter definitions" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct conf_diags d;
		struct conf *c;
		const struct conf_diag *e;

		EXPECT(load(cases[i].text, &c, &d) == -EINVAL);
		EXPECT(c == NULL);
		e = first(&d, CONF_ERROR);
		if (!e) {
			test_fail(__FILE__, __LINE__, "case %zu: no error", i);
			conf_diags_free(&d);
			continue;
		}
		if (e->pos.line != cases[i].line || e->pos.col != cases[i].col ||
		    !strstr(e->msg, cases[i].msg) || strcmp(e->pos.file, "t.conf"))
			test_fail(__FILE__, __LINE__, "case %zu: got %s:%u:%u: %s", i, e->pos.file,
				  e->pos.line, e->pos.col, e->msg);
		conf_diags_free(&d);
	}
}

static void lexer_quotes_escapes_comments(void)
{
	struct conf_diags d;
	struct conf *c;
	const struct conf_rs *rs;

	ASSERT(load(VS_HEAD " real_server 10.0.0.2 80 { # comment { not a block\n"
		    "  notify_up ab\"c d\"'e f' ! comment\n"
		    "  notify_down \"\\x41\\102\\tz\\\"q\"\n"
		    "  MISC_CHECK {\n   misc_path /bin/echo one two\n  }\n }\n}\n", &c, &d) == 0);
	rs = c->vs[0]->rs[0];
	EXPECT_STREQ(rs->notify_up, "abc de f");
	EXPECT_STREQ(rs->notify_down, "AB\tz\"q");
	EXPECT_STREQ(rs->checkers[0]->misc.path, "/bin/echo one two");
	conf_free(c);
	conf_diags_free(&d);
}

static void conditional_lines(void)
{
	struct conf_diags d;
	struct conf *c;

	ASSERT(load("global_defs {\n@main router_id r_main\n@backup router_id r_backup\n"
		    "@^main lvs_flush\n@^backup lvs_flush_on_stop\n}\n", &c, &d) == 0);
	EXPECT_STREQ(c->global.router_id, "r_main");
	EXPECT(!c->global.lvs_flush);
	EXPECT_EQ_INT(c->global.lvs_flush_on_stop, CONF_FLUSH_STOP_ALL);
	conf_free(c);
	conf_diags_free(&d);
}

static void brace_on_next_line_and_one_line_blocks(void)
{
	struct conf_diags d;
	struct conf *c;

	ASSERT(load("virtual_server 10.0.0.1 80\n{\n lvs_sched rr\n lvs_method DR\n protocol TCP\n"
		    " real_server 10.0.0.2 80 { weight 7 }\n real_server 10.0.0.3 80 {\n"
		    " TCP_CHECK { connect_timeout 2 } } }\n", &c, &d) == 0);
	EXPECT_EQ_INT(c->n_vs, 1);
	EXPECT_EQ_INT(c->vs[0]->n_rs, 2);
	EXPECT_EQ_INT(c->vs[0]->rs[0]->weight, 7);
	EXPECT_EQ_INT(c->vs[0]->rs[1]->checkers[0]->eff.connect_timeout_us, 2000000);
	conf_free(c);
	conf_diags_free(&d);
}

static void limits_long_word_nul_utf8(void)
{
	size_t big = 1 << 20;
	char *text = malloc(big + 64);
	struct conf_diags d;
	struct conf *c;

	ASSERT(text);
	strcpy(text, "global_defs {\n router_id ");
	memset(text + strlen(text), 'a', big);
	strcpy(text + 25 + big, "\n}\n");
	EXPECT(load(text, &c, &d) == -EINVAL);
	EXPECT(has_msg(&d, CONF_ERROR, "word longer than 4096 bytes"));
	conf_diags_free(&d);
	free(text);

	EXPECT(conf_load_buffer("t.conf", "global_defs {\n router_id a\0b\n}\n", 31, NULL, &c, &d) ==
	       -EINVAL);
	EXPECT(has_msg(&d, CONF_ERROR, "NUL byte"));
	conf_diags_free(&d);

	EXPECT(load("global_defs {\n router_id \"\xc3\x28\"\n}\n", &c, &d) == -EINVAL);
	EXPECT(has_msg(&d, CONF_ERROR, "invalid UTF-8"));
	conf_diags_free(&d);
}

static void deep_nesting_is_bounded(void)
{
	char text[4096] = "";
	struct conf_diags d;
	struct conf *c;
	int i;

	for (i = 0; i < 100; i++)
		strcat(text, "a {\n");
	EXPECT(load(text, &c, &d) == -EINVAL);
	EXPECT(has_msg(&d, CONF_ERROR, "nested deeper than"));
	conf_diags_free(&d);
}

static void groups_ranges_and_cidr(void)
{
	struct conf_diags d;
	struct conf *c;
	const struct conf_vsg *g;

	ASSERT(load("virtual_server_group G {\n 10.0.0.1-10 80\n 10.0.1.0/29 80\n"
		    " 10.0.2.250-10.0.3.4\n fwmark 7 inet6\n 2001:db8::1-ff 443\n}\n"
		    "virtual_server group G {\n lvs_sched rr\n lvs_method TUN\n protocol TCP\n"
		    " persistence_timeout 60\n real_server 10.9.0.2 80 {\n }\n}\n", &c, &d) == 0);
	g = c->groups[0];
	ASSERT(g->n_entries == 5);
	EXPECT_EQ_INT(ntohl(g->entries[0].first.u.v4.s_addr), 0x0a000001);
	EXPECT_EQ_INT(ntohl(g->entries[0].last.u.v4.s_addr), 0x0a00000a);
	EXPECT_EQ_INT(ntohl(g->entries[1].first.u.v4.s_addr), 0x0a000100);
	EXPECT_EQ_INT(ntohl(g->entries[1].last.u.v4.s_addr), 0x0a000107);
	EXPECT_EQ_INT(ntohl(g->entries[2].last.u.v4.s_addr), 0x0a000304);
	EXPECT_EQ_INT(g->entries[2].port, 0);
	EXPECT(g->entries[3].is_fwmark);
	EXPECT_EQ_INT(g->entries[3].fwmark_family, AF_INET6);
	EXPECT_EQ_INT(g->entries[4].last.u.v6.s6_addr[15], 0xff);
	EXPECT(c->vs[0]->group == g);
	conf_free(c);
	conf_diags_free(&d);

	EXPECT(load("virtual_server_group G {\n 10.0.0.0/8 80\n}\n", &c, &d) == -EINVAL);
	EXPECT(has_msg(&d, CONF_ERROR, "holds more than 65536 addresses"));
	conf_diags_free(&d);
}

static void udp_hex_strings(void)
{
	static const uint8_t payload[] = { 0xab, 0x12, 0x0f, 0x03, 0x45, 0x06 };
	static const uint8_t reply[] = { 0x10, 0x02 };
	static const uint8_t mask[] = { 0xf0, 0xff };
	struct conf_diags d;
	struct conf *c;
	const struct conf_checker *ck;

	ASSERT(load("virtual_server 10.0.0.1 53 {\n lvs_sched rr\n lvs_method DR\n protocol UDP\n"
		    " real_server 10.0.0.2 53 {\n  UDP_CHECK {\n   payload Ab12f 3 456\n"
		    "   require_reply 1x02\n  }\n }\n}\n", &c, &d) == 0);
	ck = c->vs[0]->rs[0]->checkers[0];
	EXPECT(test_bytes_equal("payload", ck->udp.payload, ck->udp.payload_len, payload,
				sizeof(payload)));
	EXPECT(ck->udp.require_reply);
	EXPECT(test_bytes_equal("reply", ck->udp.reply, ck->udp.reply_len, reply, sizeof(reply)));
	EXPECT(test_bytes_equal("mask", ck->udp.reply_mask, ck->udp.reply_len, mask, sizeof(mask)));
	EXPECT_EQ_INT(ck->udp.max_reply_length, 255);
	conf_free(c);
	conf_diags_free(&d);
}

static void http_urls_and_status_codes(void)
{
	struct conf_diags d;
	struct conf *c;
	const struct conf_url *u;

	ASSERT(load(VS_HEAD " real_server 10.0.0.2 80 {\n  HTTP_GET {\n   url {\n    path /a\n"
		    "    digest 9B3A0C85A887A256D6939DA88AABD8CD\n    status_code 200-299 404\n"
		    "    regex \"^ok$\"\n   }\n   http_protocol 1.0C\n  }\n }\n}\n", &c, &d) == 0);
	u = c->vs[0]->rs[0]->checkers[0]->http.urls[0];
	EXPECT_STREQ(u->path, "/a");
	EXPECT_STREQ(u->digest, "9b3a0c85a887a256d6939da88aabd8cd");
	ASSERT(u->n_status == 2);
	EXPECT_EQ_INT(u->status[0].lo, 200);
	EXPECT_EQ_INT(u->status[0].hi, 299);
	EXPECT_EQ_INT(u->status[1].lo, 404);
	EXPECT_STREQ(u->regex, "^ok$");
	EXPECT_EQ_INT(c->vs[0]->rs[0]->checkers[0]->http.http_protocol, 100);
	conf_free(c);
	conf_diags_free(&d);
}

static void old_spellings_warn_and_work(void)
{
	struct conf_diags d;
	struct conf *c;

	ASSERT(load("global_defs {\n lvs_sync_daemon_interface eth0\n}\n"
		    "virtual_server 10.0.0.1 80 {\n lb_algo sh\n sh-port\n lb_kind DR\n protocol TCP\n"
		    " real_server 10.0.0.2 80 {\n  TCP_CHECK {\n   nb_get_retry 4\n  }\n }\n}\n",
		    &c, &d) == 0);
	EXPECT_STREQ(c->vs[0]->sched, "sh");
	EXPECT_EQ_INT(c->vs[0]->sched_flags, XVS_SCHED_F_FLAG2);
	EXPECT_EQ_INT(c->vs[0]->rs[0]->checkers[0]->eff.retry, 4);
	EXPECT_EQ_INT(d.count[CONF_WARNING], 2);
	EXPECT(has_msg(&d, CONF_WARNING, "'nb_get_retry' is an old spelling"));
	EXPECT(has_msg(&d, CONF_WARNING, "'lvs_sync_daemon_interface' is an old spelling"));
	conf_free(c);
	conf_diags_free(&d);
}

static void foreign_blocks_are_skipped(void)
{
	struct conf_diags d;
	struct conf *c;

	ASSERT(load("vrrp_instance VI_1 {\n state MASTER\n nonsense { deep { x } }\n}\n"
		    "vrrp_sync_group G {\n group {\n VI_1\n }\n}\n"
		    "static_ipaddress {\n 10.0.0.1/24 dev eth0\n}\n", &c, &d) == 0);
	EXPECT_EQ_INT(d.count[CONF_NOTE], 3);
	EXPECT(has_msg(&d, CONF_NOTE, "skipping vrrp_instance VI_1"));
	EXPECT_EQ_INT(d.count[CONF_WARNING] + d.count[CONF_ERROR], 0);
	conf_free(c);
	conf_diags_free(&d);
}

static void fnat_and_local_addresses(void)
{
	struct conf_diags d;
	struct conf *c;

	ASSERT(load("local_address_group L {\n 10.1.0.1 eth1\n 10.1.0.5-9 eth1\n}\n"
		    "virtual_server 10.0.0.1 80 {\n lvs_sched rr\n lb_kind FNAT\n protocol TCP\n"
		    " laddr_group_name L\n real_server 10.0.0.2 80 {\n }\n}\n", &c, &d) == 0);
	EXPECT_EQ_INT(c->vs[0]->method.fwd, CONF_FWD_FNAT);
	ASSERT(c->vs[0]->laddr_group != NULL);
	EXPECT_EQ_INT(c->vs[0]->laddr_group->n_entries, 2);
	EXPECT_STREQ(c->vs[0]->laddr_group->entries[1].ifname, "eth1");
	conf_free(c);
	conf_diags_free(&d);

	EXPECT(load("virtual_server 10.0.0.1 80 {\n lvs_sched rr\n lb_kind DR\n protocol TCP\n"
		    " real_server 10.0.0.2 80 {\n  lvs_method FNAT\n }\n}\n", &c, &d) == -EINVAL);
	EXPECT(has_msg(&d, CONF_ERROR, "uses FNAT but has no local addresses"));
	conf_diags_free(&d);
}

/* track_file blocks were skipped unread (a typo inside passed); FILE_CHECK
 * needs their file and weight. */
static void track_files_are_read_and_resolved(void)
{
	struct conf_diags d;
	struct conf *c;
	const struct conf_track_file *tf;
	const struct conf_checker *ck;

	ASSERT(load("track_file tf {\n file /run/xvs-tf\n weight -3 reverse\n init_file 7 overwrite\n}\n"
		    "track_file plain {\n file /run/xvs-plain\n}\n" VS_HEAD
		    " real_server 10.0.0.2 80 {\n  FILE_CHECK {\n   track_file tf\n  }\n }\n}\n",
		    &c, &d) == 0);
	ASSERT(c->n_track_files == 2);
	tf = c->track_files[0];
	EXPECT_STREQ(tf->name, "tf");
	EXPECT_STREQ(tf->path, "/run/xvs-tf");
	EXPECT_EQ_INT(tf->weight, -3);
	EXPECT(tf->reverse && tf->init && tf->init_overwrite);
	EXPECT_EQ_INT(tf->init_value, 7);
	EXPECT_EQ_INT(c->track_files[1]->weight, 1);	/* keepalived's default */
	EXPECT(!c->track_files[1]->init);
	ck = c->vs[0]->rs[0]->checkers[0];
	EXPECT(ck->file.track == tf);
	conf_free(c);
	conf_diags_free(&d);

	EXPECT_EQ_INT(load("track_file tf {\n fil /run/x\n}\n", &c, &d), -EINVAL);
	EXPECT(has_msg(&d, CONF_ERROR, "unknown keyword 'fil' in track_file"));
	EXPECT(has_msg(&d, CONF_ERROR, "track_file tf needs 'file PATH'"));
	conf_diags_free(&d);
	EXPECT_EQ_INT(load("track_file a {\n file /x\n weight 2 sideways\n}\n"
			   "track_file a {\n file /y\n}\n", &c, &d), -EINVAL);
	EXPECT(has_msg(&d, CONF_ERROR, "unknown weight option 'sideways'"));
	EXPECT(has_msg(&d, CONF_ERROR, "track_file a is already defined at t.conf:1"));
	conf_diags_free(&d);
}

static void all_errors_are_reported(void)
{
	struct conf_diags d;
	struct conf *c;

	EXPECT(load(VS_HEAD " real_server 10.0.0.2 80 {\n  weight a\n  uthreshold b\n }\n"
		    " real_server 10.0.0.2 80 {\n }\n foo\n}\nbar {\n}\n", &c, &d) == -EINVAL);
	EXPECT_EQ_INT(d.count[CONF_ERROR], 5);
	conf_diags_free(&d);
}

static const struct test_case cases[] = {
	TEST_CASE(defaults_follow_keepalived),
	TEST_CASE(checker_type_defaults),
	TEST_CASE(inheritance_vs_rs_checker),
	TEST_CASE(persistence_defaults),
	TEST_CASE(error_positions),
	TEST_CASE(lexer_quotes_escapes_comments),
	TEST_CASE(conditional_lines),
	TEST_CASE(brace_on_next_line_and_one_line_blocks),
	TEST_CASE(limits_long_word_nul_utf8),
	TEST_CASE(deep_nesting_is_bounded),
	TEST_CASE(groups_ranges_and_cidr),
	TEST_CASE(udp_hex_strings),
	TEST_CASE(http_urls_and_status_codes),
	TEST_CASE(old_spellings_warn_and_work),
	TEST_CASE(foreign_blocks_are_skipped),
	TEST_CASE(fnat_and_local_addresses),
	TEST_CASE(track_files_are_read_and_resolved),
	TEST_CASE(all_errors_are_reported),
};

TEST_MAIN(cases)
