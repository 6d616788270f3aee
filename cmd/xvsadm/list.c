// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* -L layouts, byte for byte as ipvsadm 1.31 prints them: the plain table,
 * --stats, --rate, --thresholds, --persistent-conn, --tun-info, -c,
 * --timeout, plus DPVS's -G table, the xvs local-address lines and the xvs
 * --counters list. Pure functions over libxvs
 * structs, written to a FILE. */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "xvsadm.h"

#define IPVS_VERSION_STRING	"1.2.1"	/* what ipvsadm reports for IPVS */

void xvsadm_print_largenum(FILE *f, unsigned long long n, unsigned int format)
{
	static const struct {
		unsigned long long below;	/* print scaled while n < below */
		unsigned long long unit;
		char suffix;
	} scales[] = {
		{ 1000000000ULL, 1000ULL, 'K' },
		{ 100000000000ULL, 1000000ULL, 'M' },
		{ 100000000000000ULL, 1000000000ULL, 'G' },
		{ ~0ULL, 1000000000000ULL, 'T' },
	};

	if (format & XVSADM_FMT_EXACT) {
		char digits[24];
		int len = snprintf(digits, sizeof(digits), "%llu", n);

		fprintf(f, "%*s", len <= 8 ? 9 : len + 1, digits);
		return;
	}
	if (n < 100000000ULL) {
		fprintf(f, "%9llu", n);
		return;
	}
	for (size_t i = 0; i < sizeof(scales) / sizeof(scales[0]); i++) {
		if (n < scales[i].below || scales[i].suffix == 'T') {
			fprintf(f, "%8llu%c", n / scales[i].unit, scales[i].suffix);
			return;
		}
	}
}

static const char *proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "TCP";
	case IPPROTO_UDP:
		return "UDP";
	case IPPROTO_SCTP:
		return "SCTP";
	case IPPROTO_IP:	/* a firewall-mark template */
		return "IP";
	default:
		return "?";
	}
}

void xvsadm_host(char *buf, size_t len, uint32_t addr, unsigned int format)
{
	struct in_addr in = { .s_addr = addr };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr = in };

	if ((format & XVSADM_FMT_NUMERIC) ||
	    getnameinfo((struct sockaddr *)&sin, sizeof(sin), buf, (socklen_t)len, NULL, 0,
			NI_NAMEREQD))
		inet_ntop(AF_INET, &in, buf, (socklen_t)len);
}

void xvsadm_addrport(char *buf, size_t len, uint32_t addr, uint16_t port,
		     uint8_t proto, unsigned int format)
{
	char host[NI_MAXHOST], serv[32];

	xvsadm_host(host, sizeof(host), addr, format);
	snprintf(serv, sizeof(serv), "%u", port);
	if (!(format & XVSADM_FMT_NUMERIC)) {
		struct servent *se = getservbyport(htons(port), proto == IPPROTO_UDP ? "udp" : "tcp");

		if (se)
			snprintf(serv, sizeof(serv), "%s", se->s_name);
	}
	snprintf(buf, len, "%s:%s", host, serv);
}

/* "TCP  10.0.0.1:80" (cut at 33 characters) or "FWM  7". */
static void svc_label(char *buf, size_t len, const struct xvs_svc_conf *c,
		      unsigned int format)
{
	char name[320];

	if (c->fwmark) {
		snprintf(buf, len, "FWM  %u", c->fwmark);
		return;
	}
	xvsadm_addrport(name, sizeof(name), c->addr, c->port, c->proto, format);
	snprintf(buf, len, "%-4s %s", proto_name(c->proto), name);
	if (len > 33)
		buf[33] = '\0';
}

static void dest_label(char *buf, size_t len, const struct xvs_dest_conf *d,
		       uint8_t proto, unsigned int format)
{
	xvsadm_addrport(buf, len, d->addr, d->port, proto, format);
	if (len > 28)
		buf[28] = '\0';
}

