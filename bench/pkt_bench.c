// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Per-packet cost of the data plane through BPF_PROG_TEST_RUN: sections 1
 * (every path, both hooks, against baseline programs), 2 (connection-table
 * scale and memory) and 3 (scheduler cost by real-server count) of
 * docs/BENCHMARKS.md. Prints one JSON object per measured series, one value
 * per round; bench/report.py turns them into tables.
 *
 * Two ways of timing, both with the kernel's own clock:
 *   loop    one test run with a large repeat count on one packet; the
 *           kernel's mean per run. Valid only when running the packet again
 *           takes the same path: the baselines, DR on an established flow
 *           (a MAC rewrite), a packet passed untouched.
 *   single  many test runs with repeat 1, a packet of our choosing each
 *           time (a fresh 5-tuple for a first packet; the original packet
 *           again for TUN, whose encapsulation would otherwise be
 *           re-encapsulated). Each run then also pays a per-call cost (timer,
 *           caches disturbed by the syscall) that grows with the program's
 *           size, so it is not a constant to subtract: the report takes the
 *           single-mode difference to the established DR flow of the same
 *           program, hook and size, measured both ways in the same round,
 *           and adds it to that flow's loop figure.
 * Every measured run is checked: the program's return code, and for xvs
 * the counter of the expected reason and the number of new connections,
 * so a figure never comes from a path other than the one it names. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "baseline.skel.h"
#include "pkt.h"
#include "../lib/sched.h"	/* libxvs's schedulers build section 3's rings */
#include "xvs_dp.skel.h"

#define ROUNDS_MAX	15

static struct {
	int rounds;
	uint32_t repeat;	/* loop: runs per test run */
	uint32_t calls;		/* single: test runs per figure */
	uint32_t table_max;	/* section 2: largest fill = table size */
	const char *only;	/* one section, or NULL */
} opt = {
	.rounds = 5,
	.repeat = 1000000,
	.calls = 100000,
	.table_max = XVS_CONN_MAX_DEFAULT,
};

/* ---- results: one series of per-round values per measured thing ------- */

struct series {
	char fields[256];	/* JSON members naming the series */
	double v[ROUNDS_MAX];
	int n;
};

static struct series results[512];
static int nresults;

