// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The data plane's lifecycle in a namespace: load it (skeleton), attach it
 * to the interfaces, detach it. Loading happens once per namespace, when the
 * first service is added; afterwards the attached programs own the maps and
 * every process finds them through discover.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "internal.h"
#include "hooks.h"
#include "xvs_dp.skel.h"

#define DEST_CONNS_BYTES	(sizeof(struct xvs_dest_conns) * XVS_MAX_DEST)

int xvs_dp_map_counts(struct xvs *x)
{
	void *p;

	if (x->dest_conns)
		return 0;
	p = mmap(NULL, DEST_CONNS_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED,
		 x->map_fd[MAP_DEST_CONNS], 0);
	if (p == MAP_FAILED)
		return -errno;
	x->dest_conns = p;
	return 0;
}

void xvs_dp_close_fds(struct xvs *x)
{
	if (x->dest_conns)
		munmap(x->dest_conns, DEST_CONNS_BYTES);
	x->dest_conns = NULL;
	for (int m = 0; m < MAP_COUNT; m++) {
		if (x->map_fd[m] >= 0)
			close(x->map_fd[m]);
		x->map_fd[m] = -1;
	}
	if (x->prog_xdp_fd >= 0)
		close(x->prog_xdp_fd);
	if (x->prog_tc_fd >= 0)
		close(x->prog_tc_fd);
	x->prog_xdp_fd = x->prog_tc_fd = -1;
}

