/* Unit tests of the jbb workload: the warehouse's invariants hold after
 * every transaction type and fail when a table is corrupted; the driver's
 * points, SPECjbb2005's metric and the critical figure; the SPECjbb kit
 * output parser on transcribed reports; the command-string word splitter. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/fileio.h"
#include "base/sshargv.h"
#include "base/words.h"
#include "bench/jbb_impl.h"
#include "bench/jbb_kit.h"
#include "bench/jbb_run.h"
#include "run/record.h"

/* Small enough that the rings wrap within a few thousand transactions. */
static const struct jbb_dims small = {
	.items = 500, .districts = 10, .customers = 60, .orders = 256, .history = 64,
};

static struct jbb_wh *busy_warehouse(unsigned ntx)
{
	struct jbb_wh *w;
	struct err e = { 0, "" };
	unsigned full = 0;

	assert_int_equal(jbb_wh_new(&small, 42, &w, &e), 0);
	for (unsigned k = 0; k < ntx; k++)
		full += jbb_wh_run(w, jbb_wh_draw(w)) == -ENOSPC;
	assert_true(full < ntx / 100);
	return w;
}

static void test_deck_mix(void **state)
{
	struct jbb_wh *w;
	struct err e = { 0, "" };
	unsigned n[JBB_NTX] = { 0 };

	assert_int_equal(jbb_wh_new(&small, 1, &w, &e), 0);
	for (unsigned k = 0; k < 33 * 100; k++)
		n[jbb_wh_draw(w)]++;
	for (unsigned t = 0; t < JBB_NTX; t++)
		assert_int_equal(n[t], jbb_deck_counts[t] * 100);
	jbb_wh_free(w);
}

static void test_invariants_hold(void **state)
{
	struct err e = { 0, "" };
	struct jbb_wh *w;

	assert_int_equal(jbb_wh_new(&small, 7, &w, &e), 0);
	assert_int_equal(jbb_wh_check(w, &e), 0);
	jbb_wh_free(w);
	w = busy_warehouse(20000);
	if (jbb_wh_check(w, &e))
		fail_msg("%s", e.msg);
	/* the rings wrapped: orders and history rows were archived */
	assert_true(w->dist[0].arch_orders > 0);
	assert_true(w->dist[0].arch_hist_rows > 0);
	jbb_wh_free(w);
}

/* Each corruption of one table must be caught, naming what broke. */
static void test_corruption_caught(void **state)
{
	struct err e = { 0, "" };
	const char *want[] = { "stock of item", "balances plus payments", "lines sum to",
			       "history sums to", "warehouse: year-to-date", "carrier",
			       "order lines", "payments and" };

	for (unsigned k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		struct jbb_wh *w = busy_warehouse(5000);
		struct jbb_district *t = &w->dist[1];
		struct jbb_order *o = &t->orders[(t->next_order - 1) % small.orders];
		switch (k) {
		case 0: w->stock[17].quantity += 1; break;
		case 1: t->cust[5].balance -= 1; break;
		case 2: o->amount += 1; break;
		case 3: t->hist[3].amount += 1; break;
		case 4: w->ytd += 1; break;
		case 5: o->carrier = 3; break;
		case 6: w->stock[3].order_cnt += 1; break;
		case 7: t->cust[2].payment_cnt += 1; break;
		}
		assert_int_equal(jbb_wh_check(w, &e), -EUCLEAN);
		if (!strstr(e.msg, want[k]))
			fail_msg("corruption %u: '%s' lacks '%s'", k, e.msg, want[k]);
		jbb_wh_free(w);
	}
}

static void test_deterministic(void **state)
{
	struct jbb_wh *a = busy_warehouse(3000), *b = busy_warehouse(3000);

	assert_true(jbb_wh_digest(a) == jbb_wh_digest(b));
	assert_true(a->dist[2].next_order == b->dist[2].next_order);
	jbb_wh_free(a);
	jbb_wh_free(b);
}

