/* Output of an xl.cfg file: its bytes as they are, the canonical layout
 * (vmlab cfg fmt), and values as JSON or as xl.cfg source. */
#include "xen/xlcfg_impl.h"

#include <stdlib.h>

#include "base/fileio.h"
#include "base/json.h"

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
