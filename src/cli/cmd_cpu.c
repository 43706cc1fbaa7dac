/* vmlab cpu: list and run the built-in CPU suite, or time an external
 * benchmark command and extract its metric; SPEC-style ratios and scores. */
#include "bench/suite.h"
#include "base/fileio.h"
#include "base/json.h"
#include "base/proc.h"
#include "base/sshargv.h"
#include "base/words.h"
#include "base/units.h"
#include "cli/cmd.h"
#include "cli/subcmd.h"
#include "cli/trace_opt.h"
#include "measure/clock.h"
#include "measure/stats.h"
#include "run/record.h"
#include "xen/cpulist.h"

#include <errno.h>
#include <sched.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct run_opts {
	int size_word;            /* index in sizes[] */
	enum bench_size size;     /* BENCH_TEST + size_word */
	long long iterations, copies, warmup;
	struct bench_bind bind;
	const char *pin;          /* --pin as given, NULL when unbound */
	bool json;
	const char *output;
	const char *cmd, *regex, *metric_name, *name;
	char **cmd_argv;          /* --cmd split into words (base/words.h) */
	bool higher, lower;
	int direction;            /* 1 higher is better, -1 lower, 0 unset */
	uint64_t timeout_ns;
	struct opt_list trace;
	struct cli_trace tr;
};

static const char *const sizes[] = { "test", "train", "ref", NULL };

#define F(x) offsetof(struct run_opts, x)
static const struct opt run_opts_tab[] = {
	{ "size", 0, OPT_ENUM, F(size_word), .def = "test", .words = sizes,
	  .help = "test (about 0.1-0.3 s), train (about 1 s), ref (2-10 s)" },
	{ "iterations", 0, OPT_LONG, F(iterations), .def = "3", .min = 1, .max = 10000,
	  .help = "timed iterations per kernel" },
	{ "copies", 0, OPT_LONG, F(copies), .def = "1", .min = 1, .max = 64,
	  .help = "run N copies at once in separate processes (rate run)" },
	{ "warmup", 0, OPT_LONG, F(warmup), .def = "0", .min = 0, .max = 100,
	  .help = "untimed iterations before the timed ones" },
	{ "pin", 0, OPT_STRING, F(pin), .metavar = "CPUS",
	  .help = "bind copy k to the k-th CPU of CPUS (xl syntax: 1, 0-3,^2, all); "
		  "default: unbound" },
	{ "json", 0, OPT_FLAG, F(json), .help = "one JSON object per finished iteration on stdout" },
	{ "output", 'o', OPT_STRING, F(output), .metavar = "FILE",
	  .help = "also append each JSON record to FILE (fsync'd)" },
	{ "cmd", 0, OPT_STRING, F(cmd), .metavar = "COMMAND",
	  .help = "time COMMAND instead, split into words as a shell would but run without one "
		  "(use sh -c '...' for pipes or redirections)" },
	{ "metric-regex", 0, OPT_STRING, F(regex), .metavar = "RE",
	  .help = "POSIX extended regex; its first capture group in the command's stdout "
		  "(else stderr) is the metric" },
	{ "higher-is-better", 0, OPT_FLAG, F(higher), .help = "the metric's direction" },
	{ "lower-is-better", 0, OPT_FLAG, F(lower), .help = "the metric's direction" },
	{ "metric-name", 0, OPT_STRING, F(metric_name), .metavar = "NAME",
	  .help = "name of the metric (default: metric, or wall_s without a regex)" },
	{ "name", 0, OPT_STRING, F(name), .metavar = "NAME", .def = "cmd",
	  .help = "benchmark name in records" },
	{ "timeout", 0, OPT_DURATION, F(timeout_ns), .min = 1, .max = OPT_NOMAX,
	  .help = "kill the command after T (default: none)" },
	CLI_OPT_TRACE(F(trace)),
	{ 0 },
};
#undef F

