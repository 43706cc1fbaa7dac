/* Groups result records by benchmark and environment and computes medians,
 * intervals, slowdowns and geometric means. */
#include "report/model.h"
#include "base/sbuf.h"
#include "measure/stats.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOOT_RESAMPLES 2000

static size_t find(const char *const *names, size_t n, const char *s)
{
	for (size_t k = 0; k < n; k++)
		if (!strcmp(names[k], s))
			return k;
	return n;
}

static bool is_testbed(const char *env)
{
	return !strncmp(env, "testbed:", 8);
}

/* The value a record contributes; NaN when it has none. */
static double record_value(const struct record *r)
{
	if (!isnan(r->value))
		return r->value;
	return r->wall_s;
}

static const char *record_unit(const struct record *r)
{
	if (r->unit)
		return r->unit;
	return "s";
}

static bool record_higher(const struct record *r)
{
	return r->better && !strcmp(r->better, "higher");
}

static bool record_ok(const struct record *r)
{
	return !strcmp(r->status, "ok") && isfinite(record_value(r));
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static double resampled_median(const double *v, size_t n, double *tmp, uint64_t *rng)
{
	for (size_t i = 0; i < n; i++)
		tmp[i] = v[rng_next(rng) % n];
	return stats_median(tmp, n);
}

/* Slowdown of c against base (the ratio of medians, oriented so that > 1 is
 * slower) and a 95% percentile-bootstrap interval of it. The generator is
 * seeded with a constant so reports are reproducible. */
static void slowdown(struct rcell *c, const struct rcell *base)
{
	double *boot, *ta, *tb;
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	size_t nb = 0;

	c->slow = c->slow_lo = c->slow_hi = NAN;
	if (!c->n || !base->n || !(c->median > 0) || !(base->median > 0))
		return;
	c->slow = c->higher_better ? base->median / c->median : c->median / base->median;
	boot = xmalloc(BOOT_RESAMPLES * sizeof(*boot));
	ta = xmalloc(c->n * sizeof(*ta));
	tb = xmalloc(base->n * sizeof(*tb));
	for (size_t i = 0; i < BOOT_RESAMPLES; i++) {
		double a = resampled_median(c->v, c->n, ta, &rng);
		double b = resampled_median(base->v, base->n, tb, &rng);
		if (a > 0 && b > 0)
			boot[nb++] = c->higher_better ? b / a : a / b;
	}
	c->slow_lo = stats_quantile(boot, nb, 0.025);
	c->slow_hi = stats_quantile(boot, nb, 0.975);
	free(boot);
	free(ta);
	free(tb);
}

static const char *pick_baseline(const struct model *m, const char *want, struct err *e, int *rc)
{
	const char *names[m->nenv ? m->nenv : 1];
	bool all_testbed = true;

	*rc = 0;
	for (size_t k = 0; k < m->nenv; k++) {
		names[k] = m->envs[k].name;
		if (strcmp(names[k], "testbed:bare") && !is_testbed(names[k]))
			all_testbed = false;
	}
	if (want) {
		if (find(names, m->nenv, want) == m->nenv)
			*rc = err_set(e, -EINVAL, "baseline '%s': no records of this environment", want);
		return want;
	}
	if (all_testbed && find(names, m->nenv, "testbed:bare") < m->nenv)
		return "testbed:bare";
	if (find(names, m->nenv, "native") < m->nenv)
		return "native";
	if (find(names, m->nenv, "testbed:bare") < m->nenv)
		return "testbed:bare";
	return NULL;
}

/* A web search answer's "answer_upper" (its answer is in [value, upper]), or 0. */
static unsigned answer_upper(const struct record *r)
{
	const char *t = record_extra_json(r, "answer_upper");

	return t ? (unsigned)strtoul(t, NULL, 10) : 0;
}

/* The row of record r: the first one of its name, session count, bound and answer_upper
 * whose unit and direction match (any unit and direction when !exact);
 * nb when none. */
static size_t find_row(const struct model *m, size_t nb, const struct record *r, bool exact)
{
	for (size_t b = 0; b < nb; b++) {
		const struct rbench *x = &m->benches[b];
		if (strcmp(x->name, r->benchmark) || x->sessions != r->sessions ||
		    (x->bound == NULL) != (r->bound == NULL) || (x->bound && strcmp(x->bound, r->bound)) ||
		    x->upper != answer_upper(r))
			continue;
		if (!exact || (!strcmp(x->unit, record_unit(r)) && x->higher_better == record_higher(r)))
			return b;
	}
	return nb;
}

/* Rows for every record (ok records first, so a failed one joins a row of
 * its benchmark whatever unit it names); row[i] is record i's. */
static size_t build_rows(struct model *m, const struct result_set *set, size_t *row)
{
	size_t nb = 0;

	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < set->n; i++) {
			const struct record *r = &set->v[i];
			if (record_ok(r) != (pass == 0))
				continue;
			size_t b = find_row(m, nb, r, pass == 0);
			if (b == nb) {
				struct rbench *x = &m->benches[nb++];
				x->name = r->benchmark;
				x->kind = r->kind ? r->kind : "cpu";
				x->unit = record_unit(r);
				x->higher_better = record_higher(r);
				x->sessions = r->sessions;
				x->bound = r->bound;
				x->upper = answer_upper(r);
			}
			row[i] = b;
		}
	return nb;
}

