// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Reading the connection table: live connections and persistence
 * templates with their expiry. A connection is live while its idle time is
 * below its state's timeout; a template while its timer (the service's -p
 * after its last use, then 60 s at a time while connections it made are
 * alive) has not fired. Expired entries are not shown, exactly as IPVS
 * would have removed them; the data plane's sweep removes them. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>

#include "internal.h"
#include "conn.h"

static const char *const state_names[XVS_CS_MAX] = {
	[XVS_CS_NONE] = "NONE",		[XVS_CS_ESTABLISHED] = "ESTABLISHED",
	[XVS_CS_SYN_SENT] = "SYN_SENT",	[XVS_CS_SYN_RECV] = "SYN_RECV",
	[XVS_CS_FIN_WAIT] = "FIN_WAIT",	[XVS_CS_TIME_WAIT] = "TIME_WAIT",
	[XVS_CS_CLOSE] = "CLOSE",	[XVS_CS_CLOSE_WAIT] = "CLOSE_WAIT",
	[XVS_CS_LAST_ACK] = "LAST_ACK",	[XVS_CS_LISTEN] = "LISTEN",
	[XVS_CS_SYNACK] = "SYNACK",	[XVS_CS_UDP] = "UDP",
};

const char *xvs_conn_state_name(enum xvs_conn_state s)
{
	return s < XVS_CS_MAX ? state_names[s] : "UNKNOWN";
}

/* ip_vs_ctpl_state_name_table[] */
const char *xvs_conn_info_state(const struct xvs_conn_info *c)
{
	if (c->is_template)
		return (int)c->state == XVS_TPL_ASSURED ? "ASSURED" : "NONE";
	return xvs_conn_state_name(c->state);
}

uint32_t xvs_conn_table_size(const struct xvs *x)
{
	return xvs_is_loaded(x) && x->cfg.conn_max ? x->cfg.conn_max : XVS_CONN_MAX_DEFAULT;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);	/* bpf_ktime_get_ns()'s clock */
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#define SEC_NS		1000000000ull
#define TPL_RECHECK_S	60	/* bpf/conn.h: IPVS re-arms a held template every 60 s */

/* Seconds left for a template, or -1 when it has expired (bpf/conn.h's
 * tpl_is_live(); a template kept by its connections shows the time to its
 * next 60 s check). */
static int64_t tpl_expire_s(const struct xvs_conn *c, uint64_t now)
{
	uint64_t fire = c->last_seen_ns + (uint64_t)c->timeout_s * SEC_NS;
	uint64_t step = TPL_RECHECK_S * SEC_NS;

	if (now <= fire)
		return (int64_t)((fire - now) / SEC_NS);
	if (!c->n_control)
		return -1;
	return (int64_t)((step - (now - fire) % step) / SEC_NS);
}

/* Seconds left for a connection, or -1 when it has expired. */
static int64_t conn_expire_s(const struct xvs_cfg *cfg, const struct xvs_conn *c, uint64_t now)
{
	uint64_t timeout_ns, idle;

	if (c->state == XVS_CS_DEAD)
		return -1;
	if (c->flags & XVS_CONN_F_TEMPLATE)
		return tpl_expire_s(c, now);
	if (c->state >= XVS_CS_MAX)
		return -1;
	timeout_ns = (uint64_t)cfg->timeout_s[c->state] * SEC_NS;
	idle = now > c->last_seen_ns ? now - c->last_seen_ns : 0;
	if (idle > timeout_ns)
		return -1;
	return (int64_t)((timeout_ns - idle) / SEC_NS);
}

struct conn_walk {
	const struct xvs_cfg *cfg;
	uint64_t now;
	xvs_conn_visit_fn visit;
	void *data;
};

static int conn_walk_one(const void *key, const void *val, void *data)
{
	const struct conn_walk *w = data;
	int64_t left = conn_expire_s(w->cfg, val, w->now);

	return left < 0 ? 0 : w->visit(key, val, (uint32_t)left, w->data);
}

/* ---- removing expired entries ------------------------------------------------- */

