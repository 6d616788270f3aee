// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Ingress attachment of xvs-rs's packet programs (the IPIP decapsulator and
 * the TOA reader): each has a fixed tc clsact slot (handle/priority) and a
 * native XDP variant, and is recognised by its program name, so that down
 * and status find it again without pinning anything; and finding a loaded
 * program's maps by name through its map ids. */
#include <errno.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs.h"

const struct rs_ingress rs_ingress_decap = {
	.what = "decapsulator", .label = "decap", .tc_name = XVS_RS_PROG_TC, .xdp_name = XVS_RS_PROG_XDP,
	.tc_handle = RS_TC_HANDLE, .tc_prio = RS_TC_PRIORITY,
};

const struct rs_ingress rs_ingress_toa = {
	.what = "TOA reader", .label = "toa", .tc_name = XVS_TOA_PROG_TC, .xdp_name = XVS_TOA_PROG_XDP,
	.tc_handle = RS_TOA_TC_HANDLE, .tc_prio = RS_TOA_TC_PRIORITY,
};

/* Which program and hook each attachment kind of the record stands for. */
static const struct {
	const struct rs_ingress *prog;
	enum rs_hook hook;
} change_ingress[RS_CH_MAX] = {
	[RS_CH_TC] = { &rs_ingress_decap, RS_HOOK_TC },
	[RS_CH_XDP] = { &rs_ingress_decap, RS_HOOK_XDP },
	[RS_CH_TOA_TC] = { &rs_ingress_toa, RS_HOOK_TC },
	[RS_CH_TOA_XDP] = { &rs_ingress_toa, RS_HOOK_XDP },
};

const struct rs_ingress *rs_change_ingress(enum rs_change_kind kind, enum rs_hook *hook)
{
	if (kind >= RS_CH_MAX || !change_ingress[kind].prog)
		return NULL;
	*hook = change_ingress[kind].hook;
	return change_ingress[kind].prog;
}

enum rs_change_kind rs_ingress_change_kind(const struct rs_ingress *in, enum rs_hook hook)
{
	for (int k = 0; k < RS_CH_MAX; k++)
		if (change_ingress[k].prog == in && change_ingress[k].hook == hook)
			return k;
	return RS_CH_MAX;
}

static void tc_hook_init(struct bpf_tc_hook *h, int ifindex)
{
	memset(h, 0, sizeof(*h));
	h->sz = sizeof(*h);
	h->ifindex = ifindex;
	h->attach_point = BPF_TC_INGRESS;
}

static void tc_opts_init(const struct rs_ingress *in, struct bpf_tc_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	o->handle = in->tc_handle;
	o->priority = in->tc_prio;
}

bool rs_prog_fd_is(int prog_fd, const char *want)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return false;
	return !strcmp(info.name, want);
}

bool rs_prog_id_is(uint32_t id, const char *want)
{
	int fd = bpf_prog_get_fd_by_id(id);
	bool ours;

	if (fd < 0)
		return false;
	ours = rs_prog_fd_is(fd, want);
	close(fd);
	return ours;
}

int rs_ingress_slot(const struct rs_ingress *in, enum rs_hook hook, int ifindex,
		    uint32_t *prog_id, bool *ours)
{
	*prog_id = 0;
	*ours = false;
	if (hook == RS_HOOK_XDP) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);
		int err = bpf_xdp_query(ifindex, 0, &q);

		if (err)
			return err;
		*prog_id = q.prog_id ? q.prog_id : q.drv_prog_id ? q.drv_prog_id :
			   q.skb_prog_id ? q.skb_prog_id : q.hw_prog_id;
		/* ours only in the mode we use: a generic-mode copy would need
		 * another detach flag */
		*ours = q.drv_prog_id && rs_prog_id_is(q.drv_prog_id, in->xdp_name);
	} else {
		struct bpf_tc_hook h;
		struct bpf_tc_opts o;
		libbpf_print_fn_t saved;
		int err;

		tc_hook_init(&h, ifindex);
		tc_opts_init(in, &o);
		/* an empty slot is an answer, not an error worth libbpf's print */
		saved = libbpf_set_print(NULL);
		err = bpf_tc_query(&h, &o);
		libbpf_set_print(saved);
		if (err)
			return 0;	/* no clsact or no filter at our slot */
		*prog_id = o.prog_id;
		*ours = rs_prog_id_is(o.prog_id, in->tc_name);
	}
	return 0;
}

