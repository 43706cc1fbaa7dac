/* vmlab version: the build's version and the features it was built with. */
#include "cli/cmd.h"
#include "version.h"

#include <stdio.h>

static const struct cli_usage help = {
	"usage: vmlab version\n"
	"Prints the version (from git describe) of this vmlab build.\n",
};

static int run(int argc, char **argv)
{
	struct opt_res r;
	int rc = cli_opts("version", &help, NULL, argc, argv, &r);

	if (rc != CLI_GO)
		return rc;
	if (r.npos)
		return cli_usage_error("version", "takes no arguments");
	printf("vmlab %s\n", VMLAB_VERSION);
	return 0;
}

const struct cmd cmd_version = {
	"version", "print vmlab's version",
	"usage: vmlab version\n"
	"Prints the version (from git describe) of this vmlab build.\n",
	run, .help = &help,
};
