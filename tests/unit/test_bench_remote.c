/* Unit tests of src/web/bench_remote: merging clients' web-bench records is
 * exact, and malformed records are rejected with the field named. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "web/bench_remote.h"

#define ERRS "\"errors\":{\"connect\":1,\"read\":0,\"write\":0,\"timeout\":2,\"status\":0," \
	     "\"status-line\":0,\"header\":0,\"header-too-large\":0,\"chunk\":0,\"truncated\":3}"
#define STATUS "\"status_classes\":{\"other\":0,\"1xx\":0,\"2xx\":%d,\"3xx\":0,\"4xx\":0,\"5xx\":0}"

static char *record(int requests, const char *hist, double elapsed)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf),
		 "{\"kind\":\"web-bench\",\"requests\":%d,\"bytes\":%d,\"connects\":4,"
		 "\"elapsed_s\":%g,\"cpu_user_s\":0.5,\"cpu_sys_s\":0.25," ERRS "," STATUS
		 ",\"hist\":\"%s\"}\n", requests, requests * 100, elapsed, requests, hist);
	return buf;
}

static void test_merge_exact(void **state)
{
	struct http_stats *st = malloc(sizeof(*st));
	double el, cpu;
	struct err e;
	char *r;

	http_stats_reset(st);
	r = record(2, "hist1 2 0 1000 3000 4000 10000000 506:1 699:1", 1.5);
	assert_int_equal(bench_record_merge(r, strlen(r), "a", st, &el, &cpu, &e), 0);
	assert_true(el == 1.5 && cpu == 0.75);
	r = record(1, "hist1 1 0 1000 1000 1000 1000000 506:1", 1.25);
	assert_int_equal(bench_record_merge(r, strlen(r), "b", st, &el, &cpu, &e), 0);
	assert_int_equal(st->requests, 3);
	assert_int_equal(st->bytes, 300);
	assert_int_equal(st->connects, 8);
	assert_int_equal(st->err[HE_CONNECT], 2);
	assert_int_equal(st->err[HE_TIMEOUT], 4);
	assert_int_equal(st->perr[-HTTP_E_TRUNCATED - 1], 6);
	assert_int_equal(st->status[2], 3);
	assert_int_equal(st->lat.total, 3);
	assert_int_equal(st->lat.counts[506], 2);
	assert_int_equal(st->lat.sum, 5000);
	assert_int_equal(st->lat.min, 1000);
	assert_int_equal(st->lat.max, 3000);
	free(st);
}

static void test_rejects(void **state)
{
	struct http_stats *st = malloc(sizeof(*st));
	const char *bad[] = {
		"not json",
		"{\"kind\":\"web-load\"}",
		"{\"kind\":\"web-bench\",\"bytes\":1}",
	};
	double el, cpu;
	struct err e;
	char *r;

	http_stats_reset(st);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(bench_record_merge(bad[i], strlen(bad[i]), "h", st, &el, &cpu, &e),
				 -EBADMSG);
	/* the histogram must hold one value per request */
	r = record(5, "hist1 1 0 1000 1000 1000 1000000 506:1", 1);
	assert_int_equal(bench_record_merge(r, strlen(r), "h", st, &el, &cpu, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "histogram"));
	r = record(1, "hist1 1 0 1000 1000 1000 1000000 9999999:1", 1);
	assert_int_equal(bench_record_merge(r, strlen(r), "h", st, &el, &cpu, &e), -EBADMSG);
	assert_int_equal(st->requests, 0);
	free(st);
}

/* failed requests and their time to the error travel with the record */
static void test_failed_requests_merged(void **state)
{
	struct http_stats *st = malloc(sizeof(*st));
	const char *hist = "hist1 1 0 1000 1000 1000 1000000 506:1";
	char r[4096], *base;
	double el, cpu;
	struct err e;
	size_t n;

	http_stats_reset(st);
	base = record(1, hist, 1);
	n = strlen(base) - 2;  /* without "}\n" */
	snprintf(r, sizeof(r), "%.*s,\"failed\":2,\"failed_hist\":\"%s\"}", (int)n, base,
		 "hist1 2 0 5000 9000 14000 106000000 796:1 908:1");
	assert_int_equal(bench_record_merge(r, strlen(r), "a", st, &el, &cpu, &e), 0);
	assert_int_equal(bench_record_merge(r, strlen(r), "b", st, &el, &cpu, &e), 0);
	assert_int_equal(st->failed, 4);
	assert_int_equal(st->fail_lat.total, 4);
	assert_int_equal(st->fail_lat.max, 9000);
	assert_int_equal(st->lat.total, 2);
	/* a count without its histogram, or one that disagrees with it */
	snprintf(r, sizeof(r), "%.*s,\"failed\":2}", (int)n, base);
	assert_int_equal(bench_record_merge(r, strlen(r), "c", st, &el, &cpu, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "failed_hist"));
	snprintf(r, sizeof(r), "%.*s,\"failed\":3,\"failed_hist\":\"%s\"}", (int)n, base,
		 "hist1 2 0 5000 9000 14000 106000000 796:1 908:1");
	assert_int_equal(bench_record_merge(r, strlen(r), "d", st, &el, &cpu, &e), -EBADMSG);
	snprintf(r, sizeof(r), "%.*s,\"failed\":\"x\",\"failed_hist\":\"%s\"}", (int)n, base,
		 hist);
	assert_int_equal(bench_record_merge(r, strlen(r), "e", st, &el, &cpu, &e), -EBADMSG);
	assert_int_equal(st->failed, 4);
	free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_exact),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_failed_requests_merged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
