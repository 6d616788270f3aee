// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* lblc, locality-based least-connection: each destination address keeps its
 * server while it is not overloaded, else wlc picks a new one
 * (ip_vs_lblc.c); entries unused for 24 h expire. The choice is made per
 * connection by the data plane (XVS_PICK_LBLC, bpf/sched_scan.h) over the
 * live counts; the schedule is the list of servers it walks. */
#include "sched.h"

const struct xvs_sched_ops xvs_sched_lblc = {
	.name = "lblc",
	.pick = XVS_PICK_LBLC,
	.build = xvs_sched_build_servers,
};
