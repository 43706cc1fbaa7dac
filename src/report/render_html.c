/* A self-contained HTML report: inline CSS and inline SVG bar charts with
 * error bars, no external resources. */
#include "report/migration.h"
#include "report/anomaly.h"
#include "report/model.h"
#include "report/explain.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define PLOT_W 380
#define ROW_H 28

void html_esc(struct sbuf *o, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': sbuf_puts(o, "&lt;"); break;
		case '>': sbuf_puts(o, "&gt;"); break;
		case '&': sbuf_puts(o, "&amp;"); break;
		case '"': sbuf_puts(o, "&quot;"); break;
		case '\'': sbuf_puts(o, "&#39;"); break;
		default: sbuf_putc(o, *s);
		}
	}
}

static const char *fill(const struct model *m, size_t k)
{
	if (m->baseline && m->envs[k].base < 0)
		return "#3b6ea8";
	return m->envs[k].emulated ? "#d08a35" : "#5a9a4a";
}

static const char css[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px auto;"
	"max-width:1100px;color:#222;line-height:1.4;padding:0 16px}"
	"h1{font-size:1.6em;margin-bottom:4px}h2{margin-top:32px;border-bottom:1px solid #ddd}"
	"h3{margin:20px 0 4px}"
	"table{border-collapse:collapse;margin:8px 0;font-size:.9em}"
	"th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}"
	"th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}"
	".emu{color:#a0601a;font-weight:600}.note{background:#fff6e6;border-left:4px solid #d08a35;"
	"padding:8px 12px}.strong{background:#eef4fb;border-left:4px solid #3b6ea8;padding:8px 12px}"
	".bad{color:#b00020}.sub{margin:0;color:#555;font-size:.85em}svg{display:block;margin:4px 0 12px;max-width:100%;height:auto}"
	".legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;"
	"vertical-align:middle}";

/* A rough width in pixels of s in a 12px sans-serif font, on the wide side
 * (DejaVu Sans, the widest common default), so that nothing sized with it
 * is clipped. */
static double text_px(const char *s)
{
	double em = 0;

	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if ((*p & 0xc0) == 0x80)
			continue;    /* a UTF-8 continuation byte */
		if (*p >= 0x80)
			em += 1.0;
		else if (strchr("iljtfr.,:;'!| ()[]", *p))
			em += 0.42;
		else if (strchr("mwMW@%", *p))
			em += 1.0;
		else if (*p >= 'A' && *p <= 'Z')
			em += 0.76;
		else
			em += 0.66;
	}
	return em * 12;
}

/* A step of 1, 2 or 5 times a power of ten that divides 0..top into at most
 * five intervals. */
static double tick_step(double top)
{
	double raw = top / 5, mag = pow(10, floor(log10(raw)));
	static const double f[] = { 1, 2, 5, 10 };

	for (size_t k = 0; k < 4; k++)
		if (f[k] * mag >= raw)
			return f[k] * mag;
	return 10 * mag;
}

/* One bar of a chart: its value, whisker (lo..hi) and min/max marks. */
struct bar {
	const char *label, *color, *text;
	double v, lo, hi, mn, mx;              /* NaN: omitted */
};

struct bars {
	size_t n;
	const struct bar *b;
	const char *unit;                      /* of the values, for the axis */
	double ref;                            /* > 0: a dashed reference line there */
};

static double x_of(const struct bars *c, double v, double plot_w);

static void bar_row(struct sbuf *o, const struct bars *c, size_t i, double label_w, double plot_w)
{
	double y = (double)i * ROW_H + 4, cy = y + (ROW_H - 8) / 2.0;
#define X(val) (x_of(c, (val), plot_w) + label_w)
	sbuf_printf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
		       "dominant-baseline=\"middle\">", label_w - 6, cy);
	html_esc(o, c->b[i].label);
	sbuf_puts(o, "</text>\n");
	if (isfinite(c->b[i].v))
		sbuf_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" "
			       "fill=\"%s\"/>\n", label_w, y, X(c->b[i].v) - label_w, ROW_H - 8,
			    c->b[i].color);
	if (isfinite(c->b[i].lo) && isfinite(c->b[i].hi))
		sbuf_printf(o, "<g stroke=\"#111\" stroke-width=\"1.5\"><line x1=\"%.1f\" "
			       "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/><line x1=\"%.1f\" "
			       "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/><line x1=\"%.1f\" "
			       "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/></g>\n",
			    X(c->b[i].lo), cy, X(c->b[i].hi), cy, X(c->b[i].lo), cy - 5, X(c->b[i].lo), cy + 5,
			    X(c->b[i].hi), cy - 5, X(c->b[i].hi), cy + 5);
	if (isfinite(c->b[i].mn))
		sbuf_printf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#fff\" "
			       "stroke=\"#111\"/>\n", X(c->b[i].mn), cy);
	if (isfinite(c->b[i].mx))
		sbuf_printf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#fff\" "
			       "stroke=\"#111\"/>\n", X(c->b[i].mx), cy);
	sbuf_printf(o, "<text x=\"%.1f\" y=\"%.1f\" dominant-baseline=\"middle\">",
		    label_w + plot_w + 8, cy);
	html_esc(o, c->b[i].text);
	sbuf_puts(o, "</text>\n");