static void record(double value, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void record(double value, const char *fmt, ...)
{
	char fields[256];
	va_list ap;
	int i;

	va_start(ap, fmt);
	vsnprintf(fields, sizeof(fields), fmt, ap);
	va_end(ap);
	for (i = 0; i < nresults && strcmp(results[i].fields, fields); i++)
		;
	if (i == nresults) {
		if (nresults == (int)(sizeof(results) / sizeof(results[0])))
			abort();
		snprintf(results[nresults].fields, sizeof(fields), "%s", fields);
		results[nresults++].n = 0;
	}
	if (results[i].n < ROUNDS_MAX)
		results[i].v[results[i].n++] = value;
}

static void print_results(void)
{
	for (int i = 0; i < nresults; i++) {
		printf("{%s,\"v\":[", results[i].fields);
		for (int r = 0; r < results[i].n; r++)
			printf("%s%.2f", r ? "," : "", results[i].v[r]);
		printf("]}\n");
	}
	fflush(stdout);
	nresults = 0;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "pkt_bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

/* ---- what is run: a program, a hook, the packets ----------------------- */

enum prog_id {
	P_XVS,			/* xvs_xdp or xvs_tc, by hook */
	P_DROP,			/* baseline: XDP_DROP */
	P_TX_SWAP,		/* baseline: swap MACs, XDP_TX */
	P_PARSE_LOOKUP,		/* baseline: parse + one hash lookup */
	P_FIB,			/* explanation: parse + bpf_fib_lookup + MAC rewrite */
	P_TC_DROP,		/* the tc hook's floor */
	P_MAX,
};

static const char *const prog_names[P_MAX] = {
	[P_XVS] = "xvs", [P_DROP] = "xdp_drop", [P_TX_SWAP] = "xdp_tx_swap",
	[P_PARSE_LOOKUP] = "xdp_parse_lookup", [P_FIB] = "xdp_fib_lookup",
	[P_TC_DROP] = "tc_drop",
};

/* Where a TCP packet goes, and what the data plane must do with it. */
struct path {
	const char *name;
	const char *daddr;		/* request to an address of our own */
	uint16_t dport;
	bool service;			/* a virtual service (else: passed) */
	enum xvs_counter reason;	/* the counter each packet must hit */
	enum pkt_verdict verdict;
	bool std;			/* request to standard service svc instead */
	bool reply;			/* the real server's answer on svc's connection */
	enum fix_std_svc svc;
	enum xvs_counter also;		/* a second counter every packet hits
					 * (XVS_CNT_RX, which all do: none) */
};

/* The fixture's standard services (pkt.h) and the director's own address. */
static const struct path path_dr = {
	.name = "dr", .daddr = FIX_VIP, .dport = 80, .service = true,
	.reason = XVS_CNT_FWD_DR, .verdict = V_TX,
};
static const struct path path_tun = {
	.name = "tun", .daddr = FIX_VIP, .dport = 443, .service = true,
	.reason = XVS_CNT_FWD_TUN, .verdict = V_TX,
};
static const struct path path_nonsvc = {
	.name = "nonsvc", .daddr = FIX_DIR_A, .dport = 22, .service = false,
	.reason = XVS_CNT_PASS_NO_SVC, .verdict = V_PASS,
};
/* NAT and FULLNAT (issue 4): requests, the real server's replies, and the
 * FULLNAT handshake-completing ACK that carries TOA. All on link A. */
static const struct path path_nat = {
	.name = "nat", .service = true, .std = true, .svc = STD_NAT,
	.reason = XVS_CNT_FWD_NAT, .verdict = V_TX,
};
static const struct path path_nat_reply = {
	.name = "nat_reply", .service = true, .std = true, .svc = STD_NAT, .reply = true,
	.reason = XVS_CNT_REPLY_NAT, .verdict = V_TX,
};
static const struct path path_fnat = {
	.name = "fnat", .service = true, .std = true, .svc = STD_FNAT_TCP,
	.reason = XVS_CNT_FWD_FNAT, .verdict = V_TX,
};
static const struct path path_fnat_reply = {
	.name = "fnat_reply", .service = true, .std = true, .svc = STD_FNAT_TCP, .reply = true,
	.reason = XVS_CNT_REPLY_FNAT, .verdict = V_TX,
};
static const struct path path_fnat_toa = {
	.name = "fnat", .service = true, .std = true, .svc = STD_FNAT_TCP,
	.reason = XVS_CNT_FWD_FNAT, .verdict = V_TX, .also = XVS_CNT_TOA_ADDED,
};
/* A new flow into a full table (section 2): DR is forwarded unrecorded,
 * NAT and FULLNAT are dropped (their replies would have nowhere to go). */
static const struct path path_dr_full = {
	.name = "dr", .daddr = FIX_VIP, .dport = 80, .service = true,
	.reason = XVS_CNT_FWD_DR, .verdict = V_TX, .also = XVS_CNT_CONN_TABLE_FULL,
};
static const struct path path_nat_full = {
	.name = "nat", .service = true, .std = true, .svc = STD_NAT,
	.reason = XVS_CNT_CONN_TABLE_FULL, .verdict = V_DROP,
};
static const struct path path_fnat_full = {
	.name = "fnat", .service = true, .std = true, .svc = STD_FNAT_TCP,
	.reason = XVS_CNT_CONN_TABLE_FULL, .verdict = V_DROP,
};

enum flow_kind {
	FLOW_FIXED,		/* the fixture's client 10.99.0.100:40000 */
	FLOW_FRESH,		/* a 5-tuple never used before, per packet */
	FLOW_LIST,		/* flows list[i % nlist] */
};

struct bench;

struct pktgen {
	const struct path *path;
	uint8_t tcp_flags;
	size_t frame;		/* bytes, Ethernet header to the end of the payload */
	enum flow_kind flow;
	const uint32_t *list;
	size_t nlist;
	/* single only: run before packet i, outside the timed test run
	 * (puts a connection back into the state the path needs) */
	void (*prepare)(struct bench *b, uint32_t i);
};

struct bench {
	struct pkt_fixture f;
	struct baseline *base;
	uint32_t next_flow;	/* FLOW_FRESH: next unused flow id */
	int cpu;
	/* the fixture client's FULLNAT connection: its local address and
	 * port (replies go to them), and the entry prepare() writes back */
	uint32_t fnat_laddr;
	uint16_t fnat_lport;
	struct xvs_conn_key fixed_key;
	struct xvs_conn fixed_conn;
	double single_max;	/* slowest run of the last single measurement */
};

/* Flow id -> client address and port: 10.64.0.0/10, 16 ports each (2^26
 * ids). Fresh flows count up from 0; the connection-table fill uses ids
 * from FILL_BASE, so the two never meet. */
#define FILL_BASE	(1u << 25)

static uint32_t flow_saddr(uint32_t id) { return htonl(0x0a400000u + (id >> 4)); }
static uint16_t flow_sport(uint32_t id) { return 20000 + (id & 15); }

/* The real server's answer to the request req of path p's service, as
 * it leaves the real server: to the client (NAT) or to the connection's
 * local address and port (FULLNAT). */
static struct pkt_spec rs_reply(const struct bench *b, const struct path *p,
				const struct pkt_spec *req, uint8_t tcp_flags, size_t payload)
{
	const char *rs = fix_std[p->svc].rs;
	uint16_t rport = fix_std_rport(p->svc);
	struct pkt_spec rs_in = fix_std[p->svc].fwd == XVS_FWD_FNAT
		? fix_fnat_spec(req, rs, rport, b->fnat_laddr, b->fnat_lport)
		: fix_nat_spec(req, rs, rport);

	return fix_rs_reply_spec(&rs_in, tcp_flags, payload);
}

static struct pkt_spec gen_spec(const struct bench *b, const struct pktgen *g, uint32_t flow_id,
				bool fixed)
{
	const struct path *p = g->path;
	size_t payload = g->frame - 14 - 20 - 20;	/* Ethernet, IPv4, TCP */
	struct pkt_spec s = p->std ? fix_std_spec(p->svc, g->tcp_flags, payload)
				   : fix_client_spec(IPPROTO_TCP, p->daddr, p->dport, g->tcp_flags,
						     payload);

	if (!fixed) {
		s.ip.saddr = flow_saddr(flow_id);
		s.l4.sport = flow_sport(flow_id);
	}
	if (p->reply)
		s = rs_reply(b, p, &s, g->tcp_flags, payload);
	return s;
}

/* Builds packet number i of the generator into buf. */
static size_t gen_packet(struct bench *b, const struct pktgen *g, size_t i, uint8_t *buf)
{
	struct pkt_spec s;

	switch (g->flow) {
	case FLOW_FRESH:
		if (b->next_flow >= FILL_BASE)
			die("out of fresh flows", ERANGE);
		s = gen_spec(b, g, b->next_flow++, false);
		break;
	case FLOW_LIST:
		s = gen_spec(b, g, g->list[i % g->nlist], false);
		break;
	default:
		s = gen_spec(b, g, 0, true);
	}
	return pkt_build(buf, &s);
}

static int prog_fd(struct bench *b, enum prog_id p, enum pkt_hook hook)
{
	switch (p) {
	case P_XVS:
		return bpf_program__fd(hook == PKT_XDP ? b->f.skel->progs.xvs_xdp
						       : b->f.skel->progs.xvs_tc);
	case P_DROP:
		return bpf_program__fd(b->base->progs.base_xdp_drop);
	case P_TX_SWAP:
		return bpf_program__fd(b->base->progs.base_xdp_tx_swap);
	case P_PARSE_LOOKUP:
		return bpf_program__fd(b->base->progs.base_xdp_parse_lookup);
	case P_FIB:
		return bpf_program__fd(b->base->progs.base_xdp_fib);
	default:
		return bpf_program__fd(b->base->progs.base_tc_drop);
	}
}

static int want_retval(enum prog_id p, enum pkt_hook hook, const struct path *path)
{
	switch (p) {
	case P_XVS:
		return fix_verdict_code(hook, path->verdict);
	case P_DROP:
		return XDP_DROP;
	case P_TC_DROP:
		return TC_ACT_SHOT;
	default:
		return XDP_TX;
	}
}

/* One test run of any program, with the context the fixture's runs use
 * (packets arrive on link A). Returns 0 or -errno. */
static int test_run(struct bench *b, int fd, enum pkt_hook hook, const void *in, size_t len,
		    uint32_t repeat, uint32_t *duration_ns, int *retval)
{
	struct xdp_md xdp_ctx = { .data_end = len, .ingress_ifindex = b->f.ifindex_a };
	struct __sk_buff skb_ctx = { .ifindex = b->f.ifindex_a,
				     .ingress_ifindex = b->f.ifindex_a };
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = in, .data_size_in = len,
		    .repeat = repeat);

	if (hook == PKT_XDP) {
		t.ctx_in = &xdp_ctx;
		t.ctx_size_in = sizeof(xdp_ctx);
	} else {
		t.ctx_in = &skb_ctx;
		t.ctx_size_in = sizeof(skb_ctx);
	}
	if (bpf_prog_test_run_opts(fd, &t))
		return -errno;
	*duration_ns = t.duration;
	*retval = (int)t.retval;
	return 0;
}

struct target {
	enum prog_id prog;
	enum pkt_hook hook;
};

/* Every counter before a measurement, to check what it did afterwards. */
struct snapshot {
	uint64_t c[XVS_CNT_MAX];
};

static struct snapshot snap(struct bench *b)
{
	struct snapshot s;

	for (int i = 0; i < XVS_CNT_MAX; i++)
		s.c[i] = fix_counter(&b->f, (enum xvs_counter)i);
	return s;
}

/* Each of the n packets must have counted RX, the path's reason, its
 * second counter if it has one, and a new connection when new_per_pkt is
 * 1; every other counter must not have moved, so a figure never comes from
 * a path that merely shares the reason (a TOA that found no room, an
 * expired entry, a table-full drop...). */
static void check_counters(struct bench *b, const struct target *t, const struct pktgen *g,
			   const struct snapshot *before, uint64_t n, int new_per_pkt,
			   const char *what)
{
	uint64_t want[XVS_CNT_MAX] = { [XVS_CNT_RX] = n };
	struct snapshot after;
	bool bad = false;

	if (t->prog != P_XVS)
		return;
	if (g->path->reason != XVS_CNT_RX)
		want[g->path->reason] += n;
	if (g->path->also != XVS_CNT_RX)
		want[g->path->also] += n;
	want[XVS_CNT_CONN_NEW] += n * (uint64_t)new_per_pkt;
	after = snap(b);
	for (int i = 0; i < XVS_CNT_MAX; i++) {
		uint64_t got = after.c[i] - before->c[i];

		/* an insert into a full table starts a sweep: that is the
		 * path's own cost, not a sign of another path */
		if (got == want[i] || i == XVS_CNT_MAINT_SWEEPS)
			continue;
		fprintf(stderr, "pkt_bench: %s (%s path): counter %d moved by %llu, expected %llu "
			"(%llu packets)\n", what, g->path->name, i, (unsigned long long)got,
			(unsigned long long)want[i], (unsigned long long)n);
		bad = true;
	}
	if (bad)
		exit(1);
}

static void check_retval(const struct target *t, const struct pktgen *g, int retval,
			 const char *what)
{
	int want = want_retval(t->prog, t->hook, g->path);

	if (retval != want) {
		fprintf(stderr, "pkt_bench: %s: %s returned %d, expected %d\n", what,
			prog_names[t->prog], retval, want);
		exit(1);
	}
}

/* Loop: mean ns of repeat runs of one packet. */
static double measure_loop(struct bench *b, const struct target *t, const struct pktgen *g,
			   int new_per_pkt, const char *what)
{
	uint8_t pkt[PKT_MAX];
	size_t len = gen_packet(b, g, 0, pkt);
	struct snapshot before = snap(b);
	uint32_t ns;
	int retval, err;

	err = test_run(b, prog_fd(b, t->prog, t->hook), t->hook, pkt, len, opt.repeat, &ns,
		       &retval);
	if (err)
		die(what, err);
	check_retval(t, g, retval, what);
	check_counters(b, t, g, &before, opt.repeat, new_per_pkt, what);
	return ns;
}

/* Single: mean of the kernel's duration over calls runs of repeat 1 (the
 * slowest run left in b->single_max). The generator's prepare() runs
 * between them, outside the kernel's timing. */
static double measure_single(struct bench *b, const struct target *t, const struct pktgen *g,
			     int new_per_pkt, const char *what)
{
	int fd = prog_fd(b, t->prog, t->hook);
	struct snapshot before = snap(b);
	uint8_t pkt[PKT_MAX];
	size_t len = 0;
	uint64_t sum = 0;
	uint32_t max = 0;

	for (uint32_t i = 0; i < opt.calls; i++) {
		uint32_t ns;
		int retval, err;

		if (i == 0 || g->flow != FLOW_FIXED)
			len = gen_packet(b, g, i, pkt);
		if (g->prepare)
			g->prepare(b, i);
		err = test_run(b, fd, t->hook, pkt, len, 1, &ns, &retval);
		if (err)
			die(what, err);
		check_retval(t, g, retval, what);
		sum += ns;
		if (ns > max)
			max = ns;
	}
	check_counters(b, t, g, &before, opt.calls, new_per_pkt, what);
	b->single_max = max;
	return (double)sum / opt.calls;
}

/* ---- the connection table ------------------------------------------------ */

static int conns_fd(struct bench *b)
{
	return bpf_map__fd(b->f.skel->maps.xvs_conns);
}

#define BATCH 65536

static int conns_out_fd(struct bench *b)
{
	return bpf_map__fd(b->f.skel->maps.xvs_conns_out);
}

/* Empties a hash map whose keys are connection keys. */
static void map_clear(int fd, const char *what)
{
	static struct xvs_conn_key keys[BATCH];
	static struct xvs_conn vals[BATCH];	/* both value types fit */

	for (;;) {
		uint32_t count = BATCH, out;
		int err = bpf_map_lookup_and_delete_batch(fd, NULL, &out, keys, vals, &count, NULL);

		if (err && errno != ENOENT)
			die(what, errno);
		if (err || count == 0)
			break;
	}
}

/* Empties the connection table: both halves, as the data plane keeps them. */
static void conns_clear(struct bench *b)
{
	map_clear(conns_fd(b), "emptying the connection table");
	map_clear(conns_out_fd(b), "emptying the reply table");
}

/* Entries in a hash map whose keys are connection keys. */
static uint64_t map_count(int fd)
{
	static struct xvs_conn_key keys[BATCH];
	static struct xvs_conn vals[BATCH];	/* both value types fit */
	uint64_t n = 0;
	uint32_t in, out;
	bool first = true;

	for (;;) {
		uint32_t count = BATCH;
		int err = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys, vals, &count,
					       NULL);

		n += count;
		if (err && errno != ENOENT)
			die("counting connections", errno);
		if (err)
			break;
		in = out;
		first = false;
	}
	return n;
}

