// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* -S: the table as the -A/-a command lines that rebuild it, in ipvsadm's
 * spelling, so that `xvsadm -S | xvsadm -R` (or ipvsadm -R) restores it;
 * plus DPVS's -P lines for FULLNAT local addresses and the xvs
 * --lport-range line when the range is not the default. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "xvsadm.h"

static const char *proto_switch(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "-t";
	case IPPROTO_UDP:
		return "-u";
	case IPPROTO_SCTP:
		return "--sctp-service";
	default:
		return "--xxx-service";
	}
}

/* "-t 10.0.0.1:80" or "-f 7" */
static void svc_selector(char *buf, size_t len, const struct xvs_svc_conf *c,
			 unsigned int format)
{
	char name[320];

	if (c->fwmark) {
		snprintf(buf, len, "-f %u", c->fwmark);
		return;
	}
	xvsadm_addrport(name, sizeof(name), c->addr, c->port, c->proto, format);
	snprintf(buf, len, "%s %s", proto_switch(c->proto), name);
}

static void save_service(FILE *f, const struct xvs_svc_conf *c, const char *sel)
{
	fprintf(f, "-A %s -s %s", sel, c->sched);
	if (c->persistent) {
		fprintf(f, " -p %u", c->persist_timeout_s);
		if (c->netmask && c->netmask != 0xffffffff)
			fprintf(f, " -M %s", inet_ntoa((struct in_addr){ .s_addr = c->netmask }));
	}
	if (c->ops)
		fprintf(f, " -o");
	if (c->sched_flags & (XVS_SCHED_F_FLAG1 | XVS_SCHED_F_FLAG2 | XVS_SCHED_F_FLAG3)) {
		fprintf(f, " -b ");
		xvsadm_print_sched_flags(f, c);
	}
	fprintf(f, "\n");
}

static void save_dest(FILE *f, const struct xvs_dest_conf *d, uint8_t proto,
		      const char *sel, unsigned int format)
{
	char name[320];

	xvsadm_addrport(name, sizeof(name), d->addr, d->port, proto, format);
	fprintf(f, "-a %s -r %s %s -w %d", sel, name, xvsadm_fwd_switch(d->fwd),
		(int)d->weight);
	if (d->fwd == XVS_FWD_TUN)
		fprintf(f, " --tun-type ipip");
	/* ipvsadm 1.31 loses thresholds on save; xvs keeps them */
	if (d->u_threshold)
		fprintf(f, " -x %u", d->u_threshold);
	if (d->l_threshold)
		fprintf(f, " -y %u", d->l_threshold);
	fprintf(f, "\n");
}

/* DPVS's -P line (DPVS itself does not save local addresses). */
static void save_laddr(FILE *f, const struct xvs_laddr_conf *l, const char *sel,
		       unsigned int format)
{
	char host[320];

	xvsadm_host(host, sizeof(host), l->addr, format);
	fprintf(f, "-P %s -z %s -F %s\n", sel, host, l->ifname);
}

static bool lport_range_is_default(const struct xvsadm_table *t)
{
	return !t->lport_min ||
	       (t->lport_min == XVS_LPORT_MIN_DEFAULT && t->lport_max == XVS_LPORT_MAX_DEFAULT);
}

void xvsadm_render_save(FILE *f, const struct xvsadm_table *t, unsigned int format)
{
	/* first, so that a restore sets them before any connection needs them */
	if (!lport_range_is_default(t))
		fprintf(f, "--lport-range %u-%u\n", t->lport_min, t->lport_max);
	for (size_t i = 0; i < t->n_marks; i++) {
		char match[96];

		xvsadm_mark_match(match, sizeof(match), &t->marks[i], format);
		fprintf(f, "--add-mark %u %s %s\n", t->marks[i].mark, proto_switch(t->marks[i].proto),
			match);
	}
	for (size_t i = 0; i < t->n_svcs; i++) {
		const struct xvs_svc_info *s = &t->svcs[i];
		const struct xvsadm_laddr_list *l = t->laddrs ? &t->laddrs[i] : NULL;
		char sel[400];

		svc_selector(sel, sizeof(sel), &s->conf, format);
		save_service(f, &s->conf, sel);
		for (size_t k = 0; k < s->n_dests; k++)
			save_dest(f, &s->dests[k].conf, s->conf.proto, sel, format);
		for (size_t k = 0; l && k < l->n; k++)
			save_laddr(f, &l->v[k].conf, sel, format);
	}
}
