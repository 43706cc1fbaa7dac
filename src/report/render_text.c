/* Markdown, CSV and JSON renderings of a report model. */
#include "report/migration.h"
#include "report/anomaly.h"
#include "report/model.h"
#include "report/explain.h"
#include "base/json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* Markdown table cells must not contain '|' or newlines. */
static void md_text(struct sbuf *o, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			sbuf_puts(o, "\\|");
		else if (*s == '\n' || *s == '\r')
			sbuf_putc(o, ' ');
		else
			sbuf_putc(o, *s);
	}
}

/* "lo .. hi UNIT" in the scale of c's median; "-" without an interval. */
void model_fmt_ci(const struct rcell *c, char *buf, size_t len)
{
	struct uscale u;
	char lo[48], hi[48];

	if (isnan(c->lo)) {
		snprintf(buf, len, "-");
		return;
	}
	model_scale(c->median, c->unit, &u);
	model_fmt_num(c->lo, &u, lo, sizeof(lo));
	model_fmt_num(c->hi, &u, hi, sizeof(hi));
	snprintf(buf, len, "%s .. %s", lo, hi);
}

static void md_strongest(struct sbuf *o, const char *set, const struct model *m,
			 const struct rcell *c)
{
	sbuf_printf(o, "\n**Strongest slowdown among the %s:** %s on %s, %.3fx [%.3f, %.3f] of %s.",
		    set, c->bench, c->env, c->slow, c->slow_lo, c->slow_hi, model_base_of(m, c));
}

/* The table of every row and environment with a record. */
static void md_results(const struct model *m, struct sbuf *o)
{
	struct model_cell_text t;

	sbuf_puts(o, "\n## Results\n\n| benchmark | environment | n | median | min | max | "
		     "95% CI of median | slowdown [95% CI] | vs | failed |\n"
		     "|---|---|---|---|---|---|---|---|---|---|\n");
	for (size_t i = model_next_shown(m, 0); i < m->nbench * m->nenv;
	     i = model_next_shown(m, i + 1)) {
		const struct rcell *x = &m->cells[i];
		size_t k = i % m->nenv;

		model_cell_text(x, "x", &t);
		sbuf_puts(o, "| ");
		md_text(o, x->bench);
		sbuf_puts(o, " | ");
		md_text(o, x->env);
		sbuf_printf(o, " | %zu | %s | %s | %s | %s | %s | %s | %zu |\n", x->n, t.median,
			    t.min, t.max, t.ci, t.slow, or_dash(m->envs[k].base_name), x->failed);
	}

}

/* The cells with failed runs (unsup false) or with records of a micro the
 * environment cannot run (unsup true), each with its first reason; nothing
 * when there are none. */
static void md_problems(const struct model *m, struct sbuf *o, bool unsup)
{
	if (!(unsup ? m->unsupported : m->failed))
		return;
	sbuf_puts(o, unsup ? "\n## Not supported\n\n| benchmark | environment | runs | reason |\n"
			   : "\n## Failed runs\n\n| benchmark | environment | failed | first error |\n");
	sbuf_puts(o, "|---|---|---|---|\n");
	model_problem_rows(m, unsup, &(const struct model_row_fmt){ "| ", " | ", " | ", " | ",
			   "<not supported>: ", " |\n", md_text, true }, o);
}

static const char md_mig_head[] =
	"\n## Live migration\n\n"
	"Each migration's total time (xl migrate in the source's dom0) and its downtime as Clark et al. "
	"measured it: the largest gap between the replies of the probe vmlab migrate runs, and between "
	"the clients' responses in the migration's window (vmlab web window --migration).\n\n"
	"| guest | from -> to | memory | total time | downtime (probe) | clients' largest gap | "
	"responses/s in the window | pages good / tolerable |\n"
	"|---|---|---|---|---|---|---|---|\n";

