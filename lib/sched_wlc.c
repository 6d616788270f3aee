// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* wlc, weighted least-connection: the least overhead / weight, the first
 * usable server unless another is strictly lower (ip_vs_wlc.c); ipvsadm's
 * default. The choice is made per connection by the data plane
 * (XVS_PICK_WLC, bpf/sched_scan.h) over the live counts; the schedule is the
 * list of servers it walks. */
#include "sched.h"

const struct xvs_sched_ops xvs_sched_wlc = {
	.name = "wlc",
	.pick = XVS_PICK_WLC,
	.build = xvs_sched_build_servers,
};
