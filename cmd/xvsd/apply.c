// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The runtime model applied to the data plane (see apply.h): the want set,
 * the have set, and the diff between them. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "log.h"
#include "names.h"

/* ---- sets ---- */

static void *grow(void *v, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 4;
	void *p;

	if (need <= *cap)
		return v;
	while (c < need)
		c *= 2;
	p = realloc(v, c * size);
	if (p)
		*cap = c;
	return p;
}

static void svc_free(struct dp_svc *s)
{
	free(s->d);
	free(s->l);
}

void dp_set_free(struct dp_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		svc_free(&s->v[i]);
	free(s->v);
	free(s->slot);
	*s = (struct dp_set){ 0 };
}

static int svc_key_cmp(const struct xvs_svc_conf *a, const struct xvs_svc_conf *b)
{
	if (a->fwmark || b->fwmark)
		return a->fwmark < b->fwmark ? -1 : a->fwmark > b->fwmark;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if (a->addr != b->addr)
		return ntohl(a->addr) < ntohl(b->addr) ? -1 : 1;
	return a->port < b->port ? -1 : a->port > b->port;
}

static bool dest_key_eq(const struct xvs_dest_conf *a, const struct xvs_dest_conf *b)
{
	return a->addr == b->addr && a->port == b->port;
}

static uint64_t svc_hash(const struct xvs_svc_conf *c)
{
	uint64_t h = c->fwmark ? 0xf00000000ULL | c->fwmark :
				 ((uint64_t)c->addr << 24) ^ ((uint64_t)c->port << 8) ^ c->proto;

	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 31);
}

static void index_put(struct dp_set *s, size_t pos)
{
	size_t m = s->n_slots - 1, i = svc_hash(&s->v[pos].c) & m;

	while (s->slot[i])
		i = (i + 1) & m;
	s->slot[i] = pos + 1;
}

/* (Re)builds the index at twice the set's size at least; false on ENOMEM
 * (lookups are then linear). */
static bool index_build(struct dp_set *s)
{
	size_t want = 16;

	while (want < 2 * (s->n + 1))
		want *= 2;
	free(s->slot);
	s->slot = calloc(want, sizeof(*s->slot));
	s->n_slots = s->slot ? want : 0;
	for (size_t i = 0; s->slot && i < s->n; i++)
		index_put(s, i);
	return s->slot != NULL;
}

static struct dp_svc *set_find(struct dp_set *s, const struct xvs_svc_conf *c)
{
	if (!s->n_slots && !index_build(s)) {
		for (size_t i = 0; i < s->n; i++)
			if (!s->v[i].dead && !svc_key_cmp(&s->v[i].c, c))
				return &s->v[i];
		return NULL;
	}
	for (size_t m = s->n_slots - 1, i = svc_hash(c) & m; s->slot[i]; i = (i + 1) & m) {
		struct dp_svc *v = &s->v[s->slot[i] - 1];

		if (!v->dead && !svc_key_cmp(&v->c, c))
			return v;
	}
	return NULL;
}

static struct dp_svc *set_push(struct dp_set *s, const struct xvs_svc_conf *c,
			       const struct conf_vs *vs)
{
	struct dp_svc *v = grow(s->v, &s->cap, s->n + 1, sizeof(*s->v));

	if (!v)
		return NULL;
	s->v = v;
	v = &s->v[s->n++];
	*v = (struct dp_svc){ .c = *c, .vs = vs };
	if (s->n_slots && 2 * s->n <= s->n_slots)
		index_put(s, s->n - 1);
	else if (s->n_slots)
		index_build(s);
	return v;
}

/* Drops the dead services (positions move: the index is rebuilt). */
static void set_compact(struct dp_set *s)
{
	size_t o = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].dead)
			svc_free(&s->v[i]);
		else
			s->v[o++] = s->v[i];
	}
	s->n = o;
	free(s->slot);
	s->slot = NULL;
	s->n_slots = 0;
}

static struct dp_dest *svc_find_dest(const struct dp_svc *s, const struct xvs_dest_conf *d)
{
	for (size_t i = 0; i < s->n_d; i++)
		if (dest_key_eq(&s->d[i].c, d))
			return &s->d[i];
	return NULL;
}

/* A sorry server that is also a real server is one dest: the larger
 * weight wins (absent < 0 < n). */
static int svc_push_dest(struct dp_svc *s, const struct xvs_dest_conf *d,
			 const struct conf_pos *pos)
{
	struct dp_dest *old = svc_find_dest(s, d), *v;

	if (old) {
		if (d->weight > old->c.weight)
			old->c = *d;
		return 0;
	}
	v = grow(s->d, &s->cap_d, s->n_d + 1, sizeof(*s->d));
	if (!v)
		return -ENOMEM;
	s->d = v;
	s->d[s->n_d++] = (struct dp_dest){ .c = *d, .pos = pos };
	return 0;
}

static void svc_remove_dest(struct dp_svc *s, struct dp_dest *d)
{
	size_t i = (size_t)(d - s->d);

	memmove(&s->d[i], &s->d[i + 1], (s->n_d - i - 1) * sizeof(*d));
	s->n_d--;
}

