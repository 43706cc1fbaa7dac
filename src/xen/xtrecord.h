/* Recording a trace with the real xentrace(8) in dom0 around a command:
 * start xentrace in the background, run the command (in dom0 or in a
 * guest), stop xentrace with SIGINT so it writes out its buffers, copy the
 * file here, and write the facts beside it (xen/xtmeta.h). Where dom0 is
 * (this machine, or a testbed reached over ssh) is an ops table. */
#ifndef VMLAB_XEN_XTRECORD_H
#define VMLAB_XEN_XTRECORD_H

#include <stdint.h>

#include "base/err.h"
#include "base/sbuf.h"
#include "xen/xtmeta.h"

struct xt_dom0_ops {
	const char *name;            /* "local", "testbed" */
	/* Runs argv in dom0; out / errout capture (NULL: inherited). Returns 0
	 * with the exit status in *status, or a negative errno. */
	int (*exec)(void *ctx, char *const argv[], struct sbuf *out, struct sbuf *errout, int *status,
		    struct err *e);
	/* Runs the traced command (in dom0 or the guest chosen in ctx) with
	 * this terminal's output. Returns 0 with *status, or a negative errno. */
	int (*run)(void *ctx, char *const argv[], int *status, struct err *e);
	/* Copies dom0's file remote to local; NULL when dom0 is this machine
	 * (the trace is written at the output path directly). */
	int (*fetch)(void *ctx, const char *remote, const char *local, struct err *e);
};

struct xt_record_opts {
	unsigned mask;               /* xentrace -e */
	const char *classes;         /* the words mask came from, for the meta file */
	unsigned duration_s;         /* xentrace -T; 0: until the command ends */
	unsigned buf_pages;          /* xentrace -S, pages per CPU */
	const char *output;          /* local trace path; FILE.meta beside it */
	const char *domain;          /* guest the command runs in, or NULL (dom0) */
	char *const *cmd;
};

/* Records around o->cmd. *status gets the command's exit status; meta
 * what was written to the meta file. Errors: -ENOENT xentrace or xl is
 * missing in dom0, -EIO xentrace did not start or stop (e has its
 * messages), -EBADMSG the trace it wrote does not read back (e names the
 * byte offset); on an error after xentrace started it is stopped. */
int xt_record(const struct xt_dom0_ops *ops, void *ctx, const struct xt_record_opts *o, int *status,
	      struct xt_meta *meta, struct err *e);

/* cpu_mhz and xen_version of `xl info` text, and the exit naming of the
 * CPU vendor in /proc/cpuinfo text, into m. */
void xt_meta_from_host(const char *xlinfo, size_t xlinfo_len, const char *cpuinfo, struct xt_meta *m);

#endif
