// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvs-rs command line: commands and options are tables, one validator says
 * which option each command takes (as ipvsadm's commands_v_options). */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs.h"

static const char *const mode_names[RS_MODE_MAX] = {
	[RS_MODE_DR] = "dr", [RS_MODE_TUN] = "tun",
	[RS_MODE_NAT] = "nat", [RS_MODE_FULLNAT] = "fullnat",
};

static const char *const hook_names[RS_HOOK_MAX] = {
	[RS_HOOK_TC] = "tc", [RS_HOOK_XDP] = "xdp",
	[RS_HOOK_KERNEL] = "tunl0", [RS_HOOK_NONE] = "none",
};

const char *rs_mode_name(enum rs_mode m)
{
	return m < RS_MODE_MAX ? mode_names[m] : "?";
}

const char *rs_hook_name(enum rs_hook h)
{
	return h < RS_HOOK_MAX ? hook_names[h] : "?";
}

static int name_lookup(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return i;
	return -1;
}

int rs_mode_parse(const char *s, enum rs_mode *out)
{
	int i = name_lookup(mode_names, RS_MODE_MAX, s);

	if (i < 0)
		return -EINVAL;
	*out = i;
	return 0;
}

int rs_hook_parse(const char *s, enum rs_hook *out)
{
	int i = name_lookup(hook_names, RS_HOOK_MAX, s);

	if (i < 0)
		return -EINVAL;
	*out = i;
	return 0;
}

void rs_err(const char *fmt, ...)
{
	va_list ap;

	fputs("xvs-rs: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void rs_usage(void)
{
	fputs("Usage: xvs-rs up --mode dr|tun --vip VIP[,VIP...]\n"
	      "                 [--iface IF[,IF...]] [--hook tc|xdp]\n"
	      "       xvs-rs up --mode fullnat [--iface IF[,IF...]] [--hook tc|xdp]\n"
	      "       xvs-rs up --mode nat\n"
	      "       xvs-rs down [--vip VIP[,VIP...]]\n"
	      "       xvs-rs status\n"
	      "Prepares the network namespace it runs in to be a real server of an\n"
	      "xvs (LVS) director; down undoes exactly what up changed.\n"
	      "  --mode   forwarding method of the director toward this server\n"
	      "  --vip    virtual addresses this server answers for (dr, tun); down\n"
	      "           without --vip undoes everything\n"
	      "  --iface  tun, fullnat: interfaces receiving the director's packets\n"
	      "           (default: all UP)\n"
	      "  --hook   tun, fullnat: where the packet program runs (default tc)\n"
	      "fullnat: applications see the client address the director sends in\n"
	      "the TCP TOA option (getpeername, accept), without a kernel module.\n", stdout);
}

enum rs_opt { OPT_MODE, OPT_VIP, OPT_IFACE, OPT_HOOK, OPT_HELP, OPT_MAX };

static const struct option long_opts[] = {
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "vip", required_argument, NULL, OPT_VIP },
	{ "iface", required_argument, NULL, OPT_IFACE },
	{ "hook", required_argument, NULL, OPT_HOOK },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Which option each command takes: 'r' required, 'o' optional, 0 not. */
static const struct {
	const char *name;
	char opts[OPT_MAX];
} commands[RS_CMD_MAX] = {
	[RS_CMD_UP] = { "up", { [OPT_MODE] = 'r', [OPT_VIP] = 'o', [OPT_IFACE] = 'o',
				[OPT_HOOK] = 'o', [OPT_HELP] = 'o' } },
	[RS_CMD_DOWN] = { "down", { [OPT_VIP] = 'o', [OPT_HELP] = 'o' } },
	[RS_CMD_STATUS] = { "status", { [OPT_HELP] = 'o' } },
	[RS_CMD_HELP] = { "help", { 0 } },
};

int rs_vip_parse(const char *s, uint32_t *out, char *err, size_t errlen)
{
	struct in_addr a;
	uint32_t h;

	if (inet_pton(AF_INET, s, &a) != 1) {
		snprintf(err, errlen, "bad VIP '%s': not an IPv4 address (a.b.c.d)", s);
		return -EINVAL;
	}
	h = ntohl(a.s_addr);
	if (h == 0 || h == 0xffffffffu || (h >> 24) == 127 || (h >> 28) == 0xe) {
		snprintf(err, errlen, "bad VIP '%s': not a unicast service address", s);
		return -EINVAL;
	}
	*out = a.s_addr;
	return 0;
}

static int add_vips(struct rs_opts *o, const char *list, char *err, size_t errlen)
{
	char buf[4096], *tok, *save = NULL;
	uint32_t addr;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (rs_vip_parse(tok, &addr, err, errlen))
			return -EINVAL;
		bool dup = false;
		for (size_t i = 0; i < o->n_vips; i++)
			dup |= o->vips[i] == addr;
		if (dup)
			continue;
		if (o->n_vips == XVS_RS_MAX_VIPS) {
			snprintf(err, errlen, "too many VIPs (at most %d)", XVS_RS_MAX_VIPS);
			return -EINVAL;
		}
		o->vips[o->n_vips++] = addr;
	}
	if (!o->n_vips) {
		snprintf(err, errlen, "--vip needs at least one address");
		return -EINVAL;
	}
	return 0;
}

static int add_ifaces(struct rs_opts *o, const char *list, char *err, size_t errlen)
{
	char buf[4096], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strlen(tok) >= IF_NAMESIZE) {
			snprintf(err, errlen, "interface name '%s' is too long", tok);
			return -EINVAL;
		}
		if (o->n_ifaces == RS_MAX_IFACES) {
			snprintf(err, errlen, "too many interfaces (at most %d)", RS_MAX_IFACES);
			return -EINVAL;
		}
		snprintf(o->ifaces[o->n_ifaces++], IF_NAMESIZE, "%s", tok);
	}
	if (!o->n_ifaces) {
		snprintf(err, errlen, "--iface needs at least one interface");
		return -EINVAL;
	}
	return 0;
}

