/* The analysis behind every report format (internal to src/report). */
#ifndef VMLAB_REPORT_MODEL_H
#define VMLAB_REPORT_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "report/counts.h"
#include "run/results.h"

/* One row (struct rbench) in one environment. Numbers are NaN when undefined. */
struct rcell {
	const char *bench, *kind, *env, *unit;   /* bench: the row's label */
	bool higher_better;
	unsigned sessions;        /* of the row; 0: none */
	const char *bound;        /* of the row: "upper" (value is a lower limit), "lower" (value
	                           * is an exclusive upper limit), NULL: an exact answer */
	unsigned upper;           /* of the row: a search ended to within a step, its answer
	                           * in [value, upper]; 0: none */
	double *v;                /* values of the ok records */
	size_t n, failed;
	size_t unsupported;       /* records of a micro this environment cannot run */
	const char *first_error;  /* of the first failed record */
	const char *unsupported_why;   /* the reason of the first unsupported record */
	char why[192];            /* first_error when the record itself names none */
	double median, min, max, lo, hi;   /* lo..hi: 95% interval of the median */
	double slow, slow_lo, slow_hi;     /* slowdown vs the baseline (>1: slower) */
};

struct renv {
	const char *name, *label;
	const struct host_facts *facts;    /* of its first record */
	bool emulated;                     /* testbed: emulated hardware */
	size_t ok, failed;
	double geomean;                    /* of its slowdowns; NaN without */
	size_t ngeo;
	const struct rcell *worst;         /* its strongest slowdown */
	int base;                          /* index of the env it is compared with; -1: none (a baseline) */
	const char *base_name;             /* its name, NULL when base < 0 */
};

/* A row: the records of one benchmark with one unit, direction, session
 * count and bound. A benchmark recorded in several units or directions gets
 * one row each (never one median over them); load records get one row per
 * session count. */
struct rbench {
	const char *name, *kind, *unit;
	bool higher_better;
	unsigned sessions;
	const char *bound;
	unsigned upper;           /* a search's "answer_upper"; 0: none */
	char label[160];          /* name, "@ N sessions", "[UNIT, higher]" when the name is mixed */
};

struct model {
	struct rcell *cells;      /* nbench * nenv, cells[b * nenv + k] */
	struct renv *envs;        /* baseline first, then first appearance */
	struct rbench *benches;   /* first appearance */
	size_t nenv, nbench;
	const char *baseline;     /* the main baseline; NULL when absent */
	bool split;               /* testbed guests compare with testbed:bare, the rest with baseline */
	const struct rcell *strongest;   /* strongest slowdown of a CPU kernel or command (cpu/cmd) */
	const char *strongest_set;       /* the set it is chosen from, in words */
	const struct rcell *strongest_micro;   /* strongest slowdown of a microbenchmark */
	char **experiments;
	size_t nexp;
	size_t records, ok, failed, unsupported;
	struct rcounts counts;    /* the event counts the ok records carry */
	const struct result_set *set;   /* the records it was built from (borrowed) */
};

/* Builds m from set (which must outlive m). baseline: see report_opts; when
 * it is NULL and both native and testbed:bare have records, testbed guests
 * are compared with testbed:bare (the same emulated machine without Xen),
 * testbed:bare and every other environment with native. A benchmark recorded
 * in several units or directions appends a warning naming its records' lines
 * to warn (when non-NULL), one line each. */
int model_build(struct model *m, const struct result_set *set, const char *baseline,
		struct sbuf *warn, struct err *e);
void model_free(struct model *m);

static inline const struct rcell *model_cell(const struct model *m, size_t b, size_t k)
{
	return &m->cells[b * m->nenv + k];
}

/* A display scale for values of unit around magnitude ref: time units (s,
 * ms, us, ns, optionally "/op") in the one of s, ms, us, ns that keeps ref at
 * or above 1; others with k from 10^4, M from 10^6, G from 10^9. A value v shows as
 * v / div with unit uname. */
