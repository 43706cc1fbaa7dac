/* The slowdown decomposition as Markdown, HTML (a stacked bar per target) and JSON. */
#include "report/explain.h"
#include "base/json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define BAR_W 560
#define BAR_H 22

static const char method[] =
	"extra time = median in the environment - median in its baseline; per mechanism, its "
	"events per run (per operation for a microbenchmark) x the extra cost of one, cost = "
	"(micro time in env - micro time in baseline) / events per micro op in env (for VM exits "
	"without a micro: the trace's mean time in Xen per exit), plus its extra events x its "
	"cost in the baseline (micro time there / events per op there; 0 where it cannot occur); "
	"what the mechanisms do not account for is unexplained";

/* A time of t in ns as the target shows it: per run in s units, else ns/op. */
static void fmt_time(const struct xtarget *t, double ns, char *buf, size_t n)
{
	if (!strcmp(t->unit, "s"))
		model_fmt(ns * 1e-9, "s", buf, n);
	else
		model_fmt(ns, "ns/op", buf, n);
}

static void fmt_pct(double v, char *buf, size_t n)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.1f%%", v * 100);
}

/* "testbed:pv: null_syscall 5.21x slower than testbed:bare (+812 ns/op): 99.8% explained". */
static void headline(const struct xtarget *t, struct sbuf *o)
{
	char ex[64], pc[32];

	fmt_time(t, t->extra_ns, ex, sizeof(ex));
	fmt_pct(t->explained, pc, sizeof(pc));
	sbuf_printf(o, "%s: %s (%s) %.2fx %s than %s (%s%s%s): %s explained", t->env, t->bench,
		    t->kind, t->slow, t->slow >= 1 ? "slower" : "faster", t->base,
		    t->extra_ns >= 0 ? "+" : "", ex, !strcmp(t->unit, "s") ? " per run" : "",
		    t->has_counts ? pc : "no data (no counts recorded)");
}

/* The words of a part's row: events, cost, time, share (or why). */
struct prow {
	char events[48], extra[48], cost[96], time[64], share[32];
};

/* A count: whole above 100, else 3 significant digits; "-" for NaN. */
static void count_text(double v, char *buf, size_t n)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else if (fabs(v) >= 100)
		snprintf(buf, n, "%.0f", v);
	else
		snprintf(buf, n, "%.3g", v);
}

static void part_row(const struct xtarget *t, const struct xpart *p, struct prow *r)
{
	char c[64];

	snprintf(r->events, sizeof(r->events), "-");
	snprintf(r->extra, sizeof(r->extra), "-");
	snprintf(r->cost, sizeof(r->cost), "-");
	snprintf(r->time, sizeof(r->time), "-");
	snprintf(r->share, sizeof(r->share), "no data");
	count_text(p->events, r->events, sizeof(r->events));
	count_text(p->extra, r->extra, sizeof(r->extra));
	if (!isnan(p->cost_ns)) {
		model_fmt(p->cost_ns * 1e-9, "s", c, sizeof(c));
		snprintf(r->cost, sizeof(r->cost), "%s%s", c, p->from_trace ? " (trace)" : "");
	}
	if (!isnan(p->time_ns)) {
		fmt_time(t, p->time_ns, r->time, sizeof(r->time));
		fmt_pct(p->share, r->share, sizeof(r->share));
	}
}

/* The mechanisms without a count of the target there, ", "-separated. */
static void uncounted(const struct xtarget *t, struct sbuf *o)
{
	bool any = false;

	for (size_t i = 0; i < t->nparts; i++)
		if (!t->parts[i].counted) {
			sbuf_printf(o, "%s%s", any ? ", " : "", t->parts[i].m->name);
			any = true;
		}
}

