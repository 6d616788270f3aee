// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* FULLNAT local addresses of a service (DPVS's --add-laddr): kept in the
 * service's xvs_laddrs element, owned on their interface so the real
 * servers' replies (and ARP) reach the director. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "internal.h"
#include "conn.h"

static int laddr_set_read(struct xvs *x, uint32_t svc_idx, struct xvs_laddr_set *set)
{
	memset(set, 0, sizeof(*set));
	if (bpf_map_lookup_elem(x->map_fd[MAP_LADDRS], &svc_idx, set))
		return -errno;
	if (set->count > XVS_LADDR_MAX)
		set->count = XVS_LADDR_MAX;
	return 0;
}

static int laddr_svc(struct xvs *x, const struct xvs_svc_conf *svc, uint32_t *idx)
{
	struct xvs_svc_slot *s;
	struct xvs_svc_key k;

	if (!xvs_is_loaded(x))
		return -ESRCH;
	xvs_svc_key_from_conf(&k, svc);
	s = xvs_model_svc_find(x, &k);
	if (!s)
		return -ESRCH;
	*idx = s->idx;
	return 0;
}

static int laddr_find(const struct xvs_laddr_set *set, uint32_t addr)
{
	for (uint32_t i = 0; i < set->count; i++)
		if (set->addr[i] == addr)
			return (int)i;
	return -1;
}

/* True when another service still uses addr as a local address. */
static bool laddr_in_use_elsewhere(struct xvs *x, uint32_t svc_idx, uint32_t addr)
{
	struct xvs_laddr_set set;

	for (size_t i = 0; i < x->n_svcs; i++) {
		if (x->svcs[i].idx == svc_idx || laddr_set_read(x, x->svcs[i].idx, &set))
			continue;
		if (laddr_find(&set, addr) >= 0)
			return true;
	}
	return false;
}

static bool laddr_valid(uint32_t addr)
{
	uint32_t h = ntohl(addr);

	return h != 0 && h != 0xffffffffu && (h >> 28) != 0xe && (h >> 24) != 127;
}

int xvs_laddr_add(struct xvs *x, const struct xvs_svc_conf *svc, const struct xvs_laddr_conf *l)
{
	struct xvs_laddr_set set;
	uint32_t idx;
	int ifindex, present, err;

	err = laddr_svc(x, svc, &idx);
	if (err)
		return err;
	if (!laddr_valid(l->addr))
		return -EINVAL;
	ifindex = (int)if_nametoindex(l->ifname);
	if (!ifindex)
		return -ENODEV;
	err = laddr_set_read(x, idx, &set);
	if (err)
		return err;
	if (laddr_find(&set, l->addr) >= 0)
		return -EEXIST;
	if (set.count >= XVS_LADDR_MAX)
		return -ENOSPC;
	present = xvs_addr_present(ifindex, l->addr);
	if (present < 0)
		return present;
	if (!present) {
		err = xvs_addr_add(x, ifindex, l->addr);
		if (err)
			return err;
		set.owned |= 1u << set.count;
	}
	set.addr[set.count] = l->addr;
	set.ifindex[set.count] = (uint32_t)ifindex;
	set.count++;
	err = xvs_map_update(x, MAP_LADDRS, &idx, &set);
	if (err && !present)
		xvs_addr_del(x, ifindex, l->addr);
	return err;
}

/* Removes slot i, keeping the order of the others. */
static void laddr_slot_remove(struct xvs_laddr_set *set, uint32_t i)
{
	uint32_t low = set->owned & ((1u << i) - 1), high = set->owned >> (i + 1);

	for (uint32_t j = i; j + 1 < set->count; j++) {
		set->addr[j] = set->addr[j + 1];
		set->ifindex[j] = set->ifindex[j + 1];
	}
	set->count--;
	set->addr[set->count] = 0;
	set->ifindex[set->count] = 0;
	set->owned = low | (high << i);
}

/* Gives an address we added back, unless another service uses it too. */
static int laddr_release(struct xvs *x, uint32_t svc_idx, uint32_t addr, uint32_t ifindex,
			 bool owned)
{
	if (!owned || laddr_in_use_elsewhere(x, svc_idx, addr))
		return 0;
	return xvs_addr_del(x, (int)ifindex, addr);
}

