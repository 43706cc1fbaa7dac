/* Microbenchmarks of instructions and clocks a hypervisor may trap or
 * emulate: cpuid, rdtsc and clock_gettime. The only architecture-specific
 * code of the suite lives here. */
#include "bench/micro.h"

#include <errno.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#define HAVE_X86 1
static inline void do_cpuid(unsigned leaf)
{
	unsigned a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(0));
}

static inline uint64_t do_rdtsc(void)
{
	unsigned lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}
#else
#define HAVE_X86 0
static inline void do_cpuid(unsigned leaf) { (void)leaf; }
static inline uint64_t do_rdtsc(void) { return 0; }
#endif

static int x86_setup(void **ctx, struct err *e)
{
	return HAVE_X86 ? 0 : err_set(e, -EOPNOTSUPP, "an x86 instruction; this is not x86");
}

/* cpuid always exits to the hypervisor in an HVM guest. */
static int cpuid_loop(void *ctx, uint64_t n, uint64_t *ns, struct err *e)
{
	uint64_t t0 = micro_now();

	for (uint64_t k = 0; k < n; k++)
		do_cpuid(0);
	*ns = micro_now() - t0;
	return 0;
}

const struct micro_ops micro_cpuid = {
	"cpuid", "the cpuid instruction (leaf 0)", "ns/op", 0, 0, x86_setup, cpuid_loop, NULL,
};

static int rdtsc_loop(void *ctx, uint64_t n, uint64_t *ns, struct err *e)
{
	volatile uint64_t sink = 0;
	uint64_t t0 = micro_now();

	for (uint64_t k = 0; k < n; k++)
		sink += do_rdtsc();
	*ns = micro_now() - t0;
	(void)sink;
	return 0;
}

const struct micro_ops micro_rdtsc = {
	"rdtsc", "the rdtsc instruction", "ns/op", 0, 0, x86_setup, rdtsc_loop, NULL,
};

static int clock_loop(void *ctx, uint64_t n, uint64_t *ns, struct err *e)
{
	struct timespec ts;
	uint64_t t0 = micro_now();

	for (uint64_t k = 0; k < n; k++)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	*ns = micro_now() - t0;
	return 0;
}

const struct micro_ops micro_clock_gettime = {
	"clock_gettime", "clock_gettime(CLOCK_MONOTONIC) (vDSO or system call per clocksource)",
	"ns/op", 0, 0, NULL, clock_loop, NULL,
};