static struct xvs_laddr_conf *svc_find_laddr(const struct dp_svc *s, uint32_t addr)
{
	for (size_t i = 0; i < s->n_l; i++)
		if (s->l[i].addr == addr)
			return &s->l[i];
	return NULL;
}

static int svc_push_laddr(struct dp_svc *s, const struct xvs_laddr_conf *l)
{
	struct xvs_laddr_conf *v;

	if (svc_find_laddr(s, l->addr))
		return 0;
	v = grow(s->l, &s->cap_l, s->n_l + 1, sizeof(*s->l));
	if (!v)
		return -ENOMEM;
	s->l = v;
	s->l[s->n_l++] = *l;
	return 0;
}

static void svc_remove_laddr(struct dp_svc *s, struct xvs_laddr_conf *l)
{
	size_t i = (size_t)(l - s->l);

	memmove(&s->l[i], &s->l[i + 1], (s->n_l - i - 1) * sizeof(*l));
	s->n_l--;
}

const char *dp_svc_name(const struct xvs_svc_conf *c, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];

	if (c->fwmark)
		snprintf(buf, len, "FWM %u", c->fwmark);
	else
		snprintf(buf, len, "%s %s:%u",
			 c->proto == IPPROTO_UDP ? "UDP" : c->proto == IPPROTO_TCP ? "TCP" : "SCTP",
			 inet_ntop(AF_INET, &c->addr, a, sizeof(a)), c->port);
	return buf;
}

static const char *dest_name(const struct xvs_dest_conf *d, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];

	snprintf(buf, len, "%s:%u", inet_ntop(AF_INET, &d->addr, a, sizeof(a)), d->port);
	return buf;
}

/* ---- what a virtual server means for xvs ---- */

static enum xvs_fwd fwd_of(enum conf_fwd f)
{
	switch (f) {
	case CONF_FWD_DR:
		return XVS_FWD_DR;
	case CONF_FWD_TUN:
		return XVS_FWD_TUN;
	case CONF_FWD_FNAT:
		return XVS_FWD_FNAT;
	default:
		return XVS_FWD_NAT;
	}
}

static void svc_base(const struct conf_vs *vs, struct xvs_svc_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->proto = vs->protocol;
	snprintf(c->sched, sizeof(c->sched), "%s", vs->sched);
	c->sched_flags = vs->sched_flags;
	c->persistent = vs->persistent;
	if (vs->persistent) {
		c->persist_timeout_s = vs->persistence_timeout_s;
		c->netmask = vs->persistence_mask.family == AF_INET ?
				     vs->persistence_mask.u.v4.s_addr : 0xffffffffu;
	}
	c->ops = vs->ops;
}

/* Calls fn for every xvs service of vs, in the configuration's order. */
static int vs_each_svc(const struct conf_vs *vs,
		       int (*fn)(const struct xvs_svc_conf *c, void *arg), void *arg)
{
	struct xvs_svc_conf c;
	int err = 0;

	svc_base(vs, &c);
	switch (vs->kind) {
	case CONF_VS_ADDR:
		c.addr = vs->addr.u.v4.s_addr;
		c.port = vs->port;
		return fn(&c, arg);
	case CONF_VS_FWMARK:
		c.fwmark = vs->fwmark;
		return fn(&c, arg);
	case CONF_VS_GROUP:
		break;
	}
	for (size_t i = 0; vs->group && i < vs->group->n_entries && !err; i++) {
		const struct conf_vsg_entry *e = &vs->group->entries[i];

		if (e->is_fwmark) {
			c.fwmark = e->fwmark;
			c.addr = 0;
			c.port = 0;
			err = fn(&c, arg);
			c.fwmark = 0;
			continue;
		}
		if (e->first.family != AF_INET)
			continue;
		for (uint32_t h = ntohl(e->first.u.v4.s_addr); !err; h++) {
			c.addr = htonl(h);
			c.port = e->port;
			err = fn(&c, arg);
			if (h == ntohl(e->last.u.v4.s_addr))
				break;
		}
	}
	return err;
}

static void dest_of(struct xvs_dest_conf *d, const struct xvs_svc_conf *svc,
		    const struct conf_addr *a, uint16_t port, enum conf_fwd fwd)
{
	*d = (struct xvs_dest_conf){ .addr = a->u.v4.s_addr, .fwd = fwd_of(fwd) };
	/* DR and TUN cannot map ports: the service's (libxvs does so too) */
	d->port = fwd == CONF_FWD_DR || fwd == CONF_FWD_TUN || !port ? svc->port : port;
}

static bool tun_plain(const struct conf_method *m)
{
	return m->fwd != CONF_FWD_TUN || m->tun_type == CONF_TUN_IPIP;
}

