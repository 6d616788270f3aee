// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target for xvsd's configuration front end: any bytes go through
 * the lexer, parser and validation; includes are disabled so inputs never
 * reach the file system. Beyond the sanitizers it checks two invariants:
 * a rejected input carries at least one located error, and an accepted
 * model is complete enough to walk. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../cmd/xvsd/conf.h"

static void walk(const struct conf *c)
{
	size_t i, k, j;

	for (i = 0; i < c->n_vs; i++) {
		const struct conf_vs *vs = c->vs[i];

		if (!vs->sched[0] || !vs->method.fwd || !vs->protocol)
			abort();
		if (vs->kind == CONF_VS_GROUP && !vs->group)
			abort();
		for (k = 0; k < vs->n_rs; k++)
			for (j = 0; j < vs->rs[k]->n_checkers; j++)
				if (!vs->rs[k]->checkers[j]->type_name)
					abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_opts opts = { .config_id = "fuzz", .no_includes = true };
	struct conf_diags d = { 0 };
	struct conf *c = NULL;
	size_t i;
	int err;

	err = conf_load_buffer("fuzz.conf", (const char *)data, size, &opts, &c, &d);
	if (err == -EINVAL) {
		bool located = false;

		for (i = 0; i < d.n; i++)
			if (d.v[i].sev == CONF_ERROR && d.v[i].pos.file && d.v[i].pos.line &&
			    d.v[i].pos.col)
				located = true;
		if (!located && d.n == d.count[CONF_NOTE] + d.count[CONF_WARNING] + d.count[CONF_ERROR])
			abort();
	} else if (err == 0) {
		if (!c)
			abort();
		walk(c);
	}
	conf_free(c);
	conf_diags_free(&d);
	return 0;
}