/* Flag names as ipvsadm shows them: sh and mh have their own words. */
void xvsadm_print_sched_flags(FILE *f, const struct xvs_svc_conf *c)
{
	static const struct {
		const char *sched;	/* NULL: every other scheduler */
		const char *names[3];	/* for FLAG1, FLAG2, FLAG3; NULL: not shown */
	} words[] = {
		{ "sh", { "sh-fallback", "sh-port", NULL } },
		{ "mh", { "mh-fallback", "mh-port", NULL } },
		{ NULL, { "flag-1", "flag-2", "flag-3" } },
	};
	static const uint32_t bits[3] = {
		XVS_SCHED_F_FLAG1, XVS_SCHED_F_FLAG2, XVS_SCHED_F_FLAG3,
	};
	size_t w = 0;
	bool first = true;

	while (words[w].sched && strcmp(words[w].sched, c->sched))
		w++;
	for (int k = 0; k < 3; k++) {
		if (!(c->sched_flags & bits[k]) || !words[w].names[k])
			continue;
		fprintf(f, "%s%s", first ? "" : ",", words[w].names[k]);
		first = false;
	}
}

static bool has_sched_flags(const struct xvs_svc_conf *c)
{
	return c->sched_flags & (XVS_SCHED_F_FLAG1 | XVS_SCHED_F_FLAG2 | XVS_SCHED_F_FLAG3);
}

static bool has_netmask(const struct xvs_svc_conf *c)
{
	return c->netmask && c->netmask != 0xffffffff;
}

