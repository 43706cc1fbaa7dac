/* The text side of a persisted setting: xl.cfg keys, cpupool configs, the
 * boot unit, the manifest, and the live-versus-persisted comparison. */
#include "sched/persist.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/shquote.h"
#include "xen/cpulist.h"

#define MAXCPU 1024

int persist_cfg_put(struct xlcfg *c, const struct sched_setting *s, struct err *e)
{
	int rc = 0;

	if (s->set & SCHED_K_WEIGHT)
		rc = xlcfg_set_long(c, "cpu_weight", s->weight, e);
	if (!rc && (s->set & SCHED_K_CAP))
		rc = xlcfg_set_long(c, "cap", s->cap, e);
	if (!rc && (s->set & SCHED_K_CPUS))
		rc = xlcfg_set_string(c, "cpus", s->cpus, e);
	if (!rc && (s->set & SCHED_K_SOFT))
		rc = xlcfg_set_string(c, "cpus_soft", s->cpus_soft, e);
	if (!rc && (s->set & SCHED_K_POOL))
		rc = xlcfg_set_string(c, "pool", s->pool, e);
	return rc;
}

/* -EINVAL at where key's value starts: fmt gets key, then v. */
static int at(const struct xlcfg *c, const char *key, struct err *e, const char *fmt, const char *v)
{
	const struct xlcfg_value *x = xlcfg_get(c, key);
	char msg[600];

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(msg, sizeof(msg), fmt, key, v);
#pragma GCC diagnostic pop
	return err_at(e, -EINVAL, xlcfg_name(c), x ? x->line : 0, x ? x->col : 0, "%s", msg);
}

/* A number key in lo..hi into *out; 1 when present, 0 absent, <0 bad. */
static int get_num(const struct xlcfg *c, const char *key, long lo, long hi, int *out, struct err *e)
{
	long v;
	int rc = xlcfg_get_long(c, key, &v, e);

	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	if (v < lo || v > hi) {
		char b[32];

		snprintf(b, sizeof(b), "%ld", v);
		return at(c, key, e, "%s = %s: out of range", b);
	}
	*out = (int)v;
	return 1;
}

/* A CPU list or pool key (string) into out[0..n); 1 present, 0 absent. */
static int get_str(const struct xlcfg *c, const char *key, char *out, size_t n, bool cpus, struct err *e)
{
	const struct xlcfg_value *x = xlcfg_get(c, key);
	const char *v;
	struct cpulist l;
	struct err e2;
	int col, rc;

	if (!x)
		return 0;
	if (x->kind == XLCFG_LIST)
		return at(c, key, e, "%s: a list (per-vCPU affinity)%s; vmlab persists one CPU list as a string",
			  "");
	if ((rc = xlcfg_get_string(c, key, &v, e)))
		return rc;
	if (strlen(v) >= n || !*v)
		return at(c, key, e, "%s = \"%s\": empty or too long", v);
	if (cpus && cpulist_parse(v, &l, &col, &e2) < 0)
		return at(c, key, e, "%s = \"%s\": not a CPU list", v);
	if (cpus)
		cpulist_free(&l);
	snprintf(out, n, "%s", v);
	return 1;
}

int persist_cfg_get(const struct xlcfg *c, struct sched_setting *s, struct err *e)
{
	int r;

	memset(s, 0, sizeof(*s));
	if ((r = get_num(c, "cpu_weight", 1, 65535, &s->weight, e)) < 0)
		return r;
	s->set |= r ? SCHED_K_WEIGHT : 0;
	if ((r = get_num(c, "cap", 0, 65535, &s->cap, e)) < 0)
		return r;
	s->set |= r ? SCHED_K_CAP : 0;
	if ((r = get_str(c, "cpus", s->cpus, sizeof(s->cpus), true, e)) < 0)
		return r;
	s->set |= r ? SCHED_K_CPUS : 0;
	if ((r = get_str(c, "cpus_soft", s->cpus_soft, sizeof(s->cpus_soft), true, e)) < 0)
		return r;
	s->set |= r ? SCHED_K_SOFT : 0;
	if ((r = get_str(c, "pool", s->pool, sizeof(s->pool), false, e)) < 0)
		return r;
	s->set |= r ? SCHED_K_POOL : 0;
	return 0;
}

