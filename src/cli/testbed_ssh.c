/* vmlab testbed ssh [--name N] [-- CMD...]: a shell (or CMD) in dom0 on this terminal. */
#include "cli/testbed_cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int testbed_ssh_main(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s;
	char **av;
	const char *name = NULL;
	int st, cmd = tbc_after_dashes(argc, argv, 1), first = 1;

	if (argc > 2 && !strcmp(argv[1], "--name")) {
		if ((st = tbc_check_name("ssh --name", argv[2])))
			return st;
		name = argv[2];
		first = 3;
	}
	if (argc > first && cmd != first + 1)
		return cli_usage_error(TB_CLI, "ssh: unknown argument '%s'", argv[first]);
	if ((st = tbc_paths_named(&p, name)) || (st = tbc_need_up(&p, &s)))
		return st;
	av = tb_ssh_argv(&p, &s, NULL, isatty(0), cmd > 0 && cmd < argc ? argv + cmd : NULL);
	fflush(stdout);
	execvp(av[0], av);
	fprintf(stderr, "vmlab %s: ssh: %s\n", TB_CLI, strerror(errno));
	argv_free(av);
	return 1;
}
