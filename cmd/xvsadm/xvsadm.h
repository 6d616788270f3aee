/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* xvsadm internals: the parsed command line, the command x option rules, and
 * the pure parse/render functions that the unit tests drive without BPF.
 *
 * Conventions: parse and validate functions return 0 or the exit status to
 * use (2 for argument errors, as ipvsadm) and leave one message in a
 * struct xvsadm_err; render functions write to a FILE and never fail the
 * program. Nothing here touches the data plane except run.c/restore.c.
 */
#ifndef XVSADM_H
#define XVSADM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "xvs/xvs.h"

#define XVSADM_EXIT_ARGS	2	/* bad command line, nothing done */
#define XVSADM_EXIT_FAIL	1	/* the operation failed */

/* ipvsadm's limits */
#define XVSADM_MAX_TIMEOUT	(86400 * 31)
#define XVSADM_PERSIST_DEFAULT	300

/* Commands, in ipvsadm's order, then the xvs additions. */
enum xvsadm_cmd {
	XVSADM_CMD_NONE = 0,
	XVSADM_CMD_ADD,
	XVSADM_CMD_EDIT,
	XVSADM_CMD_DEL,
	XVSADM_CMD_FLUSH,
	XVSADM_CMD_LIST,
	XVSADM_CMD_ADDDEST,
	XVSADM_CMD_DELDEST,
	XVSADM_CMD_EDITDEST,
	XVSADM_CMD_TIMEOUT,
	XVSADM_CMD_STARTDAEMON,
	XVSADM_CMD_STOPDAEMON,
	XVSADM_CMD_RESTORE,
	XVSADM_CMD_SAVE,
	XVSADM_CMD_ZERO,
	XVSADM_CMD_ADDLADDR,	/* DPVS: -P, FULLNAT local addresses */
	XVSADM_CMD_DELLADDR,	/* DPVS: -Q */
	XVSADM_CMD_GETLADDR,	/* DPVS: -G */
	XVSADM_CMD_DETACH,	/* xvs: remove the data plane */
	XVSADM_CMD_LPORT_RANGE,	/* xvs: --lport-range MIN-MAX */
	XVSADM_CMD_ADDMARK,	/* xvs: --add-mark MARK -t|-u MATCH */
	XVSADM_CMD_DELMARK,	/* xvs: --del-mark MARK -t|-u MATCH */
	XVSADM_CMD_HELP,
	XVSADM_CMD_VERSION,
	XVSADM_CMD_MAX,
};

/* Options as the legality rules know them (bit numbers), in ipvsadm's
 * order so that the first offending option is the one ipvsadm names. */
enum xvsadm_opt {
	XVSADM_OPT_NUMERIC = 0,
	XVSADM_OPT_CONNECTION,
	XVSADM_OPT_SERVICE,
	XVSADM_OPT_SCHEDULER,
	XVSADM_OPT_PERSISTENT,
	XVSADM_OPT_NETMASK,
	XVSADM_OPT_SERVER,
	XVSADM_OPT_FORWARD,
	XVSADM_OPT_WEIGHT,
	XVSADM_OPT_UTHRESHOLD,
	XVSADM_OPT_LTHRESHOLD,
	XVSADM_OPT_MCAST,
	XVSADM_OPT_TIMEOUT,
	XVSADM_OPT_DAEMON,
	XVSADM_OPT_STATS,
	XVSADM_OPT_RATE,
	XVSADM_OPT_THRESHOLDS,
	XVSADM_OPT_PERSISTENTCONN,
	XVSADM_OPT_NOSORT,
	XVSADM_OPT_SYNCID,
	XVSADM_OPT_EXACT,
	XVSADM_OPT_ONEPACKET,
	XVSADM_OPT_PE,
	XVSADM_OPT_SCHED_FLAGS,
	XVSADM_OPT_MCAST_GROUP,
	XVSADM_OPT_MCAST_PORT,
	XVSADM_OPT_MCAST_TTL,
	XVSADM_OPT_SYNC_MAXLEN,
	XVSADM_OPT_TUN_INFO,
	XVSADM_OPT_TUN_TYPE,
	XVSADM_OPT_TUN_PORT,
	XVSADM_OPT_TUN_NOCSUM,
	XVSADM_OPT_TUN_CSUM,
	XVSADM_OPT_TUN_REMCSUM,
	XVSADM_OPT_HOOK,	/* xvs */
	XVSADM_OPT_IFACES,	/* xvs */
	XVSADM_OPT_COUNTERS,	/* xvs */
	XVSADM_OPT_LADDR,	/* DPVS: -z */
	XVSADM_OPT_IFNAME,	/* DPVS: -F */
	XVSADM_OPT_MARKS,	/* xvs: -L --marks */
	XVSADM_OPT_CONN_MAX,	/* xvs: --conn-max, IPVS's conn_tab_bits */
	XVSADM_OPT_MAX,
};

