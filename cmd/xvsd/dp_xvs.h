/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* struct dp_ops over libxvs: a handle per batch (xvs_open in begin,
 * xvs_close in end), so the namespace's lock is held only while xvsd
 * changes or reads the data plane and xvsadm never waits longer. */
#ifndef XVSD_DP_XVS_H
#define XVSD_DP_XVS_H

#include "apply.h"

struct dp_xvs {
	struct xvs_open_opts opts;	/* used when xvsd loads the data plane */
	struct xvs *x;			/* open between begin and end */
	bool size_said;			/* a loaded table of another size, said once */
};

extern const struct dp_ops dp_xvs_ops;

#endif /* XVSD_DP_XVS_H */
