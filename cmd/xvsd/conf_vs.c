// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsd configuration: virtual_server and real_server blocks (keepalived's
 * LVS keywords, the old lb_* spellings and DPVS's FULLNAT keywords). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf_int.h"

static struct conf_vs *VS(void *obj)
{
	return obj;
}

/* ---- virtual_server keywords */

static const char *const schedulers[] = {
	"rr", "wrr", "lc", "wlc", "lblc", "sh", "mh", "dh", "fo", "ovf", "lblcr", "sed", "nq", "twos",
};

static void kw_sched(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_vs *vs = VS(obj);
	size_t i;

	for (i = 0; i < sizeof(schedulers) / sizeof(schedulers[0]); i++) {
		if (!strcmp(st->w[1].s, schedulers[i])) {
			snprintf(vs->sched, sizeof(vs->sched), "%s", schedulers[i]);
			vs->sched_set = true;
			return;
		}
	}
	conf_diag_add(cx->d, CONF_ERROR, &st->w[1].pos,
		      "unknown scheduler '%s': expected rr, wrr, lc, wlc, lblc, sh, mh, dh, fo, ovf, lblcr, sed, nq or twos",
		      st->w[1].s);
}

/* Scheduler flags. Like keepalived, sh-* and mh-* look at the scheduler
 * set so far; flag-N are the raw bits. */
static void kw_sched_flag(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	static const struct {
		const char *name;
		const char *sched;	/* NULL: any */
		uint32_t bit;
	} flags[] = {
		{ "flag-1", NULL, XVS_SCHED_F_FLAG1 },	{ "flag-2", NULL, XVS_SCHED_F_FLAG2 },
		{ "flag-3", NULL, XVS_SCHED_F_FLAG3 },	{ "sh-fallback", "sh", XVS_SCHED_F_FLAG1 },
		{ "sh-port", "sh", XVS_SCHED_F_FLAG2 },	{ "mh-fallback", "mh", XVS_SCHED_F_FLAG1 },
		{ "mh-port", "mh", XVS_SCHED_F_FLAG2 },
	};
	struct conf_vs *vs = VS(obj);
	size_t i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		if (strcmp(st->w[0].s, flags[i].name))
			continue;
		if (flags[i].sched && strcmp(vs->sched, flags[i].sched)) {
			conf_diag_add(cx->d, CONF_WARNING, &st->w[0].pos,
				      "%s only applies to the %s scheduler (set lvs_sched %s before it) - ignoring",
				      flags[i].name, flags[i].sched, flags[i].sched);
			return;
		}
		vs->sched_flags |= flags[i].bit;
	}
}

static void kw_ops(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	(void)cx;
	(void)st;
	VS(obj)->ops = true;
}

static void kw_vs_method(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_get_method(cx, st, &VS(obj)->method);
}

static void kw_persistence_timeout(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_vs *vs = VS(obj);
	uint64_t v = CONF_DEFAULT_PERSISTENCE_S;

	/* keepalived: 1 s .. 31 days; no value means 360 s */
	if (st->n > 1 && !conf_get_uint(cx, &st->w[1], 1, 2678400, "persistence_timeout", &v))
		return;
	vs->persistent = true;
	vs->persistence_timeout_s = (uint32_t)v;
}

static bool solid_netmask(uint32_t host_order)
{
	return (host_order | (host_order - 1)) == UINT32_MAX || host_order == 0;
}

static void kw_persistence_granularity(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_vs *vs = VS(obj);
	const struct conf_word *w = &st->w[1];
	uint64_t prefix;

	if (strchr(w->s, '.') || vs->family == AF_INET) {
		struct conf_addr a;

		if (!conf_parse_addr(w->s, &a) || a.family != AF_INET) {
			conf_diag_add(cx->d, CONF_ERROR, &w->pos,
				      "invalid persistence_granularity '%s': expected an IPv4 netmask like 255.255.255.0",
				      w->s);
			return;
		}
		if (!solid_netmask(ntohl(a.u.v4.s_addr)))
			conf_diag_add(cx->d, CONF_NOTE, &w->pos,
				      "persistence_granularity %s is not a contiguous netmask", w->s);
		vs->persistence_mask = a;
	} else {
		if (!conf_get_uint(cx, w, 1, 128, "IPv6 persistence_granularity", &prefix))
			return;
		vs->persistence_prefix6 = (uint8_t)prefix;
	}
	if (!vs->persistent) {
		vs->persistent = true;
		vs->persistence_timeout_s = CONF_DEFAULT_PERSISTENCE_S;
	}
}

