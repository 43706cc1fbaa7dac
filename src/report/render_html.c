/* A self-contained HTML report: inline CSS and inline SVG bar charts with
 * error bars, no external resources. */
#include "report/model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define CHART_W 820
#define LABEL_W 210
#define TEXT_W 230
#define ROW_H 28

static void esc(struct sbuf *o, const char *s)
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
	".bad{color:#b00020}.sub{margin:0;color:#555;font-size:.85em}svg{display:block;margin:4px 0 12px}"
	".legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;"
	"vertical-align:middle}";

/* One horizontal bar per row: bar to v[i], whisker lo[i]..hi[i], dots at
 * mn[i] and mx[i] (NaN: omitted), label[i] at the left, text[i] at the right.
 * ref > 0 draws a dashed reference line at that value. */
static void chart(struct sbuf *o, size_t n, const char *const *label, const char *const *color,
		  const double *v, const double *lo, const double *hi, const double *mn,
		  const double *mx, const char *const *text, double ref)
{
	double top = ref > 0 ? ref : 0;
	double plot_w = CHART_W - LABEL_W - TEXT_W;
	int h = (int)n * ROW_H + 24;

	for (size_t i = 0; i < n; i++) {
		double c[] = { v[i], hi[i], mx[i] };
		for (size_t j = 0; j < 3; j++)
			if (isfinite(c[j]) && c[j] > top)
				top = c[j];
	}
	if (!(top > 0))
		top = 1;
	top *= 1.05;
#define X(val) (LABEL_W + (val) / top * plot_w)
	sbuf_printf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		       "viewBox=\"0 0 %d %d\" role=\"img\" font-size=\"12\" "
		       "font-family=\"sans-serif\">\n", CHART_W, h, CHART_W, h);
	sbuf_printf(o, "<line x1=\"%d\" y1=\"0\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n", LABEL_W,
		    LABEL_W, h - 20);
	for (int t = 1; t <= 4; t++) {
		double tv = top / 1.05 * t / 4;
		sbuf_printf(o, "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>"
			       "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#666\">"
			       "%.4g</text>\n", X(tv), X(tv), h - 20, X(tv), h - 6, tv);
	}
	for (size_t i = 0; i < n; i++) {
		double y = (double)i * ROW_H + 4, cy = y + (ROW_H - 8) / 2.0;
		sbuf_printf(o, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" "
			       "dominant-baseline=\"middle\">", LABEL_W - 6, cy);
		esc(o, label[i]);
		sbuf_puts(o, "</text>\n");
		if (isfinite(v[i]))
			sbuf_printf(o, "<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" "
				       "fill=\"%s\"/>\n", LABEL_W, y, X(v[i]) - LABEL_W, ROW_H - 8,
				    color[i]);
		if (isfinite(lo[i]) && isfinite(hi[i]))
			sbuf_printf(o, "<g stroke=\"#111\" stroke-width=\"1.5\"><line x1=\"%.1f\" "
				       "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/><line x1=\"%.1f\" "
				       "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/><line x1=\"%.1f\" "
				       "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/></g>\n",
				    X(lo[i]), cy, X(hi[i]), cy, X(lo[i]), cy - 5, X(lo[i]), cy + 5,
				    X(hi[i]), cy - 5, X(hi[i]), cy + 5);
		if (isfinite(mn[i]))
			sbuf_printf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#fff\" "
				       "stroke=\"#111\"/>\n", X(mn[i]), cy);
		if (isfinite(mx[i]))
			sbuf_printf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#fff\" "
				       "stroke=\"#111\"/>\n", X(mx[i]), cy);
		sbuf_printf(o, "<text x=\"%d\" y=\"%.1f\" dominant-baseline=\"middle\">",
			    CHART_W - TEXT_W + 8, cy);
		esc(o, text[i]);
		sbuf_puts(o, "</text>\n");
	}
	if (ref > 0)
		sbuf_printf(o, "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%d\" stroke=\"#b00020\" "
			       "stroke-dasharray=\"4 3\"/>\n", X(ref), X(ref), h - 20);
