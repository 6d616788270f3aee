/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* One health-check attempt of one checker against one real server.
 *
 * Split of work: a probe (probe_*.c, one file per checker type, registered
 * by keyword in a table the way keepalived registers checkers) makes ONE
 * attempt, bounded by the checker's connect_timeout (MISC_CHECK: its
 * misc_timeout), and reports success or failure once. Everything about
 * *when* to probe and what a result means (delay_loop, retry,
 * delay_before_retry, warmup, alpha, inhibit_on_failure, quorum, notify) is
 * the daemon's (checker.c), following keepalived's rules.
 *
 * Replies are read with bounded buffers; a probe never blocks the loop. */
#ifndef XVSD_PROBE_H
#define XVSD_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "loop.h"

/* The server a checker looks at: the real server's address and port unless
 * the checker sets connect_ip/connect_port. */
struct probe_target {
	struct conf_addr addr;
	uint16_t port;				/* host order */
	const struct conf_checker *ck;		/* its settings (eff timing resolved) */
	const char *virtualhost;		/* ck->eff_virtualhost */
};

struct probe_result {
	bool up;
	/* MISC_CHECK misc_dynamic / FILE_CHECK dynamic: a new weight for the
	 * real server, else -1 (keepalived: exit 2..255 -> weight exit-2). */
	int64_t weight;
	char detail[160];	/* why, for the log: "connection refused", "HTTP status 500", ... */
};

struct probe;	/* one attempt in flight */
typedef void (*probe_done_cb)(struct probe *p, const struct probe_result *r, void *arg);

/* Starts one attempt; done is called exactly once, later, from the loop
 * (never from inside probe_start). Returns 0 or -errno (nothing started,
 * done not called). */
int probe_start(struct loop *l, const struct probe_target *t, probe_done_cb done, void *arg,
		struct probe **out);
/* Abandons an attempt in flight (done is not called); NULL is fine. */
void probe_cancel(struct probe *p);

/* Global settings some probes need (SSL context of the SSL { } block,
 * script_user for MISC_CHECK); set once before the first probe, and again
 * on reload. */
int probe_global_set(const struct conf_global *g);
void probe_global_free(void);

#endif /* XVSD_PROBE_H */
