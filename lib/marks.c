// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Firewall-mark rules: the data plane runs before netfilter, so packets
 * for -f services are marked by rules of ours. They live in the one map
 * the data plane reads, xvs_mark_lpm (the maps are the only state, and a
 * map the programs do not use could not be found again): one entry per
 * (protocol, prefix) of some rule, its own rules first (n_own of them, in
 * the order added), then those of every shorter prefix containing it, so
 * one longest-prefix lookup finds every rule that can apply, most specific
 * first. Every change reads the rules back, edits the list and rebuilds
 * the entries. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "internal.h"

static uint32_t prefix_mask(uint8_t len)
{
	return len ? htonl(~0u << (32 - len)) : 0;
}

static struct xvs_mark_lpm_key lpm_key(const struct xvs_mark_rule *r)
{
	return (struct xvs_mark_lpm_key){
		.prefixlen = 32 + r->prefix_len, .proto = r->proto, .daddr = r->addr,
	};
}

/* Every rule, each prefix's own in the order added, prefixes in map
 * order. rules holds XVS_MARK_RULES_MAX. */
static int rules_read(struct xvs *x, struct xvs_mark_rule *rules, size_t *n)
{
	struct xvs_mark_lpm_key k, *prev = NULL;
	struct xvs_mark_set set;

	*n = 0;
	while (!bpf_map_get_next_key(x->map_fd[MAP_MARK_LPM], prev, &k)) {
		prev = &k;
		if (bpf_map_lookup_elem(x->map_fd[MAP_MARK_LPM], &k, &set))
			continue;	/* removed meanwhile: cannot happen under the lock */
		for (uint32_t i = 0; i < set.n_own && i < XVS_MARK_SET_MAX; i++) {
			if (*n == XVS_MARK_RULES_MAX)
				return -ENOSPC;
			rules[(*n)++] = (struct xvs_mark_rule){
				.proto = k.proto, .addr = k.daddr,
				.prefix_len = (uint8_t)(k.prefixlen - 32),
				.port_min = set.rule[i].port_min, .port_max = set.rule[i].port_max,
				.mark = set.rule[i].mark,
			};
		}
	}
	return errno == ENOENT ? 0 : -errno;
}

static bool same_prefix(const struct xvs_mark_rule *a, const struct xvs_mark_rule *b)
{
	return a->proto == b->proto && a->prefix_len == b->prefix_len && a->addr == b->addr;
}

/* Does a's prefix contain b's? */
static bool prefix_contains(const struct xvs_mark_rule *a, const struct xvs_mark_rule *b)
{
	return a->proto == b->proto && a->prefix_len <= b->prefix_len &&
	       (b->addr & prefix_mask(a->prefix_len)) == a->addr;
}

/* The entry of rules[at]'s prefix: its own rules, then those of the
 * containing prefixes from the longest down. */
static int lpm_set(const struct xvs_mark_rule *rules, size_t n, size_t at,
		   struct xvs_mark_set *set)
{
	memset(set, 0, sizeof(*set));
	for (int len = rules[at].prefix_len; len >= 0; len--) {
		for (size_t i = 0; i < n; i++) {
			if (rules[i].prefix_len != len || !prefix_contains(&rules[i], &rules[at]))
				continue;
			if (set->n == XVS_MARK_SET_MAX)
				return -ENOSPC;
			set->rule[set->n].port_min = rules[i].port_min;
			set->rule[set->n].port_max = rules[i].port_max;
			set->rule[set->n].mark = rules[i].mark;
			set->n++;
			if (len == rules[at].prefix_len)
				set->n_own++;
		}
	}
	return 0;
}

/* Writes the entries for rules, then removes those of prefixes no rule
 * has any more. Every entry is built before anything is written, so rules
 * that cannot be stored change nothing. */
