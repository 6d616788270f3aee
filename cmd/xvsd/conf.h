/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* xvsd configuration: the in-memory model of a keepalived.conf (LVS part),
 * its loader and its diagnostics.
 *
 * Contracts:
 * - conf_load() reads a file (and its includes), fills a model and a list of
 *   diagnostics. It never prints and never exits. Every diagnostic carries
 *   file:line:column.
 * - The model owns every string and array in it; conf_free() releases all.
 *   Positions point at file names kept in struct conf.files, so they stay
 *   valid as long as the model does.
 * - Severities: an ERROR makes the file unusable (the daemon refuses it, a
 *   reload keeps the old configuration); a WARNING is what keepalived reports
 *   as a configuration error and then replaces with a default (no lvs_method
 *   -> NAT, an old spelling keepalived 2.2 no longer knows, ...): the daemon
 *   runs with it, but `xvsd -t`, like `keepalived -t`, fails; a NOTE is
 *   informational (a vrrp block skipped, a keyword keepalived knows and xvsd
 *   ignores) and never fails anything.
 * - Inherited settings (timers, retry, alpha, inhibit_on_failure,
 *   virtualhost, forwarding method) are recorded where they were written
 *   (with a "set" bit) and resolved by conf_validate() into the `eff`
 *   fields, which is what the checkers and the applier read.
 */
#ifndef XVSD_CONF_H
#define XVSD_CONF_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "xvs/abi.h"

struct conf_pos {
	const char *file;	/* owned by struct conf.files (or the loader) */
	unsigned line;		/* 1-based */
	unsigned col;		/* 1-based, in bytes */
};

enum conf_sev {
	CONF_NOTE,
	CONF_WARNING,
	CONF_ERROR,
	CONF_SEV_MAX,
};

struct conf_diag {
	enum conf_sev sev;
	struct conf_pos pos;
	char *file;		/* owned copy of pos.file (diags outlive models) */
	char *msg;
};

struct conf_diags {
	struct conf_diag *v;
	size_t n, cap;
	size_t count[CONF_SEV_MAX];
};

/* An IPv4 or IPv6 address; family AF_UNSPEC when unset. */
struct conf_addr {
	uint16_t family;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
};

enum conf_fwd {
	CONF_FWD_UNSET = 0,	/* inherit (real/sorry server) or default NAT */
	CONF_FWD_NAT,
	CONF_FWD_DR,
	CONF_FWD_TUN,
	CONF_FWD_FNAT,		/* DPVS / Alibaba FULLNAT */
	CONF_FWD_MAX,
};

enum conf_tun_type { CONF_TUN_IPIP = 0, CONF_TUN_GUE, CONF_TUN_GRE };
enum conf_tun_csum { CONF_CSUM_UNSET = 0, CONF_CSUM_NONE, CONF_CSUM_CSUM, CONF_CSUM_REMCSUM };

struct conf_method {
	enum conf_fwd fwd;
	enum conf_tun_type tun_type;	/* TUN only */
	uint16_t tun_port;		/* GUE only, host order */
	enum conf_tun_csum tun_csum;
};

/* Checker timing and flags: VS -> real server -> checker inheritance. */
enum conf_timing_bit {
	CONF_T_DELAY_LOOP = 1 << 0,
	CONF_T_CONNECT_TIMEOUT = 1 << 1,
	CONF_T_RETRY = 1 << 2,
	CONF_T_DELAY_BEFORE_RETRY = 1 << 3,
	CONF_T_WARMUP = 1 << 4,
	CONF_T_ALPHA = 1 << 5,
	CONF_T_INHIBIT = 1 << 6,
};

struct conf_timing {
	unsigned set;			/* CONF_T_* written at this level */
	uint64_t delay_loop_us;
	uint64_t connect_timeout_us;
	uint64_t delay_before_retry_us;
	uint64_t warmup_us;
	uint32_t retry;
	bool alpha;
	bool inhibit_on_failure;
};

/* keepalived's defaults (check_data.h / check_api.c). */
#define CONF_DEFAULT_DELAY_LOOP_US	(60ULL * 1000000)
#define CONF_DEFAULT_CONNECT_TIMEOUT_US	(5ULL * 1000000)
#define CONF_DEFAULT_PERSISTENCE_S	360
#define CONF_DEFAULT_SCHED		"wlc"
#define CONF_DEFAULT_WEIGHT		1
#define CONF_MAX_WEIGHT			2147483647U	/* keepalived: 0..INT_MAX */

enum conf_check_kind {
	CONF_CHECK_TCP,
	CONF_CHECK_HTTP,	/* HTTP_GET */
	CONF_CHECK_SSL,		/* SSL_GET */
	CONF_CHECK_MISC,
	CONF_CHECK_UDP,
	CONF_CHECK_DNS,
	CONF_CHECK_SMTP,
	CONF_CHECK_PING,
	CONF_CHECK_FILE,
	CONF_CHECK_BFD,
	CONF_CHECK_KIND_MAX,
};

struct conf_status_range {
	uint16_t lo, hi;		/* inclusive */
};

