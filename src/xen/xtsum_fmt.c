/* The summary of a xentrace file as JSON and as text tables. */
#include <stdio.h>

#include "base/json.h"
#include "xen/xtsum.h"

static const char *exit_key(const struct xt_summary *s, unsigned r, char *buf, size_t n)
{
	const char *name = xt_exit_name(s->vendor, r);

	if (name)
		return name;
	snprintf(buf, n, "%u", r);
	return buf;
}

static void put_u64(struct sbuf *out, const char *key, uint64_t v, bool comma)
{
	sbuf_printf(out, "%s\"%s\":%llu", comma ? "," : "", key, (unsigned long long)v);
}

static void put_cyc(struct sbuf *out, const char *key, const struct xt_cyc *c, bool comma)
{
	if (comma)
		sbuf_putc(out, ',');
	json_put_str(out, key);
	sbuf_printf(out, ":{\"count\":%llu,\"cycles\":%llu}", (unsigned long long)c->count,
		    (unsigned long long)c->cycles);
}

static void vcpu_json(const struct xt_summary *s, const struct xt_vcpu *v, double cpu_hz,
		      struct sbuf *out)
{
	char buf[16];
	bool first = true;
	uint64_t total = xt_vcpu_cycles(v);

	sbuf_printf(out, "{\"vcpu\":%d,\"kind\":\"%s\",\"exits\":{", v->vcpu,
		    v->hvm ? "hvm" : v->pv ? "pv" : "none");
	for (unsigned r = 0; r < XT_EXIT_MAX; r++) {
		const struct xt_cyc *c = &v->exit[r];
		if (!c->count)
			continue;
		if (!first)
			sbuf_putc(out, ',');
		first = false;
		json_put_str(out, exit_key(s, r, buf, sizeof(buf)));
		sbuf_printf(out, ":{\"count\":%llu,\"cycles\":%llu,\"mean_cycles\":",
			    (unsigned long long)c->count, (unsigned long long)c->cycles);
		json_put_num(out, (double)c->cycles / (double)c->count);
		sbuf_puts(out, ",\"seconds\":");
		json_put_num(out, (double)c->cycles / cpu_hz);
		sbuf_puts(out, ",\"pct_vcpu\":");
		json_put_num(out, total ? 100.0 * (double)c->cycles / (double)total : 0.0);
		sbuf_putc(out, '}');
	}
	sbuf_puts(out, "},\"runstates\":{");
	for (int k = 0; k < XT_RS_N; k++)
		put_cyc(out, xt_runstate_name(k), &v->runstate[k], k > 0);
	sbuf_puts(out, "},\"handlers\":{");
	first = true;
	for (int h = 0; h < XT_H_N; h++)
		if (v->handler[h]) {
			put_u64(out, xt_handler_name(h), v->handler[h], !first);
			first = false;
		}
	sbuf_puts(out, "},\"hypercalls\":{");
	first = true;
	for (unsigned op = 0; op < XT_HYPERCALL_MAX; op++)
		if (v->hypercall[op]) {
			const char *n = xt_hypercall_name(op);
			snprintf(buf, sizeof(buf), "%u", op);
			put_u64(out, n ? n : buf, v->hypercall[op], !first);
			first = false;
		}
	if (v->hypercall_other)
		put_u64(out, "other", v->hypercall_other, !first);
	sbuf_puts(out, "}");
	put_u64(out, "switches_in", v->switches_in, true);
	sbuf_putc(out, '}');
}

void xt_summary_json(const struct xt_summary *s, double cpu_hz, struct sbuf *out)
{
	sbuf_puts(out, "{\"cpu_hz\":");
	json_put_num(out, cpu_hz);
	put_u64(out, "records", s->records, true);
	put_u64(out, "lost", s->lost, true);
	put_u64(out, "lost_events", s->lost_events, true);
	put_u64(out, "switches", s->switches, true);
	put_u64(out, "cycles", s->last_tsc - s->first_tsc, true);
	sbuf_printf(out, ",\"cpus\":%d,\"exit_names\":\"%s\",\"domains\":[", s->ncpus,
		    s->vendor == XT_SVM ? "svm" : "vmx");
	for (int i = 0; i < s->ndomains; i++) {
		const struct xt_domain *d = &s->domains[i];
		bool first = true;
		sbuf_printf(out, "%s{\"domid\":%d,\"vcpus\":[", i ? "," : "", d->domid);
		for (int k = 0; k < d->nvcpus; k++) {
			if (!d->vcpu[k])
				continue;
			if (!first)
				sbuf_putc(out, ',');
			first = false;
			vcpu_json(s, d->vcpu[k], cpu_hz, out);
		}
		sbuf_puts(out, "]}");
	}
	sbuf_puts(out, "]}\n");
}

