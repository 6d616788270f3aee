// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Next hops of real servers, over rtnetlink. bpf_fib_lookup() only returns
 * MAC addresses for resolved neighbours, so when a real server is added we
 * look up its route, create the next hop's neighbour entry as "managed" (the
 * kernel then keeps it resolved and never garbage-collects it, with no
 * daemon of ours) and wait, bounded, until it resolves. That way the first
 * packet of the first flow finds its MAC address. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "internal.h"

struct route_info {
	uint32_t oif;
	uint32_t gateway;	/* 0: directly connected */
	uint32_t prefsrc;
	uint8_t type;
};

struct neigh_info {
	bool found;
	uint16_t state;
};

/* The handle's rtnetlink socket, opened on first use and kept: a restore
 * adds thousands of real servers, each needing a few requests. */
struct xvs_nl {
	struct mnl_socket *sock;
	unsigned int portid, seq;
	uint32_t ready_oif, ready_hop;	/* last next hop found resolved */
};

static struct xvs_nl *nl_get(struct xvs *x)
{
	struct xvs_nl *nl = x->nl;

	if (nl)
		return nl;
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return NULL;
	nl->sock = mnl_socket_open(NETLINK_ROUTE);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		if (nl->sock)
			mnl_socket_close(nl->sock);
		free(nl);
		return NULL;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned int)time(NULL);
	x->nl = nl;
	return nl;
}

void xvs_nl_close(struct xvs *x)
{
	struct xvs_nl *nl = x->nl;

	if (!nl)
		return;
	mnl_socket_close(nl->sock);
	free(nl);
	x->nl = NULL;
}

/* Sends one request and runs cb over the answers up to the ack. */
int xvs_nl_talk(struct xvs *x, struct nlmsghdr *req, xvs_nl_cb cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct xvs_nl *nl = nl_get(x);
	int ret;

	if (!nl)
		return -errno ? -errno : -ENOMEM;
	req->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -errno;
	do {
		ret = (int)mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (ret <= 0)
			break;
		ret = mnl_cb_run(buf, (size_t)ret, nl->seq, nl->portid, cb, data);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

static int route_attr(const struct nlattr *a, void *data)
{
	struct route_info *r = data;

	switch (mnl_attr_get_type(a)) {
	case RTA_OIF:
		r->oif = mnl_attr_get_u32(a);
		break;
	case RTA_GATEWAY:
		r->gateway = mnl_attr_get_u32(a);
		break;
	case RTA_PREFSRC:
		r->prefsrc = mnl_attr_get_u32(a);
		break;
	}
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	((struct route_info *)data)->type = rtm->rtm_type;
	return mnl_attr_parse(nlh, sizeof(*rtm), route_attr, data);
}

static int route_get(struct xvs *x, uint32_t addr, struct route_info *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;	/* the ack ends the exchange */
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 32;
	mnl_attr_put_u32(nlh, RTA_DST, addr);
	memset(r, 0, sizeof(*r));
	return xvs_nl_talk(x, nlh, route_cb, r);
}

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	struct neigh_info *n = data;

	n->found = true;
	n->state = ndm->ndm_state;
	return MNL_CB_OK;
}

static int neigh_get(struct xvs *x, uint32_t ifindex, uint32_t addr, struct neigh_info *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *ndm;
	int err;

	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;	/* the ack ends the exchange */
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_INET;
	ndm->ndm_ifindex = (int)ifindex;
	mnl_attr_put_u32(nlh, NDA_DST, addr);
	memset(n, 0, sizeof(*n));
	err = xvs_nl_talk(x, nlh, neigh_cb, n);
	return err == -ENOENT ? 0 : err;
}

/* Creates (or marks) the entry as managed and kicks resolution. Kernels
 * before 5.16 do not know managed entries: then only kick resolution. */
static int neigh_use(struct xvs *x, uint32_t ifindex, uint32_t addr, bool managed)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *ndm;

	nlh->nlmsg_type = RTM_NEWNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_INET;
	ndm->ndm_ifindex = (int)ifindex;
	ndm->ndm_state = NUD_NONE;
	ndm->ndm_flags = NTF_USE;
	mnl_attr_put_u32(nlh, NDA_DST, addr);
	if (managed)
		mnl_attr_put_u32(nlh, NDA_FLAGS_EXT, NTF_EXT_MANAGED);
	return xvs_nl_talk(x, nlh, NULL, NULL);
}

static int hop_ready(struct xvs *x, uint32_t oif, uint32_t hop)
{
	struct xvs_nl *nl = x->nl;

	nl->ready_oif = oif;
	nl->ready_hop = hop;
	return 0;
}

#define NUD_RESOLVED (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP)

int xvs_neigh_prepare(struct xvs *x, uint32_t addr, uint32_t *src_out, int wait_ms)
{
	struct route_info r;
	struct neigh_info n;
	struct xvs_nl *nl;
	uint32_t hop;
	int err;

	err = route_get(x, addr, &r);
	if (err || r.type != RTN_UNICAST || !r.oif)
		return r.type == RTN_LOCAL ? -EADDRNOTAVAIL : -EHOSTUNREACH;
	*src_out = r.prefsrc;
	hop = r.gateway ? r.gateway : addr;
	nl = x->nl;
	if (nl && nl->ready_oif == r.oif && nl->ready_hop == hop)
		return 0;	/* real servers behind one gateway: asked already */
	err = neigh_get(x, r.oif, hop, &n);
	if (err)
		return err;
	if (n.found && (n.state & (NUD_PERMANENT | NUD_NOARP)))
		return hop_ready(x, r.oif, hop);	/* static entries are the operator's */
	err = neigh_use(x, r.oif, hop, true);
	if (err == -EINVAL || err == -EOPNOTSUPP)
		err = neigh_use(x, r.oif, hop, false);
	if (err)
		return err;
	for (int waited = 0; waited <= wait_ms; waited += 10) {
		err = neigh_get(x, r.oif, hop, &n);
		if (err)
			return err;
		if (n.found && (n.state & NUD_RESOLVED))
			return hop_ready(x, r.oif, hop);
		usleep(10 * 1000);
	}
	return -ETIMEDOUT;
}
