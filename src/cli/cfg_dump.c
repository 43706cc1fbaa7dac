/* vmlab cfg dump [--json] FILE: every key's final value. */
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "cli/cmd.h"
#include "cli/subcmd.h"
#include "xen/xlcfg.h"

static bool json;

static const struct opt opts[] = OPT_TABLE_FLAG("json", &json, "one JSON object instead of xl.cfg lines");

static const struct cli_usage help = {
	"usage: vmlab cfg dump [--json] FILE\n"
	"Prints every key's final value, in order of first appearance. With --json\n"
	"one JSON object: strings as JSON strings, lists as arrays, and a NUMBER\n"
	"token that Xen reads as a number (strtol base 0: 512, 0x10, 010) as a JSON\n"
	"number; anything else (\"512\" in quotes, 08, 1e5, a += value) stays a string.\n"
	"Without --json: one 'key = value' line per key in xl.cfg syntax.\n\n",
	opts,
};

int cfg_dump_main(int argc, char **argv)
{
	const char *file;
	struct opt_res r;
	struct xlcfg *c;
	struct err e = { 0 };
	struct sbuf b = SBUF_INIT;
	int rc = cli_opts_npos("cfg dump", &help, NULL, argc, argv, &r, 1, 1, "needs FILE", "too many arguments");

	if (rc != CLI_GO)
		return rc;
	file = r.pos[0];
	if (xlcfg_load(file, &c, &e))
		return cli_fail("cfg dump", &e);
	if (json)
		sbuf_putc(&b, '{');
	for (size_t k = 0; k < xlcfg_nkeys(c); k++) {
		const char *key = xlcfg_key(c, k);
		if (json) {
			if (k)
				sbuf_putc(&b, ',');
			json_put_str(&b, key);
			sbuf_putc(&b, ':');
			xlcfg_value_json(xlcfg_get(c, key), &b);
		} else {
			sbuf_printf(&b, "%s = ", key);
			xlcfg_value_src(xlcfg_get(c, key), &b);
			sbuf_putc(&b, '\n');
		}
	}
	if (json)
		sbuf_puts(&b, "}\n");
	fwrite(sbuf_str(&b), 1, b.len, stdout);
	sbuf_free(&b);
	xlcfg_free(c);
	return 0;
}
