// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* -R: reads commands from stdin, one per line, and applies them as one unit
 * through one handle: every line is parsed and validated before anything
 * changes, and when an operation fails half-way the ones already applied
 * are undone in reverse order. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xvsadm.h"

#define MAX_WORDS	64

static bool is_program_word(const char *w)
{
	const char *base = strrchr(w, '/');

	base = base ? base + 1 : w;
	return !strcmp(base, "ipvsadm") || !strcmp(base, "xvsadm");
}

int xvsadm_split_line(char *buf, char **words, int max_words)
{
	int n = 0;
	char *p = buf;

	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || (*p == '#' && n == 0))
			break;
		if (n == max_words)
			return -1;
		words[n++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = '\0';
	}
	if (n > 0 && is_program_word(words[0])) {
		memmove(words, words + 1, (size_t)(n - 1) * sizeof(words[0]));
		n--;
	}
	return n;
}

/* Commands a restore line may hold: the ones that edit the table. */
static bool restorable(enum xvsadm_cmd cmd)
{
	switch (cmd) {
	case XVSADM_CMD_ADD:
	case XVSADM_CMD_EDIT:
	case XVSADM_CMD_DEL:
	case XVSADM_CMD_FLUSH:
	case XVSADM_CMD_ADDDEST:
	case XVSADM_CMD_EDITDEST:
	case XVSADM_CMD_DELDEST:
	case XVSADM_CMD_TIMEOUT:
	case XVSADM_CMD_ZERO:
	case XVSADM_CMD_ADDLADDR:
	case XVSADM_CMD_DELLADDR:
	case XVSADM_CMD_LPORT_RANGE:
	case XVSADM_CMD_ADDMARK:
	case XVSADM_CMD_DELMARK:
		return true;
	default:
		return false;
	}
}

static int parse_one_line(char *line, int lineno, struct xvsadm_cmdline *cl,
			  struct xvsadm_err *err)
{
	char *argv[MAX_WORDS + 1] = { "xvsadm" };
	int n = xvsadm_split_line(line, argv + 1, MAX_WORDS);
	struct xvsadm_err e;

	if (n < 0)
		return xvsadm_fail(err, XVSADM_EXIT_ARGS, "line %d: too many words", lineno);
	if (n == 0)
		return -1;	/* blank or comment */
	if (xvsadm_parse(n + 1, argv, cl, &e))
		return xvsadm_fail(err, e.code, "line %d: %s", lineno, e.msg);
	cl->lineno = lineno;
	if (!restorable(cl->cmd))
		return xvsadm_fail(err, XVSADM_EXIT_ARGS,
				   "line %d: the '%s' command cannot be used in a restore",
				   lineno, xvsadm_cmd_name(cl->cmd));
	if (cl->options & (XVSADM_OPT_BIT(XVSADM_OPT_HOOK) | XVSADM_OPT_BIT(XVSADM_OPT_IFACES) |
			   XVSADM_OPT_BIT(XVSADM_OPT_CONN_MAX)))
		return xvsadm_fail(err, XVSADM_EXIT_ARGS,
				   "line %d: --hook, --ifaces and --conn-max belong on the -R command line",
				   lineno);
	return 0;
}

int xvsadm_restore_parse(FILE *in, struct xvsadm_cmdline **cls, size_t *n,
			 struct xvsadm_err *err)
{
	struct xvsadm_cmdline *list = NULL, cl;
	size_t count = 0, cap = 0, linecap = 0;
	char *line = NULL;
	int lineno = 0, r = 0;

	err->code = 0;
	while (getline(&line, &linecap, in) >= 0) {
		lineno++;
		r = parse_one_line(line, lineno, &cl, err);
		if (r < 0) {
			r = 0;
			continue;
		}
		if (r)
			break;
		if (count == cap) {
			struct xvsadm_cmdline *bigger;

			cap = cap ? 2 * cap : 64;
			bigger = realloc(list, cap * sizeof(*list));
			if (!bigger) {
				r = xvsadm_fail(err, XVSADM_EXIT_FAIL, "Memory allocation problem");
				break;
			}
			list = bigger;
		}
		list[count++] = cl;
	}
	free(line);
	if (r) {
		free(list);
		return r;
	}
	*cls = list;
	*n = count;
	return 0;
}

/* ---- applying with undo ---- */

struct undo_log {
	struct xvsadm_cmdline *ops;	/* inverse operations, applied last first */
	size_t n, cap;
};

/* Appends an inverse operation of cmd on svc; the caller fills the rest.
 * NULL when out of memory. */