#undef X
	sbuf_puts(o, "</svg>\n");
}

static void env_label(struct sbuf *o, const struct renv *v)
{
	esc(o, v->name);
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
		esc(o, m->baseline);
		sbuf_puts(o, ")");
	}
	sbuf_puts(o, "<span style=\"background:#5a9a4a\"></span>other hardware");
	if (emu)
		sbuf_puts(o, "<span style=\"background:#d08a35\"></span>testbed (emulated hardware)");
	sbuf_puts(o, " &nbsp; bar: median; whisker: 95% interval of the median; circles: "
		     "min and max</p>\n");
}

void render_html(const struct model *m, const char *title, struct sbuf *o)
{
	char a[64], b[64], c[64], buf[160];
	bool emu = false;

	for (size_t k = 0; k < m->nenv; k++)
		emu = emu || m->envs[k].emulated;
	sbuf_puts(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		     "<meta name=\"viewport\" content=\"width=device-width\"><title>");
	esc(o, title);
	sbuf_printf(o, "</title><style>%s</style></head><body>\n<h1>", css);
	esc(o, title);
	sbuf_printf(o, "</h1>\n<p>%zu records: %zu ok, <span class=\"%s\">%zu failed</span>. ",
		    m->records, m->ok, m->failed ? "bad" : "", m->failed);
	if (m->split) {
		sbuf_puts(o, "Slowdowns (ratio of medians, &gt;1 is slower, 95% bootstrap interval) "
			     "are against <b>testbed:bare</b> for the testbed guests (the same emulated "
			     "machine without Xen) and against <b>");
		esc(o, m->baseline);
		sbuf_puts(o, "</b> for the others.</p>\n");
	} else if (m->baseline) {
		sbuf_puts(o, "Slowdowns are against <b>");
		esc(o, m->baseline);
		sbuf_puts(o, "</b> (ratio of medians, &gt;1 is slower, 95% bootstrap interval).</p>\n");
	} else {
		sbuf_puts(o, "No baseline environment: no slowdowns.</p>\n");
	}
	if (emu)
		sbuf_puts(o, "<p class=\"note\">Environments marked <span class=\"emu\">(emulated "
			     "hardware)</span> ran in the vmlab testbed: real Xen inside QEMU's "
			     "software emulation. Their absolute numbers are not hardware numbers; "
			     "compare them with each other.</p>\n");
	if (m->strongest) {
		sbuf_puts(o, "<p class=\"strong\">Strongest slowdown: <b>");
		esc(o, m->strongest->bench);
		sbuf_puts(o, "</b> on <b>");
		esc(o, m->strongest->env);
		sbuf_printf(o, "</b>, %.3f&times; [%.3f, %.3f] of ", m->strongest->slow,
			    m->strongest->slow_lo, m->strongest->slow_hi);
		esc(o, strongest_base(m));
		sbuf_puts(o, ". Where did native performance go? Start the analysis with this "
			     "benchmark.</p>\n");
	}

	sbuf_puts(o, "<h2>Environments</h2>\n<table><tr><th>environment</th><th>label</th>"
		     "<th>host</th><th>CPU</th><th>kernel</th><th>Xen</th><th>scheduler</th>"
		     "<th>virt_caps</th><th>guest</th><th>tsc_mode</th><th>ok</th><th>failed</th></tr>\n");
	for (size_t k = 0; k < m->nenv; k++) {
		const struct renv *v = &m->envs[k];
		const struct host_facts *f = v->facts;
		const char *cols[] = { f->hostname, f->cpu_model, f->kernel, f->xen_version,
				       f->xen_scheduler, f->virt_caps, f->guest_type, f->tsc_mode };
		sbuf_puts(o, "<tr><td>");
		env_label(o, v);
		sbuf_puts(o, "</td><td>");
		esc(o, v->label);
		for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
			sbuf_puts(o, "</td><td>");
			esc(o, cols[i] ? cols[i] : "-");
		}
		sbuf_printf(o, "</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td></tr>\n",
			    v->ok, v->failed);
	}
	sbuf_puts(o, "</table>\n");

	if (m->baseline && m->nenv > 1) {
		const char *lab[m->nenv], *col[m->nenv], *txt[m->nenv];
		double v[m->nenv], nan[m->nenv];
		char tbuf[m->nenv][64];
		size_t n = 0;
		sbuf_puts(o, "<h2>Geometric mean of slowdowns</h2>\n");
		for (size_t k = 0; k < m->nenv; k++) {
			/* testbed:bare against native is the emulation's cost: said below */
			if (m->envs[k].base < 0 || (m->split && k == 1))
				continue;
			lab[n] = m->envs[k].name;
			col[n] = fill(m, k);
			v[n] = m->envs[k].geomean;
			nan[n] = NAN;
			if (isnan(v[n]))
				snprintf(tbuf[n], sizeof(tbuf[n]), "-");
			else
				snprintf(tbuf[n], sizeof(tbuf[n]), "%.3fx vs %s (%zu benchmarks)", v[n],
					 m->envs[k].base_name, m->envs[k].ngeo);
			txt[n] = tbuf[n];
			n++;
		}
		chart(o, n, lab, col, v, nan, nan, nan, nan, txt, 1.0);
		sbuf_puts(o, "<p>Dashed line: the baseline (1.0).");
		if (m->split && !isnan(m->envs[1].geomean))
			sbuf_printf(o, " The emulated machine itself (testbed:bare against native) is "
				       "%.3f&times; slower (geometric mean over %zu benchmarks).",
				    m->envs[1].geomean, m->envs[1].ngeo);
		sbuf_puts(o, "</p>\n");
	}

	sbuf_puts(o, "<h2>Benchmarks</h2>\n");
	legend(o, m);
	for (size_t bi = 0; bi < m->nbench; bi++) {
		const char *lab[m->nenv], *col[m->nenv], *txt[m->nenv];
		double v[m->nenv], lo[m->nenv], hi[m->nenv], mn[m->nenv], mx[m->nenv];
		char tbuf[m->nenv][96];
		size_t n = 0;
		const struct rcell *x0 = model_cell(m, bi, 0);

		sbuf_puts(o, "<h3>");
		esc(o, m->benches[bi].name);
		sbuf_puts(o, " <small>(");
		esc(o, m->benches[bi].kind);
		sbuf_printf(o, ", %s, %s is better)</small></h3>\n", x0->unit ? x0->unit : "s",
			    x0->higher_better ? "higher" : "lower");
		for (size_t k = 0; k < m->nenv; k++) {
			const struct rcell *x = model_cell(m, bi, k);
			if (!x->n && !x->failed)
				continue;
			lab[n] = x->env;
			col[n] = fill(m, k);
			v[n] = x->median;
			lo[n] = x->lo;
			hi[n] = x->hi;
			mn[n] = x->min;
			mx[n] = x->max;
			model_fmt(x->median, x->unit, a, sizeof(a));
			if (!x->n)
				snprintf(tbuf[n], sizeof(tbuf[n]), "failed (%zu runs)", x->failed);
			else if (isnan(x->slow))
				snprintf(tbuf[n], sizeof(tbuf[n]), "%s (n=%zu)", a, x->n);
			else
				snprintf(tbuf[n], sizeof(tbuf[n]), "%s (n=%zu) %.3fx", a, x->n,
					 x->slow);
			txt[n] = tbuf[n];
			n++;
		}
		chart(o, n, lab, col, v, lo, hi, mn, mx, txt, 0);
		n = 0;
		for (size_t k = 0; k < m->nenv; k++) {
			const struct rcell *x = model_cell(m, bi, k);
			if (m->envs[k].base < 0 || isnan(x->slow) || (m->split && k == 1))
				continue;
			lab[n] = x->env;
			col[n] = fill(m, k);
			v[n] = x->slow;
			lo[n] = x->slow_lo;
			hi[n] = x->slow_hi;
			mn[n] = mx[n] = NAN;
			snprintf(tbuf[n], sizeof(tbuf[n]), "%.3fx [%.3f, %.3f] vs %s", x->slow,
				 x->slow_lo, x->slow_hi, m->envs[k].base_name);
			txt[n] = tbuf[n];
			n++;
		}
		if (n) {
			sbuf_puts(o, "<p class=\"sub\">slowdown (whisker: 95% bootstrap interval; "
				     "dashed: 1.0)</p>\n");
			chart(o, n, lab, col, v, lo, hi, mn, mx, txt, 1.0);
		}
	}

	sbuf_puts(o, "<h2>Table</h2>\n<table><tr><th>benchmark</th><th>environment</th><th>n</th>"
		     "<th>median</th><th>min</th><th>max</th><th>95% CI of median</th>"
		     "<th>slowdown [95% CI]</th><th>vs</th><th>failed</th></tr>\n");
	for (size_t bi = 0; bi < m->nbench; bi++)
		for (size_t k = 0; k < m->nenv; k++) {
			const struct rcell *x = model_cell(m, bi, k);
			if (!x->n && !x->failed)
				continue;
			sbuf_puts(o, "<tr><td>");
			esc(o, x->bench);
			sbuf_puts(o, "</td><td>");
			env_label(o, &m->envs[k]);
			model_fmt(x->median, x->unit, a, sizeof(a));
			model_fmt(x->min, x->unit, b, sizeof(b));
			model_fmt(x->max, x->unit, c, sizeof(c));
			sbuf_printf(o, "</td><td class=\"num\">%zu</td><td class=\"num\">%s</td>"
				       "<td class=\"num\">%s</td><td class=\"num\">%s</td>", x->n, a, b,
				    c);
			if (isnan(x->lo))
				snprintf(buf, sizeof(buf), "-");
			else
				snprintf(buf, sizeof(buf), "%.4g .. %.4g", x->lo, x->hi);
			sbuf_printf(o, "<td class=\"num\">%s</td>", buf);
			if (isnan(x->slow))
				snprintf(buf, sizeof(buf), "-");
			else if (isnan(x->slow_lo))
				snprintf(buf, sizeof(buf), "%.3f&times; (baseline)", x->slow);
			else
				snprintf(buf, sizeof(buf), "%.3f&times; [%.3f, %.3f]", x->slow,
					 x->slow_lo, x->slow_hi);
			sbuf_printf(o, "<td class=\"num\">%s</td><td>", buf);
			esc(o, m->envs[k].base_name ? m->envs[k].base_name : "-");
			sbuf_printf(o, "</td><td class=\"num%s\">%zu</td></tr>\n",
				    x->failed ? " bad" : "", x->failed);
		}
	sbuf_puts(o, "</table>\n");
	if (m->failed) {
		sbuf_puts(o, "<h2>Failed runs</h2>\n<table><tr><th>benchmark</th><th>environment"
			     "</th><th>failed</th><th>first error</th></tr>\n");
		for (size_t i = 0; i < m->nbench * m->nenv; i++) {
			const struct rcell *x = &m->cells[i];
			if (!x->failed)
				continue;
			sbuf_puts(o, "<tr><td>");
			esc(o, x->bench);
			sbuf_puts(o, "</td><td>");
			esc(o, x->env);
			sbuf_printf(o, "</td><td class=\"num\">%zu</td><td>", x->failed);
			esc(o, x->first_error ? x->first_error : "-");
			sbuf_puts(o, "</td></tr>\n");
		}
		sbuf_puts(o, "</table>\n");
	}
	sbuf_puts(o, "<p><small>Generated by vmlab report.</small></p>\n</body></html>\n");
}
