/* vmlab testbed down [--timeout S]: shut down cleanly, kill after the timeout. */
#include "cli/testbed_cli.h"

#include <stdio.h>
#include <string.h>

int testbed_down_main(int argc, char **argv)
{
	struct tb_paths p;
	struct tb_state s;
	struct err e = { 0 };
	long timeout_s = 60;
	int st, how;
	uint64_t t0 = tb_now_ms();

	for (int k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "--timeout") && k + 1 < argc) {
			if ((st = tbc_uint("--timeout", argv[++k], 0, 86400, &timeout_s)))
				return st;
		} else
			return cli_usage_error(TB_CLI, "down: unknown argument '%s'", argv[k]);
	}
	if ((st = tbc_paths(&p)))
		return st;
	if (tb_down(&p, timeout_s, &s, &how, &e) < 0)
		return cli_fail(TB_CLI, &e);
	if (how == 0)
		printf("testbed is not up\n");
	else if (how == 2)
		printf("testbed down: QEMU (pid %ld) killed after %ld s without a clean shutdown\n", (long)s.pid,
		       timeout_s);
	else
		printf("testbed down: clean shutdown in %.1f s\n", (double)(tb_now_ms() - t0) / 1000.0);
	return 0;
}
