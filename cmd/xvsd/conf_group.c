// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsd configuration: value blocks whose lines are addresses, not keywords:
 * virtual_server_group (addresses, ranges, CIDRs, fwmarks) and DPVS's
 * local_address_group (FULLNAT source addresses with their interface). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf_int.h"

/* Addresses one group entry may expand to: a service each, later. */
#define CONF_MAX_RANGE	65536

static uint32_t v4(const struct conf_addr *a)
{
	return ntohl(a->u.v4.s_addr);
}

/* Number of addresses from first to last (both included), capped. */
static uint64_t range_size(const struct conf_addr *first, const struct conf_addr *last)
{
	uint64_t n = 0;
	int i;

	if (first->family == AF_INET)
		return (uint64_t)v4(last) - v4(first) + 1;
	for (i = 0; i < 16; i++) {
		n = n * 256 + last->u.v6.s6_addr[i] - first->u.v6.s6_addr[i];
		if (n > CONF_MAX_RANGE)
			return CONF_MAX_RANGE + 1;
	}
	return n + 1;
}

/* "A", "A-B" (B: last IPv4 byte / IPv6 group, or a whole address), "A/N". */
static bool parse_range(struct conf_ctx *cx, const struct conf_word *w, const char *what,
			struct conf_addr *first, struct conf_addr *last)
{
	char buf[INET6_ADDRSTRLEN + 48];
	char *sep;

