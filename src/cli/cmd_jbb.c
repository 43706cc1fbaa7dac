/* vmlab jbb: the SPECjbb2005-style workload, or a real SPECjbb kit's result. */
#include "base/fileio.h"
#include "base/json.h"
#include "base/proc.h"
#include "base/sshargv.h"
#include "base/words.h"
#include "bench/jbb_args.h"
#include "bench/jbb_kit.h"
#include "bench/jbb_run.h"
#include "cli/cmd.h"
#include "measure/clock.h"
#include "run/record.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_usage help = {
	"usage: vmlab jbb [--warehouses A..B] [--rampup D] [--measure D] [--json] [-o FILE]\n"
	"       vmlab jbb --mode critical [--warehouses N] [--steps K] ...\n"
	"       vmlab jbb --cmd 'java -jar specjbb2005.jar ...' | --parse FILE\n"
	"Runs vmlab's open SPECjbb2005-style workload: a wholesale company with one\n"
	"warehouse (about 27 MB of tables) per thread, no think time, SPECjbb2005's\n"
	"transaction mix; a point per warehouse count, each with a ramp-up and a\n"
	"measurement; throughput in business operations per second (bops) per point\n"
	"and SPECjbb2005's metric, the mean of the points from N to 2N warehouses\n"
	"(N: the expected peak, the CPUs vmlab may run on). Every warehouse's\n"
	"invariants (stock, order and money totals) are verified after each point;\n"
	"a violated one makes the run invalid. --mode critical steps the injection\n"
	"rate and reports the geometric mean of the largest throughput meeting\n"
	"p99 <= 10, 25, 50, 75 and 100 ms.\n\n",
	jbb_arg_opts,
	"\nExit status: 0 ok, 1 the run was invalid, interrupted or found no figure\n"
	"(a response-time limit never met; the kit failed), 2 bad usage or a kit\n"
	"output vmlab cannot read. See vmlab-jbb(1).\n",
};

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

/* Percentiles of h in ms into q[4]: p50, p90, p99, max. */
static void quants(const struct hist *h, double q[4])
{
	q[0] = ms(hist_quantile(h, 0.50));
	q[1] = ms(hist_quantile(h, 0.90));
	q[2] = ms(hist_quantile(h, 0.99));
	q[3] = h->total ? ms(h->max) : 0;
}

static void print_point(const struct jbb_point *p, bool in_metric)
{
	struct hist *h = xmalloc(sizeof(*h));
	double q[4];

	jbb_point_hist(p, h);
	quants(h, q);
	free(h);
	printf("  %c%9u %12.0f %10.3f %10.3f %10.3f %10.3f %8llu %8.1f  %s\n", in_metric ? '*' : ' ',
	       p->warehouses, p->bops, q[0], q[1], q[2], q[3], (unsigned long long)p->errors,
	       p->check_s * 1e3, p->valid ? "valid" : "INVALID");
	fflush(stdout);
}

static void print_types(const struct jbb_point *p)
{
	printf("\nresponse times at %u warehouses (ms):\n  %-13s %10s %10s %10s %10s %10s\n",
	       p->warehouses, "TRANSACTION", "COUNT", "P50", "P90", "P99", "MAX");
	for (unsigned t = 0; t < JBB_NTX; t++) {
		double q[4];
		quants(&p->hist[t], q);
		printf("  %-13s %10llu %10.3f %10.3f %10.3f %10.3f\n", jbb_tx_names[t],
		       (unsigned long long)p->ops[t], q[0], q[1], q[2], q[3]);
	}
}