/* Why xvs cannot hold this virtual server at all, or NULL. */
static const char *vs_unrepresentable(const struct conf_vs *vs)
{
	if (vs->family == AF_INET6)
		return "IPv6 services are not supported by the xvs data plane (IPv4 only)";
	if (vs->kind != CONF_VS_FWMARK && vs->protocol == IPPROTO_SCTP)
		return "SCTP services are not supported by the xvs data plane (TCP and UDP only)";
	if (vs->kind == CONF_VS_GROUP && vs->group) {
		for (size_t i = 0; i < vs->group->n_entries; i++)
			if (!vs->group->entries[i].is_fwmark &&
			    vs->group->entries[i].first.family == AF_INET6)
				return "IPv6 group entries are not supported by the xvs data plane (IPv4 only)";
	}
	return NULL;
}

static const char *rs_unrepresentable(const struct conf_addr *a, const struct conf_method *m,
				      enum conf_fwd eff)
{
	if (a->family != AF_INET)
		return "IPv6 real servers are not supported by the xvs data plane (IPv4 only)";
	if (eff == CONF_FWD_TUN && m->fwd == CONF_FWD_TUN && !tun_plain(m))
		return m->tun_type == CONF_TUN_GUE ?
			       "TUN type gue is not supported (xvs tunnels are IPIP)" :
			       "TUN type gre is not supported (xvs tunnels are IPIP)";
	return NULL;
}

static bool uses_fnat(const struct conf_vs *vs)
{
	if (vs->method.fwd == CONF_FWD_FNAT)
		return true;
	for (size_t i = 0; i < vs->n_rs; i++)
		if (vs->rs[i]->eff_fwd == CONF_FWD_FNAT)
			return true;
	return vs->sorry && vs->sorry->eff_fwd == CONF_FWD_FNAT;
}

static bool is_failed(const struct apply *a, const struct xvs_svc_conf *svc,
		      const struct xvs_dest_conf *d)
{
	for (size_t i = 0; i < a->n_failed; i++) {
		const struct apply_failed *f = &a->failed[i];

		if (svc_key_cmp(&f->svc, svc))
			continue;
		if (!f->is_dest || (d && dest_key_eq(&f->dest, d)))
			return true;
	}
	return false;
}

static void mark_failed(struct apply *a, const struct xvs_svc_conf *svc,
			const struct xvs_dest_conf *d, int err)
{
	struct apply_failed *v = grow(a->failed, &a->cap_failed, a->n_failed + 1, sizeof(*v));

	if (!v)
		return;
	a->failed = v;
	a->failed[a->n_failed++] = (struct apply_failed){ .svc = *svc, .is_dest = d != NULL,
							   .dest = d ? *d : (struct xvs_dest_conf){ 0 },
							   .err = err };
}

/* ---- the want set ---- */

struct want_ctx {
	const struct apply *a;
	const struct rt_vs *rv;		/* NULL: every configured dest at weight 0 (adoption) */
	const struct conf_vs *vs;
	struct dp_set *set;
};

static int want_dest(struct dp_svc *s, const struct want_ctx *w, const struct conf_addr *a,
		     const struct conf_method *m, enum conf_fwd fwd, uint16_t port, int64_t weight,
		     uint32_t uth, uint32_t lth, const struct conf_pos *pos)
{
	struct xvs_dest_conf d;

	if (weight < 0 || rs_unrepresentable(a, m, fwd))
		return 0;
	dest_of(&d, &s->c, a, port, fwd);
	d.weight = (uint32_t)weight;
	d.u_threshold = uth;
	d.l_threshold = lth;
	if (is_failed(w->a, &s->c, &d))
		return 0;
	return svc_push_dest(s, &d, pos);
}

static int want_laddrs(struct dp_svc *s, const struct conf_vs *vs)
{
	const struct conf_laddr_group *g = vs->laddr_group;
	int err = 0;

	if (!g || !uses_fnat(vs))
		return 0;
	for (size_t i = 0; i < g->n_entries && !err; i++) {
		const struct conf_laddr_entry *e = &g->entries[i];
		struct xvs_laddr_conf l = { 0 };

		if (e->first.family != AF_INET)
			continue;
		if (e->ifname)
			snprintf(l.ifname, sizeof(l.ifname), "%s", e->ifname);
		for (uint32_t h = ntohl(e->first.u.v4.s_addr); !err; h++) {
			l.addr = htonl(h);
			err = svc_push_laddr(s, &l);
			if (h == ntohl(e->last.u.v4.s_addr))
				break;
		}
	}
	return err;
}

static bool configured_dest(const struct conf_vs *vs, const struct xvs_svc_conf *svc,
			    const struct xvs_dest_conf *d)
{
	struct xvs_dest_conf c;

	for (size_t i = 0; i < vs->n_rs; i++) {
		const struct conf_rs *rs = vs->rs[i];

		if (rs->addr.family != AF_INET)
			continue;
		dest_of(&c, svc, &rs->addr, rs->port, rs->eff_fwd);
		if (dest_key_eq(&c, d))
			return true;
	}
	if (vs->sorry && vs->sorry->addr.family == AF_INET) {
		dest_of(&c, svc, &vs->sorry->addr, vs->sorry->port, vs->sorry->eff_fwd);
		if (dest_key_eq(&c, d))
			return true;
	}
	return false;
}

