/* Unit tests of src/measure/probe: the summary of synthetic samples and its
 * JSON form. */
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

#include "measure/probe.h"

#define MS 1000000ull
#define US 1000ull
#define T0 (5000 * MS)   /* the first request: a monotonic time well above 0 */

static void near(double got, double want)
{
	if (!(fabs(got - want) <= 1e-9 * fmax(1, fabs(want))))
		fail_msg("got %.12g, wanted %.12g", got, want);
}

/* n requests every ms from T0, each answered after 200 us. */
static struct probe_sample *regular(size_t n)
{
	struct probe_sample *v = calloc(n, sizeof(*v));

	for (size_t k = 0; k < n; k++) {
		v[k].sent_ns = T0 + k * MS;
		v[k].recv_ns = v[k].sent_ns + 200 * US;
	}
	return v;
}

static void test_no_loss(void **state)
{
	struct probe_sample *v = regular(1000);
	struct probe_summary s;

	probe_summarize(v, 1000, MS, &s);
	assert_int_equal(s.sent, 1000);
	assert_int_equal(s.received, 1000);
	assert_int_equal(s.lost, 0);
	near(s.interval_ms, 1);
	near(s.duration_s, 0.999);
	/* every gap between replies is one interval; the first is taken */
	near(s.largest_gap_ms, 1);
	near(s.gap_start_s, 0.0002);
	assert_int_equal(s.lost_in_gap, 0);
	near(s.rtt_median_ms, 0.2);
	near(s.rtt_p99_ms, 0.2);
	near(s.rtt_max_ms, 0.2);
	assert_string_equal(s.addr, "");
	assert_false(s.truncated);
	free(v);
}

static void test_gap_in_the_middle(void **state)
{
	struct probe_sample *v = regular(1000);
	struct probe_summary s;

	for (size_t k = 500; k < 540; k++)
		v[k].recv_ns = 0;
	probe_summarize(v, 1000, MS, &s);
	assert_int_equal(s.received, 960);
	assert_int_equal(s.lost, 40);
	/* from the reply to 499 (499.2 ms) to the one to 540 (540.2 ms) */
	near(s.largest_gap_ms, 41);
	near(s.gap_start_s, 0.4992);
	assert_int_equal(s.lost_in_gap, 40);
	near(s.rtt_max_ms, 0.2);
	free(v);
}

static void test_all_lost(void **state)
{
	struct probe_sample *v = regular(100);
	struct probe_summary s;

	for (size_t k = 0; k < 100; k++)
		v[k].recv_ns = 0;
	probe_summarize(v, 100, MS, &s);
	assert_int_equal(s.sent, 100);
	assert_int_equal(s.received, 0);
	assert_int_equal(s.lost, 100);
	near(s.largest_gap_ms, 99);
	near(s.gap_start_s, 0);
	assert_int_equal(s.lost_in_gap, 100);
	assert_true(isnan(s.rtt_median_ms) && isnan(s.rtt_p99_ms) && isnan(s.rtt_max_ms));
	free(v);
}

static void test_reordered_reply(void **state)
{
	struct probe_sample *v = regular(10);
	struct probe_summary s;

	v[3].recv_ns = T0 + 5500 * US;   /* after the replies to 4 and 5 */
	probe_summarize(v, 10, MS, &s);
	assert_int_equal(s.received, 10);
	assert_int_equal(s.lost, 0);
	/* in the order received: 2.2, 4.2, 5.2, 5.5, 6.2 ms... */
	near(s.largest_gap_ms, 2);
	near(s.gap_start_s, 0.0022);
	assert_int_equal(s.lost_in_gap, 0);
	near(s.rtt_max_ms, 2.5);
	near(s.rtt_median_ms, 0.2);
	free(v);
}

static void test_first_reply_late(void **state)
{
	struct probe_sample *v = regular(200);
	struct probe_summary s;

	/* the first request waits for ARP and is answered after the 49th; the ones between are lost */
	v[0].recv_ns = T0 + 50200 * US;
	for (size_t k = 1; k < 49; k++)
		v[k].recv_ns = 0;
	probe_summarize(v, 200, MS, &s);
	assert_int_equal(s.received, 152);
	assert_int_equal(s.lost, 48);
	near(s.largest_gap_ms, 49.2);
	near(s.gap_start_s, 0);
	assert_int_equal(s.lost_in_gap, 48);
	near(s.rtt_max_ms, 50.2);
	free(v);
}

