/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The metrics endpoint: GET /metrics in Prometheus text format (0.0.4),
 * served by libmicrohttpd driven from xvsd's loop (its epoll fd watched
 * here, MHD_run on readiness and on its timeout), so a scrape is one more
 * event, never a thread. Off unless --metrics is given; "PORT" alone
 * listens on 127.0.0.1. Names are in docs/xvsd.md. */
#ifndef XVSD_METRICS_H
#define XVSD_METRICS_H

#include <stddef.h>

struct daemon;
struct metrics;

int metrics_start(struct daemon *d, const char *listen, struct metrics **out);
void metrics_stop(struct metrics *m);	/* NULL is fine */

/* The page itself (for tests): a malloc'd NUL-terminated text. */
char *metrics_render(struct metrics *m, size_t *len);

/* Parses "[ADDR:]PORT" ("9100", "127.0.0.1:9100", "[::1]:9100"). */
int metrics_parse_listen(const char *s, void *sockaddr_storage_out, unsigned *len_out);

#endif /* XVSD_METRICS_H */
