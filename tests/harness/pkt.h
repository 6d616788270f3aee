/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Packet tests of the data plane: a packet builder whose checksums are
 * computed from scratch (RFC 1071, independent of the BPF code), and a
 * fixture that loads the xvs_dp skeleton in a private network namespace
 * and runs packets through BPF_PROG_TEST_RUN.
 *
 * Addresses are IPv4 in network byte order; ports, IP id and fragment
 * fields in host byte order. Builders write into a caller buffer of at
 * least PKT_MAX bytes and return the length written. */
#ifndef XVS_PKT_H
#define XVS_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xvs/abi.h"

#define PKT_MAX		4096

#define PKT_DF		0x4000	/* struct pkt_ip.frag */
#define PKT_MF		0x2000

#define PKT_FIN		0x01	/* struct pkt_l4.flags */
#define PKT_SYN		0x02
#define PKT_RST		0x04
#define PKT_PSH		0x08
#define PKT_ACK		0x10

/* Ethernet header with up to two VLAN tags. */
struct pkt_l2 {
	uint8_t dst[6];
	uint8_t src[6];
	int nvlan;		/* 0..2 */
	uint16_t vlan_tpid[2];	/* 0: 0x8100 */
	uint16_t vlan_tci[2];
};

struct pkt_ip {
	uint32_t saddr, daddr;
	uint8_t tos;
	uint8_t ttl;		/* 0: 64 */
	uint8_t proto;		/* IPPROTO_* */
	uint16_t id;
	uint16_t frag;		/* flags (PKT_DF, PKT_MF) | offset in 8-byte units */
	uint8_t opts[40];	/* IP options, opts_len a multiple of 4 */
	size_t opts_len;
};

/* TCP or UDP (by pkt_ip.proto) header and payload. */
struct pkt_l4 {
	uint16_t sport, dport;
	uint8_t flags;		/* TCP: PKT_SYN ... */
	uint32_t seq, ack;	/* TCP */
	uint8_t opts[40];	/* TCP options, opts_len a multiple of 4 */
	size_t opts_len;
	size_t payload_len;	/* filled with a byte pattern */
	bool udp_csum_zero;	/* UDP: sent without checksum (field 0) */
};

struct pkt_spec {
	struct pkt_l2 l2;
	struct pkt_ip ip;
	struct pkt_l4 l4;
};

/* RFC 1071 checksum of len bytes plus a 32-bit partial sum (host order). */
uint16_t pkt_csum(const void *data, size_t len, uint32_t sum);

/* Ethernet header(s) with the given EtherType after the tags. */
size_t pkt_put_eth(uint8_t *buf, const struct pkt_l2 *l2, uint16_t ethertype);
/* IPv4 header with options for payload_len bytes of payload. */
size_t pkt_put_ipv4(uint8_t *buf, const struct pkt_ip *ip, size_t payload_len);
/* The IPv4 packet (header, TCP or UDP header, payload) alone. */
size_t pkt_build_ip(uint8_t *buf, const struct pkt_ip *ip, const struct pkt_l4 *l4);
/* A whole frame: Ethernet, IPv4, TCP or UDP. */
size_t pkt_build(uint8_t *buf, const struct pkt_spec *s);
/* Ethernet frame with an arbitrary payload (ARP, IPv6, ...). */
size_t pkt_build_eth(uint8_t *buf, const struct pkt_l2 *l2, uint16_t ethertype,
		     const void *payload, size_t len);
/* Ethernet + IPv4 header (ip->proto) + raw payload: IPIP with an inner
 * packet, ICMP with a message. */
size_t pkt_build_ip_payload(uint8_t *buf, const struct pkt_l2 *l2, const struct pkt_ip *ip,
			    const void *payload, size_t len);
/* ICMP destination unreachable / fragmentation needed (type 3 code 4)
 * with next-hop MTU and the quoted bytes. */
