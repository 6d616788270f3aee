// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Runs a parsed command through one libxvs handle: dispatch by command,
 * read-only commands never load a data plane, errors reported once with
 * ipvsadm's text. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xvsadm.h"

/* IPVS's defaults, shown by --timeout before any data plane exists. */
#define DEFAULT_TCP_TIMEOUT	900
#define DEFAULT_TCPFIN_TIMEOUT	120
#define DEFAULT_UDP_TIMEOUT	300

bool xvsadm_svc_exists(struct xvs *x, const struct xvs_svc_conf *svc)
{
	struct xvs_svc_info *list = NULL;
	size_t n = 0;
	bool found;

	if (!xvs_is_loaded(x) || xvs_svc_list(x, &list, &n))
		return false;
	found = xvsadm_find_svc(list, n, svc) != NULL;
	xvs_svc_list_free(list, n);
	return found;
}

/* -C: the services, and the mark rules that feed them (saved by -S with
 * them, so -C then -R of a saved table rebuilds it). */
static int flush_all(struct xvs *x)
{
	struct xvs_mark_rule *r = NULL;
	size_t n = 0;
	int err = xvs_flush(x);

	if (!err)
		err = xvs_mark_rule_list(x, &r, &n);
	for (size_t i = n; i-- > 0 && !err;)
		err = xvs_mark_rule_del(x, &r[i]);
	free(r);
	return err;
}

int xvsadm_apply(struct xvs *x, const struct xvsadm_cmdline *cl)
{
	switch (cl->cmd) {
	case XVSADM_CMD_ADD:
		return xvs_svc_add(x, &cl->svc);
	case XVSADM_CMD_EDIT:
		return xvs_svc_edit(x, &cl->svc);
	case XVSADM_CMD_DEL:
		return xvs_svc_del(x, &cl->svc);
	case XVSADM_CMD_FLUSH:
		return flush_all(x);
	case XVSADM_CMD_ADDDEST:
		return xvs_dest_add(x, &cl->svc, &cl->dest);
	case XVSADM_CMD_EDITDEST:
		return xvs_dest_edit(x, &cl->svc, &cl->dest);
	case XVSADM_CMD_DELDEST:
		return xvs_dest_del(x, &cl->svc, &cl->dest);
	case XVSADM_CMD_TIMEOUT:
		return xvs_timeout_set(x, cl->timeout[0], cl->timeout[1], cl->timeout[2]);
	case XVSADM_CMD_ZERO:
		return xvs_zero(x, (cl->options & XVSADM_OPT_BIT(XVSADM_OPT_SERVICE)) ?
				   &cl->svc : NULL);
	case XVSADM_CMD_ADDLADDR:
		return xvs_laddr_add(x, &cl->svc, &cl->laddr);
	case XVSADM_CMD_DELLADDR:
		return xvs_laddr_del(x, &cl->svc, &cl->laddr);
	case XVSADM_CMD_LPORT_RANGE:
		return xvs_lport_range_set(x, cl->lport_min, cl->lport_max);
	case XVSADM_CMD_ADDMARK:
		return xvs_mark_rule_add(x, &cl->mark);
	case XVSADM_CMD_DELMARK:
		return xvs_mark_rule_del(x, &cl->mark);
	default:
		return -EINVAL;
	}
}

/* The services, or none when the namespace has no data plane. */
static int fetch_svcs(struct xvs *x, struct xvs_svc_info **list, size_t *n)
{
	*list = NULL;
	*n = 0;
	return xvs_is_loaded(x) ? xvs_svc_list(x, list, n) : 0;
}

/* The local addresses of each of the n services, in list order. */
static int fetch_laddrs(struct xvs *x, const struct xvs_svc_info *list, size_t n,
			struct xvsadm_laddr_list **out)
{
	struct xvsadm_laddr_list *l = calloc(n ? n : 1, sizeof(*l));
	int err = l ? 0 : -ENOMEM;

