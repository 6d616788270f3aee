/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A real server's live connection counts, kept as IPVS keeps them in
 * struct ip_vs_dest: activeconns, inactconns, persistconns, and the
 * overload flag its -x/-y thresholds drive (ip_vs_bind_dest() and
 * ip_vs_unbind_dest() in ip_vs_conn.c). Every change is an atomic add on
 * the shared xvs_dest_conns element, so the connection-count schedulers on
 * any CPU see the same numbers. The three changes are global functions:
 * the verifier checks each once, not on every path of the program. */
#ifndef XVS_BPF_COUNTS_H
#define XVS_BPF_COUNTS_H

#include "maps.h"

/* Which count an entry is in. */
enum conn_class {
	CLASS_ACTIVE,		/* activeconns */
	CLASS_INACTIVE,		/* inactconns */
	CLASS_PERSIST,		/* persistconns: a template */
	CLASS_NONE,		/* a dead entry: in no count */
};

/* IPVS counts a TCP connection as active in the states of
 * tcp_state_active_table[] (ESTABLISHED and the three handshake states) and
 * everything else, UDP included, as inactive. */
static __always_inline int conn_class_of(__u8 state, __u8 flags)
{
	if (state == XVS_CS_DEAD)
		return CLASS_NONE;
	if (flags & XVS_CONN_F_TEMPLATE)
		return CLASS_PERSIST;
	if (state == XVS_CS_ESTABLISHED || state == XVS_CS_SYN_SENT ||
	    state == XVS_CS_SYN_RECV || state == XVS_CS_SYNACK)
		return CLASS_ACTIVE;
	return CLASS_INACTIVE;
}

static __always_inline __s32 *count_field(struct xvs_dest_conns *n, __u32 cls)
{
	if (cls == CLASS_ACTIVE)
		return &n->active;
	if (cls == CLASS_INACTIVE)
		return &n->inactive;
	return &n->persist;
}

/* ip_vs_dest_totalconns(): templates do not count against thresholds. */
static __always_inline __s32 count_total(const struct xvs_dest_conns *n)
{
	return READ_ONCE_S32(n->active) + READ_ONCE_S32(n->inactive);
}

/* A new entry on the real server (ip_vs_bind_dest): one more in its count,
 * and over the upper threshold the server is overloaded. */
__noinline int count_bind(__u32 dest_idx, __u32 cls)
{
	struct xvs_dest_conns *n = bpf_map_lookup_elem(&xvs_dest_conns, &dest_idx);
	struct xvs_dest *d = bpf_map_lookup_elem(&xvs_dests, &dest_idx);
	__u32 u;

	if (!n || cls >= CLASS_NONE)
		return 0;
	__sync_fetch_and_add(count_field(n, cls), 1);
	u = d ? d->u_threshold : 0;
	if (u && count_total(n) >= (__s64)u && !(n->flags & XVS_DEST_CONNS_F_OVERLOAD))
		__sync_fetch_and_or(&n->flags, XVS_DEST_CONNS_F_OVERLOAD);
	return 0;
}

/* An entry leaves (ip_vs_unbind_dest): one less, and the overload flag
 * clears below the lower threshold, or below 3/4 of the upper one when no
 * lower threshold is set, or at once when there is no threshold at all. */
__noinline int count_unbind(__u32 dest_idx, __u32 cls)
{
	struct xvs_dest_conns *n = bpf_map_lookup_elem(&xvs_dest_conns, &dest_idx);
	struct xvs_dest *d = bpf_map_lookup_elem(&xvs_dests, &dest_idx);
	__u32 u = 0, l = 0;
	__s64 total;
	bool clear;

	if (!n || cls >= CLASS_NONE)
		return 0;
	__sync_fetch_and_sub(count_field(n, cls), 1);
	if (!(n->flags & XVS_DEST_CONNS_F_OVERLOAD))
		return 0;
	if (d) {
		u = d->u_threshold;
		l = d->l_threshold;
	}
	total = count_total(n);
	if (l)
		clear = total < (__s64)l;
	else if (u)
		clear = total * 4 < (__s64)u * 3;
	else
		clear = true;
	if (clear)
		__sync_fetch_and_and(&n->flags, ~XVS_DEST_CONNS_F_OVERLOAD);
	return 0;
}

/* A state change moved the connection from one count to the other (IPVS's
 * IP_VS_CONN_F_INACTIVE flip in set_tcp_state()); thresholds are not
 * looked at, as in IPVS. */
__noinline int count_move(__u32 dest_idx, __u32 from, __u32 to)
{
	struct xvs_dest_conns *n;

	if (from == to || from >= CLASS_NONE || to >= CLASS_NONE)
		return 0;
	n = bpf_map_lookup_elem(&xvs_dest_conns, &dest_idx);
	if (!n)
		return 0;
	__sync_fetch_and_sub(count_field(n, from), 1);
	__sync_fetch_and_add(count_field(n, to), 1);
	return 0;
}

static __always_inline bool dest_overloaded(const struct xvs_dest_conns *n)
{
	return n && (READ_ONCE_U32(n->flags) & XVS_DEST_CONNS_F_OVERLOAD);
}

#endif /* XVS_BPF_COUNTS_H */
