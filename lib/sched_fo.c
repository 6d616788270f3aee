// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fo, weighted failover: the first server of the highest weight that is not
 * overloaded (ip_vs_fo.c). The choice is made per connection by the data
 * plane (XVS_PICK_FO, bpf/sched_scan.h) over the live counts; the schedule
 * is the list of servers it walks. */
#include "sched.h"

const struct xvs_sched_ops xvs_sched_fo = {
	.name = "fo",
	.pick = XVS_PICK_FO,
	.build = xvs_sched_build_servers,
};