size_t pkt_put_icmp_frag_needed(uint8_t *buf, uint16_t mtu, const void *quote, size_t len);
/* Any ICMP message: type, code, the 4 bytes after the checksum (rest, host
 * order: next-hop MTU in the low 16 bits for 3/4, id << 16 | seq for an
 * echo) and a body; checksum computed. */
size_t pkt_put_icmp(uint8_t *buf, uint8_t type, uint8_t code, uint32_t rest,
		    const void *body, size_t len);
/* Appends TCP option 254 (TOA: kind, length 8, port, IPv4 address, both
 * network order on the wire) to l4's options; port in host order. */
void pkt_add_toa(struct pkt_l4 *l4, uint16_t port, uint32_t addr);

#define PKT_ICMP_ECHO_REPLY	0
#define PKT_ICMP_UNREACH	3
#define PKT_ICMP_ECHO		8
#define PKT_ICMP_TIME_EXCEEDED	11
#define PKT_UNREACH_PORT	3
#define PKT_UNREACH_FRAG_NEEDED	4

uint32_t pkt_addr(const char *dotted);

/* ---- fixture ------------------------------------------------------- */

/* The test network, in the process's own network namespace:
 *   link A: xvs0 (director, 10.99.0.1/24, MTU 1500) -- xvs0p
 *   link B: xvs1 (director, 10.99.1.1/24, MTU 1400) -- xvs1p
 * with permanent neighbours for the real servers below, and IPv4
 * forwarding enabled (bpf_fib_lookup needs it on the ingress device). */
#define FIX_CLIENT	"10.99.0.100"
#define FIX_VIP		"10.99.100.1"
#define FIX_VIP2	"10.99.100.2"
#define FIX_DIR_A	"10.99.0.1"	/* director on link A, TUN source */
#define FIX_DIR_B	"10.99.1.1"
#define FIX_RS1		"10.99.0.11"	/* link A */
#define FIX_RS2		"10.99.0.12"	/* link A */
#define FIX_RS3		"10.99.0.13"	/* link A */
#define FIX_RS_B	"10.99.1.11"	/* link B, MTU 1400 */
#define FIX_RS_NONEIGH	"10.99.0.50"	/* link A, no neighbour entry */
#define FIX_RS_NOROUTE	"10.98.0.1"	/* no route */
#define FIX_LIP1	"10.99.0.201"	/* FULLNAT local addresses, on link A */
#define FIX_LIP2	"10.99.0.202"
#define FIX_MTU_A	1500
#define FIX_MTU_B	1400

extern const uint8_t fix_mac_dir_a[6], fix_mac_dir_b[6], fix_mac_client[6];
/* The client has a permanent neighbour entry on link A (replies go back to
 * it by fib lookup); FIX_LIP1 and FIX_LIP2 are addresses of xvs0. */
/* The MAC of a fixture real server, by address; NULL if none. */
const uint8_t *fix_rs_mac(uint32_t addr);

enum pkt_hook {
	PKT_XDP,
	PKT_TC,
	PKT_HOOK_MAX,
};

/* Expected outcome, independent of the hook's return codes. */
enum pkt_verdict {
	V_PASS,
	V_DROP,
	V_TX,		/* back out of the ingress interface */
	V_REDIRECT,	/* out of another interface */
};

struct pkt_fixture {
	struct xvs_dp *skel;
	int ifindex_a, ifindex_b;
	int ncpus;
};

/* Creates (once per process) the namespace and links, then loads a fresh
 * data plane (connection table resized to 4096, other tables shrunk) and writes the default
 * configuration (IPVS timeouts). Returns 0 or -errno. */
int fix_setup(struct pkt_fixture *f);
/* The same with every table at its real size but the connection table
 * (the others are shrunk to 64 entries, the ring to 1024 slots). */
int fix_setup_full(struct pkt_fixture *f);
void fix_teardown(struct pkt_fixture *f);
/* Every table at its real size, the connection table at conn_max entries
 * (the benchmarks fill it to production sizes). */
