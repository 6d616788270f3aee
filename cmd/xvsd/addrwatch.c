// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Local addresses from rtnetlink (see addrwatch.h): one dump at start,
 * then RTMGRP_IPV4_IFADDR events. On a lost event (ENOBUFS) it dumps
 * again. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "addrwatch.h"
#include "log.h"

struct addrwatch {
	struct loop *l;
	struct mnl_socket *nl;
	struct loop_fd *w;
	void (*changed)(void *arg);
	void *arg;
	uint32_t *addr;			/* network order; a multiset (one per interface) */
	size_t n, cap;
	unsigned seq;
	bool dumping;
};

static void addr_add(struct addrwatch *w, uint32_t a)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 16;
		uint32_t *v = realloc(w->addr, cap * sizeof(*v));

		if (!v)
			return;
		w->addr = v;
		w->cap = cap;
	}
	w->addr[w->n++] = a;
}

static void addr_del(struct addrwatch *w, uint32_t a)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->addr[i] == a) {
			w->addr[i] = w->addr[--w->n];
			return;
		}
}

static int attr_cb(const struct nlattr *attr, void *data)
{
	uint32_t *a = data;

	if (mnl_attr_get_type(attr) == IFA_LOCAL && mnl_attr_get_payload_len(attr) == 4)
		memcpy(a, mnl_attr_get_payload(attr), 4);
	else if (mnl_attr_get_type(attr) == IFA_ADDRESS && mnl_attr_get_payload_len(attr) == 4 &&
		 !*a)
		memcpy(a, mnl_attr_get_payload(attr), 4);
	return MNL_CB_OK;
}

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addrwatch *w = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	uint32_t a = 0;

	if (ifa->ifa_family != AF_INET)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifa), attr_cb, &a);
	if (!a)
		return MNL_CB_OK;
	if (nlh->nlmsg_type == RTM_NEWADDR)
		addr_add(w, a);
	else if (nlh->nlmsg_type == RTM_DELADDR)
		addr_del(w, a);
	return MNL_CB_OK;
}

static int dump(struct addrwatch *w)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *rt;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++w->seq;
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtgen_family = AF_INET;
	w->n = 0;
	w->dumping = true;
	if (mnl_socket_sendto(w->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

static void readable(struct loop_fd *lw, int fd, uint32_t events, void *arg)
{
	struct addrwatch *w = arg;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	bool changed = false;
	ssize_t n;

	(void)lw;
	(void)fd;
	(void)events;
	while ((n = recv(mnl_socket_get_fd(w->nl), buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		int r = mnl_cb_run(buf, (size_t)n, 0, 0, msg_cb, w);

		if (r == MNL_CB_STOP)
			w->dumping = false;
		changed = true;
	}
	if (n < 0 && errno == ENOBUFS) {
		log_info("ha_suspend: address events were lost; reading the addresses again");
		dump(w);
		return;
	}
	if (changed && !w->dumping)
		w->changed(w->arg);
}

int addrwatch_start(struct loop *l, void (*changed)(void *arg), void *arg,
		    struct addrwatch **out)
{
	struct addrwatch *w = calloc(1, sizeof(*w));
	int err;

	*out = NULL;
	if (!w)
		return -ENOMEM;
	w->l = l;
	w->changed = changed;
	w->arg = arg;
	w->seq = (unsigned)time(NULL);
	w->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!w->nl || mnl_socket_bind(w->nl, RTMGRP_IPV4_IFADDR, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto fail;
	}
	err = dump(w);
	if (!err)
		err = loop_fd_add(l, mnl_socket_get_fd(w->nl), EPOLLIN, readable, w, &w->w);
	if (err)
		goto fail;
	*out = w;
	return 0;
fail:
	if (w->nl)
		mnl_socket_close(w->nl);
	free(w);
	return err ? err : -EIO;
}

void addrwatch_stop(struct addrwatch *w)
{
	if (!w)
		return;
	loop_fd_cancel(w->w);
	mnl_socket_close(w->nl);
	free(w->addr);
	free(w);
}

bool addrwatch_has(const struct addrwatch *w, const struct conf_addr *a)
{
	if (a->family != AF_INET)
		return false;
	for (size_t i = 0; i < w->n; i++)
		if (w->addr[i] == a->u.v4.s_addr)
			return true;
	return false;
}
