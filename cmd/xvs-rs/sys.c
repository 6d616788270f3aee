// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* System pieces xvs-rs reads and changes: the namespace's identity, sysctls
 * under /proc/sys (which follow the caller's network namespace), interface
 * flags. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rs.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71	/* Linux 5.14, asm-generic */
#endif

int rs_netns_id(uint64_t *dev, uint64_t *ino)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		return -errno;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

int rs_netns_cookie(uint64_t *cookie)
{
	socklen_t len = sizeof(*cookie);
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len))
		err = -errno;
	close(fd);
	return err;
}

void rs_sysctl_conf(char *buf, size_t len, const char *iface, const char *key)
{
	snprintf(buf, len, "net/ipv4/conf/%s/%s", iface, key);
}

static int sysctl_open(const char *path, int flags)
{
	char full[RS_SYSCTL_LEN + 16];

	snprintf(full, sizeof(full), "/proc/sys/%s", path);
	return open(full, flags | O_CLOEXEC);
}

int rs_sysctl_get(const char *path, int *val)
{
	char buf[32];
	ssize_t n;
	char *end;
	int fd;

	fd = sysctl_open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	errno = 0;
	*val = (int)strtol(buf, &end, 10);
	if (errno || end == buf)
		return -EIO;
	return 0;
}

int rs_sysctl_set(const char *path, int val)
{
	char buf[32];
	int fd, len, err = 0;
	ssize_t n;

	fd = sysctl_open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%d\n", val);
	n = write(fd, buf, len);
	if (n != len)
		err = n < 0 ? -errno : -EIO;
	close(fd);
	return err;
}

static int link_ioctl(const char *ifname, unsigned long req, struct ifreq *ifr)
{
	int fd, err = 0;

	if (strlen(ifname) >= IF_NAMESIZE)
		return -ENODEV;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strncpy(ifr->ifr_name, ifname, IF_NAMESIZE - 1);
	ifr->ifr_name[IF_NAMESIZE - 1] = '\0';
	if (ioctl(fd, req, ifr))
		err = -errno;
	close(fd);
	return err;
}

int rs_link_flags(const char *ifname, unsigned int *flags)
{
	struct ifreq ifr = { 0 };
	int err = link_ioctl(ifname, SIOCGIFFLAGS, &ifr);

	if (!err)
		*flags = (unsigned short)ifr.ifr_flags;
	return err;
}

int rs_link_set_up(const char *ifname, bool up)
{
	struct ifreq ifr = { 0 };
	int err = link_ioctl(ifname, SIOCGIFFLAGS, &ifr);

	if (err)
		return err;
	if (up)
		ifr.ifr_flags |= IFF_UP;
	else
		ifr.ifr_flags &= ~IFF_UP;
	return link_ioctl(ifname, SIOCSIFFLAGS, &ifr);
}

int rs_links_up(char names[][IF_NAMESIZE], size_t max, size_t *n)
{
	struct if_nameindex *all, *i;
	unsigned int flags;

	all = if_nameindex();
	if (!all)
		return -errno;
	*n = 0;
	for (i = all; i->if_index; i++) {
		if (rs_link_flags(i->if_name, &flags) || !(flags & IFF_UP) ||
		    (flags & IFF_LOOPBACK))
			continue;
		if (*n == max)
			break;
		snprintf(names[(*n)++], IF_NAMESIZE, "%s", i->if_name);
	}
	if_freenameindex(all);
	return 0;
}

int rs_percpu_sums(int map_fd, uint32_t nkeys, uint64_t out[])
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (uint32_t k = 0; k < nkeys; k++) {
		out[k] = 0;
		if (bpf_map_lookup_elem(map_fd, &k, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			out[k] += vals[c];
	}
	free(vals);
	return 0;
}
