/* The QoS search plan: the candidate settings in order, the trial records,
 * the stop rule and the guaranteed minimum (see qos.h). */
#include "sched/qos.h"

#include "base/json.h"
#include "base/text.h"
#include "measure/stats.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const qos_phase_names[QOS_NPHASES] = { "native", "solo-a", "solo-b", "pair" };

/* Parses a setting text known to be good (the candidates' own). */
static void set_knobs(struct sched_setting *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_knobs(struct sched_setting *s, const char *fmt, ...)
{
	char text[256];
	struct err e = { 0 };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (sched_setting_parse(text, "candidate", s, &e) < 0)
		abort(); /* a bug in the candidate list, never input */
}

static struct qos_candidate *add(struct qos_candidate *out, int *n, int max, const char *name,
				 const char *level)
{
	struct qos_candidate *c;

	if (*n >= max)
		return NULL;
	c = &out[(*n)++];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->level, sizeof(c->level), "%s", level);
	return c;
}

static void add_pool(struct qos_candidate *c, const char *name, const char *sched, const char *cpus)
{
	struct qos_pool *p = &c->pools[c->npools++];

	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->sched, sizeof(p->sched), "%s", sched);
	snprintf(p->cpus, sizeof(p->cpus), "%s", cpus);
}

/* CPU list "lo-hi" (or "lo" when they are equal) into buf. */
static void range(char *buf, size_t n, int lo, int hi)
{
	if (lo == hi)
		snprintf(buf, n, "%d", lo);
	else
		snprintf(buf, n, "%d-%d", lo, hi);
}

/* The pool settings: A (and B when it can have one) in pools on their halves. */
static void pools(struct qos_candidate *c, const char *sched, int half, int ncpus)
{
	char hi[32], lo[32];

	range(hi, sizeof(hi), half, ncpus - 1);
	add_pool(c, QOS_POOL_A, sched, hi);
	set_knobs(&c->a, "pool=%s", QOS_POOL_A);
	if (half >= 2) {
		range(lo, sizeof(lo), 1, half - 1);
		add_pool(c, QOS_POOL_B, "credit2", lo);
		set_knobs(&c->b, "pool=%s", QOS_POOL_B);
	}
}

int qos_candidates(int ncpus, int vcpus_b, struct qos_candidate *out, int max)
{
	static const int ratios[] = { 2, 4, 16 };
	struct qos_candidate *c;
	char hi[32], lo[32], name[32];
	int n = 0, half = ncpus / 2;

	add(out, &n, max, "default", "default");
	for (size_t k = 0; k < sizeof(ratios) / sizeof(ratios[0]); k++) {
		snprintf(name, sizeof(name), "weight-%d:1", ratios[k]);
		if ((c = add(out, &n, max, name, "weight")))
			set_knobs(&c->a, "weight=%d", 256 * ratios[k]);
	}
	for (int q = 2; q <= 4 && vcpus_b >= 1; q += 2) {
		int cap = 100 * vcpus_b / q;

		snprintf(name, sizeof(name), "cap-b-%d", cap < 1 ? 1 : cap);
		if ((c = add(out, &n, max, name, "cap")))
			set_knobs(&c->b, "cap=%d", cap < 1 ? 1 : cap);
	}
	if (ncpus < 2)
		return n;
	range(hi, sizeof(hi), half, ncpus - 1);
	range(lo, sizeof(lo), 0, half - 1);
	if ((c = add(out, &n, max, "pin", "pin"))) {
		set_knobs(&c->a, "cpus=%s", hi);
		set_knobs(&c->b, "cpus=%s", lo);
	}
	if ((c = add(out, &n, max, "pool", "pool")))
		pools(c, "credit2", half, ncpus);
	if ((c = add(out, &n, max, "pool-credit", "credit")))
		pools(c, "credit", half, ncpus);
	if ((c = add(out, &n, max, "pin-dom0", "dom0"))) {
		set_knobs(&c->a, "cpus=%s", hi);
		set_knobs(&c->b, "cpus=%s", lo);
		set_knobs(&c->dom0, "cpus=%s", lo);
	}
	return n;
}

