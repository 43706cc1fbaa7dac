/* The summary's state machine: which vCPU each physical CPU runs (from the
 * runstate changes), open VM exits per vCPU, and the counters. It follows
 * xenalyze's accounting (tools/xentrace/xenalyze.c of Xen 4.17) so that
 * the exit counts agree with its --summary. */
#include "xen/xtsum.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_DOMAIN 32768      /* xenalyze's placeholder for "not known yet" */
#define MAX_VCPU 256
#define NDOMID (DEFAULT_DOMAIN + 1)

/* Internal runstates beyond enum xt_runstate. */
enum { RS_QUEUED = XT_RS_N, RS_INIT };

/* Trace classes and events (public/trace.h, Xen 4.17). */
#define TRC_SCHED_MIN 0x00021000u
#define TRC_SCHED_SWITCH 0x0002800au
#define TRC_HVM 0x0008f000u
#define TRC_HVM_ENTRYEXIT 0x00081000u
#define TRC_HVM_HANDLER 0x00082000u
#define TRC_HVM_VMENTRY 0x00081001u
#define TRC_64_FLAG 0x100u
#define TRC_PV 0x0020f000u
#define PV_HYPERCALL_V2 13
#define PV_HYPERCALL_SUBCALL 14

struct vstate {
	struct xt_vcpu *out;
	int domid;
	int state;               /* enum xt_runstate or RS_* */
	uint64_t state_tsc;
	int pcpu;                /* where it last ran, -1 none */
	/* the open VM exit */
	bool exit_valid;
	unsigned exit_reason;
	uint64_t exit_tsc;
	bool hvm_init;
	/* the state a runstate change claimed against ours (xenalyze's last_oldstate) */
	int wrong_old, actual;
};

struct pstate {
	struct vstate *current;
	uint64_t first_tsc;
	bool lost_active, lost_domain_valid;
	uint64_t lost_tsc;
	int lost_did, lost_vid;
};

struct dstate {
	struct vstate *v[MAX_VCPU];
};

struct st {
	struct xt_summary *s;
	struct dstate **dom;     /* [NDOMID] */
	struct pstate p[XT_MAX_CPUS];
	int lost_cpus;
	struct vstate **all;     /* every vCPU, in creation order */
	size_t nall, capall;
};

static struct vstate *vcpu_find(struct st *t, int did, int vid)
{
	struct dstate *d;
	struct vstate *v;

	if (!(d = t->dom[did]))
		d = t->dom[did] = xcalloc(1, sizeof(*d));
	if ((v = d->v[vid]))
		return v;
	v = d->v[vid] = xcalloc(1, sizeof(*v));
	v->out = xcalloc(1, sizeof(*v->out));
	v->out->vcpu = vid;
	v->domid = did;
	v->state = RS_INIT;
	v->pcpu = -1;
	v->wrong_old = RS_INIT;
	if (t->nall == t->capall) {
		t->capall = t->capall ? 2 * t->capall : 64;
		t->all = xrealloc(t->all, t->capall * sizeof(*t->all));
	}
	t->all[t->nall++] = v;
	return v;
}

/* Closes v's time in its runstate at tsc and enters state s. */
static void runstate_update(struct vstate *v, int s, uint64_t tsc)
{
	if (v->state_tsc > 0 && v->state_tsc < tsc && v->state < XT_RS_N) {
		v->out->runstate[v->state].count++;
		v->out->runstate[v->state].cycles += tsc - v->state_tsc;
	}
	v->state = s;
	v->state_tsc = tsc;
}

/* Counts v's open exit as closed at tsc. */
static void close_exit(struct vstate *v, uint64_t tsc)
{
	if (v->exit_tsc && v->exit_tsc <= tsc) {
		struct xt_cyc *c = &v->out->exit[v->exit_reason];
		c->count++;
		c->cycles += tsc - v->exit_tsc;
	}
	v->exit_tsc = 0;
	v->exit_valid = false;
}

static void prev_update(struct pstate *p, struct vstate *prev, uint64_t tsc, int s)
{
	p->current = NULL;
	runstate_update(prev, s, tsc);
}

static void next_update(struct st *t, int cpu, struct vstate *next, uint64_t tsc)
{
	struct pstate *p = &t->p[cpu];

	if (p->current) {
		/* after lost records the CPU's vCPU was inferred; xenalyze
		 * gives up on a file where it was not */
		runstate_update(p->current, XT_RS_LOST, tsc);
		p->current = NULL;
	}
	runstate_update(next, XT_RS_RUNNING, tsc);
	next->pcpu = cpu;
	p->current = next;
}