void render_md(const struct model *m, const char *title, struct sbuf *o)
{
	char a[96];

	sbuf_printf(o, "# %s\n\n", title);
	sbuf_printf(o, "%zu records: %zu ok, %zu failed", m->records, m->ok, m->failed);
	if (m->unsupported)
		sbuf_printf(o, ", %zu not supported", m->unsupported);
	sbuf_puts(o, ". ");
	if (m->split)
		sbuf_printf(o, "Slowdowns (ratio of medians, >1 is slower; 95%% bootstrap interval) "
			       "are against **testbed:bare** for the testbed guests (the same emulated "
			       "machine without Xen) and against **%s** for the others.\n\n",
			    m->baseline);
	else if (m->baseline)
		sbuf_printf(o, "Slowdowns are against **%s** (ratio of medians, >1 is slower; "
			       "95%% bootstrap interval).\n\n", m->baseline);
	else
		sbuf_puts(o, "No baseline environment (native or testbed:bare): no slowdowns.\n\n");
	for (size_t k = 0; k < m->nenv; k++)
		if (m->envs[k].emulated) {
			sbuf_puts(o, "Environments labelled *testbed (emulated hardware)* ran inside the "
				     "QEMU-emulated Xen testbed: their absolute numbers are not hardware "
				     "numbers.\n\n");
			break;
		}

	sbuf_puts(o, "## Environments\n\n| environment | label |");
	for (size_t i = 0; i < REPORT_NFACTS; i++)
		sbuf_printf(o, " %s |", report_facts[i].head);
	sbuf_puts(o, "\n|---|---|");
	for (size_t i = 0; i < REPORT_NFACTS; i++)
		sbuf_puts(o, "---|");
	sbuf_putc(o, '\n');
	for (size_t k = 0; k < m->nenv; k++) {
		const struct renv *v = &m->envs[k];
		sbuf_puts(o, "| ");
		md_text(o, v->name);
		sbuf_puts(o, " | ");
		md_text(o, v->label);
		for (size_t i = 0; i < REPORT_NFACTS; i++) {
			sbuf_puts(o, " | ");
			md_text(o, or_dash(report_fact(v->facts, i)));
		}
		sbuf_puts(o, " |\n");
	}

	md_results(m, o);
	if (m->baseline) {
		sbuf_puts(o, "\n## Geometric mean of slowdowns\n\n"
			     "| environment | vs | geometric mean | benchmarks | strongest slowdown |\n"
			     "|---|---|---|---|---|\n");
		for (size_t k = 0; k < m->nenv; k++) {
			const struct renv *v = &m->envs[k];
			if (isnan(v->geomean))
				snprintf(a, sizeof(a), "-");
			else
				snprintf(a, sizeof(a), "%.3f", v->geomean);
			sbuf_puts(o, "| ");
			md_text(o, v->name);
			sbuf_puts(o, " | ");
			md_text(o, or_dash(v->base_name));
			sbuf_printf(o, " | %s%s | %zu | ", a, isnan(v->geomean) ? "" : "x", v->ngeo);
			if (v->worst) {
				md_text(o, v->worst->bench);
				sbuf_printf(o, " (%.3fx)", v->worst->slow);
			} else {
				sbuf_puts(o, "-");
			}
			sbuf_puts(o, " |\n");
		}
	}
	if (m->strongest)
		md_strongest(o, m->strongest_set, m, m->strongest);
	if (m->strongest_micro)
		md_strongest(o, "microbenchmarks", m, m->strongest_micro);
	if (m->strongest || m->strongest_micro)
		sbuf_printf(o, " Where did native performance go? Start the analysis with %s.\n",
			    (m->strongest ? m->strongest : m->strongest_micro)->bench);
	anomaly_render(m, &(const struct anomaly_fmt){ "\n## Faster than the baseline\n\n", "- ",
			 "\n", "", md_text }, o);
	migration_render(m, &(const struct mig_fmt){ md_mig_head, "| ", " | ", " |\n", "\n", "\n", md_text }, o);
	md_problems(m, o, false);
	md_problems(m, o, true);
	if (m->counts.n) {
		sbuf_puts(o, "\n## Event counts\n\nCounted around each run's measured iterations "
			     "(micro: per repetition); medians over the runs.\n\n"
			     "| benchmark | environment | event | runs | median count | per op | note |\n"
			     "|---|---|---|---|---|---|---|\n");
		counts_rows(&m->counts, &(const struct counts_fmt){ "| ", " | ", " |\n", md_text }, o);
		struct explanation x;
		if (explain_build(m, &x, NULL) == 0) {
			explain_md(&x, o);
			explain_free(&x);
		}
	}
}

