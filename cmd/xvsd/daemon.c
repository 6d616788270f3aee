// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsd's life (see daemon.h): start (configuration, daemon mode, pid file,
 * adoption of the data plane, checkers), reload on SIGHUP, stop on
 * SIGTERM/SIGINT. The data plane outlives the daemon: stopping, crashing
 * or being killed leaves it forwarding unless lvs_flush_on_stop says
 * otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addrwatch.h"
#include "daemon.h"
#include "metrics.h"
#include "names.h"
#include "notify.h"
#include "probe.h"
#include "reload.h"

#define SYNC_RETRY_US	1000000ULL
#define DRAIN_SWEEP_US	2000000ULL
#define REFUSED_RETRY_US 30000000ULL	/* refusals that may pass by themselves */

/* ---- configuration ---- */

static void log_diags(const struct conf_diags *d)
{
	static const int level[CONF_SEV_MAX] = { LOG_INFO, LOG_WARNING, LOG_ERR };

	for (size_t i = 0; i < d->n; i++) {
		const struct conf_diag *g = &d->v[i];

		log_msg(level[g->sev], "%s:%u:%u: %s", g->file, g->pos.line, g->pos.col, g->msg);
	}
}

/* Prints every diagnostic and a summary; 0 when the file passes -t
 * (no errors and no warnings, as keepalived -t), 1 otherwise. */
static int config_test(const struct xvsd_opts *o)
{
	struct conf_diags d = { 0 };
	struct conf *c = NULL;
	int err, rc;

	err = conf_load(o->conf_path, &o->conf, &c, &d);
	conf_diags_print(&d, stderr);
	if (err == -ENOMEM) {
		fprintf(stderr, "xvsd: out of memory reading %s\n", o->conf_path);
		rc = 1;
	} else {
		rc = err || d.count[CONF_WARNING] ? 1 : 0;
		fprintf(stderr, "%s: %s: %zu error%s, %zu warning%s\n", o->conf_path,
			rc ? "configuration check failed" : "configuration OK",
			d.count[CONF_ERROR], d.count[CONF_ERROR] == 1 ? "" : "s",
			d.count[CONF_WARNING], d.count[CONF_WARNING] == 1 ? "" : "s");
	}
	conf_free(c);
	conf_diags_free(&d);
	return rc;
}

static int load_conf(const struct xvsd_opts *o, struct conf **out)
{
	struct conf_diags d = { 0 };
	int err = conf_load(o->conf_path, &o->conf, out, &d);

	log_diags(&d);
	if (err == -ENOMEM)
		log_err("%s: out of memory reading it", o->conf_path);
	else if (err)
		log_err("%s: %zu error%s", o->conf_path, d.count[CONF_ERROR],
			d.count[CONF_ERROR] == 1 ? "" : "s");
	conf_diags_free(&d);
	return err;
}

static size_t count_rs(const struct rt *rt)
{
	size_t n = 0;

	for (size_t i = 0; i < rt->n_vs; i++)
		n += rt->vs[i]->n_rs;
	return n;
}

/* ---- runtime events ---- */

static void ev_rs_notify(void *ctx, const struct rt_rs *rs)
{
	struct daemon *d = ctx;

	notify_rs(d->notify, rs);
}

static void ev_vs_notify(void *ctx, const struct rt_vs *vs)
{
	struct daemon *d = ctx;

	notify_vs(d->notify, vs);
}

static void ev_dp_dirty(void *ctx)
{
	daemon_sync_soon(ctx);
}

/* ---- the data plane ---- */

static void drain_arm(struct daemon *d);

static void sync_cb(struct loop_timer *t, void *arg)
{
	struct daemon *d = arg;
	int err;

	(void)t;
	d->sync_timer = NULL;
	err = apply_sync(&d->apply, d->rt);
	if (err) {
		if (!d->sync_failing)
			log_err("cannot open the data plane: %s; trying again every second",
				xvs_strerror(err));
		d->sync_failing = true;
		loop_timer_add(d->loop, SYNC_RETRY_US, sync_cb, d, &d->sync_timer);
		return;
	}
	if (d->sync_failing)
		log_info("The data plane can be opened again");
	d->sync_failing = false;
	d->syncs++;
	if (d->apply.have_stale)	/* someone else changed it: look again */
		loop_timer_add(d->loop, SYNC_RETRY_US, sync_cb, d, &d->sync_timer);
	drain_arm(d);
}