	for (size_t i = 0; i < n && !err; i++)
		err = xvs_laddr_list(x, &list[i].conf, &l[i].v, &l[i].n);
	if (err) {
		xvsadm_laddr_lists_free(l, n);
		return err;
	}
	*out = l;
	return 0;
}

static int report(enum xvsadm_cmd cmd, int err, bool svc_exists)
{
	fprintf(stderr, "%s\n", xvsadm_op_strerror(cmd, err, svc_exists));
	return XVSADM_EXIT_FAIL;
}

/* The table as -L, -S and -G show it: services (with --rate: their
 * rates in place of the statistics), their local addresses, the local port
 * range, the mark rules. */
struct listing {
	struct xvs_svc_info *svcs;
	size_t n;
	struct xvsadm_laddr_list *laddrs;
	uint16_t lport_min, lport_max;
	struct xvs_mark_rule *marks;
	size_t n_marks;
};

static int listing_fetch(struct xvs *x, struct listing *ls, bool rates)
{
	int err;

	memset(ls, 0, sizeof(*ls));
	err = fetch_svcs(x, &ls->svcs, &ls->n);
	if (!err && rates)
		xvsadm_stats_to_rates(ls->svcs, ls->n);
	if (!err)
		err = fetch_laddrs(x, ls->svcs, ls->n, &ls->laddrs);
	if (!err)
		err = xvs_lport_range_get(x, &ls->lport_min, &ls->lport_max);
	if (!err)
		err = xvs_mark_rule_list(x, &ls->marks, &ls->n_marks);
	return err;
}

static void listing_free(struct listing *ls)
{
	xvsadm_laddr_lists_free(ls->laddrs, ls->n);
	xvs_svc_list_free(ls->svcs, ls->n);
	free(ls->marks);
}

static struct xvsadm_table listing_table(const struct listing *ls)
{
	return (struct xvsadm_table){
		.svcs = ls->svcs, .n_svcs = ls->n, .marks = ls->marks, .n_marks = ls->n_marks,
		.laddrs = ls->laddrs, .lport_min = ls->lport_min, .lport_max = ls->lport_max,
	};
}

/* -L -t/-u and -G -t/-u: a table of that one service; -ENOENT without it. */
static int listing_one(const struct listing *ls, const struct xvs_svc_conf *svc,
		       struct xvsadm_table *t)
{
	const struct xvs_svc_info *s = xvsadm_find_svc(ls->svcs, ls->n, svc);
	size_t i;

	if (!s)
		return -ENOENT;
	i = (size_t)(s - ls->svcs);
	*t = listing_table(ls);
	t->svcs = s;
	t->n_svcs = 1;
	t->laddrs = &ls->laddrs[i];
	return 0;
}

static int list_services(struct xvs *x, const struct xvsadm_cmdline *cl, bool save)
{
	struct listing ls;
	struct xvsadm_table t;
	/* --stats wins over --rate, as in ipvsadm's layouts */
	bool rate = (cl->format & XVSADM_FMT_RATE) && !(cl->format & XVSADM_FMT_STATS);
	bool one = cl->options & XVSADM_OPT_BIT(XVSADM_OPT_SERVICE);
	int err = listing_fetch(x, &ls, rate && !save);

	if (err) {
		listing_free(&ls);
		return report(XVSADM_CMD_LIST, err, true);
	}
	t = listing_table(&ls);
	if (save) {
		xvsadm_render_save(stdout, &t, cl->format | XVSADM_FMT_RULE);
	} else if (one) {
		err = listing_one(&ls, &cl->svc, &t);
		if (!err) {
			xvsadm_render_title(stdout, cl->format);
			xvsadm_render_entry(stdout, t.svcs, t.laddrs, cl->format);
		}
	} else {
		xvsadm_render_list(stdout, &t, cl->format, xvs_conn_table_size(x));
	}
	listing_free(&ls);
	return err ? report(XVSADM_CMD_LIST, err, false) : 0;
}

