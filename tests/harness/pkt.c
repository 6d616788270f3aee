// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Packet builder and data-plane fixture for the packet tests (see pkt.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pkt.h"
#include "test.h"
#include "xvs_dp.skel.h"

/* ---- builder --------------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

uint16_t pkt_csum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *b = data;
	uint64_t s = sum;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		s += (uint32_t)b[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

uint32_t pkt_addr(const char *dotted)
{
	struct in_addr a;

	if (inet_pton(AF_INET, dotted, &a) != 1)
		abort();
	return a.s_addr;
}

size_t pkt_put_eth(uint8_t *buf, const struct pkt_l2 *l2, uint16_t ethertype)
{
	size_t off = 12;

	memcpy(buf, l2->dst, 6);
	memcpy(buf + 6, l2->src, 6);
	for (int i = 0; i < l2->nvlan && i < 2; i++) {
		put16(buf + off, l2->vlan_tpid[i] ? l2->vlan_tpid[i] : ETH_P_8021Q);
		put16(buf + off + 2, l2->vlan_tci[i]);
		off += 4;
	}
	put16(buf + off, ethertype);
	return off + 2;
}

size_t pkt_put_ipv4(uint8_t *buf, const struct pkt_ip *ip, size_t payload_len)
{
	size_t hlen = 20 + ip->opts_len;

	memset(buf, 0, 20);
	buf[0] = 0x40 | (hlen / 4);
	buf[1] = ip->tos;
	put16(buf + 2, hlen + payload_len);
	put16(buf + 4, ip->id);
	put16(buf + 6, ip->frag);
	buf[8] = ip->ttl ? ip->ttl : 64;
	buf[9] = ip->proto;
	memcpy(buf + 12, &ip->saddr, 4);
	memcpy(buf + 16, &ip->daddr, 4);
	memcpy(buf + 20, ip->opts, ip->opts_len);
	put16(buf + 10, pkt_csum(buf, hlen, 0));
	return hlen;
}

/* Sum of the TCP/UDP pseudo header. */
static uint32_t pseudo_sum(const struct pkt_ip *ip, size_t l4_len)
{
	uint8_t ph[12];

	memcpy(ph, &ip->saddr, 4);
	memcpy(ph + 4, &ip->daddr, 4);
	ph[8] = 0;
	ph[9] = ip->proto;
	put16(ph + 10, l4_len);
	return (uint16_t)~pkt_csum(ph, sizeof(ph), 0);
}

static void fill_payload(uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(0x41 + i % 26);
}

static size_t put_l4(uint8_t *buf, const struct pkt_ip *ip, const struct pkt_l4 *l4)
{
	size_t hlen, len;
	int csum_off;

	if (ip->proto == IPPROTO_TCP) {
		hlen = 20 + l4->opts_len;
		memset(buf, 0, 20);
		put16(buf, l4->sport);
		put16(buf + 2, l4->dport);
		put32(buf + 4, l4->seq);
		put32(buf + 8, l4->ack);
		buf[12] = (hlen / 4) << 4;
		buf[13] = l4->flags;
		put16(buf + 14, 64240);
		memcpy(buf + 20, l4->opts, l4->opts_len);
		csum_off = 16;
	} else {
		hlen = 8;
		put16(buf, l4->sport);
		put16(buf + 2, l4->dport);
		put16(buf + 4, 8 + l4->payload_len);
		put16(buf + 6, 0);
		csum_off = 6;
	}
	fill_payload(buf + hlen, l4->payload_len);
	len = hlen + l4->payload_len;
	if (ip->proto == IPPROTO_UDP && l4->udp_csum_zero)
		return len;
	put16(buf + csum_off, pkt_csum(buf, len, pseudo_sum(ip, len)));
	if (ip->proto == IPPROTO_UDP && buf[6] == 0 && buf[7] == 0)
		put16(buf + 6, 0xffff);
	return len;
}

size_t pkt_build_ip(uint8_t *buf, const struct pkt_ip *ip, const struct pkt_l4 *l4)
{
	uint8_t l4buf[PKT_MAX];
	size_t l4_len = put_l4(l4buf, ip, l4);
	size_t hlen = pkt_put_ipv4(buf, ip, l4_len);

	memcpy(buf + hlen, l4buf, l4_len);
	return hlen + l4_len;
}

size_t pkt_build(uint8_t *buf, const struct pkt_spec *s)
{
	size_t off = pkt_put_eth(buf, &s->l2, ETH_P_IP);

	return off + pkt_build_ip(buf + off, &s->ip, &s->l4);
}

size_t pkt_build_eth(uint8_t *buf, const struct pkt_l2 *l2, uint16_t ethertype,
		     const void *payload, size_t len)
{
	size_t off = pkt_put_eth(buf, l2, ethertype);

	memcpy(buf + off, payload, len);
	return off + len;
}

size_t pkt_build_ip_payload(uint8_t *buf, const struct pkt_l2 *l2, const struct pkt_ip *ip,
			    const void *payload, size_t len)
{
	size_t off = pkt_put_eth(buf, l2, ETH_P_IP);

	off += pkt_put_ipv4(buf + off, ip, len);
	memcpy(buf + off, payload, len);
	return off + len;
}

size_t pkt_put_icmp_frag_needed(uint8_t *buf, uint16_t mtu, const void *quote, size_t len)
{
	buf[0] = 3;
	buf[1] = 4;
	put16(buf + 2, 0);
	put16(buf + 4, 0);
	put16(buf + 6, mtu);
	memcpy(buf + 8, quote, len);
	put16(buf + 2, pkt_csum(buf, 8 + len, 0));
	return 8 + len;
}

size_t pkt_put_icmp(uint8_t *buf, uint8_t type, uint8_t code, uint32_t rest,
		    const void *body, size_t len)
{
	buf[0] = type;
	buf[1] = code;
	put16(buf + 2, 0);
	put32(buf + 4, rest);
	memcpy(buf + 8, body, len);
	put16(buf + 2, pkt_csum(buf, 8 + len, 0));
	return 8 + len;
}

void pkt_add_toa(struct pkt_l4 *l4, uint16_t port, uint32_t addr)
{
	uint8_t *o = l4->opts + l4->opts_len;

	if (l4->opts_len + 8 > sizeof(l4->opts))
		abort();
	o[0] = 254;
	o[1] = 8;
	put16(o + 2, port);
	memcpy(o + 4, &addr, 4);
	l4->opts_len += 8;
}

/* ---- fixture: network ----------------------------------------------- */

const uint8_t fix_mac_dir_a[6] = { 0x02, 0, 0, 0, 0x00, 0x01 };
const uint8_t fix_mac_dir_b[6] = { 0x02, 0, 0, 0, 0x01, 0x01 };
const uint8_t fix_mac_client[6] = { 0x02, 0, 0, 0, 0x00, 0x02 };

