// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `xvs-rs status`: what up recorded, checked against what is in place now
 * (VIPs on lo, sysctl values, attached programs, the decapsulator's VIPs and
 * counters, the TOA reader's cgroup programs, connections and counters). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rs.h"

static void print_vips(const struct rs_state *st)
{
	int lo = if_nametoindex("lo");
	char name[INET_ADDRSTRLEN];
	bool present;

	for (size_t i = 0; i < st->n_vips; i++) {
		const struct rs_vip *v = &st->vips[i];

		inet_ntop(AF_INET, &v->addr, name, sizeof(name));
		if (rs_nl_addr_present(lo, v->addr, &present))
			present = false;
		printf("vip %s: %s (%s)\n", name, present ? "on lo" : "MISSING from lo",
		       v->added ? "added by up" : "was already there");
	}
}

static void print_cgroup(const struct rs_change *c)
{
	enum rs_cgroup_hook h;
	bool attached = false;
	int cg;

	cg = rs_cgroup_root_open();
	if (cg >= 0 && !rs_cgroup_hook_parse(c->name, &h) &&
	    rs_toa_cgroup_attached(cg, h, c->prog_id, &attached))
		attached = false;
	if (cg >= 0)
		close(cg);
	if (attached)
		printf("cgroup %s: prog id %u attached\n", c->name, c->prog_id);
	else
		printf("cgroup %s: prog id %u MISSING\n", c->name, c->prog_id);
}

static void print_change(const struct rs_change *c)
{
	const struct rs_ingress *in;
	char dotted[RS_SYSCTL_LEN];
	enum rs_hook hook;
	uint32_t id;
	bool ours;
	int cur;

	switch (c->kind) {
	case RS_CH_SYSCTL:
		snprintf(dotted, sizeof(dotted), "%s", c->name);
		for (char *s = dotted; *s; s++)
			if (*s == '/')
				*s = '.';
		if (rs_sysctl_get(c->name, &cur))
			printf("sysctl %s: gone (was %d)\n", dotted, c->old);
		else
			printf("sysctl %s = %d (was %d)\n", dotted, cur, c->old);
		break;
	case RS_CH_LINK_UP:
		printf("link %s: set up (was down)\n", c->name);
		break;
	case RS_CH_CGROUP:
		print_cgroup(c);
		break;
	default:
		in = rs_change_ingress(c->kind, &hook);
		if (!in)
			break;
		if ((int)if_nametoindex(c->name) != c->ifindex ||
		    rs_ingress_slot(in, hook, c->ifindex, &id, &ours) || !ours)
			printf("%s %s %s: MISSING\n", in->label, rs_hook_name(hook), c->name);
		else
			printf("%s %s %s: prog id %u attached\n", in->label, rs_hook_name(hook),
			       c->name, id);
		break;
	}
}

#define RS_TOA_SHOWN	100	/* connections listed one by one */

/* "toa conn RIP:rport <- LIP:lport client CIP:cport", as the socket sees it. */
static void print_toa_conn(const struct xvs_toa_key *k, const struct xvs_toa_client *c)
{
	char local[INET_ADDRSTRLEN], peer[INET_ADDRSTRLEN], client[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &k->local_addr, local, sizeof(local));
	inet_ntop(AF_INET, &k->peer_addr, peer, sizeof(peer));
	inet_ntop(AF_INET, &c->addr, client, sizeof(client));
	printf("toa conn %s:%u <- %s:%u client %s:%u\n", local, ntohs(k->local_port), peer,
	       ntohs(k->peer_port), client, ntohs(c->port));
}

static void print_toa(const struct rs_state *st)
{
	struct rs_toa t = RS_TOA_INIT;
	uint64_t cnt[XVS_TOA_CNT_MAX];
	size_t n;

	if (rs_toa_open_from_state(&t, st)) {
		printf("toa reader: not attached anywhere\n");
		return;
	}
	if (!rs_toa_entries(&t, XVS_TOA_MAX_CONNS, &n, RS_TOA_SHOWN, print_toa_conn))
		printf("toa connections %zu\n", n);
	if (!rs_toa_counters(&t, cnt))
		for (int k = 0; k < XVS_TOA_CNT_MAX; k++)
			printf("counter %s %llu\n", rs_toa_counter_names[k],
			       (unsigned long long)cnt[k]);
	rs_toa_close(&t);
}

static void print_decap(const struct rs_state *st)
{
	struct rs_decap d = RS_DECAP_INIT;
	uint32_t vips[XVS_RS_MAX_VIPS];
	uint64_t cnt[XVS_RS_CNT_MAX];
	char name[INET_ADDRSTRLEN];
	size_t n;

	if (rs_decap_open_from_state(&d, st)) {
		printf("decapsulator: not attached anywhere\n");
		return;
	}
	printf("decapsulator VIPs:");
	if (!rs_decap_vips(&d, vips, XVS_RS_MAX_VIPS, &n))
		for (size_t i = 0; i < n; i++) {
			inet_ntop(AF_INET, &vips[i], name, sizeof(name));
			printf(" %s", name);
		}
	putchar('\n');
	if (!rs_decap_counters(&d, cnt))
		for (int k = 0; k < XVS_RS_CNT_MAX; k++)
			printf("counter %s %llu\n", rs_counter_names[k], (unsigned long long)cnt[k]);
	rs_decap_close(&d);
}

int rs_cmd_status(const struct rs_opts *o)
{
	static struct rs_state st;
	char path[128];
	int err;

	(void)o;
	err = rs_state_load(&st);
	if (err == -ENOENT) {
		printf("xvs-rs: nothing in place: 'xvs-rs up' has not prepared this network namespace\n");
		return RS_EXIT_OK;
	}
	if (err) {
		rs_err("cannot read the state file: %s", strerror(-err));
		return RS_EXIT_FAIL;
	}
	if (!rs_state_path(path, sizeof(path)))
		printf("state %s\n", path);
	printf("mode %s\n", rs_mode_name(st.mode));
	if (st.mode == RS_MODE_TUN)
		printf("decapsulation %s\n", rs_hook_name(st.hook));
	if (st.mode == RS_MODE_FULLNAT)
		printf("toa reader %s\n", rs_hook_name(st.hook));
	print_vips(&st);
	for (size_t i = 0; i < st.n_changes; i++)
		print_change(&st.changes[i]);
	if (st.mode == RS_MODE_FULLNAT)
		print_toa(&st);
	else if (st.hook == RS_HOOK_TC || st.hook == RS_HOOK_XDP)
		print_decap(&st);
	return RS_EXIT_OK;
}
