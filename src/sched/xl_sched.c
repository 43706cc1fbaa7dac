/* The credit2 and credit back ends through xl: a domain's weight and cap
 * (`xl sched-credit2|sched-credit -d`), its vCPUs' hard and soft affinity
 * (`xl vcpu-pin`, read back by `xl vcpu-list`), its cpupool
 * (`xl cpupool-migrate`), its pool's tslice and ratelimit (`-s -p`); and
 * scheduler detection from `xl info`. */
#include "sched/sched.h"
#include "sched/xlview.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xen/cpulist.h"

void xlview_free(struct xlview *v)
{
	xl_info_free(&v->info);
	xl_domains_free(&v->doms);
	xl_cpupools_free(&v->pools);
	xl_cpupools_free(&v->cpus);
	xl_sched_free(&v->credit2);
	xl_sched_free(&v->credit);
	memset(v, 0, sizeof(*v));
}

/* Runs `xl ARGS` through r and keeps its output in out. */
static int xl_text(const struct sched_runner *r, char *const args[], struct sbuf *out, struct err *e)
{
	sbuf_reset(out);
	return sched_xl(r, args, out, e);
}

int xlview_load(const struct sched_runner *r, struct xlview *v, struct err *e)
{
	struct sbuf o = SBUF_INIT;
	const char *ncpus;
	int rc, credit = 0, with = v->with_domains;

	memset(v, 0, sizeof(*v));
	v->with_domains = with;
	if ((rc = xl_text(r, (char *[]){ "info", NULL }, &o, e)) ||
	    (rc = xl_parse_info(sbuf_str(&o), o.len, "xl info", &v->info, e)))
		goto fail;
	ncpus = xl_info_get(&v->info, "nr_cpus");
	v->nr_cpus = ncpus ? atoi(ncpus) : 0;
	if (v->nr_cpus < 1 || v->nr_cpus > 1024) {
		rc = err_set(e, -EBADMSG, "%s: xl info: no usable nr_cpus", r->where);
		goto fail;
	}
	if ((v->with_domains && ((rc = xl_text(r, (char *[]){ "list", NULL }, &o, e)) ||
				 (rc = xl_parse_list(sbuf_str(&o), o.len, "xl list", &v->doms, e)))) ||
	    (rc = xl_text(r, (char *[]){ "cpupool-list", NULL }, &o, e)) ||
	    (rc = xl_parse_cpupool_list(sbuf_str(&o), o.len, "xl cpupool-list", &v->pools, e)) ||
	    (rc = xl_text(r, (char *[]){ "cpupool-list", "-c", NULL }, &o, e)) ||
	    (rc = xl_parse_cpupool_list(sbuf_str(&o), o.len, "xl cpupool-list -c", &v->cpus, e)) ||
	    (rc = xl_text(r, (char *[]){ "sched-credit2", NULL }, &o, e)) ||
	    (rc = xl_parse_sched(sbuf_str(&o), o.len, "xl sched-credit2", &v->credit2, e)))
		goto fail;
	for (size_t k = 0; k < v->pools.n; k++)
		credit |= !strcmp(v->pools.p[k].sched, "credit");
	if (credit && ((rc = xl_text(r, (char *[]){ "sched-credit", NULL }, &o, e)) ||
		       (rc = xl_parse_sched(sbuf_str(&o), o.len, "xl sched-credit", &v->credit, e))))
		goto fail;
	sbuf_free(&o);
	return 0;
fail:
	sbuf_free(&o);
	xlview_free(v);
	return rc;
}

const struct xl_cpupool *xlview_pool(const struct xlview *v, const char *name)
{
	for (size_t k = 0; k < v->pools.n; k++)
		if (!strcmp(v->pools.p[k].name, name))
			return &v->pools.p[k];
	return NULL;
}

const char *xlview_pool_cpus(const struct xlview *v, const char *name)
{
	for (size_t k = 0; k < v->cpus.n; k++)
		if (!strcmp(v->cpus.p[k].name, name))
			return v->cpus.p[k].cpus;
	return NULL;
}