static uint32_t prog_id_of(int fd)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	if (fd < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* Is iface in the comma-separated list? */
static bool iface_named(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == len && !strncmp(p, name, n))
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

/* Every named interface must exist. */
static int check_named(const char *list, const struct xvs_iface *ifs, size_t n)
{
	char name[64];

	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		bool found = false;

		if (len == 0 || len >= sizeof(name))
			return -ENODEV;
		memcpy(name, p, len);
		name[len] = 0;
		for (size_t i = 0; i < n; i++)
			found |= !strcmp(ifs[i].name, name);
		if (!found)
			return -ENODEV;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

static int prog_fd_for(struct xvs *x, enum xvs_hook hook)
{
	int kind = hook == XVS_HOOK_TC ? XVS_HOOK_TC : XVS_HOOK_XDP;
	int *fd = kind == XVS_HOOK_TC ? &x->prog_tc_fd : &x->prog_xdp_fd;

	if (*fd < 0)
		xvs_dp_find_sibling(x, kind);
	return *fd;
}

/* bpf_fib_lookup() refuses to route for an ingress interface that does not
 * forward IPv4 (BPF_FIB_LKUP_RET_FWD_DISABLED), so every interface carrying
 * the data plane must forward. Per interface, not net.ipv4.ip_forward: the
 * kernel forwards transit traffic only from the interfaces we attach to. */
static int enable_forwarding(const char *ifname)
{
	char path[96];
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/forwarding", ifname);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	if (fputs("1", f) == EOF)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/* Attaches to one interface with the requested hook; under AUTO a native
 * XDP refusal falls back to tc. */
static int attach_one(struct xvs *x, const struct xvs_iface *ifc)
{
	enum xvs_hook hook = x->opts.hook == XVS_HOOK_AUTO ? xvs_hook_auto_for(ifc) : x->opts.hook;
	int err, fd = prog_fd_for(x, hook);

	if (fd < 0)
		return -ENOENT;
	err = enable_forwarding(ifc->name);
	if (err)
		return err;
	err = xvs_hook_attach(ifc->ifindex, hook, fd);
	if (err && x->opts.hook == XVS_HOOK_AUTO && hook != XVS_HOOK_TC) {
		fd = prog_fd_for(x, XVS_HOOK_TC);
		err = fd < 0 ? -ENOENT : xvs_hook_attach(ifc->ifindex, XVS_HOOK_TC, fd);
	}
	return err;
}

static bool attached_here(struct xvs *x, int ifindex)
{
	uint32_t ids[XVS_HOOK_MAX], xdp = prog_id_of(x->prog_xdp_fd), tc = prog_id_of(x->prog_tc_fd);

	xvs_hook_query(ifindex, ids);
	return (xdp && (ids[XVS_HOOK_XDP] == xdp || ids[XVS_HOOK_XDP_GENERIC] == xdp)) ||
	       (tc && ids[XVS_HOOK_TC] == tc);
}

static bool wanted(const struct xvs *x, const struct xvs_iface *ifc)
{
	if (x->opts.ifaces)
		return iface_named(x->opts.ifaces, ifc->name);
	if (x->cfg.flags & XVS_CFG_F_IFACES_PINNED)
		return false;
	return ifc->up && !ifc->loopback;
}

/* Attaches wherever wanted and missing; returns how many interfaces carry
 * the data plane afterwards, or a negative errno. */
int xvs_dp_attach_all(struct xvs *x)
{
	struct xvs_iface *ifs;
	size_t n, attached = 0;
	int err;

	err = xvs_iface_list(&ifs, &n);
	if (err)
		return err;
	err = check_named(x->opts.ifaces, ifs, n);
	for (size_t i = 0; !err && i < n; i++) {
		if (!wanted(x, &ifs[i]))
			continue;
		if (attached_here(x, ifs[i].ifindex) || !(err = attach_one(x, &ifs[i])))
			attached++;
	}
	free(ifs);
	return err ? err : (int)attached;
}

/* Our two programs, by id, to tell them from anybody else's. */
struct own_progs {
	uint32_t xdp, tc;
	struct xvs_attachment *list;	/* xvs_attachments() only */
	size_t n;
	int first_err;
};

static struct own_progs own_progs_of(struct xvs *x)
{
	return (struct own_progs){ .xdp = prog_id_of(x->prog_xdp_fd), .tc = prog_id_of(x->prog_tc_fd) };
}

static bool is_own(const struct own_progs *o, enum xvs_hook hook, uint32_t id)
{
	return id == (hook == XVS_HOOK_TC ? o->tc : o->xdp);
}

static int detach_visit(const struct xvs_iface *ifc, enum xvs_hook hook, uint32_t id, void *data)
{
	struct own_progs *o = data;
	int err;

	if (!is_own(o, hook, id))
		return 0;
	err = xvs_hook_detach(ifc->ifindex, hook);
	if (err && !o->first_err)
		o->first_err = err;	/* detach everything we can, report the first failure */
	return 0;
}

int xvs_dp_detach_all(struct xvs *x)
{
	struct own_progs o = own_progs_of(x);
	int err = xvs_hook_each(detach_visit, &o);

	return err ? err : o.first_err;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);	/* bpf_ktime_get_ns()'s clock */
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The housekeeping clocks start at load: the first sweep a second later,
 * the estimator's 2 s grid from now. */
static int maint_clocks_start(struct xvs *x)
{
	uint64_t now = monotonic_ns();
	struct xvs_maint m = { .sweep_last_ns = now, .est_last_ns = now, .locality_last_ns = now };
	uint32_t zero = 0;

	return xvs_map_update(x, MAP_MAINT, &zero, &m);
}

int xvs_dp_maint(struct xvs *x, const struct xvs_maint_req *rq)
{
	struct { struct ethhdr eth; struct xvs_maint_req rq; uint8_t pad[32]; } frame;
	int fd = x->prog_xdp_fd >= 0 ? x->prog_xdp_fd : x->prog_tc_fd;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = &frame, .data_size_in = sizeof(frame));

	if (!xvs_is_loaded(x))
		return 0;
	if (fd < 0)
		return -ENOENT;
	memset(&frame, 0, sizeof(frame));
	frame.eth.h_proto = htons(XVS_ETH_P_MAINT);
	frame.rq = *rq;
	return bpf_prog_test_run_opts(fd, &opts) ? -errno : 0;
}

/* Loads a fresh data plane: the skeleton's maps and programs become the
 * handle's (dup'ed fds), the configuration is written, and the programs are
 * attached. On failure nothing stays attached. */
int xvs_dp_load(struct xvs *x)
{
	struct xvs_dp *skel;
	uint32_t conn_max = x->opts.conn_max ? x->opts.conn_max : XVS_CONN_MAX_DEFAULT;
	int err;

	skel = xvs_dp__open();
	if (!skel)
		return -errno ? -errno : -ENOMEM;
	err = bpf_map__set_max_entries(skel->maps.xvs_conns, conn_max);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.xvs_conns_out, conn_max);
	if (!err)
		err = xvs_dp__load(skel);
	if (err)
		goto out;
	for (int m = 0; m < MAP_COUNT; m++) {
		struct bpf_map *map = bpf_object__find_map_by_name(skel->obj, xvs_map_names[m]);

		x->map_fd[m] = map ? dup(bpf_map__fd(map)) : -1;
		if (x->map_fd[m] < 0) {
			err = -ENOENT;
			goto out;
		}
	}
	x->prog_xdp_fd = dup(bpf_program__fd(skel->progs.xvs_xdp));
	x->prog_tc_fd = dup(bpf_program__fd(skel->progs.xvs_tc));
	xvs_cfg_defaults(&x->cfg, conn_max);
	if (x->opts.ifaces)
		x->cfg.flags |= XVS_CFG_F_IFACES_PINNED;
	err = xvs_dp_map_counts(x);
	if (!err)
		err = maint_clocks_start(x);
	if (!err)
		err = xvs_cfg_write(x);
	if (!err) {
		err = xvs_dp_attach_all(x);
		err = err == 0 ? -ENODEV : err < 0 ? err : 0;	/* nowhere to attach */
	}
	if (err)
		xvs_dp_detach_all(x);
out:
	if (err)
		xvs_dp_close_fds(x);
	xvs_dp__destroy(skel);
	return err;
}

bool xvs_is_loaded(const struct xvs *x)
{
	return x && x->map_fd[0] >= 0;
}

int xvs_dp_ensure(struct xvs *x)
{
	int err;

	if (!xvs_is_loaded(x))
		return xvs_dp_load(x);
	/* Interfaces that came up since the data plane was loaded are picked
	 * up once per handle: listing them and querying each one's programs
	 * is a handful of netlink round trips, too many for every line of
	 * a -R of 10,000 services. */
	if (x->ifaces_synced)
		return 0;
	err = xvs_dp_attach_all(x);
	if (err < 0)
		return err;
	x->ifaces_synced = true;
	return 0;
}

int xvs_detach(struct xvs *x)
{
	int err;

	if (!xvs_is_loaded(x))
		return 0;
	err = xvs_dp_detach_all(x);
	if (err)
		return err;
	xvs_dp_close_fds(x);
	return xvs_model_load(x);	/* empty again */
}

static int attachment_visit(const struct xvs_iface *ifc, enum xvs_hook hook, uint32_t id,
			    void *data)
{
	struct own_progs *o = data;
	void *p;

	if (!is_own(o, hook, id))
		return 0;
	p = realloc(o->list, (o->n + 1) * sizeof(*o->list));
	if (!p)
		return -ENOMEM;
	o->list = p;
	memset(&o->list[o->n], 0, sizeof(*o->list));
	memcpy(o->list[o->n].ifname, ifc->name, sizeof(o->list[o->n].ifname));
	o->list[o->n].ifindex = ifc->ifindex;
	o->list[o->n].hook = hook;
	o->n++;
	return 0;
}

int xvs_attachments(struct xvs *x, struct xvs_attachment **out, size_t *count)
{
	struct own_progs o = own_progs_of(x);
	int err = xvs_hook_each(attachment_visit, &o);

	if (err) {
		free(o.list);
		return err;
	}
	*out = o.list;
	*count = o.n;
	return 0;
}
