// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* MISC_CHECK configuration: misc_path (the command), misc_timeout,
 * misc_dynamic (exit status -> weight), user [group]. Of the common
 * keywords only alpha onwards; retry defaults to 0. */
#include "conf_int.h"

static struct conf_checker *CK(void *obj)
{
	return obj;
}

static void kw_misc_path(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_set_joined(cx, &CK(obj)->misc.path, st, 1);
}

static void kw_misc_timeout(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	uint64_t v;

	if (conf_get_uint(cx, &st->w[1], 1, UINT32_MAX, "misc_timeout", &v))
		CK(obj)->misc.timeout_us = v * 1000000;
}

static void kw_misc_dynamic(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	(void)cx;
	(void)st;
	CK(obj)->misc.dynamic = true;
}

static void kw_user(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_set_str(cx, &CK(obj)->misc.user, &st->w[1]);
	if (st->n > 2)
		conf_set_str(cx, &CK(obj)->misc.group, &st->w[2]);
}

static const struct conf_kw misc_kws[] = {
	{ "misc_path", kw_misc_path, 1, -1, CONF_KW_NO_BLOCK, 0, "a command", NULL },
	{ "misc_timeout", kw_misc_timeout, 1, 1, CONF_KW_NO_BLOCK, 0, "seconds", NULL },
	{ "misc_dynamic", kw_misc_dynamic, 0, 0, CONF_KW_NO_BLOCK, 0, NULL, NULL },
	{ "user", kw_user, 1, 2, CONF_KW_NO_BLOCK, 0, "a user [group]", NULL },
	{ NULL },
};

static void misc_finish(struct conf_ctx *cx, struct conf_checker *ck)
{
	if (!ck->misc.path)
		conf_diag_add(cx->d, CONF_ERROR, &ck->pos, "MISC_CHECK needs 'misc_path COMMAND'");
}

const struct conf_check_type conf_check_misc = {
	.kind = CONF_CHECK_MISC,
	.name = "MISC_CHECK",
	.kws = misc_kws,
	.alpha_kws_only = true,
	.default_retry = 0,
	.finish = misc_finish,
};