static void kw_persistence_engine(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_set_str(cx, &VS(obj)->persistence_engine, &st->w[1]);
}

static void kw_protocol(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_vs *vs = VS(obj);
	const char *p = st->w[1].s;

	if (!strcasecmp(p, "TCP"))
		vs->protocol = IPPROTO_TCP;
	else if (!strcasecmp(p, "UDP"))
		vs->protocol = IPPROTO_UDP;
	else if (!strcasecmp(p, "SCTP"))
		vs->protocol = IPPROTO_SCTP;
	else {
		conf_diag_add(cx->d, CONF_ERROR, &st->w[1].pos,
			      "unknown protocol '%s': expected TCP, UDP or SCTP", p);
		return;
	}
	vs->protocol_set = true;
}

static void kw_vs_flag(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_vs *vs = VS(obj);

	(void)cx;
	if (!strcmp(st->w[0].s, "ha_suspend"))
		vs->ha_suspend = true;
	else if (!strcmp(st->w[0].s, "omega"))
		vs->omega = true;
}

static void kw_vs_timing(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_vs *vs = VS(obj);

	if (!strcmp(st->w[0].s, "retry") && st->n > 1 && !strcmp(st->w[1].s, "0")) {
		/* keepalived rejects 0 at the VS level only */
		conf_diag_add(cx->d, CONF_ERROR, &st->w[1].pos,
			      "invalid retry count '0': expected an integer 1..4294967295");
		return;
	}
	conf_timing_kw(cx, st, &vs->timing);
}

static void kw_vs_virtualhost(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_set_str(cx, &VS(obj)->virtualhost, &st->w[1]);
}

static void kw_quorum(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_vs *vs = VS(obj);
	uint64_t v;

	if (!conf_get_uint(cx, &st->w[1], !strcmp(st->w[0].s, "quorum") ? 1 : 0, UINT32_MAX,
			   st->w[0].s, &v))
		return;
	if (!strcmp(st->w[0].s, "quorum"))
		vs->quorum = (uint32_t)v;
	else
		vs->hysteresis = (uint32_t)v;
}

/* SCRIPT [user [group]]: the script is one word (quote it to pass
 * arguments); running it as another user is left to the checker part. */
static void set_script(struct conf_ctx *cx, char **dst, const struct conf_stmt *st)
{
	if (*dst) {
		conf_diag_add(cx->d, CONF_WARNING, &st->w[0].pos,
			      "%s script already specified - ignoring '%s'", st->w[0].s, st->w[1].s);
		return;
	}
	*dst = conf_strdup(cx, st->w[1].s);
}

static void kw_quorum_script(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_vs *vs = VS(obj);

	set_script(cx, !strcmp(st->w[0].s, "quorum_up") ? &vs->quorum_up : &vs->quorum_down, st);
}

static void kw_ip_family(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_vs *vs = VS(obj);

	if (!strcmp(st->w[1].s, "inet"))
		vs->family = AF_INET;
	else if (!strcmp(st->w[1].s, "inet6"))
		vs->family = AF_INET6;
	else {
		conf_diag_add(cx->d, CONF_ERROR, &st->w[1].pos,
			      "unknown ip_family '%s': expected inet or inet6", st->w[1].s);
		return;
	}
	vs->ip_family_set = true;
}

static void kw_sorry_server(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_vs *vs = VS(obj);
	struct conf_sorry *s;

	if (vs->sorry) {
		conf_diag_add(cx->d, CONF_ERROR, &st->w[0].pos,
			      "sorry_server already given at line %u", vs->sorry->pos.line);
		return;
	}
	s = conf_calloc(cx, 1, sizeof(*s));
	if (!s)
		return;
	s->pos = st->w[0].pos;
	if (!conf_get_addr(cx, &st->w[1], "sorry_server address", &s->addr) ||
	    (st->n > 2 && !conf_get_port(cx, &st->w[2], "sorry_server port", &s->port))) {
		free(s);
		return;
	}
	vs->sorry = s;
}

static void kw_sorry_inhibit(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_vs *vs = VS(obj);

	if (vs->sorry)
		vs->sorry->inhibit = true;
	else
		conf_diag_add(cx->d, CONF_WARNING, &st->w[0].pos,
			      "sorry_server_inhibit before or without sorry_server - ignoring");
}

