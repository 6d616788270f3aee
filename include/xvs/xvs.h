/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* libxvs: the public API every xvs tool goes through. It owns the data plane
 * of the calling process's network namespace: finds it, loads and attaches it
 * when the first service is added, and edits its tables.
 *
 * Conventions: functions return 0 or a negative errno and never print or
 * exit. Addresses are IPv4 in network byte order, ports in host byte order.
 * Every destructor accepts NULL.
 */
#ifndef XVS_XVS_H
#define XVS_XVS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xvs/abi.h"

struct xvs;	/* one namespace's data plane, opaque */

/* Where and how the data plane attaches when it is first loaded. */
enum xvs_hook {
	XVS_HOOK_AUTO = 0,	/* native XDP where the driver does it well, else tc */
	XVS_HOOK_XDP,		/* native (driver) XDP */
	XVS_HOOK_XDP_GENERIC,	/* generic (skb) XDP */
	XVS_HOOK_TC,		/* tc clsact ingress */
	XVS_HOOK_MAX,
};

struct xvs_open_opts {
	enum xvs_hook hook;	/* used when the data plane is loaded */
	const char *ifaces;	/* comma-separated names; NULL: every UP non-loopback */
	uint32_t conn_max;	/* connection table size at load; 0: default */
};

/* Opens the data plane of the current network namespace, serialised against
 * other libxvs users of the same namespace for the handle's lifetime. Finds
 * an attached data plane if there is one; otherwise the handle is empty and
 * the first xvs_svc_add() loads and attaches it. opts may be NULL. */
int xvs_open(struct xvs **out, const struct xvs_open_opts *opts);
void xvs_close(struct xvs *x);

/* True when the namespace has a data plane (attached somewhere). */
bool xvs_is_loaded(const struct xvs *x);

/* Removes the data plane from every interface: all state is dropped. */
int xvs_detach(struct xvs *x);

/* Interfaces carrying the data plane, for diagnostics. */
struct xvs_attachment {
	char ifname[16];
	int ifindex;
	enum xvs_hook hook;
};
int xvs_attachments(struct xvs *x, struct xvs_attachment **out, size_t *n);

/* ---- services ---- */

struct xvs_svc_conf {
	uint8_t proto;			/* IPPROTO_TCP / IPPROTO_UDP */
	uint32_t addr;			/* VIP, network order */
	uint16_t port;			/* host order */
	uint32_t fwmark;		/* -f; 0 when the service is by address */
	char sched[XVS_SCHED_NAME_LEN];	/* "" means the default */
	uint32_t sched_flags;		/* XVS_SCHED_F_* */
	bool persistent;		/* -p given */
	uint32_t persist_timeout_s;
	uint32_t netmask;		/* network order; 0 means /32 */
	bool ops;			/* -o */
};

struct xvs_dest_conf {
	uint32_t addr;			/* network order */
	uint16_t port;			/* host order */
	enum xvs_fwd fwd;
	uint32_t weight;
	uint32_t u_threshold;
	uint32_t l_threshold;
};

/* Default scheduler when none is named (ipvsadm's). */
const char *xvs_sched_default(void);
/* True when a scheduler of that name is registered. */
bool xvs_sched_exists(const char *name);
/* True when the data plane can forward with that method today. */
bool xvs_fwd_supported(enum xvs_fwd fwd);

/* A firewall-mark service has fwmark != 0 (proto, addr and port unused);
 * a persistent one of port 0 takes every port of its address.
 *
 * Errors, as IPVS reports them to ipvsadm:
 *   service calls:     -EEXIST service already exists, -ESRCH no such
 *                      service, -ENOENT scheduler not found;
 *   real-server calls: -ESRCH service not defined, -EEXIST destination
 *                      already exists, -ENOENT no such destination;
 *                      -ERANGE lower threshold above the upper one;
 *   any: -EOPNOTSUPP feature not available yet,
 *        -EPROTONOSUPPORT protocol, -ENOSPC a table is full, -EINVAL bad
 *        argument (e.g. zero port on a non-persistent service), -ENODEV no
 *        interface to attach the data plane to (or a named one missing),
 *        -EPROTO the namespace runs a data plane of another ABI version. */
