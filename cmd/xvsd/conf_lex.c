// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xvsd configuration lexer: words, braces and line ends with file:line:col,
 * keepalived's comments ('#', '!'), quoting and escapes, '@id' conditional
 * lines, and the include stack (glob, relative to the including file,
 * depth-limited, refusing a file that is already being read). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_int.h"

struct conf_lex_file {
	struct conf_lex_file *below;
	char *path;			/* as opened; includes resolve against its dir */
	const char *name;		/* for positions: owned by struct conf */
	char *buf;
	size_t len, off;
	unsigned line, col;
	dev_t dev;
	ino_t ino;
	bool loaded;
	bool eof_sent;			/* the final EOL of this file was returned */
	unsigned depth;			/* 0: the main file */
	struct conf_pos included_at;
};

static const char *remember_name(struct conf_lex *lx, const char *path)
{
	char *copy = strdup(path);
	char **files;

	if (!copy)
		return NULL;
	files = realloc(lx->c->files, (lx->c->n_files + 1) * sizeof(*files));
	if (!files) {
		free(copy);
		return NULL;
	}
	lx->c->files = files;
	files[lx->c->n_files++] = copy;
	return copy;
}

static struct conf_lex_file *frame_new(struct conf_lex *lx, const char *path, unsigned depth,
				       const struct conf_pos *at)
{
	struct conf_lex_file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->path = strdup(path);
	f->name = remember_name(lx, path);
	if (!f->path || !f->name) {
		free(f->path);
		free(f);
		return NULL;
	}
	f->line = 1;
	f->col = 1;
	f->depth = depth;
	if (at)
		f->included_at = *at;
	return f;
}

static void frame_pop(struct conf_lex *lx)
{
	struct conf_lex_file *f = lx->top;

	lx->top = f->below;
	free(f->buf);
	free(f->path);
	free(f);
}

