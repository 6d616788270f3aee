// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Turns argv into a validated struct xvsadm_cmdline: the option table
 * (short and long forms, getopt_long-style abbreviations, popt-style
 * optional argument for -p), one handler per kind of option, then the
 * semantic checks ipvsadm makes after its generic option check.
 * Reentrant (no getopt state), so -R parses every line with it. */
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "xvsadm.h"

#define MAX_POSITIONAL	8

enum tun_type { TUN_IPIP = 0, TUN_GUE, TUN_GRE };

struct pstate {
	struct xvsadm_cmdline *cl;
	struct xvsadm_err *err;
	const char *sched_flags_arg;
	const char *service_arg;	/* -t/-u as given: a mark rule's match */
	bool service_bad;		/* ... and not a service address */
	const char *positional[MAX_POSITIONAL];
	int n_positional;
	const char *extra_positional;	/* the first one that did not fit */
	enum tun_type tun_type;
	bool stop;			/* -h/-v seen: ignore the rest */
};

enum arg_kind { ARG_NONE, ARG_REQUIRED, ARG_OPTIONAL };

struct opt_spec;
typedef int (*opt_handler)(struct pstate *ps, const struct opt_spec *spec,
			   const char *arg);

struct opt_spec {
	const char *name;		/* long form without "--"; NULL: short only */
	char short_name;		/* 0: long only */
	enum arg_kind arg;
	int opt;			/* enum xvsadm_opt recorded, -1: none */
	unsigned int fmt;		/* XVSADM_FMT_* it sets */
	opt_handler handle;		/* NULL: recording opt/fmt is all */
	int data;			/* handler-specific */
};

static int set_command(struct pstate *ps, enum xvsadm_cmd cmd)
{
	if (ps->cl->cmd != XVSADM_CMD_NONE)
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS, "multiple commands specified");
	ps->cl->cmd = cmd;
	return 0;
}

static int set_option(struct pstate *ps, int opt)
{
	if (ps->cl->options & XVSADM_OPT_BIT(opt))
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "multiple '%s' options specified", xvsadm_opt_name(opt));
	ps->cl->options |= XVSADM_OPT_BIT(opt);
	return 0;
}

static void unsupported(struct pstate *ps, const char *what)
{
	if (!ps->cl->unsupported)
		ps->cl->unsupported = what;
}

/* ---- handlers ---- */

static int h_command(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	(void)arg;
	if (spec->data == XVSADM_CMD_HELP || spec->data == XVSADM_CMD_VERSION)
		ps->stop = true;
	return set_command(ps, spec->data);
}

static int h_daemon_cmd(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	if (set_command(ps, spec->data))
		return ps->err->code;
	if (strcmp(arg, "master") && strcmp(arg, "backup"))
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   spec->data == XVSADM_CMD_STARTDAEMON ?
				   "illegal start-daemon parameter specified" :
				   "illegal start_daemon specified");
	unsupported(ps, "xvsadm: the connection sync daemon is not supported yet");
	return 0;
}

static int h_service(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	struct xvs_svc_conf *svc = &ps->cl->svc;
	bool port_given;
	int r;

	svc->proto = spec->data;
	ps->service_arg = arg;
	if (spec->data != IPPROTO_TCP && spec->data != IPPROTO_UDP)
		unsupported(ps, "xvsadm: SCTP services (--sctp-service) are not supported yet");
	r = xvsadm_parse_addrport(arg, svc->proto, &svc->addr, &svc->port, &port_given);
	if (r == -2) {
		ps->cl->ipv6 = true;
		unsupported(ps, "xvsadm: IPv6 services are not supported yet");
		return 0;
	}
	/* a mark rule's match ("10.0.0.0/8:80-90") is judged once the command
	 * is known; for every other command it is a bad address */
	if (r && (strchr(arg, '/') || strchr(arg, '-'))) {
		ps->service_bad = true;
		return 0;
	}
	if (r)
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "illegal virtual server address[:port] specified");
	if (!port_given)
		svc->port = 0;
	return 0;
}

static int h_fwmark(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	long mark;

	(void)spec;
	if (xvsadm_parse_number(arg, 1, UINT_MAX, &mark))
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "invalid fwmark value `%s' specified", arg);
	ps->cl->svc.fwmark = (uint32_t)mark;
	ps->cl->svc.proto = IPPROTO_TCP;	/* as ipvsadm: sane, unused */
	return 0;
}

