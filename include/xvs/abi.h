/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The one header shared by the data plane (bpf/) and libxvs: map keys and
 * values, limits, flag bits and counter ids. Fixed-width types only, padding
 * explicit, every struct's size asserted. Changing a layout means bumping
 * XVS_ABI_VERSION: libxvs refuses to drive a data plane of another version.
 */
#ifndef XVS_ABI_H
#define XVS_ABI_H

#include <linux/types.h>

#define XVS_ABI_VERSION 4

/* Table sizes. Services and real servers are addressed by a stable index
 * into array maps; the connection table is sized at load time. */
#define XVS_MAX_SVC		65536
#define XVS_MAX_DEST		131072
#define XVS_RING_SLOTS		(1u << 20)	/* all services' schedules */
#define XVS_RING_MAX_PER_SVC	65536		/* one service's schedule */
#define XVS_CONN_MAX_DEFAULT	(1u << 20)
#define XVS_SCHED_NAME_LEN	16		/* IP_VS_SCHEDNAME_MAXLEN */
#define XVS_LADDR_MAX		16		/* FULLNAT local addresses per service */
#define XVS_LPORT_MIN_DEFAULT	1025		/* FULLNAT local ports, as DPVS */
#define XVS_LPORT_MAX_DEFAULT	65535
#define XVS_LOCALITY_MAX	65536		/* lblc/lblcr (service, destination) entries */
#define XVS_LBLCR_SET_MAX	16		/* real servers in one lblcr set */
#define XVS_MARK_RULES_MAX	1024		/* firewall-mark rules, and address prefixes */
#define XVS_MARK_SET_MAX	16		/* rules that apply to one address prefix */
#define XVS_EST_TICK_NS		(2000ull * 1000 * 1000)	/* IPVS's estimator period */
#define XVS_MAINT_INTERVAL_MS	1000		/* default: sweep at most once a second */
/* An Ethernet frame of this type arriving "on" the loopback device (only a
 * BPF_PROG_TEST_RUN can do that) is a request to the data plane's
 * housekeeping (struct xvs_maint_req): libxvs uses it to remove expired
 * connections it found, so that the counts it reads are exact. */
#define XVS_ETH_P_MAINT		0x88b5		/* IEEE 802 local experimental */
/* The sweep's interval is at least this many times its last duration, so
 * a large table's sweeps take at most 1/20 of a CPU. */
#define XVS_MAINT_DUTY_FACTOR	20

/* Map names, as the data plane defines them and libxvs finds them. */
#define XVS_MAP_SVCS		"xvs_svcs"
#define XVS_MAP_SVC_INFO	"xvs_svc_info"
#define XVS_MAP_DESTS		"xvs_dests"
#define XVS_MAP_RING		"xvs_ring"
#define XVS_MAP_CONNS		"xvs_conns"
#define XVS_MAP_CONNS_OUT	"xvs_conns_out"
#define XVS_MAP_LADDRS		"xvs_laddrs"
#define XVS_MAP_CFG		"xvs_cfg"
#define XVS_MAP_COUNTERS	"xvs_counters"
#define XVS_MAP_SVC_STATS	"xvs_svc_stats"
#define XVS_MAP_DEST_STATS	"xvs_dest_stats"
#define XVS_MAP_VIPS		"xvs_vips"
#define XVS_MAP_DEST_CONNS	"xvs_dest_conns"
#define XVS_MAP_MAINT		"xvs_maint"
#define XVS_MAP_SVC_EST		"xvs_svc_est"
#define XVS_MAP_DEST_EST	"xvs_dest_est"
#define XVS_MAP_LOCALITY	"xvs_locality"
#define XVS_MAP_MARK_LPM	"xvs_mark_lpm"
#define XVS_MAP_SCRATCH		"xvs_scratch"

/* Program names (bpf_prog_info.name), by which libxvs recognises its own
 * data plane on an interface. */
#define XVS_PROG_XDP		"xvs_xdp"
#define XVS_PROG_TC		"xvs_tc"