/* A list value of numbers as "1,2" into out. */
static int list_cpus(const struct xlcfg *c, const struct xlcfg_value *x, char *out, size_t n, struct err *e)
{
	size_t k = 0;

	out[0] = 0;
	for (size_t i = 0; i < x->nitems; i++) {
		const struct xlcfg_value *it = x->items[i];

		if (it->kind == XLCFG_LIST || !it->str[0] || strlen(it->str) + k + 2 >= n)
			return err_at(e, -EINVAL, xlcfg_name(c), it->line, it->col, "cpus: item %zu: not a CPU",
				      i + 1);
		k += (size_t)snprintf(out + k, n - k, "%s%s", k ? "," : "", it->str);
	}
	return 0;
}

int persist_pool_parse(const char *what, const char *text, size_t len, struct persist_pool *p, struct err *e)
{
	struct xlcfg *c = NULL;
	const struct xlcfg_value *x;
	const char *v;
	struct cpulist l;
	struct err e2;
	int rc, col;

	memset(p, 0, sizeof(*p));
	if ((rc = xlcfg_parse(what, text, len, &c, e)))
		return rc;
	if ((rc = xlcfg_get_string(c, "name", &v, e)) == -ENOENT)
		rc = err_at(e, -EINVAL, what, 1, 0, "no name = \"POOL\"");
	if (!rc && (strlen(v) >= sizeof(p->name) || !*v))
		rc = at(c, "name", e, "%s = \"%s\": empty or too long", v);
	if (!rc)
		snprintf(p->name, sizeof(p->name), "%s", v);
	if (!rc && (rc = xlcfg_get_string(c, "sched", &v, e)) == -ENOENT)
		rc = err_at(e, -EINVAL, what, 1, 0, "no sched = \"credit|credit2\"");
	if (!rc && strcmp(v, "credit") && strcmp(v, "credit2"))
		rc = at(c, "sched", e, "%s = \"%s\": vmlab's pools run credit or credit2", v);
	if (!rc)
		snprintf(p->sched, sizeof(p->sched), "%s", v);
	if (!rc && !(x = xlcfg_get(c, "cpus")))
		rc = err_at(e, -EINVAL, what, 1, 0, "no cpus = \"CPUS\"");
	if (!rc && x->kind == XLCFG_LIST)
		rc = list_cpus(c, x, p->cpus, sizeof(p->cpus), e);
	else if (!rc)
		rc = get_str(c, "cpus", p->cpus, sizeof(p->cpus), false, e) < 0 ? -EINVAL : 0;
	if (!rc && cpulist_parse(p->cpus, &l, &col, &e2) < 0)
		rc = at(c, "cpus", e, "%s = \"%s\": not a CPU list", p->cpus);
	else if (!rc)
		cpulist_free(&l);
	xlcfg_free(c);
	return rc;
}

static const struct sched_pool *find_pool(const struct sched_state *st, const char *name)
{
	for (int k = 0; k < st->npools; k++)
		if (!strcmp(st->pools[k].name, name))
			return &st->pools[k];
	return NULL;
}

int persist_pool_check(const struct sched_state *cur, const char *name, const char *cpus, int *create,
		       struct err *e)
{
	const struct sched_pool *p = find_pool(cur, name), *p0 = find_pool(cur, "Pool-0");
	int ncpus = cur->nr_cpus > 0 && cur->nr_cpus <= MAXCPU ? cur->nr_cpus : MAXCPU;
	bool want[MAXCPU], in[MAXCPU], in0[MAXCPU];
	int left = 0;

	*create = 0;
	if (cpus && sched_cpuset(cpus, ncpus, want))
		return err_set(e, -EINVAL, "--pool-cpus %s: not a CPU list", cpus);
	if (p) {
		if (cpus && (sched_cpuset(p->cpus, ncpus, in) || memcmp(in, want, (size_t)ncpus * sizeof(bool))))
			return err_set(e, -EINVAL, "pool=%s: it exists on CPUs %s, not %s (destroy it first)", name,
				       p->cpus, cpus);
		return 0;
	}
	if (!cpus)
		return err_set(e, -EINVAL, "pool=%s: no such cpupool (give --pool-cpus CPUS to create it)", name);
	struct cpulist l;
	int col;
	struct err e2;

