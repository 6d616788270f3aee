// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* rtnetlink requests xvs-rs needs (libmnl): IPv4 addresses on an interface,
 * a probe for kernel IPIP support, and counting tc filters under clsact. */
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rs.h"

#define RS_NL_PROBE_NAME "xvsrs-probe0"

typedef int (*rs_nl_cb)(const struct nlmsghdr *nlh, void *data);

/* Sends one request and reads the replies until the ack or the end of the
 * dump, calling cb for each message. Returns 0 or the kernel's -errno. */
static int rs_nl_talk(struct nlmsghdr *nlh, rs_nl_cb cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	unsigned int portid, seq;
	int ret;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	seq = (unsigned int)time(NULL);
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	do {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret < 0) {
			ret = -errno;
			break;
		}
		ret = mnl_cb_run(buf, ret, seq, portid, cb, data);
		if (ret < 0)
			ret = -errno;
	} while (ret > 0);
out:
	mnl_socket_close(nl);
	return ret;
}

struct addr_find {
	int ifindex;
	uint32_t addr;
	bool found;
};

static int addr_find_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type == IFA_LOCAL || type == IFA_ADDRESS) {
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		tb[type] = a;
	}
	return MNL_CB_OK;
}

static int addr_find_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	struct addr_find *f = data;
	const struct nlattr *a;

	if (ifa->ifa_family != AF_INET || (int)ifa->ifa_index != f->ifindex)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifa), addr_find_attr, tb);
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (a && mnl_attr_get_u32(a) == f->addr)
		f->found = true;
	return MNL_CB_OK;
}

int rs_nl_addr_present(int ifindex, uint32_t addr, bool *present)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct addr_find f = { .ifindex = ifindex, .addr = addr };
	struct ifaddrmsg *ifa;
	int err;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	err = rs_nl_talk(nlh, addr_find_cb, &f);
	if (!err)
		*present = f.found;
	return err;
}

static int rs_nl_addr_change(int type, unsigned int flags, int ifindex, uint32_t addr)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = 32;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;	/* as `ip addr add VIP/32 dev lo` */
	ifa->ifa_index = ifindex;
	mnl_attr_put_u32(nlh, IFA_LOCAL, addr);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, addr);
	return rs_nl_talk(nlh, NULL, NULL);
}

int rs_nl_addr_add(int ifindex, uint32_t addr)
{
	return rs_nl_addr_change(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, addr);
}

int rs_nl_addr_del(int ifindex, uint32_t addr)
{
	return rs_nl_addr_change(RTM_DELADDR, 0, ifindex, addr);
}

static int rs_nl_link_del(const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_DELLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return rs_nl_talk(nlh, NULL, NULL);
}

bool rs_nl_ipip_supported(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct nlattr *info;

	/* `ip link add NAME type ipip`: fails (EOPNOTSUPP) without the module */
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, RS_NL_PROBE_NAME);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "ipip");
	mnl_attr_nest_end(nlh, info);
	if (rs_nl_talk(nlh, NULL, NULL))
		return false;
	rs_nl_link_del(RS_NL_PROBE_NAME);
	return true;
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(size_t *)data)++;
	return MNL_CB_OK;
}

int rs_nl_tc_filter_count(int ifindex, size_t *n)
{
	static const uint32_t parents[] = {
		TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS),
		TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS),
	};
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct tcmsg *tcm;
	int err;

	*n = 0;
	for (size_t i = 0; i < sizeof(parents) / sizeof(parents[0]); i++) {
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_GETTFILTER;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
		tcm->tcm_family = AF_UNSPEC;
		tcm->tcm_ifindex = ifindex;
		tcm->tcm_parent = parents[i];
		err = rs_nl_talk(nlh, count_cb, n);
		if (err)
			return err;
	}
	return 0;
}
