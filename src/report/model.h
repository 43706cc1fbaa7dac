/* The analysis behind every report format (internal to src/report). */
#ifndef VMLAB_REPORT_MODEL_H
#define VMLAB_REPORT_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "run/results.h"

/* One benchmark in one environment. Numbers are NaN when undefined. */
struct rcell {
	const char *bench, *kind, *env, *unit;
	bool higher_better;
	double *v;                /* values of the ok records */
	size_t n, failed;
	const char *first_error;  /* of the first failed record */
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

struct rbench {
	const char *name, *kind, *unit;
};

struct model {
	struct rcell *cells;      /* nbench * nenv, cells[b * nenv + k] */
	struct renv *envs;        /* baseline first, then first appearance */
	struct rbench *benches;   /* first appearance */
	size_t nenv, nbench;
	const char *baseline;     /* the main baseline; NULL when absent */
	bool split;               /* testbed guests compare with testbed:bare, the rest with baseline */
	const struct rcell *strongest;   /* strongest slowdown of an application (cpu/cmd), else any */
	char **experiments;
	size_t nexp;
	size_t records, ok, failed;
};

/* Builds m from set (which must outlive m). baseline: see report_opts; when
 * it is NULL and both native and testbed:bare have records, testbed guests
 * are compared with testbed:bare (the same emulated machine without Xen),
 * testbed:bare and every other environment with native. */
int model_build(struct model *m, const struct result_set *set, const char *baseline, struct err *e);
void model_free(struct model *m);

static inline const struct rcell *model_cell(const struct model *m, size_t b, size_t k)
{
	return &m->cells[b * m->nenv + k];
}

/* "0.1234 s", "12.5 ns/op": value v with its unit, 4 significant digits. */
void model_fmt(double v, const char *unit, char *buf, size_t len);

/* The environment the strongest slowdown is measured against ("-" if none). */
const char *strongest_base(const struct model *m);

/* Renderers; each appends to out. */
void render_md(const struct model *m, const char *title, struct sbuf *out);
void render_csv(const struct model *m, struct sbuf *out);
void render_json(const struct model *m, const char *title, struct sbuf *out);
void render_html(const struct model *m, const char *title, struct sbuf *out);

#endif
