/* vmlab qos tune: searches scheduler settings from least to most intrusive
 * until one keeps the protected guest at the SLA in K of K runs, or reports
 * the guaranteed minimum; resumable from its trial file. */
#include "cli/cmd.h"
#include "cli/qos_cli.h"
#include "cli/subcmd.h"
#include "base/json.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const ofs[] = { "native", "solo", NULL };

#define F(x) offsetof(struct qos_opts, x)
static const struct opt tune_tab[] = {
	{ "protect", 0, OPT_STRING, F(protect), .metavar = "GUEST", .help = "the protected guest A (a testbed guest)" },
	{ "against", 0, OPT_STRING, F(against), .metavar = "GUEST", .help = "the other guest B, run beside A" },
	{ "sla", 0, OPT_DOUBLE, F(sla), .def = "0.8", .min = 0.01, .max = 1, .metavar = "F",
	  .help = "the share of the reference A must keep beside B (0.01..1)" },
	{ "of", 0, OPT_ENUM, F(of), .def = "native", .words = ofs, .metavar = "REF",
	  .help = "the reference: native (dom0, the guests idle) or solo (A alone)" },
	{ "runs", 0, OPT_UINT, F(runs), .def = "3", .min = 1, .max = 100, .metavar = "K",
	  .help = "a setting holds when K of K runs keep the SLA; also the reference's runs" },
	{ "warehouses", 'w', OPT_UINT, F(warehouses), .def = "0", .min = 0, .max = 256, .metavar = "W",
	  .help = "jbb warehouses (threads) of every run (default: A's vCPUs)" },
	{ "rampup", 0, OPT_DURATION, F(rampup_ns), .def = "10s", .min = 0, .max = 3600e9, .metavar = "D",
	  .help = "jbb ramp-up of every run, not measured" },
	{ "measure", 0, OPT_DURATION, F(measure_ns), .def = "30s", .min = 1e9, .max = 86400e9, .metavar = "D",
	  .help = "jbb measurement interval of every run" },
	{ "lead", 0, OPT_DURATION, F(lead_ns), .def = "30s", .min = 1e9, .max = 3600e9, .metavar = "D",
	  .help = "the barrier: the common start time is sent this far ahead" },
	{ "output", 'o', OPT_STRING, F(output), .def = "qos-tune.jsonl", .metavar = "FILE",
	  .help = "the trial file: every trial appended (fsync'd); the same command again skips what it holds" },
	{ "keep", 0, OPT_FLAG, F(keep), .help = "leave the setting that holds applied (default: the originals come back)" },
	{ 0 },
};
#undef F

static const struct cli_usage tune_help = {
	"usage: vmlab qos tune --protect A --against B [--sla F] [--of native|solo] [--runs K]\n"
	"                      [-w W] [--rampup D] [--measure D] [--lead D] [-o FILE] [--keep]\n"
	"Measures the reference (native or A alone, K runs), then tries settings from\n"
	"least to most intrusive: Xen's defaults; credit2 weight ratios A:B 2:1, 4:1,\n"
	"16:1; caps on B; disjoint hard pinning; a cpupool per guest; credit in A's\n"
	"pool; pinning with dom0's vCPUs pinned onto B's CPUs. Each is applied through\n"
	"vmlab sched's path (checked, read back, undone on failure), both guests run jbb\n"
	"at one barrier K times, and the search stops at the first setting that keeps A\n"
	"at F of the reference in every run. If none does it says so and reports the\n"
	"guaranteed minimum: the largest fraction the best setting kept in every run.\n\n",
	tune_tab,
	"\nExit status: 0 a setting holds the SLA, 1 none does (the guaranteed minimum is\n"
	"printed) or a run failed, 2 bad usage, an unknown guest or a malformed trial\n"
	"file (nothing changed). See vmlab-qos(1).\n",
};

/* The runs of candidate c; a setting the host refuses is recorded as K
 * invalid runs. 0 or the exit status. */
static int try_setting(struct qos_book *b, struct qos_lab *l, const struct qos_jbb *j, const struct qos_opts *o,
		       const struct qos_candidate *c, double ref)
{
	struct sbuf rb = SBUF_INIT, what = SBUF_INIT;
	struct err e = { 0 };
	int st = 0, applied = 0;

	qos_candidate_describe(c, o->protect, o->against, &what);
	printf("setting %s: %s\n", c->name, sbuf_str(&what));
	if (c->npools || c->a.set || c->b.set || c->dom0.set) {
		if (qos_lab_apply(l, c, &rb, &e) < 0) {
			struct sbuf x = SBUF_INIT;

			printf("  refused: %s\n", e.msg);
			sbuf_puts(&x, "{\"error\":");
			json_put_str(&x, e.msg);
			sbuf_putc(&x, '}');
			for (unsigned r = 1; r <= o->runs && !st; r++) {
				struct qos_trial t = { .phase = QOS_PAIR, .run = (int)r, .bops_a = NAN, .bops_b = NAN,
						       .skew_ms = NAN, .overlap = NAN, .late_ms = NAN };

				snprintf(t.config, sizeof(t.config), "%s", b->config);
				snprintf(t.setting, sizeof(t.setting), "%s", c->name);
				if (!qos_trial_find(b->ts, b->n, b->config, QOS_PAIR, c->name, (int)r))
					st = qos_cli_record(b, &t, sbuf_str(&x));
			}
			sbuf_free(&x);
			goto out;
		}
		applied = 1;
	}
	for (unsigned r = 1; r <= o->runs && !st && !cli_stop; r++) {
		const struct qos_trial *t;

		if (!(st = qos_cli_trial(b, l, j, QOS_PAIR, c->name, (int)r, rb.len ? sbuf_str(&rb) : NULL, &t)) &&
		    t->valid)
			printf("    A keeps %.3f of the reference (SLA %.2f: %s)\n", t->bops_a / ref, o->sla,
			       t->bops_a / ref >= o->sla ? "held" : "missed");
	}
	if (cli_stop && !st)
		st = 1;
	if (applied && qos_lab_restore(l, &e) < 0) {
		fprintf(stderr, "vmlab qos tune: %s\n", e.msg);
		st = 1;
	}
out:
	sbuf_free(&rb);
	sbuf_free(&what);
	return st;
}

