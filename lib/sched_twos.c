// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* twos, weighted random two choices: two servers drawn by weight, the one of
 * lesser overhead / weight (ip_vs_twos.c). The choice is made per connection
 * by the data plane (XVS_PICK_TWOS, bpf/sched_scan.h) over the live counts;
 * the schedule is the list of servers it walks. */
#include "sched.h"

const struct xvs_sched_ops xvs_sched_twos = {
	.name = "twos",
	.pick = XVS_PICK_TWOS,
	.build = xvs_sched_build_servers,
};
