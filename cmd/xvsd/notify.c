// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Notify scripts and the LVS notify FIFO (see notify.h). The FIFO is
 * opened O_RDWR|O_NONBLOCK, as keepalived does: opening never waits for a
 * reader and a write without one neither blocks nor raises SIGPIPE; a line
 * that does not fit is dropped (and said in the log) rather than stalling
 * the checks. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "names.h"
#include "notify.h"

struct notify {
	struct loop *l;
	char *fifo;			/* NULL: no FIFO */
	char *fifo_user, *fifo_group, *fifo_script;
	char *script_user, *script_group;
	int fd;
	bool created;
	pid_t script_pid;
	bool drop_logged;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

size_t notify_line_rs(char *buf, size_t len, const struct conf_vs *vs, const struct conf_addr *a,
		      uint16_t port, bool up)
{
	char r[NAME_LEN], v[NAME_LEN];
	int n = snprintf(buf, len, "RS %s %s %s\n", name_rs(vs, a, port, r), name_vs(vs, v),
			 up ? "UP" : "DOWN");

	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

size_t notify_line_vs(char *buf, size_t len, const struct conf_vs *vs, bool up)
{
	char v[NAME_LEN];
	int n = snprintf(buf, len, "VS %s %s\n", name_vs(vs, v), up ? "UP" : "DOWN");

	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

/* ---- scripts ---- */

struct script_run {
	char what[96];
};

static void script_exited(struct loop_child *c, pid_t pid, int wstatus, void *arg)
{
	struct script_run *r = arg;

	(void)c;
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus))
		log_info("%s (pid %d) exited with status %d", r->what, (int)pid,
			 WEXITSTATUS(wstatus));
	else if (WIFSIGNALED(wstatus))
		log_info("%s (pid %d) was killed by signal %d", r->what, (int)pid,
			 WTERMSIG(wstatus));
	free(r);
}

static int lookup_ids(const char *user, const char *group, uid_t *uid, gid_t *gid)
{
	struct passwd *pw = getpwnam(user);

	if (!pw)
		return -ENOENT;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (group) {
		struct group *gr = getgrnam(group);

		if (!gr)
			return -ENOENT;
		*gid = gr->gr_gid;
	}
	return 0;
}

/* In the child, before exec: our own process group (so stopping a FIFO
 * script stops what it started), default signals, stdin from /dev/null,
 * the script's identity. */
static void child_setup(bool as_user, uid_t uid, gid_t gid, const char *user)
{
	int fd;

	setpgid(0, 0);
	loop_child_reset_signals();
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		if (fd != STDIN_FILENO)
			close(fd);
	}
	if (as_user && (setgid(gid) || initgroups(user, gid) || setuid(uid)))
		_exit(126);
}

int notify_run(struct loop *l, const char *what, const char *command, const char *arg,
	       const char *user, const char *group, pid_t *pid_out)
{
	struct script_run *r;
	uid_t uid = 0;
	gid_t gid = 0;
	char *cmd = NULL;
	pid_t pid;
	int err;

	if (user && (err = lookup_ids(user, group, &uid, &gid))) {
		log_err("%s: script_user %s%s%s does not exist: not run", what, user,
			group ? ":" : "", group ? group : "");
		return err;
	}
	r = calloc(1, sizeof(*r));
	if (arg && asprintf(&cmd, "%s \"$1\"", command) < 0)
		cmd = NULL;
	if (!r || (arg && !cmd)) {
		free(r);
		free(cmd);
		return -ENOMEM;
	}
	snprintf(r->what, sizeof(r->what), "%s", what);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		log_err("%s: cannot fork: %s", what, strerror(errno));
		free(r);
		free(cmd);
		return err;
	}
	if (pid == 0) {
		child_setup(user != NULL, uid, gid, user);
		if (arg)
			execl("/bin/sh", "sh", "-c", cmd, "xvsd", arg, (char *)NULL);
		else
			execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	log_debug("%s: started '%s' (pid %d)", what, command, (int)pid);
	if (loop_child_add(l, pid, script_exited, r, NULL))
		free(r);	/* reaped anyway by the loop */
	if (pid_out)
		*pid_out = pid;
	return 0;
}

/* ---- the FIFO ---- */