static void vcpu_text(const struct xt_summary *s, const struct xt_vcpu *v, double cpu_hz,
		      struct sbuf *out)
{
	char buf[16];
	uint64_t total = xt_vcpu_cycles(v);
	int n = 0;

	sbuf_printf(out, "  vcpu %d (%s): switched in %llu times\n    runstates:", v->vcpu,
		    v->hvm ? "hvm" : v->pv ? "pv" : "no guest records",
		    (unsigned long long)v->switches_in);
	for (int k = 0; k < XT_RS_N; k++)
		sbuf_printf(out, " %s %.3f s%s", xt_runstate_name(k), (double)v->runstate[k].cycles / cpu_hz,
			    k + 1 < XT_RS_N ? "," : "\n");
	for (unsigned r = 0; r < XT_EXIT_MAX; r++) {
		const struct xt_cyc *c = &v->exit[r];
		if (!c->count)
			continue;
		if (!n++)
			sbuf_printf(out, "    %-26s %10s %10s %7s %12s\n", "exit reason", "count", "time s",
				    "%vcpu", "mean cycles");
		sbuf_printf(out, "    %-26s %10llu %10.4f %6.2f%% %12.0f\n", exit_key(s, r, buf, sizeof(buf)),
			    (unsigned long long)c->count, (double)c->cycles / cpu_hz,
			    total ? 100.0 * (double)c->cycles / (double)total : 0.0,
			    (double)c->cycles / (double)c->count);
	}
	n = 0;
	for (int h = 0; h < XT_H_N; h++)
		if (v->handler[h])
			sbuf_printf(out, "%s %s %llu", n++ ? "," : "    handler events:", xt_handler_name(h),
				    (unsigned long long)v->handler[h]);
	if (n)
		sbuf_putc(out, '\n');
	n = 0;
	for (unsigned op = 0; op < XT_HYPERCALL_MAX; op++)
		if (v->hypercall[op]) {
			const char *name = xt_hypercall_name(op);
			snprintf(buf, sizeof(buf), "%u", op);
			sbuf_printf(out, "%s %s %llu", n++ ? "," : "    hypercalls:", name ? name : buf,
				    (unsigned long long)v->hypercall[op]);
		}
	if (v->hypercall_other)
		sbuf_printf(out, "%s other %llu", n++ ? "," : "    hypercalls:",
			    (unsigned long long)v->hypercall_other);
	if (n)
		sbuf_putc(out, '\n');
}

void xt_summary_text(const struct xt_summary *s, double cpu_hz, struct sbuf *out)
{
	sbuf_printf(out, "%llu records on %d CPUs, %.3f s at %.3f GHz; lost %llu records (%llu "
		    "lost-record records); %llu scheduler switches; exits named as %s\n",
		    (unsigned long long)s->records, s->ncpus, (double)(s->last_tsc - s->first_tsc) / cpu_hz,
		    cpu_hz / 1e9, (unsigned long long)s->lost, (unsigned long long)s->lost_events,
		    (unsigned long long)s->switches, s->vendor == XT_SVM ? "SVM" : "VMX");
	for (int i = 0; i < s->ndomains; i++) {
		const struct xt_domain *d = &s->domains[i];
		if (d->domid == XT_IDLE_DOMAIN)
			sbuf_printf(out, "domain %d (idle)\n", d->domid);
		else
			sbuf_printf(out, "domain %d\n", d->domid);
		for (int k = 0; k < d->nvcpus; k++)
			if (d->vcpu[k])
				vcpu_text(s, d->vcpu[k], cpu_hz, out);
	}
}