static int list_laddrs(struct xvs *x, const struct xvsadm_cmdline *cl)
{
	struct listing ls;
	struct xvsadm_table t;
	int err = listing_fetch(x, &ls, false);

	if (!err) {
		t = listing_table(&ls);
		if (cl->options & XVSADM_OPT_BIT(XVSADM_OPT_SERVICE))
			err = listing_one(&ls, &cl->svc, &t);
	}
	if (!err)
		xvsadm_render_laddrs(stdout, &t);
	listing_free(&ls);
	return err ? report(XVSADM_CMD_GETLADDR, err, false) : 0;
}

static int list_conns(struct xvs *x, const struct xvsadm_cmdline *cl)
{
	struct xvs_conn_info *conns = NULL;
	size_t n = 0;
	int err = xvs_is_loaded(x) ? xvs_conn_list(x, &conns, &n) : 0;

	if (err)
		return report(XVSADM_CMD_LIST, err, true);
	xvsadm_render_conns(stdout, conns, n, cl->format);
	free(conns);
	return 0;
}

static int list_timeout(struct xvs *x)
{
	uint32_t t[3] = { DEFAULT_TCP_TIMEOUT, DEFAULT_TCPFIN_TIMEOUT, DEFAULT_UDP_TIMEOUT };
	int err = xvs_is_loaded(x) ? xvs_timeout_get(x, &t[0], &t[1], &t[2]) : 0;

	if (err)
		return report(XVSADM_CMD_LIST, err, true);
	xvsadm_render_timeout(stdout, t[0], t[1], t[2]);
	return 0;
}

static int list_marks(struct xvs *x, const struct xvsadm_cmdline *cl)
{
	struct xvs_mark_rule *marks = NULL;
	size_t n = 0;
	int err = xvs_mark_rule_list(x, &marks, &n);

	if (err)
		return report(XVSADM_CMD_LIST, err, true);
	xvsadm_render_marks(stdout, marks, n, cl->format);
	free(marks);
	return 0;
}

static int list_counters(struct xvs *x)
{
	uint64_t vals[XVS_CNT_MAX] = { 0 };
	int err = xvs_is_loaded(x) ? xvs_counters_read(x, vals) : 0;

	if (err)
		return report(XVSADM_CMD_LIST, err, true);
	xvsadm_render_counters(stdout, vals, XVS_CNT_MAX);
	return 0;
}

static int run_list(struct xvs *x, const struct xvsadm_cmdline *cl)
{
	uint64_t o = cl->options;

	if (o & XVSADM_OPT_BIT(XVSADM_OPT_CONNECTION))
		return list_conns(x, cl);
	if (o & XVSADM_OPT_BIT(XVSADM_OPT_TIMEOUT))
		return list_timeout(x);
	if (o & XVSADM_OPT_BIT(XVSADM_OPT_COUNTERS))
		return list_counters(x);
	if (o & XVSADM_OPT_BIT(XVSADM_OPT_MARKS))
		return list_marks(x, cl);
	return list_services(x, cl, false);
}

static int run_change(struct xvs *x, const struct xvsadm_cmdline *cl)
{
	int err = xvsadm_apply(x, cl);
	const char *warning;
	char buf[256];

	if (err) {
		fprintf(stderr, "%s\n", xvsadm_op_message(buf, sizeof(buf), cl, err,
							 err == -ENOENT &&
							 xvsadm_svc_exists(x, &cl->svc)));
		return XVSADM_EXIT_FAIL;
	}
	if (cl->cmd == XVSADM_CMD_ADDDEST || cl->cmd == XVSADM_CMD_EDITDEST) {
		warning = xvs_last_warning(x);
		if (warning)
			fprintf(stderr, "xvsadm: warning: %s\n", warning);
	}
	return 0;
}

