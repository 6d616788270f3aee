// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* keepalived's checker and real-server rules in xvsd, on a fake clock with
 * scripted probe results: when attempts happen (warmup, delay_loop,
 * delay_before_retry), how many failures bring a server down (retry, and
 * one at first), alpha, several checkers per server, inhibit_on_failure,
 * dynamic weights, quorum with hysteresis and the sorry server, ha_suspend,
 * and the notify FIFO lines each change writes. No root. */
#include <stdint.h>

#include "../harness/test.h"
#include "xvsd_fake.h"

#define S 1000000ULL

struct world {
	struct fake_env env;
	struct fake_events ev;
	struct rt *rt;
};

static bool world_new(struct world *w, const char *text, uint32_t rnd)
{
	struct ck_env env;
	struct rt_events ev = fake_events_of(&w->ev);
	struct conf *c = fake_conf(text);

	fake_env_init(&w->env, &env);
	w->env.rnd = rnd;
	if (!c || rt_new(c, &env, &ev, &w->rt)) {
		conf_free(c);
		return false;
	}
	rt_init_states(w->rt);
	rt_start_checkers(w->rt);
	return true;
}

static struct rt_rs *RS(struct world *w, size_t vs, size_t rs)
{
	return w->rt->vs[vs]->rs[rs];
}

/* The next attempt must be for real server rs_addr at time at_us. */
static struct fake_attempt *expect_attempt(struct world *w, const char *rs_addr, uint64_t at_us)
{
	struct fake_attempt *a = fake_next_attempt(&w->env);
	char got[INET_ADDRSTRLEN];

	if (!a) {
		test_fail(__FILE__, __LINE__, "no attempt happened (expected %s at %llu us)", rs_addr,
			  (unsigned long long)at_us);
		return NULL;
	}
	inet_ntop(AF_INET, &a->t.addr.u.v4, got, sizeof(got));
	if (strcmp(got, rs_addr) || a->at != at_us)
		test_fail(__FILE__, __LINE__, "attempt for %s at %llu us, expected %s at %llu us", got,
			  (unsigned long long)a->at, rs_addr, (unsigned long long)at_us);
	return a;
}

#define ONE_RS(vs_extra, ck) \
	"virtual_server 10.0.0.1 80 {\n lvs_sched rr\n lvs_method DR\n protocol TCP\n" \
	" delay_loop 5\n" vs_extra \
	" real_server 10.0.1.1 80 {\n  weight 1\n" ck " }\n}\n"

static void retries_then_down_then_up(void)
{
	struct world w;
	struct fake_attempt *a;

	ASSERT(world_new(&w, ONE_RS("", "  TCP_CHECK {\n   connect_timeout 1\n   retry 2\n"
					    "   delay_before_retry 1\n  }\n"), 0));
	EXPECT_STREQ(lines_join(&w.ev.fifo), "VS [10.0.0.1]:tcp:80 UP");	/* quorum at start */
	EXPECT(RS(&w, 0, 0)->alive);
	/* first attempt after the 1 s bootstrap (rnd 0: no warmup part) */
	ASSERT((a = expect_attempt(&w, "10.0.1.1", 1 * S)));
	EXPECT_EQ_INT(a->t.port, 80);
	fake_finish(a, true, -1);
	/* a round every delay_loop; two failures are retried 1 s apart ... */
	ASSERT((a = expect_attempt(&w, "10.0.1.1", 6 * S)));
	fake_finish(a, false, -1);
	ASSERT((a = expect_attempt(&w, "10.0.1.1", 7 * S)));
	fake_finish(a, false, -1);
	EXPECT(RS(&w, 0, 0)->alive);
	ASSERT((a = expect_attempt(&w, "10.0.1.1", 8 * S)));
	fake_finish(a, false, -1);
	/* ... the third (retry 2) is final */
	EXPECT(!RS(&w, 0, 0)->alive);
	EXPECT_EQ_INT(rs_dp_weight(RS(&w, 0, 0)), -1);
	EXPECT_STREQ(lines_join(&w.ev.fifo),
		     "VS [10.0.0.1]:tcp:80 UP|RS [10.0.1.1]:tcp:80 [10.0.0.1]:tcp:80 DOWN|"
		     "VS [10.0.0.1]:tcp:80 DOWN");
	/* one success brings it back, a delay_loop after the final failure */
	ASSERT((a = expect_attempt(&w, "10.0.1.1", 13 * S)));
	fake_finish(a, true, -1);
	EXPECT(RS(&w, 0, 0)->alive);
	EXPECT_EQ_INT(rs_dp_weight(RS(&w, 0, 0)), 1);
	EXPECT_STREQ(lines_join(&w.ev.fifo),
		     "VS [10.0.0.1]:tcp:80 UP|RS [10.0.1.1]:tcp:80 [10.0.0.1]:tcp:80 DOWN|"
		     "VS [10.0.0.1]:tcp:80 DOWN|RS [10.0.1.1]:tcp:80 [10.0.0.1]:tcp:80 UP|"
		     "VS [10.0.0.1]:tcp:80 UP");
	EXPECT_EQ_INT(w.rt->vs[0]->rs[0]->ck[0]->attempts, 5);
	EXPECT_EQ_INT(w.rt->vs[0]->rs[0]->ck[0]->failures, 3);
	rt_free(w.rt);
}

