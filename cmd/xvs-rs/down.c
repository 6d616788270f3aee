// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `xvs-rs down`: takes the named VIPs back out (off lo only if up put them
 * there, out of the decapsulator), and when the last VIP goes (or without
 * --vip, or in fullnat mode, which has none), undoes every recorded change
 * newest first: programs detached from interfaces and from the cgroup,
 * sysctls and links back to their values before the first up, the record
 * deleted. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rs.h"

int rs_decap_open_from_state(struct rs_decap *d, const struct rs_state *st)
{
	for (size_t i = 0; i < st->n_changes; i++) {
		const struct rs_change *c = &st->changes[i];

		if (c->kind != RS_CH_TC && c->kind != RS_CH_XDP)
			continue;
		if ((int)if_nametoindex(c->name) != c->ifindex)
			continue;
		if (!rs_decap_open_attached(d, c->kind == RS_CH_XDP ? RS_HOOK_XDP : RS_HOOK_TC,
					    c->ifindex))
			return 0;
	}
	return -ENOENT;
}

static void vip_remove(struct rs_state *st, uint32_t addr)
{
	for (size_t i = 0; i < st->n_vips; i++)
		if (st->vips[i].addr == addr) {
			st->vips[i] = st->vips[--st->n_vips];
			return;
		}
}

/* Takes one VIP out; returns 0 or the first error. */
static int vip_down(struct rs_state *st, const struct rs_decap *d, uint32_t addr, int lo)
{
	const struct rs_vip *v = rs_state_vip(st, addr);
	char name[INET_ADDRSTRLEN];
	int err = 0, e;

	inet_ntop(AF_INET, &addr, name, sizeof(name));
	if (d->vips_fd >= 0) {
		e = rs_decap_vip_del(d, addr);
		if (e) {
			rs_err("cannot remove VIP %s from the decapsulator: %s", name, strerror(-e));
			err = e;
		}
	}
	if (v->added) {
		e = rs_nl_addr_del(lo, addr);
		if (e && e != -EADDRNOTAVAIL && e != -ENOENT) {
			rs_err("cannot remove VIP %s from lo: %s", name, strerror(-e));
			err = err ? err : e;
		}
	}
	vip_remove(st, addr);
	return err;
}

int rs_cmd_down(const struct rs_opts *o)
{
	static struct rs_state st;
	struct rs_decap d = RS_DECAP_INIT;
	char name[INET_ADDRSTRLEN];
	uint32_t vips[XVS_RS_MAX_VIPS];
	size_t n_vips;
	int err, lo, failed = 0;

	err = rs_state_lock();
	if (err) {
		rs_err("cannot lock /run/xvs: %s", strerror(-err));
		return RS_EXIT_FAIL;
	}
	err = rs_state_load(&st);
	if (err == -ENOENT) {
		rs_err("nothing to undo: 'xvs-rs up' has not prepared this network namespace");
		return RS_EXIT_FAIL;
	}
	if (err) {
		rs_err("cannot read the state file: %s", strerror(-err));
		return RS_EXIT_FAIL;
	}
	if (st.mode == RS_MODE_FULLNAT && o->n_vips) {
		rs_err("--mode fullnat has no VIPs: run 'xvs-rs down' without --vip");
		return RS_EXIT_FAIL;
	}
	for (size_t i = 0; i < o->n_vips; i++)
		if (!rs_state_vip(&st, o->vips[i])) {
			inet_ntop(AF_INET, &o->vips[i], name, sizeof(name));
			rs_err("VIP %s was not set up by 'xvs-rs up' in this network namespace",
			       name);
			return RS_EXIT_FAIL;
		}
	lo = if_nametoindex("lo");
	/* without --vip: all of them */
	n_vips = o->n_vips ? o->n_vips : st.n_vips;
	for (size_t i = 0; i < n_vips; i++)
		vips[i] = o->n_vips ? o->vips[i] : st.vips[i].addr;

	if (st.mode == RS_MODE_TUN && (st.hook == RS_HOOK_TC || st.hook == RS_HOOK_XDP) &&
	    rs_decap_open_from_state(&d, &st))
		rs_err("warning: the decapsulator is no longer attached anywhere");
	for (size_t i = 0; i < n_vips; i++)
		failed |= vip_down(&st, &d, vips[i], lo) != 0;
	rs_decap_close(&d);

	if (st.n_vips) {
		err = rs_state_save(&st);
		if (err) {
			rs_err("cannot write the state file: %s", strerror(-err));
			failed = 1;
		}
		printf("xvs-rs: down: %zu VIP(s) removed, %zu still set up\n", n_vips, st.n_vips);
		return failed ? RS_EXIT_FAIL : RS_EXIT_OK;
	}
	err = rs_changes_undo(&st, 0);
	if (err) {
		rs_err("could not restore everything: %s", strerror(-err));
		failed = 1;
	}
	err = rs_state_remove();
	if (err) {
		rs_err("cannot remove the state file: %s", strerror(-err));
		failed = 1;
	}
	printf("xvs-rs: down: the network namespace is back as it was before up\n");
	return failed ? RS_EXIT_FAIL : RS_EXIT_OK;
}
