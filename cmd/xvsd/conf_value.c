// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsd configuration values: strict decimal numbers, timers, addresses,
 * ports, booleans, forwarding methods and the shared timing keywords. Each
 * parser names the value and the accepted form when it rejects one. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf_int.h"

char *conf_strdup(struct conf_ctx *cx, const char *s)
{
	char *d = strdup(s);

	if (!d)
		cx->oom = 1;
	return d;
}

void *conf_calloc(struct conf_ctx *cx, size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		cx->oom = 1;
	return p;
}

bool conf_push(struct conf_ctx *cx, void *arr, size_t *n, void *p)
{
	void ***a = arr;
	void **v = realloc(*a, (*n + 1) * sizeof(*v));

	if (!v) {
		cx->oom = 1;
		return false;
	}
	v[(*n)++] = p;
	*a = v;
	return true;
}

void conf_set_str(struct conf_ctx *cx, char **dst, const struct conf_word *w)
{
	if (*dst)
		conf_diag_add(cx->d, CONF_NOTE, &w->pos, "replacing the earlier value '%s'", *dst);
	free(*dst);
	*dst = conf_strdup(cx, w->s);
}

void conf_set_joined(struct conf_ctx *cx, char **dst, const struct conf_stmt *st, size_t from)
{
	size_t i, len = 0;
	char *s;

	for (i = from; i < st->n; i++)
		len += strlen(st->w[i].s) + 1;
	s = conf_calloc(cx, len + 1, 1);
	if (!s)
		return;
	for (i = from; i < st->n; i++) {
		if (i > from)
			strcat(s, " ");
		strcat(s, st->w[i].s);
	}
	free(*dst);
	*dst = s;
}

/* Digits only: no sign, no base prefix, no exponent, no overflow. */
static bool parse_digits(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

bool conf_get_uint(struct conf_ctx *cx, const struct conf_word *w, uint64_t min, uint64_t max,
		   const char *what, uint64_t *out)
{
	uint64_t v;

	if (!parse_digits(w->s, &v) || v < min || v > max) {
		conf_diag_add(cx->d, CONF_ERROR, &w->pos,
			      "invalid %s '%s': expected an integer %llu..%llu", what, w->s,
			      (unsigned long long)min, (unsigned long long)max);
		return false;
	}
	*out = v;
	return true;
}

bool conf_get_int(struct conf_ctx *cx, const struct conf_word *w, int64_t min, int64_t max,
		  const char *what, int64_t *out)
{
	const char *s = w->s;
	bool neg = *s == '-';
	uint64_t m;
	int64_t v;

	if (!parse_digits(s + neg, &m) || m > (uint64_t)INT64_MAX)
		goto bad;
	v = neg ? -(int64_t)m : (int64_t)m;
	if (v < min || v > max)
		goto bad;
	*out = v;
	return true;
bad:
	conf_diag_add(cx->d, CONF_ERROR, &w->pos, "invalid %s '%s': expected an integer %lld..%lld",
		      what, w->s, (long long)min, (long long)max);
	return false;
}

static void fmt_seconds(char *buf, size_t len, uint64_t us)
{
	if (us % 1000000)
		snprintf(buf, len, "%llu.%06llu", (unsigned long long)(us / 1000000),
			 (unsigned long long)(us % 1000000));
	else
		snprintf(buf, len, "%llu", (unsigned long long)(us / 1000000));
}

bool conf_get_timer(struct conf_ctx *cx, const struct conf_word *w, uint64_t min_us,
		    uint64_t max_us, const char *what, uint64_t *out_us)
{
	const char *s = w->s, *dot = strchr(s, '.');
	char ip[24], lo[32], hi[32];
	uint64_t sec, frac = 0;
	size_t n = dot ? (size_t)(dot - s) : strlen(s), k;

	if (n == 0 || n >= sizeof(ip))
		goto bad;
	memcpy(ip, s, n);
	ip[n] = '\0';
	if (!parse_digits(ip, &sec) || sec > UINT64_MAX / 1000000 - 1)
		goto bad;
	if (dot) {
		const char *f = dot + 1;

		if (!*f)
			goto bad;
		for (k = 0; f[k]; k++) {
			if (f[k] < '0' || f[k] > '9')
				goto bad;
			if (k < 6)
				frac = frac * 10 + (uint64_t)(f[k] - '0');
		}
		for (; k < 6; k++)
			frac *= 10;
	}
	sec = sec * 1000000 + frac;
	if (sec < min_us || sec > max_us)
		goto bad;
	*out_us = sec;
	return true;
bad:
	fmt_seconds(lo, sizeof(lo), min_us);
	fmt_seconds(hi, sizeof(hi), max_us);
	conf_diag_add(cx->d, CONF_ERROR, &w->pos,
		      "invalid %s '%s': expected seconds (like 3 or 2.5) from %s to %s", what, w->s,
		      lo, hi);
	return false;
}

bool conf_parse_addr(const char *s, struct conf_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, &out->u.v4) == 1) {
		out->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, &out->u.v6) == 1) {
		out->family = AF_INET6;
		return true;
	}
	return false;
}

