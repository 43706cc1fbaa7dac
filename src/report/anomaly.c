/* Environments faster than their baseline, and why (see anomaly.h). */
#include "report/anomaly.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Event counts differing by this factor or more are named as a reason. */
#define COUNT_FACTOR 2.0

bool anomaly_is(const struct model *m, size_t k, const struct rcell *c)
{
	if (k >= m->nenv || m->envs[k].base < 0 || !c->n || isnan(c->slow))
		return false;
	return isnan(c->slow_hi) ? c->slow < 1.0 : c->slow_hi < 1.0;
}

/* The value of key in a "k=v k=v" facts string into val; false if absent. */
static bool fact_get(const char *s, const char *key, char *val, size_t len)
{
	size_t kl = strlen(key);

	for (const char *p = s; p && *p;) {
		size_t n = strcspn(p, " ");

		if (n > kl && !strncmp(p, key, kl) && p[kl] == '=') {
			snprintf(val, len, "%.*s", (int)(n - kl - 1), p + kl + 1);
			return true;
		}
		p += n;
		p += strspn(p, " ");
	}
	return false;
}

static void sep(struct sbuf *o)
{
	if (o->len)
		sbuf_puts(o, "; ");
}

/* The machine facts of env and base that differ. */
static void facts_diff(const struct renv *env, const struct renv *base, struct sbuf *o)
{
	static const char *const keys[] = { "thp", "clocksource", "mem_mib", "cpus" };
	const char *a = env->facts ? env->facts->machine : NULL;
	const char *b = base->facts ? base->facts->machine : NULL;

	if (!a || !b)
		return;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char va[64], vb[64];

		if (!fact_get(a, keys[i], va, sizeof(va)) || !fact_get(b, keys[i], vb, sizeof(vb)) ||
		    !strcmp(va, vb))
			continue;
		sep(o);
		sbuf_printf(o, "%s=%s in %s, %s=%s in %s", keys[i], va, env->name, keys[i], vb,
			    base->name);
	}
}

static const struct rcount *count_of(const struct rcounts *cs, const char *bench, const char *env,
				     const char *event)
{
	for (size_t i = 0; i < cs->n; i++)
		if (!strcmp(cs->v[i].bench, bench) && !strcmp(cs->v[i].env, env) &&
		    !strcmp(cs->v[i].event, event))
			return &cs->v[i];
	return NULL;
}

/* The events of c's benchmark counted in both environments whose medians
 * differ by COUNT_FACTOR or more. */
static void counts_diff(const struct model *m, const struct rcell *c, const struct renv *base,
			struct sbuf *o)
{
	for (size_t i = 0; i < m->counts.n; i++) {
		const struct rcount *x = &m->counts.v[i], *y;

		if (strcmp(x->bench, c->bench) || strcmp(x->env, c->env) || isnan(x->median))
			continue;
		y = count_of(&m->counts, c->bench, base->name, x->event);
		if (!y || isnan(y->median))
			continue;
		double hi = fmax(x->median, y->median), lo = fmin(x->median, y->median);

		if (hi == 0 || (lo > 0 && hi / lo < COUNT_FACTOR))
			continue;
		sep(o);
		sbuf_printf(o, "%s %.0f per run in %s, %.0f in %s", x->event, x->median, c->env,
			    y->median, base->name);
	}
}

bool anomaly_reason(const struct model *m, size_t k, const struct rcell *c, char *buf, size_t len)
{
	struct sbuf o = SBUF_INIT;
	const struct renv *env = &m->envs[k], *base;
	bool known;

	if (!len)
		return false;
	buf[0] = 0;
	if (env->base < 0)
		return false;
	base = &m->envs[env->base];
	facts_diff(env, base, &o);
	counts_diff(m, c, base, &o);
	known = o.len > 0;
	if (!known)
		sbuf_printf(&o, "no measured difference between %s and %s is known "
			    "(their records carry no differing machine facts or event counts): the "
			    "comparison is suspect", env->name, base->name);
	snprintf(buf, len, "%s", sbuf_str(&o));
	sbuf_free(&o);
	return known;
}

size_t anomaly_render(const struct model *m, const struct anomaly_fmt *f, struct sbuf *o)
{
	size_t shown = 0;
	char why[1024], line[1400];

	for (size_t i = model_next_shown(m, 0); i < m->nbench * m->nenv;
	     i = model_next_shown(m, i + 1)) {
		const struct rcell *c = &m->cells[i];
		size_t k = i % m->nenv;
		bool known;

		if (!anomaly_is(m, k, c))
			continue;
		known = anomaly_reason(m, k, c, why, sizeof(why));
		if (!shown++)
			sbuf_puts(o, f->head);
		snprintf(line, sizeof(line), "%s on %s took %.3fx [%.3f, %.3f] of %s's time: faster "
			 "than its baseline beyond the 95%% interval. %s: %s.", c->bench, c->env,
			 c->slow, c->slow_lo, c->slow_hi, m->envs[k].base_name,
			 known ? "Measured differences" : "Unexplained", why);
		sbuf_puts(o, f->open);
		f->text(o, line);
		sbuf_puts(o, f->close);
	}
	if (shown)
		sbuf_puts(o, f->tail);
	return shown;
}