static void first_failure_is_enough(void)
{
	struct world w;
	struct fake_attempt *a;

	/* keepalived: before a first success one failure brings a server
	 * down, whatever retry says */
	ASSERT(world_new(&w, ONE_RS("", "  TCP_CHECK {\n   retry 3\n  }\n"), 0));
	ASSERT((a = expect_attempt(&w, "10.0.1.1", 1 * S)));
	fake_finish(a, false, -1);
	EXPECT(!RS(&w, 0, 0)->alive);
	ASSERT((a = expect_attempt(&w, "10.0.1.1", 6 * S)));
	fake_finish(a, true, -1);
	EXPECT(RS(&w, 0, 0)->alive);
	/* now retry applies: three failures are retried */
	for (uint64_t t = 11; t <= 14; t++) {
		ASSERT((a = expect_attempt(&w, "10.0.1.1", t * S)));
		EXPECT(RS(&w, 0, 0)->alive);
		fake_finish(a, false, -1);
	}
	EXPECT(!RS(&w, 0, 0)->alive);
	rt_free(w.rt);
}

static void warmup_spreads_the_first_attempt(void)
{
	struct world w;

	ASSERT(world_new(&w, ONE_RS("", "  TCP_CHECK {\n   warmup 4\n  }\n"), UINT32_MAX));
	EXPECT(expect_attempt(&w, "10.0.1.1", 5 * S) != NULL);	/* 1 s + all of warmup */
	rt_free(w.rt);
	ASSERT(world_new(&w, ONE_RS("", "  TCP_CHECK {\n   warmup 4\n  }\n"), UINT32_MAX / 4));
	EXPECT(expect_attempt(&w, "10.0.1.1", 1999999) != NULL);	/* 1 s + a quarter */
	rt_free(w.rt);
	/* warmup defaults to delay_loop (5 s here) */
	ASSERT(world_new(&w, ONE_RS("", "  TCP_CHECK {\n  }\n"), UINT32_MAX));
	EXPECT(expect_attempt(&w, "10.0.1.1", 6 * S) != NULL);
	rt_free(w.rt);
}

static void alpha_starts_down(void)
{
	struct world w;
	struct fake_attempt *a;

	ASSERT(world_new(&w, ONE_RS(" alpha\n", "  TCP_CHECK {\n  }\n"), 0));
	EXPECT(!RS(&w, 0, 0)->alive);
	EXPECT_EQ_INT(rs_dp_weight(RS(&w, 0, 0)), -1);
	EXPECT_STREQ(lines_join(&w.ev.fifo), "");	/* no quorum yet, nothing said */
	/* a first failure only confirms the state, and is announced */
	ASSERT((a = expect_attempt(&w, "10.0.1.1", 1 * S)));
	fake_finish(a, false, -1);
	EXPECT(!RS(&w, 0, 0)->alive);
	EXPECT_STREQ(lines_join(&w.ev.fifo), "RS [10.0.1.1]:tcp:80 [10.0.0.1]:tcp:80 DOWN");
	ASSERT((a = expect_attempt(&w, "10.0.1.1", 6 * S)));
	fake_finish(a, true, -1);
	EXPECT(RS(&w, 0, 0)->alive);
	EXPECT_STREQ(lines_join(&w.ev.fifo),
		     "RS [10.0.1.1]:tcp:80 [10.0.0.1]:tcp:80 DOWN|"
		     "RS [10.0.1.1]:tcp:80 [10.0.0.1]:tcp:80 UP|VS [10.0.0.1]:tcp:80 UP");
	rt_free(w.rt);
}

