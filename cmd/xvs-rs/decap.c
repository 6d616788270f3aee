// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The BPF decapsulator from userspace: load it, attach it (ingress.c: tc
 * clsact ingress at a fixed handle/priority, or native XDP), and find it
 * again later through the program attached to an interface (prog id -> map
 * ids -> maps by name): nothing is pinned, so nothing depends on a bpffs
 * that `ip netns exec` would hide. */
#include <errno.h>
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

int rs_decap_open_attached(struct rs_decap *d, enum rs_hook hook, int ifindex)
{
	static const char *const names[] = { XVS_RS_MAP_VIPS, XVS_RS_MAP_COUNTERS };
	int fds[2];
	uint32_t id;
	bool ours;
	int err;

	*d = (struct rs_decap)RS_DECAP_INIT;
	err = rs_ingress_slot(&rs_ingress_decap, hook, ifindex, &id, &ours);
	if (err)
		return err;
	if (!ours)
		return -ENOENT;
	d->prog_fd = bpf_prog_get_fd_by_id(id);
	if (d->prog_fd < 0)
		return -errno;
	err = rs_prog_maps(d->prog_fd, names, fds, 2);
	d->vips_fd = fds[0];
	d->counters_fd = fds[1];
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
	return rs_percpu_sums(d->counters_fd, XVS_RS_CNT_MAX, out);
}
