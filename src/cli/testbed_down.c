/* vmlab testbed down [--timeout S]: shut down cleanly, kill after the timeout. */
#include "cli/testbed_cli.h"

#include <stdio.h>

static long long timeout_s;

static const struct opt opts[] = {
	{ "timeout", 0, OPT_LONG, .ptr = &timeout_s, .def = "60", .min = 0, .max = 86400, .metavar = "S",
	  .help = "seconds for a clean shutdown before QEMU is killed (0: kill now)" },
	{ 0 },
};

static const struct cli_usage help = {
	"usage: vmlab testbed down [--timeout S]\n"
	"Shuts the testbed down cleanly, kills QEMU after the timeout.\n\n",
	opts, NULL,
};

int testbed_down_main(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s;
	struct err e = { 0 };
	int st = tbc_opts_paths("down", &help, NULL, argc, argv, &p), how;
	uint64_t t0 = tb_now_ms();

	if (st != CLI_GO)
		return st;
	if (tb_down(&p, (long)timeout_s, &s, &how, &e) < 0)
		return cli_fail(TB_CLI, &e);
	if (how == 0)
		printf("testbed is not up\n");
	else if (how == 2)
		printf("testbed down: QEMU (pid %ld) killed after %ld s without a clean shutdown\n", (long)s.pid,
		       (long)timeout_s);
	else
		printf("testbed down: clean shutdown in %.1f s\n", tbc_secs_since(t0));
	return 0;
}