/* --add-mark / --del-mark MARK: the command, and the mark it sets. */
static int h_mark_cmd(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	long mark;

	if (set_command(ps, spec->data))
		return ps->err->code;
	if (xvsadm_parse_number(arg, 1, UINT_MAX, &mark))
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "invalid fwmark value `%s' specified", arg);
	ps->cl->mark.mark = (uint32_t)mark;
	return 0;
}

static int h_scheduler(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	(void)spec;
	/* ipvsadm keeps the first IP_VS_SCHEDNAME_MAXLEN - 1 characters */
	snprintf(ps->cl->svc.sched, sizeof(ps->cl->svc.sched), "%s", arg);
	return 0;
}

static int parse_timeout(struct pstate *ps, const char *arg, long min, uint32_t *out)
{
	long v;

	if (xvsadm_parse_number(arg, min, XVSADM_MAX_TIMEOUT, &v))
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "invalid timeout value `%s' specified", arg);
	*out = (uint32_t)v;
	return 0;
}

static int h_persistent(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	(void)spec;
	ps->cl->svc.persistent = true;
	ps->cl->svc.persist_timeout_s = XVSADM_PERSIST_DEFAULT;
	return arg ? parse_timeout(ps, arg, 1, &ps->cl->svc.persist_timeout_s) : 0;
}

static int h_netmask(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	uint32_t mask;

	(void)spec;
	if (xvsadm_parse_netmask(arg, &mask))
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "illegal virtual server persistent mask specified");
	ps->cl->svc.netmask = mask == 0xffffffff ? 0 : mask;	/* 0 means /32 */
	return 0;
}

static int h_server(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	struct xvsadm_cmdline *cl = ps->cl;
	uint8_t proto = cl->svc.proto ? cl->svc.proto : IPPROTO_TCP;
	int r;

	(void)spec;
	r = xvsadm_parse_addrport(arg, proto, &cl->dest.addr, &cl->dest.port,
				  &cl->dest_port_given);
	if (r == -2) {
		cl->ipv6 = true;
		unsupported(ps, "xvsadm: IPv6 real servers are not supported yet");
		return 0;
	}
	if (r)
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "illegal real server address[:port] specified");
	return 0;
}

static int h_forward(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	(void)arg;
	ps->cl->dest.fwd = spec->data;
	return 0;
}

/* -w, -x, -y: 0..INT_MAX into the field named by data. */
enum { NUM_WEIGHT, NUM_UTHRESH, NUM_LTHRESH };

static int h_dest_number(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	static const char *const msgs[] = {
		[NUM_WEIGHT] = "illegal weight specified",
		[NUM_UTHRESH] = "illegal u_threshold specified",
		[NUM_LTHRESH] = "illegal l_threshold specified",
	};
	uint32_t *fields[] = {
		[NUM_WEIGHT] = &ps->cl->dest.weight,
		[NUM_UTHRESH] = &ps->cl->dest.u_threshold,
		[NUM_LTHRESH] = &ps->cl->dest.l_threshold,
	};
	long v;

	if (xvsadm_parse_number(arg, 0, INT_MAX, &v))
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS, "%s", msgs[spec->data]);
	*fields[spec->data] = (uint32_t)v;
	return 0;
}

static int h_ipv6(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	(void)spec;
	(void)arg;
	if (!ps->cl->svc.fwmark)
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS, "-6 used before -f");
	ps->cl->ipv6 = true;
	unsupported(ps, "xvsadm: IPv6 services are not supported yet");
	return 0;
}

static int h_unsupported(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	static const char *const what[] = {
		"xvsadm: persistence engines (--pe) are not supported",
		"xvsadm: the connection sync daemon is not supported yet",
	};

	(void)arg;
	unsupported(ps, what[spec->data]);
	return 0;
}

static int h_sched_flags(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	(void)spec;
	ps->sched_flags_arg = arg;
	return 0;
}

/* Daemon option values: checked as ipvsadm checks them, then dropped (the
 * daemon commands themselves are refused). data: the upper bound. */
static int h_daemon_number(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	long v, min = spec->opt == XVSADM_OPT_SYNCID ? 0 : 1;

	if (xvsadm_parse_number(arg, min, spec->data, &v))
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS, "illegal %s specified",
				   xvsadm_opt_name(spec->opt));
	return 0;
}

