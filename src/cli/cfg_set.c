/* vmlab cfg set FILE KEY=VALUE...: set keys, keeping every other byte. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/subcmd.h"
#include "xen/xlcfg.h"

/* --string applies to the argument after it: cfg_set_main parses the
 * options before each argument in turn (cli_opts_prefix). */
static const struct opt opts[] = {
	{ "string", 's', OPT_FLAG, 0, .help = "take the next KEY=TEXT's TEXT as text and quote it" },
	{ 0 },
};

static const struct cli_usage help = {
	"usage: vmlab cfg set FILE [--string|-s] KEY=VALUE...\n"
	"Sets each KEY to VALUE, written in xl.cfg syntax: 512, 0x10, 'text',\n"
	"\"text\", [ 'a', 'b' ]. A bare word such as name=vm is not a value: quote\n"
	"it (name=\"'vm'\") or put --string before the argument, which takes the\n"
	"rest after '=' as text and quotes it. The key's last assignment is changed\n"
	"in place (earlier ones and += chains are removed); a new key is added at\n"
	"the end. All arguments are checked before anything is written.\n\n",
	opts,
};

int cfg_set_main(int argc, char **argv)
{
	const char *file = NULL;
	struct xlcfg *c = NULL;
	struct err e = { 0 };
	struct opt_res res;
	bool as_string = false, s;
	int rc = 0, nset = 0;

	/* argv[k] is the last argument read: the options before the next one follow it */
	for (int k = 0; k < argc; k = (int)(res.pos - argv)) {
		const char *a;

		s = false;
		if ((rc = cli_opts_prefix("cfg set", &help, &s, argc - k, argv + k, &res)) != CLI_GO)
			goto out;
		rc = 0;
		as_string = as_string || s;
		if (!res.npos)
			break;
		a = res.pos[0];
		if (!file) {
			file = a;
			if (xlcfg_load(file, &c, &e)) {
				rc = cli_fail("cfg set", &e);
				goto out;
			}
			continue;
		}
		const char *eq = strchr(a, '=');
		if (!eq) {
			rc = cli_usage_error("cfg set", "argument '%s': expected KEY=VALUE", a);
			goto out;
		}
		char *key = strndup(a, (size_t)(eq - a));
		if (!xlcfg_valid_key(key)) {
			rc = cli_usage_error("cfg set", "argument '%s': `%s' is not a valid key "
					     "(lowercase letter, then [._0-9a-z])", a, key);
			free(key);
			goto out;
		}
		int r = as_string ? xlcfg_set_string(c, key, eq + 1, &e) : xlcfg_set(c, key, eq + 1, &e);
		free(key);
		if (r) {
			fprintf(stderr, "vmlab cfg set: argument '%s': %s\n", a, e.msg);
			if (!as_string)
				fprintf(stderr, "  VALUE is in xl.cfg syntax: quote text ('...') or use "
						"--string KEY=TEXT\n");
			rc = 2;
			goto out;
		}
		as_string = false;
		nset++;
	}
	if (!file || !nset) {
		rc = cli_usage_error("cfg set", "needs FILE and at least one KEY=VALUE");
		goto out;
	}
	if (as_string) {
		rc = cli_usage_error("cfg set", "--string must come before a KEY=TEXT argument");
		goto out;
	}
	if (xlcfg_save(c, file, &e))
		rc = cli_fail("cfg set", &e);
out:
	xlcfg_free(c);
	return rc;
}
