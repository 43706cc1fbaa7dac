/* The xl.cfg engine: a lexer and parser that accept exactly the language of
 * libxlutil's flex/bison parser, value semantics of its getters, and edits
 * that splice the original text so untouched bytes stay as they were. */
#include "xen/xlcfg.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/json.h"

/* libxlutil's bison parser fails with "memory exhausted" when its state
 * stack would hold YYMAXDEPTH (10000) entries; deeply nested lists reach
 * that. The parser below tracks the height that stack would have (one entry
 * per grammar symbol, plus the initial state) and refuses the same inputs. */
#define BISON_MAX_HEIGHT 9999

enum tok_type {
	T_EOF, T_NL, T_IDENT, T_NUMBER, T_STRING, T_COMMA, T_LBR, T_RBR, T_EQ, T_ADD, T_SEMI,
};

struct tok {
	enum tok_type type;
	size_t start, end;      /* bytes of the token (a comment NEWLINE includes "#...\n") */
	int line, col;
};

/* One assignment as written. */
struct stmt {
	char *key;
	bool add;               /* "+=" */
	size_t start;           /* first byte of the key */
	size_t op_start, op_end;
	size_t val_start, val_end;
	size_t term_end;        /* after the ';' ending it on its line, else val_end */
	int line, col;
	struct xlcfg_value *val;
};

/* A key's final value after "+=" and "last assignment wins". */
struct entry {
	char *key;
	bool add;               /* the last assignment was "+=": not readable as a number */
	int line;
	struct xlcfg_value *val;
};

struct xlcfg {
	char *name;
	char *text;
	size_t len;
	struct tok *toks;
	size_t ntoks;
	struct stmt *stmts;
	size_t nstmts;
	struct entry *ents;
	size_t nents;
	size_t *slots;          /* open addressing over ents: index + 1, 0 empty */
	size_t nslots;          /* a power of two, at least twice nents */
};

/* ------------------------------------------------------------------ values */

static void value_free(struct xlcfg_value *v)
{
	if (!v)
		return;
	free(v->str);
	for (size_t k = 0; k < v->nitems; k++)
		value_free(v->items[k]);
	free(v->items);
	free(v);
}

static struct xlcfg_value *value_copy(const struct xlcfg_value *v)
{
	struct xlcfg_value *c = xcalloc(1, sizeof(*c));

	*c = *v;
	c->str = v->str ? xstrdup(v->str) : NULL;
	c->items = v->nitems ? xcalloc(v->nitems, sizeof(*c->items)) : NULL;
	for (size_t k = 0; k < v->nitems; k++)
		c->items[k] = value_copy(v->items[k]);
	return c;
}

/* p holds n elements of size bytes, in an array this function sized (or
 * NULL when n is 0); returns it with room for n + 1. Capacities double
 * (16, 32, 64, ...) so n pushes cost O(n), also where realloc always moves. */
static void *grow(void *p, size_t n, size_t size)
{
	if (n == 0)
		return xrealloc(p, 16 * size);
	if (n >= 16 && !(n & (n - 1)))
		return xrealloc(p, 2 * n * size);
	return p;
}

static void list_push(struct xlcfg_value *l, struct xlcfg_value *item)
{
	l->items = xrealloc(l->items, (l->nitems + 1) * sizeof(*l->items));
	l->items[l->nitems++] = item;
}

/* ------------------------------------------------------------------- lexer */

/* Renders bytes for a message: printable ASCII as is, others as \r, \xHH. */
static void show_bytes(struct sbuf *o, const char *p, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		unsigned char ch = (unsigned char)p[k];
		if (ch == '\r')
			sbuf_puts(o, "\\r");
		else if (ch == '\t')
			sbuf_puts(o, "\\t");
		else if (ch < 0x20 || ch >= 0x7f)
			sbuf_printf(o, "\\x%02x", ch);
		else
			sbuf_putc(o, (char)ch);
	}
}

static bool is_ident_start(int ch)
{
	return ch >= 'a' && ch <= 'z';
}

static bool is_ident_char(int ch)
{
	return is_ident_start(ch) || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_';
}

static bool is_number_char(int ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || ch == 'x';
}

/* Sets *end to the byte after a quoted string starting at text[p], or
 * returns false when it is not terminated on its line. */
static bool scan_string(const char *text, size_t len, size_t p, size_t *end)
{
	char q = text[p++];

	while (p < len) {
		char ch = text[p];
		if (ch == q) {
			*end = p + 1;
			return true;
		}
		if (ch == '\n')
			return false;
		if (ch == '\\') {
			if (p + 1 >= len || text[p + 1] == '\n')
				return false;
			p += 2;
			continue;
		}
		p++;
	}
	return false;
}

static int lex_error(const char *name, const char *text, size_t len, size_t p, int line, int col,
		     struct err *e)
{
	struct sbuf s = SBUF_INIT;
	size_t q = p;
	unsigned char ch = (unsigned char)text[p];
	const char *why;

