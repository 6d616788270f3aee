// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* TEMPORARY: stands in for the probes (branch xvsd-probes) until they are
 * merged; removed by that merge. Every attempt "fails" with -ENOSYS. */
#include <errno.h>

#include "probe.h"

int probe_start(struct loop *l, const struct probe_target *t, probe_done_cb done, void *arg,
		struct probe **out)
{
	(void)l;
	(void)t;
	(void)done;
	(void)arg;
	*out = NULL;
	return -ENOSYS;
}

void probe_cancel(struct probe *p)
{
	(void)p;
}

int probe_global_set(const struct conf_global *g)
{
	(void)g;
	return 0;
}

void probe_global_free(void)
{
}
