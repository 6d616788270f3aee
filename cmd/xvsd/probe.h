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
 * Replies are read with bounded buffers; a probe never blocks the loop.
 * The first probe_start or probe_global_set sets SIGPIPE to SIG_IGN when it
 * is at its default: a server that goes away mid-write must cost an EPIPE,
 * not the daemon (OpenSSL writes with write(2)). The loop must outlive
 * every probe on it. */
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
	/* HTTP_GET/SSL_GET: check only this url (one of ck->http.urls), the
	 * way keepalived walks them one per delay_loop; NULL: every url in
	 * order, each on its own connection with its own connect_timeout,
	 * up only when all pass. */
	const struct conf_url *url;
};

struct probe_result {
	bool up;
	/* MISC_CHECK misc_dynamic / FILE_CHECK dynamic: a new weight for the
	 * real server, else -1 (keepalived: exit 2..255 -> weight exit-2). */
	int64_t weight;
	/* A local failure kept the server from being asked (socket, bind,
	 * fwmark, fork, ...): up is false, but keepalived leaves the state as
	 * it was and tries again after delay_loop ("Rescheduling"). */
	bool unchecked;
	/* FILE_CHECK with a weight: the file's value times the weight (negated
	 * by reverse), which keepalived adds to the real server's configured
	 * weight (summed over its FILE_CHECKs); 0 otherwise. */
	int64_t weight_offset;
	/* HTTP_GET/SSL_GET: the url that failed (NULL when none did). */
	const struct conf_url *failed_url;
	char detail[160];	/* why, for the log: "connection refused", "HTTP status 500", ... */
};

struct probe;	/* one attempt in flight */
typedef void (*probe_done_cb)(struct probe *p, const struct probe_result *r, void *arg);

/* Starts one attempt; done is called exactly once, later, from the loop
 * (never from inside probe_start). Returns 0 or -errno (nothing started,
 * done not called): -EOPNOTSUPP for a checker xvsd does not run
 * (BFD_CHECK: log it once, the checker never changes the state), -EINVAL
 * for a target without an address family or, where one is needed, a
 * port, -ENOMEM. Every other failure is a result.
 *
 * *t is copied, but t->ck, t->url and the strings they point to must stay
 * valid until done has run or the probe was cancelled. The probe is freed
 * when done returns. */
int probe_start(struct loop *l, const struct probe_target *t, probe_done_cb done, void *arg,
		struct probe **out);
/* Abandons an attempt in flight (done is not called): its fds, timers and
 * TLS state are freed, a MISC_CHECK's process group is killed. NULL is
 * fine, and so is calling it from inside done (a no-op then). */
void probe_cancel(struct probe *p);

/* Global settings some probes need (SSL context of the SSL { } block,
 * script_user for MISC_CHECK); set once before the first probe, and again
 * on reload. */
int probe_global_set(const struct conf_global *g);
void probe_global_free(void);
/* Why the last probe_global_set failed (the settings before it stay in
 * force): "SSL certificate /x: No such file or directory", ... */
const char *probe_global_error(void);

/* FILE_CHECK's file, the way keepalived handles track files. */
/* Writes init_file's value into every track_file that has one and does not
 * exist yet (or always, with overwrite, except on reload). Tries them all;
 * returns 0 or the first -errno, its reason in probe_global_error(). */
int probe_track_files_init(const struct conf *c, bool reload);
/* keepalived follows track files with inotify: changed(arg) runs from the
 * loop when the FILE_CHECK's file is written, moved or removed, so the
 * daemon can probe it at once rather than at the next delay_loop. Returns
 * 0 or -errno (-ENOENT: its directory does not exist). */
struct probe_file_watch;
int probe_file_watch_add(struct loop *l, const struct conf_checker *ck, void (*changed)(void *arg),
			 void *arg, struct probe_file_watch **out);
void probe_file_watch_cancel(struct probe_file_watch *w);	/* NULL is fine */

#endif /* XVSD_PROBE_H */
