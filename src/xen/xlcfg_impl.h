/* What the modules of the xl.cfg engine share (xlcfg.c: values, parser,
 * key index and getters; xlcfg_lex.c: tokens; xlcfg_edit.c: splicing edits;
 * xlcfg_write.c: output and canonical layout). Not for use outside them. */
#ifndef VMLAB_XEN_XLCFG_IMPL_H
#define VMLAB_XEN_XLCFG_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/sbuf.h"
#include "xen/xlcfg.h"

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

/* Renders bytes for a message: printable ASCII as is, others as \r, \xHH. */
void xlcfg_show_bytes(struct sbuf *o, const char *p, size_t n);
/* The characters libxlutil's lexer takes to start and to continue an IDENT. */
bool xlcfg_is_ident_start(int ch);
bool xlcfg_is_ident_char(int ch);

/* Splits text into tokens (the last one T_EOF); *out is malloc'd. Returns 0
 * or -EINVAL with e naming name:LINE:COL as libxlutil's lexer does. */
int xlcfg_lex(const char *name, const char *text, size_t len, struct tok **out, size_t *nout,
	      struct err *e);
/* Decodes the quoted string token k of text as libxlutil's dequote does into
 * *out (malloc'd). Returns 0 or -EINVAL (e names the backslash). */
int xlcfg_dequote(const char *name, const char *text, const struct tok *k, char **out,
		  struct err *e);

/* Parses text (taking ownership) into the fields of c, which must be clear;
 * on failure c is clear again. Returns 0 or a negative errno (e filled). */
int xlcfg_fill(struct xlcfg *c, char *text, size_t len, struct err *e);
/* Frees what c's fields own and clears them (the name stays). */
void xlcfg_clear(struct xlcfg *c);

#endif
