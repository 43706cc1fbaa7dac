/* vmlab qos measure: the protected guest's jbb throughput beside the other
 * guest, as a fraction of native (dom0, the guests idle) and of its solo
 * run; both guests start at one barrier; the start skew is reported. */
#include "cli/cmd.h"
#include "cli/qos_cli.h"
#include "cli/subcmd.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#define F(x) offsetof(struct qos_opts, x)
static const struct opt measure_tab[] = {
	{ "protect", 0, OPT_STRING, F(protect), .metavar = "GUEST", .help = "the protected guest A (a testbed guest)" },
	{ "against", 0, OPT_STRING, F(against), .metavar = "GUEST", .help = "the other guest B, run beside A" },
	{ "runs", 'n', OPT_UINT, F(runs), .def = "3", .min = 1, .max = 100, .metavar = "N",
	  .help = "repetitions of each phase (native, A alone, B alone, both)" },
	{ "warehouses", 'w', OPT_UINT, F(warehouses), .def = "0", .min = 0, .max = 256, .metavar = "W",
	  .help = "jbb warehouses (threads) of every run (default: A's vCPUs)" },
	{ "rampup", 0, OPT_DURATION, F(rampup_ns), .def = "10s", .min = 0, .max = 3600e9, .metavar = "D",
	  .help = "jbb ramp-up of every run, not measured" },
	{ "measure", 0, OPT_DURATION, F(measure_ns), .def = "30s", .min = 1e9, .max = 86400e9, .metavar = "D",
	  .help = "jbb measurement interval of every run" },
	{ "lead", 0, OPT_DURATION, F(lead_ns), .def = "30s", .min = 1e9, .max = 3600e9, .metavar = "D",
	  .help = "the barrier: the common start time is sent this far ahead (covers ssh and table building)" },
	{ "output", 'o', OPT_STRING, F(output), .metavar = "FILE",
	  .help = "append every trial to FILE (fsync'd); trials FILE holds already are not run again" },
	{ 0 },
};
#undef F

static const struct cli_usage measure_help = {
	"usage: vmlab qos measure --protect A --against B [-n N] [-w W] [--rampup D] [--measure D]\n"
	"                         [--lead D] [-o FILE]\n"
	"Runs vmlab jbb (W warehouses, one point) natively (the testbed's dom0, the guests\n"
	"idle), in guest A alone, in guest B alone, then in both at once, started at one\n"
	"barrier: each guest gets the same start time ahead over ssh and sleeps until it.\n"
	"Each phase N times. Reports A's throughput beside B as a fraction of native and\n"
	"of its solo run (median, min, max, CI), B's likewise, and the barrier's start\n"
	"skew and the overlap of the two measured intervals.\n\n",
	measure_tab,
	"\nExit status: 0 measured, 1 a run failed or was invalid, 2 bad usage, an\n"
	"unknown guest or a malformed trial file (nothing run). See vmlab-qos(1).\n",
};

/* The valid values of field f (0 bops_a, 1 bops_b, 2 skew, 3 overlap) of phase p over runs 1..n. */
static size_t values(const struct qos_book *b, int p, unsigned n, int f, double div, double *v)
{
	size_t m = 0;

	for (unsigned r = 1; r <= n; r++) {
		const struct qos_trial *t = qos_trial_find(b->ts, b->n, b->config, p, "default", (int)r);
		double x;

		if (!t || !t->valid)
			continue;
		x = f == 0 ? t->bops_a : f == 1 ? t->bops_b : f == 2 ? t->skew_ms : t->overlap;
		if (isfinite(x))
			v[m++] = x / div;
	}
	return m;
}

static double median_of(const struct qos_book *b, int p, unsigned n, int f)
{
	double *v = xcalloc(n + 1, sizeof(*v)), med;
	size_t m = values(b, p, n, f, 1, v);
	struct qos_stats s;

	qos_stats_of(v, m, &s);
	med = s.median;
	free(v);
	return med;
}

static void report(const struct qos_opts *o, const struct qos_book *b)
{
	unsigned n = o->runs;
	double *v = xcalloc(n + 1, sizeof(*v));
	double native = median_of(b, QOS_NATIVE, n, 0), solo_a = median_of(b, QOS_SOLO_A, n, 0);
	double solo_b = median_of(b, QOS_SOLO_B, n, 1);
	size_t m;

	printf("\nvmlab qos measure: %s (testbed numbers: emulated CPUs, dom0 shares the pCPUs)\n", b->config);
	printf("  native (dom0) %.0f bops, %s alone %.0f bops, %s alone %.0f bops (medians)\n", native, o->protect,
	       solo_a, o->against, solo_b);
	m = values(b, QOS_PAIR, n, 0, native, v);
	qos_cli_print_stats("A beside B / native", v, m, "");
	m = values(b, QOS_PAIR, n, 0, solo_a, v);
	qos_cli_print_stats("A beside B / A alone", v, m, "");
	m = values(b, QOS_PAIR, n, 1, native, v);
	qos_cli_print_stats("B beside A / native", v, m, "");
	m = values(b, QOS_PAIR, n, 1, solo_b, v);
	qos_cli_print_stats("B beside A / B alone", v, m, "");
	m = values(b, QOS_PAIR, n, 2, 1, v);
	qos_cli_print_stats("start skew", v, m, " ms");
	m = values(b, QOS_PAIR, n, 3, 1, v);
	qos_cli_print_stats("overlap of the intervals", v, m, "");
	free(v);
}

int qos_measure_main(int argc, char **argv)
{
	static const char sub[] = "qos measure";
	struct qos_opts o = { 0 };
	struct qos_book b;
	struct qos_lab *l = NULL;
	struct qos_jbb j;
	struct err e = { 0 };
	struct sbuf found = SBUF_INIT;
	int st, invalid = 0;

	if ((st = cli_opts_npos(sub, &measure_help, &o, argc, argv, NULL, 0, 0, NULL, NULL)) != CLI_GO)
		return st;
	if ((st = qos_cli_begin(sub, &o, &b)) != CLI_GO)
		return st;
	if (qos_lab_open(&l, o.protect, o.against, &e) < 0) {
		qos_cli_end(&b);
		return cli_fail(sub, &e);
	}
	if (qos_lab_snapshot(l, &e) < 0) {
		qos_lab_close(l);
		qos_cli_end(&b);
		return cli_fail(sub, &e);
	}
	qos_lab_found_json(l, &found);
	cli_stop_on_signals();
	qos_cli_jbb(&o, l, &b, &j);
	printf("vmlab qos measure: %s; %u runs of each phase\n", b.config, o.runs);
	printf("settings as found (each trial's readback): %s\n", sbuf_str(&found));
	st = 0;
	for (int p = 0; p < QOS_NPHASES && !st; p++)
		for (unsigned r = 1; r <= o.runs && !st; r++) {
			const struct qos_trial *t;

			if (cli_stop) {
				fprintf(stderr, "vmlab %s: interrupted; the same command goes on from here\n", sub);
				st = 1;
				break;
			}
			if (!(st = qos_cli_trial(&b, l, &j, p, "default", (int)r, sbuf_str(&found), &t)))
				invalid += !t->valid;
		}
	if (!st)
		report(&o, &b);
	if (!st && invalid) {
		fprintf(stderr, "vmlab %s: %d runs were invalid (a jbb invariant failed or no figure)\n", sub,
			invalid);
		st = 1;
	}
	qos_lab_close(l);
	qos_cli_end(&b);
	sbuf_free(&found);
	return st;
}
