/* vmlab testbed build [--rebuild]: assemble the dom0 and guest images. */
#include "cli/testbed_cli.h"

#include <stdio.h>
#include <string.h>

int testbed_build_main(int argc, char **argv)
{
	struct tb_paths p;
	struct err e = { 0 };
	int rebuild = 0, st;
	uint64_t t0 = tb_now_ms();

	for (int k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "--rebuild"))
			rebuild = 1;
		else
			return cli_usage_error(TB_CLI, "build: unknown argument '%s'", argv[k]);
	}
	if ((st = tbc_paths(&p)))
		return st;
	if (tb_build(&p, rebuild, NULL, &e) < 0)
		return tbc_fail(&e);
	printf("testbed built in %.1f s: %s\n", (double)(tb_now_ms() - t0) / 1000.0, p.dir);
	return 0;
}