#undef X
}

static double top_of(const struct bars *c)
{
	double top = c->ref > 0 ? c->ref : 0;

	for (size_t i = 0; i < c->n; i++) {
		double v[] = { c->b[i].v, c->b[i].hi, c->b[i].mx };
		for (size_t j = 0; j < 3; j++)
			if (isfinite(v[j]) && v[j] > top)
				top = v[j];
	}
	return top > 0 ? top : 1;
}

static double x_of(const struct bars *c, double v, double plot_w)
{
	return v / (top_of(c) * 1.05) * plot_w;
}

/* One horizontal bar per row: bar to v[i], whisker lo[i]..hi[i], dots at
 * mn[i] and mx[i], label[i] at the left, text[i] at the right; the SVG is as
 * wide as its longest label and text need; axis ticks at round values in
 * the unit a reader uses (model_scale). */
static void chart(struct sbuf *o, const struct bars *c)
{
	double top = top_of(c), step = tick_step(top), label_w = 60, text_w = 60;
	double plot_w = PLOT_W, w;
	int h = (int)c->n * ROW_H + 24;
	struct uscale u;

	for (size_t i = 0; i < c->n; i++) {
		label_w = fmax(label_w, text_px(c->b[i].label) + 14);
		text_w = fmax(text_w, text_px(c->b[i].text) + 18);
	}
	w = ceil(label_w + plot_w + text_w);
	model_scale(top, c->unit, &u);
	sbuf_printf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%d\" "
		       "viewBox=\"0 0 %.0f %d\" role=\"img\" font-size=\"12\" "
		       "font-family=\"sans-serif\">\n", w, h, w, h);
	sbuf_printf(o, "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\"/>\n", label_w,
		    label_w, h - 20);
	for (int t = 1; t * step <= top * 1.0000001 && t <= 10; t++) {
		double tx = label_w + x_of(c, t * step, plot_w);
		char num[48];
		model_fmt_num(t * step, &u, num, sizeof(num));
		sbuf_printf(o, "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>"
			       "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
			       "fill=\"#666\">%s%s", tx, tx, h - 20, tx, h - 6, num,
			    !strcmp(u.uname, "x") ? "" : " ");
		html_esc(o, u.uname);
		sbuf_puts(o, "</text>\n");
	}
	for (size_t i = 0; i < c->n; i++)
		bar_row(o, c, i, label_w, plot_w);
	if (c->ref > 0)
		sbuf_printf(o, "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%d\" stroke=\"#b00020\" "
			       "stroke-dasharray=\"4 3\"/>\n", label_w + x_of(c, c->ref, plot_w),
			    label_w + x_of(c, c->ref, plot_w), h - 20);
	sbuf_puts(o, "</svg>\n");
}

static void env_label(struct sbuf *o, const struct renv *v)
{
	html_esc(o, v->name);
	if (v->emulated)
		sbuf_puts(o, " <span class=\"emu\">(emulated hardware)</span>");
}

static void legend(struct sbuf *o, const struct model *m)
{
	bool emu = false;

	for (size_t k = 0; k < m->nenv; k++)
		emu = emu || m->envs[k].emulated;
	sbuf_puts(o, "<p class=\"legend\">");
	if (m->baseline) {
		sbuf_puts(o, "<span style=\"background:#3b6ea8\"></span>baseline (");
		html_esc(o, m->baseline);
		sbuf_puts(o, ")");
	}
	sbuf_puts(o, "<span style=\"background:#5a9a4a\"></span>other hardware");
	if (emu)
		sbuf_puts(o, "<span style=\"background:#d08a35\"></span>testbed (emulated hardware)");
	sbuf_puts(o, " &nbsp; bar: median; whisker: 95% interval of the median; circles: "
		     "min and max</p>\n");
}

