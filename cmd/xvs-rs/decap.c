// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The BPF decapsulator from userspace: load it, attach it at tc clsact
 * ingress (fixed handle/priority) or native XDP, and find it again later
 * through the program attached to an interface (prog id -> map ids -> maps
 * by name): nothing is pinned, so nothing depends on a bpffs that
 * `ip netns exec` would hide. */
#include <errno.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs.h"
#include "xvs_rs.skel.h"

const char *const rs_counter_names[XVS_RS_CNT_MAX] = {
	[XVS_RS_CNT_DECAP] = "decapsulated",
	[XVS_RS_CNT_PASS_NOT_IPV4] = "passed_not_ipv4",
	[XVS_RS_CNT_PASS_NOT_IPIP] = "passed_not_ipip",
	[XVS_RS_CNT_PASS_FRAGMENT] = "passed_fragment",
	[XVS_RS_CNT_PASS_NOT_VIP] = "passed_not_vip",
	[XVS_RS_CNT_MALFORMED_L2] = "malformed_l2",
	[XVS_RS_CNT_MALFORMED_OUTER] = "malformed_outer",
	[XVS_RS_CNT_MALFORMED_INNER] = "malformed_inner",
	[XVS_RS_CNT_DECAP_FAILED] = "decap_failed",
};

static int fd_close(int fd)
{
	if (fd >= 0)
		close(fd);
	return -1;
}

void rs_decap_close(struct rs_decap *d)
{
	if (!d)
		return;
	if (d->skel) {
		xvs_rs__destroy(d->skel);	/* owns the fds below */
	} else {
		fd_close(d->prog_fd);
		fd_close(d->vips_fd);
		fd_close(d->counters_fd);
	}
	*d = (struct rs_decap)RS_DECAP_INIT;
}

int rs_decap_load(struct rs_decap *d, enum rs_hook hook)
{
	struct xvs_rs *skel;
	int err;

	skel = xvs_rs__open();
	if (!skel)
		return -errno ? -errno : -ENOMEM;
	err = xvs_rs__load(skel);
	if (err) {
		xvs_rs__destroy(skel);
		return err < 0 ? err : -EINVAL;
	}
	d->skel = skel;
	d->prog_fd = bpf_program__fd(hook == RS_HOOK_XDP ? skel->progs.xvs_rs_xdp :
							   skel->progs.xvs_rs_tc);
	d->vips_fd = bpf_map__fd(skel->maps.xvs_rs_vips);
	d->counters_fd = bpf_map__fd(skel->maps.xvs_rs_counters);
	return 0;
}

static void tc_hook_init(struct bpf_tc_hook *h, int ifindex)
{
	memset(h, 0, sizeof(*h));
	h->sz = sizeof(*h);
	h->ifindex = ifindex;
	h->attach_point = BPF_TC_INGRESS;
}

static void tc_opts_init(struct bpf_tc_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	o->handle = RS_TC_HANDLE;
	o->priority = RS_TC_PRIORITY;
}

static int prog_name_is(int prog_fd, const char *want)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return 0;
	return !strcmp(info.name, want);
}

static bool prog_id_is_ours(uint32_t id, enum rs_hook hook)
{
	int fd = bpf_prog_get_fd_by_id(id);
	bool ours;

	if (fd < 0)
		return false;
	ours = prog_name_is(fd, hook == RS_HOOK_XDP ? XVS_RS_PROG_XDP : XVS_RS_PROG_TC);
	close(fd);
	return ours;
}

int rs_decap_slot(enum rs_hook hook, int ifindex, uint32_t *prog_id, bool *ours)
{
	*prog_id = 0;
	*ours = false;
	if (hook == RS_HOOK_XDP) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);
		int err = bpf_xdp_query(ifindex, 0, &q);

		if (err)
			return err;
		*prog_id = q.prog_id ? q.prog_id : q.drv_prog_id ? q.drv_prog_id :
			   q.skb_prog_id ? q.skb_prog_id : q.hw_prog_id;
		/* ours only in the mode we use: a generic-mode copy would need
		 * another detach flag */
		*ours = q.drv_prog_id && prog_id_is_ours(q.drv_prog_id, hook);
	} else {
		struct bpf_tc_hook h;
		struct bpf_tc_opts o;

		libbpf_print_fn_t saved;
		int err;

		tc_hook_init(&h, ifindex);
		tc_opts_init(&o);
		/* an empty slot is an answer, not an error worth libbpf's print */
		saved = libbpf_set_print(NULL);
		err = bpf_tc_query(&h, &o);
		libbpf_set_print(saved);
		if (err)
			return 0;	/* no clsact or no filter at our slot */
		*prog_id = o.prog_id;
		*ours = prog_id_is_ours(o.prog_id, hook);
	}
	return 0;
}

