/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What keepalived tells the outside world about state changes: the
 * notify_up/notify_down and quorum_up/quorum_down scripts, and the lines
 * of lvs_notify_fifo (with lvs_notify_fifo_script reading it):
 *   "RS [10.0.0.2]:tcp:80 [192.0.2.1]:tcp:80 UP\n"
 *   "VS [192.0.2.1]:tcp:80 DOWN\n"
 * Scripts run as `/bin/sh -c COMMAND` (script_user when set), children of
 * the loop, never waited for. */
#ifndef XVSD_NOTIFY_H
#define XVSD_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "loop.h"
#include "vs.h"

struct notify;

/* Creates the FIFO (if missing; owner from `lvs_notify_fifo FIFO user
 * group`), starts lvs_notify_fifo_script with the FIFO's name as its last
 * argument, opens the FIFO. Problems are logged, never fatal: *out is
 * always set (NULL only on -ENOMEM). */
int notify_open(struct loop *l, const struct conf_global *g, struct notify **out);
/* Stops the FIFO script, closes the FIFO, removes it if we created it. */
void notify_close(struct notify *n);
/* The FIFO and script settings of g differ from n's (reload). */
bool notify_changed(const struct notify *n, const struct conf_global *g);
/* script_user for the scripts started from now on. */
void notify_set_global(struct notify *n, const struct conf_global *g);

void notify_rs(struct notify *n, const struct rt_rs *rs);
void notify_vs(struct notify *n, const struct rt_vs *vs);

/* The FIFO lines, for tests: returns their length (without the NUL). */
size_t notify_line_rs(char *buf, size_t len, const struct conf_vs *vs, const struct conf_addr *a,
		      uint16_t port, bool up);
size_t notify_line_vs(char *buf, size_t len, const struct conf_vs *vs, bool up);

/* Runs COMMAND [ARG] by /bin/sh as user (NULL: ours). 0 or -errno. */
int notify_run(struct loop *l, const char *what, const char *command, const char *arg,
	       const char *user, const char *group, pid_t *pid_out);

#endif /* XVSD_NOTIFY_H */
