/* The command table's entry type and the helpers every cmd_* file shares.
 * Only cmd_* functions print and choose the exit status: 0 ok, 1 failure of
 * the measured or managed thing, 2 bad usage or input. */
#ifndef VMLAB_CLI_CMD_H
#define VMLAB_CLI_CMD_H

#include <signal.h>
#include <stdio.h>

#include "base/err.h"
#include "base/opt.h"

/* A command's --help text: head (usage line and description), the OPTIONS
 * part rendered from the option table, then tail. */
struct cli_usage {
	const char *head;
	const struct opt *opts;   /* NULL: none */
	const char *tail;         /* NULL: none */
};

struct subcmd;

struct cmd {
	const char *name;      /* "cfg" */
	const char *summary;   /* one line for `vmlab --help` */
	const char *usage;     /* full text for `vmlab help NAME` and `vmlab NAME --help` */
	int (*run)(int argc, char **argv);  /* argv[0] is the command name */
	const struct subcmd *subs;  /* a family: its subcommands (cli/subcmd.h), run is NULL;
	                          only `vmlab NAME --help` shows usage here, a later
	                          --help goes to the subcommand */
	const struct cli_usage *help;  /* when set, the --help text instead of usage */
};

/* Every command, defined in its own src/cli/cmd_NAME.c. */
extern const struct cmd cmd_cfg;
extern const struct cmd cmd_cpu;
extern const struct cmd cmd_explain;
extern const struct cmd cmd_host;
extern const struct cmd cmd_image;
extern const struct cmd cmd_jbb;
extern const struct cmd cmd_micro;
extern const struct cmd cmd_migrate;
extern const struct cmd cmd_probe;
extern const struct cmd cmd_qos;
extern const struct cmd cmd_report;
extern const struct cmd cmd_run;
extern const struct cmd cmd_sched;
extern const struct cmd cmd_testbed;
extern const struct cmd cmd_trace;
extern const struct cmd cmd_up;
extern const struct cmd cmd_version;
extern const struct cmd cmd_web;
extern const struct cmd cmd_xentrace;

/* Prints "vmlab NAME: MSG" for e to stderr and returns the exit status for
 * e->code (see err_exit_status). */
int cli_fail(const char *name, const struct err *e);

/* Prints "vmlab NAME: FMT..." and the hint "try 'vmlab help NAME'"; returns 2. */
int cli_usage_error(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True when argv holds -h or --help before any "--". */
int cli_wants_help(int argc, char **argv);

/* Prints c's help (c->help, else c->usage) to stdout; returns 0. */
int cli_print_usage(const struct cmd *c);

/* u's help text; the caller frees it. */
char *cli_usage_str(const struct cli_usage *u);

/* Writes u's help text to f. */
void cli_usage_write(const struct cli_usage *u, FILE *f);

/* Set by SIGINT or SIGTERM once cli_stop_on_signals ran: a server command
 * passes it as its stop flag. */
extern volatile sig_atomic_t cli_stop;

/* SIGINT and SIGTERM set cli_stop; SIGPIPE is ignored. */
void cli_stop_on_signals(void);

/* A server's ready callback: prints "WHAT listening on BOUND" (what is the
 * const char * in arg) and flushes stdout. */
void cli_print_listening(void *arg, const char *bound);

/* A server's -l/--listen ADDR:PORT option stored at offset off, default def_. */
#define CLI_OPT_LISTEN(off, def_)                                                        \
	{ "listen", 'l', OPT_STRING, off, .def = def_, .metavar = "ADDR:PORT",             \
	  .help = "where to listen (port 0: any free port)" }

/* What cli_opts returns when the command goes on. */
#define CLI_GO (-1)

/* Parses argv (argv[0] is the command's name) against u->opts into dst
 * (opt_parse). Returns CLI_GO, or the exit status the command returns now:
 * 0 after printing u's help for -h/--help, 2 after a usage error
 * "vmlab NAME: --connections 0: must be between 1 and 100000". */
int cli_opts(const char *name, const struct cli_usage *u, void *dst, int argc, char **argv,
	     struct opt_res *r);

/* cli_opts, then a check that between min and max positionals remain.
 * Fewer prints "vmlab NAME: FEW", more "vmlab NAME: MANY" (MANY NULL:
 * "unexpected argument 'ARG'", ARG the first one too many); both return 2.
 * r may be NULL when the caller needs no positionals. */
int cli_opts_npos(const char *name, const struct cli_usage *u, void *dst, int argc, char **argv,
		  struct opt_res *r, int min, int max, const char *few, const char *many);

/* cli_opts with opt_parse_prefix: options end at the first positional. */
int cli_opts_prefix(const char *name, const struct cli_usage *u, void *dst, int argc, char **argv,
		    struct opt_res *r);

#endif
