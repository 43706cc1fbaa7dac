/* vmlab host exec HOST [--timeout S] -- ARGV...: run ARGV in HOST's dom0. */
#include "cli/host_cli.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct exec_opts {
	struct host_cli_opts h;
	uint64_t timeout_ns;
};

#define F(x) offsetof(struct exec_opts, x)
static const struct opt opts[] = {
	{ "timeout", 0, OPT_DURATION, F(timeout_ns), .def = "0", .min = 0, .max = OPT_NOMAX,
	  .help = "stop ARGV after this long (0: never); exit status 124 then" },
	HOST_CLI_OPTS(F(h)),
	{ 0 },
};
#undef F

static const struct cli_usage help = {
	"usage: vmlab host exec HOST [OPTIONS] -- ARGV...\n"
	"Runs ARGV in HOST's dom0 (local, ssh:USER@HOST[:PORT] or testbed[:NAME]), each\n"
	"word passed as it is. Its output goes to this terminal; its exit status is\n"
	"vmlab's (2 when HOST cannot be reached, 124 after --timeout).\n\n",
	opts,
};

int host_exec_main(int argc, char **argv)
{
	struct exec_opts o = { 0 };
	struct opt_res res;
	struct host h;
	struct err e = { 0 };
	int st = cli_opts_npos("host exec", &help, &o, argc, argv, &res, 2, INT_MAX,
			       "write 'vmlab host exec HOST -- ARGV...'", NULL), rc;
	struct proc_opts po = { 0 };

	if (st != CLI_GO)
		return st;
	po.timeout_ms = o.timeout_ns / 1000000;
	if ((st = host_cli_open(res.pos[0], &o.h, &h))) {
		opt_free(opts, &o);
		return st;
	}
	fflush(stdout);
	res.pos[res.npos] = NULL;   /* argv[argc] was NULL: the slot after the positionals is free */
	rc = host_run(&h, res.pos + 1, &po, &st, &e);
	host_close(&h);
	opt_free(opts, &o);
	if (rc == -ETIMEDOUT) {
		fprintf(stderr, "vmlab %s: %s: timed out\n", HOST_CLI, res.pos[1]);
		return 124;
	}
	if (rc < 0)
		return cli_fail(HOST_CLI, &e);
	return st;
}
