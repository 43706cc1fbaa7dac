/* The ssh argv builder. */
#include "base/sshargv.h"

#include "base/sbuf.h"
#include "base/shquote.h"

#include <stdlib.h>

void argv_add(char ***argv, size_t *n, const char *word)
{
	*argv = xrealloc(*argv, (*n + 2) * sizeof(**argv));
	(*argv)[(*n)++] = xstrdup(word);
	(*argv)[*n] = NULL;
}

void argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

char **argv_prefixed(const char *first, char *const rest[])
{
	char **av = NULL;
	size_t n = 0;

	argv_add(&av, &n, first);
	for (size_t k = 0; rest[k]; k++)
		argv_add(&av, &n, rest[k]);
	return av;
}

char **ssh_argv(char *const opts[], const char *dest, char *const cmd[], const char *sh)
{
	char **av = NULL;
	size_t n = 0;

	argv_add(&av, &n, "ssh");
	for (size_t k = 0; opts && opts[k]; k++)
		argv_add(&av, &n, opts[k]);
	argv_add(&av, &n, dest);
	if (cmd) {
		char *line = shquote_argv(cmd);

		argv_add(&av, &n, "--");
		argv_add(&av, &n, line);
		free(line);
	} else if (sh) {
		argv_add(&av, &n, "--");
		argv_add(&av, &n, sh);
	}
	return av;
}
