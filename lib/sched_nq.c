// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* nq, never queue: the first server with no active connection, else as sed
 * (ip_vs_nq.c). The choice is made per connection by the data plane
 * (XVS_PICK_NQ, bpf/sched_scan.h) over the live counts; the schedule is the
 * list of servers it walks. */
#include "sched.h"

const struct xvs_sched_ops xvs_sched_nq = {
	.name = "nq",
	.pick = XVS_PICK_NQ,
	.build = xvs_sched_build_servers,
};