static void evidence(const struct qos_book *b, const struct qos_candidate *cs, int nc, double ref, double sla)
{
	printf("\nevidence per setting (A's fraction of the reference):\n  %-12s %5s %5s %7s %7s %7s\n",
	       "SETTING", "RUNS", "HELD", "MIN", "MEDIAN", "MAX");
	for (int i = 0; i < nc; i++) {
		struct qos_evidence ev;

		qos_evidence_of(b->ts, b->n, b->config, cs[i].name, ref, sla, &ev);
		if (ev.runs)
			printf("  %-12s %5d %5d %7.3f %7.3f %7.3f\n", cs[i].name, ev.runs, ev.held, ev.min, ev.median,
			       ev.max);
	}
}

/* The reference runs and the search; the verdict into *v. 0 or the exit status. */
static int search(struct qos_book *b, struct qos_lab *l, const struct qos_jbb *j, const struct qos_opts *o,
		  const struct qos_candidate *cs, int nc, double *ref, struct qos_verdict *v)
{
	int phase = o->of ? QOS_SOLO_A : QOS_NATIVE, st = 0;

	printf("reference: %s, %u runs\n", o->of ? "A alone" : "native (dom0)", o->runs);
	for (unsigned r = 1; r <= o->runs && !st; r++) {
		const struct qos_trial *t;
		st = qos_cli_trial(b, l, j, phase, "default", (int)r, NULL, &t);
	}
	if (st)
		return st;
	if (!isfinite(*ref = qos_reference(b->ts, b->n, b->config, phase))) {
		fprintf(stderr, "vmlab qos tune: no valid reference run\n");
		return 1;
	}
	printf("reference: %.0f bops (median)\n", *ref);
	for (;;) {
		qos_decide(cs, nc, b->ts, b->n, b->config, *ref, o->sla, (int)o->runs, v);
		if (v->found >= 0 || v->next < 0)
			return 0;
		if ((st = try_setting(b, l, j, o, &cs[v->next], *ref)))
			return st;
	}
}

int qos_tune_main(int argc, char **argv)
{
	static const char sub[] = "qos tune";
	struct qos_opts o = { 0 };
	struct qos_candidate cs[QOS_CANDIDATES_MAX];
	struct qos_verdict v;
	struct qos_book b;
	struct qos_lab *l = NULL;
	struct qos_jbb j;
	struct err e = { 0 };
	double ref = NAN;
	int st, nc, kept = 0;

	if ((st = cli_opts_npos(sub, &tune_help, &o, argc, argv, NULL, 0, 0, NULL, NULL)) != CLI_GO)
		return st;
	if ((st = qos_cli_begin(sub, &o, &b)) != CLI_GO)
		return st;
	if (qos_lab_open(&l, o.protect, o.against, &e) < 0 || qos_lab_snapshot(l, &e) < 0) {
		qos_lab_close(l);
		qos_cli_end(&b);
		return cli_fail(sub, &e);
	}
	cli_stop_on_signals();
	qos_cli_jbb(&o, l, &b, &j);
	nc = qos_candidates(qos_lab_ncpus(l), qos_lab_vcpus_b(l), cs, QOS_CANDIDATES_MAX);
	printf("vmlab qos tune: %s; SLA %.2f of %s in %u of %u runs; %d settings; trials in %s\n", b.config, o.sla,
	       ofs[o.of], o.runs, o.runs, nc, o.output);
	if ((st = search(&b, l, &j, &o, cs, nc, &ref, &v)) == 0) {
		evidence(&b, cs, nc, ref, o.sla);
		if (v.found >= 0) {
			struct sbuf what = SBUF_INIT;
			qos_candidate_describe(&cs[v.found], o.protect, o.against, &what);
			printf("\nSLA held: setting %s (%s) keeps %s at >= %.2f of %s in %u of %u runs\n", cs[v.found].name,
			       sbuf_str(&what), o.protect, o.sla, ofs[o.of], o.runs, o.runs);
			sbuf_reset(&what);
			qos_candidate_persist(&cs[v.found], o.protect, o.against, &what);
			printf("to make it persistent:\n%s", sbuf_str(&what));
			sbuf_free(&what);
			if (o.keep && qos_lab_apply(l, &cs[v.found], &what, &e) < 0)
				st = cli_fail(sub, &e);
			else if (o.keep) {
				printf("kept applied (--keep)\n");
				kept = 1;
			}
			sbuf_free(&what);
		} else {
			printf("\nno setting holds the SLA %.2f of %s in %u of %u runs: impossible here.\n", o.sla, ofs[o.of],
			       o.runs, o.runs);
			if (v.best >= 0) {
				struct sbuf cmds = SBUF_INIT;

				printf("guaranteed minimum: %.3f of %s (setting %s, its least run)\n", v.guaranteed,
				       ofs[o.of], cs[v.best].name);
				qos_candidate_persist(&cs[v.best], o.protect, o.against, &cmds);
				printf("to make that setting persistent:\n%s", sbuf_str(&cmds));
				sbuf_free(&cmds);
			}
			st = 1;
		}
	}
	if (!kept && qos_lab_restore(l, &e) < 0)
		st = cli_fail(sub, &e);
	qos_lab_close(l);
	qos_cli_end(&b);
	return st;
}