static void html_strongest(struct sbuf *o, const char *set, const struct model *m,
			   const struct rcell *c)
{
	if (!c)
		return;
	sbuf_puts(o, "Strongest slowdown among the ");
	html_esc(o, set);
	sbuf_puts(o, ": <b>");
	html_esc(o, c->bench);
	sbuf_puts(o, "</b> on <b>");
	html_esc(o, c->env);
	sbuf_printf(o, "</b>, %.3f&times; [%.3f, %.3f] of ", c->slow, c->slow_lo, c->slow_hi);
	html_esc(o, model_base_of(m, c));
	sbuf_puts(o, ".<br>");
}

/* The environments with their host facts. */
static void html_envs(const struct model *m, struct sbuf *o)
{
	sbuf_puts(o, "<h2>Environments</h2>\n<table><tr><th>environment</th><th>label</th>");
	for (size_t i = 0; i < REPORT_NFACTS; i++)
		sbuf_printf(o, "<th>%s</th>", report_facts[i].head);
	sbuf_puts(o, "<th>ok</th><th>failed</th></tr>\n");
	for (size_t k = 0; k < m->nenv; k++) {
		const struct renv *v = &m->envs[k];
		sbuf_puts(o, "<tr><td>");
		env_label(o, v);
		sbuf_puts(o, "</td><td>");
		html_esc(o, v->label);
		for (size_t i = 0; i < REPORT_NFACTS; i++) {
			const char *val = report_fact(v->facts, i);
			sbuf_puts(o, "</td><td>");
			html_esc(o, val ? val : "-");
		}
		sbuf_printf(o, "</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td></tr>\n",
			    v->ok, v->failed);
	}
	sbuf_puts(o, "</table>\n");
}

/* The chart of each environment's geometric mean of slowdowns. */
static void html_geomean(const struct model *m, struct sbuf *o)
{
	if (m->baseline && m->nenv > 1) {
		struct bar b[m->nenv];
		char tbuf[m->nenv][64];
		size_t n = 0;
		sbuf_puts(o, "<h2>Geometric mean of slowdowns</h2>\n");
		for (size_t k = 0; k < m->nenv; k++) {
			/* testbed:bare against native is the emulation's cost: said below */
			if (m->envs[k].base < 0 || (m->split && k == 1))
				continue;
			double g = m->envs[k].geomean;

			if (isnan(g))
				snprintf(tbuf[n], sizeof(tbuf[n]), "-");
			else
				snprintf(tbuf[n], sizeof(tbuf[n]), "%.3fx vs %s (%zu benchmarks)", g,
					 m->envs[k].base_name, m->envs[k].ngeo);
			b[n] = (struct bar){ m->envs[k].name, fill(m, k), tbuf[n], g, NAN, NAN, NAN, NAN };
			n++;
		}
		chart(o, &(struct bars){ n, b, "x", 1.0 });
		sbuf_puts(o, "<p>Dashed line: the baseline (1.0).");
		if (m->split && !isnan(m->envs[1].geomean))
			sbuf_printf(o, " The emulated machine itself (testbed:bare against native) is "
				       "%.3f&times; slower (geometric mean over %zu benchmarks).",
				    m->envs[1].geomean, m->envs[1].ngeo);
		sbuf_puts(o, "</p>\n");
	}
}