static int want_svc(const struct xvs_svc_conf *c, void *arg)
{
	struct want_ctx *w = arg;
	const struct conf_vs *vs = w->vs;
	struct dp_svc *s;
	int err = 0;

	if (is_failed(w->a, c, NULL) || set_find(w->set, c))
		return 0;	/* a second virtual server on one key is a config error */
	s = set_push(w->set, c, vs);
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < vs->n_rs && !err; i++) {
		const struct conf_rs *rs = vs->rs[i];
		int64_t weight = w->rv ? rs_dp_weight(w->rv->rs[i]) : 0;

		err = want_dest(s, w, &rs->addr, &rs->method, rs->eff_fwd, rs->port, weight,
				rs->u_threshold, rs->l_threshold, &rs->pos);
	}
	if (!err && vs->sorry)
		err = want_dest(s, w, &vs->sorry->addr, &vs->sorry->method, vs->sorry->eff_fwd,
				vs->sorry->port, w->rv ? sorry_dp_weight(w->rv) : 0, 0, 0,
				&vs->sorry->pos);
	for (size_t i = 0; i < w->a->n_drain && !err; i++) {
		struct xvs_dest_conf d = w->a->drain[i].dest;

		if (svc_key_cmp(&w->a->drain[i].svc, c) || svc_find_dest(s, &d) ||
		    configured_dest(vs, c, &d))
			continue;
		d.weight = 0;
		err = svc_push_dest(s, &d, NULL);
	}
	return err ? err : want_laddrs(s, vs);
}

static int want_build(const struct apply *a, const struct rt *rt, bool all_dests,
		      struct dp_set *want)
{
	int err = 0;

	*want = (struct dp_set){ 0 };
	for (size_t i = 0; i < rt->n_vs && !err; i++) {
		struct want_ctx w = { .a = a, .rv = all_dests ? NULL : rt->vs[i],
				      .vs = rt->vs[i]->conf, .set = want };

		if (vs_unrepresentable(w.vs))
			continue;
		err = vs_each_svc(w.vs, want_svc, &w);
	}
	if (err)
		dp_set_free(want);
	return err;
}

int apply_want(const struct apply *a, const struct rt *rt, struct dp_set *want)
{
	return want_build(a, rt, false, want);
}

/* ---- errors ---- */

static void features(char *buf, size_t len, const struct xvs_svc_conf *svc,
		     const struct xvs_dest_conf *d)
{
	size_t n = 0;

	buf[0] = 0;
#define ADD(cond, what) \
	do { if ((cond) && n < len) n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", what); } while (0)
	if (d) {
		ADD(d->u_threshold || d->l_threshold, "connection thresholds (uthreshold/lthreshold)");
		ADD(!xvs_fwd_supported(d->fwd), "its forwarding method");
	} else {
		ADD(svc->persistent, "persistence (persistence_timeout/persistence_granularity)");
		ADD(svc->ops, "one-packet scheduling (ops)");
		ADD(svc->fwmark, "fwmark services");
	}
#undef ADD
	if (!buf[0])
		snprintf(buf, len, "a feature it uses");
}

static void report(struct apply *a, const struct conf_pos *pos, const char *verb,
		   const struct xvs_svc_conf *svc, const struct xvs_dest_conf *d, int err)
{
	char s[64], r[64], why[256], f[192];

	a->errors++;
	dp_svc_name(svc, s, sizeof(s));
	switch (err) {
	case -EOPNOTSUPP:
		features(f, sizeof(f), svc, d);
		snprintf(why, sizeof(why), "not supported by this xvs data plane yet: %s", f);
		break;
	case -ENOENT:
		if (!d) {
			snprintf(why, sizeof(why),
				 "scheduler '%s' is not available in this xvs data plane", svc->sched);
			break;
		}
		/* fall through */
	default:
		snprintf(why, sizeof(why), "%s", xvs_strerror(err));
	}
	if (d)
		log_err("%s:%u:%u: cannot %s real server %s of service %s: %s", pos->file,
			pos->line, pos->col, verb, dest_name(d, r, sizeof(r)), s, why);
	else
		log_err("%s:%u:%u: cannot %s service %s: %s", pos->file, pos->line, pos->col,
			verb, s, why);
}

static const struct conf_pos unknown_pos = { "(data plane)", 0, 0 };

/* ---- the have set ---- */

static int have_copy(struct apply *a, struct dp_set *into, const struct xvs_svc_info *info)
{
	struct dp_svc *s = set_push(into, &info->conf, NULL);
	struct xvs_laddr_info *l = NULL;
	size_t n = 0;
	int err = 0;

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < info->n_dests && !err; i++)
		err = svc_push_dest(s, &info->dests[i].conf, NULL);
	if (!err && a->ops->laddr_list(a->ctx, &info->conf, &l, &n) == 0) {
		for (size_t i = 0; i < n && !err; i++)
			err = svc_push_laddr(s, &l[i].conf);
		free(l);
	}
	return err;
}

