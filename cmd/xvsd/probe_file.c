// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* FILE_CHECK (keepalived's check_file and track_file): the track file
 * holds a number (strtol, base 0: 12, -3, 0x10); a missing or empty file
 * is 0, as keepalived treats a file that disappears. With weight 0 (the
 * FILE_CHECK's, else the track_file's, default 1) the server is down when
 * the value is not 0, or, with reverse, when it is 0. With a weight, the
 * value times the weight (negated by reverse) is the offset keepalived adds
 * to the server's configured weight; only a product at or below INT32_MIN
 * is down. A number out of range is ignored, as keepalived does: the state
 * stays (unchecked).
 *
 * Also here: init_file, and an inotify watch so the daemon can check a
 * track file when it changes, as keepalived reacts at once. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe_int.h"

#define FILE_READ_MAX 128 /* keepalived reads 127 bytes */

struct probe_file {
	struct probe p;
};

static void file_release(struct probe *p)
{
	(void)p; /* read at once: nothing held */
}

/* 0 with *value, 1 when the file holds an out-of-range number, -errno */
static int file_read_value(const char *path, int64_t *value)
{
	char buf[FILE_READ_MAX];
	ssize_t n;
	long long v;
	int fd;

	*value = 0;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	errno = 0;
	v = strtoll(buf, NULL, 0);
	if (errno || v < INT32_MIN || v > (long long)INT32_MAX + 1)
		return 1;
	*value = v;
	return 0;
}

static int file_start(struct probe *p)
{
	const struct conf_check_file *cfg = &p->t.ck->file;
	const struct conf_track_file *tf = cfg->track;
	int64_t v, w, s;
	bool reverse;
	char e[96];
	int err;

	if (!tf || !tf->path)
		return -EINVAL;
	err = file_read_value(tf->path, &v);
	if (err < 0) {
		probe_unchecked(p, "%s: %s", tf->path, probe_strerror(-err, e, sizeof(e)));
		return 0;
	}
	if (err) {
		probe_unchecked(p, "%s: number out of range, ignored", tf->path);
		return 0;
	}
	w = cfg->weight ? cfg->weight : tf->weight;
	reverse = cfg->weight ? cfg->reverse : tf->reverse;
	if (!w) {
		if ((v != 0) != reverse)
			probe_down(p, "track_file %s: %lld%s", tf->name, (long long)v,
				   reverse ? " (reverse: 0 is up)" : "");
		else
			probe_up(p, "track_file %s: %lld", tf->name, (long long)v);
		return 0;
	}
	s = v * w * (reverse ? -1 : 1); /* |v|, |w| <= 2^31: no overflow */
	if (s <= INT32_MIN) {
		probe_down(p, "track_file %s: %lld x weight %lld", tf->name, (long long)v,
			   (long long)(reverse ? -w : w));
		return 0;
	}
	p->r.weight_offset = s > INT32_MAX ? INT32_MAX : s;
	probe_up(p, "track_file %s: %lld, weight offset %lld", tf->name, (long long)v,
		 (long long)p->r.weight_offset);
	return 0;
}

const struct probe_ops probe_file_ops = {
	.size = sizeof(struct probe_file),
	.needs = 0,
	.start = file_start,
	.release = file_release,
};

/* ---- init_file */

static int track_file_init(const struct conf_track_file *tf, bool reload)
{
	struct stat st;
	char tmp[PATH_MAX];
	FILE *f;
	int err;

	if (stat(tf->path, &st) == 0) {
		if (!tf->init_overwrite || reload)
			return 0;
		if (!S_ISREG(st.st_mode))
			return -EINVAL;
	}
	/* written aside and renamed: a reader never sees half of it */
	if (snprintf(tmp, sizeof(tmp), "%s.xvsd-init", tf->path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "%d\n", tf->init_value);
	if (fclose(f) != 0 || rename(tmp, tf->path) < 0) {
		err = -errno;
		unlink(tmp);
		return err;
	}
	return 0;
}

int probe_track_files_init(const struct conf *c, bool reload)
{
	int first = 0;

	for (size_t i = 0; i < c->n_track_files; i++) {
		const struct conf_track_file *tf = c->track_files[i];
		char e[96];
		int err;

		if (!tf->init || !tf->path)
			continue;
		err = track_file_init(tf, reload);
		if (err && !first) {
			first = err;
			probe_set_global_error("track_file %s: cannot initialise %s: %s", tf->name,
					       tf->path,
					       err == -EINVAL ? "not a regular file"
							      : probe_strerror(-err, e, sizeof(e)));
		}
	}
	return first;
}

/* ---- watching */

struct probe_file_watch {
	int fd;
	struct loop_fd *w;
	char *name; /* the file's name in its directory */
	void (*changed)(void *arg);
	void *arg;
};

static void watch_readable(struct loop_fd *lw, int fd, uint32_t events, void *arg)
{
	struct probe_file_watch *w = arg;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool hit = false;
	ssize_t n;

	(void)lw;
	(void)events;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			if (ev->len && !strcmp(ev->name, w->name))
				hit = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	if (hit)
		w->changed(w->arg); /* last: it may cancel the watch */
}

int probe_file_watch_add(struct loop *l, const struct conf_checker *ck, void (*changed)(void *arg),
			 void *arg, struct probe_file_watch **out)
{
	const struct conf_track_file *tf = ck->kind == CONF_CHECK_FILE ? ck->file.track : NULL;
	struct probe_file_watch *w;
	char *dir, *slash;
	int err;

	if (!tf || !tf->path || !changed)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	dir = strdup(tf->path);
	if (!w || !dir) {
		free(w);
		free(dir);
		return -ENOMEM;
	}
	slash = strrchr(dir, '/');
	w->name = strdup(slash ? slash + 1 : dir);
	if (slash)
		slash[slash == dir] = '\0'; /* "/f" watches "/" */
	w->changed = changed;
	w->arg = arg;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (!w->name || w->fd < 0) {
		err = w->name ? -errno : -ENOMEM;
		goto fail;
	}
	if (inotify_add_watch(w->fd, slash ? dir : ".",
			      IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE) < 0) {
		err = -errno;
		goto fail;
	}
	err = loop_fd_add(l, w->fd, EPOLLIN, watch_readable, w, &w->w);
	if (err)
		goto fail;
	free(dir);
	*out = w;
	return 0;
fail:
	if (w->fd >= 0)
		close(w->fd);
	free(w->name);
	free(w);
	free(dir);
	return err;
}

void probe_file_watch_cancel(struct probe_file_watch *w)
{
	if (!w)
		return;
	loop_fd_cancel(w->w);
	close(w->fd);
	free(w->name);
	free(w);
}
