// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `xvs-rs up`: validates everything first, then makes the changes a DR, TUN
 * or FULLNAT real server needs, recording each with its "before" value; if a
 * step fails, the steps of this run are undone and the record stays as it
 * was. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rs.h"

#define RS_TUNL0 "tunl0"

/* What one run of up will do, decided before anything changes. */
struct up_plan {
	int lo_ifindex;
	enum rs_hook hook;
	const struct rs_ingress *ingress;		/* tc/xdp hooks: which program */
	char targets[RS_MAX_IFACES][IF_NAMESIZE];	/* interfaces to attach to */
	size_t n_targets;
};

static int print_nat_guidance(void)
{
	puts("xvs-rs: --mode nat needs no change on the real server.\n"
	     "Replies must go back through the director, which rewrites them: make the\n"
	     "director this server's default gateway (or the route to the clients), e.g.\n"
	     "  ip route replace default via DIRECTOR_ADDRESS");
	return RS_EXIT_OK;
}

static bool kernel_has_ipip(void)
{
	if (if_nametoindex(RS_TUNL0))
		return true;
	/* creating an ipip link loads the module where there is one, and
	 * the module brings tunl0 with it */
	return rs_nl_ipip_supported() && if_nametoindex(RS_TUNL0);
}

static bool recorded_attach(struct rs_state *st, const struct rs_ingress *in, const char *ifname)
{
	return rs_state_change(st, rs_ingress_change_kind(in, RS_HOOK_TC), ifname) ||
	       rs_state_change(st, rs_ingress_change_kind(in, RS_HOOK_XDP), ifname);
}

/* Interfaces the packet program goes on, each checked to exist, not to be
 * loopback, and to have our slot free (or ours from an earlier up). */
static int plan_targets(const struct rs_opts *o, struct rs_state *st, struct up_plan *p)
{
	unsigned int flags;
	uint32_t id;
	bool ours;
	int err;

	if (o->n_ifaces) {
		memcpy(p->targets, o->ifaces, sizeof(o->ifaces[0]) * o->n_ifaces);
		p->n_targets = o->n_ifaces;
	} else {
		err = rs_links_up(p->targets, RS_MAX_IFACES, &p->n_targets);
		if (err) {
			rs_err("cannot list interfaces: %s", strerror(-err));
			return err;
		}
		if (!p->n_targets) {
			rs_err("no UP non-loopback interface to receive the director's packets; "
			       "use --iface");
			return -ENODEV;
		}
	}
	for (size_t i = 0; i < p->n_targets; i++) {
		const char *name = p->targets[i];
		int ifindex = if_nametoindex(name);

		if (!ifindex || rs_link_flags(name, &flags)) {
			rs_err("interface '%s' not found in this network namespace", name);
			return -ENODEV;
		}
		if (flags & IFF_LOOPBACK) {
			rs_err("interface '%s' is loopback: the director's packets do not arrive there",
			       name);
			return -EINVAL;
		}
		if (recorded_attach(st, p->ingress, name))
			continue;
		err = rs_ingress_slot(p->ingress, p->hook, ifindex, &id, &ours);
		if (err) {
			rs_err("cannot query %s of '%s': %s", rs_hook_name(p->hook), name,
			       strerror(-err));
			return err;
		}
		if (id) {
			rs_err("interface '%s' already has %s program id %u%s; not replacing it",
			       name, p->hook == RS_HOOK_XDP ? "an XDP" : "a tc", id,
			       ours ? " (an xvs-rs program not recorded here)" : "");
			return -EBUSY;
		}
	}
	return 0;
}