/* The first runstate change of v (xenalyze's vcpu_start). */
static void vcpu_start(struct st *t, int cpu, struct vstate *v, int old, int new, uint64_t tsc)
{
	struct pstate *p = &t->p[cpu];

	if (old == XT_RS_RUNNING) {
		if (!p->current || p->current->domid != DEFAULT_DOMAIN)
			return;
		runstate_update(p->current, RS_QUEUED, p->first_tsc);
		p->current = NULL;
	}
	if (new != XT_RS_RUNNING)
		return;
	if (old == XT_RS_RUNNING)
		tsc = p->first_tsc;
	runstate_update(v, XT_RS_RUNNING, tsc);
	p->current = v;
	v->pcpu = cpu;
}

static void lose_vcpu(struct vstate *v, uint64_t tsc)
{
	if (v->out->hvm)
		v->exit_valid = false;
	runstate_update(v, XT_RS_LOST, tsc);
}

/* TRC_SCHED_RUNSTATE_CHANGE and TRC_SCHED_CONTINUE_RUNNING. */
static void runstate_rec(struct st *t, const struct xt_rec *r)
{
	unsigned lo = r->event & 0xf;
	int old, new, vid, did;
	bool cont = lo == 2;
	struct vstate *v;
	int wrong_old, actual;

	if (r->nextra < 1 || (lo != 1 && lo != 2))
		return;
	new = cont ? XT_RS_RUNNING : (int)((r->event >> 4) & 0xf);
	old = cont ? XT_RS_RUNNING : (int)((r->event >> 8) & 0xf);
	vid = r->extra[0] & 0xffff;
	did = r->extra[0] >> 16;
	if (vid > MAX_VCPU - 1 || did >= DEFAULT_DOMAIN || new > XT_RS_OFFLINE || old > XT_RS_OFFLINE)
		return;
	v = vcpu_find(t, did, vid);
	wrong_old = v->wrong_old, actual = v->actual;
	v->wrong_old = RS_INIT;
	if (v->state == RS_INIT) {
		vcpu_start(t, r->cpu, v, old, new, r->tsc);
		return;
	}
	if (new == XT_RS_RUNNABLE && v->out->hvm && v->exit_valid)
		close_exit(v, r->tsc);
	if (v->state != old) {
		if (v->state == XT_RS_LOST) {
			if (new != XT_RS_RUNNING)
				return;
		} else if (wrong_old == new && actual == old) {
			return;
		} else {
			v->wrong_old = old;
			v->actual = v->state;
			if (v->state == XT_RS_RUNNING)
				return;
		}
	}
	if (cont) {
		if (v->state == XT_RS_LOST) {
			if (t->p[r->cpu].current)
				prev_update(&t->p[r->cpu], t->p[r->cpu].current, r->tsc, XT_RS_LOST);
			next_update(t, r->cpu, v, r->tsc);
		}
		runstate_update(v, XT_RS_RUNNING, r->tsc);
	} else if (old == XT_RS_RUNNING || v->state == XT_RS_RUNNING) {
		int cpu = old == XT_RS_RUNNING || v->pcpu < 0 ? r->cpu : v->pcpu;
		prev_update(&t->p[cpu], v, r->tsc, new);
		if (t->lost_cpus && did != XT_IDLE_DOMAIN)
			lose_vcpu(v, r->tsc);
	} else if (new == XT_RS_RUNNING) {
		next_update(t, r->cpu, v, r->tsc);
	} else {
		runstate_update(v, new, r->tsc);
	}
}

/* A vCPU of the running domain takes HVM (or PV) records; false when it
 * is of the other kind or the idle domain. */
static struct vstate *guest_current(struct st *t, const struct xt_rec *r, bool hvm)
{
	struct vstate *v = t->p[r->cpu].current;

	if (!v || v->domid == XT_IDLE_DOMAIN)
		return NULL;
	if (hvm ? v->out->pv : v->out->hvm)
		return NULL;
	if (hvm)
		v->out->hvm = true;
	else
		v->out->pv = true;
	return v;
}

