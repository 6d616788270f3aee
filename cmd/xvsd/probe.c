// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsd probes: the checker table (one const ops per keyword, the way
 * keepalived registers checkers), the life of one attempt (deadline,
 * exactly one result, cleanup), the socket helpers the network checkers
 * share, and the global settings (SSL context, script user). */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "probe_int.h"

static const struct probe_ops *const probe_kinds[CONF_CHECK_KIND_MAX] = {
	[CONF_CHECK_TCP] = &probe_tcp_ops,
	[CONF_CHECK_HTTP] = &probe_http_ops,
	[CONF_CHECK_SSL] = &probe_ssl_ops,
	[CONF_CHECK_MISC] = &probe_misc_ops,
	[CONF_CHECK_UDP] = &probe_udp_ops,
	[CONF_CHECK_DNS] = &probe_dns_ops,
	[CONF_CHECK_SMTP] = &probe_smtp_ops,
	[CONF_CHECK_PING] = &probe_ping_ops,
	[CONF_CHECK_FILE] = &probe_file_ops,
	/* BFD_CHECK belongs to keepalived's BFD process; xvsd runs none. */
	[CONF_CHECK_BFD] = NULL,
};

/* ---- the life of an attempt */

static void deliver(struct probe *p)
{
	loop_timer_cancel(p->deadline);
	loop_timer_cancel(p->report);
	p->deadline = p->report = NULL;
	p->delivering = true;
	p->done(p, &p->r, p->arg);
	free(p);
}

static void report_cb(struct loop_timer *t, void *arg)
{
	struct probe *p = arg;

	(void)t;
	p->report = NULL;
	deliver(p);
}

static void finish(struct probe *p, bool up, bool unchecked, const char *fmt, va_list ap)
{
	if (p->finished)
		return;
	p->finished = true;
	p->r.up = up;
	p->r.unchecked = unchecked;
	vsnprintf(p->r.detail, sizeof(p->r.detail), fmt, ap);
	p->ops->release(p);
	if (!p->starting) /* else probe_start delivers it on the next turn */
		deliver(p);
}

void probe_up(struct probe *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	finish(p, true, false, fmt, ap);
	va_end(ap);
}

void probe_down(struct probe *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	finish(p, false, false, fmt, ap);
	va_end(ap);
}

void probe_unchecked(struct probe *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	finish(p, false, true, fmt, ap);
	va_end(ap);
}

void probe_down_errno(struct probe *p, const char *what, int err)
{
	char e[96];

	probe_down(p, "%s: %s", what, probe_strerror(err, e, sizeof(e)));
}

static void deadline_cb(struct loop_timer *t, void *arg)
{
	struct probe *p = arg;
	char d[32];

	(void)t;
	p->deadline = NULL;
	if (p->ops->expired) {
		p->ops->expired(p);
		return;
	}
	probe_down(p, "timeout after %s%s%s", probe_fmt_duration(p->deadline_len_us, d, sizeof(d)),
		   *p->phase ? " " : "", p->phase);
}

bool probe_deadline_restart(struct probe *p, uint64_t len_us)
{
	int err;

	loop_timer_cancel(p->deadline);
	p->deadline = NULL;
	err = loop_timer_add(p->l, len_us, deadline_cb, p, &p->deadline);
	if (err) {
		probe_unchecked(p, "cannot arm a timer: %s", strerror(-err));
		return false;
	}
	p->deadline_len_us = len_us;
	return true;
}

/* Writes to a peer that has gone (a TLS alert, a half-sent request) must
 * fail with EPIPE, not end the daemon: OpenSSL writes with write(2). */
static void ignore_sigpipe_once(void)
{
	static bool done;
	struct sigaction sa;

	if (done)
		return;
	done = true;
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
		signal(SIGPIPE, SIG_IGN);
}

int probe_start(struct loop *l, const struct probe_target *t, probe_done_cb done, void *arg,
		struct probe **out)
{
	const struct probe_ops *ops;
	struct probe *p;
	uint64_t len;
	int err;

