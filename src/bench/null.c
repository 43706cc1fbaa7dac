/* null: a kernel that does no work, so that timing it measures the harness
 * itself (process start, fork, pipes, records). Not part of the score. */
#include "bench/suite.h"

static int null_setup(const struct bench_params *p, void **state, struct err *e)
{
	*state = (void *)(uintptr_t)(p->size + 1);
	return 0;
}

static int null_run(void *state, struct bench_result *r)
{
	r->checksum = bench_mix(0, (uint64_t)(uintptr_t)state);
	return 0;
}

static void null_teardown(void *state)
{
}

const struct bench_ops bench_null = {
	.name = "null",
	.summary = "no work: measures the harness itself (not scored)",
	.like = "-",
	.setup = null_setup,
	.run = null_run,
	.teardown = null_teardown,
	.checksum = {
		0x22bfec325e6fb8f8ull, 0x22bfed325e6fb28full,
		0x22bfee325e6fad52ull, 0x22bfef325e6fa7e1ull,
	},
	.not_scored = 1,
};
