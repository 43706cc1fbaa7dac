/* JSON: a writer that appends to an sbuf, and a small DOM reader (RFC 8259)
 * for `xl list -l` output and the JSON Lines results store. */
#ifndef VMLAB_BASE_JSON_H
#define VMLAB_BASE_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/sbuf.h"

/* ---- writer ---- */

/* Appends s as a JSON string literal (with quotes); bytes < 0x20 and invalid
 * UTF-8 are escaped as \u00XX so the output is always valid JSON. */
void json_put_str(struct sbuf *out, const char *s);
void json_put_strn(struct sbuf *out, const char *s, size_t n);
/* Appends a number; NaN and infinities become null. */
void json_put_num(struct sbuf *out, double v);
struct json;
/* Appends the parsed value j as JSON text (no white space; numbers as
 * json_put_num writes them), so that parsing it again gives the same tree. */
void json_put_value(struct sbuf *out, const struct json *j);

/* ---- reader ---- */

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

struct json {
	enum json_type type;
	bool b;
	double num;
	char *str;              /* JSON_STR: decoded, NUL-terminated (may hold NULs: use len) */
	size_t len;             /* JSON_STR: byte length; JSON_ARR/OBJ: number of items */
	struct json **items;    /* JSON_ARR/OBJ: children */
	char **keys;            /* JSON_OBJ: key of each child */
};

/* Parses text[0..n). On success *out owns a tree (json_free it) and 0 is
 * returned. On failure returns -EBADMSG and fills e with "NAME:LINE:COL: ..."
 * (name labels the input in messages). Nesting deeper than 512 is rejected. */
int json_parse(const char *text, size_t n, const char *name, struct json **out, struct err *e);
void json_free(struct json *j);

/* Lookups; NULL when absent or of another type. */
const struct json *json_get(const struct json *obj, const char *key);
const char *json_get_str(const struct json *obj, const char *key);
/* Returns 0 and sets *v when key holds a number; -ENOENT otherwise. */
int json_get_num(const struct json *obj, const char *key, double *v);
/* The number at key; NaN when absent or of another type. */
double json_num_or_nan(const struct json *obj, const char *key);
/* A copy of the string at key (the caller frees it); NULL when absent or of another type. */
char *json_dup_str(const struct json *obj, const char *key);

#endif
