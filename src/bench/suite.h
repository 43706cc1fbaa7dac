/* The built-in CPU suite: kernels modelled on SPEC CPU2017 programs, each in
 * its own file behind one registry (suite.c), and the code that runs, times
 * and verifies one iteration of a kernel (optionally as N copies). */
#ifndef VMLAB_BENCH_SUITE_H
#define VMLAB_BENCH_SUITE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* Workload sizes. BENCH_TINY exists for unit tests only (milliseconds). */
enum bench_size { BENCH_TINY, BENCH_TEST, BENCH_TRAIN, BENCH_REF, BENCH_NSIZES };

struct bench_params {
	enum bench_size size;
	uint64_t seed;           /* input generator seed; the checksums hold for BENCH_SEED only */
};

#define BENCH_SEED 0x766d6c6162ull

struct bench_result {
	uint64_t checksum;       /* digest of the kernel's output */
	int verified;            /* the kernel's own consistency check passed (e.g. round trip) */
};

/* One kernel. setup builds the input from p (outside the timed region) and
 * returns 0 with *state owned by the kernel, or a negative errno filling e.
 * run is the timed work: it reads state, may modify it, and fills r; it
 * returns 0, or a negative errno when the kernel found its own output wrong.
 * run is called once per setup. teardown frees state (NULL is fine). */
struct bench_ops {
	const char *name;         /* "flow" */
	const char *summary;      /* one line */
	const char *like;         /* the SPEC CPU2017 program it models: "505.mcf_r" */
	int (*setup)(const struct bench_params *p, void **state, struct err *e);
	int (*run)(void *state, struct bench_result *r);
	void (*teardown)(void *state);
	uint64_t checksum[BENCH_NSIZES];  /* expected digest per size with BENCH_SEED */
	int not_scored;           /* not run by default, no ratio (the null kernel) */
};

/* The registry, NULL-terminated, in a fixed order; scored kernels first. */
extern const struct bench_ops *const bench_suite[];

/* The kernel called name, or NULL. */
const struct bench_ops *bench_find(const char *name);

/* "test" -> BENCH_TEST etc.; "tiny" is not accepted. Returns 0 or -EINVAL. */
int bench_size_parse(const char *s, enum bench_size *size);
const char *bench_size_name(enum bench_size size);

/* Reference times (reftimes.c): the median kernel seconds of one copy on the
 * reference machine, or 0 when none is recorded. */
double bench_reftime(const char *name, enum bench_size size);
extern const char bench_ref_machine[];

enum bench_status { BENCH_OK, BENCH_MISMATCH, BENCH_CRASHED, BENCH_ERROR };

/* "ok", "checksum-mismatch", "crashed", "error". */
const char *bench_status_name(enum bench_status s);

/* The outcome of one iteration. */
struct bench_run {
	enum bench_status status;
	double wall_s;            /* kernel time; for copies > 1, first start to last finish */
	double user_s, sys_s;     /* summed over copies, kernel only for one copy */
	uint64_t checksum;        /* of the first copy that reported */
	int checksum_ok;
	char error[256];          /* when status != BENCH_OK */
};

/* Test hook: when non-zero, XORed into every computed checksum, so the
 * verification path can be checked; the CLI sets it from the environment
 * variable VMLAB_CPU_CORRUPT_CHECKSUM (see vmlab-cpu(1)). */
extern uint64_t bench_checksum_xor;

/* Runs b once in this process: setup, timed run, teardown, verification.
 * Fills out; returns 0 (look at out->status). */
int bench_run_inline(const struct bench_ops *b, enum bench_size size, struct bench_run *out);

/* Where copies run: copy k is bound to cpus[k % n] (as SPEC's bind or
 * taskset does); n == 0 leaves them to the scheduler. */
struct bench_bind {
	int n;
	int cpus[256];
};

/* Runs b as copies forked processes started together (SPECrate style;
 * copies >= 1), bound as bind says (NULL: unbound). Each child binds
 * itself, sets up its input, waits until all are ready, runs the kernel and
 * reports; a child that cannot bind is an "error", one killed by a signal or
 * exiting without a report makes the iteration "crashed". Returns 0 (look
 * at out->status) or a negative errno when the processes could not be
 * created (e filled). */
int bench_run_copies(const struct bench_ops *b, enum bench_size size, int copies,
		     const struct bench_bind *bind, struct bench_run *out, struct err *e);

/* Writes every page of p[0..n) once without changing its bytes, so a
 * kernel's set-up takes the first-touch page faults of memory its timed run
 * would otherwise fault in. */
void bench_prefault(void *p, size_t n);

/* Defines `const struct bench_ops bench_ID` for a scored kernel whose
 * functions are FN_setup, FN_run and FN_free, with its expected digests for
 * BENCH_TINY, BENCH_TEST, BENCH_TRAIN and BENCH_REF in that order. */
#define BENCH_KERNEL(id, fn, summary_, like_, tiny, test, train, ref)                   \
	const struct bench_ops bench_##id = {                                          \
		.name = #id, .summary = summary_, .like = like_, .setup = fn##_setup,  \
		.run = fn##_run, .teardown = fn##_free,                                 \
		.checksum = { tiny, test, train, ref },                                 \
	}

/* The start of a kernel's set-up: declares V, a new zeroed T (freed by the
 * kernel's teardown) whose size row V->s is sizes[p->size], and R, a
 * generator seeded with p->seed. */
#define BENCH_STATE(T, V, R, p)                                                         \
	T *V = xcalloc(1, sizeof(T));                                                  \
	struct rng R;                                                                  \
	V->s = &sizes[(p)->size];                                                      \
	rng_seed(&R, (p)->seed)

/* Digest helpers for the kernels: FNV-1a style 64-bit mixing. */
static inline uint64_t bench_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	h *= 0x100000001b3ull;
	return h ^ (h >> 29);
}

/* The digest of a double's bit pattern (kernels avoid contraction and fast
 * math, so results are bit-identical across gcc and clang at -O2). */
static inline uint64_t bench_mix_double(uint64_t h, double d)
{
	union { double d; uint64_t u; } c = { .d = d };

	return bench_mix(h, c.u);
}

#endif