const struct xl_sched_dom *xlview_sched_dom(const struct xlview *v, const char *dom,
					    const struct xl_sched_pool **pool, const char **sched)
{
	const struct xl_sched *s[] = { &v->credit2, &v->credit };
	const char *names[] = { "credit2", "credit" };

	for (int i = 0; i < 2; i++)
		for (size_t p = 0; p < s[i]->npools; p++)
			for (size_t d = 0; d < s[i]->pools[p].ndoms; d++)
				if (!strcmp(s[i]->pools[p].doms[d].name, dom)) {
					*pool = &s[i]->pools[p];
					*sched = names[i];
					return &s[i]->pools[p].doms[d];
				}
	return NULL;
}

int sched_xl_detect(const struct sched_runner *r, char *name, size_t n, struct err *e)
{
	struct sbuf o = SBUF_INIT;
	struct xl_info info = { 0 };
	const char *s;
	int rc;

	if ((rc = xl_text(r, (char *[]){ "info", NULL }, &o, e)) ||
	    (rc = xl_parse_info(sbuf_str(&o), o.len, "xl info", &info, e)))
		goto out;
	if (!(s = xl_info_get(&info, "xen_scheduler")) || !*s)
		rc = err_set(e, -EBADMSG, "%s: xl info names no xen_scheduler", r->where);
	else
		snprintf(name, n, "%s", s);
out:
	xl_info_free(&info);
	sbuf_free(&o);
	return rc;
}

/* ---- the ops ---- */

static int xl_get(const struct sched_target *t, struct sched_state *st, struct err *e)
{
	struct xlview v = { 0 };
	struct xl_vcpus vc = { 0 };
	struct sbuf o = SBUF_INIT;
	const struct xl_sched_pool *pool;
	const struct xl_sched_dom *d;
	const char *sched;
	int rc;

	memset(st, 0, sizeof(*st));
	if ((rc = xlview_load(t->runner, &v, e)))
		return rc;
	if (!(d = xlview_sched_dom(&v, t->name, &pool, &sched))) {
		rc = err_set(e, -ENOENT, "%s: no domain %s (or its pool's scheduler is neither credit2 nor credit)",
			     t->runner->where, t->name);
		goto out;
	}
	st->nr_cpus = v.nr_cpus;
	snprintf(st->scheduler, sizeof(st->scheduler), "%s", sched);
	for (size_t k = 0; k < v.pools.n && st->npools < 16; k++) {
		struct sched_pool *sp = &st->pools[st->npools++];
		const char *c = xlview_pool_cpus(&v, v.pools.p[k].name);

		snprintf(sp->name, sizeof(sp->name), "%s", v.pools.p[k].name);
		snprintf(sp->sched, sizeof(sp->sched), "%s", v.pools.p[k].sched);
		snprintf(sp->cpus, sizeof(sp->cpus), "%s", c ? c : "");
	}
	st->s.weight = d->weight;
	st->s.cap = d->cap;
	snprintf(st->s.pool, sizeof(st->s.pool), "%s", pool->pool);
	st->s.set = SCHED_K_WEIGHT | SCHED_K_CAP | SCHED_K_POOL;
	if (pool->tslice_ms >= 0) {
		st->s.tslice_ms = pool->tslice_ms;
		st->s.set |= SCHED_K_TSLICE;
	}
	if (pool->ratelimit_us >= 0) {
		st->s.ratelimit_us = pool->ratelimit_us;
		st->s.set |= SCHED_K_RATELIMIT;
	}
	if ((rc = sched_xl(t->runner, (char *[]){ "vcpu-list", (char *)t->name, NULL }, &o, e)) ||
	    (rc = xl_parse_vcpu_list(sbuf_str(&o), o.len, "xl vcpu-list", &vc, e)))
		goto out;
	for (size_t k = 0; k < vc.n; k++) {
		int n = vc.v[k].vcpu;

		if (strcmp(vc.v[k].name, t->name))
			continue;
		if (n < 0 || n >= SCHED_VCPUS_MAX) {
			rc = err_set(e, -E2BIG, "%s: domain %s has more than %d vCPUs", t->runner->where, t->name,
				     SCHED_VCPUS_MAX);
			goto out;
		}
		snprintf(st->hard[n], SCHED_CPUS_MAX, "%s", vc.v[k].hard);
		snprintf(st->soft[n], SCHED_CPUS_MAX, "%s", vc.v[k].soft);
		if (n + 1 > st->nvcpus)
			st->nvcpus = n + 1;
	}
	if (st->nvcpus) {
		snprintf(st->s.cpus, SCHED_CPUS_MAX, "%s", st->hard[0]);
		snprintf(st->s.cpus_soft, SCHED_CPUS_MAX, "%s", st->soft[0]);
		st->s.set |= SCHED_K_CPUS | SCHED_K_SOFT;
	}
out:
	xl_vcpus_free(&vc);
	sbuf_free(&o);
	xlview_free(&v);
	return rc;
}

