/* Unit tests of src/run/record.c (the benchmark run's record) and of the
 * runner reading it back. */
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
#include "run/experiment.h"
#include "run/record.h"
#include "run/runner.h"

#include <unistd.h>

static void assert_str_or_null(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

/* NaN equals NaN here: an absent number must stay absent. */
static void assert_num(double a, double b)
{
	if (isnan(a) || isnan(b))
		assert_true(isnan(a) && isnan(b));
	else
		assert_true(a == b);
}

static void assert_same(const struct record *a, const struct record *b)
{
	assert_str_or_null(a->kind, b->kind);
	assert_str_or_null(a->benchmark, b->benchmark);
	assert_str_or_null(a->size, b->size);
	assert_str_or_null(a->pin, b->pin);
	assert_str_or_null(a->checksum, b->checksum);
	assert_str_or_null(a->metric_name, b->metric_name);
	assert_str_or_null(a->unit, b->unit);
	assert_str_or_null(a->status, b->status);
	assert_str_or_null(a->error, b->error);
	assert_int_equal(a->iteration, b->iteration);
	assert_int_equal(a->copies, b->copies);
	assert_int_equal(a->checksum_ok, b->checksum_ok);
	assert_int_equal(a->higher_is_better, b->higher_is_better);
	assert_int_equal(a->exit_status, b->exit_status);
	assert_int_equal(a->repetitions, b->repetitions);
	assert_true(a->ops == b->ops);
	assert_num(a->wall_s, b->wall_s);
	assert_num(a->user_s, b->user_s);
	assert_num(a->sys_s, b->sys_s);
	assert_num(a->ratio, b->ratio);
	assert_num(a->metric, b->metric);
	assert_num(a->min, b->min);
	assert_num(a->median, b->median);
	assert_num(a->max, b->max);
}

/* to_json then from_json gives r back, and writing that again the same bytes. */
static void round_trip(const struct record *r, const char *want)
{
	struct sbuf a = SBUF_INIT, b = SBUF_INIT;
	struct record back;
	struct err e = { 0, "" };

	record_to_json(r, &a);
	assert_string_equal(sbuf_str(&a), want);
	assert_int_equal(record_from_json(a.buf, a.len, &back, &e), 0);
	assert_same(r, &back);
	record_to_json(&back, &b);
	assert_string_equal(sbuf_str(&a), sbuf_str(&b));
	record_clear(&back);
	sbuf_free(&a);
	sbuf_free(&b);
}

static void test_record_round_trip_cpu(void **state)
{
	struct record r;

	(void)state;
	record_init(&r);
	r.kind = "cpu", r.benchmark = "flow", r.size = "test", r.pin = "0-1";
	r.iteration = 2, r.copies = 2;
	r.wall_s = 0.25, r.user_s = 0.5, r.sys_s = 0.001, r.ratio = 12.5;
	r.checksum_ok = 0, r.checksum = "0x00000000deadbeef";
	r.status = "checksum-mismatch", r.error = "checksum \"0xdeadbeef\"";
	round_trip(&r, "{\"kind\":\"cpu\",\"benchmark\":\"flow\",\"size\":\"test\",\"iteration\":2,"
		       "\"copies\":2,\"pin\":\"0-1\",\"wall_s\":0.250000,\"user_s\":0.500000,"
		       "\"sys_s\":0.001000,\"ratio\":12.5000,\"checksum_ok\":false,"
		       "\"checksum\":\"0x00000000deadbeef\",\"status\":\"checksum-mismatch\","
		       "\"error\":\"checksum \\\"0xdeadbeef\\\"\"}\n");
	r.pin = NULL, r.error = NULL, r.status = "ok", r.checksum_ok = 1, r.ratio = NAN;
	round_trip(&r, "{\"kind\":\"cpu\",\"benchmark\":\"flow\",\"size\":\"test\",\"iteration\":2,"
		       "\"copies\":2,\"wall_s\":0.250000,\"user_s\":0.500000,\"sys_s\":0.001000,"
		       "\"ratio\":null,\"checksum_ok\":true,\"checksum\":\"0x00000000deadbeef\","
		       "\"status\":\"ok\"}\n");
}

static void test_record_round_trip_cmd(void **state)
{
	struct record r;

	(void)state;
	record_init(&r);
	r.kind = "cmd", r.benchmark = "./bench.sh", r.iteration = 1, r.copies = 1;
	r.wall_s = 1.5, r.user_s = 0.75, r.sys_s = 0.125, r.metric = 4242.5;
	r.metric_name = "ops", r.higher_is_better = 1, r.exit_status = 0, r.status = "ok";
	round_trip(&r, "{\"kind\":\"cmd\",\"benchmark\":\"./bench.sh\",\"iteration\":1,\"copies\":1,"
		       "\"wall_s\":1.500000,\"user_s\":0.750000,\"sys_s\":0.125000,"
		       "\"metric\":4242.5,\"metric_name\":\"ops\",\"higher_is_better\":true,"
		       "\"exit_status\":0,\"status\":\"ok\"}\n");
	r.metric = NAN, r.exit_status = 3, r.higher_is_better = 0, r.status = "error";
	r.error = "command exited with status 3";
	round_trip(&r, "{\"kind\":\"cmd\",\"benchmark\":\"./bench.sh\",\"iteration\":1,\"copies\":1,"
		       "\"wall_s\":1.500000,\"user_s\":0.750000,\"sys_s\":0.125000,"
		       "\"metric\":null,\"metric_name\":\"ops\",\"higher_is_better\":false,"
		       "\"exit_status\":3,\"status\":\"error\","
		       "\"error\":\"command exited with status 3\"}\n");
}

static void test_record_round_trip_micro(void **state)
{
	struct record r;

	(void)state;
	record_init(&r);
	r.kind = "micro", r.benchmark = "pipe_bw", r.unit = "MB/s", r.higher_is_better = 1;
	r.min = 1000.125, r.median = 1200.5, r.max = 1300.25, r.repetitions = 5, r.ops = 1u << 20;
	r.status = "ok";
	round_trip(&r, "{\"kind\":\"micro\",\"benchmark\":\"pipe_bw\",\"unit\":\"MB/s\","
		       "\"higher_is_better\":true,\"min\":1000.125,\"median\":1200.500,"
		       "\"max\":1300.250,\"repetitions\":5,\"ops\":1048576,\"status\":\"ok\"}\n");
	r.min = r.median = r.max = NAN, r.status = "unsupported", r.error = "no TSC";
	round_trip(&r, "{\"kind\":\"micro\",\"benchmark\":\"pipe_bw\",\"unit\":\"MB/s\","
		       "\"higher_is_better\":true,\"min\":null,\"median\":null,\"max\":null,"
		       "\"repetitions\":5,\"ops\":1048576,\"status\":\"unsupported\","
		       "\"error\":\"no TSC\"}\n");
}

/* Fields the schema does not know are ignored; a field of the wrong type reads as absent. */
static void test_record_unknown_fields_ignored(void **state)
{
	const char *t = "{\"kind\":\"micro\",\"future\":{\"x\":[1,2]},\"benchmark\":\"cpuid\","
			"\"median\":\"fast\",\"repetitions\":2.5,\"higher_is_better\":1,"
			"\"status\":\"ok\",\"extra\":null}";
	struct record r;
	struct err e = { 0, "" };

	(void)state;
	assert_int_equal(record_from_json(t, strlen(t), &r, &e), 0);
	assert_string_equal(r.kind, "micro");
	assert_string_equal(r.benchmark, "cpuid");
	assert_string_equal(r.status, "ok");
	assert_true(isnan(r.median));
	assert_int_equal(r.repetitions, -1);
	assert_int_equal(r.higher_is_better, -1);
	assert_null(r.unit);
	record_clear(&r);
}

/* Malformed JSON is an error naming the byte offset where it goes wrong. */
static void test_record_bad_json_names_byte_offset(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "{\"kind\":\"cpu\",x}", "byte 14: " },
		{ "{\"kind\":\"cpu\",\n\"a\":tru}", "byte 19: " },
		{ "{\"kind\":\"cpu\"", "byte 13: " },
		{ "[1,2]", "byte 0: a record must be a JSON object with a string \"kind\"" },
		{ "{\"kind\":7}", "byte 0: a record must be a JSON object with a string \"kind\"" },
	};
	struct record r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct err e = { 0, "" };
		assert_int_equal(record_from_json(bad[i].text, strlen(bad[i].text), &r, &e), -EBADMSG);
		if (strncmp(e.msg, bad[i].msg, strlen(bad[i].msg)))
			fail_msg("%s: got '%s', want '%s...'", bad[i].text, e.msg, bad[i].msg);
		assert_null(r.kind);
	}
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* A micro the environment reports unsupported is recorded "unsupported" with
 * its reason, is no failure of the run, and is done on resume. */
