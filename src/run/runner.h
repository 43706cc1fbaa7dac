/* The experiment runner: every (environment, benchmark, iteration) of an
 * experiment, each finished run appended to the results file at once;
 * resumes by skipping runs that already have an ok (or unsupported) record. */
#ifndef VMLAB_RUN_RUNNER_H
#define VMLAB_RUN_RUNNER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "run/experiment.h"
#include "run/results.h"

/* What the runner tells its caller (who prints). */
struct run_event {
	enum { RUN_START, RUN_DONE, RUN_ENV_FAILED, RUN_WARMUP, RUN_NOTICE, RUN_ENV_SHARED } type;
	size_t index, total;          /* 1-based index among the runs to do */
	const char *env, *bench, *kind;
	long iteration, iterations;
	uint64_t eta_ns;              /* RUN_START: estimate for what is left; 0 unknown */
	const struct record *record;  /* RUN_DONE: the record appended */
	const char *error;            /* RUN_ENV_FAILED: why; RUN_NOTICE: what was done;
	                               * RUN_ENV_SHARED: the other VMs running beside
	                               * this environment */
};

struct run_opts {
	/* Set (from a signal handler): 1 stops after the current run; 2 also
	 * records the current run failed (the caller has killed it). */
	volatile sig_atomic_t *stop;
	void (*progress)(void *ctx, const struct run_event *ev);
	void *ctx;
};

struct run_summary {
	size_t planned;               /* runs in the experiment */
	size_t skipped;               /* already ok (or unsupported) in the results file */
	size_t ok, failed;            /* finished now */
	size_t unsupported;           /* finished now: micros the environment cannot run (no failure) */
	size_t bad_lines;             /* malformed lines in the results file, ignored */
	bool bad_env;                 /* an environment could not be opened for bad input (a
	                               * guest config naming a missing disk, no such testbed, a
	                               * Xen host over ssh that does not answer):
	                               * its runs are recorded failed, the command exits 2 */
	bool interrupted;
};

/* Runs x. A torn last line of the results file is first moved aside
 * (results_repair_tail, told as RUN_NOTICE) so every record appended starts
 * on a fresh line. Returns 0 when it went through (runs may have failed: see s), or
 * -errno when the results file cannot be read or written (e). */
int runner_run(const struct experiment *x, const struct run_opts *o, struct run_summary *s,
	       struct err *e);

#endif