static struct xvsadm_cmdline *undo_push(struct undo_log *u, enum xvsadm_cmd cmd,
					const struct xvs_svc_conf *svc)
{
	struct xvsadm_cmdline *op;

	if (u->n == u->cap) {
		size_t cap = u->cap ? 2 * u->cap : 64;
		struct xvsadm_cmdline *bigger = realloc(u->ops, cap * sizeof(*bigger));

		if (!bigger)
			return NULL;
		u->ops = bigger;
		u->cap = cap;
	}
	op = &u->ops[u->n++];
	memset(op, 0, sizeof(*op));
	op->cmd = cmd;
	if (svc)
		op->svc = *svc;
	return op;
}

static int undo_push_dest(struct undo_log *u, enum xvsadm_cmd cmd,
			  const struct xvs_svc_conf *svc, const struct xvs_dest_conf *dest)
{
	struct xvsadm_cmdline *op = undo_push(u, cmd, svc);

	if (!op)
		return -ENOMEM;
	op->dest = *dest;
	return 0;
}

static int undo_push_laddr(struct undo_log *u, enum xvsadm_cmd cmd,
			   const struct xvs_svc_conf *svc, const struct xvs_laddr_conf *l)
{
	struct xvsadm_cmdline *op = undo_push(u, cmd, svc);

	if (!op)
		return -ENOMEM;
	op->laddr = *l;
	return 0;
}

/* Re-adding a whole service with its real servers and local addresses:
 * pushed so that the service comes back first. */
static int undo_push_readd(struct xvs *x, struct undo_log *u, const struct xvs_svc_info *s)
{
	struct xvs_laddr_info *l = NULL;
	size_t n = 0;
	int err = xvs_laddr_list(x, &s->conf, &l, &n);

	for (size_t k = n; k-- > 0 && !err;)
		err = undo_push_laddr(u, XVSADM_CMD_ADDLADDR, &s->conf, &l[k].conf);
	free(l);
	for (size_t k = 0; k < s->n_dests && !err; k++)
		err = undo_push_dest(u, XVSADM_CMD_ADDDEST, &s->conf, &s->dests[k].conf);
	if (!err && !undo_push(u, XVSADM_CMD_ADD, &s->conf))
		err = -ENOMEM;
	return err;
}

/* -Q may leave out -F: the inverse -P takes the interface from the table. */
static int undo_push_laddr_readd(struct xvs *x, struct undo_log *u,
				 const struct xvsadm_cmdline *op)
{
	struct xvs_laddr_info *l = NULL;
	size_t n = 0;
	int err = xvs_laddr_list(x, &op->svc, &l, &n);

	for (size_t k = 0; k < n && !err; k++)
		if (l[k].conf.addr == op->laddr.addr)
			err = undo_push_laddr(u, XVSADM_CMD_ADDLADDR, &op->svc, &l[k].conf);
	free(l);
	return err == -ESRCH ? 0 : err;	/* no service: the -Q itself fails */
}

static int undo_push_timeout(struct xvs *x, struct undo_log *u)
{
	struct xvsadm_cmdline *inv = undo_push(u, XVSADM_CMD_TIMEOUT, NULL);

	if (!inv)
		return -ENOMEM;
	if (xvs_timeout_get(x, &inv->timeout[0], &inv->timeout[1], &inv->timeout[2]))
		u->n--;	/* nothing readable to go back to */
	return 0;
}

static int undo_push_lport_range(struct xvs *x, struct undo_log *u)
{
	struct xvsadm_cmdline *inv = undo_push(u, XVSADM_CMD_LPORT_RANGE, NULL);

	if (!inv)
		return -ENOMEM;
	if (xvs_lport_range_get(x, &inv->lport_min, &inv->lport_max))
		u->n--;
	return 0;
}

static int undo_push_mark(struct undo_log *u, enum xvsadm_cmd cmd, const struct xvs_mark_rule *r)
{
	struct xvsadm_cmdline *op = undo_push(u, cmd, NULL);

	if (!op)
		return -ENOMEM;
	op->mark = *r;
	return 0;
}

/* -C clears the mark rules too: its inverse puts them back, in order. */
static int undo_push_marks(struct xvs *x, struct undo_log *u)
{
	struct xvs_mark_rule *r = NULL;
	size_t n = 0;
	int err = xvs_mark_rule_list(x, &r, &n);

	for (size_t k = n; k-- > 0 && !err;)
		err = undo_push_mark(u, XVSADM_CMD_ADDMARK, &r[k]);
	free(r);
	return err;
}