static void put_lines(struct sbuf *w, const struct result_set *set, const size_t *row, size_t b)
{
	size_t shown = 0, more = 0;

	for (size_t i = 0; i < set->n; i++) {
		if (row[i] != b)
			continue;
		if (shown++ >= 6) {
			more++;
			continue;
		}
		sbuf_printf(w, "%s%s:%d", shown > 1 ? ", " : "",
			    set->v[i].file ? set->v[i].file : "-", set->v[i].line);
	}
	if (more)
		sbuf_printf(w, " and %zu more", more);
}

/* Labels the rows; a benchmark whose rows differ in unit or direction gets
 * "[UNIT, higher|lower]" in each label and a warning naming the lines. */
static void label_rows(struct model *m, const struct result_set *set, const size_t *row,
		       struct sbuf *warn)
{
	for (size_t b = 0; b < m->nbench; b++) {
		struct rbench *x = &m->benches[b];
		bool mixed = false, first = true;
		size_t n;

		for (size_t c = 0; c < m->nbench; c++)
			if (!strcmp(m->benches[c].name, x->name) &&
			    (strcmp(m->benches[c].unit, x->unit) ||
			     m->benches[c].higher_better != x->higher_better))
				mixed = true;
		n = (size_t)snprintf(x->label, sizeof(x->label), "%s", x->name);
		if (x->sessions && n < sizeof(x->label))
			n += (size_t)snprintf(x->label + n, sizeof(x->label) - n, " @ %u session%s",
					      x->sessions, x->sessions == 1 ? "" : "s");
		if (mixed && n < sizeof(x->label))
			snprintf(x->label + n, sizeof(x->label) - n, " [%s, %s]", x->unit,
				 x->higher_better ? "higher" : "lower");
		for (size_t c = 0; c < b && mixed; c++)
			if (!strcmp(m->benches[c].name, x->name))
				mixed = false;    /* warned at its first row */
		if (!mixed || !warn)
			continue;
		sbuf_printf(warn, "vmlab report: warning: benchmark '%s' is recorded in different "
			    "units or directions; shown as separate rows, never one median:", x->name);
		for (size_t c = b; c < m->nbench; c++) {
			if (strcmp(m->benches[c].name, x->name))
				continue;
			sbuf_printf(warn, "%s %s, %s is better (", first ? "" : ";", m->benches[c].unit,
				    m->benches[c].higher_better ? "higher" : "lower");
			put_lines(warn, set, row, c);
			sbuf_putc(warn, ')');
			first = false;
		}
		sbuf_putc(warn, '\n');
	}
}

/* Environments in order of first appearance, and the experiments' names. */
static size_t collect_envs(struct model *m, const struct result_set *set, const char **envn)
{
	size_t ne = 0;

	for (size_t i = 0; i < set->n; i++) {
		const struct record *r = &set->v[i];
		if (find(envn, ne, r->environment) == ne) {
			envn[ne] = r->environment;
			m->envs[ne].name = r->environment;
			m->envs[ne].label = r->label ? r->label : r->environment;
			m->envs[ne].facts = &r->facts;
			m->envs[ne].emulated = is_testbed(r->environment);
			ne++;
		}
		if (r->experiment && find((const char *const *)m->experiments, m->nexp,
					  r->experiment) == m->nexp)
			m->experiments[m->nexp++] = r->experiment;
	}
	return ne;
}

/* Moves the baselines first (the main one, then testbed:bare when it is one
 * too) and points every other environment at its baseline. */
