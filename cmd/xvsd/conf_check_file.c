// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* FILE_CHECK configuration: a track_file name, dynamic, weight [reverse].
 * No common checker keywords. */
#include <string.h>

#include "conf_int.h"

static struct conf_checker *CK(void *obj)
{
	return obj;
}

static void kw_track_file(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_set_str(cx, &CK(obj)->file.track_file, &st->w[1]);
}

static void kw_dynamic(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	(void)cx;
	(void)st;
	CK(obj)->file.dynamic = true;
}

static void kw_weight(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	int64_t v;

	if (!conf_get_int(cx, &st->w[1], -2147483647, 2147483647, "FILE_CHECK weight", &v))
		return;
	CK(obj)->file.weight = (int32_t)v;
	if (st->n > 2) {
		if (strcmp(st->w[2].s, "reverse"))
			conf_diag_add(cx->d, CONF_ERROR, &st->w[2].pos,
				      "unknown weight option '%s': expected reverse", st->w[2].s);
		else
			CK(obj)->file.reverse = true;
	}
}

static const struct conf_kw file_kws[] = {
	{ "track_file", kw_track_file, 1, 1, CONF_KW_NO_BLOCK, 0, "a track_file name", NULL },
	{ "file", kw_track_file, 1, 1, CONF_KW_NO_BLOCK, 0, "a track_file name", NULL },
	{ "dynamic", kw_dynamic, 0, 0, CONF_KW_NO_BLOCK, 0, NULL, NULL },
	{ "weight", kw_weight, 1, 2, CONF_KW_NO_BLOCK, 0, "a weight [reverse]", NULL },
	{ NULL },
};

static void file_finish(struct conf_ctx *cx, struct conf_checker *ck)
{
	if (!ck->file.track_file)
		conf_diag_add(cx->d, CONF_ERROR, &ck->pos,
			      "FILE_CHECK needs 'track_file NAME'");
}

const struct conf_check_type conf_check_file = {
	.kind = CONF_CHECK_FILE,
	.name = "FILE_CHECK",
	.kws = file_kws,
	.finish = file_finish,
};
