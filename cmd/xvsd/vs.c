// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The runtime model and keepalived's real-server and quorum rules (see
 * vs.h). Log lines keep keepalived's wording ("Removing service ... from
 * VS ...", "Lost quorum ..."), which operators grep for. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "names.h"
#include "vs.h"

/* ---- building and freeing ---- */

void rt_checker_target(struct rt_checker *c)
{
	const struct conf_checker *ck = c->ck;
	const struct conf_rs *rs = c->rs->conf;

	c->target = (struct probe_target){
		.addr = ck->connect_ip.family ? ck->connect_ip : rs->addr,
		.port = ck->connect_port ? ck->connect_port : name_rs_port(c->rs->vs->conf, rs->port),
		.ck = ck,
		.virtualhost = ck->eff_virtualhost,
	};
}

struct rt_checker *rt_checker_new(struct rt_rs *rs, const struct conf_checker *ck)
{
	struct rt_checker *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->rs = rs;
	c->ck = ck;
	c->enabled = rs->vs->ha_active;
	ck_sm_init(&c->sm, &ck->eff);
	rt_checker_target(c);
	return c;
}

void rt_checker_free(struct rt_checker *c)
{
	if (!c)
		return;
	checker_stop(c);
	free(c);
}

void rt_rs_free(struct rt_rs *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n_ck; i++)
		rt_checker_free(rs->ck[i]);
	free(rs->ck);
	free(rs);
}

unsigned rs_count_failed(const struct rt_rs *rs)
{
	unsigned n = 0;

	for (size_t i = 0; i < rs->n_ck; i++)
		n += !rs->ck[i]->sm.is_up;
	return n;
}

struct rt_rs *rt_rs_new(struct rt_vs *vs, const struct conf_rs *conf, bool with_checkers)
{
	struct rt_rs *rs = calloc(1, sizeof(*rs));

	if (!rs)
		return NULL;
	rs->vs = vs;
	rs->conf = conf;
	rs->base_weight = rs->weight = conf->weight;
	rs->ck = calloc(conf->n_checkers + 1, sizeof(*rs->ck));
	if (!rs->ck) {
		free(rs);
		return NULL;
	}
	for (size_t i = 0; with_checkers && i < conf->n_checkers; i++) {
		rs->ck[i] = rt_checker_new(rs, conf->checkers[i]);
		if (!rs->ck[i]) {
			rt_rs_free(rs);
			return NULL;
		}
		rs->n_ck++;
	}
	rs->n_failed = rs_count_failed(rs);
	return rs;
}

void rt_vs_free(struct rt_vs *vs)
{
	if (!vs)
		return;
	for (size_t i = 0; i < vs->n_rs; i++)
		rt_rs_free(vs->rs[i]);
	free(vs->rs);
	free(vs);
}

struct rt_vs *rt_vs_new(struct rt *rt, const struct conf_vs *conf)
{
	struct rt_vs *vs = calloc(1, sizeof(*vs));

	if (!vs)
		return NULL;
	vs->rt = rt;
	vs->conf = conf;
	vs->ha_active = !vs_ha_suspends(conf);
	vs->rs = calloc(conf->n_rs + 1, sizeof(*vs->rs));
	if (!vs->rs) {
		free(vs);
		return NULL;
	}
	return vs;
}

static int vs_fill(struct rt_vs *vs)
{
	for (size_t i = 0; i < vs->conf->n_rs; i++) {
		vs->rs[i] = rt_rs_new(vs, vs->conf->rs[i], true);
		if (!vs->rs[i])
			return -ENOMEM;
		vs->n_rs++;
	}
	return 0;
}

int rt_new(struct conf *conf, const struct ck_env *env, const struct rt_events *ev,
	   struct rt **out)
{
	struct rt *rt = calloc(1, sizeof(*rt));