static void every_checker_must_pass(void)
{
	struct world w;
	struct fake_attempt *a, *b;

	ASSERT(world_new(&w, ONE_RS("", "  TCP_CHECK {\n   retry 0\n  }\n"
					"  TCP_CHECK {\n   connect_port 8080\n   retry 0\n  }\n"), 0));
	ASSERT((a = expect_attempt(&w, "10.0.1.1", 1 * S)));
	a->live = false;	/* look at the second one while a is pending */
	ASSERT((b = expect_attempt(&w, "10.0.1.1", 1 * S)));
	a->live = true;
	EXPECT_EQ_INT(a->t.port, 80);
	EXPECT_EQ_INT(b->t.port, 8080);
	fake_finish(b, false, -1);
	EXPECT(!RS(&w, 0, 0)->alive);
	fake_finish(a, true, -1);
	EXPECT(!RS(&w, 0, 0)->alive);	/* one of two still down */
	EXPECT_EQ_INT(RS(&w, 0, 0)->n_failed, 1);
	ASSERT((a = expect_attempt(&w, "10.0.1.1", 6 * S)));
	fake_finish(a, true, -1);
	ASSERT((b = expect_attempt(&w, "10.0.1.1", 6 * S)));
	fake_finish(b, true, -1);
	EXPECT(RS(&w, 0, 0)->alive);
	EXPECT_EQ_INT(RS(&w, 0, 0)->n_failed, 0);
	rt_free(w.rt);
}

static void inhibit_keeps_weight_zero(void)
{
	struct world w;
	struct fake_attempt *a;

	ASSERT(world_new(&w, ONE_RS(" inhibit_on_failure\n", "  TCP_CHECK {\n  }\n"), 0));
	EXPECT_EQ_INT(rs_dp_weight(RS(&w, 0, 0)), 1);
	ASSERT((a = expect_attempt(&w, "10.0.1.1", 1 * S)));
	fake_finish(a, false, -1);
	EXPECT(!RS(&w, 0, 0)->alive);
	EXPECT_EQ_INT(rs_dp_weight(RS(&w, 0, 0)), 0);	/* kept, at weight 0 */
	rt_free(w.rt);
}

static void dynamic_weight(void)
{
	struct world w;
	struct fake_attempt *a;
	unsigned dirty;

	ASSERT(world_new(&w, ONE_RS("", "  MISC_CHECK {\n   misc_path /bin/true\n"
					"   misc_dynamic\n  }\n"), 0));
	EXPECT_EQ_INT(rs_dp_weight(RS(&w, 0, 0)), 1);
	dirty = w.ev.dirty;
	ASSERT((a = expect_attempt(&w, "10.0.1.1", 1 * S)));
	fake_finish(a, true, 7);	/* exit 9: weight 7 */
	EXPECT_EQ_INT(RS(&w, 0, 0)->weight, 7);
	EXPECT_EQ_INT(rs_dp_weight(RS(&w, 0, 0)), 7);
	EXPECT(w.ev.dirty > dirty);
	EXPECT_EQ_INT(vs_alive_weight(w.rt->vs[0]), 7);
	ASSERT((a = expect_attempt(&w, "10.0.1.1", 6 * S)));
	fake_finish(a, true, 0);	/* exit 2: weight 0, still up */
	EXPECT(RS(&w, 0, 0)->alive);
	EXPECT_EQ_INT(rs_dp_weight(RS(&w, 0, 0)), 0);
	/* weight 0 alive servers weigh nothing: quorum 1 is lost */
	EXPECT(!w.rt->vs[0]->quorum_up);
	rt_free(w.rt);
}

static void file_check_weight_offset(void)
{
	struct world w;
	struct fake_attempt *a;

	/* keepalived: the track file's value times the weight is added to
	 * the configured weight; never below 0 */
	ASSERT(world_new(&w, "track_file T {\n file /nonexistent/xvs-t\n weight 2\n}\n"
			     ONE_RS("", "  FILE_CHECK {\n   track_file T\n  }\n"), 0));
	EXPECT_EQ_INT(RS(&w, 0, 0)->weight, 1);
	ASSERT((a = expect_attempt(&w, "10.0.1.1", 1 * S)));
	fake_finish_offset(a, true, -1, 4);	/* value 2 */
	EXPECT_EQ_INT(RS(&w, 0, 0)->weight, 5);
	EXPECT_EQ_INT(rs_dp_weight(RS(&w, 0, 0)), 5);
	ASSERT((a = expect_attempt(&w, "10.0.1.1", 6 * S)));
	fake_finish_offset(a, true, -1, -6);	/* value -3 */
	EXPECT_EQ_INT(RS(&w, 0, 0)->weight, 0);
	EXPECT(RS(&w, 0, 0)->alive);
	ASSERT((a = expect_attempt(&w, "10.0.1.1", 11 * S)));
	fake_finish_offset(a, true, -1, 0);
	EXPECT_EQ_INT(RS(&w, 0, 0)->weight, 1);
	rt_free(w.rt);
}