/* have := what the data plane holds of the services in have or want. */
static int have_refresh(struct apply *a, struct dp_set *want)
{
	struct xvs_svc_info *list;
	struct dp_set fresh = { 0 };
	size_t n;
	int err = a->ops->list(a->ctx, &list, &n);

	if (err)
		return err;
	for (size_t i = 0; i < n && !err; i++)
		if (set_find(&a->have, &list[i].conf) || set_find(want, &list[i].conf))
			err = have_copy(a, &fresh, &list[i]);
	a->ops->list_free(a->ctx, list, n);
	if (err) {
		dp_set_free(&fresh);
		return err;
	}
	dp_set_free(&a->have);
	a->have = fresh;
	a->have_stale = false;
	return 0;
}

/* ---- the diff ---- */

static int call(struct apply *a, int err)
{
	a->writes++;
	return err;
}

static bool svc_differs(const struct xvs_svc_conf *h, const struct xvs_svc_conf *w)
{
	const char *hs = h->sched[0] ? h->sched : xvs_sched_default();
	const char *ws = w->sched[0] ? w->sched : xvs_sched_default();

	return strcmp(hs, ws) || h->sched_flags != w->sched_flags ||
	       h->persistent != w->persistent || h->ops != w->ops ||
	       (w->persistent && (h->persist_timeout_s != w->persist_timeout_s ||
				  h->netmask != w->netmask));
}

static bool dest_differs(const struct xvs_dest_conf *h, const struct xvs_dest_conf *w)
{
	return h->fwd != w->fwd || h->weight != w->weight || h->u_threshold != w->u_threshold ||
	       h->l_threshold != w->l_threshold;
}

static void stale_on(struct apply *a, int err)
{
	if (err == -ESRCH || err == -EEXIST || err == -ENOENT)
		a->have_stale = true;	/* someone else changed the data plane */
}

static void dest_warning(struct apply *a, const struct dp_dest *d, const struct xvs_svc_conf *svc)
{
	const char *w = a->ops->warning ? a->ops->warning(a->ctx) : NULL;
	const struct conf_pos *p = d->pos ? d->pos : &unknown_pos;
	char s[64];

	if (w)
		log_warn("%s:%u:%u: service %s: %s", p->file, p->line, p->col,
			 dp_svc_name(svc, s, sizeof(s)), w);
}

static void sync_dests(struct apply *a, const struct dp_svc *w, struct dp_svc *h)
{
	int err;

	for (size_t i = 0; i < w->n_d; i++) {
		const struct dp_dest *wd = &w->d[i];
		struct dp_dest *hd = svc_find_dest(h, &wd->c);
		const struct conf_pos *pos = wd->pos ? wd->pos : &w->vs->pos;

		if (!hd) {
			err = call(a, a->ops->dest_add(a->ctx, &h->c, &wd->c));
			if (!err || err == -EEXIST) {
				dest_warning(a, wd, &h->c);
				svc_push_dest(h, &wd->c, NULL);
			} else {
				report(a, pos, "add", &h->c, &wd->c, err);
				mark_failed(a, &h->c, &wd->c, err);
			}
			stale_on(a, err);
		} else if (dest_differs(&hd->c, &wd->c)) {
			err = call(a, a->ops->dest_edit(a->ctx, &h->c, &wd->c));
			if (!err) {
				if (hd->c.fwd != wd->c.fwd)
					dest_warning(a, wd, &h->c);
				hd->c = wd->c;
			} else {
				report(a, pos, "change", &h->c, &wd->c, err);
				mark_failed(a, &h->c, &wd->c, err);
			}
			stale_on(a, err);
		}
	}
	/* deletions last: a pool switching to its sorry server is never empty */
	for (size_t i = 0; i < h->n_d;) {
		struct dp_dest *hd = &h->d[i];

		if (svc_find_dest(w, &hd->c)) {
			i++;
			continue;
		}
		err = call(a, a->ops->dest_del(a->ctx, &h->c, &hd->c));
		if (err && err != -ENOENT) {
			report(a, &w->vs->pos, "remove", &h->c, &hd->c, err);
			stale_on(a, err);
			i++;
			continue;
		}
		svc_remove_dest(h, hd);
	}
}

static void sync_laddrs(struct apply *a, const struct dp_svc *w, struct dp_svc *h)
{
	int err;

	for (size_t i = 0; i < w->n_l; i++) {
		if (svc_find_laddr(h, w->l[i].addr))
			continue;
		err = call(a, a->ops->laddr_add(a->ctx, &h->c, &w->l[i]));
		if (!err || err == -EEXIST) {
			svc_push_laddr(h, &w->l[i]);
		} else {
			char s[64], l[INET_ADDRSTRLEN];
			const struct conf_pos *p = w->vs->laddr_group ? &w->vs->laddr_group->pos :
									  &w->vs->pos;

			a->errors++;
			log_err("%s:%u:%u: cannot add local address %s%s%s to service %s: %s",
				p->file, p->line, p->col,
				inet_ntop(AF_INET, &w->l[i].addr, l, sizeof(l)),
				w->l[i].ifname[0] ? " on " : "", w->l[i].ifname,
				dp_svc_name(&h->c, s, sizeof(s)),
				err == -ENODEV && !w->l[i].ifname[0] ?
					"no interface given (write 'ADDRESS IFNAME' in the local_address_group)" :
					xvs_strerror(err));
		}
	}
	for (size_t i = 0; i < h->n_l;) {
		if (svc_find_laddr(w, h->l[i].addr)) {
			i++;
			continue;
		}
		err = call(a, a->ops->laddr_del(a->ctx, &h->c, &h->l[i]));
		if (err && err != -ENOENT) {
			i++;
			continue;
		}
		svc_remove_laddr(h, &h->l[i]);
	}
}

