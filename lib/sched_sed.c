// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sed, shortest expected delay: the least (active + 1) / weight
 * (ip_vs_sed.c). The choice is made per connection by the data plane
 * (XVS_PICK_SED, bpf/sched_scan.h) over the live counts; the schedule is the
 * list of servers it walks. */
#include "sched.h"

const struct xvs_sched_ops xvs_sched_sed = {
	.name = "sed",
	.pick = XVS_PICK_SED,
	.build = xvs_sched_build_servers,
};
