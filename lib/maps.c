// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Thin helpers over the data plane's maps: names, updates, per-CPU sums and
 * the global configuration element. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "internal.h"

const char *const xvs_map_names[MAP_COUNT] = {
	[MAP_SVCS] = XVS_MAP_SVCS,
	[MAP_SVC_INFO] = XVS_MAP_SVC_INFO,
	[MAP_DESTS] = XVS_MAP_DESTS,
	[MAP_RING] = XVS_MAP_RING,
	[MAP_CONNS] = XVS_MAP_CONNS,
	[MAP_CFG] = XVS_MAP_CFG,
	[MAP_COUNTERS] = XVS_MAP_COUNTERS,
	[MAP_SVC_STATS] = XVS_MAP_SVC_STATS,
	[MAP_DEST_STATS] = XVS_MAP_DEST_STATS,
	[MAP_VIPS] = XVS_MAP_VIPS,
	[MAP_CONNS_OUT] = XVS_MAP_CONNS_OUT,
	[MAP_LADDRS] = XVS_MAP_LADDRS,
	[MAP_DEST_CONNS] = XVS_MAP_DEST_CONNS,
	[MAP_MAINT] = XVS_MAP_MAINT,
	[MAP_SVC_EST] = XVS_MAP_SVC_EST,
	[MAP_DEST_EST] = XVS_MAP_DEST_EST,
	[MAP_LOCALITY] = XVS_MAP_LOCALITY,
	[MAP_MARK_LPM] = XVS_MAP_MARK_LPM,
	[MAP_SCRATCH] = XVS_MAP_SCRATCH,
};

int xvs_map_update(struct xvs *x, enum xvs_map_id m, const void *k, const void *v)
{
	return bpf_map_update_elem(x->map_fd[m], k, v, BPF_ANY) ? -errno : 0;
}

int xvs_map_delete(struct xvs *x, enum xvs_map_id m, const void *k)
{
	if (bpf_map_delete_elem(x->map_fd[m], k) && errno != ENOENT)
		return -errno;
	return 0;
}

/* IPVS's default timeouts (ip_vs_proto_tcp.c / ip_vs_proto_udp.c). */
void xvs_cfg_defaults(struct xvs_cfg *c, uint32_t conn_max)
{
	static const uint32_t timeout_s[XVS_CS_MAX] = {
		[XVS_CS_NONE] = 2,		[XVS_CS_ESTABLISHED] = 15 * 60,
		[XVS_CS_SYN_SENT] = 2 * 60,	[XVS_CS_SYN_RECV] = 60,
		[XVS_CS_FIN_WAIT] = 2 * 60,	[XVS_CS_TIME_WAIT] = 2 * 60,
		[XVS_CS_CLOSE] = 10,		[XVS_CS_CLOSE_WAIT] = 60,
		[XVS_CS_LAST_ACK] = 30,		[XVS_CS_LISTEN] = 2 * 60,
		[XVS_CS_SYNACK] = 2 * 60,	[XVS_CS_UDP] = 5 * 60,
	};

	memset(c, 0, sizeof(*c));
	c->abi_version = XVS_ABI_VERSION;
	c->conn_max = conn_max;
	c->lport_min = XVS_LPORT_MIN_DEFAULT;
	c->lport_max = XVS_LPORT_MAX_DEFAULT;
	memcpy(c->timeout_s, timeout_s, sizeof(timeout_s));
}

int xvs_cfg_write(struct xvs *x)
{
	uint32_t zero = 0;

	return xvs_map_update(x, MAP_CFG, &zero, &x->cfg);
}

int xvs_stats_read(struct xvs *x, enum xvs_map_id m, uint32_t idx, struct xvs_stats *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xvs_stats *per;

	memset(out, 0, sizeof(*out));
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	if (bpf_map_lookup_elem(x->map_fd[m], &idx, per)) {
		free(per);
		return -errno;
	}
	for (int i = 0; i < ncpu; i++) {
		out->conns += per[i].conns;
		out->inpkts += per[i].inpkts;
		out->outpkts += per[i].outpkts;
		out->inbytes += per[i].inbytes;
		out->outbytes += per[i].outbytes;
	}
	free(per);
	return 0;
}

int xvs_stats_zero(struct xvs *x, enum xvs_map_id m, uint32_t idx)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	struct xvs_stats *per;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	if (bpf_map_update_elem(x->map_fd[m], &idx, per, BPF_ANY))
		err = -errno;
	free(per);
	return err;
}

int xvs_map_walk(struct xvs *x, enum xvs_map_id m, size_t key_sz, size_t val_sz,
		 xvs_map_visit_fn visit, void *data)
{
	const uint32_t batch = 4096;
	char *keys = calloc(batch, key_sz), *vals = calloc(batch, val_sz);
	uint64_t in = 0, out = 0;	/* batch token: a u32 bucket or array index */
	bool first = true;
	int err = 0;

	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		uint32_t count = batch;
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		int r = bpf_map_lookup_batch(x->map_fd[m], first ? NULL : &in, &out,
					     keys, vals, &count, &opts);

		if (r && errno != ENOENT) {
			err = -errno;
			break;
		}
		for (uint32_t i = 0; i < count && !err; i++)
			err = visit(keys + i * key_sz, vals + i * val_sz, data);
		if (r || err)	/* ENOENT: that was the last batch */
			break;
		in = out;
		first = false;
	}
out:
	free(keys);
	free(vals);
	return err;
}
