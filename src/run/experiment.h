/* Experiment files: which benchmarks run in which environments, how often,
 * and where the results go. xl.cfg syntax (src/xen/xlcfg.h). */
#ifndef VMLAB_RUN_EXPERIMENT_H
#define VMLAB_RUN_EXPERIMENT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct experiment {
	char *name;               /* name = "task2"; default: the file name without extension */
	char **benchmarks;        /* benchmarks = [ "flow", ... ]: vmlab cpu kernels */
	size_t nbenchmarks;
	char **micro;             /* micro = [ "null_syscall", ... ] */
	size_t nmicro;
	char **cmds;              /* cmds = [ "COMMAND", ... ]: external (vmlab cpu run --cmd) */
	size_t ncmds;
	char **jbb;               /* jbb = [ "--warehouses 1..2 --measure 10s", ... ]: vmlab jbb
	                           * options, one run each (checked against its option table) */
	size_t njbb;
	char **envs;              /* environments = [ "native", "testbed:pv", ... ] */
	size_t nenvs;
	char *size;               /* size = "test" | "train" | "ref" */
	char *pin;                /* pin = "1": CPUs for the kernels (vmlab cpu run --pin), NULL = unbound */
	long iterations;          /* iterations = 3 (1..10000) */
	long warmup;              /* warmup = 1 (0..100), runs not recorded, per benchmark */
	char *results;            /* results = "..." resolved against the file's folder */
	uint64_t timeout_ms;      /* timeout = "30m": one run's limit */
	uint64_t connect_timeout_ms;  /* connect_timeout = 10 (seconds): ssh */
	long guest_memory_mb;     /* guest_memory = 512: testbed guests' memory, 0 = the testbed's default */
	char *tsc_mode;           /* tsc_mode = "default": testbed guests' xl tsc_mode, NULL = "native" */
	/* xen: guests' shape (xl.cfg's keys, written into the guest's config
	 * and read back after xl create); 0 / NULL (cap: -1): the config's */
	long vcpus;               /* vcpus = 2 (1..128) */
	char *cpus, *cpus_soft;   /* cpus = "1", cpus_soft = "0-1": CPULIST */
	long weight, cap;         /* weight = 512 (1..65535), cap = 50 (0..12800) */
	char *pool;               /* pool = "pool1": a cpupool of the host */
	char *guest_address;      /* guest_address = "10.0.0.50": a user's guest's ssh address */
	char **trace;             /* trace = [ "xen:xen_mc_entry", "xen:xen_mmu_*", ... ]: events
	                           * each run counts (vmlab trace -e syntax), NULL-terminated */
	size_t ntrace;
	char *xentrace;           /* xentrace = "hvm,sched": each run in a guest of a Xen host is
	                           * traced in its dom0 with these classes; NULL: not */
	unsigned xentrace_mask;   /* its xentrace -e mask */
	char **ssh_options;       /* ssh_options = [ "-i", "KEY" ]: NULL-terminated, extra ssh arguments */
	size_t nssh_options;
};

/* Parses an experiment from text[0..len); file names it in messages and is
 * the base for a relative results path. Unknown keys, wrong types, bad
 * values and unknown environments are -EINVAL with "FILE:LINE:COL: ...";
 * then x is left empty. */
int experiment_parse(const char *file, const char *text, size_t len, struct experiment *x,
		     struct err *e);
/* Reads path and parses it. */
int experiment_load(const char *path, struct experiment *x, struct err *e);
void experiment_free(struct experiment *x);

#endif
