// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* lblcr, locality-based least-connection with replication: each destination
 * address has a set of servers, the least loaded one serves, wlc adds one
 * when it is overloaded, and a set unchanged for 24 h loses its most loaded
 * one (ip_vs_lblcr.c). The choice is made per connection by the data plane
 * (XVS_PICK_LBLCR, bpf/sched_scan.h) over the live counts; the schedule is
 * the list of servers it walks. */
#include "sched.h"

const struct xvs_sched_ops xvs_sched_lblcr = {
	.name = "lblcr",
	.pick = XVS_PICK_LBLCR,
	.build = xvs_sched_build_servers,
};
