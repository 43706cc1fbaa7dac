/* vmlab web window: what the clients saw in a window of a load's timeline
 * (vmlab web load --timeline), such as a live migration's (vmlab migrate
 * -o). The reckoning is web/window; this file parses and prints. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "cli/cmd.h"
#include "cli/subcmd.h"
#include "run/record.h"
#include "run/results.h"
#include "web/window.h"

struct window_opts {
	double from, to;
	const char *migration;
	bool json;
	const char *results, *env, *label;
};

#define F(x) offsetof(struct window_opts, x)
static const struct opt opts[] = {
	{ "from", 0, OPT_DOUBLE, F(from), .min = 0, .max = 1e11, .metavar = "EPOCH",
	  .help = "the window's start, wall clock in seconds since 1970" },
	{ "to", 0, OPT_DOUBLE, F(to), .min = 0, .max = 1e11, .metavar = "EPOCH",
	  .help = "its end" },
	{ "migration", 0, OPT_STRING, F(migration), .metavar = "FILE",
	  .help = "the window of the last migrate record in the results file FILE (vmlab migrate -o)" },
	{ "json", 0, OPT_FLAG, F(json), .help = "print the window's record instead of text" },
	{ "results", 0, OPT_STRING, F(results), .metavar = "FILE",
	  .help = "append the window's record to FILE (fsynced)" },
	{ "env", 0, OPT_STRING, F(env), .def = "native", .metavar = "NAME",
	  .help = "environment the record names" },
	{ "label", 0, OPT_STRING, F(label), .metavar = "TEXT", .help = "its label in reports" },
	{ 0 },
};
#undef F

static const struct cli_usage help = {
	"usage: vmlab web window TIMELINE (--from EPOCH --to EPOCH | --migration FILE) [OPTIONS]\n"
	"What the clients of a load saw in a window of its timeline (vmlab web load\n"
	"--timeline TIMELINE): responses and their rate against the seconds before the\n"
	"window, pages with their QoS shares, errors, and the largest gap between\n"
	"responses. The window is widened to the timeline's whole seconds. With\n"
	"--migration it is the last migration recorded in FILE (its start and end on\n"
	"the clock of the host that ran vmlab migrate; the timeline's is the clients').\n\n",
	opts,
	"\nExit status: 0 done, 1 no line of the timeline overlaps the window, 2 bad usage\n"
	"or a bad file. See vmlab-web-load(1).\n",
};

/* The window of the last migrate record in path; 0 or the exit status. */
static int migration_window(const char *path, double *from, double *to)
{
	struct result_set set = { 0 };
	struct err e = { 0 };
	const struct record *m = NULL;
	int rc;

	if ((rc = results_load(path, true, &set, NULL, &e)))
		return cli_fail("web window", &e);
	for (size_t k = 0; k < set.n; k++)
		if (set.v[k].kind && !strcmp(set.v[k].kind, "migrate"))
			m = &set.v[k];
	rc = 2;
	if (!m)
		fprintf(stderr, "vmlab web window: %s: no migrate record\n", path);
	else if (!record_extra_json(m, "start_s") || !record_extra_json(m, "end_s") ||
		 !((*from = strtod(record_extra_json(m, "start_s"), NULL)) > 0) ||
		 !((*to = strtod(record_extra_json(m, "end_s"), NULL)) >= *from))
		fprintf(stderr, "vmlab web window: %s:%d: the migrate record has no start_s and end_s\n", path,
			m->line);
	else
		rc = 0;
	results_free(&set);
	return rc;
}

static void print_window(const struct web_window *w)
{
	printf("window %.3f to %.3f (%.3f s; timeline seconds %.3f to %.3f: %zu), %s at %u sessions\n",
	       w->from, w->to, w->to - w->from, w->covered_from, w->covered_to, w->seconds, w->workload,
	       w->sessions);
	printf("  responses %" PRIu64 " (%.1f/s", w->responses, w->rate);
	if (!isnan(w->rate_before))
		printf("; before the window %.1f/s: %.1f%%", w->rate_before,
		       w->rate_before > 0 ? 100 * w->rate / w->rate_before : NAN);
	printf("), errors %" PRIu64 "\n", w->errors);
	if (w->pages)
		printf("  pages %" PRIu64 ": %.2f%% good, %.2f%% tolerable, %" PRIu64 " failed\n", w->pages,
		       w->good_pct, w->tolerable_pct, w->failed);
	else
		printf("  pages 0\n");
	printf("  largest gap between responses: %.1f ms from %.3f\n", w->gap_ms, w->gap_at);
}

int web_window_main(int argc, char **argv)
{
	struct window_opts o = { .from = -1, .to = -1 };   /* -1: not given */
	struct opt_res r;
	struct sbuf text = SBUF_INIT, rec = SBUF_INIT;
	struct web_tl_line *lines = NULL;
	struct web_window w;
	struct err e = { 0 };
	size_t n = 0;
	int rc = cli_opts_npos("web window", &help, &o, argc, argv, &r, 1, 1,
			       "name the timeline: vmlab web window TIMELINE", NULL);

	if (rc != CLI_GO)
		return rc;
	if (o.migration && (o.from >= 0 || o.to >= 0))
		return cli_usage_error("web window", "--migration or --from and --to, not both");
	if (o.migration && (rc = migration_window(o.migration, &o.from, &o.to)))
		return rc;
	if (o.from < 0 || o.to < 0 || o.to < o.from)
		return cli_usage_error("web window", "--from and --to (from <= to), or --migration, are needed");
	if (file_read(r.pos[0], &text, &e) || web_tl_parse(sbuf_str(&text), text.len, r.pos[0], &lines, &n, &e)) {
		sbuf_free(&text);
		return cli_fail("web window", &e);
	}
	sbuf_free(&text);
	if (web_window_eval(lines, n, o.from, o.to, &w)) {
		fprintf(stderr, "vmlab web window: %s: no line overlaps %.3f to %.3f (%zu lines)\n", r.pos[0],
			o.from, o.to, n);
		free(lines);
		return 1;
	}
	free(lines);
	rc = 0;
	web_window_json(&w, o.env, o.label, &rec);
	if (o.json)
		fputs(sbuf_str(&rec), stdout);
	else
		print_window(&w);
	if (o.results && file_append_sync(o.results, rec.buf, rec.len, &e))
		rc = cli_fail("web window", &e);
	sbuf_free(&rec);
	return rc;
}