struct conf_url {
	struct conf_pos pos;
	char *path;
	char *digest;			/* lower-case hex MD5, 32 chars */
	struct conf_status_range *status;	/* none: 200-299 */
	size_t n_status;
	char *virtualhost;
	char *regex;
	bool regex_no_match;
	uint32_t regex_min_offset, regex_max_offset;
};

struct conf_check_http {
	struct conf_url **urls;
	size_t n_urls;
	unsigned http_protocol;		/* 10, 11, or 100 for "1.0C" */
	bool fast_recovery;
	bool enable_sni;
	char *sni_name;
	bool tls_compliant;
	char *virtualhost;		/* the checker's own; see eff_virtualhost */
};

struct conf_check_misc {
	char *path;			/* command line, shell words */
	uint64_t timeout_us;		/* 0: delay_loop */
	bool dynamic;
	char *user, *group;
};

struct conf_check_udp {
	uint8_t *payload;
	size_t payload_len;
	bool require_reply;
	uint8_t *reply, *reply_mask;	/* mask bit 0: ignore (x nibble) */
	size_t reply_len;
	uint32_t min_reply_length, max_reply_length;
};

struct conf_check_dns {
	uint16_t qtype;			/* DNS RR type; default SOA (6) */
	char *name;			/* default "." */
};

struct conf_check_smtp {
	char *helo_name;
};

/* track_file NAME { file PATH; weight N [reverse]; init_file [VALUE]
 * [overwrite] }: a file holding a number that FILE_CHECK follows. */
struct conf_track_file {
	struct conf_pos pos;
	char *name;
	char *path;
	int32_t weight;			/* default 1 */
	bool reverse;
	bool init;			/* init_file: create it at startup */
	bool init_overwrite;		/* ... even when it exists */
	int32_t init_value;		/* default 0 */
};

struct conf_check_file {
	char *track_file;
	const struct conf_track_file *track;	/* resolved; not owned */
	bool dynamic;
	int32_t weight;			/* 0: the track_file's weight and reverse */
	bool reverse;
};

struct conf_checker {
	struct conf_pos pos;
	enum conf_check_kind kind;
	const char *type_name;		/* "TCP_CHECK", ... (static) */
	struct conf_addr connect_ip;	/* unset: the real server's */
	uint16_t connect_port;		/* 0: the real server's */
	struct conf_addr bindto;
	char *bind_if;
	uint16_t bind_port;
	uint32_t fwmark;
	bool log_all_failures;
	struct conf_timing timing;	/* as written */
	struct conf_timing eff;		/* resolved: VS -> RS -> checker -> type default */
	const char *eff_virtualhost;	/* url > checker > RS > VS; not owned */
	struct conf_check_http http;
	struct conf_check_misc misc;
	struct conf_check_udp udp;
	struct conf_check_dns dns;
	struct conf_check_smtp smtp;
	struct conf_check_file file;
	char *bfd_name;
};

struct conf_rs {
	struct conf_pos pos;
	struct conf_addr addr;
	uint16_t port;			/* 0 when not given */
	uint32_t weight;
	bool weight_set;
	struct conf_method method;	/* as written (fwd UNSET: inherit) */
	enum conf_fwd eff_fwd;		/* resolved */
	char *notify_up, *notify_down;
	uint32_t u_threshold, l_threshold;
	char *virtualhost;
	struct conf_timing timing;
	struct conf_timing eff;
	struct conf_checker **checkers;
	size_t n_checkers;
};

struct conf_sorry {
	struct conf_pos pos;
	struct conf_addr addr;
	uint16_t port;
	struct conf_method method;
	enum conf_fwd eff_fwd;
	bool inhibit;
};

enum conf_vs_kind { CONF_VS_ADDR, CONF_VS_FWMARK, CONF_VS_GROUP };

struct conf_vsg_entry {
	struct conf_pos pos;
	bool is_fwmark;
	struct conf_addr first, last;	/* a single address: first == last */
	uint16_t port;
	uint32_t fwmark;
	uint16_t fwmark_family;		/* AF_UNSPEC unless inet|inet6 given */
};

struct conf_vsg {
	struct conf_pos pos;
	char *name;
	struct conf_vsg_entry *entries;
	size_t n_entries;
};

/* DPVS local_address_group: FULLNAT source addresses, each with its
 * interface. A range a.b.c.d-e is one entry. */
struct conf_laddr_entry {
	struct conf_pos pos;
	struct conf_addr first, last;
	char *ifname;			/* NULL when not given */
};

struct conf_laddr_group {
	struct conf_pos pos;
	char *name;
	struct conf_laddr_entry *entries;
	size_t n_entries;
};