	if (strlen(w->s) >= sizeof(buf))
		goto bad;
	strcpy(buf, w->s);
	sep = strpbrk(buf, "-/");
	if (sep) {
		char kind = *sep, *end;
		unsigned long v;

		*sep++ = '\0';
		if (!conf_parse_addr(buf, first))
			goto bad;
		*last = *first;
		if (kind == '/') {
			unsigned bits = first->family == AF_INET ? 32 : 128, i;

			v = strtoul(sep, &end, 10);
			if (!*sep || *end || v > bits || sep[0] < '0' || sep[0] > '9')
				goto bad;
			for (i = (unsigned)v; i < bits; i++) {
				uint8_t *b = first->family == AF_INET ? (uint8_t *)&first->u.v4
								      : first->u.v6.s6_addr;
				uint8_t *l = first->family == AF_INET ? (uint8_t *)&last->u.v4
								      : last->u.v6.s6_addr;

				b[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
				l[i / 8] |= (uint8_t)(0x80 >> (i % 8));
			}
		} else if (strpbrk(sep, ".:")) {
			if (!conf_parse_addr(sep, last) || last->family != first->family)
				goto bad;
		} else {
			unsigned max = first->family == AF_INET ? 255 : 0xffff;

			v = strtoul(sep, &end, first->family == AF_INET ? 10 : 16);
			if (!*sep || *end || v > max || *sep == '-' || *sep == '+' || *sep == ' ')
				goto bad;
			if (first->family == AF_INET) {
				last->u.v4.s_addr = htonl((v4(first) & ~0xffu) | (uint32_t)v);
			} else {
				last->u.v6.s6_addr[14] = (uint8_t)(v >> 8);
				last->u.v6.s6_addr[15] = (uint8_t)v;
			}
		}
		if (kind == '-' && conf_addr_cmp(last, first) <= 0) {
			conf_diag_add(cx->d, CONF_ERROR, &w->pos,
				      "invalid %s '%s': the range end is not greater than its start",
				      what, w->s);
			return false;
		}
	} else {
		if (!conf_parse_addr(buf, first))
			goto bad;
		*last = *first;
	}
	if (range_size(first, last) > CONF_MAX_RANGE) {
		conf_diag_add(cx->d, CONF_ERROR, &w->pos,
			      "%s '%s' holds more than %d addresses", what, w->s, CONF_MAX_RANGE);
		return false;
	}
	return true;
bad:
	conf_diag_add(cx->d, CONF_ERROR, &w->pos,
		      "invalid %s '%s': expected an address, a range like 10.0.0.1-10 or a CIDR like 10.0.0.0/29",
		      what, w->s);
	return false;
}

static void vsg_entry(struct conf_ctx *cx, const struct conf_stmt *st, struct conf_vsg *g)
{
	struct conf_vsg_entry e = { .pos = st->w[0].pos }, *v;
	size_t used = 1, i;
	uint64_t mark;

	if (st->has_block) {
		conf_diag_add(cx->d, CONF_ERROR, &st->open_pos,
			      "unexpected '{' in virtual_server_group: entries are addresses or fwmarks");
		return;
	}
	if (!strcmp(st->w[0].s, "fwmark")) {
		e.is_fwmark = true;
		if (st->n < 2) {
			conf_diag_add(cx->d, CONF_ERROR, &st->w[0].pos,
				      "missing mark after 'fwmark': expected an integer");
			return;
		}
		if (!conf_get_uint(cx, &st->w[1], 1, UINT32_MAX, "fwmark", &mark))
			return;
		e.fwmark = (uint32_t)mark;
		used = 2;
		if (st->n > 2 && !strcmp(st->w[2].s, "inet"))
			e.fwmark_family = AF_INET, used = 3;
		else if (st->n > 2 && !strcmp(st->w[2].s, "inet6"))
			e.fwmark_family = AF_INET6, used = 3;
	} else {
		if (!parse_range(cx, &st->w[0], "virtual_server_group address", &e.first, &e.last))
			return;
		if (st->n > 1) {
			if (!conf_get_port(cx, &st->w[1], "virtual_server_group port", &e.port))
				return;
			used = 2;
		}
	}
	for (i = used; i < st->n; i++)
		conf_diag_add(cx->d, CONF_NOTE, &st->w[i].pos, "ignoring extra parameter '%s'",
			      st->w[i].s);
	v = realloc(g->entries, (g->n_entries + 1) * sizeof(*v));
	if (!v) {
		cx->oom = 1;
		return;
	}
	v[g->n_entries++] = e;
	g->entries = v;
}

void conf_vsg_block(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf *c = obj;
	struct conf_vsg *g = conf_calloc(cx, 1, sizeof(*g));
	size_t i;

	if (!g)
		return;
	g->pos = st->w[0].pos;
	g->name = conf_strdup(cx, st->w[1].s);
	if (!g->name || !conf_push(cx, &c->groups, &c->n_groups, g)) {
		free(g->name);
		free(g);
		return;
	}
	for (i = 0; i < st->n_kids; i++)
		vsg_entry(cx, st->kids[i], g);
}

static void laddr_entry(struct conf_ctx *cx, const struct conf_stmt *st, struct conf_laddr_group *g)
{
	struct conf_laddr_entry e = { .pos = st->w[0].pos }, *v;
	size_t i;

	if (st->has_block) {
		conf_diag_add(cx->d, CONF_ERROR, &st->open_pos,
			      "unexpected '{' in local_address_group: entries are 'ADDRESS [INTERFACE]'");
		return;
	}
	if (!parse_range(cx, &st->w[0], "local address", &e.first, &e.last))
		return;
	if (st->n > 1) {
		if (strlen(st->w[1].s) >= 16) {
			conf_diag_add(cx->d, CONF_ERROR, &st->w[1].pos,
				      "invalid interface name '%s': longer than 15 characters",
				      st->w[1].s);
			return;
		}
		e.ifname = conf_strdup(cx, st->w[1].s);
	}
	for (i = 2; i < st->n; i++)
		conf_diag_add(cx->d, CONF_NOTE, &st->w[i].pos, "ignoring extra parameter '%s'",
			      st->w[i].s);
	v = realloc(g->entries, (g->n_entries + 1) * sizeof(*v));
	if (!v) {
		free(e.ifname);
		cx->oom = 1;
		return;
	}
	v[g->n_entries++] = e;
	g->entries = v;
}

void conf_laddr_group_block(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf *c = obj;
	struct conf_laddr_group *g = conf_calloc(cx, 1, sizeof(*g));
	size_t i;

	if (!g)
		return;
	g->pos = st->w[0].pos;
	g->name = conf_strdup(cx, st->w[1].s);
	if (!g->name || !conf_push(cx, &c->laddr_groups, &c->n_laddr_groups, g)) {
		free(g->name);
		free(g);
		return;
	}
	for (i = 0; i < st->n_kids; i++)
		laddr_entry(cx, st->kids[i], g);
}