/* p as a JSON object: counts and response times per transaction type. */
static void point_json(const struct jbb_point *p, struct sbuf *o)
{
	struct hist *h = xmalloc(sizeof(*h));
	double q[4];

	sbuf_printf(o, "{\"warehouses\":%u,\"rate\":", p->warehouses);
	json_put_num(o, p->rate);
	sbuf_puts(o, ",\"bops\":");
	json_put_num(o, round(p->bops * 100) / 100);
	sbuf_puts(o, ",\"seconds\":");
	json_put_num(o, round(p->seconds * 1e6) / 1e6);
	sbuf_printf(o, ",\"t0_real_ns\":%llu,\"t1_real_ns\":%llu,\"late_ns\":%lld",
		    (unsigned long long)p->t0_real_ns, (unsigned long long)p->t1_real_ns, (long long)p->late_ns);
	jbb_point_hist(p, h);
	quants(h, q);
	sbuf_printf(o, ",\"p50_ms\":%.4f,\"p90_ms\":%.4f,\"p99_ms\":%.4f,\"max_ms\":%.4f", q[0], q[1],
		    q[2], q[3]);
	sbuf_printf(o, ",\"errors\":%llu,\"check_s\":%.6f,\"bytes\":%zu,\"valid\":%s",
		    (unsigned long long)p->errors, p->check_s, p->bytes, p->valid ? "true" : "false");
	if (!p->valid) {
		sbuf_puts(o, ",\"error\":");
		json_put_str(o, p->error);
	}
	sbuf_puts(o, ",\"tx\":{");
	for (unsigned t = 0; t < JBB_NTX; t++) {
		quants(&p->hist[t], q);
		sbuf_printf(o, "%s\"%s\":{\"count\":%llu,\"p50_ms\":%.4f,\"p90_ms\":%.4f,\"p99_ms\":%.4f,"
			    "\"max_ms\":%.4f}", t ? "," : "", jbb_tx_names[t],
			    (unsigned long long)p->ops[t], q[0], q[1], q[2], q[3]);
	}
	sbuf_puts(o, "}}");
	free(h);
}

/* A finished run: its points and figures, and what the record says. */
struct outcome {
	struct jbb_point *pts;
	size_t n;
	double metric;
	const char *metric_name, *unit, *status;
	char error[600];
	struct record rec;            /* extras added by the run; the rest at the end */
	uint64_t t0, u0, s0;
};

static void points_extra(struct outcome *oc, const char *key)
{
	struct sbuf v = SBUF_INIT;

	sbuf_putc(&v, '[');
	for (size_t i = 0; i < oc->n; i++) {
		if (i)
			sbuf_putc(&v, ',');
		point_json(&oc->pts[i], &v);
	}
	sbuf_putc(&v, ']');
	record_add_raw(&oc->rec, key, sbuf_str(&v));
	sbuf_free(&v);
}

/* The first invalid or interrupted point decides the status. */
static bool points_ok(struct outcome *oc)
{
	for (size_t i = 0; i < oc->n; i++) {
		if (!oc->pts[i].valid) {
			oc->status = "invalid";
			snprintf(oc->error, sizeof(oc->error), "%u warehouses: %s", oc->pts[i].warehouses,
				 oc->pts[i].error);
			return false;
		}
		if (oc->pts[i].interrupted) {
			oc->status = "interrupted";
			snprintf(oc->error, sizeof(oc->error), "interrupted at %u warehouses",
				 oc->pts[i].warehouses);
			return false;
		}
	}
	return true;
}

/* Runs one point and appends it to oc; -errno when it could not run (e). */
static int add_point(struct outcome *oc, const struct jbb_opts *o, unsigned w, double rate,
		     struct err *e)
{
	struct jbb_point p;
	int rc = jbb_point_run(o, w, rate, &p, e);

	if (rc)
		return rc;
	oc->pts = xrealloc(oc->pts, (oc->n + 1) * sizeof(*oc->pts));
	oc->pts[oc->n++] = p;
	return 0;
}

/* The point at the expected peak, else the last one. */
static const struct jbb_point *peak_point(const struct outcome *oc, unsigned peak)
{
	for (size_t i = 0; i < oc->n; i++)
		if (oc->pts[i].warehouses == peak)
			return &oc->pts[i];
	return &oc->pts[oc->n - 1];
}

static void table_head(bool json)
{
	if (!json)
		printf("  %10s %12s %10s %10s %10s %10s %8s %8s\n", "WAREHOUSES", "BOPS", "P50_MS",
		       "P90_MS", "P99_MS", "MAX_MS", "ERRORS", "CHECK_MS");
}

/* SPECjbb2005's points A..B and metric. */
static int run_throughput(const struct jbb_args *a, const struct jbb_opts *o, struct outcome *oc,
			  struct err *e)
{
	unsigned counted, want = a->peak + 1;
	int rc = 0;

