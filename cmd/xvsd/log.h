/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* xvsd's log: syslog (keepalived's facility choice, -S) and/or stderr with
 * millisecond wall-clock timestamps (-l), so every real-server state change
 * can be placed in time. LOG_DEBUG lines appear only with -D (log detail).
 * Never fails: a log line that cannot be written is dropped. */
#ifndef XVSD_LOG_H
#define XVSD_LOG_H

#include <stdbool.h>
#include <syslog.h>

struct log_opts {
	bool console;		/* -l: stderr */
	bool syslog;		/* default on; --no-syslog turns it off */
	bool detail;		/* -D: LOG_DEBUG lines too */
	int facility;		/* LOG_DAEMON, or LOG_LOCAL0..7 from -S */
};

void log_init(const struct log_opts *o);
/* Until the daemon runs, errors and warnings also go to stderr whatever
 * the options say, so whoever starts it sees why it did not. */
void log_started(void);
void log_close(void);
bool log_detail(void);

void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...)	log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif /* XVSD_LOG_H */
