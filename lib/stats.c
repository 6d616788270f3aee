// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Counters, zeroing and timeouts: the global, non-per-service knobs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "internal.h"

static const char *const counter_names[XVS_CNT_MAX] = {
	[XVS_CNT_RX] = "rx",
	[XVS_CNT_PASS_NOT_IP] = "pass_not_ipv4",
	[XVS_CNT_PASS_NOT_L4] = "pass_not_tcp_udp",
	[XVS_CNT_PASS_NO_SVC] = "pass_no_service",
	[XVS_CNT_PASS_MALFORMED] = "pass_malformed",
	[XVS_CNT_PASS_NO_CONN] = "pass_no_connection",
	[XVS_CNT_DROP_FRAGMENT] = "drop_fragment",
	[XVS_CNT_DROP_NO_DEST] = "drop_no_real_server",
	[XVS_CNT_DROP_NO_ROUTE] = "drop_no_route",
	[XVS_CNT_DROP_NO_NEIGH] = "drop_no_neighbour",
	[XVS_CNT_DROP_TOO_BIG] = "drop_too_big",
	[XVS_CNT_DROP_ENCAP] = "drop_encap_failed",
	[XVS_CNT_DROP_UNSUPPORTED] = "drop_unsupported",
	[XVS_CNT_ICMP_FRAG_NEEDED] = "icmp_frag_needed_sent",
	[XVS_CNT_FWD_DR] = "fwd_dr",
	[XVS_CNT_FWD_TUN] = "fwd_tun",
	[XVS_CNT_CONN_NEW] = "conn_new",
	[XVS_CNT_CONN_RESCHED] = "conn_rescheduled",
	[XVS_CNT_FWD_NAT] = "fwd_nat",
	[XVS_CNT_FWD_FNAT] = "fwd_fullnat",
	[XVS_CNT_REPLY_NAT] = "reply_nat",
	[XVS_CNT_REPLY_FNAT] = "reply_fullnat",
	[XVS_CNT_ICMP_IN] = "icmp_error_to_rs",
	[XVS_CNT_ICMP_OUT] = "icmp_error_to_client",
	[XVS_CNT_TOA_ADDED] = "toa_added",
	[XVS_CNT_TOA_NO_ROOM] = "toa_no_room",
	[XVS_CNT_DROP_NO_LPORT] = "drop_no_local_port",
	[XVS_CNT_DROP_NO_LADDR] = "drop_no_local_address",
	[XVS_CNT_CONN_TABLE_FULL] = "conn_table_full",
	[XVS_CNT_CONN_EXPIRED] = "conn_expired",
	[XVS_CNT_PERSIST_NEW] = "persist_template_new",
	[XVS_CNT_PERSIST_HIT] = "persist_template_hit",
	[XVS_CNT_MAINT_SWEEPS] = "conn_sweeps",
};

const char *xvs_counter_name(enum xvs_counter c)
{
	return c < XVS_CNT_MAX && counter_names[c] ? counter_names[c] : "unknown";
}

int xvs_counters_read(struct xvs *x, uint64_t out[XVS_CNT_MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *per;

	memset(out, 0, sizeof(uint64_t) * XVS_CNT_MAX);
	if (!xvs_is_loaded(x))
		return 0;
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	for (uint32_t c = 0; c < XVS_CNT_MAX; c++) {
		if (bpf_map_lookup_elem(x->map_fd[MAP_COUNTERS], &c, per)) {
			int err = -errno;

			free(per);
			return err;
		}
		for (int i = 0; i < ncpu; i++)
			out[c] += per[i];
	}
	free(per);
	return 0;
}

/* IPVS's ip_vs_zero_stats(): the counters and the rates start again. */
static int zero_svc(struct xvs *x, const struct xvs_svc_slot *s)
{
	struct xvs_dest_slot **dests;
	size_t n;
	int err = xvs_stats_zero(x, MAP_SVC_STATS, s->idx);

	if (!err)
		err = xvs_est_restart(x, MAP_SVC_EST, MAP_SVC_STATS, s->idx);
	if (!err)
		err = xvs_model_svc_dests(x, s->idx, &dests, &n);
	if (err)
		return err;
	for (size_t d = 0; d < n && !err; d++) {
		err = xvs_stats_zero(x, MAP_DEST_STATS, dests[d]->idx);
		if (!err)
			err = xvs_est_restart(x, MAP_DEST_EST, MAP_DEST_STATS, dests[d]->idx);
	}
	free(dests);
	return err;
}

int xvs_zero(struct xvs *x, const struct xvs_svc_conf *svc)
{
	struct xvs_svc_key k;
	struct xvs_svc_slot *s;
	int err = 0;

	if (svc) {
		xvs_svc_key_from_conf(&k, svc);
		s = xvs_model_svc_find(x, &k);
		return s ? zero_svc(x, s) : -ESRCH;
	}
	for (size_t i = 0; i < x->n_svcs && !err; i++)
		err = zero_svc(x, &x->svcs[i]);
	return err;
}

int xvs_timeout_get(struct xvs *x, uint32_t *tcp_s, uint32_t *tcpfin_s, uint32_t *udp_s)
{
	struct xvs_cfg def;

	if (!xvs_is_loaded(x)) {
		xvs_cfg_defaults(&def, 0);
		*tcp_s = def.timeout_s[XVS_CS_ESTABLISHED];
		*tcpfin_s = def.timeout_s[XVS_CS_FIN_WAIT];
		*udp_s = def.timeout_s[XVS_CS_UDP];
		return 0;
	}
	*tcp_s = x->cfg.timeout_s[XVS_CS_ESTABLISHED];
	*tcpfin_s = x->cfg.timeout_s[XVS_CS_FIN_WAIT];
	*udp_s = x->cfg.timeout_s[XVS_CS_UDP];
	return 0;
}

/* As IPVS's --set: tcp sets ESTABLISHED, tcpfin sets FIN_WAIT, udp sets UDP. */
int xvs_timeout_set(struct xvs *x, uint32_t tcp_s, uint32_t tcpfin_s, uint32_t udp_s)
{
	struct xvs_cfg old = x->cfg;
	int err;

	err = xvs_dp_ensure(x);
	if (err)
		return err;
	if (tcp_s)
		x->cfg.timeout_s[XVS_CS_ESTABLISHED] = tcp_s;
	if (tcpfin_s)
		x->cfg.timeout_s[XVS_CS_FIN_WAIT] = tcpfin_s;
	if (udp_s)
		x->cfg.timeout_s[XVS_CS_UDP] = udp_s;
	err = xvs_cfg_write(x);
	if (err)
		x->cfg = old;
	return err;
}
