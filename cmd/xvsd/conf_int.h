/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* xvsd configuration internals: lexer, statement tree, keyword tables and
 * value parsers shared by the conf_*.c files. Not used outside cmd/xvsd.
 *
 * The loader works in two passes: the lexer and tree builder turn the text
 * (with includes spliced in) into a tree of statements, each a keyword, its
 * words and an optional block; then keyword tables, one per block kind,
 * interpret the tree into struct conf. keepalived's grammar is one keyword
 * per line: a statement ends at a newline, '{' or '}'.
 */
#ifndef XVSD_CONF_INT_H
#define XVSD_CONF_INT_H

#include <sys/types.h>

#include "conf.h"

/* ---- lexer */
enum conf_tok_kind { CONF_TOK_WORD, CONF_TOK_LBRACE, CONF_TOK_RBRACE, CONF_TOK_EOL, CONF_TOK_EOF };

struct conf_tok {
	enum conf_tok_kind kind;
	struct conf_pos pos;
	char *word;		/* CONF_TOK_WORD: malloc'd, caller owns */
	bool first_on_line;	/* the token starts its line */
};

struct conf_lex_file;

struct conf_lex {
	struct conf_lex_file *top;	/* stack of files being read */
	struct conf *c;			/* owns the file names */
	struct conf_diags *d;
	char config_id[64];
	unsigned max_depth;
	bool no_includes;
	bool at_line_start;
	struct conf_pos last_pos;	/* for EOF */
};

int conf_lex_open(struct conf_lex *lx, const char *path, struct conf *c,
		  struct conf_diags *d, const struct conf_opts *opts);
int conf_lex_open_buffer(struct conf_lex *lx, const char *name, const char *text,
			 size_t len, struct conf *c, struct conf_diags *d,
			 const struct conf_opts *opts);
/* Next token; -ENOMEM only. Files that end yield EOL, the last one EOF. */
int conf_lex_next(struct conf_lex *lx, struct conf_tok *t);
/* Splices the files an include statement names (glob, relative to the
 * including file) in after the current line. */
void conf_lex_include(struct conf_lex *lx, const struct conf_pos *pos,
		      char *const *args, size_t nargs);
void conf_lex_close(struct conf_lex *lx);

/* ---- statement tree */
struct conf_word {
	char *s;
	struct conf_pos pos;
};

struct conf_stmt {
	struct conf_word *w;		/* w[0] is the keyword */
	size_t n;
	bool has_block;
	struct conf_pos open_pos;	/* of '{' */
	struct conf_stmt **kids;
	size_t n_kids, cap_kids;
};

/* Reads the whole input into ROOT's kids. Returns 0 or -ENOMEM; syntax
 * errors go to the diagnostics. */
int conf_tree_build(struct conf_lex *lx, struct conf_stmt *root);
void conf_stmt_free(struct conf_stmt *s);	/* frees kids too, not s itself */

/* ---- keyword tables */
struct conf_ctx {
	struct conf *c;
	struct conf_diags *d;
	int oom;		/* set when an allocation failed */
};

typedef void (*conf_kw_fn)(struct conf_ctx *cx, const struct conf_stmt *st, void *obj);

enum conf_kw_block {
	CONF_KW_NO_BLOCK,	/* a line keyword */
	CONF_KW_BLOCK,		/* needs '{ ... }' */
	CONF_KW_ANY_BLOCK,	/* ignored keywords: a block or not */
};

enum conf_kw_flag {
	CONF_KW_IGNORED = 1 << 0,	/* keepalived knows it, xvsd does not use it: a note */
	CONF_KW_QUIET = 1 << 1,		/* ... and says nothing about it */
	CONF_KW_OLD = 1 << 2,		/* spelling keepalived 2.2 rejects; `alias` is today's */
	CONF_KW_FOREIGN = 1 << 3,	/* a block for another keepalived process: skipped, a note */
};

struct conf_kw {
	const char *name;
	conf_kw_fn fn;
	signed char min_args, max_args;	/* max -1: no limit */
	unsigned char block;		/* enum conf_kw_block */
	unsigned char flags;		/* enum conf_kw_flag */
	const char *args_help;		/* "a scheduler name": for "missing parameter" */
	const char *alias;		/* CONF_KW_OLD: the current spelling */
};

/* A set of keywords: a table ending with { NULL }, or a lookup function
 * (the checker registry). */
struct conf_kw_set {
	const struct conf_kw *table;
	const struct conf_kw *(*lookup)(const char *name);
};

/* Runs every statement in ST's block through SETS (ending with an empty
 * set); BLOCK_NAME names the block in "unknown keyword" errors. */