static int apply_opt(struct rs_opts *o, int opt, const char *arg, char *err, size_t errlen)
{
	switch (opt) {
	case OPT_MODE:
		if (rs_mode_parse(arg, &o->mode)) {
			snprintf(err, errlen, "unknown mode '%s' (dr, tun, nat or fullnat)", arg);
			return -EINVAL;
		}
		o->mode_given = true;
		return 0;
	case OPT_VIP:
		return add_vips(o, arg, err, errlen);
	case OPT_IFACE:
		return add_ifaces(o, arg, err, errlen);
	case OPT_HOOK:
		if (rs_hook_parse(arg, &o->hook) || o->hook > RS_HOOK_XDP) {
			snprintf(err, errlen, "unknown hook '%s' (tc or xdp)", arg);
			return -EINVAL;
		}
		o->hook_given = true;
		return 0;
	default:
		return 0;
	}
}

/* Checks the options seen against the command's column of the table, and
 * the rules that depend on the mode. */
static int check_legal(const struct rs_opts *o, const bool seen[OPT_MAX], char *err,
		       size_t errlen)
{
	const char *cmd = commands[o->cmd].name;

	for (int i = 0; i < OPT_MAX; i++) {
		if (seen[i] && !commands[o->cmd].opts[i]) {
			snprintf(err, errlen, "'%s' does not take --%s", cmd, long_opts[i].name);
			return -EINVAL;
		}
		if (!seen[i] && commands[o->cmd].opts[i] == 'r') {
			snprintf(err, errlen, "'%s' needs --%s", cmd, long_opts[i].name);
			return -EINVAL;
		}
	}
	if (o->cmd != RS_CMD_UP)
		return 0;
	if ((o->mode == RS_MODE_DR || o->mode == RS_MODE_TUN) && !seen[OPT_VIP]) {
		snprintf(err, errlen, "'up --mode %s' needs --vip", rs_mode_name(o->mode));
		return -EINVAL;
	}
	if (o->mode == RS_MODE_FULLNAT && seen[OPT_VIP]) {
		snprintf(err, errlen, "--vip does not apply to --mode fullnat: the director "
			 "connects to this server's own address");
		return -EINVAL;
	}
	if (o->mode != RS_MODE_TUN && o->mode != RS_MODE_FULLNAT &&
	    (seen[OPT_IFACE] || seen[OPT_HOOK])) {
		snprintf(err, errlen, "--%s applies to --mode tun and fullnat only",
			 seen[OPT_IFACE] ? "iface" : "hook");
		return -EINVAL;
	}
	return 0;
}

int rs_opts_parse(struct rs_opts *o, int argc, char **argv, char *err, size_t errlen)
{
	bool seen[OPT_MAX] = { false };
	int c, i;

	memset(o, 0, sizeof(*o));
	o->hook = RS_HOOK_TC;
	if (argc < 2) {
		snprintf(err, errlen, "missing command (up, down or status)");
		return -EINVAL;
	}
	for (i = 0; i < RS_CMD_MAX && strcmp(argv[1], commands[i].name); i++)
		;
	if (i == RS_CMD_MAX) {
		if (strcmp(argv[1], "-h") && strcmp(argv[1], "--help")) {
			snprintf(err, errlen, "unknown command '%s' (up, down or status)", argv[1]);
			return -EINVAL;
		}
		i = RS_CMD_HELP;
	}
	o->cmd = i;

	optind = 2;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		if (c == 'h')
			c = OPT_HELP;
		if (c == '?' || c == ':') {
			snprintf(err, errlen, c == ':' ? "option '%s' needs a value" :
				 "unknown option '%s'", argv[optind - 1]);
			return -EINVAL;
		}
		seen[c] = true;
		if (apply_opt(o, c, optarg, err, errlen))
			return -EINVAL;
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (seen[OPT_HELP]) {
		o->cmd = RS_CMD_HELP;
		return 0;
	}
	return check_legal(o, seen, err, errlen);
}

int rs_main(int argc, char **argv)
{
	struct rs_opts *o = calloc(1, sizeof(*o));
	char err[256];
	int ret;

	if (!o) {
		rs_err("out of memory");
		return RS_EXIT_FAIL;
	}
	if (rs_opts_parse(o, argc, argv, err, sizeof(err))) {
		rs_err("%s", err);
		fputs("Try 'xvs-rs --help'.\n", stderr);
		free(o);
		return RS_EXIT_USAGE;
	}
	switch (o->cmd) {
	case RS_CMD_UP:
		ret = rs_cmd_up(o);
		break;
	case RS_CMD_DOWN:
		ret = rs_cmd_down(o);
		break;
	case RS_CMD_STATUS:
		ret = rs_cmd_status(o);
		break;
	default:
		rs_usage();
		ret = RS_EXIT_OK;
	}
	free(o);
	return ret;
}