/* Forwarding methods, in ipvsadm's -g/-i/-m/-b order. */
enum xvs_fwd {
	XVS_FWD_DR = 0,		/* -g, "Route" */
	XVS_FWD_TUN,		/* -i, "Tunnel" */
	XVS_FWD_NAT,		/* -m, "Masq" */
	XVS_FWD_FNAT,		/* -b, "FullNat": source becomes a local address */
	XVS_FWD_MAX,
};

/* How the data plane turns a service's schedule into a real server. The
 * control plane's scheduler (lib/sched_*.c) chooses one and fills the ring;
 * adding a scheduler that fits an existing method touches only lib/. */
enum xvs_pick {
	XVS_PICK_RING_CURSOR = 0,	/* ring[cursor++ % len]: rr, wrr */
	/* ring[bucket] for IPVS's hash of the packet (key in host order);
	 * sched_flags' IPVS bits IP_VS_SVC_F_SCHED1 (-b *-fallback: walk on
	 * past an unavailable server) and IP_VS_SVC_F_SCHED2 (-b *-port: add
	 * the source port to the key) apply to the two source methods. */
	XVS_PICK_HASH32_SRC,		/* (u32)(saddr [+ sport]) * golden * len >> 32: sh */
	XVS_PICK_HASH32_DST,		/* (u32)(daddr * golden) * len >> 32: dh */
	XVS_PICK_SIPHASH_SRC,		/* hsiphash(saddr [+ sport]) % len: mh */
	/* A scan of the ring (the service's real servers of weight > 0, in
	 * IPVS list order) over their live counts in xvs_dest_conns, as the
	 * IPVS scheduler of the same name walks its list per connection.
	 * "Overhead" is IPVS's active * 256 + inactive unless noted; servers
	 * marked overloaded by their -x threshold are skipped. */
	XVS_PICK_LC,			/* least overhead, first of equals */
	XVS_PICK_WLC,			/* least overhead / weight */
	XVS_PICK_SED,			/* least (active + 1) / weight */
	XVS_PICK_NQ,			/* an idle server, else as sed */
	XVS_PICK_FO,			/* highest weight */
	XVS_PICK_OVF,			/* highest weight with active <= weight */
	XVS_PICK_TWOS,			/* two weighted random picks, the lesser overhead / weight */
	XVS_PICK_LBLC,			/* per destination address: its server, else wlc */
	XVS_PICK_LBLCR,			/* per destination address: a set of servers, else wlc */
	XVS_PICK_MAX,
};

/* Connection states, numbered as IPVS numbers its TCP states, so that
 * timeouts and names line up with ipvsadm's. UDP uses XVS_CS_UDP. */
enum xvs_conn_state {
	XVS_CS_NONE = 0,
	XVS_CS_ESTABLISHED,
	XVS_CS_SYN_SENT,
	XVS_CS_SYN_RECV,
	XVS_CS_FIN_WAIT,
	XVS_CS_TIME_WAIT,
	XVS_CS_CLOSE,
	XVS_CS_CLOSE_WAIT,
	XVS_CS_LAST_ACK,
	XVS_CS_LISTEN,
	XVS_CS_SYNACK,
	XVS_CS_UDP,
	XVS_CS_MAX,
};

/* xvs_conn.state of an entry that a CPU has claimed for removal: it is no
 * longer a connection for anyone, and its counts are already taken back. */
#define XVS_CS_DEAD		0xff

/* xvs_conn.state of a persistence template (IPVS's IP_VS_CTPL_S_*). */
enum xvs_tpl_state {
	XVS_TPL_NONE = 0,
	XVS_TPL_ASSURED,	/* a connection it controls was established (UDP: answered) */
};

/* Per-CPU counters of what the data plane did with each packet; every pass
 * and drop has a reason. Names live in lib/counters.c. */