static const struct {
	const char *addr;
	uint8_t mac[6];
	const char *dev;
} fix_rs[] = {
	{ FIX_RS1, { 0x02, 0, 0, 0, 0xaa, 0x11 }, "xvs0" },
	{ FIX_RS2, { 0x02, 0, 0, 0, 0xaa, 0x12 }, "xvs0" },
	{ FIX_RS3, { 0x02, 0, 0, 0, 0xaa, 0x13 }, "xvs0" },
	{ FIX_RS_B, { 0x02, 0, 0, 0, 0xbb, 0x11 }, "xvs1" },
};

const uint8_t *fix_rs_mac(uint32_t addr)
{
	for (size_t i = 0; i < sizeof(fix_rs) / sizeof(fix_rs[0]); i++)
		if (pkt_addr(fix_rs[i].addr) == addr)
			return fix_rs[i].mac;
	return NULL;
}

/* Runs a command line through sh; 0 when it exits 0. */
static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0) {
		printf("# command failed (%d): %s\n", rc, cmd);
		return -EIO;
	}
	return 0;
}

static int write_file(const char *path, const char *val)
{
	FILE *fp = fopen(path, "w");
	int err = 0;

	if (!fp)
		return -errno;
	if (fputs(val, fp) < 0)
		err = -EIO;
	if (fclose(fp))
		err = -errno;
	return err;
}

int fix_set_forwarding(bool on)
{
	return write_file("/proc/sys/net/ipv4/ip_forward", on ? "1" : "0");
}

static int fix_mac_str(char *buf, size_t len, const uint8_t m[6])
{
	return snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
			m[0], m[1], m[2], m[3], m[4], m[5]);
}