/* Checks CPU list knob of s against the host (nr_cpus) and the pool's CPUs
 * pool_cpus ("0,1"). */
static int check_cpus(const char *knob, const char *list, int nr_cpus, const char *pool, const char *pool_cpus,
		      struct err *e)
{
	struct cpulist l, pl;
	struct err e2;
	bool set[1024] = { false }, in[1024] = { false };
	int col, n, common = 0;

	if (cpulist_parse(list, &l, &col, &e2) < 0)
		return err_set(e, -EINVAL, "%s=%s: %s", knob, list, e2.msg);
	if (cpulist_max(&l, false) >= nr_cpus) {
		cpulist_free(&l);
		return err_set(e, -EINVAL, "%s=%s: the host has CPUs 0..%d only", knob, list, nr_cpus - 1);
	}
	n = cpulist_apply(&l, nr_cpus, NULL, set);
	cpulist_free(&l);
	if (!n)
		return err_set(e, -EINVAL, "%s=%s: names no CPU", knob, list);
	if (pool_cpus && *pool_cpus && cpulist_parse(pool_cpus, &pl, &col, &e2) == 0) {
		cpulist_apply(&pl, nr_cpus, NULL, in);
		cpulist_free(&pl);
		for (int c = 0; c < nr_cpus; c++)
			common += set[c] && in[c];
		if (!common)
			return err_set(e, -EINVAL, "%s=%s: none of these CPUs is in pool %s (CPUs %s)", knob, list,
				       pool, pool_cpus);
	}
	return 0;
}

/* The pool named name among st's, or NULL. */
static const struct sched_pool *state_pool(const struct sched_state *st, const char *name)
{
	for (int k = 0; k < st->npools; k++)
		if (!strcmp(st->pools[k].name, name))
			return &st->pools[k];
	return NULL;
}

static int xl_check(const struct sched_target *t, const struct sched_state *cur, const struct sched_setting *s,
		    struct err *e)
{
	const struct sched_pool *p = state_pool(cur, (s->set & SCHED_K_POOL) ? s->pool : cur->s.pool);
	const char *pool = (s->set & SCHED_K_POOL) ? s->pool : cur->s.pool;
	int rc = 0;