enum xvs_counter {
	XVS_CNT_RX = 0,			/* packets seen */
	XVS_CNT_PASS_NOT_IP,		/* not IPv4 (ARP, IPv6, ...) */
	XVS_CNT_PASS_NOT_L4,		/* IPv4 but not TCP/UDP (ICMP, ...) */
	XVS_CNT_PASS_NO_SVC,		/* TCP/UDP not for a virtual service */
	XVS_CNT_PASS_MALFORMED,		/* truncated or inconsistent headers */
	XVS_CNT_PASS_NO_CONN,		/* TCP non-SYN without a connection */
	XVS_CNT_DROP_FRAGMENT,		/* IP fragment addressed to a VIP */
	XVS_CNT_DROP_NO_DEST,		/* service has no available real server */
	XVS_CNT_DROP_NO_ROUTE,		/* fib lookup found no route */
	XVS_CNT_DROP_NO_NEIGH,		/* next hop not resolved yet */
	XVS_CNT_DROP_TOO_BIG,		/* over MTU without DF: we do not fragment */
	XVS_CNT_DROP_ENCAP,		/* could not grow the packet */
	XVS_CNT_DROP_UNSUPPORTED,	/* method not in the data plane */
	XVS_CNT_ICMP_FRAG_NEEDED,	/* fragmentation-needed sent to client */
	XVS_CNT_FWD_DR,
	XVS_CNT_FWD_TUN,
	XVS_CNT_CONN_NEW,		/* connections scheduled */
	XVS_CNT_CONN_RESCHED,		/* expired entry reused by a new SYN */
	XVS_CNT_FWD_NAT,		/* NAT request rewritten toward the RS */
	XVS_CNT_FWD_FNAT,		/* FULLNAT request rewritten toward the RS */
	XVS_CNT_REPLY_NAT,		/* NAT reply rewritten toward the client */
	XVS_CNT_REPLY_FNAT,		/* FULLNAT reply rewritten toward the client */
	XVS_CNT_ICMP_IN,		/* ICMP error from the client side, sent to the RS */
	XVS_CNT_ICMP_OUT,		/* ICMP error from the RS side, sent to the client */
	XVS_CNT_TOA_ADDED,		/* client address inserted (TCP option 254) */
	XVS_CNT_TOA_NO_ROOM,		/* handshake ACK sent without TOA: no room */
	XVS_CNT_DROP_NO_LPORT,		/* FULLNAT: every local address:port in use */
	XVS_CNT_DROP_NO_LADDR,		/* FULLNAT service without local address */
	XVS_CNT_CONN_TABLE_FULL,	/* new flow not recorded: DR/TUN forward it anyway, NAT/FULLNAT drop it */
	XVS_CNT_CONN_EXPIRED,		/* dead entries removed by the data plane */
	XVS_CNT_PERSIST_NEW,		/* persistence templates created */
	XVS_CNT_PERSIST_HIT,		/* new connections sent where a template said */
	XVS_CNT_MAINT_SWEEPS,		/* sweeps of the connection table */
	XVS_CNT_MAX,
};

/* Service lookup key: (protocol, VIP, port), network byte order; or, for
 * a firewall-mark service (kind XVS_SVC_KEY_FWMARK), the mark in addr
 * (host order), port and proto 0. */
struct xvs_svc_key {
	__be32 addr;
	__be16 port;
	__u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u8 kind;		/* XVS_SVC_KEY_* */
};

#define XVS_SVC_KEY_ADDR	0
#define XVS_SVC_KEY_FWMARK	1

/* xvs_svc.flags */
#define XVS_SVC_F_IN_USE	(1u << 0)	/* slot holds a service */
#define XVS_SVC_F_PERSISTENT	(1u << 1)	/* -p: new connections follow templates */
#define XVS_SVC_F_OPS		(1u << 2)	/* -o: UDP scheduled per packet, nothing recorded */

/* xvs_svc.sched_flags: IPVS's scheduler flag bits (IP_VS_SVC_F_SCHED1..3). */
#define XVS_SCHED_F_FLAG1	0x0008	/* sh-fallback, mh-fallback */
#define XVS_SCHED_F_FLAG2	0x0010	/* sh-port, mh-port */
#define XVS_SCHED_F_FLAG3	0x0020