int xvs_svc_add(struct xvs *x, const struct xvs_svc_conf *svc);
int xvs_svc_edit(struct xvs *x, const struct xvs_svc_conf *svc);
int xvs_svc_del(struct xvs *x, const struct xvs_svc_conf *svc);	/* by proto/addr/port */
int xvs_flush(struct xvs *x);						/* -C */

int xvs_dest_add(struct xvs *x, const struct xvs_svc_conf *svc,
		 const struct xvs_dest_conf *dest);
int xvs_dest_edit(struct xvs *x, const struct xvs_svc_conf *svc,
		  const struct xvs_dest_conf *dest);
int xvs_dest_del(struct xvs *x, const struct xvs_svc_conf *svc,
		 const struct xvs_dest_conf *dest);		/* by addr/port */

/* Non-fatal findings of the last xvs_dest_add/edit (e.g. the real server's
 * next hop did not answer ARP in time), or NULL. Owned by the handle. */
const char *xvs_last_warning(const struct xvs *x);

/* ---- FULLNAT local addresses (DPVS's --add-laddr/--del-laddr/--get-laddr) ----
 * A FULLNAT connection's source becomes one of its service's local
 * addresses (LIP) and a free local port. The address must be reachable from
 * the real servers and answer ARP: xvs_laddr_add() adds it to the interface
 * (as a /32, unless the interface already has it) and xvs_laddr_del()
 * removes what add added. Errors: -ESRCH no such service, -EEXIST the
 * address is already a local address of the service, -ENOENT it is not,
 * -ENOSPC the service has XVS_LADDR_MAX, -ENODEV no interface ifname,
 * -EINVAL a zero/multicast/broadcast address. */
struct xvs_laddr_conf {
	uint32_t addr;			/* network order */
	char ifname[16];		/* -F */
};

struct xvs_laddr_info {
	struct xvs_laddr_conf conf;
	uint32_t conns;			/* live connections using the address */
};

int xvs_laddr_add(struct xvs *x, const struct xvs_svc_conf *svc, const struct xvs_laddr_conf *l);
int xvs_laddr_del(struct xvs *x, const struct xvs_svc_conf *svc, const struct xvs_laddr_conf *l);
/* The service's local addresses in the order added. Free with free(). */
int xvs_laddr_list(struct xvs *x, const struct xvs_svc_conf *svc,
		   struct xvs_laddr_info **out, size_t *n);

/* Local ports FULLNAT connections may use (host order, inclusive; default
 * XVS_LPORT_MIN_DEFAULT..XVS_LPORT_MAX_DEFAULT). */
int xvs_lport_range_set(struct xvs *x, uint16_t min, uint16_t max);
int xvs_lport_range_get(struct xvs *x, uint16_t *min, uint16_t *max);

/* ---- listing ---- */

/* Counts are IPVS's: active = TCP ESTABLISHED, SYN_SENT, SYN_RECV and
 * SYNACK; inactive = the other TCP states and UDP; persistent = templates.
 * Rates are IPVS's 2-second estimator's, per second, in struct xvs_stats'
 * fields: conns = CPS, inpkts = InPPS, outpkts = OutPPS, inbytes = InBPS,
 * outbytes = OutBPS. */
struct xvs_dest_info {
	struct xvs_dest_conf conf;
	uint32_t active_conns;
	uint32_t inact_conns;
	struct xvs_stats stats;
	uint32_t persist_conns;		/* persistence templates on it */
	bool overloaded;		/* over its -x threshold, not yet back under -y */
	struct xvs_stats rate;
};

struct xvs_svc_info {
	struct xvs_svc_conf conf;
	struct xvs_stats stats;
	struct xvs_dest_info *dests;	/* sorted by (addr, port) */
	size_t n_dests;
	struct xvs_stats rate;
};

/* All services sorted by (protocol, address, port), each with its real
 * servers. Free with xvs_svc_list_free(). */
int xvs_svc_list(struct xvs *x, struct xvs_svc_info **out, size_t *n);
void xvs_svc_list_free(struct xvs_svc_info *list, size_t n);