static int h_mcast_group(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	struct in6_addr a6;
	struct in_addr a4;

	(void)spec;
	if (strchr(arg, ':')) {
		if (inet_pton(AF_INET6, arg, &a6) <= 0 || !IN6_IS_ADDR_MULTICAST(&a6))
			return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
					   "invalid IPv6 mcast-group `%s'", arg);
	} else if (inet_pton(AF_INET, arg, &a4) <= 0 || !IN_MULTICAST(ntohl(a4.s_addr))) {
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS, "invalid IPv4 mcast-group `%s'", arg);
	}
	return 0;
}

static int h_tun_type(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	static const char *const names[] = { "ipip", "gue", "gre" };

	(void)spec;
	for (int t = 0; t < 3; t++) {
		if (!strcmp(arg, names[t])) {
			ps->tun_type = t;
			if (t != TUN_IPIP)
				unsupported(ps, "xvsadm: only --tun-type ipip is supported");
			return 0;
		}
	}
	return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS, "illegal tunnel type specified");
}

static int h_tun_port(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	long v;

	(void)spec;
	if (xvsadm_parse_number(arg, 1, 65535, &v))
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS, "illegal tunnel port specified");
	return 0;
}

static int h_hook(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	(void)spec;
	if (xvsadm_parse_hook(arg, &ps->cl->hook))
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "xvsadm: invalid hook `%s' (auto, xdp, xdp-generic or tc)", arg);
	return 0;
}

/* IPVS sizes its connection table by a module parameter (conn_tab_bits);
 * xvs's is a map sized when the data plane is loaded. */
static int h_conn_max(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	long v;

	(void)spec;
	if (xvsadm_parse_number(arg, XVSADM_CONN_MAX_MIN, XVSADM_CONN_MAX_MAX, &v))
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "xvsadm: invalid --conn-max `%s' (%u to %u connections)", arg,
				   XVSADM_CONN_MAX_MIN, XVSADM_CONN_MAX_MAX);
	ps->cl->conn_max = (uint32_t)v;
	return 0;
}

static bool ifaces_valid(const char *list)
{
	size_t len = 0;

	if (!*list)
		return false;
	for (const char *p = list;; p++) {
		if (*p == ',' || !*p) {
			if (len == 0 || len >= 16)	/* IFNAMSIZ */
				return false;
			if (!*p)
				return true;
			len = 0;
		} else if (*p == '/' || *p == ' ' || *p == ':') {
			return false;
		} else {
			len++;
		}
	}
}

static int h_ifaces(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	(void)spec;
	if (strlen(arg) >= sizeof(ps->cl->ifaces) || !ifaces_valid(arg))
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "xvsadm: invalid interface list `%s'", arg);
	strcpy(ps->cl->ifaces, arg);
	return 0;
}

/* -z: DPVS's message for anything that is not a usable IPv4 address */
static int h_laddr(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	int r = xvsadm_parse_laddr(arg, &ps->cl->laddr.addr);

	(void)spec;
	if (r == -2) {
		ps->cl->ipv6 = true;
		unsupported(ps, "xvsadm: IPv6 local addresses are not supported yet");
		return 0;
	}
	return r ? xvsadm_fail(ps->err, XVSADM_EXIT_ARGS, "illegal local address") : 0;
}

static int h_ifname(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	(void)spec;
	if (!xvsadm_ifname_valid(arg))
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "xvsadm: invalid interface name `%s'", arg);
	snprintf(ps->cl->laddr.ifname, sizeof(ps->cl->laddr.ifname), "%s", arg);
	return 0;
}

static int h_lport_range(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	if (set_command(ps, spec->data))
		return ps->err->code;
	if (xvsadm_parse_port_range(arg, &ps->cl->lport_min, &ps->cl->lport_max))
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "xvsadm: invalid local port range `%s' (MIN-MAX within 1-65535)",
				   arg);
	return 0;
}

/* ---- the option table ---- */

#define CMD(lname, sname, cmd) \
	{ lname, sname, ARG_NONE, -1, 0, h_command, cmd }
