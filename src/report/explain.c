/* The slowdown decomposition: targets, the event -> cost table, the parts. */
#include "report/explain.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The one place that says which micro prices which event (vmlab-explain(1)
 * documents it). */
const struct xmech explain_table[] = {
	{ "page faults", "page-faults", "page_fault",
	  "a page fault and what it costs under Xen: PV guests trap to Xen first and update the "
	  "page tables by hypercall; HVM/PVH guests walk nested page tables" },
	{ "system calls", "raw_syscalls:sys_enter", "null_syscall",
	  "a system call: a PV guest's goes through Xen (syscall bounce, iret hypercall)" },
	{ "page-table hypercalls", "xentrace:hypercall:mmu_update", "mprotect",
	  "PV page-table updates by mmu_update hypercall (outside page faults)" },
	{ "batched hypercalls", "xen:xen_mc_flush", "mmap_munmap",
	  "PV multicalls the guest kernel flushes (lazy MMU batches)" },
	{ "cpuid exits", "xentrace:cpuid", "cpuid",
	  "cpuid traps to Xen in HVM/PVH guests (and is emulated for PV)" },
	{ "NPF exits", "xentrace:exit:npf|xentrace:exit:ept_violation", NULL,
	  "nested page faults: guest memory Xen maps on demand or emulates (MMIO)" },
	{ "I/O exits", "xentrace:exit:ioio|xentrace:exit:io_instruction", NULL,
	  "port I/O the device model or Xen emulates" },
	{ "interrupt exits", "xentrace:exit:intr|xentrace:exit:external_interrupt", NULL,
	  "physical interrupts (timer, IPIs) that leave the guest" },
	{ "hypercall exits", "xentrace:exit:vmmcall|xentrace:exit:vmcall", NULL,
	  "hypercalls of HVM/PVH guests (timers, event channels)" },
	{ "MSR exits", "xentrace:exit:msr|xentrace:exit:msr_read", NULL,
	  "model-specific register accesses Xen emulates" },
	{ NULL, NULL, NULL, NULL },
};

#define NMECH (sizeof(explain_table) / sizeof(explain_table[0]) - 1)

static const struct rcount *count_of(const struct model *m, const char *bench, const char *env,
				     const char *ev)
{
	for (size_t k = 0; k < m->counts.n; k++) {
		const struct rcount *c = &m->counts.v[k];
		if (!strcmp(c->bench, bench) && !strcmp(c->env, env) && !strcmp(c->event, ev))
			return c;
	}
	return NULL;
}

static bool has_xen(const struct renv *v)
{
	return v->facts && v->facts->xen_version;
}

static bool xen_event(const char *ev)
{
	return !strncmp(ev, "xentrace:", 9) || !strncmp(ev, "xen:", 4);
}

/* The count of ev for bench in env k: per op (per_op) or per run. An event
 * that cannot occur there (a Xen event where there is no Xen) is 0; one
 * not counted is NaN with why filled. */
static double events_in(const struct model *m, const char *bench, size_t k, const char *ev,
			bool per_op, char *why, size_t wn)
{
	const struct renv *v = &m->envs[k];
	const struct rcount *c = count_of(m, bench, v->name, ev);
	double x = c ? (per_op ? c->per_op_median : c->median) : NAN;

	if (!isnan(x))
		return x;
	if (!has_xen(v) && xen_event(ev))
		return 0;
	if (c && c->unsupported)
		snprintf(why, wn, "no data: %s in %s of %s: not supported (%s)", ev, v->name, bench,
			 c->why && c->why[0] ? c->why : "no reason recorded");
	else
		snprintf(why, wn, "no data: %s not counted in %s of %s%s", ev, v->name, bench,
			 per_op && c ? " per operation" : "");
	return NAN;
}

/* The first of p->m->events (split at '|') counted for bench in env k, else the first. */
static void pick_event(const struct model *m, const char *bench, size_t k, struct xpart *p,
		       char *buf, size_t n)
{
	const char *s = p->m->events;

	snprintf(buf, n, "%.*s", (int)strcspn(s, "|"), s);
	for (;;) {
		size_t len = strcspn(s, "|");
		char ev[96];
		snprintf(ev, sizeof(ev), "%.*s", (int)len, s);
		const struct rcount *c = count_of(m, bench, m->envs[k].name, ev);
		if (c && c->n) {
			snprintf(buf, n, "%s", ev);
			return;
		}
		if (!s[len])
			return;
		s += len + 1;
	}
}