	if (!l || !t || !t->ck || !done || (unsigned)t->ck->kind >= CONF_CHECK_KIND_MAX)
		return -EINVAL;
	ops = probe_kinds[t->ck->kind];
	if (!ops)
		return -EOPNOTSUPP;
	if ((ops->needs & PROBE_NEEDS_ADDR) && t->addr.family != AF_INET &&
	    t->addr.family != AF_INET6)
		return -EINVAL;
	if ((ops->needs & PROBE_NEEDS_PORT) && !t->port)
		return -EINVAL;
	ignore_sigpipe_once();
	p = calloc(1, ops->size);
	if (!p)
		return -ENOMEM;
	*p = (struct probe){.ops = ops, .l = l, .t = *t, .done = done, .arg = arg, .phase = ""};
	p->r.weight = -1;
	len = ops->timeout_us ? ops->timeout_us(t) : t->ck->eff.connect_timeout_us;
	if (!len)
		len = CONF_DEFAULT_CONNECT_TIMEOUT_US;
	err = loop_timer_add(l, len, deadline_cb, p, &p->deadline);
	if (err) {
		free(p);
		return err;
	}
	p->deadline_len_us = len;
	p->starting = true;
	err = ops->start(p);
	p->starting = false;
	if (err) {
		loop_timer_cancel(p->deadline);
		free(p);
		return err;
	}
	if (p->finished) {
		loop_timer_cancel(p->deadline);
		p->deadline = NULL;
		err = loop_timer_add(l, 0, report_cb, p, &p->report);
		if (err) {
			free(p);
			return err;
		}
	}
	if (out)
		*out = p;
	return 0;
}

void probe_cancel(struct probe *p)
{
	if (!p || p->delivering)
		return;
	if (!p->finished) {
		p->finished = true;
		p->ops->release(p);
	}
	loop_timer_cancel(p->deadline);
	loop_timer_cancel(p->report);
	free(p);
}

/* ---- formatting */

const char *probe_strerror(int err, char *buf, size_t len)
{
	snprintf(buf, len, "%s", strerror(err));
	/* keepalived's and our log style: "connection refused" */
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

const char *probe_fmt_duration(uint64_t us, char *buf, size_t len)
{
	if (us >= 1000000 && us % 100000 == 0) {
		if (us % 1000000 == 0)
			snprintf(buf, len, "%llu s", (unsigned long long)(us / 1000000));
		else
			snprintf(buf, len, "%llu.%llu s", (unsigned long long)(us / 1000000),
				 (unsigned long long)(us % 1000000 / 100000));
	} else if (us >= 1000) {
		snprintf(buf, len, "%llu ms", (unsigned long long)(us / 1000));
	} else {
		snprintf(buf, len, "%llu us", (unsigned long long)us);
	}
	return buf;
}

/* ---- sockets */

socklen_t probe_sockaddr(const struct probe_target *t, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (t->addr.family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = t->addr.u.v6;
		s6->sin6_port = htons(t->port);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_addr = t->addr.u.v4;
	s4->sin_port = htons(t->port);
	return sizeof(*s4);
}

const char *probe_fmt_target(const struct probe_target *t, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(t->addr.family, &t->addr.u, a, sizeof(a));
	snprintf(buf, len, t->addr.family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, t->port);
	return buf;
}

/* Errors of connect(2) that say nothing about the server: we could not
 * even send (no local port, no buffer). */
static bool connect_error_is_local(int err)
{
	return err == EADDRNOTAVAIL || err == EAGAIN || err == ENOBUFS || err == ENOMEM ||
	       err == EMFILE || err == ENFILE;
}

static bool bind_source(struct probe *p, int fd)
{
	const struct conf_checker *ck = p->t.ck;
	struct probe_target src = {.addr = ck->bindto, .port = ck->bind_port};
	struct sockaddr_storage ss;
	char e[96], a[64];
	int one = 1;

	if (!ck->bindto.family && !ck->bind_port)
		return true;
	if (!src.addr.family) {
		src.addr.family = p->t.addr.family; /* the wildcard address */
	} else if (src.addr.family != p->t.addr.family) {
		probe_down(p, "bindto %s is not an %s address like the target",
			   inet_ntop(src.addr.family, &src.addr.u, a, sizeof(a)) ? a : "?",
			   p->t.addr.family == AF_INET ? "IPv4" : "IPv6");
		return false;
	}
	/* a fixed source port comes back every delay_loop: let a socket of
	 * the previous check that lingers in TIME_WAIT not block it */
	if (ck->bind_port)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, probe_sockaddr(&src, &ss)) < 0) {
		int err = errno;

		probe_unchecked(p, "bind to %s: %s", probe_fmt_target(&src, a, sizeof(a)),
				probe_strerror(err, e, sizeof(e)));
		return false;
	}
	return true;
}