#define FLAG(lname, sname, o, f) \
	{ lname, sname, ARG_NONE, XVSADM_OPT_##o, f, NULL, 0 }
#define WITH(lname, sname, kind, o, h, d) \
	{ lname, sname, kind, o, 0, h, d }

static const struct opt_spec opt_table[] = {
	CMD("add-service", 'A', XVSADM_CMD_ADD),
	CMD("edit-service", 'E', XVSADM_CMD_EDIT),
	CMD("delete-service", 'D', XVSADM_CMD_DEL),
	CMD("clear", 'C', XVSADM_CMD_FLUSH),
	CMD("list", 'L', XVSADM_CMD_LIST),
	CMD(NULL, 'l', XVSADM_CMD_LIST),
	CMD("zero", 'Z', XVSADM_CMD_ZERO),
	CMD("add-server", 'a', XVSADM_CMD_ADDDEST),
	CMD("edit-server", 'e', XVSADM_CMD_EDITDEST),
	CMD("delete-server", 'd', XVSADM_CMD_DELDEST),
	CMD("set", 0, XVSADM_CMD_TIMEOUT),
	CMD("help", 'h', XVSADM_CMD_HELP),
	CMD("version", 'v', XVSADM_CMD_VERSION),
	CMD("restore", 'R', XVSADM_CMD_RESTORE),
	CMD("save", 'S', XVSADM_CMD_SAVE),
	CMD("detach", 0, XVSADM_CMD_DETACH),
	CMD("add-laddr", 'P', XVSADM_CMD_ADDLADDR),	/* DPVS */
	CMD("del-laddr", 'Q', XVSADM_CMD_DELLADDR),
	CMD("get-laddr", 'G', XVSADM_CMD_GETLADDR),
	WITH("lport-range", 0, ARG_REQUIRED, -1, h_lport_range, XVSADM_CMD_LPORT_RANGE),
	WITH("add-mark", 0, ARG_REQUIRED, -1, h_mark_cmd, XVSADM_CMD_ADDMARK),
	WITH("del-mark", 0, ARG_REQUIRED, -1, h_mark_cmd, XVSADM_CMD_DELMARK),
	WITH("start-daemon", 0, ARG_REQUIRED, -1, h_daemon_cmd, XVSADM_CMD_STARTDAEMON),
	WITH("stop-daemon", 0, ARG_REQUIRED, -1, h_daemon_cmd, XVSADM_CMD_STOPDAEMON),
	WITH("tcp-service", 't', ARG_REQUIRED, XVSADM_OPT_SERVICE, h_service, IPPROTO_TCP),
	WITH("udp-service", 'u', ARG_REQUIRED, XVSADM_OPT_SERVICE, h_service, IPPROTO_UDP),
	WITH("sctp-service", 0, ARG_REQUIRED, XVSADM_OPT_SERVICE, h_service, IPPROTO_SCTP),
	WITH("fwmark-service", 'f', ARG_REQUIRED, XVSADM_OPT_SERVICE, h_fwmark, 0),
	WITH("scheduler", 's', ARG_REQUIRED, XVSADM_OPT_SCHEDULER, h_scheduler, 0),
	WITH("persistent", 'p', ARG_OPTIONAL, XVSADM_OPT_PERSISTENT, h_persistent, 0),
	WITH("netmask", 'M', ARG_REQUIRED, XVSADM_OPT_NETMASK, h_netmask, 0),
	WITH("real-server", 'r', ARG_REQUIRED, XVSADM_OPT_SERVER, h_server, 0),
	WITH("gatewaying", 'g', ARG_NONE, XVSADM_OPT_FORWARD, h_forward, XVS_FWD_DR),
	WITH("ipip", 'i', ARG_NONE, XVSADM_OPT_FORWARD, h_forward, XVS_FWD_TUN),
	WITH("masquerading", 'm', ARG_NONE, XVSADM_OPT_FORWARD, h_forward, XVS_FWD_NAT),
	/* DPVS's -b; the short form is resolved by command in find_short() */
	WITH("fullnat", 0, ARG_NONE, XVSADM_OPT_FORWARD, h_forward, XVS_FWD_FNAT),
	WITH("weight", 'w', ARG_REQUIRED, XVSADM_OPT_WEIGHT, h_dest_number, NUM_WEIGHT),
	WITH("u-threshold", 'x', ARG_REQUIRED, XVSADM_OPT_UTHRESHOLD, h_dest_number, NUM_UTHRESH),
	WITH("l-threshold", 'y', ARG_REQUIRED, XVSADM_OPT_LTHRESHOLD, h_dest_number, NUM_LTHRESH),
	FLAG("numeric", 'n', NUMERIC, XVSADM_FMT_NUMERIC),
	FLAG("connection", 'c', CONNECTION, 0),
	WITH("mcast-interface", 0, ARG_REQUIRED, XVSADM_OPT_MCAST, NULL, 0),
	WITH("syncid", 0, ARG_REQUIRED, XVSADM_OPT_SYNCID, h_daemon_number, 255),
	FLAG("timeout", 0, TIMEOUT, 0),
	{ "daemon", 0, ARG_NONE, XVSADM_OPT_DAEMON, 0, h_unsupported, 1 },
	FLAG("stats", 0, STATS, XVSADM_FMT_STATS),
	FLAG("rate", 0, RATE, XVSADM_FMT_RATE),
	FLAG("thresholds", 0, THRESHOLDS, XVSADM_FMT_THRESHOLDS),
	FLAG("persistent-conn", 0, PERSISTENTCONN, XVSADM_FMT_PERSISTCONN),
	FLAG("nosort", 0, NOSORT, XVSADM_FMT_NOSORT),
	{ "sort", 0, ARG_NONE, -1, 0, NULL, 0 },	/* ipvsadm: a no-op */
	FLAG("exact", 'X', EXACT, XVSADM_FMT_EXACT),
	WITH("ipv6", '6', ARG_NONE, -1, h_ipv6, 0),
	FLAG("ops", 'o', ONEPACKET, 0),
	WITH("pe", 0, ARG_REQUIRED, XVSADM_OPT_PE, h_unsupported, 0),
	WITH("sched-flags", 'b', ARG_REQUIRED, XVSADM_OPT_SCHED_FLAGS, h_sched_flags, 0),
	WITH("mcast-group", 0, ARG_REQUIRED, XVSADM_OPT_MCAST_GROUP, h_mcast_group, 0),
	WITH("mcast-port", 0, ARG_REQUIRED, XVSADM_OPT_MCAST_PORT, h_daemon_number, 65535),
	WITH("mcast-ttl", 0, ARG_REQUIRED, XVSADM_OPT_MCAST_TTL, h_daemon_number, 255),
	WITH("sync-maxlen", 0, ARG_REQUIRED, XVSADM_OPT_SYNC_MAXLEN, h_daemon_number, 65535 - 20 - 8),
	FLAG("tun-info", 0, TUN_INFO, XVSADM_FMT_TUN_INFO),
	WITH("tun-type", 0, ARG_REQUIRED, XVSADM_OPT_TUN_TYPE, h_tun_type, 0),
	WITH("tun-port", 0, ARG_REQUIRED, XVSADM_OPT_TUN_PORT, h_tun_port, 0),
	FLAG("tun-nocsum", 0, TUN_NOCSUM, 0),
	FLAG("tun-csum", 0, TUN_CSUM, 0),
	FLAG("tun-remcsum", 0, TUN_REMCSUM, 0),
	WITH("hook", 0, ARG_REQUIRED, XVSADM_OPT_HOOK, h_hook, 0),
	WITH("ifaces", 0, ARG_REQUIRED, XVSADM_OPT_IFACES, h_ifaces, 0),
	WITH("conn-max", 0, ARG_REQUIRED, XVSADM_OPT_CONN_MAX, h_conn_max, 0),
	FLAG("counters", 0, COUNTERS, 0),
	FLAG("marks", 0, MARKS, 0),
	WITH("laddr", 'z', ARG_REQUIRED, XVSADM_OPT_LADDR, h_laddr, 0),
	WITH("ifname", 'F', ARG_REQUIRED, XVSADM_OPT_IFNAME, h_ifname, 0),
};

#define N_OPTS (sizeof(opt_table) / sizeof(opt_table[0]))

static const struct opt_spec *find_long(const char *name, size_t len, bool *ambiguous)
{
	const struct opt_spec *found = NULL;

	*ambiguous = false;
	for (size_t i = 0; i < N_OPTS; i++) {
		const char *n = opt_table[i].name;

		if (!n || strncmp(n, name, len))
			continue;
		if (strlen(n) == len)
			return &opt_table[i];	/* exact match wins */
		if (found)
			*ambiguous = true;
		found = &opt_table[i];
	}
	return *ambiguous ? NULL : found;
}

/* -b is --sched-flags for services, DPVS's --fullnat for real servers. */
static const struct opt_spec *find_short(char c, enum xvsadm_cmd cmd)
{
	bool amb;

	if (c == 'b' && (cmd == XVSADM_CMD_ADDDEST || cmd == XVSADM_CMD_EDITDEST))
		return find_long("fullnat", 7, &amb);
	for (size_t i = 0; i < N_OPTS; i++)
		if (opt_table[i].short_name && opt_table[i].short_name == c)
			return &opt_table[i];
	return NULL;
}

static int apply_spec(struct pstate *ps, const struct opt_spec *spec, const char *arg)
{
	if (spec->opt >= 0 && set_option(ps, spec->opt))
		return ps->err->code;
	ps->cl->format |= spec->fmt;
	return spec->handle ? spec->handle(ps, spec, arg) : 0;
}

/* popt's rule for an optional argument: the next word, unless it is
 * missing or looks like an option. */
static const char *optional_next(int argc, char **argv, int *i)
{
	if (*i + 1 < argc && argv[*i + 1][0] != '-')
		return argv[++*i];
	return NULL;
}

static int parse_long(struct pstate *ps, int argc, char **argv, int *i)
{
	const char *word = argv[*i], *name = word + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct opt_spec *spec;
	const char *arg = eq ? eq + 1 : NULL;
	bool ambiguous;

	spec = find_long(name, len, &ambiguous);
	if (!spec)
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS, "%.*s: %s",
				   (int)(len + 2), word,
				   ambiguous ? "ambiguous option" : "unknown option");
	if (spec->arg == ARG_NONE && arg)
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "--%s: option does not take an argument", spec->name);
	if (spec->arg == ARG_REQUIRED && !arg) {
		if (*i + 1 >= argc)
			return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
					   "--%s: missing argument", spec->name);
		arg = argv[++*i];
	}
	if (spec->arg == ARG_OPTIONAL && !arg)
		arg = optional_next(argc, argv, i);
	return apply_spec(ps, spec, arg);
}

