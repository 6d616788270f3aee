// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* PING_CHECK (keepalived's check_ping): one ICMP or ICMPv6 echo request,
 * up when its echo reply comes back within connect_timeout.
 *
 * The unprivileged ping socket (SOCK_DGRAM, IPPROTO_ICMP[V6]) is tried
 * first: the kernel then owns the identifier and filters replies, and an
 * ICMP error about the request comes back as a socket error (down). Where
 * net.ipv4.ping_group_range does not admit us (its default admits nobody,
 * root included) a raw socket is used, which needs CAP_NET_RAW; keepalived
 * instead widens ping_group_range for the whole host. On a raw socket only
 * an echo reply with our identifier, sequence and payload counts, anything
 * else is someone else's and is ignored. Sockets are connected, so only
 * the target's packets arrive. */
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe_int.h"

#define PING_DATA  56 /* ping(8)'s default payload */
#define PING_TOKEN 16 /* its random part: a reply echoes it */
#define PING_RECV  1500

struct probe_ping {
	struct probe p;
	int fd;
	struct loop_fd *w;
	bool raw;
	uint16_t id, seq;
	uint8_t data[PING_DATA];
};

static void ping_release(struct probe *p)
{
	struct probe_ping *g = (struct probe_ping *)p;

	loop_fd_cancel(g->w);
	g->w = NULL;
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
}

static uint16_t inet_csum(const void *buf, size_t len)
{
	const uint8_t *b = buf;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* An echo reply to our request? R is the ICMP message (the IPv4 header of
 * a raw socket skipped). */
static bool ping_is_our_reply(const struct probe_ping *g, const uint8_t *r, size_t n)
{
	bool v6 = g->p.t.addr.family == AF_INET6;
	uint16_t id, seq;

	if (n < 8 + PING_DATA || r[0] != (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY))
		return false;
	id = (uint16_t)(r[4] << 8 | r[5]);
	seq = (uint16_t)(r[6] << 8 | r[7]);
	/* a ping socket rewrites the identifier and matches it itself */
	if ((g->raw && id != g->id) || seq != g->seq)
		return false;
	return !memcmp(r + 8, g->data, PING_DATA);
}

static void ping_readable(struct loop_fd *w, int fd, uint32_t events, void *arg)
{
	struct probe_ping *g = arg;
	uint8_t buf[PING_RECV];
	char e[96];

	(void)w;
	(void)events;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		const uint8_t *r = buf;

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			probe_down(&g->p, "%s", probe_dgram_error(errno, e, sizeof(e)));
			return;
		}
		if (g->raw && g->p.t.addr.family == AF_INET) {
			size_t hl = n > 0 ? (size_t)(buf[0] & 0xf) * 4 : 0;

			if ((size_t)n < hl)
				continue;
			r += hl;
			n -= (ssize_t)hl;
		}
		if (ping_is_our_reply(g, r, (size_t)n)) {
			probe_up(&g->p, "echo reply (%s socket)", g->raw ? "raw" : "ping");
			return;
		}
	}
}

/* The ping socket, else a raw one; -errno of the last try. */
static int ping_socket(struct probe_ping *g)
{
	int family = g->p.t.addr.family;
	int proto = family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);

	if (fd >= 0)
		return fd;
	if (errno != EACCES && errno != EPERM && errno != EPROTONOSUPPORT &&
	    errno != ESOCKTNOSUPPORT)
		return -errno;
	fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -errno;
	g->raw = true;
	if (family == AF_INET6) {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
	}
	return fd;
}

static int ping_start(struct probe *p)
{
	struct probe_ping *g = (struct probe_ping *)p;
	uint8_t pkt[8 + PING_DATA];
	bool in_progress, v6 = p->t.addr.family == AF_INET6;
	char e[96];
	int fd, err;

	g->fd = -1;
	fd = ping_socket(g);
	if (fd < 0) {
		probe_unchecked(p,
				"ICMP socket: %s (a ping socket needs net.ipv4.ping_group_range, a "
				"raw one CAP_NET_RAW)",
				probe_strerror(-fd, e, sizeof(e)));
		return 0;
	}
	fd = probe_socket_prepare(p, fd, &in_progress);
	if (fd < 0)
		return 0;
	g->fd = fd;
	probe_random(&g->id, sizeof(g->id));
	probe_random(&g->seq, sizeof(g->seq));
	probe_random(g->data, PING_TOKEN);
	for (size_t i = PING_TOKEN; i < PING_DATA; i++)
		g->data[i] = (uint8_t)i;
	memset(pkt, 0, 8);
	pkt[0] = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	pkt[4] = (uint8_t)(g->id >> 8);
	pkt[5] = (uint8_t)g->id;
	pkt[6] = (uint8_t)(g->seq >> 8);
	pkt[7] = (uint8_t)g->seq;
	memcpy(pkt + 8, g->data, PING_DATA);
	if (!v6) { /* ICMPv6 and ping sockets: the kernel sums */
		uint16_t sum = inet_csum(pkt, sizeof(pkt));

		memcpy(pkt + 2, &sum, 2);
	}
	if (send(fd, pkt, sizeof(pkt), 0) < 0) {
		err = errno;
		if (err == ENOBUFS || err == EAGAIN || err == ENOMEM || err == EPERM)
			probe_unchecked(p, "send: %s", probe_strerror(err, e, sizeof(e)));
		else
			probe_down_errno(p, "send", err);
		return 0;
	}
	p->phase = "waiting for the echo reply";
	err = loop_fd_add(p->l, fd, EPOLLIN, ping_readable, g, &g->w);
	if (err)
		probe_unchecked(p, "event loop: %s", probe_strerror(-err, e, sizeof(e)));
	return 0;
}

const struct probe_ops probe_ping_ops = {
	.size = sizeof(struct probe_ping),
	.needs = PROBE_NEEDS_ADDR,
	.start = ping_start,
	.release = ping_release,
};