	if (cpulist_parse(cpus, &l, &col, &e2) == 0) {
		int max = cpulist_max(&l, false);

		cpulist_free(&l);
		if (max >= cur->nr_cpus)
			return err_set(e, -EINVAL, "--pool-cpus %s: the host has CPUs 0..%d only", cpus,
				       cur->nr_cpus - 1);
	}
	for (int k = 0; k < cur->npools; k++) {
		if (!strcmp(cur->pools[k].name, "Pool-0") || sched_cpuset(cur->pools[k].cpus, ncpus, in))
			continue;
		for (int c = 0; c < ncpus; c++)
			if (want[c] && in[c])
				return err_set(e, -EINVAL, "--pool-cpus %s: CPU %d is in pool %s: pools never overlap",
					       cpus, c, cur->pools[k].name);
	}
	if (!p0 || sched_cpuset(p0->cpus, ncpus, in0))
		return err_set(e, -EINVAL, "pool=%s: the host shows no Pool-0", name);
	for (int c = 0; c < ncpus; c++) {
		if (want[c] && !in0[c])
			return err_set(e, -EINVAL, "--pool-cpus %s: CPU %d is in no pool", cpus, c);
		left += in0[c] && !want[c];
	}
	if (!left)
		return err_set(e, -EINVAL, "--pool-cpus %s: Pool-0 (Domain-0's) would keep no CPU", cpus);
	*create = 1;
	return 0;
}

/* Appends argv as one shell line. */
static void sh_line(struct sbuf *out, char *const argv[])
{
	char *q = shquote_argv(argv);

	sbuf_printf(out, "%s\n", q);
	free(q);
}

void persist_boot_script(const struct persist_pool *pools, int n, const char *cfg_dir, struct sbuf *out)
{
	sbuf_puts(out, "#!/bin/sh\n"
		       "# vmlab qos apply --persist: recreates these cpupools at boot, before any\n"
		       "# guest starts (their CPUs leave Pool-0 first). Written by vmlab: a new\n"
		       "# persist rewrites it.\n"
		       "set -e\n");
	for (int k = 0; k < n; k++) {
		char path[1024];

		snprintf(path, sizeof(path), "%s/cpupool-%s.cfg", cfg_dir, pools[k].name);
		sh_line(out, (char *[]){ "xl", "cpupool-cpu-remove", "Pool-0", (char *)pools[k].cpus, NULL });
		sh_line(out, (char *[]){ "xl", "cpupool-create", path, NULL });
	}
}

void persist_systemd_unit(const char *script, struct sbuf *out)
{
	sbuf_printf(out,
		    "# vmlab qos apply --persist: recreates vmlab's cpupools at boot.\n"
		    "[Unit]\n"
		    "Description=vmlab cpupools\n"
		    "Requires=xencommons.service\n"
		    "After=xencommons.service\n"
		    "Before=xendomains.service\n\n"
		    "[Service]\n"
		    "Type=oneshot\n"
		    "RemainAfterExit=yes\n"
		    "ExecStart=%s\n\n"
		    "[Install]\n"
		    "WantedBy=multi-user.target\n",
		    script);
}

int persist_path(char *out, size_t n, const char *dir, const char *name, struct err *e)
{
	if ((size_t)snprintf(out, n, "%s/%s", dir, name) >= n)
		return err_set(e, -ENAMETOOLONG, "%s/%s: path too long", dir, name);
	return 0;
}

/* One knob's line; returns 1 when it differs. */
static int diff_line(struct sbuf *out, const char *knob, const char *live, const char *file, bool dflt,
		     bool same)
{
	sbuf_printf(out, "  %-10s live %-12s persisted %s%s%s\n", knob, live, file, dflt ? " (default)" : "",
		    same ? "" : "  DIFFERS");
	return !same;
}

static bool same_set(const char *a, const char *b, int ncpus)
{
	bool sa[MAXCPU], sb[MAXCPU];

	if (ncpus < 1 || ncpus > MAXCPU)
		return !strcmp(a, b);
	if (sched_cpuset(a, ncpus, sa) || sched_cpuset(b, ncpus, sb))
		return false;
	return !memcmp(sa, sb, (size_t)ncpus * sizeof(bool));
}