static const struct rcell *micro_cell(const struct model *m, const char *name, size_t k)
{
	for (size_t b = 0; b < m->nbench; b++)
		if (!strcmp(m->benches[b].name, name) && !strcmp(m->benches[b].kind, "micro"))
			return model_cell(m, b, k);
	return NULL;
}

/* Events ev per op of micro in env k (NaN with why when not counted). */
static double micro_per_op(const struct model *m, const char *micro, size_t k, const char *ev,
			   char *why, size_t wn)
{
	return events_in(m, micro, k, ev, true, why, wn);
}

/* p's cost in env k from its micro: cost_ns = (micro time in env - in
 * baseline) / events per op in env, base_cost_ns = micro time in baseline /
 * events per op there (0 when the event does not occur there); or, without
 * a micro, the trace's mean time in Xen per exit. */
static void price(const struct model *m, size_t k, struct xpart *p, const char *bench)
{
	const char *env = m->envs[k].name;
	size_t kb = (size_t)m->envs[k].base;

	if (!p->m->micro) {
		const struct rcount *c = count_of(m, bench, env, p->event);
		p->from_trace = true;
		p->base_cost_ns = 0;
		p->cost_ns = c ? c->ns_each_median : NAN;
		if (isnan(p->cost_ns))
			snprintf(p->why, sizeof(p->why), "no data: no time per exit for %s in %s's trace",
				 p->event, env);
		return;
	}
	const struct rcell *c = micro_cell(m, p->m->micro, k), *cb = micro_cell(m, p->m->micro, kb);
	if (!c || !cb || isnan(c->median) || isnan(cb->median)) {
		snprintf(p->why, sizeof(p->why), "no data: micro %s not measured in both %s and %s",
			 p->m->micro, env, m->envs[k].base_name);
		return;
	}
	if (!c->unit || strcmp(c->unit, "ns/op")) {
		snprintf(p->why, sizeof(p->why), "no data: micro %s is not in ns/op", p->m->micro);
		return;
	}
	double per = micro_per_op(m, p->m->micro, k, p->event, p->why, sizeof(p->why));
	double perb = micro_per_op(m, p->m->micro, kb, p->event, p->why, sizeof(p->why));
	if (isnan(per) || isnan(perb))
		return;
	if (per < 1e-3) {
		snprintf(p->why, sizeof(p->why), "no data: micro %s makes %.4f %s per op in %s: it "
			 "cannot price one", p->m->micro, per, p->event, env);
		return;
	}
	p->why[0] = 0;
	p->cost_ns = (c->median - cb->median) / per;
	p->base_cost_ns = perb >= 1e-3 ? cb->median / perb : 0;
}

/* Events ev that earlier parts' micros carried along with their own event
 * in env k (their cost includes them): sum of their events x (ev per op /
 * own event per op) in their micro; n the earlier parts' counts there
 * (env: events, baseline: base_events). */
static double carried_by(const struct model *m, size_t k, const struct xpart *parts, size_t i,
			 const char *ev, bool base)
{
	double sum = 0;
	char why[200];

	for (size_t j = 0; j < i; j++) {
		const struct xpart *q = &parts[j];
		double n = base ? q->base_events : q->events;
		if (!q->m->micro || isnan(n) || isnan(q->cost_ns) || n <= 0)
			continue;
		double own = micro_per_op(m, q->m->micro, k, q->event, why, sizeof(why));
		double with = micro_per_op(m, q->m->micro, k, ev, why, sizeof(why));
		if (!isnan(own) && !isnan(with) && own >= 1e-3 && with > 0)
			sum += n * with / own;
	}
	return sum;
}

/* Part i of target t (bench in env k); false when it has no data. */
static bool one_part(const struct model *m, size_t k, struct xtarget *t, size_t i)
{
	bool per_op = !strcmp(t->kind, "micro");
	size_t kb = (size_t)m->envs[k].base;
	struct xpart *p = &t->parts[i];
	char ev[96];

	p->m = &explain_table[i];
	p->events = p->base_events = p->extra = p->carried = NAN;
	p->cost_ns = p->base_cost_ns = p->time_ns = p->share = NAN;
	pick_event(m, t->bench, k, p, ev, sizeof(ev));
	p->event = xstrdup(ev);
	double a = events_in(m, t->bench, k, ev, per_op, p->why, sizeof(p->why));
	if (isnan(a))
		return false;
	p->counted = true;
	double b = events_in(m, t->bench, kb, ev, per_op, p->why, sizeof(p->why));
	if (isnan(b))
		return false;
	p->carried = carried_by(m, k, t->parts, i, ev, false);
	/* what earlier micros carried is at most what was counted */
	p->carried = fmin(p->carried, a);
	p->events = a - p->carried;
	p->base_events = fmax(0, b - carried_by(m, kb, t->parts, i, ev, true));
	p->extra = p->events - p->base_events;
	price(m, k, p, t->bench);
	if (isnan(p->cost_ns))
		return false;
	p->circular = per_op && p->m->micro && !strcmp(p->m->micro, t->bench);
	p->time_ns = p->events * p->cost_ns + p->extra * p->base_cost_ns;
	p->share = p->time_ns / t->extra_ns;
	return true;
}

