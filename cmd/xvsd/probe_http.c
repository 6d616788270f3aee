// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* HTTP_GET and SSL_GET (keepalived's check_http/check_ssl): per url one
 * connection, keepalived's request
 *
 *   GET PATH HTTP/1.0|1.1 / User-Agent: KeepAliveClient /
 *   [Connection: close (1.0C, 1.1)] / Host: VHOST or ADDR:PORT
 *
 * then the reply is read to its end (EOF, or Content-Length bytes of body)
 * and checked: the status against status_code (default 200-299), the MD5
 * of the body against digest (up to Content-Length, like genhash), the body
 * against regex (PCRE2, regex_no_match, regex_min/max_offset). Up when
 * every url checked passes.
 *
 * Bounds: the header may be 16 KiB and the body 16 MiB (longer is down);
 * the regex sees the first 1 MiB of the body, the digest all of it
 * (streamed); each url has connect_timeout for the whole exchange, so a
 * server that answers nothing or trickles is cut there (keepalived resets
 * its timer on every read).
 *
 * SSL_GET: OpenSSL, non-blocking handshake on the loop, SNI (enable_sni:
 * sni_name, else the virtualhost) unless the name is an address literal;
 * the server certificate is verified only when the SSL block names a CA;
 * without tls_compliant a close without close_notify is accepted, as
 * keepalived always did. */
#define _GNU_SOURCE /* asprintf */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pcre2.h>

#include "probe_int.h"

#define HTTP_HEADER_MAX	       (16u << 10)
#define HTTP_BODY_KEPT_MAX     (1u << 20)  /* what regex sees */
#define HTTP_BODY_MAX	       (16u << 20) /* a health page is never that long */
#define HTTP_READ_CHUNK	       (16u << 10) /* = a TLS record: SSL_read drains one */
#define HTTP_READS_PER_EVENT   8	   /* then let other fds have the loop */
#define HTTP_REGEX_MATCH_LIMIT 1000000	   /* PCRE2 backtracking bound */

enum http_state { H_CONNECTING, H_HANDSHAKE, H_SENDING, H_RECEIVING };

struct probe_http {
	struct probe p;
	bool tls;
	bool single;  /* the daemon named one url */
	size_t url_i; /* walking them all: the current one */
	size_t urls_ok;
	const struct conf_url *url;
	int last_status;
	/* the current url's exchange */
	enum http_state state;
	int fd;
	struct loop_fd *w;
	uint32_t events;
	struct loop_timer *more; /* TLS data already decrypted, no fd event to come */
	SSL *ssl;
	char *req;
	size_t req_len, req_off;
	char *hdr;
	size_t hdr_len;
	bool hdr_done, eof;
	int status;
	int64_t content_length; /* -1: not given */
	uint64_t body_len;
	EVP_MD_CTX *md5;
	char *body;
	size_t body_kept, body_cap;
};

static void http_io(struct loop_fd *w, int fd, uint32_t events, void *arg);
static void http_url_begin(struct probe_http *h, const struct conf_url *u);

/* ---- compiled regexes, shared by every url with the same pattern */

struct regex_entry {
	struct regex_entry *next;
	char *pattern;
	pcre2_code *code; /* NULL: error says why */
	char error[128];
};

static struct regex_entry *regexes;
static pcre2_match_context *regex_mctx;

static const struct regex_entry *regex_get(const char *pattern)
{
	struct regex_entry *e;
	PCRE2_SIZE off;
	PCRE2_UCHAR msg[96];
	int errnum;

	for (e = regexes; e; e = e->next)
		if (!strcmp(e->pattern, pattern))
			return e;
	if (!regex_mctx) {
		regex_mctx = pcre2_match_context_create(NULL);
		if (!regex_mctx)
			return NULL;
		pcre2_set_match_limit(regex_mctx, HTTP_REGEX_MATCH_LIMIT);
	}
	e = calloc(1, sizeof(*e));
	if (!e || !(e->pattern = strdup(pattern))) {
		free(e);
		return NULL;
	}
	e->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &errnum, &off, NULL);
	if (!e->code) {
		pcre2_get_error_message(errnum, msg, sizeof(msg));
		snprintf(e->error, sizeof(e->error), "invalid regex at offset %zu: %s", (size_t)off,
			 (const char *)msg);
	}
	e->next = regexes;
	regexes = e;
	return e;
}

