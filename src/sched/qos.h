/* Task 3's QoS: one guest (A, protected) keeps a share of its native or
 * solo jbb throughput while another (B) runs beside it. The plan side
 * (qos_plan.c: the settings to search, least to most intrusive; the trial
 * records that make a search resumable; the stop rule and the guaranteed
 * minimum) is pure and is what the unit tests check. The lab side
 * (qos_lab.c: jbb in dom0 and in the guests over ssh, both guests started
 * at one barrier; settings applied through sched_apply and put back) drives
 * a real Xen host. */
#ifndef VMLAB_SCHED_QOS_H
#define VMLAB_SCHED_QOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/sbuf.h"
#include "sched/sched.h"

#define QOS_NAME_MAX 64
#define QOS_CANDIDATES_MAX 16
#define QOS_POOL_A "vmlab-qos-a"
#define QOS_POOL_B "vmlab-qos-b"

/* ---- the search plan ---- */

/* One setting of the search: what it does to A, B and dom0 (a setting with
 * set == 0 leaves that domain alone) and the cpupools it makes first. */
struct qos_candidate {
	char name[32];               /* "default", "weight-4:1", "cap-b-50", "pin", ... */
	char level[16];              /* "default", "weight", "cap", "pin", "pool", "credit", "dom0" */
	struct sched_setting a, b, dom0;
	int npools;
	struct qos_pool {
		char name[QOS_NAME_MAX];
		char sched[16];          /* "credit2" or "credit" */
		char cpus[SCHED_CPUS_MAX];
	} pools[2];
};

/* The settings, least to most intrusive, for a host of ncpus CPUs and a
 * guest B of vcpus_b vCPUs: Xen's defaults; credit2 weight ratios A:B 2:1,
 * 4:1, 16:1; caps on B of half and a quarter of its vCPUs; disjoint hard
 * pinning (A on the upper half of the CPUs, B on the lower); a cpupool for
 * A on its half (and one for B when its half holds a CPU beside CPU 0,
 * which Pool-0 keeps for dom0); A's pool with the credit scheduler; the
 * pinning with dom0's vCPUs pinned onto B's CPUs. Pinning and pools need
 * ncpus >= 2. Returns how many were written to out[0..max). */
int qos_candidates(int ncpus, int vcpus_b, struct qos_candidate *out, int max);

/* The text form of c's changes: "A weight=1024; B cap=50; pool vmlab-qos-a
 * credit 1" (appended to out; "Xen's defaults" for none). */
void qos_candidate_describe(const struct qos_candidate *c, const char *a, const char *b, struct sbuf *out);

/* The commands that make c last across restarts, one a line: "vmlab qos
 * apply SETTING [--pool-cpus CPUS --pool-sched S] --persist GUEST" for A
 * and B (pool options when c creates the guest's pool), and a "# ..." line
 * for what they cannot persist (dom0's pinning) or for Xen's defaults.
 * Appended to out. */
void qos_candidate_persist(const struct qos_candidate *c, const char *a, const char *b, struct sbuf *out);

/* ---- trial records ---- */

enum qos_phase { QOS_NATIVE, QOS_SOLO_A, QOS_SOLO_B, QOS_PAIR, QOS_NPHASES };
/* "native", "solo-a", "solo-b", "pair" */
extern const char *const qos_phase_names[QOS_NPHASES];

/* One measured run: a record of kind "qos-trial", one JSON line. */
struct qos_trial {
	char config[160];            /* what must match for a record to count (guests, jbb size) */
	int phase;                   /* enum qos_phase */
	char setting[32];            /* the candidate's name; "default" for baselines */
	int run;                     /* 1..K */
	bool valid;                  /* both jbb runs valid (the invariants held) */
	double bops_a, bops_b;       /* NaN when that guest did not run */
	double skew_ms;              /* pair: |start A - start B| of the measured intervals */
	double overlap;              /* pair: common part / the longer interval, 0..1 */
	double late_ms;              /* pair: the later guest woke this late after the barrier */
};

/* Appends t as one JSON line (kind "qos-trial", the fields above, numbers
 * NaN as null) and, when extra is non-NULL, extra's JSON object text as
 * field "readback". */
void qos_trial_format(const struct qos_trial *t, const char *extra, struct sbuf *out);

/* Parses one line text[0..n) (a JSON object of kind "qos-trial"); where
 * labels messages. Returns 0, or -EBADMSG with e naming the place
 * ("WHERE:LINE:COL: ..." for bad JSON, "WHERE: field: ..." for a missing or
 * bad field). Unknown fields are ignored. */
int qos_trial_parse(const char *text, size_t n, const char *where, struct qos_trial *t, struct err *e);

/* Every line of text[0..n) (blank lines skipped) into *out (malloc'd,
 * *count of them); name labels messages as "NAME:LINE: ...". Returns 0
 * or -EBADMSG (nothing allocated then). */
