// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Finding a namespace's data plane again, with no pin and no daemon: the
 * programs attached to the namespace's interfaces hold the maps, so we walk
 * the interfaces, recognise our programs by name and open their maps by id.
 * This works under `ip netns exec`, which hides any bpffs mounted under /sys
 * from the next command, and it makes the state live exactly as long as the
 * data plane is attached somewhere in the namespace, like IPVS's tables.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "internal.h"
#include "hooks.h"

/* Program kind by name: XVS_HOOK_XDP for xvs_xdp, XVS_HOOK_TC for xvs_tc. */
static int prog_kind(const struct bpf_prog_info *info)
{
	if (!strcmp(info->name, XVS_PROG_XDP))
		return XVS_HOOK_XDP;
	if (!strcmp(info->name, XVS_PROG_TC))
		return XVS_HOOK_TC;
	return -1;
}

/* Opens program id; on success returns its fd and fills its map ids. */
static int prog_open(uint32_t id, struct bpf_prog_info *info, uint32_t *map_ids, uint32_t max_maps)
{
	uint32_t len = sizeof(*info);
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd < 0)
		return -errno;
	memset(info, 0, sizeof(*info));
	info->nr_map_ids = max_maps;
	info->map_ids = (uint64_t)(unsigned long)map_ids;
	if (bpf_obj_get_info_by_fd(fd, info, &len)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int adopt_maps(struct xvs *x, const uint32_t *ids, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct bpf_map_info info;
		uint32_t len = sizeof(info);
		int fd = bpf_map_get_fd_by_id(ids[i]);
		bool kept = false;

		if (fd < 0)
			return -errno;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			for (int m = 0; m < MAP_COUNT; m++)
				if (x->map_fd[m] < 0 && !strcmp(info.name, xvs_map_names[m])) {
					x->map_fd[m] = fd;
					kept = true;
				}
		if (!kept)
			close(fd);
	}
	for (int m = 0; m < MAP_COUNT; m++)
		if (x->map_fd[m] < 0)
			return -EPROTO;	/* ours by name, but not our layout */
	return 0;
}

static void keep_prog(struct xvs *x, int kind, int fd)
{
	int *slot = kind == XVS_HOOK_XDP ? &x->prog_xdp_fd : &x->prog_tc_fd;

	if (*slot < 0)
		*slot = fd;
	else
		close(fd);
}

/* Looks at one attached program; adopts its maps when it is ours. */
static int try_prog(struct xvs *x, uint32_t id)
{
	uint32_t map_ids[32];
	struct bpf_prog_info info;
	int fd, kind, err;

	fd = prog_open(id, &info, map_ids, XVS_ARRAY_SIZE(map_ids));
	if (fd < 0)
		return fd;
	kind = prog_kind(&info);
	if (kind < 0) {
		close(fd);
		return -ENOENT;
	}
	if (x->map_fd[0] < 0) {
		err = adopt_maps(x, map_ids, info.nr_map_ids < 32 ? info.nr_map_ids : 32);
		if (err) {
			close(fd);
			xvs_dp_close_fds(x);
			return err;
		}
	}
	keep_prog(x, kind, fd);
	return 0;
}

/* Map id of our service table, to recognise sibling programs. */
static uint32_t own_map_id(struct xvs *x)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(x->map_fd[MAP_SVCS], &info, &len))
		return 0;
	return info.id;
}

/* The XDP and tc programs of one load share maps; when only one of them is
 * attached anywhere, find the other among all programs by its maps. */
int xvs_dp_find_sibling(struct xvs *x, int kind)
{
	uint32_t id = 0, want = own_map_id(x);

	while (want && !bpf_prog_get_next_id(id, &id)) {
		uint32_t map_ids[32];
		struct bpf_prog_info info;
		int fd = prog_open(id, &info, map_ids, XVS_ARRAY_SIZE(map_ids));
		bool match = false;

		if (fd < 0)
			continue;
		if (prog_kind(&info) == kind)
			for (uint32_t i = 0; i < info.nr_map_ids && i < 32; i++)
				match |= map_ids[i] == want;
		if (match) {
			keep_prog(x, kind, fd);
			return 0;
		}
		close(fd);
	}
	return -ENOENT;
}

static int check_version(struct xvs *x)
{
	uint32_t zero = 0;

	if (bpf_map_lookup_elem(x->map_fd[MAP_CFG], &zero, &x->cfg))
		return -errno;
	return x->cfg.abi_version == XVS_ABI_VERSION ? 0 : -EPROTO;
}

static int discover_visit(const struct xvs_iface *ifc, enum xvs_hook hook, uint32_t id, void *x)
{
	int err = try_prog(x, id);

	(void)ifc;
	(void)hook;
	return err == -ENOENT ? 0 : err;	/* not ours: look further */
}

int xvs_dp_discover(struct xvs *x)
{
	int err = xvs_hook_each(discover_visit, x);

	if (err)
		return err;
	if (x->map_fd[0] < 0)
		return -ENOENT;
	err = check_version(x);
	return err ? err : xvs_dp_map_counts(x);
}