static int rules_publish(struct xvs *x, const struct xvs_mark_rule *rules, size_t n)
{
	struct xvs_mark_set *sets = calloc(n + 1, sizeof(*sets));
	struct xvs_mark_lpm_key k, next, *prev = NULL;
	struct xvs_cfg old = x->cfg;
	int err = 0;

	if (!sets)
		return -ENOMEM;
	for (size_t i = 0; i < n && !err; i++)
		err = lpm_set(rules, n, i, &sets[i]);
	for (size_t i = 0; i < n && !err; i++) {
		k = lpm_key(&rules[i]);
		err = xvs_map_update(x, MAP_MARK_LPM, &k, &sets[i]);
	}
	free(sets);
	if (err)
		return err;
	while (!bpf_map_get_next_key(x->map_fd[MAP_MARK_LPM], prev, &next)) {
		bool used = false;

		for (size_t i = 0; i < n && !used; i++) {
			struct xvs_mark_lpm_key rk = lpm_key(&rules[i]);

			used = !memcmp(&rk, &next, sizeof(rk));
		}
		if (used) {
			k = next;
			prev = &k;
			continue;
		}
		err = xvs_map_delete(x, MAP_MARK_LPM, &next);
		if (err)
			return err;
		prev = NULL;	/* start the walk over: the cursor may be gone */
	}
	x->cfg.mark_rules = (uint32_t)n;
	err = xvs_cfg_write(x);
	if (err)
		x->cfg = old;
	return err;
}

static int rule_check(const struct xvs_mark_rule *r, struct xvs_mark_rule *out)
{
	if ((r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP) || r->prefix_len > 32 ||
	    r->port_min > r->port_max || r->mark == 0)
		return -EINVAL;
	*out = *r;
	out->addr &= prefix_mask(r->prefix_len);	/* as iptables does with -d */
	return 0;
}

static bool same_match(const struct xvs_mark_rule *a, const struct xvs_mark_rule *b)
{
	return same_prefix(a, b) && a->port_min == b->port_min && a->port_max == b->port_max;
}

int xvs_mark_rule_add(struct xvs *x, const struct xvs_mark_rule *r)
{
	struct xvs_mark_rule *rules, e;
	size_t n = 0;
	int err = rule_check(r, &e);

	if (err)
		return err;
	err = xvs_dp_ensure(x);
	if (err)
		return err;
	rules = calloc(XVS_MARK_RULES_MAX + 1, sizeof(*rules));
	if (!rules)
		return -ENOMEM;
	err = rules_read(x, rules, &n);
	for (size_t i = 0; i < n && !err; i++)
		if (same_match(&rules[i], &e))
			err = -EEXIST;
	if (!err && n == XVS_MARK_RULES_MAX)
		err = -ENOSPC;
	if (!err) {
		rules[n++] = e;
		err = rules_publish(x, rules, n);
	}
	free(rules);
	return err;
}

int xvs_mark_rule_del(struct xvs *x, const struct xvs_mark_rule *r)
{
	struct xvs_mark_rule *rules, e;
	size_t n = 0, at = SIZE_MAX;
	int err = rule_check(r, &e);

	if (err)
		return err;
	if (!xvs_is_loaded(x))
		return -ENOENT;
	rules = calloc(XVS_MARK_RULES_MAX + 1, sizeof(*rules));
	if (!rules)
		return -ENOMEM;
	err = rules_read(x, rules, &n);
	for (size_t i = 0; i < n && !err && at == SIZE_MAX; i++)
		if (same_match(&rules[i], &e) && rules[i].mark == e.mark)
			at = i;
	if (!err && at == SIZE_MAX)
		err = -ENOENT;
	if (!err) {
		memmove(&rules[at], &rules[at + 1], (n - at - 1) * sizeof(*rules));
		err = rules_publish(x, rules, n - 1);
	}
	free(rules);
	return err;
}

int xvs_mark_rule_list(struct xvs *x, struct xvs_mark_rule **out, size_t *count)
{
	struct xvs_mark_rule *rules;
	size_t n = 0;
	int err;

	*out = NULL;
	*count = 0;
	if (!xvs_is_loaded(x))
		return 0;
	rules = calloc(XVS_MARK_RULES_MAX + 1, sizeof(*rules));
	if (!rules)
		return -ENOMEM;
	err = rules_read(x, rules, &n);
	if (err) {
		free(rules);
		return err;
	}
	*out = rules;
	*count = n;
	return 0;
}