int qos_trials_parse(const char *text, size_t n, const char *name, struct qos_trial **out, size_t *count,
		     struct err *e);

/* The trial of config, phase, setting and run among ts[0..n), or NULL. */
const struct qos_trial *qos_trial_find(const struct qos_trial *ts, size_t n, const char *config, int phase,
				       const char *setting, int run);

/* ---- the verdict ---- */

/* The evidence of one setting: its pair runs of config among the trials. */
struct qos_evidence {
	int runs;                    /* pair runs found (valid or not) */
	int held;                    /* valid runs whose fraction >= sla */
	double min, median, max;     /* A's fraction of ref over the valid runs; NaN: none */
};

/* A's reference throughput: the median bops of the valid runs of phase
 * (QOS_NATIVE: native; QOS_SOLO_A: A alone) under config; NaN when none. */
double qos_reference(const struct qos_trial *ts, size_t n, const char *config, int phase);

/* The evidence of setting (A's bops / ref per valid pair run, against sla). */
void qos_evidence_of(const struct qos_trial *ts, size_t n, const char *config, const char *setting,
		     double ref, double sla, struct qos_evidence *ev);

/* A search's outcome over candidates cs[0..nc) with K runs each. */
struct qos_verdict {
	int found;                   /* index of the first setting that held the SLA in K of K runs, or -1 */
	int next;                    /* index of the first setting whose K runs are not all done, or -1 */
	int best;                    /* when none held: the setting with the largest guaranteed
	                              * fraction (its min over its runs), -1 when nothing ran */
	double guaranteed;           /* that fraction (NaN without one) */
};

/* The stop rule: walks cs in order; a setting with K runs done holds when
 * all K are valid and >= sla; the walk stops at the first that holds
 * (found) or at the first not fully run (next). With neither, every setting
 * has run: best and guaranteed name the largest minimum. */
void qos_decide(const struct qos_candidate *cs, int nc, const struct qos_trial *ts, size_t n,
		const char *config, double ref, double sla, int k, struct qos_verdict *v);

/* ---- statistics of a phase ---- */

/* Median, min, max, 95% interval of the median (distribution-free; for
 * fewer than 6 values min..max, ci_exact false), mean and sample stddev of
 * v[0..n). */
struct qos_stats {
	size_t n;
	double median, min, max, ci_lo, ci_hi, mean, sd;
	bool ci_exact;
};
void qos_stats_of(const double *v, size_t n, struct qos_stats *s);

/* ---- the lab: a Xen host with two guests ---- */

struct qos_lab;

/* The jbb run every participant makes: W warehouses (the guests' vCPUs),
 * one point, ramp-up and measurement. */
struct qos_jbb {
	unsigned warehouses;
	uint64_t rampup_ns, measure_ns;
	uint64_t lead_ns;            /* the barrier: start time sent this far ahead */
};

/* Opens the running testbed's dom0 and guests a and b (testbed guests,
 * `vmlab testbed guest up`): checks both exist as domains there (-ENOENT
 * "no guest NAME: ..." otherwise), that they are two, and reaches each over
 * ssh (vmlab is copied into it). Nothing changes on the host. */
int qos_lab_open(struct qos_lab **out, const char *a, const char *b, struct err *e);
void qos_lab_close(struct qos_lab *l);

/* CPUs of the host, vCPUs of guests a and b. */
int qos_lab_ncpus(const struct qos_lab *l);
int qos_lab_vcpus_a(const struct qos_lab *l);
int qos_lab_vcpus_b(const struct qos_lab *l);

/* Runs one trial of phase p (native in dom0, A alone, B alone, or both at
 * one barrier) with j into t (its phase, bops, validity, skew and overlap;
 * the caller sets config, setting and run). Returns 0 (an invalid jbb run
 * is t->valid false), or -errno when a run could not be made (e). */
int qos_lab_trial(struct qos_lab *l, const struct qos_jbb *j, int p, struct qos_trial *t, struct err *e);

/* Reads the live settings of A, B and dom0 (and the pools) as the
 * originals to come back to. */
int qos_lab_snapshot(struct qos_lab *l, struct err *e);

/* The settings qos_lab_snapshot read, as one JSON object (each domain's
 * name: its sched_state_json) into out; "{}" before any snapshot. */
void qos_lab_found_json(const struct qos_lab *l, struct sbuf *out);

/* Applies c: its pools created, then A's, B's and dom0's settings through
 * sched_apply (checked, read back); the read-back of A and B as a JSON
 * object into readback. On any failure what it did is undone (e says so). */
int qos_lab_apply(struct qos_lab *l, const struct qos_candidate *c, struct sbuf *readback, struct err *e);

/* Puts back the snapshot: every domain to its original pool, weight, cap and
 * per-vCPU affinity, read back; the pools qos made destroyed. */
int qos_lab_restore(struct qos_lab *l, struct err *e);

#endif