#define POOL3(extra) \
	"virtual_server 10.0.0.1 80 {\n lvs_sched rr\n lvs_method DR\n protocol TCP\n" \
	" delay_loop 5\n quorum 2\n hysteresis 1\n" extra \
	" real_server 10.0.1.1 80 {\n  TCP_CHECK {\n   retry 0\n  }\n }\n" \
	" real_server 10.0.1.2 80 {\n  TCP_CHECK {\n   retry 0\n  }\n }\n" \
	" real_server 10.0.1.3 80 {\n  TCP_CHECK {\n   retry 0\n  }\n }\n}\n"

/* One round: every server's attempt ends as up[i] says. */
static void round3(struct world *w, const bool up[3])
{
	for (int i = 0; i < 3; i++) {
		struct fake_attempt *a = fake_next_attempt(&w->env);
		char got[INET_ADDRSTRLEN];

		if (!a) {
			test_fail(__FILE__, __LINE__, "no attempt");
			return;
		}
		inet_ntop(AF_INET, &a->t.addr.u.v4, got, sizeof(got));
		fake_finish(a, up[got[strlen(got) - 1] - '1'], -1);
	}
}

static void quorum_hysteresis_sorry(void)
{
	struct world w;
	struct rt_vs *vs;

	ASSERT(world_new(&w, POOL3(" sorry_server 10.0.9.9 80\n"), 0));
	vs = w.rt->vs[0];
	EXPECT(vs->quorum_up);		/* 3 >= quorum 2 + hysteresis 1 */
	EXPECT_EQ_INT(sorry_dp_weight(vs), -1);
	round3(&w, (bool[3]){ false, true, true });
	EXPECT(vs->quorum_up);		/* 2 >= 2 - 1 */
	round3(&w, (bool[3]){ false, false, true });
	EXPECT(vs->quorum_up);		/* 1 >= 2 - 1: hysteresis holds it */
	EXPECT(!vs->sorry_alive);
	round3(&w, (bool[3]){ false, false, false });
	EXPECT(!vs->quorum_up);		/* nothing alive */
	EXPECT(vs->sorry_alive);
	EXPECT_EQ_INT(sorry_dp_weight(vs), 1);
	round3(&w, (bool[3]){ true, true, false });
	EXPECT(!vs->quorum_up);		/* 2 < 2 + 1 */
	EXPECT(vs->rs[0]->alive);
	EXPECT_EQ_INT(rs_dp_weight(vs->rs[0]), -1);	/* alive, but the sorry server serves */
	EXPECT_EQ_INT(sorry_dp_weight(vs), 1);
	round3(&w, (bool[3]){ true, true, true });
	EXPECT(vs->quorum_up);
	EXPECT(!vs->sorry_alive);
	EXPECT_EQ_INT(sorry_dp_weight(vs), -1);
	EXPECT_EQ_INT(rs_dp_weight(vs->rs[0]), 1);
	EXPECT_STREQ(lines_join(&w.ev.fifo),
		     "VS [10.0.0.1]:tcp:80 UP|"
		     "RS [10.0.1.1]:tcp:80 [10.0.0.1]:tcp:80 DOWN|"
		     "RS [10.0.1.2]:tcp:80 [10.0.0.1]:tcp:80 DOWN|"
		     "RS [10.0.1.3]:tcp:80 [10.0.0.1]:tcp:80 DOWN|VS [10.0.0.1]:tcp:80 DOWN|"
		     "RS [10.0.1.1]:tcp:80 [10.0.0.1]:tcp:80 UP|"
		     "RS [10.0.1.2]:tcp:80 [10.0.0.1]:tcp:80 UP|"
		     "RS [10.0.1.3]:tcp:80 [10.0.0.1]:tcp:80 UP|VS [10.0.0.1]:tcp:80 UP");
	rt_free(w.rt);
}

static void sorry_server_inhibit(void)
{
	struct world w;

	ASSERT(world_new(&w, POOL3(" sorry_server 10.0.9.9 80\n sorry_server_inhibit\n"), 0));
	EXPECT_EQ_INT(sorry_dp_weight(w.rt->vs[0]), 0);	/* present, weight 0 */
	rt_free(w.rt);
}

