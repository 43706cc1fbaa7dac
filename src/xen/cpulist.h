/* CPULIST strings of xl.cfg's cpus= and cpus_soft= ("0-3,^2", "node:1",
 * "all"), checked as xl's parse_cpurange does. */
#ifndef VMLAB_XEN_CPULIST_H
#define VMLAB_XEN_CPULIST_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct cpulist_item {
	bool exclude;          /* "^" */
	bool nodes;            /* "node:" or "nodes:": first..last are NUMA nodes */
	bool all;              /* "all" (first/last unused) */
	unsigned long first, last;
};

struct cpulist {
	size_t n;
	struct cpulist_item *items;   /* owned */
};

/* Parses s: comma-separated items (empty items skipped, as strtok does),
 * each [^][node:|nodes:](all|N|N-M) with N <= M, numbers in decimal
 * (leading blanks allowed as strtoul allows them). "^all" is rejected, and
 * so are negative numbers. Returns 0 or -EINVAL with e->msg and *col
 * (1-based column of the bad item in s). Free with cpulist_free. */
int cpulist_parse(const char *s, struct cpulist *l, int *col, struct err *e);
void cpulist_free(struct cpulist *l);

/* Applies l in order to set[0..ncpus): items add or remove CPUs; node
 * items use node_of_cpu[] (NULL: every CPU is on node 0). Returns the
 * number of CPUs in the result. */
int cpulist_apply(const struct cpulist *l, int ncpus, const int *node_of_cpu, bool *set);

/* The largest CPU (or node) number l names, -1 when it names only "all". */
long cpulist_max(const struct cpulist *l, bool nodes);

#endif
