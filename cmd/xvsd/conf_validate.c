// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsd configuration semantics: cross references (groups, local address
 * groups, track files), duplicates, address families, ports, FULLNAT
 * pools, keepalived's defaults with its warnings, and the VS -> real server
 * -> checker inheritance resolved into the eff fields. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "conf_int.h"

struct vctx {
	struct conf *c;
	struct conf_diags *d;
	size_t errors;
};

#define ERR(v, pos, ...) ((v)->errors++, conf_diag_add((v)->d, CONF_ERROR, pos, __VA_ARGS__))
#define WARN(v, pos, ...) conf_diag_add((v)->d, CONF_WARNING, pos, __VA_ARGS__)
#define NOTE(v, pos, ...) conf_diag_add((v)->d, CONF_NOTE, pos, __VA_ARGS__)

static const char *proto_name(uint8_t p)
{
	return p == IPPROTO_UDP ? "udp" : p == IPPROTO_SCTP ? "sctp" : "tcp";
}

/* "[10.0.0.1]:tcp:80", "FWM 5", "[G1]": keepalived's way of naming a VS. */
static const char *vs_name(const struct conf_vs *vs, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (vs->kind == CONF_VS_FWMARK)
		snprintf(buf, len, "FWM %u", vs->fwmark);
	else if (vs->kind == CONF_VS_GROUP)
		snprintf(buf, len, "[%s]", vs->group_name);
	else
		snprintf(buf, len, "[%s]:%s:%u", conf_addr_str(&vs->addr, a, sizeof(a)),
			 proto_name(vs->protocol), vs->port);
	return buf;
}

static void check_groups(struct vctx *v)
{
	size_t i, k;

	for (i = 0; i < v->c->n_groups; i++) {
		const struct conf_vsg *g = v->c->groups[i];

		for (k = 0; k < i; k++)
			if (!strcmp(v->c->groups[k]->name, g->name))
				ERR(v, &g->pos, "virtual_server_group '%s' already defined at line %u",
				    g->name, v->c->groups[k]->pos.line);
		if (!g->n_entries)
			WARN(v, &g->pos, "virtual_server_group '%s' has no entries", g->name);
	}
	for (i = 0; i < v->c->n_laddr_groups; i++) {
		const struct conf_laddr_group *g = v->c->laddr_groups[i];

		for (k = 0; k < i; k++)
			if (!strcmp(v->c->laddr_groups[k]->name, g->name))
				ERR(v, &g->pos, "local_address_group '%s' already defined at line %u",
				    g->name, v->c->laddr_groups[k]->pos.line);
		if (!g->n_entries)
			ERR(v, &g->pos, "local_address_group '%s' has no addresses", g->name);
	}
}

static const struct conf_vsg *find_group(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n_groups; i++)
		if (!strcmp(c->groups[i]->name, name))
			return c->groups[i];
	return NULL;
}

static const struct conf_laddr_group *find_laddr(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n_laddr_groups; i++)
		if (!strcmp(c->laddr_groups[i]->name, name))
			return c->laddr_groups[i];
	return NULL;
}

static bool group_has_fwmark(const struct conf_vsg *g)
{
	size_t i;

	for (i = 0; g && i < g->n_entries; i++)
		if (g->entries[i].is_fwmark)
			return true;
	return false;
}

static uint16_t group_family(const struct conf_vsg *g)
{
	size_t i;

	for (i = 0; g && i < g->n_entries; i++)
		if (!g->entries[i].is_fwmark)
			return g->entries[i].first.family;
	return AF_UNSPEC;
}