static int plan_up(const struct rs_opts *o, struct rs_state *st, bool fresh, struct up_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->lo_ifindex = if_nametoindex("lo");
	if (!p->lo_ifindex) {
		rs_err("no loopback interface 'lo' in this network namespace");
		return -ENODEV;
	}
	if (!fresh && st->mode != o->mode) {
		rs_err("this network namespace is already prepared for --mode %s; "
		       "run 'xvs-rs down' for its VIPs first", rs_mode_name(st->mode));
		return -EEXIST;
	}
	if (o->mode == RS_MODE_DR) {
		p->hook = RS_HOOK_NONE;
		return 0;
	}
	p->ingress = o->mode == RS_MODE_FULLNAT ? &rs_ingress_toa : &rs_ingress_decap;
	if (!fresh) {
		p->hook = st->hook;
		if (o->hook_given && o->hook != st->hook) {
			rs_err("this network namespace already runs its %s program with %s; "
			       "run 'xvs-rs down' first", p->ingress->what, rs_hook_name(st->hook));
			return -EEXIST;
		}
	} else if (o->mode == RS_MODE_TUN && !o->hook_given && kernel_has_ipip()) {
		p->hook = RS_HOOK_KERNEL;
	} else {
		p->hook = o->hook;
	}
	if (p->hook == RS_HOOK_KERNEL) {
		for (size_t i = 0; i < o->n_ifaces; i++)
			if (!if_nametoindex(o->ifaces[i])) {
				rs_err("interface '%s' not found in this network namespace",
				       o->ifaces[i]);
				return -ENODEV;
			}
		return 0;
	}
	return plan_targets(o, st, p);
}

static int apply_arp(struct rs_state *st)
{
	static const struct { const char *iface, *key; int want; } arp[] = {
		/* answer ARP only for addresses of the asking interface (not
		 * the VIP on lo), and never source ARP from the VIP */
		{ "all", "arp_ignore", 1 }, { "all", "arp_announce", 2 },
		{ "lo", "arp_ignore", 1 }, { "lo", "arp_announce", 2 },
	};
	char path[RS_SYSCTL_LEN];
	int err;

	for (size_t i = 0; i < sizeof(arp) / sizeof(arp[0]); i++) {
		rs_sysctl_conf(path, sizeof(path), arp[i].iface, arp[i].key);
		err = rs_ensure_sysctl(st, path, arp[i].want);
		if (err) {
			rs_err("cannot set %s: %s", path, strerror(-err));
			return err;
		}
	}
	return 0;
}

static int apply_vips(const struct rs_opts *o, struct rs_state *st, const struct up_plan *p)
{
	char addr[INET_ADDRSTRLEN];
	bool present;
	int err;

	for (size_t i = 0; i < o->n_vips; i++) {
		struct rs_vip v = { .addr = o->vips[i] };

		if (rs_state_vip(st, v.addr))
			continue;
		inet_ntop(AF_INET, &v.addr, addr, sizeof(addr));
		if (st->n_vips == XVS_RS_MAX_VIPS) {
			rs_err("cannot add VIP %s: %d VIPs are set up already", addr,
			       XVS_RS_MAX_VIPS);
			return -ENOSPC;
		}
		err = rs_nl_addr_present(p->lo_ifindex, v.addr, &present);
		if (!err && !present) {
			err = rs_nl_addr_add(p->lo_ifindex, v.addr);
			v.added = !err;
		}
		if (err) {
			rs_err("cannot put VIP %s on lo: %s", addr, strerror(-err));
			return err;
		}
		st->vips[st->n_vips++] = v;
	}
	return 0;
}

static int apply_kernel_tunnel(struct rs_state *st)
{
	char path[RS_SYSCTL_LEN];
	int err;

	err = rs_ensure_link_up(st, RS_TUNL0);
	if (!err) {
		rs_sysctl_conf(path, sizeof(path), RS_TUNL0, "rp_filter");
		err = rs_ensure_sysctl(st, path, 0);
	}
	if (!err)
		err = rs_relax_rp_filter(st, "all");
	if (err)
		rs_err("cannot prepare %s: %s", RS_TUNL0, strerror(-err));
	return err;
}

