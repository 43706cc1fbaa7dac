/* Unit tests of src/measure: statistics and clocks. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "measure/clock.h"
#include "measure/stats.h"

static void test_welford(void **state)
{
	struct welford w = { 0 };
	double xs[] = { 2, 4, 4, 4, 5, 5, 7, 9 };

	for (int i = 0; i < 8; i++)
		welford_add(&w, xs[i]);
	assert_true(fabs(w.mean - 5) < 1e-12);
	assert_true(fabs(welford_stddev(&w) - sqrt(32.0 / 7)) < 1e-12);
	assert_true(w.min == 2 && w.max == 9);
}

static void test_median_quantile(void **state)
{
	double odd[] = { 5, 1, 3 }, even[] = { 4, 1, 3, 2 };

	assert_true(stats_median(odd, 3) == 3);
	assert_true(stats_median(even, 4) == 2.5);
	assert_true(stats_quantile(even, 4, 0) == 1);
	assert_true(stats_quantile(even, 4, 1) == 4);
	assert_true(fabs(stats_quantile(even, 4, 0.9) - 3.7) < 1e-12);
	assert_true(isnan(stats_median(odd, 0)));
}

static void test_median_ci(void **state)
{
	double v[10], lo, hi;

	for (int i = 0; i < 10; i++)
		v[i] = 10 - i;
	/* n=10: order statistics 2 and 9 give 97.9% coverage */
	assert_int_equal(stats_median_ci95(v, 10, &lo, &hi), 0);
	assert_true(lo == 2 && hi == 9);
	assert_int_equal(stats_median_ci95(v, 5, &lo, &hi), 1);
	assert_true(lo == 6 && hi == 10);
}

static void test_geomean(void **state)
{
	double v[] = { 1, 4, 16 }, bad[] = { 1, 0 };

	assert_true(fabs(stats_geomean(v, 3) - 4) < 1e-12);
	assert_true(isnan(stats_geomean(bad, 2)));
}

static void test_clock(void **state)
{
	char buf[32];
	uint64_t a = clock_mono_ns(), b = clock_mono_ns();

	assert_true(b >= a);
	clock_iso8601(1764097200123000000ull, buf);
	assert_string_equal(buf, "2025-11-25T19:00:00.123Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_welford),
		cmocka_unit_test(test_median_quantile),
		cmocka_unit_test(test_median_ci),
		cmocka_unit_test(test_geomean),
		cmocka_unit_test(test_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
