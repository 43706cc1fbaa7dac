/* The report's live-migration section (see migration.h). */
#include "report/migration.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/record.h"

/* A number extra of r, NaN when absent or not a number. */
static double num(const struct record *r, const char *key)
{
	const char *t = record_extra_json(r, key);
	char *end;
	double v;

	if (!t)
		return NAN;
	v = strtod(t, &end);
	return end == t ? NAN : v;
}

/* A string extra of r (its JSON text without the quotes), or "-". */
static void str(const struct record *r, const char *key, char *buf, size_t n)
{
	const char *t = record_extra_json(r, key);
	size_t len = t ? strlen(t) : 0;

	if (len >= 2 && t[0] == '"' && t[len - 1] == '"')
		snprintf(buf, n, "%.*s", (int)(len - 2), t + 1);
	else
		snprintf(buf, n, "-");
}

/* The web-window record of migration r's window (its start and end within a
 * second), the last one in the set; NULL when none. */
static const struct record *window_of(const struct result_set *set, const struct record *r)
{
	double s = num(r, "start_s"), e = num(r, "end_s");
	const struct record *w = NULL;

	for (size_t k = 0; k < set->n && !isnan(s) && !isnan(e); k++) {
		const struct record *x = &set->v[k];

		if (x->kind && !strcmp(x->kind, "web-window") && fabs(num(x, "from_s") - s) < 1 &&
		    fabs(num(x, "to_s") - e) < 1)
			w = x;
	}
	return w;
}

static void cell(const struct mig_fmt *f, struct sbuf *o, bool first, const char *s)
{
	if (!first)
		sbuf_puts(o, f->sep);
	f->text(o, s);
}

/* One row: the migration r and what its window's clients saw. */
static void row(const struct model *m, const struct record *r, const struct mig_fmt *f, struct sbuf *o)
{
	const struct record *w = window_of(m->set, r);
	char a[64], b[64], c[160];
	bool ok = r->status && !strcmp(r->status, "ok");

	sbuf_puts(o, f->open);
	cell(f, o, true, r->label ? r->label : "-");
	str(r, "source", a, sizeof(a));
	str(r, "target", b, sizeof(b));
	snprintf(c, sizeof(c), "%s -> %s%s", a, b, strstr(r->environment, "@testbed") ? " (testbed)" : "");
	cell(f, o, false, c);
	snprintf(c, sizeof(c), "%.0f MiB", num(r, "memory_mib"));
	cell(f, o, false, c);
	snprintf(c, sizeof(c), ok ? "%.1f s" : "failed after %.1f s", r->wall_s);
	cell(f, o, false, c);
	if (ok && !isnan(r->value))
		snprintf(c, sizeof(c), "%.1f ms", r->value);
	else
		snprintf(c, sizeof(c), "-");
	cell(f, o, false, c);
	if (w && !isnan(w->value))
		snprintf(c, sizeof(c), "%.1f ms", w->value);
	else
		snprintf(c, sizeof(c), "-");
	cell(f, o, false, c);
	if (w && num(w, "responses_per_s_before") > 0)
		snprintf(c, sizeof(c), "%.1f (%.0f%% of %.1f before)", num(w, "responses_per_s"),
			 100 * num(w, "responses_per_s") / num(w, "responses_per_s_before"),
			 num(w, "responses_per_s_before"));
	else if (w)
		snprintf(c, sizeof(c), "%.1f", num(w, "responses_per_s"));
	else
		snprintf(c, sizeof(c), "-");
	cell(f, o, false, c);
	if (w && !isnan(num(w, "good_pct")))
		snprintf(c, sizeof(c), "%.1f%% / %.1f%%", num(w, "good_pct"), num(w, "tolerable_pct"));
	else
		snprintf(c, sizeof(c), "-");
	cell(f, o, false, c);
	sbuf_puts(o, f->close);
}

size_t migration_render(const struct model *m, const struct mig_fmt *f, struct sbuf *o)
{
	size_t n = 0;
	bool testbed = false;

	for (size_t k = 0; m->set && k < m->set->n; k++) {
		const struct record *r = &m->set->v[k];

		if (!r->kind || strcmp(r->kind, "migrate"))
			continue;
		if (!n++)
			sbuf_puts(o, f->head);
		testbed = testbed || (r->environment && strstr(r->environment, "@testbed"));
		row(m, r, f, o);
	}
	if (!n)
		return 0;
	sbuf_puts(o, f->tail);
	f->text(o, "For scale, Clark et al. (NSDI 2005), on real hosts over gigabit Ethernet: a SPECweb server "
		   "migrated with 210 ms of unavailability, a Quake 3 server with 60 ms of downtime.");
	if (testbed)
		f->text(o, " Rows marked (testbed) ran between vmlab testbeds: Xen inside QEMU under TCG, with "
			   "emulated CPUs and an emulated network far slower than those hosts'; their times are "
			   "not hardware numbers.");
	sbuf_puts(o, f->end);
	return n;
}
