/* vmlab micro: microbenchmarks of the costs virtualization changes. */
#include "bench/micro.h"
#include "base/fileio.h"
#include "base/units.h"
#include "cli/cmd.h"
#include "cli/trace_opt.h"
#include "run/record.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct micro_opts {
	uint64_t min_ns, reps, ops;
	bool json, list;
	const char *output;
	struct opt_list trace;
	struct cli_trace tr;
};

#define F(x) offsetof(struct micro_opts, x)
static const struct opt opts[] = {
	{ "min-time", 0, OPT_DURATION, F(min_ns), .def = "0.2s", .min = 1e6, .max = 60e9,
	  .metavar = "D", .help = "minimum duration of one repetition" },
	{ "repetitions", 0, OPT_COUNT, F(reps), .def = "5", .min = 1, .max = 1000,
	  .help = "repetitions" },
	{ "ops", 0, OPT_COUNT, F(ops), .min = 1, .max = 1e12, .metavar = "N",
	  .help = "exactly N operations per repetition instead of calibrating to --min-time "
		  "(one untimed loop of N warms up)" },
	CLI_OPT_TRACE(F(trace)),
	{ "json", 0, OPT_FLAG, F(json), .help = "one JSON object per microbenchmark on stdout" },
	{ "output", 'o', OPT_STRING, F(output), .metavar = "FILE",
	  .help = "also append each JSON record to FILE (fsync'd)" },
	{ "list", 0, OPT_FLAG, F(list), .help = "list the microbenchmarks" },
	{ 0 },
};
#undef F

static const struct cli_usage help = {
	"usage: vmlab micro [NAMES...] [--min-time DURATION | --ops N] [--repetitions N]\n"
	"                   [--trace EVENT,...] [--json] [-o FILE]\n"
	"       vmlab micro --list\n"
	"Times the operations virtualization makes dearer, the lmbench way: each\n"
	"repetition repeats the operation until it lasts --min-time, and the result\n"
	"per operation (ns/op, or MB/s for bandwidths) is reported as min, median and\n"
	"max over the repetitions. --trace counts events in one more repetition of the\n"
	"same operations after the timed ones (the loop, with the preparation it\n"
	"holds), with counters that exist only then, so they cannot change the\n"
	"times: the record's counts are per repetition, and per operation.\n\n"
	"  NAMES                microbenchmarks to run (default: all; see --list)\n",
	opts,
	"\nExit status: 0 ok (unsupported ones are reported as such), 1 a\n"
	"microbenchmark failed, 2 bad usage. See vmlab-micro(1).\n",
};

/* Appends m's record of the result r (status st) to out. */
static void micro_record(const struct micro_ops *m, const struct micro_result *r, const char *st,
			 char *counts, struct sbuf *out)
{
	struct record mr;

	record_init(&mr);
	mr.kind = "micro";
	mr.benchmark = (char *)m->name;
	mr.unit = (char *)m->unit;
	mr.higher_is_better = m->bytes_per_op > 0;
	if (r->status == MICRO_OK) {
		mr.min = r->min;
		mr.median = r->median;
		mr.max = r->max;
	}
	mr.repetitions = r->repetitions;
	mr.ops = (unsigned long long)r->ops;
	mr.status = (char *)st;
	if (r->status != MICRO_OK)
		mr.error = (char *)r->error;
	mr.counts = r->status == MICRO_OK ? counts : NULL;
	record_to_json(&mr, out);
}

static void count_begin(void *ctx)
{
	cli_trace_start(ctx);
	perfev_enable(&((struct cli_trace *)ctx)->set);
}

static void count_end(void *ctx)
{
	perfev_disable(&((struct cli_trace *)ctx)->set);
}

/* Measures m, prints its row or record and appends the record to o->output.
 * Returns 1 when m failed, else 0; a failed append is reported and sets
 * *fatal to the exit status. */