static void kw_sorry_method(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_vs *vs = VS(obj);

	if (vs->sorry)
		conf_get_method(cx, st, &vs->sorry->method);
	else
		conf_diag_add(cx->d, CONF_WARNING, &st->w[0].pos,
			      "sorry_server_lvs_method before or without sorry_server - ignoring");
}

static void kw_vs_weight(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	uint64_t v;

	if (conf_get_uint(cx, &st->w[1], 0, CONF_MAX_WEIGHT, "weight", &v))
		VS(obj)->default_weight = (uint32_t)v;
}

static void kw_laddr_group_name(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_set_str(cx, &VS(obj)->laddr_group_name, &st->w[1]);
}

static void kw_real_server(struct conf_ctx *cx, const struct conf_stmt *st, void *obj);

#define T(n) { n, kw_vs_timing, 1, 1, CONF_KW_NO_BLOCK, 0, "seconds", NULL }
#define FLAG(n, f) { n, f, 0, 0, CONF_KW_NO_BLOCK, 0, NULL, NULL }
#define NOTED(n, min, max) { n, NULL, min, max, CONF_KW_NO_BLOCK, CONF_KW_IGNORED, NULL, NULL }
#define QUIET(n, min, max) { n, NULL, min, max, CONF_KW_NO_BLOCK, CONF_KW_QUIET, NULL, NULL }

const struct conf_kw conf_vs_kws[] = {
	{ "lvs_sched", kw_sched, 1, 1, CONF_KW_NO_BLOCK, 0, "a scheduler name", NULL },
	{ "lb_algo", kw_sched, 1, 1, CONF_KW_NO_BLOCK, 0, "a scheduler name", NULL },
	FLAG("flag-1", kw_sched_flag), FLAG("flag-2", kw_sched_flag),
	FLAG("flag-3", kw_sched_flag), FLAG("sh-port", kw_sched_flag),
	FLAG("sh-fallback", kw_sched_flag), FLAG("mh-port", kw_sched_flag),
	FLAG("mh-fallback", kw_sched_flag), FLAG("ops", kw_ops),
	{ "lvs_method", kw_vs_method, 1, -1, CONF_KW_NO_BLOCK, 0, "NAT, DR, TUN or FNAT", NULL },
	{ "lb_kind", kw_vs_method, 1, -1, CONF_KW_NO_BLOCK, 0, "NAT, DR, TUN or FNAT", NULL },
	{ "persistence_timeout", kw_persistence_timeout, 0, 1, CONF_KW_NO_BLOCK, 0, NULL, NULL },
	{ "persistence_granularity", kw_persistence_granularity, 1, 1, CONF_KW_NO_BLOCK, 0,
	  "a netmask", NULL },
	{ "persistence_engine", kw_persistence_engine, 1, 1, CONF_KW_NO_BLOCK, 0, "a name", NULL },
	{ "protocol", kw_protocol, 1, 1, CONF_KW_NO_BLOCK, 0, "TCP, UDP or SCTP", NULL },
	FLAG("ha_suspend", kw_vs_flag), FLAG("omega", kw_vs_flag),
	{ "alpha", kw_vs_timing, 0, 1, CONF_KW_NO_BLOCK, 0, NULL, NULL },
	{ "inhibit_on_failure", kw_vs_timing, 0, 1, CONF_KW_NO_BLOCK, 0, NULL, NULL },
	T("delay_loop"), T("connect_timeout"), T("delay_before_retry"), T("warmup"),
	{ "retry", kw_vs_timing, 1, 1, CONF_KW_NO_BLOCK, 0, "a count", NULL },
	{ "nb_get_retry", kw_vs_timing, 1, 1, CONF_KW_NO_BLOCK, CONF_KW_OLD, "a count", "retry" },
	{ "virtualhost", kw_vs_virtualhost, 1, 1, CONF_KW_NO_BLOCK, 0, "a host name", NULL },
	{ "quorum", kw_quorum, 1, 1, CONF_KW_NO_BLOCK, 0, "a weight", NULL },
	{ "hysteresis", kw_quorum, 1, 1, CONF_KW_NO_BLOCK, 0, "a weight", NULL },
	{ "quorum_up", kw_quorum_script, 1, 3, CONF_KW_NO_BLOCK, 0, "a script", NULL },
	{ "quorum_down", kw_quorum_script, 1, 3, CONF_KW_NO_BLOCK, 0, "a script", NULL },
	{ "ip_family", kw_ip_family, 1, 1, CONF_KW_NO_BLOCK, 0, "inet or inet6", NULL },
	{ "sorry_server", kw_sorry_server, 1, 2, CONF_KW_NO_BLOCK, 0, "an address [port]", NULL },
	FLAG("sorry_server_inhibit", kw_sorry_inhibit),
	{ "sorry_server_lvs_method", kw_sorry_method, 1, -1, CONF_KW_NO_BLOCK, 0,
	  "NAT, DR, TUN or FNAT", NULL },
	{ "weight", kw_vs_weight, 1, 1, CONF_KW_NO_BLOCK, 0, "a weight", NULL },
	{ "real_server", kw_real_server, 1, 2, CONF_KW_BLOCK, 0, "address [port]", NULL },
	/* DPVS FULLNAT */
	{ "laddr_group_name", kw_laddr_group_name, 1, 1, CONF_KW_NO_BLOCK, 0,
	  "a local_address_group name", NULL },
	QUIET("smtp_alert", 0, 1), QUIET("snmp_name", 1, 1),
	NOTED("hashed", 0, 0),
	/* DPVS / Alibaba keywords for features xvs does not have */
	NOTED("syn_proxy", 0, 0), NOTED("daddr_group_name", 1, 1), NOTED("waddr_group_name", 1, 1),
	NOTED("expire_quiescent_conn", 0, 0), NOTED("quic", 0, 0), NOTED("vip_bind_dev", 1, 1),
	NOTED("establish_timeout", 1, 1), NOTED("est_timeout", 1, 1),
	NOTED("proxy_protocol", 1, 1), NOTED("bps", 1, 1), NOTED("limit_proportion", 1, 1),
	NOTED("hash_target", 1, 1), NOTED("nat_mask", 1, 1),
	{ NULL },
};

