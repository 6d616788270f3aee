/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The data plane's housekeeping, driven by its own packets: IPVS runs a
 * timer per connection and an estimator every 2 s; xvs has no timer that
 * outlives the process that armed it (a bpf_timer is cancelled when the
 * last user-space reference to its map goes, and cannot be armed again
 * from the data plane after that), so the first packet after a deadline
 * does the work instead:
 *   - every cfg.maint_interval_ms (default 1 s) a sweep removes the
 *     expired entries of xvs_conns, both halves of two-way connections,
 *     and takes them out of their real servers' counts, so the counts the
 *     schedulers read are never more than one interval late;
 *   - on the 2 s grid of IPVS's estimator, every service's and real
 *     server's rates are advanced, the period's traffic being exactly what
 *     came before that first packet (nothing later could have arrived
 *     without being that packet);
 *   - once a minute, lblc/lblcr entries idle past IPVS's expiry go.
 * A sweep walks the whole table in the packet's softirq: about 100 ns per
 * entry, so its interval grows with its cost (maint_gap()). User space
 * does not force one: libxvs walks the table itself and asks the data
 * plane (a test run of the program with an XVS_ETH_P_MAINT frame) to remove
 * the expired entries it found, one by one, so an idle director lists exact
 * counts without stalling a CPU. Exactly one CPU runs each job: it claims
 * the deadline with a compare-and-swap. */
#ifndef XVS_BPF_MAINT_H
#define XVS_BPF_MAINT_H

#define XVS_EST_INLINE static __always_inline
#include "xvs/est.h"

#include "conn.h"
#include "stats.h"

/* A full table is swept at most this often whatever the interval. */
#define RECLAIM_GAP_NS		(1000ull * 1000 * 1000)
/* ip_vs_lblc.c / ip_vs_lblcr.c: the periodic check, the expiry of an
 * unused entry, and the shorter one once the table is 3/4 full (IPVS: more
 * than max_size entries in the service's table). */
#define LOCALITY_CHECK_NS	(60ull * SEC_NS)
#define LOCALITY_EXPIRE_NS	(24ull * 60 * 60 * SEC_NS)
#define LOCALITY_PRESSURE_NS	(6ull * 60 * SEC_NS)
/* Per-CPU values summed for the estimator: beyond the machine's CPUs the
 * lookup fails and the walk stops. */
#define EST_MAX_CPUS		4096

enum maint_why {
	MAINT_PACKET,		/* a packet: every job whose deadline passed */
	MAINT_TABLE_FULL,	/* an insert found the table full: sweep now if allowed */
	MAINT_FORCE,		/* user space asks: sweep now */
};

/* ---- sweep ---------------------------------------------------------------- */

struct sweep_ctx {
	const struct xvs_cfg *cfg;
	struct xvs_maint *m;
	__u64 now;
};

static long sweep_one(void *map, struct xvs_conn_key *k, struct xvs_conn *c,
		      struct sweep_ctx *s)
{
	struct xvs_conn_key key;

	(void)map;
	s->m->sweep_seen++;	/* one CPU sweeps: no atomic needed */
	if (conn_is_live(c, s->cfg, s->now))
		return 0;
	key = *k;	/* conn_remove() takes writable memory; a map key is not */
	if (!conn_remove(&key, s->now))
		return 0;
	count(XVS_CNT_CONN_EXPIRED);
	__sync_fetch_and_add(&s->m->sweep_freed, 1);
	return 0;
}

static __always_inline void sweep(const struct xvs_cfg *cfg, struct xvs_maint *m, __u64 now)
{
	struct sweep_ctx s = { .cfg = cfg, .m = m, .now = now };

	m->sweep_seen = 0;
	m->sweep_freed = 0;
	bpf_for_each_map_elem(&xvs_conns, sweep_one, &s, 0);
	m->sweep_ns = bpf_ktime_get_ns() - now;
	count(XVS_CNT_MAINT_SWEEPS);
}

/* ---- rate estimator ----------------------------------------------------------- */

struct est_ctx {
	void *stats_map;	/* &xvs_svc_stats or &xvs_dest_stats */
	__u32 idx;
	__u32 periods;		/* periods ended since the last run */
	struct xvs_stats sum;
};

