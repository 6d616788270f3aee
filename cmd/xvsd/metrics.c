// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Prometheus metrics over HTTP (see metrics.h). Data-plane series use the
 * label names of node_exporter's IPVS collector (local_address, local_port,
 * local_mark, proto, remote_address, remote_port), so existing dashboards
 * carry over; checker and daemon series name servers as keepalived does.
 * Rates are per second over the interval since the sample of an earlier
 * scrape at least RATE_MIN_US old (IPVS estimates them in the kernel; here
 * nothing runs between scrapes). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "daemon.h"
#include "log.h"
#include "metrics.h"
#include "names.h"

#define RATE_MIN_US		1000000ULL
#define MHD_CONN_LIMIT		16
#define MHD_CONN_TIMEOUT_S	10

struct metrics {
	struct daemon *d;
	struct MHD_Daemon *mhd;
	struct loop_fd *w;
	struct loop_timer *t;
	/* rate state: the sample rates are computed against, and the last
	 * rates (reused by scrapes closer than RATE_MIN_US to it) */
	struct xvs_svc_info *prev, *rates;
	size_t n_prev, n_rates;
	uint64_t prev_us;
};

/* ---- a growing text buffer ---- */

struct buf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap ? 2 * b->cap : 16384;

		while (cap - b->len <= (size_t)n)
			cap *= 2;
		char *s = realloc(b->s, cap);

		if (!s) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
}