struct uscale {
	double div;
	char uname[48];
};
void model_scale(double ref, const char *unit, struct uscale *s);

/* v / s->div with 4 significant digits and never an exponent above 1e4. */
void model_fmt_num(double v, const struct uscale *s, char *buf, size_t len);

/* "0.1234 s", "16.07 us/op", "12.5k ops/s": v in the scale model_scale picks
 * for v itself, with its unit; "-" for NaN. */
void model_fmt(double v, const char *unit, char *buf, size_t len);

/* A cell's median as a reader should take it: model_fmt, with ">= " and
 * " (bound)" for an upper-bound answer, "< " and " (bound)" for a lower one,
 * " (in [A, U])" for a search answer known to within a step;
 * "<not supported>" (as perf prints it; unescaped) for a cell with no ok
 * record but unsupported ones. */
void model_fmt_median(const struct rcell *c, char *buf, size_t len);

/* "lo .. hi": c's 95% interval in the scale of its median; "-" without one. */
void model_fmt_ci(const struct rcell *c, char *buf, size_t len);

/* A cell's numbers as a table shows them. */
struct model_cell_text {
	char median[96], min[64], max[64], ci[96];
	char slow[96];  /* "F<times> [LO, HI]", "F<times> (baseline)", "-" */
};

/* Fills t from c; times is the sign after a slowdown factor ("x", "&times;"). */
void model_cell_text(const struct rcell *c, const char *times, struct model_cell_text *t);

/* True when c has a record to show (ok, failed or unsupported). */
static inline bool model_cell_shown(const struct rcell *c)
{
	return c->n || c->failed || c->unsupported;
}

/* The index in m->cells of the first cell from i on that model_cell_shown
 * accepts; m->nbench * m->nenv when none is left. */
size_t model_next_shown(const struct model *m, size_t i);

/* The environment c's slowdown is measured against ("-" if none). */
const char *model_base_of(const struct model *m, const struct rcell *c);

/* How a renderer writes one row of the problems table: open, the benchmark,
 * sep, the environment, before_n, the run count, after_n, unsup_prefix (only
 * in the unsupported table), the reason, close; text escapes a cell's text. */
struct model_row_fmt {
	const char *open, *sep, *before_n, *after_n, *unsup_prefix, *close;
	void (*text)(struct sbuf *o, const char *s);
	bool empty_is_dash;  /* an empty first error also shows as "-" */
};

/* Appends to o one row per cell of m with failed runs (unsup: runs not
 * supported): its benchmark, environment, that count and the first error
 * ("-" if none or, with f->empty_is_dash, empty; unsup: why it is not supported). */
void model_problem_rows(const struct model *m, bool unsup, const struct model_row_fmt *f,
			struct sbuf *o);

/* Renderers; each appends to out. */
void render_md(const struct model *m, const char *title, struct sbuf *out);
void render_csv(const struct model *m, struct sbuf *out);
void render_json(const struct model *m, const char *title, struct sbuf *out);
void render_html(const struct model *m, const char *title, struct sbuf *out);

/* The host facts an environment's row shows, in column order: the place
 * it ran (hostname, CPU, kernel), Xen (version, scheduler, virt_caps, the
 * host's CPUs and command line), the guest (type, tsc_mode) and, for a
 * guest of a Xen host, that host (dom0's name and back end) and the shape
 * xl read back. head is the column title, name the facts' JSON key. */
struct rfact {
	const char *head, *name;
};
#define REPORT_NFACTS 13
extern const struct rfact report_facts[REPORT_NFACTS];

/* Fact i of report_facts in f, or NULL when f lacks it. */
const char *report_fact(const struct host_facts *f, size_t i);

/* Appends s to o with < > & " ' as HTML entities (NULL: nothing). */
void html_esc(struct sbuf *o, const char *s);

#endif
