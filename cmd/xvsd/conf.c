// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsd configuration loader: the top-level keyword table, conf_load() and
 * conf_free(). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

static void kw_ssl_value(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_global *g = &((struct conf *)obj)->global;
	const char *k = st->w[0].s;
	char **dst = !strcmp(k, "password") ? &g->ssl_password :
		     !strcmp(k, "ca")       ? &g->ssl_ca :
		     !strcmp(k, "certificate") ? &g->ssl_certificate : &g->ssl_key;

	conf_set_str(cx, dst, &st->w[1]);
}

static const struct conf_kw ssl_kws[] = {
	{ "password", kw_ssl_value, 1, 1, CONF_KW_NO_BLOCK, 0, "a password", NULL },
	{ "ca", kw_ssl_value, 1, 1, CONF_KW_NO_BLOCK, 0, "a file", NULL },
	{ "certificate", kw_ssl_value, 1, 1, CONF_KW_NO_BLOCK, 0, "a file", NULL },
	{ "key", kw_ssl_value, 1, 1, CONF_KW_NO_BLOCK, 0, "a file", NULL },
	{ NULL },
};

static void kw_ssl(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	static const struct conf_kw_set sets[] = { { ssl_kws, NULL }, { NULL, NULL } };

	((struct conf *)obj)->global.ssl_set = true;
	conf_run_block(cx, st, "SSL", sets, obj);
}

static void kw_track_file_path(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	conf_set_str(cx, &((struct conf_track_file *)obj)->path, &st->w[1]);
}

static void kw_track_file_weight(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_track_file *tf = obj;
	int64_t v;

	if (!conf_get_int(cx, &st->w[1], -2147483647, 2147483647, "track_file weight", &v))
		return;
	tf->weight = (int32_t)v;
	if (st->n > 2) {
		if (strcmp(st->w[2].s, "reverse"))
			conf_diag_add(cx->d, CONF_ERROR, &st->w[2].pos,
				      "unknown weight option '%s': expected reverse", st->w[2].s);
		else
			tf->reverse = true;
	}
}

/* init_file [VALUE] [overwrite], in either order */
static void kw_track_file_init(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_track_file *tf = obj;
	int64_t v;

	tf->init = true;
	for (size_t i = 1; i < st->n; i++) {
		if (!strcmp(st->w[i].s, "overwrite"))
			tf->init_overwrite = true;
		else if (conf_get_int(cx, &st->w[i], INT32_MIN, INT32_MAX, "init_file value", &v))
			tf->init_value = (int32_t)v;
	}
}

static const struct conf_kw track_file_kws[] = {
	{ "file", kw_track_file_path, 1, 1, CONF_KW_NO_BLOCK, 0, "a file", NULL },
	{ "weight", kw_track_file_weight, 1, 2, CONF_KW_NO_BLOCK, 0, "a weight [reverse]", NULL },
	{ "init_file", kw_track_file_init, 0, 2, CONF_KW_NO_BLOCK, 0, NULL, NULL },
	{ NULL },
};

static void track_file_free(struct conf_track_file *tf)
{
	if (!tf)
		return;
	free(tf->name);
	free(tf->path);
	free(tf);
}

/* track_file NAME { file PATH; weight N [reverse]; init_file [VALUE]
 * [overwrite] }: FILE_CHECK refers to it by name. */
static void kw_track_file(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	static const struct conf_kw_set sets[] = { { track_file_kws, NULL }, { NULL, NULL } };
	struct conf *c = obj;
	struct conf_track_file *tf = conf_calloc(cx, 1, sizeof(*tf));

	if (!tf)
		return;
	tf->pos = st->w[0].pos;
	tf->weight = 1;
	tf->name = conf_strdup(cx, st->w[1].s);
	conf_run_block(cx, st, "track_file", sets, tf);
	for (size_t i = 0; i < c->n_track_files; i++)
		if (tf->name && !strcmp(c->track_files[i]->name, tf->name))
			conf_diag_add(cx->d, CONF_ERROR, &tf->pos,
				      "track_file %s is already defined at %s:%u", tf->name,
				      c->track_files[i]->pos.file, c->track_files[i]->pos.line);
	if (!tf->path)
		conf_diag_add(cx->d, CONF_ERROR, &tf->pos, "track_file %s needs 'file PATH'",
			      tf->name ? tf->name : "");
	if (!tf->name || !conf_push(cx, &c->track_files, &c->n_track_files, tf))
		track_file_free(tf);
}

#define FOREIGN(n) { n, NULL, 0, -1, CONF_KW_ANY_BLOCK, CONF_KW_FOREIGN, NULL, NULL }
#define NOTED(n) { n, NULL, 0, -1, CONF_KW_ANY_BLOCK, CONF_KW_IGNORED, NULL, NULL }