struct xvs_conn_info {
	uint8_t proto;			/* a firewall-mark template: 0 (IPVS's IPPROTO_IP) */
	enum xvs_fwd fwd;
	uint32_t caddr, vaddr, daddr;	/* network order */
	uint16_t cport, vport, dport;	/* host order */
	uint32_t laddr;			/* FULLNAT local address, network order */
	uint16_t lport;			/* host order */
	enum xvs_conn_state state;	/* a template: enum xvs_tpl_state */
	uint32_t expire_s;		/* seconds until the entry expires */
	bool is_template;		/* a persistence template: caddr masked,
					 * cport 0, vaddr the mark for fwmark */
};

/* Live (not expired) connections and persistence templates. Free with
 * free(). */
int xvs_conn_list(struct xvs *x, struct xvs_conn_info **out, size_t *n);

/* The state as ipvsadm -c shows it: IPVS's TCP state names, "UDP", and
 * "NONE" / "ASSURED" for templates. */
const char *xvs_conn_info_state(const struct xvs_conn_info *c);

/* Removes every expired connection and template now, so the live counts
 * are exact: walks the table and has the data plane remove each expired
 * entry (it takes them out of the counts). The data plane does this itself,
 * driven by its packets, every second (longer for very large tables: at
 * most 1/20 of a CPU); xvs_svc_list() does it when the data plane has not
 * lately. A daemon may call it periodically to spare the data plane its
 * own sweeps. */
int xvs_conn_reap(struct xvs *x);

/* Capacity of the connection table (ipvsadm's "size=" in -L). */
uint32_t xvs_conn_table_size(const struct xvs *x);

/* IPVS name of a state ("ESTABLISHED", ..., "UDP"). */
const char *xvs_conn_state_name(enum xvs_conn_state s);

/* ---- firewall marks ----
 * IPVS finds a firewall-mark service (-f MARK) by the mark netfilter gave
 * the packet; xvs's data plane runs before netfilter, so it marks packets
 * itself by these rules (and, in tc, also accepts the skb mark an earlier
 * tc filter set). A rule: TCP or UDP packets to addr/prefix_len with a
 * destination port in [port_min, port_max] get mark. The most specific
 * address prefix is tried first, rules of one prefix in the order added;
 * the first rule that matches wins. */
struct xvs_mark_rule {
	uint8_t proto;			/* IPPROTO_TCP / IPPROTO_UDP */
	uint32_t addr;			/* network order */
	uint8_t prefix_len;		/* 0..32 */
	uint16_t port_min, port_max;	/* host order; 0, 65535: every port */
	uint32_t mark;			/* 1 .. 2^32-1 */
};

/* Errors: -EINVAL bad rule, -EEXIST the same match is already marked,
 * -ENOENT no such rule (del: by proto, addr, prefix, ports and mark),
 * -ENOSPC too many rules (XVS_MARK_RULES_MAX, or more than
 * XVS_MARK_SET_MAX apply to one address prefix). */
int xvs_mark_rule_add(struct xvs *x, const struct xvs_mark_rule *r);
int xvs_mark_rule_del(struct xvs *x, const struct xvs_mark_rule *r);
/* In the order added. Free with free(). */
int xvs_mark_rule_list(struct xvs *x, struct xvs_mark_rule **out, size_t *n);

/* ---- timeouts, counters ---- */

/* --set tcp tcpfin udp: 0 leaves a value unchanged. */
int xvs_timeout_set(struct xvs *x, uint32_t tcp_s, uint32_t tcpfin_s, uint32_t udp_s);
int xvs_timeout_get(struct xvs *x, uint32_t *tcp_s, uint32_t *tcpfin_s, uint32_t *udp_s);

/* Sums the data plane's per-CPU counters (XVS_CNT_*). */
int xvs_counters_read(struct xvs *x, uint64_t out[XVS_CNT_MAX]);
const char *xvs_counter_name(enum xvs_counter c);

/* -Z: zero service and real-server statistics; svc NULL means all. */
int xvs_zero(struct xvs *x, const struct xvs_svc_conf *svc);

/* Human-readable text for a libxvs error code. */
const char *xvs_strerror(int err);

#endif /* XVS_XVS_H */