int fix_setup_conns(struct pkt_fixture *f, uint32_t conn_max);
/* Sets one state's connection timeout in the data plane's configuration. */
int fix_set_timeout(struct pkt_fixture *f, enum xvs_conn_state state, uint32_t seconds);
/* The data plane's housekeeping clocks and last sweep (xvs_maint). */
int fix_maint_get(struct pkt_fixture *f, struct xvs_maint *m);
int fix_maint_put(struct pkt_fixture *f, const struct xvs_maint *m);
/* Runs the maintenance now, as libxvs does: a test run of the hook's
 * program with an XVS_ETH_P_MAINT frame on loopback. */
int fix_maint(struct pkt_fixture *f, enum pkt_hook hook);
/* Any housekeeping request (struct xvs_maint_req) the same way. */
int fix_maint_req(struct pkt_fixture *f, enum pkt_hook hook, const struct xvs_maint_req *rq);
int fix_cfg_get(struct pkt_fixture *f, struct xvs_cfg *out);
int fix_cfg_put(struct pkt_fixture *f, const struct xvs_cfg *cfg);
/* A service's (dest false) or real server's rate estimator. */
int fix_est(struct pkt_fixture *f, bool dest, uint32_t idx, struct xvs_est *out);
/* lblc/lblcr state of (service, destination address). */
int fix_locality(struct pkt_fixture *f, uint32_t svc_idx, uint32_t daddr, struct xvs_locality *out);
int fix_locality_put(struct pkt_fixture *f, uint32_t svc_idx, uint32_t daddr,
		     const struct xvs_locality *l);
/* A real server's live counts (xvs_dest_conns). */
int fix_dest_conns(struct pkt_fixture *f, uint32_t dest_idx, struct xvs_dest_conns *out);
int fix_dest_conns_put(struct pkt_fixture *f, uint32_t dest_idx, const struct xvs_dest_conns *n);
/* IPv4 forwarding on every interface of the test namespace. */
int fix_set_forwarding(bool on);

/* Writes real server dest_idx of service svc_idx. */
int fix_dest(struct pkt_fixture *f, uint32_t dest_idx, uint32_t svc_idx, const char *addr,
	     uint16_t port, enum xvs_fwd fwd, uint32_t weight);
/* Sets a real server's TUN outer source (fix_dest() sets the director's
 * address on the real server's link; 0: none configured). */
int fix_dest_tun_saddr(struct pkt_fixture *f, uint32_t dest_idx, uint32_t saddr);
/* Removes a real server (its slot is no longer in use). */
int fix_dest_del(struct pkt_fixture *f, uint32_t dest_idx);
/* Writes service svc_idx (proto, vip:port) with a schedule of ring_len
 * slots from ring_off holding dest indexes ring[]; adds the VIP to
 * xvs_vips the first time the service is written. */
int fix_svc(struct pkt_fixture *f, uint32_t svc_idx, uint8_t proto, const char *vip,
	    uint16_t port, uint32_t ring_off, const uint32_t *ring, uint32_t ring_len);
/* Rewrites a service's schedule (ring slots and length), cursor kept. */
int fix_svc_ring(struct pkt_fixture *f, uint32_t svc_idx, uint32_t ring_off,
		 const uint32_t *ring, uint32_t ring_len);

int fix_svc_get(struct pkt_fixture *f, uint32_t svc_idx, struct xvs_svc *out);
int fix_svc_put(struct pkt_fixture *f, uint32_t svc_idx, const struct xvs_svc *v);
int fix_dest_get(struct pkt_fixture *f, uint32_t dest_idx, struct xvs_dest *out);
int fix_dest_put(struct pkt_fixture *f, uint32_t dest_idx, const struct xvs_dest *d);
/* A firewall-mark service (-f mark) with a ring schedule, like fix_svc(). */
int fix_svc_fwmark(struct pkt_fixture *f, uint32_t svc_idx, uint32_t mark, uint32_t ring_off,
		   const uint32_t *ring, uint32_t ring_len);