	*out = NULL;
	if (!rt)
		return -ENOMEM;
	rt->env = *env;
	rt->ev = *ev;
	rt->vs = calloc(conf->n_vs + 1, sizeof(*rt->vs));
	if (!rt->vs) {
		free(rt);
		return -ENOMEM;
	}
	for (size_t i = 0; i < conf->n_vs; i++) {
		rt->vs[i] = rt_vs_new(rt, conf->vs[i]);
		if (!rt->vs[i] || vs_fill(rt->vs[i])) {
			rt_vs_free(rt->vs[i]);
			rt_free(rt);	/* conf stays the caller's */
			return -ENOMEM;
		}
		rt->n_vs++;
	}
	rt->conf = conf;
	*out = rt;
	return 0;
}

void rt_free(struct rt *rt)
{
	if (!rt)
		return;
	for (size_t i = 0; i < rt->n_vs; i++)
		rt_vs_free(rt->vs[i]);
	free(rt->vs);
	conf_free(rt->conf);
	free(rt);
}

/* ---- events ---- */

static void dp_dirty(struct rt_vs *vs)
{
	if (vs->rt->ev.dp_dirty)
		vs->rt->ev.dp_dirty(vs->rt->ev.ctx);
}

static void rs_notify(struct rt_rs *rs)
{
	struct rt *rt = rs->vs->rt;

	if (rt->ev.rs_notify)
		rt->ev.rs_notify(rt->ev.ctx, rs);
}

static void vs_notify(struct rt_vs *vs)
{
	if (vs->rt->ev.vs_notify)
		vs->rt->ev.vs_notify(vs->rt->ev.ctx, vs);
}

static bool inhibit(const struct rt_rs *rs)
{
	return rs->conf->eff.inhibit_on_failure;
}

/* ---- keepalived's rules ---- */

uint64_t vs_alive_weight(const struct rt_vs *vs)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < vs->n_rs; i++)
		if (vs->rs[i]->alive)
			sum += (uint64_t)vs->rs[i]->weight;
	return sum;
}

static void log_pool(const struct rt_vs *vs, bool add)
{
	char v[NAME_LEN];

	log_info("%s the pool for VS %s",
		 add ? "Adding alive servers to" : "Removing alive servers from",
		 name_vs(vs->conf, v));
}

static void log_sorry(const struct rt_vs *vs, bool add)
{
	const struct conf_sorry *s = vs->conf->sorry;
	char r[NAME_LEN], v[NAME_LEN];

	log_info("%s sorry server %s %s VS %s",
		 add ? (s->inhibit ? "Enabling" : "Adding") : (s->inhibit ? "Disabling" : "Removing"),
		 name_rs(vs->conf, &s->addr, s->port, r), add ? "to" : "from", name_vs(vs->conf, v));
}

void vs_update_quorum(struct rt_vs *vs, bool init)
{
	const struct conf_vs *c = vs->conf;
	int64_t sum = (int64_t)vs_alive_weight(vs);
	int64_t threshold = (int64_t)c->quorum +
			    (vs->quorum_up ? -(int64_t)c->hysteresis : (int64_t)c->hysteresis);
	char v[NAME_LEN];

	name_vs(c, v);
	if (!vs->quorum_up && sum >= threshold) {
		vs->quorum_up = true;
		log_info("Gained quorum %u+%u=%lld <= %lld for VS %s", c->quorum, c->hysteresis,
			 (long long)threshold, (long long)sum, v);
		if (c->sorry && vs->sorry_alive) {
			log_sorry(vs, false);
			vs->sorry_alive = false;
			log_pool(vs, true);
		}
		vs_notify(vs);
		dp_dirty(vs);
	} else if ((vs->quorum_up && (!sum || sum < threshold)) ||
		   (init && !vs->quorum_up && c->sorry && !vs->sorry_alive)) {
		vs->quorum_up = false;
		log_info("%s %u-%u=%lld > %lld for VS %s", init ? "Starting with quorum down" :
			 "Lost quorum", c->quorum, c->hysteresis, (long long)threshold,
			 (long long)sum, v);
		if (c->sorry && !vs->sorry_alive) {
			log_pool(vs, false);
			log_sorry(vs, true);
			vs->sorry_alive = true;
		}
		vs_notify(vs);
		dp_dirty(vs);
	}
}

