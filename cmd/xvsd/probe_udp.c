// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* UDP_CHECK (keepalived's check_udp): sends the payload (16 random bytes
 * when none is set) on a connected socket and waits connect_timeout.
 *
 * Without require_reply silence is success: only an ICMP error (port, host
 * or network unreachable, reported on the connected socket; IP_RECVERR
 * makes the host and network ones count too) or a socket error is down.
 * With require_reply a reply must come; its length must lie within
 * min_reply_length..max_reply_length and, when require_reply has a hex
 * string, its first bytes must match it (x nibbles match anything) up to
 * the shorter of the two. keepalived checks the lengths only when a hex
 * string is given, though its manual says otherwise; xvsd follows the
 * manual. */
#include <errno.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe_int.h"

#define UDP_RANDOM_PAYLOAD 16
#define UDP_REPLY_MAX	   65536

struct probe_udp {
	struct probe p;
	int fd;
	struct loop_fd *w;
};

static void udp_release(struct probe *p)
{
	struct probe_udp *u = (struct probe_udp *)p;

	loop_fd_cancel(u->w);
	u->w = NULL;
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
}

/* The reply against require_reply: NULL when it passes, else why not. */
static const char *udp_reply_fails(const struct conf_check_udp *cfg, const uint8_t *buf, size_t len,
				   char *why, size_t why_len)
{
	size_t n = len < cfg->reply_len ? len : cfg->reply_len;

	if (len < cfg->min_reply_length || len > cfg->max_reply_length) {
		snprintf(why, why_len, "reply of %zu bytes, expected %u-%u", len,
			 cfg->min_reply_length, cfg->max_reply_length);
		return why;
	}
	for (size_t i = 0; i < n; i++) {
		if ((buf[i] ^ cfg->reply[i]) & cfg->reply_mask[i]) {
			snprintf(why, why_len, "reply differs from require_reply at byte %zu", i);
			return why;
		}
	}
	return NULL;
}

static void udp_readable(struct loop_fd *w, int fd, uint32_t events, void *arg)
{
	struct probe *p = arg;
	const struct conf_check_udp *cfg = &p->t.ck->udp;
	static uint8_t buf[UDP_REPLY_MAX];
	char why[96];
	ssize_t n;

	(void)w;
	(void)events;
	n = recv(fd, buf, sizeof(buf), MSG_TRUNC);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		probe_down(p, "%s", probe_dgram_error(errno, why, sizeof(why)));
		return;
	}
	if (!cfg->require_reply) {
		probe_up(p, "reply of %zd bytes", n);
		return;
	}
	if (udp_reply_fails(cfg, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf), why,
			    sizeof(why))) {
		probe_down(p, "%s", why);
		return;
	}
	probe_up(p, "reply of %zd bytes", n);
}

static void udp_expired(struct probe *p)
{
	char d[32];

	probe_fmt_duration(p->deadline_len_us, d, sizeof(d));
	if (p->t.ck->udp.require_reply)
		probe_down(p, "timeout after %s waiting for a reply", d);
	else
		probe_up(p, "no ICMP error in %s", d);
}

static int udp_start(struct probe *p)
{
	struct probe_udp *u = (struct probe_udp *)p;
	const struct conf_check_udp *cfg = &p->t.ck->udp;
	uint8_t random_payload[UDP_RANDOM_PAYLOAD];
	const void *payload = cfg->payload;
	size_t len = cfg->payload_len;
	bool in_progress;
	int one = 1, err;
	char e[96];

	u->fd = -1;
	err = probe_socket_connect(p, SOCK_DGRAM, IPPROTO_UDP, &in_progress);
	if (err < 0)
		return 0;
	u->fd = err;
	if (p->t.addr.family == AF_INET)
		setsockopt(u->fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
	else
		setsockopt(u->fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one));
	if (!payload) {
		probe_random(random_payload, sizeof(random_payload));
		payload = random_payload;
		len = sizeof(random_payload);
	}
	if (send(u->fd, payload, len, 0) < 0) {
		err = errno;
		if (err == ENOBUFS || err == EAGAIN || err == ENOMEM)
			probe_unchecked(p, "send: %s", probe_strerror(err, e, sizeof(e)));
		else
			probe_down_errno(p, "send", err);
		return 0;
	}
	p->phase = cfg->require_reply ? "waiting for a reply" : "";
	err = loop_fd_add(p->l, u->fd, EPOLLIN, udp_readable, p, &u->w);
	if (err)
		probe_unchecked(p, "event loop: %s", probe_strerror(-err, e, sizeof(e)));
	return 0;
}

const struct probe_ops probe_udp_ops = {
	.size = sizeof(struct probe_udp),
	.needs = PROBE_NEEDS_ADDR | PROBE_NEEDS_PORT,
	.start = udp_start,
	.release = udp_release,
	.expired = udp_expired,
};
