/* The facts `vmlab xentrace record` writes beside a trace, in FILE.meta
 * (one JSON object): the CPU frequency, how exit codes are named, the
 * event mask, the domain the command ran in and how it ended. */
#ifndef VMLAB_XEN_XTMETA_H
#define VMLAB_XEN_XTMETA_H

#include <stdbool.h>

#include "base/err.h"
#include "base/sbuf.h"
#include "xen/xtsum.h"

struct xt_meta {
	double cpu_hz;               /* 0: unknown */
	enum xt_vendor vendor;
	bool have_vendor;
	unsigned mask;               /* xentrace -e */
	char classes[64];            /* "hvm,sched" */
	char domain[64];             /* guest name, "" for dom0 */
	int domid;                   /* -1: dom0's command, unknown */
	int status;                  /* the command's exit status */
	char xen_version[64];
};

/* path + ".meta" into buf[n]. */
void xt_meta_path(const char *trace, char *buf, size_t n);

/* Parses the meta text[0..len) (name labels messages "NAME:LINE:COL: ...").
 * Unknown keys are ignored. Returns 0 or -EBADMSG. */
int xt_meta_parse(const char *text, size_t len, const char *name, struct xt_meta *m, struct err *e);

/* Reads trace's meta file when there is one: 0 (m filled), 1 when there is
 * none (m zeroed, domid -1), -EBADMSG when it is damaged. */
int xt_meta_load(const char *trace, struct xt_meta *m, struct err *e);

/* m as the JSON object of a meta file, with a newline. */
void xt_meta_json(const struct xt_meta *m, struct sbuf *out);

/* The event mask of a list of class names "hvm,sched,pv,all" (also
 * "gen", "mem", or a hex mask 0x...). Returns 0 or -EINVAL (e says which
 * word). */
int xt_mask_parse(const char *list, unsigned *mask, struct err *e);

#endif