static void md_target(const struct xtarget *t, struct sbuf *o)
{
	char un[64], pc[32];
	struct sbuf nc = SBUF_INIT;

	sbuf_puts(o, "\n### ");
	headline(t, o);
	sbuf_puts(o, "\n\n| mechanism | event | events | extra events | extra cost of one | time | share |\n"
		  "| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
	for (size_t i = 0; i < t->nparts; i++) {
		const struct xpart *p = &t->parts[i];
		struct prow r;
		if (!p->counted)
			continue;
		part_row(t, p, &r);
		sbuf_printf(o, "| %s | %s | %s | %s | %s | %s | %s%s |\n", p->m->name, p->event,
			    r.events, r.extra, r.cost, r.time, r.share,
			    p->circular ? " (priced by this micro itself)" : "");
	}
	fmt_time(t, t->unexplained_ns, un, sizeof(un));
	fmt_pct(t->extra_ns ? t->unexplained_ns / t->extra_ns : NAN, pc, sizeof(pc));
	sbuf_printf(o, "| unexplained | | | | | %s | %s |\n", un, pc);
	for (size_t i = 0; i < t->nparts; i++)
		if (t->parts[i].counted && t->parts[i].why[0])
			sbuf_printf(o, "\n- %s: %s", t->parts[i].m->name, t->parts[i].why);
	uncounted(t, &nc);
	if (nc.len)
		sbuf_printf(o, "\n- no data (not counted in %s of %s): %s", t->env, t->bench, sbuf_str(&nc));
	sbuf_puts(o, "\n");
	sbuf_free(&nc);
}

void explain_md(const struct explanation *x, struct sbuf *o)
{
	sbuf_puts(o, "\n## Where the time went\n\n");
	sbuf_printf(o, "Method: %s (vmlab-explain(1) has the table of mechanisms).\n", method);
	for (size_t i = 0; i < x->n; i++)
		md_target(&x->v[i], o);
}

/* One horizontal bar: the extra time, split into the parts with a positive
 * time and the unexplained rest (grey); over 100% the bar grows. */
static void svg_bar(const struct xtarget *t, struct sbuf *o)
{
	static const char *const fills[] = { "#3b6ea8", "#d08a35", "#5a9a4a", "#8e5ea2",
					     "#c44e52", "#4c9fb0", "#b8a33a", "#7a7a3a",
					     "#a05a7a", "#3a7a6a" };
	double total = 0, x = 0;

	for (size_t i = 0; i < t->nparts; i++)
		if (t->parts[i].time_ns > 0)
			total += t->parts[i].time_ns;
	if (t->unexplained_ns > 0)
		total += t->unexplained_ns;
	if (!(total > 0))
		return;
	sbuf_printf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		       "role=\"img\" font-size=\"11\" font-family=\"sans-serif\">\n", BAR_W, BAR_H);
	for (size_t i = 0; i <= t->nparts; i++) {
		bool rest = i == t->nparts;
		double v = rest ? t->unexplained_ns : t->parts[i].time_ns;
		if (!(v > 0))
			continue;
		double w = v / total * BAR_W;
		sbuf_printf(o, "<rect x=\"%.1f\" y=\"0\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
			       "<title>", x, w, BAR_H, rest ? "#cccccc" : fills[i % 10]);
		html_esc(o, rest ? "unexplained" : t->parts[i].m->name);
		sbuf_printf(o, ": %.1f%%</title></rect>\n", v / t->extra_ns * 100);
		if (w > 60) {
			sbuf_printf(o, "<text x=\"%.1f\" y=\"15\" fill=\"%s\">", x + 4,
				    rest ? "#333" : "#fff");
			html_esc(o, rest ? "unexplained" : t->parts[i].m->name);
			sbuf_puts(o, "</text>\n");
		}
		x += w;
	}
	sbuf_puts(o, "</svg>\n");
}

