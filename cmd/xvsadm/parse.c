// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Value parsers for xvsadm arguments: host[:port], numbers, netmasks,
 * local addresses, interface names, port ranges, scheduler flags, hooks.
 * Pure functions (name lookups aside). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "xvsadm.h"

int xvsadm_parse_number(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end || errno == ERANGE || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static bool all_digits(const char *s)
{
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* IPv4 literal (inet_aton forms, as ipvsadm) or an AF_INET host name. */
static int host_to_ipv4(const char *host, uint32_t *addr)
{
	struct addrinfo hints = { .ai_family = AF_INET }, *res;
	struct in_addr in;

	if (!*host)
		return -1;
	if (inet_aton(host, &in)) {
		*addr = in.s_addr;
		return 0;
	}
	if (getaddrinfo(host, NULL, &hints, &res))
		return -1;
	*addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr;
	freeaddrinfo(res);
	return 0;
}

static int service_to_port(const char *name, uint8_t proto, uint16_t *port)
{
	long n;
	struct servent *se;

	if (!xvsadm_parse_number(name, 0, 65535, &n)) {
		*port = (uint16_t)n;
		return 0;
	}
	if (!*name)
		return -1;
	se = getservbyname(name, proto == IPPROTO_UDP ? "udp" : "tcp");
	if (!se)
		return -1;
	*port = ntohs((uint16_t)se->s_port);
	return 0;
}

int xvsadm_parse_addrport(const char *arg, uint8_t proto, uint32_t *addr,
			  uint16_t *port, bool *port_given)
{
	struct in6_addr in6;
	char buf[256], *colon;

	*port_given = false;
	if (!arg || !*arg || all_digits(arg) || strlen(arg) >= sizeof(buf))
		return -1;
	if (arg[0] == '[' || inet_pton(AF_INET6, arg, &in6) > 0)
		return -2;
	strcpy(buf, arg);
	colon = strrchr(buf, ':');
	if (colon)
		*colon = '\0';
	if (host_to_ipv4(buf, addr))
		return -1;
	if (!colon)
		return 0;
	if (service_to_port(colon + 1, proto, port))
		return -1;
	*port_given = true;
	return 0;
}

/* What the data plane can use as a FULLNAT source (libxvs refuses the
 * rest with -EINVAL; checking here keeps a bad line out of a restore). */
static bool laddr_usable(uint32_t addr)
{
	uint32_t h = ntohl(addr);

	return h != 0 && h != 0xffffffffu && !IN_MULTICAST(h) && (h >> 24) != IN_LOOPBACKNET;
}

int xvsadm_parse_laddr(const char *arg, uint32_t *addr)
{
	struct in6_addr in6;

	if (!arg || !*arg || all_digits(arg))
		return -1;
	if (arg[0] == '[' || inet_pton(AF_INET6, arg, &in6) > 0)
		return -2;
	if (strchr(arg, ':') || host_to_ipv4(arg, addr) || !laddr_usable(*addr))
		return -1;
	return 0;
}

bool xvsadm_ifname_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= 16 || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return false;
	return true;
}

int xvsadm_parse_port_range(const char *s, uint16_t *min, uint16_t *max)
{
	char buf[16], *dash;
	long lo, hi;

	if (!s || strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (!dash)
		return -1;
	*dash = '\0';
	if (xvsadm_parse_number(buf, 1, 65535, &lo) || xvsadm_parse_number(dash + 1, 1, 65535, &hi) ||
	    lo > hi)
		return -1;
	*min = (uint16_t)lo;
	*max = (uint16_t)hi;
	return 0;
}

int xvsadm_parse_netmask(const char *s, uint32_t *mask)
{
	uint32_t m, inv;

	if (!s || host_to_ipv4(s, &m))
		return -1;
	/* a mask is ones then zeros: its complement plus one is a power of 2 */
	inv = ~ntohl(m);
	if (inv & (inv + 1))
		return -1;
	*mask = m;
	return 0;
}

/* -b names: generic ones for every scheduler, named ones only for theirs. */
static const struct {
	const char *name;
	uint32_t bit;
	const char *sched;	/* NULL: any scheduler */
} sched_flag_names[] = {
	{ "flag-1", XVS_SCHED_F_FLAG1, NULL },
	{ "flag-2", XVS_SCHED_F_FLAG2, NULL },
	{ "flag-3", XVS_SCHED_F_FLAG3, NULL },
	{ "sh-fallback", XVS_SCHED_F_FLAG1, "sh" },
	{ "sh-port", XVS_SCHED_F_FLAG2, "sh" },
	{ "mh-fallback", XVS_SCHED_F_FLAG1, "mh" },
	{ "mh-port", XVS_SCHED_F_FLAG2, "mh" },
};

static int sched_flag_one(const char *sched, const char *name, uint32_t *flags,
			  struct xvsadm_err *err)
{
	for (size_t i = 0; i < sizeof(sched_flag_names) / sizeof(sched_flag_names[0]); i++) {
		if (strcmp(sched_flag_names[i].name, name))
			continue;
		if (sched_flag_names[i].sched && strcmp(sched_flag_names[i].sched, sched))
			return xvsadm_fail(err, XVSADM_EXIT_ARGS,
					   "incompatible scheduler flag `%s'", name);
		*flags |= sched_flag_names[i].bit;
		return 0;
	}
	return xvsadm_fail(err, XVSADM_EXIT_ARGS, "invalid scheduler flag `%s'", name);
}

int xvsadm_parse_sched_flags(const char *sched, const char *list,
			     uint32_t *flags, struct xvsadm_err *err)
{
	char buf[256], *save = NULL, *tok;
	int n = 0;

	if (strlen(list) >= sizeof(buf))
		return xvsadm_fail(err, XVSADM_EXIT_ARGS, "invalid scheduler flag `%s'", list);
	strcpy(buf, list);
	*flags = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save), n++)
		if (sched_flag_one(sched, tok, flags, err))
			return err->code;
	if (!n)
		return xvsadm_fail(err, XVSADM_EXIT_ARGS, "invalid scheduler flag `%s'", list);
	return 0;
}

