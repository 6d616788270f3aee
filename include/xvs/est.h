/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* IPVS's rate estimator step (net/netfilter/ipvs/ip_vs_est.c), shared by
 * the data plane, which runs it every 2 s, and libxvs, which runs the
 * periods the data plane has not run yet when it reads a rate (the data
 * plane's clock only moves with packets). Integer arithmetic exactly as
 * IPVS's: rates scaled by 2^10 (cps, pps) and 2^5 (bps), smoothed with
 * weight 1/4 per 2-second period. */
#ifndef XVS_EST_H
#define XVS_EST_H

#include "xvs/abi.h"

#ifndef XVS_EST_INLINE
#define XVS_EST_INLINE static inline
#endif

/* Periods after which any rate is 0 again when nothing happens: a value
 * loses at least a quarter per period, so 2^63 reaches 0 well within. */
#define XVS_EST_IDLE_PERIODS	200

/* One period ending with the counters at now: each rate moves a quarter of
 * the way to this period's (delta << 9: "scaled by 2^10, divided by 2
 * seconds"; bytes << 4). Counters below the last ones (zeroed meanwhile)
 * count as no change. */
XVS_EST_INLINE void xvs_est_period(struct xvs_est *e, const struct xvs_stats *now)
{
	__u64 d;

#define XVS_EST_FIELD(cnt, avg, shift)						\
	d = now->cnt > e->last_##cnt ? now->cnt - e->last_##cnt : 0;		\
	e->last_##cnt = now->cnt;						\
	e->avg += ((__s64)(d << (shift)) - e->avg) >> 2;
	XVS_EST_FIELD(conns, cps, 9)
	XVS_EST_FIELD(inpkts, inpps, 9)
	XVS_EST_FIELD(outpkts, outpps, 9)
	XVS_EST_FIELD(inbytes, inbps, 4)
	XVS_EST_FIELD(outbytes, outbps, 4)
#undef XVS_EST_FIELD
}

/* A period with no traffic. */
XVS_EST_INLINE void xvs_est_idle_period(struct xvs_est *e)
{
	e->cps += (0 - e->cps) >> 2;
	e->inpps += (0 - e->inpps) >> 2;
	e->outpps += (0 - e->outpps) >> 2;
	e->inbps += (0 - e->inbps) >> 2;
	e->outbps += (0 - e->outbps) >> 2;
}

/* ip_vs_read_estimator(): per-second values, rounded. */
XVS_EST_INLINE void xvs_est_read(const struct xvs_est *e, struct xvs_stats *rate)
{
	rate->conns = (__u64)(e->cps + 0x1FF) >> 10;
	rate->inpkts = (__u64)(e->inpps + 0x1FF) >> 10;
	rate->outpkts = (__u64)(e->outpps + 0x1FF) >> 10;
	rate->inbytes = (__u64)(e->inbps + 0xF) >> 5;
	rate->outbytes = (__u64)(e->outbps + 0xF) >> 5;
}

#endif /* XVS_EST_H */
