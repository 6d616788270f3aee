// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The TOA reader (bpf/xvs_toa.bpf.c) from userspace: load it for one network
 * namespace, attach its cgroup programs to the root of the cgroup v2
 * hierarchy (BPF_PROG_ATTACH with BPF_F_ALLOW_MULTI: the attachment lives
 * with the cgroup, not with a process or a pin), detach exactly the programs
 * up recorded, and collect programs left behind by namespaces that died
 * without `down`. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "rs.h"
#include "xvs_toa.skel.h"

const char *const rs_toa_counter_names[XVS_TOA_CNT_MAX] = {
	[XVS_TOA_CNT_STORED] = "toa_stored",
	[XVS_TOA_CNT_KEPT] = "toa_ignored_known_conn",
	[XVS_TOA_CNT_SYN_FORGOT] = "syn_forgot",
	[XVS_TOA_CNT_NO_TOA] = "tcp_no_toa",
	[XVS_TOA_CNT_BAD_TOA] = "toa_bad_length",
	[XVS_TOA_CNT_BAD_OPTIONS] = "bad_tcp_options",
	[XVS_TOA_CNT_NOT_TCP] = "passed_not_tcp",
	[XVS_TOA_CNT_MALFORMED] = "malformed",
	[XVS_TOA_CNT_MAP_FULL] = "map_full",
	[XVS_TOA_CNT_PEER_REWRITTEN] = "peer_rewritten",
};

/* The cgroup hooks of the reader: record name, attach type, program. */
static const struct {
	const char *name;
	enum bpf_attach_type type;
	const char *prog;
} cg_hooks[RS_CG_MAX] = {
	[RS_CG_PEER4] = { "getpeername4", BPF_CGROUP_INET4_GETPEERNAME, XVS_TOA_PROG_PEER4 },
	[RS_CG_PEER6] = { "getpeername6", BPF_CGROUP_INET6_GETPEERNAME, XVS_TOA_PROG_PEER6 },
	[RS_CG_SOCKOPS] = { "sockops", BPF_CGROUP_SOCK_OPS, XVS_TOA_PROG_SOCKOPS },
};

static const char *const toa_map_names[] = { XVS_TOA_MAP_CONNS, XVS_TOA_MAP_COUNTS };

const char *rs_cgroup_hook_name(enum rs_cgroup_hook h)
{
	return h < RS_CG_MAX ? cg_hooks[h].name : "?";
}

int rs_cgroup_hook_parse(const char *s, enum rs_cgroup_hook *out)
{
	for (int h = 0; h < RS_CG_MAX; h++)
		if (!strcmp(s, cg_hooks[h].name)) {
			*out = h;
			return 0;
		}
	return -EINVAL;
}

static void fd_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void rs_toa_close(struct rs_toa *t)
{
	if (!t)
		return;
	if (t->skel) {
		xvs_toa__destroy(t->skel);	/* owns every fd below */
	} else {
		fd_close(&t->ingress_fd);
		for (int h = 0; h < RS_CG_MAX; h++)
			fd_close(&t->cg_fds[h]);
		fd_close(&t->conns_fd);
		fd_close(&t->counts_fd);
	}
	*t = (struct rs_toa)RS_TOA_INIT;
}

int rs_toa_load(struct rs_toa *t, enum rs_hook hook, uint64_t netns_cookie)
{
	struct xvs_toa *skel;
	int err;

	skel = xvs_toa__open();
	if (!skel)
		return -errno ? -errno : -ENOMEM;
	skel->rodata->xvs_toa_netns_cookie = netns_cookie;
	err = xvs_toa__load(skel);
	if (err) {
		xvs_toa__destroy(skel);
		return err < 0 ? err : -EINVAL;
	}
	t->skel = skel;
	t->ingress_fd = bpf_program__fd(hook == RS_HOOK_XDP ? skel->progs.xvs_toa_xdp :
							      skel->progs.xvs_toa_tc);
	t->cg_fds[RS_CG_PEER4] = bpf_program__fd(skel->progs.xvs_toa_peer4);
	t->cg_fds[RS_CG_PEER6] = bpf_program__fd(skel->progs.xvs_toa_peer6);
	t->cg_fds[RS_CG_SOCKOPS] = bpf_program__fd(skel->progs.xvs_toa_sockops);
	t->conns_fd = bpf_map__fd(skel->maps.xvs_toa_conns);
	t->counts_fd = bpf_map__fd(skel->maps.xvs_toa_counts);
	return 0;
}