	if (!p) {
		rc = err_set(e, -EINVAL, "pool=%s: %s has no such cpupool", pool, t->runner->where);
		goto out;
	}
	if (strcmp(p->sched, "credit") && strcmp(p->sched, "credit2")) {
		rc = err_set(e, -EINVAL, "pool=%s: its scheduler %s is neither credit2 nor credit", pool, p->sched);
		goto out;
	}
	if ((s->set & SCHED_K_POOL) && !strcmp(t->name, "Domain-0") && strcmp(pool, cur->s.pool)) {
		rc = err_set(e, -EINVAL, "pool=%s: Domain-0 cannot leave its pool", pool);
		goto out;
	}
	if ((s->set & SCHED_K_TSLICE) && strcmp(p->sched, "credit")) {
		rc = err_set(e, -EINVAL, "tslice_ms=%d: pool %s runs %s, which has no time slice", s->tslice_ms,
			     pool, p->sched);
		goto out;
	}
	if ((s->set & (SCHED_K_TSLICE | SCHED_K_RATELIMIT)) && (s->set & SCHED_K_POOL) &&
	    strcmp(pool, cur->s.pool)) {
		rc = err_set(e, -EINVAL, "%s: set a pool's parameters apart from moving the domain into it",
			     (s->set & SCHED_K_TSLICE) ? "tslice_ms" : "ratelimit_us");
		goto out;
	}
	if ((s->set & SCHED_K_CAP) && s->cap > 100 * cur->nvcpus) {
		rc = err_set(e, -EINVAL, "cap=%d: domain %s has %d vCPUs, so cap is 0..%d", s->cap, t->name,
			     cur->nvcpus, 100 * cur->nvcpus);
		goto out;
	}
	if ((s->set & SCHED_K_RATELIMIT) && !(s->set & SCHED_K_TSLICE) && (cur->s.set & SCHED_K_TSLICE) &&
	    s->ratelimit_us >= cur->s.tslice_ms * 1000) {
		rc = err_set(e, -EINVAL, "ratelimit_us=%d: must be less than the pool's tslice_ms=%d (in us)",
			     s->ratelimit_us, cur->s.tslice_ms);
		goto out;
	}
	if ((s->set & SCHED_K_CPUS) &&
	    (rc = check_cpus("cpus", s->cpus, cur->nr_cpus, pool, p->cpus, e)))
		goto out;
	if ((s->set & SCHED_K_SOFT) && (rc = check_cpus("cpus_soft", s->cpus_soft, cur->nr_cpus, NULL, NULL, e)))
		goto out;
out:
	return rc;
}

/* Appends "FLAG V" to a[*n..] (buf holds V's text). */
static void arg_int(char **a, int *n, char *flag, int v, char *buf, size_t bn)
{
	snprintf(buf, bn, "%d", v);
	a[(*n)++] = flag;
	a[(*n)++] = buf;
}

/* Sets weight/cap of s (set names which) and the parameters of s->pool,
 * with the commands of scheduler sched (the domain's pool's). */
static int put_params(const struct sched_target *t, const char *sched, const struct sched_setting *s,
		      unsigned set, struct err *e)
{
	char cmd[32], v1[16], v2[16], *a[12];
	int n = 0, rc;

	if (!(set & (SCHED_K_WEIGHT | SCHED_K_CAP | SCHED_K_TSLICE | SCHED_K_RATELIMIT)))
		return 0;
	snprintf(cmd, sizeof(cmd), "sched-%s", sched);
	if (set & (SCHED_K_WEIGHT | SCHED_K_CAP)) {
		a[n++] = cmd;
		a[n++] = "-d";
		a[n++] = (char *)t->name;
		if (set & SCHED_K_WEIGHT)
			arg_int(a, &n, "-w", s->weight, v1, sizeof(v1));
		if (set & SCHED_K_CAP)
			arg_int(a, &n, "-c", s->cap, v2, sizeof(v2));
		a[n] = NULL;
		if ((rc = sched_xl(t->runner, a, NULL, e)))
			return rc;
	}
	if (!(set & (SCHED_K_TSLICE | SCHED_K_RATELIMIT)))
		return 0;
	n = 0;
	a[n++] = cmd;
	a[n++] = "-s";
	a[n++] = "-p";
	a[n++] = (char *)s->pool;
	if (set & SCHED_K_TSLICE)
		arg_int(a, &n, "-t", s->tslice_ms, v1, sizeof(v1));
	if (set & SCHED_K_RATELIMIT)
		arg_int(a, &n, "-r", s->ratelimit_us, v2, sizeof(v2));
	a[n] = NULL;
	return sched_xl(t->runner, a, NULL, e);
}