#define XVSADM_OPT_BIT(o)	(1ULL << (o))

/* --conn-max: connections the data plane's table holds */
#define XVSADM_CONN_MAX_MIN	1024u
#define XVSADM_CONN_MAX_MAX	(1u << 27)

/* Listing format flags. */
#define XVSADM_FMT_NUMERIC	(1u << 0)
#define XVSADM_FMT_RULE		(1u << 1)
#define XVSADM_FMT_STATS	(1u << 2)
#define XVSADM_FMT_RATE		(1u << 3)
#define XVSADM_FMT_THRESHOLDS	(1u << 4)
#define XVSADM_FMT_PERSISTCONN	(1u << 5)
#define XVSADM_FMT_NOSORT	(1u << 6)
#define XVSADM_FMT_EXACT	(1u << 7)
#define XVSADM_FMT_TUN_INFO	(1u << 8)

struct xvsadm_err {
	int code;		/* exit status; 0: no error */
	char msg[512];
};

/* Fills *err and returns code. */
int xvsadm_fail(struct xvsadm_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One command line (or one -R line), parsed and validated. */
struct xvsadm_cmdline {
	enum xvsadm_cmd cmd;
	uint64_t options;		/* XVSADM_OPT_BIT()s given */
	unsigned int format;		/* XVSADM_FMT_* */
	struct xvs_svc_conf svc;
	struct xvs_dest_conf dest;
	bool dest_port_given;		/* -r had a :port */
	struct xvs_laddr_conf laddr;	/* -z, -F */
	uint16_t lport_min, lport_max;	/* --lport-range */
	struct xvs_mark_rule mark;	/* --add-mark / --del-mark */
	uint32_t timeout[3];		/* --set tcp tcpfin udp */
	enum xvs_hook hook;		/* --hook */
	char ifaces[256];		/* --ifaces; "" means every UP interface */
	uint32_t conn_max;		/* --conn-max; 0: libxvs's default */
	const char *unsupported;	/* accepted by the parser, not by xvs */
	bool ipv6;			/* -6, or an IPv6 address */
	int lineno;			/* -R input line; 0 on the command line */
};

/* Parses and validates argv (argv[0] is the program name) into *cl.
 * Returns 0, or the exit status with the message in *err. A help or version
 * request yields cl->cmd XVSADM_CMD_HELP/VERSION. */
int xvsadm_parse(int argc, char **argv, struct xvsadm_cmdline *cl,
		 struct xvsadm_err *err);

/* The generic command x option check alone (ipvsadm's texts). */
int xvsadm_check_options(enum xvsadm_cmd cmd, uint64_t options,
			 struct xvsadm_err *err);

/* Legality of one option with one command: '+' required, 'x' illegal,
 * '1' at most one of the '1' options, ' ' optional. */
char xvsadm_opt_rule(enum xvsadm_cmd cmd, enum xvsadm_opt opt);
const char *xvsadm_cmd_name(enum xvsadm_cmd cmd);
const char *xvsadm_opt_name(enum xvsadm_opt opt);

/* ---- value parsers (parse.c); each returns 0 or -1 ---- */

/* "host[:port]": IPv4 literal or name (AF_INET), port number or service
 * name for proto. *port_given tells whether a port was present. Returns 0,
 * -1 for a bad address or port, -2 for an IPv6 address. */
int xvsadm_parse_addrport(const char *arg, uint8_t proto, uint32_t *addr,
			  uint16_t *port, bool *port_given);
/* Decimal in [min, max] with nothing after it. */
int xvsadm_parse_number(const char *s, long min, long max, long *out);
/* -z: an IPv4 literal or name usable as a local address (not zero,
 * loopback, multicast or broadcast; no port). Returns 0, -1, or -2 for an
 * IPv6 address. */
int xvsadm_parse_laddr(const char *arg, uint32_t *addr);
/* -F: a Linux interface name (1..15 characters, no '/', ':' or space). */
bool xvsadm_ifname_valid(const char *name);
/* --lport-range: "MIN-MAX", 1 <= MIN <= MAX <= 65535. */
int xvsadm_parse_port_range(const char *s, uint16_t *min, uint16_t *max);
/* A mark rule's match, "ADDR[/LEN][:PORT[-PORT]]" (no port: every port;
 * ports by number or service name for proto). Returns 0, -1, or -2 for
 * an IPv6 address. */
int xvsadm_parse_mark_match(const char *arg, uint8_t proto, struct xvs_mark_rule *r);
/* Dotted mask or host; contiguous. *mask in network order. */
int xvsadm_parse_netmask(const char *s, uint32_t *mask);
/* Comma list of flag-1..3, sh-*, mh-* against the scheduler name. On error
 * writes ipvsadm's message. */
int xvsadm_parse_sched_flags(const char *sched, const char *list,
			     uint32_t *flags, struct xvsadm_err *err);
int xvsadm_parse_hook(const char *s, enum xvs_hook *hook);
const char *xvsadm_hook_name(enum xvs_hook hook);

/* ---- rendering (list.c, save.c) ---- */

/* "12345" or "123K": ipvsadm's 9-wide large number. */
void xvsadm_print_largenum(FILE *f, unsigned long long n, unsigned int format);
/* Host name of addr, or the dotted quad with XVSADM_FMT_NUMERIC or when
 * it has no name. */
void xvsadm_host(char *buf, size_t len, uint32_t addr, unsigned int format);
/* "addr:port", resolved unless format has XVSADM_FMT_NUMERIC. */
void xvsadm_addrport(char *buf, size_t len, uint32_t addr, uint16_t port,
		     uint8_t proto, unsigned int format);
const char *xvsadm_fwd_name(enum xvs_fwd fwd);	/* Route, Tunnel, ... */
/* -b flag words for the service's scheduler, comma-separated. */
void xvsadm_print_sched_flags(FILE *f, const struct xvs_svc_conf *c);
const char *xvsadm_fwd_switch(enum xvs_fwd fwd);	/* -g, -i, -m, -b */
const char *xvsadm_fwd_what(enum xvs_fwd fwd);		/* for messages */

/* One service's FULLNAT local addresses (xvs_laddr_list). */
struct xvsadm_laddr_list {
	struct xvs_laddr_info *v;
	size_t n;
};

struct xvsadm_table {
	const struct xvs_svc_info *svcs;
	size_t n_svcs;
	const struct xvs_mark_rule *marks;	/* -S: the mark rules, first */
	size_t n_marks;
	const struct xvsadm_laddr_list *laddrs;	/* NULL, or one per service */
	uint16_t lport_min, lport_max;		/* 0: unknown (not shown or saved) */
};

/* The full listing: version line, titles, every service. */
void xvsadm_render_list(FILE *f, const struct xvsadm_table *t,
			unsigned int format, uint32_t conn_tab_size);
/* Titles and one service (ipvsadm -L -t ...). */
void xvsadm_render_service(FILE *f, const struct xvs_svc_info *svc,
			   unsigned int format);
/* One service, its real servers and (plain layout) its local addresses;
 * laddrs may be NULL. */
void xvsadm_render_entry(FILE *f, const struct xvs_svc_info *svc,
			 const struct xvsadm_laddr_list *laddrs, unsigned int format);
/* -G: DPVS's --get-laddr table for every service of t, after an xvs line
 * with the local port range when t has one. */
void xvsadm_render_laddrs(FILE *f, const struct xvsadm_table *t);
void xvsadm_render_title(FILE *f, unsigned int format);
void xvsadm_render_conns(FILE *f, const struct xvs_conn_info *c, size_t n,
			 unsigned int format);
void xvsadm_render_timeout(FILE *f, uint32_t tcp, uint32_t tcpfin, uint32_t udp);
void xvsadm_render_counters(FILE *f, const uint64_t *vals, size_t n);
/* -S: the -A/-a lines that rebuild the table. */
void xvsadm_render_save(FILE *f, const struct xvsadm_table *t,
			unsigned int format);

/* --rate: the layouts print stats; this puts every service's and real
 * server's rates (libxvs's estimator) in their place. */
void xvsadm_stats_to_rates(struct xvs_svc_info *list, size_t n);
/* -L --marks: the firewall-mark rules in the order they apply. */
void xvsadm_render_marks(FILE *f, const struct xvs_mark_rule *r, size_t n, unsigned int format);
/* "192.0.2.0/24:80-90" as --add-mark takes it. */
void xvsadm_mark_match(char *buf, size_t len, const struct xvs_mark_rule *r, unsigned int format);
/* Deep copy of a service list; free with xvsadm_svc_list_free(). */
int xvsadm_svc_list_dup(const struct xvs_svc_info *in, size_t n,
			struct xvs_svc_info **out);
void xvsadm_svc_list_free(struct xvs_svc_info *list, size_t n);
/* Frees n local-address lists (the array too). */
void xvsadm_laddr_lists_free(struct xvsadm_laddr_list *l, size_t n);
/* The service with conf's (proto, addr, port, fwmark), or NULL. */
const struct xvs_svc_info *xvsadm_find_svc(const struct xvs_svc_info *list, size_t n,
					   const struct xvs_svc_conf *conf);
const struct xvs_dest_info *xvsadm_find_dest(const struct xvs_svc_info *svc,
					     const struct xvs_dest_conf *conf);

/* ---- restore (restore.c) ---- */

/* Splits one -R line into words; drops a leading "ipvsadm"/"xvsadm" word.
 * Returns the word count (0 for blank and comment lines) or -1 when the
 * line has too many words. words point into buf, which is modified. */
int xvsadm_split_line(char *buf, char **words, int max_words);

/* Parses every line of a restore stream into cls (grown with realloc;
 * free()). On error names the line in err and returns its exit status. */
int xvsadm_restore_parse(FILE *in, struct xvsadm_cmdline **cls, size_t *n,
			 struct xvsadm_err *err);

/* ---- running (run.c, errors.c) ---- */

/* ipvsadm's message for a libxvs error of an operation; svc_exists tells
 * dest operations whether -ENOENT was about the service. */
const char *xvsadm_op_strerror(enum xvsadm_cmd cmd, int err, bool svc_exists);
/* The same for one parsed command, naming the -F interface when it is
 * missing; may format into buf. */
const char *xvsadm_op_message(char *buf, size_t len, const struct xvsadm_cmdline *cl, int err,
			      bool svc_exists);

/* True when the handle's table holds that service. */
bool xvsadm_svc_exists(struct xvs *x, const struct xvs_svc_conf *svc);
/* Applies one modifying command through an open handle; 0 or -errno. */
int xvsadm_apply(struct xvs *x, const struct xvsadm_cmdline *cl);
/* Whole program: parse, open, run, close. Returns the exit status. */
int xvsadm_main(int argc, char **argv);
/* Applies parsed restore lines through one handle; on a failure undoes
 * what it applied. Input is read and parsed before the handle is opened, so
 * `xvsadm -S | xvsadm -R` in one namespace does not wait on itself. */
int xvsadm_restore_apply(struct xvs *x, const struct xvsadm_cmdline *cls, size_t n);
void xvsadm_usage(FILE *f, const char *prog);
void xvsadm_version(FILE *f);

#endif /* XVSADM_H */
