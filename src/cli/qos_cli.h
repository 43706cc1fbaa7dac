/* What the vmlab qos subcommands (src/cli/qos_*.c) share. measure and tune:
 * their options' fields, the trial file (read at the start, appended and
 * fsync'd per trial, so a second run of the same command skips what is
 * done), and one trial run with its progress line. apply and show: the host
 * they act on and the guests' live state there. */
#ifndef VMLAB_CLI_QOS_CLI_H
#define VMLAB_CLI_QOS_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "host/host.h"
#include "sched/persist.h"
#include "sched/qos.h"
#include "sched/sched.h"

struct qos_opts {
	const char *protect, *against;
	unsigned runs;                /* -n (measure) / --runs (tune) */
	double sla;
	int of;                       /* 0 native, 1 solo */
	unsigned warehouses;          /* 0: A's vCPUs */
	uint64_t rampup_ns, measure_ns, lead_ns;
	const char *output;           /* trial file; NULL: none (measure) */
	bool keep, json;
};

/* The trials read so far and where new ones go. */
struct qos_book {
	const char *sub;              /* "qos measure": labels messages */
	const char *path;             /* NULL: trials are not kept */
	char config[160];
	struct qos_trial *ts;
	size_t n;
	bool quiet;
};

/* Checks the options every qos command has (guest names, distinct) and
 * reads the trial file o->output when it exists into b. Returns CLI_GO, or
 * the exit status after printing (2: a bad option or a malformed trial
 * file, FILE:LINE: what; nothing changed). */
int qos_cli_begin(const char *sub, const struct qos_opts *o, struct qos_book *b);

/* The jbb run of o on lab l; fixes b->config from it (guests and size). */
void qos_cli_jbb(const struct qos_opts *o, struct qos_lab *l, struct qos_book *b, struct qos_jbb *j);

/* The trial of phase, setting and run: b's record when done, else run on
 * l, printed as one progress line, appended to b->path (fsync'd) with
 * readback (JSON object text or NULL) and to b->ts. *out points at it (in
 * b->ts). Returns 0 or the exit status after printing (1: the run could
 * not be made). */
int qos_cli_trial(struct qos_book *b, struct qos_lab *l, const struct qos_jbb *j, int phase,
		  const char *setting, int run, const char *readback, const struct qos_trial **out);

/* Appends t to b (and its file) without running anything: a setting the
 * host refused counts as its runs, invalid. 0 or the exit status. */
int qos_cli_record(struct qos_book *b, const struct qos_trial *t, const char *extra);

/* Prints "LABEL: median M (min..max, 95% CI lo..hi, n=N)" for v[0..n). */
void qos_cli_print_stats(const char *label, const double *v, size_t n, const char *unit);

void qos_cli_end(struct qos_book *b);

#define QOS_MAX_GUESTS 16

/* A guest of a qos command: its back end (the scheduler of its pool), its
 * target and its live state as read at the start. */
struct qos_guest {
	const char *name;
	const struct sched_ops *ops;
	struct sched_target t;
	struct sched_state *st;    /* owned */
};

/* Opens host spec into h and a runner over it into r; on failure prints
 * "vmlab qos SUB: ..." and returns the exit status (2: no such host). */
int qos_open(const char *sub, const char *spec, struct host *h, struct sched_runner *r);

/* Reads the live state of the guests names[0..n) into g[0..n): prints the
 * failure and returns the exit status (2 for an unknown guest). */
int qos_guests(const char *sub, const struct sched_runner *r, char **names, int n, struct qos_guest *g);

void qos_guests_free(struct qos_guest *g, int n);

#endif