/* keepalived's perform_svr_state. */
static void rs_set_alive(struct rt_rs *rs, bool alive)
{
	char r[NAME_LEN], v[NAME_LEN];

	if (rs->alive == alive)
		return;
	log_info("%s service %s %s VS %s",
		 alive ? (inhibit(rs) ? "Enabling" : "Adding") :
			 (inhibit(rs) ? "Disabling" : "Removing"),
		 name_rs(rs->vs->conf, &rs->conf->addr, rs->conf->port, r),
		 inhibit(rs) ? "of" : alive ? "to" : "from", name_vs(rs->vs->conf, v));
	rs->alive = alive;
	rs->changed_us = rs->vs->rt->env.now_us(rs->vs->rt->env.ctx);
	rs_notify(rs);
	dp_dirty(rs->vs);
	vs_update_quorum(rs->vs, false);
}

void rs_checker_result(struct rt_checker *c, bool up)
{
	struct rt_rs *rs = c->rs;

	if (c->sm.is_up == up) {
		/* the first verdict confirms the start state: keepalived still
		 * announces a server that starts (alpha) or is found down */
		if (!c->sm.has_run && (c->ck->eff.alpha || !up))
			rs_notify(rs);
		return;
	}
	if (up && rs->n_failed <= 1)
		rs_set_alive(rs, true);
	else if (!up && rs->n_failed == 0)
		rs_set_alive(rs, false);
	c->sm.is_up = up;
	if (up && rs->n_failed)
		rs->n_failed--;
	else if (!up)
		rs->n_failed++;
}

void rs_weigh(struct rt_rs *rs)
{
	char r[NAME_LEN], v[NAME_LEN];
	int64_t weight = rs->base_weight;

	for (size_t i = 0; i < rs->n_ck; i++)
		weight += rs->ck[i]->weight_offset;
	if (weight < 0)
		weight = 0;
	if (weight > CONF_MAX_WEIGHT)
		weight = CONF_MAX_WEIGHT;
	if (weight == rs->weight)
		return;
	log_info("Changing weight from %lld to %lld for %sactive service %s of VS %s",
		 (long long)rs->weight, (long long)weight, rs->alive ? "" : "in",
		 name_rs(rs->vs->conf, &rs->conf->addr, rs->conf->port, r), name_vs(rs->vs->conf, v));
	rs->weight = weight;
	dp_dirty(rs->vs);
	vs_update_quorum(rs->vs, false);
}

void rs_set_weight(struct rt_rs *rs, int64_t weight)
{
	rs->base_weight = weight < 0 ? 0 : weight;
	rs->weight_dynamic = true;
	rs_weigh(rs);
}

void rs_set_weight_offset(struct rt_checker *c, int64_t offset)
{
	c->weight_offset = offset;
	rs_weigh(c->rs);
}

void rs_recount(struct rt_rs *rs)
{
	rs->n_failed = rs_count_failed(rs);
	if (!rs->n_failed && !rs->alive)
		rs_set_alive(rs, true);
	else if (rs->n_failed && rs->alive)
		rs_set_alive(rs, false);
}

/* The checker that sets a weight, or an offset to it, if any. */
static struct rt_checker *weighing_checker(const struct rt_rs *rs, bool *offset)
{
	for (size_t i = 0; i < rs->n_ck; i++) {
		const struct conf_checker *ck = rs->ck[i]->ck;

		*offset = ck->kind == CONF_CHECK_FILE;
		if ((ck->kind == CONF_CHECK_MISC && ck->misc.dynamic) || *offset)
			return rs->ck[i];
	}
	return NULL;
}