static int fix_network(void)
{
	char a[32], b[32], c[32], d[32];
	int err;

	if (unshare(CLONE_NEWNET)) {
		printf("# unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return -errno;
	}
	fix_mac_str(a, sizeof(a), fix_mac_dir_a);
	fix_mac_str(b, sizeof(b), fix_mac_client);
	fix_mac_str(c, sizeof(c), fix_mac_dir_b);
	fix_mac_str(d, sizeof(d), (const uint8_t[6]){ 0x02, 0, 0, 0, 0x01, 0x02 });
	err = sh("ip link set lo up && "
		 "ip link add xvs0 address %s type veth peer name xvs0p address %s && "
		 "ip link add xvs1 address %s mtu %d type veth peer name xvs1p address %s mtu %d && "
		 "ip addr add " FIX_DIR_A "/24 dev xvs0 && ip addr add " FIX_DIR_B "/24 dev xvs1 && "
		 "ip link set xvs0 up && ip link set xvs0p up && "
		 "ip link set xvs1 up && ip link set xvs1p up",
		 a, b, c, FIX_MTU_B, d, FIX_MTU_B);
	for (size_t i = 0; !err && i < sizeof(fix_rs) / sizeof(fix_rs[0]); i++) {
		fix_mac_str(a, sizeof(a), fix_rs[i].mac);
		err = sh("ip neigh replace %s lladdr %s dev %s nud permanent",
			 fix_rs[i].addr, a, fix_rs[i].dev);
	}
	/* NAT and FULLNAT replies go back to the client by fib lookup; the
	 * local addresses live on the director, as an operator configures
	 * them (ipvsadm/DPVS laddr on the interface toward the servers). */
	if (!err)
		err = sh("ip neigh replace " FIX_CLIENT " lladdr %s dev xvs0 nud permanent && "
			 "ip addr add " FIX_LIP1 "/32 dev xvs0 && "
			 "ip addr add " FIX_LIP2 "/32 dev xvs0", b);
	if (!err)
		err = fix_set_forwarding(true);
	return err;
}

/* ---- fixture: data plane -------------------------------------------- */

static const uint32_t ipvs_timeouts_s[XVS_CS_MAX] = {
	[XVS_CS_NONE] = 2,		[XVS_CS_ESTABLISHED] = 900,
	[XVS_CS_SYN_SENT] = 120,	[XVS_CS_SYN_RECV] = 60,
	[XVS_CS_FIN_WAIT] = 120,	[XVS_CS_TIME_WAIT] = 120,
	[XVS_CS_CLOSE] = 10,		[XVS_CS_CLOSE_WAIT] = 60,
	[XVS_CS_LAST_ACK] = 30,		[XVS_CS_LISTEN] = 120,
	[XVS_CS_SYNACK] = 120,		[XVS_CS_UDP] = 300,
};

#define FIX_CONN_MAX 4096

/* Tables shrunk for the tests: loading the full-size maps (tens of MB of
 * per-CPU arrays) costs a quarter of a second per fixture. The data plane
 * does not depend on the sizes; tests/unit/test_abi.c checks the real
 * ones and fix_setup_full() loads them. */
static int fix_shrink_maps(struct xvs_dp *skel)
{
	struct bpf_map *small[] = {
		skel->maps.xvs_svcs, skel->maps.xvs_svc_info, skel->maps.xvs_dests,
		skel->maps.xvs_vips, skel->maps.xvs_svc_stats, skel->maps.xvs_dest_stats,
		skel->maps.xvs_dest_conns, skel->maps.xvs_svc_est, skel->maps.xvs_dest_est,
	};
	int err = bpf_map__set_max_entries(skel->maps.xvs_ring, 1024);

	for (size_t i = 0; !err && i < sizeof(small) / sizeof(small[0]); i++)
		err = bpf_map__set_max_entries(small[i], 64);
	return err;
}

/* Packet tests run with the periodic sweep off (a sweep on the first
 * packet would change what the packet itself finds) and the housekeeping
 * clocks started now; fix_maint() runs it when a test wants it. */
static int fix_write_cfg(struct pkt_fixture *f, uint32_t conn_max)
{
	struct xvs_cfg cfg = {
		.abi_version = XVS_ABI_VERSION, .conn_max = conn_max,
		.maint_interval_ms = UINT32_MAX,
	};
	uint64_t now = fix_now_ns();
	struct xvs_maint m = { .sweep_last_ns = now, .est_last_ns = now, .locality_last_ns = now };
	uint32_t zero = 0;
	int err;

	memcpy(cfg.timeout_s, ipvs_timeouts_s, sizeof(cfg.timeout_s));
	err = bpf_map__update_elem(f->skel->maps.xvs_cfg, &zero, sizeof(zero),
				   &cfg, sizeof(cfg), BPF_ANY);
	if (!err)
		err = bpf_map__update_elem(f->skel->maps.xvs_maint, &zero, sizeof(zero),
					   &m, sizeof(m), BPF_ANY);
	return err;
}

int fix_maint_get(struct pkt_fixture *f, struct xvs_maint *m)
{
	uint32_t zero = 0;

	return bpf_map__lookup_elem(f->skel->maps.xvs_maint, &zero, sizeof(zero), m,
				    sizeof(*m), 0);
}

int fix_maint_put(struct pkt_fixture *f, const struct xvs_maint *m)
{
	uint32_t zero = 0;

	return bpf_map__update_elem(f->skel->maps.xvs_maint, &zero, sizeof(zero), m,
				    sizeof(*m), BPF_ANY);
}

int fix_maint(struct pkt_fixture *f, enum pkt_hook hook)
{
	struct xvs_maint_req rq = { .op = XVS_MAINT_OP_SWEEP };

	return fix_maint_req(f, hook, &rq);
}

int fix_maint_req(struct pkt_fixture *f, enum pkt_hook hook, const struct xvs_maint_req *rq)
{
	struct pkt_run_opts lo = { .ifindex = 1 };	/* the loopback device */
	struct pkt_l2 l2 = { 0 };
	uint8_t in[64], out[PKT_MAX];
	size_t len = pkt_build_eth(in, &l2, XVS_ETH_P_MAINT, rq, sizeof(*rq)), out_len;
	int ret, err;

	err = fix_run(f, hook, in, len, out, &out_len, &ret, &lo, NULL);
	if (!err && ret != fix_verdict_code(hook, V_PASS))
		err = -EPROTO;
	return err;
}

int fix_cfg_get(struct pkt_fixture *f, struct xvs_cfg *out)
{
	uint32_t zero = 0;

	return bpf_map__lookup_elem(f->skel->maps.xvs_cfg, &zero, sizeof(zero), out,
				    sizeof(*out), 0);
}

int fix_cfg_put(struct pkt_fixture *f, const struct xvs_cfg *cfg)
{
	uint32_t zero = 0;

	return bpf_map__update_elem(f->skel->maps.xvs_cfg, &zero, sizeof(zero), cfg,
				    sizeof(*cfg), BPF_ANY);
}

int fix_est(struct pkt_fixture *f, bool dest, uint32_t idx, struct xvs_est *out)
{
	struct bpf_map *m = dest ? f->skel->maps.xvs_dest_est : f->skel->maps.xvs_svc_est;

	return bpf_map__lookup_elem(m, &idx, sizeof(idx), out, sizeof(*out), 0);
}

int fix_locality(struct pkt_fixture *f, uint32_t svc_idx, uint32_t daddr, struct xvs_locality *out)
{
	struct xvs_locality_key k = { .svc_idx = svc_idx, .daddr = daddr };

	return bpf_map__lookup_elem(f->skel->maps.xvs_locality, &k, sizeof(k), out,
				    sizeof(*out), 0);
}

int fix_locality_put(struct pkt_fixture *f, uint32_t svc_idx, uint32_t daddr,
		     const struct xvs_locality *l)
{
	struct xvs_locality_key k = { .svc_idx = svc_idx, .daddr = daddr };

	return bpf_map__update_elem(f->skel->maps.xvs_locality, &k, sizeof(k), l, sizeof(*l),
				    BPF_ANY);
}

int fix_dest_conns(struct pkt_fixture *f, uint32_t dest_idx, struct xvs_dest_conns *out)
{
	return bpf_map__lookup_elem(f->skel->maps.xvs_dest_conns, &dest_idx, sizeof(dest_idx),
				    out, sizeof(*out), 0);
}

int fix_dest_conns_put(struct pkt_fixture *f, uint32_t dest_idx, const struct xvs_dest_conns *n)
{
	return bpf_map__update_elem(f->skel->maps.xvs_dest_conns, &dest_idx, sizeof(dest_idx),
				    n, sizeof(*n), BPF_ANY);
}

static int fix_load(struct pkt_fixture *f, bool full_size, uint32_t conn_max);

/* Maps of ABI v3, found by name so the harness builds against a data
 * plane that does not define them yet (the tests that need them fail). */
static struct bpf_map *conns_out_map(struct pkt_fixture *f)
{
	return bpf_object__find_map_by_name(f->skel->obj, XVS_MAP_CONNS_OUT);
}

static struct bpf_map *laddrs_map(struct pkt_fixture *f)
{
	return bpf_object__find_map_by_name(f->skel->obj, XVS_MAP_LADDRS);
}

int fix_set_timeout(struct pkt_fixture *f, enum xvs_conn_state state, uint32_t seconds)
{
	struct xvs_cfg cfg;
	uint32_t zero = 0;
	int err;

	err = bpf_map__lookup_elem(f->skel->maps.xvs_cfg, &zero, sizeof(zero),
				   &cfg, sizeof(cfg), 0);
	if (err)
		return err;
	cfg.timeout_s[state] = seconds;
	return bpf_map__update_elem(f->skel->maps.xvs_cfg, &zero, sizeof(zero),
				    &cfg, sizeof(cfg), BPF_ANY);
}

int fix_setup(struct pkt_fixture *f)
{
	return fix_load(f, false, FIX_CONN_MAX);
}

int fix_setup_full(struct pkt_fixture *f)
{
	return fix_load(f, true, FIX_CONN_MAX);
}

static int fix_load(struct pkt_fixture *f, bool full_size, uint32_t conn_max)
{
	static bool network_ready;
	int err;

	memset(f, 0, sizeof(*f));
	if (!network_ready) {
		err = fix_network();
		if (err)
			return err;
		network_ready = true;
	}
	f->ifindex_a = if_nametoindex("xvs0");
	f->ifindex_b = if_nametoindex("xvs1");
	f->ncpus = libbpf_num_possible_cpus();
	if (!f->ifindex_a || !f->ifindex_b || f->ncpus <= 0)
		return -ENODEV;
	f->skel = xvs_dp__open();
	if (!f->skel)
		return -errno;
	err = bpf_map__set_max_entries(f->skel->maps.xvs_conns, conn_max);
	/* the reverse table has the forward one's capacity (abi.h) */
	if (!err && conns_out_map(f))
		err = bpf_map__set_max_entries(conns_out_map(f), conn_max);
	if (!err && !full_size)
		err = fix_shrink_maps(f->skel);
	if (!err)
		err = xvs_dp__load(f->skel);
	if (!err)
		err = fix_write_cfg(f, conn_max);
	if (err) {
		printf("# loading xvs_dp: %s\n", strerror(-err));
		fix_teardown(f);
	}
	return err;
}

void fix_teardown(struct pkt_fixture *f)
{
	xvs_dp__destroy(f->skel);
	f->skel = NULL;
}

int fix_dest(struct pkt_fixture *f, uint32_t dest_idx, uint32_t svc_idx, const char *addr,
	     uint16_t port, enum xvs_fwd fwd, uint32_t weight)
{
	struct xvs_dest d = {
		.addr = pkt_addr(addr),
		.port = htons(port),
		.fwd = fwd,
		.flags = XVS_DEST_F_IN_USE,
		.svc_idx = svc_idx,
		.weight = weight,
		.tun_saddr = pkt_addr(pkt_addr(addr) == pkt_addr(FIX_RS_B) ? FIX_DIR_B : FIX_DIR_A),
		.seq = dest_idx,
	};

	return bpf_map__update_elem(f->skel->maps.xvs_dests, &dest_idx, sizeof(dest_idx),
				    &d, sizeof(d), BPF_ANY);
}

int fix_dest_tun_saddr(struct pkt_fixture *f, uint32_t dest_idx, uint32_t saddr)
{
	struct xvs_dest d;
	int err;

	err = bpf_map__lookup_elem(f->skel->maps.xvs_dests, &dest_idx, sizeof(dest_idx),
				   &d, sizeof(d), 0);
	if (err)
		return err;
	d.tun_saddr = saddr;
	return bpf_map__update_elem(f->skel->maps.xvs_dests, &dest_idx, sizeof(dest_idx),
				    &d, sizeof(d), BPF_ANY);
}

int fix_dest_del(struct pkt_fixture *f, uint32_t dest_idx)
{
	struct xvs_dest d = {};

	return bpf_map__update_elem(f->skel->maps.xvs_dests, &dest_idx, sizeof(dest_idx),
				    &d, sizeof(d), BPF_ANY);
}

int fix_svc_ring(struct pkt_fixture *f, uint32_t svc_idx, uint32_t ring_off,
		 const uint32_t *ring, uint32_t ring_len)
{
	struct xvs_svc s;
	int err;

	err = bpf_map__lookup_elem(f->skel->maps.xvs_svc_info, &svc_idx, sizeof(svc_idx),
				   &s, sizeof(s), 0);
	for (uint32_t i = 0; !err && i < ring_len; i++) {
		uint32_t slot = ring_off + i;

		err = bpf_map__update_elem(f->skel->maps.xvs_ring, &slot, sizeof(slot),
					   &ring[i], sizeof(ring[i]), BPF_ANY);
	}
	if (err)
		return err;
	s.ring_off = ring_off;
	s.ring_len = ring_len;
	return bpf_map__update_elem(f->skel->maps.xvs_svc_info, &svc_idx, sizeof(svc_idx),
				    &s, sizeof(s), BPF_ANY);
}

int fix_svc_put(struct pkt_fixture *f, uint32_t svc_idx, const struct xvs_svc *v)
{
	return bpf_map__update_elem(f->skel->maps.xvs_svc_info, &svc_idx, sizeof(svc_idx),
				    v, sizeof(*v), BPF_ANY);
}

int fix_dest_get(struct pkt_fixture *f, uint32_t dest_idx, struct xvs_dest *out)
{
	return bpf_map__lookup_elem(f->skel->maps.xvs_dests, &dest_idx, sizeof(dest_idx),
				    out, sizeof(*out), 0);
}

int fix_dest_put(struct pkt_fixture *f, uint32_t dest_idx, const struct xvs_dest *d)
{
	return bpf_map__update_elem(f->skel->maps.xvs_dests, &dest_idx, sizeof(dest_idx),
				    d, sizeof(*d), BPF_ANY);
}

int fix_svc_fwmark(struct pkt_fixture *f, uint32_t svc_idx, uint32_t mark, uint32_t ring_off,
		   const uint32_t *ring, uint32_t ring_len)
{
	struct xvs_svc s = {
		.key = { .addr = htonl(mark), .kind = XVS_SVC_KEY_FWMARK },
		.flags = XVS_SVC_F_IN_USE,
		.pick = XVS_PICK_RING_CURSOR,
		.seq = svc_idx,
		.fwmark = mark,
	};
	int err;

	strcpy(s.sched_name, "rr");
	err = bpf_map__update_elem(f->skel->maps.xvs_svc_info, &svc_idx, sizeof(svc_idx),
				   &s, sizeof(s), BPF_ANY);
	if (!err)
		err = fix_svc_ring(f, svc_idx, ring_off, ring, ring_len);
	if (!err)
		err = bpf_map__update_elem(f->skel->maps.xvs_svcs, &s.key, sizeof(s.key),
					   &svc_idx, sizeof(svc_idx), BPF_NOEXIST);
	return err;
}

int fix_mark_set(struct pkt_fixture *f, uint8_t proto, const char *addr, uint8_t prefix_len,
		 const struct xvs_mark_set *set)
{
	struct xvs_mark_lpm_key k = {
		.prefixlen = 32 + prefix_len, .proto = proto, .daddr = pkt_addr(addr),
	};
	struct xvs_cfg cfg;
	uint32_t zero = 0;
	int err;

	err = bpf_map__update_elem(f->skel->maps.xvs_mark_lpm, &k, sizeof(k), set, sizeof(*set),
				   BPF_ANY);
	if (!err)
		err = bpf_map__lookup_elem(f->skel->maps.xvs_cfg, &zero, sizeof(zero), &cfg,
					   sizeof(cfg), 0);
	if (err)
		return err;
	cfg.mark_rules += set->n_own;
	return bpf_map__update_elem(f->skel->maps.xvs_cfg, &zero, sizeof(zero), &cfg,
				    sizeof(cfg), BPF_ANY);
}

int fix_svc_get(struct pkt_fixture *f, uint32_t svc_idx, struct xvs_svc *out)
{
	return bpf_map__lookup_elem(f->skel->maps.xvs_svc_info, &svc_idx, sizeof(svc_idx),
				    out, sizeof(*out), 0);
}

static int fix_vip_ref(struct pkt_fixture *f, uint32_t vip)
{
	uint32_t n = 0;

	bpf_map__lookup_elem(f->skel->maps.xvs_vips, &vip, sizeof(vip), &n, sizeof(n), 0);
	n++;
	return bpf_map__update_elem(f->skel->maps.xvs_vips, &vip, sizeof(vip), &n, sizeof(n),
				    BPF_ANY);
}

int fix_svc(struct pkt_fixture *f, uint32_t svc_idx, uint8_t proto, const char *vip,
	    uint16_t port, uint32_t ring_off, const uint32_t *ring, uint32_t ring_len)
{
	struct xvs_svc s = {
		.key = { .addr = pkt_addr(vip), .port = htons(port), .proto = proto },
		.flags = XVS_SVC_F_IN_USE,
		.pick = XVS_PICK_RING_CURSOR,
		.seq = svc_idx,
	};
	int err;

	strcpy(s.sched_name, "rr");
	err = bpf_map__update_elem(f->skel->maps.xvs_svc_info, &svc_idx, sizeof(svc_idx),
				   &s, sizeof(s), BPF_ANY);
	if (!err)
		err = fix_svc_ring(f, svc_idx, ring_off, ring, ring_len);
	if (!err)
		err = bpf_map__update_elem(f->skel->maps.xvs_svcs, &s.key, sizeof(s.key),
					   &svc_idx, sizeof(svc_idx), BPF_NOEXIST);
	if (!err)
		err = fix_vip_ref(f, s.key.addr);
	return err;
}

uint64_t fix_counter(struct pkt_fixture *f, enum xvs_counter c)
{
	uint64_t vals[f->ncpus], sum = 0;
	uint32_t key = c;

	if (bpf_map__lookup_elem(f->skel->maps.xvs_counters, &key, sizeof(key),
				 vals, sizeof(vals), 0))
		return UINT64_MAX;
	for (int i = 0; i < f->ncpus; i++)
		sum += vals[i];
	return sum;
}

static int fix_stats(struct pkt_fixture *f, struct bpf_map *map, uint32_t idx,
		     struct xvs_stats *out)
{
	struct xvs_stats vals[f->ncpus];
	int err;

	memset(out, 0, sizeof(*out));
	err = bpf_map__lookup_elem(map, &idx, sizeof(idx), vals, sizeof(vals), 0);
	for (int i = 0; !err && i < f->ncpus; i++) {
		out->conns += vals[i].conns;
		out->inpkts += vals[i].inpkts;
		out->outpkts += vals[i].outpkts;
		out->inbytes += vals[i].inbytes;
		out->outbytes += vals[i].outbytes;
	}
	return err;
}

int fix_svc_stats(struct pkt_fixture *f, uint32_t svc_idx, struct xvs_stats *out)
{
	return fix_stats(f, f->skel->maps.xvs_svc_stats, svc_idx, out);
}

int fix_dest_stats(struct pkt_fixture *f, uint32_t dest_idx, struct xvs_stats *out)
{
	return fix_stats(f, f->skel->maps.xvs_dest_stats, dest_idx, out);
}

static const char *const counter_names[XVS_CNT_MAX] = {
	"RX", "PASS_NOT_IP", "PASS_NOT_L4", "PASS_NO_SVC", "PASS_MALFORMED",
	"PASS_NO_CONN", "DROP_FRAGMENT", "DROP_NO_DEST", "DROP_NO_ROUTE",
	"DROP_NO_NEIGH", "DROP_TOO_BIG", "DROP_ENCAP", "DROP_UNSUPPORTED",
	"ICMP_FRAG_NEEDED", "FWD_DR", "FWD_TUN", "CONN_NEW", "CONN_RESCHED",
	"FWD_NAT", "FWD_FNAT", "REPLY_NAT", "REPLY_FNAT", "ICMP_IN", "ICMP_OUT",
	"TOA_ADDED", "TOA_NO_ROOM", "DROP_NO_LPORT", "DROP_NO_LADDR",
	"CONN_TABLE_FULL", "CONN_EXPIRED", "PERSIST_NEW", "PERSIST_HIT", "MAINT_SWEEPS",
};

void fix_expect_counters(struct pkt_fixture *f, const uint64_t want[XVS_CNT_MAX])
{
	for (int c = 0; c < XVS_CNT_MAX; c++) {
		uint64_t got = fix_counter(f, c);

		if (got != want[c])
			test_fail(__FILE__, __LINE__, "counter %s is %llu, expected %llu",
				  counter_names[c], (unsigned long long)got,
				  (unsigned long long)want[c]);
	}
}

int fix_conn_get(struct pkt_fixture *f, const struct xvs_conn_key *k, struct xvs_conn *c)
{
	return bpf_map__lookup_elem(f->skel->maps.xvs_conns, k, sizeof(*k), c, sizeof(*c), 0);
}

int fix_conn_put(struct pkt_fixture *f, const struct xvs_conn_key *k, const struct xvs_conn *c)
{
	return bpf_map__update_elem(f->skel->maps.xvs_conns, k, sizeof(*k), c, sizeof(*c),
				    BPF_ANY);
}

int fix_conn_del(struct pkt_fixture *f, const struct xvs_conn_key *k)
{
	return bpf_map__delete_elem(f->skel->maps.xvs_conns, k, sizeof(*k), 0);
}

int fix_conn_out_get(struct pkt_fixture *f, const struct xvs_conn_key *k,
		     struct xvs_conn_key *fwd)
{
	struct bpf_map *m = conns_out_map(f);

	if (!m)
		return -ENOENT;
	return bpf_map__lookup_elem(m, k, sizeof(*k), fwd, sizeof(*fwd), 0);
}

int fix_conn_out_put(struct pkt_fixture *f, const struct xvs_conn_key *k,
		     const struct xvs_conn_key *fwd)
{
	struct bpf_map *m = conns_out_map(f);

	if (!m)
		return -ENOENT;
	return bpf_map__update_elem(m, k, sizeof(*k), fwd, sizeof(*fwd), BPF_ANY);
}

int fix_conn_out_del(struct pkt_fixture *f, const struct xvs_conn_key *k)
{
	struct bpf_map *m = conns_out_map(f);

	if (!m)
		return -ENOENT;
	return bpf_map__delete_elem(m, k, sizeof(*k), 0);
}

static long map_count(struct bpf_map *m)
{
	struct xvs_conn_key k, next;
	long n = 0;
	int err;

	if (!m)
		return -ENOENT;
	err = bpf_map__get_next_key(m, NULL, &next, sizeof(next));
	while (!err) {
		n++;
		k = next;
		err = bpf_map__get_next_key(m, &k, &next, sizeof(next));
	}
	return err == -ENOENT ? n : err;
}

long fix_conn_count(struct pkt_fixture *f)
{
	return map_count(f->skel->maps.xvs_conns);
}

long fix_conn_out_count(struct pkt_fixture *f)
{
	return map_count(conns_out_map(f));
}

struct xvs_conn_key fix_key(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport,
			    uint8_t proto)
{
	struct xvs_conn_key k = {
		.saddr = saddr,
		.daddr = daddr,
		.sport = htons(sport),
		.dport = htons(dport),
		.proto = proto,
	};

	return k;
}

int fix_laddrs(struct pkt_fixture *f, uint32_t svc_idx, const uint32_t *addrs, uint32_t n)
{
	struct bpf_map *m = laddrs_map(f);
	struct xvs_laddr_set set = { .count = n };

	if (!m)
		return -ENOENT;
	if (n > XVS_LADDR_MAX)
		return -EINVAL;
	for (uint32_t i = 0; i < n; i++) {
		set.addr[i] = addrs[i];
		set.ifindex[i] = f->ifindex_a;
	}
	return bpf_map__update_elem(m, &svc_idx, sizeof(svc_idx), &set, sizeof(set), BPF_ANY);
}

int fix_laddrs_get(struct pkt_fixture *f, uint32_t svc_idx, struct xvs_laddr_set *out)
{
	struct bpf_map *m = laddrs_map(f);

	if (!m)
		return -ENOENT;
	return bpf_map__lookup_elem(m, &svc_idx, sizeof(svc_idx), out, sizeof(*out), 0);
}

int fix_lport_range(struct pkt_fixture *f, uint16_t min, uint16_t max)
{
	struct xvs_cfg cfg;
	uint32_t zero = 0;
	int err;

	err = bpf_map__lookup_elem(f->skel->maps.xvs_cfg, &zero, sizeof(zero),
				   &cfg, sizeof(cfg), 0);
	if (err)
		return err;
	cfg.lport_min = min;
	cfg.lport_max = max;
	return bpf_map__update_elem(f->skel->maps.xvs_cfg, &zero, sizeof(zero),
				    &cfg, sizeof(cfg), BPF_ANY);
}

struct xvs_conn_key fix_conn_key(const struct pkt_spec *s)
{
	struct xvs_conn_key k = {
		.saddr = s->ip.saddr,
		.daddr = s->ip.daddr,
		.sport = htons(s->l4.sport),
		.dport = htons(s->l4.dport),
		.proto = s->ip.proto,
	};

	return k;
}

uint64_t fix_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int fix_run(struct pkt_fixture *f, enum pkt_hook hook, const void *in, size_t in_len,
	    void *out, size_t *out_len, int *retval, const struct pkt_run_opts *opts,
	    uint32_t *duration_ns)
{
	uint32_t ifindex = opts && opts->ifindex ? opts->ifindex : (uint32_t)f->ifindex_a;
	struct xdp_md xdp_ctx = {
		.data_end = in_len,
		.ingress_ifindex = ifindex,
	};
	struct __sk_buff skb_ctx = {
		.ifindex = ifindex,
		.ingress_ifindex = ifindex,
		.gso_segs = opts ? opts->gso_segs : 0,
		.gso_size = opts ? opts->gso_size : 0,
		.mark = opts ? opts->mark : 0,
	};
	LIBBPF_OPTS(bpf_test_run_opts, t,
		.data_in = in,
		.data_size_in = in_len,
		.data_out = out,
		.data_size_out = PKT_MAX,
		.repeat = opts ? opts->repeat : 0,
	);
	struct bpf_program *prog;
	int err;

	if (hook == PKT_XDP) {
		prog = f->skel->progs.xvs_xdp;
		t.ctx_in = &xdp_ctx;
		t.ctx_size_in = sizeof(xdp_ctx);
	} else {
		prog = f->skel->progs.xvs_tc;
		t.ctx_in = &skb_ctx;
		t.ctx_size_in = sizeof(skb_ctx);
	}
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &t);
	if (err) {
		err = -errno;
		printf("# %s test run: %s\n", fix_hook_name(hook), strerror(errno));
		return err;
	}
	*out_len = t.data_size_out;
	*retval = t.retval;
	if (duration_ns)
		*duration_ns = t.duration;
	return 0;
}

