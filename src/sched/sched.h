/* CPU scheduling back ends: Xen's credit2 and credit schedulers through xl
 * (weight, cap, hard and soft vCPU affinity, cpupools, credit's tslice and
 * ratelimit) and Linux cgroup v2 for the native baseline (cpu.weight,
 * cpu.max, cpuset.cpus). A setting is applied only after it is checked
 * against the host, is read back after it is applied, and the previous
 * settings come back on any failure or mismatch. */
#ifndef VMLAB_SCHED_SCHED_H
#define VMLAB_SCHED_SCHED_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/sbuf.h"

#define SCHED_CPUS_MAX 128      /* length of a CPU list text */
#define SCHED_VCPUS_MAX 64      /* vCPUs of one domain the back ends handle */

/* Knobs, as bits of sched_ops.knobs and of what a setting sets. */
enum {
	SCHED_K_WEIGHT = 1 << 0,
	SCHED_K_CAP = 1 << 1,
	SCHED_K_CPUS = 1 << 2,       /* hard affinity / cpuset.cpus */
	SCHED_K_SOFT = 1 << 3,       /* soft affinity */
	SCHED_K_POOL = 1 << 4,       /* the cpupool the domain runs in */
	SCHED_K_TSLICE = 1 << 5,     /* the pool's time slice (credit) */
	SCHED_K_RATELIMIT = 1 << 6,  /* the pool's rate limit */
};

/* What to set; a knob is set when its bit is in `set`. Text form:
 * "weight=512,cap=50,cpus=0-1,cpus_soft=1,pool=qos,tslice_ms=10,
 * ratelimit_us=500" (keys as xl.cfg names them where it has them; a CPU
 * list may hold commas: "cpus=0,2-3,pool=qos"). */
struct sched_setting {
	unsigned set;
	int weight;                  /* 1..65535 */
	int cap;                     /* % of one CPU, 0 = no cap */
	char cpus[SCHED_CPUS_MAX];   /* CPULIST (xen/cpulist.h) */
	char cpus_soft[SCHED_CPUS_MAX];
	char pool[64];               /* [A-Za-z0-9_.-], 1..63 */
	int tslice_ms;               /* 1..1000 */
	int ratelimit_us;            /* 100..500000 */
};

/* Parses text; what labels messages ("WHAT:1:COL: knob: what is wrong",
 * COL the byte of text, 1-based). Checks each value on its own (ranges,
 * CPU list syntax, pool name); host limits are the back end's check.
 * Returns 0 or -EINVAL; *s is then unspecified. */
int sched_setting_parse(const char *text, const char *what, struct sched_setting *s, struct err *e);

/* Appends the text form of the knobs s sets, in the order of the enum. */
void sched_setting_format(const struct sched_setting *s, struct sbuf *out);

/* Appends s as a JSON object of the knobs it sets. */
void sched_setting_json(const struct sched_setting *s, struct sbuf *out);

/* The name of a single knob bit ("weight", "cpus", ...). */
const char *sched_knob_name(unsigned knob);

/* Runs an argv on the machine the back end manages (the Xen host's dom0,
 * locally or over ssh): stdout into out, stderr into errout (either may be
 * NULL: discarded), exit status in *status. Returns 0 when the program ran
 * (whatever its status), else a negative errno with e filled. */
struct sched_runner {
	const char *where;           /* the host's spec ("testbed", "ssh:root@box"): labels messages */
	int (*run)(void *ctx, char *const argv[], struct sbuf *out, struct sbuf *errout, int *status,
		   struct err *e);
	void *ctx;
};

struct host;

/* The runner of an open Xen host h (host/host.h: local, ssh:USER@HOST[:PORT],
 * testbed[:NAME]), 60 s per command; valid while h is open. */
void sched_runner_host(struct sched_runner *r, struct host *h);

/* Runs `xl ARGS...` (NULL-terminated) through r; out gets stdout. A
 * non-zero exit is -EIO with the command and xl's last line of stderr;
 * -ENOENT when there is no xl (exit 127). */
int sched_xl(const struct sched_runner *r, char *const args[], struct sbuf *out, struct err *e);

/* What a back end acts on: a Xen domain (xl back ends, through runner) or
 * a cgroup (cgroup back end, under root). */
struct sched_target {
	const struct sched_runner *runner;
	const char *root;            /* cgroup v2 folder holding vmlab's cgroups */
	const char *name;            /* domain name or cgroup name */
};

/* The live settings of a target: every knob the back end has (in s.set);
 * cpus/cpus_soft are those of vCPU 0, the vCPUs' own in hard/soft. */
struct sched_state {
	struct sched_setting s;
	char scheduler[16];          /* the scheduler of the target's pool, "cgroup" */
	int nr_cpus;                 /* CPUs of the host */
	int nvcpus;                  /* vCPUs of the domain (0 for a cgroup) */
	char hard[SCHED_VCPUS_MAX][SCHED_CPUS_MAX];
	char soft[SCHED_VCPUS_MAX][SCHED_CPUS_MAX];
	int npools;                  /* the host's cpupools (xl back ends) */
	struct sched_pool {
		char name[64];
		char sched[16];
		char cpus[SCHED_CPUS_MAX];   /* "0,1" */
	} pools[16];
};

/* A back end. Each function returns 0 or a negative errno with e filled:
 * -EINVAL for a setting the host refuses (e names the knob and value),
 * -ENOENT for a missing target, -EIO when a command failed. */
