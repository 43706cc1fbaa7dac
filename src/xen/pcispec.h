/* PCI passthrough specs of xl.cfg's pci= (xl-pci-configuration(5)):
 * "[DDDD:]BB:DD.F[@VSLOT][,KEY=VALUE]..." or "bdf=..."/"name=..." forms. */
#ifndef VMLAB_XEN_PCISPEC_H
#define VMLAB_XEN_PCISPEC_H

#include <stdbool.h>

#include "base/err.h"

struct pcispec {
	bool has_bdf;
	unsigned domain, bus, dev, func;
	bool all_funcs;            /* F was "*" */
	unsigned vslot;            /* 0 = not given */
	char name[64];             /* name= (an assignable device name), "" if none */
	int permissive, msitranslate, seize, power_mgmt;   /* -1 when not given */
	int rdm_policy;            /* -1, 0 strict, 1 relaxed */
};

/* Parses a BDF "[DDDD:]BB:DD.F" (hex; domain <= ffff, bus <= ff,
 * device <= 1f, function <= 7 or "*") from s[0..len). */
int pcispec_parse_bdf(const char *s, size_t len, struct pcispec *p, struct err *e);

/* Parses a whole spec. Returns 0 or -EINVAL with e->msg and *col (1-based
 * column of the bad part). Unknown keys are errors. */
int pcispec_parse(const char *s, struct pcispec *p, int *col, struct err *e);

#endif