	/* like flex's error state, the message shows the rest of the word */
	while (q < len && text[q] != ' ' && text[q] != '\t' && text[q] != '\n' && q - p < 40)
		q++;
	if (q == p)
		q = p + 1;
	show_bytes(&s, text + p, q - p);
	if (ch == '\r')
		why = "lexical error (carriage return: CRLF line ends are not accepted)";
	else if (ch == '#')
		why = "lexical error (a comment must end with a newline)";
	else if (ch >= 'A' && ch <= 'Z')
		why = "lexical error (keys are lowercase)";
	else if (ch == '\'' || ch == '"')
		why = "lexical error (string not closed on its line)";
	else if (ch == '-' || ch == '.')
		why = "lexical error (write negative or fractional numbers as strings)";
	else if (ch == '\\')
		why = "lexical error (there is no line continuation)";
	else if (ch == 0)
		why = "lexical error (NUL byte)";
	else
		why = "lexical error";
	err_at(e, -EINVAL, name, line, col, "config parsing error near `%s': %s", sbuf_str(&s), why);
	sbuf_free(&s);
	return -EINVAL;
}

/* Splits text into tokens (the last one T_EOF). Returns 0 or -EINVAL. */
static int lex_all(const char *name, const char *text, size_t len, struct tok **out, size_t *nout,
		   struct err *e)
{
	struct tok *t = NULL;
	size_t n = 0, cap = 0, p = 0;
	int line = 1;
	size_t line_start = 0;

	for (;;) {
		struct tok k = { T_EOF, p, p, line, (int)(p - line_start) + 1 };
		if (p >= len) {
			k.start = k.end = len;
		} else {
			char ch = text[p];
			if (ch == ' ' || ch == '\t') {
				p++;
				continue;
			}
			if (ch == '\n') {
				k.type = T_NL;
				k.end = p + 1;
			} else if (ch == '#') {
				const char *nl = memchr(text + p, '\n', len - p);
				if (!nl)
					goto bad;
				k.type = T_NL;
				k.end = (size_t)(nl - text) + 1;
			} else if (is_ident_start(ch)) {
				size_t q = p + 1;
				while (q < len && is_ident_char(text[q]))
					q++;
				k.type = T_IDENT;
				k.end = q;
			} else if (ch >= '0' && ch <= '9') {
				size_t q = p + 1;
				while (q < len && is_number_char(text[q]))
					q++;
				k.type = T_NUMBER;
				k.end = q;
			} else if (ch == '\'' || ch == '"') {
				if (!scan_string(text, len, p, &k.end))
					goto bad;
				/* libxlutil's dequote stops at a NUL: refuse it */
				if (memchr(text + p, 0, k.end - p))
					goto bad;
				k.type = T_STRING;
			} else if (ch == '+' && p + 1 < len && text[p + 1] == '=') {
				k.type = T_ADD;
				k.end = p + 2;
			} else if (ch == ',' || ch == '[' || ch == ']' || ch == '=' || ch == ';') {
				k.type = ch == ',' ? T_COMMA : ch == '[' ? T_LBR : ch == ']' ? T_RBR :
					 ch == '=' ? T_EQ : T_SEMI;
				k.end = p + 1;
			} else {
				goto bad;
			}
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			t = xrealloc(t, cap * sizeof(*t));
		}
		t[n++] = k;
		if (k.type == T_EOF)
			break;
		p = k.end;
		if (k.type == T_NL) {
			line++;
			line_start = p;
		}
		continue;
bad:
		if (p + 1 == len) {
			/* flex's error state reports a bad character only once
			 * it sees the next one: a bad last byte is ignored */
			k = (struct tok){ T_EOF, p, p, line, (int)(p - line_start) + 1 };
			if (n == cap)
				t = xrealloc(t, ++cap * sizeof(*t));
			t[n++] = k;
			break;
		}
		free(t);
		return lex_error(name, text, len, p, line, (int)(p - line_start) + 1, e);
	}
	*out = t;
	*nout = n;
	return 0;
}

/* Decodes a quoted string token as libxlutil's dequote does: \" \' \\ and
 * \a\b\f\n\r\t\v; \x always fails; a \ + octal digit swallows the next 2-3
 * characters when strtoul(base 10) reads at least two of them, emitting
 * nothing. Returns 0 or -EINVAL (e names the backslash). */
static int dequote(const char *name, const char *text, const struct tok *k, char **out,
		   struct err *e)
{
	const char *p = text + k->start + 1, *end = text + k->end - 1;
	char *r = xmalloc(k->end - k->start), *q = r;
	const char *why;

	while (p < end) {
		char c = *p++;
		if (c != '\\') {
			*q++ = c;
			continue;
		}
		const char *bs = p - 1;
		char nc = *p++;
		switch (nc) {
		case '"': case '\'': case '\\': *q++ = nc; continue;
		case 'a': *q++ = '\a'; continue;
		case 'b': *q++ = '\b'; continue;
		case 'f': *q++ = '\f'; continue;
		case 'n': *q++ = '\n'; continue;
		case 'r': *q++ = '\r'; continue;
		case 't': *q++ = '\t'; continue;
		case 'v': *q++ = '\v'; continue;
		case 'x':
			why = "invalid digit after backslash hexnumerical character escape in quoted string";
			goto bad;
		default:
			break;
		}
		if (nc >= '0' && nc <= '7') {
			char buf[4], *ep;
			size_t m = 0;
			/* strncpy(3 chars) from the token, which ends with the quote */
			while (m < 3 && p + m <= end && p[m])
				m++;
			memcpy(buf, p, m);
			buf[m] = 0;
			(void)strtoul(buf, &ep, 10);
			if (ep - buf <= 1) {
				why = "invalid digit after backslash octalnumerical character escape in quoted string";
				goto bad;
			}
			p += ep - buf;
			continue;
		}
		why = "invalid character after backlash in quoted string";
bad:
		{
			struct sbuf s = SBUF_INIT;
			size_t off = (size_t)(bs - text);
			show_bytes(&s, text + k->start, k->end - k->start);
			err_at(e, -EINVAL, name, k->line, k->col + (int)(off - k->start),
			       "config parsing error near `%s': %s", sbuf_str(&s), why);
			sbuf_free(&s);
			free(r);
			return -EINVAL;
		}
	}
	*q = 0;
	*out = r;
	return 0;
}