static void order_envs(struct model *m, const char **envn)
{
	size_t ne = m->nenv;

	for (int pass = 0; pass < 2 && m->baseline; pass++) {
		const char *want = pass == 0 ? m->baseline : m->split ? "testbed:bare" : NULL;
		size_t k, at = (size_t)pass;
		if (!want)
			break;
		k = find(envn, ne, want);
		struct renv t = m->envs[k];
		memmove(&m->envs[at + 1], &m->envs[at], (k - at) * sizeof(*m->envs));
		m->envs[at] = t;
		for (size_t j = 0; j < ne; j++)
			envn[j] = m->envs[j].name;
	}
	for (size_t k = 0; k < ne; k++) {
		struct renv *v = &m->envs[k];
		v->base = -1;
		if (!m->baseline || k == 0)
			continue;
		v->base = m->split && k > 1 && is_testbed(v->name) ? 1 : 0;
		v->base_name = m->envs[v->base].name;
	}
}

/* The reason a record counts as failed. */
static const char *failure(const struct record *r, char *buf, size_t len)
{
	if (r->error)
		return r->error;
	if (strcmp(r->status, "ok"))
		return r->status;
	snprintf(buf, len, "status \"ok\" but no finite value (%s:%d)", r->file ? r->file : "-",
		 r->line);
	return buf;
}

static void fill_cells(struct model *m, const struct result_set *set, const char **envn,
		       const size_t *row)
{
	size_t ne = m->nenv;

	m->cells = xcalloc(m->nbench * ne, sizeof(*m->cells));
	for (size_t b = 0; b < m->nbench; b++)
		for (size_t k = 0; k < ne; k++) {
			struct rcell *c = &m->cells[b * ne + k];
			c->bench = m->benches[b].label;
			c->kind = m->benches[b].kind;
			c->env = envn[k];
			c->unit = m->benches[b].unit;
			c->higher_better = m->benches[b].higher_better;
			c->sessions = m->benches[b].sessions;
			c->bound = m->benches[b].bound;
			c->upper = m->benches[b].upper;
			c->v = xcalloc(set->n, sizeof(*c->v));
		}
	for (size_t i = 0; i < set->n; i++) {
		const struct record *r = &set->v[i];
		size_t k = find(envn, ne, r->environment);
		struct rcell *c = &m->cells[row[i] * ne + k];
		m->records++;
		if (!strcmp(r->status, "unsupported")) {
			c->unsupported++;
			m->unsupported++;
			if (!c->unsupported_why)
				c->unsupported_why = r->error ? r->error : "unsupported";
			continue;
		}
		if (!record_ok(r)) {
			c->failed++;
			m->envs[k].failed++;
			m->failed++;
			if (!c->first_error)
				c->first_error = failure(r, c->why, sizeof(c->why));
			continue;
		}
		c->v[c->n++] = record_value(r);
		m->envs[k].ok++;
		m->ok++;
	}
}

static void cell_stats(struct model *m)
{
	size_t ne = m->nenv;

	for (size_t b = 0; b < m->nbench; b++) {
		for (size_t k = 0; k < ne; k++) {
			struct rcell *c = &m->cells[b * ne + k];
			c->median = c->min = c->max = c->lo = c->hi = NAN;
			c->slow = c->slow_lo = c->slow_hi = NAN;
			if (!c->n)
				continue;
			c->median = stats_median(c->v, c->n);
			c->min = stats_quantile(c->v, c->n, 0);
			c->max = stats_quantile(c->v, c->n, 1);
			stats_median_ci95(c->v, c->n, &c->lo, &c->hi);
		}
		/* a bound is not a measurement to divide by */
		for (size_t k = 0; m->baseline && !m->benches[b].bound && k < ne; k++) {
			struct rcell *c = &m->cells[b * ne + k];
			if (m->envs[k].base >= 0)
				slowdown(c, &m->cells[b * ne + (size_t)m->envs[k].base]);
			else if (c->n)
				c->slow = 1.0;    /* by definition; no interval */
		}
	}
}