static int run(struct xvs *x, const struct xvsadm_cmdline *cl,
	       const struct xvsadm_cmdline *lines, size_t n_lines)
{
	int err;

	switch (cl->cmd) {
	case XVSADM_CMD_LIST:
		return run_list(x, cl);
	case XVSADM_CMD_SAVE:
		return list_services(x, cl, true);
	case XVSADM_CMD_GETLADDR:
		return list_laddrs(x, cl);
	case XVSADM_CMD_RESTORE:
		return xvsadm_restore_apply(x, lines, n_lines);
	case XVSADM_CMD_DETACH:
		err = xvs_detach(x);
		if (err) {
			fprintf(stderr, "xvsadm: cannot detach the data plane: %s\n",
				xvs_strerror(err));
			return XVSADM_EXIT_FAIL;
		}
		return 0;
	default:
		return run_change(x, cl);
	}
}

int xvsadm_main(int argc, char **argv)
{
	struct xvsadm_cmdline cl;
	struct xvsadm_err perr;
	struct xvs_open_opts opts;
	struct xvsadm_cmdline *lines = NULL;
	struct xvs *x = NULL;
	size_t n_lines = 0;
	int err, status;

	if (xvsadm_parse(argc, argv, &cl, &perr)) {
		fprintf(stderr, "%s\n", perr.msg);
		return perr.code;
	}
	if (cl.cmd == XVSADM_CMD_HELP) {
		xvsadm_usage(stdout, argv[0]);
		return 0;
	}
	if (cl.cmd == XVSADM_CMD_VERSION) {
		xvsadm_version(stdout);
		return 0;
	}
	/* All of -R's input before the namespace lock: its writer may be an
	 * xvsadm -S of the same namespace. */
	if (cl.cmd == XVSADM_CMD_RESTORE && xvsadm_restore_parse(stdin, &lines, &n_lines, &perr)) {
		fprintf(stderr, "%s\n", perr.msg);
		return perr.code;
	}
	opts = (struct xvs_open_opts){
		.hook = cl.hook,
		.ifaces = cl.ifaces[0] ? cl.ifaces : NULL,
		.conn_max = cl.conn_max,
	};
	err = xvs_open(&x, &opts);
	if (err) {
		fprintf(stderr, "xvsadm: cannot open the xvs data plane: %s\n",
			err == -EPERM ? "Permission denied (you must be root)" : xvs_strerror(err));
		free(lines);
		return XVSADM_EXIT_FAIL;
	}
	/* a size that cannot be had is refused, not dropped: the table is
	 * sized once, when the data plane loads */
	if (cl.conn_max && xvs_is_loaded(x) && xvs_conn_table_size(x) != cl.conn_max) {
		fprintf(stderr, "xvsadm: --conn-max %u: the data plane is loaded with a connection "
			"table of %u; the size is set when it loads (xvsadm --detach, then "
			"configure again)\n", cl.conn_max, xvs_conn_table_size(x));
		free(lines);
		xvs_close(x);
		return XVSADM_EXIT_FAIL;
	}
	status = run(x, &cl, lines, n_lines);
	free(lines);
	fflush(stdout);
	xvs_close(x);
	return status;
}

void xvsadm_version(FILE *f)
{
	fprintf(f, "xvsadm v0.1 (ipvsadm v1.31 compatible, IPVS v1.2.1)\n");
}

