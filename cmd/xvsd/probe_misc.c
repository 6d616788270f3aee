// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* MISC_CHECK (keepalived's check_misc): runs misc_path, split into words
 * the way a shell would ('...', "...", backslash) but without a shell, in
 * its own process group, stdin/stdout/stderr on /dev/null, as the checker's
 * `user`, else the global script_user, else keepalived_script when that
 * user exists (and xvsd is root), else xvsd's own user.
 *
 * Exit 0: up. misc_dynamic and exit 2..255: up with weight exit-2. Any
 * other exit, or a signal: down. After misc_timeout (default delay_loop)
 * the whole group gets SIGTERM, 2 s later SIGKILL, and the check is down.
 * A command that cannot start (not found, not executable, unknown user,
 * insecure under enable_script_security) is down with the reason, which
 * the child passes back through a close-on-exec pipe. */
#define _GNU_SOURCE /* close_range */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe_int.h"

#define MISC_TERM_GRACE_US (2 * 1000000ULL) /* keepalived: SIGTERM, 2 s, SIGKILL */
#define MISC_KILL_WAIT_US  (10 * 1000000ULL)
#define MISC_MSG_MAX	   150

enum misc_stage { MISC_RUNNING, MISC_TERMINATING, MISC_KILLING };

struct probe_misc {
	struct probe p;
	pid_t pid; /* 0 until forked */
	bool exited;
	struct loop_child *watch;
	int errfd; /* read end: why the child could not exec */
	enum misc_stage stage;
	char *words; /* argv's strings */
	char **argv;
};

/* Shell-like words without a shell: blanks separate, '...' is literal,
 * "..." knows \" \\ \$ \`, a backslash outside quotes escapes the next
 * character. No expansion of any kind. */
static int split_words(const char *s, char **words_out, char ***argv_out, const char **why)
{
	size_t len = strlen(s), n = 0;
	char *words = malloc(len + 1), *o = words;
	char **argv = calloc(len / 2 + 2, sizeof(*argv));

	if (!words || !argv) {
		free(words);
		free(argv);
		return -ENOMEM;
	}
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		argv[n++] = o;
		while (*s && *s != ' ' && *s != '\t') {
			char q = *s;

			if (q == '\'' || q == '"') {
				for (s++; *s && *s != q; s++) {
					if (q == '"' && *s == '\\' && s[1] &&
					    strchr("\"\\$`", s[1]))
						s++;
					*o++ = *s;
				}
				if (!*s) {
					*why = "unterminated quote";
					goto fail;
				}
				s++;
			} else if (q == '\\' && s[1]) {
				*o++ = s[1];
				s += 2;
			} else {
				*o++ = *s++;
			}
		}
		*o++ = '\0';
	}
	if (!n) {
		*why = "no command";
		goto fail;
	}
	*words_out = words;
	*argv_out = argv;
	return 0;
fail:
	free(words);
	free(argv);
	return -EINVAL;
}

/* ---- the child, between fork and exec: every failure is written to the
 * pipe for the parent's detail */

