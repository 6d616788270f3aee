// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* DNS_CHECK configuration: query type (default SOA) and name (default
 * "."); retry defaults to 3. */
#include <string.h>
#include <strings.h>

#include "conf_int.h"

static const struct {
	const char *name;
	uint16_t qtype;
} dns_types[] = {
	{ "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "SOA", 6 }, { "MX", 15 }, { "TXT", 16 },
	{ "AAAA", 28 },
};

static void kw_type(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_checker *ck = obj;
	size_t i;

	for (i = 0; i < sizeof(dns_types) / sizeof(dns_types[0]); i++) {
		if (!strcasecmp(st->w[1].s, dns_types[i].name)) {
			ck->dns.qtype = dns_types[i].qtype;
			return;
		}
	}
	conf_diag_add(cx->d, CONF_ERROR, &st->w[1].pos,
		      "unknown DNS query type '%s': expected A, NS, CNAME, SOA, MX, TXT or AAAA",
		      st->w[1].s);
}

static void kw_name(struct conf_ctx *cx, const struct conf_stmt *st, void *obj)
{
	struct conf_checker *ck = obj;

	if (strlen(st->w[1].s) > 253) {
		conf_diag_add(cx->d, CONF_ERROR, &st->w[1].pos,
			      "DNS name longer than 253 characters");
		return;
	}
	conf_set_str(cx, &ck->dns.name, &st->w[1]);
}

static const struct conf_kw dns_kws[] = {
	{ "type", kw_type, 1, 1, CONF_KW_NO_BLOCK, 0, "a query type", NULL },
	{ "name", kw_name, 1, 1, CONF_KW_NO_BLOCK, 0, "a domain name", NULL },
	{ NULL },
};

static void dns_init(struct conf_checker *ck)
{
	ck->dns.qtype = 6;	/* SOA */
}

static void dns_finish(struct conf_ctx *cx, struct conf_checker *ck)
{
	if (!ck->dns.name)
		ck->dns.name = conf_strdup(cx, ".");
}

const struct conf_check_type conf_check_dns = {
	.kind = CONF_CHECK_DNS,
	.name = "DNS_CHECK",
	.kws = dns_kws,
	.common_kws = true,
	.default_retry = 3,
	.init = dns_init,
	.finish = dns_finish,
};
