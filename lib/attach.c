// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Attaching the data plane to interfaces, per hook, and finding it there.
 *
 * Choice under XVS_HOOK_AUTO: native XDP on drivers whose native XDP
 * redirect and TX are solid; tc clsact ingress everywhere else, veth and
 * bridges included. On veth, native XDP_TX/REDIRECT drops frames unless the
 * receiving peer runs an XDP program, and loses the CHECKSUM_PARTIAL state of
 * locally generated packets (the receiver then drops them as bad checksums);
 * tc keeps the skb metadata and needs nothing from the peers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "internal.h"
#include "hooks.h"

/* tc filter identity of our program on an interface's clsact ingress. */
#define XVS_TC_HANDLE	0x5856		/* "XV" */
#define XVS_TC_PRIO	0x5856

/* Drivers whose native XDP (including XDP_TX and XDP_REDIRECT to other
 * ports) is mature; one line per driver. */
static const char *const native_xdp_drivers[] = {
	"mlx5_core", "mlx4_en", "i40e", "ice", "ixgbe", "igb", "igc", "bnxt_en",
	"ena", "nfp", "qede", "gve", "virtio_net", "tun", "atlantic", "stmmac",
};

enum xvs_hook xvs_hook_auto_for(const struct xvs_iface *ifc)
{
	for (size_t i = 0; i < XVS_ARRAY_SIZE(native_xdp_drivers); i++)
		if (!strcmp(ifc->driver, native_xdp_drivers[i]))
			return XVS_HOOK_XDP;
	return XVS_HOOK_TC;
}

static uint32_t xdp_mode_flag(enum xvs_hook hook)
{
	return hook == XVS_HOOK_XDP ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
}

static void tc_ids(int ifindex, struct bpf_tc_hook *hook, struct bpf_tc_opts *opts)
{
	memset(hook, 0, sizeof(*hook));
	hook->sz = sizeof(*hook);
	hook->ifindex = ifindex;
	hook->attach_point = BPF_TC_INGRESS;
	memset(opts, 0, sizeof(*opts));
	opts->sz = sizeof(*opts);
	opts->handle = XVS_TC_HANDLE;
	opts->priority = XVS_TC_PRIO;
}

int xvs_hook_attach(int ifindex, enum xvs_hook hook, int prog_fd)
{
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;
	int err;

	if (hook != XVS_HOOK_TC) {
		err = bpf_xdp_attach(ifindex, prog_fd,
				     xdp_mode_flag(hook) | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
		return err < 0 ? err : 0;
	}
	tc_ids(ifindex, &h, &o);
	err = bpf_tc_hook_create(&h);
	if (err && err != -EEXIST)
		return err;
	o.prog_fd = prog_fd;
	return bpf_tc_attach(&h, &o);
}

int xvs_hook_detach(int ifindex, enum xvs_hook hook)
{
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;

	if (hook != XVS_HOOK_TC)
		return bpf_xdp_detach(ifindex, xdp_mode_flag(hook), NULL);
	tc_ids(ifindex, &h, &o);
	return bpf_tc_detach(&h, &o);
}

/* Ids of the programs attached to ifindex at each of our hooks (0: none). */
void xvs_hook_query(int ifindex, uint32_t prog_id[XVS_HOOK_MAX])
{
	LIBBPF_OPTS(bpf_xdp_query_opts, xq);
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;

	memset(prog_id, 0, sizeof(uint32_t) * XVS_HOOK_MAX);
	if (!bpf_xdp_query(ifindex, 0, &xq)) {
		prog_id[XVS_HOOK_XDP] = xq.drv_prog_id;
		prog_id[XVS_HOOK_XDP_GENERIC] = xq.skb_prog_id;
	}
	tc_ids(ifindex, &h, &o);
	if (!bpf_tc_query(&h, &o))
		prog_id[XVS_HOOK_TC] = o.prog_id;
}

int xvs_hook_each(xvs_hook_visit_fn visit, void *data)
{
	struct xvs_iface *ifs;
	size_t n;
	int err;

	err = xvs_iface_list(&ifs, &n);
	if (err)
		return err;
	for (size_t i = 0; i < n && !err; i++) {
		uint32_t ids[XVS_HOOK_MAX];

		xvs_hook_query(ifs[i].ifindex, ids);
		for (int h = XVS_HOOK_XDP; h < XVS_HOOK_MAX && !err; h++)
			if (ids[h])
				err = visit(&ifs[i], h, ids[h], data);
	}
	free(ifs);
	return err;
}
