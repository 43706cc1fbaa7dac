/* Growable byte buffer and allocation helpers. */
#include "base/sbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (!p)
		abort();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

static void grow(struct sbuf *s, size_t extra)
{
	size_t need = s->len + extra + 1;

	if (need <= s->cap)
		return;
	size_t cap = s->cap ? s->cap : 64;
	while (cap < need)
		cap *= 2;
	s->buf = xrealloc(s->buf, cap);
	s->cap = cap;
}

void sbuf_add(struct sbuf *s, const void *p, size_t n)
{
	grow(s, n);
	if (n)
		memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = 0;
}

void sbuf_puts(struct sbuf *s, const char *str)
{
	sbuf_add(s, str, strlen(str));
}

void sbuf_putc(struct sbuf *s, char c)
{
	sbuf_add(s, &c, 1);
}

void sbuf_vprintf(struct sbuf *s, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	grow(s, (size_t)n);
	vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap);
	s->len += (size_t)n;
}

void sbuf_printf(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbuf_vprintf(s, fmt, ap);
	va_end(ap);
}

const char *sbuf_str(const struct sbuf *s)
{
	return s->buf ? s->buf : "";
}

char *sbuf_take(struct sbuf *s)
{
	char *p = s->buf ? s->buf : xstrdup("");

	s->buf = NULL;
	s->len = s->cap = 0;
	return p;
}

void sbuf_reset(struct sbuf *s)
{
	s->len = 0;
	if (s->buf)
		s->buf[0] = 0;
}

void sbuf_free(struct sbuf *s)
{
	free(s->buf);
	s->buf = NULL;
	s->len = s->cap = 0;
}

void sbuf_chomp(struct sbuf *b)
{
	while (b->len && b->buf[b->len - 1] == '\n')
		b->buf[--b->len] = 0;
}