/* A cluster of short options such as -Ln or -t10.0.0.1:80. */
static int parse_short(struct pstate *ps, int argc, char **argv, int *i)
{
	const char *word = argv[*i];

	for (const char *p = word + 1; *p && !ps->stop; p++) {
		const struct opt_spec *spec = find_short(*p, ps->cl->cmd);
		const char *arg = NULL;

		if (!spec)
			return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
					   "-%c: unknown option", *p);
		if (spec->arg != ARG_NONE) {
			if (p[1])
				arg = p + 1;
			else if (spec->arg == ARG_OPTIONAL)
				arg = optional_next(argc, argv, i);
			else if (*i + 1 < argc)
				arg = argv[++*i];
			else
				return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
						   "-%c: missing argument", *p);
		}
		if (apply_spec(ps, spec, arg))
			return ps->err->code;
		if (arg && arg == p + 1)
			break;
	}
	return 0;
}

static void add_positional(struct pstate *ps, const char *word)
{
	if (ps->n_positional < MAX_POSITIONAL)
		ps->positional[ps->n_positional++] = word;
	else if (!ps->extra_positional)
		ps->extra_positional = word;
}

static int tokenize(struct pstate *ps, int argc, char **argv)
{
	bool options_done = false;

	for (int i = 1; i < argc && !ps->stop; i++) {
		const char *w = argv[i];
		int r = 0;

		if (options_done || w[0] != '-' || !w[1])
			add_positional(ps, w);
		else if (!strcmp(w, "--"))
			options_done = true;
		else if (w[1] == '-')
			r = parse_long(ps, argc, argv, &i);
		else
			r = parse_short(ps, argc, argv, &i);
		if (r)
			return r;
	}
	return 0;
}

