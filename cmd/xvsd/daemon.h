/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The daemon: its options, its state, and its life (start, reload on
 * SIGHUP, stop on SIGTERM/SIGINT). Everything runs on one loop. */
#ifndef XVSD_DAEMON_H
#define XVSD_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "apply.h"
#include "conf.h"
#include "dp_xvs.h"
#include "log.h"
#include "loop.h"
#include "vs.h"

#define XVSD_VERSION "0.2"
#define XVSD_DEFAULT_CONF "/etc/keepalived/keepalived.conf"
#define XVSD_DEFAULT_PIDFILE "/run/xvsd.pid"

struct xvsd_opts {
	const char *conf_path;
	struct conf_opts conf;
	bool test;			/* -t */
	bool foreground;		/* -n */
	struct log_opts log;
	const char *pidfile;
	const char *metrics;		/* --metrics [ADDR:]PORT, NULL: off */
	struct xvs_open_opts xvs;	/* --hook, --ifaces */
};

struct notify;
struct metrics;
struct addrwatch;

struct daemon {
	const struct xvsd_opts *opts;
	struct loop *loop;
	struct rt *rt;
	struct apply apply;
	struct dp_xvs dpx;
	struct notify *notify;
	struct metrics *metrics;
	struct addrwatch *addrs;
	struct loop_timer *sync_timer, *drain_timer, *retry_timer;
	bool sync_failing;		/* the last sync could not open the data plane */
	uint64_t started_us;
	uint64_t reloads, reload_failures;
	bool last_reload_ok;
	uint64_t syncs;
};

/* Runs the daemon (or -t); returns the process exit status. */
int daemon_main(const struct xvsd_opts *o);

/* Asks for a sync of the data plane on the loop's next turn. */
void daemon_sync_soon(struct daemon *d);

#endif /* XVSD_DAEMON_H */