static void test_last_replies_lost(void **state)
{
	struct probe_sample *v = regular(100);
	struct probe_summary s;

	for (size_t k = 90; k < 100; k++)
		v[k].recv_ns = 0;
	probe_summarize(v, 100, MS, &s);
	/* from the reply to 89 (89.2 ms) to the last request (99 ms) */
	near(s.largest_gap_ms, 9.8);
	near(s.gap_start_s, 0.0892);
	assert_int_equal(s.lost_in_gap, 10);
	free(v);
}

static void test_nothing_sent(void **state)
{
	struct probe_summary s;

	probe_summarize(NULL, 0, MS, &s);
	assert_int_equal(s.sent, 0);
	assert_int_equal(s.received, 0);
	near(s.duration_s, 0);
	assert_true(isnan(s.largest_gap_ms) && isnan(s.gap_start_s) && isnan(s.rtt_max_ms));
}

static void test_json_round_trip(void **state)
{
	struct probe_sample *v = regular(1000);
	struct probe_summary s, back;
	struct sbuf out = SBUF_INIT;
	struct err e = { 0 };

	for (size_t k = 500; k < 540; k++)
		v[k].recv_ns = 0;
	probe_summarize(v, 1000, MS, &s);
	strcpy(s.addr, "10.0.0.11");
	strcpy(s.socket, "raw");
	s.late = 3;
	s.errors = 2;
	strcpy(s.first_error, "send: Network is unreachable \"quoted\"");
	s.truncated = true;
	probe_summary_json(&s, &out);
	assert_non_null(strstr(sbuf_str(&out), "{\"kind\":\"probe\",\"addr\":\"10.0.0.11\","));
	assert_non_null(strstr(sbuf_str(&out), "\"sent\":1000,\"received\":960,\"lost\":40,"));
	assert_non_null(strstr(sbuf_str(&out), "\"largest_gap_ms\":41,"));
	assert_null(strchr(sbuf_str(&out), '\n'));
	assert_int_equal(probe_summary_parse(out.buf, out.len, "line", &back, &e), 0);
	assert_memory_equal(&back, &s, offsetof(struct probe_summary, interval_ms));
	near(back.duration_s, s.duration_s);
	near(back.largest_gap_ms, s.largest_gap_ms);
	near(back.gap_start_s, s.gap_start_s);
	near(back.rtt_p99_ms, s.rtt_p99_ms);
	assert_int_equal(back.lost_in_gap, 40);
	assert_int_equal(back.late, 3);
	assert_int_equal(back.errors, 2);
	assert_string_equal(back.first_error, s.first_error);
	assert_true(back.truncated);
	sbuf_free(&out);
	free(v);

	/* NaN is null and comes back as NaN; unknown fields are ignored */
	probe_summarize(NULL, 0, MS, &s);
	probe_summary_json(&s, &out);
	assert_non_null(strstr(sbuf_str(&out), "\"largest_gap_ms\":null"));
	sbuf_puts(&out, "\n");
	out.buf[out.len - 2] = ',';
	sbuf_puts(&out, "\"from_the_future\":[1,2]}\n");
	assert_int_equal(probe_summary_parse(out.buf, out.len, "line", &back, &e), 0);
	assert_true(isnan(back.largest_gap_ms) && isnan(back.rtt_median_ms));
	assert_int_equal(back.sent, 0);
	sbuf_free(&out);
}

/* The parse error for text, which must start with "f: " and contain want. */
static void bad(const char *text, const char *want)
{
	struct probe_summary s;
	struct err e = { 0 };

	assert_int_equal(probe_summary_parse(text, strlen(text), "f", &s, &e), -EBADMSG);
	assert_int_equal(e.code, -EBADMSG);
	if (strncmp(e.msg, "f: ", 3) || !strstr(e.msg, want))
		fail_msg("'%s': message '%s' lacks '%s'", text, e.msg, want);
}

