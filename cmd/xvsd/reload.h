/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* SIGHUP: the runtime of a new configuration built from the running one,
 * keepalived's way (clear_diff_services/migrate_checkers):
 * - a virtual server with the same identity (address:port:protocol,
 *   fwmark, or group name) keeps its quorum and sorry-server state;
 * - a real server with the same address:port keeps whether it is alive and
 *   a dynamic weight; a configured weight that changed applies;
 * - a checker of the same type with the same target and settings keeps its
 *   state, retry count and schedule (its timings may change); an attempt
 *   in flight is made again with the new settings;
 * - new real servers start as at startup (up, or down under alpha); new
 *   checkers on a server that is failing, or was never checked, start
 *   down under alpha and need one failure only;
 * - what is gone stops; the data plane side (drain, delete) is apply.c's.
 * The old runtime is left empty of the checkers that moved; free it. */
#ifndef XVSD_RELOAD_H
#define XVSD_RELOAD_H

#include "vs.h"

/* Takes ownership of conf (also on failure: it is freed). */
int reload_build(struct rt *old, struct conf *conf, struct rt **out);

/* Two checkers watch the same thing the same way (timings aside). */
bool checker_same(const struct conf_checker *a, const struct conf_checker *b);

#endif /* XVSD_RELOAD_H */