int probe_socket_connect(struct probe *p, int type, int protocol, bool *in_progress)
{
	char e[96];
	int fd, err;

	fd = socket(p->t.addr.family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
	if (fd < 0) {
		err = errno;
		probe_unchecked(p, "socket: %s", probe_strerror(err, e, sizeof(e)));
		return -1;
	}
	return probe_socket_prepare(p, fd, in_progress);
}

int probe_socket_prepare(struct probe *p, int fd, bool *in_progress)
{
	const struct conf_checker *ck = p->t.ck;
	struct sockaddr_storage ss;
	socklen_t sl = probe_sockaddr(&p->t, &ss);
	char e[96];
	int err;

	if (ck->fwmark &&
	    setsockopt(fd, SOL_SOCKET, SO_MARK, &ck->fwmark, sizeof(ck->fwmark)) < 0) {
		err = errno;
		close(fd);
		probe_unchecked(p, "fwmark %u: %s", ck->fwmark, probe_strerror(err, e, sizeof(e)));
		return -1;
	}
	if (ck->bind_if && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ck->bind_if,
				      (socklen_t)strlen(ck->bind_if) + 1) < 0) {
		err = errno;
		close(fd);
		probe_unchecked(p, "bind_if %s: %s", ck->bind_if,
				probe_strerror(err, e, sizeof(e)));
		return -1;
	}
	if (!bind_source(p, fd)) {
		close(fd);
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&ss, sl) == 0) {
		*in_progress = false;
		return fd;
	}
	err = errno;
	if (err == EINPROGRESS) {
		*in_progress = true;
		return fd;
	}
	close(fd);
	if (connect_error_is_local(err))
		probe_unchecked(p, "connect: %s", probe_strerror(err, e, sizeof(e)));
	else
		probe_down(p, "%s", probe_strerror(err, e, sizeof(e)));
	return -1;
}

int probe_socket_error(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return errno;
	return err;
}

const char *probe_dgram_error(int err, char *buf, size_t len)
{
	switch (err) {
	case ECONNREFUSED:
		return "ICMP port unreachable";
	case EHOSTUNREACH:
		return "ICMP host unreachable";
	case ENETUNREACH:
		return "ICMP network unreachable";
	default:
		return probe_strerror(err, buf, len);
	}
}

void probe_random(void *buf, size_t len)
{
	unsigned char *b = buf;
	ssize_t n = getrandom(buf, len, GRND_NONBLOCK);

	for (size_t i = n > 0 ? (size_t)n : 0; i < len; i++)
		b[i] = (unsigned char)random();
}