int fix_verdict_code(enum pkt_hook hook, enum pkt_verdict v)
{
	static const int xdp[] = {
		[V_PASS] = XDP_PASS, [V_DROP] = XDP_DROP,
		[V_TX] = XDP_TX, [V_REDIRECT] = XDP_REDIRECT,
	};
	static const int tc[] = {
		[V_PASS] = TC_ACT_OK, [V_DROP] = TC_ACT_SHOT,
		[V_TX] = TC_ACT_REDIRECT, [V_REDIRECT] = TC_ACT_REDIRECT,
	};

	return hook == PKT_XDP ? xdp[v] : tc[v];
}

const char *fix_hook_name(enum pkt_hook hook)
{
	return hook == PKT_XDP ? "xdp" : "tc";
}

bool fix_expect_run(struct pkt_fixture *f, enum pkt_hook hook, const void *in, size_t in_len,
		    enum pkt_verdict v, const void *want, size_t want_len)
{
	uint8_t out[PKT_MAX];
	size_t out_len = 0;
	int retval = -1, failures = test_case_failures;
	char what[64];

	if (fix_run(f, hook, in, in_len, out, &out_len, &retval, NULL, NULL)) {
		test_fail(__FILE__, __LINE__, "%s: test run failed", fix_hook_name(hook));
		return false;
	}
	if (retval != fix_verdict_code(hook, v))
		test_fail(__FILE__, __LINE__, "%s: return code %d, expected %d",
			  fix_hook_name(hook), retval, fix_verdict_code(hook, v));
	snprintf(what, sizeof(what), "%s output", fix_hook_name(hook));
	if (want)
		test_bytes_equal(what, out, out_len, want, want_len);
	return failures == test_case_failures;
}