/* Label values: backslash, double quote and newline escaped. */
static const char *esc(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (; *in && o + 3 < len; in++) {
		if (*in == '\\' || *in == '"') {
			out[o++] = '\\';
			out[o++] = *in;
		} else if (*in == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else {
			out[o++] = *in;
		}
	}
	out[o] = 0;
	return out;
}

static void help(struct buf *b, const char *name, const char *type, const char *text)
{
	put(b, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

/* ---- data plane series ---- */

static const char *proto_name(uint8_t p)
{
	return p == IPPROTO_TCP ? "TCP" : p == IPPROTO_UDP ? "UDP" : "SCTP";
}

static void svc_labels(char *out, size_t len, const struct xvs_svc_conf *c)
{
	char a[INET_ADDRSTRLEN];

	if (c->fwmark) {
		snprintf(out, len, "local_address=\"\",local_port=\"0\",local_mark=\"%u\",proto=\"FWM\"",
			 c->fwmark);
		return;
	}
	inet_ntop(AF_INET, &c->addr, a, sizeof(a));
	snprintf(out, len, "local_address=\"%s\",local_port=\"%u\",local_mark=\"\",proto=\"%s\"",
		 a, c->port, proto_name(c->proto));
}

static void dest_labels(char *out, size_t len, const char *svc, const struct xvs_dest_conf *d)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &d->addr, a, sizeof(a));
	snprintf(out, len, "%s,remote_address=\"%s\",remote_port=\"%u\"", svc, a, d->port);
}

static bool svc_key_eq(const struct xvs_svc_conf *a, const struct xvs_svc_conf *b)
{
	return a->fwmark == b->fwmark && a->proto == b->proto && a->addr == b->addr &&
	       a->port == b->port;
}

static const struct xvs_svc_info *find_svc(const struct xvs_svc_info *l, size_t n,
					   const struct xvs_svc_conf *c)
{
	for (size_t i = 0; i < n; i++)
		if (svc_key_eq(&l[i].conf, c))
			return &l[i];
	return NULL;
}

static const struct xvs_dest_info *find_dest(const struct xvs_svc_info *s,
					     const struct xvs_dest_conf *d)
{
	for (size_t i = 0; s && i < s->n_dests; i++)
		if (s->dests[i].conf.addr == d->addr && s->dests[i].conf.port == d->port)
			return &s->dests[i];
	return NULL;
}

static uint64_t per_s(uint64_t now, uint64_t then, uint64_t dt_us)
{
	return now >= then ? (uint64_t)((now - then) * 1000000.0 / (double)dt_us) : 0;
}

static void rate_of(struct xvs_stats *r, const struct xvs_stats *now, const struct xvs_stats *then,
		    uint64_t dt_us)
{
	r->conns = per_s(now->conns, then->conns, dt_us);
	r->inpkts = per_s(now->inpkts, then->inpkts, dt_us);
	r->outpkts = per_s(now->outpkts, then->outpkts, dt_us);
	r->inbytes = per_s(now->inbytes, then->inbytes, dt_us);
	r->outbytes = per_s(now->outbytes, then->outbytes, dt_us);
}

static struct xvs_svc_info *list_copy(const struct xvs_svc_info *l, size_t n)
{
	struct xvs_svc_info *c = calloc(n + 1, sizeof(*c));

	for (size_t i = 0; c && i < n; i++) {
		c[i] = l[i];
		c[i].dests = calloc(l[i].n_dests + 1, sizeof(*c[i].dests));
		if (!c[i].dests) {
			xvs_svc_list_free(c, i);
			return NULL;
		}
		memcpy(c[i].dests, l[i].dests, l[i].n_dests * sizeof(*c[i].dests));
	}
	return c;
}

/* New rates once the previous sample is old enough; the sample moves on. */
static void rates_update(struct metrics *m, const struct xvs_svc_info *l, size_t n, uint64_t now)
{
	uint64_t dt = now - m->prev_us;
	struct xvs_svc_info *rates;

	if (m->prev && dt < RATE_MIN_US)
		return;
	if (m->prev) {
		rates = list_copy(l, n);
		for (size_t i = 0; rates && i < n; i++) {
			const struct xvs_svc_info *p = find_svc(m->prev, m->n_prev, &l[i].conf);
			static const struct xvs_stats zero;

			rate_of(&rates[i].stats, &l[i].stats, p ? &p->stats : &zero, dt);
			for (size_t k = 0; k < l[i].n_dests; k++) {
				const struct xvs_dest_info *pd = find_dest(p, &l[i].dests[k].conf);

				rate_of(&rates[i].dests[k].stats, &l[i].dests[k].stats,
					pd ? &pd->stats : &zero, dt);
			}
		}
		if (rates) {
			xvs_svc_list_free(m->rates, m->n_rates);
			m->rates = rates;
			m->n_rates = n;
		}
	}
	xvs_svc_list_free(m->prev, m->n_prev);
	m->prev = list_copy(l, n);
	m->n_prev = m->prev ? n : 0;
	m->prev_us = now;
}

struct stat_field {
	const char *suffix, *help;
	size_t off;
};

static const struct stat_field stat_fields[] = {
	{ "connections", "connections scheduled", offsetof(struct xvs_stats, conns) },
	{ "incoming_packets", "packets from clients", offsetof(struct xvs_stats, inpkts) },
	{ "outgoing_packets", "packets to clients (NAT, FULLNAT)", offsetof(struct xvs_stats, outpkts) },
	{ "incoming_bytes", "bytes from clients", offsetof(struct xvs_stats, inbytes) },
	{ "outgoing_bytes", "bytes to clients (NAT, FULLNAT)", offsetof(struct xvs_stats, outbytes) },
};

static uint64_t field(const struct xvs_stats *s, const struct stat_field *f)
{
	return *(const uint64_t *)((const char *)s + f->off);
}

static void render_stats(struct metrics *m, struct buf *b, const struct xvs_svc_info *l, size_t n)
{
	char sl[256], dl[384], name[96], text[160];

	for (size_t f = 0; f < sizeof(stat_fields) / sizeof(stat_fields[0]); f++) {
		const struct stat_field *sf = &stat_fields[f];

		snprintf(name, sizeof(name), "xvs_service_%s_total", sf->suffix);
		snprintf(text, sizeof(text), "Service: %s.", sf->help);
		help(b, name, "counter", text);
		for (size_t i = 0; i < n; i++) {
			svc_labels(sl, sizeof(sl), &l[i].conf);
			put(b, "%s{%s} %llu\n", name, sl, (unsigned long long)field(&l[i].stats, sf));
		}
		snprintf(name, sizeof(name), "xvs_service_%s_per_second", sf->suffix);
		snprintf(text, sizeof(text), "Service: %s per second since an earlier scrape.",
			 sf->help);
		help(b, name, "gauge", text);
		for (size_t i = 0; i < n; i++) {
			const struct xvs_svc_info *r = find_svc(m->rates, m->n_rates, &l[i].conf);

			svc_labels(sl, sizeof(sl), &l[i].conf);
			put(b, "%s{%s} %llu\n", name, sl,
			    (unsigned long long)(r ? field(&r->stats, sf) : 0));
		}
		snprintf(name, sizeof(name), "xvs_backend_%s_total", sf->suffix);
		snprintf(text, sizeof(text), "Real server: %s.", sf->help);
		help(b, name, "counter", text);
		for (size_t i = 0; i < n; i++) {
			svc_labels(sl, sizeof(sl), &l[i].conf);
			for (size_t k = 0; k < l[i].n_dests; k++) {
				dest_labels(dl, sizeof(dl), sl, &l[i].dests[k].conf);
				put(b, "%s{%s} %llu\n", name, dl,
				    (unsigned long long)field(&l[i].dests[k].stats, sf));
			}
		}
		snprintf(name, sizeof(name), "xvs_backend_%s_per_second", sf->suffix);
		snprintf(text, sizeof(text), "Real server: %s per second since an earlier scrape.",
			 sf->help);
		help(b, name, "gauge", text);
		for (size_t i = 0; i < n; i++) {
			const struct xvs_svc_info *r = find_svc(m->rates, m->n_rates, &l[i].conf);

			svc_labels(sl, sizeof(sl), &l[i].conf);
			for (size_t k = 0; k < l[i].n_dests; k++) {
				const struct xvs_dest_info *rd = find_dest(r, &l[i].dests[k].conf);

				dest_labels(dl, sizeof(dl), sl, &l[i].dests[k].conf);
				put(b, "%s{%s} %llu\n", name, dl,
				    (unsigned long long)(rd ? field(&rd->stats, sf) : 0));
			}
		}
	}
}

static void render_dests(struct buf *b, const struct xvs_svc_info *l, size_t n)
{
	static const char *const names[3] = { "xvs_backend_connections_active",
					      "xvs_backend_connections_inactive",
					      "xvs_backend_weight" };
	static const char *const helps[3] = {
		"Real server: established connections (ActiveConn).",
		"Real server: connections in other states (InActConn).",
		"Real server: weight in the data plane.",
	};
	char sl[256], dl[384];

	for (int f = 0; f < 3; f++) {
		help(b, names[f], "gauge", helps[f]);
		for (size_t i = 0; i < n; i++) {
			svc_labels(sl, sizeof(sl), &l[i].conf);
			for (size_t k = 0; k < l[i].n_dests; k++) {
				const struct xvs_dest_info *d = &l[i].dests[k];
				uint64_t v = f == 0 ? d->active_conns : f == 1 ? d->inact_conns :
							d->conf.weight;

				dest_labels(dl, sizeof(dl), sl, &d->conf);
				put(b, "%s{%s} %llu\n", names[f], dl, (unsigned long long)v);
			}
		}
	}
}

static void render_counters(struct buf *b, const uint64_t c[XVS_CNT_MAX])
{
	help(b, "xvs_dataplane_packets_total", "counter",
	     "Data plane: packets by what was done with them (every pass and drop has a reason).");
	for (int i = 0; i < XVS_CNT_MAX; i++)
		put(b, "xvs_dataplane_packets_total{reason=\"%s\"} %llu\n",
		    xvs_counter_name((enum xvs_counter)i), (unsigned long long)c[i]);
}

/* ---- checker and daemon series ---- */

static void render_runtime(struct buf *b, const struct daemon *d)
{
	const struct rt *rt = d->rt;
	char v[NAME_LEN], r[NAME_LEN], ev[2 * NAME_LEN], er[2 * NAME_LEN];

	help(b, "xvsd_virtual_server_quorum_up", "gauge",
	     "1 while the virtual server's alive real servers weigh at least its quorum.");
	for (size_t i = 0; i < rt->n_vs; i++)
		put(b, "xvsd_virtual_server_quorum_up{virtual_server=\"%s\"} %d\n",
		    esc(name_vs(rt->vs[i]->conf, v), ev, sizeof(ev)), rt->vs[i]->quorum_up);
	help(b, "xvsd_virtual_server_sorry_server_active", "gauge",
	     "1 while the sorry server is in the pool.");
	for (size_t i = 0; i < rt->n_vs; i++)
		put(b, "xvsd_virtual_server_sorry_server_active{virtual_server=\"%s\"} %d\n",
		    esc(name_vs(rt->vs[i]->conf, v), ev, sizeof(ev)), rt->vs[i]->sorry_alive);
	help(b, "xvsd_virtual_server_alive_weight", "gauge",
	     "Sum of the weights of the alive real servers (compared with the quorum).");
	for (size_t i = 0; i < rt->n_vs; i++)
		put(b, "xvsd_virtual_server_alive_weight{virtual_server=\"%s\"} %llu\n",
		    esc(name_vs(rt->vs[i]->conf, v), ev, sizeof(ev)),
		    (unsigned long long)vs_alive_weight(rt->vs[i]));

	static const char *const rsn[2] = { "xvsd_real_server_alive", "xvsd_real_server_weight" };
	static const char *const rsh[2] = {
		"1 when every checker of the real server passes.",
		"Effective weight: configured, or set by a dynamic checker.",
	};

	for (int f = 0; f < 2; f++) {
		help(b, rsn[f], "gauge", rsh[f]);
		for (size_t i = 0; i < rt->n_vs; i++) {
			const struct rt_vs *vs = rt->vs[i];

			esc(name_vs(vs->conf, v), ev, sizeof(ev));
			for (size_t k = 0; k < vs->n_rs; k++) {
				const struct rt_rs *rs = vs->rs[k];

				esc(name_rs(vs->conf, &rs->conf->addr, rs->conf->port, r), er, sizeof(er));
				put(b, "%s{virtual_server=\"%s\",real_server=\"%s\"} %lld\n", rsn[f], ev,
				    er, f ? (long long)rs->weight : (long long)rs->alive);
			}
		}
	}

	static const char *const ckn[3] = { "xvsd_checker_up", "xvsd_checker_attempts_total",
					    "xvsd_checker_failures_total" };
	static const char *const ckt[3] = { "gauge", "counter", "counter" };
	static const char *const ckh[3] = { "1 while the checker's state is up.",
					    "Check attempts made.", "Check attempts that failed." };

	for (int f = 0; f < 3; f++) {
		help(b, ckn[f], ckt[f], ckh[f]);
		for (size_t i = 0; i < rt->n_vs; i++) {
			const struct rt_vs *vs = rt->vs[i];

			esc(name_vs(vs->conf, v), ev, sizeof(ev));
			for (size_t k = 0; k < vs->n_rs; k++) {
				const struct rt_rs *rs = vs->rs[k];

				esc(name_rs(vs->conf, &rs->conf->addr, rs->conf->port, r), er, sizeof(er));
				for (size_t j = 0; j < rs->n_ck; j++) {
					const struct rt_checker *c = rs->ck[j];
					unsigned long long val = f == 0 ? c->sm.is_up :
								 f == 1 ? c->attempts : c->failures;

					put(b, "%s{virtual_server=\"%s\",real_server=\"%s\",checker=\"%s\",index=\"%zu\"} %llu\n",
					    ckn[f], ev, er, c->ck->type_name, j, val);
				}
			}
		}
	}
	help(b, "xvsd_reloads_total", "counter", "Reloads applied (SIGHUP).");
	put(b, "xvsd_reloads_total %llu\n", (unsigned long long)d->reloads);
	help(b, "xvsd_reload_failures_total", "counter",
	     "Reloads rejected (the running configuration stayed).");
	put(b, "xvsd_reload_failures_total %llu\n", (unsigned long long)d->reload_failures);
	help(b, "xvsd_last_reload_successful", "gauge", "0 when the last reload was rejected.");
	put(b, "xvsd_last_reload_successful %d\n", d->last_reload_ok);
	help(b, "xvsd_dataplane_writes_total", "counter", "libxvs calls that changed the data plane.");
	put(b, "xvsd_dataplane_writes_total %llu\n", (unsigned long long)d->apply.writes);
	help(b, "xvsd_dataplane_errors_total", "counter", "libxvs calls that were refused.");
	put(b, "xvsd_dataplane_errors_total %llu\n", (unsigned long long)d->apply.errors);
	help(b, "xvsd_draining_real_servers", "gauge",
	     "Real servers at weight 0 waiting for their last connection to end.");
	put(b, "xvsd_draining_real_servers %zu\n", d->apply.n_drain);
	help(b, "xvsd_start_time_seconds", "gauge", "When xvsd started (Unix time).");
	put(b, "xvsd_start_time_seconds %lld\n",
	    (long long)time(NULL) - (long long)((loop_now_us() - d->started_us) / 1000000));
}

char *metrics_render(struct metrics *m, size_t *len)
{
	struct daemon *d = m->d;
	const struct dp_ops *ops = d->apply.ops;
	void *ctx = d->apply.ctx;
	struct xvs_svc_info *list = NULL;
	uint64_t counters[XVS_CNT_MAX] = { 0 };
	struct buf b = { 0 };
	size_t n = 0;
	int err;

	err = ops->begin(ctx);
	if (!err) {
		err = ops->list(ctx, &list, &n);
		if (ops->counters(ctx, counters))
			memset(counters, 0, sizeof(counters));
		ops->end(ctx);
	}
	help(&b, "xvsd_dataplane_readable", "gauge", "1 when the data plane could be read for this scrape.");
	put(&b, "xvsd_dataplane_readable %d\n", !err);
	if (!err) {
		rates_update(m, list, n, loop_now_us());
		render_stats(m, &b, list, n);
		render_dests(&b, list, n);
		render_counters(&b, counters);
		ops->list_free(ctx, list, n);
	}
	render_runtime(&b, d);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	*len = b.len;
	return b.s;
}

/* ---- HTTP ---- */

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
								 MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **req)
{
	static int first_call;
	struct metrics *m = cls;
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t len;
	char *page;

	(void)version;
	(void)upload;
	if (!*req) {		/* headers only, so far */
		*req = &first_call;
		return MHD_YES;
	}
	if (*upload_size)
		return answer(c, MHD_HTTP_BAD_REQUEST, "no request body expected\n");
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return answer(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET /metrics\n");
	if (strcmp(url, "/metrics"))
		return answer(c, MHD_HTTP_NOT_FOUND, "xvsd serves /metrics\n");
	page = metrics_render(m, &len);
	if (!page)
		return answer(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	r = MHD_create_response_from_buffer(len, page, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(page);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static void mhd_rearm(struct metrics *m);

static void mhd_timer(struct loop_timer *t, void *arg)
{
	struct metrics *m = arg;

	(void)t;
	m->t = NULL;
	MHD_run(m->mhd);
	mhd_rearm(m);
}

static void mhd_rearm(struct metrics *m)
{
	MHD_UNSIGNED_LONG_LONG ms;

	loop_timer_cancel(m->t);
	m->t = NULL;
	if (MHD_get_timeout(m->mhd, &ms) == MHD_YES)
		loop_timer_add(m->d->loop, (uint64_t)ms * 1000, mhd_timer, m, &m->t);
}

static void mhd_ready(struct loop_fd *w, int fd, uint32_t events, void *arg)
{
	struct metrics *m = arg;

	(void)w;
	(void)fd;
	(void)events;
	MHD_run(m->mhd);
	mhd_rearm(m);
}

int metrics_parse_listen(const char *s, void *ss_out, unsigned *len_out)
{
	struct sockaddr_storage *ss = ss_out;
	char host[64] = "127.0.0.1";
	const char *port_s = s, *colon = strrchr(s, ':');
	char *end;
	unsigned long port;

	memset(ss, 0, sizeof(*ss));
	if (colon) {
		size_t hl = (size_t)(colon - s);

		if (s[0] == '[' && hl >= 2 && s[hl - 1] == ']') {
			s++;
			hl -= 2;
		}
		if (!hl || hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, hl);
		host[hl] = 0;
		port_s = colon + 1;
	}
	errno = 0;
	port = strtoul(port_s, &end, 10);
	if (errno || *end || !*port_s || port == 0 || port > 65535)
		return -EINVAL;
	if (strchr(host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return -EINVAL;
		*len_out = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -EINVAL;
		*len_out = sizeof(*a);
	}
	return 0;
}

static bool loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

int metrics_start(struct daemon *d, const char *listen, struct metrics **out)
{
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	struct metrics *m;
	unsigned len;
	int err;

	*out = NULL;
	if (metrics_parse_listen(listen, &ss, &len)) {
		log_err("--metrics %s: expected PORT or ADDRESS:PORT", listen);
		return -EINVAL;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->d = d;
	m->mhd = MHD_start_daemon(MHD_USE_EPOLL | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				  0, NULL, NULL, handle, m, MHD_OPTION_SOCK_ADDR, &ss,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)MHD_CONN_LIMIT,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)MHD_CONN_TIMEOUT_S,
				  MHD_OPTION_END);
	if (!m->mhd) {
		log_err("--metrics %s: cannot listen there (in use, or not a local address?)", listen);
		free(m);
		return -EADDRNOTAVAIL;
	}
	info = MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	err = info ? loop_fd_add(d->loop, info->epoll_fd, EPOLLIN, mhd_ready, m, &m->w) : -EIO;
	if (err) {
		log_err("--metrics %s: cannot watch its sockets: %s", listen, strerror(-err));
		MHD_stop_daemon(m->mhd);
		free(m);
		return err;
	}
	mhd_rearm(m);
	if (!loopback(&ss))
		log_warn("metrics on %s: not a loopback address, anyone who reaches it can read them",
			 listen);
	{
		char a[INET6_ADDRSTRLEN] = "?";

		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, a, sizeof(a));
		else
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, a, sizeof(a));
		log_info("Serving metrics on http://%s%s%s:%u/metrics",
			 ss.ss_family == AF_INET6 ? "[" : "", a, ss.ss_family == AF_INET6 ? "]" : "",
			 ntohs(((struct sockaddr_in *)&ss)->sin_port));
	}
	*out = m;
	return 0;
}

void metrics_stop(struct metrics *m)
{
	if (!m)
		return;
	loop_fd_cancel(m->w);
	loop_timer_cancel(m->t);
	MHD_stop_daemon(m->mhd);
	xvs_svc_list_free(m->prev, m->n_prev);
	xvs_svc_list_free(m->rates, m->n_rates);
	free(m);
}
