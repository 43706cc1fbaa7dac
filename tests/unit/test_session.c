/* Unit tests of src/web/session: the QoS verdict at its limits and exact
 * merging of per-thread counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "web/session.h"

static struct web_load_stats *stats(uint64_t pages, uint64_t good, uint64_t tol)
{
	struct web_load_stats *s = malloc(sizeof(*s));

	web_load_stats_reset(s);
	s->pages = pages;
	s->pages_good = good;
	s->pages_tolerable = tol;
	return s;
}

static void test_qos_limits(void **state)
{
	const struct web_workload *wl = web_workload(WEB_BANKING);
	struct web_load_stats *s;
	struct web_qos q;

	/* exactly 95% good and 99% tolerable passes */
	s = stats(1000, 950, 990);
	web_qos_eval(wl, 0, s, &q);
	assert_true(q.pass && q.enough);
	s->pages_good = 949;
	web_qos_eval(wl, 0, s, &q);
	assert_false(q.pass);
	s->pages_good = 950;
	s->pages_tolerable = 989;
	web_qos_eval(wl, 0, s, &q);
	assert_false(q.pass);
	free(s);
	/* too few pages for the workload's minimum, unless lowered */
	s = stats(wl->min_requests - 1, wl->min_requests - 1, wl->min_requests - 1);
	web_qos_eval(wl, 0, s, &q);
	assert_false(q.enough || q.pass);
	web_qos_eval(wl, 10, s, &q);
	assert_true(q.enough && q.pass);
	free(s);
}

static void test_qos_downloads(void **state)
{
	const struct web_workload *wl = web_workload(WEB_SUPPORT);
	struct web_load_stats *s = stats(200, 180, 180);
	struct web_qos q;

	/* 20 downloads: judged by byte rate, not by page time */
	s->downloads = 20;
	s->dl_good = 19;
	s->dl_tolerable = 20;
	web_qos_eval(wl, 0, s, &q);
	assert_true(q.good_pct == 100 && q.dl_good_pct == 95);
	assert_true(q.pass);
	s->dl_good = 18;
	web_qos_eval(wl, 0, s, &q);
	assert_false(q.pass);
	free(s);
}

static void test_merge(void **state)
{
	struct web_load_stats *a = stats(10, 9, 10), *b = stats(5, 5, 5), *all = stats(0, 0, 0);

	hist_record(&a->page_lat, 1000000);
	hist_record(&b->page_lat, 3000000);
	a->err[HE_TIMEOUT] = 2;
	b->perr[-HTTP_E_CHUNK - 1] = 1;
	b->page_count[3] = 4;
	web_load_stats_merge(all, a);
	web_load_stats_merge(all, b);
	assert_int_equal(all->pages, 15);
	assert_int_equal(all->pages_good, 14);
	assert_int_equal(all->err[HE_TIMEOUT], 2);
	assert_int_equal(all->perr[-HTTP_E_CHUNK - 1], 1);
	assert_int_equal(all->page_count[3], 4);
	assert_int_equal(all->page_lat.total, 2);
	assert_int_equal(all->page_lat.min, 1000000);
	assert_int_equal(all->page_lat.max, 3000000);
	free(a);
	free(b);
	free(all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qos_limits),
		cmocka_unit_test(test_qos_downloads),
		cmocka_unit_test(test_merge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
