// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* HTTP_GET and SSL_GET configuration: url { path digest status_code
 * virtualhost regex ... }, http_protocol, virtualhost, fast_recovery and
 * SSL_GET's SNI keywords. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

static struct conf_checker *CK(void *obj)
{
	return obj;
}

static struct conf_url *URL(void *obj)
{
	return obj;
}

static void kw_path(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_set_str(cx, &URL(obj)->path, &st->w[1]);
}

static void kw_digest(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	const char *s = st->w[1].s;
	char *d;
	size_t i;

	for (i = 0; s[i]; i++)
		if (!isxdigit((unsigned char)s[i]))
			break;
	if (s[i] || i != 32) {
		conf_diag_add(cx->d, CONF_ERROR, &st->w[1].pos,
			      "invalid digest '%s': expected 32 hex digits (an MD5 sum)", s);
		return;
	}
	conf_set_str(cx, &URL(obj)->digest, &st->w[1]);
	for (d = URL(obj)->digest; d && *d; d++)
		*d = (char)tolower((unsigned char)*d);
}

/* status_code N|A-B ... */
static void kw_status_code(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_url *u = URL(obj);
	size_t i;

	for (i = 1; i < st->n; i++) {
		struct conf_word lo = st->w[i], hi = st->w[i];
		char buf[16], *dash;
		struct conf_status_range r, *v;
		uint64_t a, b;

		snprintf(buf, sizeof(buf), "%s", st->w[i].s);
		dash = strchr(buf, '-');
		if (dash) {
			*dash = '\0';
			lo.s = buf;
			hi.s = dash + 1;
		}
		if (!conf_get_uint(cx, &lo, 100, 599, "status_code", &a) ||
		    !conf_get_uint(cx, &hi, 100, 599, "status_code", &b))
			return;
		if (b < a) {
			conf_diag_add(cx->d, CONF_ERROR, &st->w[i].pos,
				      "invalid status_code range '%s': the end is below the start",
				      st->w[i].s);
			return;
		}
		r = (struct conf_status_range){ (uint16_t)a, (uint16_t)b };
		v = realloc(u->status, (u->n_status + 1) * sizeof(*v));
		if (!v) {
			cx->oom = 1;
			return;
		}
		v[u->n_status++] = r;
		u->status = v;
	}
}

static void kw_url_virtualhost(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_set_str(cx, &URL(obj)->virtualhost, &st->w[1]);
}

static void kw_regex(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_set_str(cx, &URL(obj)->regex, &st->w[1]);
}

static void kw_regex_no_match(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	(void)cx;
	(void)st;
	URL(obj)->regex_no_match = true;
}

static void kw_regex_offset(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	uint64_t v;

	if (!conf_get_uint(cx, &st->w[1], 0, UINT32_MAX, st->w[0].s, &v))
		return;
	if (strstr(st->w[0].s, "min"))
		URL(obj)->regex_min_offset = (uint32_t)v;
	else
		URL(obj)->regex_max_offset = (uint32_t)v;
}

static const struct conf_kw url_kws[] = {
	{ "path", kw_path, 1, 1, CONF_KW_NO_BLOCK, 0, "a URL path", NULL },
	{ "digest", kw_digest, 1, 1, CONF_KW_NO_BLOCK, 0, "an MD5 digest", NULL },
	{ "status_code", kw_status_code, 1, -1, CONF_KW_NO_BLOCK, 0, "a code or range", NULL },
	{ "virtualhost", kw_url_virtualhost, 1, 1, CONF_KW_NO_BLOCK, 0, "a host name", NULL },
	{ "regex", kw_regex, 1, 1, CONF_KW_NO_BLOCK, 0, "a regular expression", NULL },
	{ "regex_no_match", kw_regex_no_match, 0, 0, CONF_KW_NO_BLOCK, 0, NULL, NULL },
	{ "regex_min_offset", kw_regex_offset, 1, 1, CONF_KW_NO_BLOCK, 0, "an offset", NULL },
	{ "regex_max_offset", kw_regex_offset, 1, 1, CONF_KW_NO_BLOCK, 0, "an offset", NULL },
	{ "regex_options", NULL, 1, -1, CONF_KW_NO_BLOCK, CONF_KW_IGNORED, NULL, NULL },
	{ "regex_stack", NULL, 2, 2, CONF_KW_NO_BLOCK, CONF_KW_IGNORED, NULL, NULL },
	{ NULL },
};