void explain_html(const struct explanation *x, struct sbuf *o)
{
	struct sbuf h = SBUF_INIT;

	sbuf_puts(o, "<h2>Where the time went</h2>\n<p class=\"sub\">");
	html_esc(o, method);
	sbuf_puts(o, "</p>\n");
	for (size_t i = 0; i < x->n; i++) {
		const struct xtarget *t = &x->v[i];
		char un[64], pc[32];
		sbuf_reset(&h);
		headline(t, &h);
		sbuf_puts(o, "<h3>");
		html_esc(o, sbuf_str(&h));
		sbuf_puts(o, "</h3>\n");
		svg_bar(t, o);
		sbuf_puts(o, "<table><tr><th>mechanism</th><th>event</th><th>events</th><th>extra events</th>"
			  "<th>extra cost of one</th><th>time</th><th>share</th></tr>\n");
		for (size_t p = 0; p < t->nparts; p++) {
			const struct xpart *q = &t->parts[p];
			struct prow r;
			if (!q->counted)
				continue;
			part_row(t, q, &r);
			sbuf_puts(o, "<tr><td>");
			html_esc(o, q->m->name);
			sbuf_puts(o, "</td><td>");
			html_esc(o, q->event);
			sbuf_printf(o, "</td><td class=\"num\">%s</td><td class=\"num\">%s</td>"
				       "<td class=\"num\">", r.events, r.extra);
			html_esc(o, r.cost);
			sbuf_printf(o, "</td><td class=\"num\">%s</td><td class=\"num\"", r.time);
			if (q->why[0]) {
				sbuf_puts(o, " title=\"");
				html_esc(o, q->why);
				sbuf_puts(o, "\"");
			}
			sbuf_printf(o, ">%s%s</td></tr>\n", r.share, q->circular ? " (circular)" : "");
		}
		fmt_time(t, t->unexplained_ns, un, sizeof(un));
		fmt_pct(t->unexplained_ns / t->extra_ns, pc, sizeof(pc));
		sbuf_printf(o, "<tr><td>unexplained</td><td></td><td></td><td></td><td></td>"
			       "<td class=\"num\">%s</td><td class=\"num\">%s</td></tr></table>\n", un, pc);
		sbuf_reset(&h);
		uncounted(t, &h);
		if (h.len) {
			sbuf_printf(o, "<p class=\"sub\">no data (not counted here): ");
			html_esc(o, sbuf_str(&h));
			sbuf_puts(o, "</p>\n");
		}
	}
	sbuf_free(&h);
}

static void put_num(struct sbuf *o, const char *key, double v, bool comma)
{
	sbuf_printf(o, "%s\"%s\":", comma ? "," : "", key);
	json_put_num(o, v);
}

static void json_part(const struct xpart *p, struct sbuf *o)
{
	sbuf_puts(o, "{\"mechanism\":");
	json_put_str(o, p->m->name);
	sbuf_puts(o, ",\"event\":");
	json_put_str(o, p->event);
	sbuf_puts(o, ",\"micro\":");
	if (p->m->micro)
		json_put_str(o, p->m->micro);
	else
		sbuf_puts(o, "null");
	sbuf_printf(o, ",\"counted\":%s", p->counted ? "true" : "false");
	put_num(o, "events", p->events, true);
	put_num(o, "base_events", p->base_events, true);
	put_num(o, "extra_events", p->extra, true);
	put_num(o, "carried", p->carried, true);
	put_num(o, "cost_ns", p->cost_ns, true);
	put_num(o, "base_cost_ns", p->base_cost_ns, true);
	put_num(o, "time_ns", p->time_ns, true);
	put_num(o, "share", p->share, true);
	sbuf_printf(o, ",\"cost_from\":\"%s\",\"circular\":%s,\"no_data\":", p->from_trace ? "trace" : "micro",
		    p->circular ? "true" : "false");
	if (p->why[0])
		json_put_str(o, p->why);
	else
		sbuf_puts(o, "null");
	sbuf_puts(o, "}");
}

void explain_json(const struct explanation *x, struct sbuf *o)
{
	sbuf_puts(o, "{\"method\":");
	json_put_str(o, method);
	sbuf_puts(o, ",\"targets\":[");
	for (size_t i = 0; i < x->n; i++) {
		const struct xtarget *t = &x->v[i];
		sbuf_printf(o, "%s{\"environment\":", i ? "," : "");
		json_put_str(o, t->env);
		sbuf_puts(o, ",\"baseline\":");
		json_put_str(o, t->base);
		sbuf_puts(o, ",\"benchmark\":");
		json_put_str(o, t->bench);
		sbuf_puts(o, ",\"kind\":");
		json_put_str(o, t->kind);
		sbuf_puts(o, ",\"unit\":");
		json_put_str(o, t->unit);
		put_num(o, "value", t->value, true);
		put_num(o, "baseline_value", t->base_value, true);
		put_num(o, "slowdown", t->slow, true);
		put_num(o, "extra_ns", t->extra_ns, true);
		put_num(o, "explained_ns", t->has_counts ? t->explained_ns : NAN, true);
		put_num(o, "unexplained_ns", t->has_counts ? t->unexplained_ns : NAN, true);
		put_num(o, "explained", t->has_counts ? t->explained : NAN, true);
		sbuf_puts(o, ",\"parts\":[");
		for (size_t p = 0; p < t->nparts; p++) {
			sbuf_puts(o, p ? "," : "");
			json_part(&t->parts[p], o);
		}
		sbuf_puts(o, "]}");
	}
	sbuf_puts(o, "]}\n");
}
