/* Memory bandwidth microbenchmarks over buffers far larger than the caches. */
#include "bench/micro.h"
#include "base/sbuf.h"

#include <stdlib.h>
#include <string.h>

#define MEM_BYTES (64u << 20)

struct membuf {
	char *a, *b;
};

static int mem_setup(void **ctx, struct err *e)
{
	struct membuf *m = xcalloc(1, sizeof(*m));

	m->a = xmalloc(MEM_BYTES);
	m->b = xmalloc(MEM_BYTES);
	memset(m->a, 1, MEM_BYTES);
	memset(m->b, 2, MEM_BYTES);
	*ctx = m;
	return 0;
}

static void mem_teardown(void *ctx)
{
	struct membuf *m = ctx;

	free(m->a), free(m->b), free(m);
}

/* One operation copies the 64 MiB buffer (counted once, as lmbench bw_mem cp). */
static int copy_loop(void *ctx, uint64_t n, uint64_t *ns, struct err *e)
{
	struct membuf *m = ctx;
	uint64_t t0 = micro_now();

	for (uint64_t k = 0; k < n; k++) {
		memcpy((k & 1) ? m->a : m->b, (k & 1) ? m->b : m->a, MEM_BYTES);
		__asm__ volatile("" ::: "memory");
	}
	*ns = micro_now() - t0;
	return 0;
}

const struct micro_ops micro_mem_copy = {
	"mem_copy", "memory bandwidth: memcpy of 64 MiB", "MB/s", MEM_BYTES, 0,
	mem_setup, copy_loop, mem_teardown,
};

/* One operation reads the 64 MiB buffer as 64-bit words. */
static int read_loop(void *ctx, uint64_t n, uint64_t *ns, struct err *e)
{
	struct membuf *m = ctx;
	const uint64_t *w = (const uint64_t *)(void *)m->a;
	volatile uint64_t sink;
	uint64_t t0 = micro_now();

	for (uint64_t k = 0; k < n; k++) {
		uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;

		for (size_t i = 0; i < MEM_BYTES / 8; i += 4)
			s0 += w[i], s1 += w[i + 1], s2 += w[i + 2], s3 += w[i + 3];
		sink = s0 + s1 + s2 + s3;
		__asm__ volatile("" ::: "memory");
	}
	*ns = micro_now() - t0;
	(void)sink;
	return 0;
}

const struct micro_ops micro_mem_read = {
	"mem_read", "memory bandwidth: sum of 64 MiB as 64-bit words", "MB/s", MEM_BYTES, 0,
	mem_setup, read_loop, mem_teardown,
};
