/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Fakes for xvsd's unit tests: a manual clock with timers, probes whose
 * results the test gives, runtime events recorded as keepalived's FIFO
 * lines, and a data plane (struct dp_ops) that keeps services in memory
 * and records every call as a line of text. */
#ifndef XVSD_FAKE_H
#define XVSD_FAKE_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cmd/xvsd/apply.h"
#include "../../cmd/xvsd/checker.h"
#include "../../cmd/xvsd/log.h"
#include "../../cmd/xvsd/notify.h"
#include "../../cmd/xvsd/vs.h"

/* ---- a log of lines ---- */

struct fake_lines {
	char v[256][160];
	size_t n;
};

static inline void lines_add(struct fake_lines *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void lines_add(struct fake_lines *l, const char *fmt, ...)
{
	va_list ap;

	if (l->n >= sizeof(l->v) / sizeof(l->v[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(l->v[l->n++], sizeof(l->v[0]), fmt, ap);
	va_end(ap);
}

/* All lines joined by '|', for one EXPECT_STREQ. */
static inline const char *lines_join(const struct fake_lines *l)
{
	static char out[16384];
	size_t o = 0;

	out[0] = 0;
	for (size_t i = 0; i < l->n && o < sizeof(out); i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", i ? "|" : "", l->v[i]);
	return out;
}

/* ---- clock, timers, probes ---- */

struct fake_timer {
	uint64_t at;
	void (*fire)(void *arg);
	void *arg;
	bool armed;
};

struct fake_attempt {
	struct probe_target t;
	probe_done_cb done;
	void *arg;
	uint64_t at;
	bool live;
};

struct fake_env {
	uint64_t now;
	uint32_t rnd;
	struct fake_timer timers[512];
	struct fake_attempt att[512];
	size_t n_att;
	int start_err;		/* probe_start returns this when non-zero */
};

static inline uint64_t fake_now(void *ctx)
{
	return ((struct fake_env *)ctx)->now;
}

static inline void *fake_timer_add(void *ctx, uint64_t delay, void (*fire)(void *), void *arg)
{
	struct fake_env *e = ctx;

	for (size_t i = 0; i < sizeof(e->timers) / sizeof(e->timers[0]); i++)
		if (!e->timers[i].armed) {
			e->timers[i] = (struct fake_timer){ e->now + delay, fire, arg, true };
			return &e->timers[i];
		}
	return NULL;
}

static inline void fake_timer_cancel(void *ctx, void *t)
{
	(void)ctx;
	if (t)
		((struct fake_timer *)t)->armed = false;
}

static inline uint32_t fake_random(void *ctx)
{
	return ((struct fake_env *)ctx)->rnd;
}

static inline int fake_probe_start(void *ctx, const struct probe_target *t, probe_done_cb done,
				   void *arg, struct probe **out)
{
	struct fake_env *e = ctx;
	struct fake_attempt *a;

	if (e->start_err)
		return e->start_err;
	if (e->n_att >= sizeof(e->att) / sizeof(e->att[0]))
		return -ENOMEM;
	a = &e->att[e->n_att++];
	*a = (struct fake_attempt){ *t, done, arg, e->now, true };
	*out = (struct probe *)(void *)a;
	return 0;
}

static inline void fake_probe_cancel(void *ctx, struct probe *p)
{
	(void)ctx;
	((struct fake_attempt *)(void *)p)->live = false;
}

/* xvsd's log lines only with XVSD_TEST_LOG=1: they would bury the TAP. */
static inline void fake_log_quiet(void)
{
	struct log_opts o = { .console = getenv("XVSD_TEST_LOG") != NULL, .detail = true };

	log_init(&o);
	log_started();
}

static inline void fake_env_init(struct fake_env *e, struct ck_env *env)
{
	fake_log_quiet();
	memset(e, 0, sizeof(*e));
	*env = (struct ck_env){ .ctx = e, .now_us = fake_now, .timer_add = fake_timer_add,
				.timer_cancel = fake_timer_cancel, .random = fake_random,
				.probe_start = fake_probe_start, .probe_cancel = fake_probe_cancel };
}

/* Fires the earliest timer (moving the clock there); false when none. */
static inline bool fake_step(struct fake_env *e)
{
	struct fake_timer *t = NULL;

	for (size_t i = 0; i < sizeof(e->timers) / sizeof(e->timers[0]); i++)
		if (e->timers[i].armed && (!t || e->timers[i].at < t->at))
			t = &e->timers[i];
	if (!t)
		return false;
	e->now = t->at;
	t->armed = false;
	t->fire(t->arg);
	return true;
}

/* Runs timers until an attempt is in flight; returns it (NULL: none). */
static inline struct fake_attempt *fake_next_attempt(struct fake_env *e)
{
	for (int guard = 0; guard < 1000; guard++) {
		for (size_t i = 0; i < e->n_att; i++)
			if (e->att[i].live)
				return &e->att[i];
		if (!fake_step(e))
			return NULL;
	}
	return NULL;
}

/* Ends attempt a: up or down, with a dynamic weight (-1: none) and a
 * FILE_CHECK weight offset. */
static inline void fake_finish_offset(struct fake_attempt *a, bool up, int64_t weight,
				      int64_t offset)
{
	struct probe_result r = { .up = up, .weight = weight, .weight_offset = offset };

	snprintf(r.detail, sizeof(r.detail), up ? "ok" : "value");
	a->live = false;
	a->done((struct probe *)(void *)a, &r, a->arg);
}

static inline void fake_finish(struct fake_attempt *a, bool up, int64_t weight)
{
	struct probe_result r = { .up = up, .weight = weight };

	snprintf(r.detail, sizeof(r.detail), up ? "ok" : "connection refused");
	a->live = false;
	a->done((struct probe *)(void *)a, &r, a->arg);
}

/* ---- runtime events ---- */

struct fake_events {
	struct fake_lines fifo;		/* notify FIFO lines, without '\n' */
	unsigned dirty;
};

static inline void fake_rs_notify(void *ctx, const struct rt_rs *rs)
{
	struct fake_events *f = ctx;
	char line[256];
	size_t n = notify_line_rs(line, sizeof(line), rs->vs->conf, &rs->conf->addr, rs->conf->port,
				  rs->alive);

	if (n && line[n - 1] == '\n')
		line[n - 1] = 0;
	lines_add(&f->fifo, "%s", line);
}

static inline void fake_vs_notify(void *ctx, const struct rt_vs *vs)
{
	struct fake_events *f = ctx;
	char line[256];
	size_t n = notify_line_vs(line, sizeof(line), vs->conf, vs->quorum_up);

	if (n && line[n - 1] == '\n')
		line[n - 1] = 0;
	lines_add(&f->fifo, "%s", line);
}

static inline void fake_dp_dirty(void *ctx)
{
	((struct fake_events *)ctx)->dirty++;
}

static inline struct rt_events fake_events_of(struct fake_events *f)
{
	memset(f, 0, sizeof(*f));
	return (struct rt_events){ .ctx = f, .rs_notify = fake_rs_notify,
				   .vs_notify = fake_vs_notify, .dp_dirty = fake_dp_dirty };
}

/* Loads a configuration from text; NULL (with the diagnostics printed)
 * when it has errors. */
static inline struct conf *fake_conf(const char *text)
{
	struct conf_diags d = { 0 };
	struct conf_opts o = { .config_id = "test" };
	struct conf *c = NULL;

	if (conf_load_buffer("test.conf", text, strlen(text), &o, &c, &d))
		conf_diags_print(&d, stderr);
	conf_diags_free(&d);
	return c;
}

/* ---- a recording data plane ---- */

struct fake_dp {
	struct xvs_svc_info svc[64];
	struct xvs_dest_info dest[64][32];
	struct xvs_laddr_conf laddr[64][16];
	size_t n_laddr[64];
	size_t n;
	struct fake_lines calls;
	bool open;
	int fail_svc_add;		/* svc_add returns this when non-zero */
	int fail_dest_add;
	uint32_t marked[8];		/* marks some mark rule gives */
	size_t n_marked;
};

static inline const char *fake_svc_str(const struct xvs_svc_conf *c, char *b, size_t len)
{
	char a[INET_ADDRSTRLEN];

	if (c->fwmark)
		snprintf(b, len, "FWM %u", c->fwmark);
	else
		snprintf(b, len, "%s %s:%u", c->proto == IPPROTO_UDP ? "UDP" : "TCP",
			 inet_ntop(AF_INET, &c->addr, a, sizeof(a)), c->port);
	return b;
}

static inline const char *fake_dest_str(const struct xvs_dest_conf *d, char *b, size_t len)
{
	static const char *const fwd[] = { "DR", "TUN", "NAT", "FNAT" };
	char a[INET_ADDRSTRLEN];

	snprintf(b, len, "%s:%u %s w%u", inet_ntop(AF_INET, &d->addr, a, sizeof(a)), d->port,
		 d->fwd < 4 ? fwd[d->fwd] : "?", d->weight);
	return b;
}

static inline long fake_svc_idx(struct fake_dp *f, const struct xvs_svc_conf *c)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct xvs_svc_conf *s = &f->svc[i].conf;

		if (s->fwmark == c->fwmark && s->proto == c->proto && s->addr == c->addr &&
		    s->port == c->port)
			return (long)i;
	}
	return -1;
}

static inline int fd_begin(void *ctx)
{
	((struct fake_dp *)ctx)->open = true;
	return 0;
}

static inline void fd_end(void *ctx)
{
	((struct fake_dp *)ctx)->open = false;
}

static inline int fd_list(void *ctx, struct xvs_svc_info **out, size_t *n)
{
	struct fake_dp *f = ctx;
	struct xvs_svc_info *l = calloc(f->n + 1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	for (size_t i = 0; i < f->n; i++) {
		l[i] = f->svc[i];
		l[i].dests = calloc(f->svc[i].n_dests + 1, sizeof(*l[i].dests));
		memcpy(l[i].dests, f->dest[i], f->svc[i].n_dests * sizeof(*l[i].dests));
	}
	*out = l;
	*n = f->n;
	return 0;
}

static inline void fd_list_free(void *ctx, struct xvs_svc_info *l, size_t n)
{
	(void)ctx;
	xvs_svc_list_free(l, n);
}

static inline int fd_laddr_list(void *ctx, const struct xvs_svc_conf *svc,
				struct xvs_laddr_info **out, size_t *n)
{
	struct fake_dp *f = ctx;
	long i = fake_svc_idx(f, svc);

	*out = NULL;
	*n = 0;
	if (i < 0)
		return -ESRCH;
	*out = calloc(f->n_laddr[i] + 1, sizeof(**out));
	for (size_t k = 0; k < f->n_laddr[i]; k++)
		(*out)[k].conf = f->laddr[i][k];
	*n = f->n_laddr[i];
	return 0;
}

static inline int fd_svc_add(void *ctx, const struct xvs_svc_conf *svc)
{
	struct fake_dp *f = ctx;
	char s[64];

	lines_add(&f->calls, "svc_add %s %s%s", fake_svc_str(svc, s, sizeof(s)), svc->sched,
		  svc->persistent ? " persistent" : "");
	if (f->fail_svc_add)
		return f->fail_svc_add;
	if (fake_svc_idx(f, svc) >= 0)
		return -EEXIST;
	if (f->n >= sizeof(f->svc) / sizeof(f->svc[0]))
		return -ENOSPC;
	f->svc[f->n] = (struct xvs_svc_info){ .conf = *svc };
	f->n_laddr[f->n] = 0;
	f->n++;
	return 0;
}

static inline int fd_svc_edit(void *ctx, const struct xvs_svc_conf *svc)
{
	struct fake_dp *f = ctx;
	long i = fake_svc_idx(f, svc);
	char s[64];

	lines_add(&f->calls, "svc_edit %s %s", fake_svc_str(svc, s, sizeof(s)), svc->sched);
	if (i < 0)
		return -ESRCH;
	f->svc[i].conf = *svc;
	return 0;
}

static inline int fd_svc_del(void *ctx, const struct xvs_svc_conf *svc)
{
	struct fake_dp *f = ctx;
	long i = fake_svc_idx(f, svc);
	char s[64];

	lines_add(&f->calls, "svc_del %s", fake_svc_str(svc, s, sizeof(s)));
	if (i < 0)
		return -ESRCH;
	for (size_t k = (size_t)i; k + 1 < f->n; k++) {
		f->svc[k] = f->svc[k + 1];
		memcpy(f->dest[k], f->dest[k + 1], sizeof(f->dest[k]));
		memcpy(f->laddr[k], f->laddr[k + 1], sizeof(f->laddr[k]));
		f->n_laddr[k] = f->n_laddr[k + 1];
	}
	f->n--;
	return 0;
}

static inline long fake_dest_idx(struct fake_dp *f, long s, const struct xvs_dest_conf *d)
{
	for (size_t i = 0; i < f->svc[s].n_dests; i++)
		if (f->dest[s][i].conf.addr == d->addr && f->dest[s][i].conf.port == d->port)
			return (long)i;
	return -1;
}

static inline int fd_dest_add(void *ctx, const struct xvs_svc_conf *svc,
			      const struct xvs_dest_conf *d)
{
	struct fake_dp *f = ctx;
	long s = fake_svc_idx(f, svc);
	char a[64], b[64];

	lines_add(&f->calls, "dest_add %s %s", fake_svc_str(svc, a, sizeof(a)),
		  fake_dest_str(d, b, sizeof(b)));
	if (f->fail_dest_add)
		return f->fail_dest_add;
	if (s < 0)
		return -ESRCH;
	if (fake_dest_idx(f, s, d) >= 0)
		return -EEXIST;
	if (f->svc[s].n_dests >= sizeof(f->dest[0]) / sizeof(f->dest[0][0]))
		return -ENOSPC;
	f->dest[s][f->svc[s].n_dests++] = (struct xvs_dest_info){ .conf = *d };
	return 0;
}

static inline int fd_dest_edit(void *ctx, const struct xvs_svc_conf *svc,
			       const struct xvs_dest_conf *d)
{
	struct fake_dp *f = ctx;
	long s = fake_svc_idx(f, svc), k;
	char a[64], b[64];

	lines_add(&f->calls, "dest_edit %s %s", fake_svc_str(svc, a, sizeof(a)),
		  fake_dest_str(d, b, sizeof(b)));
	if (s < 0)
		return -ESRCH;
	k = fake_dest_idx(f, s, d);
	if (k < 0)
		return -ENOENT;
	f->dest[s][k].conf = *d;
	return 0;
}

static inline int fd_dest_del(void *ctx, const struct xvs_svc_conf *svc,
			      const struct xvs_dest_conf *d)
{
	struct fake_dp *f = ctx;
	long s = fake_svc_idx(f, svc), k;
	char a[64], b[64];

	lines_add(&f->calls, "dest_del %s %s", fake_svc_str(svc, a, sizeof(a)),
		  fake_dest_str(d, b, sizeof(b)));
	if (s < 0)
		return -ESRCH;
	k = fake_dest_idx(f, s, d);
	if (k < 0)
		return -ENOENT;
	for (size_t i = (size_t)k; i + 1 < f->svc[s].n_dests; i++)
		f->dest[s][i] = f->dest[s][i + 1];
	f->svc[s].n_dests--;
	return 0;
}

static inline int fd_laddr_add(void *ctx, const struct xvs_svc_conf *svc,
			       const struct xvs_laddr_conf *l)
{
	struct fake_dp *f = ctx;
	long s = fake_svc_idx(f, svc);
	char a[64], b[INET_ADDRSTRLEN];

	lines_add(&f->calls, "laddr_add %s %s %s", fake_svc_str(svc, a, sizeof(a)),
		  inet_ntop(AF_INET, &l->addr, b, sizeof(b)), l->ifname);
	if (s < 0)
		return -ESRCH;
	if (f->n_laddr[s] >= sizeof(f->laddr[0]) / sizeof(f->laddr[0][0]))
		return -ENOSPC;
	f->laddr[s][f->n_laddr[s]++] = *l;
	return 0;
}

static inline int fd_laddr_del(void *ctx, const struct xvs_svc_conf *svc,
			       const struct xvs_laddr_conf *l)
{
	struct fake_dp *f = ctx;
	char a[64], b[INET_ADDRSTRLEN];

	lines_add(&f->calls, "laddr_del %s %s", fake_svc_str(svc, a, sizeof(a)),
		  inet_ntop(AF_INET, &l->addr, b, sizeof(b)));
	return 0;
}

static inline int fd_timeout_set(void *ctx, uint32_t tcp, uint32_t fin, uint32_t udp)
{
	lines_add(&((struct fake_dp *)ctx)->calls, "timeout_set %u %u %u", tcp, fin, udp);
	return 0;
}

static inline int fd_flush(void *ctx)
{
	struct fake_dp *f = ctx;

	lines_add(&f->calls, "flush");
	f->n = 0;
	return 0;
}

static inline int fd_detach(void *ctx)
{
	lines_add(&((struct fake_dp *)ctx)->calls, "detach");
	return 0;
}

static inline int fd_counters(void *ctx, uint64_t out[XVS_CNT_MAX])
{
	(void)ctx;
	memset(out, 0, sizeof(uint64_t) * XVS_CNT_MAX);
	return 0;
}

static inline int fd_mark_used(void *ctx, uint32_t mark)
{
	struct fake_dp *f = ctx;

	for (size_t i = 0; i < f->n_marked; i++)
		if (f->marked[i] == mark)
			return 1;
	return 0;
}

static const struct dp_ops fake_dp_ops = {
	.begin = fd_begin, .end = fd_end, .list = fd_list, .list_free = fd_list_free,
	.laddr_list = fd_laddr_list, .svc_add = fd_svc_add, .svc_edit = fd_svc_edit,
	.svc_del = fd_svc_del, .dest_add = fd_dest_add, .dest_edit = fd_dest_edit,
	.dest_del = fd_dest_del, .laddr_add = fd_laddr_add, .laddr_del = fd_laddr_del,
	.timeout_set = fd_timeout_set, .flush = fd_flush, .detach = fd_detach,
	.counters = fd_counters, .mark_used = fd_mark_used,
};

/* The data plane as "svc: dest dest | svc: ..." for one comparison. */
static inline const char *fake_dp_state(const struct fake_dp *f)
{
	static char out[8192];
	size_t o = 0;
	char a[64], b[64];

	out[0] = 0;
	for (size_t i = 0; i < f->n && o < sizeof(out); i++) {
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s:", i ? " | " : "",
				      fake_svc_str(&f->svc[i].conf, a, sizeof(a)));
		for (size_t k = 0; k < f->svc[i].n_dests && o < sizeof(out); k++)
			o += (size_t)snprintf(out + o, sizeof(out) - o, " %s",
					      fake_dest_str(&f->dest[i][k].conf, b, sizeof(b)));
	}
	return out;
}

#endif /* XVSD_FAKE_H */
