// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsd configuration statement tree: groups tokens into statements (one
 * keyword per line, ended by a newline, '{' or '}') and blocks, splices
 * includes, and reports brace errors. Nothing here knows any keyword but
 * include. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

void conf_stmt_free(struct conf_stmt *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		free(s->w[i].s);
	free(s->w);
	for (i = 0; i < s->n_kids; i++) {
		conf_stmt_free(s->kids[i]);
		free(s->kids[i]);
	}
	free(s->kids);
	memset(s, 0, sizeof(*s));
}

static int add_kid(struct conf_stmt *parent, struct conf_stmt *kid)
{
	if (parent->n_kids == parent->cap_kids) {
		size_t cap = parent->cap_kids ? parent->cap_kids * 2 : 8;
		struct conf_stmt **k = realloc(parent->kids, cap * sizeof(*k));

		if (!k)
			return -ENOMEM;
		parent->kids = k;
		parent->cap_kids = cap;
	}
	parent->kids[parent->n_kids++] = kid;
	return 0;
}

static int add_word(struct conf_stmt *s, char *word, const struct conf_pos *pos)
{
	struct conf_word *w = realloc(s->w, (s->n + 1) * sizeof(*w));

	if (!w)
		return -ENOMEM;
	s->w = w;
	s->w[s->n].s = word;
	s->w[s->n].pos = *pos;
	s->n++;
	return 0;
}

static bool is_include(const char *kw)
{
	static const char *const names[] = { "include", "includer", "includem",
					     "includew", "includeb", "includea" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(kw, names[i]))
			return true;
	return false;
}

struct builder {
	struct conf_lex *lx;
	struct conf_diags *d;
	struct conf_stmt *last_done;	/* last statement ended by a newline */
	bool words_overflow;
};

/* Ends statement *CUR. An include is executed (and not kept). */
static int finish(struct builder *b, struct conf_stmt *parent, struct conf_stmt **cur)
{
	struct conf_stmt *s = *cur;
	int err = 0;

	*cur = NULL;
	b->words_overflow = false;
	if (!s)
		return 0;
	if (!s->has_block && is_include(s->w[0].s)) {
		char **args = calloc(s->n, sizeof(*args));
		size_t i;

		if (!args) {
			err = -ENOMEM;
		} else {
			for (i = 1; i < s->n; i++)
				args[i - 1] = s->w[i].s;
			conf_lex_include(b->lx, &s->w[0].pos, args, s->n - 1);
			free(args);
		}
		conf_stmt_free(s);
		free(s);
		b->last_done = NULL;
		return err;
	}
	if (s->has_block && is_include(s->w[0].s))
		conf_diag_add(b->d, CONF_ERROR, &s->open_pos, "'include' does not take a block");
	err = add_kid(parent, s);
	if (err) {
		conf_stmt_free(s);
		free(s);
		return err;
	}
	b->last_done = s->has_block ? NULL : s;
	return 0;
}

/* Past the nesting limit: consume a block without building it. */
static int skip_block(struct builder *b)
{
	unsigned depth = 1;
	struct conf_tok t;
	int err;

	while (depth) {
		err = conf_lex_next(b->lx, &t);
		if (err)
			return err;
		free(t.word);
		if (t.kind == CONF_TOK_LBRACE)
			depth++;
		else if (t.kind == CONF_TOK_RBRACE)
			depth--;
		else if (t.kind == CONF_TOK_EOF)
			return 0;
	}
	return 0;
}

static int parse_block(struct builder *b, struct conf_stmt *parent, unsigned depth);

static int open_block(struct builder *b, struct conf_stmt *s, const struct conf_tok *t,
		      unsigned depth)
{
	s->has_block = true;
	s->open_pos = t->pos;
	if (depth + 1 > CONF_MAX_NESTING) {
		conf_diag_add(b->d, CONF_ERROR, &t->pos, "blocks nested deeper than %d levels",
			      CONF_MAX_NESTING);
		return skip_block(b);
	}
	b->last_done = NULL;
	return parse_block(b, s, depth + 1);
}

static int on_word(struct builder *b, struct conf_stmt **cur, struct conf_tok *t)
{
	if (!*cur) {
		*cur = calloc(1, sizeof(**cur));
		if (!*cur)
			return -ENOMEM;
	}
	if ((*cur)->n >= CONF_MAX_WORDS) {
		if (!b->words_overflow)
			conf_diag_add(b->d, CONF_ERROR, &t->pos, "more than %d words in one statement",
				      CONF_MAX_WORDS);
		b->words_overflow = true;
		free(t->word);
		return 0;
	}
	if (add_word(*cur, t->word, &t->pos) < 0) {
		free(t->word);
		return -ENOMEM;
	}
	return 0;
}

/* '{' with no keyword before it on its line opens the block of the
 * statement on the previous line (keepalived accepts that layout). */
static int on_lbrace(struct builder *b, struct conf_stmt *parent, struct conf_stmt **cur,
		     struct conf_tok *t, unsigned depth)
{
	struct conf_stmt *s = *cur, scratch;
	int err;

	if (s) {
		*cur = NULL;
		err = open_block(b, s, t, depth);
		if (err) {
			conf_stmt_free(s);
			free(s);
			return err;
		}
		return finish(b, parent, &s);
	}
	if (t->first_on_line && b->last_done && !b->last_done->has_block) {
		s = b->last_done;
		return open_block(b, s, t, depth);
	}
	conf_diag_add(b->d, CONF_ERROR, &t->pos, "unexpected '{': expected a keyword before it");
	memset(&scratch, 0, sizeof(scratch));
	err = open_block(b, &scratch, t, depth);
	conf_stmt_free(&scratch);
	return err;
}

static int parse_block(struct builder *b, struct conf_stmt *parent, unsigned depth)
{
	struct conf_stmt *cur = NULL;
	struct conf_tok t;
	int err = 0;

	for (;;) {
		err = conf_lex_next(b->lx, &t);
		if (err)
			break;
		switch (t.kind) {
		case CONF_TOK_WORD:
			err = on_word(b, &cur, &t);
			break;
		case CONF_TOK_EOL:
			err = finish(b, parent, &cur);
			break;
		case CONF_TOK_LBRACE:
			err = on_lbrace(b, parent, &cur, &t, depth);
			break;
		case CONF_TOK_RBRACE:
			err = finish(b, parent, &cur);
			b->last_done = NULL;
			if (err)
				break;
			if (depth > 0)
				return 0;
			conf_diag_add(b->d, CONF_ERROR, &t.pos, "unexpected '}': no block is open");
			break;
		case CONF_TOK_EOF:
			err = finish(b, parent, &cur);
			if (!err && depth > 0 && parent->n)
				conf_diag_add(b->d, CONF_ERROR, &t.pos,
					      "missing '}': the block of '%s' opened at %s:%u:%u is not closed",
					      parent->w[0].s, parent->open_pos.file,
					      parent->open_pos.line, parent->open_pos.col);
			else if (!err && depth > 0)
				conf_diag_add(b->d, CONF_ERROR, &t.pos,
					      "missing '}': a block opened at %s:%u:%u is not closed",
					      parent->open_pos.file, parent->open_pos.line,
					      parent->open_pos.col);
			return err;
		}
		if (err)
			break;
	}
	if (cur) {
		conf_stmt_free(cur);
		free(cur);
	}
	return err;
}

int conf_tree_build(struct conf_lex *lx, struct conf_stmt *root)
{
	struct builder b = { .lx = lx, .d = lx->d };

	/* at depth 0 parse_block returns only at EOF (or -ENOMEM) */
	return parse_block(&b, root, 0);
}
