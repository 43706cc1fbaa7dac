/* What the xl back ends read of a Xen host in one go: xl info, xl list,
 * xl cpupool-list (both forms), xl sched-credit2 and (when a pool runs it)
 * xl sched-credit, parsed; xl list when asked. Internal to src/sched. */
#ifndef VMLAB_SCHED_XLVIEW_H
#define VMLAB_SCHED_XLVIEW_H

#include <stdbool.h>

#include "sched/sched.h"
#include "xen/xl.h"

struct xlview {
	bool with_domains;            /* set before xlview_load: read xl list into doms too */
	struct xl_info info;
	int nr_cpus;
	struct xl_domains doms;
	struct xl_cpupools pools;     /* xl cpupool-list */
	struct xl_cpupools cpus;      /* xl cpupool-list -c */
	struct xl_sched credit2, credit;
};

/* Reads the host through r into v (owned; xlview_free); v->with_domains
 * is kept, the rest overwritten. 0 or the error of the first command or
 * parser that failed. */
int xlview_load(const struct sched_runner *r, struct xlview *v, struct err *e);
void xlview_free(struct xlview *v);

/* The pool named name, or NULL. */
const struct xl_cpupool *xlview_pool(const struct xlview *v, const char *name);

/* The CPUs of pool name as `cpupool-list -c` prints them ("0,1"), NULL
 * when there is no such pool. */
const char *xlview_pool_cpus(const struct xlview *v, const char *name);

/* The sched row of domain dom, its pool's block and scheduler name; NULL
 * when no credit2 or credit pool holds it. */
const struct xl_sched_dom *xlview_sched_dom(const struct xlview *v, const char *dom,
					    const struct xl_sched_pool **pool, const char **sched);

#endif
