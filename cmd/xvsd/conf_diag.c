// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsd configuration diagnostics: a growing list of located messages. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

static const char *const sev_names[CONF_SEV_MAX] = {
	[CONF_NOTE] = "note",
	[CONF_WARNING] = "warning",
	[CONF_ERROR] = "error",
};

const char *conf_sev_name(enum conf_sev sev)
{
	return sev < CONF_SEV_MAX ? sev_names[sev] : "?";
}

/* An allocation failure drops the message but still counts it, so an
 * error is never lost from the verdict. */
void conf_diag_add(struct conf_diags *d, enum conf_sev sev, const struct conf_pos *pos,
		   const char *fmt, ...)
{
	struct conf_diag *g;
	va_list ap;
	char *msg = NULL;

	d->count[sev]++;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct conf_diag *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return;
		d->v = v;
		d->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return;
	g = &d->v[d->n];
	memset(g, 0, sizeof(*g));
	g->sev = sev;
	if (pos) {
		g->pos = *pos;
		g->file = pos->file ? strdup(pos->file) : NULL;
		g->pos.file = g->file;
	}
	g->msg = msg;
	d->n++;
}

void conf_diags_free(struct conf_diags *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

void conf_diags_print(const struct conf_diags *d, FILE *f)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct conf_diag *g = &d->v[i];

		if (g->pos.file)
			fprintf(f, "%s:%u:%u: %s: %s\n", g->pos.file, g->pos.line, g->pos.col,
				conf_sev_name(g->sev), g->msg);
		else
			fprintf(f, "%s: %s\n", conf_sev_name(g->sev), g->msg);
	}
}