bool fix_expect_spec(struct pkt_fixture *f, enum pkt_hook hook, const struct pkt_spec *in,
		     enum pkt_verdict v, const struct pkt_spec *want)
{
	uint8_t in_buf[PKT_MAX], want_buf[PKT_MAX];
	size_t in_len = pkt_build(in_buf, in), want_len = 0;

	if (want)
		want_len = pkt_build(want_buf, want);
	else if (v != V_DROP)
		want_len = pkt_build(want_buf, in);
	return fix_expect_run(f, hook, in_buf, in_len, v,
			      want || v != V_DROP ? want_buf : NULL, want_len);
}

int fix_run_spec(struct pkt_fixture *f, enum pkt_hook hook, const struct pkt_spec *in,
		 enum pkt_verdict v, uint8_t *out, size_t *out_len)
{
	uint8_t in_buf[PKT_MAX];
	size_t in_len = pkt_build(in_buf, in);
	int retval = -1, err;

	err = fix_run(f, hook, in_buf, in_len, out, out_len, &retval, NULL, NULL);
	if (err) {
		test_fail(__FILE__, __LINE__, "%s: test run failed", fix_hook_name(hook));
		return err;
	}
	if (retval != fix_verdict_code(hook, v))
		test_fail(__FILE__, __LINE__, "%s: return code %d, expected %d",
			  fix_hook_name(hook), retval, fix_verdict_code(hook, v));
	return 0;
}