/* keepalived fills in a default and reports a configuration error. */
static void vs_defaults(struct vctx *v, struct conf_vs *vs)
{
	char n[96];

	bool fwmark_only = vs->kind == CONF_VS_FWMARK ||
			   (vs->kind == CONF_VS_GROUP && group_family(vs->group) == AF_UNSPEC);

	if (!vs->protocol_set && !fwmark_only) {
		vs->protocol = IPPROTO_TCP;
		WARN(v, &vs->pos, "Virtual server %s: no protocol set - defaulting to TCP",
		     vs_name(vs, n, sizeof(n)));
	} else if (vs->protocol_set && vs->kind == CONF_VS_FWMARK) {
		WARN(v, &vs->pos,
		     "Virtual server %s: protocol specified for fwmark - protocol will be ignored",
		     vs_name(vs, n, sizeof(n)));
	}
	if (!vs->protocol)
		vs->protocol = IPPROTO_TCP;
	if (!vs->sched_set) {
		snprintf(vs->sched, sizeof(vs->sched), "%s", CONF_DEFAULT_SCHED);
		WARN(v, &vs->pos, "Virtual server %s: no scheduler set, setting default '%s'",
		     vs_name(vs, n, sizeof(n)), CONF_DEFAULT_SCHED);
	}
	if (!vs->method.fwd) {
		vs->method.fwd = CONF_FWD_NAT;
		WARN(v, &vs->pos, "Virtual server %s: no forwarding method set, setting default NAT",
		     vs_name(vs, n, sizeof(n)));
	}
	if (vs->kind == CONF_VS_ADDR && vs->port == 0 && !vs->persistent) {
		vs->persistent = true;
		vs->persistence_timeout_s = CONF_DEFAULT_PERSISTENCE_S;
		WARN(v, &vs->pos,
		     "Virtual server %s: zero port only valid for persistent services - setting persistence",
		     vs_name(vs, n, sizeof(n)));
	}
	if (vs->kind == CONF_VS_GROUP && vs->group && !vs->persistent) {
		size_t i;

		for (i = 0; i < vs->group->n_entries; i++) {
			if (vs->group->entries[i].is_fwmark || vs->group->entries[i].port)
				continue;
			vs->persistent = true;
			vs->persistence_timeout_s = CONF_DEFAULT_PERSISTENCE_S;
			WARN(v, &vs->group->entries[i].pos,
			     "Virtual server %s: zero port only valid for persistent services - setting persistence",
			     vs_name(vs, n, sizeof(n)));
			break;
		}
	}
	if (vs->ops && vs->protocol != IPPROTO_UDP && vs->kind != CONF_VS_FWMARK) {
		vs->ops = false;
		WARN(v, &vs->pos,
		     "Virtual server %s: one packet scheduling requires UDP - resetting",
		     vs_name(vs, n, sizeof(n)));
	}
}

static void resolve_timing(struct conf_timing *eff, const struct conf_timing *parent,
			   const struct conf_timing *own)
{
	*eff = *parent;
	eff->set |= own->set;
	if (own->set & CONF_T_DELAY_LOOP)
		eff->delay_loop_us = own->delay_loop_us;
	if (own->set & CONF_T_CONNECT_TIMEOUT)
		eff->connect_timeout_us = own->connect_timeout_us;
	if (own->set & CONF_T_RETRY)
		eff->retry = own->retry;
	if (own->set & CONF_T_DELAY_BEFORE_RETRY)
		eff->delay_before_retry_us = own->delay_before_retry_us;
	if (own->set & CONF_T_WARMUP)
		eff->warmup_us = own->warmup_us;
	if (own->set & CONF_T_ALPHA)
		eff->alpha = own->alpha;
	if (own->set & CONF_T_INHIBIT)
		eff->inhibit_on_failure = own->inhibit_on_failure;
}

static bool checker_needs_port(enum conf_check_kind k)
{
	return k == CONF_CHECK_TCP || k == CONF_CHECK_HTTP || k == CONF_CHECK_SSL ||
	       k == CONF_CHECK_UDP || k == CONF_CHECK_DNS || k == CONF_CHECK_SMTP;
}

static const struct conf_track_file *track_file_find(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n_track_files; i++)
		if (!strcmp(c->track_files[i]->name, name))
			return c->track_files[i];
	return NULL;
}

/* Type defaults first (keepalived: retry by type, delay_before_retry 3 s for
 * HTTP/SSL, delay_loop for DNS, 1 s otherwise), then VS -> RS -> checker. */
static void resolve_checker(struct vctx *v, const struct conf_vs *vs, const struct conf_rs *rs,
			    struct conf_checker *ck)
{
	const struct conf_check_type *t = conf_check_type_of(ck->kind);
	struct conf_timing base = rs->eff;

	if (!(base.set & CONF_T_RETRY))
		base.retry = t ? t->default_retry : 1;
	resolve_timing(&ck->eff, &base, &ck->timing);
	if (!(ck->eff.set & CONF_T_DELAY_BEFORE_RETRY))
		ck->eff.delay_before_retry_us =
			ck->kind == CONF_CHECK_DNS ? ck->eff.delay_loop_us :
			ck->kind == CONF_CHECK_HTTP || ck->kind == CONF_CHECK_SSL ? 3000000 : 1000000;
	if (!(ck->eff.set & CONF_T_WARMUP))
		ck->eff.warmup_us = ck->eff.delay_loop_us;
	if (ck->kind == CONF_CHECK_MISC && !ck->misc.timeout_us)
		ck->misc.timeout_us = ck->eff.delay_loop_us;
	ck->eff_virtualhost = ck->http.virtualhost ? ck->http.virtualhost :
			      rs->virtualhost ? rs->virtualhost : vs->virtualhost;
	if (ck->eff.connect_timeout_us > ck->eff.delay_loop_us && ck->kind != CONF_CHECK_MISC &&
	    ck->kind != CONF_CHECK_FILE && ck->kind != CONF_CHECK_BFD)
		NOTE(v, &ck->pos, "connect_timeout (%llu ms) is longer than delay_loop (%llu ms)",
		     (unsigned long long)(ck->eff.connect_timeout_us / 1000),
		     (unsigned long long)(ck->eff.delay_loop_us / 1000));
	/* a real server without a port is checked on its service's (keepalived
	 * gives it the virtual server's port) */
	if (checker_needs_port(ck->kind) && !ck->connect_port && !rs->port &&
	    !(vs->kind == CONF_VS_ADDR && vs->port))
		ERR(v, &ck->pos, "%s has no port to check: the real server has none, add connect_port",
		    ck->type_name);
	if (ck->kind == CONF_CHECK_FILE && ck->file.track_file) {
		ck->file.track = track_file_find(v->c, ck->file.track_file);
		if (!ck->file.track)
			ERR(v, &ck->pos, "FILE_CHECK track_file '%s' is not defined",
			    ck->file.track_file);
	}
}