static uint64_t conns_count(struct bench *b)
{
	return map_count(conns_fd(b));
}

static struct xvs_conn_key flow_key(uint32_t id)
{
	struct pktgen g = { .path = &path_dr, .tcp_flags = PKT_ACK, .frame = 64 };
	struct pkt_spec s = gen_spec(NULL, &g, id, false);

	return fix_conn_key(&s);
}

/* Writes live established DR connections for n flow ids from FILL_BASE: what the
 * data plane would hold after n handshakes. */
static void conns_fill(struct bench *b, uint32_t n, const struct xvs_conn *proto)
{
	static struct xvs_conn_key keys[BATCH];
	static struct xvs_conn vals[BATCH];
	int fd = conns_fd(b);

	for (uint32_t done = 0; done < n;) {
		uint32_t count = n - done < BATCH ? n - done : BATCH;

		for (uint32_t i = 0; i < count; i++) {
			keys[i] = flow_key(FILL_BASE + done + i);
			vals[i] = *proto;
			vals[i].last_seen_ns = fix_now_ns();
		}
		if (bpf_map_update_batch(fd, keys, vals, &count, NULL))
			die("filling the connection table", errno);
		done += count;
	}
}

/* The kernel's accounting of a map's memory (fdinfo "memlock"). */
static uint64_t map_memlock(int fd)
{
	char path[64], line[256];
	unsigned long long v = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	fp = fopen(path, "r");
	if (!fp)
		die(path, errno);
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	fclose(fp);
	return v;
}

