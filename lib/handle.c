// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Opening and closing a namespace's data plane. Users of one namespace are
 * serialised by an flock on /run/xvs/netns-DEV-INO.lock: /run is shared by
 * `ip netns exec` (only /sys is remounted), and the namespace's inode names
 * it uniquely while it exists. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "internal.h"

#define XVS_RUN_DIR "/run/xvs"

/* libbpf prints its diagnostics to stderr by default; a library must not
 * print (we report through return codes), so its output is kept only when
 * XVS_DEBUG is set in the environment. */
static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static int debug = -1;

	if (debug < 0)
		debug = getenv("XVS_DEBUG") != NULL;
	(void)level;
	return debug ? vfprintf(stderr, fmt, ap) : 0;
}

static int netns_lock(void)
{
	char path[128];
	struct stat st;
	int fd;

	if (stat("/proc/self/ns/net", &st))
		return -errno;
	if (mkdir(XVS_RUN_DIR, 0700) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), XVS_RUN_DIR "/netns-%lu-%lu.lock",
		 (unsigned long)st.st_dev, (unsigned long)st.st_ino);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int xvs_open(struct xvs **out, const struct xvs_open_opts *opts)
{
	struct xvs *x = calloc(1, sizeof(*x));
	int err;

	*out = NULL;
	if (!x)
		return -ENOMEM;
	libbpf_set_print(libbpf_quiet);
	for (int m = 0; m < MAP_COUNT; m++)
		x->map_fd[m] = -1;
	x->prog_xdp_fd = x->prog_tc_fd = -1;
	x->neigh_wait_left_ms = XVS_NEIGH_WAIT_MS;
	if (opts) {
		x->opts = *opts;
		if (opts->ifaces) {
			if (strlen(opts->ifaces) >= sizeof(x->ifaces_buf)) {
				free(x);
				return -EINVAL;
			}
			strcpy(x->ifaces_buf, opts->ifaces);
			x->opts.ifaces = x->ifaces_buf;
		}
		if (x->opts.hook >= XVS_HOOK_MAX) {
			free(x);
			return -EINVAL;
		}
	}
	x->lock_fd = netns_lock();
	if (x->lock_fd < 0) {
		err = x->lock_fd;
		free(x);
		return err;
	}
	err = xvs_dp_discover(x);
	if (!err || err == -ENOENT)	/* none yet: an empty model */
		err = xvs_model_load(x);
	if (err) {
		xvs_close(x);
		return err;
	}
	*out = x;
	return 0;
}

void xvs_close(struct xvs *x)
{
	if (!x)
		return;
	xvs_dp_close_fds(x);
	xvs_model_free(x);
	xvs_nl_close(x);
	if (x->lock_fd >= 0)
		close(x->lock_fd);	/* releases the flock */
	free(x);
}

const char *xvs_last_warning(const struct xvs *x)
{
	return x->warning[0] ? x->warning : NULL;
}

const char *xvs_strerror(int err)
{
	switch (err) {
	case -EEXIST:
		return "already exists";
	case -ESRCH:
		return "no such service";
	case -ENOENT:
		return "not found";
	case -EOPNOTSUPP:
		return "not supported by this xvs yet";
	case -EPROTONOSUPPORT:
		return "protocol not supported";
	case -ENOSPC:
		return "table full";
	case -ENODEV:
		return "no interface to attach the data plane to";
	case -EPROTO:
		return "this namespace runs an xvs data plane of another version (xvsadm --detach, then configure again)";
	case -EPERM:
	case -EACCES:
		return "permission denied (you must be root)";
	default:
		return strerror(err < 0 ? -err : err);
	}
}