/* Service, indexed by the value of xvs_svcs. */
struct xvs_svc {
	struct xvs_svc_key key;		/* copy, for listing */
	__u32 flags;			/* XVS_SVC_F_* */
	__u32 ring_off;			/* first slot of this service's schedule */
	__u32 ring_len;			/* 0: no real server available */
	__u32 cursor;			/* advanced atomically by the data plane */
	__u8 pick;			/* enum xvs_pick */
	__u8 pad[3];
	__u32 sched_flags;		/* -b flags, IP_VS_SVC_F_SCHED* bits */
	__u32 persist_timeout_s;	/* -p */
	__be32 netmask;			/* -M */
	__u32 seq;			/* creation order */
	__u32 fwmark;			/* -f; 0: a service by address */
	char sched_name[XVS_SCHED_NAME_LEN];
};

/* xvs_dest.flags */
#define XVS_DEST_F_IN_USE	(1u << 0)
/* Removed from its service while connections still count on it (IPVS's
 * trash): address, port and service are kept so that re-adding the same
 * real server takes its counts back, and the slot is not reused. */
#define XVS_DEST_F_TRASH	(1u << 1)

/* Real server, indexed by the values the ring holds. */
struct xvs_dest {
	__be32 addr;
	__be16 port;
	__u8 fwd;			/* enum xvs_fwd */
	__u8 flags;			/* XVS_DEST_F_* */
	__u32 svc_idx;
	__u32 weight;
	__u32 u_threshold;		/* -x */
	__u32 l_threshold;		/* -y */
	__be32 tun_saddr;		/* director address toward this RS (TUN outer source) */
	__u32 seq;			/* insertion order: IPVS lists newest first */
};

/* FULLNAT local addresses of a service, indexed like xvs_svc_info. A new
 * connection takes addr[cursor++ % count] and a free port of it. */
struct xvs_laddr_set {
	__be32 addr[XVS_LADDR_MAX];
	__u32 ifindex[XVS_LADDR_MAX];	/* -F: interface the address lives on */
	__u32 count;
	__u32 cursor;			/* advanced atomically by the data plane */
	__u32 owned;			/* bit i: libxvs added addr[i] to its interface */
	__u32 pad;
};

/* Connection key: a packet's (saddr, daddr, sport, dport, proto). In
 * xvs_conns as the client sends it; in xvs_conns_out as the real server's
 * reply arrives (NAT: RIP:rport -> CIP:cport, FULLNAT: RIP:rport ->
 * LIP:lport). A persistence template is keyed as IPVS keys it: saddr the
 * client address masked by -M, sport 0, daddr:dport the VIP and port (0 for
 * port-0 and FTP services; a firewall-mark service: daddr the mark in host
 * order, dport 0, proto 0), kind XVS_CONN_KEY_TEMPLATE so that no packet's
 * key can be mistaken for it. */
struct xvs_conn_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 kind;			/* XVS_CONN_KEY_* */
	__u8 pad[2];
};

#define XVS_CONN_KEY_FLOW	0
#define XVS_CONN_KEY_TEMPLATE	1

/* xvs_conn.flags */
#define XVS_CONN_F_OUTPUT	(1u << 0)	/* a reply was seen (IPVS: !NOOUTPUT) */
#define XVS_CONN_F_TEMPLATE	(1u << 1)	/* a persistence template, not a flow */
#define XVS_CONN_F_CONTROLLED	(1u << 2)	/* made by a template (IPVS: cp->control) */
#define XVS_CONN_F_TPL_NOPORT	(1u << 3)	/* ... whose key has dport 0 */
#define XVS_CONN_F_TPL_FWMARK	(1u << 4)	/* ... of a firewall-mark service */