int xvs_laddr_del(struct xvs *x, const struct xvs_svc_conf *svc, const struct xvs_laddr_conf *l)
{
	struct xvs_laddr_set set;
	uint32_t idx, ifindex;
	bool owned;
	int i, err;

	err = laddr_svc(x, svc, &idx);
	if (err)
		return err;
	err = laddr_set_read(x, idx, &set);
	if (err)
		return err;
	i = laddr_find(&set, l->addr);
	if (i < 0)
		return -ENOENT;
	if (l->ifname[0] && if_nametoindex(l->ifname) != set.ifindex[i])
		return -ENOENT;
	ifindex = set.ifindex[i];
	owned = set.owned & (1u << i);
	laddr_slot_remove(&set, (uint32_t)i);
	err = xvs_map_update(x, MAP_LADDRS, &idx, &set);
	if (!err)
		err = laddr_release(x, idx, l->addr, ifindex, owned);
	return err;
}

int xvs_laddr_svc_release(struct xvs *x, uint32_t svc_idx)
{
	struct xvs_laddr_set set, empty = { 0 };
	int err = laddr_set_read(x, svc_idx, &set);

	if (err)
		return err;
	err = xvs_map_update(x, MAP_LADDRS, &svc_idx, &empty);
	for (uint32_t i = 0; i < set.count && !err; i++)
		err = laddr_release(x, svc_idx, set.addr[i], set.ifindex[i], set.owned & (1u << i));
	return err;
}

struct laddr_count {
	struct xvs_laddr_info *items;
	size_t n;
	uint32_t svc_idx;
};

static int laddr_count_conn(const struct xvs_conn_key *k, const struct xvs_conn *c,
			    uint32_t expire_s, void *data)
{
	struct laddr_count *lc = data;

	(void)k;
	(void)expire_s;
	if (c->fwd != XVS_FWD_FNAT || c->svc_idx != lc->svc_idx ||
	    (c->flags & XVS_CONN_F_TEMPLATE))
		return 0;
	for (size_t i = 0; i < lc->n; i++)
		if (lc->items[i].conf.addr == c->laddr)
			lc->items[i].conns++;
	return 0;
}

int xvs_laddr_list(struct xvs *x, const struct xvs_svc_conf *svc, struct xvs_laddr_info **out,
		   size_t *n)
{
	struct laddr_count lc = { 0 };
	struct xvs_laddr_set set;
	int err;

	*out = NULL;
	*n = 0;
	err = laddr_svc(x, svc, &lc.svc_idx);
	if (!err)
		err = laddr_set_read(x, lc.svc_idx, &set);
	if (err || set.count == 0)
		return err;
	lc.items = calloc(set.count, sizeof(*lc.items));
	if (!lc.items)
		return -ENOMEM;
	lc.n = set.count;
	for (uint32_t i = 0; i < set.count; i++) {
		lc.items[i].conf.addr = set.addr[i];
		if (!if_indextoname(set.ifindex[i], lc.items[i].conf.ifname))
			snprintf(lc.items[i].conf.ifname, sizeof(lc.items[i].conf.ifname), "if%u",
				 set.ifindex[i]);
	}
	err = xvs_conn_walk(x, laddr_count_conn, &lc);
	if (err) {
		free(lc.items);
		return err;
	}
	*out = lc.items;
	*n = lc.n;
	return 0;
}

int xvs_lport_range_set(struct xvs *x, uint16_t min, uint16_t max)
{
	int err;

	if (min == 0 || min > max)
		return -EINVAL;
	err = xvs_dp_ensure(x);
	if (err)
		return err;
	x->cfg.lport_min = min;
	x->cfg.lport_max = max;
	return xvs_cfg_write(x);
}

int xvs_lport_range_get(struct xvs *x, uint16_t *min, uint16_t *max)
{
	*min = xvs_is_loaded(x) ? x->cfg.lport_min : XVS_LPORT_MIN_DEFAULT;
	*max = xvs_is_loaded(x) ? x->cfg.lport_max : XVS_LPORT_MAX_DEFAULT;
	return 0;
}
