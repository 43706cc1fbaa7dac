/* vmlab explain: where each environment's strongest slowdown went. */
#include "cli/cmd.h"
#include "base/fileio.h"
#include "report/explain.h"
#include "report/model.h"
#include "run/results.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum xfmt { X_MD, X_HTML, X_JSON };

struct explain_args {
	const char *baseline, *outpath;
	int format;
};

static int parse_format(const char *arg, void *dst, struct err *e)
{
	static const char *const names[] = { "md", "html", "json" };

	for (int k = 0; k < 3; k++)
		if (!strcmp(arg, names[k])) {
			*(int *)dst = k;
			return 0;
		}
	return err_set(e, -EINVAL, "'%s': unknown format (md, html, json)", arg);
}

#define F(x) offsetof(struct explain_args, x)
static const struct opt opts[] = {
	{ "baseline", 0, OPT_STRING, F(baseline), .metavar = "ENV",
	  .help = "compare every environment with ENV (default: as vmlab report: native; testbed "
		  "guests with testbed:bare when it is present)" },
	{ "format", 0, OPT_CUSTOM, F(format), .parse = parse_format, .metavar = "F",
	  .help = "md (default), html (a page with one stacked bar per environment) or json" },
	{ "output", 'o', OPT_STRING, F(outpath), .metavar = "FILE",
	  .help = "write to FILE (atomically) instead of standard output" },
	{ 0 },
};
#undef F

static const struct cli_usage help = {
	"usage: vmlab explain RESULTS... [--baseline ENV] [--format md|html|json] [-o FILE]\n"
	"For each environment, takes the benchmark with the strongest slowdown against\n"
	"its baseline (and its strongest CPU kernel when that is a microbenchmark) and\n"
	"splits its extra time into mechanisms: extra events per run (counts recorded\n"
	"with an experiment's trace = [...] and xentrace = \"...\") times the cost of\n"
	"one such event, measured by the microbenchmark dominated by it in the same\n"
	"environment: (micro time in env - in baseline) / extra events per micro op.\n"
	"The rest is shown as unexplained; a mechanism without counts is \"no data\".\n\n",
	opts,
	"\nA malformed line is an error FILE:LINE: message, exit status 2.\n"
	"See vmlab-explain(1).\n",
};

static void render(const struct explanation *x, int format, struct sbuf *out)
{
	if (format == X_JSON) {
		explain_json(x, out);
	} else if (format == X_HTML) {
		sbuf_puts(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>vmlab explain"
			  "</title><style>body{font-family:sans-serif;max-width:1000px;margin:24px auto}"
			  "table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:2px 6px}"
			  "td.num{text-align:right}.sub{color:#555}</style></head><body>\n");
		explain_html(x, out);
		sbuf_puts(out, "</body></html>\n");
	} else {
		explain_md(x, out);
	}
}

static int run(int argc, char **argv)
{
	struct explain_args a = { NULL, NULL, X_MD };
	struct result_set set = { 0 };
	struct sbuf out = SBUF_INIT, warn = SBUF_INIT;
	struct err e = { 0, "" };
	struct model m;
	struct explanation x;
	struct opt_res r;
	bool built = false;
	int rc = cli_opts("explain", &help, &a, argc, argv, &r);

	if (rc != CLI_GO)
		return rc;
	if (!r.npos)
		return cli_usage_error("explain", "no results file given");
	rc = 0;
	for (int k = 0; k < r.npos && !rc; k++)
		rc = results_load(r.pos[k], false, &set, &warn, &e);
	if (!rc && !(rc = model_build(&m, &set, a.baseline, &warn, &e))) {
		built = true;
		rc = explain_build(&m, &x, &e);
	}
	if (warn.len)
		fprintf(stderr, "%s", sbuf_str(&warn));
	if (!rc) {
		render(&x, a.format, &out);
		explain_free(&x);
		if (a.outpath)
			rc = file_write_atomic(a.outpath, out.buf, out.len, &e);
		else if (fwrite(sbuf_str(&out), 1, out.len, stdout) != out.len)
			rc = err_set(&e, -EIO, "standard output: write failed");
	}
	if (built)
		model_free(&m);
	results_free(&set);
	sbuf_free(&out);
	sbuf_free(&warn);
	return rc ? cli_fail("explain", &e) : 0;
}

const struct cmd cmd_explain = {
	"explain", "where each environment's strongest slowdown went (counts x micro costs)", NULL, run,
	.help = &help,
};
