/* A window cut out of a load's timeline (the lines `vmlab web load
 * --timeline` writes, web/timeline.h): what the clients saw during, say, a
 * live migration: responses and their rate against the seconds before the
 * window, pages and their QoS shares, errors, and the largest gap between
 * responses (across the seconds, from each line's first and last response). */
#ifndef VMLAB_WEB_WINDOW_H
#define VMLAB_WEB_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/sbuf.h"

/* One line of a timeline file; first_ms and last_ms NaN without responses. */
struct web_tl_line {
	char workload[32];
	unsigned iteration, sessions;
	double t_s, epoch_s;
	uint64_t responses, errors, pages, good, tolerable, failed;
	double first_ms, last_ms, gap_ms;
	int line;                  /* in its file */
};

/* Parses a timeline file (JSON lines of kind "web-timeline"; blank lines and
 * lines of other kinds are skipped) into *out (free it), *n lines, in file
 * order. A line that is not JSON or lacks a field: -EBADMSG, e says
 * "NAME:LINE: ..." (the JSON reader's NAME:LINE:COL for syntax). */
int web_tl_parse(const char *text, size_t len, const char *name, struct web_tl_line **out, size_t *n,
		 struct err *e);

/* What the clients saw in [from, to) (wall clock, seconds): the lines whose
 * second overlaps it, widened to whole seconds (covered_from/to). */
struct web_window {
	double from, to, covered_from, covered_to;
	size_t seconds;
	uint64_t responses, errors, pages, good, tolerable, failed;
	double rate, rate_before;  /* responses/s in the window; in the lines before it
	                            * (same iteration; NaN when none) */
	double good_pct, tolerable_pct;   /* of the pages that ended in it; NaN without pages */
	double gap_ms, gap_at;     /* the largest gap between responses and its start
	                            * (wall clock); the window's edges count as responses */
	char workload[32];
	unsigned sessions;
};

/* Evaluates the window over l[0..n) (sorted by epoch_s by the caller, or in
 * file order, which is time order); 0, or -ENOENT when no line overlaps it. */
int web_window_eval(const struct web_tl_line *l, size_t n, double from, double to, struct web_window *w);

/* The window as a results-store record ("kind":"web-window", benchmark
 * web-WORKLOAD-window, value the largest gap in ms, lower better), with
 * its newline; env names the environment. */
void web_window_json(const struct web_window *w, const char *env, const char *label, struct sbuf *o);

#endif