/* The packet program of a recorded attachment that is still ours. */
static int ingress_from_state(const struct rs_state *st)
{
	enum rs_hook hook;
	uint32_t id;
	bool ours;

	for (size_t i = 0; i < st->n_changes; i++) {
		const struct rs_change *c = &st->changes[i];

		if (rs_change_ingress(c->kind, &hook) != &rs_ingress_toa)
			continue;
		if ((int)if_nametoindex(c->name) != c->ifindex)
			continue;
		if (!rs_ingress_slot(&rs_ingress_toa, hook, c->ifindex, &id, &ours) && ours)
			return bpf_prog_get_fd_by_id(id);
	}
	return -ENOENT;
}

int rs_toa_open_from_state(struct rs_toa *t, const struct rs_state *st)
{
	int fds[2], prog_fd = -1, err = -ENOENT;

	*t = (struct rs_toa)RS_TOA_INIT;
	t->ingress_fd = ingress_from_state(st);
	if (t->ingress_fd < 0)
		t->ingress_fd = -1;
	/* the maps through any program of the reader still there */
	for (size_t i = 0; i < st->n_changes && err; i++) {
		const struct rs_change *c = &st->changes[i];
		enum rs_cgroup_hook h;

		if (c->kind != RS_CH_CGROUP || rs_cgroup_hook_parse(c->name, &h))
			continue;
		prog_fd = bpf_prog_get_fd_by_id(c->prog_id);
		if (prog_fd < 0)
			continue;
		if (rs_prog_fd_is(prog_fd, cg_hooks[h].prog))
			err = rs_prog_maps(prog_fd, toa_map_names, fds, 2);
		close(prog_fd);
	}
	if (err && t->ingress_fd >= 0)
		err = rs_prog_maps(t->ingress_fd, toa_map_names, fds, 2);
	if (err) {
		rs_toa_close(t);
		return err;
	}
	t->conns_fd = fds[0];
	t->counts_fd = fds[1];
	return 0;
}

int rs_toa_counters(const struct rs_toa *t, uint64_t out[])
{
	return rs_percpu_sums(t->counts_fd, XVS_TOA_CNT_MAX, out);
}

int rs_toa_entries(const struct rs_toa *t, size_t max, size_t *n, size_t max_shown,
		   void (*show)(const struct xvs_toa_key *k, const struct xvs_toa_client *c))
{
	struct xvs_toa_key key, next;
	struct xvs_toa_client c;
	void *prev = NULL;

	*n = 0;
	while (*n < max && !bpf_map_get_next_key(t->conns_fd, prev, &next)) {
		if (show && *n < max_shown && !bpf_map_lookup_elem(t->conns_fd, &next, &c))
			show(&next, &c);
		(*n)++;
		key = next;
		prev = &key;
	}
	return 0;
}

int rs_cgroup_root_open(void)
{
	int fs, mnt, err;

	fs = fsopen("cgroup2", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
		err = -errno;
		close(fs);
		return err;
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
		      MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	err = mnt < 0 ? -errno : mnt;
	close(fs);
	return err;	/* the mount goes away with its last fd */
}

static int prog_id_of(int prog_fd, uint32_t *id)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	*id = info.id;
	return 0;
}