bool conf_get_addr(struct conf_ctx *cx, const struct conf_word *w, const char *what,
		   struct conf_addr *out)
{
	if (conf_parse_addr(w->s, out))
		return true;
	conf_diag_add(cx->d, CONF_ERROR, &w->pos, "invalid %s '%s': expected an IPv4 or IPv6 address",
		      what, w->s);
	return false;
}

bool conf_get_port(struct conf_ctx *cx, const struct conf_word *w, const char *what,
		   uint16_t *out)
{
	uint64_t v;

	if (!conf_get_uint(cx, w, 0, 65535, what, &v))
		return false;
	*out = (uint16_t)v;
	return true;
}

bool conf_get_bool(struct conf_ctx *cx, const struct conf_word *w, const char *what, bool *out)
{
	static const struct {
		const char *s;
		bool v;
	} words[] = {
		{ "on", true }, { "true", true }, { "yes", true },
		{ "off", false }, { "false", false }, { "no", false },
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (!strcasecmp(w->s, words[i].s)) {
			*out = words[i].v;
			return true;
		}
	}
	conf_diag_add(cx->d, CONF_ERROR, &w->pos,
		      "invalid %s '%s': expected on|off|true|false|yes|no", what, w->s);
	return false;
}

bool conf_get_opt_bool(struct conf_ctx *cx, const struct conf_stmt *st, const char *what,
		       bool *out)
{
	if (st->n < 2) {
		*out = true;
		return true;
	}
	return conf_get_bool(cx, &st->w[1], what, out);
}

int conf_addr_cmp(const struct conf_addr *a, const struct conf_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->family == AF_INET) {
		uint32_t x = ntohl(a->u.v4.s_addr), y = ntohl(b->u.v4.s_addr);

		return x < y ? -1 : x > y;
	}
	if (a->family == AF_INET6)
		return memcmp(&a->u.v6, &b->u.v6, sizeof(a->u.v6));
	return 0;
}

