/* Reports over results: per benchmark and environment the median, min/max,
 * a 95% interval and n; slowdowns against a baseline environment with their
 * intervals; geometric means; rendered as Markdown, HTML, CSV or JSON. */
#ifndef VMLAB_REPORT_REPORT_H
#define VMLAB_REPORT_REPORT_H

#include "base/err.h"
#include "base/sbuf.h"
#include "run/results.h"

enum report_format { REPORT_MD, REPORT_HTML, REPORT_CSV, REPORT_JSON };

struct report_opts {
	enum report_format format;
	const char *baseline;     /* NULL: "native", or "testbed:bare" when the rest are testbed */
	const char *title;        /* NULL: from the experiment names */
};

/* Parses "md", "html", "csv" or "json"; -EINVAL otherwise. */
int report_parse_format(const char *s, enum report_format *f);

/* Renders a report of set's records into out. Warnings (a benchmark recorded
 * in several units or directions, shown as separate rows) are appended to
 * warn when it is non-NULL, one line each. Returns 0, or -EINVAL when
 * o->baseline names an environment without records or set holds no records
 * (e says which). */
int report_render(const struct result_set *set, const struct report_opts *o, struct sbuf *out,
		  struct sbuf *warn, struct err *e);

#endif
