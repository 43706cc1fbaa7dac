/* vmlab host: what a Xen host (local dom0, dom0 over ssh, the testbed)
 * offers, and commands there. Argument handling only: hosts are src/host. */
#include "cli/host_cli.h"
#include "cli/subcmd.h"

#include <stdint.h>

static const char usage[] =
	"usage: vmlab host SUBCOMMAND [ARGS...]\n"
	"A Xen host is a dom0 vmlab drives: local (vmlab runs in dom0), ssh:USER@HOST[:PORT]\n"
	"(OpenSSH, one connection shared per host) or testbed[:NAME] (vmlab's testbed).\n\n"
	"  check [HOST] [--json]              what the host offers and what each handout task needs\n"
	"  exec HOST [--timeout S] -- ARGV... run ARGV there; output and exit status passed through\n\n"
	"Both take --connect-timeout S and --ssh-arg ARG. See vmlab-host(1).\n";

static const struct subcmd subs[] = {
	{ "check", host_check_main, 1 },
	{ "exec", host_exec_main, 1 },
	{ 0 },
};

int host_cli_open(const char *spec, const struct host_cli_opts *o, struct host *h)
{
	struct host_conf c = { .connect_timeout_ms = (uint64_t)(o->connect_timeout_s * 1000),
			       .ssh_options = o->ssh_args.n ? (char *const *)o->ssh_args.v : NULL };
	struct err e = { 0 };

	if (host_open(h, spec, &c, &e) == 0)
		return 0;
	fprintf(stderr, "vmlab %s: %s\n", HOST_CLI, e.msg);
	return 2;
}

const struct cmd cmd_host = { "host", "what a Xen host offers; commands in its dom0", usage, NULL, subs };
