/* Environments an experiment runs in (native, ssh:USER@HOST, testbed:TYPE,
 * xen:TYPE|FILE.cfg[@HOST], null): each a `const struct env_ops` table in one registry. An environment
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
struct host;

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
	/* Optional: for a guest of a Xen host, after open, that host (its dom0,
	 * owned by v) with the guest's domain name in *domain; NULL when v is
	 * no guest (native, testbed:bare). */
	struct host *(*dom0)(struct env *v, const char **domain);
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
	/* xen: guests: their shape (0 / NULL and cap -1 leave the config's; see
	 * host/guest.h's struct guest_shape) and, for a user's config, the
	 * address its ssh answers at (NULL: vmlab.ip= in its extra=) */
	long guest_vcpus, guest_weight, guest_cap;
	const char *guest_cpus, *guest_cpus_soft, *guest_pool, *guest_address;
	/* Told the pid of each local child exec starts (proc_opts.started), NULL = none. */
	void (*on_child)(void *ctx, pid_t pid);
	void *child_ctx;
	/* Set by a failed open whose cause is bad input that its errno does not
	 * tell (an ssh host named by the user that does not answer): the
	 * runner then treats it as it treats -EINVAL (exit status 2). */
	bool bad_input;
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


/* Opens v as the ssh environment of host spec ("ssh:USER@HOST[:PORT]",
 * with v's connect timeout and ssh options): this vmlab copied there, facts
 * from its `run --facts`, label as given. Its exec and close are
 * env_ssh_ops's. Used by the ssh back end and for guests (env_xen). */
int env_ssh_open_on(struct env *v, const char *spec, const char *label, struct err *e);

/* Back ends. */
extern const struct env_ops env_native_ops;
extern const struct env_ops env_null_ops;
extern const struct env_ops env_ssh_ops;
extern const struct env_ops env_testbed_ops;
extern const struct env_ops env_xen_ops;

/* The xen back end's open, exec and close for a guest of type ("pv",
 * "pvh", "hvm" or a FILE.cfg) on host spec: what testbed:pv|pvh|hvm use
 * once their testbed is up (they are short names of xen:TYPE@testbed). */
int env_xen_open_on(struct env *v, const char *type, const char *spec, struct err *e);
int env_xen_exec(struct env *v, char *const args[], uint64_t timeout_ms, struct sbuf *out, struct sbuf *errout,
		 int *status, struct err *e);
void env_xen_close(struct env *v);
struct host *env_xen_dom0(struct env *v, const char **domain);

struct host;
/* The ssh options (argv_free them) that reach a vmlab guest of host h:
 * through h when its guests are behind it, the testbed's key, no host key
 * checks (each boot makes new keys), then extra (NULL-terminated, or NULL). */
char **env_xen_guest_ssh_opts(struct host *h, char *const *extra);
/* The host spec of "TYPE[@HOST]" (the part after "xen:"), malloc'd into
 * *spec ("local" when none is given); -EINVAL (e) when HOST is bad. */
int env_xen_host_spec(const char *arg, char **spec, struct err *e);
/* An open xen environment's guest address (its ssh answers there) and
 * domain name; NULL before open. */
const char *env_xen_address(const struct env *v);
const char *env_xen_domain(const struct env *v);

#endif
