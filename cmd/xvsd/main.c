// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsd: the keepalived-compatible health-checking daemon of xvs. The
 * command line is a table (keepalived's option letters where it has them);
 * everything else is daemon.c's. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon.h"
#include "metrics.h"

struct opt_def {
	const char *name;
	int letter;			/* 0: long option only */
	const char *arg;		/* NULL: no argument */
	const char *help;
	int (*set)(struct xvsd_opts *o, const char *arg);
};

static int set_file(struct xvsd_opts *o, const char *a)
{
	o->conf_path = a;
	return 0;
}

static int set_test(struct xvsd_opts *o, const char *a)
{
	(void)a;
	o->test = true;
	return 0;
}

static int set_foreground(struct xvsd_opts *o, const char *a)
{
	(void)a;
	o->foreground = true;
	return 0;
}

static int set_console(struct xvsd_opts *o, const char *a)
{
	(void)a;
	o->log.console = true;
	return 0;
}

static int set_no_syslog(struct xvsd_opts *o, const char *a)
{
	(void)a;
	o->log.syslog = false;
	return 0;
}

static int set_detail(struct xvsd_opts *o, const char *a)
{
	(void)a;
	o->log.detail = true;
	return 0;
}

/* keepalived's -S: 0..7 or local0..local7 (LOG_LOCALn), user, daemon. */
static int set_facility(struct xvsd_opts *o, const char *a)
{
	static const int local[8] = { LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3,
				      LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7 };
	const char *n = !strncmp(a, "local", 5) ? a + 5 : a;

	if (!strcmp(a, "user") || !strcmp(a, "daemon")) {
		o->log.facility = a[0] == 'u' ? LOG_USER : LOG_DAEMON;
		return 0;
	}
	if (strlen(n) != 1 || n[0] < '0' || n[0] > '7') {
		fprintf(stderr,
			"xvsd: invalid log facility '%s': expected 0..7, local0..local7, user or daemon\n",
			a);
		return -EINVAL;
	}
	o->log.facility = local[n[0] - '0'];
	return 0;
}

static int set_pid(struct xvsd_opts *o, const char *a)
{
	o->pidfile = a;
	return 0;
}

static int set_config_id(struct xvsd_opts *o, const char *a)
{
	o->conf.config_id = a;
	return 0;
}

static int set_metrics(struct xvsd_opts *o, const char *a)
{
	struct sockaddr_storage ss;
	unsigned len;

	if (metrics_parse_listen(a, &ss, &len)) {
		fprintf(stderr, "xvsd: invalid --metrics '%s': expected PORT or ADDRESS:PORT\n", a);
		return -EINVAL;
	}
	o->metrics = a;
	return 0;
}

static int set_hook(struct xvsd_opts *o, const char *a)
{
	static const char *const names[XVS_HOOK_MAX] = {
		[XVS_HOOK_AUTO] = "auto", [XVS_HOOK_XDP] = "xdp",
		[XVS_HOOK_XDP_GENERIC] = "xdp-generic", [XVS_HOOK_TC] = "tc",
	};

	for (int i = 0; i < XVS_HOOK_MAX; i++)
		if (!strcmp(a, names[i])) {
			o->xvs.hook = (enum xvs_hook)i;
			return 0;
		}
	fprintf(stderr, "xvsd: invalid --hook '%s': expected auto, xdp, xdp-generic or tc\n", a);
	return -EINVAL;
}

static int set_conn_max(struct xvsd_opts *o, const char *a)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(a, &end, 10);
	if (errno || end == a || *end || a[0] == '-' || v < 1024 || v > (1ul << 27)) {
		fprintf(stderr, "xvsd: invalid --conn-max '%s': expected 1024 to %lu connections\n",
			a, 1ul << 27);
		return -EINVAL;
	}
	o->xvs.conn_max = (uint32_t)v;
	return 0;
}

static int set_ifaces(struct xvsd_opts *o, const char *a)
{
	o->xvs.ifaces = a;
	return 0;
}

static int show_help(struct xvsd_opts *o, const char *a);

