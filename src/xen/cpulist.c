/* CPULIST parsing with the rules of xl's parse_cpurange/update_cpumap_range. */
#include "xen/cpulist.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/sbuf.h"

/* strtoul(s, .., 10) as parse_range uses it, but without signs; returns
 * the end or NULL when no digits. */
static const char *number(const char *s, unsigned long *v, bool *neg)
{
	const char *p = s;
	char *ep;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '-')
		*neg = true;
	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return NULL;
	errno = 0;
	*v = strtoul(p, &ep, 10);
	if (errno || *v == ULONG_MAX)
		return NULL;
	return ep;
}

static int item(const char *tok, struct cpulist_item *it, struct err *e)
{
	const char *p = tok, *q;
	bool neg = false;

	memset(it, 0, sizeof(*it));
	if (*p == '^') {
		it->exclude = true;
		p++;
	}
	if (!strncmp(p, "node:", 5)) {
		it->nodes = true;
		p += 5;
	} else if (!strncmp(p, "nodes:", 6)) {
		it->nodes = true;
		p += 6;
	}
	if (!strcmp(p, "all")) {
		if (it->exclude)
			return err_set(e, -EINVAL, "can't combine \"^\" and \"all\" in `%s'", tok);
		it->all = true;
		return 0;
	}
	q = number(p, &it->first, &neg);
	if (!q)
		goto bad;
	it->last = it->first;
	if (*q == '-') {
		q = number(q + 1, &it->last, &neg);
		if (!q || it->last < it->first)
			goto bad;
	}
	if (*q || neg)
		goto bad;
	return 0;
bad:
	return err_set(e, -EINVAL, "invalid pcpu range `%s' (expected N, N-M with N <= M, all, "
		       "node:N or nodes:N-M, optionally preceded by ^)", tok);
}

int cpulist_parse(const char *s, struct cpulist *l, int *col, struct err *e)
{
	const char *p = s;
	size_t cap = 0;

	l->n = 0;
	l->items = NULL;
	*col = 0;
	while (*p) {
		size_t len = strcspn(p, ",");
		char *tok;
		int rc;

		if (len) {
			if (l->n == cap) {
				cap = cap ? cap * 2 : 4;
				l->items = xrealloc(l->items, cap * sizeof(*l->items));
			}
			tok = xstrndup(p, len);
			rc = item(tok, &l->items[l->n], e);
			free(tok);
			if (rc) {
				*col = (int)(p - s) + 1;
				cpulist_free(l);
				return rc;
			}
			l->n++;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

void cpulist_free(struct cpulist *l)
{
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

int cpulist_apply(const struct cpulist *l, int ncpus, const int *node_of_cpu, bool *set)
{
	size_t i;
	int c, count = 0;

	for (i = 0; i < l->n; i++) {
		const struct cpulist_item *it = &l->items[i];

		for (c = 0; c < ncpus; c++) {
			unsigned long id = it->nodes ? (unsigned long)(node_of_cpu ? node_of_cpu[c] : 0)
						     : (unsigned long)c;

			if (it->all || (id >= it->first && id <= it->last))
				set[c] = !it->exclude;
		}
	}
	for (c = 0; c < ncpus; c++)
		count += set[c];
	return count;
}

long cpulist_max(const struct cpulist *l, bool nodes)
{
	long m = -1;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!l->items[i].all && l->items[i].nodes == nodes && (long)l->items[i].last > m)
			m = (long)l->items[i].last;
	return m;
}
