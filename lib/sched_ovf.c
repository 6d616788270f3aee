// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ovf, weighted overflow: the highest-weight server while its active
 * connections do not exceed its weight, then the next (ip_vs_ovf.c). The
 * choice is made per connection by the data plane (XVS_PICK_OVF,
 * bpf/sched_scan.h) over the live counts; the schedule is the list of
 * servers it walks. */
#include "sched.h"

const struct xvs_sched_ops xvs_sched_ovf = {
	.name = "ovf",
	.pick = XVS_PICK_OVF,
	.build = xvs_sched_build_servers,
};
