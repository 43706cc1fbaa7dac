/* Environments an experiment runs in (native, ssh:USER@HOST, testbed:TYPE,
 * null): each a `const struct env_ops` table in one registry. An environment
 * runs this vmlab's own commands (`vmlab cpu run ... --json`) there and
 * records the host facts of the place they ran. */
#ifndef VMLAB_RUN_ENV_H
#define VMLAB_RUN_ENV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"
#include "base/sbuf.h"
#include "run/results.h"

struct env;

struct env_ops {
	const char *kind;      /* the part of the name before ':' */
	const char *syntax;    /* "ssh:USER@HOST[:PORT]", for messages */
	/* Checks the part after ':' (NULL when there is none); -EINVAL (e) if bad. */
	int (*check)(const char *arg, struct err *e);
	/* Makes the environment ready (connects, copies vmlab, creates a guest)
	 * and fills v->facts and v->label. On failure everything it made is
	 * undone and -errno returned with e saying why (e.g. unreachable). */
	int (*open)(struct env *v, struct err *e);
	/* Runs `vmlab ARGS...` there: stdout into out, stderr into errout, exit
	 * status into *status. Returns 0 when it ran (whatever its status), or
	 * -errno when it could not be run or timed out (-ETIMEDOUT). */
	int (*exec)(struct env *v, char *const args[], uint64_t timeout_ms, struct sbuf *out,
		    struct sbuf *errout, int *status, struct err *e);
	/* Undoes open (destroys the guest, closes the connection). */
	void (*close)(struct env *v);
	/* Optional: releases what the opens of this process shared and left
	 * running for the next one (the testbed it booted). */
	void (*finish)(void);
};

struct env {
	const struct env_ops *ops;
	char *name;                 /* as written: "ssh:me@box" */
	const char *arg;            /* after the first ':' in name, or NULL */
	char *label;                /* "native", "testbed (emulated hardware)", ... */
	struct host_facts facts;
	uint64_t connect_timeout_ms;
	long guest_memory_mb;       /* testbed guests: MiB, 0 = the testbed's default */
	const char *tsc_mode;       /* testbed guests: xl's tsc_mode, NULL = "native" */
	char *const *ssh_options;   /* extra ssh arguments (-i KEY, -oX=Y), NULL-terminated or NULL */
	/* Told the pid of each local child exec starts (proc_opts.started), NULL = none. */
	void (*on_child)(void *ctx, pid_t pid);
	void *child_ctx;
	void *priv;                 /* back end state between open and close */
};

/* Checks name against the registry: "FILE:LINE:COL"-free message in e and
 * -EINVAL when no back end takes it. */
int env_check(const char *name, struct err *e);
/* Checks the CPUs set[0..ncpus) against those a run in environment name may
 * use, where they are known before it opens: for native and null the CPUs
 * this process may run on; for ssh and testbed environments nothing is
 * known yet (their runs fail when a CPU is missing). -EINVAL (e names the
 * first missing CPU) or 0. */
int env_check_cpus(const char *name, const bool *set, int ncpus, struct err *e);
/* Initialises v for name (which must pass env_check); nothing is opened yet. */
int env_init(struct env *v, const char *name, struct err *e);
/* Frees what env_init and open filled (after close). */
void env_release(struct env *v);

/* Calls every back end's finish: what this process brought up for its
 * environments and did not find running is taken down. */
void env_finish_all(void);

/* Virtual machines on this machine that this process did not start (QEMU
 * processes that are not its descendants, e.g. a testbed left up): one
 * "COMM pid N" each, ", "-separated, into out. Returns their number. */
int host_concurrent_vms(struct sbuf *out);

/* Facts of the machine this process runs on: hostname, CPU model, kernel,
 * guest type under Xen, and `xl info` fields when xl answers (dom0). */
void host_facts_probe(struct host_facts *f);
/* Appends the facts as one JSON object line (what `vmlab run --facts` prints). */
void host_facts_json(const struct host_facts *f, struct sbuf *out);
/* Fills f from such a JSON object (text[0..n)); -EBADMSG when it is not one. */
int host_facts_parse(const char *text, size_t n, struct host_facts *f, struct err *e);
/* Sets f->cpu_model from /proc/cpuinfo text ("model name"). */
void host_facts_from_cpuinfo(struct host_facts *f, const char *text);
/* Fills the Xen fields of f from `xl info` output (keeps fields it lacks). */
void host_facts_from_xl_info(struct host_facts *f, const char *text);


/* Back ends. */
extern const struct env_ops env_native_ops;
extern const struct env_ops env_null_ops;
extern const struct env_ops env_ssh_ops;
extern const struct env_ops env_testbed_ops;

#endif