struct conf_vs {
	struct conf_pos pos;
	enum conf_vs_kind kind;
	struct conf_addr addr;		/* CONF_VS_ADDR */
	uint16_t port;			/* CONF_VS_ADDR; 0 when not given */
	uint32_t fwmark;		/* CONF_VS_FWMARK */
	char *group_name;		/* CONF_VS_GROUP */
	const struct conf_vsg *group;	/* resolved; not owned */
	uint16_t family;		/* resolved (ip_family or from RSs) */
	bool ip_family_set;
	char sched[XVS_SCHED_NAME_LEN];	/* resolved: default wlc */
	bool sched_set;
	uint32_t sched_flags;		/* XVS_SCHED_F_* */
	bool ops;
	struct conf_method method;	/* resolved: default NAT */
	uint8_t protocol;		/* IPPROTO_TCP/UDP/SCTP; resolved: TCP */
	bool protocol_set;
	bool persistent;
	uint32_t persistence_timeout_s;
	struct conf_addr persistence_mask;	/* v4 netmask (solid or not) */
	uint8_t persistence_prefix6;		/* v6 granularity, 0: unset */
	char *persistence_engine;
	bool ha_suspend, omega;
	uint32_t quorum;		/* default 1 */
	uint32_t hysteresis;
	char *quorum_up, *quorum_down;
	char *virtualhost;
	uint32_t default_weight;	/* VS-level `weight`; default 1 */
	struct conf_timing timing;
	struct conf_timing eff;
	struct conf_sorry *sorry;
	char *laddr_group_name;		/* DPVS laddr_group_name */
	const struct conf_laddr_group *laddr_group;	/* resolved; not owned */
	struct conf_rs **rs;
	size_t n_rs;
};

enum conf_flush_on_stop { CONF_FLUSH_STOP_NONE = 0, CONF_FLUSH_STOP_ALL, CONF_FLUSH_STOP_VS };

struct conf_global {
	char *router_id;
	uint32_t lvs_timeout_tcp_s, lvs_timeout_tcpfin_s, lvs_timeout_udp_s;	/* 0: unchanged */
	bool lvs_flush;
	enum conf_flush_on_stop lvs_flush_on_stop;
	char *lvs_notify_fifo;
	char *lvs_notify_fifo_user, *lvs_notify_fifo_group;
	char *lvs_notify_fifo_script;
	bool enable_script_security;
	char *script_user, *script_group;
	/* SSL { } block: the context for SSL_GET */
	bool ssl_set;
	char *ssl_password, *ssl_ca, *ssl_certificate, *ssl_key;
};

struct conf {
	struct conf_global global;
	struct conf_vs **vs;
	size_t n_vs;
	struct conf_vsg **groups;
	size_t n_groups;
	struct conf_laddr_group **laddr_groups;
	size_t n_laddr_groups;
	struct conf_track_file **track_files;	/* for FILE_CHECK */
	size_t n_track_files;
	char **files;			/* every file read, in reading order */
	size_t n_files;
};

struct conf_opts {
	const char *config_id;		/* for @ID lines; NULL: hostname up to '.' */
	unsigned max_include_depth;	/* 0: CONF_MAX_INCLUDE_DEPTH */
	bool no_includes;		/* include is an error (the fuzzer) */
};

#define CONF_MAX_INCLUDE_DEPTH	16
#define CONF_MAX_FILE_SIZE	(16u << 20)	/* one file */
#define CONF_MAX_WORD		4096		/* one word, after unquoting */
#define CONF_MAX_WORDS		512		/* words in one statement */
#define CONF_MAX_NESTING	32		/* block depth */

/* Reads PATH and its includes into *out (NULL on failure) and appends
 * diagnostics to *diags. Returns 0 when there is no ERROR (warnings and
 * notes may exist), -EINVAL when the file has errors (*out is NULL then),
 * -ENOMEM. */
int conf_load(const char *path, const struct conf_opts *opts,
	      struct conf **out, struct conf_diags *diags);

/* The same on text in memory, named NAME in diagnostics; includes are
 * resolved relative to the current directory. For tests and the fuzzer. */
int conf_load_buffer(const char *name, const char *text, size_t len,
		     const struct conf_opts *opts, struct conf **out,
		     struct conf_diags *diags);

/* Semantic checks over a parsed model (cross references, duplicates,
 * families, ports, FULLNAT pools) and resolution of defaults and
 * inheritance. conf_load() calls it; returns the number of errors added. */
size_t conf_validate(struct conf *c, struct conf_diags *diags);

void conf_free(struct conf *c);	/* NULL is fine */

/* Diagnostics. conf_diag_add formats like printf. */
void conf_diag_add(struct conf_diags *d, enum conf_sev sev, const struct conf_pos *pos,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void conf_diags_free(struct conf_diags *d);
/* "FILE:LINE:COL: error: MSG" lines, in the order found. */
void conf_diags_print(const struct conf_diags *d, FILE *f);
const char *conf_sev_name(enum conf_sev sev);

/* Addresses: order (family first; unset ones are equal) and text. */
int conf_addr_cmp(const struct conf_addr *a, const struct conf_addr *b);
const char *conf_addr_str(const struct conf_addr *a, char *buf, size_t len);

/* Two virtual servers are the same service: address, port and protocol;
 * fwmark (and family); or group name, protocol and family. */
bool conf_vs_same(const struct conf_vs *a, const struct conf_vs *b);

/* Names for printing: "NAT", "DR", "TUN", "FNAT"; checker type names. */
const char *conf_fwd_name(enum conf_fwd fwd);
const char *conf_check_kind_name(enum conf_check_kind kind);

#endif /* XVSD_CONF_H */
