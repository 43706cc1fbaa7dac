/* vmlab report: statistics, slowdowns and charts from results files. */
#include "cli/cmd.h"
#include "base/fileio.h"
#include "report/report.h"
#include "run/results.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct report_args {
	struct report_opts o;
	const char *outpath;
	bool skip_bad;
};

static int parse_format(const char *arg, void *dst, struct err *e)
{
	if (report_parse_format(arg, dst))
		return err_set(e, -EINVAL, "'%s': unknown format (md, html, csv, json)", arg);
	return 0;
}

#define F(x) offsetof(struct report_args, x)
static const struct opt opts[] = {
	{ "format", 0, OPT_CUSTOM, F(o.format), .parse = parse_format, .metavar = "F",
	  .help = "md (default), html (one self-contained page with SVG charts), csv or json; "
		  "-o FILE.html etc. implies it" },
	{ "output", 'o', OPT_STRING, F(outpath), .metavar = "FILE",
	  .help = "write to FILE (atomically) instead of standard output" },
	{ "baseline", 0, OPT_STRING, F(o.baseline), .metavar = "ENV",
	  .help = "compare every environment with ENV (default: native; testbed guests with "
		  "testbed:bare when it is present)" },
	{ "title", 0, OPT_STRING, F(o.title), .metavar = "TEXT", .help = "report title" },
	{ "skip-bad", 0, OPT_FLAG, F(skip_bad),
	  .help = "skip malformed lines (with a warning) instead of failing" },
	{ 0 },
};
#undef F

static const struct cli_usage help = {
	"usage: vmlab report RESULTS... [--format md|html|csv|json] [-o FILE]\n"
	"                    [--baseline ENV] [--title TEXT] [--skip-bad]\n"
	"Reads JSON Lines results files written by 'vmlab run' and reports, per\n"
	"benchmark and environment, the median, min/max, a 95% interval of the\n"
	"median and n; the slowdown against the baseline environment with a 95%\n"
	"bootstrap interval; the geometric mean of slowdowns per environment; and\n"
	"the benchmark with the strongest slowdown.\n\n",
	opts,
	"\nA malformed line is an error FILE:LINE: message, exit status 2.\n"
	"See vmlab-report(1).\n",
};

static int format_from_name(const char *path, enum report_format *f)
{
	const char *dot = strrchr(path, '.');

	if (!dot)
		return -1;
	if (!strcmp(dot, ".htm"))
		dot = ".html";
	if (!strcmp(dot, ".markdown"))
		dot = ".md";
	return report_parse_format(dot + 1, f);
}

static int run(int argc, char **argv)
{
	struct report_args a = { { REPORT_MD, NULL, NULL }, NULL, false };
	struct report_opts o;
	struct result_set set = { 0 };
	struct sbuf out = SBUF_INIT, warn = SBUF_INIT;
	struct err e = { 0, "" };
	struct opt_res r;
	int rc = cli_opts("report", &help, &a, argc, argv, &r);

	if (rc != CLI_GO)
		return rc;
	rc = 0;
	if (!r.npos)
		return cli_usage_error("report", "no results file given");
	o = a.o;
	if (a.outpath && !opt_given(opts, &r, "format"))
		(void)format_from_name(a.outpath, &o.format);
	for (int k = 0; k < r.npos && !rc; k++)
		rc = results_load(r.pos[k], a.skip_bad, &set, &warn, &e);
	if (warn.len)
		fprintf(stderr, "%s", sbuf_str(&warn));
	if (set.skipped)
		fprintf(stderr, "vmlab report: skipped %zu malformed line%s\n", set.skipped,
			set.skipped == 1 ? "" : "s");
	if (!rc) {
		sbuf_reset(&warn);
		rc = report_render(&set, &o, &out, &warn, &e);
		if (warn.len)
			fprintf(stderr, "%s", sbuf_str(&warn));
	}
	if (!rc) {
		if (a.outpath)
			rc = file_write_atomic(a.outpath, out.buf, out.len, &e);
		else if (fwrite(sbuf_str(&out), 1, out.len, stdout) != out.len)
			rc = err_set(&e, -5, "standard output: write failed");
	}
	results_free(&set);
	sbuf_free(&out);
	sbuf_free(&warn);
	return rc ? cli_fail("report", &e) : 0;
}

const struct cmd cmd_report = {
	"report", "statistics, slowdowns and charts from results files", NULL, run, .help = &help,
};