static void pick_strongest(struct model *m)
{
	size_t ne = m->nenv, nb = m->nbench;
	bool cmd = false;

	for (size_t k = 0; m->baseline && k < ne; k++) {
		struct renv *v = &m->envs[k];
		double *s = xcalloc(nb ? nb : 1, sizeof(*s));
		/* testbed:bare against native measures the emulation, not Xen */
		bool counts = v->base >= 0 && !(m->split && k == 1);
		for (size_t b = 0; b < nb; b++) {
			const struct rcell *c = &m->cells[b * ne + k];
			const struct rcell **best = NULL;
			if (isnan(c->slow))
				continue;
			s[v->ngeo++] = c->slow;
			if (v->base >= 0 && (!v->worst || c->slow > v->worst->slow))
				v->worst = c;
			if (!strcmp(c->kind, "micro"))
				best = &m->strongest_micro;
			else if (!strcmp(c->kind, "cpu") || !strcmp(c->kind, "cmd"))
				best = &m->strongest;
			if (counts && best && (!*best || c->slow > (*best)->slow))
				*best = c;
		}
		v->geomean = stats_geomean(s, v->ngeo);
		free(s);
	}
	for (size_t b = 0; b < nb; b++)
		cmd = cmd || !strcmp(m->benches[b].kind, "cmd");
	m->strongest_set = cmd ? "CPU kernels and commands" : "CPU kernels";
	if (!m->baseline)
		for (size_t k = 0; k < ne; k++)
			m->envs[k].geomean = NAN;
}

int model_build(struct model *m, const struct result_set *set, const char *baseline,
		struct sbuf *warn, struct err *e)
{
	const char **envn;
	size_t cap = set->n ? set->n : 1, *row;
	int rc;

	memset(m, 0, sizeof(*m));
	if (!set->n)
		return err_set(e, -EINVAL, "no records to report");
	m->set = set;
	envn = xcalloc(cap, sizeof(*envn));
	row = xcalloc(cap, sizeof(*row));
	m->envs = xcalloc(cap, sizeof(*m->envs));
	m->benches = xcalloc(cap, sizeof(*m->benches));
	m->experiments = xcalloc(cap, sizeof(*m->experiments));
	m->nenv = collect_envs(m, set, envn);
	m->nbench = build_rows(m, set, row);
	m->baseline = pick_baseline(m, baseline, e, &rc);
	if (rc) {
		free(envn);
		free(row);
		model_free(m);
		return rc;
	}
	label_rows(m, set, row, warn);
	m->split = !baseline && m->baseline && !strcmp(m->baseline, "native") &&
		   find(envn, m->nenv, "testbed:bare") < m->nenv;
	order_envs(m, envn);
	fill_cells(m, set, envn, row);
	cell_stats(m);
	pick_strongest(m);
	counts_build(set, &m->counts);
	free(envn);
	free(row);
	return 0;
}

void model_free(struct model *m)
{
	for (size_t i = 0; m->cells && i < m->nbench * m->nenv; i++)
		free(m->cells[i].v);
	free(m->cells);
	free(m->envs);
	free(m->benches);
	free(m->experiments);
	counts_free(&m->counts);
	memset(m, 0, sizeof(*m));
}

void model_scale(double ref, const char *unit, struct uscale *s)
{
	static const struct { const char *name; double sec; } t[] = {
		{ "s", 1 }, { "ms", 1e-3 }, { "us", 1e-6 }, { "ns", 1e-9 },
	};
	static const struct { const char *p; double div, from; } big[] = {
		{ "G", 1e9, 1e9 }, { "M", 1e6, 1e6 }, { "k", 1e3, 1e4 },
	};
	double a = fabs(ref);

	s->div = 1;
	snprintf(s->uname, sizeof(s->uname), "%s", unit ? unit : "");
	if (!unit || !isfinite(a) || a == 0)
		return;
	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		size_t n = strlen(t[k].name);
		if (strncmp(unit, t[k].name, n) || (unit[n] && unit[n] != '/'))
			continue;
		double sec = a * t[k].sec;
		size_t j = 0;
		while (j + 1 < sizeof(t) / sizeof(t[0]) && sec < t[j].sec)
			j++;
		s->div = t[j].sec / t[k].sec;
		snprintf(s->uname, sizeof(s->uname), "%s%s", t[j].name, unit + n);
		return;
	}
	for (size_t k = 0; k < sizeof(big) / sizeof(big[0]); k++)
		if (a >= big[k].from) {
			s->div = big[k].div;
			snprintf(s->uname, sizeof(s->uname), "%s%s%s", big[k].p,
				 unit[0] && unit[0] != '/' ? " " : "", unit);
			return;
		}
}

void model_fmt_num(double v, const struct uscale *s, char *buf, size_t len)
{
	double x = v / s->div;

	if (isnan(x))
		snprintf(buf, len, "-");
	else if (fabs(x) >= 9999.5)
		snprintf(buf, len, "%.0f", x);
	else
		snprintf(buf, len, "%.4g", x);
}