void daemon_sync_soon(struct daemon *d)
{
	if (d->sync_timer && !d->sync_failing)
		loop_timer_cancel(d->sync_timer);	/* a delayed look: now instead */
	else if (d->sync_timer)
		return;
	d->sync_timer = NULL;
	if (loop_timer_add(d->loop, 0, sync_cb, d, &d->sync_timer))
		log_err("cannot schedule a data plane update (out of memory)");
}

static void retry_cb(struct loop_timer *t, void *arg)
{
	struct daemon *d = arg;

	(void)t;
	d->retry_timer = NULL;
	if (apply_retry_transient(&d->apply))
		daemon_sync_soon(d);
	loop_timer_add(d->loop, REFUSED_RETRY_US, retry_cb, d, &d->retry_timer);
}

static void drain_cb(struct loop_timer *t, void *arg)
{
	struct daemon *d = arg;
	int n;

	(void)t;
	d->drain_timer = NULL;
	n = apply_drain_sweep(&d->apply);
	if (n > 0)
		daemon_sync_soon(d);
	else if (n < 0)
		log_debug("drain sweep: %s", xvs_strerror(n));
	drain_arm(d);
}

static void drain_arm(struct daemon *d)
{
	if (d->apply.n_drain && !d->drain_timer)
		loop_timer_add(d->loop, DRAIN_SWEEP_US, drain_cb, d, &d->drain_timer);
}

/* ---- ha_suspend ---- */

static bool wants_addrs(const struct rt *rt)
{
	for (size_t i = 0; i < rt->n_vs; i++)
		if (vs_ha_suspends(rt->vs[i]->conf))
			return true;
	return false;
}

/* Checks run unless ha_suspend holds them: VIP not local (or the
 * addresses cannot be watched, then they run regardless). */
static void addrs_apply(void *arg)
{
	struct daemon *d = arg;

	for (size_t i = 0; i < d->rt->n_vs; i++) {
		struct rt_vs *vs = d->rt->vs[i];

		vs_set_ha_active(vs, !vs_ha_suspends(vs->conf) || !d->addrs ||
					     addrwatch_has(d->addrs, &vs->conf->addr));
	}
}

static void addrs_update(struct daemon *d)
{
	if (wants_addrs(d->rt) && !d->addrs &&
	    addrwatch_start(d->loop, addrs_apply, d, &d->addrs))
		log_err("ha_suspend: cannot watch the local addresses; checks run regardless");
	addrs_apply(d);
}

/* ---- reload ---- */

static void on_hup(int signo, void *arg)
{
	struct daemon *d = arg;
	struct conf *nc = NULL;
	struct rt *nr = NULL, *old = d->rt;
	int err;

	(void)signo;
	log_info("Reloading %s (SIGHUP)", d->opts->conf_path);
	err = load_conf(d->opts, &nc);
	if (err) {
		log_err("Reload of %s rejected: the running configuration stays as it is",
			d->opts->conf_path);
		d->reload_failures++;
		d->last_reload_ok = false;
		return;
	}
	if (probe_global_set(&nc->global))
		log_err("%s: the checkers' global settings did not apply (%s); the previous ones stay",
			d->opts->conf_path, probe_global_error());
	if (probe_track_files_init(nc, true))
		log_err("%s: track_file init_file: %s", d->opts->conf_path, probe_global_error());
	err = reload_build(old, nc, &nr);
	if (err) {
		log_err("Reload of %s failed (%s): the running configuration stays as it is",
			d->opts->conf_path, strerror(-err));
		d->reload_failures++;
		d->last_reload_ok = false;
		return;
	}
	apply_reload(&d->apply, old, nr);
	if (!d->notify || notify_changed(d->notify, &nr->conf->global)) {
		notify_close(d->notify);
		notify_open(d->loop, &nr->conf->global, &d->notify);
	} else if (d->notify) {
		notify_set_global(d->notify, &nr->conf->global);
	}
	d->rt = nr;
	rt_free(old);
	if (!wants_addrs(nr)) {
		addrwatch_stop(d->addrs);
		d->addrs = NULL;
	}
	addrs_update(d);
	d->reloads++;
	d->last_reload_ok = true;
	daemon_sync_soon(d);
	log_info("Reloaded %s: %zu virtual servers, %zu real servers", d->opts->conf_path,
		 nr->n_vs, count_rs(nr));
}

