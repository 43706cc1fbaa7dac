/* Unit tests of src/web/timeline: the largest gap between responses (across
 * buckets, at the edges of the interval, after merging threads) and the
 * per-second JSON lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "web/timeline.h"
#include "web/window.h"

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
	web_timeline_response(&t, T0 + 1700 * MS);
	web_timeline_json(&t, 1000 * MS, "support", 2, 7, &o);
	/* 2000 ms make 201 buckets of 10 ms: lines at 0, 1 and 2 s */
	assert_string_equal(sbuf_str(&o),
		"{\"kind\":\"web-timeline\",\"workload\":\"support\",\"iteration\":2,\"sessions\":7,"
		"\"t_s\":0,\"epoch_s\":1700000000,\"responses\":1,\"errors\":0,\"pages\":0,\"pages_good\":0,"
		"\"pages_tolerable\":0,\"pages_failed\":0,\"first_ms\":10,\"last_ms\":10,\"gap_ms\":0}\n"
		"{\"kind\":\"web-timeline\",\"workload\":\"support\",\"iteration\":2,\"sessions\":7,"
		"\"t_s\":1,\"epoch_s\":1700000001,\"responses\":2,\"errors\":0,\"pages\":1,\"pages_good\":0,"
		"\"pages_tolerable\":0,\"pages_failed\":0,\"first_ms\":500,\"last_ms\":700,\"gap_ms\":200}\n"
		"{\"kind\":\"web-timeline\",\"workload\":\"support\",\"iteration\":2,\"sessions\":7,"
		"\"t_s\":2,\"epoch_s\":1700000002,\"responses\":0,\"errors\":0,\"pages\":0,\"pages_good\":0,"
		"\"pages_tolerable\":0,\"pages_failed\":0,\"first_ms\":null,\"last_ms\":null,\"gap_ms\":0}\n");
	sbuf_free(&o);
	web_timeline_free(&t);
}

#define LINE(t, resp, first, last, gap) \
	"{\"kind\":\"web-timeline\",\"workload\":\"banking\",\"iteration\":1,\"sessions\":3,\"t_s\":" #t \
	",\"epoch_s\":" #t ",\"responses\":" #resp ",\"errors\":0,\"pages\":4,\"pages_good\":3," \
	"\"pages_tolerable\":4,\"pages_failed\":0,\"first_ms\":" #first ",\"last_ms\":" #last \
	",\"gap_ms\":" #gap "}\n"

static void test_window(void **state)
{
	/* seconds 100-103 steady; silence from 104.2 to 106.7; an inner gap of 800 ms in 108 */
	static const char text[] =
		LINE(100, 50, 1, 999, 30) LINE(101, 50, 2, 998, 30) LINE(102, 50, 1, 999, 30)
		LINE(103, 50, 1, 999, 30) "\n{\"kind\":\"web-load\",\"x\":1}\n"
		LINE(104, 10, 1, 200, 30) LINE(105, 0, null, null, 0) LINE(106, 10, 700, 990, 30)
		LINE(107, 50, 1, 999, 30) LINE(108, 20, 5, 990, 800);
	struct web_tl_line *l;
	struct web_window w;
	struct err e = { 0 };
	size_t n;

	(void)state;
	assert_int_equal(web_tl_parse(text, strlen(text), "tl", &l, &n, &e), 0);
	assert_int_equal(n, 9);
	assert_int_equal(l[4].line, 7);
	assert_true(isnan(l[5].first_ms));
	/* the window 104.5-106.2 covers seconds 104-106: the gap runs across them */
	assert_int_equal(web_window_eval(l, n, 104.5, 106.2, &w), 0);
	assert_int_equal(w.seconds, 3);
	assert_true(fabs(w.gap_ms - 2500) < 1e-6 && fabs(w.gap_at - 104.2) < 1e-9);
	assert_int_equal(w.responses, 20);
	assert_true(fabs(w.rate - 20.0 / 3) < 1e-9 && w.rate_before == 50);
	assert_true(fabs(w.good_pct - 75) < 1e-9 && w.tolerable_pct == 100);
	/* the inner gap of second 108 is the largest in 107-109 */
	assert_int_equal(web_window_eval(l, n, 107, 108.5, &w), 0);
	assert_true(w.gap_ms == 800 && w.gap_at == 108);
	assert_int_equal(web_window_eval(l, n, 200, 201, &w), -ENOENT);
	free(l);
}

static void test_window_bad_lines(void **state)
{
	static const char *bad[] = {
		"{\"kind\":\"web-timeline\"}\n",
		LINE(100, 5, null, 3, 0),      /* first null, last not */
		LINE(100, 0, 1, 3, 0),         /* no responses with a first */
		LINE(100, 5, 9, 3, 0),         /* last before first */
		"[1]\n",
		"{\"kind\":\"web-timeline\",\n",
	};
	static const char *want[] = {
		"t:1: web-timeline: workload missing", "t:1: web-timeline: last_ms",
		"t:1: web-timeline: last_ms", "t:1: web-timeline: last_ms", "t:1: not a record", "t:1:",
	};
	struct web_tl_line *l = NULL;
	struct err e = { 0 };
	size_t n;

	(void)state;
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		assert_int_equal(web_tl_parse(bad[k], strlen(bad[k]), "t", &l, &n, &e), -EBADMSG);
		if (strncmp(e.msg, want[k], strlen(want[k])))
			fail_msg("line %zu: '%s', want '%s...'", k, e.msg, want[k]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gap_between_buckets),
		cmocka_unit_test(test_gap_at_the_end_and_empty),
		cmocka_unit_test(test_merge_threads),
		cmocka_unit_test(test_json_per_second),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_window_bad_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