static void test_default_size(void **state)
{
	struct err e = { 0, "" };
	struct jbb_wh *w;
	struct jbb_dims bad = small;

	assert_int_equal(jbb_wh_new(&jbb_dims_default, 3, &w, &e), 0);
	/* "tens of MB" a warehouse */
	assert_true(jbb_wh_bytes(w) > 20u << 20 && jbb_wh_bytes(w) < 60u << 20);
	jbb_wh_free(w);
	bad.districts = 0;
	assert_int_equal(jbb_wh_new(&bad, 3, &w, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "districts"));
}

static void test_point_run(void **state)
{
	struct jbb_opts o = { .rampup_ns = 20000000, .measure_ns = 100000000, .dims = small,
			      .seed = 5 };
	struct jbb_point p;
	struct err e = { 0, "" };
	uint64_t total = 0;

	assert_int_equal(jbb_point_run(&o, 2, 0, &p, &e), 0);
	assert_true(p.valid);
	assert_int_equal(p.warehouses, 2);
	assert_true(p.seconds >= 0.1 && p.seconds < 1.0);
	for (unsigned t = 0; t < JBB_NTX; t++) {
		assert_int_equal(p.hist[t].total, p.ops[t]);
		total += p.ops[t];
	}
	assert_true(total > 200);
	assert_true(fabs(p.bops - total / p.seconds) < 1e-6 * p.bops);
	/* the mix shows in the counts: new orders about 10 per 33 */
	assert_true(fabs((double)p.ops[JBB_NEW_ORDER] / total - 10.0 / 33) < 0.02);
	jbb_point_free(&p);
	/* paced: 2000/s asked gives about 2000 per second measured (a late
	 * thread catches up on its schedule) */
	assert_int_equal(jbb_point_run(&o, 2, 2000, &p, &e), 0);
	total = 0;
	for (unsigned t = 0; t < JBB_NTX; t++)
		total += p.ops[t];
	if (total < 0.6 * 2000 * p.seconds || total > 1.3 * 2000 * p.seconds)
		fail_msg("%llu transactions in %.3f s at 2000/s", (unsigned long long)total, p.seconds);
	jbb_point_free(&p);
}

static struct jbb_point pt(unsigned w, double bops)
{
	struct jbb_point p;

	memset(&p, 0, sizeof(p));
	p.warehouses = w;
	p.bops = bops;
	p.valid = true;
	return p;
}

static void test_metric(void **state)
{
	struct jbb_point p[] = { pt(1, 100), pt(2, 190), pt(3, 200), pt(4, 210), pt(5, 205) };
	unsigned counted;

	/* N = 2: mean of 2..4 */
	assert_float_equal(jbb_metric(p, 5, 2, &counted), 200.0, 1e-9);
	assert_int_equal(counted, 3);
	/* only points 1..3 run: mean of the two present, and the caller is told */
	assert_float_equal(jbb_metric(p, 3, 2, &counted), 195.0, 1e-9);
	assert_int_equal(counted, 2);
	/* N = 4: 4 and 5 of 4..8 */
	assert_float_equal(jbb_metric(p, 5, 4, &counted), 207.5, 1e-9);
	assert_int_equal(counted, 2);
	assert_true(isnan(jbb_metric(p, 1, 2, &counted)));
	assert_int_equal(counted, 0);
	/* an invalid point makes no metric */
	p[2].valid = false;
	assert_true(isnan(jbb_metric(p, 5, 2, &counted)));
}

/* A stepped point whose transactions all took lat_ms. */
static struct jbb_point step(double bops, double lat_ms)
{
	struct jbb_point p = pt(2, bops);

	p.hist = calloc(JBB_NTX, sizeof(*p.hist));
	for (unsigned t = 0; t < JBB_NTX; t++)
		hist_reset(&p.hist[t]);
	for (unsigned k = 0; k < 1000; k++)
		hist_record(&p.hist[k % JBB_NTX], (uint64_t)(lat_ms * 1e6));
	return p;
}