static void start_without_quorum_brings_sorry(void)
{
	struct world w;

	/* alpha: nothing alive at start, so the sorry server serves until
	 * checks pass */
	ASSERT(world_new(&w, POOL3(" alpha\n sorry_server 10.0.9.9 80\n"), 0));
	EXPECT(!w.rt->vs[0]->quorum_up);
	EXPECT(w.rt->vs[0]->sorry_alive);
	EXPECT_EQ_INT(sorry_dp_weight(w.rt->vs[0]), 1);
	EXPECT_STREQ(lines_join(&w.ev.fifo), "VS [10.0.0.1]:tcp:80 DOWN");
	rt_free(w.rt);
}

static void ha_suspend_skips_attempts(void)
{
	struct world w;
	struct fake_attempt *a;

	ASSERT(world_new(&w, ONE_RS(" ha_suspend\n", "  TCP_CHECK {\n  }\n"), 0));
	/* the VIP is not local: the timer runs, no attempt is made */
	for (int i = 0; i < 3; i++)
		ASSERT(fake_step(&w.env));
	EXPECT_EQ_INT(w.env.n_att, 0);
	EXPECT_EQ_INT(w.env.now, 11 * S);	/* 1 s, then every delay_loop */
	EXPECT(RS(&w, 0, 0)->alive);	/* state kept */
	vs_set_ha_active(w.rt->vs[0], true);
	ASSERT((a = expect_attempt(&w, "10.0.1.1", 16 * S)));
	fake_finish(a, true, -1);
	rt_free(w.rt);
}

static void probe_start_failure_is_a_failure(void)
{
	struct world w;

	ASSERT(world_new(&w, ONE_RS("", "  TCP_CHECK {\n  }\n"), 0));
	w.env.start_err = -EMFILE;
	ASSERT(fake_step(&w.env));
	EXPECT(!RS(&w, 0, 0)->alive);
	EXPECT(strstr(RS(&w, 0, 0)->ck[0]->detail, "cannot start") != NULL);
	rt_free(w.rt);
}

static void fifo_lines(void)
{
	struct conf *c = fake_conf(
		"virtual_server_group WEB {\n 10.0.0.1 80\n}\n"
		"virtual_server group WEB {\n lvs_sched rr\n lvs_method NAT\n protocol TCP\n"
		" real_server 10.0.1.1 8080 {\n }\n}\n"
		"virtual_server fwmark 7 {\n lvs_sched rr\n lvs_method DR\n"
		" real_server 10.0.1.2 {\n }\n}\n"
		"virtual_server 10.0.0.2 53 {\n lvs_sched rr\n lvs_method NAT\n protocol UDP\n"
		" real_server 10.0.1.3 {\n }\n}\n");
	char line[256];

	ASSERT(c);
	notify_line_vs(line, sizeof(line), c->vs[0], true);
	EXPECT_STREQ(line, "VS [WEB]:0 UP\n");
	notify_line_rs(line, sizeof(line), c->vs[0], &c->vs[0]->rs[0]->addr, c->vs[0]->rs[0]->port,
		       false);
	EXPECT_STREQ(line, "RS [10.0.1.1]:tcp:8080 [WEB]:0 DOWN\n");
	notify_line_vs(line, sizeof(line), c->vs[1], false);
	EXPECT_STREQ(line, "VS FWM 7 DOWN\n");
	notify_line_rs(line, sizeof(line), c->vs[1], &c->vs[1]->rs[0]->addr, c->vs[1]->rs[0]->port,
		       true);
	EXPECT_STREQ(line, "RS [10.0.1.2]:none:0 FWM 7 UP\n");
	/* a real server without a port is known by its service's */
	notify_line_rs(line, sizeof(line), c->vs[2], &c->vs[2]->rs[0]->addr, c->vs[2]->rs[0]->port,
		       true);
	EXPECT_STREQ(line, "RS [10.0.1.3]:udp:53 [10.0.0.2]:udp:53 UP\n");
	conf_free(c);
}

static const struct test_case cases[] = {
	TEST_CASE(retries_then_down_then_up),
	TEST_CASE(first_failure_is_enough),
	TEST_CASE(warmup_spreads_the_first_attempt),
	TEST_CASE(alpha_starts_down),
	TEST_CASE(every_checker_must_pass),
	TEST_CASE(inhibit_keeps_weight_zero),
	TEST_CASE(dynamic_weight),
	TEST_CASE(file_check_weight_offset),
	TEST_CASE(quorum_hysteresis_sorry),
	TEST_CASE(sorry_server_inhibit),
	TEST_CASE(start_without_quorum_brings_sorry),
	TEST_CASE(ha_suspend_skips_attempts),
	TEST_CASE(probe_start_failure_is_a_failure),
	TEST_CASE(fifo_lines),
};

TEST_MAIN(cases)
