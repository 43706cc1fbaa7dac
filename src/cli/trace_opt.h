/* The --trace EVENT,... option of vmlab micro and vmlab cpu run: events
 * counted around the measured iterations, the counts put in each record.
 * An event this environment lacks is recorded unsupported with the reason. */
#ifndef VMLAB_CLI_TRACE_OPT_H
#define VMLAB_CLI_TRACE_OPT_H

#include <stdbool.h>

#include "base/opt.h"
#include "measure/perfev.h"

/* The option, stored in the struct opt_list at offset off. */
#define CLI_OPT_TRACE(off)                                                                 \
	{ "trace", 0, OPT_LIST, off, .metavar = "EVENT,...",                                \
	  .help = "count these events (as vmlab trace -e names them) around the measured "    \
		  "iterations; the counts go in each record (repeatable)" }

struct cli_trace {
	struct perfev_spec spec;  /* empty: no --trace */
	struct perfev_set set;    /* between start and counts */
};

/* Checks the --trace arguments l of command name into t. Returns CLI_GO,
 * or 2 after a usage error naming the bad item and byte. */
int cli_trace_init(const char *name, const struct opt_list *l, struct cli_trace *t);

/* True when --trace was given. */
bool cli_trace_on(const struct cli_trace *t);

/* Resolves the events in this environment (VMLAB_TRACEFS, when set, is the
 * tracefs directory) and opens them, disabled, on this process and the
 * threads and children it starts from now on. */
void cli_trace_start(struct cli_trace *t);

/* Reads and closes the events opened by cli_trace_start and returns their
 * JSON object (perfev_to_json with div and per_ops); the caller frees it. */
char *cli_trace_counts(struct cli_trace *t, double div, double per_ops);

void cli_trace_free(struct cli_trace *t);

#endif