/* ---- standard scene ------------------------------------------------- */

const struct fix_std fix_std[STD_MAX] = {
	[STD_DR_TCP] = { IPPROTO_TCP, FIX_VIP, 80, FIX_RS1, XVS_FWD_DR, 1, 0, NULL },
	[STD_DR_UDP] = { IPPROTO_UDP, FIX_VIP, 53, FIX_RS2, XVS_FWD_DR, 1, 0, NULL },
	[STD_TUN_TCP] = { IPPROTO_TCP, FIX_VIP, 443, FIX_RS1, XVS_FWD_TUN, 1, 0, NULL },
	[STD_TUN_UDP] = { IPPROTO_UDP, FIX_VIP, 4500, FIX_RS2, XVS_FWD_TUN, 1, 0, NULL },
	[STD_DR_LINK_B] = { IPPROTO_TCP, FIX_VIP, 8080, FIX_RS_B, XVS_FWD_DR, 1, 0, NULL },
	[STD_WEIGHT0] = { IPPROTO_TCP, FIX_VIP, 81, FIX_RS1, XVS_FWD_DR, 0, 0, NULL },
	[STD_EMPTY] = { IPPROTO_TCP, FIX_VIP, 82, NULL, XVS_FWD_DR, 1, 0, NULL },
	[STD_NO_NEIGH] = { IPPROTO_TCP, FIX_VIP, 83, FIX_RS_NONEIGH, XVS_FWD_DR, 1, 0, NULL },
	[STD_NO_ROUTE] = { IPPROTO_TCP, FIX_VIP, 84, FIX_RS_NOROUTE, XVS_FWD_DR, 1, 0, NULL },
	[STD_NAT] = { IPPROTO_TCP, FIX_VIP, 85, FIX_RS1, XVS_FWD_NAT, 1, 0, NULL },
	[STD_TUN_LINK_B] = { IPPROTO_TCP, FIX_VIP2, 80, FIX_RS_B, XVS_FWD_TUN, 1, 0, NULL },
	[STD_NAT_MAP] = { IPPROTO_TCP, FIX_VIP, 86, FIX_RS2, XVS_FWD_NAT, 1, 8086, NULL },
	[STD_NAT_UDP] = { IPPROTO_UDP, FIX_VIP, 5300, FIX_RS2, XVS_FWD_NAT, 1, 53, NULL },
	[STD_NAT_LINK_B] = { IPPROTO_TCP, FIX_VIP2, 85, FIX_RS_B, XVS_FWD_NAT, 1, 0, NULL },
	[STD_FNAT_TCP] = { IPPROTO_TCP, FIX_VIP, 87, FIX_RS1, XVS_FWD_FNAT, 1, 8087, FIX_LIP1 },
	[STD_FNAT_UDP] = { IPPROTO_UDP, FIX_VIP, 88, FIX_RS2, XVS_FWD_FNAT, 1, 8088, FIX_LIP1 },
	[STD_FNAT_NO_LADDR] = { IPPROTO_TCP, FIX_VIP, 89, FIX_RS1, XVS_FWD_FNAT, 1, 0, NULL },
};