void rs_adopt(struct rt_rs *rs, int64_t dp_weight)
{
	bool offset = false;
	struct rt_checker *wc = weighing_checker(rs, &offset);

	if (dp_weight > 0) {
		for (size_t i = 0; i < rs->n_ck; i++)
			rs->ck[i]->sm.is_up = true;
		/* what a dynamic checker had set stays until it reports again */
		if (wc && offset)
			wc->weight_offset = dp_weight - rs->base_weight;
		else if (wc)
			rs->base_weight = dp_weight;
		if (wc)
			rs->weight = dp_weight;
	} else if (dp_weight < 0 || rs->conf->weight > 0) {
		for (size_t i = 0; i < rs->n_ck; i++)
			rs->ck[i]->sm.is_up = false;
	}
	rs->n_failed = rs_count_failed(rs);
}

void rt_init_states(struct rt *rt)
{
	for (size_t i = 0; i < rt->n_vs; i++) {
		struct rt_vs *vs = rt->vs[i];

		/* keepalived's set_quorum_states: before anything is alive */
		vs->quorum_up = vs_alive_weight(vs) >= (uint64_t)vs->conf->quorum +
							  vs->conf->hysteresis;
		for (size_t k = 0; k < vs->n_rs; k++) {
			struct rt_rs *rs = vs->rs[k];

			if (!rs->n_failed && !rs->alive) {
				rs->alive = true;
				rs->changed_us = rt->env.now_us(rt->env.ctx);
			}
		}
		vs_update_quorum(vs, true);
		dp_dirty(vs);
	}
}

void rt_start_checkers(struct rt *rt)
{
	for (size_t i = 0; i < rt->n_vs; i++)
		for (size_t k = 0; k < rt->vs[i]->n_rs; k++)
			for (size_t j = 0; j < rt->vs[i]->rs[k]->n_ck; j++)
				checker_start(rt->vs[i]->rs[k]->ck[j]);
}

bool vs_ha_suspends(const struct conf_vs *vs)
{
	return vs->ha_suspend && vs->kind == CONF_VS_ADDR;
}

void vs_set_ha_active(struct rt_vs *vs, bool active)
{
	char v[NAME_LEN], r[NAME_LEN];

	if (vs->ha_active == active)
		return;
	vs->ha_active = active;
	for (size_t k = 0; k < vs->n_rs; k++) {
		struct rt_rs *rs = vs->rs[k];

		for (size_t j = 0; j < rs->n_ck; j++)
			checker_enable(rs->ck[j], active);
		log_info("%sctivating healthchecker for service %s for VS %s", active ? "A" : "Dea",
			 name_rs(vs->conf, &rs->conf->addr, rs->conf->port, r), name_vs(vs->conf, v));
	}
}

int64_t rs_dp_weight(const struct rt_rs *rs)
{
	if (rs->alive && !rs->vs->sorry_alive)
		return rs->weight;
	return inhibit(rs) ? 0 : -1;
}

int64_t sorry_dp_weight(const struct rt_vs *vs)
{
	if (!vs->conf->sorry)
		return -1;
	if (vs->sorry_alive)
		return 1;
	return vs->conf->sorry->inhibit ? 0 : -1;
}

/* ---- identities ---- */

bool rs_same(const struct conf_rs *a, const struct conf_rs *b)
{
	return !conf_addr_cmp(&a->addr, &b->addr) && a->port == b->port;
}

struct rt_vs *rt_find_vs(const struct rt *rt, const struct conf_vs *like)
{
	for (size_t i = 0; i < rt->n_vs; i++)
		if (conf_vs_same(rt->vs[i]->conf, like))
			return rt->vs[i];
	return NULL;
}

struct rt_rs *vs_find_rs(const struct rt_vs *vs, const struct conf_rs *like)
{
	for (size_t i = 0; i < vs->n_rs; i++)
		if (rs_same(vs->rs[i]->conf, like))
			return vs->rs[i];
	return NULL;
}