void qos_candidate_describe(const struct qos_candidate *c, const char *a, const char *b, struct sbuf *out)
{
	const struct sched_setting *s[3] = { &c->a, &c->b, &c->dom0 };
	const char *who[3] = { a, b, "Domain-0" };
	size_t start = out->len;

	for (int k = 0; k < c->npools; k++)
		sbuf_printf(out, "%spool %s (%s) on CPUs %s", out->len > start ? "; " : "", c->pools[k].name,
			    c->pools[k].sched, c->pools[k].cpus);
	for (int k = 0; k < 3; k++) {
		if (!s[k]->set)
			continue;
		sbuf_printf(out, "%s%s ", out->len > start ? "; " : "", who[k]);
		sched_setting_format(s[k], out);
	}
	if (out->len == start)
		sbuf_puts(out, "Xen's defaults");
}

void qos_candidate_persist(const struct qos_candidate *c, const char *a, const char *b, struct sbuf *out)
{
	const struct sched_setting *s[2] = { &c->a, &c->b };
	const char *who[2] = { a, b };

	if (!c->a.set && !c->b.set && !c->dom0.set)
		sbuf_puts(out, "# Xen's defaults: nothing to persist\n");
	for (int k = 0; k < 2; k++) {
		if (!s[k]->set)
			continue;
		sbuf_puts(out, "vmlab qos apply ");
		sched_setting_format(s[k], out);
		for (int p = 0; p < c->npools; p++)
			if ((s[k]->set & SCHED_K_POOL) && !strcmp(s[k]->pool, c->pools[p].name))
				sbuf_printf(out, " --pool-cpus %s --pool-sched %s", c->pools[p].cpus, c->pools[p].sched);
		sbuf_printf(out, " --persist %s\n", who[k]);
	}
	if (c->dom0.set) {
		sbuf_puts(out, "# Domain-0 ");
		sched_setting_format(&c->dom0, out);
		sbuf_puts(out, ": not persisted by vmlab qos apply (pin dom0 at boot: Xen's dom0_vcpus_pin, "
			       "or xl vcpu-pin in a boot unit)\n");
	}
}

void qos_trial_format(const struct qos_trial *t, const char *extra, struct sbuf *out)
{
	sbuf_puts(out, "{\"kind\":\"qos-trial\",\"config\":");
	json_put_str(out, t->config);
	sbuf_printf(out, ",\"phase\":\"%s\",\"setting\":", qos_phase_names[t->phase]);
	json_put_str(out, t->setting);
	sbuf_printf(out, ",\"run\":%d,\"valid\":%s,\"bops_a\":", t->run, t->valid ? "true" : "false");
	json_put_num(out, t->bops_a);
	sbuf_puts(out, ",\"bops_b\":");
	json_put_num(out, t->bops_b);
	sbuf_puts(out, ",\"skew_ms\":");
	json_put_num(out, t->skew_ms);
	sbuf_puts(out, ",\"overlap\":");
	json_put_num(out, t->overlap);
	sbuf_puts(out, ",\"late_ms\":");
	json_put_num(out, t->late_ms);
	if (extra)
		sbuf_printf(out, ",\"readback\":%s", extra);
	sbuf_puts(out, "}\n");
}

/* A string field of printable ASCII (what vmlab writes there: names and
 * numbers) into dst[0..n); -EBADMSG naming it when absent, too long or
 * holding other bytes. */
static int get_str(const struct json *j, const char *key, char *dst, size_t n, const char *where,
		   struct err *e)
{
	const struct json *v = json_get(j, key);

	if (!v || v->type != JSON_STR || v->len >= n)
		return err_set(e, -EBADMSG, "%s: %s: expected a string of at most %zu bytes", where, key, n - 1);
	for (size_t k = 0; k < v->len; k++)
		if ((unsigned char)v->str[k] < 0x20 || (unsigned char)v->str[k] > 0x7e)
			return err_set(e, -EBADMSG, "%s: %s: byte %zu is not printable ASCII", where, key, k);
	memcpy(dst, v->str, v->len + 1);
	return 0;
}

