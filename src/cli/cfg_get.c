/* vmlab cfg get FILE KEY: print a key's final value. */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/subcmd.h"
#include "xen/xlcfg.h"

static bool json;

static const struct opt opts[] = OPT_TABLE_FLAG("json", &json, "print the value as JSON");

static const struct cli_usage help = {
	"usage: vmlab cfg get [--json] FILE KEY\n"
	"Prints KEY's final value (after += and last-assignment-wins): a string or\n"
	"number as its text, a list in xl.cfg syntax; --json prints JSON.\n\n",
	opts,
	"\nExit 1 when KEY is not set, 2 on bad input.\n",
};

int cfg_get_main(int argc, char **argv)
{
	struct opt_res r;
	char **pos;
	int rc = cli_opts_npos("cfg get", &help, NULL, argc, argv, &r, 2, 2, "needs FILE and KEY",
			       "too many arguments");
	struct xlcfg *c;
	struct err e = { 0 };

	if (rc != CLI_GO)
		return rc;
	rc = 0;
	pos = r.pos;
	if (xlcfg_load(pos[0], &c, &e))
		return cli_fail("cfg get", &e);
	const struct xlcfg_value *v = xlcfg_get(c, pos[1]);
	if (!v) {
		fprintf(stderr, "vmlab cfg get: %s: `%s' is not set\n", pos[0], pos[1]);
		rc = 1;
	} else {
		struct sbuf b = SBUF_INIT;
		if (json)
			xlcfg_value_json(v, &b);
		else if (v->kind == XLCFG_LIST)
			xlcfg_value_src(v, &b);
		else
			sbuf_puts(&b, v->str);
		sbuf_putc(&b, '\n');
		fwrite(b.buf, 1, b.len, stdout);
		sbuf_free(&b);
	}
	xlcfg_free(c);
	return rc;
}