/* The parts of target t (bench in env k). */
static void decompose(const struct model *m, size_t k, struct xtarget *t)
{
	t->parts = xcalloc(NMECH, sizeof(*t->parts));
	t->nparts = NMECH;
	t->explained_ns = 0;
	for (size_t i = 0; i < NMECH; i++) {
		if (one_part(m, k, t, i))
			t->explained_ns += t->parts[i].time_ns;
		else
			t->nodata++;
	}
	t->unexplained_ns = t->extra_ns - t->explained_ns;
	t->explained = t->explained_ns / t->extra_ns;
	for (size_t c = 0; c < m->counts.n; c++)
		t->has_counts = t->has_counts || (!strcmp(m->counts.v[c].bench, t->bench) &&
						  !strcmp(m->counts.v[c].env, m->envs[k].name));
}

/* A cell whose median is a time this can decompose: its extra time in ns. */
static bool time_cell(const struct rcell *c, const struct rcell *base, double *extra_ns)
{
	if (!c || !base || c->higher_better || !c->unit || isnan(c->slow) || isnan(c->median) ||
	    isnan(base->median))
		return false;
	if (!strcmp(c->unit, "s"))
		*extra_ns = (c->median - base->median) * 1e9;
	else if (!strcmp(c->unit, "ns/op"))
		*extra_ns = c->median - base->median;
	else
		return false;
	return true;
}

static void add_target(const struct model *m, size_t k, size_t b, struct explanation *x)
{
	const struct renv *v = &m->envs[k];
	const struct rcell *c = model_cell(m, b, k), *cb = model_cell(m, b, (size_t)v->base);
	struct xtarget *t;
	double extra;

	if (!time_cell(c, cb, &extra))
		return;
	x->v = xrealloc(x->v, (x->n + 1) * sizeof(*x->v));
	t = &x->v[x->n++];
	memset(t, 0, sizeof(*t));
	t->env = v->name;
	t->base = v->base_name;
	t->bench = m->benches[b].name;
	t->kind = m->benches[b].kind;
	t->unit = c->unit;
	t->value = c->median;
	t->base_value = cb->median;
	t->slow = c->slow;
	t->extra_ns = extra;
	decompose(m, k, t);
}

/* The row of env k's strongest slowdown among time cells (cpu_only: CPU kernels); -1 none. */
static long strongest(const struct model *m, size_t k, bool cpu_only)
{
	long best = -1;
	double extra;

	for (size_t b = 0; b < m->nbench; b++) {
		const struct rcell *c = model_cell(m, b, k);
		if (cpu_only && strcmp(m->benches[b].kind, "cpu"))
			continue;
		if (!time_cell(c, model_cell(m, b, (size_t)m->envs[k].base), &extra))
			continue;
		if (best < 0 || c->slow > model_cell(m, (size_t)best, k)->slow)
			best = (long)b;
	}
	return best;
}

int explain_build(const struct model *m, struct explanation *x, struct err *e)
{
	memset(x, 0, sizeof(*x));
	x->baseline = m->baseline;
	for (size_t k = 0; k < m->nenv; k++) {
		if (m->envs[k].base < 0)
			continue;
		long b = strongest(m, k, false), c = strongest(m, k, true);
		if (b >= 0)
			add_target(m, k, (size_t)b, x);
		if (c >= 0 && c != b)
			add_target(m, k, (size_t)c, x);
	}
	if (!x->n)
		return err_set(e, -EINVAL, "no environment has a time measured against a baseline "
			       "(need records of the baseline and of another environment)");
	return 0;
}

void explain_free(struct explanation *x)
{
	for (size_t i = 0; i < x->n; i++) {
		for (size_t p = 0; p < x->v[i].nparts; p++)
			free((char *)x->v[i].parts[p].event);
		free(x->v[i].parts);
	}
	free(x->v);
	memset(x, 0, sizeof(*x));
}

bool explain_wanted(const struct model *m)
{
	return m->counts.n > 0;
}
