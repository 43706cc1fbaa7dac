/* vmlab cfg del FILE KEY...: delete keys, keeping every other byte. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/subcmd.h"
#include "xen/xlcfg.h"

static const struct cli_usage help = {
	"usage: vmlab cfg del FILE KEY...\n"
	"Removes every assignment of each KEY: the whole line when the assignment\n"
	"is alone on it (with its trailing comment), else just the statement.\n"
	"Exit 1 and nothing written when a KEY is not set.\n",
};

int cfg_del_main(int argc, char **argv)
{
	struct opt_res res;
	struct xlcfg *c;
	struct err e = { 0 };
	int rc = cli_opts("cfg del", &help, NULL, argc, argv, &res);

	if (rc != CLI_GO)
		return rc;
	rc = 0;
	argc = res.npos + 1; /* the positionals are argv[1..] now */
	if (argc < 3)
		return cli_usage_error("cfg del", "needs FILE and at least one KEY");
	for (int k = 2; k < argc; k++)
		if (!xlcfg_valid_key(argv[k]))
			return cli_usage_error("cfg del", "`%s' is not a valid key", argv[k]);
	if (xlcfg_load(argv[1], &c, &e))
		return cli_fail("cfg del", &e);
	for (int k = 2; k < argc && !rc; k++) {
		int r = xlcfg_del(c, argv[k], &e);
		if (r == -ENOENT) {
			fprintf(stderr, "vmlab cfg del: %s; nothing written\n", e.msg);
			rc = 1;
		} else if (r) {
			rc = cli_fail("cfg del", &e);
		}
	}
	if (!rc && xlcfg_save(c, argv[1], &e))
		rc = cli_fail("cfg del", &e);
	xlcfg_free(c);
	return rc;
}