static void test_unsupported_micro_not_failed(void **state)
{
	static const char text[] =
		"micro = [ \"null_syscall\", \"cpuid\" ]\n"
		"environments = [ \"null:unsupported=cpuid\" ]\n"
		"iterations = 2\nwarmup = 1\nresults = \"r.jsonl\"\n";
	char dir[] = "/tmp/vmlab-record-XXXXXX", path[64];
	struct experiment x;
	struct run_opts o = { 0 };
	struct run_summary s;
	struct sbuf out = SBUF_INIT;
	struct err e = { 0, "" };

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/u.vmlab", dir);
	if (experiment_parse(path, text, strlen(text), &x, &e))
		fail_msg("%s", e.msg);
	if (runner_run(&x, &o, &s, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(s.ok, 2);
	assert_int_equal(s.failed, 0);
	assert_int_equal(s.unsupported, 2);
	assert_int_equal(file_read(x.results, &out, &e), 0);
	assert_int_equal(count(sbuf_str(&out), "\"benchmark\":\"cpuid\""), 2);
	assert_int_equal(count(sbuf_str(&out), "\"status\":\"unsupported\",\"error\":\"not "
					       "supported in this environment"), 2);
	assert_int_equal(count(sbuf_str(&out), "\"status\":\"failed\""), 0);
	assert_int_equal(runner_run(&x, &o, &s, &e), 0);
	assert_int_equal(s.skipped, 4);
	assert_int_equal(s.ok + s.failed + s.unsupported, 0);
	assert_int_equal(unlink(x.results), 0);
	assert_int_equal(rmdir(dir), 0);
	experiment_free(&x);
	sbuf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_round_trip_cpu),
		cmocka_unit_test(test_record_round_trip_cmd),
		cmocka_unit_test(test_record_round_trip_micro),
		cmocka_unit_test(test_record_unknown_fields_ignored),
		cmocka_unit_test(test_record_bad_json_names_byte_offset),
		cmocka_unit_test(test_unsupported_micro_not_failed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