static const struct cli_usage help = {
	"usage: vmlab cpu list [--json]\n"
	"       vmlab cpu run [NAMES...] [--size test|train|ref] [--iterations N] [--copies N]\n"
	"                     [--warmup N] [--pin CPUS] [--trace EVENT,...] [--json] [-o FILE]\n"
	"       vmlab cpu run --cmd COMMAND [--metric-regex RE --higher-is-better|--lower-is-better]\n"
	"                     [--metric-name NAME] [--name NAME] [--iterations N] [--timeout DURATION]\n"
	"                     [--trace EVENT,...] [--json] [-o FILE]\n"
	"Runs the built-in CPU suite: kernels modelled on SPEC CPU2017 programs, each\n"
	"verifying its output against a shipped checksum. Ratio = reference time /\n"
	"measured time (times copies for a rate run); the suite score is the geometric\n"
	"mean of the per-benchmark median ratios.\n\n"
	"  list                 the kernels, the program each models, reference times\n"
	"  run [NAMES...]       run the named kernels (default: all)\n\n"
	"options of run (--json also for list):\n",
	run_opts_tab,
	"\nExit status: 0 all runs verified, 1 a run failed (checksum mismatch, crash,\n"
	"no metric), 2 bad usage. See vmlab-cpu(1).\n",
};

static const struct opt list_opts[] = {
	{ "json", 0, OPT_FLAG, .help = "one JSON object per kernel" },
	{ 0 },
};

static const struct cli_usage list_help = { "", list_opts };

static int list_main(int argc, char **argv)
{
	bool json = false;
	struct opt_res r;
	int rc = cli_opts("cpu list", &list_help, &json, argc, argv, &r);

	if (rc != CLI_GO)
		return rc;
	if (r.npos)
		return cli_usage_error("cpu list", "unknown argument '%s'", r.pos[0]);
	if (!json) {
		printf("%-10s %-18s %9s  %s\n", "NAME", "LIKE", "REF_S", "SUMMARY");
		for (const struct bench_ops *const *b = bench_suite; *b; b++)
			printf("%-10s %-18s %9.3f  %s\n", (*b)->name, (*b)->like,
			       (*b)->not_scored ? NAN : bench_reftime((*b)->name, BENCH_REF), (*b)->summary);
		printf("\nreference machine: %s\n", bench_ref_machine);
		return 0;
	}
	for (const struct bench_ops *const *b = bench_suite; *b; b++) {
		struct sbuf o = SBUF_INIT;

		sbuf_puts(&o, "{\"kind\":\"cpu-kernel\",\"benchmark\":");
		json_put_str(&o, (*b)->name);
		sbuf_puts(&o, ",\"like\":");
		json_put_str(&o, (*b)->like);
		sbuf_puts(&o, ",\"summary\":");
		json_put_str(&o, (*b)->summary);
		sbuf_printf(&o, ",\"scored\":%s,\"reftime_s\":{", (*b)->not_scored ? "false" : "true");
		for (int s = BENCH_TEST; s < BENCH_NSIZES; s++) {
			sbuf_printf(&o, "%s\"%s\":", s > BENCH_TEST ? "," : "",
				    bench_size_name((enum bench_size)s));
			json_put_num(&o, bench_reftime((*b)->name, (enum bench_size)s));
		}
		sbuf_puts(&o, "},\"reference_machine\":");
		json_put_str(&o, bench_ref_machine);
		sbuf_puts(&o, "}\n");
		fputs(sbuf_str(&o), stdout);
		sbuf_free(&o);
	}
	return 0;
}


/* Prints the record (and appends it to the output file); returns 0 or the
 * exit status for a failed append. */
static int emit(const struct run_opts *o, const struct record *r)
{
	struct sbuf rec = SBUF_INIT;
	struct err e = { 0 };
	int rc = 0;

	record_to_json(r, &rec);
	if (o->json) {
		fputs(sbuf_str(&rec), stdout);
		fflush(stdout);
	}
	if (o->output && file_append_sync(o->output, rec.buf, rec.len, &e) < 0)
		rc = cli_fail("cpu run", &e);
	sbuf_free(&rec);
	return rc;
}

