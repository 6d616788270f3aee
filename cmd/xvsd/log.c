// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsd's log (see log.h). Before log_init() lines go to stderr, so early
 * errors (a bad command line, a configuration that does not load) are seen
 * by whoever started the daemon. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static struct log_opts opts = { .console = true };
static bool syslog_open, started;

void log_init(const struct log_opts *o)
{
	opts = *o;
	if (opts.syslog && !syslog_open) {
		openlog("xvsd", LOG_PID | LOG_NDELAY, opts.facility ? opts.facility : LOG_DAEMON);
		syslog_open = true;
	}
}

void log_close(void)
{
	if (syslog_open)
		closelog();
	syslog_open = false;
}

void log_started(void)
{
	started = true;
}

bool log_detail(void)
{
	return opts.detail;
}

static const char *level_name(int level)
{
	switch (level) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:
		return "error: ";
	case LOG_WARNING:
		return "warning: ";
	default:
		return "";
	}
}

/* One write(2) per line, so lines of concurrent writers (a script's
 * output on the same stderr) do not interleave mid-line. */
static void console_line(int level, const char *msg)
{
	char line[2048];
	struct timeval tv;
	struct tm tm;
	int n;

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	n = snprintf(line, sizeof(line), "%04d-%02d-%02d %02d:%02d:%02d.%03ld xvsd[%d]: %s%s\n",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		     tm.tm_sec, (long)(tv.tv_usec / 1000), (int)getpid(), level_name(level), msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* nowhere left to say so */
	}
}

void log_msg(int level, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	if (level == LOG_DEBUG && !opts.detail)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (opts.console || (!started && level <= LOG_WARNING))
		console_line(level, msg);
	if (opts.syslog && syslog_open)
		syslog(level, "%s", msg);
}