/* Connection, the value of xvs_conns. Carries what forwarding needs, so a
 * flow keeps its real server after that server is re-weighted or removed
 * from the service. NAT and FULLNAT connections also have an entry in
 * xvs_conns_out (reply key -> this entry's key); the two are created and
 * removed together, the state and timestamp live here only.
 *
 * Every entry counts in its real server's xvs_dest_conns from insert to
 * removal: a flow as active or inactive by its state, a template as
 * persistent. state and flags form one word that is only ever changed by
 * compare-and-swap, so exactly one CPU moves a connection from one count
 * to another, and exactly one (the one that swaps in XVS_CS_DEAD) takes it
 * back when the entry goes. */
struct xvs_conn {
	__be32 raddr;			/* real server */
	__be16 rport;
	__u8 fwd;			/* enum xvs_fwd */
	__u8 pad0;
	__u32 dest_idx;
	__u32 svc_idx;
	union {
		struct {		/* a flow */
			__be32 laddr;	/* TUN: outer source; FULLNAT: local address */
			__be16 lport;	/* FULLNAT: local port */
			__u16 pad1;
		};
		struct {		/* a template (XVS_CONN_F_TEMPLATE) */
			__u32 n_control;	/* live flows it controls (atomic) */
			__u32 timeout_s;	/* -p of its service, 60 once kept past it */
		};
	};
	__u64 last_seen_ns;		/* bpf_ktime_get_ns(): last packet; template: last use */
	union {
		__u32 status;		/* the compare-and-swap word */
		struct {
			__u8 state;	/* enum xvs_conn_state; template: enum xvs_tpl_state */
			__u8 flags;	/* XVS_CONN_F_* */
			__u16 pad2;
		};
	};
	__be32 tpl_caddr;		/* XVS_CONN_F_CONTROLLED: its template's key saddr */
};

/* Live connection counts of a real server, the element of xvs_dest_conns,
 * as IPVS keeps them in struct ip_vs_dest. Changed by the data plane with
 * atomic adds; a slot is reused for another real server only once all
 * three are back to 0. */
struct xvs_dest_conns {
	__s32 active;			/* TCP ESTABLISHED, SYN_SENT, SYN_RECV, SYNACK */
	__s32 inactive;			/* other TCP states, UDP */
	__s32 persist;			/* persistence templates */
	__u32 flags;			/* XVS_DEST_CONNS_F_* */
};

/* xvs_dest_conns.flags */
#define XVS_DEST_CONNS_F_OVERLOAD (1u << 0)	/* IP_VS_DEST_F_OVERLOAD: -x reached, not yet -y */

/* Global configuration, the single element of xvs_cfg. */
struct xvs_cfg {
	__u32 abi_version;		/* XVS_ABI_VERSION of the loader */
	__u32 flags;			/* XVS_CFG_F_* */
	__u32 timeout_s[XVS_CS_MAX];	/* per connection state */
	__u32 conn_max;			/* connection table capacity */
	__u16 lport_min;		/* FULLNAT local port range, host order */
	__u16 lport_max;
	__u32 maint_interval_ms;	/* sweep at most this often; 0: XVS_MAINT_INTERVAL_MS */
	__u32 mark_rules;		/* mark rules there are; 0: no mark lookup */
};

/* xvs_cfg.flags */
#define XVS_CFG_F_IFACES_PINNED	(1u << 0)	/* attach only to the named interfaces */

/* The data plane's housekeeping clock and what its last sweep did, the
 * single element of xvs_maint. Written by the data plane only. */
struct xvs_maint {
	__u64 sweep_last_ns;		/* last sweep of xvs_conns */
	__u64 est_last_ns;		/* end of the last estimator period (2 s grid) */
	__u64 locality_last_ns;		/* last expiry walk of xvs_locality */
	__u64 sweep_ns;			/* duration of the last sweep */
	__u32 sweep_seen;		/* entries it visited */
	__u32 sweep_freed;		/* entries it removed */
	__u32 locality_entries;		/* entries in xvs_locality (approximate) */
	__u32 pad;
};

/* A housekeeping request, the payload of an XVS_ETH_P_MAINT frame. */
struct xvs_maint_req {
	__u32 op;			/* XVS_MAINT_OP_* */
	__u32 pad;
	struct xvs_conn_key key;	/* XVS_MAINT_OP_REAP: the entry */
};