static int measure_one(const struct micro_ops *m, struct micro_opts *o, int *fatal)
{
	struct micro_result r;
	struct micro_params p = { .min_ns = o->min_ns, .reps = (int)o->reps, .ops = o->ops };
	struct sbuf rec = SBUF_INIT;
	char *counts = NULL;
	const char *st;
	int rc;

	if (cli_trace_on(&o->tr)) {
		p.count_begin = count_begin;
		p.count_end = count_end;
		p.count_ctx = &o->tr;
	}
	micro_measure_with(m, &p, &r);
	if (p.count_begin)
		counts = cli_trace_counts(&o->tr, 1, (double)r.ops);
	st = r.status == MICRO_OK ? "ok" : r.status == MICRO_UNSUPPORTED ? "unsupported" : "error";
	rc = r.status == MICRO_ERROR;
	micro_record(m, &r, st, counts, &rec);
	free(counts);
	if (r.status != MICRO_OK)
		fprintf(stderr, "vmlab micro: %s: %s: %s\n", m->name, st, r.error);
	if (o->json) {
		fputs(sbuf_str(&rec), stdout);
		fflush(stdout);
	} else if (r.status == MICRO_OK) {
		printf("%-14s %-6s %12.2f %12.2f %12.2f %4d %12llu  ok\n", m->name, m->unit,
		       r.min, r.median, r.max, r.repetitions, (unsigned long long)r.ops);
	} else {
		printf("%-14s %-6s %12s %12s %12s %4s %12s  %s\n", m->name, m->unit, "-", "-",
		       "-", "-", "-", st);
	}
	fflush(stdout);
	if (o->output) {
		struct err e = { 0 };

		if (file_append_sync(o->output, rec.buf, rec.len, &e) < 0)
			*fatal = cli_fail("micro", &e);
	}
	sbuf_free(&rec);
	return rc;
}

static int run(int argc, char **argv)
{
	struct micro_opts o = { 0 };
	struct opt_res r;
	const struct micro_ops **list;
	int n = 0, failed = 0, fatal = 0, rc = cli_opts("micro", &help, &o, argc, argv, &r);

	if (rc != CLI_GO)
		return rc;
	if (opt_given(opts, &r, "min-time") && o.ops) {
		opt_free(opts, &o);
		return cli_usage_error("micro", "--min-time and --ops exclude each other");
	}
	if ((rc = cli_trace_init("micro", &o.trace, &o.tr)) != CLI_GO) {
		opt_free(opts, &o);
		return rc;
	}
	if (o.list) {
		for (const struct micro_ops *const *m = micro_suite; *m; m++)
			printf("%-14s %-6s %s\n", (*m)->name, (*m)->unit, (*m)->summary);
		cli_trace_free(&o.tr);
		opt_free(opts, &o);
		return 0;
	}
	list = xcalloc((size_t)r.npos + 32, sizeof(*list));
	if (!r.npos)
		for (const struct micro_ops *const *m = micro_suite; *m; m++)
			list[n++] = *m;
	for (int k = 0; k < r.npos; k++)
		if (!(list[n++] = micro_find(r.pos[k]))) {
			free(list);
			cli_trace_free(&o.tr);
			opt_free(opts, &o);
			return cli_usage_error("micro", "unknown microbenchmark '%s' (see 'vmlab micro --list')",
					       r.pos[k]);
		}
	if (!o.json)
		printf("%-14s %-6s %12s %12s %12s %4s %12s  %s\n", "BENCHMARK", "UNIT", "MIN", "MEDIAN", "MAX",
		       "REPS", "OPS", "STATUS");
	for (int k = 0; k < n && !fatal; k++)
		failed += measure_one(list[k], &o, &fatal);
	free(list);
	cli_trace_free(&o.tr);
	opt_free(opts, &o);
	return fatal ? fatal : failed ? 1 : 0;
}

const struct cmd cmd_micro = { "micro", "microbenchmarks of the costs virtualization changes", NULL, run,
			       .help = &help };
