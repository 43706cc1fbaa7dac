/* The one function that quotes text for a POSIX shell (ssh's remote command
 * line, generated scripts). Everything that reaches a remote shell goes
 * through it. */
#ifndef VMLAB_BASE_SHQUOTE_H
#define VMLAB_BASE_SHQUOTE_H

/* Returns a newly allocated word that a POSIX sh reads back as exactly s:
 * s itself when it holds only [A-Za-z0-9_./:@%+,-] and is non-empty,
 * else s in single quotes with each ' written as '\''. Caller frees. */
char *shquote(const char *s);

/* Quotes each element and joins them with spaces: a command line a remote
 * shell splits back into argv. Caller frees. */
char *shquote_argv(char *const argv[]);

#endif