int rs_toa_cgroup_attach(const struct rs_toa *t, int cg_fd, enum rs_cgroup_hook h,
			 uint32_t *prog_id)
{
	int err;

	if (t->cg_fds[h] < 0)
		return -EINVAL;
	err = prog_id_of(t->cg_fds[h], prog_id);
	if (err)
		return err;
	return bpf_prog_attach(t->cg_fds[h], cg_fd, cg_hooks[h].type, BPF_F_ALLOW_MULTI) ?
	       -errno : 0;
}

int rs_toa_cgroup_detach(int cg_fd, enum rs_cgroup_hook h, uint32_t prog_id)
{
	int fd, err = 0;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -errno;	/* detached and freed */
	if (!rs_prog_fd_is(fd, cg_hooks[h].prog))
		err = -ENOENT;		/* the id now names someone else's program */
	else if (bpf_prog_detach2(fd, cg_fd, cg_hooks[h].type))
		err = -errno;
	close(fd);
	return err;
}

/* Ids of the programs attached directly to cg_fd at h (malloc'ed). */
static int cgroup_prog_ids(int cg_fd, enum rs_cgroup_hook h, uint32_t **ids, uint32_t *n)
{
	uint32_t cnt = 0, flags = 0;

	*ids = NULL;
	*n = 0;
	if (bpf_prog_query(cg_fd, cg_hooks[h].type, 0, &flags, NULL, &cnt))
		return -errno;
	if (!cnt)
		return 0;
	*ids = calloc(cnt, sizeof(**ids));
	if (!*ids)
		return -ENOMEM;
	if (bpf_prog_query(cg_fd, cg_hooks[h].type, 0, &flags, *ids, &cnt)) {
		free(*ids);
		*ids = NULL;
		return -errno;
	}
	*n = cnt;
	return 0;
}

int rs_toa_cgroup_attached(int cg_fd, enum rs_cgroup_hook h, uint32_t prog_id, bool *attached)
{
	uint32_t *ids, n;
	int err = cgroup_prog_ids(cg_fd, h, &ids, &n);

	*attached = false;
	for (uint32_t i = 0; !err && i < n; i++)
		*attached |= ids[i] == prog_id;
	free(ids);
	return err;
}

/* Id of the connection map prog_fd uses; 0 if none. */
static uint32_t conns_map_id(int prog_fd)
{
	struct bpf_map_info mi = { 0 };
	__u32 len = sizeof(mi);
	uint32_t id = 0;
	int fd;

	if (rs_prog_maps(prog_fd, toa_map_names, &fd, 1))
		return 0;
	if (!bpf_obj_get_info_by_fd(fd, &mi, &len))
		id = mi.id;
	close(fd);
	return id;
}

/* Whether a TOA packet program using the connection map map_id exists: it
 * exists while attached to an interface of a living namespace. */
static bool packet_program_alive(uint32_t map_id)
{
	uint32_t id = 0;
	bool alive = false;

	while (!alive && !bpf_prog_get_next_id(id, &id)) {
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (rs_prog_fd_is(fd, XVS_TOA_PROG_TC) || rs_prog_fd_is(fd, XVS_TOA_PROG_XDP))
			alive = conns_map_id(fd) == map_id;
		close(fd);
	}
	return alive;
}

int rs_toa_cgroup_gc(int cg_fd, size_t *n_removed)
{
	uint32_t *ids, n;
	int err;

	*n_removed = 0;
	for (int h = 0; h < RS_CG_MAX; h++) {
		err = cgroup_prog_ids(cg_fd, h, &ids, &n);
		if (err)
			return err;
		for (uint32_t i = 0; i < n; i++) {
			int fd = bpf_prog_get_fd_by_id(ids[i]);
			uint32_t map_id;

			if (fd < 0)
				continue;
			if (rs_prog_fd_is(fd, cg_hooks[h].prog)) {
				map_id = conns_map_id(fd);
				if (map_id && !packet_program_alive(map_id) &&
				    !bpf_prog_detach2(fd, cg_fd, cg_hooks[h].type))
					(*n_removed)++;
			}
			close(fd);
		}
		free(ids);
	}
	return 0;
}
