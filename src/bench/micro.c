/* The microbenchmark registry and the lmbench-style measuring loop. */
#include "bench/micro.h"
#include "measure/clock.h"
#include "measure/stats.h"
#include "base/sbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct micro_ops micro_null_syscall, micro_page_fault, micro_mprotect,
	micro_mmap_munmap, micro_fork_exit, micro_fork_exec, micro_ctx_switch, micro_tlb_shootdown,
	micro_cpuid, micro_rdtsc, micro_clock_gettime, micro_pipe_bw, micro_mem_copy, micro_mem_read;

const struct micro_ops *const micro_suite[] = {
	&micro_null_syscall, &micro_page_fault, &micro_mprotect, &micro_mmap_munmap,
	&micro_fork_exit, &micro_fork_exec, &micro_ctx_switch, &micro_tlb_shootdown,
	&micro_cpuid, &micro_rdtsc, &micro_clock_gettime, &micro_pipe_bw,
	&micro_mem_copy, &micro_mem_read, NULL,
};

const struct micro_ops *micro_find(const char *name)
{
	for (const struct micro_ops *const *m = micro_suite; *m; m++)
		if (!strcmp((*m)->name, name))
			return *m;
	return NULL;
}

uint64_t micro_now(void)
{
	return clock_mono_ns();
}

static double value(const struct micro_ops *m, uint64_t n, uint64_t ns)
{
	if (!ns)
		ns = 1;
	if (m->bytes_per_op > 0)
		return m->bytes_per_op * (double)n / (double)ns * 1e3;   /* bytes/ns -> MB/s */
	return (double)ns / ((double)n * (m->events_per_op > 0 ? m->events_per_op : 1));
}

int micro_measure(const struct micro_ops *m, uint64_t min_ns, int reps, struct micro_result *r)
{
	struct micro_params p = { .min_ns = min_ns, .reps = reps };

	return micro_measure_with(m, &p, r);
}

/* Grows n until one loop lasts min_ns (the first, cold loops double as the
 * warm-up); with p->ops, one loop of p->ops is the warm-up. */
static int calibrate(const struct micro_ops *m, const struct micro_params *p, void *ctx,
		     uint64_t *n_out, struct err *e)
{
	uint64_t n = p->ops ? p->ops : 1, ns = 0, min_ns = p->min_ns;
	int rc;

	for (;;) {
		if ((rc = m->loop(ctx, n, &ns, e)) < 0)
			return rc;
		if (p->ops || ns >= min_ns)
			break;
		if (ns < min_ns / 16)
			n *= 8;
		else
			n = (uint64_t)((double)n * (double)min_ns * 1.1 / (double)ns) + 1;
	}
	*n_out = n;
	return 0;
}

int micro_measure_with(const struct micro_ops *m, const struct micro_params *p,
		       struct micro_result *r)
{
	int reps = p->reps;
	struct err e = { 0 };
	void *ctx = NULL;
	uint64_t n = 1, ns = 0;
	double *v;
	int rc;

	memset(r, 0, sizeof(*r));
	if (m->setup && (rc = m->setup(&ctx, &e)) < 0) {
		r->status = rc == -EOPNOTSUPP ? MICRO_UNSUPPORTED : MICRO_ERROR;
		snprintf(r->error, sizeof(r->error), "%.250s", e.msg);
		return 0;
	}
	if ((rc = calibrate(m, p, ctx, &n, &e)) < 0)
		goto fail;
	v = xcalloc((size_t)reps, sizeof(double));
	for (int k = 0; k < reps; k++) {
		if ((rc = m->loop(ctx, n, &ns, &e)) < 0) {
			free(v);
			goto fail;
		}
		v[k] = value(m, n, ns);
	}
	if (p->count_begin) {
		p->count_begin(p->count_ctx);
		rc = m->loop(ctx, n, &ns, &e);
		p->count_end(p->count_ctx);
		if (rc < 0) {
			free(v);
			goto fail;
		}
	}
	r->min = r->max = v[0];
	for (int k = 1; k < reps; k++) {
		if (v[k] < r->min)
			r->min = v[k];
		if (v[k] > r->max)
			r->max = v[k];
	}
	r->median = stats_median(v, (size_t)reps);
	r->repetitions = reps;
	r->ops = n;
	r->status = MICRO_OK;
	free(v);
	if (m->teardown)
		m->teardown(ctx);
	return 0;
fail:
	r->status = MICRO_ERROR;
	snprintf(r->error, sizeof(r->error), "%.250s", e.msg);
	if (m->teardown)
		m->teardown(ctx);
	return 0;
}
