/* What the vmlab host subcommands (src/cli/host_*.c) share: the options
 * that reach a host and opening it. Each file defines one host_NAME_main
 * (cli/subcmd.h). */
#ifndef VMLAB_CLI_HOST_CLI_H
#define VMLAB_CLI_HOST_CLI_H

#include "base/opt.h"
#include "cli/cmd.h"
#include "host/host.h"

#define HOST_CLI "host"

/* The options every subcommand takes, at offset off of its options struct. */
struct host_cli_opts {
	double connect_timeout_s;
	struct opt_list ssh_args;
};

#define HOST_CLI_OPTS(off)                                                                     \
	{ "connect-timeout", 0, OPT_DOUBLE, (off) + offsetof(struct host_cli_opts, connect_timeout_s), \
	  .def = "10", .min = 0.1, .max = 3600, .metavar = "S",                                  \
	  .help = "give up on a host that does not answer within S seconds" },                  \
	{ "ssh-arg", 0, OPT_LIST, (off) + offsetof(struct host_cli_opts, ssh_args), .metavar = "ARG", \
	  .help = "pass ARG to ssh, one word each (-i, then KEY; -oX=Y)" }

/* Opens spec with o into h. On failure prints "vmlab host: MSG" and returns
 * 2 (an unknown kind, a bad spec, no such host, an unreachable one), else 0. */
int host_cli_open(const char *spec, const struct host_cli_opts *o, struct host *h);

int host_check_main(int argc, char **argv);
int host_exec_main(int argc, char **argv);

#endif
