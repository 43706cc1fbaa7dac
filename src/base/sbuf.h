/* Growable byte buffer, always NUL-terminated. */
#ifndef VMLAB_BASE_SBUF_H
#define VMLAB_BASE_SBUF_H

#include <stdarg.h>
#include <stddef.h>

struct sbuf {
	char *buf;   /* NULL until the first append; owned */
	size_t len;
	size_t cap;
};

#define SBUF_INIT { NULL, 0, 0 }

/* Append; abort()s on out of memory (vmlab treats OOM as fatal). */
void sbuf_add(struct sbuf *s, const void *p, size_t n);
void sbuf_puts(struct sbuf *s, const char *str);
void sbuf_putc(struct sbuf *s, char c);
void sbuf_printf(struct sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_vprintf(struct sbuf *s, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* The contents ("" when empty); valid until the next append or free. */
const char *sbuf_str(const struct sbuf *s);
/* Hand the buffer to the caller (must free()); s becomes empty. */
char *sbuf_take(struct sbuf *s);
void sbuf_reset(struct sbuf *s);
void sbuf_free(struct sbuf *s);

/* malloc/strdup that abort on out of memory. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
/* Drops the newlines at the end of b. */
void sbuf_chomp(struct sbuf *b);

void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