void xvsadm_usage(FILE *f, const char *p)
{
	xvsadm_version(f);
	fprintf(f,
		"Usage:\n"
		"  %s -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [-b sched-flags] [-o]\n"
		"  %s -D virtual-service\n"
		"  %s -C\n"
		"  %s -R [--hook HOOK] [--ifaces IF[,IF...]] [--conn-max N]\n"
		"  %s -S [-n]\n"
		"  %s -a|e virtual-service -r server-address [options]\n"
		"  %s -d virtual-service -r server-address\n"
		"  %s -P virtual-service -z local-address -F ifname\n"
		"  %s -Q virtual-service -z local-address [-F ifname]\n"
		"  %s -G [virtual-service]\n"
		"  %s -L|l [virtual-service] [options]\n"
		"  %s -Z [virtual-service]\n"
		"  %s --set tcp tcpfin udp\n"
		"  %s --lport-range min-max\n"
		"  %s --add-mark|--del-mark mark -t|-u address[/len][:port[-port]]\n"
		"  %s --detach\n"
		"  %s -h\n\n",
		p, p, p, p, p, p, p, p, p, p, p, p, p, p, p, p, p);
	fprintf(f,
		"Commands:\n"
		"Either long or short options are allowed.\n"
		"  --add-service     -A        add virtual service with options\n"
		"  --edit-service    -E        edit virtual service with options\n"
		"  --delete-service  -D        delete virtual service\n"
		"  --clear           -C        clear the whole table\n"
		"  --restore         -R        restore rules from stdin (all or nothing)\n"
		"  --save            -S        save rules to stdout\n"
		"  --add-server      -a        add real server with options\n"
		"  --edit-server     -e        edit real server with options\n"
		"  --delete-server   -d        delete real server\n"
		"  --add-laddr       -P        add local address (FULLNAT source)\n"
		"  --del-laddr       -Q        del local address\n"
		"  --get-laddr       -G        get local address\n"
		"  --list            -L|-l     list the table\n"
		"  --zero            -Z        zero counters in a service or all services\n"
		"  --set tcp tcpfin udp        set connection timeout values\n"
		"  --lport-range min-max       local ports of FULLNAT connections (xvs)\n"
		"  --add-mark mark             mark matching packets for -f services (xvs)\n"
		"  --del-mark mark             remove a mark rule (xvs)\n"
		"  --detach                    remove the data plane from this namespace (xvs)\n"
		"  --help            -h        display this help message\n\n");
	fprintf(f,
		"virtual-service:\n"
		"  --tcp-service|-t  service-address   service-address is host[:port]\n"
		"  --udp-service|-u  service-address   service-address is host[:port]\n\n");
	fprintf(f,
		"Options:\n"
		"  --scheduler    -s scheduler         scheduler name, the default scheduler is %s.\n"
		"  --persistent   -p [timeout]         persistent service\n"
		"  --netmask      -M netmask           persistent granularity mask\n"
		"  --sched-flags  -b flags             scheduler flags (comma-separated)\n"
		"  --ops          -o                   one-packet scheduling\n"
		"  --real-server  -r server-address    server-address is host (and port)\n"
		"  --gatewaying   -g                   gatewaying (direct routing) (default)\n"
		"  --ipip         -i                   ipip encapsulation (tunneling)\n"
		"  --masquerading -m                   masquerading (NAT)\n"
		"  --fullnat      -b                   full NAT (with -a/-e; DPVS spelling)\n"
		"  --laddr        -z local-ip          local IP (FULLNAT source address)\n"
		"  --ifname       -F ifname            nic interface for laddrs\n"
		"  --tun-type      ipip                tunnel type (only ipip)\n"
		"  --weight       -w weight            capacity of real server\n"
		"  --u-threshold  -x uthreshold        upper threshold of connections\n"
		"  --l-threshold  -y lthreshold        lower threshold of connections\n"
		"  --connection   -c                   output of current connections\n"
		"  --timeout                           output of timeout (tcp tcpfin udp)\n"
		"  --stats                             output of statistics information\n"
		"  --rate                              output of rate information\n"
		"  --exact                             expand numbers (display exact values)\n"
		"  --thresholds                        output of thresholds information\n"
		"  --persistent-conn                   output of persistent connection info\n"
		"  --tun-info                          output of tunnel information\n"
		"  --nosort                            disable sorting output of service/server entries\n"
		"  --sort                              does nothing, for backwards compatibility\n"
		"  --numeric      -n                   numeric output of addresses and ports\n"
		"  --counters                          output of the data plane's counters (xvs)\n"
		"  --marks                             output of the firewall-mark rules (xvs)\n"
		"  --hook         auto|xdp|xdp-generic|tc  where to attach when loading (xvs)\n"
		"  --ifaces       IF[,IF...]           interfaces to attach to (xvs)\n"
		"  --conn-max     N                    connection table size when loading (xvs)\n",
		xvs_sched_default());
}
