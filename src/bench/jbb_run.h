/* The jbb driver: runs warehouses (one thread each) through ramp-up and
 * measurement, times every transaction into a histogram per type, checks
 * each warehouse's invariants after the run, and computes SPECjbb2005's
 * metric and a SPECjbb2015-style critical figure. */
#ifndef VMLAB_BENCH_JBB_RUN_H
#define VMLAB_BENCH_JBB_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "bench/jbb.h"
#include "measure/hist.h"

struct jbb_opts {
	uint64_t rampup_ns, measure_ns;
	struct jbb_dims dims;
	uint64_t seed;                /* warehouse k gets seed + k */
	volatile sig_atomic_t *stop;  /* non-zero: end the current point early (NULL: none) */
	uint64_t start_at_ns;         /* CLOCK_REALTIME ns: a point's ramp-up starts no earlier
	                               * (its tables are built before; 0: at once). A barrier:
	                               * several runs given the same time start together */
};

/* One point: W warehouses run at full speed (rate 0) or at an injection
 * rate. Valid when every warehouse's invariants held; else error says
 * which failed. */
struct jbb_point {
	unsigned warehouses;
	double rate;                  /* asked injection rate, transactions/s; 0 = unbounded */
	double bops;                  /* transactions completed per second of measurement */
	double seconds;               /* the measurement interval as it was */
	uint64_t t0_real_ns, t1_real_ns; /* that interval in CLOCK_REALTIME ns */
	int64_t late_ns;              /* with start_at_ns: the ramp-up began this late (< 0:
	                               * early, never); 0 without */
	uint64_t ops[JBB_NTX], errors;
	struct hist *hist;            /* [JBB_NTX] response times (ns), owned */
	double check_s;               /* the longest warehouse's invariant check */
	size_t bytes;                 /* the warehouses' table bytes */
	uint64_t digest;
	bool valid, interrupted;
	char error[512];
};

/* Runs one point of w warehouses. With rate > 0 every warehouse thread
 * starts its transactions on a fixed schedule (rate / w per second) and a
 * response time counts from the scheduled start (coordinated omission
 * corrected); with rate 0 they run back to back (no think time). Returns 0
 * with p filled (jbb_point_free it; an invariant failure is p->valid false,
 * not an error), or -errno when the point could not run (e). */
int jbb_point_run(const struct jbb_opts *o, unsigned w, double rate, struct jbb_point *p,
		  struct err *e);
void jbb_point_free(struct jbb_point *p);

/* Merged response times of p's transactions into h (reset first). */
void jbb_point_hist(const struct jbb_point *p, struct hist *h);

/* SPECjbb2005's metric over points p[0..n) for expected peak `peak` (N):
 * the mean bops of the points from N to 2N warehouses. *counted is the
 * number of those points present (of N + 1); when some are missing the
 * mean is over those present (SPECjbb2005 would count them as 0: the
 * caller says so). NaN when none is present or one is invalid. */
double jbb_metric(const struct jbb_point *p, size_t n, unsigned peak, unsigned *counted);

#define JBB_NSLA 5
/* The response-time limits of the critical figure: p99 <= 10, 25, 50, 75, 100 ms. */
extern const double jbb_sla_ms[JBB_NSLA];

/* The critical figure of stepped points s[0..n): for each limit the largest
 * throughput (bops) of a valid step whose p99 response time is within it
 * (jops[k]; met[k] false and jops[k] NaN when no step met it), and their
 * geometric mean, NaN unless every limit was met. */
double jbb_critical(const struct jbb_point *s, size_t n, double jops[JBB_NSLA],
		    bool met[JBB_NSLA]);

#endif