/* ---- setup ---------------------------------------------------------------- */

static void sh(const char *cmd)
{
	if (system(cmd) != 0) {
		fprintf(stderr, "pkt_bench: command failed: %s\n", cmd);
		exit(1);
	}
}

static void pin_cpu(struct bench *b)
{
	cpu_set_t set;

	b->cpu = (int)sysconf(_SC_NPROCESSORS_ONLN) - 1;
	CPU_ZERO(&set);
	CPU_SET(b->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity", errno);
}

/* The parse+lookup baseline's table: 10,000 flows, the benchmark's among
 * them, so its lookup hits as an established flow's would. */
static void baseline_setup(struct bench *b)
{
	struct pktgen g = { .path = &path_dr, .tcp_flags = PKT_ACK, .frame = 64 };
	struct pkt_spec s = gen_spec(NULL, &g, 0, true);
	struct xvs_conn_key k = fix_conn_key(&s);
	uint64_t v = 1;
	int fd, err;

	b->base = baseline__open();
	if (!b->base)
		die("opening the baseline programs", errno);
	b->base->rodata->fib_dst = pkt_addr(FIX_RS1);
	err = baseline__load(b->base);
	if (err)
		die("loading the baseline programs", err);
	fd = bpf_map__fd(b->base->maps.base_flows);
	err = bpf_map_update_elem(fd, &k, &v, BPF_ANY);
	for (uint32_t i = 1; !err && i < 10000; i++) {
		k = flow_key(i);
		err = bpf_map_update_elem(fd, &k, &v, BPF_ANY);
	}
	if (err)
		die("filling the baseline's flow table", errno);
}

static void setup(struct bench *b)
{
	int err;

	pin_cpu(b);
	err = fix_setup_conns(&b->f, XVS_CONN_MAX_DEFAULT);
	if (!err)
		err = fix_std_services(&b->f);
	if (err)
		die("loading the data plane (fixture)", err);
	/* Room for the TUN header on link A, as a TUN topology gives the
	 * director->RS link: 1500-byte packets are then forwarded, not
	 * answered with fragmentation-needed. Section 3's real servers sit
	 * behind RS1 as a gateway, so each resolves without a neighbour entry
	 * of its own. All of it in the fixture's private namespace. */
	sh("ip link set dev xvs0 mtu 1600 && ip link set dev xvs0p mtu 1600 && "
	   "ip route add 10.100.0.0/16 via " FIX_RS1 " dev xvs0");
	baseline_setup(b);
}

/* The reply key of a NAT or FULLNAT connection (as the data plane's
 * conn_reply_key() makes it: the real server's packets arrive under it). */
static struct xvs_conn_key reply_key(const struct xvs_conn_key *k, const struct xvs_conn *c)
{
	bool fnat = c->fwd == XVS_FWD_FNAT;

	return fix_key(c->raddr, fnat ? c->laddr : k->saddr, ntohs(c->rport),
		       ntohs(fnat ? c->lport : k->sport), k->proto);
}

/* Removes the fixture client's connection on path's service, both halves. */
static void close_flow(struct bench *b, const struct xvs_conn_key *k)
{
	struct xvs_conn c;

	if (fix_conn_get(&b->f, k, &c))
		return;
	if (c.fwd == XVS_FWD_NAT || c.fwd == XVS_FWD_FNAT) {
		struct xvs_conn_key r = reply_key(k, &c);

		fix_conn_out_del(&b->f, &r);
	}
	fix_conn_del(&b->f, k);
}

/* The client-side path that opens the connection a path's packets use. */
static const struct path *request_path(const struct path *path)
{
	if (!path->reply)
		return path;
	return fix_std[path->svc].fwd == XVS_FWD_FNAT ? &path_fnat : &path_nat;
}

/* Opens the fixture client's flow on a service afresh (SYN, then the ACK
 * that completes the handshake), so its ACKs then find an established
 * connection, and keeps the entry: its key and value for prepare(), and a
 * FULLNAT connection's local address and port for the replies. */
static void open_flow(struct bench *b, const struct path *path, enum pkt_hook hook)
{
	const struct path *req = request_path(path);
	struct pktgen syn = { .path = req, .tcp_flags = PKT_SYN, .frame = 64 };
	struct pktgen ack = { .path = req, .tcp_flags = PKT_ACK, .frame = 64 };
	struct pkt_spec s = gen_spec(b, &ack, 0, true);
	struct target t = { P_XVS, hook };
	uint8_t pkt[PKT_MAX];
	uint32_t ns;
	int retval;

	b->fixed_key = fix_conn_key(&s);
	close_flow(b, &b->fixed_key);
	for (int i = 0; i < 2; i++) {
		const struct pktgen *g = i ? &ack : &syn;
		size_t len = gen_packet(b, g, 0, pkt);

		if (test_run(b, prog_fd(b, P_XVS, hook), hook, pkt, len, 1, &ns, &retval))
			die("opening a flow", errno);
		check_retval(&t, g, retval, "opening a flow");
	}
	if (fix_conn_get(&b->f, &b->fixed_key, &b->fixed_conn))
		die("opening a flow: no connection entry", ENOENT);
	if (b->fixed_conn.state != XVS_CS_ESTABLISHED)
		die("opening a flow: the connection is not established", EINVAL);
	b->fnat_laddr = b->fixed_conn.laddr;
	b->fnat_lport = ntohs(b->fixed_conn.lport);
}

/* prepare(): writes the fixture client's connection back as the handshake
 * left it before its last ACK (SYN_RECV), so that every measured ACK is the
 * one that completes the handshake and gets TOA. */
static void put_fixed_conn(struct bench *b, uint8_t state)
{
	struct xvs_conn c = b->fixed_conn;

	c.state = state;
	c.last_seen_ns = fix_now_ns();
	if (fix_conn_put(&b->f, &b->fixed_key, &c))
		die("rewriting the connection entry", errno);
}

static void prep_syn_recv(struct bench *b, uint32_t i)
{
	(void)i;
	put_fixed_conn(b, XVS_CS_SYN_RECV);
}

/* The control for prep_syn_recv: the same rewrite of the entry before each
 * packet, but as ESTABLISHED, so the ACK takes the plain FULLNAT path. The
 * difference between the two is what TOA and the state change cost. */
static void prep_established(struct bench *b, uint32_t i)
{
	(void)i;
	put_fixed_conn(b, XVS_CS_ESTABLISHED);
}

/* FULLNAT first packets: every new flow claims a local port toward the one
 * real server of the service, from the one local address; emptying the
 * tables every FNAT_FRESH_BATCH flows keeps the range at most that full
 * (6%), so the figure is the claim of a director with ports to spare, not
 * one whose range is filling up as the measurement goes. */
#define FNAT_FRESH_BATCH 4096

static void prep_fnat_room(struct bench *b, uint32_t i)
{
	if (i && i % FNAT_FRESH_BATCH == 0)
		conns_clear(b);
}

/* ---- section 1: every path, both hooks, both sizes ------------------------ */

static const size_t frames[] = { 64, 1514 };

/* The established DR flow of the fixture client through the XDP program,
 * both ways: the anchor that single figures of sections 2 and 3 are
 * placed against (see the top of the file). */
static void measure_anchor(struct bench *b, const char *sec)
{
	struct pktgen g = { .path = &path_dr, .tcp_flags = PKT_ACK, .frame = 64 };
	struct target t = { P_XVS, PKT_XDP };

	open_flow(b, &path_dr, PKT_XDP);
	record(measure_loop(b, &t, &g, 0, "anchor"),
	       "\"sec\":\"%s\",\"what\":\"anchor\",\"method\":\"loop\"", sec);
	record(measure_single(b, &t, &g, 0, "anchor"),
	       "\"sec\":\"%s\",\"what\":\"anchor\",\"method\":\"single\"", sec);
}

/* The programs xvs is divided by, on the established flow's packet; the
 * two drops and parse+lookup also one call at a time, which shows the
 * per-call cost growing with the program. */
static const struct baseline_case {
	enum prog_id prog;
	enum pkt_hook hook;
	bool single;
} baseline_cases[] = {
	{ P_DROP, PKT_XDP, true },
	{ P_TX_SWAP, PKT_XDP, false },
	{ P_PARSE_LOOKUP, PKT_XDP, true },
	{ P_FIB, PKT_XDP, false },
	{ P_TC_DROP, PKT_TC, true },
};

static void baseline_run(struct bench *b, const struct baseline_case *c, size_t frame)
{
	struct pktgen g = { .path = &path_dr, .tcp_flags = PKT_ACK, .frame = frame };
	struct target t = { c->prog, c->hook };

	for (int m = 0; m < (c->single ? 2 : 1); m++)
		record(m ? measure_single(b, &t, &g, 0, prog_names[t.prog])
			 : measure_loop(b, &t, &g, 0, prog_names[t.prog]),
		       "\"sec\":\"pkt\",\"hook\":\"%s\",\"prog\":\"%s\",\"path\":\"-\","
		       "\"flow\":\"-\",\"frame\":%zu,\"method\":\"%s\"", fix_hook_name(c->hook),
		       prog_names[c->prog], frame, m ? "single" : "loop");
}

struct pkt_case {
	const struct path *path;
	const char *flow;		/* "est", "new" (first packet), "toa" (the
					 * handshake ACK), "est_rewritten" (its control) */
	bool loop;			/* also valid as a loop */
	bool single;
	void (*prepare)(struct bench *b, uint32_t i);
};

static const struct pkt_case pkt_cases[] = {
	{ &path_dr, "est", true, true, NULL },	/* both: the anchor of the others */
	{ &path_tun, "est", false, true, NULL },
	{ &path_dr, "new", false, true, NULL },
	{ &path_tun, "new", false, true, NULL },
	{ &path_nonsvc, "-", true, false, NULL },
	/* NAT and FULLNAT rewrite the packet, so a loop would run the
	 * rewritten packet again: single runs of the original only */
	{ &path_nat, "est", false, true, NULL },
	{ &path_nat, "new", false, true, NULL },
	{ &path_nat_reply, "est", false, true, NULL },
	{ &path_fnat, "est", false, true, NULL },
	{ &path_fnat, "new", false, true, prep_fnat_room },
	{ &path_fnat_reply, "est", false, true, NULL },
	{ &path_fnat_toa, "toa", false, true, prep_syn_recv },
	{ &path_fnat, "est_rewritten", false, true, prep_established },
};

static void pkt_case_run(struct bench *b, const struct pkt_case *c, enum pkt_hook hook,
			 size_t frame)
{
	bool is_new = !strcmp(c->flow, "new");
	struct pktgen g = {
		.path = c->path,
		.tcp_flags = is_new || !c->path->service ? PKT_SYN : PKT_ACK,
		.frame = frame,
		.flow = is_new ? FLOW_FRESH : FLOW_FIXED,
		.prepare = c->prepare,
	};
	struct target t = { P_XVS, hook };
	char what[64];

	snprintf(what, sizeof(what), "%s %s %s %zu", fix_hook_name(hook), c->path->name,
		 c->flow, frame);
	if (is_new)
		conns_clear(b);		/* a table with room */
	else if (c->path->service)
		open_flow(b, c->path, hook);
	for (int m = 0; m < 2; m++) {
		bool loop = m == 0;

		if (loop ? !c->loop : !c->single)
			continue;
		record(loop ? measure_loop(b, &t, &g, is_new, what)
			    : measure_single(b, &t, &g, is_new, what),
		       "\"sec\":\"pkt\",\"hook\":\"%s\",\"prog\":\"xvs\",\"path\":\"%s\","
		       "\"flow\":\"%s\",\"frame\":%zu,\"method\":\"%s\"", fix_hook_name(hook),
		       c->path->name, c->flow, frame, loop ? "loop" : "single");
	}
}

static void section_pkt(struct bench *b)
{
	for (int r = 0; r < opt.rounds; r++) {
		fprintf(stderr, "  per-packet cost: round %d/%d\n", r + 1, opt.rounds);
		for (size_t s = 0; s < sizeof(frames) / sizeof(frames[0]); s++) {
			for (size_t i = 0; i < sizeof(baseline_cases) / sizeof(baseline_cases[0]); i++)
				baseline_run(b, &baseline_cases[i], frames[s]);
			for (int h = 0; h < PKT_HOOK_MAX; h++)
				for (size_t i = 0; i < sizeof(pkt_cases) / sizeof(pkt_cases[0]); i++)
					pkt_case_run(b, &pkt_cases[i], h, frames[s]);
		}
	}
	conns_clear(b);
	print_results();
}

/* ---- section 2: connection-table scale ------------------------------------ */

/* The connection the data plane writes for the fixture client's DR flow,
 * established: the value every filled entry gets. */
static struct xvs_conn established_conn(struct bench *b)
{
	struct pktgen g = { .path = &path_dr, .tcp_flags = PKT_ACK, .frame = 64 };
	struct pkt_spec s = gen_spec(NULL, &g, 0, true);
	struct xvs_conn_key k = fix_conn_key(&s);
	struct xvs_conn c;

	open_flow(b, &path_dr, PKT_XDP);
	if (fix_conn_get(&b->f, &k, &c))
		die("reading the established connection", errno);
	if (c.state != XVS_CS_ESTABLISHED)
		die("the fixture flow is not established", EINVAL);
	return c;
}

/* n flow ids among the live filled ones, each present in the table. */
static uint32_t *pick_live_flows(struct bench *b, uint32_t live, uint32_t n)
{
	uint32_t *ids = calloc(n, sizeof(*ids));
	uint32_t seed = 12345, got = 0, tries = 0;
	struct xvs_conn c;

	if (!ids)
		die("calloc", ENOMEM);
	while (got < n && tries++ < 4 * n) {
		uint32_t id;
		struct xvs_conn_key k;

		seed = seed * 1103515245u + 12345u;
		/* distinct when live <= n (a walk), random otherwise */
		id = FILL_BASE + (live <= n ? got % live : (seed >> 4) % live);
		k = flow_key(id);
		if (fix_conn_get(&b->f, &k, &c) == 0)
			ids[got++] = id;
	}
	if (got < n)
		die("too few live connections to measure", ENOENT);
	return ids;
}

/* New flows of each method: into a table with room, and into a full one,
 * where the plain hash refuses the insert (a DR flow is forwarded without
 * an entry, NAT and FULLNAT are dropped: XVS_CNT_CONN_TABLE_FULL). */
static const struct new_flow_case {
	const struct path *room, *full;
	void (*prepare)(struct bench *b, uint32_t i);
	int new_when_full;		/* CONN_NEW per packet into the full table */
} new_flow_cases[] = {
	{ &path_dr, &path_dr_full, NULL, 0 },	/* forwarded, neither recorded nor counted */
	{ &path_nat, &path_nat_full, NULL, 0 },
	{ &path_fnat, &path_fnat_full, prep_fnat_room, 0 },
};

/* The table holds `live` = capacity established DR connections. */
static void table_full_run(struct bench *b, int r, uint32_t live)
{
	for (size_t m = 0; m < sizeof(new_flow_cases) / sizeof(new_flow_cases[0]); m++) {
		const struct new_flow_case *c = &new_flow_cases[m];
		struct pktgen g = { .path = c->full, .tcp_flags = PKT_SYN, .frame = 64,
				    .flow = FLOW_FRESH };
		struct target t = { P_XVS, PKT_XDP };

		record(measure_single(b, &t, &g, c->new_when_full, "new flow, table full"),
		       "\"sec\":\"table\",\"fill\":%u,\"what\":\"new_full\",\"fwd\":\"%s\","
		       "\"method\":\"single\"", live, c->full->name);
		/* the slowest single run: where an insert that found the table
		 * full paid for something more than the refusal */
		record(b->single_max, "\"sec\":\"table\",\"fill\":%u,\"what\":\"new_full_max\","
		       "\"fwd\":\"%s\"", live, c->full->name);
		if (r == 0) {
			record(conns_count(b), "\"sec\":\"table\",\"fill\":%u,"
			       "\"what\":\"entries_after_new\",\"fwd\":\"%s\"", live,
			       c->full->name);
			record(map_count(conns_out_fd(b)), "\"sec\":\"table\",\"fill\":%u,"
			       "\"what\":\"out_entries_after_new\",\"fwd\":\"%s\"", live,
			       c->full->name);
		}
	}
}

static void section_table(struct bench *b)
{
	const uint32_t fills[] = { 1000, 100000, opt.table_max };
	struct xvs_conn proto = established_conn(b);
	int fd = conns_fd(b);

	for (int r = 0; r < opt.rounds; r++) {
		fprintf(stderr, "  connection table: round %d/%d\n", r + 1, opt.rounds);
		for (size_t i = 0; i < sizeof(fills) / sizeof(fills[0]); i++) {
			uint32_t live = fills[i];
			uint32_t *ids;
			struct pktgen g = { .path = &path_dr, .tcp_flags = PKT_ACK, .frame = 64,
					    .flow = FLOW_LIST };
			struct target t = { P_XVS, PKT_XDP };

			conns_clear(b);
			conns_fill(b, live, &proto);
			if (r == 0)
				record(conns_count(b), "\"sec\":\"table\",\"fill\":%u,"
				       "\"what\":\"entries\"", live);
			ids = pick_live_flows(b, live, opt.calls);
			g.list = ids;
			/* one flow, hot in the cache */
			g.nlist = 1;
			record(measure_loop(b, &t, &g, 0, "established, one flow"),
			       "\"sec\":\"table\",\"fill\":%u,\"what\":\"est_hot\","
			       "\"method\":\"loop\"", live);
			record(measure_single(b, &t, &g, 0, "established, one flow"),
			       "\"sec\":\"table\",\"fill\":%u,\"what\":\"est_hot\","
			       "\"method\":\"single\"", live);
			/* a different live flow every packet */
			g.nlist = opt.calls;
			record(measure_single(b, &t, &g, 0, "established, many flows"),
			       "\"sec\":\"table\",\"fill\":%u,\"what\":\"est_spread\","
			       "\"method\":\"single\"", live);
			free(ids);
			if (live == bpf_map__max_entries(b->f.skel->maps.xvs_conns))
				table_full_run(b, r, live);
			if (r == 0)
				record(map_memlock(fd), "\"sec\":\"table\",\"fill\":%u,"
				       "\"what\":\"memlock\",\"capacity\":%u", live,
				       bpf_map__max_entries(b->f.skel->maps.xvs_conns));
		}
		/* tables with room, measured the same way, for comparison */
		for (size_t m = 0; m < sizeof(new_flow_cases) / sizeof(new_flow_cases[0]); m++) {
			const struct new_flow_case *c = &new_flow_cases[m];
			struct pktgen g = { .path = c->room, .tcp_flags = PKT_SYN, .frame = 64,
					    .flow = FLOW_FRESH, .prepare = c->prepare };
			struct target t = { P_XVS, PKT_XDP };

			conns_clear(b);
			record(measure_single(b, &t, &g, 1, "new flow, table with room"),
			       "\"sec\":\"table\",\"fill\":0,\"what\":\"new_room\","
			       "\"fwd\":\"%s\",\"method\":\"single\"", c->room->name);
		}
	}
	conns_clear(b);
	print_results();
}

/* Memory of the connection tables by capacity, from the kernel's own
 * accounting: both hashes are preallocated (and the loader gives the reply
 * table the same capacity), so it does not depend on use. A DR or TUN
 * connection is one xvs_conns entry, a NAT or FULLNAT one also has its
 * xvs_conns_out entry. */
static void section_memory(void)
{
	const uint32_t caps[] = { 1024, 65536, XVS_CONN_MAX_DEFAULT };

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		struct pkt_fixture f;
		int err = fix_setup_conns(&f, caps[i]);

		if (err)
			die("loading the data plane", err);
		record(map_memlock(bpf_map__fd(f.skel->maps.xvs_conns)),
		       "\"sec\":\"mem\",\"capacity\":%u,\"map\":\"xvs_conns\"", caps[i]);
		record(map_memlock(bpf_map__fd(f.skel->maps.xvs_conns_out)),
		       "\"sec\":\"mem\",\"capacity\":%u,\"map\":\"xvs_conns_out\"", caps[i]);
		fix_teardown(&f);
	}
	print_results();
}