void xvsadm_render_title(FILE *f, unsigned int format)
{
	const char *cols[5] = { NULL };

	if (format & XVSADM_FMT_STATS) {
		const char *c[5] = { "Conns", "InPkts", "OutPkts", "InBytes", "OutBytes" };
		memcpy(cols, c, sizeof(cols));
	} else if (format & XVSADM_FMT_RATE) {
		const char *c[5] = { "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS" };
		memcpy(cols, c, sizeof(cols));
	}
	if (cols[0]) {
		fprintf(f, "%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n",
			"Prot LocalAddress:Port", cols[0], cols[1], cols[2], cols[3], cols[4]);
	} else if (format & XVSADM_FMT_THRESHOLDS) {
		fprintf(f, "%-33s %-10s %-10s %-10s %-10s\n  -> RemoteAddress:Port\n",
			"Prot LocalAddress:Port", "Uthreshold", "Lthreshold",
			"ActiveConn", "InActConn");
	} else if (format & XVSADM_FMT_PERSISTCONN) {
		fprintf(f, "%-33s %-9s %-11s %-10s %-10s\n  -> RemoteAddress:Port\n",
			"Prot LocalAddress:Port", "Weight", "PersistConn",
			"ActiveConn", "InActConn");
	} else if (format & XVSADM_FMT_TUN_INFO) {
		fprintf(f, "Prot LocalAddress:Port Scheduler Flags\n"
			"  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n");
	} else if (!(format & XVSADM_FMT_RULE)) {
		fprintf(f, "Prot LocalAddress:Port Scheduler Flags\n"
			"  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
	}
}

static void print_stats5(FILE *f, const struct xvs_stats *s, unsigned int format)
{
	xvsadm_print_largenum(f, s->conns, format);
	xvsadm_print_largenum(f, s->inpkts, format);
	xvsadm_print_largenum(f, s->outpkts, format);
	xvsadm_print_largenum(f, s->inbytes, format);
	xvsadm_print_largenum(f, s->outbytes, format);
}

static void print_service_line(FILE *f, const struct xvs_svc_info *s, unsigned int format)
{
	const struct xvs_svc_conf *c = &s->conf;
	char label[400];

	svc_label(label, sizeof(label), c, format);
	if (format & (XVSADM_FMT_STATS | XVSADM_FMT_RATE)) {
		/* --rate: the caller has put per-second values in stats */
		fprintf(f, "%-33s", label);
		print_stats5(f, &s->stats, format);
		fprintf(f, "\n");
		return;
	}
	fprintf(f, "%s %s", label, c->sched);
	if (has_sched_flags(c)) {
		fprintf(f, " (");
		xvsadm_print_sched_flags(f, c);
		fprintf(f, ")");
	}
	if (c->persistent) {
		fprintf(f, " persistent %u", c->persist_timeout_s);
		if (has_netmask(c))
			fprintf(f, " mask %s", inet_ntoa((struct in_addr){ .s_addr = c->netmask }));
	}
	if (c->ops)
		fprintf(f, " ops");
	fprintf(f, "\n");
}

static void print_dest_line(FILE *f, const struct xvs_dest_info *d, uint8_t proto,
			    unsigned int format)
{
	char name[400];
	int weight = (int)d->conf.weight;

	dest_label(name, sizeof(name), &d->conf, proto, format);
	if (format & XVSADM_FMT_STATS) {
		fprintf(f, "  -> %-28s", name);
		print_stats5(f, &d->stats, format);
		fprintf(f, "\n");
	} else if (format & XVSADM_FMT_RATE) {
		/* ipvsadm does not scale a server's CPS and PPS columns */
		fprintf(f, "  -> %-28s %8llu %8llu %8llu", name,
			(unsigned long long)d->stats.conns,
			(unsigned long long)d->stats.inpkts,
			(unsigned long long)d->stats.outpkts);
		xvsadm_print_largenum(f, d->stats.inbytes, format);
		xvsadm_print_largenum(f, d->stats.outbytes, format);
		fprintf(f, "\n");
	} else if (format & XVSADM_FMT_THRESHOLDS) {
		fprintf(f, "  -> %-28s %-10u %-10u %-10u %-10u\n", name,
			d->conf.u_threshold, d->conf.l_threshold,
			d->active_conns, d->inact_conns);
	} else if (format & XVSADM_FMT_PERSISTCONN) {
		fprintf(f, "  -> %-28s %-9u %-11u %-10u %-10u\n", name,
			d->conf.weight, d->persist_conns, d->active_conns, d->inact_conns);
	} else if (format & XVSADM_FMT_TUN_INFO) {
		fprintf(f, "  -> %-28s %-7s %-13s %-6d %-10u %-10u\n", name,
			xvsadm_fwd_name(d->conf.fwd),
			d->conf.fwd == XVS_FWD_TUN ? "ipip" : "n/a",
			weight, d->active_conns, d->inact_conns);
	} else {
		fprintf(f, "  -> %-28s %-7s %-6d %-10u %-10u\n", name,
			xvsadm_fwd_name(d->conf.fwd), weight,
			d->active_conns, d->inact_conns);
	}
}

/* xvs: a service's FULLNAT local addresses follow its real servers in the
 * layouts that have a Forward column, marked "=>" so that tools reading
 * ipvsadm's "->" lines skip them (ipvsadm and DPVS show none in -L). */
static bool layout_shows_laddrs(unsigned int format)
{
	return !(format & (XVSADM_FMT_STATS | XVSADM_FMT_RATE | XVSADM_FMT_THRESHOLDS |
			   XVSADM_FMT_PERSISTCONN | XVSADM_FMT_RULE));
}

static void print_laddr_line(FILE *f, const struct xvs_laddr_info *l, unsigned int format)
{
	char host[NI_MAXHOST];

	xvsadm_host(host, sizeof(host), l->conf.addr, format);
	fprintf(f, "  => laddr %s dev %s conns %u\n", host, l->conf.ifname, l->conns);
}

void xvsadm_render_entry(FILE *f, const struct xvs_svc_info *s,
			 const struct xvsadm_laddr_list *laddrs, unsigned int format)
{
	print_service_line(f, s, format);
	for (size_t i = 0; i < s->n_dests; i++)
		print_dest_line(f, &s->dests[i], s->conf.proto, format);
	for (size_t i = 0; laddrs && layout_shows_laddrs(format) && i < laddrs->n; i++)
		print_laddr_line(f, &laddrs->v[i], format);
}

void xvsadm_render_service(FILE *f, const struct xvs_svc_info *svc, unsigned int format)
{
	xvsadm_render_title(f, format);
	xvsadm_render_entry(f, svc, NULL, format);
}

void xvsadm_render_list(FILE *f, const struct xvsadm_table *t, unsigned int format,
			uint32_t conn_tab_size)
{
	fprintf(f, "IP Virtual Server version %s (size=%u)\n", IPVS_VERSION_STRING,
		conn_tab_size);
	xvsadm_render_title(f, format);
	for (size_t i = 0; i < t->n_svcs; i++)
		xvsadm_render_entry(f, &t->svcs[i], t->laddrs ? &t->laddrs[i] : NULL, format);
}

/* -G, DPVS's layout: a title (only when there is a service), then per
 * service a "VIP:VPORT TOTAL" line and one line per local address. xvs has
 * no port-conflict counter: CONFLICTS is 0. */
void xvsadm_render_laddrs(FILE *f, const struct xvsadm_table *t)
{
	if (t->lport_min)
		fprintf(f, "Local port range: %u-%u\n", t->lport_min, t->lport_max);
	if (t->n_svcs)
		fprintf(f, "%-20s %-8s %-20s %-10s %-10s\n", "VIP:VPORT", "TOTAL", "SNAT_IP",
			"CONFLICTS", "CONNS");
	for (size_t i = 0; i < t->n_svcs; i++) {
		const struct xvs_svc_conf *c = &t->svcs[i].conf;
		const struct xvsadm_laddr_list *l = t->laddrs ? &t->laddrs[i] : NULL;
		char vip[64];

		xvsadm_addrport(vip, sizeof(vip), c->addr, c->port, c->proto, XVSADM_FMT_NUMERIC);
		fprintf(f, "%-20s %-8zu \n", vip, l ? l->n : 0);
		for (size_t k = 0; l && k < l->n; k++) {
			char ip[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &l->v[k].conf.addr, ip, sizeof(ip));
			fprintf(f, "%-20s %-8s %-20s %-10u %-10u\n", "", "", ip, 0u, l->v[k].conns);
		}
	}
}

void xvsadm_render_conns(FILE *f, const struct xvs_conn_info *c, size_t n,
			 unsigned int format)
{
	fprintf(f, "IPVS connection entries\n");
	if (format & XVSADM_FMT_PERSISTCONN)
		fprintf(f, "pro expire %-11s %-18s %-18s %-18s %-16s %s\n",
			"state", "source", "virtual", "destination", "pe name", "pe_data");
	else
		fprintf(f, "pro expire %-11s %-18s %-18s %s\n",
			"state", "source", "virtual", "destination");
	for (size_t i = 0; i < n; i++) {
		char src[400], vip[400], dst[400], expire[24];

		xvsadm_addrport(src, sizeof(src), c[i].caddr, c[i].cport, c[i].proto, format);
		xvsadm_addrport(vip, sizeof(vip), c[i].vaddr, c[i].vport, c[i].proto, format);
		xvsadm_addrport(dst, sizeof(dst), c[i].daddr, c[i].dport, c[i].proto, format);
		snprintf(expire, sizeof(expire), "%02u:%02u",
			 c[i].expire_s / 60, c[i].expire_s % 60);
		fprintf(f, "%-3s %-6s %-11s %-18s %-18s %s\n", proto_name(c[i].proto),
			expire, xvs_conn_info_state(&c[i]), src, vip, dst);
	}
}

void xvsadm_render_timeout(FILE *f, uint32_t tcp, uint32_t tcpfin, uint32_t udp)
{
	fprintf(f, "Timeout (tcp tcpfin udp): %u %u %u\n", tcp, tcpfin, udp);
}

void xvsadm_render_counters(FILE *f, const uint64_t *vals, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%-24s %llu\n", xvs_counter_name(i), (unsigned long long)vals[i]);
}

void xvsadm_mark_match(char *buf, size_t len, const struct xvs_mark_rule *r, unsigned int format)
{
	char host[NI_MAXHOST], ports[32] = "";

	xvsadm_host(host, sizeof(host), r->addr, format | XVSADM_FMT_NUMERIC);
	if (r->port_min == r->port_max)
		snprintf(ports, sizeof(ports), ":%u", r->port_min);
	else if (r->port_min != 0 || r->port_max != 65535)
		snprintf(ports, sizeof(ports), ":%u-%u", r->port_min, r->port_max);
	if (r->prefix_len == 32)
		snprintf(buf, len, "%s%s", host, ports);
	else
		snprintf(buf, len, "%s/%u%s", host, r->prefix_len, ports);
}

/* xvs: the mark rules, as the data plane tries them for each address: most
 * specific prefix first, then in the order added. */
void xvsadm_render_marks(FILE *f, const struct xvs_mark_rule *r, size_t n, unsigned int format)
{
	fprintf(f, "Firewall mark rules\n%-4s %-33s %s\n", "Prot", "Destination[/len][:ports]",
		"Mark");
	for (int len = 32; len >= 0; len--)
		for (size_t i = 0; i < n; i++) {
			char match[96];

			if (r[i].prefix_len != len)
				continue;
			xvsadm_mark_match(match, sizeof(match), &r[i], format);
			fprintf(f, "%-4s %-33s %u\n", proto_name(r[i].proto), match, r[i].mark);
		}
}