static void on_stop(int signo, void *arg)
{
	struct daemon *d = arg;

	log_info("Stopping (%s)", strsignal(signo));
	loop_stop(d->loop);
}

/* ---- stop ---- */

/* keepalived's omega: the down notifiers run as the services go away. */
static void stop_notifies(struct daemon *d)
{
	char r[NAME_LEN], v[NAME_LEN];

	for (size_t i = 0; i < d->rt->n_vs; i++) {
		struct rt_vs *vs = d->rt->vs[i];

		for (size_t k = 0; k < vs->n_rs; k++) {
			struct rt_rs *rs = vs->rs[k];

			if (!rs->alive)
				continue;
			log_info("Shutting down service %s from VS %s",
				 name_rs(vs->conf, &rs->conf->addr, rs->conf->port, r),
				 name_vs(vs->conf, v));
			rs->alive = false;
			if (vs->conf->omega)
				notify_rs(d->notify, rs);
		}
		if (vs->quorum_up && vs->conf->omega) {
			vs->quorum_up = false;
			notify_vs(d->notify, vs);
		}
	}
}

static void stop_all(struct daemon *d)
{
	enum conf_flush_on_stop mode = d->rt->conf->global.lvs_flush_on_stop;
	int err;

	for (size_t i = 0; i < d->rt->n_vs; i++)
		for (size_t k = 0; k < d->rt->vs[i]->n_rs; k++)
			for (size_t j = 0; j < d->rt->vs[i]->rs[k]->n_ck; j++)
				checker_stop(d->rt->vs[i]->rs[k]->ck[j]);
	if (mode == CONF_FLUSH_STOP_NONE) {
		log_info("Leaving the data plane as it is: established and new connections keep being served (lvs_flush_on_stop would remove the services)");
		return;
	}
	stop_notifies(d);
	err = apply_stop(&d->apply, mode);
	if (err)
		log_err("lvs_flush_on_stop: %s", xvs_strerror(err));
	else if (mode == CONF_FLUSH_STOP_ALL)
		log_info("Flushed every service and detached the data plane (lvs_flush_on_stop)");
	else
		log_info("Removed xvsd's services (lvs_flush_on_stop VS)");
}

/* ---- daemon mode and pid file ---- */

/* Forks; the parent waits for the child to say it runs (or why not) and
 * exits with that status, so `xvsd` under systemd Type=forking or an init
 * script fails visibly. Returns the fd the child reports on. */
static int detach(void)
{
	int p[2];
	pid_t pid;
	char st = 1;

	if (pipe2(p, O_CLOEXEC)) {
		log_err("cannot create a pipe: %s", strerror(errno));
		exit(1);
	}
	pid = fork();
	if (pid < 0) {
		log_err("cannot fork: %s", strerror(errno));
		exit(1);
	}
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &st, 1) != 1)
			st = 1;
		_exit(st);
	}
	close(p[0]);
	setsid();
	if (chdir("/")) {
		/* the working directory does not matter past here */
	}
	return p[1];
}

static void report_ready(int *fd, int status)
{
	char st = (char)status;

	if (*fd < 0)
		return;
	if (write(*fd, &st, 1) != 1) {
		/* the parent is gone: nobody to tell */
	}
	close(*fd);
	*fd = -1;
}

static void quiet_stdio(bool keep_console)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	if (!keep_console) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	if (fd > STDERR_FILENO)
		close(fd);
}

/* The pid file is locked while we run: a second xvsd with the same file
 * refuses to start, and a file left by a killed one is taken over. */
static int pidfile_take(const char *path)
{
	char buf[32] = { 0 };
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd < 0) {
		log_err("cannot open pid file %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (read(fd, buf, sizeof(buf) - 1) < 0)
			buf[0] = 0;
		buf[strcspn(buf, "\n")] = 0;
		log_err("xvsd is already running (pid %s, pid file %s)", buf[0] ? buf : "?", path);
		close(fd);
		return -1;
	}
	if (ftruncate(fd, 0) || dprintf(fd, "%d\n", (int)getpid()) < 0) {
		log_err("cannot write pid file %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void pidfile_drop(const char *path, int fd)
{
	if (fd < 0)
		return;
	unlink(path);
	close(fd);
}

/* ---- start ---- */

/* Every check in flight holds a descriptor or two: thousands of checks
 * need more than the usual soft limit of 1024 (keepalived raises it too). */
static void raise_fd_limit(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) || r.rlim_cur >= r.rlim_max)
		return;
	r.rlim_cur = r.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &r))
		log_warn("cannot raise the file descriptor limit: %s", strerror(errno));
}

