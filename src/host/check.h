/* What a Xen host offers and what each handout task needs from it (`vmlab
 * host check`): the outputs of one probe run there (xl info, xl
 * pci-assignable-list, pciback, xentrace, vgs, bridges), parsed, then judged
 * fact by fact as OK or MISSING with what to do. None prints. */
#ifndef VMLAB_HOST_CHECK_H
#define VMLAB_HOST_CHECK_H

#include <stddef.h>

#include "base/err.h"
#include "base/sbuf.h"
#include "host/host.h"

/* The probe's raw answers. Strings are owned (host_probe_free); a command
 * that failed has its status in *_rc and its output (the error) as text. */
struct host_probe {
	char *hostname;
	char *xl_info;           /* `xl info` */
	int xl_info_rc;
	char *pci;               /* `xl pci-assignable-list` */
	int pci_rc;
	char *pciback;           /* "driver" (loaded), "module" (can be loaded) or "no" */
	char *xentrace;          /* its path, or "no" */
	char *vgs;               /* `vgs --noheadings --units m --nosuffix -o vg_name,vg_free` */
	int vgs_rc;              /* 127: no LVM tools */
	char *bridges;           /* bridge names, one a line */
};

/* The argv that gathers a probe there (fixed text: nothing inserted). */
extern char *const host_probe_argv[];

/* Parses the probe script's output text[0..len) (name labels messages
 * "NAME:LINE:COL: ..."): sections "@@KEY" up to "@@rc N" or the next one.
 * Returns 0, or -EBADMSG for a missing or repeated section or a bad status;
 * p then holds nothing. */
int host_probe_parse(const char *text, size_t len, const char *name, struct host_probe *p, struct err *e);
void host_probe_free(struct host_probe *p);

/* Runs the probe on h and parses it. */
int host_probe_run(struct host *h, struct host_probe *p, struct err *e);

/* One judged fact. */
struct host_fact {
	const char *name;        /* "xen", "scheduler", "hvm", ... (static) */
	int ok;
	char value[256];         /* what was found ("4.17.3", "credit2", "none") */
	const char *need;        /* which handout tasks need it (static) */
	const char *todo;        /* what to do when MISSING (static) */
};

#define HOST_NFACTS 12

/* Judges p into f[0..HOST_NFACTS); returns how many are MISSING. */
int host_facts_judge(const struct host_probe *p, struct host_fact f[HOST_NFACTS]);

/* One line per fact: "OK      NAME  VALUE" or "MISSING NAME  VALUE: TODO
 * (needed by ...)", into out. */
void host_facts_text(const struct host_fact *f, size_t n, struct sbuf *out);
/* One JSON object: host, hostname, testbed, missing, facts[] of name, ok,
 * value, need and (when missing) todo; a newline after it. */
void host_facts_json_out(const char *spec, const char *hostname, int testbed, const struct host_fact *f,
			 size_t n, struct sbuf *out);

#endif