static double median_of(const double *v, size_t n)
{
	return n ? stats_median(v, n) : NAN;
}

static int run_suite(struct run_opts *o, const struct bench_ops **list, int n)
{
	double *ratios = xcalloc((size_t)n, sizeof(double)), *walls, *rs;
	int nratios = 0, failed = 0, rc = 0;
	struct err e = { 0 };

	walls = xcalloc((size_t)o->iterations, sizeof(double));
	rs = xcalloc((size_t)o->iterations, sizeof(double));
	if (!o->json)
		printf("%-10s %-16s %-5s %3s %10s %10s %10s %8s  %s\n", "BENCHMARK", "LIKE", "SIZE", "N",
		       "MEDIAN_S", "MIN_S", "MAX_S", "RATIO", "STATUS");
	for (int b = 0; b < n; b++) {
		const struct bench_ops *k = list[b];
		double ref = k->not_scored ? 0 : bench_reftime(k->name, o->size);
		int nok = 0, bad = 0;
		const char *first_bad = NULL;
		struct bench_run r;

		for (long long w = 0; w < o->warmup; w++)
			if (bench_run_copies(k, o->size, (int)o->copies, &o->bind, &r, &e) < 0)
				goto fail;
		for (long long it = 1; it <= o->iterations; it++) {
			struct record rec;
			char ck[24];
			double ratio;

			char *counts = NULL;

			if (cli_trace_on(&o->tr)) {
				cli_trace_start(&o->tr);
				perfev_enable(&o->tr.set);
			}
			rc = bench_run_copies(k, o->size, (int)o->copies, &o->bind, &r, &e);
			if (cli_trace_on(&o->tr)) {
				perfev_disable(&o->tr.set);
				counts = cli_trace_counts(&o->tr, 1, 0);
			}
			if (rc < 0) {
				free(counts);
				goto fail;
			}
			ratio = r.status == BENCH_OK && ref > 0 && r.wall_s > 0
				? (double)o->copies * ref / r.wall_s : NAN;
			snprintf(ck, sizeof(ck), "0x%016llx", (unsigned long long)r.checksum);
			record_init(&rec);
			rec.kind = "cpu";
			rec.benchmark = (char *)k->name;
			rec.size = (char *)bench_size_name(o->size);
			rec.iteration = it;
			rec.copies = o->copies;
			rec.pin = (char *)o->pin;
			rec.wall_s = r.wall_s;
			rec.user_s = r.user_s;
			rec.sys_s = r.sys_s;
			rec.ratio = ratio;
			rec.checksum_ok = r.checksum_ok ? 1 : 0;
			rec.checksum = ck;
			rec.status = (char *)bench_status_name(r.status);
			if (r.status != BENCH_OK)
				rec.error = r.error;
			rec.counts = counts;
			rc = emit(o, &rec);
			free(counts);
			if (rc)
				goto out;
			if (r.status == BENCH_OK) {
				walls[nok] = r.wall_s;
				rs[nok++] = ratio;
			} else {
				bad++;
				fprintf(stderr, "vmlab cpu run: %s iteration %lld: %s: %s\n", k->name, it,
					bench_status_name(r.status), r.error);
				if (!first_bad)
					first_bad = bench_status_name(r.status);
			}
		}
		failed += bad;
		double mr = median_of(rs, (size_t)nok);

		if (nok && isfinite(mr))
			ratios[nratios++] = mr;
		if (!o->json) {
			struct welford w = { 0 };

			for (int k2 = 0; k2 < nok; k2++)
				welford_add(&w, walls[k2]);
			printf("%-10s %-16s %-5s %3d %10.4f %10.4f %10.4f %8.3f  %s\n", k->name, k->like,
			       bench_size_name(o->size), nok, median_of(walls, (size_t)nok),
			       nok ? w.min : NAN, nok ? w.max : NAN, mr, bad ? first_bad : "ok");
		}
	}
	if (!o->json) {
		printf("\nscore (geometric mean of %d median ratios, %lld cop%s): %.3f\n", nratios, o->copies,
		       o->copies == 1 ? "y" : "ies", nratios ? stats_geomean(ratios, (size_t)nratios) : NAN);
		printf("reference: %s\n", bench_ref_machine);
	}
	rc = failed ? 1 : 0;
	goto out;
fail:
	rc = cli_fail("cpu run", &e);
out:
	free(ratios), free(walls), free(rs);
	return rc;
}

