/* The xl.cfg engine: lexer, parser and byte-preserving writer for the syntax
 * Xen's libxlutil reads (domain configs, cpupool configs, vmlab experiment
 * files). It accepts exactly what libxlutil accepts and rejects what it
 * rejects; values are what libxlutil's getters return. */
#ifndef VMLAB_XEN_XLCFG_H
#define VMLAB_XEN_XLCFG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/sbuf.h"

enum xlcfg_kind { XLCFG_STRING, XLCFG_NUMBER, XLCFG_LIST };

/* A value as the getters see it. STRING holds the dequoted text; NUMBER the
 * token's text (converted only on request, strtol base 0, as libxlutil does);
 * LIST its items, which may be lists themselves. */
struct xlcfg_value {
	enum xlcfg_kind kind;
	char *str;                    /* STRING, NUMBER: NUL-terminated */
	size_t nitems;                /* LIST */
	struct xlcfg_value **items;   /* LIST */
	int line, col;                /* 1-based start of the value in the file */
};

struct xlcfg;                     /* a parsed file: every byte of it is kept */

/* Parses text[0..len). name labels messages ("FILE:LINE:COL: ..."). On
 * failure returns -EINVAL (syntax: the message names the token, as
 * libxlutil's "config parsing error near `TOKEN'") and *out is untouched. */
int xlcfg_parse(const char *name, const char *text, size_t len, struct xlcfg **out, struct err *e);
/* Reads and parses path. */
int xlcfg_load(const char *path, struct xlcfg **out, struct err *e);
void xlcfg_free(struct xlcfg *c);
/* The name given to parse/load. */
const char *xlcfg_name(const struct xlcfg *c);

/* Keys holding a final value, in order of first appearance; valid until the
 * next edit. */
size_t xlcfg_nkeys(const struct xlcfg *c);
const char *xlcfg_key(const struct xlcfg *c, size_t i);

/* The final value of key after "+=" and "last assignment wins"; NULL when
 * absent. Owned by c, valid until the next edit. */
const struct xlcfg_value *xlcfg_get(const struct xlcfg *c, const char *key);
/* Where key's final value was set (line of its last assignment), 0 if absent. */
int xlcfg_line(const struct xlcfg *c, const char *key);

/* Getters with libxlutil's coercions: a NUMBER reads as a string, a STRING
 * of digits reads as a number; a LIST asked for a single value is -EINVAL;
 * a "+=" setting read as a number is -EINVAL; absent keys are -ENOENT
 * (e untouched for -ENOENT). Errors name FILE:LINE:COL. */
int xlcfg_get_string(const struct xlcfg *c, const char *key, const char **out, struct err *e);
int xlcfg_get_long(const struct xlcfg *c, const char *key, long *out, struct err *e);
/* A LIST value (-EINVAL when key holds a single value). *out is owned by c. */
int xlcfg_get_list(const struct xlcfg *c, const char *key, const struct xlcfg_value **out,
		   struct err *e);

/* Edits. Each keeps every byte outside the lines it touches.
 * set: value_src is a value in xl.cfg syntax ("512", "'x'", "[ 'a', 'b' ]");
 * the key's last assignment gets the new value in place (earlier ones and
 * "+=" chains of the key are removed), or a new line "key = value" is added at
 * the end. del: removes every assignment of key (whole lines when the
 * assignment is alone on its line). */
int xlcfg_set(struct xlcfg *c, const char *key, const char *value_src, struct err *e);
int xlcfg_set_string(struct xlcfg *c, const char *key, const char *s, struct err *e);
int xlcfg_set_long(struct xlcfg *c, const char *key, long v, struct err *e);
int xlcfg_set_list(struct xlcfg *c, const char *key, const char *const *items, size_t n,
		   struct err *e);
int xlcfg_del(struct xlcfg *c, const char *key, struct err *e);

/* Appends the file's bytes (as edited) to out: an unedited file is
 * reproduced byte for byte. */
void xlcfg_write(const struct xlcfg *c, struct sbuf *out);
/* Writes c to path atomically (nothing written on error). */
int xlcfg_save(const struct xlcfg *c, const char *path, struct err *e);

/* True when v is a NUMBER token that libxlutil's getters read as a number
 * (strtol base 0 takes all of it, no overflow); *out gets the number. A
 * NUMBER like `08' or `1e5' reads only as a string. */
bool xlcfg_number_value(const struct xlcfg_value *v, long *out);

/* Checks that value_src is exactly one value in xl.cfg syntax; -EINVAL with
 * "value:LINE:COL: ..." naming the token otherwise. */
int xlcfg_check_value(const char *value_src, struct err *e);

/* Appends c in canonical layout: one "key = value" per line (statements
 * and "+=" kept in order), lists as [ 'a', 'b' ], comments kept (a list
 * holding comments is written one item per line), runs of blank lines
 * folded to one. The result parses to the same values. */
int xlcfg_format(const struct xlcfg *c, struct sbuf *out);

/* Appends v as JSON: a list as an array, a NUMBER that reads as a number
 * (xlcfg_number_value) as a JSON number, anything else as a JSON string. */
void xlcfg_value_json(const struct xlcfg_value *v, struct sbuf *out);
/* Appends v in xl.cfg syntax: strings quoted (xlcfg_quote), numbers as
 * written, lists as [ 'a', 'b' ]. */
void xlcfg_value_src(const struct xlcfg_value *v, struct sbuf *out);

/* A string literal libxlutil reads back as exactly s ("'...'" or "\"...\"",
 * escaping only with \\ \' \" \n \t etc., never numeric escapes). -EINVAL
 * for bytes it cannot carry (NUL). Caller frees *out. */
int xlcfg_quote(const char *s, char **out);
/* True when key is a valid IDENT ([a-z][._0-9a-z]*). */
bool xlcfg_valid_key(const char *key);

#endif
