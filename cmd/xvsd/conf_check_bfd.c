// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* BFD_CHECK configuration: the name of a bfd_instance, which keepalived's
 * BFD process runs; xvsd keeps the reference and does not run BFD. */
#include "conf_int.h"

static void kw_name(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_checker *ck = obj;

	conf_set_str(cx, &ck->bfd_name, &st->w[1]);
}

static const struct conf_kw bfd_kws[] = {
	{ "name", kw_name, 1, 1, CONF_KW_NO_BLOCK, 0, "a bfd_instance name", NULL },
	{ NULL },
};

static void bfd_finish(struct conf_ctx *cx, struct conf_checker *ck)
{
	conf_diag_add(cx->d, CONF_NOTE, &ck->pos,
		      "BFD_CHECK is accepted, but xvsd runs no BFD: it never changes the real server's state");
}

const struct conf_check_type conf_check_bfd = {
	.kind = CONF_CHECK_BFD,
	.name = "BFD_CHECK",
	.kws = bfd_kws,
	.finish = bfd_finish,
};