/* ------------------------------------------------------------------ parser */

struct parser {
	const char *name;
	const char *text;
	const struct tok *t;
	size_t i;
	struct err *e;
};

static const char *tok_what(enum tok_type ty)
{
	switch (ty) {
	case T_EOF: return "end of file";
	case T_NL: return "NEWLINE";
	case T_IDENT: return "IDENT";
	case T_NUMBER: return "NUMBER";
	case T_STRING: return "STRING";
	case T_COMMA: return "','";
	case T_LBR: return "'['";
	case T_RBR: return "']'";
	case T_EQ: return "'='";
	case T_ADD: return "OP_ADD";
	case T_SEMI: return "';'";
	}
	return "?";
}

static int syntax_error(struct parser *ps, const char *expecting)
{
	const struct tok *k = &ps->t[ps->i];
	struct sbuf s = SBUF_INIT;

	if (k->type == T_EOF) {
		sbuf_puts(&s, "end of file");
	} else if (k->type == T_NL && ps->text[k->start] == '\n') {
		sbuf_puts(&s, "<newline>");
	} else {
		size_t n = k->end - k->start;
		if (k->type == T_NL)
			n--;
		sbuf_putc(&s, '`');
		show_bytes(&s, ps->text + k->start, n > 60 ? 60 : n);
		sbuf_puts(&s, n > 60 ? "...'" : "'");
	}
	err_at(ps->e, -EINVAL, ps->name, k->line, k->col,
	       "config parsing error near %s: syntax error, unexpected %s, expecting %s",
	       sbuf_str(&s), tok_what(k->type), expecting);
	sbuf_free(&s);
	return -EINVAL;
}

static void skip_nl(struct parser *ps)
{
	while (ps->t[ps->i].type == T_NL)
		ps->i++;
}

/* Fails like bison when its stack would reach height h. */
static int need(struct parser *ps, int h)
{
	const struct tok *k = &ps->t[ps->i];

	if (h <= BISON_MAX_HEIGHT)
		return 0;
	return err_at(ps->e, -EINVAL, ps->name, k->line, k->col,
		      "config parsing error near `%s': memory exhausted (lists nested too deeply)",
		      tok_what(k->type));
}

/* Skips NEWLINEs inside a list whose nlok sits at height h. */
static int skip_nl_at(struct parser *ps, int h)
{
	if (ps->t[ps->i].type == T_NL && need(ps, h + 1))
		return -EINVAL;
	skip_nl(ps);
	return 0;
}

/* value : STRING | NUMBER | '[' nlok valuelist ']'
 * h is the height of the bison stack below the value. */
static int parse_value(struct parser *ps, int h, struct xlcfg_value **out)
{
	const struct tok *k = &ps->t[ps->i];
	struct xlcfg_value *v;
	int rc;

	if ((rc = need(ps, h + 1)))
		return rc;
	if (k->type == T_STRING || k->type == T_NUMBER) {
		char *s;
		if (k->type == T_STRING) {
			if ((rc = dequote(ps->name, ps->text, k, &s, ps->e)))
				return rc;
		} else {
			s = xstrndup(ps->text + k->start, k->end - k->start);
		}
		v = xcalloc(1, sizeof(*v));
		v->kind = k->type == T_STRING ? XLCFG_STRING : XLCFG_NUMBER;
		v->str = s;
		v->line = k->line;
		v->col = k->col;
		ps->i++;
		*out = v;
		return 0;
	}
	if (k->type != T_LBR)
		return syntax_error(ps, "STRING or NUMBER or '['");
	v = xcalloc(1, sizeof(*v));
	v->kind = XLCFG_LIST;
	v->line = k->line;
	v->col = k->col;
	ps->i++;
	/* stack: '[' nlok = h+2 */
	if ((rc = need(ps, h + 2)) || (rc = skip_nl_at(ps, h + 2)))
		goto fail;
	int item_base = h + 2;
	for (;;) {
		struct xlcfg_value *item;
		if (ps->t[ps->i].type == T_RBR)
			break;
		if ((rc = parse_value(ps, item_base, &item)))
			goto fail;
		list_push(v, item);
		/* value nlok on top of the item's base */
		if ((rc = need(ps, item_base + 2)) || (rc = skip_nl_at(ps, item_base + 2)))
			goto fail;
		if (ps->t[ps->i].type == T_RBR)
			break;
		if (ps->t[ps->i].type != T_COMMA) {
			rc = syntax_error(ps, "',' or ']'");
			goto fail;
		}
		ps->i++;
		/* reduced to '[' nlok values, then ',' nlok: h+5 */
		item_base = h + 5;
		if ((rc = need(ps, h + 5)) || (rc = skip_nl_at(ps, h + 5)))
			goto fail;
		if (ps->t[ps->i].type == T_RBR)
			break;
		if (ps->t[ps->i].type != T_STRING && ps->t[ps->i].type != T_NUMBER &&
		    ps->t[ps->i].type != T_LBR) {
			rc = syntax_error(ps, "STRING or NUMBER or '[' or ']'");
			goto fail;
		}
	}
	/* '[' nlok valuelist ']' */
	if ((rc = need(ps, h + 4)))
		goto fail;
	ps->i++;
	*out = v;
	return 0;
fail:
	value_free(v);
	return rc;
}