/* Records how to take op back, reading what it will overwrite first. */
static int record_inverse(struct xvs *x, struct undo_log *u, const struct xvsadm_cmdline *op)
{
	struct xvs_svc_info *list = NULL;
	const struct xvs_svc_info *s;
	const struct xvs_dest_info *d;
	size_t n = 0;
	int err = 0;

	switch (op->cmd) {
	case XVSADM_CMD_ADD:
		return undo_push(u, XVSADM_CMD_DEL, &op->svc) ? 0 : -ENOMEM;
	case XVSADM_CMD_ADDDEST:
		return undo_push_dest(u, XVSADM_CMD_DELDEST, &op->svc, &op->dest);
	case XVSADM_CMD_ADDLADDR:
		return undo_push_laddr(u, XVSADM_CMD_DELLADDR, &op->svc, &op->laddr);
	case XVSADM_CMD_DELLADDR:
		return undo_push_laddr_readd(x, u, op);
	case XVSADM_CMD_TIMEOUT:
		return undo_push_timeout(x, u);
	case XVSADM_CMD_LPORT_RANGE:
		return undo_push_lport_range(x, u);
	case XVSADM_CMD_ZERO:
		return 0;	/* statistics cannot be restored */
	case XVSADM_CMD_ADDMARK:
		return undo_push_mark(u, XVSADM_CMD_DELMARK, &op->mark);
	case XVSADM_CMD_DELMARK:
		return undo_push_mark(u, XVSADM_CMD_ADDMARK, &op->mark);
	case XVSADM_CMD_FLUSH:
		err = undo_push_marks(x, u);
		if (err)
			return err;
		break;
	default:
		break;
	}
	if (xvs_is_loaded(x) && (err = xvs_svc_list(x, &list, &n)))
		return err;
	s = xvsadm_find_svc(list, n, &op->svc);
	d = xvsadm_find_dest(s, &op->dest);
	switch (op->cmd) {
	case XVSADM_CMD_EDIT:
		if (s && !undo_push(u, XVSADM_CMD_EDIT, &s->conf))
			err = -ENOMEM;
		break;
	case XVSADM_CMD_DEL:
		if (s)
			err = undo_push_readd(x, u, s);
		break;
	case XVSADM_CMD_EDITDEST:
		if (d)
			err = undo_push_dest(u, XVSADM_CMD_EDITDEST, &s->conf, &d->conf);
		break;
	case XVSADM_CMD_DELDEST:
		if (d)
			err = undo_push_dest(u, XVSADM_CMD_ADDDEST, &s->conf, &d->conf);
		break;
	case XVSADM_CMD_FLUSH:
		for (size_t i = 0; i < n && !err; i++)
			err = undo_push_readd(x, u, &list[i]);
		break;
	default:
		break;
	}
	xvs_svc_list_free(list, n);
	return err;
}

static void undo_all(struct xvs *x, struct undo_log *u)
{
	while (u->n > 0) {
		const struct xvsadm_cmdline *op = &u->ops[--u->n];
		int err = xvsadm_apply(x, op);

		if (err)
			fprintf(stderr, "xvsadm: undo of %s failed: %s\n",
				xvsadm_cmd_name(op->cmd), xvs_strerror(err));
	}
}

static int apply_all(struct xvs *x, const struct xvsadm_cmdline *cls, size_t n)
{
	struct undo_log u = { 0 };
	bool loaded_before = xvs_is_loaded(x);
	int status = 0;
	char msg[256];

	for (size_t i = 0; i < n; i++) {
		size_t n_before = u.n;
		int err = record_inverse(x, &u, &cls[i]);

		if (!err)
			err = xvsadm_apply(x, &cls[i]);
		if (!err)
			continue;
		u.n = n_before;		/* the failed operation changed nothing */
		fprintf(stderr, "line %d: %s\n", cls[i].lineno,
			xvsadm_op_message(msg, sizeof(msg), &cls[i], err,
					  xvsadm_svc_exists(x, &cls[i].svc)));
		status = XVSADM_EXIT_FAIL;
		break;
	}
	if (status && u.n) {
		undo_all(x, &u);
		fprintf(stderr, "xvsadm: restore stopped; the lines before it were undone\n");
	}
	if (status && !loaded_before)
		xvs_detach(x);	/* the restore loaded it: leave the namespace as it was */
	free(u.ops);
	return status;
}

int xvsadm_restore_apply(struct xvs *x, const struct xvsadm_cmdline *cls, size_t n)
{
	return apply_all(x, cls, n);
}
