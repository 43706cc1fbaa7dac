/* Unit tests of src/web/timeline: the largest gap between responses (across
 * buckets, at the edges of the interval, after merging threads) and the
 * per-second JSON lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "web/timeline.h"

#define MS 1000000ull
#define T0 5000000000ull   /* the timeline's start on the monotonic clock */

static void test_gap_between_buckets(void **state)
{
	struct web_timeline t;
	uint64_t at;

	(void)state;
	web_timeline_init(&t, T0, 0, 1000 * MS);
	for (uint64_t ms = 0; ms < 1000; ms += 5)
		if (ms < 300 || ms >= 717)
			web_timeline_response(&t, T0 + ms * MS + 1);
	/* the last response before the silence at 295 ms + 1 ns, the first after at 720 ms + 1 ns */
	assert_int_equal(web_timeline_gap(&t, 0, 1000 * MS, &at), 425 * MS);
	assert_int_equal(at, 295 * MS + 1);
	/* inside the interval only: from 400 ms the first response is at 720 ms */
	assert_int_equal(web_timeline_gap(&t, 400 * MS, 1000 * MS, &at), 320 * MS + 1);
	assert_int_equal(at, 400 * MS);
	/* a steady stream: the gap is under one bucket */
	assert_true(web_timeline_gap(&t, 0, 290 * MS, &at) < t.bucket_ns);
	web_timeline_free(&t);
}

static void test_gap_at_the_end_and_empty(void **state)
{
	struct web_timeline t;
	uint64_t at;

	(void)state;
	web_timeline_init(&t, T0, 0, 2000 * MS);
	assert_int_equal(web_timeline_gap(&t, 0, 2000 * MS, &at), 2000 * MS);
	web_timeline_response(&t, T0 + 100 * MS);
	/* no response after 100 ms: the gap runs to the end of the interval */
	assert_int_equal(web_timeline_gap(&t, 0, 2000 * MS, &at), 1900 * MS);
	assert_int_equal(at, 100 * MS);
	/* a response outside the span is counted in the last bucket */
	web_timeline_response(&t, T0 + 9000 * MS);
	assert_int_equal(t.b[t.n - 1].responses, 1);
	web_timeline_free(&t);
}

static void test_merge_threads(void **state)
{
	struct web_timeline a, b;
	uint64_t at;

	(void)state;
	web_timeline_init(&a, T0, 0, 1000 * MS);
	web_timeline_init(&b, T0, 0, 1000 * MS);
	/* each thread alone is silent for long; together never for more than 200 ms */
	for (uint64_t ms = 0; ms < 1000; ms += 400)
		web_timeline_response(&a, T0 + ms * MS);
	for (uint64_t ms = 200; ms < 1000; ms += 400)
		web_timeline_response(&b, T0 + ms * MS);
	web_timeline_at(&b, T0 + 200 * MS)->errors++;
	assert_int_equal(web_timeline_gap(&a, 0, 1000 * MS, &at), 400 * MS);
	web_timeline_merge(&a, &b);
	assert_int_equal(web_timeline_gap(&a, 0, 1000 * MS, &at), 200 * MS);
	assert_int_equal(a.b[20].responses, 1);
	assert_int_equal(a.b[20].errors, 1);
	web_timeline_free(&a);
	web_timeline_free(&b);
}

static void test_json_per_second(void **state)
{
	struct web_timeline t;
	struct sbuf o = SBUF_INIT;

	(void)state;
	web_timeline_init(&t, T0, 1700000000ull * 1000000000ull, 2000 * MS);
	web_timeline_response(&t, T0 + 10 * MS);
	web_timeline_response(&t, T0 + 1500 * MS);
	web_timeline_at(&t, T0 + 1500 * MS)->pages++;
	web_timeline_json(&t, 1000 * MS, 2, 7, &o);
	/* 2000 ms make 201 buckets of 10 ms: lines at 0, 1 and 2 s */
	assert_string_equal(sbuf_str(&o),
		"{\"kind\":\"web-timeline\",\"iteration\":2,\"sessions\":7,\"t_s\":0,\"epoch_s\":1700000000,"
		"\"responses\":1,\"errors\":0,\"pages\":0,\"pages_good\":0,\"pages_tolerable\":0,"
		"\"pages_failed\":0,\"gap_ms\":990}\n"
		"{\"kind\":\"web-timeline\",\"iteration\":2,\"sessions\":7,\"t_s\":1,\"epoch_s\":1700000001,"
		"\"responses\":1,\"errors\":0,\"pages\":1,\"pages_good\":0,\"pages_tolerable\":0,"
		"\"pages_failed\":0,\"gap_ms\":500}\n"
		"{\"kind\":\"web-timeline\",\"iteration\":2,\"sessions\":7,\"t_s\":2,\"epoch_s\":1700000002,"
		"\"responses\":0,\"errors\":0,\"pages\":0,\"pages_good\":0,\"pages_tolerable\":0,"
		"\"pages_failed\":0,\"gap_ms\":10}\n");
	sbuf_free(&o);
	web_timeline_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gap_between_buckets),
		cmocka_unit_test(test_gap_at_the_end_and_empty),
		cmocka_unit_test(test_merge_threads),
		cmocka_unit_test(test_json_per_second),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