static void stmts_free(struct stmt *s, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		free(s[k].key);
		value_free(s[k].val);
	}
	free(s);
}

static void ents_free(struct entry *en, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		free(en[k].key);
		value_free(en[k].val);
	}
	free(en);
}

/* file : stmts | stmts assignment; stmt : assignment endstmt | endstmt */
static int parse_file(struct parser *ps, struct stmt **out, size_t *nout)
{
	struct stmt *s = NULL;
	size_t n = 0;
	int rc;

	for (;;) {
		const struct tok *k = &ps->t[ps->i];
		if (k->type == T_EOF)
			break;
		if (k->type == T_NL || k->type == T_SEMI) {
			ps->i++;
			continue;
		}
		if (k->type != T_IDENT) {
			rc = syntax_error(ps, "IDENT or NEWLINE or ';'");
			goto fail;
		}
		struct stmt st = { 0 };
		st.start = k->start;
		st.line = k->line;
		st.col = k->col;
		ps->i++;
		const struct tok *op = &ps->t[ps->i];
		if (op->type != T_EQ && op->type != T_ADD) {
			rc = syntax_error(ps, "'=' or OP_ADD");
			goto fail;
		}
		st.add = op->type == T_ADD;
		st.op_start = op->start;
		st.op_end = op->end;
		ps->i++;
		st.val_start = ps->t[ps->i].start;
		/* state 0, stmts, IDENT, '=' */
		if ((rc = parse_value(ps, 4, &st.val)))
			goto fail;
		st.val_end = ps->t[ps->i - 1].end;
		st.term_end = st.val_end;
		const struct tok *end = &ps->t[ps->i];
		if (end->type == T_SEMI) {
			st.term_end = end->end;
			ps->i++;
		} else if (end->type != T_NL && end->type != T_EOF) {
			value_free(st.val);
			rc = syntax_error(ps, "NEWLINE or ';'");
			goto fail;
		}
		st.key = xstrndup(ps->text + k->start, k->end - k->start);
		s = grow(s, n, sizeof(*s));
		s[n++] = st;
	}
	*out = s;
	*nout = n;
	return 0;
fail:
	stmts_free(s, n);
	return rc;
}

static size_t key_hash(const char *key)
{
	size_t h = 14695981039346656037ull & SIZE_MAX;

	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * (size_t)1099511628211ull;
	return h;
}

/* The slot holding key in c's index, or the empty slot where it would go;
 * c->nslots must be non-zero. */
static size_t slot_of(const struct xlcfg *c, const char *key)
{
	size_t m = c->nslots - 1, k = key_hash(key) & m;

	while (c->slots[k] && strcmp(c->ents[c->slots[k] - 1].key, key))
		k = (k + 1) & m;
	return k;
}

/* Makes room in c's index for one more entry. */
static void index_grow(struct xlcfg *c)
{
	if (2 * (c->nents + 1) <= c->nslots)
		return;
	free(c->slots);
	c->nslots = c->nslots ? 2 * c->nslots : 64;
	c->slots = xcalloc(c->nslots, sizeof(*c->slots));
	for (size_t k = 0; k < c->nents; k++)
		c->slots[slot_of(c, c->ents[k].key)] = k + 1;
}

static struct entry *ent_find(const struct xlcfg *c, const char *key)
{
	if (!c->nslots)
		return NULL;
	size_t k = c->slots[slot_of(c, key)];
	return k ? &c->ents[k - 1] : NULL;
}

/* Applies the statements in order: "=" replaces, "+=" concatenates strings
 * or appends lists (an atom read from a "+=" is a string). */
static int build_entries(struct xlcfg *c, struct err *e)
{
	for (size_t k = 0; k < c->nstmts; k++) {
		const struct stmt *st = &c->stmts[k];
		struct entry *en = ent_find(c, st->key);
		struct xlcfg_value *v = value_copy(st->val);

		if (st->add && en) {
			struct xlcfg_value *prev = en->val;
			bool pl = prev->kind == XLCFG_LIST, vl = v->kind == XLCFG_LIST;
			if (pl != vl) {
				value_free(v);
				return err_at(e, -EINVAL, c->name, st->line, st->col,
					      "config parsing error near `%s': can't add [list] to \"string\" or vice versa",
					      st->key);
			}
			if (vl) {
				struct xlcfg_value *l = xcalloc(1, sizeof(*l));
				l->kind = XLCFG_LIST;
				l->line = v->line;
				l->col = v->col;
				for (size_t j = 0; j < prev->nitems; j++)
					list_push(l, value_copy(prev->items[j]));
				for (size_t j = 0; j < v->nitems; j++)
					list_push(l, value_copy(v->items[j]));
				value_free(v);
				v = l;
			} else {
				size_t a = strlen(prev->str), b = strlen(v->str);
				char *s = xmalloc(a + b + 1);
				memcpy(s, prev->str, a);
				memcpy(s + a, v->str, b + 1);
				free(v->str);
				v->str = s;
			}
		}
		if (st->add && v->kind == XLCFG_NUMBER)
			v->kind = XLCFG_STRING;
		if (!en) {
			index_grow(c);
			c->ents = grow(c->ents, c->nents, sizeof(*c->ents));
			c->slots[slot_of(c, st->key)] = c->nents + 1;
			en = &c->ents[c->nents++];
			en->key = xstrdup(st->key);
			en->val = NULL;
		}
		value_free(en->val);
		en->val = v;
		en->add = st->add;
		en->line = st->line;
	}
	return 0;
}

