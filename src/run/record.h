/* The one record of vmlab's measurements, and its JSON: the record a
 * benchmark run prints (`vmlab cpu run --json`, `vmlab micro --json`, the
 * null environment) and the runner reads back, the record the results store
 * holds (written by the runner, read by its resume and by vmlab report), and
 * the web load generators' records (`vmlab web load|run|search|bench`),
 * which the store holds too. */
#ifndef VMLAB_RUN_RECORD_H
#define VMLAB_RUN_RECORD_H

#include <stddef.h>

#include "base/err.h"
#include "base/sbuf.h"

struct json;

/* Host facts of an environment, as recorded in each store record's "facts". */
struct host_facts {
	char *hostname, *cpu_model, *kernel;
	char *xen_version, *xen_scheduler, *virt_caps; /* NULL when not under Xen */
	char *xen_cpus, *xen_cmdline;                  /* xl info's nr_cpus and xen_commandline (a
	                                                * testbed's --cpus and --xen-args show here) */
	char *guest_type;                              /* "pv", "pvh", "hvm", "dom0" or NULL */
	char *tsc_mode;                                /* testbed guests: xl's tsc_mode, else NULL */
	char *concurrent;                              /* other VMs running beside the measurement
	                                                * ("qemu-system-x86_64 pid 812"), else NULL */
	char *xen_host;                                /* guests of a Xen host: its dom0's hostname */
	char *host_kind;                               /* that host's back end: "local", "ssh" or
	                                                * "testbed" (testbed numbers), else NULL */
	char *shape;                                   /* the guest's shape as xl reads it back after
	                                                * create: "vcpus=2 memory=256 cpus=1 cpus_soft=all
	                                                * weight=512 cap=0 pool=Pool-0", else NULL */
	char *machine;                                 /* what changes a CPU kernel's timing inside the
	                                                * environment: "thp=always clocksource=tsc
	                                                * mem_mib=3931 cpus=2" (thp=unsupported when the
	                                                * kernel has none, e.g. a PV guest), else NULL */
};

/* A field outside the record's form (see record_to_json): its key and its
 * value as JSON text, both owned. */
struct record_extra {
	char *key, *json;
};

/* One record. Strings are NULL when absent: owned by a record that
 * record_from_json filled or a writer filled with copies (record_clear frees
 * them), borrowed by one a writer fills for record_to_json (never
 * record_clear that one; it has no extras). Numbers are NaN when absent or
 * null.
 *
 * A benchmark's own record (no environment) has the kinds "cpu" (a CPU
 * kernel), "cmd" (an external command) and "micro" (a microbenchmark). Which
 * fields a kind writes: every kind kind, benchmark, status and error (when
 * not NULL); "cpu" size, iteration, copies, pin (when not NULL), wall_s,
 * user_s, sys_s, ratio, checksum_ok, checksum; "cmd" iteration, copies,
 * wall_s, user_s, sys_s, metric, metric_name, higher_is_better,
 * exit_status; "micro" unit, higher_is_better, min, median, max,
 * repetitions, ops; "jbb" (vmlab jbb) wall_s, user_s, sys_s, metric,
 * metric_name, unit, higher_is_better, checksum_ok (the invariants held;
 * absent for a kit's result), then its extras (points, figures, "valid"),
 * which its reader keeps as extras too; every kind also counts (when not
 * NULL). status is "ok", a benchmark's failure ("error",
 * "crashed", "checksum-mismatch", ...) or, for a micro this environment
 * cannot run, "unsupported" (the reason in error).
 *
 * A store record names its environment; its fields are experiment,
 * environment, label, facts, benchmark, kind, size, pin, iteration, wall_s,
 * user_s, sys_s, ratio, value, unit, better, sessions, bound, checksum_ok,
 * checksum, status ("ok", "failed" or "unsupported"), error, version
 * ("vmlab_version") and timestamp, each written when present, then the
 * extras. value/unit/better is the figure reports compare: for "cpu" the
 * wall time (s, lower), for "micro" the median ns/op (lower), for "cmd" the
 * extracted metric, for web records pages/s, req/s or sessions (higher). */
