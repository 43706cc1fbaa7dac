/* Walking a text line by line. */
#include "base/text.h"

#include <stdio.h>
#include <string.h>

#include <string.h>

int text_next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *n)
{
	const char *nl;

	if (*pos >= len)
		return 0;
	*line = text + *pos;
	nl = memchr(*line, '\n', len - *pos);
	*n = nl ? (size_t)(nl - *line) : len - *pos;
	*pos += *n + (nl ? 1 : 0);
	return 1;
}

const char *text_last_line(const char *text, size_t len, char *buf, size_t n)
{
	const char *p;

	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
		len--;
	p = memrchr(text, '\n', len);
	p = p ? p + 1 : text;
	snprintf(buf, n, "%.*s", (int)(text + len - p), p);
	return buf;
}
