/* Unit tests of src/bench: every kernel verifies at the tiny size, a wrong
 * checksum and a crashing kernel are caught, rate runs, the registry, and
 * the microbenchmark measuring loop. */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bench/micro.h"
#include "bench/suite.h"

static void test_kernels_verify_tiny(void **state)
{
	int n = 0;

	for (const struct bench_ops *const *b = bench_suite; *b; b++, n++) {
		struct bench_run r;

		assert_int_equal(bench_run_inline(*b, BENCH_TINY, &r), 0);
		if (r.status != BENCH_OK)
			fail_msg("%s: %s", (*b)->name, r.error);
		assert_true(r.checksum_ok);
		assert_true(r.checksum == (*b)->checksum[BENCH_TINY]);
		assert_true(r.wall_s > 0);
	}
	assert_true(n >= 10);
}

static void test_corrupt_checksum_detected(void **state)
{
	const struct bench_ops *b = bench_find("interp");
	struct bench_run r;

	assert_non_null(b);
	bench_checksum_xor = 1;
	assert_int_equal(bench_run_inline(b, BENCH_TINY, &r), 0);
	bench_checksum_xor = 0;
	assert_int_equal(r.status, BENCH_MISMATCH);
	assert_false(r.checksum_ok);
	assert_non_null(strstr(r.error, "expected"));
	assert_string_equal(bench_status_name(r.status), "checksum-mismatch");
}

static void test_copies(void **state)
{
	const struct bench_ops *b = bench_find("align");
	struct bench_run r;
	struct err e = { 0 };

	assert_int_equal(bench_run_copies(b, BENCH_TINY, 2, NULL, &r, &e), 0);
	assert_int_equal(r.status, BENCH_OK);
	assert_true(r.checksum_ok);
	assert_true(r.wall_s > 0);
	assert_int_equal(bench_run_copies(b, BENCH_TINY, 0, NULL, &r, &e), -EINVAL);
}

/* A kernel that dies: the harness must report it as crashed. */
static int dummy_setup(const struct bench_params *p, void **st, struct err *e)
{
	*st = NULL;
	return 0;
}

static int crash_run(void *st, struct bench_result *r)
{
	raise(SIGSEGV);
	return 0;
}

static int bad_setup(const struct bench_params *p, void **st, struct err *e)
{
	return err_set(e, -ENOMEM, "no room");
}

static void dummy_teardown(void *st)
{
}

static void test_crash_and_setup_failure(void **state)
{
	const struct bench_ops crash = { "crash", "dies", "none", dummy_setup, crash_run, dummy_teardown,
					 { 0 }, 0 };
	const struct bench_ops bad = { "bad", "no setup", "none", bad_setup, crash_run, dummy_teardown,
				       { 0 }, 0 };
	struct bench_run r;
	struct err e = { 0 };

	assert_int_equal(bench_run_copies(&crash, BENCH_TINY, 1, NULL, &r, &e), 0);
	assert_int_equal(r.status, BENCH_CRASHED);
	assert_non_null(strstr(r.error, "signal"));
	assert_int_equal(bench_run_copies(&bad, BENCH_TINY, 2, NULL, &r, &e), 0);
	assert_int_equal(r.status, BENCH_ERROR);
	assert_non_null(strstr(r.error, "no room"));
}

/* A kernel whose digest is the CPU it ran on, in its state from setup too. */
static int where_setup(const struct bench_params *p, void **st, struct err *e)
{
	*st = (void *)(intptr_t)sched_getcpu();
	return 0;
}

static int where_run(void *st, struct bench_result *r)
{
	r->checksum = (uint64_t)sched_getcpu() << 16 | (uint64_t)(intptr_t)st;
	r->verified = 1;
	return 0;
}

static void test_bind(void **state)
{
	cpu_set_t allowed;
	int last = -1;
	struct bench_run r;
	struct err e = { 0 };

	assert_int_equal(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &allowed))
			last = c;
	struct bench_ops where = { "where", "reports its CPU", "none", where_setup, where_run, dummy_teardown,
				   { 0 }, 0 };
	struct bench_bind bind = { 1, { last } };

	where.checksum[BENCH_TINY] = (uint64_t)last << 16 | (uint64_t)last;
	/* set-up and run both on the bound CPU, whichever CPU the parent is on */
	for (int k = 0; k < 3; k++) {
		assert_int_equal(bench_run_copies(&where, BENCH_TINY, 1, &bind, &r, &e), 0);
		assert_int_equal(r.status, BENCH_OK);
	}
	/* a CPU that cannot be had: an error naming it, not a crash */
	bind.cpus[0] = CPU_SETSIZE - 1;
	assert_false(CPU_ISSET(CPU_SETSIZE - 1, &allowed));
	assert_int_equal(bench_run_copies(&where, BENCH_TINY, 2, &bind, &r, &e), 0);
	assert_int_equal(r.status, BENCH_ERROR);
	assert_non_null(strstr(r.error, "bind to CPU 1023"));
}

static void test_registry(void **state)
{
	enum bench_size s;

	for (const struct bench_ops *const *b = bench_suite; *b; b++) {
		assert_ptr_equal(bench_find((*b)->name), *b);
		if ((*b)->not_scored)
			continue;
		assert_true(strlen((*b)->summary) > 10);
		assert_true(strlen((*b)->like) > 3);
		for (int k = BENCH_TEST; k < BENCH_NSIZES; k++) {
			assert_true((*b)->checksum[k] != 0);
			if (!(bench_reftime((*b)->name, (enum bench_size)k) > 0))
				fail_msg("%s: no reference time for %s", (*b)->name,
					 bench_size_name((enum bench_size)k));
		}
	}
	assert_null(bench_find("nosuch"));
	assert_int_equal(bench_size_parse("ref", &s), 0);
	assert_int_equal(s, BENCH_REF);
	assert_int_equal(bench_size_parse("tiny", &s), -EINVAL);
	assert_int_equal(bench_size_parse("", &s), -EINVAL);
	assert_true(strlen(bench_ref_machine) > 10);
}

static void test_micro(void **state)
{
	const char *names[] = { "null_syscall", "clock_gettime", "page_fault", "ctx_switch" };

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		const struct micro_ops *m = micro_find(names[k]);
		struct micro_result r;

		assert_non_null(m);
		assert_int_equal(micro_measure(m, 2000000, 3, &r), 0);
		if (r.status != MICRO_OK)
			fail_msg("%s: %s", names[k], r.error);
		assert_true(r.min > 0);
		assert_true(r.min <= r.median && r.median <= r.max);
		assert_int_equal(r.repetitions, 3);
		assert_true(r.ops >= 1);
	}
	assert_null(micro_find("nosuch"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernels_verify_tiny),
		cmocka_unit_test(test_corrupt_checksum_detected),
		cmocka_unit_test(test_copies),
		cmocka_unit_test(test_crash_and_setup_failure),
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_micro),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