/* Per benchmark row: a chart of the medians, one of the slowdowns. */
static void html_benches(const struct model *m, struct sbuf *o)
{
	char a[96];

	sbuf_puts(o, "<h2>Benchmarks</h2>\n");
	legend(o, m);
	for (size_t bi = 0; bi < m->nbench; bi++) {
		struct bar b[m->nenv];
		char tbuf[m->nenv][160];
		size_t n = 0;
		const struct rcell *x0 = model_cell(m, bi, 0);

		sbuf_puts(o, "<h3>");
		html_esc(o, m->benches[bi].label);
		sbuf_puts(o, " <small>(");
		html_esc(o, m->benches[bi].kind);
		sbuf_printf(o, ", %s, %s is better)</small></h3>\n", x0->unit ? x0->unit : "s",
			    x0->higher_better ? "higher" : "lower");
		for (size_t k = 0; k < m->nenv; k++) {
			const struct rcell *x = model_cell(m, bi, k);
			if (!model_cell_shown(x))
				continue;
			model_fmt_median(x, a, sizeof(a));
			if (!x->n && x->unsupported && !x->failed)
				snprintf(tbuf[n], sizeof(tbuf[n]), "<not supported>");
			else if (!x->n)
				snprintf(tbuf[n], sizeof(tbuf[n]), "failed (%zu runs)", x->failed);
			else if (isnan(x->slow))
				snprintf(tbuf[n], sizeof(tbuf[n]), "%s (n=%zu)", a, x->n);
			else
				snprintf(tbuf[n], sizeof(tbuf[n]), "%s (n=%zu) %.3fx", a, x->n,
					 x->slow);
			b[n] = (struct bar){ x->env, fill(m, k), tbuf[n], x->median, x->lo, x->hi, x->min,
					     x->max };
			n++;
		}
		chart(o, &(struct bars){ n, b, x0->unit, 0 });
		n = 0;
		for (size_t k = 0; k < m->nenv; k++) {
			const struct rcell *x = model_cell(m, bi, k);
			if (m->envs[k].base < 0 || isnan(x->slow) || (m->split && k == 1))
				continue;
			snprintf(tbuf[n], sizeof(tbuf[n]), "%.3fx [%.3f, %.3f] vs %s", x->slow,
				 x->slow_lo, x->slow_hi, m->envs[k].base_name);
			b[n] = (struct bar){ x->env, fill(m, k), tbuf[n], x->slow, x->slow_lo, x->slow_hi,
					     NAN, NAN };
			n++;
		}
		if (n) {
			sbuf_puts(o, "<p class=\"sub\">slowdown (whisker: 95% bootstrap interval; "
				     "dashed: 1.0)</p>\n");
			chart(o, &(struct bars){ n, b, "x", 1.0 });
		}
	}
}

/* The cells with failed runs (unsup false) or with records of a micro the
 * environment cannot run (unsup true), each with its first reason; nothing
 * when there are none. */
static void html_problems(const struct model *m, struct sbuf *o, bool unsup)
{
	if (!(unsup ? m->unsupported : m->failed))
		return;
	sbuf_printf(o, "<h2>%s</h2>\n<table><tr><th>benchmark</th><th>environment</th><th>%s</th>"
		       "<th>%s</th></tr>\n", unsup ? "Not supported" : "Failed runs",
		    unsup ? "runs" : "failed", unsup ? "reason" : "first error");
	model_problem_rows(m, unsup, &(const struct model_row_fmt){ "<tr><td>", "</td><td>",
			   "</td><td class=\"num\">", "</td><td>", "&lt;not supported&gt;: ",
			   "</td></tr>\n", html_esc }, o);
	sbuf_puts(o, "</table>\n");
}

/* The table of every row and environment, and the failed runs. */
static void html_tables(const struct model *m, struct sbuf *o)
{
	struct model_cell_text t;

	sbuf_puts(o, "<h2>Table</h2>\n<table><tr><th>benchmark</th><th>environment</th><th>n</th>"
		     "<th>median</th><th>min</th><th>max</th><th>95% CI of median</th>"
		     "<th>slowdown [95% CI]</th><th>vs</th><th>failed</th></tr>\n");
	for (size_t i = model_next_shown(m, 0); i < m->nbench * m->nenv;
	     i = model_next_shown(m, i + 1)) {
		const struct rcell *x = &m->cells[i];
		size_t k = i % m->nenv;

		sbuf_puts(o, "<tr><td>");
		html_esc(o, x->bench);
		sbuf_puts(o, "</td><td>");
		env_label(o, &m->envs[k]);
		model_cell_text(x, "&times;", &t);
		sbuf_printf(o, "</td><td class=\"num\">%zu</td><td class=\"num\">", x->n);
		html_esc(o, t.median);
		sbuf_printf(o, "</td><td class=\"num\">%s</td><td class=\"num\">%s</td>", t.min, t.max);
		sbuf_printf(o, "<td class=\"num\">%s</td>", t.ci);
		sbuf_printf(o, "<td class=\"num\">%s</td><td>", t.slow);
		html_esc(o, m->envs[k].base_name ? m->envs[k].base_name : "-");
		sbuf_printf(o, "</td><td class=\"num%s\">%zu</td></tr>\n",
			    x->failed ? " bad" : "", x->failed);
	}
	sbuf_puts(o, "</table>\n");
	html_problems(m, o, false);
	html_problems(m, o, true);
	if (m->counts.n) {
		sbuf_puts(o, "<h2>Event counts</h2>\n<p class=\"sub\">counted around each run's measured "
			     "iterations (micro: per repetition); medians over the runs</p>\n<table><tr>"
			     "<th>benchmark</th><th>environment</th><th>event</th><th>runs</th>"
			     "<th>median count</th><th>per op</th><th>note</th></tr>\n");
		counts_rows(&m->counts, &(const struct counts_fmt){ "<tr><td>", "</td><td>",
			    "</td></tr>\n", html_esc }, o);
		sbuf_puts(o, "</table>\n");
		struct explanation x;
		if (explain_build(m, &x, NULL) == 0) {
			explain_html(&x, o);
			explain_free(&x);
		}
	}
}

