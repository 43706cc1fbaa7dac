/* The report's live-migration section (internal to src/report): every
 * record of kind "migrate" with its total time and downtime (the probe's
 * largest gap), beside what the clients saw in its window when a
 * "web-window" record of that window is in the same results (vmlab web
 * window --migration), and Clark et al.'s figures (NSDI 2005) for scale.
 * Testbed rows are labelled: emulated CPUs and network under TCG. */
#ifndef VMLAB_REPORT_MIGRATION_H
#define VMLAB_REPORT_MIGRATION_H

#include <stddef.h>

#include "base/sbuf.h"
#include "report/model.h"

/* How a renderer writes a table: head (with the section's heading and
 * intro) once before the first row, per row open, cells separated by sep
 * (each escaped by text), close; tail (then the closing remark, escaped)
 * after the last row. */
struct mig_fmt {
	const char *head, *open, *sep, *close, *tail, *end;
	void (*text)(struct sbuf *o, const char *s);
};

/* Appends the section for m's migrate records; nothing when there is none.
 * Returns the number of migrations shown. */
size_t migration_render(const struct model *m, const struct mig_fmt *f, struct sbuf *o);

#endif