/* keepalived's fwmark services take the mark iptables gives packets; xvs's
 * data plane runs before netfilter, so only its own mark rules (or a tc
 * filter ahead of it) can mark them. Without one the service is silently
 * dead: say so where it is configured. */
static void warn_unmarked(struct apply *a, const struct dp_svc *w)
{
	int used;

	if (!w->c.fwmark)
		return;
	used = a->ops->mark_used(a->ctx, w->c.fwmark);
	if (used != 0)
		return;
	a->warnings++;
	log_warn("%s:%u:%u: virtual server fwmark %u: no xvs mark rule gives packets mark %u, "
		 "so it receives none: add one with 'xvsadm --add-mark %u -t|-u ADDR[/LEN][:PORT]' "
		 "(iptables and nftables marks are set after the xvs data plane has run)",
		 w->vs->pos.file, w->vs->pos.line, w->vs->pos.col, w->c.fwmark, w->c.fwmark,
		 w->c.fwmark);
}

static void sync_svc(struct apply *a, const struct dp_svc *w)
{
	struct dp_svc *h = set_find(&a->have, &w->c);
	int err;

	if (!h) {
		err = call(a, a->ops->svc_add(a->ctx, &w->c));
		if (err) {
			report(a, &w->vs->pos, "add", &w->c, NULL, err);
			mark_failed(a, &w->c, NULL, err);
			stale_on(a, err);
			return;
		}
		warn_unmarked(a, w);
		h = set_push(&a->have, &w->c, NULL);
		if (!h)
			return;
	} else if (svc_differs(&h->c, &w->c)) {
		err = call(a, a->ops->svc_edit(a->ctx, &w->c));
		if (err) {
			report(a, &w->vs->pos, "change", &w->c, NULL, err);
			mark_failed(a, &w->c, NULL, err);
			stale_on(a, err);
			return;
		}
		h->c = w->c;
	}
	sync_dests(a, w, h);
	sync_laddrs(a, w, h);
}

int apply_sync(struct apply *a, const struct rt *rt)
{
	struct dp_set want;
	int err = apply_want(a, rt, &want);

	if (err)
		return err;
	err = a->ops->begin(a->ctx);
	if (err) {
		dp_set_free(&want);
		return err;
	}
	if (a->have_stale)
		have_refresh(a, &want);
	for (size_t i = 0; i < want.n; i++)
		sync_svc(a, &want.v[i]);
	/* after the services: the first one loads the data plane */
	if (a->timeouts_pending) {
		err = call(a, a->ops->timeout_set(a->ctx, a->timeout_tcp_s, a->timeout_tcpfin_s,
						  a->timeout_udp_s));
		if (err)
			log_err("cannot set lvs_timeouts: %s", xvs_strerror(err));
		a->timeouts_pending = false;
	}
	for (size_t i = 0; i < a->have.n;) {
		struct dp_svc *h = &a->have.v[i];
		char s[64];

		if (h->dead || set_find(&want, &h->c)) {
			i++;
			continue;
		}
		err = call(a, a->ops->svc_del(a->ctx, &h->c));
		if (err && err != -ESRCH) {
			a->errors++;
			log_err("cannot remove service %s: %s", dp_svc_name(&h->c, s, sizeof(s)),
				xvs_strerror(err));
		} else {
			h->dead = true;
		}
		i++;
	}
	set_compact(&a->have);
	a->ops->end(a->ctx);
	dp_set_free(&want);
	return 0;
}

/* ---- start, reload, drain, stop ---- */

void apply_init(struct apply *a, const struct dp_ops *ops, void *ctx)
{
	*a = (struct apply){ .ops = ops, .ctx = ctx };
}

void apply_fini(struct apply *a)
{
	dp_set_free(&a->have);
	free(a->drain);
	free(a->failed);
	a->drain = NULL;
	a->failed = NULL;
	a->n_drain = a->n_failed = 0;
}

static void log_unrepresentable(const struct rt *rt)
{
	char v[NAME_LEN], r[NAME_LEN];
	const char *why;

	for (size_t i = 0; i < rt->n_vs; i++) {
		const struct conf_vs *vs = rt->vs[i]->conf;

		why = vs_unrepresentable(vs);
		if (why) {
			log_err("%s:%u:%u: virtual server %s is not configured: %s", vs->pos.file,
				vs->pos.line, vs->pos.col, name_vs(vs, v), why);
			continue;
		}
		for (size_t k = 0; k < vs->n_rs; k++) {
			const struct conf_rs *rs = vs->rs[k];

			why = rs_unrepresentable(&rs->addr, &rs->method, rs->eff_fwd);
			if (why)
				log_err("%s:%u:%u: real server %s of %s is not configured: %s",
					rs->pos.file, rs->pos.line, rs->pos.col,
					name_rs(vs, &rs->addr, rs->port, r), v, why);
		}
		if (vs->sorry) {
			why = rs_unrepresentable(&vs->sorry->addr, &vs->sorry->method,
						 vs->sorry->eff_fwd);
			if (why)
				log_err("%s:%u:%u: sorry server of %s is not configured: %s",
					vs->sorry->pos.file, vs->sorry->pos.line, vs->sorry->pos.col,
					name_vs(vs, v), why);
		}
	}
}

