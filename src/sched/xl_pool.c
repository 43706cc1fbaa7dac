/* Cpupools through xl: created from a cpupool config on CPUs taken from
 * Pool-0, read back, destroyed with their CPUs given back; every failure
 * puts the CPUs back where they were. */
#include "sched/sched.h"
#include "sched/xlview.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "xen/cpulist.h"

#define MAXCPU 1024

/* set as "0,2,3" into out (size n). */
static void cpus_text(const bool *set, int ncpus, char *out, size_t n)
{
	size_t k = 0;

	out[0] = 0;
	for (int c = 0; c < ncpus && k + 8 < n; c++)
		if (set[c])
			k += (size_t)snprintf(out + k, n - k, "%s%d", k ? "," : "", c);
}

int sched_xl_pool_cfg(const char *name, const char *sched, const char *cpus, struct sbuf *out, struct err *e)
{
	struct sched_setting s;
	struct sbuf t = SBUF_INIT;
	struct cpulist l;
	struct err e2;
	int r, col = 0;

	/* the setting parser checks the pool name */
	sbuf_printf(&t, "pool=%s", name);
	r = sched_setting_parse(sbuf_str(&t), "pool name", &s, &e2);
	sbuf_free(&t);
	if (r)
		return err_set(e, r, "pool name '%s': 1..63 letters, digits, '_', '.', '-'", name);
	if (cpulist_parse(cpus, &l, &col, &e2) < 0)
		return err_set(e, -EINVAL, "cpus=%s: column %d: %s", cpus, col, e2.msg);
	cpulist_free(&l);
	if (strcmp(sched, "credit") && strcmp(sched, "credit2"))
		return err_set(e, -EINVAL, "sched=%s: vmlab's pools run credit or credit2", sched);
	sbuf_printf(out, "name=\"%s\"\nsched=\"%s\"\ncpus=\"%s\"\n", name, sched, cpus);
	return 0;
}

/* Gives the CPUs of want that no pool holds now back to Pool-0. */
static int give_back(const struct sched_runner *r, const bool *want, int ncpus, struct err *e)
{
	struct xlview v = { 0 };
	bool held[MAXCPU] = { false }, in[MAXCPU];
	char list[4096];
	int rc;

	if ((rc = xlview_load(r, &v, e)))
		return rc;
	for (size_t k = 0; k < v.cpus.n; k++) {
		if (sched_cpuset(v.cpus.p[k].cpus, ncpus, in) == 0)
			for (int c = 0; c < ncpus; c++)
				held[c] |= in[c];
	}
	xlview_free(&v);
	for (int c = 0; c < ncpus; c++)
		held[c] = want[c] && !held[c];
	cpus_text(held, ncpus, list, sizeof(list));
	if (!*list)
		return 0;
	return sched_xl(r, (char *[]){ "cpupool-cpu-add", "Pool-0", list, NULL }, NULL, e);
}

/* Adds what undoing says to e after a failure. */
static int failed(const struct sched_runner *r, const bool *cpus, int ncpus, const char *pool, struct err *e)
{
	struct err e2 = { 0 };
	char msg[sizeof(e->msg)];
	int rc = e->code;

	memcpy(msg, e->msg, sizeof(msg));
	if (pool)
		(void)sched_xl(r, (char *[]){ "cpupool-destroy", (char *)pool, NULL }, NULL, &e2);
	if (give_back(r, cpus, ncpus, &e2) == 0)
		err_set(e, rc, "%s; the CPUs are back in Pool-0", msg);
	else
		err_set(e, rc, "%s; giving the CPUs back to Pool-0 failed too: %s", msg, e2.msg);
	return rc;
}

/* Checks a new pool name on cpus against v; want gets the CPU set. */
static int create_check(const struct xlview *v, const char *name, const char *cpus, bool *want, struct err *e)
{
	bool p0[MAXCPU], other[MAXCPU];
	struct cpulist l;
	struct err e2;
	int col, n = 0, left = 0;

	if (xlview_pool(v, name))
		return err_set(e, -EEXIST, "pool=%s: a cpupool of this name exists", name);
	if (cpulist_parse(cpus, &l, &col, &e2) < 0)
		return err_set(e, -EINVAL, "cpus=%s: %s", cpus, e2.msg);
	if (cpulist_max(&l, false) >= v->nr_cpus) {
		cpulist_free(&l);
		return err_set(e, -EINVAL, "cpus=%s: the host has CPUs 0..%d only", cpus, v->nr_cpus - 1);
	}
	memset(want, 0, (size_t)v->nr_cpus * sizeof(bool));
	n = cpulist_apply(&l, v->nr_cpus, NULL, want);
	cpulist_free(&l);
	if (!n)
		return err_set(e, -EINVAL, "cpus=%s: names no CPU", cpus);
	if (sched_cpuset(xlview_pool_cpus(v, "Pool-0") ? xlview_pool_cpus(v, "Pool-0") : "", v->nr_cpus, p0))
		return err_set(e, -EBADMSG, "xl cpupool-list -c: Pool-0's CPU list does not parse");
	for (size_t k = 0; k < v->cpus.n; k++) {
		if (!strcmp(v->cpus.p[k].name, "Pool-0") || sched_cpuset(v->cpus.p[k].cpus, v->nr_cpus, other))
			continue;
		for (int c = 0; c < v->nr_cpus; c++)
			if (want[c] && other[c])
				return err_set(e, -EINVAL, "cpus=%s: CPU %d is in pool %s (pools do not overlap)",
					       cpus, c, v->cpus.p[k].name);
	}
	for (int c = 0; c < v->nr_cpus; c++)
		left += p0[c] && !want[c];
	if (!left)
		return err_set(e, -EINVAL, "cpus=%s: Pool-0 (Domain-0's) would keep no CPU", cpus);
	return 0;
}

