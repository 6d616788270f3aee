// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Scheduler registry: adding a scheduler is its file plus one line here. */
#include <string.h>

#include "internal.h"
#include "sched.h"

static const struct xvs_sched_ops *const schedulers[] = {
	&xvs_sched_rr,
	&xvs_sched_wrr,
	&xvs_sched_sh,
	&xvs_sched_dh,
	&xvs_sched_mh,
	&xvs_sched_lc,
	&xvs_sched_wlc,
	&xvs_sched_sed,
	&xvs_sched_nq,
	&xvs_sched_fo,
	&xvs_sched_ovf,
	&xvs_sched_twos,
	&xvs_sched_lblc,
	&xvs_sched_lblcr,
};

const struct xvs_sched_ops *xvs_sched_find(const char *name)
{
	for (size_t i = 0; i < XVS_ARRAY_SIZE(schedulers); i++)
		if (!strcmp(schedulers[i]->name, name))
			return schedulers[i];
	return NULL;
}

bool xvs_sched_exists(const char *name)
{
	return xvs_sched_find(name) != NULL;
}

/* ipvsadm's default. */
const char *xvs_sched_default(void)
{
	return "wlc";
}

uint64_t xvs_sched_gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}