static int daemon_setup(struct daemon *d, struct conf *conf)
{
	const struct rt_events ev = {
		.ctx = d, .rs_notify = ev_rs_notify, .vs_notify = ev_vs_notify,
		.dp_dirty = ev_dp_dirty,
	};
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct ck_env env;
	int err;

	sigaction(SIGPIPE, &ign, NULL);
	raise_fd_limit();
	err = loop_new(&d->loop);
	if (!err)
		err = loop_signal_add(d->loop, SIGHUP, on_hup, d);
	if (!err)
		err = loop_signal_add(d->loop, SIGTERM, on_stop, d);
	if (!err)
		err = loop_signal_add(d->loop, SIGINT, on_stop, d);
	if (err) {
		log_err("cannot set up the event loop: %s", strerror(-err));
		conf_free(conf);
		return err;
	}
	ck_env_loop(&env, d->loop);
	err = rt_new(conf, &env, &ev, &d->rt);
	if (err) {
		log_err("out of memory");
		conf_free(conf);
		return err;
	}
	d->dpx.opts = d->opts->xvs;
	apply_init(&d->apply, &dp_xvs_ops, &d->dpx);
	if (probe_global_set(&conf->global))
		log_err("%s: the checkers' global settings did not apply: %s", d->opts->conf_path,
			probe_global_error());
	if (probe_track_files_init(conf, false))
		log_err("%s: track_file init_file: %s", d->opts->conf_path, probe_global_error());
	notify_open(d->loop, &conf->global, &d->notify);
	err = apply_start(&d->apply, d->rt);
	if (err)
		log_err("cannot read the data plane at start: %s (its services will be configured as if new)",
			xvs_strerror(err));
	rt_init_states(d->rt);
	addrs_update(d);
	rt_start_checkers(d->rt);
	daemon_sync_soon(d);
	loop_timer_add(d->loop, REFUSED_RETRY_US, retry_cb, d, &d->retry_timer);
	if (d->opts->metrics) {
		err = metrics_start(d, d->opts->metrics, &d->metrics);
		if (err)
			return err;
	}
	return 0;
}

static void daemon_teardown(struct daemon *d)
{
	metrics_stop(d->metrics);
	addrwatch_stop(d->addrs);
	notify_close(d->notify);
	rt_free(d->rt);
	apply_fini(&d->apply);
	probe_global_free();
	loop_free(d->loop);
}

int daemon_main(const struct xvsd_opts *o)
{
	struct daemon d = { .opts = o, .last_reload_ok = true };
	struct conf *conf = NULL;
	int ready_fd = -1, pid_fd, err;

	if (o->test)
		return config_test(o);
	if (load_conf(o, &conf))
		return 1;
	umask(022);	/* keepalived's default: nothing we create is writable by others */
	if (!o->foreground)
		ready_fd = detach();
	log_init(&o->log);
	pid_fd = pidfile_take(o->pidfile);
	if (pid_fd < 0) {
		conf_free(conf);
		report_ready(&ready_fd, 1);
		return 1;
	}
	d.started_us = loop_now_us();
	err = daemon_setup(&d, conf);
	if (err) {
		report_ready(&ready_fd, 1);
		daemon_teardown(&d);
		pidfile_drop(o->pidfile, pid_fd);
		return 1;
	}
	log_info("xvsd %s started (pid %d): %zu virtual servers, %zu real servers from %s",
		 XVSD_VERSION, (int)getpid(), d.rt->n_vs, count_rs(d.rt), o->conf_path);
	report_ready(&ready_fd, 0);
	log_started();
	if (!o->foreground)
		quiet_stdio(o->log.console);
	err = loop_run(d.loop);
	if (err)
		log_err("event loop failed: %s", strerror(-err));
	stop_all(&d);
	daemon_teardown(&d);
	pidfile_drop(o->pidfile, pid_fd);
	log_info("Stopped");
	log_close();
	return err ? 1 : 0;
}