static const struct {
	unsigned minor;
	enum xt_handler h;
} handler_map[] = {
	{ 0x01, XT_H_PF_XEN }, { 0x03, XT_H_INJ_EXC }, { 0x04, XT_H_INJ_VIRQ },
	{ 0x06, XT_H_IO_READ }, { 0x07, XT_H_IO_WRITE }, { 0x08, XT_H_CR_READ },
	{ 0x09, XT_H_CR_WRITE }, { 0x0c, XT_H_MSR_READ }, { 0x0d, XT_H_MSR_WRITE },
	{ 0x0e, XT_H_CPUID }, { 0x0f, XT_H_INTR }, { 0x12, XT_H_VMMCALL }, { 0x13, XT_H_HLT },
	{ 0x14, XT_H_INVLPG }, { 0x16, XT_H_IO_READ }, { 0x17, XT_H_MMIO_READ },
	{ 0x1a, XT_H_RDTSC }, { 0x20, XT_H_INTR_WINDOW }, { 0x21, XT_H_NPF },
};

static void hvm_rec(struct st *t, const struct xt_rec *r)
{
	struct vstate *v = guest_current(t, r, true);
	unsigned ev = r->event & ~TRC_64_FLAG;

	if (!v)
		return;
	if ((r->event & 0x0ffff000u) == TRC_HVM_HANDLER) {
		unsigned minor = ev & 0xff;
		for (size_t k = 0; k < sizeof(handler_map) / sizeof(handler_map[0]); k++)
			if (handler_map[k].minor == minor) {
				v->out->handler[handler_map[k].h]++;
				break;
			}
		return;
	}
	if (ev == TRC_HVM_VMENTRY) {
		if (v->hvm_init && v->exit_valid)
			close_exit(v, r->tsc);
		return;
	}
	/* VMEXIT (0x81002, SVM and VMX in 4.17) or SVM_EXIT (0x81003, 4.19) */
	if ((r->event & 0x0ffff000u) == TRC_HVM_ENTRYEXIT && (ev == 0x00081002u || ev == 0x00081003u)) {
		unsigned need = (r->event & TRC_64_FLAG) ? 3 : 2;
		if (r->nextra < need)
			return;
		v->hvm_init = true;
		v->exit_valid = true;
		if (r->extra[0] > (t->s->vendor == XT_SVM ? XT_EXIT_MAX - 1 : 63u))
			return;
		v->exit_reason = r->extra[0];
		v->exit_tsc = r->tsc;
	}
}

static void pv_rec(struct st *t, const struct xt_rec *r)
{
	struct vstate *v = guest_current(t, r, false);
	unsigned minor = r->event & 0xff;

	if (!v)
		return;
	if ((minor == PV_HYPERCALL_V2 || minor == PV_HYPERCALL_SUBCALL) && r->nextra >= 1) {
		unsigned op = r->extra[0] & 0x000fffffu;
		if (op < XT_HYPERCALL_MAX)
			v->out->hypercall[op]++;
		else
			v->out->hypercall_other++;
	}
}

static void lost_rec(struct st *t, const struct xt_rec *r, bool second)
{
	struct pstate *p = &t->p[r->cpu];

	if (r->nextra != 4)
		return;
	if (!second) {
		uint64_t first = (uint64_t)r->extra[2] | (uint64_t)r->extra[3] << 32;
		t->s->lost_events++;
		t->s->lost += r->extra[0];
		if (p->current) {
			if (p->current->out->hvm)
				p->current->exit_valid = false;
			prev_update(p, p->current, first, XT_RS_LOST);
		}
		if (!p->lost_active)
			t->lost_cpus++;
		p->lost_active = true;
		p->lost_tsc = first;
		for (size_t k = 0; k < t->nall; k++)
			if (t->all[k]->domid != DEFAULT_DOMAIN && t->all[k]->state != XT_RS_RUNNING)
				lose_vcpu(t->all[k], first);
		p->lost_domain_valid = true;
		p->lost_did = r->extra[1] & 0xffff;
		p->lost_vid = r->extra[1] >> 16;
		return;
	}
	if (!p->lost_active || r->tsc <= p->lost_tsc)
		return;
	if (p->lost_domain_valid && !p->current && p->lost_vid < MAX_VCPU &&
	    p->lost_did < DEFAULT_DOMAIN) {
		next_update(t, r->cpu, vcpu_find(t, p->lost_did, p->lost_vid), r->tsc);
	}
	p->lost_domain_valid = false;
	p->lost_active = false;
	t->lost_cpus--;
}