uint16_t fix_std_rport(enum fix_std_svc svc)
{
	return fix_std[svc].rport ? fix_std[svc].rport : fix_std[svc].port;
}

int fix_std_services(struct pkt_fixture *f)
{
	int err = 0;

	for (uint32_t i = 0; !err && i < STD_MAX; i++) {
		const struct fix_std *s = &fix_std[i];

		uint32_t laddr;

		if (s->rs)
			err = fix_dest(f, i, i, s->rs, fix_std_rport(i), s->fwd, s->weight);
		if (!err)
			err = fix_svc(f, i, s->proto, s->vip, s->port, i, &i, s->rs ? 1 : 0);
		/* a data plane older than ABI v3 has no xvs_laddrs: the
		 * services that need it fail their own tests */
		if (!err && s->laddr) {
			laddr = pkt_addr(s->laddr);
			err = fix_laddrs(f, i, &laddr, 1);
			if (err == -ENOENT)
				err = 0;
		}
	}
	return err;
}

struct pkt_spec fix_client_spec(uint8_t proto, const char *daddr, uint16_t dport,
				uint8_t tcp_flags, size_t payload_len)
{
	struct pkt_spec s = {
		.ip = {
			.saddr = pkt_addr(FIX_CLIENT),
			.daddr = pkt_addr(daddr),
			.tos = 0x10,
			.ttl = 63,
			.proto = proto,
			.id = 0x1234,
			.frag = PKT_DF,
		},
		.l4 = {
			.sport = 40000,
			.dport = dport,
			.flags = tcp_flags,
			.seq = 1000,
			.ack = tcp_flags & PKT_ACK ? 2000 : 0,
			.payload_len = payload_len,
		},
	};

	memcpy(s.l2.dst, fix_mac_dir_a, 6);
	memcpy(s.l2.src, fix_mac_client, 6);
	return s;
}

struct pkt_spec fix_std_spec(enum fix_std_svc svc, uint8_t tcp_flags, size_t payload_len)
{
	return fix_client_spec(fix_std[svc].proto, fix_std[svc].vip, fix_std[svc].port,
			       tcp_flags, payload_len);
}

/* Ethernet header of in, readdressed from the director toward rs. */
struct pkt_l2 fix_l2_toward(const struct pkt_l2 *in, const char *rs)
{
	struct pkt_l2 l2 = *in;
	uint32_t addr = pkt_addr(rs);

	memcpy(l2.dst, fix_rs_mac(addr), 6);
	memcpy(l2.src, addr == pkt_addr(FIX_RS_B) ? fix_mac_dir_b : fix_mac_dir_a, 6);
	return l2;
}

static struct pkt_l2 l2_toward(const struct pkt_spec *in, const char *rs)
{
	return fix_l2_toward(&in->l2, rs);
}

struct pkt_l2 fix_l2_to_client(const struct pkt_l2 *in)
{
	struct pkt_l2 l2 = *in;

	memcpy(l2.dst, fix_mac_client, 6);
	memcpy(l2.src, fix_mac_dir_a, 6);
	return l2;
}

size_t fix_expect_dr(uint8_t *buf, const struct pkt_spec *in, const char *rs)
{
	struct pkt_spec out = *in;

	out.l2 = l2_toward(in, rs);
	return pkt_build(buf, &out);
}

size_t fix_expect_tun(uint8_t *buf, const struct pkt_spec *in, const char *rs)
{
	struct pkt_l2 l2 = l2_toward(in, rs);
	struct pkt_ip outer = {
		.saddr = pkt_addr(pkt_addr(rs) == pkt_addr(FIX_RS_B) ? FIX_DIR_B : FIX_DIR_A),
		.daddr = pkt_addr(rs),
		.tos = in->ip.tos,
		.ttl = 64,
		.proto = IPPROTO_IPIP,
		.id = in->ip.id,
		.frag = in->ip.frag & PKT_DF,
	};
	uint8_t inner[PKT_MAX];
	size_t inner_len = pkt_build_ip(inner, &in->ip, &in->l4);

	return pkt_build_ip_payload(buf, &l2, &outer, inner, inner_len);
}