	if (!a->json)
		printf("vmlab jbb: warehouses %u..%u, expected peak N = %u, ramp-up %.3g s, "
		       "measurement %.3g s per point\n", a->wh_from, a->wh_to, a->peak,
		       (double)a->rampup_ns / 1e9, (double)a->measure_ns / 1e9);
	table_head(a->json);
	for (unsigned w = a->wh_from; w <= a->wh_to && !rc && !(o->stop && *o->stop); w++) {
		rc = add_point(oc, o, w, 0, e);
		if (!rc && !a->json)
			print_point(&oc->pts[oc->n - 1], w >= a->peak && w <= 2 * a->peak);
		if (!rc && !oc->pts[oc->n - 1].valid)
			break;
	}
	if (rc)
		return rc;
	oc->metric_name = "bops";
	oc->unit = "bops";
	oc->metric = jbb_metric(oc->pts, oc->n, a->peak, &counted);
	points_extra(oc, "points");
	record_add_num(&oc->rec, "peak", a->peak);
	record_add_num(&oc->rec, "metric_points", counted);
	record_add_num(&oc->rec, "metric_points_expected", want);
	if (!points_ok(oc))
		return 0;
	if (!counted) {
		oc->status = "incomplete";
		snprintf(oc->error, sizeof(oc->error), "no point from N = %u to 2N = %u warehouses was "
			 "run: no SPECjbb2005 metric", a->peak, 2 * a->peak);
		return 0;
	}
	if (!a->json) {
		print_types(peak_point(oc, a->peak));
		printf("\nbops = %.0f (SPECjbb2005's metric: mean of the points %u..%u", oc->metric,
		       a->peak, 2 * a->peak);
		if (counted < want)
			printf("; only %u of those %u points were run, the mean is over them; "
			       "SPECjbb2005 would count the missing ones as 0", counted, want);
		printf(")\nvalid: every warehouse's invariants held after each point\n");
	}
	return 0;
}

static void print_critical(const struct outcome *oc, const double jops[JBB_NSLA],
			   const bool met[JBB_NSLA])
{
	printf("\n");
	for (unsigned k = 0; k < JBB_NSLA; k++)
		if (met[k])
			printf("  p99 <= %3.0f ms: %.0f jOPS\n", jbb_sla_ms[k], jops[k]);
		else
			printf("  p99 <= %3.0f ms: never met\n", jbb_sla_ms[k]);
	if (isnan(oc->metric))
		printf("critical-jOPS: none (a limit was never met)\n");
	else
		printf("critical-jOPS = %.0f (geometric mean of the five)\n", oc->metric);
}

/* Full speed once (hbIR), then K steps of hbIR/K..hbIR; the critical figure. */
static int run_critical(const struct jbb_args *a, const struct jbb_opts *o, struct outcome *oc,
			struct err *e)
{
	double jops[JBB_NSLA], hbir, max = 0;
	bool met[JBB_NSLA];
	struct sbuf v = SBUF_INIT;
	int rc;

	if (!a->json)
		printf("vmlab jbb --mode critical: %u warehouses, full speed then %u injection rates, "
		       "ramp-up %.3g s, measurement %.3g s each\n", a->wh_from, a->steps,
		       (double)a->rampup_ns / 1e9, (double)a->measure_ns / 1e9);
	table_head(a->json);
	if ((rc = add_point(oc, o, a->wh_from, 0, e)))
		return rc;
	hbir = oc->pts[0].bops;
	if (!a->json)
		print_point(&oc->pts[0], false);
	for (unsigned k = 1; k <= a->steps && !rc && oc->pts[oc->n - 1].valid &&
			     !(o->stop && *o->stop); k++) {
		rc = add_point(oc, o, a->wh_from, hbir * k / a->steps, e);
		if (!rc && !a->json)
			print_point(&oc->pts[oc->n - 1], false);
	}
	if (rc)
		return rc;
	for (size_t i = 1; i < oc->n; i++)
		max = oc->pts[i].bops > max ? oc->pts[i].bops : max;
	oc->metric = jbb_critical(oc->pts + 1, oc->n - 1, jops, met);
	oc->metric_name = "critical-jOPS";
	oc->unit = "jOPS";
	points_extra(oc, "steps");
	record_add_num(&oc->rec, "hbir", round(hbir));
	record_add_num(&oc->rec, "max_jops", round(max));
	sbuf_putc(&v, '[');
	for (unsigned k = 0; k < JBB_NSLA; k++) {
		sbuf_printf(&v, "%s{\"p99_ms\":%.0f,\"jops\":", k ? "," : "", jbb_sla_ms[k]);
		json_put_num(&v, met[k] ? round(jops[k]) : NAN);
		sbuf_printf(&v, ",\"met\":%s}", met[k] ? "true" : "false");
	}
	sbuf_putc(&v, ']');
	record_add_raw(&oc->rec, "sla", sbuf_str(&v));
	sbuf_free(&v);
	if (!points_ok(oc))
		return 0;
	if (!a->json)
		print_critical(oc, jops, met);
	if (isnan(oc->metric)) {
		oc->status = "incomplete";
		for (unsigned k = 0; k < JBB_NSLA && !oc->error[0]; k++)
			if (!met[k])
				snprintf(oc->error, sizeof(oc->error), "p99 <= %.0f ms was never met at any of "
					 "the %u injection rates: no critical-jOPS", jbb_sla_ms[k], a->steps);
	}
	return 0;
}