static void test_critical(void **state)
{
	struct jbb_point s[] = { step(100, 1), step(200, 20), step(300, 60), step(400, 90),
				 step(500, 500) };
	double jops[JBB_NSLA], c;
	bool met[JBB_NSLA];

	c = jbb_critical(s, 5, jops, met);
	assert_float_equal(jops[0], 100, 1e-9);
	assert_float_equal(jops[1], 200, 1e-9);
	assert_float_equal(jops[2], 200, 1e-9);
	assert_float_equal(jops[3], 300, 1e-9);
	assert_float_equal(jops[4], 400, 1e-9);
	assert_float_equal(c, pow(100.0 * 200 * 200 * 300 * 400, 0.2), 1e-6);
	/* without the 1 ms step, p99 <= 10 ms is never met: no figure, and said so */
	c = jbb_critical(s + 1, 4, jops, met);
	assert_false(met[0]);
	assert_true(isnan(jops[0]));
	assert_true(met[1]);
	assert_true(isnan(c));
	for (unsigned k = 0; k < 5; k++)
		jbb_point_free(&s[k]);
}

static void load(const char *name, struct sbuf *t)
{
	char path[256];
	struct err e = { 0, "" };

	snprintf(path, sizeof(path), "data/jbb/%s", name);
	sbuf_reset(t);
	if (file_read(path, t, &e))
		fail_msg("%s", e.msg);
}

static void test_kit_2005(void **state)
{
	struct sbuf t = SBUF_INIT;
	struct jbb_kit_result r;
	struct err e = { 0, "" };

	load("specjbb2005_report.txt", &t);
	assert_int_equal(jbb_kit_parse(t.buf, t.len, "r.txt", &r, &e), 0);
	assert_int_equal(r.version, 2005);
	assert_float_equal(r.score, 41227, 1e-9);
	assert_float_equal(r.score_per_jvm, 41227, 1e-9);
	assert_int_equal(r.npoints, 4);
	assert_int_equal(r.points[0].warehouses, 1);
	assert_float_equal(r.points[0].bops, 21410, 1e-9);
	assert_false(r.points[0].in_metric);
	assert_int_equal(r.points[3].warehouses, 4);
	assert_true(r.points[3].in_metric);
	/* the score is the mean of the starred points, as the report says */
	assert_float_equal((r.points[1].bops + r.points[2].bops + r.points[3].bops) / 3, 41227,
			   1.0);
	jbb_kit_free(&r);
	{
		const char *txt = "SPECjbb2005 bops/JVM = 7\nWarehouses bops\n 1 5.5\nSPECjbb2005 bops = 5\n";
		assert_int_equal(jbb_kit_parse(txt, strlen(txt), "s", &r, &e), 0);
		assert_float_equal(r.score, 5, 1e-9);
		assert_float_equal(r.score_per_jvm, 7, 1e-9);
		assert_float_equal(r.points[0].bops, 5.5, 1e-9);
		jbb_kit_free(&r);
	}
	load("specjbb2005_bad_row.txt", &t);
	assert_int_equal(jbb_kit_parse(t.buf, t.len, "bad.txt", &r, &e), -EBADMSG);
	assert_string_equal(e.msg, "bad.txt:4:35: bops: expected a number");
	sbuf_free(&t);
}

static void test_kit_2015(void **state)
{
	struct sbuf t = SBUF_INIT;
	struct jbb_kit_result r;
	struct err e = { 0, "" };

	load("specjbb2015_composite.txt", &t);
	assert_int_equal(jbb_kit_parse(t.buf, t.len, "c.txt", &r, &e), 0);
	assert_int_equal(r.version, 2015);
	assert_float_equal(r.hbir_max, 12345, 1e-9);
	assert_float_equal(r.hbir_settled, 11800, 1e-9);
	assert_float_equal(r.max_jops, 10121, 1e-9);
	assert_float_equal(r.critical_jops, 4377, 1e-9);
	jbb_kit_free(&r);
	load("specjbb2015_bad.txt", &t);
	assert_int_equal(jbb_kit_parse(t.buf, t.len, "b.txt", &r, &e), -EBADMSG);
	assert_string_equal(e.msg, "b.txt:1:78: max-jOPS: expected a number");
	assert_int_equal(jbb_kit_parse("hello\nworld\n", 12, "x", &r, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "x:3:1: no SPECjbb result"));
	assert_int_equal(jbb_kit_parse("SPECjbb2005 bops = 5\n", 21, "y", &r, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "y:2:1: SPECjbb2005 score without the table"));
	sbuf_free(&t);
}

