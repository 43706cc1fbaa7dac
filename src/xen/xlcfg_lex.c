/* The xl.cfg lexer: tokens exactly as libxlutil's flex scanner makes them,
 * and its string dequoting. */
#include "xen/xlcfg_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Renders bytes for a message: printable ASCII as is, others as \r, \xHH. */
void xlcfg_show_bytes(struct sbuf *o, const char *p, size_t n)
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

bool xlcfg_is_ident_start(int ch)
{
	return ch >= 'a' && ch <= 'z';
}

bool xlcfg_is_ident_char(int ch)
{
	return xlcfg_is_ident_start(ch) || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_';
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
	xlcfg_show_bytes(&s, text + p, q - p);
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
int xlcfg_lex(const char *name, const char *text, size_t len, struct tok **out, size_t *nout,
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
			} else if (xlcfg_is_ident_start(ch)) {
				size_t q = p + 1;
				while (q < len && xlcfg_is_ident_char(text[q]))
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
				/* libxlutil's xlcfg_dequote stops at a NUL: refuse it */
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

/* Decodes a quoted string token as libxlutil's xlcfg_dequote does: \" \' \\ and
 * \a\b\f\n\r\t\v; \x always fails; a \ + octal digit swallows the next 2-3
 * characters when strtoul(base 10) reads at least two of them, emitting
 * nothing. Returns 0 or -EINVAL (e names the backslash). */
int xlcfg_dequote(const char *name, const char *text, const struct tok *k, char **out,
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
			xlcfg_show_bytes(&s, text + k->start, k->end - k->start);
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