/* ---- section 3: scheduler cost by real-server count ------------------------ */

#define SCHED_SVC0	32		/* first service index used here */
#define SCHED_DEST0	1024		/* first real-server index */
#define SCHED_RING0	4096		/* first ring slot */
#define SCHED_PORT0	9000

static const uint32_t sched_sizes[] = { 2, 16, 256, 4096 };
/* IPVS's schedulers: those libxvs registers are measured, the others are
 * reported as not implemented yet, so each new one becomes a row. */
static const char *const sched_names[] = {
	"rr", "wrr", "lc", "wlc", "sed", "nq", "fo", "ovf", "lblc", "lblcr",
	"sh", "dh", "mh", "twos",
};
#define NSCHED (sizeof(sched_names) / sizeof(sched_names[0]))
#define NSIZES (sizeof(sched_sizes) / sizeof(sched_sizes[0]))

struct sched_svc {
	const char *sched;
	uint32_t nrs, svc_idx, ring_len;
	uint32_t dest0, weights;	/* its first real server's index, their weights' sum */
	uint16_t port;
	struct path path;
};

/* Writes a service of nrs DR real servers (weights 1..4 in turn) with the
 * schedule and pick method libxvs's scheduler gives it. Returns the
 * scheduler's error when it refuses that many servers (mh: at most 4093,
 * as IPVS). */