void conf_run_block(struct conf_ctx *cx, const struct conf_stmt *st, const char *block_name,
		    const struct conf_kw_set *sets, void *obj);
/* Runs one statement as if it were in such a block. */
void conf_run_stmt(struct conf_ctx *cx, const struct conf_stmt *st, const char *block_name,
		   const struct conf_kw_set *sets, void *obj);

/* Keyword sets of each block. */
extern const struct conf_kw conf_top_kws[];
extern const struct conf_kw conf_global_kws[];
extern const struct conf_kw conf_vs_kws[];
extern const struct conf_kw conf_rs_kws[];
extern const struct conf_kw conf_check_common_kws[];
extern const struct conf_kw conf_check_alpha_kws[];	/* the MISC_CHECK subset */
void conf_vs_block(struct conf_ctx *cx, const struct conf_stmt *st, void *obj);
void conf_vsg_block(struct conf_ctx *cx, const struct conf_stmt *st, void *obj);
void conf_laddr_group_block(struct conf_ctx *cx, const struct conf_stmt *st, void *obj);
void conf_global_block(struct conf_ctx *cx, const struct conf_stmt *st, void *obj);

/* ---- checker registry: one const ops struct per checker type, one file
 * each (conf_check_tcp.c, ...). */
struct conf_check_type {
	enum conf_check_kind kind;
	const char *name;			/* block keyword, "TCP_CHECK" */
	const struct conf_kw *kws;		/* its own keywords, or NULL */
	bool common_kws;			/* accepts conf_check_common_kws */
	bool alpha_kws_only;			/* MISC_CHECK: alpha onwards only */
	uint32_t default_retry;
	void (*init)(struct conf_checker *ck);	/* defaults, or NULL */
	/* after the block: type checks and defaults that need the block */
	void (*finish)(struct conf_ctx *cx, struct conf_checker *ck);
};

extern const struct conf_check_type conf_check_tcp, conf_check_http, conf_check_ssl,
	conf_check_misc, conf_check_udp, conf_check_dns, conf_check_smtp, conf_check_ping,
	conf_check_file, conf_check_bfd;
const struct conf_check_type *conf_check_type_find(const char *name);
const struct conf_check_type *conf_check_type_of(enum conf_check_kind kind);
const struct conf_kw *conf_check_lookup(const char *name);
void conf_checker_free(struct conf_checker *ck);

/* ---- value parsers: each reports its own error (naming WHAT) and
 * returns false on a bad value. */
bool conf_get_uint(struct conf_ctx *cx, const struct conf_word *w, uint64_t min, uint64_t max,
		   const char *what, uint64_t *out);
bool conf_get_int(struct conf_ctx *cx, const struct conf_word *w, int64_t min, int64_t max,
		  const char *what, int64_t *out);
/* Seconds with up to 6 decimals, into microseconds. */
bool conf_get_timer(struct conf_ctx *cx, const struct conf_word *w, uint64_t min_us,
		    uint64_t max_us, const char *what, uint64_t *out_us);
bool conf_get_addr(struct conf_ctx *cx, const struct conf_word *w, const char *what,
		   struct conf_addr *out);
bool conf_get_port(struct conf_ctx *cx, const struct conf_word *w, const char *what,
		   uint16_t *out);
bool conf_get_bool(struct conf_ctx *cx, const struct conf_word *w, const char *what, bool *out);
bool conf_parse_addr(const char *s, struct conf_addr *out);	/* no diagnostics */
/* Optional <BOOL> argument: true when absent. */
bool conf_get_opt_bool(struct conf_ctx *cx, const struct conf_stmt *st, const char *what,
		       bool *out);
/* Sets *dst to a copy of w (freeing the old); notes a replaced value. */
void conf_set_str(struct conf_ctx *cx, char **dst, const struct conf_word *w);
/* All words from index FROM joined by spaces (script command lines). */
void conf_set_joined(struct conf_ctx *cx, char **dst, const struct conf_stmt *st, size_t from);
char *conf_strdup(struct conf_ctx *cx, const char *s);
void *conf_calloc(struct conf_ctx *cx, size_t n, size_t size);
/* Appends P to the pointer array *ARR of length *N. */
bool conf_push(struct conf_ctx *cx, void *arr, size_t *n, void *p);

/* Shared by VS, RS and checker tables: timing keywords writing into the
 * struct conf_timing at the offset the table names. */
void conf_timing_kw(struct conf_ctx *cx, const struct conf_stmt *st, struct conf_timing *t);
/* lvs_method / lb_kind arguments into M; false on a bad method. */
bool conf_get_method(struct conf_ctx *cx, const struct conf_stmt *st, struct conf_method *m);

#endif /* XVSD_CONF_INT_H */