/* ---- checks after the options are in ---- */

static int take_set_timeouts(struct pstate *ps)
{
	if (ps->n_positional < 3)
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "--set option requires 3 timeout values");
	for (int k = 0; k < 3; k++)
		if (parse_timeout(ps, ps->positional[k], 0, &ps->cl->timeout[k]))
			return ps->err->code;
	memmove(ps->positional, ps->positional + 3,
		(size_t)(ps->n_positional - 3) * sizeof(ps->positional[0]));
	ps->n_positional -= 3;
	return 0;
}

static const char *sched_or_default(const struct xvs_svc_conf *svc)
{
	return svc->sched[0] ? svc->sched : xvs_sched_default();
}

static int check_service_cmd(struct pstate *ps)
{
	struct xvs_svc_conf *svc = &ps->cl->svc;

	if (!svc->fwmark && !svc->port && !svc->persistent)
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "Zero port specified for non-persistent service");
	if ((ps->cl->options & XVSADM_OPT_BIT(XVSADM_OPT_ONEPACKET)) &&
	    !svc->fwmark && svc->proto != IPPROTO_UDP)
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "One-Packet Scheduling is only for UDP virtual services");
	svc->ops = ps->cl->options & XVSADM_OPT_BIT(XVSADM_OPT_ONEPACKET);
	if (!svc->sched[0])
		snprintf(svc->sched, sizeof(svc->sched), "%s", xvs_sched_default());
	return 0;
}

