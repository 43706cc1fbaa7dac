/* Walking a text (not necessarily NUL-terminated) line by line. */
#ifndef VMLAB_BASE_TEXT_H
#define VMLAB_BASE_TEXT_H

#include <stddef.h>

/* The line of text[0..len) that starts at *pos: *line and its length *n
 * without the '\n'; *pos moves past the '\n' (or to len for a last line
 * without one). Returns 1, or 0 when *pos >= len. */
int text_next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *n);

/* The last non-empty line of text[0..len) (trailing newlines, carriage
 * returns and spaces dropped: a program's reason comes after its warnings),
 * cut to fit buf[0..n); returns buf. */
const char *text_last_line(const char *text, size_t len, char *buf, size_t n);

#endif
