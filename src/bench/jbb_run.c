/* The jbb driver: threads, phases, timing, the metric and the critical figure. */
#include "bench/jbb_run.h"
#include "base/sbuf.h"
#include "measure/clock.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

const double jbb_sla_ms[JBB_NSLA] = { 10, 25, 50, 75, 100 };

enum phase { PH_BUILD, PH_RAMP, PH_MEASURE, PH_STOP };

/* What the threads of one point share. */
struct shared {
	const struct jbb_opts *o;
	_Atomic unsigned built;       /* warehouses built (or failed to be) */
	_Atomic int phase;
	uint64_t start_ns;            /* the schedules' origin, set before PH_RAMP */
	uint64_t m0_ns, m1_ns;        /* the measurement interval (CLOCK_MONOTONIC), set before PH_RAMP:
				       * a transaction counts when it completes in [m0, m1) */
	double interval_ns;           /* per-thread gap between scheduled starts; 0 = none */
};

/* One warehouse thread: its own tables, counts and histograms. */
struct worker {
	struct shared *sh;
	unsigned index;
	pthread_t tid;
	struct jbb_wh *w;
	struct hist *hist;            /* [JBB_NTX] */
	uint64_t ops[JBB_NTX], errors;
	double check_s;
	int rc;                       /* building: 0 or -errno */
	bool valid;
	struct err e;
};