static const int tunnel_opts[] = {
	XVSADM_OPT_TUN_PORT, XVSADM_OPT_TUN_NOCSUM, XVSADM_OPT_TUN_CSUM,
	XVSADM_OPT_TUN_REMCSUM,
};

static int check_dest_cmd(struct pstate *ps)
{
	struct xvsadm_cmdline *cl = ps->cl;
	uint64_t tun_bits = XVSADM_OPT_BIT(XVSADM_OPT_TUN_TYPE);

	if (!cl->dest_port_given)
		cl->dest.port = cl->svc.port;
	if (cl->cmd == XVSADM_CMD_DELDEST)
		return 0;
	/* DR and TUN cannot change the port: the packet is not rewritten */
	if (!cl->svc.fwmark && (cl->dest.fwd == XVS_FWD_DR || cl->dest.fwd == XVS_FWD_TUN))
		cl->dest.port = cl->svc.port;
	for (size_t k = 0; k < sizeof(tunnel_opts) / sizeof(tunnel_opts[0]); k++)
		tun_bits |= XVSADM_OPT_BIT(tunnel_opts[k]);
	if ((cl->options & tun_bits) && cl->dest.fwd != XVS_FWD_TUN)
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "Tunnel options conflict with forward method");
	if (ps->tun_type == TUN_IPIP) {
		for (size_t k = 0; k < sizeof(tunnel_opts) / sizeof(tunnel_opts[0]); k++)
			if (cl->options & XVSADM_OPT_BIT(tunnel_opts[k]))
				return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
						   "Illegal '%s' option with the 'ipip' tunnel type",
						   xvsadm_opt_name(tunnel_opts[k]));
	}
	/* IPVS refuses a lower threshold above the upper one (ERANGE) */
	if (cl->dest.l_threshold > cl->dest.u_threshold)
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "illegal l_threshold specified: above the u_threshold %u",
				   cl->dest.u_threshold);
	return 0;
}

static int check_list_cmd(struct pstate *ps)
{
	uint64_t o = ps->cl->options;
	uint64_t tables = XVSADM_OPT_BIT(XVSADM_OPT_CONNECTION) |
			  XVSADM_OPT_BIT(XVSADM_OPT_TIMEOUT) |
			  XVSADM_OPT_BIT(XVSADM_OPT_DAEMON) |
			  XVSADM_OPT_BIT(XVSADM_OPT_COUNTERS) |
			  XVSADM_OPT_BIT(XVSADM_OPT_MARKS);
	uint64_t columns = XVSADM_OPT_BIT(XVSADM_OPT_STATS) |
			   XVSADM_OPT_BIT(XVSADM_OPT_RATE) |
			   XVSADM_OPT_BIT(XVSADM_OPT_THRESHOLDS);
	uint64_t scalars = XVSADM_OPT_BIT(XVSADM_OPT_TIMEOUT) |
			   XVSADM_OPT_BIT(XVSADM_OPT_DAEMON) |
			   XVSADM_OPT_BIT(XVSADM_OPT_COUNTERS) |
			   XVSADM_OPT_BIT(XVSADM_OPT_MARKS);

	if (((o & tables) && (o & columns)) ||
	    ((o & scalars) && (o & XVSADM_OPT_BIT(XVSADM_OPT_PERSISTENTCONN))))
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "options conflicts in the list command");
	return 0;
}

