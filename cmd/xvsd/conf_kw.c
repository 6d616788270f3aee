// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsd configuration keyword engine: looks each statement up in its block's
 * keyword tables and checks block shape and arity before the handler runs,
 * so handlers only parse their values. */
#include <string.h>

#include "conf_int.h"

static const struct conf_kw *lookup(const struct conf_kw_set *sets, const char *name)
{
	const struct conf_kw_set *s;
	const struct conf_kw *k;

	for (s = sets; s->table || s->lookup; s++) {
		if (s->lookup) {
			k = s->lookup(name);
			if (k)
				return k;
			continue;
		}
		for (k = s->table; k->name; k++)
			if (!strcmp(k->name, name))
				return k;
	}
	return NULL;
}

/* The block a keyword belongs to, for "wrong section" errors. */
static const char *home_of(const char *name)
{
	static const struct {
		const struct conf_kw *table;
		const char *block;
	} homes[] = {
		{ conf_top_kws, "the top level" },	{ conf_global_kws, "global_defs" },
		{ conf_vs_kws, "virtual_server" },	{ conf_rs_kws, "real_server" },
		{ conf_check_common_kws, "a checker block" },
		{ conf_check_alpha_kws, "a checker block" },
	};
	const struct conf_kw *k;
	size_t i;

	for (i = 0; i < sizeof(homes) / sizeof(homes[0]); i++)
		for (k = homes[i].table; k->name; k++)
			if (!strcmp(k->name, name))
				return homes[i].block;
	if (conf_check_type_find(name))
		return "real_server";
	return NULL;
}

/* Where a missing '{' or parameter should have been: after the last word. */
static struct conf_pos end_of(const struct conf_stmt *st)
{
	struct conf_pos p = st->w[st->n - 1].pos;

	p.col += (unsigned)strlen(st->w[st->n - 1].s);
	return p;
}

static bool check_shape(struct conf_ctx *cx, const struct conf_stmt *st, const struct conf_kw *kw)
{
	const char *name = st->w[0].s;
	size_t nargs = st->n - 1, i;

	if (kw->block == CONF_KW_BLOCK && !st->has_block) {
		struct conf_pos p = end_of(st);

		conf_diag_add(cx->d, CONF_ERROR, &p, "expected '{' after %s%s%s", name,
			      kw->args_help ? " " : "", kw->args_help ? kw->args_help : "");
		return false;
	}
	if (kw->block == CONF_KW_NO_BLOCK && st->has_block) {
		conf_diag_add(cx->d, CONF_ERROR, &st->open_pos, "'%s' does not take a block", name);
		return false;
	}
	if (nargs < (size_t)kw->min_args) {
		struct conf_pos p = end_of(st);

		conf_diag_add(cx->d, CONF_ERROR, &p, "missing parameter after '%s': expected %s",
			      name, kw->args_help ? kw->args_help : "a value");
		return false;
	}
	if (kw->max_args >= 0)
		for (i = (size_t)kw->max_args + 1; i < st->n; i++)
			conf_diag_add(cx->d, CONF_NOTE, &st->w[i].pos,
				      "ignoring extra parameter '%s' after '%s'", st->w[i].s, name);
	return true;
}

void conf_run_stmt(struct conf_ctx *cx, const struct conf_stmt *st, const char *block_name,
		   const struct conf_kw_set *sets, void *obj)
{
	const char *name = st->w[0].s;
	const struct conf_kw *kw = lookup(sets, name);

	if (!kw) {
		const char *home = home_of(name);

		if (home && strcmp(home, block_name))
			conf_diag_add(cx->d, CONF_ERROR, &st->w[0].pos,
				      "'%s' is not allowed in %s: it belongs in %s", name, block_name,
				      home);
		else
			conf_diag_add(cx->d, CONF_ERROR, &st->w[0].pos, "unknown keyword '%s' in %s",
				      name, block_name);
		return;
	}
	if (kw->flags & CONF_KW_FOREIGN) {
		conf_diag_add(cx->d, CONF_NOTE, &st->w[0].pos,
			      "skipping %s%s%s: not used by xvsd (keepalived --vrrp reads it)", name,
			      st->n > 1 ? " " : "", st->n > 1 ? st->w[1].s : "");
		return;
	}
	if (kw->flags & CONF_KW_OLD)
		conf_diag_add(cx->d, CONF_WARNING, &st->w[0].pos,
			      "'%s' is an old spelling that keepalived 2.2 no longer accepts: use '%s'",
			      name, kw->alias);
	if (kw->flags & (CONF_KW_IGNORED | CONF_KW_QUIET)) {
		if (kw->flags & CONF_KW_IGNORED)
			conf_diag_add(cx->d, CONF_NOTE, &st->w[0].pos,
				      "'%s' in %s is accepted and ignored by xvsd", name, block_name);
		return;
	}
	if (!check_shape(cx, st, kw))
		return;
	if (kw->fn)
		kw->fn(cx, st, obj);
}

void conf_run_block(struct conf_ctx *cx, const struct conf_stmt *st, const char *block_name,
		    const struct conf_kw_set *sets, void *obj)
{
	size_t i;

	for (i = 0; i < st->n_kids; i++)
		conf_run_stmt(cx, st->kids[i], block_name, sets, obj);
}
