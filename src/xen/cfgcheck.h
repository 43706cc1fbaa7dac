/* Semantic checks of a parsed xl.cfg domain config: the rules xl and libxl
 * apply when they create a domain, reported with the place in the file. */
#ifndef VMLAB_XEN_CFGCHECK_H
#define VMLAB_XEN_CFGCHECK_H

#include <stddef.h>

#include "base/sbuf.h"
#include "xen/xlcfg.h"

enum guest_type { GUEST_PV, GUEST_PVH, GUEST_HVM };

enum cfg_severity { CFG_ERROR, CFG_WARNING };

struct cfg_diag {
	enum cfg_severity sev;
	int line, col;          /* 1-based; 0 when the key is absent */
	char *msg;              /* owned */
};

struct cfg_report {
	size_t n;
	struct cfg_diag *d;     /* owned */
	int nerrors, nwarnings;
};

/* "pv", "pvh", "hvm". */
const char *guest_type_name(enum guest_type t);

/* The guest type as xl decides it: type= with xl's prefix matching ("h" and
 * "" mean hvm, "p" pv, "pvh" only exact), else builder= ("generic" pv,
 * "hvm"), else pv. Returns 0, or -EINVAL with e naming the place. */
int cfgcheck_guest_type(const struct xlcfg *c, enum guest_type *t, struct err *e);

/* Runs every check on c and appends the findings to r (in file order of
 * the keys). r starts zeroed; free with cfg_report_free. */
void cfgcheck_run(const struct xlcfg *c, struct cfg_report *r);
void cfg_report_free(struct cfg_report *r);

/* Appends "FILE:LINE:COL: error|warning: MSG\n" lines (file labels them). */
void cfg_report_text(const struct cfg_report *r, const char *file, struct sbuf *out);
/* Appends a JSON object {"file":..,"errors":N,"warnings":N,"diagnostics":[..]}. */
void cfg_report_json(const struct cfg_report *r, const char *file, struct sbuf *out);

/* True when key configures only HVM guests (device model, firmware,
 * emulated devices), so PV and PVH guests ignore it. */
int cfgcheck_hvm_only_key(const char *key);

#endif
