// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* DNS_CHECK (keepalived's check_dns): one query over UDP, recursion
 * desired, for `name` (default ".") of `type` (default SOA), class IN, with
 * a random id. Datagrams that are not the answer to it (too short, another
 * id, not a response, another question) are ignored and the wait goes on;
 * the answer is up when its rcode is NOERROR, whatever it holds, as in
 * keepalived; any other rcode is down. */
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe_int.h"

#define DNS_HEADER    12
#define DNS_QUERY_MAX (DNS_HEADER + 256 + 4)
#define DNS_REPLY_MAX 4096
#define DNS_FLAG_QR   0x8000
#define DNS_FLAG_RD   0x0100
#define DNS_OPCODE(f) (((f) >> 11) & 0xf)
#define DNS_RCODE(f)  ((f)&0xf)

struct probe_dns {
	struct probe p;
	int fd;
	struct loop_fd *w;
	uint8_t q[DNS_QUERY_MAX];
	size_t qlen;
};

static void dns_release(struct probe *p)
{
	struct probe_dns *d = (struct probe_dns *)p;

	loop_fd_cancel(d->w);
	d->w = NULL;
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

static const char *rcode_name(unsigned rcode)
{
	static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
					    "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
					    "NXRRSET", "NOTAUTH", "NOTZONE"};

	return rcode < sizeof(names) / sizeof(names[0]) ? names[rcode] : "?";
}

/* header, QNAME as labels, QTYPE, QCLASS IN; false when a label is empty
 * or longer than 63 bytes */
static bool dns_build_query(struct probe_dns *d, const char *name, uint16_t qtype)
{
	uint8_t *q = d->q, *o = q + DNS_HEADER;
	uint16_t id;

	probe_random(&id, sizeof(id));
	memset(q, 0, DNS_HEADER);
	q[0] = (uint8_t)(id >> 8);
	q[1] = (uint8_t)id;
	q[2] = DNS_FLAG_RD >> 8;
	q[5] = 1; /* QDCOUNT */
	while (*name) {
		size_t n = strcspn(name, ".");

		if (!n) {
			if (!strcmp(name, ".") && o == q + DNS_HEADER)
				break; /* the root */
			return false;
		}
		if (n > 63)
			return false;
		*o++ = (uint8_t)n;
		memcpy(o, name, n);
		o += n;
		name += n;
		if (*name == '.')
			name++;
	}
	*o++ = 0;
	*o++ = (uint8_t)(qtype >> 8);
	*o++ = (uint8_t)qtype;
	*o++ = 0;
	*o++ = 1; /* IN */
	d->qlen = (size_t)(o - q);
	return true;
}

/* Is this datagram the response to our query? Names compare without
 * regard to case (RFC 4343); a response without the question (some
 * servers' FORMERR) is taken on its id. */
static bool dns_is_our_answer(const struct probe_dns *d, const uint8_t *r, size_t n)
{
	size_t qn = d->qlen - DNS_HEADER;
	uint16_t flags, qdcount;

	if (n < DNS_HEADER || r[0] != d->q[0] || r[1] != d->q[1])
		return false;
	flags = (uint16_t)(r[2] << 8 | r[3]);
	qdcount = (uint16_t)(r[4] << 8 | r[5]);
	if (!(flags & DNS_FLAG_QR) || DNS_OPCODE(flags) != 0)
		return false;
	if (!qdcount)
		return true;
	if (qdcount != 1 || n < DNS_HEADER + qn)
		return false;
	for (size_t i = 0; i < qn; i++)
		if (tolower(r[DNS_HEADER + i]) != tolower(d->q[DNS_HEADER + i]))
			return false;
	return true;
}

static void dns_readable(struct loop_fd *w, int fd, uint32_t events, void *arg)
{
	struct probe_dns *d = arg;
	uint8_t r[DNS_REPLY_MAX];
	char e[96];

	(void)w;
	(void)events;
	for (;;) {
		ssize_t n = recv(fd, r, sizeof(r), 0);
		uint16_t flags;

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				probe_down(&d->p, "%s", probe_dgram_error(errno, e, sizeof(e)));
			return;
		}
		if (!dns_is_our_answer(d, r, (size_t)n))
			continue;
		flags = (uint16_t)(r[2] << 8 | r[3]);
		if (DNS_RCODE(flags))
			probe_down(&d->p, "DNS rcode %u (%s)", DNS_RCODE(flags),
				   rcode_name(DNS_RCODE(flags)));
		else
			probe_up(&d->p, "DNS NOERROR, %u answers", (unsigned)(r[6] << 8 | r[7]));
		return;
	}
}

static int dns_start(struct probe *p)
{
	struct probe_dns *d = (struct probe_dns *)p;
	const struct conf_check_dns *cfg = &p->t.ck->dns;
	bool in_progress;
	char e[96];
	int err;

	d->fd = -1;
	if (!dns_build_query(d, cfg->name ? cfg->name : ".", cfg->qtype ? cfg->qtype : 6)) {
		probe_down(p, "invalid DNS name '%s'", cfg->name);
		return 0;
	}
	err = probe_socket_connect(p, SOCK_DGRAM, IPPROTO_UDP, &in_progress);
	if (err < 0)
		return 0;
	d->fd = err;
	if (send(d->fd, d->q, d->qlen, 0) < 0) {
		err = errno;
		probe_down_errno(p, "send", err);
		return 0;
	}
	p->phase = "waiting for the DNS reply";
	err = loop_fd_add(p->l, d->fd, EPOLLIN, dns_readable, d, &d->w);
	if (err)
		probe_unchecked(p, "event loop: %s", probe_strerror(-err, e, sizeof(e)));
	return 0;
}

const struct probe_ops probe_dns_ops = {
	.size = sizeof(struct probe_dns),
	.needs = PROBE_NEEDS_ADDR | PROBE_NEEDS_PORT,
	.start = dns_start,
	.release = dns_release,
};