/* ---- real_server keywords */

static struct conf_rs *RS(void *obj)
{
	return obj;
}

static void kw_rs_weight(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	uint64_t v;

	if (conf_get_uint(cx, &st->w[1], 0, CONF_MAX_WEIGHT, "weight", &v)) {
		RS(obj)->weight = (uint32_t)v;
		RS(obj)->weight_set = true;
	}
}

static void kw_rs_method(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_get_method(cx, st, &RS(obj)->method);
}

static void kw_rs_notify(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_rs *rs = RS(obj);

	set_script(cx, !strcmp(st->w[0].s, "notify_up") ? &rs->notify_up : &rs->notify_down, st);
}

static void kw_rs_threshold(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_rs *rs = RS(obj);
	uint64_t v;

	if (!conf_get_uint(cx, &st->w[1], 0, UINT32_MAX, st->w[0].s, &v))
		return;
	if (st->w[0].s[0] == 'u')
		rs->u_threshold = (uint32_t)v;
	else
		rs->l_threshold = (uint32_t)v;
}

static void kw_rs_virtualhost(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_set_str(cx, &RS(obj)->virtualhost, &st->w[1]);
}

static void kw_rs_timing(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_timing_kw(cx, st, &RS(obj)->timing);
}

#undef T
#define T(n) { n, kw_rs_timing, 1, 1, CONF_KW_NO_BLOCK, 0, "seconds", NULL }

const struct conf_kw conf_rs_kws[] = {
	{ "weight", kw_rs_weight, 1, 1, CONF_KW_NO_BLOCK, 0, "a weight", NULL },
	{ "lvs_method", kw_rs_method, 1, -1, CONF_KW_NO_BLOCK, 0, "NAT, DR, TUN or FNAT", NULL },
	{ "lb_kind", kw_rs_method, 1, -1, CONF_KW_NO_BLOCK, 0, "NAT, DR, TUN or FNAT", NULL },
	{ "notify_up", kw_rs_notify, 1, 3, CONF_KW_NO_BLOCK, 0, "a script", NULL },
	{ "notify_down", kw_rs_notify, 1, 3, CONF_KW_NO_BLOCK, 0, "a script", NULL },
	{ "uthreshold", kw_rs_threshold, 1, 1, CONF_KW_NO_BLOCK, 0, "a connection count", NULL },
	{ "lthreshold", kw_rs_threshold, 1, 1, CONF_KW_NO_BLOCK, 0, "a connection count", NULL },
	{ "virtualhost", kw_rs_virtualhost, 1, 1, CONF_KW_NO_BLOCK, 0, "a host name", NULL },
	{ "alpha", kw_rs_timing, 0, 1, CONF_KW_NO_BLOCK, 0, NULL, NULL },
	{ "inhibit_on_failure", kw_rs_timing, 0, 1, CONF_KW_NO_BLOCK, 0, NULL, NULL },
	T("delay_loop"), T("connect_timeout"), T("delay_before_retry"), T("warmup"),
	{ "retry", kw_rs_timing, 1, 1, CONF_KW_NO_BLOCK, 0, "a count", NULL },
	{ "nb_get_retry", kw_rs_timing, 1, 1, CONF_KW_NO_BLOCK, CONF_KW_OLD, "a count", "retry" },
	QUIET("smtp_alert", 0, 1), QUIET("snmp_name", 1, 1),
	{ NULL },
};

