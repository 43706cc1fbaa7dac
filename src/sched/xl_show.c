/* The scheduling state of a Xen host, as a table or JSON: scheduler,
 * pools, and per domain its pool, weight, cap and vCPU affinities. */
#include "sched/sched.h"
#include "sched/xlview.h"

#include <stdio.h>
#include <string.h>

#include "base/json.h"

/* Appends pool p's tslice_ms and ratelimit_us (those xl printed) as JSON
 * members or " KEY=VALUE" words. */
static void pool_params(const struct xlview *v, const struct xl_cpupool *p, bool json, struct sbuf *o)
{
	const struct xl_sched *s = !strcmp(p->sched, "credit") ? &v->credit : &v->credit2;

	for (size_t k = 0; k < s->npools; k++)
		if (!strcmp(s->pools[k].pool, p->name)) {
			if (s->pools[k].tslice_ms >= 0)
				sbuf_printf(o, json ? ",\"tslice_ms\":%d" : " tslice_ms=%d", s->pools[k].tslice_ms);
			if (s->pools[k].ratelimit_us >= 0)
				sbuf_printf(o, json ? ",\"ratelimit_us\":%d" : " ratelimit_us=%d",
					    s->pools[k].ratelimit_us);
		}
}

static void pool_json(const struct xlview *v, const struct xl_cpupool *p, struct sbuf *o)
{
	const char *cpus = xlview_pool_cpus(v, p->name);

	sbuf_puts(o, "{\"name\":");
	json_put_str(o, p->name);
	sbuf_puts(o, ",\"sched\":");
	json_put_str(o, p->sched);
	sbuf_puts(o, ",\"cpus\":");
	json_put_str(o, cpus ? cpus : "");
	sbuf_printf(o, ",\"domains\":%d", p->ndoms);
	pool_params(v, p, true, o);
	sbuf_putc(o, '}');
}

static void pool_row(const struct xlview *v, const struct xl_cpupool *p, struct sbuf *o)
{
	const char *cpus = xlview_pool_cpus(v, p->name);

	sbuf_printf(o, "%-16s %-8s %-12s %7d ", p->name, p->sched, cpus && *cpus ? cpus : "-", p->ndoms);
	pool_params(v, p, false, o);
	sbuf_putc(o, '\n');
}

/* Domain d's row(s) or JSON object, with its vCPUs from vc. */
static void domain_out(const struct xlview *v, const struct xl_domain *d, const struct xl_vcpus *vc, bool json,
		       struct sbuf *o)
{
	const struct xl_sched_pool *pool = NULL;
	const char *sched = "";
	const struct xl_sched_dom *sd = xlview_sched_dom(v, d->name, &pool, &sched);
	int first = 1;

	if (json) {
		sbuf_puts(o, "{\"name\":");
		json_put_str(o, d->name);
		sbuf_printf(o, ",\"domid\":%d", d->domid);
		if (sd) {
			sbuf_puts(o, ",\"pool\":");
			json_put_str(o, pool->pool);
			sbuf_printf(o, ",\"sched\":\"%s\",\"weight\":%d,\"cap\":%d", sched, sd->weight, sd->cap);
		}
		sbuf_puts(o, ",\"vcpus\":[");
	}
	for (size_t k = 0; k < vc->n; k++) {
		const struct xl_vcpu *c = &vc->v[k];

		if (c->domid != d->domid)
			continue;
		if (json) {
			sbuf_printf(o, "%s{\"vcpu\":%d,\"cpu\":%d,\"state\":", first ? "" : ",", c->vcpu, c->cpu);
			json_put_str(o, c->state);
			sbuf_puts(o, ",\"hard\":");
			json_put_str(o, c->hard);
			sbuf_puts(o, ",\"soft\":");
			json_put_str(o, c->soft);
			sbuf_putc(o, '}');
		} else {
			char w[16] = "-", c2[16] = "-";

			if (sd && first) {
				snprintf(w, sizeof(w), "%d", sd->weight);
				snprintf(c2, sizeof(c2), "%d", sd->cap);
			}
			if (first)
				sbuf_printf(o, "%-20s %5d %-12s %6s %4s ", d->name, d->domid, sd ? pool->pool : "-", w,
					    c2);
			else
				sbuf_printf(o, "%-20s %5s %-12s %6s %4s ", "", "", "", "", "");
			if (c->cpu >= 0)
				sbuf_printf(o, "%4d %3d %-10s %s\n", c->vcpu, c->cpu, c->hard, c->soft);
			else
				sbuf_printf(o, "%4d %3s %-10s %s\n", c->vcpu, "-", c->hard, c->soft);
		}
		first = 0;
	}
	if (json)
		sbuf_puts(o, "]}");
}

int sched_xl_show(const struct sched_runner *r, bool json, struct sbuf *out, struct err *e)
{
	struct xlview v = { .with_domains = true };
	struct xl_vcpus vc = { 0 };
	struct sbuf t = SBUF_INIT;
	const char *sched;
	int rc;

	if ((rc = xlview_load(r, &v, e)))
		return rc;
	if ((rc = sched_xl(r, (char *[]){ "vcpu-list", NULL }, &t, e)) ||
	    (rc = xl_parse_vcpu_list(sbuf_str(&t), t.len, "xl vcpu-list", &vc, e)))
		goto out;
	sched = xl_info_get(&v.info, "xen_scheduler");
	if (json) {
		sbuf_puts(out, "{\"host\":");
		json_put_str(out, r->where);
		sbuf_puts(out, ",\"scheduler\":");
		json_put_str(out, sched ? sched : "");
		sbuf_printf(out, ",\"nr_cpus\":%d,\"pools\":[", v.nr_cpus);
		for (size_t k = 0; k < v.pools.n; k++) {
			if (k)
				sbuf_putc(out, ',');
			pool_json(&v, &v.pools.p[k], out);
		}
		sbuf_puts(out, "],\"domains\":[");
		for (size_t k = 0; k < v.doms.n; k++) {
			if (k)
				sbuf_putc(out, ',');
			domain_out(&v, &v.doms.d[k], &vc, true, out);
		}
		sbuf_puts(out, "]}\n");
		goto out;
	}
	sbuf_printf(out, "host %s: scheduler %s, %d CPUs\n\n", r->where, sched ? sched : "?", v.nr_cpus);
	sbuf_printf(out, "%-16s %-8s %-12s %7s  %s\n", "POOL", "SCHED", "CPUS", "DOMAINS", "PARAMETERS");
	for (size_t k = 0; k < v.pools.n; k++)
		pool_row(&v, &v.pools.p[k], out);
	sbuf_printf(out, "\n%-20s %5s %-12s %6s %4s %4s %3s %-10s %s\n", "DOMAIN", "ID", "POOL", "WEIGHT", "CAP",
		    "VCPU", "CPU", "HARD", "SOFT");
	for (size_t k = 0; k < v.doms.n; k++)
		domain_out(&v, &v.doms.d[k], &vc, false, out);
out:
	xl_vcpus_free(&vc);
	sbuf_free(&t);
	xlview_free(&v);
	return rc;
}
