/* The word splitter for command strings. */
#include "base/words.h"
#include "base/sbuf.h"
#include "base/sshargv.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Reads one word of s starting at *i (not blank) into w; *i moves past it.
 * Returns 0, or -EINVAL (e) for an unterminated quote or trailing backslash. */
static int one_word(const char *s, size_t *i, struct sbuf *w, struct err *e)
{
	size_t k = *i;

	while (s[k] && !blank(s[k])) {
		size_t open = k;
		if (s[k] == '\'') {
			const char *end = strchr(s + k + 1, '\'');
			if (!end)
				return err_set(e, -EINVAL, "col %zu: unterminated ' quote", open + 1);
			sbuf_add(w, s + k + 1, (size_t)(end - s - k - 1));
			k = (size_t)(end - s) + 1;
		} else if (s[k] == '"') {
			for (k++; s[k] && s[k] != '"'; k++) {
				if (s[k] == '\\' && s[k + 1] && strchr("\"\\$`", s[k + 1]))
					k++;
				sbuf_putc(w, s[k]);
			}
			if (!s[k])
				return err_set(e, -EINVAL, "col %zu: unterminated \" quote", open + 1);
			k++;
		} else if (s[k] == '\\') {
			if (!s[k + 1])
				return err_set(e, -EINVAL, "col %zu: backslash at the end", open + 1);
			if (s[k + 1] != '\n')
				sbuf_putc(w, s[k + 1]);
			k += 2;
		} else {
			sbuf_putc(w, s[k++]);
		}
	}
	*i = k;
	return 0;
}

int words_split(const char *s, char ***argv, int *n, struct err *e)
{
	char **v = NULL;
	size_t nv = 0, i = 0;
	int rc = 0;

	while (!rc) {
		struct sbuf w = SBUF_INIT;
		while (blank(s[i]))
			i++;
		if (!s[i])
			break;
		rc = one_word(s, &i, &w, e);
		if (!rc)
			argv_add(&v, &nv, sbuf_str(&w));
		sbuf_free(&w);
	}
	if (rc) {
		argv_free(v);
		*argv = NULL;
		*n = 0;
		return rc;
	}
	if (!v)
		v = xcalloc(1, sizeof(*v));
	*argv = v;
	*n = (int)nv;
	return 0;
}