static const char html_mig_head[] =
	"<h2>Live migration</h2>\n"
	"<p>Each migration's total time (xl migrate in the source's dom0) and its downtime as Clark et "
	"al. measured it: the largest gap between the replies of the probe vmlab migrate runs, and "
	"between the clients' responses in the migration's window (vmlab web window --migration).</p>\n"
	"<table>\n<tr><th>guest</th><th>from &rarr; to</th><th>memory</th><th>total time</th>"
	"<th>downtime (probe)</th><th>clients' largest gap</th><th>responses/s in the window</th>"
	"<th>pages good / tolerable</th></tr>\n";

void render_html(const struct model *m, const char *title, struct sbuf *o)
{
	bool emu = false;

	for (size_t k = 0; k < m->nenv; k++)
		emu = emu || m->envs[k].emulated;
	sbuf_puts(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		     "<meta name=\"viewport\" content=\"width=device-width\"><title>");
	html_esc(o, title);
	sbuf_printf(o, "</title><style>%s</style></head><body>\n<h1>", css);
	html_esc(o, title);
	sbuf_printf(o, "</h1>\n<p>%zu records: %zu ok, <span class=\"%s\">%zu failed</span>",
		    m->records, m->ok, m->failed ? "bad" : "", m->failed);
	if (m->unsupported)
		sbuf_printf(o, ", %zu not supported", m->unsupported);
	sbuf_puts(o, ". ");
	if (m->split) {
		sbuf_puts(o, "Slowdowns (ratio of medians, &gt;1 is slower, 95% bootstrap interval) "
			     "are against <b>testbed:bare</b> for the testbed guests (the same emulated "
			     "machine without Xen) and against <b>");
		html_esc(o, m->baseline);
		sbuf_puts(o, "</b> for the others.</p>\n");
	} else if (m->baseline) {
		sbuf_puts(o, "Slowdowns are against <b>");
		html_esc(o, m->baseline);
		sbuf_puts(o, "</b> (ratio of medians, &gt;1 is slower, 95% bootstrap interval).</p>\n");
	} else {
		sbuf_puts(o, "No baseline environment: no slowdowns.</p>\n");
	}
	if (emu)
		sbuf_puts(o, "<p class=\"note\">Environments marked <span class=\"emu\">(emulated "
			     "hardware)</span> ran in the vmlab testbed: real Xen inside QEMU's "
			     "software emulation. Their absolute numbers are not hardware numbers; "
			     "compare them with each other.</p>\n");
	if (m->strongest || m->strongest_micro) {
		sbuf_puts(o, "<p class=\"strong\">");
		html_strongest(o, m->strongest_set, m, m->strongest);
		html_strongest(o, "microbenchmarks", m, m->strongest_micro);
		sbuf_puts(o, "Where did native performance go? Start the analysis with <b>");
		html_esc(o, (m->strongest ? m->strongest : m->strongest_micro)->bench);
		sbuf_puts(o, "</b>.</p>\n");
	}
	anomaly_render(m, &(const struct anomaly_fmt){ "<h2>Faster than the baseline</h2>\n<ul>\n",
			 "<li class=\"bad\">", "</li>\n", "</ul>\n", html_esc }, o);

	migration_render(m, &(const struct mig_fmt){ html_mig_head, "<tr><td>", "</td><td>", "</td></tr>\n",
			 "</table>\n<p class=\"note\">", "</p>\n", html_esc }, o);
	html_envs(m, o);
	html_geomean(m, o);
	html_benches(m, o);
	html_tables(m, o);
	sbuf_puts(o, "<p><small>Generated by vmlab report.</small></p>\n</body></html>\n");
}