static void csv_field(struct sbuf *o, const char *s)
{
	if (!s)
		s = "";
	if (!strpbrk(s, ",\"\r\n")) {
		sbuf_puts(o, s);
		return;
	}
	sbuf_putc(o, '"');
	for (; *s; s++) {
		if (*s == '"')
			sbuf_putc(o, '"');
		sbuf_putc(o, *s);
	}
	sbuf_putc(o, '"');
}

static void csv_num(struct sbuf *o, double v)
{
	sbuf_putc(o, ',');
	if (!isnan(v))
		sbuf_printf(o, "%.6g", v);
}

void render_csv(const struct model *m, struct sbuf *o)
{
	sbuf_puts(o, "benchmark,kind,environment,label,unit,better,n,failed,median,min,max,ci_lo,"
		     "ci_hi,baseline,slowdown,slowdown_lo,slowdown_hi,sessions,bound\n");
	for (size_t i = model_next_shown(m, 0); i < m->nbench * m->nenv;
	     i = model_next_shown(m, i + 1)) {
		const struct rcell *x = &m->cells[i];
		size_t bi = i / m->nenv, k = i % m->nenv;

		csv_field(o, m->benches[bi].name);
		sbuf_putc(o, ',');
		csv_field(o, x->kind);
		sbuf_putc(o, ',');
		csv_field(o, x->env);
		sbuf_putc(o, ',');
		csv_field(o, m->envs[k].label);
		sbuf_putc(o, ',');
		csv_field(o, x->unit);
		sbuf_printf(o, ",%s,%zu,%zu", x->higher_better ? "higher" : "lower", x->n,
			    x->failed);
		csv_num(o, x->median);
		csv_num(o, x->min);
		csv_num(o, x->max);
		csv_num(o, x->lo);
		csv_num(o, x->hi);
		sbuf_putc(o, ',');
		csv_field(o, m->envs[k].base_name ? m->envs[k].base_name : m->envs[k].base < 0 &&
			  m->baseline ? x->env : NULL);
		csv_num(o, x->slow);
		csv_num(o, x->slow_lo);
		csv_num(o, x->slow_hi);
		sbuf_putc(o, ',');
		if (x->sessions)
			sbuf_printf(o, "%u", x->sessions);
		sbuf_putc(o, ',');
		csv_field(o, x->bound);
		sbuf_putc(o, '\n');
	}
}

static void jkey(struct sbuf *o, const char *k)
{
	json_put_str(o, k);
	sbuf_putc(o, ':');
}

/* ,"k":"v" */
static void jfield(struct sbuf *o, const char *k, const char *v)
{
	sbuf_putc(o, ',');
	jkey(o, k);
	json_put_str(o, v);
}

static void jstr_or_null(struct sbuf *o, const char *s)
{
	if (s)
		json_put_str(o, s);
	else
		sbuf_puts(o, "null");
}

static void json_strongest(struct sbuf *o, const struct model *m, const struct rcell *c,
			   const char *set)
{
	if (!c) {
		sbuf_puts(o, "null");
		return;
	}
	sbuf_putc(o, '{');
	jkey(o, "benchmark");
	json_put_str(o, c->bench);
	jfield(o, "environment", c->env);
	jfield(o, "baseline", model_base_of(m, c));
	sbuf_puts(o, ",\"slowdown\":");
	json_put_num(o, c->slow);
	jfield(o, "set", set);
	sbuf_putc(o, '}');
}