/* CPU list knob: every vCPU's own list against the file's. */
static int diff_cpus(struct sbuf *out, const char *knob, const char *file, bool dflt, const struct sched_state *st,
		     bool soft)
{
	int nv = st->nvcpus > 0 && st->nvcpus <= SCHED_VCPUS_MAX ? st->nvcpus : 0, v;
	const char *first = nv ? (soft ? st->soft[0] : st->hard[0]) : (soft ? st->s.cpus_soft : st->s.cpus);
	bool same = same_set(first, file, st->nr_cpus), all_alike = true;

	for (v = 1; v < nv; v++) {
		const char *l = soft ? st->soft[v] : st->hard[v];

		all_alike = all_alike && same_set(l, first, st->nr_cpus);
		same = same && same_set(l, file, st->nr_cpus);
	}
	char live[SCHED_CPUS_MAX + 16];

	snprintf(live, sizeof(live), "%s%s", first, all_alike ? "" : ",...");
	return diff_line(out, knob, live, file, dflt, same);
}

int persist_diff(const struct sched_setting *file, const struct sched_state *live, struct sbuf *out)
{
	char lv[32], fv[32];
	int nd = 0;
	bool has;

	has = file->set & SCHED_K_WEIGHT;
	snprintf(lv, sizeof(lv), "%d", live->s.weight);
	snprintf(fv, sizeof(fv), "%d", has ? file->weight : 256);
	nd += diff_line(out, "weight", lv, fv, !has, live->s.weight == (has ? file->weight : 256));
	has = file->set & SCHED_K_CAP;
	snprintf(lv, sizeof(lv), "%d", live->s.cap);
	snprintf(fv, sizeof(fv), "%d", has ? file->cap : 0);
	nd += diff_line(out, "cap", lv, fv, !has, live->s.cap == (has ? file->cap : 0));
	has = file->set & SCHED_K_CPUS;
	nd += diff_cpus(out, "cpus", has ? file->cpus : "all", !has, live, false);
	has = file->set & SCHED_K_SOFT;
	nd += diff_cpus(out, "cpus_soft", has ? file->cpus_soft : "all", !has, live, true);
	has = file->set & SCHED_K_POOL;
	nd += diff_line(out, "pool", live->s.pool, has ? file->pool : "Pool-0", !has,
			!strcmp(live->s.pool, has ? file->pool : "Pool-0"));
	return nd;
}

static const char *const fstates[] = { "new", "changed", "same" };

int persist_manifest_parse(const char *what, const char *text, size_t len, struct persist_manifest *m,
			   struct err *e)
{
	size_t pos = 0;
	int line = 0;

	memset(m, 0, sizeof(*m));
	while (pos < len) {
		const char *l = text + pos, *nl = memchr(l, '\n', len - pos), *tab;
		size_t n = nl ? (size_t)(nl - l) : len - pos;
		int k;

		pos += n + 1;
		line++;
		if (!n)
			continue;
		if (!(tab = memchr(l, '\t', n)))
			return err_at(e, -EINVAL, what, line, 1, "expected STATE<TAB>PATH");
		for (k = 0; k < 3; k++)
			if (strlen(fstates[k]) == (size_t)(tab - l) && !memcmp(l, fstates[k], (size_t)(tab - l)))
				break;
		if (k == 3)
			return err_at(e, -EINVAL, what, line, 1, "state '%.*s': new, changed or same",
				      (int)(tab - l), l);
		size_t pl = n - (size_t)(tab + 1 - l);
		const char *p = tab + 1;

		if (!pl || p[0] != '/')
			return err_at(e, -EINVAL, what, line, (int)(p - l) + 1, "the path must be absolute");
		if (pl >= sizeof(m->e[0].path))
			return err_at(e, -EINVAL, what, line, (int)(p - l) + 1, "path of %zu bytes: too long", pl);
		for (size_t i = 0; i < pl; i++)
			if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
				return err_at(e, -EINVAL, what, line, (int)(p - l + i) + 1,
					      "control byte 0x%02x in the path", (unsigned char)p[i]);
		if (m->n >= (int)(sizeof(m->e) / sizeof(m->e[0])))
			return err_at(e, -EINVAL, what, line, 1, "more than %zu files",
				      sizeof(m->e) / sizeof(m->e[0]));
		m->e[m->n].state = (enum persist_fstate)k;
		memcpy(m->e[m->n].path, p, pl);
		m->e[m->n].path[pl] = 0;
		m->n++;
	}
	return 0;
}

void persist_manifest_format(const struct persist_manifest *m, struct sbuf *out)
{
	for (int k = 0; k < m->n; k++)
		sbuf_printf(out, "%s\t%s\n", fstates[m->e[k].state], m->e[k].path);
}
