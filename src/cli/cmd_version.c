/* vmlab version: the build's version and the features it was built with. */
#include "cli/cmd.h"
#include "version.h"

#include <stdio.h>

static int run(int argc, char **argv)
{
	if (argc > 1)
		return cli_usage_error("version", "takes no arguments");
	printf("vmlab %s\n", VMLAB_VERSION);
	return 0;
}

const struct cmd cmd_version = {
	"version", "print vmlab's version",
	"usage: vmlab version\n"
	"Prints the version (from git describe) of this vmlab build.\n",
	run,
};