static void kw_real_server(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	static const struct conf_kw_set sets[] = {
		{ conf_rs_kws, NULL }, { NULL, conf_check_lookup }, { NULL, NULL },
	};
	struct conf_vs *vs = VS(obj);
	struct conf_rs *rs = conf_calloc(cx, 1, sizeof(*rs));

	if (!rs)
		return;
	rs->pos = st->w[0].pos;
	if (!conf_get_addr(cx, &st->w[1], "real_server address", &rs->addr) ||
	    (st->n > 2 && !conf_get_port(cx, &st->w[2], "real_server port", &rs->port))) {
		free(rs);
		return;
	}
	if (st->n > 3)
		conf_diag_add(cx->d, CONF_NOTE, &st->w[3].pos,
			      "ignoring extra parameter '%s' after the real_server address",
			      st->w[3].s);
	if (!conf_push(cx, &vs->rs, &vs->n_rs, rs)) {
		free(rs);
		return;
	}
	conf_run_block(cx, st, "real_server", sets, rs);
}

/* ---- the virtual_server statement itself */

static bool vs_head(struct conf_ctx *cx, const struct conf_stmt *st, struct conf_vs *vs)
{
	uint64_t v;

	if (!strcmp(st->w[1].s, "fwmark")) {
		vs->kind = CONF_VS_FWMARK;
		if (st->n < 3) {
			conf_diag_add(cx->d, CONF_ERROR, &st->w[1].pos,
				      "missing mark after 'virtual_server fwmark': expected an integer");
			return false;
		}
		if (!conf_get_uint(cx, &st->w[2], 1, UINT32_MAX, "fwmark", &v))
			return false;
		vs->fwmark = (uint32_t)v;
		return true;
	}
	if (!strcmp(st->w[1].s, "group")) {
		vs->kind = CONF_VS_GROUP;
		if (st->n < 3) {
			conf_diag_add(cx->d, CONF_ERROR, &st->w[1].pos,
				      "missing name after 'virtual_server group'");
			return false;
		}
		vs->group_name = conf_strdup(cx, st->w[2].s);
		return vs->group_name != NULL;
	}
	vs->kind = CONF_VS_ADDR;
	if (!conf_get_addr(cx, &st->w[1], "virtual_server address", &vs->addr))
		return false;
	if (st->n > 2 && !conf_get_port(cx, &st->w[2], "virtual_server port", &vs->port))
		return false;
	vs->family = vs->addr.family;
	return true;
}

void conf_vs_block(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	static const struct conf_kw_set sets[] = { { conf_vs_kws, NULL }, { NULL, NULL } };
	struct conf *c = obj;
	struct conf_vs *vs = conf_calloc(cx, 1, sizeof(*vs));
	size_t i;

	if (!vs)
		return;
	vs->pos = st->w[0].pos;
	vs->quorum = 1;
	vs->default_weight = CONF_DEFAULT_WEIGHT;
	if (!vs_head(cx, st, vs)) {
		free(vs->group_name);
		free(vs);
		return;
	}
	for (i = 3; i < st->n; i++)
		conf_diag_add(cx->d, CONF_NOTE, &st->w[i].pos,
			      "ignoring extra parameter '%s' after the virtual_server address",
			      st->w[i].s);
	if (!conf_push(cx, &c->vs, &c->n_vs, vs)) {
		free(vs->group_name);
		free(vs);
		return;
	}
	conf_run_block(cx, st, "virtual_server", sets, vs);
}