/* Runs the external command once; fills the record fields. Returns 0 when
 * it ran and the metric was found, else 1 with msg set. */
static int run_cmd_once(struct run_opts *o, const regex_t *re, double *wall, double *user,
			double *sys, double *metric, int *status, char *msg, size_t msgsz)
{
	char **argv = o->cmd_argv;
	struct sbuf out = SBUF_INIT, errout = SBUF_INIT;
	struct proc_opts po = { .out = &out, .errout = &errout, .timeout_ms = o->timeout_ns / 1000000 };
	uint64_t u0, s0, u1, s1, t0, t1;
	struct err e = { 0 };
	int rc, ret = 1;

	*metric = NAN;
	*status = -1;
	if (cli_trace_on(&o->tr)) {
		cli_trace_start(&o->tr);
		perfev_enable(&o->tr.set);
	}
	clock_cpu_ns(&u0, &s0);
	t0 = clock_mono_ns();
	rc = proc_run(argv, &po, status, &e);
	t1 = clock_mono_ns();
	clock_cpu_ns(&u1, &s1);
	if (cli_trace_on(&o->tr))
		perfev_disable(&o->tr.set);
	*wall = (double)(t1 - t0) * 1e-9;
	*user = (double)(u1 - u0) * 1e-9;
	*sys = (double)(s1 - s0) * 1e-9;
	if (rc < 0) {
		snprintf(msg, msgsz, "%.250s", e.msg);
		goto out;
	}
	if (*status != 0) {
		if (*status > 128)
			snprintf(msg, msgsz, "command killed by signal %d (%s)", *status - 128,
				 strsignal(*status - 128));
		else
			snprintf(msg, msgsz, "command exited with status %d", *status);
		goto out;
	}
	if (!re) {
		*metric = *wall;
		ret = 0;
		goto out;
	}
	for (int pass = 0; pass < 2; pass++) {
		const char *text = sbuf_str(pass ? &errout : &out);
		regmatch_t m[2];

		if (regexec(re, text, 2, m, 0) == 0 && m[1].rm_so >= 0) {
			char num[64], *end;
			size_t len = (size_t)(m[1].rm_eo - m[1].rm_so);

			if (len >= sizeof(num))
				len = sizeof(num) - 1;
			memcpy(num, text + m[1].rm_so, len);
			num[len] = 0;
			*metric = strtod(num, &end);
			if (end == num || *end || !isfinite(*metric)) {
				snprintf(msg, msgsz, "metric '%s' matched by --metric-regex is not a number", num);
				goto out;
			}
			ret = 0;
			goto out;
		}
	}
	snprintf(msg, msgsz, "--metric-regex matched nothing in the command's output");
out:
	sbuf_free(&out), sbuf_free(&errout);
	return ret;
}