static int show_version(struct xvsd_opts *o, const char *a)
{
	(void)o;
	(void)a;
	printf("xvsd %s\n", XVSD_VERSION);
	exit(0);
}

static const struct opt_def opt_defs[] = {
	{ "use-file", 'f', "FILE", "configuration file (default " XVSD_DEFAULT_CONF ")", set_file },
	{ "config-test", 't', NULL, "check the configuration and exit: 0 good, 1 not", set_test },
	{ "dont-fork", 'n', NULL, "stay in the foreground", set_foreground },
	{ "log-console", 'l', NULL, "log to stderr too, with timestamps", set_console },
	{ "log-detail", 'D', NULL, "detailed log (every check attempt)", set_detail },
	{ "log-facility", 'S', "0-7|localN|user|daemon", "syslog facility (default daemon)",
	  set_facility },
	{ "no-syslog", 'G', NULL, "do not log to syslog", set_no_syslog },
	{ "pid", 'p', "FILE", "pid file (default " XVSD_DEFAULT_PIDFILE ")", set_pid },
	{ "config-id", 'i', "ID", "id for '@ID' conditional lines (default: host name)",
	  set_config_id },
	{ "metrics", 0, "[ADDR:]PORT", "serve Prometheus metrics (PORT alone: on 127.0.0.1)",
	  set_metrics },
	{ "hook", 0, "auto|xdp|xdp-generic|tc", "how xvsd attaches the data plane if it loads it",
	  set_hook },
	{ "ifaces", 0, "IF[,IF]", "interfaces for the data plane if xvsd loads it (default: all up)",
	  set_ifaces },
	{ "conn-max", 0, "N", "connection table size if xvsd loads the data plane (default 1048576)",
	  set_conn_max },
	{ "help", 'h', NULL, "this text", show_help },
	{ "version", 'v', NULL, "version", show_version },
};

#define N_OPTS (sizeof(opt_defs) / sizeof(opt_defs[0]))

static void usage(FILE *f)
{
	fprintf(f, "Usage: xvsd [options]\n");
	for (size_t i = 0; i < N_OPTS; i++) {
		const struct opt_def *d = &opt_defs[i];
		char left[64];

		snprintf(left, sizeof(left), "%c%c%s --%s%s%s", d->letter ? '-' : ' ',
			 d->letter ? d->letter : ' ', d->letter ? "," : " ", d->name,
			 d->arg ? " " : "", d->arg ? d->arg : "");
		fprintf(f, "  %-42s %s\n", left, d->help);
	}
	fprintf(f, "Signals: SIGHUP reloads the configuration, SIGTERM/SIGINT stop.\n");
}

static int show_help(struct xvsd_opts *o, const char *a)
{
	(void)o;
	(void)a;
	usage(stdout);
	exit(0);
}

int main(int argc, char **argv)
{
	struct option longopts[N_OPTS + 1];
	char shortopts[2 * N_OPTS + 1];
	struct xvsd_opts o = {
		.conf_path = XVSD_DEFAULT_CONF,
		.pidfile = XVSD_DEFAULT_PIDFILE,
		.log = { .syslog = true },
	};
	size_t ns = 0;
	int c, idx;

	for (size_t i = 0; i < N_OPTS; i++) {
		longopts[i] = (struct option){ opt_defs[i].name,
					       opt_defs[i].arg ? required_argument : no_argument,
					       NULL, 0 };
		if (opt_defs[i].letter) {
			shortopts[ns++] = (char)opt_defs[i].letter;
			if (opt_defs[i].arg)
				shortopts[ns++] = ':';
		}
	}
	longopts[N_OPTS] = (struct option){ 0 };
	shortopts[ns] = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, &idx)) != -1) {
		const struct opt_def *d = NULL;

		if (c == 0) {
			d = &opt_defs[idx];
		} else {
			for (size_t i = 0; i < N_OPTS && !d; i++)
				if (opt_defs[i].letter == c)
					d = &opt_defs[i];
		}
		if (!d) {
			usage(stderr);
			return 2;
		}
		if (d->set(&o, optarg))
			return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "xvsd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	return daemon_main(&o);
}
