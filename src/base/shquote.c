/* POSIX shell quoting. */
#include "base/shquote.h"
#include "base/sbuf.h"

#include <stdlib.h>
#include <string.h>

char *shquote(const char *s)
{
	static const char safe[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:@%+,-";
	struct sbuf b = SBUF_INIT;

	if (*s && strspn(s, safe) == strlen(s))
		return xstrdup(s);
	sbuf_putc(&b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sbuf_puts(&b, "'\\''");
		else
			sbuf_putc(&b, *s);
	}
	sbuf_putc(&b, '\'');
	return sbuf_take(&b);
}

char *shquote_argv(char *const argv[])
{
	struct sbuf b = SBUF_INIT;

	for (int k = 0; argv[k]; k++) {
		char *q = shquote(argv[k]);
		if (k)
			sbuf_putc(&b, ' ');
		sbuf_puts(&b, q);
		free(q);
	}
	return sbuf_take(&b);
}