/* The pool as read back must be name, sched, exactly want. */
static int create_readback(const struct sched_runner *r, const char *name, const char *sched, const bool *want,
			   int ncpus, struct err *e)
{
	struct xlview v = { 0 };
	const struct xl_cpupool *p;
	bool got[MAXCPU];
	const char *list;
	int rc;

	if ((rc = xlview_load(r, &v, e)))
		return rc;
	if (!(p = xlview_pool(&v, name)) || !(list = xlview_pool_cpus(&v, name)))
		rc = err_set(e, -EIO, "pool %s: read back: xl cpupool-list does not show it", name);
	else if (strcmp(p->sched, sched))
		rc = err_set(e, -EIO, "pool %s: sched: set %s, read back %s", name, sched, p->sched);
	else if (sched_cpuset(list, ncpus, got) || memcmp(got, want, (size_t)ncpus * sizeof(bool)))
		rc = err_set(e, -EIO, "pool %s: cpus: read back \"%s\"", name, list);
	xlview_free(&v);
	return rc;
}

int sched_xl_pool_create(const struct sched_runner *r, const char *name, const char *sched, const char *cpus,
			 struct err *e)
{
	struct sbuf cfg = SBUF_INIT;
	struct xlview v = { 0 };
	bool want[MAXCPU], from0[MAXCPU], p0[MAXCPU];
	char list[4096], *args[8];
	int rc, ncpus, n = 0;
	size_t pos = 0, len;
	const char *line;

	if ((rc = sched_xl_pool_cfg(name, sched, cpus, &cfg, e)))
		return rc;
	if ((rc = xlview_load(r, &v, e)))
		goto out;
	ncpus = v.nr_cpus;
	rc = create_check(&v, name, cpus, want, e);
	if (!rc)
		rc = sched_cpuset(xlview_pool_cpus(&v, "Pool-0"), ncpus, p0);
	xlview_free(&v);
	if (rc)
		goto out;
	/* the config names the CPUs one by one, as xl reads them back */
	cpus_text(want, ncpus, list, sizeof(list));
	sbuf_reset(&cfg);
	if ((rc = sched_xl_pool_cfg(name, sched, list, &cfg, e)))
		goto out;
	for (int c = 0; c < ncpus; c++)
		from0[c] = want[c] && p0[c];
	cpus_text(from0, ncpus, list, sizeof(list));
	if (*list && (rc = sched_xl(r, (char *[]){ "cpupool-cpu-remove", "Pool-0", list, NULL }, NULL, e))) {
		rc = failed(r, from0, ncpus, NULL, e);
		goto out;
	}
	/* the config's lines, each a KEY=VALUE argument of cpupool-create */
	args[n++] = "cpupool-create";
	while (n < 7 && text_next_line(sbuf_str(&cfg), cfg.len, &pos, &line, &len))
		args[n++] = xstrndup(line, len);
	args[n] = NULL;
	rc = sched_xl(r, args, NULL, e);
	for (int k = 1; k < n; k++)
		free(args[k]);
	if (rc) {
		rc = failed(r, want, ncpus, NULL, e);
		goto out;
	}
	if ((rc = create_readback(r, name, sched, want, ncpus, e)))
		rc = failed(r, want, ncpus, name, e);
out:
	sbuf_free(&cfg);
	return rc;
}

int sched_xl_pool_destroy(const struct sched_runner *r, const char *name, struct err *e)
{
	struct xlview v = { 0 };
	const struct xl_cpupool *p;
	bool cpus[MAXCPU] = { false }, p0[MAXCPU];
	int rc, ncpus;

	if (!strcmp(name, "Pool-0"))
		return err_set(e, -EINVAL, "pool=Pool-0: Pool-0 cannot be destroyed");
	if ((rc = xlview_load(r, &v, e)))
		return rc;
	ncpus = v.nr_cpus;
	if (!(p = xlview_pool(&v, name)))
		rc = err_set(e, -ENOENT, "pool=%s: %s has no such cpupool", name, r->where);
	else if (p->ndoms > 0)
		rc = err_set(e, -EBUSY, "pool=%s: %d domains run in it (move them with 'vmlab sched set DOMAIN "
			     "pool=Pool-0')", name, p->ndoms);
	else if (sched_cpuset(xlview_pool_cpus(&v, name) ? xlview_pool_cpus(&v, name) : "", ncpus, cpus))
		rc = err_set(e, -EBADMSG, "xl cpupool-list -c: pool %s's CPU list does not parse", name);
	xlview_free(&v);
	if (rc)
		return rc;
	if ((rc = sched_xl(r, (char *[]){ "cpupool-destroy", (char *)name, NULL }, NULL, e)) ||
	    (rc = give_back(r, cpus, ncpus, e)) || (rc = xlview_load(r, &v, e)))
		return rc;
	if (xlview_pool(&v, name))
		rc = err_set(e, -EIO, "pool %s: read back: it is still there", name);
	else if (sched_cpuset(xlview_pool_cpus(&v, "Pool-0") ? xlview_pool_cpus(&v, "Pool-0") : "", ncpus, p0))
		rc = err_set(e, -EIO, "pool Pool-0: read back: no CPU list");
	else
		for (int c = 0; c < ncpus && !rc; c++)
			if (cpus[c] && !p0[c])
				rc = err_set(e, -EIO, "pool Pool-0: read back: CPU %d did not come back", c);
	xlview_free(&v);
	return rc;
}
