// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The data plane through libxvs (see dp_xvs.h). */
#include <errno.h>
#include <stdlib.h>

#include "dp_xvs.h"
#include "log.h"

static struct xvs *X(void *ctx)
{
	return ((struct dp_xvs *)ctx)->x;
}

/* The table is sized when the data plane loads; one that is running keeps
 * its size (and its connections), so a different --conn-max is said, not
 * acted on. */
static void size_check(struct dp_xvs *d)
{
	uint32_t have;

	if (!d->opts.conn_max || d->size_said || !xvs_is_loaded(d->x))
		return;
	have = xvs_conn_table_size(d->x);
	if (have != d->opts.conn_max)
		log_warn("--conn-max %u: the data plane is running with a connection table of %u, "
			 "kept with its connections (the size is set when it loads: xvsadm --detach "
			 "and restart xvsd to change it)", d->opts.conn_max, have);
	d->size_said = true;
}

static int d_begin(void *ctx)
{
	struct dp_xvs *d = ctx;
	int err;

	if (d->x)
		return -EBUSY;
	err = xvs_open(&d->x, &d->opts);
	if (!err)
		size_check(d);
	return err;
}

static void d_end(void *ctx)
{
	struct dp_xvs *d = ctx;

	xvs_close(d->x);
	d->x = NULL;
}

static int d_list(void *ctx, struct xvs_svc_info **out, size_t *n)
{
	return xvs_svc_list(X(ctx), out, n);
}

static void d_list_free(void *ctx, struct xvs_svc_info *list, size_t n)
{
	(void)ctx;
	xvs_svc_list_free(list, n);
}

static int d_laddr_list(void *ctx, const struct xvs_svc_conf *svc, struct xvs_laddr_info **out,
			size_t *n)
{
	return xvs_laddr_list(X(ctx), svc, out, n);
}

static int d_svc_add(void *ctx, const struct xvs_svc_conf *svc)
{
	return xvs_svc_add(X(ctx), svc);
}

static int d_svc_edit(void *ctx, const struct xvs_svc_conf *svc)
{
	return xvs_svc_edit(X(ctx), svc);
}

static int d_svc_del(void *ctx, const struct xvs_svc_conf *svc)
{
	return xvs_svc_del(X(ctx), svc);
}

static int d_dest_add(void *ctx, const struct xvs_svc_conf *svc, const struct xvs_dest_conf *d)
{
	return xvs_dest_add(X(ctx), svc, d);
}

static int d_dest_edit(void *ctx, const struct xvs_svc_conf *svc, const struct xvs_dest_conf *d)
{
	return xvs_dest_edit(X(ctx), svc, d);
}

static int d_dest_del(void *ctx, const struct xvs_svc_conf *svc, const struct xvs_dest_conf *d)
{
	return xvs_dest_del(X(ctx), svc, d);
}

static int d_laddr_add(void *ctx, const struct xvs_svc_conf *svc, const struct xvs_laddr_conf *l)
{
	return xvs_laddr_add(X(ctx), svc, l);
}

static int d_laddr_del(void *ctx, const struct xvs_svc_conf *svc, const struct xvs_laddr_conf *l)
{
	return xvs_laddr_del(X(ctx), svc, l);
}

static int d_timeout_set(void *ctx, uint32_t tcp_s, uint32_t tcpfin_s, uint32_t udp_s)
{
	/* nothing to set before the data plane exists: the first service
	 * loads it and the next sync sets them */
	if (!xvs_is_loaded(X(ctx)))
		return 0;
	return xvs_timeout_set(X(ctx), tcp_s, tcpfin_s, udp_s);
}

static int d_flush(void *ctx)
{
	return xvs_is_loaded(X(ctx)) ? xvs_flush(X(ctx)) : 0;
}

static int d_detach(void *ctx)
{
	return xvs_is_loaded(X(ctx)) ? xvs_detach(X(ctx)) : 0;
}

static int d_counters(void *ctx, uint64_t out[XVS_CNT_MAX])
{
	if (!xvs_is_loaded(X(ctx)))
		return -ENOENT;
	return xvs_counters_read(X(ctx), out);
}

static int d_mark_used(void *ctx, uint32_t mark)
{
	struct xvs_mark_rule *r;
	size_t n;
	int err = xvs_mark_rule_list(X(ctx), &r, &n);
	int used = 0;

	if (err)
		return err;
	for (size_t i = 0; i < n && !used; i++)
		used = r[i].mark == mark;
	free(r);
	return used;
}

static const char *d_warning(void *ctx)
{
	return xvs_last_warning(X(ctx));
}

const struct dp_ops dp_xvs_ops = {
	.begin = d_begin,
	.end = d_end,
	.list = d_list,
	.list_free = d_list_free,
	.laddr_list = d_laddr_list,
	.svc_add = d_svc_add,
	.svc_edit = d_svc_edit,
	.svc_del = d_svc_del,
	.dest_add = d_dest_add,
	.dest_edit = d_dest_edit,
	.dest_del = d_dest_del,
	.laddr_add = d_laddr_add,
	.laddr_del = d_laddr_del,
	.timeout_set = d_timeout_set,
	.flush = d_flush,
	.detach = d_detach,
	.counters = d_counters,
	.warning = d_warning,
	.mark_used = d_mark_used,
};
