/* vmlab: the command table and the dispatcher; nothing else. */
#include "base/sbuf.h"
#include "cli/cmd.h"
#include "cli/subcmd.h"
#include "version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cmd *const commands[] = {
	&cmd_cfg,
	&cmd_cpu,
	&cmd_explain,
	&cmd_host,
	&cmd_image,
	&cmd_jbb,
	&cmd_micro,
	&cmd_migrate,
	&cmd_probe,
	&cmd_qos,
	&cmd_report,
	&cmd_run,
	&cmd_sched,
	&cmd_testbed,
	&cmd_trace,
	&cmd_up,
	&cmd_version,
	&cmd_web,
	&cmd_xentrace,
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct cmd *find(const char *name)
{
	for (size_t k = 0; k < NCOMMANDS; k++)
		if (!strcmp(commands[k]->name, name))
			return commands[k];
	return NULL;
}

static int help(FILE *f)
{
	fprintf(f, "usage: vmlab [--version] [--help] COMMAND [ARGS...]\n\n"
		   "vmlab is a virtual-machine performance lab for Xen.\n\ncommands:\n");
	for (size_t k = 0; k < NCOMMANDS; k++)
		fprintf(f, "  %-10s %s\n", commands[k]->name, commands[k]->summary);
	fprintf(f, "\n'vmlab help COMMAND' shows a command's options; see also vmlab(1).\n");
	return 0;
}

/* Runs command c on argv[0..argc) (argv[0] is its name). -h/--help shows
 * c's usage; in a family only right after the name, since its subcommands
 * answer a later --help themselves. */
static int dispatch(const struct cmd *c, int argc, char **argv)
{
	if (c->subs ? argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		      : cli_wants_help(argc, argv))
		return cli_print_usage(c);
	if (c->subs)
		return subcmd_dispatch(c->name, c->usage, c->subs, argc, argv);
	return c->run(argc, argv);
}

/* `vmlab help CMD [SUB...]`: CMD's usage, or exactly what
 * `vmlab CMD SUB... --help` prints. */
static int help_cmd(int argc, char **argv)
{
	const struct cmd *c;
	char **args;
	int n = 0, r;

	if (argc < 2)
		return help(stdout);
	if (!(c = find(argv[1]))) {
		fprintf(stderr, "vmlab help: unknown command '%s'\n", argv[1]);
		return 2;
	}
	if (argc == 2)
		return cli_print_usage(c);
	args = xcalloc((size_t)argc + 1, sizeof(*args));
	for (int k = 1; k < argc; k++)
		args[n++] = argv[k];
	args[n++] = "--help";
	r = dispatch(c, n, args);
	free(args);
	return r;
}

int main(int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 2)
		return help(stderr), 2;
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return help(stdout);
	if (!strcmp(argv[1], "--version")) {
		printf("vmlab %s\n", VMLAB_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "help"))
		return help_cmd(argc - 1, argv + 1);
	if (!(c = find(argv[1]))) {
		fprintf(stderr, "vmlab: unknown command '%s'; try 'vmlab --help'\n", argv[1]);
		return 2;
	}
	return dispatch(c, argc - 1, argv + 1);
}