static void cfg_clear(struct xlcfg *c)
{
	free(c->text);
	free(c->toks);
	stmts_free(c->stmts, c->nstmts);
	ents_free(c->ents, c->nents);
	free(c->slots);
	c->slots = NULL;
	c->nslots = 0;
	c->text = NULL;
	c->toks = NULL;
	c->stmts = NULL;
	c->ents = NULL;
	c->len = c->ntoks = c->nstmts = c->nents = 0;
}

/* Parses text (taking ownership) into the fields of c, which must be clear. */
static int cfg_fill(struct xlcfg *c, char *text, size_t len, struct err *e)
{
	struct parser ps = { c->name, text, NULL, 0, e };
	int rc;

	c->text = text;
	c->len = len;
	if ((rc = lex_all(c->name, text, len, &c->toks, &c->ntoks, e)))
		goto fail;
	ps.t = c->toks;
	if ((rc = parse_file(&ps, &c->stmts, &c->nstmts)))
		goto fail;
	if ((rc = build_entries(c, e)))
		goto fail;
	return 0;
fail:
	cfg_clear(c);
	return rc;
}

int xlcfg_parse(const char *name, const char *text, size_t len, struct xlcfg **out, struct err *e)
{
	struct xlcfg *c = xcalloc(1, sizeof(*c));
	char *copy = xmalloc(len + 1);
	int rc;

	memcpy(copy, text, len);
	copy[len] = 0;
	c->name = xstrdup(name ? name : "<input>");
	if ((rc = cfg_fill(c, copy, len, e))) {
		free(c->name);
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int xlcfg_load(const char *path, struct xlcfg **out, struct err *e)
{
	struct sbuf b = SBUF_INIT;
	int rc;

	if ((rc = file_read(path, &b, e))) {
		sbuf_free(&b);
		return rc;
	}
	rc = xlcfg_parse(path, sbuf_str(&b), b.len, out, e);
	sbuf_free(&b);
	return rc;
}

void xlcfg_free(struct xlcfg *c)
{
	if (!c)
		return;
	cfg_clear(c);
	free(c->name);
	free(c);
}

const char *xlcfg_name(const struct xlcfg *c)
{
	return c->name;
}

/* ----------------------------------------------------------------- getters */

size_t xlcfg_nkeys(const struct xlcfg *c)
{
	return c->nents;
}

const char *xlcfg_key(const struct xlcfg *c, size_t i)
{
	return i < c->nents ? c->ents[i].key : NULL;
}

static const struct entry *ent_get(const struct xlcfg *c, const char *key)
{
	return ent_find(c, key);
}

const struct xlcfg_value *xlcfg_get(const struct xlcfg *c, const char *key)
{
	const struct entry *en = ent_get(c, key);

	return en ? en->val : NULL;
}

int xlcfg_line(const struct xlcfg *c, const char *key)
{
	const struct entry *en = ent_get(c, key);

	return en ? en->line : 0;
}

int xlcfg_get_string(const struct xlcfg *c, const char *key, const char **out, struct err *e)
{
	const struct entry *en = ent_get(c, key);

	if (!en)
		return -ENOENT;
	if (en->val->kind == XLCFG_LIST)
		return err_at(e, -EINVAL, c->name, en->val->line, en->val->col,
			      "parameter `%s' is a list but should be a single value", key);
	*out = en->val->str;
	return 0;
}

/* strtol(s, &ep, 0) as libxlutil's getter reads it: 0, -EINVAL or -ERANGE. */
static int to_long(const char *s, long *out)
{
	char *ep;
	long l;

	errno = 0;
	l = strtol(s, &ep, 0);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || *ep || ep == s)
		return -EINVAL;
	*out = l;
	return 0;
}

int xlcfg_get_long(const struct xlcfg *c, const char *key, long *out, struct err *e)
{
	const struct entry *en = ent_get(c, key);
	const struct xlcfg_value *v;
	int rc;

	if (!en)
		return -ENOENT;
	v = en->val;
	if (v->kind == XLCFG_LIST)
		return err_at(e, -EINVAL, c->name, v->line, v->col,
			      "parameter `%s' is a list but should be a single value", key);
	if (en->add)
		return err_at(e, -EINVAL, c->name, v->line, v->col,
			      "can't use += with numbers for parameter `%s'", key);
	rc = to_long(v->str, out);
	if (rc == -ERANGE)
		return err_at(e, rc, c->name, v->line, v->col,
			      "parameter `%s' could not be parsed as a number: %s", key, strerror(ERANGE));
	if (rc)
		return err_at(e, rc, c->name, v->line, v->col, "parameter `%s' is not a valid number", key);
	return 0;
}

int xlcfg_get_list(const struct xlcfg *c, const char *key, const struct xlcfg_value **out,
		   struct err *e)
{
	const struct entry *en = ent_get(c, key);

	if (!en)
		return -ENOENT;
	if (en->val->kind != XLCFG_LIST)
		return err_at(e, -EINVAL, c->name, en->val->line, en->val->col,
			      "parameter `%s' is a single value but should be a list", key);
	*out = en->val;
	return 0;
}

bool xlcfg_number_value(const struct xlcfg_value *v, long *out)
{
	return v->kind == XLCFG_NUMBER && to_long(v->str, out) == 0;
}

/* ------------------------------------------------------------------- edits */

bool xlcfg_valid_key(const char *key)
{
	if (!key || !is_ident_start(key[0]))
		return false;
	for (const char *p = key + 1; *p; p++)
		if (!is_ident_char(*p))
			return false;
	return true;
}

int xlcfg_quote(const char *s, char **out)
{
	struct sbuf b = SBUF_INIT;
	char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';

	sbuf_putc(&b, q);
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case '\\': sbuf_puts(&b, "\\\\"); break;
		case '\n': sbuf_puts(&b, "\\n"); break;
		case '\r': sbuf_puts(&b, "\\r"); break;
		case '\t': sbuf_puts(&b, "\\t"); break;
		case '\a': sbuf_puts(&b, "\\a"); break;
		case '\b': sbuf_puts(&b, "\\b"); break;
		case '\f': sbuf_puts(&b, "\\f"); break;
		case '\v': sbuf_puts(&b, "\\v"); break;
		default:
			if (*p == q)
				sbuf_putc(&b, '\\');
			sbuf_putc(&b, *p);
		}
	}
	sbuf_putc(&b, q);
	*out = sbuf_take(&b);
	return 0;
}