static int run_external(struct run_opts *o)
{
	regex_t re;
	int have_re = 0, failed = 0, rc = 0;
	double *metrics = xcalloc((size_t)o->iterations, sizeof(double));
	int nok = 0;
	const char *mname = o->metric_name ? o->metric_name : o->regex ? "metric" : "wall_s";
	int higher = o->regex ? o->direction > 0 : 0;

	if (o->regex) {
		int e = regcomp(&re, o->regex, REG_EXTENDED);

		if (e) {
			char buf[256];

			regerror(e, &re, buf, sizeof(buf));
			free(metrics);
			return cli_usage_error("cpu run", "--metric-regex '%s': %s", o->regex, buf);
		}
		if (re.re_nsub < 1) {
			regfree(&re);
			free(metrics);
			return cli_usage_error("cpu run", "--metric-regex '%s' has no capture group", o->regex);
		}
		have_re = 1;
	}
	for (long long it = 1; it <= o->iterations + o->warmup; it++) {
		double wall, user, sys, metric;
		int status;
		char msg[256] = "";
		int bad = run_cmd_once(o, have_re ? &re : NULL, &wall, &user, &sys, &metric, &status, msg,
				       sizeof(msg));
		char *counts = cli_trace_on(&o->tr) ? cli_trace_counts(&o->tr, 1, 0) : NULL;
		struct record rec;
		const char *st = !bad ? "ok" : status > 128 ? "crashed" : "error";

		if (it <= o->warmup) {
			free(counts);
			continue;
		}
		record_init(&rec);
		rec.kind = "cmd";
		rec.benchmark = (char *)o->name;
		rec.iteration = it - o->warmup;
		rec.copies = 1;
		rec.wall_s = wall;
		rec.user_s = user;
		rec.sys_s = sys;
		rec.metric = metric;
		rec.metric_name = (char *)mname;
		rec.higher_is_better = higher;
		rec.exit_status = status;
		rec.status = (char *)st;
		if (bad) {
			rec.error = msg;
			fprintf(stderr, "vmlab cpu run: %s iteration %lld: %s: %s\n", o->name, it - o->warmup, st,
				msg);
			failed++;
		} else {
			metrics[nok++] = metric;
		}
		rec.counts = counts;
		rc = emit(o, &rec);
		free(counts);
		if (rc)
			goto out;
	}
	if (!o->json) {
		struct welford w = { 0 };

		for (int k = 0; k < nok; k++)
			welford_add(&w, metrics[k]);
		printf("%-12s %-14s %3s %14s %14s %14s  %s\n", "BENCHMARK", "METRIC", "N", "MEDIAN", "MIN",
		       "MAX", "BETTER");
		printf("%-12s %-14s %3d %14.6g %14.6g %14.6g  %s\n", o->name, mname, nok,
		       median_of(metrics, (size_t)nok), nok ? w.min : NAN, nok ? w.max : NAN,
		       higher ? "higher" : "lower");
	}
	rc = failed ? 1 : 0;
out:
	if (have_re)
		regfree(&re);
	free(metrics);
	return rc;
}

enum { O_SIZE = 256, O_ITER, O_COPIES, O_WARMUP, O_JSON, O_CMD, O_REGEX, O_HIGHER, O_LOWER,
       O_MNAME, O_NAME, O_TIMEOUT, O_PIN };

/* --pin CPUS: the CPUs in xl's CPULIST syntax, in order. A CPU named by
 * number must be one this process may run on; "all" (and "node:0": one node
 * here) means all of those. Returns 0 or the usage-error status. */
static int parse_pin(const char *s, struct bench_bind *bind)
{
	struct cpulist l = { 0 };
	struct err e = { 0 };
	cpu_set_t allowed;
	bool set[CPU_SETSIZE];
	int col = 0;
	long max;

	if (cpulist_parse(s, &l, &col, &e) < 0)
		return cli_usage_error("cpu run", "--pin '%s': column %d: %s", s, col, e.msg);
	max = cpulist_max(&l, false);
	memset(set, 0, sizeof(set));
	cpulist_apply(&l, CPU_SETSIZE, NULL, set);
	cpulist_free(&l);
	if (max >= CPU_SETSIZE)
		return cli_usage_error("cpu run", "--pin '%s': CPU %ld is beyond %d", s, max, CPU_SETSIZE - 1);
	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
		CPU_ZERO(&allowed);
	bind->n = 0;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!set[c] || (!CPU_ISSET(c, &allowed) && c > max))
			continue;
		if (!CPU_ISSET(c, &allowed))
			return cli_usage_error("cpu run", "--pin '%s': CPU %d is not one this process may run on "
					       "(see nproc and taskset -p)", s, c);
		if (bind->n < (int)(sizeof(bind->cpus) / sizeof(bind->cpus[0])))
			bind->cpus[bind->n++] = c;
	}
	if (!bind->n)
		return cli_usage_error("cpu run", "--pin '%s' names no CPU", s);
	return 0;
}

