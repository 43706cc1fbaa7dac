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
