/* vmlab report: statistics, slowdowns and charts from results files. */
#include "cli/cmd.h"
#include "base/fileio.h"
#include "report/report.h"
#include "run/results.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
	"usage: vmlab report RESULTS... [--format md|html|csv|json] [-o FILE]\n"
	"                    [--baseline ENV] [--title TEXT] [--skip-bad]\n"
	"Reads JSON Lines results files written by 'vmlab run' and reports, per\n"
	"benchmark and environment, the median, min/max, a 95% interval of the\n"
	"median and n; the slowdown against the baseline environment with a 95%\n"
	"bootstrap interval; the geometric mean of slowdowns per environment; and\n"
	"the benchmark with the strongest slowdown.\n\n"
	"  --format F       md (default), html (one self-contained page with SVG\n"
	"                   charts), csv or json; -o FILE.html etc. implies it\n"
	"  -o FILE          write to FILE (atomically) instead of standard output\n"
	"  --baseline ENV   compare every environment with ENV (default: native;\n"
	"                   testbed guests with testbed:bare when it is present)\n"
	"  --title TEXT     report title\n"
	"  --skip-bad       skip malformed lines (with a warning) instead of failing\n\n"
	"A malformed line is an error FILE:LINE: message, exit status 2.\n"
	"See vmlab-report(1).\n";

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
	struct report_opts o = { REPORT_MD, NULL, NULL };
	struct result_set set = { 0 };
	struct sbuf out = SBUF_INIT, warn = SBUF_INIT;
	struct err e = { 0, "" };
	const char *outpath = NULL;
	bool skip_bad = false, have_format = false, dashdash = false;
	const char *files[argc];
	int nfiles = 0, rc = 0;

	for (int k = 1; k < argc; k++) {
		const char *a = argv[k];
		if (dashdash || a[0] != '-' || !a[1]) {
			files[nfiles++] = a;
		} else if (!strcmp(a, "--")) {
			dashdash = true;
		} else if (!strcmp(a, "--skip-bad")) {
			skip_bad = true;
		} else if (!strcmp(a, "--format") || !strcmp(a, "-o") || !strcmp(a, "--output") ||
			   !strcmp(a, "--baseline") || !strcmp(a, "--title")) {
			if (k + 1 >= argc)
				return cli_usage_error("report", "%s needs a value", a);
			const char *v = argv[++k];
			if (!strcmp(a, "--format")) {
				if (report_parse_format(v, &o.format))
					return cli_usage_error("report", "unknown format '%s' "
							       "(md, html, csv, json)", v);
				have_format = true;
			} else if (!strcmp(a, "--baseline")) {
				o.baseline = v;
			} else if (!strcmp(a, "--title")) {
				o.title = v;
			} else {
				outpath = v;
			}
		} else {
			return cli_usage_error("report", "unknown option '%s'", a);
		}
	}
	if (!nfiles)
		return cli_usage_error("report", "no results file given");
	if (outpath && !have_format)
		(void)format_from_name(outpath, &o.format);
	for (int k = 0; k < nfiles && !rc; k++)
		rc = results_load(files[k], skip_bad, &set, &warn, &e);
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
		if (outpath)
			rc = file_write_atomic(outpath, out.buf, out.len, &e);
		else if (fwrite(sbuf_str(&out), 1, out.len, stdout) != out.len)
			rc = err_set(&e, -5, "standard output: write failed");
	}
	results_free(&set);
	sbuf_free(&out);
	sbuf_free(&warn);
	return rc ? cli_fail("report", &e) : 0;
}

const struct cmd cmd_report = {
	"report", "statistics, slowdowns and charts from results files", usage, run,
};
