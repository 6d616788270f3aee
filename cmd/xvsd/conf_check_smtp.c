// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* SMTP_CHECK configuration: helo_name; the deprecated host sub-blocks are
 * accepted and ignored. */
#include "conf_int.h"

static void kw_helo_name(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_checker *ck = obj;

	conf_set_str(cx, &ck->smtp.helo_name, &st->w[1]);
}

static const struct conf_kw smtp_kws[] = {
	{ "helo_name", kw_helo_name, 1, 1, CONF_KW_NO_BLOCK, 0, "a host name", NULL },
	{ "host", NULL, 0, -1, CONF_KW_ANY_BLOCK, CONF_KW_IGNORED, NULL, NULL },
	{ NULL },
};

const struct conf_check_type conf_check_smtp = {
	.kind = CONF_CHECK_SMTP,
	.name = "SMTP_CHECK",
	.kws = smtp_kws,
	.common_kws = true,
	.default_retry = 1,
};
