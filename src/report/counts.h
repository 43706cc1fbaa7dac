/* The event counts of a results store (the "counts" runs record with an
 * experiment's trace list), per benchmark, environment and event, for the
 * report renderers (internal to src/report). */
#ifndef VMLAB_REPORT_COUNTS_H
#define VMLAB_REPORT_COUNTS_H

#include <stddef.h>

#include "base/sbuf.h"
#include "run/results.h"

/* One event of one benchmark in one environment. */
struct rcount {
	char *bench, *env, *event;   /* owned */
	double *v, *per_op;          /* counts per run (micro: per repetition), per operation */
	size_t n, nper;
	double *ns_each;             /* xentrace exits: mean time in Xen of one, per run */
	size_t nns;
	size_t unsupported;          /* runs that recorded it unsupported or not counted */
	char *why;                   /* the first such run's reason; owned */
	double median, per_op_median;   /* NaN without counted runs */
	double ns_each_median;          /* NaN without */
};

struct rcounts {
	struct rcount *v;            /* in order of first appearance */
	size_t n;
};

/* Collects the counts of set's ok records (c empty before). A counts field
 * that is not an object of such entries is ignored. */
void counts_build(const struct result_set *set, struct rcounts *c);
void counts_free(struct rcounts *c);

/* How a renderer writes a row: open, then the benchmark, environment,
 * event, runs, median count, median per operation ("-" when none) and
 * note (empty, or "<not supported>: reason" escaped by text), each followed
 * by sep but the last, then close. */
struct counts_fmt {
	const char *open, *sep, *close;
	void (*text)(struct sbuf *o, const char *s);
};

/* Appends one row per entry of c. */
void counts_rows(const struct rcounts *c, const struct counts_fmt *f, struct sbuf *o);

/* Appends c as a JSON array: [{"benchmark","environment","event","runs",
 * "median","per_op" (null without counted runs), "unsupported" (runs),
 * "reason" (of the first, or null)}...]. */
void counts_json(const struct rcounts *c, struct sbuf *o);

#endif
