/* The results store: JSON Lines, one record per finished run, appended and
 * fsync'd; and its reader (for resuming and for reports). */
#ifndef VMLAB_RUN_RESULTS_H
#define VMLAB_RUN_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/sbuf.h"

/* Host facts of an environment, as recorded in each record's "facts". */
struct host_facts {
	char *hostname, *cpu_model, *kernel;
	char *xen_version, *xen_scheduler, *virt_caps; /* NULL when not under Xen */
	char *guest_type;                              /* "pv", "pvh", "hvm", "dom0" or NULL */
	char *tsc_mode;                                /* testbed guests: xl's tsc_mode, else NULL */
	char *concurrent;                              /* other VMs running beside the measurement
	                                                * ("qemu-system-x86_64 pid 812"), else NULL */
};

/* One record. Strings are owned (NULL when absent); numbers are NaN when
 * absent. value/unit/better is the figure reports compare: for "cpu" the
 * wall time (s, lower), for "micro" the median ns/op (lower), for "cmd" the
 * extracted metric. */
struct result {
	char *experiment, *environment, *label, *benchmark, *kind, *size;
	char *pin;                /* CPUs the kernel was bound to (vmlab cpu run --pin), or NULL */
	char *status, *error, *unit, *better, *checksum, *version, *timestamp;
	struct host_facts facts;
	int iteration;
	int checksum_ok;          /* 1, 0, or -1 when not reported */
	double value, wall_s, user_s, sys_s, ratio;
	unsigned sessions;        /* web load records: the session count loaded; 0 when absent */
	char *bound;              /* web search answers at the searched range's end:
	                           * "upper" (value >= max passed), "lower" (value = min failed) */
	char *file;               /* the file it was read from, or NULL */
	int line;                 /* line in the file it was read from */
};

struct result_set {
	struct result *v;
	size_t n, cap;
	size_t skipped;           /* malformed lines skipped (skip_bad) */
};

/* Appends one record for r as a JSON line to out (with the newline). */
void result_to_json(const struct result *r, struct sbuf *out);

/* Appends the facts as one JSON object (no newline). */
void host_facts_to_json(const struct host_facts *f, struct sbuf *out);

/* Appends the record r to path and fsyncs it (creating folders as needed):
 * when this returns 0 the record is on disk. The record always starts on a
 * fresh line: when path does not end with a newline one is written first,
 * so a torn last line stays a line of its own. */
int result_append(const char *path, const struct result *r, struct err *e);

/* What the last line of a results file is. */
enum results_tail {
	TAIL_CLEAN,       /* empty, or ends with a newline */
	TAIL_BLANK,       /* only blanks after the last newline */
	TAIL_RECORD,      /* a complete valid record that lacks only its newline */
	TAIL_TORN,        /* an incomplete or malformed last line */
};

/* Classifies text[0..len); *off is the byte offset where the last
 * unterminated line starts (len for TAIL_CLEAN). */
enum results_tail results_tail(const char *text, size_t len, size_t *off);

/* Makes path end on a fresh line, keeping every valid record readable: a
 * TAIL_RECORD or TAIL_BLANK tail gets its newline; a TAIL_TORN tail is
 * appended to PATH.torn (followed by a newline, the file created if need
 * be), fsync'd, and only then cut from path (fsync'd). When something was
 * done, a one-line message naming the byte offset is appended to msg.
 * A missing path is fine. Returns 0 or -errno (e). */
int results_repair_tail(const char *path, struct sbuf *msg, struct err *e);

/* Parses JSON Lines text[0..len) (name labels messages) into set (appended).
 * Blank lines are ignored. A line that is not a JSON object with string
 * "environment", "benchmark" and "status" and a numeric "iteration", or whose
 * "value", "wall_s", "user_s", "sys_s", "ratio" or "sessions" is neither a
 * number nor null, or that records a negative time, is an error
 * "NAME:LINE: ..." (-EBADMSG) unless skip_bad, where it is counted in
 * set->skipped and, when warn is non-NULL, its message is appended to warn
 * (one line each). */
int results_parse(const char *name, const char *text, size_t len, bool skip_bad,
		  struct result_set *set, struct sbuf *warn, struct err *e);
/* Reads path and parses it as above. */
int results_load(const char *path, bool skip_bad, struct result_set *set, struct sbuf *warn,
		 struct err *e);

void result_clear(struct result *r);
void host_facts_clear(struct host_facts *f);
/* Deep copy of f into out. */
void host_facts_copy(struct host_facts *out, const struct host_facts *f);
void results_free(struct result_set *set);

#endif
