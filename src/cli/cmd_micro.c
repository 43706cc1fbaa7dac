/* vmlab micro: microbenchmarks of the costs virtualization changes. */
#include "bench/micro.h"
#include "base/fileio.h"
#include "base/units.h"
#include "cli/cmd.h"
#include "run/record.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: vmlab micro [NAMES...] [--min-time DURATION] [--repetitions N] [--json] [-o FILE]\n"
	"       vmlab micro --list\n"
	"Times the operations virtualization makes dearer, the lmbench way: each\n"
	"repetition repeats the operation until it lasts --min-time, and the result\n"
	"per operation (ns/op, or MB/s for bandwidths) is reported as min, median and\n"
	"max over the repetitions.\n\n"
	"  NAMES              microbenchmarks to run (default: all; see --list)\n"
	"  --min-time D       minimum duration of one repetition (default 0.2s)\n"
	"  --repetitions N    repetitions (default 5)\n"
	"  --json             one JSON object per microbenchmark on stdout\n"
	"  -o, --output FILE  also append each JSON record to FILE (fsync'd)\n"
	"  --list             list the microbenchmarks\n\n"
	"Exit status: 0 ok (unsupported ones are reported as such), 1 a\n"
	"microbenchmark failed, 2 bad usage. See vmlab-micro(1).\n";

enum { O_MIN = 256, O_REPS, O_JSON, O_LIST };

/* Appends m's record of the result r (status st) to out. */
static void micro_record(const struct micro_ops *m, const struct micro_result *r, const char *st,
			 struct sbuf *out)
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
	record_to_json(&mr, out);
}

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "min-time", required_argument, 0, O_MIN },
		{ "repetitions", required_argument, 0, O_REPS },
		{ "json", no_argument, 0, O_JSON },
		{ "list", no_argument, 0, O_LIST },
		{ "output", required_argument, 0, 'o' },
		{ 0 },
	};
	uint64_t min_ns = 200000000ull, reps = 5;
	const struct micro_ops **list;
	const char *output = NULL;
	int c, json = 0, n = 0, failed = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (c) {
		case O_MIN:
			if (units_parse_duration(optarg, &min_ns) < 0 || min_ns < 1000000 ||
			    min_ns > 60000000000ull)
				return cli_usage_error("micro", "--min-time '%s': expected a duration from 1ms to 60s",
						       optarg);
			break;
		case O_REPS:
			if (units_parse_count(optarg, &reps) < 0 || reps < 1 || reps > 1000)
				return cli_usage_error("micro", "--repetitions '%s': expected 1..1000", optarg);
			break;
		case O_JSON: json = 1; break;
		case 'o': output = optarg; break;
		case O_LIST:
			for (const struct micro_ops *const *m = micro_suite; *m; m++)
				printf("%-14s %-6s %s\n", (*m)->name, (*m)->unit, (*m)->summary);
			return 0;
		default:
			return cli_usage_error("micro", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	list = xcalloc((size_t)(argc - optind) + 32, sizeof(*list));
	if (optind == argc)
		for (const struct micro_ops *const *m = micro_suite; *m; m++)
			list[n++] = *m;
	for (int k = optind; k < argc; k++)
		if (!(list[n++] = micro_find(argv[k]))) {
			free(list);
			return cli_usage_error("micro", "unknown microbenchmark '%s' (see 'vmlab micro --list')",
					       argv[k]);
		}
	if (!json)
		printf("%-14s %-6s %12s %12s %12s %4s %12s  %s\n", "BENCHMARK", "UNIT", "MIN", "MEDIAN", "MAX",
		       "REPS", "OPS", "STATUS");
	for (int k = 0; k < n; k++) {
		struct micro_result r;
		struct sbuf rec = SBUF_INIT;
		const char *st;

		micro_measure(list[k], min_ns, (int)reps, &r);
		st = r.status == MICRO_OK ? "ok" : r.status == MICRO_UNSUPPORTED ? "unsupported" : "error";
		if (r.status == MICRO_ERROR)
			failed++;
		micro_record(list[k], &r, st, &rec);
		if (r.status != MICRO_OK)
			fprintf(stderr, "vmlab micro: %s: %s: %s\n", list[k]->name, st, r.error);
		if (json) {
			fputs(sbuf_str(&rec), stdout);
			fflush(stdout);
		} else if (r.status == MICRO_OK) {
			printf("%-14s %-6s %12.2f %12.2f %12.2f %4d %12llu  ok\n", list[k]->name, list[k]->unit,
			       r.min, r.median, r.max, r.repetitions, (unsigned long long)r.ops);
		} else {
			printf("%-14s %-6s %12s %12s %12s %4s %12s  %s\n", list[k]->name, list[k]->unit, "-", "-",
			       "-", "-", "-", st);
		}
		fflush(stdout);
		if (output) {
			struct err e = { 0 };

			if (file_append_sync(output, rec.buf, rec.len, &e) < 0) {
				sbuf_free(&rec);
				free(list);
				return cli_fail("micro", &e);
			}
		}
		sbuf_free(&rec);
	}
	free(list);
	return failed ? 1 : 0;
}

const struct cmd cmd_micro = { "micro", "microbenchmarks of the costs virtualization changes", usage, run };
