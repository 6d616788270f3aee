/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* keepalived's names for virtual and real servers, as its log and its
 * notify FIFO write them: "[192.0.2.1]:tcp:80", "FWM 7", "[GROUP]:0";
 * real servers "[10.0.0.2]:tcp:80" with the virtual server's protocol
 * ("none" for fwmark services). Operators' scripts parse these. */
#ifndef XVSD_NAMES_H
#define XVSD_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#define NAME_LEN 128

const char *name_vs(const struct conf_vs *vs, char buf[NAME_LEN]);
const char *name_rs(const struct conf_vs *vs, const struct conf_addr *a, uint16_t port,
		    char buf[NAME_LEN]);
/* The port a real server is known by: its own, else its service's. */
uint16_t name_rs_port(const struct conf_vs *vs, uint16_t rs_port);
/* "tcp", "udp", "sctp", or "none" for a service by fwmark. */
const char *name_proto(const struct conf_vs *vs);

#endif /* XVSD_NAMES_H */