static void child_fail(int errfd, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

static void child_fail(int errfd, const char *fmt, ...)
{
	char buf[MISC_MSG_MAX];
	va_list ap;
	ssize_t n;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	n = write(errfd, buf, strlen(buf));
	(void)n;
	_exit(127);
}

static uid_t child_switch_user(int errfd, const char *user, const char *group)
{
	struct passwd *pw = getpwnam(user);
	struct group *gr;
	gid_t gid;

	if (!pw)
		child_fail(errfd, "unknown user %s", user);
	gid = pw->pw_gid;
	if (group) {
		gr = getgrnam(group);
		if (!gr)
			child_fail(errfd, "unknown group %s", group);
		gid = gr->gr_gid;
	}
	if (geteuid() == 0 && initgroups(pw->pw_name, gid) < 0)
		child_fail(errfd, "cannot run as user %s: %s", user, strerror(errno));
	if (setgid(gid) < 0 || setuid(pw->pw_uid) < 0)
		child_fail(errfd, "cannot run as user %s: %s", user, strerror(errno));
	return pw->pw_uid;
}

/* The file the command names, found on PATH the way execvp finds it. */
static bool child_find(const char *cmd, char *out, size_t len)
{
	const char *path = getenv("PATH");

	if (strchr(cmd, '/')) {
		snprintf(out, len, "%s", cmd);
		return true;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(out, len, "%.*s/%s", (int)n, path, cmd);
		if (access(out, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

/* enable_script_security, for a command run as root: neither it nor any
 * directory above it may be writable by anyone but root. */
static void child_check_secure(int errfd, const char *cmd)
{
	char path[PATH_MAX], real[PATH_MAX];

	if (!child_find(cmd, path, sizeof(path)) || !realpath(path, real))
		child_fail(errfd, "cannot execute %s: %s", cmd, strerror(errno ? errno : ENOENT));
	for (;;) {
		struct stat st;
		char *slash;

		if (stat(real, &st) < 0)
			child_fail(errfd, "cannot execute %s: %s: %s", cmd, real, strerror(errno));
		if (st.st_uid != 0 || (st.st_mode & S_IWOTH) ||
		    ((st.st_mode & S_IWGRP) && st.st_gid != 0))
			child_fail(errfd,
				   "%s is insecure (enable_script_security): %s is writable by a "
				   "non-root user",
				   cmd, real);
		slash = strrchr(real, '/');
		if (!slash || (slash == real && !real[1]))
			break;
		slash[slash == real] = '\0'; /* "/usr" -> "/" */
	}
}

static void child_run(const struct probe_misc *m, int errfd, pid_t parent)
	__attribute__((noreturn));

static void child_run(const struct probe_misc *m, int errfd, pid_t parent)
{
	const struct conf_check_misc *cfg = &m->p.t.ck->misc;
	const struct probe_script_settings *g = probe_script_settings();
	const char *user = cfg->user, *group = cfg->group;
	uid_t uid = geteuid();
	int null;

	loop_child_reset_signals();
	setpgid(0, 0);
	null = open("/dev/null", O_RDWR);
	if (null < 0)
		child_fail(errfd, "/dev/null: %s", strerror(errno));
	if (dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		child_fail(errfd, "dup2: %s", strerror(errno));
	if (null > 2)
		close(null);
	if (!user && g->user) {
		user = g->user;
		group = g->group;
	}
	if (!user && uid == 0 && getpwnam("keepalived_script"))
		user = "keepalived_script";
	if (user)
		uid = child_switch_user(errfd, user, group);
	if (g->security && uid == 0)
		child_check_secure(errfd, m->argv[0]);
	/* a script must not outlive xvsd (set after the user switch, which
	 * clears it) */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(127);
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	execvp(m->argv[0], m->argv);
	child_fail(errfd, "cannot execute %s: %s", m->argv[0], strerror(errno));
}

/* ---- the parent */

static void misc_kill(pid_t pid, int sig)
{
	if (kill(-pid, sig) < 0)
		kill(pid, sig);
}

static void misc_release(struct probe *p)
{
	struct probe_misc *m = (struct probe_misc *)p;

	if (m->pid > 0 && !m->exited)
		misc_kill(m->pid, SIGKILL); /* cancelled, or given up on */
	loop_child_cancel(m->watch);
	m->watch = NULL;
	if (m->errfd >= 0)
		close(m->errfd);
	m->errfd = -1;
	free(m->argv);
	free(m->words);
	m->argv = NULL;
	m->words = NULL;
}

static uint64_t misc_timeout_us(const struct probe_target *t)
{
	const struct conf_checker *ck = t->ck;

	return ck->misc.timeout_us     ? ck->misc.timeout_us
	       : ck->eff.delay_loop_us ? ck->eff.delay_loop_us
				       : CONF_DEFAULT_DELAY_LOOP_US;
}

static void misc_exited(struct loop_child *c, pid_t pid, int wstatus, void *arg)
{
	struct probe_misc *m = arg;
	struct probe *p = &m->p;
	char msg[MISC_MSG_MAX + 1], d[32];
	ssize_t n;

	(void)c;
	m->watch = NULL;
	m->exited = true;
	if (m->stage != MISC_RUNNING) {
		misc_kill(pid, SIGKILL); /* what is left of its group */
		probe_down(p, "timeout after %s (%s)",
			   probe_fmt_duration(misc_timeout_us(&p->t), d, sizeof(d)),
			   m->stage == MISC_TERMINATING ? "terminated" : "killed");
		return;
	}
	n = read(m->errfd, msg, MISC_MSG_MAX);
	if (n > 0) {
		msg[n] = '\0';
		probe_down(p, "%s", msg);
		return;
	}
	if (WIFEXITED(wstatus)) {
		int status = WEXITSTATUS(wstatus);

		if (status == 0) {
			probe_up(p, "exited with status 0");
		} else if (p->t.ck->misc.dynamic && status >= 2) {
			p->r.weight = status - 2;
			probe_up(p, "exited with status %d: weight %d", status, status - 2);
		} else {
			probe_down(p, "exited with status %d", status);
		}
		return;
	}
	probe_down(p, "killed by signal %d (%s)", WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
}

static void misc_expired(struct probe *p)
{
	struct probe_misc *m = (struct probe_misc *)p;
	char d[32];

	switch (m->stage) {
	case MISC_RUNNING:
		m->stage = MISC_TERMINATING;
		misc_kill(m->pid, SIGTERM);
		probe_deadline_restart(p, MISC_TERM_GRACE_US);
		return;
	case MISC_TERMINATING:
		m->stage = MISC_KILLING;
		misc_kill(m->pid, SIGKILL);
		probe_deadline_restart(p, MISC_KILL_WAIT_US);
		return;
	case MISC_KILLING:
		/* unkillable (D state): give up waiting; the loop reaps it */
		probe_down(p, "timeout after %s (process %d does not die)",
			   probe_fmt_duration(misc_timeout_us(&p->t), d, sizeof(d)), (int)m->pid);
		return;
	}
}

static int misc_start(struct probe *p)
{
	struct probe_misc *m = (struct probe_misc *)p;
	const char *why = NULL;
	pid_t parent = getpid(), pid;
	char e[96];
	int fds[2], err;

	m->errfd = -1;
	if (!p->t.ck->misc.path)
		return -EINVAL;
	err = split_words(p->t.ck->misc.path, &m->words, &m->argv, &why);
	if (err == -ENOMEM)
		return err;
	if (err) {
		probe_down(p, "misc_path '%s': %s", p->t.ck->misc.path, why);
		return 0;
	}
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
		err = errno;
		probe_unchecked(p, "pipe: %s", probe_strerror(err, e, sizeof(e)));
		return 0;
	}
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(fds[0]);
		close(fds[1]);
		probe_unchecked(p, "fork: %s", probe_strerror(err, e, sizeof(e)));
		return 0;
	}
	if (pid == 0) {
		close(fds[0]);
		child_run(m, fds[1], parent);
	}
	close(fds[1]);
	m->errfd = fds[0];
	m->pid = pid;
	setpgid(pid, pid); /* the child does it too: whoever is first, it is a group */
	err = loop_child_add(p->l, pid, misc_exited, m, &m->watch);
	if (err)
		probe_unchecked(p, "event loop: %s", probe_strerror(-err, e, sizeof(e)));
	return 0;
}

const struct probe_ops probe_misc_ops = {
	.size = sizeof(struct probe_misc),
	.needs = 0,
	.start = misc_start,
	.release = misc_release,
	.expired = misc_expired,
	.timeout_us = misc_timeout_us,
};
