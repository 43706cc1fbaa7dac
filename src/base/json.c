/* JSON writer and reader. */
#include "base/json.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void json_put_strn(struct sbuf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	sbuf_putc(out, '"');
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t l;

		switch (c) {
		case '"': sbuf_puts(out, "\\\""); i++; continue;
		case '\\': sbuf_puts(out, "\\\\"); i++; continue;
		case '\n': sbuf_puts(out, "\\n"); i++; continue;
		case '\r': sbuf_puts(out, "\\r"); i++; continue;
		case '\t': sbuf_puts(out, "\\t"); i++; continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7f) {
			sbuf_printf(out, "\\u%04x", c);
			i++;
			continue;
		}
		l = utf8_len(p + i, n - i);
		if (!l) {
			sbuf_printf(out, "\\u%04x", c); /* raw byte as Latin-1 code point */
			i++;
			continue;
		}
		sbuf_add(out, p + i, l);
		i += l;
	}
	sbuf_putc(out, '"');
}

void json_put_str(struct sbuf *out, const char *s)
{
	json_put_strn(out, s, strlen(s));
}

void json_put_num(struct sbuf *out, double v)
{
	if (!isfinite(v)) {
		sbuf_puts(out, "null");
		return;
	}
	if (v == (double)(long long)v && fabs(v) < 9e15)
		sbuf_printf(out, "%lld", (long long)v);
	else
		sbuf_printf(out, "%.17g", v);
}

void json_put_value(struct sbuf *out, const struct json *j)
{
	switch (j->type) {
	case JSON_NULL:
		sbuf_puts(out, "null");
		break;
	case JSON_BOOL:
		sbuf_puts(out, j->b ? "true" : "false");
		break;
	case JSON_NUM:
		json_put_num(out, j->num);
		break;
	case JSON_STR:
		json_put_strn(out, j->str, j->len);
		break;
	case JSON_ARR:
	case JSON_OBJ:
		sbuf_putc(out, j->type == JSON_ARR ? '[' : '{');
		for (size_t k = 0; k < j->len; k++) {
			if (k)
				sbuf_putc(out, ',');
			if (j->type == JSON_OBJ) {
				json_put_str(out, j->keys[k]);
				sbuf_putc(out, ':');
			}
			json_put_value(out, j->items[k]);
		}
		sbuf_putc(out, j->type == JSON_ARR ? ']' : '}');
		break;
	}
}

/* ---- reader ---- */

struct jp {
	const char *s;
	size_t n, i;
	const char *name;
	struct err *e;
	int depth;
};

