// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* TCP_CHECK configuration: a connect that succeeds means up. Only the
 * common keywords. */
#include "conf_int.h"

const struct conf_check_type conf_check_tcp = {
	.kind = CONF_CHECK_TCP,
	.name = "TCP_CHECK",
	.common_kws = true,
	.default_retry = 1,
};