static void timeouts_arm(struct apply *a, const struct conf_global *g)
{
	a->timeout_tcp_s = g->lvs_timeout_tcp_s;
	a->timeout_tcpfin_s = g->lvs_timeout_tcpfin_s;
	a->timeout_udp_s = g->lvs_timeout_udp_s;
	a->timeouts_pending = g->lvs_timeout_tcp_s || g->lvs_timeout_tcpfin_s ||
			      g->lvs_timeout_udp_s;
}

static void drain_add(struct apply *a, const struct xvs_svc_conf *svc,
		      const struct xvs_dest_conf *d)
{
	struct apply_drain *v;
	char s[64], r[64];

	for (size_t i = 0; i < a->n_drain; i++)
		if (!svc_key_cmp(&a->drain[i].svc, svc) && dest_key_eq(&a->drain[i].dest, d))
			return;
	v = grow(a->drain, &a->cap_drain, a->n_drain + 1, sizeof(*v));
	if (!v)
		return;
	a->drain = v;
	a->drain[a->n_drain++] = (struct apply_drain){ .svc = *svc, .dest = *d };
	log_info("Draining real server %s of service %s: weight 0, removed when its last connection ends",
		 dest_name(d, r, sizeof(r)), dp_svc_name(svc, s, sizeof(s)));
}

static void drain_remove(struct apply *a, size_t i)
{
	memmove(&a->drain[i], &a->drain[i + 1], (a->n_drain - i - 1) * sizeof(*a->drain));
	a->n_drain--;
}

/* The runtime objects of the virtual server that owns svc. */
static const struct rt_vs *owner(const struct rt *rt, const struct conf_vs *vs)
{
	for (size_t i = 0; i < rt->n_vs; i++)
		if (rt->vs[i]->conf == vs)
			return rt->vs[i];
	return NULL;
}

static const struct xvs_dest_info *info_dest(const struct xvs_svc_info *info,
					     const struct xvs_dest_conf *d)
{
	for (size_t i = 0; i < info->n_dests; i++)
		if (dest_key_eq(&info->dests[i].conf, d))
			return &info->dests[i];
	return NULL;
}

static void adopt_svc(struct apply *a, const struct dp_svc *w, const struct xvs_svc_info *info,
		      const struct rt *rt, bool *adopted)
{
	const struct rt_vs *rv = owner(rt, w->vs);
	char s[64];

	/* a group may hold thousands: one line for it (apply_start) */
	log_msg(w->vs->kind == CONF_VS_GROUP ? LOG_DEBUG : LOG_INFO,
		"Keeping service %s as the data plane holds it (its connections and counters stay)",
		dp_svc_name(&w->c, s, sizeof(s)));
	for (size_t k = 0; rv && k < rv->n_rs; k++) {
		struct rt_rs *rs = rv->rs[k];
		const struct xvs_dest_info *di;
		struct xvs_dest_conf d;

		if (adopted[k] || rs->conf->addr.family != AF_INET)
			continue;
		dest_of(&d, &w->c, &rs->conf->addr, rs->conf->port, rs->conf->eff_fwd);
		di = info_dest(info, &d);
		rs_adopt(rs, di ? (int64_t)di->conf.weight : -1);
		adopted[k] = true;
	}
	for (size_t i = 0; i < info->n_dests; i++)
		if (!configured_dest(w->vs, &w->c, &info->dests[i].conf))
			drain_add(a, &w->c, &info->dests[i].conf);
}

