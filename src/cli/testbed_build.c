/* vmlab testbed build [--rebuild]: assemble the dom0 and guest images. */
#include "cli/testbed_cli.h"

#include <stdio.h>

static bool rebuild;

static const struct opt opts[] = OPT_TABLE_FLAG("rebuild", &rebuild, "download and assemble everything anew");

static const struct cli_usage help = {
	"usage: vmlab testbed build [--rebuild]\n"
	"Downloads the Debian 12 packages and assembles the dom0 and guest images.\n\n",
	opts, NULL,
};

int testbed_build_main(int argc, char **argv)
{
	struct tb_paths p;
	struct err e = { 0 };
	int st = tbc_opts_paths("build", &help, NULL, argc, argv, NULL, &p);
	uint64_t t0 = tb_now_ms();

	if (st != CLI_GO)
		return st;
	if (tb_build(&p, rebuild, NULL, &e) < 0)
		return tbc_fail(&e);
	printf("testbed built in %.1f s: %s\n", tbc_secs_since(t0), p.dir);
	return 0;
}
