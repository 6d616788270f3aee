// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* keepalived's checker state machine and its driver (see checker.h). The
 * driver owns exactly one of {timer, probe} per checker at any time: the
 * timer leads to an attempt, the attempt's end arms the next timer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checker.h"
#include "log.h"
#include "names.h"
#include "vs.h"

void ck_sm_init(struct ck_sm *sm, const struct conf_timing *eff)
{
	sm->is_up = !eff->alpha;
	sm->has_run = false;
	sm->retry_it = eff->retry;	/* one failure is enough at first */
}

uint64_t ck_sm_first_delay_us(const struct conf_timing *eff, uint32_t rnd)
{
	unsigned __int128 part = (unsigned __int128)eff->warmup_us * rnd / UINT32_MAX;

	return CK_BOOTSTRAP_US + (uint64_t)part;
}

struct ck_step ck_sm_result(struct ck_sm *sm, const struct conf_timing *eff, bool success)
{
	struct ck_step s = { 0 };

	if (success || sm->retry_it >= eff->retry) {
		s.next_us = eff->delay_loop_us;
		sm->retry_it = 0;
		if (success && (!sm->is_up || !sm->has_run)) {
			s.report = true;
			s.up = true;
		} else if (!success && (sm->is_up || !sm->has_run)) {
			s.report = true;
			s.up = false;
		}
	} else {
		s.next_us = eff->delay_before_retry_us;
		sm->retry_it++;
		s.retrying = true;
	}
	return s;
}

void ck_sm_migrate(struct ck_sm *sm, const struct conf_timing *eff)
{
	if (!sm->is_up)
		sm->retry_it = eff->retry + 1;
	else if (sm->retry_it >= eff->retry)
		sm->retry_it = eff->retry;
}

/* ---- the loop's clock ---- */

struct loop_timer_wrap {
	struct loop_timer *t;
	void (*fire)(void *arg);
	void *arg;
};

static uint64_t loop_env_now(void *ctx)
{
	(void)ctx;
	return loop_now_us();
}

static void loop_env_fire(struct loop_timer *t, void *arg)
{
	struct loop_timer_wrap w = *(struct loop_timer_wrap *)arg;

	(void)t;
	free(arg);
	w.fire(w.arg);
}

static void *loop_env_timer_add(void *ctx, uint64_t delay_us, void (*fire)(void *), void *arg)
{
	struct loop_timer_wrap *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->fire = fire;
	w->arg = arg;
	if (loop_timer_add(ctx, delay_us, loop_env_fire, w, &w->t)) {
		free(w);
		return NULL;
	}
	return w;
}

static void loop_env_timer_cancel(void *ctx, void *timer)
{
	struct loop_timer_wrap *w = timer;

	(void)ctx;
	if (!w)
		return;
	loop_timer_cancel(w->t);
	free(w);
}

/* xorshift32: checkers only need their start spread, not secrecy. */
static uint32_t loop_env_random(void *ctx)
{
	static uint32_t state;

	(void)ctx;
	if (!state)
		state = (uint32_t)loop_now_us() ^ 0x9e3779b9u ^ ((uint32_t)getpid() << 16);
	state ^= state << 13;
	state ^= state >> 17;
	state ^= state << 5;
	return state;
}

static int loop_env_probe_start(void *ctx, const struct probe_target *t, probe_done_cb done,
				void *arg, struct probe **out)
{
	return probe_start(ctx, t, done, arg, out);
}

static void loop_env_probe_cancel(void *ctx, struct probe *p)
{
	(void)ctx;
	probe_cancel(p);
}

static int loop_env_file_watch_add(void *ctx, const struct conf_checker *ck,
				   void (*changed)(void *arg), void *arg,
				   struct probe_file_watch **out)
{
	return probe_file_watch_add(ctx, ck, changed, arg, out);
}

void ck_env_loop(struct ck_env *env, struct loop *l)
{
	*env = (struct ck_env){
		.file_watch_add = loop_env_file_watch_add,
		.file_watch_cancel = probe_file_watch_cancel,
		.ctx = l,
		.now_us = loop_env_now,
		.timer_add = loop_env_timer_add,
		.timer_cancel = loop_env_timer_cancel,
		.random = loop_env_random,
		.probe_start = loop_env_probe_start,
		.probe_cancel = loop_env_probe_cancel,
	};
}

/* ---- the driver ---- */

static struct ck_env *env_of(const struct rt_checker *c)
{
	return &c->rs->vs->rt->env;
}

static void attempt_fire(void *arg);

static void schedule(struct rt_checker *c, uint64_t delay_us)
{
	struct ck_env *env = env_of(c);
	char n[NAME_LEN];

	env->timer_cancel(env->ctx, c->timer);
	c->timer = env->timer_add(env->ctx, delay_us, attempt_fire, c);
	if (!c->timer)
		log_err("%s of %s: cannot arm its timer (out of memory): checks stopped",
			c->ck->type_name,
			name_rs(c->rs->vs->conf, &c->rs->conf->addr, c->rs->conf->port, n));
}

static const char *chk_name(const struct rt_checker *c, char buf[NAME_LEN])
{
	return name_rs(c->rs->vs->conf, &c->target.addr, c->target.port, buf);
}