static void sleep_until(uint64_t t_ns)
{
	struct timespec ts = { (time_t)(t_ns / 1000000000u), (long)(t_ns % 1000000000u) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* Sleeps until CLOCK_REALTIME t_ns (the barrier of jbb_opts.start_at_ns). */
static void sleep_until_real(uint64_t t_ns)
{
	struct timespec ts = { (time_t)(t_ns / 1000000000u), (long)(t_ns % 1000000000u) };

	while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Waits for the scheduled start t: sleeps when it is more than 20 us
 * ahead (the thread's timer slack is 1 ns), else spins. */
static void wait_start(uint64_t t)
{
	uint64_t now = clock_mono_ns();

	if (now + 20000 < t)
		sleep_until(t);
	while (clock_mono_ns() < t)
		;
}

static void run_transactions(struct worker *k)
{
	struct shared *sh = k->sh;
	double next = (double)sh->start_ns;
	int ph;

	while ((ph = atomic_load_explicit(&sh->phase, memory_order_relaxed)) != PH_STOP) {
		enum jbb_tx t = jbb_wh_draw(k->w);
		uint64_t t0, t1;
		int rc;

		if (sh->interval_ns > 0) {
			wait_start((uint64_t)next);
			t0 = (uint64_t)next;
			next += sh->interval_ns;
		} else {
			t0 = clock_mono_ns();
		}
		rc = jbb_wh_run(k->w, t);
		t1 = clock_mono_ns();
		if (t1 < sh->m0_ns || t1 >= sh->m1_ns)
			continue;
		if (rc) {
			k->errors++;
			continue;
		}
		k->ops[t]++;
		hist_record(&k->hist[t], t1 > t0 ? t1 - t0 : 0);
	}
}

static void *worker_main(void *arg)
{
	struct worker *k = arg;
	struct shared *sh = k->sh;
	uint64_t c0;

	(void)prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	k->rc = jbb_wh_new(&sh->o->dims, sh->o->seed + k->index, &k->w, &k->e);
	atomic_fetch_add(&sh->built, 1);
	while (atomic_load(&sh->phase) == PH_BUILD)
		sleep_until(clock_mono_ns() + 200000);
	if (k->rc)
		return NULL;
	run_transactions(k);
	c0 = clock_mono_ns();
	k->valid = jbb_wh_check(k->w, &k->e) == 0;
	k->check_s = (double)(clock_mono_ns() - c0) / 1e9;
	return NULL;
}

/* Sleeps until t_ns or until *stop is set; true when stopped. */
static bool sleep_or_stop(uint64_t t_ns, volatile sig_atomic_t *stop)
{
	for (;;) {
		uint64_t now = clock_mono_ns();
		if (stop && *stop)
			return true;
		if (now >= t_ns)
			return false;
		sleep_until(now + 50000000u < t_ns ? now + 50000000u : t_ns);
	}
}

/* Drives the phases of started workers: ramp-up, measurement, stop. The
 * interval is fixed before the workers start: ramp-up from origin_ns (the
 * barrier, or the start), never before start_ns; when this thread wakes
 * late does not move it. real0_ns is CLOCK_REALTIME at start_ns. */
static void drive(struct shared *sh, struct jbb_point *p, uint64_t origin_ns, uint64_t real0_ns)
{
	const struct jbb_opts *o = sh->o;
	uint64_t end;

	sh->m0_ns = origin_ns + o->rampup_ns;
	if (sh->m0_ns < sh->start_ns)
		sh->m0_ns = sh->start_ns;
	sh->m1_ns = sh->m0_ns + o->measure_ns;
	p->t0_real_ns = real0_ns + (sh->m0_ns - sh->start_ns);
	atomic_store(&sh->phase, PH_RAMP);
	p->interrupted = sleep_or_stop(sh->m0_ns, o->stop);
	atomic_store(&sh->phase, PH_MEASURE);
	if (!p->interrupted)
		p->interrupted = sleep_or_stop(sh->m1_ns, o->stop);
	end = clock_mono_ns();  /* interrupted: the part that was measured */
	if (end > sh->m1_ns || !p->interrupted)
		end = sh->m1_ns;
	if (end < sh->m0_ns)
		end = sh->m0_ns;
	atomic_store(&sh->phase, PH_STOP);
	p->t1_real_ns = p->t0_real_ns + (end - sh->m0_ns);
	p->seconds = (double)(end - sh->m0_ns) / 1e9;
}

/* Sums the workers' results into p. */
static void collect(struct worker *ws, unsigned n, struct jbb_point *p)
{
	uint64_t total = 0;

	p->valid = true;
	for (unsigned i = 0; i < n; i++) {
		struct worker *k = &ws[i];
		for (unsigned t = 0; t < JBB_NTX; t++) {
			p->ops[t] += k->ops[t];
			total += k->ops[t];
			hist_merge(&p->hist[t], &k->hist[t]);
		}
		p->errors += k->errors;
		p->bytes += jbb_wh_bytes(k->w);
		p->digest ^= jbb_wh_digest(k->w);
		if (k->check_s > p->check_s)
			p->check_s = k->check_s;
		if (!k->valid && p->valid) {
			p->valid = false;
			snprintf(p->error, sizeof(p->error), "warehouse %u: invariant violated: %s",
				 i + 1, k->e.msg);
		}
	}
	p->bops = p->seconds > 0 ? (double)total / p->seconds : 0;
}

static struct hist *hists_new(void)
{
	struct hist *h = xcalloc(JBB_NTX, sizeof(*h));

	for (unsigned t = 0; t < JBB_NTX; t++)
		hist_reset(&h[t]);
	return h;
}

/* Starts n workers; returns how many started. */
static unsigned start_workers(struct shared *sh, struct worker *ws, unsigned n, struct err *e)
{
	for (unsigned i = 0; i < n; i++) {
		ws[i].sh = sh;
		ws[i].index = i;
		ws[i].hist = hists_new();
		if (pthread_create(&ws[i].tid, NULL, worker_main, &ws[i])) {
			err_set(e, -EAGAIN, "warehouse thread %u: cannot be started", i + 1);
			return i;
		}
	}
	return n;
}

int jbb_point_run(const struct jbb_opts *o, unsigned n, double rate, struct jbb_point *p,
		  struct err *e)
{
	struct shared sh = { .o = o };
	struct worker *ws = xcalloc(n, sizeof(*ws));
	unsigned started;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	p->warehouses = n;
	p->rate = rate;
	p->hist = hists_new();
	sh.interval_ns = rate > 0 ? 1e9 * n / rate : 0;
	atomic_init(&sh.phase, PH_BUILD);
	atomic_init(&sh.built, 0);
	started = start_workers(&sh, ws, n, e);
	if (started < n)
		rc = -EAGAIN;
	while (atomic_load(&sh.built) < started)
		sleep_until(clock_mono_ns() + 200000);
	for (unsigned i = 0; i < started && !rc; i++)
		if (ws[i].rc)
			rc = err_set(e, ws[i].rc, "warehouse %u: %s", i + 1, ws[i].e.msg);
	if (!rc && o->start_at_ns) {
		sleep_until_real(o->start_at_ns);
		p->late_ns = (int64_t)(real_ns() - o->start_at_ns);
	}
	sh.start_ns = clock_mono_ns();
	uint64_t real0 = real_ns();
	/* with a barrier the ramp-up runs from it: a guest woken late keeps the
	 * common interval (its late_ns says by how much); one later than the
	 * ramp-up (or a later point, the barrier long past) ramps up from its
	 * start */
	uint64_t origin = sh.start_ns;
	if (p->late_ns > 0 && (uint64_t)p->late_ns <= o->rampup_ns)
		origin -= (uint64_t)p->late_ns;
	if (rc)
		atomic_store(&sh.phase, PH_STOP);
	else
		drive(&sh, p, origin, real0);
	for (unsigned i = 0; i < started; i++)
		pthread_join(ws[i].tid, NULL);
	if (!rc)
		collect(ws, n, p);
	for (unsigned i = 0; i < n; i++) {
		jbb_wh_free(ws[i].w);
		free(ws[i].hist);
	}
	free(ws);
	if (rc)
		jbb_point_free(p);
	return rc;
}

void jbb_point_free(struct jbb_point *p)
{
	free(p->hist);
	p->hist = NULL;
}

void jbb_point_hist(const struct jbb_point *p, struct hist *h)
{
	hist_reset(h);
	for (unsigned t = 0; p->hist && t < JBB_NTX; t++)
		hist_merge(h, &p->hist[t]);
}

double jbb_metric(const struct jbb_point *p, size_t n, unsigned peak, unsigned *counted)
{
	double sum = 0;
	bool bad = false;

	*counted = 0;
	for (unsigned w = peak; w <= 2 * peak; w++)
		for (size_t i = 0; i < n; i++)
			if (p[i].warehouses == w && p[i].rate == 0) {
				sum += p[i].bops;
				bad = bad || !p[i].valid;
				(*counted)++;
				break;
			}
	return *counted && !bad ? sum / *counted : NAN;
}

double jbb_critical(const struct jbb_point *s, size_t n, double jops[JBB_NSLA],
		    bool met[JBB_NSLA])
{
	struct hist *h = xmalloc(sizeof(*h));
	double *p99 = xcalloc(n + 1, sizeof(*p99)), prod = 1;
	bool all = true;

	for (size_t i = 0; i < n; i++) {
		jbb_point_hist(&s[i], h);
		p99[i] = h->total ? (double)hist_quantile(h, 0.99) / 1e6 : INFINITY;
	}
	for (unsigned k = 0; k < JBB_NSLA; k++) {
		jops[k] = NAN;
		met[k] = false;
		for (size_t i = 0; i < n; i++)
			if (s[i].valid && p99[i] <= jbb_sla_ms[k] && (!met[k] || s[i].bops > jops[k])) {
				jops[k] = s[i].bops;
				met[k] = true;
			}
		all = all && met[k] && jops[k] > 0;
		if (met[k] && jops[k] > 0)
			prod *= pow(jops[k], 1.0 / JBB_NSLA);
	}
	free(h);
	free(p99);
	return all ? prod : NAN;
}