static void kw_url(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	static const struct conf_kw_set sets[] = { { url_kws, NULL }, { NULL, NULL } };
	struct conf_checker *ck = CK(obj);
	struct conf_url *u = conf_calloc(cx, 1, sizeof(*u));

	if (!u)
		return;
	u->pos = st->w[0].pos;
	if (!conf_push(cx, &ck->http.urls, &ck->http.n_urls, u)) {
		free(u);
		return;
	}
	conf_run_block(cx, st, "url", sets, u);
	if (!u->path)
		conf_diag_add(cx->d, CONF_ERROR, &u->pos, "url needs 'path PATH'");
}

static void kw_http_protocol(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	const char *p = st->w[1].s;

	if (!strcmp(p, "1.0"))
		CK(obj)->http.http_protocol = 10;
	else if (!strcmp(p, "1.0C") || !strcmp(p, "1.0c"))
		CK(obj)->http.http_protocol = 100;
	else if (!strcmp(p, "1.1"))
		CK(obj)->http.http_protocol = 11;
	else
		conf_diag_add(cx->d, CONF_ERROR, &st->w[1].pos,
			      "unknown http_protocol '%s': expected 1.0, 1.0C or 1.1", p);
}

static void kw_http_virtualhost(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_set_str(cx, &CK(obj)->http.virtualhost, &st->w[1]);
}

static void kw_http_bool(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_check_http *h = &CK(obj)->http;
	bool *dst = !strcmp(st->w[0].s, "fast_recovery") ? &h->fast_recovery :
		    !strcmp(st->w[0].s, "enable_sni")    ? &h->enable_sni : &h->tls_compliant;

	conf_get_opt_bool(cx, st, st->w[0].s, dst);
}

static void kw_sni_name(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_set_str(cx, &CK(obj)->http.sni_name, &st->w[1]);
	CK(obj)->http.enable_sni = true;
}

static const struct conf_kw http_kws[] = {
	{ "url", kw_url, 0, 0, CONF_KW_BLOCK, 0, NULL, NULL },
	{ "http_protocol", kw_http_protocol, 1, 1, CONF_KW_NO_BLOCK, 0, "1.0, 1.0C or 1.1", NULL },
	{ "virtualhost", kw_http_virtualhost, 1, 1, CONF_KW_NO_BLOCK, 0, "a host name", NULL },
	{ "fast_recovery", kw_http_bool, 0, 1, CONF_KW_NO_BLOCK, 0, NULL, NULL },
	{ NULL },
};

static const struct conf_kw ssl_kws[] = {
	{ "url", kw_url, 0, 0, CONF_KW_BLOCK, 0, NULL, NULL },
	{ "http_protocol", kw_http_protocol, 1, 1, CONF_KW_NO_BLOCK, 0, "1.0, 1.0C or 1.1", NULL },
	{ "virtualhost", kw_http_virtualhost, 1, 1, CONF_KW_NO_BLOCK, 0, "a host name", NULL },
	{ "fast_recovery", kw_http_bool, 0, 1, CONF_KW_NO_BLOCK, 0, NULL, NULL },
	{ "enable_sni", kw_http_bool, 0, 1, CONF_KW_NO_BLOCK, 0, NULL, NULL },
	{ "sni_name", kw_sni_name, 1, 1, CONF_KW_NO_BLOCK, 0, "a host name", NULL },
	{ "tls_compliant", kw_http_bool, 0, 1, CONF_KW_NO_BLOCK, 0, NULL, NULL },
	{ NULL },
};

static void http_init(struct conf_checker *ck)
{
	ck->http.http_protocol = 10;
}

static void http_finish(struct conf_ctx *cx, struct conf_checker *ck)
{
	if (!ck->http.n_urls)
		conf_diag_add(cx->d, CONF_WARNING, &ck->pos,
			      "%s has no url block - the checker is ignored", ck->type_name);
}

const struct conf_check_type conf_check_http = {
	.kind = CONF_CHECK_HTTP,
	.name = "HTTP_GET",
	.kws = http_kws,
	.common_kws = true,
	.default_retry = 1,
	.init = http_init,
	.finish = http_finish,
};

const struct conf_check_type conf_check_ssl = {
	.kind = CONF_CHECK_SSL,
	.name = "SSL_GET",
	.kws = ssl_kws,
	.common_kws = true,
	.default_retry = 1,
	.init = http_init,
	.finish = http_finish,
};
