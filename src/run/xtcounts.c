/* A xentrace summary's counts as record counts. */
#include "run/xtcounts.h"
#include "base/json.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct acc {
	struct sbuf *out;
	double reps, ops;
};

static void member(struct acc *a, const char *name, uint64_t count, double ns_each)
{
	double c = (double)count / a->reps;

	sbuf_puts(a->out, a->out->len ? "," : "");
	json_put_str(a->out, name);
	sbuf_puts(a->out, ":{\"count\":");
	json_put_num(a->out, c);
	if (a->ops > 0) {
		sbuf_puts(a->out, ",\"per_op\":");
		json_put_num(a->out, c / a->ops);
	}
	if (ns_each >= 0) {
		sbuf_puts(a->out, ",\"ns_each\":");
		json_put_num(a->out, ns_each);
	}
	sbuf_putc(a->out, '}');
}

/* "exit:" + name lower-cased without its VMEXIT_ prefix, or the number. */
static void exit_key(enum xt_vendor v, unsigned reason, char *buf, size_t n)
{
	const char *nm = xt_exit_name(v, reason);
	size_t k = 0;

	if (!nm) {
		snprintf(buf, n, "xentrace:exit:%u", reason);
		return;
	}
	if (!strncmp(nm, "VMEXIT_", 7))
		nm += 7;
	k = (size_t)snprintf(buf, n, "xentrace:exit:");
	for (; *nm && k + 1 < n; nm++)
		buf[k++] = (char)tolower((unsigned char)*nm);
	buf[k] = 0;
}

static const struct xt_domain *domain(const struct xt_summary *s, int domid)
{
	for (int k = 0; k < s->ndomains; k++)
		if (s->domains[k].domid == domid)
			return &s->domains[k];
	return NULL;
}

void xtcounts_json(const struct xt_summary *s, int domid, double reps, double ops, double cpu_hz,
		   struct sbuf *out)
{
	static const struct { const char *name; enum xt_handler h, h2; } hs[] = {
		{ "xentrace:cpuid", XT_H_CPUID, XT_H_CPUID },
		{ "xentrace:npf", XT_H_NPF, XT_H_NPF },
		{ "xentrace:io", XT_H_IO_READ, XT_H_IO_WRITE },
		{ "xentrace:mmio", XT_H_MMIO_READ, XT_H_MMIO_WRITE },
		{ "xentrace:msr", XT_H_MSR_READ, XT_H_MSR_WRITE },
		{ "xentrace:hlt", XT_H_HLT, XT_H_HLT },
		{ "xentrace:intr", XT_H_INTR, XT_H_INTR },
		{ "xentrace:pf_xen", XT_H_PF_XEN, XT_H_PF_XEN },
		{ "xentrace:vmmcall", XT_H_VMMCALL, XT_H_VMMCALL },
	};
	const struct xt_domain *d = domain(s, domid);
	struct xt_cyc exits[XT_EXIT_MAX];
	uint64_t hand[XT_H_N] = { 0 }, hc[XT_HYPERCALL_MAX] = { 0 }, total = 0, hct = 0;
	struct acc a = { out, reps > 0 ? reps : 1, ops };
	char key[96];

	memset(exits, 0, sizeof(exits));
	for (int k = 0; d && k < d->nvcpus; k++) {
		const struct xt_vcpu *v = d->vcpu[k];
		for (unsigned r = 0; v && r < XT_EXIT_MAX; r++) {
			exits[r].count += v->exit[r].count;
			exits[r].cycles += v->exit[r].cycles;
		}
		for (int h = 0; v && h < XT_H_N; h++)
			hand[h] += v->handler[h];
		for (int h = 0; v && h < XT_HYPERCALL_MAX; h++)
			hc[h] += v->hypercall[h];
		hct += v ? v->hypercall_other : 0;
	}
	for (unsigned r = 0; r < XT_EXIT_MAX; r++)
		total += exits[r].count;
	for (int h = 0; h < XT_HYPERCALL_MAX; h++)
		hct += hc[h];
	member(&a, "xentrace:exits", total, -1);
	for (size_t k = 0; k < sizeof(hs) / sizeof(hs[0]); k++)
		member(&a, hs[k].name, hand[hs[k].h] + (hs[k].h2 != hs[k].h ? hand[hs[k].h2] : 0), -1);
	member(&a, "xentrace:hypercalls", hct, -1);
	for (unsigned r = 0; r < XT_EXIT_MAX; r++) {
		if (!exits[r].count)
			continue;
		exit_key(s->vendor, r, key, sizeof(key));
		member(&a, key, exits[r].count,
		       cpu_hz > 0 ? (double)exits[r].cycles / (double)exits[r].count / cpu_hz * 1e9 : -1);
	}
	for (int h = 0; h < XT_HYPERCALL_MAX; h++) {
		const char *nm = xt_hypercall_name((unsigned)h);
		if (!hc[h])
			continue;
		if (nm)
			snprintf(key, sizeof(key), "xentrace:hypercall:%s", nm);
		else
			snprintf(key, sizeof(key), "xentrace:hypercall:%d", h);
		member(&a, key, hc[h], -1);
	}
}

void xtcounts_merge(char **counts, const char *members)
{
	struct sbuf o = SBUF_INIT;
	const char *old = *counts, *close = old ? strrchr(old, '}') : NULL;
	const char *open = old ? strchr(old, '{') : NULL;
	bool empty = true;

	for (const char *p = open ? open + 1 : NULL; p && p < close; p++)
		empty = empty && isspace((unsigned char)*p);
	if (!open || !close || close < open) {
		sbuf_printf(&o, "{%s}", members);
	} else {
		sbuf_add(&o, old, (size_t)(close - old));
		sbuf_printf(&o, "%s%s}", empty || !*members ? "" : ",", members);
	}
	free(*counts);
	*counts = sbuf_take(&o);
}
