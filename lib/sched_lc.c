// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* lc, least-connection: the server with the least overhead (active x 256 +
 * inactive), the first of equals (ip_vs_lc.c). The choice is made per
 * connection by the data plane (XVS_PICK_LC, bpf/sched_scan.h) over the live
 * counts; the schedule is the list of servers it walks. */
#include "sched.h"

const struct xvs_sched_ops xvs_sched_lc = {
	.name = "lc",
	.pick = XVS_PICK_LC,
	.build = xvs_sched_build_servers,
};