int xlcfg_check_value(const char *value_src, struct err *e)
{
	struct tok *t = NULL;
	size_t n = 0, len = strlen(value_src);
	struct parser ps = { "value", value_src, NULL, 0, e };
	struct xlcfg_value *v = NULL;
	int rc;

	if ((rc = lex_all("value", value_src, len, &t, &n, e)))
		return rc;
	ps.t = t;
	rc = parse_value(&ps, 4, &v);
	if (!rc && (t[ps.i].type != T_EOF || t[ps.i].start != len))
		rc = syntax_error(&ps, "end of value");
	value_free(v);
	free(t);
	return rc;
}

/* Replaces c's text by text (owned) and parses it again; on failure c is
 * unchanged. */
static int reparse(struct xlcfg *c, char *text, size_t len, struct err *e)
{
	struct xlcfg tmp = { 0 };
	struct err e2 = { 0 };
	int rc;

	tmp.name = c->name;
	if ((rc = cfg_fill(&tmp, text, len, &e2)))
		return err_set(e, rc, "%s: the edit would not parse (%s)", c->name, e2.msg);
	cfg_clear(c);
	tmp.name = c->name;
	*c = tmp;
	return 0;
}

/* Whether byte pos of c's text is inside a comment token ("#...\n"). */
static bool in_comment(const struct xlcfg *c, size_t pos)
{
	size_t lo = 0, hi = c->ntoks;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->toks[mid].start <= pos)
			lo = mid;
		else
			hi = mid;
	}
	const struct tok *k = &c->toks[lo];
	return k->type == T_NL && k->start <= pos && pos < k->end && c->text[k->start] == '#';
}

/* The bytes [from, to) that removing statement st takes out: its whole
 * line(s) when it is alone there (a trailing comment goes too), else the
 * statement, its ';' and the blanks after it. */
static void removal_span(const struct xlcfg *c, const struct stmt *st, size_t *from, size_t *to)
{
	const char *t = c->text;
	size_t ls = st->start, p = st->term_end;
	/* a bad last byte that libxlutil ignores is past the end */
	size_t end = c->toks[c->ntoks - 1].start;

	while (ls > 0 && (t[ls - 1] == ' ' || t[ls - 1] == '\t'))
		ls--;
	bool alone_before = ls == 0 || t[ls - 1] == '\n';
	size_t q = p;
	while (q < end && (t[q] == ' ' || t[q] == '\t'))
		q++;
	size_t after_blank = q;
	if (q < end && t[q] == '#') {
		const char *nl = memchr(t + q, '\n', end - q);
		q = nl ? (size_t)(nl - t) : end;
	}
	bool alone_after = q >= end || t[q] == '\n';
	if (alone_before && alone_after) {
		/* the last line has no newline: the one before it goes, so the
		 * file still ends without one, unless it ends a comment */
		*from = q >= end && ls > 0 && !in_comment(c, ls - 1) ? ls - 1 : ls;
		*to = q < end ? q + 1 : q;
	} else if (alone_after) {
		/* last on a shared line: the blanks before it go, a comment stays */
		*from = ls;
		*to = p;
	} else {
		*from = st->start;
		*to = after_blank;
	}
}

struct splice {
	size_t from, to;
	const char *with;
};

static int cmp_splice(const void *a, const void *b)
{
	const struct splice *x = a, *y = b;

	return x->from < y->from ? -1 : x->from > y->from;
}

