/* Groups result records by benchmark and environment and computes medians,
 * intervals, slowdowns and geometric means. */
#include "report/model.h"
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
static double record_value(const struct result *r)
{
	if (!isnan(r->value))
		return r->value;
	return r->wall_s;
}

static const char *record_unit(const struct result *r)
{
	if (r->unit)
		return r->unit;
	return "s";
}

static bool record_higher(const struct result *r)
{
	return r->better && !strcmp(r->better, "higher");
}

static bool record_ok(const struct result *r)
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

int model_build(struct model *m, const struct result_set *set, const char *baseline, struct err *e)
{
	const char **envn, **benchn;
	size_t cap = set->n ? set->n : 1, nb = 0, ne = 0;
	int rc;

	memset(m, 0, sizeof(*m));
	if (!set->n)
		return err_set(e, -EINVAL, "no records to report");
	envn = xcalloc(cap, sizeof(*envn));
	benchn = xcalloc(cap, sizeof(*benchn));
	m->envs = xcalloc(cap, sizeof(*m->envs));
	m->benches = xcalloc(cap, sizeof(*m->benches));
	m->experiments = xcalloc(cap, sizeof(*m->experiments));
	for (size_t i = 0; i < set->n; i++) {
		const struct result *r = &set->v[i];
		size_t k = find(envn, ne, r->environment);
		if (k == ne) {
			envn[ne] = r->environment;
			m->envs[ne].name = r->environment;
			m->envs[ne].label = r->label ? r->label : r->environment;
			m->envs[ne].facts = &r->facts;
			m->envs[ne].emulated = is_testbed(r->environment);
			ne++;
		}
		if (find(benchn, nb, r->benchmark) == nb) {
			benchn[nb] = r->benchmark;
			m->benches[nb].name = r->benchmark;
			m->benches[nb].kind = r->kind ? r->kind : "cpu";
			m->benches[nb].unit = NULL;
			nb++;
		}
		if (r->experiment && find((const char *const *)m->experiments, m->nexp,
					  r->experiment) == m->nexp)
			m->experiments[m->nexp++] = r->experiment;
	}
	m->nenv = ne;
	m->nbench = nb;
	m->baseline = pick_baseline(m, baseline, e, &rc);
	if (rc) {
		free(envn);
		free(benchn);
		model_free(m);
		return rc;
	}
	m->split = !baseline && m->baseline && !strcmp(m->baseline, "native") &&
		   find(envn, ne, "testbed:bare") < ne;
	/* baselines first: the main one, then testbed:bare when it is one too */
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
	m->cells = xcalloc(nb * ne, sizeof(*m->cells));
	for (size_t b = 0; b < nb; b++)
		for (size_t k = 0; k < ne; k++) {
			struct rcell *c = &m->cells[b * ne + k];
			c->bench = benchn[b];
			c->kind = m->benches[b].kind;
			c->env = envn[k];
			c->v = xcalloc(set->n, sizeof(*c->v));
		}
	for (size_t i = 0; i < set->n; i++) {
		const struct result *r = &set->v[i];
		size_t b = find(benchn, nb, r->benchmark), k = find(envn, ne, r->environment);
		struct rcell *c = &m->cells[b * ne + k];
		m->records++;
		if (!record_ok(r)) {
			c->failed++;
			m->envs[k].failed++;
			m->failed++;
			if (!c->first_error)
				c->first_error = r->error ? r->error : r->status;
			continue;
		}
		if (!c->unit) {
			c->unit = record_unit(r);
			c->higher_better = record_higher(r);
		}
		if (!m->benches[b].unit)
			m->benches[b].unit = c->unit;
		c->v[c->n++] = record_value(r);
		m->envs[k].ok++;
		m->ok++;
	}
	for (size_t b = 0; b < nb; b++) {
		for (size_t k = 0; k < ne; k++) {
			struct rcell *c = &m->cells[b * ne + k];
			c->median = c->min = c->max = c->lo = c->hi = NAN;
			c->slow = c->slow_lo = c->slow_hi = NAN;
			if (!c->unit)
				c->unit = m->benches[b].unit ? m->benches[b].unit : "s";
			if (!c->n)
				continue;
			c->median = stats_median(c->v, c->n);
			c->min = stats_quantile(c->v, c->n, 0);
			c->max = stats_quantile(c->v, c->n, 1);
			stats_median_ci95(c->v, c->n, &c->lo, &c->hi);
		}
		for (size_t k = 0; m->baseline && k < ne; k++) {
			struct rcell *c = &m->cells[b * ne + k];
			if (m->envs[k].base >= 0)
				slowdown(c, &m->cells[b * ne + (size_t)m->envs[k].base]);
			else if (c->n)
				c->slow = 1.0;    /* by definition; no interval */
		}
	}
	for (size_t k = 0; m->baseline && k < ne; k++) {
		struct renv *v = &m->envs[k];
		double *s = xcalloc(nb ? nb : 1, sizeof(*s));
		for (size_t b = 0; b < nb; b++) {
			const struct rcell *c = &m->cells[b * ne + k];
			if (isnan(c->slow))
				continue;
			s[v->ngeo++] = c->slow;
			if (v->base >= 0 && (!v->worst || c->slow > v->worst->slow))
				v->worst = c;
			/* testbed:bare against native measures the emulation, not Xen */
			bool counts = v->base >= 0 && !(m->split && k == 1);
			if (counts && strcmp(c->kind, "micro") &&
			    (!m->strongest || !strcmp(m->strongest->kind, "micro") ||
			     c->slow > m->strongest->slow))
				m->strongest = c;
		}
		v->geomean = stats_geomean(s, v->ngeo);
		free(s);
	}
	for (size_t k = m->split ? 2 : 1; !m->strongest && m->baseline && k < ne; k++)
		if (m->envs[k].worst && (!m->strongest || m->envs[k].worst->slow > m->strongest->slow))
			m->strongest = m->envs[k].worst;
	if (!m->baseline)
		for (size_t k = 0; k < ne; k++)
			m->envs[k].geomean = NAN;
	free(envn);
	free(benchn);
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
	memset(m, 0, sizeof(*m));
}

void model_fmt(double v, const char *unit, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.4g %s", v, unit ? unit : "");
}