const struct conf_kw conf_top_kws[] = {
	{ "global_defs", conf_global_block, 0, 0, CONF_KW_BLOCK, 0, NULL, NULL },
	{ "virtual_server_group", conf_vsg_block, 1, 1, CONF_KW_BLOCK, 0, "a group name", NULL },
	{ "virtual_server", conf_vs_block, 1, -1, CONF_KW_BLOCK, 0,
	  "an address [port], 'fwmark N' or 'group NAME'", NULL },
	{ "local_address_group", conf_laddr_group_block, 1, 1, CONF_KW_BLOCK, 0, "a group name",
	  NULL },
	{ "SSL", kw_ssl, 0, 0, CONF_KW_BLOCK, 0, NULL, NULL },
	{ "track_file", kw_track_file, 1, 1, CONF_KW_BLOCK, 0, "a name", NULL },
	FOREIGN("vrrp_instance"), FOREIGN("vrrp_sync_group"), FOREIGN("vrrp_script"),
	FOREIGN("vrrp_track_process"), FOREIGN("vrrp_track_file"), FOREIGN("track_process"),
	FOREIGN("static_ipaddress"), FOREIGN("static_routes"), FOREIGN("static_rules"),
	FOREIGN("static_track_group"), FOREIGN("linkbeat_interfaces"), FOREIGN("garp_group"),
	FOREIGN("bfd_instance"), FOREIGN("track_bfd"),
	/* DPVS blocks for features xvs does not have */
	NOTED("deny_address_group"), NOTED("allow_address_group"), NOTED("tunnel_group"),
	/* process-wide keywords outside global_defs */
	NOTED("net_namespace"), NOTED("net_namespace_ipvs"), NOTED("namespace_with_ipsets"),
	NOTED("instance"), NOTED("use_pid_dir"), NOTED("child_wait_time"),
	NOTED("linkbeat_use_polling"),
	{ NULL },
};

static void conf_free_vs(struct conf_vs *vs)
{
	size_t i, k;

	for (i = 0; i < vs->n_rs; i++) {
		struct conf_rs *rs = vs->rs[i];

		for (k = 0; k < rs->n_checkers; k++)
			conf_checker_free(rs->checkers[k]);
		free(rs->checkers);
		free(rs->notify_up);
		free(rs->notify_down);
		free(rs->virtualhost);
		free(rs);
	}
	free(vs->rs);
	free(vs->group_name);
	free(vs->persistence_engine);
	free(vs->quorum_up);
	free(vs->quorum_down);
	free(vs->virtualhost);
	free(vs->sorry);
	free(vs->laddr_group_name);
	free(vs);
}

void conf_free(struct conf *c)
{
	struct conf_global *g;
	size_t i, k;

	if (!c)
		return;
	for (i = 0; i < c->n_vs; i++)
		conf_free_vs(c->vs[i]);
	free(c->vs);
	for (i = 0; i < c->n_groups; i++) {
		free(c->groups[i]->name);
		free(c->groups[i]->entries);
		free(c->groups[i]);
	}
	free(c->groups);
	for (i = 0; i < c->n_laddr_groups; i++) {
		struct conf_laddr_group *l = c->laddr_groups[i];

		for (k = 0; k < l->n_entries; k++)
			free(l->entries[k].ifname);
		free(l->entries);
		free(l->name);
		free(l);
	}
	free(c->laddr_groups);
	for (i = 0; i < c->n_track_files; i++)
		track_file_free(c->track_files[i]);
	free(c->track_files);
	g = &c->global;
	free(g->router_id);
	free(g->lvs_notify_fifo);
	free(g->lvs_notify_fifo_user);
	free(g->lvs_notify_fifo_group);
	free(g->lvs_notify_fifo_script);
	free(g->script_user);
	free(g->script_group);
	free(g->ssl_password);
	free(g->ssl_ca);
	free(g->ssl_certificate);
	free(g->ssl_key);
	for (i = 0; i < c->n_files; i++)
		free(c->files[i]);
	free(c->files);
	free(c);
}

static int load(struct conf_lex *lx, struct conf *c, struct conf **out, struct conf_diags *d)
{
	static const struct conf_kw_set sets[] = { { conf_top_kws, NULL }, { NULL, NULL } };
	struct conf_ctx cx = { .c = c, .d = d };
	struct conf_stmt root = { 0 };
	size_t errors_before = d->count[CONF_ERROR];
	int err;

	err = conf_tree_build(lx, &root);
	conf_lex_close(lx);
	if (!err) {
		conf_run_block(&cx, &root, "the top level", sets, c);
		if (cx.oom)
			err = -ENOMEM;
	}
	conf_stmt_free(&root);
	if (!err)
		conf_validate(c, d);
	if (!err && d->count[CONF_ERROR] != errors_before)
		err = -EINVAL;
	if (err) {
		conf_free(c);
		return err;
	}
	*out = c;
	return 0;
}

int conf_load(const char *path, const struct conf_opts *opts, struct conf **out,
	      struct conf_diags *diags)
{
	struct conf *c = calloc(1, sizeof(*c));
	struct conf_lex lx;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	if (conf_lex_open(&lx, path, c, diags, opts) < 0) {
		conf_lex_close(&lx);
		conf_free(c);
		return -ENOMEM;
	}
	return load(&lx, c, out, diags);
}

int conf_load_buffer(const char *name, const char *text, size_t len,
		     const struct conf_opts *opts, struct conf **out, struct conf_diags *diags)
{
	struct conf *c = calloc(1, sizeof(*c));
	struct conf_lex lx;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	if (conf_lex_open_buffer(&lx, name, text, len, c, diags, opts) < 0) {
		conf_lex_close(&lx);
		conf_free(c);
		return -ENOMEM;
	}
	return load(&lx, c, out, diags);
}