static bool addr_in(const struct conf_addr *a, const struct conf_addr *first,
		    const struct conf_addr *last)
{
	return a->family == first->family && conf_addr_cmp(a, first) >= 0 &&
	       conf_addr_cmp(a, last) <= 0;
}

static void check_laddr(struct vctx *v, struct conf_vs *vs, bool uses_fnat)
{
	const struct conf_laddr_group *g;
	size_t i, k;
	char n[96], a[INET6_ADDRSTRLEN];

	if (!vs->laddr_group_name) {
		if (uses_fnat)
			ERR(v, &vs->pos,
			    "Virtual server %s uses FNAT but has no local addresses: add 'laddr_group_name NAME' and a local_address_group",
			    vs_name(vs, n, sizeof(n)));
		return;
	}
	g = find_laddr(v->c, vs->laddr_group_name);
	if (!g) {
		ERR(v, &vs->pos, "local_address_group '%s' is not defined", vs->laddr_group_name);
		return;
	}
	vs->laddr_group = g;
	if (!uses_fnat)
		NOTE(v, &vs->pos, "laddr_group_name is used by FNAT only: ignored for %s",
		     vs_name(vs, n, sizeof(n)));
	for (i = 0; i < g->n_entries; i++) {
		const struct conf_laddr_entry *e = &g->entries[i];

		if (vs->kind == CONF_VS_ADDR && addr_in(&vs->addr, &e->first, &e->last))
			ERR(v, &e->pos, "local address range includes the virtual address %s",
			    conf_addr_str(&vs->addr, a, sizeof(a)));
		for (k = 0; k < vs->n_rs; k++)
			if (addr_in(&vs->rs[k]->addr, &e->first, &e->last))
				ERR(v, &e->pos, "local address range includes real server %s",
				    conf_addr_str(&vs->rs[k]->addr, a, sizeof(a)));
	}
}

static void check_rs(struct vctx *v, struct conf_vs *vs, size_t idx, uint64_t *total_weight,
		     bool *uses_fnat)
{
	struct conf_rs *rs = vs->rs[idx];
	char n[96], a[INET6_ADDRSTRLEN];
	size_t k;

	conf_addr_str(&rs->addr, a, sizeof(a));
	for (k = 0; k < idx; k++)
		if (!conf_addr_cmp(&vs->rs[k]->addr, &rs->addr) && vs->rs[k]->port == rs->port)
			ERR(v, &rs->pos, "real server %s port %u is duplicated (first at line %u)", a,
			    rs->port, vs->rs[k]->pos.line);
	if (!rs->weight_set)
		rs->weight = vs->default_weight;
	*total_weight += rs->weight;
	rs->eff_fwd = rs->method.fwd ? rs->method.fwd : vs->method.fwd;
	if (rs->eff_fwd == CONF_FWD_FNAT)
		*uses_fnat = true;
	if (rs->eff_fwd != CONF_FWD_TUN) {
		if (vs->family == AF_UNSPEC)
			vs->family = rs->addr.family;
		else if (vs->family != rs->addr.family)
			ERR(v, &rs->pos,
			    "address family of real server %s does not match the virtual server's (only TUN real servers may differ)",
			    a);
	}
	if (vs->kind == CONF_VS_ADDR && !conf_addr_cmp(&vs->addr, &rs->addr))
		ERR(v, &rs->pos, "real server %s is the virtual address itself", a);
	if (rs->port && vs->kind == CONF_VS_FWMARK) {
		WARN(v, &rs->pos, "fwmark virtual server %s, real server %s has port specified - clearing",
		     vs_name(vs, n, sizeof(n)), a);
		rs->port = 0;
	} else if (rs->port && group_has_fwmark(vs->group) && !vs->persistent) {
		/* keepalived keeps the port for the group's addresses */
		WARN(v, &rs->pos,
		     "fwmark virtual server %s, real server %s has port specified - port will be ignored",
		     vs_name(vs, n, sizeof(n)), a);
	} else if (rs->port && vs->kind == CONF_VS_ADDR && vs->port == 0) {
		WARN(v, &rs->pos,
		     "virtual server %s and real server %s ports don't match - resetting",
		     vs_name(vs, n, sizeof(n)), a);
		rs->port = 0;
	}
	if (rs->l_threshold && rs->u_threshold && rs->l_threshold > rs->u_threshold)
		ERR(v, &rs->pos, "lthreshold %u is above uthreshold %u", rs->l_threshold,
		    rs->u_threshold);
	resolve_timing(&rs->eff, &vs->eff, &rs->timing);
	for (k = 0; k < rs->n_checkers; k++)
		resolve_checker(v, vs, rs, rs->checkers[k]);
}