void probe_http_regex_free(void)
{
	while (regexes) {
		struct regex_entry *e = regexes;

		regexes = e->next;
		pcre2_code_free(e->code);
		free(e->pattern);
		free(e);
	}
	pcre2_match_context_free(regex_mctx);
	regex_mctx = NULL;
}

/* ---- results */

static void http_fail(struct probe_http *h, bool unchecked, const char *fmt, va_list ap)
{
	char why[128];

	vsnprintf(why, sizeof(why), fmt, ap);
	h->p.r.failed_url = h->url;
	if (unchecked)
		probe_unchecked(&h->p, "%s (url %s)", why, h->url->path);
	else
		probe_down(&h->p, "%s (url %s)", why, h->url->path);
}

static void http_down(struct probe_http *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void http_unchecked(struct probe_http *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void http_down(struct probe_http *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	http_fail(h, false, fmt, ap);
	va_end(ap);
}

static void http_unchecked(struct probe_http *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	http_fail(h, true, fmt, ap);
	va_end(ap);
}

static void http_down_errno(struct probe_http *h, const char *what, int err)
{
	char e[96];

	http_down(h, "%s: %s", what, probe_strerror(err, e, sizeof(e)));
}

/* ---- one url's connection */

static void http_conn_release(struct probe_http *h)
{
	loop_fd_cancel(h->w);
	h->w = NULL;
	loop_timer_cancel(h->more);
	h->more = NULL;
	if (h->ssl) {
		if (h->eof) {
			SSL_shutdown(h->ssl); /* our close_notify, best effort */
			ERR_clear_error();
		}
		SSL_free(h->ssl); /* the fd is ours, not the BIO's */
		h->ssl = NULL;
	}
	/* a reply read to its end leaves the server to close first; one we
	 * stop reading is reset, leaving no TIME_WAIT here */
	probe_socket_close(h->fd, !h->eof);
	h->fd = -1;
	EVP_MD_CTX_free(h->md5);
	h->md5 = NULL;
	free(h->req);
	free(h->hdr);
	free(h->body);
	h->req = h->hdr = h->body = NULL;
}

static void http_release(struct probe *p)
{
	http_conn_release((struct probe_http *)p);
}

static bool http_want(struct probe_http *h, uint32_t events)
{
	char e[96];
	int err;

	if (h->w && h->events == events)
		return true;
	err = h->w ? loop_fd_mod(h->w, events)
		   : loop_fd_add(h->p.l, h->fd, events, http_io, h, &h->w);
	if (err) {
		http_unchecked(h, "event loop: %s", probe_strerror(-err, e, sizeof(e)));
		return false;
	}
	h->events = events;
	return true;
}

/* The reason OpenSSL gives for the last failure, with the certificate
 * verification result when that was it. */
static void tls_fail(struct probe_http *h, int sslerr, const char *what)
{
	int saved = errno;
	unsigned long e = ERR_peek_error(); /* the cause; the rest echo it */
	const char *reason = e ? ERR_reason_error_string(e) : NULL;
	int ssl_reason = e && ERR_GET_LIB(e) == ERR_LIB_SSL ? ERR_GET_REASON(e) : 0;
	long verify = SSL_get_verify_result(h->ssl);

	ERR_clear_error();
	if (sslerr == SSL_ERROR_SYSCALL && !e) {
		if (saved)
			http_down_errno(h, what, saved);
		else
			http_down(h, "%s: connection closed by the server", what);
		return;
	}
	if (ssl_reason == SSL_R_CERTIFICATE_VERIFY_FAILED && verify != X509_V_OK) {
		http_down(h, "%s: certificate verify failed (%s)", what,
			  X509_verify_cert_error_string(verify));
		return;
	}
	if (ssl_reason == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
		http_down(h, "%s: connection closed without close_notify (tls_compliant)", what);
		return;
	}
	http_down(h, "%s: %s", what, reason ? reason : "failed");
}

/* After an SSL call returned ret <= 0: waits for what it needs (true) or
 * reports the failure (false). */
static bool tls_wait(struct probe_http *h, int ret, const char *what)
{
	int e = SSL_get_error(h->ssl, ret);

	if (e == SSL_ERROR_WANT_READ)
		return http_want(h, EPOLLIN);
	if (e == SSL_ERROR_WANT_WRITE)
		return http_want(h, EPOLLOUT);
	tls_fail(h, e, what);
	return false;
}

static bool is_address_literal(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static const char *http_vhost(const struct probe_http *h)
{
	return h->url->virtualhost ? h->url->virtualhost : h->p.t.virtualhost;
}

static bool http_build_request(struct probe_http *h)
{
	const struct conf_check_http *cfg = &h->p.t.ck->http;
	const char *vhost = http_vhost(h);
	char host[INET6_ADDRSTRLEN + 8];
	int n;

	if (!vhost)
		vhost = probe_fmt_target(&h->p.t, host, sizeof(host));
	n = asprintf(&h->req,
		     "GET %s HTTP/1.%d\r\n"
		     "User-Agent: KeepAliveClient\r\n"
		     "%s"
		     "Host: %s\r\n\r\n",
		     h->url->path, cfg->http_protocol == 11 ? 1 : 0,
		     cfg->http_protocol == 10 ? "" : "Connection: close\r\n", vhost);
	if (n < 0) {
		h->req = NULL;
		return false;
	}
	h->req_len = (size_t)n;
	return true;
}

static void http_send(struct probe_http *h)
{
	const struct conf_url *u = h->url;

	while (h->req_off < h->req_len) {
		ssize_t n;

		if (h->tls) {
			int ret;

			ERR_clear_error();
			ret = SSL_write(h->ssl, h->req + h->req_off,
					(int)(h->req_len - h->req_off));
			if (ret <= 0) {
				tls_wait(h, ret, "TLS write");
				return;
			}
			n = ret;
		} else {
			n = send(h->fd, h->req + h->req_off, h->req_len - h->req_off, MSG_NOSIGNAL);
			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR)
					http_want(h, EPOLLOUT);
				else
					http_down_errno(h, "sending the request", errno);
				return;
			}
		}
		h->req_off += (size_t)n;
	}
	h->hdr = malloc(HTTP_HEADER_MAX);
	if (!h->hdr || (u->digest && (!(h->md5 = EVP_MD_CTX_new()) ||
				      !EVP_DigestInit_ex(h->md5, EVP_md5(), NULL)))) {
		http_unchecked(h, "out of memory");
		return;
	}
	h->state = H_RECEIVING;
	h->p.phase = "waiting for the response";
	http_want(h, EPOLLIN);
}

static void http_handshake(struct probe_http *h)
{
	int ret;

	ERR_clear_error();
	ret = SSL_connect(h->ssl);
	if (ret != 1) {
		tls_wait(h, ret, "TLS handshake");
		return;
	}
	h->state = H_SENDING;
	h->p.phase = "sending the request";
	http_send(h);
}

static void http_connected(struct probe_http *h)
{
	const struct conf_check_http *cfg = &h->p.t.ck->http;
	const char *err = NULL, *sni;
	SSL_CTX *ctx;

	if (!h->tls) {
		h->state = H_SENDING;
		h->p.phase = "sending the request";
		http_send(h);
		return;
	}
	ctx = probe_ssl_ctx(&err);
	if (!ctx || !(h->ssl = SSL_new(ctx)) || SSL_set_fd(h->ssl, h->fd) != 1) {
		ERR_clear_error();
		http_unchecked(h, "%s", err ? err : "cannot create the TLS session");
		return;
	}
	SSL_set_connect_state(h->ssl);
	if (!cfg->tls_compliant)
		SSL_set_options(h->ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);
	sni = cfg->sni_name ? cfg->sni_name : http_vhost(h);
	if (cfg->enable_sni && sni && !is_address_literal(sni) &&
	    SSL_set_tlsext_host_name(h->ssl, sni) != 1) {
		ERR_clear_error();
		http_down(h, "invalid SNI name '%s'", sni);
		return;
	}
	h->state = H_HANDSHAKE;
	h->p.phase = "in the TLS handshake";
	http_handshake(h);
}

/* ---- the reply */

static size_t header_end(const char *b, size_t from, size_t len)
{
	for (size_t i = from; i < len; i++) {
		if (b[i] != '\n')
			continue;
		if (i + 1 < len && b[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && b[i + 1] == '\r' && b[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* A status line for a log: printable, short. */
static void quote_line(const char *s, size_t len, char *out, size_t out_len)
{
	size_t k = 0;

	for (size_t i = 0; i < len && s[i] != '\r' && s[i] != '\n' && k + 1 < out_len && i < 40;
	     i++)
		out[k++] = isprint((unsigned char)s[i]) ? s[i] : '?';
	out[k] = '\0';
}

/* "HTTP/x.y NNN ..." and the Content-Length header. */
static bool http_parse_header(struct probe_http *h, size_t end)
{
	const char *b = h->hdr, *line, *eol;
	char q[48];
	bool chunked = false;

	h->content_length = -1;
	if (end < 12 || memcmp(b, "HTTP/", 5))
		goto bad;
	line = memchr(b, ' ', end);
	if (!line || line + 4 > b + end || !isdigit((unsigned char)line[1]) ||
	    !isdigit((unsigned char)line[2]) || !isdigit((unsigned char)line[3]) ||
	    (line[4] != ' ' && line[4] != '\r' && line[4] != '\n'))
		goto bad;
	h->status = (line[1] - '0') * 100 + (line[2] - '0') * 10 + (line[3] - '0');
	for (line = memchr(b, '\n', end); line && line + 1 < b + end; line = eol) {
		line++;
		eol = memchr(line, '\n', (size_t)(b + end - line));
		if (!eol)
			break;
		if ((size_t)(eol - line) > 15 && !strncasecmp(line, "content-length:", 15)) {
			const char *v = line + 15;
			int64_t n = 0;

			while (*v == ' ' || *v == '\t')
				v++;
			if (!isdigit((unsigned char)*v))
				continue;
			for (; isdigit((unsigned char)*v) && n < INT64_MAX / 10 - 10; v++)
				n = n * 10 + (*v - '0');
			h->content_length = n;
		} else if ((size_t)(eol - line) > 18 &&
			   !strncasecmp(line, "transfer-encoding:", 18)) {
			chunked = true;
		}
	}
	/* a chunked body ends at EOF (we asked for Connection: close); its
	 * digest covers the chunk framing, as keepalived's and genhash's do */
	if (chunked)
		h->content_length = -1;
	return true;
bad:
	quote_line(b, end, q, sizeof(q));
	http_down(h, "invalid HTTP status line '%s'", q);
	return false;
}

static bool status_wanted(const struct conf_url *u, int status)
{
	if (!u->n_status)
		return status >= 200 && status <= 299;
	for (size_t i = 0; i < u->n_status; i++)
		if (status >= u->status[i].lo && status <= u->status[i].hi)
			return true;
	return false;
}

static const char *status_ranges(const struct conf_url *u, char *buf, size_t len)
{
	size_t k = 0;

	if (!u->n_status) {
		snprintf(buf, len, "200-299");
		return buf;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < u->n_status && k < len; i++) {
		const struct conf_status_range *r = &u->status[i];
		int n = r->lo == r->hi
				? snprintf(buf + k, len - k, "%s%u", i ? " " : "", r->lo)
				: snprintf(buf + k, len - k, "%s%u-%u", i ? " " : "", r->lo, r->hi);

		k += n > 0 ? (size_t)n : 0;
	}
	return buf;
}

/* true when the match decides for up */
static bool http_check_regex(struct probe_http *h, char *why, size_t why_len)
{
	static const char empty[1];
	const struct conf_url *u = h->url;
	const struct regex_entry *re = regex_get(u->regex);
	pcre2_match_data *md;
	bool matched = false;
	int rc;

	if (!re || !re->code) {
		snprintf(why, why_len, "%s", re ? re->error : "out of memory");
		return false;
	}
	md = pcre2_match_data_create_from_pattern(re->code, NULL);
	if (!md) {
		snprintf(why, why_len, "out of memory");
		return false;
	}
	rc = u->regex_min_offset > h->body_kept
		     ? PCRE2_ERROR_NOMATCH
		     : pcre2_match(re->code, (PCRE2_SPTR)(h->body ? h->body : empty), h->body_kept,
				   u->regex_min_offset, 0, md, regex_mctx);
	if (rc >= 0) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);

		matched = !u->regex_max_offset || ov[0] <= u->regex_max_offset;
	}
	pcre2_match_data_free(md);
	if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
		PCRE2_UCHAR msg[96];

		pcre2_get_error_message(rc, msg, sizeof(msg));
		snprintf(why, why_len, "regex: %s", (const char *)msg);
		return false;
	}
	if (matched == u->regex_no_match) {
		snprintf(why, why_len,
			 matched ? "regex matched (regex_no_match)" : "regex not matched");
		return false;
	}
	return true;
}

static void http_url_passed(struct probe_http *h)
{
	const struct conf_check_http *cfg = &h->p.t.ck->http;
	const struct conf_url *u = h->url;

	h->urls_ok++;
	h->last_status = h->status;
	if (!h->single && h->url_i + 1 < cfg->n_urls) {
		http_conn_release(h);
		http_url_begin(h, cfg->urls[++h->url_i]);
		return;
	}
	h->p.r.failed_url = NULL;
	if (h->urls_ok > 1)
		probe_up(&h->p, "%zu urls: HTTP status %d (last url %s)", h->urls_ok, h->status,
			 u->path);
	else
		probe_up(&h->p, "HTTP status %d%s%s (url %s)", h->status,
			 u->digest ? ", digest ok" : "",
			 !u->regex	     ? ""
			 : u->regex_no_match ? ", regex not matched"
					     : ", regex matched",
			 u->path);
}

static void http_evaluate(struct probe_http *h)
{
	const struct conf_url *u = h->url;
	char why[128];

	if (!h->hdr_done) {
		if (!h->hdr_len)
			http_down(h, "no data received");
		else
			http_down(h, "reply ended inside the HTTP header (%zu bytes)", h->hdr_len);
		return;
	}
	if (!status_wanted(u, h->status)) {
		char r[64];

		http_down(h, "HTTP status %d not in %s", h->status, status_ranges(u, r, sizeof(r)));
		return;
	}
	if (u->digest) {
		unsigned char md[EVP_MAX_MD_SIZE];
		char hex[2 * EVP_MAX_MD_SIZE + 1];
		unsigned int n = 0;

		EVP_DigestFinal_ex(h->md5, md, &n);
		for (unsigned int i = 0; i < n; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
		hex[2 * n] = '\0';
		if (strcmp(hex, u->digest)) {
			http_down(h, "digest mismatch: got %s", hex);
			return;
		}
	}
	if (u->regex && !http_check_regex(h, why, sizeof(why))) {
		http_down(h, "%s", why);
		return;
	}
	http_url_passed(h);
}

/* Body bytes: streamed into the digest (up to Content-Length), the first
 * HTTP_BODY_KEPT_MAX kept for the regex. false: done with this reply
 * (evaluated or failed). */
static bool http_body(struct probe_http *h, const char *data, size_t n)
{
	const struct conf_url *u = h->url;

	if (h->md5 && n) {
		size_t d = n;

		if (h->content_length >= 0)
			d = h->body_len >= (uint64_t)h->content_length ? 0
			    : (uint64_t)h->content_length - h->body_len < n
				    ? (size_t)((uint64_t)h->content_length - h->body_len)
				    : n;
		if (d)
			EVP_DigestUpdate(h->md5, data, d);
	}
	if (u->regex && h->body_kept < HTTP_BODY_KEPT_MAX && n) {
		size_t take = HTTP_BODY_KEPT_MAX - h->body_kept < n
				      ? HTTP_BODY_KEPT_MAX - h->body_kept
				      : n;

		if (h->body_kept + take > h->body_cap) {
			size_t cap = h->body_cap ? h->body_cap : 4096;
			char *b;

			while (cap < h->body_kept + take)
				cap *= 2;
			if (cap > HTTP_BODY_KEPT_MAX)
				cap = HTTP_BODY_KEPT_MAX;
			b = realloc(h->body, cap);
			if (!b) {
				http_unchecked(h, "out of memory");
				return false;
			}
			h->body = b;
			h->body_cap = cap;
		}
		memcpy(h->body + h->body_kept, data, take);
		h->body_kept += take;
	}
	h->body_len += n;
	if (h->body_len > HTTP_BODY_MAX) {
		http_down(h, "response body longer than %u MiB", HTTP_BODY_MAX >> 20);
		return false;
	}
	if (h->content_length >= 0 && h->body_len >= (uint64_t)h->content_length) {
		http_evaluate(h);
		return false;
	}
	return true;
}

static bool http_consume(struct probe_http *h, const char *data, size_t n)
{
	if (!h->hdr_done) {
		size_t room = HTTP_HEADER_MAX - h->hdr_len, take = n < room ? n : room;
		size_t from = h->hdr_len > 3 ? h->hdr_len - 3 : 0, end;

		memcpy(h->hdr + h->hdr_len, data, take);
		h->hdr_len += take;
		end = header_end(h->hdr, from, h->hdr_len);
		if (!end) {
			if (h->hdr_len == HTTP_HEADER_MAX) {
				http_down(h, "HTTP header longer than %u KiB",
					  HTTP_HEADER_MAX >> 10);
				return false;
			}
			return true;
		}
		h->hdr_done = true;
		if (!http_parse_header(h, end))
			return false;
		h->p.phase = "reading the response";
		if (!http_body(h, h->hdr + end, h->hdr_len - end))
			return false;
		data += take;
		n -= take;
	}
	return n ? http_body(h, data, n) : true;
}

static void http_more_cb(struct loop_timer *t, void *arg);

static void http_recv(struct probe_http *h)
{
	char buf[HTTP_READ_CHUNK];

	for (int round = 0; round < HTTP_READS_PER_EVENT; round++) {
		ssize_t n;

		if (h->tls) {
			int ret, e;

			ERR_clear_error();
			ret = SSL_read(h->ssl, buf, sizeof(buf));
			if (ret <= 0) {
				e = SSL_get_error(h->ssl, ret);
				if (e == SSL_ERROR_ZERO_RETURN) {
					h->eof = true;
					http_evaluate(h);
				} else {
					tls_wait(h, ret, "TLS read");
				}
				return;
			}
			n = ret;
		} else {
			n = recv(h->fd, buf, sizeof(buf), 0);
			if (n == 0) {
				h->eof = true;
				http_evaluate(h);
				return;
			}
			if (n < 0) {
				if (errno != EAGAIN && errno != EINTR)
					http_down_errno(h, "reading the response", errno);
				return;
			}
		}
		if (!http_consume(h, buf, (size_t)n))
			return;
	}
	/* decrypted bytes OpenSSL already holds raise no fd event */
	if (h->tls && SSL_pending(h->ssl) > 0 && !h->more &&
	    loop_timer_add(h->p.l, 0, http_more_cb, h, &h->more))
		http_unchecked(h, "cannot arm a timer");
}

static void http_more_cb(struct loop_timer *t, void *arg)
{
	struct probe_http *h = arg;

	(void)t;
	h->more = NULL;
	http_recv(h);
}

static void http_io(struct loop_fd *w, int fd, uint32_t events, void *arg)
{
	struct probe_http *h = arg;
	char e[96];
	int err;

	(void)w;
	(void)events;
	switch (h->state) {
	case H_CONNECTING:
		err = probe_socket_error(fd);
		if (err) {
			http_down(h, "%s", probe_strerror(err, e, sizeof(e)));
			return;
		}
		http_connected(h);
		return;
	case H_HANDSHAKE:
		http_handshake(h);
		return;
	case H_SENDING:
		http_send(h);
		return;
	case H_RECEIVING:
		http_recv(h);
		return;
	}
}

static void http_url_begin(struct probe_http *h, const struct conf_url *u)
{
	bool in_progress;
	int fd;

	*h = (struct probe_http){.p = h->p,
				 .tls = h->tls,
				 .single = h->single,
				 .url_i = h->url_i,
				 .urls_ok = h->urls_ok,
				 .fd = -1,
				 .last_status = h->last_status,
				 .url = u};
	h->p.r.failed_url = u; /* until it passes: also for a failed connect */
	if (!probe_deadline_restart(&h->p, h->p.t.ck->eff.connect_timeout_us
						   ? h->p.t.ck->eff.connect_timeout_us
						   : CONF_DEFAULT_CONNECT_TIMEOUT_US))
		return;
	if (!http_build_request(h)) {
		http_unchecked(h, "out of memory");
		return;
	}
	h->p.phase = "connecting";
	fd = probe_socket_connect(&h->p, SOCK_STREAM, IPPROTO_TCP, &in_progress);
	if (fd < 0)
		return; /* reported */
	h->fd = fd;
	h->state = H_CONNECTING;
	if (!in_progress) {
		http_connected(h);
		return;
	}
	http_want(h, EPOLLOUT);
}

static void http_expired(struct probe *p)
{
	struct probe_http *h = (struct probe_http *)p;
	char d[32];

	if (h->state == H_RECEIVING && (h->hdr_len || h->body_len))
		http_down(h, "timeout after %s reading the response (%llu bytes)",
			  probe_fmt_duration(p->deadline_len_us, d, sizeof(d)),
			  (unsigned long long)(h->hdr_len + h->body_len));
	else
		http_down(h, "timeout after %s %s",
			  probe_fmt_duration(p->deadline_len_us, d, sizeof(d)), p->phase);
}

static int http_start_common(struct probe *p, bool tls)
{
	struct probe_http *h = (struct probe_http *)p;
	const struct conf_check_http *cfg = &p->t.ck->http;

	if (!p->t.url && !cfg->n_urls)
		return -EINVAL; /* keepalived drops a checker without urls */
	h->tls = tls;
	h->fd = -1;
	h->single = p->t.url != NULL;
	http_url_begin(h, h->single ? p->t.url : cfg->urls[0]);
	return 0;
}

static int http_start(struct probe *p)
{
	return http_start_common(p, false);
}

static int ssl_start(struct probe *p)
{
	return http_start_common(p, true);
}

const struct probe_ops probe_http_ops = {
	.size = sizeof(struct probe_http),
	.needs = PROBE_NEEDS_ADDR | PROBE_NEEDS_PORT,
	.start = http_start,
	.release = http_release,
	.expired = http_expired,
};

const struct probe_ops probe_ssl_ops = {
	.size = sizeof(struct probe_http),
	.needs = PROBE_NEEDS_ADDR | PROBE_NEEDS_PORT,
	.start = ssl_start,
	.release = http_release,
	.expired = http_expired,
};
