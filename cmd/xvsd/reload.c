// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A reload's runtime from the running one (see reload.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reload.h"

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool addr_eq(const struct conf_addr *a, const struct conf_addr *b)
{
	return !conf_addr_cmp(a, b);
}

static bool url_same(const struct conf_url *a, const struct conf_url *b)
{
	if (!str_eq(a->path, b->path) || !str_eq(a->digest, b->digest) ||
	    !str_eq(a->virtualhost, b->virtualhost) || !str_eq(a->regex, b->regex) ||
	    a->regex_no_match != b->regex_no_match || a->regex_min_offset != b->regex_min_offset ||
	    a->regex_max_offset != b->regex_max_offset || a->n_status != b->n_status)
		return false;
	for (size_t i = 0; i < a->n_status; i++)
		if (a->status[i].lo != b->status[i].lo || a->status[i].hi != b->status[i].hi)
			return false;
	return true;
}

static bool http_same(const struct conf_check_http *a, const struct conf_check_http *b)
{
	if (a->n_urls != b->n_urls || a->http_protocol != b->http_protocol ||
	    a->enable_sni != b->enable_sni || !str_eq(a->sni_name, b->sni_name) ||
	    a->tls_compliant != b->tls_compliant || !str_eq(a->virtualhost, b->virtualhost))
		return false;
	for (size_t i = 0; i < a->n_urls; i++)
		if (!url_same(a->urls[i], b->urls[i]))
			return false;
	return true;
}

static bool bytes_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	return n == 0 || (a && b && !memcmp(a, b, n));
}

bool checker_same(const struct conf_checker *a, const struct conf_checker *b)
{
	if (a->kind != b->kind || !addr_eq(&a->connect_ip, &b->connect_ip) ||
	    a->connect_port != b->connect_port || !addr_eq(&a->bindto, &b->bindto) ||
	    a->bind_port != b->bind_port || !str_eq(a->bind_if, b->bind_if) ||
	    a->fwmark != b->fwmark || !str_eq(a->eff_virtualhost, b->eff_virtualhost))
		return false;
	switch (a->kind) {
	case CONF_CHECK_HTTP:
	case CONF_CHECK_SSL:
		return http_same(&a->http, &b->http);
	case CONF_CHECK_MISC:
		return str_eq(a->misc.path, b->misc.path) && a->misc.timeout_us == b->misc.timeout_us &&
		       a->misc.dynamic == b->misc.dynamic && str_eq(a->misc.user, b->misc.user) &&
		       str_eq(a->misc.group, b->misc.group);
	case CONF_CHECK_UDP:
		return a->udp.payload_len == b->udp.payload_len &&
		       bytes_eq(a->udp.payload, b->udp.payload, a->udp.payload_len) &&
		       a->udp.require_reply == b->udp.require_reply &&
		       a->udp.reply_len == b->udp.reply_len &&
		       bytes_eq(a->udp.reply, b->udp.reply, a->udp.reply_len) &&
		       bytes_eq(a->udp.reply_mask, b->udp.reply_mask, a->udp.reply_len) &&
		       a->udp.min_reply_length == b->udp.min_reply_length &&
		       a->udp.max_reply_length == b->udp.max_reply_length;
	case CONF_CHECK_DNS:
		return a->dns.qtype == b->dns.qtype && str_eq(a->dns.name, b->dns.name);
	case CONF_CHECK_SMTP:
		return str_eq(a->smtp.helo_name, b->smtp.helo_name);
	case CONF_CHECK_FILE:
		return str_eq(a->file.track_file, b->file.track_file) &&
		       a->file.dynamic == b->file.dynamic && a->file.weight == b->file.weight &&
		       a->file.reverse == b->file.reverse;
	case CONF_CHECK_BFD:
		return str_eq(a->bfd_name, b->bfd_name);
	default:
		return true;
	}
}

/* Moves the old real server's matching checkers into nrs (replacing the
 * fresh ones rt_new made); returns whether any checker of nrs moved. */
