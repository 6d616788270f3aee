// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The namespace's network interfaces: name, index, state and driver. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "internal.h"

static void iface_probe(int sock, struct xvs_iface *ifc)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, ifc->name, IFNAMSIZ - 1);
	if (!ioctl(sock, SIOCGIFFLAGS, &ifr)) {
		ifc->up = ifr.ifr_flags & IFF_UP;
		ifc->loopback = ifr.ifr_flags & IFF_LOOPBACK;
	}
	ifr.ifr_data = (void *)&info;
	if (!ioctl(sock, SIOCETHTOOL, &ifr))
		snprintf(ifc->driver, sizeof(ifc->driver), "%.*s", (int)sizeof(ifc->driver) - 1, info.driver);
}

int xvs_iface_list(struct xvs_iface **out, size_t *n)
{
	struct if_nameindex *names, *p;
	struct xvs_iface *list;
	size_t count = 0;
	int sock;

	names = if_nameindex();
	if (!names)
		return -errno;
	for (p = names; p->if_index; p++)
		count++;
	list = calloc(count ? count : 1, sizeof(*list));
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (!list || sock < 0) {
		int err = list ? -errno : -ENOMEM;

		free(list);
		if_freenameindex(names);
		return err;
	}
	for (size_t i = 0; i < count; i++) {
		strncpy(list[i].name, names[i].if_name, sizeof(list[i].name) - 1);
		list[i].ifindex = (int)names[i].if_index;
		iface_probe(sock, &list[i]);
	}
	close(sock);
	if_freenameindex(names);
	*out = list;
	*n = count;
	return 0;
}
