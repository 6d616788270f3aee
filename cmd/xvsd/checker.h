/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* keepalived's per-checker state machine and the driver that runs it on a
 * clock, one probe attempt at a time.
 *
 * The rules (keepalived 2.2, check_tcp.c/check_api.c):
 * - the first attempt runs BOOTSTRAP (1 s) plus a random part of warmup
 *   after start, so checks of one real server do not all fire together;
 * - a success, or a failure after `retry` further attempts spaced by
 *   delay_before_retry, ends a round; the next round is delay_loop later;
 * - one success brings a checker up; a failure brings it down only at the
 *   end of its round (retry + 1 failures in a row), except before the first
 *   success after start, when one failure is enough;
 * - alpha: the checker starts down, so its real server stays out until a
 *   check passes.
 * The clock, timers, randomness and probes come through struct ck_env, so
 * tests drive all of it with a fake clock and scripted probe results. */
#ifndef XVSD_CHECKER_H
#define XVSD_CHECKER_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "probe.h"

#define CK_BOOTSTRAP_US 1000000ULL	/* keepalived's BOOTSTRAP_DELAY */

struct ck_sm {
	bool is_up;
	bool has_run;		/* a result has been applied since start */
	uint32_t retry_it;	/* failed attempts in this round */
};

/* What one attempt's result means. */
struct ck_step {
	bool report;		/* tell the real server: this checker is now `up` */
	bool up;
	bool retrying;		/* a failure that is not final yet */
	uint64_t next_us;	/* delay to the next attempt */
};

/* Initial state: down with alpha, else up; one failure is enough at first. */
void ck_sm_init(struct ck_sm *sm, const struct conf_timing *eff);
/* Delay from start to the first attempt, rnd uniform in 0..UINT32_MAX. */
uint64_t ck_sm_first_delay_us(const struct conf_timing *eff, uint32_t rnd);
/* One attempt's result. Does not change is_up (the real server does, see
 * vs.h) nor has_run (the caller sets it once the step is applied). */
struct ck_step ck_sm_result(struct ck_sm *sm, const struct conf_timing *eff, bool success);
/* A reload kept this checker with new timings: keepalived's migration of
 * the retry count. */
void ck_sm_migrate(struct ck_sm *sm, const struct conf_timing *eff);

/* ---- the driver ---- */

/* Time, timers, randomness and probes. Timer handles are opaque. */
struct ck_env {
	void *ctx;
	uint64_t (*now_us)(void *ctx);
	/* One-shot timer; NULL on failure. fire(arg) runs once unless
	 * cancelled. */
	void *(*timer_add)(void *ctx, uint64_t delay_us, void (*fire)(void *arg), void *arg);
	void (*timer_cancel)(void *ctx, void *timer);
	uint32_t (*random)(void *ctx);
	int (*probe_start)(void *ctx, const struct probe_target *t, probe_done_cb done, void *arg,
			   struct probe **out);
	void (*probe_cancel)(void *ctx, struct probe *p);
	/* FILE_CHECK: changed(arg) when its file changes; both may be NULL */
	int (*file_watch_add)(void *ctx, const struct conf_checker *ck,
			      void (*changed)(void *arg), void *arg, struct probe_file_watch **out);
	void (*file_watch_cancel)(struct probe_file_watch *w);
};

/* The real loop's clock and the real probes. */
void ck_env_loop(struct ck_env *env, struct loop *l);

struct rt_checker;	/* vs.h */

/* Arms the first attempt (warmup). */
void checker_start(struct rt_checker *c);
/* Cancels its timer and any attempt in flight. */
void checker_stop(struct rt_checker *c);
/* After a reload replaced its settings: an attempt in flight used the old
 * ones, so it is abandoned and made again at once; a waiting timer keeps
 * its deadline. */
void checker_settings_changed(struct rt_checker *c);
/* ha_suspend: a disabled checker keeps its state and skips its attempts. */
void checker_enable(struct rt_checker *c, bool enabled);

#endif /* XVSD_CHECKER_H */