static bool migrate_checkers(struct rt_rs *ors, struct rt_rs *nrs)
{
	bool any_ran = false, moved_any = false;
	bool *moved = calloc(nrs->n_ck + 1, sizeof(bool));
	unsigned failed = 0;

	for (size_t i = 0; i < nrs->n_ck; i++) {
		struct rt_checker *nc = nrs->ck[i];

		for (size_t k = 0; moved && k < ors->n_ck; k++) {
			struct rt_checker *oc = ors->ck[k];

			if (!oc || !checker_same(oc->ck, nc->ck))
				continue;
			ors->ck[k] = NULL;
			oc->rs = nrs;
			oc->ck = nc->ck;
			oc->enabled = nrs->vs->ha_active;
			ck_sm_migrate(&oc->sm, &oc->ck->eff);
			rt_checker_target(oc);
			rt_checker_free(nc);
			nrs->ck[i] = oc;
			moved[i] = true;
			moved_any = true;
			checker_settings_changed(oc);
			break;
		}
	}
	for (size_t i = 0; i < nrs->n_ck; i++) {
		if (moved && moved[i]) {
			any_ran |= nrs->ck[i]->sm.has_run;
			failed += !nrs->ck[i]->sm.is_up;
		} else {
			nrs->ck[i]->sm.is_up = true;	/* keepalived: new checkers start up ... */
		}
	}
	/* ... unless the server is failing or has never been checked */
	if (failed || (!nrs->alive && !any_ran)) {
		for (size_t i = 0; i < nrs->n_ck; i++) {
			if (moved && moved[i])
				continue;
			nrs->ck[i]->sm.is_up = !nrs->ck[i]->ck->eff.alpha;
			nrs->ck[i]->sm.retry_it = nrs->ck[i]->ck->eff.retry;
		}
	}
	free(moved);
	return moved_any;
}

static bool sorry_same(const struct conf_sorry *a, const struct conf_sorry *b)
{
	return a && b && addr_eq(&a->addr, &b->addr) && a->port == b->port;
}

static void migrate_vs(struct rt_vs *ov, struct rt_vs *nv)
{
	nv->quorum_up = ov->quorum_up;
	nv->ha_active = ov->ha_active;
	nv->sorry_alive = ov->sorry_alive && sorry_same(ov->conf->sorry, nv->conf->sorry);
	for (size_t i = 0; i < nv->n_rs; i++) {
		struct rt_rs *nrs = nv->rs[i], *ors = vs_find_rs(ov, nrs->conf);

		for (size_t k = 0; k < nrs->n_ck; k++)
			checker_enable(nrs->ck[k], nv->ha_active);
		if (!ors) {
			nrs->alive = !nrs->n_failed;	/* as at start, without a notify */
			nrs->changed_us = nv->rt->env.now_us(nv->rt->env.ctx);
			continue;
		}
		nrs->alive = ors->alive;
		nrs->changed_us = ors->changed_us;
		/* the effective weight as it was, then what the new file says */
		nrs->weight = ors->weight;
		if (ors->weight_dynamic) {
			nrs->base_weight = ors->base_weight;
			nrs->weight_dynamic = true;
		}
		migrate_checkers(ors, nrs);
		rs_weigh(nrs);
	}
	for (size_t i = 0; i < nv->n_rs; i++)
		if (vs_find_rs(ov, nv->rs[i]->conf))
			rs_recount(nv->rs[i]);
}

int reload_build(struct rt *old, struct conf *conf, struct rt **out)
{
	struct rt *nr;
	int err = rt_new(conf, &old->env, &old->ev, &nr);

	*out = NULL;
	if (err) {
		conf_free(conf);
		return err;
	}
	for (size_t i = 0; i < nr->n_vs; i++) {
		struct rt_vs *nv = nr->vs[i], *ov = rt_find_vs(old, nv->conf);

		if (ov) {
			migrate_vs(ov, nv);
		} else {
			for (size_t k = 0; k < nv->n_rs; k++) {
				nv->rs[k]->alive = !nv->rs[k]->n_failed;
				nv->rs[k]->changed_us = nr->env.now_us(nr->env.ctx);
			}
			/* as at start: quorum is judged before anything was alive,
			 * so gaining it runs quorum_up */
			nv->quorum_up = (uint64_t)nv->conf->quorum + nv->conf->hysteresis == 0;
		}
		vs_update_quorum(nv, true);
	}
	for (size_t i = 0; i < nr->n_vs; i++)
		for (size_t k = 0; k < nr->vs[i]->n_rs; k++)
			for (size_t j = 0; j < nr->vs[i]->rs[k]->n_ck; j++) {
				struct rt_checker *c = nr->vs[i]->rs[k]->ck[j];

				if (!c->timer && !c->probe)
					checker_start(c);
			}
	*out = nr;
	return 0;
}