static void test_words(void **state)
{
	char **v;
	int n;
	struct err e = { 0, "" };

	assert_int_equal(words_split("  java -jar 'my kit.jar' -Dx=\"a \\\"b\\\"\" c\\ d $HOME;| ",
				     &v, &n, &e), 0);
	assert_int_equal(n, 6);
	assert_string_equal(v[0], "java");
	assert_string_equal(v[2], "my kit.jar");
	assert_string_equal(v[3], "-Dx=a \"b\"");
	assert_string_equal(v[4], "c d");
	assert_string_equal(v[5], "$HOME;|");
	assert_null(v[6]);
	argv_free(v);
	assert_int_equal(words_split("a '' b", &v, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[1], "");
	argv_free(v);
	assert_int_equal(words_split("   ", &v, &n, &e), 0);
	assert_int_equal(n, 0);
	argv_free(v);
	assert_int_equal(words_split("java 'kit", &v, &n, &e), -EINVAL);
	assert_string_equal(e.msg, "col 6: unterminated ' quote");
	assert_null(v);
	assert_int_equal(words_split("a \"b", &v, &n, &e), -EINVAL);
	assert_string_equal(e.msg, "col 3: unterminated \" quote");
	assert_int_equal(words_split("a b\\", &v, &n, &e), -EINVAL);
	assert_string_equal(e.msg, "col 4: backslash at the end");
}

/* A jbb record keeps its points and figures through writing and reading. */
static void test_record_round_trip(void **state)
{
	struct record r, back;
	struct sbuf j = SBUF_INIT, j2 = SBUF_INIT;
	struct err e = { 0, "" };

	record_init(&r);
	r.kind = "jbb";
	r.benchmark = "jbb";
	r.wall_s = r.user_s = 1.5;
	r.sys_s = 0.25;
	r.metric = 1234.5;
	r.metric_name = r.unit = "bops";
	r.higher_is_better = 1;
	r.checksum_ok = 0;
	r.status = "invalid";
	r.error = "2 warehouses: stock of item 3";
	record_add_raw(&r, "points", "[{\"warehouses\":1,\"bops\":1234.5}]");
	record_add_raw(&r, "valid", "false");
	record_to_json(&r, &j);
	assert_int_equal(record_from_json(j.buf, j.len, &back, &e), 0);
	assert_string_equal(back.kind, "jbb");
	assert_float_equal(back.metric, 1234.5, 1e-9);
	assert_string_equal(back.unit, "bops");
	assert_int_equal(back.checksum_ok, 0);
	assert_string_equal(back.status, "invalid");
	assert_int_equal(back.nextras, 2);
	assert_string_equal(back.extras[0].key, "points");
	assert_string_equal(back.extras[1].json, "false");
	record_to_json(&back, &j2);
	assert_string_equal(j.buf, j2.buf);
	record_clear(&back);
	for (size_t k = 0; k < r.nextras; k++) {
		free(r.extras[k].key);
		free(r.extras[k].json);
	}
	free(r.extras);
	sbuf_free(&j);
	sbuf_free(&j2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deck_mix),
		cmocka_unit_test(test_invariants_hold),
		cmocka_unit_test(test_corruption_caught),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_default_size),
		cmocka_unit_test(test_point_run),
		cmocka_unit_test(test_metric),
		cmocka_unit_test(test_critical),
		cmocka_unit_test(test_kit_2005),
		cmocka_unit_test(test_kit_2015),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_record_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