/* "results":[...]: one object for every row and environment with a record. */
static void json_results(const struct model *m, struct sbuf *o)
{
	jkey(o, "results");
	sbuf_putc(o, '[');
	bool first = true;
	for (size_t i = model_next_shown(m, 0); i < m->nbench * m->nenv;
	     i = model_next_shown(m, i + 1)) {
		const struct rcell *x = &m->cells[i];
		size_t bi = i / m->nenv, k = i % m->nenv;

		sbuf_puts(o, first ? "{" : ",{");
		first = false;
		jkey(o, "benchmark");
		json_put_str(o, m->benches[bi].name);
		jfield(o, "row", x->bench);
		if (x->sessions)
			sbuf_printf(o, ",\"sessions\":%u", x->sessions);
		if (x->bound)
			jfield(o, "bound", x->bound);
		jfield(o, "kind", x->kind);
		jfield(o, "environment", x->env);
		jfield(o, "unit", x->unit);
		sbuf_printf(o, ",\"better\":\"%s\",\"n\":%zu,\"failed\":%zu,\"baseline\":",
			    x->higher_better ? "higher" : "lower", x->n, x->failed);
		jstr_or_null(o, m->envs[k].base_name);
		const char *names[] = { "median", "min", "max", "ci_lo", "ci_hi", "slowdown",
					"slowdown_lo", "slowdown_hi" };
		double vals[] = { x->median, x->min, x->max, x->lo, x->hi, x->slow,
				  x->slow_lo, x->slow_hi };
		for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
			sbuf_printf(o, ",\"%s\":", names[v]);
			json_put_num(o, vals[v]);
		}
		if (x->unsupported) {
			sbuf_printf(o, ",\"unsupported\":%zu", x->unsupported);
			jfield(o, "unsupported_reason", x->unsupported_why);
		}
		if (x->first_error)
			jfield(o, "first_error", x->first_error);
		sbuf_putc(o, '}');
	}
}

void render_json(const struct model *m, const char *title, struct sbuf *o)
{
	sbuf_putc(o, '{');
	jkey(o, "title");
	json_put_str(o, title);
	sbuf_putc(o, ',');
	jkey(o, "baseline");
	jstr_or_null(o, m->baseline);
	sbuf_printf(o, ",\"records\":%zu,\"ok\":%zu,\"failed\":%zu,", m->records, m->ok, m->failed);
	if (m->unsupported)
		sbuf_printf(o, "\"unsupported\":%zu,", m->unsupported);
	jkey(o, "environments");
	sbuf_putc(o, '[');
	for (size_t k = 0; k < m->nenv; k++) {
		const struct renv *v = &m->envs[k];
		const struct host_facts *f = v->facts;
		sbuf_puts(o, k ? ",{" : "{");
		jkey(o, "name");
		json_put_str(o, v->name);
		jfield(o, "label", v->label);
		sbuf_printf(o, ",\"emulated\":%s,\"ok\":%zu,\"failed\":%zu,\"geomean_slowdown\":",
			    v->emulated ? "true" : "false", v->ok, v->failed);
		json_put_num(o, v->geomean);
		sbuf_puts(o, ",\"baseline\":");
		jstr_or_null(o, v->base_name);
		sbuf_puts(o, ",\"strongest\":");
		jstr_or_null(o, v->worst ? v->worst->bench : NULL);
		sbuf_puts(o, ",\"facts\":{");
		bool first = true;
		for (size_t i = 0; i < REPORT_NFACTS; i++) {
			const char *val = report_fact(f, i);
			if (!val)
				continue;
			if (!first)
				sbuf_putc(o, ',');
			first = false;
			jkey(o, report_facts[i].name);
			json_put_str(o, i == 10 ? f->xen_host : val);
		}
		if (f->host_kind) {
			sbuf_putc(o, first ? ' ' : ',');
			jkey(o, "host_kind");
			json_put_str(o, f->host_kind);
		}
		sbuf_puts(o, "}}");
	}
	sbuf_puts(o, "],");
	json_results(m, o);
	sbuf_puts(o, "],");
	jkey(o, "strongest");
	json_strongest(o, m, m->strongest, m->strongest_set);
	sbuf_putc(o, ',');
	jkey(o, "strongest_micro");
	json_strongest(o, m, m->strongest_micro, "microbenchmarks");
	if (m->counts.n) {
		sbuf_puts(o, ",\"counts\":");
		counts_json(&m->counts, o);
		struct explanation x;
		if (explain_build(m, &x, NULL) == 0) {
			sbuf_puts(o, ",\"explain\":");
			explain_json(&x, o);
			while (o->len && o->buf[o->len - 1] == '\n')
				o->buf[--o->len] = 0;
			explain_free(&x);
		}
	}
	sbuf_puts(o, "}\n");
}