struct record {
	char *kind, *benchmark, *size, *pin, *checksum, *metric_name, *unit, *status, *error;
	long iteration, copies;   /* -1 when absent */
	double wall_s, user_s, sys_s, ratio;
	int checksum_ok;          /* 1, 0, or -1 when absent */
	double metric;
	int higher_is_better;     /* 1, 0, or -1 when absent */
	int exit_status;
	double min, median, max;
	long repetitions;
	unsigned long long ops;
	char *counts;             /* a run with --trace: the event counts as a
	                           * JSON object (measure/perfev.h's perfev_to_json); a store
	                           * record holds them as its extra "counts" */
	/* the store's part */
	char *experiment, *environment, *label, *better, *version, *timestamp;
	struct host_facts facts;
	double value;
	unsigned sessions;        /* web load records: the session count loaded; 0 when absent */
	char *bound;              /* web search answers at the searched range's end:
	                           * "upper" (value >= max passed), "lower" (value = min failed) */
	struct record_extra *extras;   /* further fields of a store record, in order */
	size_t nextras;
	char *file;               /* store readers: the file it was read from, or NULL */
	int line;                 /* store readers: its line there */
};

/* An empty record: no strings, every number NaN, iteration, copies and
 * repetitions -1, flags -1, no extras. */
void record_init(struct record *r);

/* Append an extra field to r (copies of key and the value): raw JSON text,
 * a printf-formatted JSON text, a number (json_put_num) or a string. */
void record_add_raw(struct record *r, const char *key, const char *json);
void record_add_fmt(struct record *r, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void record_add_num(struct record *r, const char *key, double v);
void record_add_str(struct record *r, const char *key, const char *s);

/* The JSON text of r's first extra field named key, or NULL. */
const char *record_extra_json(const struct record *r, const char *key);

/* Appends r as one JSON object and a newline to out, in its form:
 * - without an environment, a benchmark's own record: the fields of
 *   r->kind (see struct record) in a fixed order; times with 6 decimals,
 *   ratio with 4, micro values with 3, NaN as null;
 * - with one, a store record: the store's fields in the order of struct
 *   record's comment, absent ones left out, numbers as json_put_num writes
 *   them, facts always (an object), then the extras;
 * - a kind beginning with "web-" (a web record, also a store record): kind,
 *   timestamp (as "time"), environment, label, facts (when any), benchmark,
 *   iteration, status, error, value, unit, better, sessions, bound, then the
 *   store's other fields and the extras. */
void record_to_json(const struct record *r, struct sbuf *out);

/* Parses text[0..len), one JSON object with a string "kind" or
 * "environment", into r (which it initialises; record_clear it after a 0
 * return). The form follows from the object as record_to_json chooses it.
 * A benchmark's own record ignores unknown fields; a store record keeps
 * them as extras, in order. A field of the wrong type counts as absent.
 * Returns 0, or -EBADMSG with e naming the byte offset ("byte N: what") of
 * malformed JSON or "byte 0: ..." for JSON that is not such an object; r
 * then owns nothing. */
int record_from_json(const char *text, size_t len, struct record *r, struct err *e);

/* record_from_json for an object already parsed. */
int record_from_json_obj(const struct json *j, struct record *r, struct err *e);

void record_clear(struct record *r);

/* Frees r's extras only: for a writer's record of borrowed strings with
 * extras added by record_add_*. */
void record_free_extras(struct record *r);

/* Appends the facts as one JSON object (no newline). */
void host_facts_to_json(const struct host_facts *f, struct sbuf *out);
void host_facts_clear(struct host_facts *f);
/* Deep copy of f into out. */
void host_facts_copy(struct host_facts *out, const struct host_facts *f);

#endif