static int sched_svc_add(struct bench *b, const struct xvs_sched_ops *ops, struct sched_svc *s,
			  uint32_t *next_dest, uint32_t *next_slot)
{
	struct xvs_sched_dest *d = calloc(s->nrs, sizeof(*d));
	uint32_t *ring = calloc(XVS_RING_MAX_PER_SVC, sizeof(*ring));
	struct xvs_svc svc;
	char addr[32];
	int len, err = 0;

	if (!d || !ring)
		die("scheduler setup", ENOMEM);
	s->dest0 = *next_dest;
	s->weights = 0;
	for (uint32_t i = 0; !err && i < s->nrs; i++) {
		uint32_t idx = (*next_dest)++, w = 1 + i % 4;

		s->weights += w;

		snprintf(addr, sizeof(addr), "10.100.%u.%u", (i + 1) >> 8, (i + 1) & 255);
		err = fix_dest(&b->f, idx, s->svc_idx, addr, s->port, XVS_FWD_DR, w);
		d[i] = (struct xvs_sched_dest){ .id = idx, .weight = w, .addr = pkt_addr(addr),
						.port = htons(s->port) };
	}
	if (err)
		die("writing real servers", err);
	len = ops->build(d, s->nrs, ring, XVS_RING_MAX_PER_SVC);
	if (len <= 0) {
		free(ring);
		free(d);
		return len ? len : -EINVAL;
	}
	err = fix_svc(&b->f, s->svc_idx, IPPROTO_TCP, FIX_VIP2, s->port, *next_slot, ring,
		      (uint32_t)len);
	if (!err)
		err = fix_svc_get(&b->f, s->svc_idx, &svc);
	if (!err) {
		svc.pick = ops->pick;	/* the fixture writes the ring method */
		snprintf(svc.sched_name, sizeof(svc.sched_name), "%s", ops->name);
		err = bpf_map__update_elem(b->f.skel->maps.xvs_svc_info, &s->svc_idx,
					   sizeof(s->svc_idx), &svc, sizeof(svc), BPF_ANY);
	}
	if (err)
		die("writing the service", err);
	s->ring_len = (uint32_t)len;
	*next_slot += (uint32_t)len;
	free(ring);
	free(d);
	return 0;
}

