/* Building, booting, waiting for and shutting down the testbed machine.
 * Each call returns 0 or a negative errno with e filled; none prints: what a
 * person should see while it works goes through the progress callback. */
#ifndef VMLAB_TESTBED_BOOT_H
#define VMLAB_TESTBED_BOOT_H

#include <sys/types.h>

#include "base/sbuf.h"
#include "testbed/testbed.h"
#include "testbed/wait.h"

/* Called with one line of progress (no trailing newline); NULL: none. */
struct tb_progress {
	void (*say)(void *ctx, const char *msg);
	void *ctx;
};

/* Formats a progress line and hands it to pr (when non-NULL). */
void tb_say(const struct tb_progress *pr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes dir/testbed.env (tb_const_env) and runs build.sh for this vmlab
 * binary; build.sh's output (stdout and stderr) goes into log, or to this
 * process's when log is NULL. Returns 0 when the images are built and carry
 * this binary, -EIO when build.sh failed (its last line on stderr says why;
 * e's message is then empty when log is NULL, else that line). */
int tb_build(const struct tb_paths *p, int rebuild, struct sbuf *log, struct err *e);

/* What QEMU is started with. Files are named relative to the testbed
 * folder (tb_paths.dir), where QEMU runs; a testbed other than the default
 * one keeps its own there under beds/NAME/. */
struct tb_boot_opts {
	int bare;                /* the same kernel without Xen */
	int kvm;                 /* 1: -accel kvm, 0: tcg */
	int ram_mib;
	int port;                /* loopback port forwarded to the machine's ssh */
	const char *name;        /* the testbed's name; NULL: TB_DEFAULT_NAME */
	int cpus;                /* -smp; 0: TB_CPUS_DEFAULT */
	const char *xen_args;    /* appended to Xen's command line; NULL: none */
	const char *net_group;   /* a shared net's "ADDR:PORT" (testbed/net.h); NULL: none */
	int net_index;           /* the testbed's index on that net */
	int iommu;               /* QEMU's intel-iommu before every device; with net_group also the
	                          * passthrough NIC: an e1000e at TB_PT_BDF on that net */
};

/* The QEMU argv for o (NULL-terminated; free with argv_free). */
char **tb_qemu_argv(const struct tb_boot_opts *o);

struct tb_up_opts {
	int bare;
	long timeout_s;          /* until the ready marker is on the console */
	int start_port;          /* first port tried for ssh */
	struct sbuf *build_log;  /* a rebuild's output; NULL: this process's */
	int cpus;                /* pCPUs; 0: TB_CPUS_DEFAULT */
	const char *xen_args;    /* more of Xen's command line (tb_xen_args_check); NULL: none */
	const char *net;         /* join this shared net (tb_net_check); NULL: none */
	int iommu;               /* an IOMMU and the passthrough NIC on net (needs net, not bare) */
};

/* 0 when a is usable as --xen-args: at most TB_XEN_ARGS_MAX printable
 * ASCII characters. Else -EINVAL, e saying at which byte and why. */
int tb_xen_args_check(const char *a, struct err *e);

/* Boots testbed p->name unless it is up already as o asks (*already = 1, s
 * is the running one). On success s is the running testbed, recorded in
 * run/state, and its ssh answers. Errors: -EINVAL o is bad (e says why),
 * -EBUSY the testbed is up with another mode, cpus, xen_args, net or iommu,
 * -ENOENT not built, -ENOEXEC no QEMU installed, -ECHILD QEMU exited while
 * booting, -ETIMEDOUT not ready in time (QEMU stopped), -EHOSTUNREACH booted
 * but ssh does not answer; after -ECHILD and -ETIMEDOUT no state is left
 * and s->log names the console log. */
int tb_up(const struct tb_paths *p, const struct tb_up_opts *o, const struct tb_progress *pr,
	  struct tb_state *s, int *already, struct err *e);

/* Shuts the testbed down: poweroff in the machine (unless timeout_s is 0),
 * then SIGTERM/SIGKILL to QEMU after timeout_s. *how gets 0 when none was
 * up, 1 for a clean shutdown, 2 when QEMU was killed; s the one that was
 * up. The state and the guest records are removed in every case. */
int tb_down(const struct tb_paths *p, long timeout_s, struct tb_state *s, int *how, struct err *e);

#endif