int rs_decap_attach(const struct rs_decap *d, enum rs_hook hook, int ifindex,
		    bool *created_clsact)
{
	*created_clsact = false;
	if (hook == RS_HOOK_XDP)
		return bpf_xdp_attach(ifindex, d->prog_fd,
				      XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);

	struct bpf_tc_hook h;
	struct bpf_tc_opts o;
	int err;

	tc_hook_init(&h, ifindex);
	err = bpf_tc_hook_create(&h);
	if (err && err != -EEXIST)
		return err;
	*created_clsact = !err;
	tc_opts_init(&o);
	o.prog_fd = d->prog_fd;
	err = bpf_tc_attach(&h, &o);	/* no BPF_TC_F_REPLACE: never evicts */
	if (err && *created_clsact) {
		h.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&h);
		*created_clsact = false;
	}
	return err;
}

static int xdp_detach_ours(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	uint32_t id;
	bool ours;
	int err;

	err = rs_decap_slot(RS_HOOK_XDP, ifindex, &id, &ours);
	if (err)
		return err;
	if (!ours)
		return -ENOENT;
	opts.old_prog_fd = bpf_prog_get_fd_by_id(id);
	if (opts.old_prog_fd < 0)
		return -errno;
	/* REPLACE + old fd: the kernel removes it only if it is still ours */
	err = bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE | XDP_FLAGS_REPLACE, &opts);
	close(opts.old_prog_fd);
	return err;
}

int rs_decap_detach(enum rs_hook hook, int ifindex, bool created_clsact)
{
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;
	size_t left = 0;
	uint32_t id;
	bool ours;
	int err;

	if (hook == RS_HOOK_XDP)
		return xdp_detach_ours(ifindex);

	err = rs_decap_slot(hook, ifindex, &id, &ours);
	if (err)
		return err;
	if (!ours)
		return -ENOENT;
	tc_hook_init(&h, ifindex);
	tc_opts_init(&o);
	err = bpf_tc_detach(&h, &o);
	if (err)
		return err;
	if (created_clsact && !rs_nl_tc_filter_count(ifindex, &left) && !left) {
		h.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		err = bpf_tc_hook_destroy(&h);
	}
	return err;
}

/* Finds the decapsulator's maps among the maps prog_fd uses. */
static int maps_of_prog(struct rs_decap *d, int prog_fd)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info), n, *ids;
	int err = 0;

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	n = info.nr_map_ids;
	ids = calloc(n ? n : 1, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = n;
	info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	for (__u32 i = 0; i < n && i < info.nr_map_ids; i++) {
		struct bpf_map_info mi = { 0 };
		__u32 mlen = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &mi, &mlen)) {
			close(fd);
			continue;
		}
		if (!strcmp(mi.name, XVS_RS_MAP_VIPS) && d->vips_fd < 0)
			d->vips_fd = fd;
		else if (!strcmp(mi.name, XVS_RS_MAP_COUNTERS) && d->counters_fd < 0)
			d->counters_fd = fd;
		else
			close(fd);
	}
	if (d->vips_fd < 0 || d->counters_fd < 0)
		err = -ENOENT;
out:
	free(ids);
	return err;
}

int rs_decap_open_attached(struct rs_decap *d, enum rs_hook hook, int ifindex)
{
	uint32_t id;
	bool ours;
	int err;

	*d = (struct rs_decap)RS_DECAP_INIT;
	err = rs_decap_slot(hook, ifindex, &id, &ours);
	if (err)
		return err;
	if (!ours)
		return -ENOENT;
	d->prog_fd = bpf_prog_get_fd_by_id(id);
	if (d->prog_fd < 0)
		return -errno;
	err = maps_of_prog(d, d->prog_fd);
	if (err)
		rs_decap_close(d);
	return err;
}

int rs_decap_vip_add(const struct rs_decap *d, uint32_t addr)
{
	struct xvs_rs_vip v = { 0 };

	return bpf_map_update_elem(d->vips_fd, &addr, &v, BPF_ANY) ? -errno : 0;
}

int rs_decap_vip_del(const struct rs_decap *d, uint32_t addr)
{
	return bpf_map_delete_elem(d->vips_fd, &addr) && errno != ENOENT ? -errno : 0;
}

int rs_decap_vips(const struct rs_decap *d, uint32_t *out, size_t max, size_t *n)
{
	uint32_t key, next;
	void *prev = NULL;

	*n = 0;
	while (*n < max && !bpf_map_get_next_key(d->vips_fd, prev, &next)) {
		out[(*n)++] = next;
		key = next;
		prev = &key;
	}
	return 0;
}

int rs_decap_counters(const struct rs_decap *d, uint64_t out[XVS_RS_CNT_MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (uint32_t k = 0; k < XVS_RS_CNT_MAX; k++) {
		out[k] = 0;
		if (bpf_map_lookup_elem(d->counters_fd, &k, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			out[k] += vals[c];
	}
	free(vals);
	return 0;
}
