// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsd configuration: the checker registry and the keywords every checker
 * shares. Each checker type is one const struct conf_check_type in its own
 * conf_check_NAME.c; adding one is that file plus a line in check_types. */
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

static const struct conf_check_type *const check_types[] = {
	&conf_check_tcp,  &conf_check_http, &conf_check_ssl,  &conf_check_misc,
	&conf_check_udp,  &conf_check_dns,  &conf_check_smtp, &conf_check_ping,
	&conf_check_file, &conf_check_bfd,
};

#define N_TYPES (sizeof(check_types) / sizeof(check_types[0]))

const struct conf_check_type *conf_check_type_find(const char *name)
{
	size_t i;

	for (i = 0; i < N_TYPES; i++)
		if (!strcmp(check_types[i]->name, name))
			return check_types[i];
	return NULL;
}

const struct conf_check_type *conf_check_type_of(enum conf_check_kind kind)
{
	size_t i;

	for (i = 0; i < N_TYPES; i++)
		if (check_types[i]->kind == kind)
			return check_types[i];
	return NULL;
}

const char *conf_check_kind_name(enum conf_check_kind kind)
{
	const struct conf_check_type *t = conf_check_type_of(kind);

	return t ? t->name : "?";
}

static struct conf_checker *CK(void *obj)
{
	return obj;
}

static void kw_connect_ip(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_get_addr(cx, &st->w[1], "connect_ip", &CK(obj)->connect_ip);
}

static void kw_bindto(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_get_addr(cx, &st->w[1], "bindto address", &CK(obj)->bindto);
}

static void kw_port(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	uint64_t v;

	if (!conf_get_uint(cx, &st->w[1], 1, 65535, st->w[0].s, &v))
		return;
	if (!strcmp(st->w[0].s, "connect_port"))
		CK(obj)->connect_port = (uint16_t)v;
	else
		CK(obj)->bind_port = (uint16_t)v;
}

static void kw_bind_if(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	if (strlen(st->w[1].s) >= 16) {
		conf_diag_add(cx->d, CONF_ERROR, &st->w[1].pos,
			      "invalid interface name '%s': longer than 15 characters", st->w[1].s);
		return;
	}
	conf_set_str(cx, &CK(obj)->bind_if, &st->w[1]);
}

static void kw_fwmark(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	uint64_t v;

	if (conf_get_uint(cx, &st->w[1], 0, UINT32_MAX, "fwmark", &v))
		CK(obj)->fwmark = (uint32_t)v;
}

static void kw_timing(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_timing_kw(cx, st, &CK(obj)->timing);
}

static void kw_log_all_failures(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_get_opt_bool(cx, st, "log_all_failures", &CK(obj)->log_all_failures);
}

#define T(n) { n, kw_timing, 1, 1, CONF_KW_NO_BLOCK, 0, "seconds", NULL }

/* connect_ip .. fwmark: the connection options (not MISC_CHECK's). */
const struct conf_kw conf_check_common_kws[] = {
	{ "connect_ip", kw_connect_ip, 1, 1, CONF_KW_NO_BLOCK, 0, "an address", NULL },
	{ "connect_port", kw_port, 1, 1, CONF_KW_NO_BLOCK, 0, "a port", NULL },
	{ "bindto", kw_bindto, 1, 1, CONF_KW_NO_BLOCK, 0, "an address", NULL },
	{ "bind_port", kw_port, 1, 1, CONF_KW_NO_BLOCK, 0, "a port", NULL },
	{ "bind_if", kw_bind_if, 1, 1, CONF_KW_NO_BLOCK, 0, "an interface", NULL },
	{ "fwmark", kw_fwmark, 1, 1, CONF_KW_NO_BLOCK, 0, "a mark", NULL },
	{ NULL },
};

/* alpha onwards: every checker but FILE_CHECK and BFD_CHECK. */
const struct conf_kw conf_check_alpha_kws[] = {
	{ "alpha", kw_timing, 0, 1, CONF_KW_NO_BLOCK, 0, NULL, NULL },
	T("connect_timeout"), T("delay_before_retry"), T("warmup"), T("delay_loop"),
	{ "retry", kw_timing, 1, 1, CONF_KW_NO_BLOCK, 0, "a count", NULL },
	{ "nb_get_retry", kw_timing, 1, 1, CONF_KW_NO_BLOCK, CONF_KW_OLD, "a count", "retry" },
	{ "nb_sock_retry", kw_timing, 1, 1, CONF_KW_NO_BLOCK, CONF_KW_OLD, "a count", "retry" },
	{ "log_all_failures", kw_log_all_failures, 0, 1, CONF_KW_NO_BLOCK, 0, NULL, NULL },
	{ NULL },
};

void conf_checker_free(struct conf_checker *ck)
{
	size_t i;

	if (!ck)
		return;
	free(ck->bind_if);
	for (i = 0; i < ck->http.n_urls; i++) {
		struct conf_url *u = ck->http.urls[i];

		free(u->path);
		free(u->digest);
		free(u->status);
		free(u->virtualhost);
		free(u->regex);
		free(u);
	}
	free(ck->http.urls);
	free(ck->http.sni_name);
	free(ck->http.virtualhost);
	free(ck->misc.path);
	free(ck->misc.user);
	free(ck->misc.group);
	free(ck->udp.payload);
	free(ck->udp.reply);
	free(ck->udp.reply_mask);
	free(ck->dns.name);
	free(ck->smtp.helo_name);
	free(ck->file.track_file);
	free(ck->bfd_name);
	free(ck);
}

static void checker_block(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	const struct conf_check_type *t = conf_check_type_find(st->w[0].s);
	struct conf_kw_set sets[4];
	struct conf_rs *rs = obj;
	struct conf_checker *ck;
	size_t n = 0;

	if (!t)
		return;
	ck = conf_calloc(cx, 1, sizeof(*ck));
	if (!ck)
		return;
	ck->pos = st->w[0].pos;
	ck->kind = t->kind;
	ck->type_name = t->name;
	if (t->init)
		t->init(ck);
	if (t->kws)
		sets[n++] = (struct conf_kw_set){ t->kws, NULL };
	if (t->common_kws)
		sets[n++] = (struct conf_kw_set){ conf_check_common_kws, NULL };
	if (t->common_kws || t->alpha_kws_only)
		sets[n++] = (struct conf_kw_set){ conf_check_alpha_kws, NULL };
	sets[n] = (struct conf_kw_set){ NULL, NULL };
	conf_run_block(cx, st, t->name, sets, ck);
	if (t->finish)
		t->finish(cx, ck);
	if (!conf_push(cx, &rs->checkers, &rs->n_checkers, ck))
		conf_checker_free(ck);
}

/* One entry stands for every checker block keyword: the engine only
 * needs its shape, and checker_block finds the type by name. */
static const struct conf_kw checker_kw = {
	"(checker)", checker_block, 0, 0, CONF_KW_BLOCK, 0, NULL, NULL,
};

const struct conf_kw *conf_check_lookup(const char *name)
{
	return conf_check_type_find(name) ? &checker_kw : NULL;
}