/* Applies non-overlapping replacements to c's text and re-parses. */
static int apply(struct xlcfg *c, struct splice *sp, size_t n, struct err *e)
{
	struct sbuf b = SBUF_INIT;
	size_t p = 0;

	qsort(sp, n, sizeof(*sp), cmp_splice);
	for (size_t k = 0; k < n; k++) {
		if (sp[k].from < p)
			sp[k].from = p;
		if (sp[k].to < sp[k].from)
			sp[k].to = sp[k].from;
		sbuf_add(&b, c->text + p, sp[k].from - p);
		sbuf_puts(&b, sp[k].with);
		p = sp[k].to;
	}
	sbuf_add(&b, c->text + p, c->len - p);
	size_t len = b.len;
	char *text = sbuf_take(&b);
	if (!text)
		text = xstrdup("");
	return reparse(c, text, len, e);
}

int xlcfg_set(struct xlcfg *c, const char *key, const char *value_src, struct err *e)
{
	struct splice *sp;
	size_t n = 0, last = SIZE_MAX;
	struct sbuf line = SBUF_INIT;
	int rc;

	if (!xlcfg_valid_key(key))
		return err_set(e, -EINVAL, "`%s': not a valid key (lowercase [a-z][._0-9a-z]*)", key);
	if ((rc = xlcfg_check_value(value_src, e)))
		return rc;
	for (size_t k = 0; k < c->nstmts; k++)
		if (!strcmp(c->stmts[k].key, key))
			last = k;
	sp = xcalloc(c->nstmts + 2, sizeof(*sp));
	if (last == SIZE_MAX) {
		/* before the EOF token: a bad last byte that libxlutil ignores
		 * stays last; a file without a final newline keeps none, so
		 * that del gives back its bytes */
		size_t at = c->toks[c->ntoks - 1].start;
		bool open_end = at && c->text[at - 1] != '\n';
		if (open_end)
			sbuf_putc(&line, '\n');
		sbuf_printf(&line, "%s = %s", key, value_src);
		if (!open_end)
			sbuf_putc(&line, '\n');
		sp[n++] = (struct splice){ at, at, sbuf_str(&line) };
	} else {
		const struct stmt *st = &c->stmts[last];
		for (size_t k = 0; k < last; k++) {
			if (strcmp(c->stmts[k].key, key))
				continue;
			removal_span(c, &c->stmts[k], &sp[n].from, &sp[n].to);
			sp[n++].with = "";
		}
		if (st->add)
			sp[n++] = (struct splice){ st->op_start, st->op_end, "=" };
		sp[n++] = (struct splice){ st->val_start, st->val_end, value_src };
	}
	rc = apply(c, sp, n, e);
	free(sp);
	sbuf_free(&line);
	return rc;
}

int xlcfg_set_string(struct xlcfg *c, const char *key, const char *s, struct err *e)
{
	char *q;
	int rc;

	if ((rc = xlcfg_quote(s, &q)))
		return err_set(e, rc, "%s: cannot quote the value", key);
	rc = xlcfg_set(c, key, q, e);
	free(q);
	return rc;
}

int xlcfg_set_long(struct xlcfg *c, const char *key, long v, struct err *e)
{
	char buf[32];

	/* a NUMBER token has no sign: negative values are strings, which the
	 * getters read as numbers */
	snprintf(buf, sizeof(buf), v < 0 ? "\"%ld\"" : "%ld", v);
	return xlcfg_set(c, key, buf, e);
}

int xlcfg_set_list(struct xlcfg *c, const char *key, const char *const *items, size_t n,
		   struct err *e)
{
	struct sbuf b = SBUF_INIT;
	int rc;

	sbuf_puts(&b, n ? "[ " : "[");
	for (size_t k = 0; k < n; k++) {
		char *q;
		xlcfg_quote(items[k], &q);
		sbuf_printf(&b, "%s%s", k ? ", " : "", q);
		free(q);
	}
	sbuf_puts(&b, n ? " ]" : "]");
	rc = xlcfg_set(c, key, sbuf_str(&b), e);
	sbuf_free(&b);
	return rc;
}

int xlcfg_del(struct xlcfg *c, const char *key, struct err *e)
{
	struct splice *sp = xcalloc(c->nstmts + 1, sizeof(*sp));
	size_t n = 0;
	int rc;

	for (size_t k = 0; k < c->nstmts; k++) {
		if (strcmp(c->stmts[k].key, key))
			continue;
		removal_span(c, &c->stmts[k], &sp[n].from, &sp[n].to);
		sp[n++].with = "";
	}
	rc = n ? apply(c, sp, n, e) : -ENOENT;
	if (rc == -ENOENT)
		err_set(e, rc, "%s: `%s' is not set", c->name, key);
	free(sp);
	return rc;
}

/* ------------------------------------------------------------------ output */

void xlcfg_write(const struct xlcfg *c, struct sbuf *out)
{
	sbuf_add(out, c->text, c->len);
}

int xlcfg_save(const struct xlcfg *c, const char *path, struct err *e)
{
	return file_write_atomic(path, c->text, c->len, e);
}

/* Appends a comment token's text without its newline, blanks trimmed. */
static void put_comment(const struct xlcfg *c, const struct tok *k, struct sbuf *out)
{
	size_t n = k->end - k->start - 1;

	while (n > 1 && (c->text[k->start + n - 1] == ' ' || c->text[k->start + n - 1] == '\t'))
		n--;
	sbuf_add(out, c->text + k->start, n);
}

static bool is_comment(const struct xlcfg *c, const struct tok *k)
{
	return k->type == T_NL && c->text[k->start] == '#';
}

