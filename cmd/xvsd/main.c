// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsd: the keepalived-compatible health-checking daemon of xvs. For now
 * the configuration check (-t); the daemon comes next. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define XVSD_VERSION "0.1"
#define XVSD_DEFAULT_CONF "/etc/keepalived/keepalived.conf"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: xvsd [-t] [-f FILE] [-i CONFIG_ID]\n"
		"  -f, --use-file FILE     configuration file (default %s)\n"
		"  -t, --config-test       check the configuration and exit: 0 good, 1 not\n"
		"  -i, --config-id ID      id for '@ID' conditional lines (default: host name)\n"
		"  -h, --help              this text\n"
		"  -v, --version           version\n",
		XVSD_DEFAULT_CONF);
}

/* Prints every diagnostic and a summary; 0 when the file passes -t
 * (no errors and no warnings, as keepalived -t), 1 otherwise. */
static int config_test(const char *path, const struct conf_opts *opts)
{
	struct conf_diags d = { 0 };
	struct conf *c = NULL;
	int err, rc;

	err = conf_load(path, opts, &c, &d);
	conf_diags_print(&d, stderr);
	if (err == -ENOMEM) {
		fprintf(stderr, "xvsd: out of memory reading %s\n", path);
		rc = 1;
	} else {
		rc = err || d.count[CONF_WARNING] ? 1 : 0;
		fprintf(stderr, "%s: %s: %zu error%s, %zu warning%s\n", path,
			rc ? "configuration check failed" : "configuration OK",
			d.count[CONF_ERROR], d.count[CONF_ERROR] == 1 ? "" : "s",
			d.count[CONF_WARNING], d.count[CONF_WARNING] == 1 ? "" : "s");
	}
	conf_free(c);
	conf_diags_free(&d);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "use-file", required_argument, NULL, 'f' },
		{ "config-test", no_argument, NULL, 't' },
		{ "config-id", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct conf_opts opts = { 0 };
	const char *path = XVSD_DEFAULT_CONF;
	bool test = false;
	int c;

	while ((c = getopt_long(argc, argv, "f:ti:hv", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			path = optarg;
			break;
		case 't':
			test = true;
			break;
		case 'i':
			opts.config_id = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'v':
			printf("xvsd %s\n", XVSD_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "xvsd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (test)
		return config_test(path, &opts);
	fprintf(stderr, "xvsd: running the daemon is not implemented yet (use -t to check %s)\n",
		path);
	return 2;
}
