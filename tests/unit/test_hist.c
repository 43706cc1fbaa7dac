/* Unit tests of src/measure/hist: bucket precision, percentiles against sorted
 * data, exact merge, serialisation round trip and rejection of bad text. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "measure/hist.h"

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A value spread log-uniformly over 1 us .. 100 s. */
static uint64_t rand_latency(void)
{
	double u = (double)(rng() >> 11) / 9007199254740992.0;

	return (uint64_t)(1000.0 * pow(1e8, u));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void test_buckets(void **state)
{
	/* contiguous, monotone, every bucket narrower than 1% of its low end */
	for (unsigned i = 0; i + 1 < HIST_BUCKETS; i++) {
		assert_true(hist_bucket_hi(i) + 1 == hist_bucket_lo(i + 1));
		assert_int_equal(hist_index(hist_bucket_lo(i)), i);
		assert_int_equal(hist_index(hist_bucket_hi(i)), i);
		if (hist_bucket_lo(i) >= 1000)
			assert_true((double)(hist_bucket_hi(i) - hist_bucket_lo(i)) <
				    0.01 * (double)hist_bucket_lo(i));
	}
	assert_int_equal(hist_index(UINT64_MAX), HIST_BUCKETS - 1);
	/* 100 s is kept apart from the clamped values */
	assert_true(hist_bucket_lo(HIST_BUCKETS - 1) > 100000000000ull);
}

static void test_percentiles_vs_sorted(void **state)
{
	enum { N = 100000 };
	uint64_t *v = malloc(N * sizeof(*v));
	struct hist *h = malloc(sizeof(*h));
	double qs[] = { 0.001, 0.1, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999 };
	double sum = 0, sumsq = 0;

	hist_reset(h);
	for (int i = 0; i < N; i++) {
		v[i] = rand_latency();
		hist_record(h, v[i]);
		sum += (double)v[i];
	}
	qsort(v, N, sizeof(*v), cmp_u64);
	for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
		size_t rank = (size_t)ceil(qs[k] * N);
		double exact = (double)v[rank - 1], got = (double)hist_quantile(h, qs[k]);

		assert_true(fabs(got - exact) <= 0.005 * exact);
	}
	assert_true(hist_quantile(h, 0) == v[0]);
	assert_true(hist_quantile(h, 1) == v[N - 1]);
	assert_true(h->min == v[0] && h->max == v[N - 1]);
	assert_true(fabs(hist_mean(h) - sum / N) <= 1e-9 * sum / N);
	for (int i = 0; i < N; i++)
		sumsq += ((double)v[i] - sum / N) * ((double)v[i] - sum / N);
	assert_true(fabs(hist_stddev(h) - sqrt(sumsq / (N - 1))) <= 1e-6 * sqrt(sumsq / (N - 1)));
	free(v);
	free(h);
}

static void test_small_exact(void **state)
{
	struct hist *h = malloc(sizeof(*h));

	hist_reset(h);
	assert_true(hist_quantile(h, 0.5) == 0 && hist_mean(h) == 0);
	for (uint64_t x = 1; x <= 100; x++)
		hist_record(h, x);
	/* below 256 ns every value has its own bucket */
	assert_true(hist_quantile(h, 0.5) == 50);
	assert_true(hist_quantile(h, 0.99) == 99);
	assert_true(hist_share_le(h, 10) == 0.1);
	hist_record(h, UINT64_MAX / 2);
	assert_true(h->over == 1 && h->max == UINT64_MAX / 2);
	assert_true(hist_quantile(h, 1) == UINT64_MAX / 2);
	free(h);
}

static void test_merge_exact(void **state)
{
	struct hist *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b)), *all = malloc(sizeof(*all));

	hist_reset(a);
	hist_reset(b);
	hist_reset(all);
	for (int i = 0; i < 50000; i++) {
		uint64_t x = rand_latency();

		hist_record(i % 3 ? a : b, x);
		hist_record(all, x);
	}
	hist_merge(a, b);
	assert_memory_equal(a->counts, all->counts, sizeof(a->counts));
	assert_true(a->total == all->total && a->min == all->min && a->max == all->max);
	assert_true(a->sum == all->sum);
	assert_true(fabs(a->sumsq - all->sumsq) <= 1e-9 * all->sumsq);
	for (double q = 0.01; q < 1; q += 0.01)
		assert_true(hist_quantile(a, q) == hist_quantile(all, q));
	free(a);
	free(b);
	free(all);
}

static void test_serialise_round_trip(void **state)
{
	struct hist *h = malloc(sizeof(*h)), *g = malloc(sizeof(*g));
	struct sbuf s = SBUF_INIT, s2 = SBUF_INIT;
	struct err e;

	hist_reset(h);
	hist_serialise(h, &s);
	assert_int_equal(hist_parse(g, s.buf, s.len, "t", &e), 0);
	assert_true(g->total == 0 && g->min == UINT64_MAX);
	sbuf_reset(&s);
	for (int i = 0; i < 20000; i++)
		hist_record(h, rand_latency());
	hist_record(h, 5);
	hist_record(h, UINT64_MAX);
	hist_serialise(h, &s);
	assert_int_equal(hist_parse(g, s.buf, s.len, "t", &e), 0);
	assert_memory_equal(h->counts, g->counts, sizeof(h->counts));
	assert_true(h->total == g->total && h->over == g->over && h->min == g->min &&
		    h->max == g->max && h->sum == g->sum && h->sumsq == g->sumsq);
	hist_serialise(g, &s2);
	assert_string_equal(sbuf_str(&s), sbuf_str(&s2));
	sbuf_free(&s);
	sbuf_free(&s2);
	free(h);
	free(g);
}

static void test_parse_rejects(void **state)
{
	const char *bad[] = {
		"",
		"hist2 0 0 0 0 0 0",
		"hist1 2 0 5 5 10 50 5:1",            /* counts do not add up */
		"hist1 1 0 5 5 5 25 5:1 5:1",         /* bucket twice (total 2 != 1 too) */
		"hist1 1 0 5 5 5 25 99999:1",         /* index out of range */
		"hist1 1 0 5 5 5 25 5:0",             /* zero count */
		"hist1 1 0 6 6 6 36 5:1",             /* min not in buckets */
		"hist1 1 0 5 5 5 x 5:1",
		"hist1 1 0 5 5 5 25 5:1,",
		"hist1 99999999999999999999 0 5 5 5 25 5:1",
		"hist1 0 0 0 0 0 0",                  /* empty with min 0 */
	};
	struct hist *h = malloc(sizeof(*h));
	struct err e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(hist_parse(h, bad[i], strlen(bad[i]), "in", &e), -EBADMSG);
		assert_true(strncmp(e.msg, "in:1:", 5) == 0);
		assert_true(h->total == 0);
	}
	assert_int_equal(hist_parse(h, "hist1 1 0 5 5 5 25 5:1", 22, "in", &e), 0);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_percentiles_vs_sorted),
		cmocka_unit_test(test_small_exact),
		cmocka_unit_test(test_merge_exact),
		cmocka_unit_test(test_serialise_round_trip),
		cmocka_unit_test(test_parse_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