static long est_add_cpu(__u32 cpu, struct est_ctx *e)
{
	struct xvs_stats *s = bpf_map_lookup_percpu_elem(e->stats_map, &e->idx, cpu);

	if (!s)
		return 1;
	e->sum.conns += s->conns;
	e->sum.inpkts += s->inpkts;
	e->sum.outpkts += s->outpkts;
	e->sum.inbytes += s->inbytes;
	e->sum.outbytes += s->outbytes;
	return 0;
}

struct est_idle_ctx {
	struct xvs_est *est;
};

static long est_idle_one(__u32 i, struct est_idle_ctx *x)
{
	(void)i;
	xvs_est_idle_period(x->est);
	return 0;
}

/* The first period gets all traffic since the last run, the others none. */
static __always_inline void est_advance(struct est_ctx *e, struct xvs_est *est)
{
	struct est_idle_ctx x = { .est = est };
	__u32 idle = e->periods - 1;

	__builtin_memset(&e->sum, 0, sizeof(e->sum));
	bpf_loop(EST_MAX_CPUS, est_add_cpu, e, 0);
	xvs_est_period(est, &e->sum);
	if (idle)
		bpf_loop(idle < XVS_EST_IDLE_PERIODS ? idle : XVS_EST_IDLE_PERIODS,
			 est_idle_one, &x, 0);
}

static long est_svc_one(void *map, __u32 *idx, struct xvs_svc *svc, struct est_ctx *e)
{
	struct xvs_est *est;

	(void)map;
	if (!(svc->flags & XVS_SVC_F_IN_USE))
		return 0;
	est = bpf_map_lookup_elem(&xvs_svc_est, idx);
	if (!est)
		return 0;
	e->idx = *idx;
	est_advance(e, est);
	return 0;
}

static long est_dest_one(void *map, __u32 *idx, struct xvs_dest *d, struct est_ctx *e)
{
	struct xvs_est *est;

	(void)map;
	if (!(d->flags & XVS_DEST_F_IN_USE))
		return 0;
	est = bpf_map_lookup_elem(&xvs_dest_est, idx);
	if (!est)
		return 0;
	e->idx = *idx;
	est_advance(e, est);
	return 0;
}

static __always_inline void est_run(__u32 periods)
{
	struct est_ctx e = { .stats_map = &xvs_svc_stats, .periods = periods };

	bpf_for_each_map_elem(&xvs_svc_info, est_svc_one, &e, 0);
	e.stats_map = &xvs_dest_stats;
	bpf_for_each_map_elem(&xvs_dests, est_dest_one, &e, 0);
}

/* ---- lblc/lblcr expiry -------------------------------------------------------------- */

struct locality_ctx {
	struct xvs_maint *m;
	__u64 now, idle_ns;
};

static long locality_one(void *map, struct xvs_locality_key *k, struct xvs_locality *l,
			 struct locality_ctx *x)
{
	(void)map;
	if (ns_since(x->now, READ_ONCE_U64(l->lastuse_ns)) <= x->idle_ns ||
	    bpf_map_delete_elem(&xvs_locality, k))
		__sync_fetch_and_add(&x->m->locality_entries, 1);
	return 0;
}

/* Also recounts the entries (libxvs removes a service's entries too). */
static __always_inline void locality_expire(struct xvs_maint *m, __u64 now)
{
	struct locality_ctx x = { .m = m, .now = now, .idle_ns = LOCALITY_EXPIRE_NS };

	if (m->locality_entries > XVS_LOCALITY_MAX / 4 * 3)
		x.idle_ns = LOCALITY_PRESSURE_NS;
	m->locality_entries = 0;
	bpf_for_each_map_elem(&xvs_locality, locality_one, &x, 0);
}

/* ---- the jobs, claimed by deadline ----------------------------------------------------- */

/* Claims the job whose clock is *last if gap has passed: true for the one
 * CPU whose swap moved the clock to now. */
static __always_inline bool maint_claim(__u64 *last, __u64 now, __u64 gap)
{
	__u64 was = READ_ONCE_U64(*last);

	return ns_since(now, was) >= gap && __sync_val_compare_and_swap(last, was, now) == was;
}

