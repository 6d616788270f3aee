/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The daemon's runtime model: each virtual server, real server and checker
 * of the configuration with its live state, and keepalived's rules that
 * move it (ipwrapper.c):
 * - a real server is alive when none of its checkers is down; going
 *   alive/dead adds/removes it (inhibit_on_failure: weight 0 instead);
 * - a virtual server has quorum while the weight of its alive real servers
 *   is at least `quorum` (with `hysteresis` either way); losing it brings
 *   in the sorry server and takes the alive real servers out, gaining it
 *   reverses that; quorum_up/quorum_down scripts and FIFO lines follow;
 * - MISC_CHECK/FILE_CHECK dynamic weights replace a server's weight.
 * This file only keeps state and reports changes (struct rt_events); what
 * the data plane should hold follows from the state (rs_dp_weight,
 * sorry_dp_weight) and is applied by apply.c. Owner: struct rt owns its
 * conf and every object below it. */
#ifndef XVSD_VS_H
#define XVSD_VS_H

#include <stdbool.h>
#include <stdint.h>

#include "checker.h"
#include "conf.h"

struct rt;
struct rt_vs;
struct rt_rs;

struct rt_checker {
	struct rt_rs *rs;
	const struct conf_checker *ck;	/* in rt->conf */
	struct ck_sm sm;
	bool enabled;			/* false while ha_suspend holds it */
	void *timer;			/* next attempt */
	struct probe *probe;		/* attempt in flight */
	struct probe_target target;
	int64_t weight_offset;		/* FILE_CHECK: added to the server's weight */
	struct probe_file_watch *watch;	/* FILE_CHECK: its file changed */
	uint64_t attempts, failures;	/* for metrics */
	char detail[160];		/* why the last attempt failed */
};

struct rt_rs {
	struct rt_vs *vs;
	const struct conf_rs *conf;
	struct rt_checker **ck;
	size_t n_ck;
	unsigned n_failed;		/* checkers down */
	bool alive;
	int64_t base_weight;		/* configured, or set by MISC_CHECK misc_dynamic */
	bool weight_dynamic;		/* ... the latter */
	int64_t weight;			/* effective: base + FILE_CHECK offsets, 0.. */
	uint64_t changed_us;		/* last alive change (0: none yet) */
};

struct rt_vs {
	struct rt *rt;
	const struct conf_vs *conf;
	struct rt_rs **rs;
	size_t n_rs;
	bool quorum_up;
	bool sorry_alive;		/* sorry server in the pool */
	bool ha_active;			/* ha_suspend: the VIP is local */
};

/* Side effects of state changes, beyond the log (vs.c logs). */
struct rt_events {
	void *ctx;
	void (*rs_notify)(void *ctx, const struct rt_rs *rs);	/* alive changed */
	void (*vs_notify)(void *ctx, const struct rt_vs *vs);	/* quorum changed */
	void (*dp_dirty)(void *ctx);	/* the data plane should change */
};

struct rt {
	struct conf *conf;		/* owned */
	struct rt_vs **vs;
	size_t n_vs;
	struct ck_env env;
	struct rt_events ev;
};

/* Builds the runtime of conf (taking ownership of it) in its initial
 * state: checkers per ck_sm_init, nothing alive yet. 0 or -ENOMEM (then
 * conf is still the caller's). */
int rt_new(struct conf *conf, const struct ck_env *env, const struct rt_events *ev,
	   struct rt **out);
void rt_free(struct rt *rt);	/* stops checkers; NULL is fine */

/* Adoption at start: the data plane already holds this real server (at
 * weight `dp_weight`, < 0: absent) in a service xvsd keeps. A server
 * serving at a non-zero weight starts alive (even under alpha) with that
 * weight; one absent, or at 0 when configured above 0, starts as failed and
 * needs a passing check to come back. Call before rt_init_states. */
void rs_adopt(struct rt_rs *rs, int64_t dp_weight);

/* keepalived's init_services: real servers without a failed checker become
 * alive, then each virtual server's quorum (gaining it runs quorum_up;
 * starting without it brings in the sorry server). */
void rt_init_states(struct rt *rt);
void rt_start_checkers(struct rt *rt);

/* A checker's verdict (keepalived's update_svr_checker_state). */
void rs_checker_result(struct rt_checker *c, bool up);
/* A dynamic weight from a checker (update_svr_wgt). */
void rs_set_weight(struct rt_rs *rs, int64_t weight);
/* A FILE_CHECK's offset to the weight (keepalived sums them over the
 * server's FILE_CHECKs and adds them to its configured weight). */
void rs_set_weight_offset(struct rt_checker *c, int64_t offset);
/* The effective weight from base and offsets, applied (logged) if it
 * changed. */
void rs_weigh(struct rt_rs *rs);
/* After its checkers changed (reload): bring the server up when none is
 * down any more, down when one is. */
void rs_recount(struct rt_rs *rs);
/* keepalived's update_quorum_state; init: at start or after a reload. */
void vs_update_quorum(struct rt_vs *vs, bool init);

/* ha_suspend: the VIP of vs is (not) a local address now. Only a
 * virtual server by address can be suspended (keepalived refuses it with
 * fwmarks; a group has no one VIP). */
void vs_set_ha_active(struct rt_vs *vs, bool active);
bool vs_ha_suspends(const struct conf_vs *vs);

uint64_t vs_alive_weight(const struct rt_vs *vs);
/* What the data plane should hold: the weight, or -1 for "absent". */
int64_t rs_dp_weight(const struct rt_rs *rs);
int64_t sorry_dp_weight(const struct rt_vs *vs);

/* Building blocks for reload.c: an empty virtual server, a real server
 * (with fresh checkers, or none), a checker; the probe target of a checker
 * from its settings; the number of its checkers that are down. */
struct rt_vs *rt_vs_new(struct rt *rt, const struct conf_vs *conf);
void rt_vs_free(struct rt_vs *vs);
struct rt_rs *rt_rs_new(struct rt_vs *vs, const struct conf_rs *conf, bool with_checkers);
void rt_rs_free(struct rt_rs *rs);
struct rt_checker *rt_checker_new(struct rt_rs *rs, const struct conf_checker *ck);
void rt_checker_free(struct rt_checker *c);
void rt_checker_target(struct rt_checker *c);
unsigned rs_count_failed(const struct rt_rs *rs);

/* Lookups for reload and adoption. */
struct rt_vs *rt_find_vs(const struct rt *rt, const struct conf_vs *like);
struct rt_rs *vs_find_rs(const struct rt_vs *vs, const struct conf_rs *like);
bool rs_same(const struct conf_rs *a, const struct conf_rs *b);

#endif /* XVSD_VS_H */
