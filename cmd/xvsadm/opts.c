// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The xvsadm rules as data: the command x option legality matrix
 * (ipvsadm's commands_v_options plus the xvs columns), the one generic
 * validator that enforces it, and the names of commands, options and
 * forwarding methods. The option table itself is in cmdline.c. */
#include <stdarg.h>
#include <string.h>

#include "xvsadm.h"

/* Option columns, in enum xvsadm_opt order; the names are ipvsadm's (they
 * appear in its messages). */
static const char *const opt_names[XVSADM_OPT_MAX] = {
	[XVSADM_OPT_NUMERIC] = "numeric",
	[XVSADM_OPT_CONNECTION] = "connection",
	[XVSADM_OPT_SERVICE] = "service-address",
	[XVSADM_OPT_SCHEDULER] = "scheduler",
	[XVSADM_OPT_PERSISTENT] = "persistent",
	[XVSADM_OPT_NETMASK] = "netmask",
	[XVSADM_OPT_SERVER] = "real-server",
	[XVSADM_OPT_FORWARD] = "forwarding-method",
	[XVSADM_OPT_WEIGHT] = "weight",
	[XVSADM_OPT_UTHRESHOLD] = "u-threshold",
	[XVSADM_OPT_LTHRESHOLD] = "l-threshold",
	[XVSADM_OPT_MCAST] = "mcast-interface",
	[XVSADM_OPT_TIMEOUT] = "timeout",
	[XVSADM_OPT_DAEMON] = "daemon",
	[XVSADM_OPT_STATS] = "stats",
	[XVSADM_OPT_RATE] = "rate",
	[XVSADM_OPT_THRESHOLDS] = "thresholds",
	[XVSADM_OPT_PERSISTENTCONN] = "persistent-conn",
	[XVSADM_OPT_NOSORT] = "nosort",
	[XVSADM_OPT_SYNCID] = "syncid",
	[XVSADM_OPT_EXACT] = "exact",
	[XVSADM_OPT_ONEPACKET] = "ops",
	[XVSADM_OPT_PE] = "pe",
	[XVSADM_OPT_SCHED_FLAGS] = "sched-flags",
	[XVSADM_OPT_MCAST_GROUP] = "mcast-group",
	[XVSADM_OPT_MCAST_PORT] = "mcast-port",
	[XVSADM_OPT_MCAST_TTL] = "mcast-ttl",
	[XVSADM_OPT_SYNC_MAXLEN] = "sync-maxlen",
	[XVSADM_OPT_TUN_INFO] = "tun-info",
	[XVSADM_OPT_TUN_TYPE] = "tun-type",
	[XVSADM_OPT_TUN_PORT] = "tun-port",
	[XVSADM_OPT_TUN_NOCSUM] = "tun-nocsum",
	[XVSADM_OPT_TUN_CSUM] = "tun-csum",
	[XVSADM_OPT_TUN_REMCSUM] = "tun-remcsum",
	[XVSADM_OPT_HOOK] = "hook",
	[XVSADM_OPT_IFACES] = "ifaces",
	[XVSADM_OPT_COUNTERS] = "counters",
	[XVSADM_OPT_LADDR] = "local-address",	/* DPVS's names */
	[XVSADM_OPT_IFNAME] = "ifname",
	[XVSADM_OPT_MARKS] = "marks",
	[XVSADM_OPT_CONN_MAX] = "conn-max",
};

/* One row per command: its name in messages and one rule character per
 * option column. Key: '+' compulsory, 'x' illegal, '1' at most one of the
 * '1' options, ' ' optional. Columns in groups of eight:
 *   n  c  svc s  p  M  r  fwd | w  x  y  mc tot dmn st rt |
 *   thr pc srt sid ex ops pe b | grp port ttl size tinf type tprt nocs |
 *   csum remc hook ifaces counters laddr ifname marks | conn-max       */
struct cmd_rules {
	const char *name;
	const char *rules;
};

static const struct cmd_rules cmd_rules[XVSADM_CMD_MAX] = {
	[XVSADM_CMD_ADD] =	{ "add-service",
		"xx+   xx" "xxxxxxxx" "xxxxx   " "xxxxxxxx" "xx  xxxx" " " },
	[XVSADM_CMD_EDIT] =	{ "edit-service",
		"xx+   xx" "xxxxxxxx" "xxxxx   " "xxxxxxxx" "xxxxxxxx" "x" },
	[XVSADM_CMD_DEL] =	{ "delete-service",
		"xx+xxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "x" },
	[XVSADM_CMD_FLUSH] =	{ "flush",
		"xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "x" },
	[XVSADM_CMD_LIST] =	{ "list",
		" 11xxxxx" "xxxx11  " "     xxx" "xxxx xxx" "xxxx1xx1" "x" },
	[XVSADM_CMD_ADDDEST] =	{ "add-server",
		"xx+xxx+ " "   xxxxx" "xxxxxxxx" "xxxxx   " "  xxxxxx" "x" },
	[XVSADM_CMD_DELDEST] =	{ "delete-server",
		"xx+xxx+x" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "x" },
	[XVSADM_CMD_EDITDEST] =	{ "edit-server",
		"xx+xxx+ " "   xxxxx" "xxxxxxxx" "xxxxx   " "  xxxxxx" "x" },
	[XVSADM_CMD_TIMEOUT] =	{ "set",
		"xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "x" },
	[XVSADM_CMD_STARTDAEMON] = { "start-daemon",
		"xxxxxxxx" "xxx xxxx" "xxx xxxx" "    xxxx" "xxxxxxxx" "x" },
	[XVSADM_CMD_STOPDAEMON] = { "stop-daemon",
		"xxxxxxxx" "xxxxxxxx" "xxx xxxx" "xxxxxxxx" "xxxxxxxx" "x" },
	[XVSADM_CMD_RESTORE] =	{ "restore",
		"xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xx  xxxx" " " },
	[XVSADM_CMD_SAVE] =	{ "save",
		" xxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "x" },
	[XVSADM_CMD_ZERO] =	{ "zero",
		"xx xxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "x" },
	[XVSADM_CMD_ADDLADDR] = { "add-laddr",
		"xx+xxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxx++x" "x" },
	/* DPVS requires -F here too; xvs finds the address without it */
	[XVSADM_CMD_DELLADDR] = { "del-laddr",
		"xx+xxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxx+ x" "x" },
	[XVSADM_CMD_GETLADDR] = { "get-laddr",
		"xx xxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "x" },
	[XVSADM_CMD_LPORT_RANGE] = { "lport-range",
		"xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "x" },
	/* -t/-u is the match: ADDR[/LEN][:PORT[-PORT]] */
	[XVSADM_CMD_ADDMARK] = { "add-mark",
		"xx+xxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "x" },
	[XVSADM_CMD_DELMARK] = { "del-mark",
		"xx+xxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "x" },
	[XVSADM_CMD_DETACH] =	{ "detach",
		"xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "x" },
	[XVSADM_CMD_HELP] =	{ "help",
		"xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "x" },
	[XVSADM_CMD_VERSION] =	{ "version",
		"xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "xxxxxxxx" "x" },
};

const char *xvsadm_cmd_name(enum xvsadm_cmd cmd)
{
	if (cmd <= XVSADM_CMD_NONE || cmd >= XVSADM_CMD_MAX)
		return "?";
	return cmd_rules[cmd].name;
}

const char *xvsadm_opt_name(enum xvsadm_opt opt)
{
	return opt < XVSADM_OPT_MAX ? opt_names[opt] : "?";
}

char xvsadm_opt_rule(enum xvsadm_cmd cmd, enum xvsadm_opt opt)
{
	const char *rules;

	if (cmd <= XVSADM_CMD_NONE || cmd >= XVSADM_CMD_MAX || opt >= XVSADM_OPT_MAX)
		return 'x';
	rules = cmd_rules[cmd].rules;
	/* a row of the wrong length is a bug the unit test catches by '\0' */
	return strlen(rules) == XVSADM_OPT_MAX ? rules[opt] : '\0';
}

int xvsadm_fail(struct xvsadm_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->code = code;
	return code;
}

/* ipvsadm's generic_opt_check: walks the columns in order and reports the
 * first missing compulsory option, illegal option or second exclusive one. */
int xvsadm_check_options(enum xvsadm_cmd cmd, uint64_t options,
			 struct xvsadm_err *err)
{
	int first_exclusive = -1;

	for (int j = 0; j < XVSADM_OPT_MAX; j++) {
		char rule = xvsadm_opt_rule(cmd, j);
		bool given = options & XVSADM_OPT_BIT(j);

		if (!given) {
			if (rule == '+')
				return xvsadm_fail(err, XVSADM_EXIT_ARGS,
					    "You need to supply the '%s' option for the '%s' command",
					    opt_names[j], xvsadm_cmd_name(cmd));
			continue;
		}
		if (rule == 'x' || rule == '\0')
			return xvsadm_fail(err, XVSADM_EXIT_ARGS,
				    "Illegal '%s' option with the '%s' command",
				    opt_names[j], xvsadm_cmd_name(cmd));
		if (rule != '1')
			continue;
		if (first_exclusive < 0) {
			first_exclusive = j;
			continue;
		}
		return xvsadm_fail(err, XVSADM_EXIT_ARGS,
			    "The option '%s' conflicts with the '%s' option in the '%s' command",
			    opt_names[j], opt_names[first_exclusive],
			    xvsadm_cmd_name(cmd));
	}
	return 0;
}

/* Forwarding methods: listing name, -S switch, and what to call it when the
 * data plane cannot do it yet. */
static const struct {
	const char *list_name;
	const char *save_switch;
	const char *what;
} fwd_table[XVS_FWD_MAX] = {
	[XVS_FWD_DR] = { "Route", "-g", "direct routing (-g)" },
	[XVS_FWD_TUN] = { "Tunnel", "-i", "tunnelling (-i)" },
	[XVS_FWD_NAT] = { "Masq", "-m", "masquerading (-m)" },
	[XVS_FWD_FNAT] = { "FullNat", "-b", "full NAT (-b/--fullnat)" },
};

const char *xvsadm_fwd_name(enum xvs_fwd fwd)
{
	return fwd < XVS_FWD_MAX ? fwd_table[fwd].list_name : "?";
}

const char *xvsadm_fwd_switch(enum xvs_fwd fwd)
{
	return fwd < XVS_FWD_MAX ? fwd_table[fwd].save_switch : "-g";
}

const char *xvsadm_fwd_what(enum xvs_fwd fwd)
{
	return fwd < XVS_FWD_MAX ? fwd_table[fwd].what : "?";
}