#define XVS_MAINT_OP_SWEEP	0	/* sweep the whole table now */
#define XVS_MAINT_OP_REAP	1	/* remove key's entry if it has expired */

/* Per-service and per-real-server traffic counters (per CPU). */
struct xvs_stats {
	__u64 conns;
	__u64 inpkts;
	__u64 outpkts;
	__u64 inbytes;
	__u64 outbytes;
};

/* IPVS's rate estimator (ip_vs_est.c) for one service or real server: the
 * counters at the last period's end and the smoothed rates, scaled as IPVS
 * scales them (cps and pps by 2^10, bps by 2^5): every 2 s,
 * avg += (delta << 9 (bps: << 4) - avg) >> 2. */
struct xvs_est {
	__u64 last_conns, last_inpkts, last_outpkts, last_inbytes, last_outbytes;
	__s64 cps, inpps, outpps, inbps, outbps;
};

/* lblc/lblcr state per (service, destination address), the key of
 * xvs_locality. */
struct xvs_locality_key {
	__u32 svc_idx;
	__be32 daddr;
};

/* lblc: dest[0] is the server; lblcr: dest[0..n) is the set, newest first
 * (IPVS inserts at the head). */
struct xvs_locality {
	__u64 lastuse_ns;
	__u64 lastmod_ns;		/* lblcr: last change of the set */
	__u32 n;
	__u32 dest[XVS_LBLCR_SET_MAX];
	__u32 pad;
};

/* Firewall-mark rules (xvsadm --add-mark): TCP or UDP packets to an
 * address prefix with a destination port in [port_min, port_max] get a
 * mark. xvs_mark_lpm has one entry per (proto, prefix) of some rule,
 * holding the prefix's own rules (n_own, in the order added) and then
 * those of every shorter prefix that contains it, so one longest-prefix
 * lookup finds every candidate, most specific first. The entries are also
 * where libxvs reads the rules back from. */
struct xvs_mark_lpm_key {
	__u32 prefixlen;		/* 32 (the protocol byte and padding) + address bits */
	__u8 proto;
	__u8 pad[3];
	__be32 daddr;
};

struct xvs_mark_set {
	__u16 n;
	__u16 n_own;
	struct {
		__u16 port_min, port_max;
		__u32 mark;
	} rule[XVS_MARK_SET_MAX];
};

/* Per-CPU working memory of the data plane (the packet's parsed headers
 * and connection while it is handled: the 512-byte BPF stack is shared by
 * every call level below the entry program). Never read by libxvs. */
#define XVS_SCRATCH_SIZE	256
struct xvs_scratch {
	__u8 bytes[XVS_SCRATCH_SIZE];
};

#define XVS_ABI_SIZE(type, size) \
	_Static_assert(sizeof(struct type) == (size), #type " layout changed")
XVS_ABI_SIZE(xvs_svc_key, 8);
XVS_ABI_SIZE(xvs_svc, 64);
XVS_ABI_SIZE(xvs_dest, 32);
XVS_ABI_SIZE(xvs_conn_key, 16);
XVS_ABI_SIZE(xvs_conn, 40);
XVS_ABI_SIZE(xvs_cfg, 72);
XVS_ABI_SIZE(xvs_dest_conns, 16);
XVS_ABI_SIZE(xvs_maint, 48);
XVS_ABI_SIZE(xvs_maint_req, 24);
XVS_ABI_SIZE(xvs_est, 80);
XVS_ABI_SIZE(xvs_locality_key, 8);
XVS_ABI_SIZE(xvs_locality, 88);
XVS_ABI_SIZE(xvs_mark_lpm_key, 12);
XVS_ABI_SIZE(xvs_mark_set, 132);
XVS_ABI_SIZE(xvs_stats, 40);
XVS_ABI_SIZE(xvs_laddr_set, 144);

#endif /* XVS_ABI_H */