/* Writes the mark lookup entry of (proto, addr/prefix_len) as libxvs
 * would build it, and turns the mark lookup on. */
int fix_mark_set(struct pkt_fixture *f, uint8_t proto, const char *addr, uint8_t prefix_len,
		 const struct xvs_mark_set *set);

/* Sum over CPUs of a counter / of a service's or real server's stats. */
uint64_t fix_counter(struct pkt_fixture *f, enum xvs_counter c);
int fix_svc_stats(struct pkt_fixture *f, uint32_t svc_idx, struct xvs_stats *out);
int fix_dest_stats(struct pkt_fixture *f, uint32_t dest_idx, struct xvs_stats *out);
/* EXPECTs every counter to equal want[] (counters not listed: 0). */
void fix_expect_counters(struct pkt_fixture *f, const uint64_t want[XVS_CNT_MAX]);

int fix_conn_get(struct pkt_fixture *f, const struct xvs_conn_key *k, struct xvs_conn *c);
int fix_conn_put(struct pkt_fixture *f, const struct xvs_conn_key *k, const struct xvs_conn *c);
int fix_conn_del(struct pkt_fixture *f, const struct xvs_conn_key *k);
/* xvs_conns_out: reply key -> forward key. -ENOENT when absent (or when
 * the loaded data plane has no such map). */
int fix_conn_out_get(struct pkt_fixture *f, const struct xvs_conn_key *k,
		     struct xvs_conn_key *fwd);
int fix_conn_out_put(struct pkt_fixture *f, const struct xvs_conn_key *k,
		     const struct xvs_conn_key *fwd);
int fix_conn_out_del(struct pkt_fixture *f, const struct xvs_conn_key *k);
/* Number of entries in xvs_conns / xvs_conns_out (-errno on failure). */
long fix_conn_count(struct pkt_fixture *f);
long fix_conn_out_count(struct pkt_fixture *f);
/* A connection key from its parts (ports in host order). */
struct xvs_conn_key fix_key(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport,
			    uint8_t proto);
/* Writes a service's FULLNAT local addresses (count n, cursor 0, every
 * address on link A). -ENOENT when the data plane has no xvs_laddrs. */
int fix_laddrs(struct pkt_fixture *f, uint32_t svc_idx, const uint32_t *addrs, uint32_t n);
int fix_laddrs_get(struct pkt_fixture *f, uint32_t svc_idx, struct xvs_laddr_set *out);
/* Sets the FULLNAT local port range (host order; 0, 0: the defaults). */
int fix_lport_range(struct pkt_fixture *f, uint16_t min, uint16_t max);
/* Connection key of a packet spec as the client sends it. */
struct xvs_conn_key fix_conn_key(const struct pkt_spec *s);
/* CLOCK_MONOTONIC in ns: bpf_ktime_get_ns()'s clock. */
uint64_t fix_now_ns(void);

struct pkt_run_opts {
	uint32_t gso_segs, gso_size;	/* tc only */
	uint32_t repeat;		/* 0: once */
	uint32_t ifindex;		/* arriving on; 0: link A */
	uint32_t mark;			/* tc: the skb's mark */
};

/* Runs one packet through the hook's program. Fills out/out_len (out of
 * PKT_MAX bytes), the program's return code and, with repeat, the mean
 * duration in ns. Returns 0 or -errno from the test run. */
int fix_run(struct pkt_fixture *f, enum pkt_hook hook, const void *in, size_t in_len,
	    void *out, size_t *out_len, int *retval, const struct pkt_run_opts *opts,
	    uint32_t *duration_ns);
/* Builds in, runs it and EXPECTs verdict v and the bytes of want; want
 * NULL: in unchanged, or with V_DROP nothing compared. */