bool conf_vs_same(const struct conf_vs *a, const struct conf_vs *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case CONF_VS_FWMARK:
		return a->fwmark == b->fwmark && a->family == b->family;
	case CONF_VS_GROUP:
		return !strcmp(a->group_name, b->group_name) && a->protocol == b->protocol &&
		       a->family == b->family;
	default:
		return !conf_addr_cmp(&a->addr, &b->addr) && a->port == b->port &&
		       a->protocol == b->protocol;
	}
}

static void check_vs(struct vctx *v, size_t idx)
{
	struct conf_vs *vs = v->c->vs[idx];
	struct conf_timing defaults = {
		.delay_loop_us = CONF_DEFAULT_DELAY_LOOP_US,
		.connect_timeout_us = CONF_DEFAULT_CONNECT_TIMEOUT_US,
		.retry = 1,
	};
	uint64_t total_weight = 0;
	bool uses_fnat;
	char n[96];
	size_t i;

	if (vs->kind == CONF_VS_GROUP) {
		vs->group = find_group(v->c, vs->group_name);
		if (!vs->group)
			ERR(v, &vs->pos, "virtual_server_group '%s' is not defined", vs->group_name);
		else if (!vs->ip_family_set)
			vs->family = group_family(vs->group);
	}
	vs_defaults(v, vs);
	resolve_timing(&vs->eff, &defaults, &vs->timing);
	if (!(vs->timing.set & CONF_T_RETRY))
		vs->eff.set &= ~(unsigned)CONF_T_RETRY;	/* the type's default applies */
	uses_fnat = vs->method.fwd == CONF_FWD_FNAT;
	for (i = 0; i < vs->n_rs; i++)
		check_rs(v, vs, i, &total_weight, &uses_fnat);
	if (vs->family == AF_UNSPEC)
		vs->family = AF_INET;
	if (!vs->n_rs)
		WARN(v, &vs->pos, "Virtual server %s has no real servers", vs_name(vs, n, sizeof(n)));
	if (vs->sorry) {
		vs->sorry->eff_fwd = vs->sorry->method.fwd ? vs->sorry->method.fwd : vs->method.fwd;
		if (vs->sorry->eff_fwd != CONF_FWD_TUN && vs->sorry->addr.family != vs->family)
			ERR(v, &vs->sorry->pos,
			    "address family of the sorry server does not match the virtual server's");
	}
	if (vs->n_rs && vs->quorum > total_weight) {
		WARN(v, &vs->pos,
		     "quorum %u for %s exceeds total weight of real servers %llu, reducing quorum to %llu",
		     vs->quorum, vs_name(vs, n, sizeof(n)), (unsigned long long)total_weight,
		     (unsigned long long)total_weight);
		vs->quorum = (uint32_t)total_weight;
	}
	if (vs->n_rs && vs->hysteresis && vs->hysteresis >= vs->quorum) {
		WARN(v, &vs->pos, "%s: hysteresis %u >= quorum %u; setting hysteresis to %u",
		     vs_name(vs, n, sizeof(n)), vs->hysteresis, vs->quorum,
		     vs->quorum ? vs->quorum - 1 : 0);
		vs->hysteresis = vs->quorum ? vs->quorum - 1 : 0;
	}
	check_laddr(v, vs, uses_fnat);
	for (i = 0; i < idx; i++)
		if (conf_vs_same(v->c->vs[i], vs))
			ERR(v, &vs->pos, "virtual server %s is already defined at line %u",
			    vs_name(vs, n, sizeof(n)), v->c->vs[i]->pos.line);
}

size_t conf_validate(struct conf *c, struct conf_diags *diags)
{
	struct vctx v = { .c = c, .d = diags };
	size_t i;

	check_groups(&v);
	for (i = 0; i < c->n_vs; i++)
		check_vs(&v, i);
	return v.errors;
}
