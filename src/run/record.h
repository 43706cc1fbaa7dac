/* The record a benchmark run prints (`vmlab cpu run --json`, `vmlab micro
 * --json`, the null environment) and the runner reads back: one schema for
 * the three kinds "cpu" (a CPU kernel), "cmd" (an external command) and
 * "micro" (a microbenchmark). The results store's record, built from it, is
 * struct result (run/results.h). */
#ifndef VMLAB_RUN_RECORD_H
#define VMLAB_RUN_RECORD_H

#include <stddef.h>

#include "base/err.h"
#include "base/sbuf.h"

/* One record. Strings are NULL when absent: owned by a record that
 * record_from_json filled (record_clear frees them), borrowed by one a writer
 * fills for record_to_json (never record_clear that one). Numbers are NaN
 * when absent or null. Which fields a kind writes: every kind kind, benchmark,
 * status and error (when not NULL); "cpu" size, iteration, copies, pin (when
 * not NULL), wall_s, user_s, sys_s, ratio, checksum_ok, checksum; "cmd"
 * iteration, copies, wall_s, user_s, sys_s, metric, metric_name,
 * higher_is_better, exit_status; "micro" unit, higher_is_better, min,
 * median, max, repetitions, ops. status is "ok", a benchmark's failure
 * ("error", "crashed", "checksum-mismatch", ...) or, for a micro this
 * environment cannot run, "unsupported" (the reason in error). */
struct record {
	char *kind, *benchmark, *size, *pin, *checksum, *metric_name, *unit, *status, *error;
	long iteration, copies;
	double wall_s, user_s, sys_s, ratio;
	int checksum_ok;          /* 1, 0, or -1 when absent */
	double metric;
	int higher_is_better;     /* 1, 0, or -1 when absent */
	int exit_status;
	double min, median, max;
	long repetitions;
	unsigned long long ops;
};

/* An empty record: no strings, every number NaN, flags -1. */
void record_init(struct record *r);

/* Appends r as one JSON object and a newline to out: the fields of r->kind
 * (see struct record) in a fixed order; times with 6 decimals, ratio with
 * 4, micro values with 3, NaN as null. */
void record_to_json(const struct record *r, struct sbuf *out);

/* Parses text[0..len), one JSON object with a string "kind", into r (which
 * it initialises; record_clear it after a 0 return). Unknown fields are
 * ignored; a field of the wrong type counts as absent. Returns 0, or
 * -EBADMSG with e naming the byte offset ("byte N: what") of malformed JSON
 * or "byte 0: ..." for JSON that is not such an object; r then owns nothing. */
int record_from_json(const char *text, size_t len, struct record *r, struct err *e);

void record_clear(struct record *r);

#endif
