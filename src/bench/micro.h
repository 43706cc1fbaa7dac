/* Microbenchmarks of the costs virtualization changes (system calls, page
 * faults, page-table updates, process creation, context switches, TLB
 * shoot-downs, trapping instructions, clocks, bandwidths), timed the lmbench
 * way: repeat until a minimum duration, report per-operation figures, then
 * the min, median and max over repetitions. Registry in micro.c. */
#ifndef VMLAB_BENCH_MICRO_H
#define VMLAB_BENCH_MICRO_H

#include <stdint.h>

#include "base/err.h"

/* One microbenchmark. setup (may be NULL) prepares *ctx; it returns 0, or
 * -EOPNOTSUPP with e saying why the machine cannot run it, or another
 * negative errno. loop performs n operations and stores the nanoseconds of
 * the timed part in *ns (loops that must exclude their own preparation time
 * themselves); it returns 0 or a negative errno (e filled). teardown (may be
 * NULL) releases ctx. */
struct micro_ops {
	const char *name;         /* "null_syscall" */
	const char *summary;
	const char *unit;         /* "ns/op" or "MB/s" */
	double bytes_per_op;      /* MB/s benchmarks: bytes moved by one operation */
	double events_per_op;     /* ns/op benchmarks: events one operation holds (0 means 1) */
	int (*setup)(void **ctx, struct err *e);
	int (*loop)(void *ctx, uint64_t n, uint64_t *ns, struct err *e);
	void (*teardown)(void *ctx);
};

extern const struct micro_ops *const micro_suite[];   /* NULL-terminated */

const struct micro_ops *micro_find(const char *name);

enum micro_status { MICRO_OK, MICRO_UNSUPPORTED, MICRO_ERROR };

struct micro_result {
	enum micro_status status;
	double min, median, max;  /* in the benchmark's unit, over the repetitions */
	int repetitions;
	uint64_t ops;             /* operations per repetition */
	char error[256];          /* when status != MICRO_OK */
};

/* Calibrates the operation count so one repetition lasts at least min_ns,
 * then times reps repetitions. Fills r (status says whether it ran);
 * always returns 0. */
int micro_measure(const struct micro_ops *m, uint64_t min_ns, int reps, struct micro_result *r);

/* How micro_measure_with measures. */
struct micro_params {
	uint64_t min_ns;          /* calibration target of one repetition */
	int reps;
	uint64_t ops;             /* > 0: this many operations per repetition, no calibration
	                           * (one untimed loop of ops warms up instead) */
	/* With count_begin: one more repetition of the same operations after
	 * the timed ones, untimed, between count_begin (opens and starts
	 * counters) and count_end (stops them); the counters exist only then,
	 * so they cannot change the times (an enabled syscall tracepoint slows
	 * every system call). */
	void (*count_begin)(void *ctx);
	void (*count_end)(void *ctx);
	void *count_ctx;
};

/* micro_measure with p's settings. */
int micro_measure_with(const struct micro_ops *m, const struct micro_params *p,
		       struct micro_result *r);

/* The timed region helper for simple loops. */
uint64_t micro_now(void);

#endif