/* Attaches prog_fd on every target not recorded yet, recording each. */
static int attach_targets(struct rs_state *st, const struct up_plan *p, int prog_fd)
{
	struct rs_change c;
	bool created;
	int err;

	for (size_t i = 0; i < p->n_targets; i++) {
		if (recorded_attach(st, p->ingress, p->targets[i]))
			continue;
		if (prog_fd < 0) {
			rs_err("the %s program recorded here is no longer attached anywhere; "
			       "run 'xvs-rs down' first", p->ingress->what);
			return -ENOENT;
		}
		memset(&c, 0, sizeof(c));
		c.kind = rs_ingress_change_kind(p->ingress, p->hook);
		c.ifindex = if_nametoindex(p->targets[i]);
		snprintf(c.name, sizeof(c.name), "%s", p->targets[i]);
		err = rs_ingress_attach(p->ingress, p->hook, c.ifindex, prog_fd, &created);
		if (err) {
			rs_err("cannot attach the %s program (%s) to '%s': %s", p->ingress->what,
			       rs_hook_name(p->hook), c.name, strerror(-err));
			return err;
		}
		c.old = created;
		err = rs_state_add_change(st, &c);
		if (err) {
			rs_change_undo(&c);
			return err;
		}
	}
	return 0;
}

static int apply_decap(struct rs_state *st, const struct up_plan *p, struct rs_decap *d)
{
	int err;

	err = rs_relax_rp_filter(st, "all");
	for (size_t i = 0; !err && i < p->n_targets; i++)
		err = rs_relax_rp_filter(st, p->targets[i]);
	if (err) {
		rs_err("cannot relax rp_filter: %s", strerror(-err));
		return err;
	}
	err = rs_decap_open_from_state(d, st);
	if (err == -ENOENT)
		err = rs_decap_load(d, p->hook);
	if (err) {
		rs_err("cannot load the decapsulator: %s", strerror(-err));
		return err;
	}
	/* VIPs first: the program decapsulates from its first packet on */
	for (size_t i = 0; i < st->n_vips; i++) {
		err = rs_decap_vip_add(d, st->vips[i].addr);
		if (err) {
			rs_err("cannot add a VIP to the decapsulator: %s", strerror(-err));
			return err;
		}
	}
	return attach_targets(st, p, d->prog_fd);
}

/* Attaches the cgroup programs not recorded yet to the cgroup v2 root,
 * after collecting programs left by namespaces that died without down. */
static int attach_cgroup(struct rs_state *st, const struct rs_toa *t)
{
	struct rs_change c;
	size_t collected;
	int cg, err = 0;

	cg = rs_cgroup_root_open();
	if (cg < 0) {
		rs_err("cannot open the cgroup v2 hierarchy: %s", strerror(-cg));
		return cg;
	}
	if (!rs_toa_cgroup_gc(cg, &collected) && collected)
		printf("xvs-rs: detached %zu TOA cgroup program(s) of namespaces that no "
		       "longer exist\n", collected);
	for (int h = 0; !err && h < RS_CG_MAX; h++) {
		memset(&c, 0, sizeof(c));
		c.kind = RS_CH_CGROUP;
		snprintf(c.name, sizeof(c.name), "%s", rs_cgroup_hook_name(h));
		if (rs_state_change(st, RS_CH_CGROUP, c.name))
			continue;
		err = rs_toa_cgroup_attach(t, cg, h, &c.prog_id);
		if (err) {
			rs_err("cannot attach the TOA program to cgroup %s: %s", c.name,
			       strerror(-err));
			break;
		}
		err = rs_state_add_change(st, &c);
		if (err)
			rs_change_undo(&c);
	}
	close(cg);
	return err;
}

/* fullnat: the TOA reader on the interfaces, then on the cgroup (packets
 * fill the map before anything reads it). */
static int apply_toa(struct rs_state *st, const struct up_plan *p, struct rs_toa *t)
{
	int err;

	err = rs_toa_open_from_state(t, st);
	if (err == -ENOENT)
		err = rs_toa_load(t, p->hook, st->netns_cookie);
	if (err) {
		rs_err("cannot load the TOA reader: %s", strerror(-err));
		return err;
	}
	err = attach_targets(st, p, t->ingress_fd);
	if (!err)
		err = attach_cgroup(st, t);
	return err;
}

