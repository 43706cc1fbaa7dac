/* The command table's entry type and the helpers every cmd_* file shares.
 * Only cmd_* functions print and choose the exit status: 0 ok, 1 failure of
 * the measured or managed thing, 2 bad usage or input. */
#ifndef VMLAB_CLI_CMD_H
#define VMLAB_CLI_CMD_H

#include "base/err.h"

struct cmd {
	const char *name;      /* "cfg" */
	const char *summary;   /* one line for `vmlab --help` */
	const char *usage;     /* full text for `vmlab help NAME` and `vmlab NAME --help` */
	int (*run)(int argc, char **argv);  /* argv[0] is the command name */
	int family;            /* has subcommands: only `vmlab NAME --help` shows usage here;
	                          later --help goes to the subcommand (cli/subcmd.h) */
};

/* Every command, defined in its own src/cli/cmd_NAME.c. */
extern const struct cmd cmd_cfg;
extern const struct cmd cmd_cpu;
extern const struct cmd cmd_image;
extern const struct cmd cmd_micro;
extern const struct cmd cmd_report;
extern const struct cmd cmd_run;
extern const struct cmd cmd_testbed;
extern const struct cmd cmd_up;
extern const struct cmd cmd_version;
extern const struct cmd cmd_web;

/* Prints "vmlab NAME: MSG" for e to stderr and returns the exit status for
 * e->code (see err_exit_status). */
int cli_fail(const char *name, const struct err *e);

/* Prints "vmlab NAME: FMT..." and the hint "try 'vmlab help NAME'"; returns 2. */
int cli_usage_error(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True when argv holds -h or --help before any "--". */
int cli_wants_help(int argc, char **argv);

/* Prints c->usage to stdout; returns 0. */
int cli_print_usage(const struct cmd *c);

#endif