static int read_all(int fd, char **out, size_t *len)
{
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			if (cap >= CONF_MAX_FILE_SIZE) {
				free(buf);
				return -EFBIG;
			}
			cap *= 2;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			free(buf);
			return (int)r;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* Opens a pending frame. A file already open below it is an include loop. */
static int frame_load(struct conf_lex *lx, struct conf_lex_file *f)
{
	const struct conf_pos *at = f->depth ? &f->included_at : NULL;
	struct conf_lex_file *g;
	struct stat st;
	int fd, err;

	fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		conf_diag_add(lx->d, CONF_ERROR, at, "cannot open configuration file '%s': %s",
			      f->path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		conf_diag_add(lx->d, CONF_ERROR, at, "'%s' is not a regular file", f->path);
		close(fd);
		return -EINVAL;
	}
	for (g = f->below; g; g = g->below) {
		if (g->loaded && g->dev == st.st_dev && g->ino == st.st_ino) {
			conf_diag_add(lx->d, CONF_ERROR, at,
				      "include loop: '%s' is already being read", f->path);
			close(fd);
			return -ELOOP;
		}
	}
	err = read_all(fd, &f->buf, &f->len);
	close(fd);
	if (err == -EFBIG)
		conf_diag_add(lx->d, CONF_ERROR, at, "'%s' is larger than %u bytes", f->path,
			      CONF_MAX_FILE_SIZE);
	else if (err == -ENOMEM)
		return err;
	else if (err)
		conf_diag_add(lx->d, CONF_ERROR, at, "cannot read '%s': %s", f->path,
			      strerror(-err));
	if (err)
		return err;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->loaded = true;
	return 0;
}

static void lex_init(struct conf_lex *lx, struct conf *c, struct conf_diags *d,
		     const struct conf_opts *opts)
{
	memset(lx, 0, sizeof(*lx));
	lx->c = c;
	lx->d = d;
	lx->max_depth = opts && opts->max_include_depth ? opts->max_include_depth
							: CONF_MAX_INCLUDE_DEPTH;
	lx->no_includes = opts && opts->no_includes;
	lx->at_line_start = true;
	if (opts && opts->config_id) {
		snprintf(lx->config_id, sizeof(lx->config_id), "%s", opts->config_id);
	} else if (gethostname(lx->config_id, sizeof(lx->config_id) - 1) == 0) {
		lx->config_id[sizeof(lx->config_id) - 1] = '\0';
		lx->config_id[strcspn(lx->config_id, ".")] = '\0';
	}
}

int conf_lex_open(struct conf_lex *lx, const char *path, struct conf *c, struct conf_diags *d,
		  const struct conf_opts *opts)
{
	lex_init(lx, c, d, opts);
	lx->top = frame_new(lx, path, 0, NULL);
	return lx->top ? 0 : -ENOMEM;
}

int conf_lex_open_buffer(struct conf_lex *lx, const char *name, const char *text, size_t len,
			 struct conf *c, struct conf_diags *d, const struct conf_opts *opts)
{
	struct conf_lex_file *f;

	lex_init(lx, c, d, opts);
	f = frame_new(lx, name, 0, NULL);
	if (!f)
		return -ENOMEM;
	f->buf = malloc(len ? len : 1);
	if (!f->buf) {
		lx->top = f;
		return -ENOMEM;
	}
	memcpy(f->buf, text, len);
	f->len = len;
	f->loaded = true;
	lx->top = f;
	return 0;
}

void conf_lex_close(struct conf_lex *lx)
{
	while (lx->top)
		frame_pop(lx);
}

static struct conf_pos here(const struct conf_lex_file *f)
{
	return (struct conf_pos){ .file = f->name, .line = f->line, .col = f->col };
}

static void advance(struct conf_lex_file *f)
{
	if (f->buf[f->off] == '\n') {
		f->line++;
		f->col = 1;
	} else {
		f->col++;
	}
	f->off++;
}

static void skip_to_eol(struct conf_lex_file *f)
{
	while (f->off < f->len && f->buf[f->off] != '\n')
		advance(f);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool ends_word(char c)
{
	return is_space(c) || c == '\n' || c == '{' || c == '}' || c == '#' || c == '!' ||
	       c == '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

struct wbuf {
	char *s;
	size_t n, cap;
	bool too_long;
};

static int wbuf_put(struct wbuf *b, char c)
{
	if (b->n >= CONF_MAX_WORD) {
		b->too_long = true;
		return 0;
	}
	if (b->n + 1 >= b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		char *s = realloc(b->s, cap);

		if (!s)
			return -ENOMEM;
		b->s = s;
		b->cap = cap;
	}
	b->s[b->n++] = c;
	return 0;
}

/* One escape after a backslash inside quotes (keepalived.conf(5)). */
static char read_escape(struct conf_lex_file *f)
{
	char e = f->buf[f->off];
	int v = 0, k;

	advance(f);
	switch (e) {
	case 'a': return '\a';
	case 'b': return '\b';
	case 'E': return 27;
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case 'v': return '\v';
	case 'c':
		if (f->off < f->len && f->buf[f->off] != '\n') {
			e = f->buf[f->off];
			advance(f);
			return (char)(e & 0x1f);
		}
		return 'c';
	case 'x':
		for (k = 0; k < 2 && f->off < f->len && hexval(f->buf[f->off]) >= 0; k++) {
			v = v * 16 + hexval(f->buf[f->off]);
			advance(f);
		}
		return k ? (char)v : 'x';
	default:
		if (e >= '0' && e <= '7') {
			v = e - '0';
			for (k = 1; k < 3 && f->off < f->len && f->buf[f->off] >= '0' &&
				    f->buf[f->off] <= '7'; k++) {
				v = v * 8 + (f->buf[f->off] - '0');
				advance(f);
			}
			return (char)v;
		}
		return e;
	}
}

/* A quoted segment starting at the quote character. Returns 1 when it was
 * not terminated on its line. */
static int read_quoted(struct conf_lex *lx, struct conf_lex_file *f, struct wbuf *b)
{
	struct conf_pos qpos = here(f);
	char q = f->buf[f->off];

	advance(f);
	for (;;) {
		char c;

		if (f->off >= f->len || f->buf[f->off] == '\n') {
			conf_diag_add(lx->d, CONF_ERROR, &qpos,
				      "unterminated quoted string: expected a closing %c on the same line",
				      q);
			return 1;
		}
		c = f->buf[f->off];
		if (c == q) {
			advance(f);
			return 0;
		}
		if (c == '\0') {
			struct conf_pos p = here(f);

			conf_diag_add(lx->d, CONF_ERROR, &p, "NUL byte inside a quoted string");
			advance(f);
			continue;
		}
		if (c == '\\' && f->off + 1 < f->len && f->buf[f->off + 1] != '\n') {
			advance(f);
			c = read_escape(f);
		} else {
			advance(f);
		}
		if (wbuf_put(b, c) < 0)
			return -ENOMEM;
	}
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t k, len;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			len = 2;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + len > n)
			return false;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

static int read_word(struct conf_lex *lx, struct conf_lex_file *f, struct conf_tok *t)
{
	struct wbuf b = { 0 };
	int r;

	while (f->off < f->len && !ends_word(f->buf[f->off])) {
		char c = f->buf[f->off];

		if (c == '"' || c == '\'') {
			r = read_quoted(lx, f, &b);
			if (r < 0)
				goto oom;
			if (r > 0) {
				skip_to_eol(f);
				break;
			}
			continue;
		}
		if (wbuf_put(&b, c) < 0)
			goto oom;
		advance(f);
	}
	if (wbuf_put(&b, '\0') < 0)
		goto oom;
	if (b.too_long) {
		b.s[CONF_MAX_WORD - 1] = '\0';
		conf_diag_add(lx->d, CONF_ERROR, &t->pos, "word longer than %d bytes",
			      CONF_MAX_WORD);
	}
	if (!utf8_valid((const unsigned char *)b.s, strlen(b.s)))
		conf_diag_add(lx->d, CONF_ERROR, &t->pos, "invalid UTF-8 in a word");
	t->kind = CONF_TOK_WORD;
	t->word = b.s;
	return 0;
oom:
	free(b.s);
	return -ENOMEM;
}

/* '@ID rest' keeps the rest of the line when ID is the config id, '@^ID'
 * when it is not; otherwise the line is dropped. */
static void conditional_line(struct conf_lex *lx, struct conf_lex_file *f)
{
	size_t start, n;
	bool neg, match;

	advance(f);	/* '@' */
	neg = f->off < f->len && f->buf[f->off] == '^';
	if (neg)
		advance(f);
	start = f->off;
	while (f->off < f->len && !ends_word(f->buf[f->off]))
		advance(f);
	n = f->off - start;
	match = n == strlen(lx->config_id) && !memcmp(f->buf + start, lx->config_id, n);
	if (match == neg)
		skip_to_eol(f);
}

int conf_lex_next(struct conf_lex *lx, struct conf_tok *t)
{
	memset(t, 0, sizeof(*t));
	for (;;) {
		struct conf_lex_file *f = lx->top;
		char c;

		if (!f) {
			t->kind = CONF_TOK_EOF;
			t->pos = lx->last_pos;
			return 0;
		}
		if (!f->loaded) {
			int err = frame_load(lx, f);

			if (err == -ENOMEM)
				return err;
			if (err) {
				frame_pop(lx);
				continue;
			}
		}
		if (f->off >= f->len) {
			lx->last_pos = here(f);
			if (!f->eof_sent) {
				/* end the file's last statement while the file is
				 * still on top (an include on its last line) */
				f->eof_sent = true;
				t->kind = CONF_TOK_EOL;
				t->pos = here(f);
				lx->at_line_start = true;
				return 0;
			}
			frame_pop(lx);
			continue;
		}
		c = f->buf[f->off];
		if (c == '\n') {
			t->kind = CONF_TOK_EOL;
			t->pos = here(f);
			advance(f);
			lx->at_line_start = true;
			return 0;
		}
		if (is_space(c)) {
			advance(f);
			continue;
		}
		if (c == '\0') {
			struct conf_pos p = here(f);

			conf_diag_add(lx->d, CONF_ERROR, &p, "NUL byte in the configuration");
			advance(f);
			continue;
		}
		if (c == '#' || c == '!') {
			skip_to_eol(f);
			continue;
		}
		if (lx->at_line_start && c == '@') {
			conditional_line(lx, f);
			lx->at_line_start = false;
			continue;
		}
		if (lx->at_line_start && c == '$') {
			struct conf_pos p = here(f);

			conf_diag_add(lx->d, CONF_ERROR, &p,
				      "parameter definitions and substitution ($NAME) are not supported by xvsd");
			skip_to_eol(f);
			continue;
		}
		t->pos = here(f);
		t->first_on_line = lx->at_line_start;
		lx->at_line_start = false;
		if (c == '{' || c == '}') {
			t->kind = c == '{' ? CONF_TOK_LBRACE : CONF_TOK_RBRACE;
			advance(f);
			return 0;
		}
		return read_word(lx, f, t);
	}
}

static bool has_glob_magic(const char *s)
{
	return strpbrk(s, "*?[{") != NULL;
}

static char *resolve_path(const struct conf_lex_file *f, const char *arg)
{
	const char *slash = strrchr(f->path, '/');
	char *out;

	if (arg[0] == '/' || !slash)
		return strdup(arg);
	if (asprintf(&out, "%.*s/%s", (int)(slash - f->path), f->path, arg) < 0)
		return NULL;
	return out;
}

void conf_lex_include(struct conf_lex *lx, const struct conf_pos *pos, char *const *args,
		      size_t nargs)
{
	struct conf_lex_file *f = lx->top, **frames;
	glob_t g;
	char *pattern;
	size_t i, n = 0;
	int r;

	if (nargs == 0) {
		conf_diag_add(lx->d, CONF_ERROR, pos, "missing file name after 'include'");
		return;
	}
	if (lx->no_includes) {
		conf_diag_add(lx->d, CONF_ERROR, pos, "include is disabled here");
		return;
	}
	if (!f)
		return;
	if (f->depth + 1 > lx->max_depth) {
		conf_diag_add(lx->d, CONF_ERROR, pos, "includes nested deeper than %u levels",
			      lx->max_depth);
		return;
	}
	pattern = resolve_path(f, args[0]);
	if (!pattern)
		return;
	memset(&g, 0, sizeof(g));
	r = glob(pattern, GLOB_BRACE | GLOB_TILDE_CHECK, NULL, &g);
	if (r == GLOB_NOMATCH || (r == 0 && g.gl_pathc == 0)) {
		if (has_glob_magic(args[0]))
			conf_diag_add(lx->d, CONF_NOTE, pos, "include '%s' matches no file", args[0]);
		else
			conf_diag_add(lx->d, CONF_ERROR, pos, "cannot open include file '%s': %s",
				      pattern, strerror(ENOENT));
		goto out;
	}
	if (r != 0) {
		conf_diag_add(lx->d, CONF_ERROR, pos, "cannot expand include '%s'", args[0]);
		goto out;
	}
	frames = calloc(g.gl_pathc, sizeof(*frames));
	if (!frames)
		goto out;
	for (i = 0; i < g.gl_pathc; i++) {
		frames[i] = frame_new(lx, g.gl_pathv[i], f->depth + 1, pos);
		if (!frames[i])
			break;
		n++;
	}
	/* the first match must be read first: push in reverse */
	for (i = n; i-- > 0;) {
		frames[i]->below = lx->top;
		lx->top = frames[i];
	}
	free(frames);
	for (i = 1; i < nargs; i++)
		conf_diag_add(lx->d, CONF_NOTE, pos, "ignoring extra parameter '%s' after include",
			      args[i]);
out:
	globfree(&g);
	free(pattern);
}