/* Every new flow counts as an active connection of the real server it went
 * to, and nothing ends them here: left alone, the counts would grow without
 * bound and ovf would run out of servers (active <= weight) after a few
 * flows, as IPVS's would. So, outside the timed runs, the service's counts
 * go back to 0 every "sum of the weights" new flows: they stay around what
 * the weights admit, and every scheduler finds a server. */
static const struct sched_svc *sched_cur;

static void sched_counts_reset(struct bench *b, uint32_t i)
{
	const struct xvs_dest_conns zero = { 0 };

	if (i % sched_cur->weights)
		return;
	for (uint32_t k = 0; k < sched_cur->nrs; k++)
		if (fix_dest_conns_put(&b->f, sched_cur->dest0 + k, &zero))
			die("resetting the connection counts", errno);
}

static void section_sched(struct bench *b)
{
	static struct sched_svc svcs[NSCHED * NSIZES];
	uint32_t next_dest = SCHED_DEST0, next_slot = SCHED_RING0;
	int n = 0;

	for (size_t i = 0; i < NSCHED; i++) {
		const struct xvs_sched_ops *ops = xvs_sched_find(sched_names[i]);

		if (!ops) {
			printf("{\"sec\":\"sched\",\"sched\":\"%s\",\"status\":"
			       "\"not implemented yet\"}\n", sched_names[i]);
			continue;
		}
		for (size_t j = 0; j < NSIZES; j++) {
			struct sched_svc *s = &svcs[n];
			int err;

			s->sched = sched_names[i];
			s->nrs = sched_sizes[j];
			s->svc_idx = SCHED_SVC0 + n;
			s->port = SCHED_PORT0 + n;
			s->path = (struct path){ .name = "dr", .daddr = FIX_VIP2, .dport = s->port,
						 .service = true, .reason = XVS_CNT_FWD_DR,
						 .verdict = V_TX };
			err = sched_svc_add(b, ops, s, &next_dest, &next_slot);
			if (err)
				printf("{\"sec\":\"sched\",\"sched\":\"%s\",\"nrs\":%u,"
				       "\"status\":\"refused: %s\"}\n", s->sched, s->nrs,
				       strerror(-err));
			else
				n++;
		}
	}
	for (int r = 0; r < opt.rounds; r++) {
		fprintf(stderr, "  schedulers: round %d/%d\n", r + 1, opt.rounds);
		measure_anchor(b, "sched");
		for (int k = 0; k < n; k++) {
			struct sched_svc *s = &svcs[k];
			struct pktgen g = { .path = &s->path, .tcp_flags = PKT_SYN, .frame = 64,
					    .flow = FLOW_FRESH, .prepare = sched_counts_reset };
			struct target t = { P_XVS, PKT_XDP };

			conns_clear(b);
			sched_cur = s;
			record(measure_single(b, &t, &g, 1, s->sched),
			       "\"sec\":\"sched\",\"sched\":\"%s\",\"nrs\":%u,\"ring\":%u,"
			       "\"method\":\"single\"", s->sched, s->nrs, s->ring_len);
		}
	}
	conns_clear(b);
	print_results();
}