int apply_start(struct apply *a, struct rt *rt)
{
	const struct conf_global *g = &rt->conf->global;
	struct xvs_svc_info *list = NULL;
	struct dp_set want;
	size_t n = 0;
	int err;

	log_unrepresentable(rt);
	timeouts_arm(a, g);
	err = want_build(a, rt, true, &want);
	if (err)
		return err;
	err = a->ops->begin(a->ctx);
	if (err)
		goto out;
	if (g->lvs_flush) {
		log_info("Flushing the data plane (lvs_flush)");
		err = call(a, a->ops->flush(a->ctx));
		if (err)
			log_err("cannot flush the data plane: %s", xvs_strerror(err));
		goto end;
	}
	err = a->ops->list(a->ctx, &list, &n);
	if (err) {
		log_err("cannot read the data plane: %s", xvs_strerror(err));
		goto end;
	}
	for (size_t i = 0; i < n && !err; i++) {
		struct dp_svc *w = set_find(&want, &list[i].conf);
		char s[64];

		if (!w) {
			log_info("Service %s in the data plane is not in the configuration: left as it is",
				 dp_svc_name(&list[i].conf, s, sizeof(s)));
			continue;
		}
		err = have_copy(a, &a->have, &list[i]);
	}
	for (size_t v = 0; v < rt->n_vs && !err; v++) {
		bool *adopted = calloc(rt->vs[v]->n_rs + 1, sizeof(bool));
		size_t kept = 0;
		char vn[NAME_LEN];

		if (!adopted) {
			err = -ENOMEM;
			break;
		}
		for (size_t i = 0; i < n; i++) {
			struct dp_svc *w = set_find(&want, &list[i].conf);

			if (w && w->vs == rt->vs[v]->conf) {
				adopt_svc(a, w, &list[i], rt, adopted);
				kept++;
			}
		}
		if (kept && rt->vs[v]->conf->kind == CONF_VS_GROUP)
			log_info("Keeping the %zu services of VS %s the data plane holds (their connections and counters stay)",
				 kept, name_vs(rt->vs[v]->conf, vn));
		free(adopted);
	}
	a->ops->list_free(a->ctx, list, n);
end:
	a->ops->end(a->ctx);
out:
	dp_set_free(&want);
	return err;
}

void apply_reload(struct apply *a, const struct rt *old_rt, const struct rt *new_rt)
{
	const struct conf_global *og = &old_rt->conf->global, *ng = &new_rt->conf->global;
	struct dp_set want;

	a->n_failed = 0;
	log_unrepresentable(new_rt);
	if (og->lvs_timeout_tcp_s != ng->lvs_timeout_tcp_s ||
	    og->lvs_timeout_tcpfin_s != ng->lvs_timeout_tcpfin_s ||
	    og->lvs_timeout_udp_s != ng->lvs_timeout_udp_s)
		timeouts_arm(a, ng);
	if (want_build(a, new_rt, true, &want))
		return;
	/* configured again: no longer draining */
	for (size_t i = 0; i < a->n_drain;) {
		const struct dp_svc *w = set_find(&want, &a->drain[i].svc);

		if (w && configured_dest(w->vs, &w->c, &a->drain[i].dest))
			drain_remove(a, i);
		else
			i++;
	}
	for (size_t i = 0; i < a->have.n; i++) {
		const struct dp_svc *h = &a->have.v[i];
		const struct dp_svc *w = set_find(&want, &h->c);

		for (size_t k = 0; w && k < h->n_d; k++)
			if (!configured_dest(w->vs, &w->c, &h->d[k].c))
				drain_add(a, &h->c, &h->d[k].c);
	}
	dp_set_free(&want);
	a->have_stale = true;
}

size_t apply_retry_transient(struct apply *a)
{
	size_t o = 0, n = a->n_failed;

	for (size_t i = 0; i < n; i++) {
		int e = a->failed[i].err;

		if (e == -ENODEV || e == -ENOSPC || e == -ENOMEM || e == -EAGAIN || e == -EBUSY ||
		    e == -ETIMEDOUT)
			continue;
		a->failed[o++] = a->failed[i];
	}
	a->n_failed = o;
	return n - o;
}

int apply_drain_sweep(struct apply *a)
{
	struct xvs_svc_info *list;
	size_t n;
	int err, removed = 0;

	if (!a->n_drain)
		return 0;
	err = a->ops->begin(a->ctx);
	if (err)
		return err;
	err = a->ops->list(a->ctx, &list, &n);
	if (err) {
		a->ops->end(a->ctx);
		return err;
	}
	for (size_t i = 0; i < a->n_drain;) {
		const struct xvs_dest_info *d = NULL;
		char s[64], r[64];

		for (size_t k = 0; k < n && !d; k++)
			if (!svc_key_cmp(&list[k].conf, &a->drain[i].svc))
				d = info_dest(&list[k], &a->drain[i].dest);
		if (d && d->active_conns + d->inact_conns) {
			i++;
			continue;
		}
		log_info("Real server %s of service %s has no connection left: removing it",
			 dest_name(&a->drain[i].dest, r, sizeof(r)),
			 dp_svc_name(&a->drain[i].svc, s, sizeof(s)));
		drain_remove(a, i);
		removed++;
	}
	a->ops->list_free(a->ctx, list, n);
	a->ops->end(a->ctx);
	return removed;
}

int apply_stop(struct apply *a, enum conf_flush_on_stop mode)
{
	int err;

	if (mode == CONF_FLUSH_STOP_NONE)
		return 0;
	err = a->ops->begin(a->ctx);
	if (err)
		return err;
	if (mode == CONF_FLUSH_STOP_ALL) {
		err = call(a, a->ops->flush(a->ctx));
		if (!err)
			err = call(a, a->ops->detach(a->ctx));
	} else {
		for (size_t i = 0; i < a->have.n; i++) {
			int e = call(a, a->ops->svc_del(a->ctx, &a->have.v[i].c));

			if (e && e != -ESRCH && !err)
				err = e;
		}
	}
	dp_set_free(&a->have);
	a->ops->end(a->ctx);
	return err;
}