static int pin(const struct sched_target *t, const char *vcpu, const char *hard, const char *soft,
	       struct err *e)
{
	return sched_xl(t->runner,
			(char *[]){ "vcpu-pin", (char *)t->name, (char *)vcpu, (char *)(hard ? hard : "-"),
				    (char *)(soft ? soft : "-"), NULL },
			NULL, e);
}

static int migrate(const struct sched_target *t, const char *pool, struct err *e)
{
	return sched_xl(t->runner, (char *[]){ "cpupool-migrate", (char *)t->name, (char *)pool, NULL }, NULL, e);
}

static int xl_put(const struct sched_target *t, const struct sched_state *cur, const struct sched_setting *s,
		  struct err *e)
{
	struct sched_setting ps = *s;
	const struct sched_pool *p;
	int rc;

	if (!(s->set & SCHED_K_POOL))
		snprintf(ps.pool, sizeof(ps.pool), "%s", cur->s.pool);
	if (!(p = state_pool(cur, ps.pool)))
		return err_set(e, -EINVAL, "pool=%s: no such cpupool", ps.pool);
	if ((s->set & SCHED_K_POOL) && strcmp(s->pool, cur->s.pool) && (rc = migrate(t, s->pool, e)))
		return rc;
	if ((rc = put_params(t, p->sched, &ps, s->set, e)))
		return rc;
	if (s->set & (SCHED_K_CPUS | SCHED_K_SOFT))
		return pin(t, "all", (s->set & SCHED_K_CPUS) ? s->cpus : NULL,
			   (s->set & SCHED_K_SOFT) ? s->cpus_soft : NULL, e);
	return 0;
}

static int xl_restore(const struct sched_target *t, const struct sched_state *prev, unsigned set, struct err *e)
{
	unsigned params = set & (SCHED_K_TSLICE | SCHED_K_RATELIMIT);
	int rc;

	/* a domain that changed pools got the new scheduler's defaults and
	 * its vCPUs lost their affinity: sched_apply's set names those too */
	if (set & SCHED_K_POOL) {
		struct sched_state *now = xcalloc(1, sizeof(*now));

		if ((rc = xl_get(t, now, e)) == 0 && strcmp(now->s.pool, prev->s.pool))
			rc = migrate(t, prev->s.pool, e);
		free(now);
		if (rc)
			return rc;
		params |= SCHED_K_WEIGHT | SCHED_K_CAP;
	}
	params |= set & (SCHED_K_WEIGHT | SCHED_K_CAP);
	if ((rc = put_params(t, prev->scheduler, &prev->s, params & prev->s.set, e)))
		return rc;
	if (!(set & (SCHED_K_CPUS | SCHED_K_SOFT)))
		return 0;
	for (int v = 0; v < prev->nvcpus; v++) {
		char n[16];

		snprintf(n, sizeof(n), "%d", v);
		if ((rc = pin(t, n, (set & SCHED_K_CPUS) ? prev->hard[v] : NULL,
			      (set & SCHED_K_SOFT) ? prev->soft[v] : NULL, e)))
			return rc;
	}
	return 0;
}

#define XL_KNOBS (SCHED_K_WEIGHT | SCHED_K_CAP | SCHED_K_CPUS | SCHED_K_SOFT | SCHED_K_POOL | SCHED_K_RATELIMIT)

const struct sched_ops sched_credit2 = { "credit2", XL_KNOBS, xl_get, xl_check, xl_put, xl_restore };
const struct sched_ops sched_credit = { "credit", XL_KNOBS | SCHED_K_TSLICE, xl_get, xl_check, xl_put,
					xl_restore };

const struct sched_ops *sched_xl_for_domain(const struct sched_runner *r, const char *domain, struct err *e)
{
	struct xlview v = { 0 };
	const struct xl_sched_pool *pool;
	const char *sched;
	const struct sched_ops *o = NULL;

	if (xlview_load(r, &v, e))
		return NULL;
	if (!xlview_sched_dom(&v, domain, &pool, &sched))
		err_set(e, -ENOENT, "%s: no domain %s in a credit2 or credit pool", r->where, domain);
	else
		o = sched_find(sched);
	xlview_free(&v);
	return o;
}
