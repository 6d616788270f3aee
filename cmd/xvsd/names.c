// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* keepalived's server names (see names.h; its format_vs()/format_rs()). */
#include <stdio.h>
#include <sys/socket.h>

#include "names.h"

static bool fwmark_only(const struct conf_vs *vs)
{
	if (vs->kind == CONF_VS_FWMARK)
		return true;
	if (vs->kind != CONF_VS_GROUP || !vs->group)
		return false;
	for (size_t i = 0; i < vs->group->n_entries; i++)
		if (!vs->group->entries[i].is_fwmark)
			return false;
	return true;
}

const char *name_proto(const struct conf_vs *vs)
{
	if (fwmark_only(vs))
		return "none";
	return vs->protocol == IPPROTO_UDP ? "udp" : vs->protocol == IPPROTO_SCTP ? "sctp" : "tcp";
}

const char *name_vs(const struct conf_vs *vs, char buf[NAME_LEN])
{
	char a[INET6_ADDRSTRLEN];

	switch (vs->kind) {
	case CONF_VS_FWMARK:
		snprintf(buf, NAME_LEN, "FWM %u", vs->fwmark);
		break;
	case CONF_VS_GROUP:
		snprintf(buf, NAME_LEN, "[%s]:0", vs->group_name);
		break;
	default:
		snprintf(buf, NAME_LEN, "[%s]:%s:%u", conf_addr_str(&vs->addr, a, sizeof(a)),
			 name_proto(vs), vs->port);
	}
	return buf;
}

uint16_t name_rs_port(const struct conf_vs *vs, uint16_t rs_port)
{
	return rs_port ? rs_port : vs->kind == CONF_VS_ADDR ? vs->port : 0;
}

const char *name_rs(const struct conf_vs *vs, const struct conf_addr *a, uint16_t port,
		    char buf[NAME_LEN])
{
	char s[INET6_ADDRSTRLEN];

	snprintf(buf, NAME_LEN, "[%s]:%s:%u", conf_addr_str(a, s, sizeof(s)), name_proto(vs),
		 name_rs_port(vs, port));
	return buf;
}
