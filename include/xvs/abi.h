/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The one header shared by the data plane (bpf/) and libxvs: map keys and
 * values, limits, flag bits and counter ids. Fixed-width types only, padding
 * explicit, every struct's size asserted. Changing a layout means bumping
 * XVS_ABI_VERSION: libxvs refuses to drive a data plane of another version.
 */
#ifndef XVS_ABI_H
#define XVS_ABI_H

#include <linux/types.h>

#define XVS_ABI_VERSION 3

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
	XVS_CNT_MAX,
};

/* Service lookup key: (protocol, VIP, port). Network byte order. */
struct xvs_svc_key {
	__be32 addr;
	__be16 port;
	__u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u8 pad;
};

/* xvs_svc.flags */
#define XVS_SVC_F_IN_USE	(1u << 0)	/* slot holds a service */
#define XVS_SVC_F_PERSISTENT	(1u << 1)	/* -p given (not yet used by the data plane) */
#define XVS_SVC_F_OPS		(1u << 2)	/* -o one-packet scheduling (not yet used by the data plane) */

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
	__u32 fwmark;			/* -f (not yet used by the data plane) */
	char sched_name[XVS_SCHED_NAME_LEN];
};

/* xvs_dest.flags */
#define XVS_DEST_F_IN_USE	(1u << 0)

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
 * LIP:lport). */
struct xvs_conn_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 pad[3];
};

/* xvs_conn.flags */
#define XVS_CONN_F_OUTPUT	(1u << 0)	/* a reply was seen (IPVS: !NOOUTPUT) */

/* Connection, the value of xvs_conns. Carries what forwarding needs, so a
 * flow keeps its real server after that server is re-weighted or removed
 * from the service. NAT and FULLNAT connections also have an entry in
 * xvs_conns_out (reply key -> this entry's key); the two are created and
 * removed together, the state and timestamp live here only. */
struct xvs_conn {
	__be32 raddr;			/* real server */
	__be16 rport;
	__u8 fwd;			/* enum xvs_fwd */
	__u8 state;			/* enum xvs_conn_state */
	__u32 dest_idx;
	__u32 svc_idx;
	__be32 laddr;			/* TUN: outer source; FULLNAT: local address */
	__be16 lport;			/* FULLNAT: local port */
	__u8 flags;			/* XVS_CONN_F_* */
	__u8 pad;
	__u64 last_seen_ns;		/* bpf_ktime_get_ns() of the last packet */
};

/* Global configuration, the single element of xvs_cfg. */
struct xvs_cfg {
	__u32 abi_version;		/* XVS_ABI_VERSION of the loader */
	__u32 flags;			/* XVS_CFG_F_* */
	__u32 timeout_s[XVS_CS_MAX];	/* per connection state */
	__u32 conn_max;			/* connection table capacity */
	__u16 lport_min;		/* FULLNAT local port range, host order */
	__u16 lport_max;
};

/* xvs_cfg.flags */
#define XVS_CFG_F_IFACES_PINNED	(1u << 0)	/* attach only to the named interfaces */

/* Per-service and per-real-server traffic counters (per CPU). */
struct xvs_stats {
	__u64 conns;
	__u64 inpkts;
	__u64 outpkts;
	__u64 inbytes;
	__u64 outbytes;
};

#define XVS_ABI_SIZE(type, size) \
	_Static_assert(sizeof(struct type) == (size), #type " layout changed")
XVS_ABI_SIZE(xvs_svc_key, 8);
XVS_ABI_SIZE(xvs_svc, 64);
XVS_ABI_SIZE(xvs_dest, 32);
XVS_ABI_SIZE(xvs_conn_key, 16);
XVS_ABI_SIZE(xvs_conn, 32);
XVS_ABI_SIZE(xvs_cfg, 64);
XVS_ABI_SIZE(xvs_stats, 40);
XVS_ABI_SIZE(xvs_laddr_set, 144);

#endif /* XVS_ABI_H */