struct reap_walk {
	struct xvs *x;
	const struct xvs_cfg *cfg;
	uint64_t now;
	int err;
};

/* Only the data plane removes entries (it takes them out of the counts
 * exactly once); we name each expired one we see. */
static int reap_one(const void *key, const void *val, void *data)
{
	struct reap_walk *w = data;
	struct xvs_maint_req rq = { .op = XVS_MAINT_OP_REAP };
	const struct xvs_conn *c = val;

	if (c->state == XVS_CS_DEAD || conn_expire_s(w->cfg, c, w->now) >= 0)
		return 0;
	memcpy(&rq.key, key, sizeof(rq.key));
	return xvs_dp_maint(w->x, &rq);
}

int xvs_conn_reap(struct xvs *x)
{
	struct reap_walk w = { .x = x, .cfg = &x->cfg, .now = now_ns() };

	if (!xvs_is_loaded(x))
		return 0;
	return xvs_map_walk(x, MAP_CONNS, sizeof(struct xvs_conn_key), sizeof(struct xvs_conn),
			    reap_one, &w);
}

/* The data plane sweeps every interval while it sees packets (at least
 * XVS_MAINT_DUTY_FACTOR times its last sweep's duration); when it has not
 * for longer than that, the table is walked here. */
int xvs_counts_refresh(struct xvs *x)
{
	uint64_t interval = (x->cfg.maint_interval_ms ? x->cfg.maint_interval_ms :
			     XVS_MAINT_INTERVAL_MS) * 1000000ull;
	struct xvs_maint m;
	uint32_t zero = 0;

	if (!xvs_is_loaded(x))
		return 0;
	if (bpf_map_lookup_elem(x->map_fd[MAP_MAINT], &zero, &m))
		return -errno;
	if (m.sweep_ns * XVS_MAINT_DUTY_FACTOR > interval)
		interval = m.sweep_ns * XVS_MAINT_DUTY_FACTOR;
	if (now_ns() - m.sweep_last_ns < 2 * interval)
		return 0;
	return xvs_conn_reap(x);
}

int xvs_conn_walk(struct xvs *x, xvs_conn_visit_fn visit, void *data)
{
	struct conn_walk w = { .cfg = &x->cfg, .now = now_ns(), .visit = visit, .data = data };

	return xvs_map_walk(x, MAP_CONNS, sizeof(struct xvs_conn_key), sizeof(struct xvs_conn),
			    conn_walk_one, &w);
}

struct conn_list {
	struct xvs_conn_info *items;
	size_t n, cap;
};

static int conn_collect(const struct xvs_conn_key *k, const struct xvs_conn *c,
			uint32_t expire_s, void *data)
{
	struct conn_list *l = data;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		void *p = realloc(l->items, cap * sizeof(*l->items));

		if (!p)
			return -ENOMEM;
		l->items = p;
		l->cap = cap;
	}
	bool tpl = c->flags & XVS_CONN_F_TEMPLATE;
	bool fnat = !tpl && c->fwd == XVS_FWD_FNAT;

	l->items[l->n++] = (struct xvs_conn_info){
		.proto = k->proto,
		.fwd = c->fwd < XVS_FWD_MAX ? (enum xvs_fwd)c->fwd : XVS_FWD_DR,
		.laddr = fnat ? c->laddr : 0,
		.lport = fnat ? ntohs(c->lport) : 0,
		.caddr = k->saddr, .cport = ntohs(k->sport),
		.vaddr = k->daddr, .vport = ntohs(k->dport),
		.daddr = c->raddr, .dport = ntohs(c->rport),
		.state = c->state, .expire_s = expire_s,
		.is_template = tpl,
	};
	return 0;
}

int xvs_conn_list(struct xvs *x, struct xvs_conn_info **out, size_t *n)
{
	struct conn_list l = { 0 };
	int err;

	*out = NULL;
	*n = 0;
	if (!xvs_is_loaded(x))
		return 0;
	err = xvs_conn_walk(x, conn_collect, &l);
	if (err) {
		free(l.items);
		return err;
	}
	*out = l.items;
	*n = l.n;
	return 0;
}
