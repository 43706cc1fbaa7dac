/* Edits of an xl.cfg file that splice its text, so every byte they do not
 * change stays as it was, and parse the result again before it is kept. */
#include "xen/xlcfg_impl.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool xlcfg_valid_key(const char *key)
{
	if (!key || !xlcfg_is_ident_start(key[0]))
		return false;
	for (const char *p = key + 1; *p; p++)
		if (!xlcfg_is_ident_char(*p))
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

/* Replaces c's text by text (owned) and parses it again; on failure c is
 * unchanged. */
static int reparse(struct xlcfg *c, char *text, size_t len, struct err *e)
{
	struct xlcfg tmp = { 0 };
	struct err e2 = { 0 };
	int rc;

	tmp.name = c->name;
	if ((rc = xlcfg_fill(&tmp, text, len, &e2)))
		return err_set(e, rc, "%s: the edit would not parse (%s)", c->name, e2.msg);
	xlcfg_clear(c);
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
