// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The data plane object against include/xvs/abi.h: every map has the name,
 * type, key and value size and capacity the header promises, and the two
 * programs carry the names libxvs looks for. Opens the skeleton only (no
 * load), so it needs no privileges. */
#include <stdint.h>
#include <string.h>

#include <linux/bpf.h>
#include <bpf/libbpf.h>

#include "test.h"
#include "xvs/abi.h"
#include "xvs_dp.skel.h"

struct map_abi {
	const char *name;
	enum bpf_map_type type;
	size_t key_size, value_size;
	uint32_t max_entries;
};

static const struct map_abi maps[] = {
	{ XVS_MAP_SVCS, BPF_MAP_TYPE_HASH, sizeof(struct xvs_svc_key), sizeof(uint32_t),
	  XVS_MAX_SVC },
	{ XVS_MAP_SVC_INFO, BPF_MAP_TYPE_ARRAY, sizeof(uint32_t), sizeof(struct xvs_svc),
	  XVS_MAX_SVC },
	{ XVS_MAP_DESTS, BPF_MAP_TYPE_ARRAY, sizeof(uint32_t), sizeof(struct xvs_dest),
	  XVS_MAX_DEST },
	{ XVS_MAP_RING, BPF_MAP_TYPE_ARRAY, sizeof(uint32_t), sizeof(uint32_t),
	  XVS_RING_SLOTS },
	{ XVS_MAP_CONNS, BPF_MAP_TYPE_HASH, sizeof(struct xvs_conn_key),
	  sizeof(struct xvs_conn), XVS_CONN_MAX_DEFAULT },
	{ XVS_MAP_CFG, BPF_MAP_TYPE_ARRAY, sizeof(uint32_t), sizeof(struct xvs_cfg), 1 },
	{ XVS_MAP_COUNTERS, BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(uint32_t), sizeof(uint64_t),
	  XVS_CNT_MAX },
	{ XVS_MAP_SVC_STATS, BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(uint32_t),
	  sizeof(struct xvs_stats), XVS_MAX_SVC },
	{ XVS_MAP_DEST_STATS, BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(uint32_t),
	  sizeof(struct xvs_stats), XVS_MAX_DEST },
	{ XVS_MAP_VIPS, BPF_MAP_TYPE_HASH, sizeof(uint32_t), sizeof(uint32_t), XVS_MAX_SVC },
	{ XVS_MAP_CONNS_OUT, BPF_MAP_TYPE_HASH, sizeof(struct xvs_conn_key),
	  sizeof(struct xvs_conn_key), XVS_CONN_MAX_DEFAULT },
	{ XVS_MAP_LADDRS, BPF_MAP_TYPE_ARRAY, sizeof(uint32_t), sizeof(struct xvs_laddr_set),
	  XVS_MAX_SVC },
	{ XVS_MAP_DEST_CONNS, BPF_MAP_TYPE_ARRAY, sizeof(uint32_t),
	  sizeof(struct xvs_dest_conns), XVS_MAX_DEST },
	{ XVS_MAP_MAINT, BPF_MAP_TYPE_ARRAY, sizeof(uint32_t), sizeof(struct xvs_maint), 1 },
	{ XVS_MAP_SVC_EST, BPF_MAP_TYPE_ARRAY, sizeof(uint32_t), sizeof(struct xvs_est),
	  XVS_MAX_SVC },
	{ XVS_MAP_DEST_EST, BPF_MAP_TYPE_ARRAY, sizeof(uint32_t), sizeof(struct xvs_est),
	  XVS_MAX_DEST },
	{ XVS_MAP_LOCALITY, BPF_MAP_TYPE_HASH, sizeof(struct xvs_locality_key),
	  sizeof(struct xvs_locality), XVS_LOCALITY_MAX },
	{ XVS_MAP_MARK_LPM, BPF_MAP_TYPE_LPM_TRIE, sizeof(struct xvs_mark_lpm_key),
	  sizeof(struct xvs_mark_set), XVS_MARK_RULES_MAX },
	{ XVS_MAP_SCRATCH, BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(uint32_t),
	  sizeof(struct xvs_scratch), 1 },
};

static void maps_match_abi(void)
{
	struct xvs_dp *skel = xvs_dp__open();

	ASSERT(skel != NULL);
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		const struct map_abi *m = &maps[i];
		struct bpf_map *map = bpf_object__find_map_by_name(skel->obj, m->name);

		if (!map) {
			test_fail(__FILE__, __LINE__, "no map %s", m->name);
			continue;
		}
		if (bpf_map__type(map) != m->type)
			test_fail(__FILE__, __LINE__, "%s: type %d, expected %d", m->name,
				  bpf_map__type(map), m->type);
		if (bpf_map__key_size(map) != m->key_size)
			test_fail(__FILE__, __LINE__, "%s: key size %u, expected %zu", m->name,
				  bpf_map__key_size(map), m->key_size);
		if (bpf_map__value_size(map) != m->value_size)
			test_fail(__FILE__, __LINE__, "%s: value size %u, expected %zu",
				  m->name, bpf_map__value_size(map), m->value_size);
		if (bpf_map__max_entries(map) != m->max_entries)
			test_fail(__FILE__, __LINE__, "%s: max_entries %u, expected %u",
				  m->name, bpf_map__max_entries(map), m->max_entries);
	}
	xvs_dp__destroy(skel);
}

/* No map beyond the ABI's (the .rodata of constant tables aside): a map
 * libxvs does not know of is state it cannot manage. */
static void no_unknown_maps(void)
{
	struct xvs_dp *skel = xvs_dp__open();
	struct bpf_map *map;

	ASSERT(skel != NULL);
	bpf_object__for_each_map(map, skel->obj) {
		const char *name = bpf_map__name(map);
		/* .rodata/.bss: the program's own constants, never read by
		 * libxvs. */
		bool known = strstr(name, ".rodata") || strstr(name, ".bss");

		for (size_t i = 0; !known && i < sizeof(maps) / sizeof(maps[0]); i++)
			known = !strcmp(name, maps[i].name);
		if (!known)
			test_fail(__FILE__, __LINE__, "map %s is not in abi.h", name);
	}
	xvs_dp__destroy(skel);
}

static void programs_named_for_libxvs(void)
{
	struct xvs_dp *skel = xvs_dp__open();
	struct bpf_program *xdp, *tc;

	ASSERT(skel != NULL);
	xdp = bpf_object__find_program_by_name(skel->obj, XVS_PROG_XDP);
	tc = bpf_object__find_program_by_name(skel->obj, XVS_PROG_TC);
	EXPECT(xdp != NULL);
	EXPECT(tc != NULL);
	if (xdp)
		EXPECT_EQ_INT(bpf_program__type(xdp), BPF_PROG_TYPE_XDP);
	if (tc)
		EXPECT_EQ_INT(bpf_program__type(tc), BPF_PROG_TYPE_SCHED_CLS);
	EXPECT(xdp == skel->progs.xvs_xdp);
	EXPECT(tc == skel->progs.xvs_tc);
	xvs_dp__destroy(skel);
}

static const struct test_case cases[] = {
	TEST_CASE(maps_match_abi),
	TEST_CASE(no_unknown_maps),
	TEST_CASE(programs_named_for_libxvs),
};

TEST_MAIN(cases)
