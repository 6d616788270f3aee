// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* TCP_CHECK: a non-blocking connect that completes within connect_timeout
 * means up (keepalived's check_tcp). The connection is then reset rather
 * than closed, so thousands of checks leave no TIME_WAIT sockets holding
 * the director's local ports. */
#include <sys/epoll.h>

#include "probe_int.h"

struct probe_tcp {
	struct probe p;
	int fd;
	struct loop_fd *w;
};

static void tcp_release(struct probe *p)
{
	struct probe_tcp *c = (struct probe_tcp *)p;

	loop_fd_cancel(c->w);
	c->w = NULL;
	probe_socket_close(c->fd, true);
	c->fd = -1;
}

static void tcp_connected(struct loop_fd *w, int fd, uint32_t events, void *arg)
{
	struct probe *p = arg;
	int err = probe_socket_error(fd);
	char e[96];

	(void)w;
	(void)events;
	if (err)
		probe_down(p, "%s", probe_strerror(err, e, sizeof(e)));
	else
		probe_up(p, "connected");
}

static int tcp_start(struct probe *p)
{
	struct probe_tcp *c = (struct probe_tcp *)p;
	bool in_progress;
	char e[96];
	int err, fd;

	c->fd = -1; /* the release on a failed connect finds nothing */
	fd = probe_socket_connect(p, SOCK_STREAM, IPPROTO_TCP, &in_progress);
	if (fd < 0)
		return 0; /* reported */
	c->fd = fd;
	if (!in_progress) {
		probe_up(p, "connected");
		return 0;
	}
	p->phase = "connecting";
	err = loop_fd_add(p->l, c->fd, EPOLLOUT, tcp_connected, p, &c->w);
	if (err)
		probe_unchecked(p, "event loop: %s", probe_strerror(-err, e, sizeof(e)));
	return 0;
}

const struct probe_ops probe_tcp_ops = {
	.size = sizeof(struct probe_tcp),
	.needs = PROBE_NEEDS_ADDR | PROBE_NEEDS_PORT,
	.start = tcp_start,
	.release = tcp_release,
};