/* A number or null (NaN) at key. */
static int get_num(const struct json *j, const char *key, double *v, const char *where, struct err *e)
{
	const struct json *x = json_get(j, key);

	if (x && x->type == JSON_NULL) {
		*v = NAN;
		return 0;
	}
	if (!x || x->type != JSON_NUM)
		return err_set(e, -EBADMSG, "%s: %s: expected a number or null", where, key);
	*v = x->num;
	return 0;
}

static int fields(const struct json *j, const char *where, struct qos_trial *t, struct err *e)
{
	const struct json *v;
	char kind[16], phase[16];
	double run = 0;
	int rc;

	if (j->type != JSON_OBJ)
		return err_set(e, -EBADMSG, "%s: expected a JSON object", where);
	if (get_str(j, "kind", kind, sizeof(kind), where, e) || strcmp(kind, "qos-trial"))
		return err_set(e, -EBADMSG, "%s: kind: expected \"qos-trial\"", where);
	if ((rc = get_str(j, "config", t->config, sizeof(t->config), where, e)) ||
	    (rc = get_str(j, "phase", phase, sizeof(phase), where, e)) ||
	    (rc = get_str(j, "setting", t->setting, sizeof(t->setting), where, e)))
		return rc;
	for (t->phase = 0; t->phase < QOS_NPHASES && strcmp(phase, qos_phase_names[t->phase]); t->phase++)
		;
	if (t->phase == QOS_NPHASES)
		return err_set(e, -EBADMSG, "%s: phase: '%s' is not native, solo-a, solo-b or pair", where, phase);
	if ((rc = get_num(j, "run", &run, where, e)))
		return rc;
	if (!(run >= 1 && run <= 1000) || run != floor(run))
		return err_set(e, -EBADMSG, "%s: run: expected 1..1000", where);
	t->run = (int)run;
	if (!(v = json_get(j, "valid")) || v->type != JSON_BOOL)
		return err_set(e, -EBADMSG, "%s: valid: expected true or false", where);
	t->valid = v->b;
	if ((rc = get_num(j, "bops_a", &t->bops_a, where, e)) || (rc = get_num(j, "bops_b", &t->bops_b, where, e)) ||
	    (rc = get_num(j, "skew_ms", &t->skew_ms, where, e)) ||
	    (rc = get_num(j, "overlap", &t->overlap, where, e)) || (rc = get_num(j, "late_ms", &t->late_ms, where, e)))
		return rc;
	return 0;
}

int qos_trial_parse(const char *text, size_t n, const char *where, struct qos_trial *t, struct err *e)
{
	struct json *j = NULL;
	int rc;

	memset(t, 0, sizeof(*t));
	if (json_parse(text, n, where, &j, e) < 0)
		return -EBADMSG;
	rc = fields(j, where, t, e);
	json_free(j);
	return rc;
}

int qos_trials_parse(const char *text, size_t n, const char *name, struct qos_trial **out, size_t *count,
		     struct err *e)
{
	struct qos_trial *ts = NULL;
	size_t k = 0, cap = 0, pos = 0, len;
	const char *p;
	int line = 0;

	while (text_next_line(text, n, &pos, &p, &len)) {
		char where[300];
		bool blank = true;

		line++;
		for (size_t i = 0; i < len && blank; i++)
			blank = p[i] == ' ' || p[i] == '\t' || p[i] == '\r';
		if (!blank) {
			if (k == cap)
				ts = xrealloc(ts, (cap = cap ? 2 * cap : 16) * sizeof(*ts));
			snprintf(where, sizeof(where), "%s:%d", name, line);
			if (qos_trial_parse(p, len, where, &ts[k], e) < 0) {
				free(ts);
				return -EBADMSG;
			}
			k++;
		}
	}
	*out = ts;
	*count = k;
	return 0;
}