static void log_step(const struct rt_checker *c, const struct probe_result *r,
		     const struct ck_step *s)
{
	const struct conf_timing *eff = &c->ck->eff;
	char n[NAME_LEN], v[NAME_LEN];

	chk_name(c, n);
	name_vs(c->rs->vs->conf, v);
	if (s->report && s->up) {
		log_info("%s of %s (VS %s) succeeded", c->ck->type_name, n, v);
	} else if (s->report) {
		if (eff->retry && c->sm.has_run)
			log_info("%s of %s (VS %s) failed after %u retries: %s", c->ck->type_name, n,
				 v, eff->retry, r->detail);
		else
			log_info("%s of %s (VS %s) failed: %s", c->ck->type_name, n, v, r->detail);
	} else if (s->retrying) {
		log_msg(c->ck->log_all_failures ? LOG_INFO : LOG_DEBUG,
			"%s of %s (VS %s) failed: %s; retry %u of %u in %.1f s", c->ck->type_name, n,
			v, r->detail, c->sm.retry_it, eff->retry, (double)s->next_us / 1e6);
	} else if (!r->up) {
		log_msg(c->ck->log_all_failures ? LOG_INFO : LOG_DEBUG, "%s of %s (VS %s) failed: %s",
			c->ck->type_name, n, v, r->detail);
	} else {
		log_debug("%s of %s (VS %s) succeeded", c->ck->type_name, n, v);
	}
}

static void handle_result(struct rt_checker *c, const struct probe_result *r)
{
	struct ck_step s;

	c->attempts++;
	if (r->unchecked) {
		char n[NAME_LEN];

		/* keepalived "Rescheduling": a local failure says nothing
		 * about the server, its state stays */
		log_info("%s of %s: could not check (%s); trying again in %.1f s",
			 c->ck->type_name, chk_name(c, n), r->detail,
			 (double)c->ck->eff.delay_loop_us / 1e6);
		schedule(c, c->ck->eff.delay_loop_us);
		return;
	}
	if (!r->up) {
		c->failures++;
		snprintf(c->detail, sizeof(c->detail), "%s", r->detail);
	}
	s = ck_sm_result(&c->sm, &c->ck->eff, r->up);
	log_step(c, r, &s);
	/* keepalived applies a dynamic weight before the state change */
	if (r->up && r->weight >= 0)
		rs_set_weight(c->rs, r->weight);
	if (c->ck->kind == CONF_CHECK_FILE && r->weight_offset != c->weight_offset)
		rs_set_weight_offset(c, r->weight_offset);
	if (s.report)
		rs_checker_result(c, s.up);
	c->sm.has_run = true;
	schedule(c, s.next_us);
}

static void attempt_done(struct probe *p, const struct probe_result *r, void *arg)
{
	struct rt_checker *c = arg;

	(void)p;
	c->probe = NULL;
	handle_result(c, r);
}

static void attempt_fire(void *arg)
{
	struct rt_checker *c = arg;
	struct ck_env *env = env_of(c);
	int err;

	c->timer = NULL;
	if (!c->enabled) {
		schedule(c, c->ck->eff.delay_loop_us);
		return;
	}
	err = env->probe_start(env->ctx, &c->target, attempt_done, c, &c->probe);
	if (err == -EOPNOTSUPP) {
		char n[NAME_LEN];

		c->probe = NULL;
		log_warn("%s of %s is not run by xvsd: it never changes the server's state",
			 c->ck->type_name, chk_name(c, n));
		return;		/* no timer: never again */
	}
	if (err) {
		struct probe_result r = { .up = false, .weight = -1 };

		c->probe = NULL;
		snprintf(r.detail, sizeof(r.detail), "cannot start the check: %s", strerror(-err));
		handle_result(c, &r);
	}
}

/* FILE_CHECK: its file changed, check it now (keepalived follows track
 * files with inotify), unless an attempt runs already. */
static void file_changed(void *arg)
{
	struct rt_checker *c = arg;

	if (!c->probe && c->enabled)
		schedule(c, 0);
}

static void watch_file(struct rt_checker *c)
{
	struct ck_env *env = env_of(c);
	char n[NAME_LEN];
	int err;

	if (c->ck->kind != CONF_CHECK_FILE || !env->file_watch_add || c->watch)
		return;
	err = env->file_watch_add(env->ctx, c->ck, file_changed, c, &c->watch);
	if (err)
		log_warn("%s of %s: cannot follow its file (%s); it is read every delay_loop",
			 c->ck->type_name, chk_name(c, n), strerror(-err));
}

void checker_start(struct rt_checker *c)
{
	struct ck_env *env = env_of(c);

	watch_file(c);
	schedule(c, ck_sm_first_delay_us(&c->ck->eff, env->random(env->ctx)));
}

void checker_stop(struct rt_checker *c)
{
	struct ck_env *env = env_of(c);

	env->timer_cancel(env->ctx, c->timer);
	c->timer = NULL;
	if (c->probe)
		env->probe_cancel(env->ctx, c->probe);
	c->probe = NULL;
	if (c->watch && env->file_watch_cancel)
		env->file_watch_cancel(c->watch);
	c->watch = NULL;
}

void checker_settings_changed(struct rt_checker *c)
{
	struct ck_env *env = env_of(c);

	/* the watch knows the old settings (the file name) */
	if (c->watch && env->file_watch_cancel)
		env->file_watch_cancel(c->watch);
	c->watch = NULL;
	watch_file(c);
	if (!c->probe)
		return;
	env->probe_cancel(env->ctx, c->probe);
	c->probe = NULL;
	schedule(c, 0);
}

void checker_enable(struct rt_checker *c, bool enabled)
{
	c->enabled = enabled;
}