/* What this data plane cannot do yet, known only at run time. */
static int check_supported(struct pstate *ps)
{
	struct xvsadm_cmdline *cl = ps->cl;

	if ((cl->cmd == XVSADM_CMD_ADDDEST || cl->cmd == XVSADM_CMD_EDITDEST) &&
	    !xvs_fwd_supported(cl->dest.fwd)) {
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "xvsadm: %s is not supported by this xvs yet",
				   xvsadm_fwd_what(cl->dest.fwd));
	}
	if ((cl->cmd == XVSADM_CMD_ADD || cl->cmd == XVSADM_CMD_EDIT) &&
	    !xvs_sched_exists(cl->svc.sched))
		return xvsadm_fail(ps->err, XVSADM_EXIT_FAIL,
				   "Scheduler or persistence engine not found");
	return 0;
}

/* --add-mark / --del-mark: -t or -u gives the protocol and the match. */
static int check_mark_cmd(struct pstate *ps)
{
	struct xvsadm_cmdline *cl = ps->cl;
	int r = xvsadm_parse_mark_match(ps->service_arg, cl->svc.proto, &cl->mark);

	if (cl->svc.fwmark)
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "xvsadm: a mark rule matches -t or -u traffic, not -f");
	if (r == -2)
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "xvsadm: IPv6 mark rules are not supported yet");
	if (r)
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "xvsadm: illegal mark match `%s' (ADDR[/LEN][:PORT[-PORT]])",
				   ps->service_arg);
	cl->mark.proto = cl->svc.proto;
	memset(&cl->svc, 0, sizeof(cl->svc));
	return 0;
}

static int check_semantics(struct pstate *ps, const char *prog)
{
	struct xvsadm_cmdline *cl = ps->cl;
	int r = 0;

	if (cl->cmd == XVSADM_CMD_NONE)
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "Try `%s -h' or '%s --help' for more information.",
				   prog, prog);
	if (cl->cmd == XVSADM_CMD_TIMEOUT && take_set_timeouts(ps))
		return ps->err->code;
	if (ps->n_positional || ps->extra_positional)
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS, "unexpected argument %s",
				   ps->n_positional ? ps->positional[0] : ps->extra_positional);
	if (ps->sched_flags_arg &&
	    xvsadm_parse_sched_flags(sched_or_default(&cl->svc), ps->sched_flags_arg,
				     &cl->svc.sched_flags, ps->err))
		return ps->err->code;
	if (xvsadm_check_options(cl->cmd, cl->options, ps->err))
		return ps->err->code;
	if (cl->cmd == XVSADM_CMD_ADDMARK || cl->cmd == XVSADM_CMD_DELMARK) {
		if (cl->ipv6)
			return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
					   "xvsadm: IPv6 mark rules are not supported yet");
		return check_mark_cmd(ps);
	}
	if (ps->service_bad)
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS,
				   "illegal virtual server address[:port] specified");
	if (cl->unsupported)
		return xvsadm_fail(ps->err, XVSADM_EXIT_ARGS, "%s", cl->unsupported);

	switch (cl->cmd) {
	case XVSADM_CMD_ADD:
	case XVSADM_CMD_EDIT:
		r = check_service_cmd(ps);
		break;
	case XVSADM_CMD_ADDDEST:
	case XVSADM_CMD_EDITDEST:
	case XVSADM_CMD_DELDEST:
		r = check_dest_cmd(ps);
		break;
	case XVSADM_CMD_LIST:
		r = check_list_cmd(ps);
		break;
	default:
		break;
	}
	return r ? r : check_supported(ps);
}

static void cmdline_init(struct xvsadm_cmdline *cl)
{
	memset(cl, 0, sizeof(*cl));
	cl->dest.weight = 1;		/* ipvsadm's defaults */
	cl->dest.fwd = XVS_FWD_DR;
	cl->hook = XVS_HOOK_AUTO;
}

int xvsadm_parse(int argc, char **argv, struct xvsadm_cmdline *cl,
		 struct xvsadm_err *err)
{
	struct pstate ps = { .cl = cl, .err = err, .tun_type = TUN_IPIP };
	const char *prog = argc > 0 ? argv[0] : "xvsadm";

	cmdline_init(cl);
	err->code = 0;
	err->msg[0] = '\0';
	if (argc <= 1) {		/* no arguments: list, names resolved */
		cl->cmd = XVSADM_CMD_LIST;
		return 0;
	}
	if (tokenize(&ps, argc, argv))
		return err->code;
	if (cl->cmd == XVSADM_CMD_HELP || cl->cmd == XVSADM_CMD_VERSION)
		return 0;
	return check_semantics(&ps, prog);
}
