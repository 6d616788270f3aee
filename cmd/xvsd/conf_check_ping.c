// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* PING_CHECK configuration: an ICMP echo answered means up. Only the
 * common keywords. */
#include "conf_int.h"

const struct conf_check_type conf_check_ping = {
	.kind = CONF_CHECK_PING,
	.name = "PING_CHECK",
	.common_kws = true,
	.default_retry = 1,
};
