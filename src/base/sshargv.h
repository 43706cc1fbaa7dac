/* ssh command lines as argv arrays: the one builder for every ssh vmlab starts
 * (environments, the testbed, remote load generators). */
#ifndef VMLAB_BASE_SSHARGV_H
#define VMLAB_BASE_SSHARGV_H

#include <stddef.h>

/* Returns a NULL-terminated argv, every word a copy (free with argv_free):
 * "ssh", the words of opts (NULL-terminated, may be NULL) as given, dest
 * ("[USER@]HOST"), then the remote command: when cmd is non-NULL, "--" and
 * cmd's words joined for the remote shell by shquote_argv; else when sh is
 * non-NULL, "--" and sh as it is (the caller quoted what it inserted); else
 * nothing (a login shell, or a control request in opts). */
char **ssh_argv(char *const opts[], const char *dest, char *const cmd[], const char *sh);

/* Appends a copy of word to the NULL-terminated, heap-allocated *argv
 * (NULL: a new one); *n is its length. */
void argv_add(char ***argv, size_t *n, const char *word);

/* A new argv (free with argv_free): a copy of first, then copies of the
 * words of rest (NULL-terminated). */
char **argv_prefixed(const char *first, char *const rest[]);

/* Frees an argv made by ssh_argv or argv_add (each word, then the array). */
void argv_free(char **argv);

#endif
