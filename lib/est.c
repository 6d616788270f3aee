// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Rates (--rate) from IPVS's estimator, which the data plane runs on the
 * 2-second grid whenever a packet finds a period ended. When we read, the
 * periods since its last run have not been run yet: the first of them
 * holds all traffic since (any later packet would have run it), the others
 * none, so we run them here on a copy, with the data plane's own step
 * (include/xvs/est.h), and get exactly IPVS's numbers. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>

#include "internal.h"
#include "xvs/est.h"

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int xvs_est_restart(struct xvs *x, enum xvs_map_id est_map, enum xvs_map_id stats_map,
		    uint32_t idx)
{
	struct xvs_est e = { 0 };
	struct xvs_stats now;
	int err = xvs_stats_read(x, stats_map, idx, &now);

	if (err)
		return err;
	e.last_conns = now.conns;
	e.last_inpkts = now.inpkts;
	e.last_outpkts = now.outpkts;
	e.last_inbytes = now.inbytes;
	e.last_outbytes = now.outbytes;
	return xvs_map_update(x, est_map, &idx, &e);
}

int xvs_est_rate(struct xvs *x, enum xvs_map_id est_map, enum xvs_map_id stats_map,
		 uint32_t idx, struct xvs_stats *rate)
{
	struct xvs_maint maint;
	struct xvs_stats now_counts;
	struct xvs_est e;
	uint32_t zero = 0;
	uint64_t now, periods;
	int err;

	memset(rate, 0, sizeof(*rate));
	if (!xvs_is_loaded(x))
		return 0;
	if (bpf_map_lookup_elem(x->map_fd[est_map], &idx, &e) ||
	    bpf_map_lookup_elem(x->map_fd[MAP_MAINT], &zero, &maint))
		return -errno;
	err = xvs_stats_read(x, stats_map, idx, &now_counts);
	if (err)
		return err;
	now = monotonic_ns();
	periods = now > maint.est_last_ns ? (now - maint.est_last_ns) / XVS_EST_TICK_NS : 0;
	if (periods) {
		xvs_est_period(&e, &now_counts);
		for (uint64_t i = 1; i < periods && i < XVS_EST_IDLE_PERIODS; i++)
			xvs_est_idle_period(&e);
	}
	xvs_est_read(&e, rate);
	return 0;
}