/* The estimator's clock stays on its 2 s grid: it ends the periods that
 * have passed, not a period at now. */
static __always_inline void maint_est(struct xvs_maint *m, __u64 now)
{
	__u64 was = READ_ONCE_U64(m->est_last_ns), periods, end;

	if (ns_since(now, was) < XVS_EST_TICK_NS)
		return;
	periods = (now - was) / XVS_EST_TICK_NS;
	end = was + periods * XVS_EST_TICK_NS;
	if (__sync_val_compare_and_swap(&m->est_last_ns, was, end) != was)
		return;
	est_run(periods > XVS_EST_IDLE_PERIODS ? XVS_EST_IDLE_PERIODS : (__u32)periods);
}

/* The sweep's interval: the configured one, but at least
 * XVS_MAINT_DUTY_FACTOR times the last sweep's duration (a walk costs about
 * 100 ns per entry: 0.1 s for a million), so sweeping takes at most 1/20 of
 * a CPU, and the counts are at most one interval late. */
static __always_inline __u64 maint_gap(const struct xvs_cfg *cfg, const struct xvs_maint *m)
{
	__u64 gap = (cfg->maint_interval_ms ? cfg->maint_interval_ms : XVS_MAINT_INTERVAL_MS) *
		    1000000ull;
	__u64 duty = READ_ONCE_U64(m->sweep_ns) * XVS_MAINT_DUTY_FACTOR;

	return duty > gap ? duty : gap;
}

/* A request from user space: remove the entry of key if it has expired
 * (libxvs walks the table itself, out of the packet path, and names the
 * dead entries it finds; the removal stays here, where the counts are).
 * A global function: checked once. */
__noinline int maint_reap(const struct xvs_conn_key *k, __u64 now)
{
	__u32 zero = 0;
	struct xvs_cfg *cfg = bpf_map_lookup_elem(&xvs_cfg, &zero);
	struct xvs_conn *c;

	if (!k || !cfg)
		return 0;
	c = bpf_map_lookup_elem(&xvs_conns, k);
	if (!c || conn_is_live(c, cfg, now) || !conn_remove(k, now))
		return 0;
	count(XVS_CNT_CONN_EXPIRED);
	return 1;
}

/* Runs what is due. Returns non-zero when a sweep removed entries. A global
 * function: the verifier checks it once, not on every path that calls it. */
__noinline int maint_run(__u64 now, __u32 why)
{
	__u32 zero = 0;
	struct xvs_cfg *cfg = bpf_map_lookup_elem(&xvs_cfg, &zero);
	struct xvs_maint *m = bpf_map_lookup_elem(&xvs_maint, &zero);
	__u64 gap;

	if (!cfg || !m)
		return 0;
	if (why == MAINT_PACKET) {
		maint_est(m, now);
		if (maint_claim(&m->locality_last_ns, now, LOCALITY_CHECK_NS))
			locality_expire(m, now);
	}
	if (why == MAINT_FORCE)
		gap = 0;
	else if (why == MAINT_TABLE_FULL)
		gap = RECLAIM_GAP_NS;
	else
		gap = maint_gap(cfg, m);
	if (!maint_claim(&m->sweep_last_ns, now, gap))
		return 0;
	sweep(cfg, m, now);
	return m->sweep_freed != 0;
}

/* What every TCP/UDP packet pays: two comparisons, unless a job is due. */
static __always_inline void maint_on_packet(const struct xvs_cfg *cfg, __u64 now)
{
	__u32 zero = 0;
	struct xvs_maint *m = bpf_map_lookup_elem(&xvs_maint, &zero);

	if (!m)
		return;
	if (ns_since(now, READ_ONCE_U64(m->sweep_last_ns)) >= maint_gap(cfg, m) ||
	    ns_since(now, READ_ONCE_U64(m->est_last_ns)) >= XVS_EST_TICK_NS ||
	    ns_since(now, READ_ONCE_U64(m->locality_last_ns)) >= LOCALITY_CHECK_NS)
		maint_run(now, MAINT_PACKET);
}

#endif /* XVS_BPF_MAINT_H */