static int on_rec(const struct xt_rec *r, bool second, void *arg)
{
	struct st *t = arg;
	unsigned cls = r->event & 0x0ffff000u;   /* class and subclass */

	if (!second)
		t->s->records++;
	if (r->has_tsc) {
		if (!t->p[r->cpu].first_tsc)
			t->p[r->cpu].first_tsc = r->tsc;
		if (!t->s->first_tsc)
			t->s->first_tsc = r->order_tsc;
		if (r->order_tsc > t->s->last_tsc)
			t->s->last_tsc = r->order_tsc;
	}
	if (r->event == XT_LOST_RECORDS) {
		lost_rec(t, r, second);
	} else if (cls == TRC_SCHED_MIN) {
		runstate_rec(t, r);
	} else if (r->event == TRC_SCHED_SWITCH) {
		t->s->switches++;
		if (r->nextra >= 4 && r->extra[2] < DEFAULT_DOMAIN && r->extra[3] < MAX_VCPU)
			vcpu_find(t, (int)r->extra[2], (int)r->extra[3])->out->switches_in++;
	} else if ((r->event >> 16) == (TRC_HVM >> 16)) {
		hvm_rec(t, r);
	} else if ((r->event >> 16) == (TRC_PV >> 16)) {   /* entries and multicall subcalls */
		pv_rec(t, r);
	}
	return 0;
}

static int cmp_dom(const void *a, const void *b)
{
	const struct xt_domain *x = a, *y = b;

	return (x->domid > y->domid) - (x->domid < y->domid);
}

/* Moves what the walk counted into s: the vCPUs by domain, each runstate
 * closed at the end of the trace. */
static void collect(struct st *t, struct xt_summary *s)
{
	for (size_t k = 0; k < t->nall; k++) {
		struct vstate *v = t->all[k];
		if (v->domid == DEFAULT_DOMAIN) {
			free(v->out);
			continue;
		}
		runstate_update(v, v->state, s->last_tsc);
		int i;
		for (i = 0; i < s->ndomains && s->domains[i].domid != v->domid; i++)
			;
		if (i == s->ndomains) {
			s->domains = xrealloc(s->domains, (size_t)(i + 1) * sizeof(*s->domains));
			memset(&s->domains[i], 0, sizeof(s->domains[i]));
			s->domains[i].domid = v->domid;
			s->ndomains++;
		}
		struct xt_domain *d = &s->domains[i];
		int vid = v->out->vcpu;
		if (vid >= d->nvcpus) {
			d->vcpu = xrealloc(d->vcpu, (size_t)(vid + 1) * sizeof(*d->vcpu));
			memset(d->vcpu + d->nvcpus, 0, (size_t)(vid + 1 - d->nvcpus) * sizeof(*d->vcpu));
			d->nvcpus = vid + 1;
		}
		d->vcpu[vid] = v->out;
	}
	qsort(s->domains, (size_t)s->ndomains, sizeof(*s->domains), cmp_dom);
}

int xt_summarize(const struct xt_file *f, enum xt_vendor vendor, struct xt_summary **out, struct err *e)
{
	struct st *t = xcalloc(1, sizeof(*t));
	struct xt_summary *s = xcalloc(1, sizeof(*s));
	struct xt_info fi;

	(void)e;
	xt_info(f, &fi);
	s->vendor = vendor;
	s->ncpus = fi.ncpus;
	t->s = s;
	t->dom = xcalloc(NDOMID, sizeof(*t->dom));
	/* every CPU runs the default domain until its first schedule is seen */
	for (int c = 0; c < fi.ncpus; c++) {
		struct vstate *v = vcpu_find(t, DEFAULT_DOMAIN, c);
		v->state = XT_RS_RUNNING;
		v->pcpu = c;
		t->p[c].current = v;
	}
	(void)xt_walk(f, on_rec, t);
	collect(t, s);
	for (size_t k = 0; k < t->nall; k++)
		free(t->all[k]);
	free(t->all);
	for (int d = 0; d < NDOMID; d++)
		free(t->dom[d]);
	free(t->dom);
	free(t);
	*out = s;
	return 0;
}

void xt_summary_free(struct xt_summary *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->ndomains; i++) {
		for (int k = 0; k < s->domains[i].nvcpus; k++)
			free(s->domains[i].vcpu[k]);
		free(s->domains[i].vcpu);
	}
	free(s->domains);
	free(s);
}

uint64_t xt_vcpu_cycles(const struct xt_vcpu *v)
{
	uint64_t c = 0;

	for (int k = 0; k < XT_RS_N; k++)
		c += v->runstate[k].cycles;
	return c;
}