int rs_ingress_attach(const struct rs_ingress *in, enum rs_hook hook, int ifindex, int prog_fd,
		      bool *created_clsact)
{
	*created_clsact = false;
	if (hook == RS_HOOK_XDP)
		return bpf_xdp_attach(ifindex, prog_fd,
				      XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);

	struct bpf_tc_hook h;
	struct bpf_tc_opts o;
	int err;

	tc_hook_init(&h, ifindex);
	err = bpf_tc_hook_create(&h);
	if (err && err != -EEXIST)
		return err;
	*created_clsact = !err;
	tc_opts_init(in, &o);
	o.prog_fd = prog_fd;
	err = bpf_tc_attach(&h, &o);	/* no BPF_TC_F_REPLACE: never evicts */
	if (err && *created_clsact) {
		h.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&h);
		*created_clsact = false;
	}
	return err;
}

static int xdp_detach_ours(const struct rs_ingress *in, int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	uint32_t id;
	bool ours;
	int err;

	err = rs_ingress_slot(in, RS_HOOK_XDP, ifindex, &id, &ours);
	if (err)
		return err;
	if (!ours)
		return -ENOENT;
	opts.old_prog_fd = bpf_prog_get_fd_by_id(id);
	if (opts.old_prog_fd < 0)
		return -errno;
	/* REPLACE + old fd: the kernel removes it only if it is still ours */
	err = bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE | XDP_FLAGS_REPLACE, &opts);
	close(opts.old_prog_fd);
	return err;
}

int rs_ingress_detach(const struct rs_ingress *in, enum rs_hook hook, int ifindex,
		      bool created_clsact)
{
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;
	size_t left = 0;
	uint32_t id;
	bool ours;
	int err;

	if (hook == RS_HOOK_XDP)
		return xdp_detach_ours(in, ifindex);

	err = rs_ingress_slot(in, hook, ifindex, &id, &ours);
	if (err)
		return err;
	if (!ours)
		return -ENOENT;
	tc_hook_init(&h, ifindex);
	tc_opts_init(in, &o);
	err = bpf_tc_detach(&h, &o);
	if (err)
		return err;
	if (created_clsact && !rs_nl_tc_filter_count(ifindex, &left) && !left) {
		h.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		err = bpf_tc_hook_destroy(&h);
	}
	return err;
}

int rs_prog_maps(int prog_fd, const char *const *names, int *fds, size_t n_names)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info), n, *ids;
	int err = 0;

	for (size_t k = 0; k < n_names; k++)
		fds[k] = -1;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	n = info.nr_map_ids;
	ids = calloc(n ? n : 1, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = n;
	info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	for (__u32 i = 0; i < n && i < info.nr_map_ids; i++) {
		struct bpf_map_info mi = { 0 };
		__u32 mlen = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]);
		bool kept = false;

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &mi, &mlen))
			for (size_t k = 0; k < n_names && !kept; k++)
				if (fds[k] < 0 && !strcmp(mi.name, names[k])) {
					fds[k] = fd;
					kept = true;
				}
		if (!kept)
			close(fd);
	}
	for (size_t k = 0; k < n_names; k++)
		if (fds[k] < 0)
			err = -ENOENT;
out:
	free(ids);
	if (err)
		for (size_t k = 0; k < n_names; k++)
			if (fds[k] >= 0) {
				close(fds[k]);
				fds[k] = -1;
			}
	return err;
}