/* Index of the ']' closing the '[' at i; *comments tells whether a comment
 * lies between. */
static size_t match_bracket(const struct xlcfg *c, size_t i, bool *comments)
{
	int depth = 0;

	*comments = false;
	for (; i < c->ntoks; i++) {
		if (c->toks[i].type == T_LBR)
			depth++;
		else if (c->toks[i].type == T_RBR && --depth == 0)
			return i;
		else if (is_comment(c, &c->toks[i]))
			*comments = true;
	}
	return i;
}

static void indent(struct sbuf *out, int n)
{
	for (int k = 0; k < n; k++)
		sbuf_puts(out, "    ");
}

/* Writes the value starting at token *i canonically; *i moves past it. */
static void fmt_value(const struct xlcfg *c, size_t *i, int level, struct sbuf *out)
{
	const struct tok *k = &c->toks[*i];
	bool comments;

	if (k->type != T_LBR) {
		sbuf_add(out, c->text + k->start, k->end - k->start);
		(*i)++;
		return;
	}
	size_t close = match_bracket(c, *i, &comments);
	(*i)++;
	if (!comments) {
		bool first = true;
		sbuf_putc(out, '[');
		while (*i < close) {
			int ty = c->toks[*i].type;
			if (ty == T_NL || ty == T_COMMA) {
				(*i)++;
				continue;
			}
			sbuf_puts(out, first ? " " : ", ");
			first = false;
			fmt_value(c, i, level + 1, out);
		}
		sbuf_puts(out, first ? "]" : " ]");
		*i = close + 1;
		return;
	}
	/* one item per line, comments kept where they were */
	bool open = false;      /* an item line is being written */
	int item_line = 0;
	sbuf_puts(out, "[\n");
	while (*i < close) {
		const struct tok *t = &c->toks[*i];
		if (t->type == T_COMMA) {
			(*i)++;
		} else if (t->type == T_NL) {
			if (is_comment(c, t)) {
				if (open && t->line == item_line) {
					sbuf_putc(out, ' ');
				} else {
					if (open)
						sbuf_putc(out, '\n');
					indent(out, level + 1);
				}
				put_comment(c, t, out);
				sbuf_putc(out, '\n');
				open = false;
			}
			(*i)++;
		} else {
			if (open)
				sbuf_putc(out, '\n');
			indent(out, level + 1);
			fmt_value(c, i, level + 1, out);
			sbuf_putc(out, ',');
			open = true;
			item_line = c->toks[*i - 1].line;
		}
	}
	if (open)
		sbuf_putc(out, '\n');
	indent(out, level);
	sbuf_putc(out, ']');
	*i = close + 1;
}

int xlcfg_format(const struct xlcfg *c, struct sbuf *out)
{
	size_t i = 0;
	bool open = false, blank = false, any = false;
	int stmt_line = 0;

	while (i < c->ntoks) {
		const struct tok *k = &c->toks[i];
		switch (k->type) {
		case T_EOF:
			i++;
			break;
		case T_IDENT:
			if (open)
				sbuf_putc(out, '\n');
			if (blank && any)
				sbuf_putc(out, '\n');
			blank = false;
			sbuf_add(out, c->text + k->start, k->end - k->start);
			sbuf_puts(out, c->toks[i + 1].type == T_ADD ? " += " : " = ");
			i += 2;
			fmt_value(c, &i, 0, out);
			stmt_line = c->toks[i - 1].line;
			open = any = true;
			break;
		case T_SEMI:
			i++;
			break;
		case T_NL:
			if (is_comment(c, k)) {
				if (open && k->line == stmt_line) {
					sbuf_putc(out, ' ');
				} else {
					if (open)
						sbuf_putc(out, '\n');
					if (blank && any)
						sbuf_putc(out, '\n');
				}
				put_comment(c, k, out);
				sbuf_putc(out, '\n');
				blank = false;
				any = true;
				open = false;
			} else if (open) {
				sbuf_putc(out, '\n');
				open = false;
			} else {
				blank = true;
			}
			i++;
			break;
		default:
			i++;
			break;
		}
	}
	if (open)
		sbuf_putc(out, '\n');
	return 0;
}

void xlcfg_value_json(const struct xlcfg_value *v, struct sbuf *out)
{
	long l;

	if (v->kind == XLCFG_LIST) {
		sbuf_putc(out, '[');
		for (size_t k = 0; k < v->nitems; k++) {
			if (k)
				sbuf_putc(out, ',');
			xlcfg_value_json(v->items[k], out);
		}
		sbuf_putc(out, ']');
	} else if (xlcfg_number_value(v, &l)) {
		sbuf_printf(out, "%ld", l);
	} else {
		json_put_str(out, v->str);
	}
}

void xlcfg_value_src(const struct xlcfg_value *v, struct sbuf *out)
{
	if (v->kind == XLCFG_LIST) {
		sbuf_puts(out, v->nitems ? "[ " : "[");
		for (size_t k = 0; k < v->nitems; k++) {
			if (k)
				sbuf_puts(out, ", ");
			xlcfg_value_src(v->items[k], out);
		}
		sbuf_puts(out, v->nitems ? " ]" : "]");
	} else if (v->kind == XLCFG_NUMBER) {
		sbuf_puts(out, v->str);
	} else {
		char *q;
		xlcfg_quote(v->str, &q);
		sbuf_puts(out, q);
		free(q);
	}
}