static const char good[] = "{\"kind\":\"probe\",\"addr\":\"10.0.0.1\",\"socket\":\"raw\",\"sent\":2,"
	"\"received\":1,\"lost\":1,\"interval_ms\":1,\"duration_s\":0.001,\"largest_gap_ms\":1.2,"
	"\"gap_start_s\":0,\"lost_in_gap\":1,\"rtt_median_ms\":0.2,\"rtt_p99_ms\":0.2,\"rtt_max_ms\":0.2,"
	"\"late\":0,\"errors\":0,\"first_error\":\"\",\"truncated\":false}";

/* The line good with its one occurrence of from replaced by to, in buf. */
static const char *with(char *buf, size_t size, const char *from, const char *to)
{
	const char *at = strstr(good, from);

	assert_non_null(at);
	snprintf(buf, size, "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
	return buf;
}

static void test_bad_json(void **state)
{
	char buf[1024], addr[80];
	struct probe_summary s;
	struct err e = { 0 };

	assert_int_equal(probe_summary_parse(good, strlen(good), "f", &s, &e), 0);
	assert_string_equal(s.addr, "10.0.0.1");
	assert_int_equal(s.lost_in_gap, 1);

	bad("", "byte 0");
	bad("{\"kind\":\"probe\",", "byte 16");
	bad("{\"kind\":\"probe\" \"addr\":1}", "byte 16");
	bad("[1]", "byte 0: expected a JSON object");
	bad("{\"kind\":\"ping\"}", "kind: expected \"probe\"");
	bad("{\"kind\":\"probe\",\"addr\":\"10.0.0.1\"}", "socket: expected a string");
	bad(with(buf, sizeof(buf), "\"addr\":\"10.0.0.1\"", "\"addr\":7"), "addr: expected a string");
	snprintf(addr, sizeof(addr), "\"addr\":\"%070d\"", 0);
	bad(with(buf, sizeof(buf), "\"addr\":\"10.0.0.1\"", addr),
	    "addr: expected a string of at most 63 printable ASCII");
	bad(with(buf, sizeof(buf), "10.0.0.1", "a\\u0000b"), "addr:");
	bad(with(buf, sizeof(buf), "10.0.0.1", "10.0.0.1\\n"), "addr:");
	bad(with(buf, sizeof(buf), "10.0.0.1", "10.0.0.\xc3\xa4"), "addr:");
	bad(with(buf, sizeof(buf), "\"sent\":2", "\"sent\":-1"), "sent: expected a whole number");
	bad(with(buf, sizeof(buf), "\"sent\":2", "\"sent\":1.5"), "sent: expected a whole number");
	bad(with(buf, sizeof(buf), "\"sent\":2", "\"sent\":1e300"), "sent: expected a whole number");
	bad(with(buf, sizeof(buf), "\"sent\":2", "\"sent\":3"), "received + lost: must equal sent");
	bad(with(buf, sizeof(buf), "\"lost_in_gap\":1", "\"lost_in_gap\":2"), "lost_in_gap: more than lost");
	bad(with(buf, sizeof(buf), "\"duration_s\":0.001", "\"duration_s\":-1"),
	    "duration_s: expected a number >= 0 or null");
	bad(with(buf, sizeof(buf), "\"rtt_max_ms\":0.2", "\"rtt_max_ms\":\"0.2\""), "rtt_max_ms: expected a number");
	bad(with(buf, sizeof(buf), "\"truncated\":false", "\"truncated\":1"), "truncated: expected true or false");
	bad(with(buf, sizeof(buf), "\"late\":0,", ""), "late: expected a whole number");
}

static void test_run_bad_address(void **state)
{
	const char *addrs[] = { "10.0.0", "10.0.0.256", "host.example", "::1", "", "10.0.0.1 " };
	struct probe_summary s;
	struct err e = { 0 };

	for (size_t k = 0; k < sizeof(addrs) / sizeof(addrs[0]); k++) {
		struct probe_opts o = { addrs[k], MS, MS, NULL };
		char want[128];

		assert_int_equal(probe_run(&o, NULL, &s, &e), -EINVAL);
		snprintf(want, sizeof(want), "probe: %s: not an IPv4 address", addrs[k]);
		assert_string_equal(e.msg, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_loss),
		cmocka_unit_test(test_gap_in_the_middle),
		cmocka_unit_test(test_all_lost),
		cmocka_unit_test(test_reordered_reply),
		cmocka_unit_test(test_first_reply_late),
		cmocka_unit_test(test_last_replies_lost),
		cmocka_unit_test(test_nothing_sent),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_run_bad_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