struct sched_ops {
	const char *name;            /* "credit2", "credit", "cgroup" */
	unsigned knobs;              /* SCHED_K_* it can set */
	/* The live settings of t into *st. */
	int (*get)(const struct sched_target *t, struct sched_state *st, struct err *e);
	/* Checks s against the host and the target's live state cur (as get
	 * read it): nothing changes. */
	int (*check)(const struct sched_target *t, const struct sched_state *cur,
		     const struct sched_setting *s, struct err *e);
	/* Sets the knobs of s on a target in state cur; nothing read back. */
	int (*put)(const struct sched_target *t, const struct sched_state *cur, const struct sched_setting *s,
		   struct err *e);
	/* Puts back every knob of prev (per vCPU affinities included) that
	 * `set` names. */
	int (*restore)(const struct sched_target *t, const struct sched_state *prev, unsigned set,
		       struct err *e);
};

extern const struct sched_ops sched_credit2;
extern const struct sched_ops sched_credit;
extern const struct sched_ops sched_cgroup;

/* The back end named name, or NULL. */
const struct sched_ops *sched_find(const char *name);

/* Checks s (knobs o lacks are refused), reads the previous state, applies
 * s, reads back into *after (may be NULL) and compares every knob s sets.
 * On a failure or a mismatch it restores the previous settings and
 * returns the error (-EIO for a mismatch: "weight: set 512, read back
 * 256"), adding whether the restore worked. Nothing changes when the check
 * fails. */
int sched_apply(const struct sched_ops *o, const struct sched_target *t, const struct sched_setting *s,
		struct sched_state *after, struct err *e);

/* Compares the knobs of want that `set` names with st (CPU lists as sets
 * over st->nr_cpus CPUs, every vCPU's own). 0 or -EIO naming the first
 * knob that differs. */
int sched_compare(const struct sched_setting *want, unsigned set, const struct sched_state *st,
		  struct err *e);

/* The CPUs a CPU list names (xl's syntax; "0,1" as cpupool-list -c prints
 * it; "" and "none" name none) over ncpus CPUs into set[0..ncpus). -1 when
 * list does not parse. */
int sched_cpuset(const char *list, int ncpus, bool *set);

/* The same against a whole state: CPU lists vCPU by vCPU; only the knobs
 * want has. */
int sched_compare_state(const struct sched_state *want, unsigned set, const struct sched_state *st,
			struct err *e);

/* Appends st as one JSON object: {"scheduler", "setting" (its knobs),
 * "vcpus": [{"vcpu", "hard", "soft"}...] for a domain}. */
void sched_state_json(const struct sched_state *st, struct sbuf *out);

struct record;

/* Adds st to record r as its extra field "sched" (sched_state_json): a
 * record measured under a setting carries what was read back. */
void sched_record_state(struct record *r, const struct sched_state *st);

/* ---- Xen host views (xl back ends) ---- */

/* The scheduler of Pool-0 (`xl info` xen_scheduler) into name[0..n). */
int sched_xl_detect(const struct sched_runner *r, char *name, size_t n, struct err *e);

/* The back end for the pool domain runs in (credit2 or credit); NULL
 * with e filled when the domain does not exist or its scheduler has none. */
const struct sched_ops *sched_xl_for_domain(const struct sched_runner *r, const char *domain, struct err *e);

/* Appends the host's scheduling state: scheduler, pools (name, scheduler,
 * CPUs, parameters), domains (pool, weight, cap, each vCPU's CPU and hard /
 * soft affinity), as a table (json false) or one JSON object. */
int sched_xl_show(const struct sched_runner *r, bool json, struct sbuf *out, struct err *e);

/* Creates cpupool name with scheduler sched ("credit" or "credit2") on
 * the CPUs of cpus: checks the name is free, the CPUs exist and are in
 * Pool-0 (pools never overlap) and Pool-0 keeps one, moves them out of
 * Pool-0, creates the pool from a cpupool config written here, and reads
 * it back (`xl cpupool-list -c`). Any failure puts everything back. */
int sched_xl_pool_create(const struct sched_runner *r, const char *name, const char *sched, const char *cpus,
			 struct err *e);

/* Destroys cpupool name (it must hold no domain; not Pool-0) and gives its
 * CPUs back to Pool-0; read back. */
int sched_xl_pool_destroy(const struct sched_runner *r, const char *name, struct err *e);

/* The cpupool config text (xlcpupool.cfg) of a pool, appended to out. */
int sched_xl_pool_cfg(const char *name, const char *sched, const char *cpus, struct sbuf *out, struct err *e);

/* ---- cgroup v2 (native baseline) ---- */

/* The folder of vmlab's cgroups: the cgroup v2 mount (from
 * /proc/self/mountinfo) plus "/vmlab.slice", into root[0..n). Checks that
 * the cpu and cpuset controllers are available there. -ENOTSUP (e says
 * why) when there is no usable cgroup v2. Creates nothing. */
int sched_cgroup_root(char *root, size_t n, struct err *e);

/* Creates cgroup name under root (and root itself), with the cpu and
 * cpuset controllers enabled for it. -EEXIST when it exists. */
int sched_cgroup_create(const char *root, const char *name, struct err *e);

/* Removes cgroup name (it must hold no process now). */
int sched_cgroup_remove(const char *root, const char *name, struct err *e);

/* Moves process pid into cgroup name. */
int sched_cgroup_enter(const char *root, const char *name, long pid, struct err *e);

/* Parses cpu.max ("max 100000" or "QUOTA PERIOD") into a cap in % of one
 * CPU (0: no cap, rounded to the nearest %). -EBADMSG when malformed. */
int sched_cgroup_parse_max(const char *text, int *cap, struct err *e);

#endif
