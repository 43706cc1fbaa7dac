/* Results of a real SPECjbb kit, read from its output: SPECjbb2005's
 * per-point table and score, SPECjbb2015's RUN RESULT line. */
#ifndef VMLAB_BENCH_JBB_KIT_H
#define VMLAB_BENCH_JBB_KIT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct jbb_kit_point {
	unsigned warehouses;
	double bops;
	bool in_metric;               /* marked '*' in the table */
};

struct jbb_kit_result {
	int version;                  /* 2005 or 2015 */
	/* 2005 */
	struct jbb_kit_point *points; /* owned, in the table's order */
	size_t npoints;
	double score, score_per_jvm;  /* "SPECjbb2005 bops = N, SPECjbb2005 bops/JVM = N"; NaN absent */
	/* 2015 */
	double hbir_max, hbir_settled, max_jops, critical_jops;
};

/* Parses a kit's output text[0..len) (name labels messages). SPECjbb2005:
 * the score line "SPECjbb2005 bops = N[, SPECjbb2005 bops/JVM = N]" (the
 * last one wins; a "SPECjbb2005 bops/JVM = N" line alone sets only that) and the rows "W BOPS [*]" after a heading line holding
 * "Warehouses" and "bops"; SPECjbb2015: the line "RUN RESULT: hbIR (max
 * attempted) = N, hbIR (settled) = N, max-jOPS = N, critical-jOPS = N".
 * Numbers may group thousands with ',' and have a fraction. Returns 0 with
 * r filled (jbb_kit_free it), or -EBADMSG with e "NAME:LINE:COL: what" at
 * the first malformed row or value, or at the end when no result is there;
 * r then owns nothing. */
int jbb_kit_parse(const char *text, size_t len, const char *name, struct jbb_kit_result *r,
		  struct err *e);
void jbb_kit_free(struct jbb_kit_result *r);

#endif
