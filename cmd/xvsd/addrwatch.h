/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The namespace's local IPv4 addresses, kept current from rtnetlink on
 * the loop: ha_suspend runs a virtual server's checks only while its VIP is
 * here (keepalived's VRRP adds it on the master and removes it on the
 * backup). */
#ifndef XVSD_ADDRWATCH_H
#define XVSD_ADDRWATCH_H

#include <stdbool.h>

#include "conf.h"
#include "loop.h"

struct addrwatch;

/* changed(arg) runs after the first dump and whenever an address comes or
 * goes. 0 or -errno. */
int addrwatch_start(struct loop *l, void (*changed)(void *arg), void *arg,
		    struct addrwatch **out);
void addrwatch_stop(struct addrwatch *w);	/* NULL is fine */
bool addrwatch_has(const struct addrwatch *w, const struct conf_addr *a);

#endif /* XVSD_ADDRWATCH_H */
