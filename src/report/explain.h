/* Where a slowdown went: per environment, the benchmark with the strongest
 * slowdown against its baseline and its extra time split into mechanisms,
 * each the extra events per run (recorded counts: tracepoints, xentrace
 * exits and hypercalls) times the cost of one such event, measured by the
 * microbenchmark dominated by it in the same environment:
 *   cost = (micro time in env - micro time in baseline)
 *          / (events per micro op in env - events per micro op in baseline).
 * What the mechanisms do not account for is shown as unexplained, never
 * forced to 100%. */
#ifndef VMLAB_REPORT_EXPLAIN_H
#define VMLAB_REPORT_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/sbuf.h"
#include "report/model.h"

/* One row of the event -> cost table (explain_table). */
struct xmech {
	const char *name;      /* "system calls" */
	const char *events;    /* the counts key, or alternatives "a|b" (first present wins) */
	const char *micro;     /* the micro that prices one event; NULL: the trace's own mean
	                        * time in Xen per exit (the count's "ns_each") */
	const char *what;      /* one line: what it is, where it costs */
};

/* The table, in the order mechanisms claim events: an earlier one's micro
 * pays for the later events it carries along (a page fault's page-table
 * hypercalls), which are not charged again. Ends with a NULL name. */
extern const struct xmech explain_table[];

/* One mechanism in one environment. Numbers are NaN when not known; why
 * then says what is missing ("no data: ..."). */
struct xpart {
	const struct xmech *m;
	const char *event;     /* the key used (one of m->events; owned) */
	bool counted;          /* the target's count of it exists in the environment */
	double events;         /* its events per run (per op for a micro target) in the
	                        * environment, less those earlier mechanisms carried */
	double base_events;    /* the same in the baseline */
	double extra;          /* events - base_events */
	double carried;        /* events earlier mechanisms' micros already paid for */
	double cost_ns;        /* extra cost of one in the environment: (micro time in env -
	                        * in baseline) / events per micro op in env; or the trace's
	                        * mean time in Xen per exit */
	double base_cost_ns;   /* one's cost in the baseline: micro time there / events per op
	                        * there; 0 where it does not occur */
	double time_ns;        /* events * cost_ns + extra * base_cost_ns */
	double share;          /* time_ns / the target's extra time */
	bool circular;         /* its cost comes from the target itself */
	bool from_trace;       /* cost_ns is the trace's time in Xen, not a micro's */
	char why[200];
};

/* One target: a benchmark in one environment against its baseline. */
struct xtarget {
	const char *env, *base, *bench, *kind, *unit;
	double value, base_value;   /* medians in unit */
	double slow;                /* value / base_value */
	double extra_ns;            /* per run (s units) or per op (ns/op units) */
	double explained_ns, unexplained_ns;   /* over the parts with data */
	double explained;           /* explained_ns / extra_ns */
	size_t nparts, nodata;
	struct xpart *parts;        /* one per table row */
	bool has_counts;            /* any count of bench in env */
};

struct explanation {
	struct xtarget *v;    /* per environment with a baseline: its strongest slowdown, then
	                       * (when that is no CPU kernel) its strongest CPU kernel */
	size_t n;
	const char *baseline; /* the model's */
};

/* Builds x from m (which must outlive x). Only time figures (unit "s" per
 * run, "ns/op") are decomposed. Returns 0; -EINVAL (e says so) when no
 * environment has a slowdown to explain. */
int explain_build(const struct model *m, struct explanation *x, struct err *e);
void explain_free(struct explanation *x);

/* True when m's records carry any counts (the report then explains). */
bool explain_wanted(const struct model *m);

/* Renderers; each appends to out. md: a section with one table per
 * target; html: the same with one stacked bar (SVG) per target; json: an
 * object {"baseline":…, "method":…, "targets":[…]}. */
void explain_md(const struct explanation *x, struct sbuf *out);
void explain_html(const struct explanation *x, struct sbuf *out);
void explain_json(const struct explanation *x, struct sbuf *out);

#endif