/* Splits --cmd into its argv (an unterminated quote or no word is a usage
 * error) and runs it. */
static int run_cmd_words(struct run_opts *op)
{
	struct err e = { 0 };
	int n, rc;

	if (words_split(op->cmd, &op->cmd_argv, &n, &e))
		return cli_usage_error("cpu run", "--cmd: %s", e.msg);
	if (n == 0)
		rc = cli_usage_error("cpu run", "--cmd: no command");
	else
		rc = run_external(op);
	argv_free(op->cmd_argv);
	op->cmd_argv = NULL;
	return rc;
}

/* vmlab cpu run with the options parsed into op; rp: the positionals. */
static int run_parsed(struct run_opts *op, const struct opt_res *rp)
{
	const struct bench_ops **list;
	int n = 0, rc;
	const char *env;

	if (op->pin && (rc = parse_pin(op->pin, &op->bind)))
		return rc;
	op->size = (enum bench_size)(BENCH_TEST + op->size_word);
	op->direction = op->higher && op->lower ? 2 : op->higher ? 1 : op->lower ? -1 : 0;
	if (op->direction == 2)
		return cli_usage_error("cpu run", "--higher-is-better and --lower-is-better exclude each other");
	if (op->cmd) {
		if (rp->npos)
			return cli_usage_error("cpu run", "--cmd takes no benchmark names ('%s')", rp->pos[0]);
		if (opt_given(run_opts_tab, rp, "size") || op->copies != 1 || op->pin)
			return cli_usage_error("cpu run", "--size, --copies and --pin apply to built-in kernels only");
		if (op->regex && !op->direction)
			return cli_usage_error("cpu run",
					       "--metric-regex needs --higher-is-better or --lower-is-better");
		if (!op->regex && (op->direction || op->metric_name))
			return cli_usage_error("cpu run", "metric options need --metric-regex");
		return run_cmd_words(op);
	}
	if (op->regex || op->direction || op->metric_name || op->timeout_ns)
		return cli_usage_error("cpu run", "--metric-regex, --*-is-better, --metric-name and --timeout need --cmd");
	list = xcalloc((size_t)rp->npos + 16, sizeof(*list));
	if (!rp->npos) {
		for (const struct bench_ops *const *b = bench_suite; *b; b++)
			if (!(*b)->not_scored)
				list[n++] = *b;
	}
	for (int k = 0; k < rp->npos; k++) {
		if (!(list[n++] = bench_find(rp->pos[k]))) {
			free(list);
			return cli_usage_error("cpu run", "unknown benchmark '%s' (see 'vmlab cpu list')",
					       rp->pos[k]);
		}
	}
	/* Test hook documented in vmlab-cpu(1): proves that mismatches are caught. */
	if ((env = getenv("VMLAB_CPU_CORRUPT_CHECKSUM")) && *env)
		bench_checksum_xor = 1;
	rc = run_suite(op, list, n);
	free(list);
	return rc;
}

static int run_main(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct opt_res r;
	int rc = cli_opts("cpu run", &help, &o, argc, argv, &r);

	if (rc != CLI_GO)
		return rc;
	if ((rc = cli_trace_init("cpu run", &o.trace, &o.tr)) == CLI_GO)
		rc = run_parsed(&o, &r);
	cli_trace_free(&o.tr);
	opt_free(run_opts_tab, &o);
	return rc;
}

static const struct subcmd subs[] = {
	{ "list", list_main },
	{ "run", run_main },
	{ 0 },
};

static int run(int argc, char **argv)
{
	char *u = cli_usage_str(&help);
	int rc = subcmd_dispatch("cpu", u, subs, argc, argv);

	free(u);
	return rc;
}

const struct cmd cmd_cpu = { "cpu", "run the CPU benchmark suite or an external benchmark", NULL, run,
			     .help = &help };
