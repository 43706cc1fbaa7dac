/* The options of a jbb run: one table for `vmlab jbb` and for the items of
 * an experiment's `jbb = [ "--warehouses 1..2 --measure 10s", ... ]`. */
#ifndef VMLAB_BENCH_JBB_ARGS_H
#define VMLAB_BENCH_JBB_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/opt.h"

enum jbb_mode { JBB_MODE_THROUGHPUT, JBB_MODE_CRITICAL };

struct jbb_args {
	unsigned wh_from, wh_to;      /* --warehouses A..B; 0 = 1..2N */
	unsigned peak;                /* --peak N; 0 = the CPUs this process may use */
	uint64_t rampup_ns, measure_ns;
	int mode;                     /* enum jbb_mode */
	unsigned steps;               /* critical: injection rate steps */
	uint64_t seed;
	double start_at;              /* --start-at: CLOCK_REALTIME seconds; 0 = at once */
	const char *cmd;              /* --cmd: a real kit's command line */
	const char *parse;            /* --parse FILE: a kit's saved output */
	uint64_t timeout_ns;          /* --cmd's limit */
	bool json;
	const char *output;
};

extern const struct opt jbb_arg_opts[];

/* After opt_parse: fills the defaults that depend on the machine (peak:
 * the CPUs this process may run on; warehouses 1..2N in throughput mode, N
 * in critical mode) and checks the relations between options. -EINVAL
 * with e saying what is wrong. */
int jbb_args_finish(struct jbb_args *a, struct err *e);

/* Checks one experiment item: s split into words (base/words) and parsed
 * against the table; -EINVAL with e "col C: ..." or the option's message. */
int jbb_args_check_item(const char *s, struct err *e);

#endif