static const char *const hook_names[XVS_HOOK_MAX] = {
	[XVS_HOOK_AUTO] = "auto",
	[XVS_HOOK_XDP] = "xdp",
	[XVS_HOOK_XDP_GENERIC] = "xdp-generic",
	[XVS_HOOK_TC] = "tc",
};

int xvsadm_parse_hook(const char *s, enum xvs_hook *hook)
{
	for (int h = 0; h < XVS_HOOK_MAX; h++) {
		if (!strcmp(s, hook_names[h])) {
			*hook = h;
			return 0;
		}
	}
	return -1;
}

const char *xvsadm_hook_name(enum xvs_hook hook)
{
	return hook < XVS_HOOK_MAX ? hook_names[hook] : "?";
}

/* "PORT" or "PORT-PORT" by number or service name. */
static int port_span(const char *s, uint8_t proto, uint16_t *min, uint16_t *max)
{
	char buf[64], *dash;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (service_to_port(buf, proto, min))
		return -1;
	*max = *min;
	if (dash && service_to_port(dash + 1, proto, max))
		return -1;
	return *min <= *max ? 0 : -1;
}

int xvsadm_parse_mark_match(const char *arg, uint8_t proto, struct xvs_mark_rule *r)
{
	char buf[256], *colon, *slash;
	long len = 32;

	if (!arg || strlen(arg) >= sizeof(buf))
		return -1;
	if (strchr(arg, '[') || strchr(arg, ':') != strrchr(arg, ':'))
		return -2;	/* IPv6 */
	strcpy(buf, arg);
	r->port_min = 0;
	r->port_max = 65535;
	colon = strchr(buf, ':');
	if (colon) {
		*colon = '\0';
		if (port_span(colon + 1, proto, &r->port_min, &r->port_max))
			return -1;
	}
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (xvsadm_parse_number(slash + 1, 0, 32, &len))
			return -1;
	}
	if (host_to_ipv4(buf, &r->addr))
		return -1;
	r->prefix_len = (uint8_t)len;
	return 0;
}