bool fix_expect_spec(struct pkt_fixture *f, enum pkt_hook hook, const struct pkt_spec *in,
		     enum pkt_verdict v, const struct pkt_spec *want);
/* Builds in, runs it, EXPECTs verdict v and hands back the output (out of
 * PKT_MAX bytes), for outputs that depend on what the data plane chose
 * (a FULLNAT local port). Returns 0 or -errno from the test run. */
int fix_run_spec(struct pkt_fixture *f, enum pkt_hook hook, const struct pkt_spec *in,
		 enum pkt_verdict v, uint8_t *out, size_t *out_len);

/* The return code the hook's program gives for a verdict. */
int fix_verdict_code(enum pkt_hook hook, enum pkt_verdict v);
const char *fix_hook_name(enum pkt_hook hook);

/* Runs the packet and EXPECTs verdict and, when want != NULL, the output
 * bytes. Returns true when everything matched. */
bool fix_expect_run(struct pkt_fixture *f, enum pkt_hook hook, const void *in, size_t in_len,
		    enum pkt_verdict v, const void *want, size_t want_len);

/* ---- standard scene ------------------------------------------------ */

/* Services and real servers fix_std_services() writes (svc index = ring
 * offset = dest index, one real server each, weight 1): */
enum fix_std_svc {
	STD_DR_TCP,		/* TCP VIP:80   -> RS1:80, DR */
	STD_DR_UDP,		/* UDP VIP:53   -> RS2:53, DR */
	STD_TUN_TCP,		/* TCP VIP:443  -> RS1:443, TUN */
	STD_TUN_UDP,		/* UDP VIP:4500 -> RS2:4500, TUN */
	STD_DR_LINK_B,		/* TCP VIP:8080 -> RS_B:8080, DR (link B, MTU 1400) */
	STD_WEIGHT0,		/* TCP VIP:81   -> RS1, weight 0 */
	STD_EMPTY,		/* TCP VIP:82, no real server */
	STD_NO_NEIGH,		/* TCP VIP:83   -> RS_NONEIGH, DR */
	STD_NO_ROUTE,		/* TCP VIP:84   -> RS_NOROUTE, DR */
	STD_NAT,		/* TCP VIP:85   -> RS1, NAT */
	STD_TUN_LINK_B,		/* TCP VIP2:80  -> RS_B:80, TUN */
	STD_NAT_MAP,		/* TCP VIP:86   -> RS2:8086, NAT */
	STD_NAT_UDP,		/* UDP VIP:5300 -> RS2:53, NAT */
	STD_NAT_LINK_B,		/* TCP VIP2:85  -> RS_B:85, NAT (link B) */
	STD_FNAT_TCP,		/* TCP VIP:87   -> RS1:8087, FULLNAT, local address LIP1 */
	STD_FNAT_UDP,		/* UDP VIP:88   -> RS2:8088, FULLNAT, local address LIP1 */
	STD_FNAT_NO_LADDR,	/* TCP VIP:89   -> RS1:89, FULLNAT, no local address */
	STD_MAX,
};

struct fix_std {
	uint8_t proto;
	const char *vip;
	uint16_t port;
	const char *rs;		/* NULL: empty service */
	enum xvs_fwd fwd;
	uint32_t weight;
	uint16_t rport;		/* real server's port; 0: port */
	const char *laddr;	/* FULLNAT: the one local address */
};
extern const struct fix_std fix_std[STD_MAX];
/* A standard service's real-server port. */
uint16_t fix_std_rport(enum fix_std_svc svc);

int fix_std_services(struct pkt_fixture *f);

/* A client packet (10.99.0.100:40000, DF, arriving on link A) to a
 * standard service; TCP flags as given. */
