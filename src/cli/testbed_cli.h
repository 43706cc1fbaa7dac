/* What the vmlab testbed subcommands (src/cli/testbed_*.c) share: argument
 * checks, the running testbed, messages. Each subcommand file defines one
 * testbed_NAME_main (cli/subcmd.h). */
#ifndef VMLAB_CLI_TESTBED_CLI_H
#define VMLAB_CLI_TESTBED_CLI_H

#include "cli/cmd.h"
#include "testbed/boot.h"
#include "testbed/testbed.h"

#define TB_CLI "testbed"

/* Parses s as a whole number in lo..hi into *out; on error prints a usage
 * error naming opt and returns 2, else 0. */
int tbc_uint(const char *opt, const char *s, long lo, long hi, long *out);

/* For a subcommand sub that takes options only: parses them from u's table
 * into dst (cli_opts), refuses any other argument, then fills p for the
 * testbed *name names after parsing (name NULL or *name NULL: the default
 * one). Returns CLI_GO to go on, else the exit status to return now. */
int tbc_opts_paths(const char *sub, const struct cli_usage *u, void *dst, int argc, char **argv,
		   const char *const *name, struct tb_paths *p);

/* Fills p for the default testbed; prints the error and returns its exit
 * status when it fails. */
int tbc_paths(struct tb_paths *p);

/* Same for testbed name (NULL: the default one); a bad name is a usage
 * error (2). */
int tbc_paths_named(struct tb_paths *p, const char *name);

/* 0 when name is a testbed name, else prints a usage error naming what
 * (e.g. "ssh --name") and returns 2. */
int tbc_check_name(const char *what, const char *name);

/* An OPT_CUSTOM parser of a testbed name (const char * at dst), and the
 * --name option of the subcommands that pick a testbed, stored at off. */
int tbc_parse_name(const char *arg, void *dst, struct err *e);
#define TBC_OPT_NAME(off)                                                                          \
	{ "name", 0, OPT_CUSTOM, off, .parse = tbc_parse_name, .metavar = "NAME",                    \
	  .help = "the testbed (default " TB_DEFAULT_NAME ")" }

/* Loads the running testbed into s: 0 when one is up, else prints why and
 * returns the exit status (1 when none is up). */
int tbc_need_up(const struct tb_paths *p, struct tb_state *s);

/* Prints "vmlab testbed: MSG" for a failed library call (nothing when e has
 * no message: the failing program spoke already) and returns 1. */
int tbc_fail(const struct err *e);

/* Seconds since t0_ms (a tb_now_ms() reading), for "done in %.1f s". */
double tbc_secs_since(uint64_t t0_ms);

/* The index after the first "--" in argv[from..), or -1. */
int tbc_after_dashes(int argc, char **argv, int from);

/* Parses "[--timeout S] [NAME_OPT NAME] -- CMD..." in argv[from..) (what
 * names the subcommand in messages, hint follows an unknown argument's
 * message; name_opt is "--name" or "--testbed"): *timeout_s (1..86400)
 * when given, *name the testbed's name when given (checked), *cmd the
 * index of CMD's first word, or -1 when there is no command. Returns 0 or
 * the exit status of a usage error. */
int tbc_timeout_cmd(const char *what, const char *hint, int argc, char **argv, int from, long *timeout_s,
		    const char *name_opt, const char **name, int *cmd);

/* Runs cmd in dom0 (ip NULL) or a guest with this terminal's output;
 * returns its exit status (124 when it timed out). */
int tbc_exec_in(const struct tb_paths *p, const struct tb_state *s, const char *ip, char *const cmd[],
		long timeout_s);

/* Progress lines of the library, printed as "vmlab testbed: MSG". */
extern const struct tb_progress tbc_progress;

#endif