/* Undoes this run: VIP map entries, recorded changes, addresses. */
static void rollback(struct rs_state *st, size_t n_changes0, size_t n_vips0,
		     const struct up_plan *p, struct rs_decap *d)
{
	while (st->n_vips > n_vips0) {
		const struct rs_vip *v = &st->vips[--st->n_vips];

		if (d->vips_fd >= 0)
			rs_decap_vip_del(d, v->addr);
		if (v->added)
			rs_nl_addr_del(p->lo_ifindex, v->addr);
	}
	if (rs_changes_undo(st, n_changes0))
		rs_err("rollback incomplete: check with 'xvs-rs status'");
}

static void print_done(const struct rs_state *st, const struct up_plan *p)
{
	char addr[INET_ADDRSTRLEN];

	printf("xvs-rs: up --mode %s", rs_mode_name(st->mode));
	if (st->mode == RS_MODE_TUN)
		printf(" (decapsulation: %s)", rs_hook_name(p->hook));
	if (st->mode == RS_MODE_FULLNAT) {
		printf(" (TOA reader: %s on", rs_hook_name(p->hook));
		for (size_t i = 0; i < p->n_targets; i++)
			printf(" %s", p->targets[i]);
		printf("; cgroup getpeername4, getpeername6, sockops)\n");
		return;
	}
	printf(", VIPs:");
	for (size_t i = 0; i < st->n_vips; i++) {
		inet_ntop(AF_INET, &st->vips[i].addr, addr, sizeof(addr));
		printf(" %s", addr);
	}
	putchar('\n');
}

int rs_cmd_up(const struct rs_opts *o)
{
	static struct rs_state st;
	struct rs_decap d = RS_DECAP_INIT;
	struct rs_toa t = RS_TOA_INIT;
	size_t n_changes0, n_vips0;
	struct up_plan p;
	bool fresh;
	int err;

	if (o->mode == RS_MODE_NAT)
		return print_nat_guidance();
	err = rs_state_lock();
	if (err) {
		rs_err("cannot lock /run/xvs: %s", strerror(-err));
		return RS_EXIT_FAIL;
	}
	err = rs_state_load(&st);
	fresh = err == -ENOENT;
	if (err && !fresh) {
		rs_err("cannot read the state file: %s", strerror(-err));
		return RS_EXIT_FAIL;
	}
	if (plan_up(o, &st, fresh, &p))
		return RS_EXIT_FAIL;
	if (fresh) {
		err = rs_netns_cookie(&st.netns_cookie);
		if (err) {
			rs_err("cannot identify the network namespace: %s", strerror(-err));
			return RS_EXIT_FAIL;
		}
		st.mode = o->mode;
		st.hook = p.hook;
	}

	n_changes0 = st.n_changes;
	n_vips0 = st.n_vips;
	if (st.mode == RS_MODE_FULLNAT) {
		err = apply_toa(&st, &p, &t);
	} else {
		err = apply_arp(&st);
		if (!err)
			err = apply_vips(o, &st, &p);
		if (!err && p.hook == RS_HOOK_KERNEL)
			err = apply_kernel_tunnel(&st);
		if (!err && (p.hook == RS_HOOK_TC || p.hook == RS_HOOK_XDP))
			err = apply_decap(&st, &p, &d);
	}
	if (!err) {
		err = rs_state_save(&st);
		if (err)
			rs_err("cannot write the state file: %s", strerror(-err));
	}
	if (err) {
		rollback(&st, n_changes0, n_vips0, &p, &d);
		rs_decap_close(&d);
		rs_toa_close(&t);
		return RS_EXIT_FAIL;
	}
	rs_decap_close(&d);
	rs_toa_close(&t);
	print_done(&st, &p);
	return RS_EXIT_OK;
}