void probe_socket_close(int fd, bool abortive)
{
	if (fd < 0)
		return;
	if (abortive) {
		struct linger lg = {.l_onoff = 1, .l_linger = 0};

		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(fd);
}

/* ---- global settings */

static struct {
	SSL_CTX *ssl_ctx; /* the SSL { } block's, or the default one */
	char *script_user, *script_group;
	struct probe_script_settings scripts;
	char error[256];
} G;

/* OpenSSL's reason for the failure: the first on the queue is the cause
 * ("no such file or directory", "bad decrypt"), the rest its echoes. */
static void set_ssl_error(const char *what, const char *file)
{
	unsigned long e = ERR_peek_error();
	const char *reason = NULL;
	char buf[96];

	if (e)
		reason = ERR_SYSTEM_ERROR(e) ? probe_strerror(ERR_GET_REASON(e), buf, sizeof(buf))
					     : ERR_reason_error_string(e);
	ERR_clear_error();
	snprintf(G.error, sizeof(G.error), "SSL %s %s: %s", what, file,
		 reason ? reason : "cannot be loaded");
}

static int ssl_password_cb(char *buf, int size, int rwflag, void *userdata)
{
	const char *pw = userdata;
	size_t n = strlen(pw);

	(void)rwflag;
	if (n >= (size_t)size)
		return 0;
	memcpy(buf, pw, n);
	return (int)n;
}

/* keepalived's SSL block: a client certificate and key (with a password)
 * for servers that ask for one, and a CA. keepalived loads the CA but never
 * asks OpenSSL to verify; xvsd verifies the server's chain against it (a
 * CA given is a CA meant to be used). Without a CA nothing is verified. */
static SSL_CTX *ssl_ctx_from_block(const struct conf_global *g)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx) {
		snprintf(G.error, sizeof(G.error), "SSL: cannot create a context");
		return NULL;
	}
	if (g->ssl_password) {
		SSL_CTX_set_default_passwd_cb(ctx, ssl_password_cb);
		SSL_CTX_set_default_passwd_cb_userdata(ctx, g->ssl_password);
	}
	if (g->ssl_certificate &&
	    SSL_CTX_use_certificate_chain_file(ctx, g->ssl_certificate) != 1) {
		set_ssl_error("certificate", g->ssl_certificate);
		goto fail;
	}
	if (g->ssl_key && SSL_CTX_use_PrivateKey_file(ctx, g->ssl_key, SSL_FILETYPE_PEM) != 1) {
		set_ssl_error("key", g->ssl_key);
		goto fail;
	}
	if (g->ssl_certificate && g->ssl_key && SSL_CTX_check_private_key(ctx) != 1) {
		set_ssl_error("key", g->ssl_key);
		goto fail;
	}
	/* the password was only needed to load the key; it lives in the
	 * configuration model, which a reload frees */
	SSL_CTX_set_default_passwd_cb(ctx, NULL);
	SSL_CTX_set_default_passwd_cb_userdata(ctx, NULL);
	if (g->ssl_ca) {
		if (SSL_CTX_load_verify_locations(ctx, g->ssl_ca, NULL) != 1) {
			set_ssl_error("ca", g->ssl_ca);
			goto fail;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

int probe_global_set(const struct conf_global *g)
{
	SSL_CTX *ctx = NULL;
	char *user = NULL, *group = NULL;

	ignore_sigpipe_once();
	G.error[0] = '\0';
	if (g->ssl_set) {
		ctx = ssl_ctx_from_block(g);
		if (!ctx)
			return -EINVAL;
	}
	if ((g->script_user && !(user = strdup(g->script_user))) ||
	    (g->script_group && !(group = strdup(g->script_group)))) {
		free(user);
		SSL_CTX_free(ctx);
		snprintf(G.error, sizeof(G.error), "out of memory");
		return -ENOMEM;
	}
	/* SSL objects in flight hold their own reference to the old one */
	SSL_CTX_free(G.ssl_ctx);
	G.ssl_ctx = ctx;
	free(G.script_user);
	free(G.script_group);
	G.script_user = user;
	G.script_group = group;
	G.scripts = (struct probe_script_settings){user, group, g->enable_script_security};
	return 0;
}

void probe_global_free(void)
{
	SSL_CTX_free(G.ssl_ctx);
	free(G.script_user);
	free(G.script_group);
	memset(&G, 0, sizeof(G));
	probe_http_regex_free();
}

const char *probe_global_error(void)
{
	return G.error;
}

void probe_set_global_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(G.error, sizeof(G.error), fmt, ap);
	va_end(ap);
}

SSL_CTX *probe_ssl_ctx(const char **err)
{
	if (!G.ssl_ctx) {
		/* keepalived's auto-generated context: no certificate, no
		 * verification */
		G.ssl_ctx = SSL_CTX_new(TLS_client_method());
		if (!G.ssl_ctx) {
			*err = "cannot create an SSL context";
			return NULL;
		}
	}
	return G.ssl_ctx;
}

const struct probe_script_settings *probe_script_settings(void)
{
	return &G.scripts;
}
