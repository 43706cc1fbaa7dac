/* Check, apply, read back, restore: the one path every back end's change
 * takes; and the registry of back ends. */
#include "sched/sched.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct sched_ops *const backends[] = { &sched_credit2, &sched_credit, &sched_cgroup };

const struct sched_ops *sched_find(const char *name)
{
	for (size_t k = 0; k < sizeof(backends) / sizeof(backends[0]); k++)
		if (!strcmp(backends[k]->name, name))
			return backends[k];
	return NULL;
}

/* Puts prev back after the failure in e; appends to e whether it worked. */
static void undo(const struct sched_ops *o, const struct sched_target *t, const struct sched_state *prev,
		 unsigned set, struct err *e)
{
	struct err e2 = { 0 };
	struct sched_state *now = xcalloc(1, sizeof(*now));
	char msg[sizeof(e->msg)];
	int r;

	memcpy(msg, e->msg, sizeof(msg));
	if ((r = o->restore(t, prev, set, &e2)) == 0 && (r = o->get(t, now, &e2)) == 0)
		r = sched_compare_state(prev, set, now, &e2);
	if (r == 0)
		err_set(e, e->code, "%s; the previous settings are back", msg);
	else
		err_set(e, e->code, "%s; restoring the previous settings failed too: %s", msg, e2.msg);
	free(now);
}

int sched_apply(const struct sched_ops *o, const struct sched_target *t, const struct sched_setting *s,
		struct sched_state *after, struct err *e)
{
	struct sched_state *prev = xcalloc(1, sizeof(*prev)), *now = xcalloc(1, sizeof(*now));
	unsigned extra = s->set & ~o->knobs, rset = s->set;
	int r;

	if (extra) {
		r = err_set(e, -EINVAL, "%s: the %s scheduler has no %s knob", t->name, o->name,
			    sched_knob_name(extra & -extra));
		goto out;
	}
	if ((r = o->get(t, prev, e)) < 0 || (r = o->check(t, prev, s, e)) < 0)
		goto out;
	/* moving a domain to another pool resets its weight, cap and vCPU
	 * affinity (Xen's sched_move_domain): a restore puts those back too */
	if (s->set & SCHED_K_POOL)
		rset |= o->knobs & (SCHED_K_WEIGHT | SCHED_K_CAP | SCHED_K_CPUS | SCHED_K_SOFT);
	if ((r = o->put(t, prev, s, e)) < 0) {
		undo(o, t, prev, rset, e);
		goto out;
	}
	if ((r = o->get(t, now, e)) < 0 || (r = sched_compare(s, s->set, now, e)) < 0) {
		char msg[sizeof(e->msg)];

		memcpy(msg, e->msg, sizeof(msg));
		err_set(e, r, "%s: read back: %s", t->name, msg);
		undo(o, t, prev, rset, e);
		goto out;
	}
	if (after)
		*after = *now;
out:
	free(prev);
	free(now);
	return r;
}