/* A kit's output: from --parse FILE, or from running --cmd (its stdout and
 * stderr). Returns 0, 1 after printing why the kit failed, or 2. */
static int kit_output(const struct jbb_args *a, struct sbuf *out, char name[256])
{
	struct err e = { 0, "" };
	char **argv;
	int n, st = 0;

	if (a->parse) {
		snprintf(name, 256, "%s", a->parse);
		if (file_read(a->parse, out, &e))
			return cli_fail("jbb", &e);
		return 0;
	}
	if (words_split(a->cmd, &argv, &n, &e))
		return cli_usage_error("jbb", "--cmd: %s", e.msg);
	if (!n) {
		argv_free(argv);
		return cli_usage_error("jbb", "--cmd: an empty command");
	}
	snprintf(name, 256, "%s output", argv[0]);
	struct proc_opts po = { .out = out, .errout = out, .timeout_ms = a->timeout_ns / 1000000 };
	if (proc_run(argv, &po, &st, &e) || st) {
		if (!e.msg[0])
			snprintf(e.msg, sizeof(e.msg), "'%s' exited with status %d", argv[0], st);
		fputs(sbuf_str(out), stderr);
		fprintf(stderr, "vmlab jbb: %s\n", e.msg);
		argv_free(argv);
		return 1;
	}
	argv_free(argv);
	return 0;
}

/* The kit's figures into oc (benchmark name into *bench). */
static void kit_outcome(const struct jbb_kit_result *k, const struct jbb_args *a,
			struct outcome *oc, const char **bench)
{
	struct sbuf v = SBUF_INIT;

	if (k->version == 2005) {
		*bench = "specjbb2005";
		oc->metric = k->score;
		oc->metric_name = oc->unit = "bops";
		sbuf_putc(&v, '[');
		for (size_t i = 0; i < k->npoints; i++)
			sbuf_printf(&v, "%s{\"warehouses\":%u,\"bops\":%.17g,\"in_metric\":%s}",
				    i ? "," : "", k->points[i].warehouses, k->points[i].bops,
				    k->points[i].in_metric ? "true" : "false");
		sbuf_putc(&v, ']');
		record_add_raw(&oc->rec, "points", sbuf_str(&v));
		record_add_num(&oc->rec, "bops_per_jvm", k->score_per_jvm);
		if (!a->json) {
			printf("SPECjbb2005 (kit): %zu points\n", k->npoints);
			for (size_t i = 0; i < k->npoints; i++)
				printf("  %c%9u %12.0f\n", k->points[i].in_metric ? '*' : ' ',
				       k->points[i].warehouses, k->points[i].bops);
			printf("SPECjbb2005 bops = %.0f\n", k->score);
		}
	} else {
		*bench = "specjbb2015";
		oc->metric = k->critical_jops;
		oc->metric_name = "critical-jOPS";
		oc->unit = "jOPS";
		record_add_num(&oc->rec, "max_jops", k->max_jops);
		record_add_num(&oc->rec, "hbir", k->hbir_max);
		record_add_num(&oc->rec, "hbir_settled", k->hbir_settled);
		if (!a->json)
			printf("SPECjbb2015 (kit): max-jOPS = %.0f, critical-jOPS = %.0f\n", k->max_jops,
			       k->critical_jops);
	}
	sbuf_free(&v);
}

