/* Splitting a command written as one string ("java -jar kit.jar -p x") into
 * an argv the way a POSIX shell splits words, without running a shell: blanks
 * separate words; '...' keeps everything literally; "..." keeps everything
 * but lets \" \\ \$ \` stand for the character; a backslash outside quotes
 * quotes the next character. Nothing is expanded: $, `, *, ~, ;, |, & and
 * redirections are ordinary characters, so what the user wrote is exactly
 * what the program receives. */
#ifndef VMLAB_BASE_WORDS_H
#define VMLAB_BASE_WORDS_H

#include "base/err.h"

/* Splits s into a new NULL-terminated argv (free with argv_free from
 * base/sshargv.h) with *n words. An unterminated quote or a trailing
 * backslash is -EINVAL with e "col C: what" (C the 1-based column of the
 * opening quote or of the backslash) and *argv NULL; an empty or blank s
 * gives zero words. */
int words_split(const char *s, char ***argv, int *n, struct err *e);

#endif