void model_fmt(double v, const char *unit, char *buf, size_t len)
{
	struct uscale s;
	char n[48];

	if (isnan(v)) {
		snprintf(buf, len, "-");
		return;
	}
	model_scale(v, unit, &s);
	model_fmt_num(v, &s, n, sizeof(n));
	snprintf(buf, len, "%s%s%s", n, s.uname[0] ? " " : "", s.uname);
}

void model_fmt_median(const struct rcell *c, char *buf, size_t len)
{
	char a[64];

	if (!c->n && c->unsupported) {
		snprintf(buf, len, "<not supported>");
		return;
	}
	model_fmt(c->median, c->unit, a, sizeof(a));
	if (!c->bound && c->upper && !isnan(c->median))
		snprintf(buf, len, "%s (in [%.0f, %u])", a, c->median, c->upper);
	else if (!c->bound || isnan(c->median))
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s%s (bound)", strcmp(c->bound, "upper") ? "< " : ">= ", a);
}

const char *model_base_of(const struct model *m, const struct rcell *c)
{
	for (size_t k = 0; c && k < m->nenv; k++)
		if (!strcmp(m->envs[k].name, c->env))
			return m->envs[k].base_name ? m->envs[k].base_name : "-";
	return "-";
}

void model_problem_rows(const struct model *m, bool unsup, const struct model_row_fmt *f,
			struct sbuf *o)
{
	for (size_t i = 0; i < m->nbench * m->nenv; i++) {
		const struct rcell *x = &m->cells[i];
		size_t n = unsup ? x->unsupported : x->failed;

		if (!n)
			continue;
		sbuf_puts(o, f->open);
		f->text(o, x->bench);
		sbuf_puts(o, f->sep);
		f->text(o, x->env);
		sbuf_printf(o, "%s%zu%s%s", f->before_n, n, f->after_n, unsup ? f->unsup_prefix : "");
		if (unsup)
			f->text(o, x->unsupported_why);
		else
			f->text(o, x->first_error && (*x->first_error || !f->empty_is_dash) ? x->first_error
											  : "-");
		sbuf_puts(o, f->close);
	}
}

void model_cell_text(const struct rcell *c, const char *times, struct model_cell_text *t)
{
	model_fmt_median(c, t->median, sizeof(t->median));
	model_fmt(c->min, c->unit, t->min, sizeof(t->min));
	model_fmt(c->max, c->unit, t->max, sizeof(t->max));
	model_fmt_ci(c, t->ci, sizeof(t->ci));
	if (isnan(c->slow))
		snprintf(t->slow, sizeof(t->slow), "-");
	else if (isnan(c->slow_lo))
		snprintf(t->slow, sizeof(t->slow), "%.3f%s (baseline)", c->slow, times);
	else
		snprintf(t->slow, sizeof(t->slow), "%.3f%s [%.3f, %.3f]", c->slow, times, c->slow_lo,
			 c->slow_hi);
}

size_t model_next_shown(const struct model *m, size_t i)
{
	while (i < m->nbench * m->nenv && !model_cell_shown(&m->cells[i]))
		i++;
	return i;
}

const struct rfact report_facts[REPORT_NFACTS] = {
	{ "host", "hostname" },      { "CPU", "cpu_model" },         { "kernel", "kernel" },
	{ "Xen", "xen_version" },    { "scheduler", "xen_scheduler" }, { "virt_caps", "virt_caps" },
	{ "Xen CPUs", "xen_cpus" },  { "Xen cmdline", "xen_cmdline" }, { "guest", "guest_type" },
	{ "tsc_mode", "tsc_mode" },  { "Xen host", "xen_host" },      { "guest shape", "shape" },
	{ "machine", "machine" },
};

const char *report_fact(const struct host_facts *f, size_t i)
{
	const char *v[REPORT_NFACTS] = { f->hostname,  f->cpu_model,   f->kernel,     f->xen_version,
					 f->xen_scheduler, f->virt_caps, f->xen_cpus,   f->xen_cmdline,
					 f->guest_type, f->tsc_mode,    f->xen_host,   f->shape,
					 f->machine };
	static char host[160];

	/* the Xen host with its back end: "dom0 (testbed)" */
	if (i == 10 && f->xen_host && f->host_kind) {
		snprintf(host, sizeof(host), "%s (%s)", f->xen_host, f->host_kind);
		return host;
	}
	return i < REPORT_NFACTS ? v[i] : NULL;
}
