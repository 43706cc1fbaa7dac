/* The experiment key xentrace = "CLASSES": one run in a guest of a Xen host
 * traced with the real xentrace(8) in that host's dom0 (xen/xtrecord.h), the
 * trace kept next to the results, and its summary's counts of the guest's
 * domain put into the run's record beside vmlab trace's counts. */
#ifndef VMLAB_RUN_XTCOUNTS_H
#define VMLAB_RUN_XTCOUNTS_H

#include "base/sbuf.h"
#include "xen/xtsum.h"

/* Appends to out, as members of a counts object (each "NAME":{"count":N,
 * "per_op":P} with a leading comma unless out is empty), domain domid's
 * counts in s summed over its vCPUs: "xentrace:exits" (every VM exit),
 * "xentrace:exit:REASON" (s->vendor's names, lower case, VMEXIT_ dropped),
 * the HVM handler events "xentrace:cpuid", "xentrace:npf", "xentrace:io"
 * (io_read + io_write), "xentrace:mmio", "xentrace:msr", "xentrace:hlt",
 * "xentrace:intr", "xentrace:pf_xen", "xentrace:vmmcall",
 * "xentrace:hypercalls" (PV hypercalls) and "xentrace:hypercall:NAME".
 * Zero counts are written (a traced run that saw none saw 0); a domain the
 * trace lacks writes every handler and total as 0. Counts are divided by
 * reps (per repetition, as a micro's counts are; 1 for a kernel), per_op is
 * count / (reps * ops) when ops > 0, left out otherwise. An exit entry
 * also has "ns_each": its mean cycles / cpu_hz (when cpu_hz > 0). */
void xtcounts_json(const struct xt_summary *s, int domid, double reps, double ops, double cpu_hz,
		   struct sbuf *out);

/* Merges members (text as xtcounts_json appends it, without braces) into a
 * counts object: *counts NULL gives "{members}", else the object grows.
 * *counts is malloc'd (the old one freed). */
void xtcounts_merge(char **counts, const char *members);

#endif
