// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* IPv4 addresses on interfaces, for FULLNAT local addresses: the real
 * servers answer to a local address, so the director must own it (and
 * answer ARP for it) on the interface toward them. */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "internal.h"

int xvs_addr_present(int ifindex, uint32_t addr)
{
	struct ifaddrs *list, *a;
	char name[IF_NAMESIZE];
	int found = 0;

	if (!if_indextoname((unsigned int)ifindex, name))
		return -ENODEV;
	if (getifaddrs(&list))
		return -errno;
	for (a = list; a && !found; a = a->ifa_next) {
		const struct sockaddr_in *sin = (const void *)a->ifa_addr;

		/* Labels ("eth0:1") name the interface before the colon. */
		if (!sin || sin->sin_family != AF_INET || strncmp(a->ifa_name, name, strlen(name)) ||
		    (a->ifa_name[strlen(name)] && a->ifa_name[strlen(name)] != ':'))
			continue;
		found = sin->sin_addr.s_addr == addr;
	}
	freeifaddrs(list);
	return found;
}

static int addr_request(struct xvs *x, uint16_t type, uint16_t flags, int ifindex, uint32_t addr)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = 32;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned int)ifindex;
	mnl_attr_put_u32(nlh, IFA_LOCAL, addr);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, addr);
	return xvs_nl_talk(x, nlh, NULL, NULL);
}

int xvs_addr_add(struct xvs *x, int ifindex, uint32_t addr)
{
	return addr_request(x, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, addr);
}

int xvs_addr_del(struct xvs *x, int ifindex, uint32_t addr)
{
	int err = addr_request(x, RTM_DELADDR, 0, ifindex, addr);

	return err == -EADDRNOTAVAIL ? 0 : err;
}