size_t fix_expect_frag_needed(uint8_t *buf, const struct pkt_spec *in, uint16_t mtu)
{
	struct pkt_l2 l2 = in->l2;
	struct pkt_ip ip = {
		.saddr = in->ip.daddr,
		.daddr = in->ip.saddr,
		.tos = 0xc0,
		.ttl = 64,
		.proto = IPPROTO_ICMP,
	};
	uint8_t inner[PKT_MAX], icmp[128];
	size_t icmp_len;

	memcpy(l2.dst, in->l2.src, 6);
	memcpy(l2.src, in->l2.dst, 6);
	pkt_build_ip(inner, &in->ip, &in->l4);
	icmp_len = pkt_put_icmp_frag_needed(icmp, mtu, inner, 20 + in->ip.opts_len + 8);
	return pkt_build_ip_payload(buf, &l2, &ip, icmp, icmp_len);
}

void fix_each_hook(void (*fn)(struct pkt_fixture *f, enum pkt_hook hook))
{
	for (int h = 0; h < PKT_HOOK_MAX; h++) {
		struct pkt_fixture f;
		int failures = test_case_failures;

		if (fix_setup(&f) || fix_std_services(&f)) {
			test_fail(__FILE__, __LINE__, "fixture setup failed (%s)",
				  fix_hook_name(h));
			fix_teardown(&f);
			return;
		}
		fn(&f, h);
		if (test_case_failures != failures)
			printf("# ^ in the %s program\n", fix_hook_name(h));
		fix_teardown(&f);
	}
}

/* ---- benchmarks ------------------------------------------------------ */

int fix_setup_conns(struct pkt_fixture *f, uint32_t conn_max)
{
	return fix_load(f, true, conn_max);
}

/* ---- NAT, FULLNAT, ICMP errors ---------------------------------------- */

struct pkt_spec fix_nat_spec(const struct pkt_spec *in, const char *rs, uint16_t rport)
{
	struct pkt_spec out = *in;

	out.l2 = l2_toward(in, rs);
	out.ip.daddr = pkt_addr(rs);
	out.l4.dport = rport;
	return out;
}

struct pkt_spec fix_fnat_spec(const struct pkt_spec *in, const char *rs, uint16_t rport,
			      uint32_t laddr, uint16_t lport)
{
	struct pkt_spec out = fix_nat_spec(in, rs, rport);

	out.ip.saddr = laddr;
	out.l4.sport = lport;
	return out;
}

size_t fix_expect_nat(uint8_t *buf, const struct pkt_spec *in, const char *rs, uint16_t rport)
{
	struct pkt_spec out = fix_nat_spec(in, rs, rport);

	return pkt_build(buf, &out);
}

size_t fix_expect_fnat(uint8_t *buf, const struct pkt_spec *in, const char *rs, uint16_t rport,
		       uint32_t laddr, uint16_t lport)
{
	struct pkt_spec out = fix_fnat_spec(in, rs, rport, laddr, lport);

	return pkt_build(buf, &out);
}

struct pkt_spec fix_rs_reply_spec(const struct pkt_spec *rs_in, uint8_t tcp_flags,
				  size_t payload_len)
{
	struct pkt_spec r = {
		.ip = {
			.saddr = rs_in->ip.daddr,
			.daddr = rs_in->ip.saddr,
			.ttl = 64,
			.proto = rs_in->ip.proto,
			.id = 0x4321,
			.frag = PKT_DF,
		},
		.l4 = {
			.sport = rs_in->l4.dport,
			.dport = rs_in->l4.sport,
			.flags = tcp_flags,
			.seq = 7000,
			.ack = tcp_flags & PKT_ACK ? rs_in->l4.seq + 1 : 0,
			.payload_len = payload_len,
		},
	};
	const uint8_t *mac = fix_rs_mac(rs_in->ip.daddr);

	memcpy(r.l2.src, mac ? mac : fix_mac_client, 6);
	memcpy(r.l2.dst, rs_in->ip.daddr == pkt_addr(FIX_RS_B) ? fix_mac_dir_b : fix_mac_dir_a, 6);
	return r;
}

struct pkt_spec fix_reply_to_client_spec(const struct pkt_spec *reply,
					 const struct pkt_spec *client_req)
{
	struct pkt_spec out = *reply;

	out.l2 = fix_l2_to_client(&reply->l2);
	out.ip.saddr = client_req->ip.daddr;
	out.ip.daddr = client_req->ip.saddr;
	out.l4.sport = client_req->l4.dport;
	out.l4.dport = client_req->l4.sport;
	return out;
}

size_t fix_expect_reply(uint8_t *buf, const struct pkt_spec *reply,
			const struct pkt_spec *client_req)
{
	struct pkt_spec out = fix_reply_to_client_spec(reply, client_req);

	return pkt_build(buf, &out);
}

size_t fix_icmp_error(uint8_t *buf, const struct pkt_l2 *l2, const struct pkt_ip *outer,
		      uint8_t type, uint8_t code, uint16_t mtu, const struct pkt_spec *quoted,
		      size_t quote_len)
{
	uint8_t inner[PKT_MAX], icmp[PKT_MAX];
	size_t inner_len = pkt_build_ip(inner, &quoted->ip, &quoted->l4), icmp_len;
	struct pkt_ip ip = *outer;

	if (quote_len > inner_len)
		quote_len = inner_len;
	ip.proto = IPPROTO_ICMP;
	icmp_len = pkt_put_icmp(icmp, type, code, mtu, inner, quote_len);
	return pkt_build_ip_payload(buf, l2, &ip, icmp, icmp_len);
}

size_t fix_expect_tun_ip(uint8_t *buf, const struct pkt_l2 *in_l2, const uint8_t *ip,
			 size_t ip_len, const char *rs)
{
	struct pkt_l2 l2 = fix_l2_toward(in_l2, rs);
	struct pkt_ip outer = {
		.saddr = pkt_addr(pkt_addr(rs) == pkt_addr(FIX_RS_B) ? FIX_DIR_B : FIX_DIR_A),
		.daddr = pkt_addr(rs),
		.tos = ip[1],
		.ttl = 64,
		.proto = IPPROTO_IPIP,
		.id = (uint16_t)(ip[4] << 8 | ip[5]),
		.frag = (uint16_t)(ip[6] << 8) & PKT_DF,
	};

	return pkt_build_ip_payload(buf, &l2, &outer, ip, ip_len);
}
