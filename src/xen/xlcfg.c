/* The xl.cfg engine's parser: it accepts exactly the language of libxlutil's
 * bison parser, builds the index of final values and answers the getters.
 * Edits (xlcfg_edit.c) splice the original text so untouched bytes stay as
 * they were; output and canonical layout are in xlcfg_write.c. */
#include "xen/xlcfg_impl.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"

/* libxlutil's bison parser fails with "memory exhausted" when its state
 * stack would hold YYMAXDEPTH (10000) entries; deeply nested lists reach
 * that. The parser below tracks the height that stack would have (one entry
 * per grammar symbol, plus the initial state) and refuses the same inputs. */
#define BISON_MAX_HEIGHT 9999

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
		xlcfg_show_bytes(&s, ps->text + k->start, n > 60 ? 60 : n);
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
			if ((rc = xlcfg_dequote(ps->name, ps->text, k, &s, ps->e)))
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

void xlcfg_clear(struct xlcfg *c)
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
int xlcfg_fill(struct xlcfg *c, char *text, size_t len, struct err *e)
{
	struct parser ps = { c->name, text, NULL, 0, e };
	int rc;

	c->text = text;
	c->len = len;
	if ((rc = xlcfg_lex(c->name, text, len, &c->toks, &c->ntoks, e)))
		goto fail;
	ps.t = c->toks;
	if ((rc = parse_file(&ps, &c->stmts, &c->nstmts)))
		goto fail;
	if ((rc = build_entries(c, e)))
		goto fail;
	return 0;
fail:
	xlcfg_clear(c);
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
	if ((rc = xlcfg_fill(c, copy, len, e))) {
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
	xlcfg_clear(c);
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

int xlcfg_check_value(const char *value_src, struct err *e)
{
	struct tok *t = NULL;
	size_t n = 0, len = strlen(value_src);
	struct parser ps = { "value", value_src, NULL, 0, e };
	struct xlcfg_value *v = NULL;
	int rc;

	if ((rc = xlcfg_lex("value", value_src, len, &t, &n, e)))
		return rc;
	ps.t = t;
	rc = parse_value(&ps, 4, &v);
	if (!rc && (t[ps.i].type != T_EOF || t[ps.i].start != len))
		rc = syntax_error(&ps, "end of value");
	value_free(v);
	free(t);
	return rc;
}
