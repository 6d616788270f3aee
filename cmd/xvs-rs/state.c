// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The record of what `xvs-rs up` changed in one network namespace, kept in
 * /run/xvs (shared by every `ip netns exec`, unlike the remounted /sys) as a
 * small text file named after the namespace's inode:
 *
 *   xvs-rs-state 1
 *   netns_cookie 4097
 *   mode tun
 *   hook tc
 *   vip 10.99.100.1 added            (or "present": was on lo before up)
 *   sysctl net/ipv4/conf/all/arp_ignore 0
 *   link tunl0 0
 *   tc r0 3 1                        (ifindex, clsact created by up)
 *   xdp r0 3 0
 *   toa-tc r0 3 1                    (fullnat: the TOA reader, as tc/xdp)
 *   toa-xdp r0 3 0
 *   cgroup getpeername4 812          (fullnat: program id on the cgroup root)
 *
 * The netns cookie guards against a namespace inode being reused after a
 * namespace died with its record still on disk. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rs.h"

#define RS_STATE_DIR	"/run/xvs"
#define RS_STATE_MAGIC	"xvs-rs-state 1"

static const char *const change_keywords[RS_CH_MAX] = {
	[RS_CH_SYSCTL] = "sysctl",
	[RS_CH_LINK_UP] = "link",
	[RS_CH_TC] = "tc",
	[RS_CH_XDP] = "xdp",
	[RS_CH_TOA_TC] = "toa-tc",
	[RS_CH_TOA_XDP] = "toa-xdp",
	[RS_CH_CGROUP] = "cgroup",
};

int rs_state_path(char *buf, size_t len)
{
	uint64_t dev, ino;
	int err = rs_netns_id(&dev, &ino);

	if (err)
		return err;
	snprintf(buf, len, RS_STATE_DIR "/rs-%" PRIu64 ":%" PRIu64 ".state", dev, ino);
	return 0;
}

int rs_state_lock(void)
{
	int fd;

	if (mkdir(RS_STATE_DIR, 0755) && errno != EEXIST)
		return -errno;
	fd = open(RS_STATE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX)) {
		close(fd);
		return -errno;
	}
	return 0;	/* fd stays open: the lock lasts as long as the process */
}

static int parse_change(struct rs_change *c, const char *kw, const char *rest)
{
	for (int k = 0; k < RS_CH_MAX; k++) {
		if (strcmp(kw, change_keywords[k]))
			continue;
		c->kind = k;
		switch (k) {
		case RS_CH_SYSCTL:
		case RS_CH_LINK_UP:
			return sscanf(rest, "%95s %d", c->name, &c->old) == 2 ? 0 : -EINVAL;
		case RS_CH_CGROUP:
			return sscanf(rest, "%31s %" SCNu32, c->name, &c->prog_id) == 2 ? 0 : -EINVAL;
		default:
			return sscanf(rest, "%15s %d %d", c->name, &c->ifindex, &c->old) == 3 ?
			       0 : -EINVAL;
		}
	}
	return -EINVAL;
}

static int parse_line(struct rs_state *st, const char *line)
{
	char kw[32], a[64], b[16];
	struct rs_vip *v;
	int off = 0;

	if (sscanf(line, "%31s %n", kw, &off) != 1)
		return 0;	/* blank */
	if (!strcmp(kw, "netns_cookie"))
		return sscanf(line + off, "%" SCNu64, &st->netns_cookie) == 1 ? 0 : -EINVAL;
	if (!strcmp(kw, "mode"))
		return sscanf(line + off, "%63s", a) == 1 ? rs_mode_parse(a, &st->mode) : -EINVAL;
	if (!strcmp(kw, "hook"))
		return sscanf(line + off, "%63s", a) == 1 ? rs_hook_parse(a, &st->hook) : -EINVAL;
	if (!strcmp(kw, "vip")) {
		if (st->n_vips == XVS_RS_MAX_VIPS || sscanf(line + off, "%63s %15s", a, b) != 2)
			return -EINVAL;
		v = &st->vips[st->n_vips];
		if (inet_pton(AF_INET, a, &v->addr) != 1)
			return -EINVAL;
		v->added = !strcmp(b, "added");
		st->n_vips++;
		return 0;
	}
	if (st->n_changes == RS_MAX_CHANGES)
		return -EINVAL;
	if (parse_change(&st->changes[st->n_changes], kw, line + off))
		return -EINVAL;
	st->n_changes++;
	return 0;
}