static int jp_fail(struct jp *p, const char *what)
{
	int line = 1, col = 1;

	for (size_t k = 0; k < p->i && k < p->n; k++) {
		if (p->s[k] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	return err_at(p->e, -EBADMSG, p->name, line, col, "%s", what);
}

static void skip_ws(struct jp *p)
{
	while (p->i < p->n && strchr(" \t\r\n", p->s[p->i]) && p->s[p->i])
		p->i++;
}

static int hex4(struct jp *p, uint32_t *v)
{
	*v = 0;
	if (p->i + 4 > p->n)
		return -1;
	for (int k = 0; k < 4; k++) {
		char c = p->s[p->i++];
		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

static void put_utf8(struct sbuf *b, uint32_t cp)
{
	char u[4];

	if (cp < 0x80) {
		u[0] = (char)cp;
		sbuf_add(b, u, 1);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		sbuf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		sbuf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		sbuf_add(b, u, 4);
	}
}

static int parse_string(struct jp *p, char **out, size_t *outlen)
{
	struct sbuf b = SBUF_INIT;

	p->i++; /* opening quote */
	for (;;) {
		if (p->i >= p->n) {
			sbuf_free(&b);
			return jp_fail(p, "unterminated string");
		}
		unsigned char c = (unsigned char)p->s[p->i];
		if (c == '"') {
			p->i++;
			break;
		}
		if (c < 0x20) {
			sbuf_free(&b);
			return jp_fail(p, "control character in string");
		}
		if (c != '\\') {
			sbuf_add(&b, &p->s[p->i++], 1);
			continue;
		}
		p->i++;
		if (p->i >= p->n) {
			sbuf_free(&b);
			return jp_fail(p, "unterminated escape");
		}
		char esc = p->s[p->i++];
		uint32_t cp, lo;
		switch (esc) {
		case '"': sbuf_putc(&b, '"'); break;
		case '\\': sbuf_putc(&b, '\\'); break;
		case '/': sbuf_putc(&b, '/'); break;
		case 'b': sbuf_putc(&b, '\b'); break;
		case 'f': sbuf_putc(&b, '\f'); break;
		case 'n': sbuf_putc(&b, '\n'); break;
		case 'r': sbuf_putc(&b, '\r'); break;
		case 't': sbuf_putc(&b, '\t'); break;
		case 'u':
			if (hex4(p, &cp)) {
				sbuf_free(&b);
				return jp_fail(p, "bad \\u escape");
			}
			if (cp >= 0xd800 && cp <= 0xdbff && p->i + 6 <= p->n &&
			    p->s[p->i] == '\\' && p->s[p->i + 1] == 'u') {
				p->i += 2;
				if (hex4(p, &lo) || lo < 0xdc00 || lo > 0xdfff) {
					sbuf_free(&b);
					return jp_fail(p, "bad surrogate pair");
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			put_utf8(&b, cp);
			break;
		default:
			sbuf_free(&b);
			return jp_fail(p, "invalid escape in string");
		}
	}
	*outlen = b.len;
	*out = sbuf_take(&b);
	return 0;
}

static int parse_value(struct jp *p, struct json **out);

static void add_item(struct json *j, struct json *item, char *key)
{
	j->items = xrealloc(j->items, (j->len + 1) * sizeof(*j->items));
	j->items[j->len] = item;
	if (j->type == JSON_OBJ) {
		j->keys = xrealloc(j->keys, (j->len + 1) * sizeof(*j->keys));
		j->keys[j->len] = key;
	}
	j->len++;
}

static int parse_container(struct jp *p, struct json *j)
{
	char close = j->type == JSON_ARR ? ']' : '}';

	if (++p->depth > 512)
		return jp_fail(p, "nesting too deep");
	p->i++;
	skip_ws(p);
	if (p->i < p->n && p->s[p->i] == close) {
		p->i++;
		p->depth--;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		size_t klen;
		struct json *item;
		int rc;

		skip_ws(p);
		if (j->type == JSON_OBJ) {
			if (p->i >= p->n || p->s[p->i] != '"')
				return jp_fail(p, "expected a string key");
			if ((rc = parse_string(p, &key, &klen)))
				return rc;
			skip_ws(p);
			if (p->i >= p->n || p->s[p->i] != ':') {
				free(key);
				return jp_fail(p, "expected ':'");
			}
			p->i++;
		}
		if ((rc = parse_value(p, &item))) {
			free(key);
			return rc;
		}
		add_item(j, item, key);
		skip_ws(p);
		if (p->i < p->n && p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->i < p->n && p->s[p->i] == close) {
			p->i++;
			p->depth--;
			return 0;
		}
		return jp_fail(p, j->type == JSON_ARR ? "expected ',' or ']'" : "expected ',' or '}'");
	}
}

static int parse_number(struct jp *p, double *v)
{
	size_t st = p->i;

	if (p->s[p->i] == '-')
		p->i++;
	if (p->i >= p->n || !(p->s[p->i] >= '0' && p->s[p->i] <= '9'))
		return jp_fail(p, "invalid number");
	if (p->s[p->i] == '0' && p->i + 1 < p->n && p->s[p->i + 1] >= '0' && p->s[p->i + 1] <= '9')
		return jp_fail(p, "leading zero in number");
	while (p->i < p->n && strchr("0123456789+-.eE", p->s[p->i]) && p->s[p->i])
		p->i++;
	char tmp[64];
	size_t len = p->i - st;
	if (len >= sizeof(tmp))
		return jp_fail(p, "number too long");
	memcpy(tmp, p->s + st, len);
	tmp[len] = 0;
	char *end;
	*v = strtod(tmp, &end);
	if (*end)
		return jp_fail(p, "invalid number");
	return 0;
}

static int parse_value(struct jp *p, struct json **out)
{
	struct json *j;
	int rc = 0;

	skip_ws(p);
	if (p->i >= p->n)
		return jp_fail(p, "unexpected end of input");
	j = xcalloc(1, sizeof(*j));
	char c = p->s[p->i];
	if (c == '{' || c == '[') {
		j->type = c == '{' ? JSON_OBJ : JSON_ARR;
		rc = parse_container(p, j);
	} else if (c == '"') {
		j->type = JSON_STR;
		rc = parse_string(p, &j->str, &j->len);
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		j->type = JSON_NUM;
		rc = parse_number(p, &j->num);
	} else if (p->n - p->i >= 4 && !memcmp(p->s + p->i, "true", 4)) {
		j->type = JSON_BOOL;
		j->b = true;
		p->i += 4;
	} else if (p->n - p->i >= 5 && !memcmp(p->s + p->i, "false", 5)) {
		j->type = JSON_BOOL;
		p->i += 5;
	} else if (p->n - p->i >= 4 && !memcmp(p->s + p->i, "null", 4)) {
		j->type = JSON_NULL;
		p->i += 4;
	} else {
		rc = jp_fail(p, "unexpected character");
	}
	if (rc) {
		json_free(j);
		return rc;
	}
	*out = j;
	return 0;
}

int json_parse(const char *text, size_t n, const char *name, struct json **out, struct err *e)
{
	struct jp p = { text, n, 0, name ? name : "<json>", e, 0 };
	struct json *j;
	int rc = parse_value(&p, &j);

	if (rc)
		return rc;
	skip_ws(&p);
	if (p.i != n) {
		json_free(j);
		return jp_fail(&p, "trailing data after JSON value");
	}
	*out = j;
	return 0;
}

void json_free(struct json *j)
{
	if (!j)
		return;
	for (size_t k = 0; k < j->len && j->items; k++) {
		json_free(j->items[k]);
		if (j->keys)
			free(j->keys[k]);
	}
	free(j->items);
	free(j->keys);
	free(j->str);
	free(j);
}

const struct json *json_get(const struct json *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJ)
		return NULL;
	for (size_t k = obj->len; k-- > 0;) /* last duplicate wins */
		if (!strcmp(obj->keys[k], key))
			return obj->items[k];
	return NULL;
}

const char *json_get_str(const struct json *obj, const char *key)
{
	const struct json *v = json_get(obj, key);

	return v && v->type == JSON_STR ? v->str : NULL;
}

int json_get_num(const struct json *obj, const char *key, double *v)
{
	const struct json *j = json_get(obj, key);

	if (!j || j->type != JSON_NUM)
		return -ENOENT;
	*v = j->num;
	return 0;
}

double json_num_or_nan(const struct json *obj, const char *key)
{
	double v;

	return json_get_num(obj, key, &v) ? NAN : v;
}

char *json_dup_str(const struct json *obj, const char *key)
{
	const char *s = json_get_str(obj, key);

	return s ? xstrdup(s) : NULL;
}
