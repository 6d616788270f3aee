// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Making one change and recording how to undo it, and undoing it. A change
 * already recorded by an earlier `up` keeps its original "before" value, so
 * running `up` again never loses what `down` must restore. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rs.h"

int rs_ensure_sysctl(struct rs_state *st, const char *path, int want)
{
	struct rs_change c = { .kind = RS_CH_SYSCTL };
	bool recorded = false;
	int cur, err;

	err = rs_sysctl_get(path, &cur);
	if (err)
		return err;
	if (cur == want)
		return 0;
	if (!rs_state_change(st, RS_CH_SYSCTL, path)) {
		snprintf(c.name, sizeof(c.name), "%s", path);
		c.old = cur;
		err = rs_state_add_change(st, &c);
		if (err)
			return err;
		recorded = true;
	}
	err = rs_sysctl_set(path, want);
	if (err && recorded)
		st->n_changes--;	/* nothing changed: forget the record */
	return err;
}

int rs_relax_rp_filter(struct rs_state *st, const char *iface)
{
	char path[RS_SYSCTL_LEN];
	int cur, err;

	rs_sysctl_conf(path, sizeof(path), iface, "rp_filter");
	err = rs_sysctl_get(path, &cur);
	if (err)
		return err;
	/* Strict mode drops decapsulated packets whose client is routed
	 * through another interface; loose (2) and off (0) let them in. */
	if (cur != 1)
		return 0;
	return rs_ensure_sysctl(st, path, 0);
}

int rs_ensure_link_up(struct rs_state *st, const char *ifname)
{
	struct rs_change c = { .kind = RS_CH_LINK_UP };
	unsigned int flags;
	int err;

	err = rs_link_flags(ifname, &flags);
	if (err || (flags & IFF_UP))
		return err;
	err = rs_link_set_up(ifname, true);
	if (err)
		return err;
	if (rs_state_change(st, RS_CH_LINK_UP, ifname))
		return 0;
	snprintf(c.name, sizeof(c.name), "%s", ifname);
	return rs_state_add_change(st, &c);
}

/* The interface a change names is still the one it was made on. */
static bool same_link(const struct rs_change *c)
{
	return (int)if_nametoindex(c->name) == c->ifindex;
}

static int cgroup_undo(const struct rs_change *c)
{
	enum rs_cgroup_hook h;
	int cg, err;

	if (rs_cgroup_hook_parse(c->name, &h))
		return -EINVAL;
	cg = rs_cgroup_root_open();
	if (cg < 0)
		return cg;
	err = rs_toa_cgroup_detach(cg, h, c->prog_id);
	close(cg);
	return err == -ENOENT ? 0 : err;	/* gone already (e.g. collected) */
}

int rs_change_undo(const struct rs_change *c)
{
	const struct rs_ingress *in;
	enum rs_hook hook;
	int err;

	switch (c->kind) {
	case RS_CH_SYSCTL:
		err = rs_sysctl_set(c->name, c->old);
		return err == -ENOENT ? 0 : err;	/* its interface is gone */
	case RS_CH_LINK_UP:
		err = rs_link_set_up(c->name, false);
		return err == -ENODEV ? 0 : err;
	case RS_CH_CGROUP:
		return cgroup_undo(c);
	default:
		in = rs_change_ingress(c->kind, &hook);
		if (!in)
			return -EINVAL;
		if (!same_link(c))
			return 0;	/* interface gone, and its program with it */
		err = rs_ingress_detach(in, hook, c->ifindex, c->old);
		return err == -ENOENT ? 0 : err;	/* someone removed it already */
	}
}

int rs_changes_undo(struct rs_state *st, size_t from)
{
	int first = 0, err;

	while (st->n_changes > from) {
		const struct rs_change *c = &st->changes[st->n_changes - 1];

		err = rs_change_undo(c);
		if (err && !first)
			first = err;
		st->n_changes--;
	}
	return first;
}