int rs_state_load(struct rs_state *st)
{
	char path[128], line[256];
	uint64_t cookie;
	int err = 0;
	FILE *f;

	memset(st, 0, sizeof(*st));
	err = rs_state_path(path, sizeof(path));
	if (err)
		return err;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f) || strncmp(line, RS_STATE_MAGIC, strlen(RS_STATE_MAGIC)))
		err = -EINVAL;
	while (!err && fgets(line, sizeof(line), f))
		err = parse_line(st, line);
	fclose(f);
	if (err)
		return err;
	err = rs_netns_cookie(&cookie);
	if (err)
		return err;
	if (cookie != st->netns_cookie) {
		/* left by a namespace that no longer exists */
		unlink(path);
		memset(st, 0, sizeof(*st));
		return -ENOENT;
	}
	return 0;
}

static void write_state(FILE *f, const struct rs_state *st)
{
	char addr[INET_ADDRSTRLEN];

	fprintf(f, RS_STATE_MAGIC "\nnetns_cookie %" PRIu64 "\nmode %s\nhook %s\n",
		st->netns_cookie, rs_mode_name(st->mode), rs_hook_name(st->hook));
	for (size_t i = 0; i < st->n_vips; i++) {
		inet_ntop(AF_INET, &st->vips[i].addr, addr, sizeof(addr));
		fprintf(f, "vip %s %s\n", addr, st->vips[i].added ? "added" : "present");
	}
	for (size_t i = 0; i < st->n_changes; i++) {
		const struct rs_change *c = &st->changes[i];

		if (c->kind == RS_CH_SYSCTL || c->kind == RS_CH_LINK_UP)
			fprintf(f, "%s %s %d\n", change_keywords[c->kind], c->name, c->old);
		else if (c->kind == RS_CH_CGROUP)
			fprintf(f, "%s %s %" PRIu32 "\n", change_keywords[c->kind], c->name,
				c->prog_id);
		else
			fprintf(f, "%s %s %d %d\n", change_keywords[c->kind], c->name,
				c->ifindex, c->old);
	}
}

int rs_state_save(const struct rs_state *st)
{
	char path[128], tmp[160];
	int fd, err = 0;
	FILE *f;

	err = rs_state_path(path, sizeof(path));
	if (err)
		return err;
	if (mkdir(RS_STATE_DIR, 0755) && errno != EEXIST)
		return -errno;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	write_state(f, st);
	if (fflush(f) || fsync(fd))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int rs_state_remove(void)
{
	char path[128];
	int err = rs_state_path(path, sizeof(path));

	if (err)
		return err;
	return unlink(path) && errno != ENOENT ? -errno : 0;
}

struct rs_vip *rs_state_vip(struct rs_state *st, uint32_t addr)
{
	for (size_t i = 0; i < st->n_vips; i++)
		if (st->vips[i].addr == addr)
			return &st->vips[i];
	return NULL;
}

struct rs_change *rs_state_change(struct rs_state *st, enum rs_change_kind kind,
				  const char *name)
{
	for (size_t i = 0; i < st->n_changes; i++)
		if (st->changes[i].kind == kind && !strcmp(st->changes[i].name, name))
			return &st->changes[i];
	return NULL;
}

int rs_state_add_change(struct rs_state *st, const struct rs_change *c)
{
	if (st->n_changes == RS_MAX_CHANGES)
		return -ENOSPC;
	st->changes[st->n_changes++] = *c;
	return 0;
}