struct pkt_spec fix_std_spec(enum fix_std_svc svc, uint8_t tcp_flags, size_t payload_len);
/* The same client packet to any address and port. */
struct pkt_spec fix_client_spec(uint8_t proto, const char *daddr, uint16_t dport,
				uint8_t tcp_flags, size_t payload_len);

/* Expected outputs, built from the input's description: */
/* DR: Ethernet addresses toward rs, all else unchanged. */
size_t fix_expect_dr(uint8_t *buf, const struct pkt_spec *in, const char *rs);
/* TUN: the same plus an outer IPv4 header director -> rs (protocol 4, TTL
 * 64, tos and id of the inner packet, DF if the inner has DF). */
size_t fix_expect_tun(uint8_t *buf, const struct pkt_spec *in, const char *rs);
/* ICMP fragmentation needed from the VIP back to the client. */
size_t fix_expect_frag_needed(uint8_t *buf, const struct pkt_spec *in, uint16_t mtu);

/* Ethernet addresses of a frame the director sends toward rs (a fixture
 * real server) / toward the client, VLAN tags of in kept. */
struct pkt_l2 fix_l2_toward(const struct pkt_l2 *in, const char *rs);
struct pkt_l2 fix_l2_to_client(const struct pkt_l2 *in);
/* The client packet in as the real server receives it by NAT (daddr rs,
 * dport rport) or FULLNAT (also saddr laddr, sport lport), Ethernet toward
 * rs; everything else, IP options, TCP options and payload included, kept. */
struct pkt_spec fix_nat_spec(const struct pkt_spec *in, const char *rs, uint16_t rport);
struct pkt_spec fix_fnat_spec(const struct pkt_spec *in, const char *rs, uint16_t rport,
			      uint32_t laddr, uint16_t lport);
size_t fix_expect_nat(uint8_t *buf, const struct pkt_spec *in, const char *rs, uint16_t rport);
size_t fix_expect_fnat(uint8_t *buf, const struct pkt_spec *in, const char *rs, uint16_t rport,
		       uint32_t laddr, uint16_t lport);
/* The real server's answer to rs_in (a request as it received it):
 * addresses and ports swapped, from the RS's MAC to the director's MAC on
 * its link, TTL 64, id 0x4321, DF, no IP options, TCP seq/ack mirrored. */
struct pkt_spec fix_rs_reply_spec(const struct pkt_spec *rs_in, uint8_t tcp_flags,
				  size_t payload_len);
/* A reply as the client must receive it for its request client_req: from
 * client_req's daddr:dport to its saddr:sport, Ethernet toward the
 * client; IP and L4 fields other than addresses and ports from reply. */
struct pkt_spec fix_reply_to_client_spec(const struct pkt_spec *reply,
					 const struct pkt_spec *client_req);
size_t fix_expect_reply(uint8_t *buf, const struct pkt_spec *reply,
			const struct pkt_spec *client_req);
/* An ICMP error frame: Ethernet l2, outer IPv4 header outer (proto set
 * here), ICMP type/code (mtu: next-hop MTU of 3/4, else 0), quoting the
 * first quote_len bytes (at most all) of the IPv4 packet of quoted. */
size_t fix_icmp_error(uint8_t *buf, const struct pkt_l2 *l2, const struct pkt_ip *outer,
		      uint8_t type, uint8_t code, uint16_t mtu, const struct pkt_spec *quoted,
		      size_t quote_len);
/* TUN of an arbitrary IPv4 packet ip (ip_len bytes): outer header director
 * -> rs, TTL 64, tos, id and DF of the inner header; Ethernet toward rs. */
size_t fix_expect_tun_ip(uint8_t *buf, const struct pkt_l2 *in_l2, const uint8_t *ip,
			 size_t ip_len, const char *rs);

/* Runs fn once per hook, each time on a freshly set up fixture with the
 * standard services; fails the case if the fixture cannot be set up. */
void fix_each_hook(void (*fn)(struct pkt_fixture *f, enum pkt_hook hook));

#endif /* XVS_PKT_H */
