/* Speed-ups from virtualization: environments faster than the baseline they
 * are compared with beyond the 95% interval of the slowdown, and the
 * measured differences between the two that can explain it (internal to
 * src/report). A guest cannot beat its own machine without Xen by itself:
 * a report shows every such cell with its reason, or says none is known. */
#ifndef VMLAB_REPORT_ANOMALY_H
#define VMLAB_REPORT_ANOMALY_H

#include <stdbool.h>
#include <stddef.h>

#include "base/sbuf.h"
#include "report/model.h"

/* True when c (of an environment with a baseline) is faster than that
 * baseline beyond its interval: slow_hi < 1 (or slow < 1 without an interval). */
bool anomaly_is(const struct model *m, size_t k, const struct rcell *c);

/* Writes to buf (always terminated) the measured differences between
 * environment k and its baseline that can explain c's speed-up: the
 * machine facts that differ (transparent huge pages, clock source, memory,
 * CPUs) and event counts of c's benchmark that differ by 2x or more.
 * Returns false, with a sentence saying so in buf, when none is known. */
bool anomaly_reason(const struct model *m, size_t k, const struct rcell *c, char *buf, size_t len);

/* How a renderer writes the section: head once before the first item, then
 * per item open, the sentence (escaped by text), close; tail after the last. */
struct anomaly_fmt {
	const char *head, *open, *close, *tail;
	void (*text)(struct sbuf *o, const char *s);
};

/* Appends the section for every anomalous cell of m; nothing when there is
 * none. Returns the number of cells shown. */
size_t anomaly_render(const struct model *m, const struct anomaly_fmt *f, struct sbuf *o);

#endif
