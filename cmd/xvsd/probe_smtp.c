// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* SMTP_CHECK (keepalived's check_smtp): connect, a 220 banner, HELO
 * helo_name (default keepalived's smtpchecker.keepalived.org), a 250
 * reply, QUIT and its reply. Replies may span lines ("250-..." goes on,
 * "250 ..." ends), which keepalived, reading one line, does not follow;
 * each reply is bounded to 4 KiB, the whole dialogue to connect_timeout. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe_int.h"

#define SMTP_DEFAULT_HELO "smtpchecker.keepalived.org"
#define SMTP_REPLY_MAX	  4096

enum smtp_step { SMTP_CONNECTING, SMTP_BANNER, SMTP_HELO, SMTP_QUIT };

static const struct {
	const char *phase; /* while waiting for its reply */
	const char *name;  /* in details */
	int want;	   /* 0: any */
} smtp_steps[] = {
	[SMTP_CONNECTING] = {"connecting", "connect", 0},
	[SMTP_BANNER] = {"waiting for the banner", "banner", 220},
	[SMTP_HELO] = {"waiting for the HELO reply", "HELO reply", 250},
	[SMTP_QUIT] = {"waiting for the QUIT reply", "QUIT reply", 0},
};

struct probe_smtp {
	struct probe p;
	int fd;
	struct loop_fd *w;
	enum smtp_step step;
	bool eof;
	char in[SMTP_REPLY_MAX];
	size_t in_len;
	char out[300];
	size_t out_len, out_off;
};

static void smtp_io(struct loop_fd *w, int fd, uint32_t events, void *arg);

static void smtp_release(struct probe *p)
{
	struct probe_smtp *s = (struct probe_smtp *)p;

	loop_fd_cancel(s->w);
	s->w = NULL;
	probe_socket_close(s->fd, !s->eof);
	s->fd = -1;
}

static bool smtp_want(struct probe_smtp *s, uint32_t events)
{
	char e[96];
	int err = s->w ? loop_fd_mod(s->w, events)
		       : loop_fd_add(s->p.l, s->fd, events, smtp_io, s, &s->w);

	if (err)
		probe_unchecked(&s->p, "event loop: %s", probe_strerror(-err, e, sizeof(e)));
	return !err;
}

/* Queues a command, or none, and waits for the next reply. */
static void smtp_next(struct probe_smtp *s, enum smtp_step step, const char *cmd)
{
	s->step = step;
	s->p.phase = smtp_steps[step].phase;
	s->in_len = 0;
	s->out_len = cmd ? (size_t)snprintf(s->out, sizeof(s->out), "%s\r\n", cmd) : 0;
	if (s->out_len >= sizeof(s->out))
		s->out_len = sizeof(s->out) - 1;
	s->out_off = 0;
	smtp_want(s, s->out_len ? EPOLLOUT : EPOLLIN);
}

/* The last line of a complete reply, or NULL while it is incomplete. */
static const char *smtp_reply_end(const struct probe_smtp *s, size_t *line_len)
{
	const char *line = s->in, *end = s->in + s->in_len;

	for (;;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));

		if (!nl)
			return NULL;
		if (nl - line < 4 || line[3] != '-') {
			*line_len = (size_t)(nl - line);
			return line;
		}
		line = nl + 1;
	}
}

static void smtp_quote(const char *s, size_t len, char *out, size_t out_len)
{
	size_t k = 0;

	for (size_t i = 0; i < len && k + 1 < out_len && i < 60; i++)
		if (s[i] != '\r')
			out[k++] = isprint((unsigned char)s[i]) ? s[i] : '?';
	out[k] = '\0';
}

static void smtp_reply(struct probe_smtp *s, const char *line, size_t len)
{
	int want = smtp_steps[s->step].want, code = -1;
	const char *helo;
	char q[64], cmd[280];

	if (len >= 3 && isdigit((unsigned char)line[0]) && isdigit((unsigned char)line[1]) &&
	    isdigit((unsigned char)line[2]))
		code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	smtp_quote(line, len, q, sizeof(q));
	if (code < 0) {
		probe_down(&s->p, "invalid %s '%s'", smtp_steps[s->step].name, q);
		return;
	}
	if (want && code != want) {
		probe_down(&s->p, "%s '%s', expected %d", smtp_steps[s->step].name, q, want);
		return;
	}
	switch (s->step) {
	case SMTP_BANNER:
		helo = s->p.t.ck->smtp.helo_name ? s->p.t.ck->smtp.helo_name : SMTP_DEFAULT_HELO;
		snprintf(cmd, sizeof(cmd), "HELO %s", helo);
		smtp_next(s, SMTP_HELO, cmd);
		return;
	case SMTP_HELO:
		smtp_next(s, SMTP_QUIT, "QUIT");
		return;
	default:
		probe_up(&s->p, "SMTP banner 220, HELO 250, QUIT %d", code);
		return;
	}
}

static void smtp_write(struct probe_smtp *s)
{
	while (s->out_off < s->out_len) {
		ssize_t n = send(s->fd, s->out + s->out_off, s->out_len - s->out_off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				probe_down_errno(&s->p, "sending", errno);
			return;
		}
		s->out_off += (size_t)n;
	}
	smtp_want(s, EPOLLIN);
}

static void smtp_read(struct probe_smtp *s)
{
	const char *line;
	size_t len;
	ssize_t n;

	n = recv(s->fd, s->in + s->in_len, sizeof(s->in) - s->in_len, 0);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			probe_down_errno(&s->p, smtp_steps[s->step].name, errno);
		return;
	}
	if (n == 0) {
		s->eof = true;
		probe_down(&s->p, "connection closed %s", s->p.phase);
		return;
	}
	s->in_len += (size_t)n;
	line = smtp_reply_end(s, &len);
	if (line) {
		smtp_reply(s, line, len);
		return;
	}
	if (s->in_len == sizeof(s->in))
		probe_down(&s->p, "%s longer than %u bytes", smtp_steps[s->step].name,
			   SMTP_REPLY_MAX);
}

static void smtp_io(struct loop_fd *w, int fd, uint32_t events, void *arg)
{
	struct probe_smtp *s = arg;
	char e[96];
	int err;

	(void)w;
	(void)events;
	if (s->step == SMTP_CONNECTING) {
		err = probe_socket_error(fd);
		if (err)
			probe_down(&s->p, "%s", probe_strerror(err, e, sizeof(e)));
		else
			smtp_next(s, SMTP_BANNER, NULL);
		return;
	}
	if (s->out_off < s->out_len)
		smtp_write(s);
	else
		smtp_read(s);
}

static int smtp_start(struct probe *p)
{
	struct probe_smtp *s = (struct probe_smtp *)p;
	bool in_progress;
	int fd;

	s->fd = -1;
	fd = probe_socket_connect(p, SOCK_STREAM, IPPROTO_TCP, &in_progress);
	if (fd < 0)
		return 0;
	s->fd = fd;
	s->step = SMTP_CONNECTING;
	p->phase = smtp_steps[SMTP_CONNECTING].phase;
	if (!in_progress)
		smtp_next(s, SMTP_BANNER, NULL);
	else
		smtp_want(s, EPOLLOUT);
	return 0;
}

const struct probe_ops probe_smtp_ops = {
	.size = sizeof(struct probe_smtp),
	.needs = PROBE_NEEDS_ADDR | PROBE_NEEDS_PORT,
	.start = smtp_start,
	.release = smtp_release,
};
