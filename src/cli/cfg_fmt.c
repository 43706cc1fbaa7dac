/* vmlab cfg fmt FILE: rewrite an xl.cfg file in canonical layout. */
#include <stdio.h>
#include <string.h>

#include "base/fileio.h"
#include "cli/cmd.h"
#include "cli/subcmd.h"
#include "xen/xlcfg.h"

struct fmt_opts {
	bool check, to_stdout;
};

static const struct opt opts[] = {
	{ "check", 0, OPT_FLAG, offsetof(struct fmt_opts, check),
	  .help = "write nothing; exit 1 when FILE is not in canonical layout" },
	{ "stdout", 0, OPT_FLAG, offsetof(struct fmt_opts, to_stdout),
	  .help = "print the result instead of rewriting FILE" },
	{ 0 },
};

static const struct cli_usage help = {
	"usage: vmlab cfg fmt [--check|--stdout] FILE\n"
	"Rewrites FILE in canonical layout: 'key = value' one per line, lists as\n"
	"[ 'a', 'b' ] (one item per line when they hold comments), comments kept,\n"
	"runs of blank lines folded. Values are unchanged (checked before writing).\n",
	opts,
};

/* The final values of c as JSON, for comparing two parses. */
static void values(const struct xlcfg *c, struct sbuf *out)
{
	for (size_t k = 0; k < xlcfg_nkeys(c); k++) {
		const char *key = xlcfg_key(c, k);
		long l;
		sbuf_printf(out, "%s=", key);
		xlcfg_value_json(xlcfg_get(c, key), out);
		sbuf_printf(out, " %d\n", xlcfg_get_long(c, key, &l, NULL));
	}
}

int cfg_fmt_main(int argc, char **argv)
{
	const char *file;
	struct fmt_opts o = { 0 };
	struct opt_res r;
	int rc = cli_opts_npos("cfg fmt", &help, &o, argc, argv, &r, 1, 1, "needs FILE", "too many arguments");
	bool check, to_stdout;
	struct xlcfg *c, *c2 = NULL;
	struct err e = { 0 };
	struct sbuf out = SBUF_INIT, orig = SBUF_INIT, v1 = SBUF_INIT, v2 = SBUF_INIT;

	if (rc != CLI_GO)
		return rc;
	rc = 0;
	check = o.check, to_stdout = o.to_stdout;
	file = r.pos[0];
	if (check && to_stdout)
		return cli_usage_error("cfg fmt", "--check and --stdout exclude each other");
	if (xlcfg_load(file, &c, &e))
		return cli_fail("cfg fmt", &e);
	xlcfg_format(c, &out);
	xlcfg_write(c, &orig);
	if (xlcfg_parse(file, sbuf_str(&out), out.len, &c2, &e)) {
		fprintf(stderr, "vmlab cfg fmt: %s: the canonical layout would not parse (%s); "
				"nothing written\n", file, e.msg);
		rc = 1;
		goto done;
	}
	values(c, &v1);
	values(c2, &v2);
	if (v1.len != v2.len || memcmp(sbuf_str(&v1), sbuf_str(&v2), v1.len)) {
		fprintf(stderr, "vmlab cfg fmt: %s: the canonical layout would change values; "
				"nothing written\n", file);
		rc = 1;
		goto done;
	}
	bool same = out.len == orig.len && !memcmp(sbuf_str(&out), sbuf_str(&orig), out.len);
	if (to_stdout) {
		fwrite(sbuf_str(&out), 1, out.len, stdout);
	} else if (check) {
		if (!same) {
			printf("%s\n", file);
			rc = 1;
		}
	} else if (!same && file_write_atomic(file, sbuf_str(&out), out.len, &e)) {
		rc = cli_fail("cfg fmt", &e);
	}
done:
	xlcfg_free(c);
	xlcfg_free(c2);
	sbuf_free(&out);
	sbuf_free(&orig);
	sbuf_free(&v1);
	sbuf_free(&v2);
	return rc;
}