/* ---- section 4: the data plane's housekeeping ------------------------------- */

/* The sweep the first packet after each interval (1 s) runs: a walk of the
 * whole connection table, here with every entry live (the recurring cost;
 * expired entries add their removal), as the data plane itself timed it
 * (xvs_maint.sweep_ns). And the estimator's run every 2 s over 10,000
 * services of 10 real servers in use: a packet that ends a period against
 * the same packet when none has ended. */
#define EST_SVCS	10000
#define EST_DESTS	10	/* per service */
#define EST_SVC0	1000
#define EST_DEST0	10000

static double sweep_once(struct bench *b)
{
	struct xvs_maint m;

	if (fix_maint(&b->f, PKT_XDP) || fix_maint_get(&b->f, &m))
		die("running the sweep", EIO);
	return (double)m.sweep_ns;
}

static void est_services(struct bench *b)
{
	struct xvs_svc svc = { .flags = XVS_SVC_F_IN_USE };
	struct xvs_dest d = { .flags = XVS_DEST_F_IN_USE, .weight = 1 };

	for (uint32_t i = 0; i < EST_SVCS; i++) {
		uint32_t si = EST_SVC0 + i;

		if (fix_svc_put(&b->f, si, &svc))
			die("writing services", errno);
		d.svc_idx = si;
		for (uint32_t k = 0; k < EST_DESTS; k++)
			if (fix_dest_put(&b->f, EST_DEST0 + i * EST_DESTS + k, &d))
				die("writing real servers", errno);
	}
}

/* One DR packet of an established flow; with `period_due`, the estimator's
 * clock is put back a period first, so this packet runs it. */
static double est_packet(struct bench *b, bool period_due)
{
	struct pktgen g = { .path = &path_dr, .tcp_flags = PKT_ACK, .frame = 64 };
	int fd = prog_fd(b, P_XVS, PKT_XDP), ret;
	uint8_t pkt[PKT_MAX];
	size_t len = gen_packet(b, &g, 0, pkt);
	struct xvs_maint m;
	uint32_t ns;

	if (fix_maint_get(&b->f, &m))
		die("reading the clocks", errno);
	m.est_last_ns = fix_now_ns() - (period_due ? XVS_EST_TICK_NS + XVS_EST_TICK_NS / 4 : 0);
	if (fix_maint_put(&b->f, &m) || test_run(b, fd, PKT_XDP, pkt, len, 1, &ns, &ret))
		die("the estimator's packet", EIO);
	return ns;
}

static void section_maint(struct bench *b)
{
	const uint32_t fills[] = { 1000, 100000, opt.table_max };
	struct xvs_conn proto = established_conn(b);

	est_services(b);
	for (int r = 0; r < opt.rounds; r++) {
		fprintf(stderr, "  housekeeping: round %d/%d\n", r + 1, opt.rounds);
		for (size_t i = 0; i < sizeof(fills) / sizeof(fills[0]); i++) {
			conns_clear(b);
			conns_fill(b, fills[i], &proto);
			record(sweep_once(b), "\"sec\":\"maint\",\"what\":\"sweep\",\"fill\":%u",
			       fills[i]);
		}
		conns_clear(b);
		open_flow(b, &path_dr, PKT_XDP);
		record(est_packet(b, true), "\"sec\":\"maint\",\"what\":\"est_packet\","
		       "\"svcs\":%u,\"dests\":%u", EST_SVCS, EST_SVCS * EST_DESTS);
		record(est_packet(b, false), "\"sec\":\"maint\",\"what\":\"plain_packet\"");
	}
	conns_clear(b);
	print_results();
}

/* ---- main ------------------------------------------------------------------ */

static int usage(void)
{
	fprintf(stderr, "usage: pkt_bench [--rounds N] [--repeat N] [--calls N] "
			"[--table-max N] [--only pkt|table|mem|sched|maint]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "repeat", required_argument, NULL, 'R' },
		{ "calls", required_argument, NULL, 'c' },
		{ "table-max", required_argument, NULL, 't' },
		{ "only", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench b = {};
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': opt.rounds = atoi(optarg); break;
		case 'R': opt.repeat = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'c': opt.calls = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 't': opt.table_max = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'o': opt.only = optarg; break;
		default: return usage();
		}
	}
	if (optind != argc || opt.rounds < 1 || opt.rounds > ROUNDS_MAX || !opt.repeat ||
	    !opt.calls || opt.table_max > XVS_CONN_MAX_DEFAULT || opt.table_max < 100000)
		return usage();
	setup(&b);
	printf("{\"sec\":\"pkt_setup\",\"rounds\":%d,\"calls\":%u,\"repeat\":%u,\"cpu\":%d}\n",
	       opt.rounds, opt.calls, opt.repeat, b.cpu);
	if (!opt.only || !strcmp(opt.only, "pkt"))
		section_pkt(&b);
	if (!opt.only || !strcmp(opt.only, "table"))
		section_table(&b);
	if (!opt.only || !strcmp(opt.only, "sched"))
		section_sched(&b);
	if (!opt.only || !strcmp(opt.only, "maint"))
		section_maint(&b);
	baseline__destroy(b.base);
	fix_teardown(&b.f);
	if (!opt.only || !strcmp(opt.only, "mem"))
		section_memory();
	return 0;
}
