/* The jbb option table and its checks. */
#include "bench/jbb_args.h"
#include "base/sbuf.h"
#include "base/sshargv.h"
#include "base/words.h"

#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const modes[] = { "throughput", "critical", NULL };

/* "N" or "A..B", 1 <= A <= B <= 256, into the two unsigneds at dst. */
static int parse_range(const char *arg, void *dst, struct err *e)
{
	unsigned *v = dst, a, b;
	int n = 0;

	if (sscanf(arg, "%u..%u%n", &a, &b, &n) == 2 && !arg[n]) {
	} else if (sscanf(arg, "%u%n", &a, &n) == 1 && !arg[n]) {
		b = a;
	} else {
		return err_set(e, -EINVAL, "'%s': expected N or A..B", arg);
	}
	if (a < 1 || b > 256 || a > b)
		return err_set(e, -EINVAL, "'%s': warehouses must be 1 <= A <= B <= 256", arg);
	v[0] = a;
	v[1] = b;
	return 0;
}

#define F(x) offsetof(struct jbb_args, x)
const struct opt jbb_arg_opts[] = {
	{ "warehouses", 'w', OPT_CUSTOM, F(wh_from), .parse = parse_range, .metavar = "A..B",
	  .help = "the points: warehouses (= threads) A to B, or just N (default 1..2N; "
		  "critical mode: N)" },
	{ "peak", 0, OPT_UINT, F(peak), .min = 1, .max = 256, .metavar = "N",
	  .help = "expected peak N of SPECjbb2005's metric (default: the CPUs vmlab may run on)" },
	{ "rampup", 0, OPT_DURATION, F(rampup_ns), .def = "30s", .min = 0, .max = 3600e9,
	  .metavar = "D", .help = "ramp-up of each point, not measured" },
	{ "measure", 0, OPT_DURATION, F(measure_ns), .def = "240s", .min = 1e7, .max = 86400e9,
	  .metavar = "D", .help = "measurement interval of each point" },
	{ "mode", 0, OPT_ENUM, F(mode), .def = "throughput", .words = modes,
	  .help = "throughput: SPECjbb2005's points and metric; critical: SPECjbb2015-style "
		  "critical figure over stepped injection rates" },
	{ "steps", 0, OPT_UINT, F(steps), .def = "10", .min = 2, .max = 100, .metavar = "K",
	  .help = "critical mode: injection rates of 1/K..K/K of the full-speed throughput" },
	{ "seed", 0, OPT_COUNT, F(seed), .def = "1", .help = "seed of the tables and transactions" },
	{ "start-at", 0, OPT_DOUBLE, F(start_at), .min = 0, .max = 1e11, .metavar = "T",
	  .help = "a barrier: build the tables, then sleep until T (seconds since the epoch, "
		  "CLOCK_REALTIME, fraction allowed) before the first point's ramp-up; runs on "
		  "several machines given the same T start together" },
	{ "cmd", 0, OPT_STRING, F(cmd), .metavar = "COMMAND",
	  .help = "run a real SPECjbb2005/2015 kit instead (split into words, no shell) and "
		  "read its result from its output" },
	{ "parse", 0, OPT_STRING, F(parse), .metavar = "FILE",
	  .help = "read a SPECjbb2005/2015 result from a kit's saved output or report" },
	{ "timeout", 0, OPT_DURATION, F(timeout_ns), .def = "6h", .min = 1e9, .max = 7 * 86400e9,
	  .metavar = "D", .help = "--cmd: stop the kit after D" },
	{ "json", 0, OPT_FLAG, F(json), .help = "one JSON record on stdout" },
	{ "output", 'o', OPT_STRING, F(output), .metavar = "FILE",
	  .help = "also append the JSON record to FILE (fsync'd)" },
	{ 0 },
};
#undef F

static unsigned usable_cpus(void)
{
	cpu_set_t s;

	if (sched_getaffinity(0, sizeof(s), &s) < 0)
		return 1;
	return (unsigned)CPU_COUNT(&s);
}

int jbb_args_finish(struct jbb_args *a, struct err *e)
{
	if (a->cmd && a->parse)
		return err_set(e, -EINVAL, "--cmd and --parse exclude each other");
	if (!a->peak)
		a->peak = usable_cpus();
	if (!a->wh_from) {
		a->wh_from = a->mode == JBB_MODE_CRITICAL ? a->peak : 1;
		a->wh_to = a->mode == JBB_MODE_CRITICAL ? a->peak : 2 * a->peak;
		if (a->wh_to > 256)
			a->wh_to = 256;
	}
	if (a->mode == JBB_MODE_CRITICAL && a->wh_from != a->wh_to)
		return err_set(e, -EINVAL, "--mode critical runs one warehouse count, not %u..%u",
			       a->wh_from, a->wh_to);
	return 0;
}

int jbb_args_check_item(const char *s, struct err *e)
{
	struct jbb_args a = { 0 };
	struct opt_res r;
	struct err sub = { 0, "" };
	char **words, **argv, **view;
	int n, rc;

	if (words_split(s, &words, &n, e))
		return -EINVAL;
	argv = argv_prefixed("jbb", words);
	/* opt_parse reorders what it is given: a view, so argv frees as made */
	view = xcalloc((size_t)n + 2, sizeof(*view));
	memcpy(view, argv, ((size_t)n + 1) * sizeof(*view));
	rc = opt_parse(jbb_arg_opts, &a, n + 1, view, &r, &sub);
	if (rc == OPT_HELP)
		rc = err_set(e, -EINVAL, "--help is not a run");
	else if (rc)
		rc = err_set(e, -EINVAL, "%s", sub.msg);
	else if (r.npos)
		rc = err_set(e, -EINVAL, "unexpected argument '%s'", r.pos[0]);
	else if (a.json || a.output)
		rc = err_set(e, -EINVAL, "--json and --output are the runner's");
	else if (jbb_args_finish(&a, &sub))
		rc = err_set(e, -EINVAL, "%s", sub.msg);
	opt_free(jbb_arg_opts, &a);
	free(view);
	argv_free(argv);
	argv_free(words);
	return rc;
}
