/* Command families whose subcommands live in several files (cfg, web): each
 * subcommand file defines one `int NAME_main(int argc, char **argv)` where
 * argv[0] is the subcommand name, and the family's cmd_*.c dispatches
 * through a table of them. */
#ifndef VMLAB_CLI_SUBCMD_H
#define VMLAB_CLI_SUBCMD_H

struct subcmd {
	const char *name;
	int (*run)(int argc, char **argv);
	int own_help;          /* run handles -h/--help itself; else usage is shown */
	const char *usage;     /* the subcommand's usage text; NULL: the family's */
};

/* Runs the subcommand argv[1] of family (argv[0] is the family name).
 * Prints the family usage for no subcommand (exit 2), an unknown one (2).
 * -h/--help after a subcommand without own_help prints its usage (or the
 * family's when it has none) and returns 0. */
int subcmd_dispatch(const char *family, const char *usage, const struct subcmd *tab, int argc,
		    char **argv);

#endif