/* --cmd or --parse. Returns the exit status. */
static int run_kit(const struct jbb_args *a, struct outcome *oc, const char **bench)
{
	struct sbuf out = SBUF_INIT;
	struct jbb_kit_result k;
	struct err e = { 0, "" };
	char name[256];
	int rc = kit_output(a, &out, name);

	if (rc) {
		sbuf_free(&out);
		return rc;
	}
	if (jbb_kit_parse(out.buf ? out.buf : "", out.len, name, &k, &e)) {
		sbuf_free(&out);
		fprintf(stderr, "vmlab jbb: %s\n", e.msg);
		return 2;
	}
	sbuf_free(&out);
	kit_outcome(&k, a, oc, bench);
	jbb_kit_free(&k);
	return -1;
}

/* Completes oc's record, prints it (--json) and appends it (-o). Returns the
 * exit status. */
static int finish(const struct jbb_args *a, struct outcome *oc, const char *bench, bool own)
{
	struct record *r = &oc->rec;
	struct sbuf j = SBUF_INIT;
	uint64_t u1, s1;
	int st = strcmp(oc->status, "ok") ? 1 : 0;

	clock_cpu_ns(&u1, &s1);
	r->kind = "jbb";
	r->benchmark = (char *)bench;
	r->wall_s = (double)(clock_mono_ns() - oc->t0) / 1e9;
	r->user_s = (double)(u1 - oc->u0) / 1e9;
	r->sys_s = (double)(s1 - oc->s0) / 1e9;
	r->metric = st ? NAN : oc->metric;
	r->metric_name = (char *)oc->metric_name;
	r->unit = (char *)oc->unit;
	r->higher_is_better = 1;
	r->checksum_ok = own ? strcmp(oc->status, "invalid") != 0 : -1;
	r->status = (char *)oc->status;
	r->error = oc->error[0] ? oc->error : NULL;
	record_add_str(r, "mode", own ? (a->mode == JBB_MODE_CRITICAL ? "critical" : "throughput") : "kit");
	if (own)
		record_add_raw(r, "valid", r->checksum_ok ? "true" : "false");
	record_to_json(r, &j);
	if (a->json)
		fputs(sbuf_str(&j), stdout);
	if (st)
		fprintf(stderr, "vmlab jbb: %s: %s\n", oc->status, oc->error);
	if (a->output) {
		struct err e = { 0, "" };
		if (file_append_sync(a->output, j.buf, j.len, &e))
			st = cli_fail("jbb", &e);
	}
	sbuf_free(&j);
	return st;
}

static void outcome_free(struct outcome *oc)
{
	for (size_t i = 0; i < oc->n; i++)
		jbb_point_free(&oc->pts[i]);
	free(oc->pts);
	for (size_t k = 0; k < oc->rec.nextras; k++) {
		free(oc->rec.extras[k].key);
		free(oc->rec.extras[k].json);
	}
	free(oc->rec.extras);
}

static int run(int argc, char **argv)
{
	struct jbb_args a = { 0 };
	struct outcome oc = { .status = "ok" };
	struct jbb_opts o = { .dims = jbb_dims_default, .stop = &cli_stop };
	struct err e = { 0, "" };
	const char *bench = "jbb";
	int rc = cli_opts_npos("jbb", &help, &a, argc, argv, NULL, 0, 0, NULL, NULL);

	if (rc != CLI_GO)
		return rc;
	if (jbb_args_finish(&a, &e))
		return cli_usage_error("jbb", "%s", e.msg);
	record_init(&oc.rec);
	oc.t0 = clock_mono_ns();
	clock_cpu_ns(&oc.u0, &oc.s0);
	cli_stop_on_signals();
	o.rampup_ns = a.rampup_ns;
	o.measure_ns = a.measure_ns;
	o.seed = a.seed;
	o.start_at_ns = (uint64_t)(a.start_at * 1e9);
	if (a.cmd || a.parse)
		rc = run_kit(&a, &oc, &bench);
	else if (a.mode == JBB_MODE_CRITICAL)
		rc = run_critical(&a, &o, &oc, &e) ? cli_fail("jbb", &e) : -1;
	else
		rc = run_throughput(&a, &o, &oc, &e) ? cli_fail("jbb", &e) : -1;
	if (rc < 0)
		rc = finish(&a, &oc, bench, !a.cmd && !a.parse);
	outcome_free(&oc);
	return rc;
}

const struct cmd cmd_jbb = { "jbb", "the SPECjbb2005-style workload, or a SPECjbb kit's result",
			     NULL, run, .help = &help };