static void fifo_open(struct notify *n)
{
	if (mkfifo(n->fifo, S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH) == 0) {
		n->created = true;
		if (n->fifo_user) {
			uid_t uid;
			gid_t gid;

			if (lookup_ids(n->fifo_user, n->fifo_group, &uid, &gid) ||
			    chown(n->fifo, uid, gid))
				log_warn("cannot give lvs_notify_fifo %s to %s", n->fifo, n->fifo_user);
		}
	} else if (errno != EEXIST) {
		log_err("cannot create lvs_notify_fifo %s: %s", n->fifo, strerror(errno));
		return;
	}
	if (n->fifo_script)
		notify_run(n->l, "lvs_notify_fifo_script", n->fifo_script, n->fifo,
			   n->script_user, n->script_group, &n->script_pid);
	n->fd = open(n->fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (n->fd < 0) {
		log_err("cannot open lvs_notify_fifo %s: %s", n->fifo, strerror(errno));
		if (n->created)
			unlink(n->fifo);
		n->created = false;
		return;
	}
	log_info("Writing LVS notifications to %s", n->fifo);
}

void notify_set_global(struct notify *n, const struct conf_global *g)
{
	free(n->script_user);
	free(n->script_group);
	n->script_user = dup_or_null(g->script_user);
	n->script_group = dup_or_null(g->script_group);
	/* keepalived's default: its script user when there is one */
	if (!n->script_user && getuid() == 0 && getpwnam("keepalived_script"))
		n->script_user = strdup("keepalived_script");
}

int notify_open(struct loop *l, const struct conf_global *g, struct notify **out)
{
	struct notify *n = calloc(1, sizeof(*n));

	*out = n;
	if (!n)
		return -ENOMEM;
	n->l = l;
	n->fd = -1;
	notify_set_global(n, g);
	if (!g->lvs_notify_fifo)
		return 0;
	n->fifo = strdup(g->lvs_notify_fifo);
	n->fifo_user = dup_or_null(g->lvs_notify_fifo_user);
	n->fifo_group = dup_or_null(g->lvs_notify_fifo_group);
	n->fifo_script = dup_or_null(g->lvs_notify_fifo_script);
	if (!n->fifo)
		return -ENOMEM;
	fifo_open(n);
	return 0;
}

bool notify_changed(const struct notify *n, const struct conf_global *g)
{
	return !str_eq(n->fifo, g->lvs_notify_fifo) ||
	       !str_eq(n->fifo_user, g->lvs_notify_fifo_user) ||
	       !str_eq(n->fifo_group, g->lvs_notify_fifo_group) ||
	       !str_eq(n->fifo_script, g->lvs_notify_fifo_script);
}

void notify_close(struct notify *n)
{
	if (!n)
		return;
	if (n->script_pid > 0)
		kill(-n->script_pid, SIGTERM);
	if (n->fd >= 0)
		close(n->fd);
	if (n->created)
		unlink(n->fifo);
	free(n->fifo);
	free(n->fifo_user);
	free(n->fifo_group);
	free(n->fifo_script);
	free(n->script_user);
	free(n->script_group);
	free(n);
}

static void fifo_write(struct notify *n, const char *line, size_t len)
{
	ssize_t w;

	if (!n || n->fd < 0)
		return;
	w = write(n->fd, line, len);
	if (w == (ssize_t)len) {
		n->drop_logged = false;
		return;
	}
	if (!n->drop_logged)
		log_warn("lvs_notify_fifo %s: %s; dropping notifications until it is read", n->fifo,
			 w < 0 ? strerror(errno) : "short write");
	n->drop_logged = true;
}

void notify_rs(struct notify *n, const struct rt_rs *rs)
{
	const char *script = rs->alive ? rs->conf->notify_up : rs->conf->notify_down;
	char line[2 * NAME_LEN + 16];
	size_t len;

	if (script && n)
		notify_run(n->l, rs->alive ? "notify_up" : "notify_down", script, NULL,
			   n->script_user, n->script_group, NULL);
	len = notify_line_rs(line, sizeof(line), rs->vs->conf, &rs->conf->addr, rs->conf->port,
			     rs->alive);
	fifo_write(n, line, len);
}

void notify_vs(struct notify *n, const struct rt_vs *vs)
{
	const char *script = vs->quorum_up ? vs->conf->quorum_up : vs->conf->quorum_down;
	char line[NAME_LEN + 16];
	size_t len;

	if (script && n)
		notify_run(n->l, vs->quorum_up ? "quorum_up" : "quorum_down", script, NULL,
			   n->script_user, n->script_group, NULL);
	len = notify_line_vs(line, sizeof(line), vs->conf, vs->quorum_up);
	fifo_write(n, line, len);
}