const char *conf_addr_str(const struct conf_addr *a, char *buf, size_t len)
{
	if (!a->family || !inet_ntop(a->family, &a->u, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

static const char *const fwd_names[CONF_FWD_MAX] = {
	[CONF_FWD_UNSET] = "unset", [CONF_FWD_NAT] = "NAT", [CONF_FWD_DR] = "DR",
	[CONF_FWD_TUN] = "TUN",     [CONF_FWD_FNAT] = "FNAT",
};

const char *conf_fwd_name(enum conf_fwd fwd)
{
	return fwd < CONF_FWD_MAX ? fwd_names[fwd] : "?";
}

/* NAT|DR|TUN|FNAT [type ipip|gue port N|gre] [nocsum|csum|remcsum] */
bool conf_get_method(struct conf_ctx *cx, const struct conf_stmt *st, struct conf_method *m)
{
	static const struct {
		const char *name;
		enum conf_fwd fwd;
	} methods[] = {
		{ "NAT", CONF_FWD_NAT }, { "DR", CONF_FWD_DR }, { "TUN", CONF_FWD_TUN },
		{ "FNAT", CONF_FWD_FNAT }, { "FULLNAT", CONF_FWD_FNAT },
	};
	static const char *const csums[] = { "nocsum", "csum", "remcsum" };
	struct conf_method r = { 0 };
	size_t i, a = 2;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (!strcmp(st->w[1].s, methods[i].name))
			r.fwd = methods[i].fwd;
	if (!r.fwd) {
		conf_diag_add(cx->d, CONF_ERROR, &st->w[1].pos,
			      "unknown forwarding method '%s': expected NAT, DR, TUN or FNAT",
			      st->w[1].s);
		return false;
	}
	if (r.fwd != CONF_FWD_TUN) {
		for (; a < st->n; a++)
			conf_diag_add(cx->d, CONF_NOTE, &st->w[a].pos,
				      "ignoring extra parameter '%s' after '%s %s'", st->w[a].s,
				      st->w[0].s, st->w[1].s);
		*m = r;
		return true;
	}
	if (a < st->n && !strcmp(st->w[a].s, "type")) {
		if (++a >= st->n) {
			conf_diag_add(cx->d, CONF_ERROR, &st->w[a - 1].pos,
				      "missing tunnel type after 'type': expected ipip, gue or gre");
			return false;
		}
		if (!strcmp(st->w[a].s, "ipip")) {
			r.tun_type = CONF_TUN_IPIP;
		} else if (!strcmp(st->w[a].s, "gre")) {
			r.tun_type = CONF_TUN_GRE;
		} else if (!strcmp(st->w[a].s, "gue")) {
			uint64_t port;

			r.tun_type = CONF_TUN_GUE;
			if (a + 2 >= st->n || strcmp(st->w[a + 1].s, "port")) {
				conf_diag_add(cx->d, CONF_ERROR, &st->w[a].pos,
					      "gue tunnels need 'port N' after 'gue'");
				return false;
			}
			if (!conf_get_uint(cx, &st->w[a + 2], 1, 65535, "gue port", &port))
				return false;
			r.tun_port = (uint16_t)port;
			a += 2;
		} else {
			conf_diag_add(cx->d, CONF_ERROR, &st->w[a].pos,
				      "unknown tunnel type '%s': expected ipip, gue or gre", st->w[a].s);
			return false;
		}
		a++;
	}
	if (a < st->n) {
		for (i = 0; i < 3; i++)
			if (!strcmp(st->w[a].s, csums[i]))
				r.tun_csum = (enum conf_tun_csum)(CONF_CSUM_NONE + i);
		if (!r.tun_csum) {
			conf_diag_add(cx->d, CONF_ERROR, &st->w[a].pos,
				      "unknown tunnel option '%s': expected type, nocsum, csum or remcsum",
				      st->w[a].s);
			return false;
		}
		if (r.tun_type == CONF_TUN_IPIP && r.tun_csum != CONF_CSUM_NONE) {
			conf_diag_add(cx->d, CONF_ERROR, &st->w[a].pos,
				      "'%s' needs a gue or gre tunnel", st->w[a].s);
			return false;
		}
		if (r.tun_type == CONF_TUN_GRE && r.tun_csum == CONF_CSUM_REMCSUM) {
			conf_diag_add(cx->d, CONF_ERROR, &st->w[a].pos,
				      "remcsum is not available for gre tunnels");
			return false;
		}
		a++;
	}
	for (; a < st->n; a++)
		conf_diag_add(cx->d, CONF_NOTE, &st->w[a].pos, "ignoring extra parameter '%s'",
			      st->w[a].s);
	*m = r;
	return true;
}

/* The timing keywords VS, real server and checkers share. alpha and
 * inhibit_on_failure take an optional <BOOL> below the VS level. */
void conf_timing_kw(struct conf_ctx *cx, const struct conf_stmt *st, struct conf_timing *t)
{
	static const uint64_t max_connect_us = 4294967295ULL;
	static const uint64_t max_timer_us = 18446744073709551ULL;
	const char *kw = st->w[0].s;
	uint64_t v;
	bool b;

	if (!strcmp(kw, "delay_loop")) {
		if (conf_get_timer(cx, &st->w[1], 1, max_timer_us, "delay_loop", &v))
			t->delay_loop_us = v, t->set |= CONF_T_DELAY_LOOP;
	} else if (!strcmp(kw, "connect_timeout")) {
		if (conf_get_timer(cx, &st->w[1], 1, max_connect_us, "connect_timeout", &v))
			t->connect_timeout_us = v, t->set |= CONF_T_CONNECT_TIMEOUT;
	} else if (!strcmp(kw, "retry") || !strcmp(kw, "nb_get_retry") ||
		   !strcmp(kw, "nb_sock_retry")) {
		if (conf_get_uint(cx, &st->w[1], 0, UINT32_MAX, "retry count", &v))
			t->retry = (uint32_t)v, t->set |= CONF_T_RETRY;
	} else if (!strcmp(kw, "delay_before_retry")) {
		if (conf_get_timer(cx, &st->w[1], 0, max_timer_us, "delay_before_retry", &v))
			t->delay_before_retry_us = v, t->set |= CONF_T_DELAY_BEFORE_RETRY;
	} else if (!strcmp(kw, "warmup")) {
		if (conf_get_timer(cx, &st->w[1], 0, max_timer_us, "warmup", &v))
			t->warmup_us = v, t->set |= CONF_T_WARMUP;
	} else if (!strcmp(kw, "alpha")) {
		if (conf_get_opt_bool(cx, st, "alpha", &b))
			t->alpha = b, t->set |= CONF_T_ALPHA;
	} else if (!strcmp(kw, "inhibit_on_failure")) {
		if (conf_get_opt_bool(cx, st, "inhibit_on_failure", &b))
			t->inhibit_on_failure = b, t->set |= CONF_T_INHIBIT;
	}
}