const struct qos_trial *qos_trial_find(const struct qos_trial *ts, size_t n, const char *config, int phase,
				       const char *setting, int run)
{
	for (size_t k = 0; k < n; k++)
		if (ts[k].phase == phase && ts[k].run == run && !strcmp(ts[k].config, config) &&
		    !strcmp(ts[k].setting, setting))
			return &ts[k];
	return NULL;
}

double qos_reference(const struct qos_trial *ts, size_t n, const char *config, int phase)
{
	double *v = xcalloc(n + 1, sizeof(*v)), med;
	size_t m = 0;

	for (size_t k = 0; k < n; k++)
		if (ts[k].phase == phase && ts[k].valid && !strcmp(ts[k].config, config) &&
		    isfinite(ts[k].bops_a) && ts[k].bops_a > 0)
			v[m++] = ts[k].bops_a;
	med = m ? stats_median(v, m) : NAN;
	free(v);
	return med;
}

void qos_evidence_of(const struct qos_trial *ts, size_t n, const char *config, const char *setting,
		     double ref, double sla, struct qos_evidence *ev)
{
	double *v = xcalloc(n + 1, sizeof(*v));
	size_t m = 0;

	memset(ev, 0, sizeof(*ev));
	for (size_t k = 0; k < n; k++) {
		const struct qos_trial *t = &ts[k];

		if (t->phase != QOS_PAIR || strcmp(t->config, config) || strcmp(t->setting, setting))
			continue;
		ev->runs++;
		if (!t->valid || !isfinite(t->bops_a) || !(ref > 0))
			continue;
		v[m] = t->bops_a / ref;
		ev->held += v[m] >= sla;
		m++;
	}
	ev->min = ev->max = ev->median = NAN;
	if (m) {
		ev->median = stats_median(v, m);
		ev->min = stats_quantile(v, m, 0);
		ev->max = stats_quantile(v, m, 1);
	}
	free(v);
}

void qos_decide(const struct qos_candidate *cs, int nc, const struct qos_trial *ts, size_t n,
		const char *config, double ref, double sla, int k, struct qos_verdict *v)
{
	v->found = v->next = v->best = -1;
	v->guaranteed = NAN;
	for (int i = 0; i < nc; i++) {
		struct qos_evidence ev;
		int done = 0;

		for (int r = 1; r <= k; r++)
			done += qos_trial_find(ts, n, config, QOS_PAIR, cs[i].name, r) != NULL;
		if (done < k) {
			v->next = i;
			return;
		}
		qos_evidence_of(ts, n, config, cs[i].name, ref, sla, &ev);
		if (ev.held >= k && ev.runs == ev.held) {
			v->found = i;
			return;
		}
		/* a setting guarantees its least run; an invalid run guarantees nothing */
		int valid = 0;
		for (int r = 1; r <= k; r++)
			valid += qos_trial_find(ts, n, config, QOS_PAIR, cs[i].name, r)->valid;
		double g = valid < k ? 0 : ev.min;
		if (isfinite(g) && (v->best < 0 || g > v->guaranteed)) {
			v->best = i;
			v->guaranteed = g;
		}
	}
}

void qos_stats_of(const double *v, size_t n, struct qos_stats *s)
{
	struct welford w = { 0 };

	memset(s, 0, sizeof(*s));
	s->n = n;
	s->median = s->min = s->max = s->ci_lo = s->ci_hi = s->mean = s->sd = NAN;
	if (!n)
		return;
	for (size_t k = 0; k < n; k++)
		welford_add(&w, v[k]);
	s->median = stats_median(v, n);
	s->min = stats_quantile(v, n, 0);
	s->max = stats_quantile(v, n, 1);
	s->ci_exact = stats_median_ci95(v, n, &s->ci_lo, &s->ci_hi) == 0;
	s->mean = w.mean;
	s->sd = welford_stddev(&w);
}
