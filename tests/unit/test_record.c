/* Unit tests of src/run/record.c (the one record: a benchmark's, the
 * store's, the web records') and of the runner reading it back. */
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
#include "run/results.h"
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
	assert_str_or_null(a->counts, b->counts);
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

/* to_json gives want, then from_json gives r back (same() says so), and
 * writing that again the same bytes. */
static void check_round_trip(const struct record *r, const char *want,
			     void (*same)(const struct record *, const struct record *))
{
	struct sbuf a = SBUF_INIT, b = SBUF_INIT;
	struct record back;
	struct err e = { 0, "" };

	record_to_json(r, &a);
	assert_string_equal(sbuf_str(&a), want);
	if (record_from_json(a.buf, a.len, &back, &e))
		fail_msg("%s", e.msg);
	same(r, &back);
	record_to_json(&back, &b);
	assert_string_equal(sbuf_str(&a), sbuf_str(&b));
	record_clear(&back);
	sbuf_free(&a);
	sbuf_free(&b);
}

static void round_trip(const struct record *r, const char *want)
{
	check_round_trip(r, want, assert_same);
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
	r.counts = "{\"page-faults\":{\"count\":12,\"per_op\":0.5}}";
	round_trip(&r, "{\"kind\":\"micro\",\"benchmark\":\"pipe_bw\",\"unit\":\"MB/s\","
		       "\"higher_is_better\":true,\"min\":1000.125,\"median\":1200.500,"
		       "\"max\":1300.250,\"repetitions\":5,\"ops\":1048576,"
		       "\"counts\":{\"page-faults\":{\"count\":12,\"per_op\":0.5}},\"status\":\"ok\"}\n");
	r.counts = NULL;
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

/* Parses text as DIR/NAME (dir from mkdtemp) into x, runs it, reads its
 * results file into out. */
static void run_text(const char *text, const char *name, char *dir, struct experiment *x,
		     struct run_summary *s, struct sbuf *out)
{
	struct run_opts o = { 0 };
	struct err e = { 0, "" };
	char path[64];

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (experiment_parse(path, text, strlen(text), x, &e))
		fail_msg("%s", e.msg);
	if (runner_run(x, &o, s, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(file_read(x->results, out, &e), 0);
}

/* A micro the environment reports unsupported is recorded "unsupported" with
 * its reason, is no failure of the run, and is done on resume. */
static void test_unsupported_micro_not_failed(void **state)
{
	static const char text[] =
		"micro = [ \"null_syscall\", \"cpuid\" ]\n"
		"environments = [ \"null:unsupported=cpuid\" ]\n"
		"iterations = 2\nwarmup = 1\nresults = \"r.jsonl\"\n";
	char dir[] = "/tmp/vmlab-record-XXXXXX";
	struct experiment x;
	struct run_opts o = { 0 };
	struct run_summary s;
	struct sbuf out = SBUF_INIT;
	struct err e = { 0, "" };

	(void)state;
	run_text(text, "u.vmlab", dir, &x, &s, &out);
	assert_int_equal(s.ok, 2);
	assert_int_equal(s.failed, 0);
	assert_int_equal(s.unsupported, 2);
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

/* An experiment's trace list reaches every run, and each store record
 * holds the counts (the null environment records them unsupported). */
static void test_trace_counts_recorded(void **state)
{
	static const char text[] =
		"micro = [ \"null_syscall\" ]\nbenchmarks = [ \"flow\" ]\n"
		"environments = [ \"null\" ]\niterations = 2\nwarmup = 0\nresults = \"r.jsonl\"\n"
		"trace = [ \"xen:xen_mc_entry\", \"xen:xen_mmu_*\" ]\n";
	char dir[] = "/tmp/vmlab-record-XXXXXX";
	struct experiment x;
	struct run_summary s;
	struct sbuf out = SBUF_INIT;

	(void)state;
	run_text(text, "t.vmlab", dir, &x, &s, &out);
	assert_int_equal(x.ntrace, 2);
	assert_int_equal(s.ok, 4);
	assert_int_equal(count(sbuf_str(&out), ",\"counts\":{\"xen:xen_mc_entry\":{\"status\":"
					       "\"unsupported\",\"reason\":\"the null environment runs "
					       "nothing and counts nothing\"},\"xen:xen_mmu_*\":{"), 4);
	assert_int_equal(unlink(x.results), 0);
	assert_int_equal(rmdir(dir), 0);
	experiment_free(&x);
	sbuf_free(&out);
}

/* A bad trace item is an error at its place. */
static void test_trace_item_bad(void **state)
{
	static const char text[] = "micro = [ \"null_syscall\" ]\nenvironments = [ \"null\" ]\n"
				   "trace = [ \"page-faults\", \"xen:a b\" ]\n";
	struct experiment x;
	struct err e = { 0, "" };

	(void)state;
	assert_int_equal(experiment_parse("t.vmlab", text, strlen(text), &x, &e), -EINVAL);
	assert_string_equal(e.msg, "t.vmlab:3:26: trace: 'xen:a b': byte 5: byte 0x20 cannot be part "
				   "of an event name");
}

/* The store's part of two records is the same. */
static void assert_same_store(const struct record *a, const struct record *b)
{
	assert_same(a, b);
	assert_str_or_null(a->experiment, b->experiment);
	assert_str_or_null(a->environment, b->environment);
	assert_str_or_null(a->label, b->label);
	assert_str_or_null(a->better, b->better);
	assert_str_or_null(a->version, b->version);
	assert_str_or_null(a->timestamp, b->timestamp);
	assert_str_or_null(a->bound, b->bound);
	assert_str_or_null(a->facts.hostname, b->facts.hostname);
	assert_str_or_null(a->facts.xen_version, b->facts.xen_version);
	assert_str_or_null(a->facts.guest_type, b->facts.guest_type);
	assert_str_or_null(a->facts.concurrent, b->facts.concurrent);
	assert_num(a->value, b->value);
	assert_int_equal(a->sessions, b->sessions);
	assert_int_equal(a->nextras, b->nextras);
	for (size_t k = 0; k < a->nextras; k++) {
		assert_string_equal(a->extras[k].key, b->extras[k].key);
		assert_string_equal(a->extras[k].json, b->extras[k].json);
	}
}

static void store_round_trip(const struct record *r, const char *want)
{
	check_round_trip(r, want, assert_same_store);
}

/* A store record (the runner's) reads back whole and is written in the
 * store's field order, byte for byte as the results files hold it. */
static void test_store_record_round_trip(void **state)
{
	struct record r;

	(void)state;
	record_init(&r);
	r.experiment = "task2", r.environment = "testbed:pv", r.label = "testbed (emulated)";
	r.facts.hostname = "g\"1", r.facts.xen_version = "4.17.5", r.facts.guest_type = "pv";
	r.benchmark = "flow", r.kind = "cpu", r.size = "test", r.pin = "0-1", r.iteration = 2;
	r.wall_s = 0.25, r.user_s = 0.24, r.value = 0.25, r.unit = "s", r.better = "lower";
	r.checksum_ok = 1, r.checksum = "ab12", r.status = "ok", r.version = "1.2-3-gabc";
	r.timestamp = "2026-01-02T03:04:05Z";
	store_round_trip(&r, "{\"experiment\":\"task2\",\"environment\":\"testbed:pv\","
			 "\"label\":\"testbed (emulated)\",\"facts\":{\"hostname\":\"g\\\"1\","
			 "\"xen_version\":\"4.17.5\",\"guest_type\":\"pv\"},\"benchmark\":\"flow\","
			 "\"kind\":\"cpu\",\"size\":\"test\",\"pin\":\"0-1\",\"iteration\":2,"
			 "\"wall_s\":0.25,\"user_s\":0.23999999999999999,\"value\":0.25,"
			 "\"unit\":\"s\",\"better\":\"lower\",\"checksum_ok\":true,"
			 "\"checksum\":\"ab12\",\"status\":\"ok\",\"vmlab_version\":\"1.2-3-gabc\","
			 "\"timestamp\":\"2026-01-02T03:04:05Z\"}\n");
	record_init(&r);
	r.environment = "null", r.benchmark = "cpuid", r.kind = "micro", r.iteration = 0;
	r.status = "unsupported", r.error = "no CPUID faulting";
	store_round_trip(&r, "{\"environment\":\"null\",\"facts\":{},\"benchmark\":\"cpuid\","
			 "\"kind\":\"micro\",\"iteration\":0,\"status\":\"unsupported\","
			 "\"error\":\"no CPUID faulting\"}\n");
}

/* A web record (vmlab web search) is one struct record: its store fields in
 * the web records' order, its web fields kept as extras, in order. */
static void test_web_record_round_trip(void **state)
{
	struct record r;

	(void)state;
	record_init(&r);
	r.kind = xstrdup("web-search-result"), r.environment = xstrdup("native");
	r.label = xstrdup("L\"x"), r.facts.concurrent = xstrdup("qemu-system-x86_64 pid 812");
	r.benchmark = xstrdup("web-support"), r.iteration = 1, r.status = xstrdup("ok");
	r.value = 2, r.unit = xstrdup("sessions"), r.better = xstrdup("higher");
	r.bound = xstrdup("lower");
	record_add_fmt(&r, "min", "%u", 2u);
	record_add_num(&r, "max", 3);
	record_add_raw(&r, "qos", "{\"pass\":false,\"p\":[1,null]}");
	record_add_str(&r, "hist", "a\nb");
	store_round_trip(&r, "{\"kind\":\"web-search-result\",\"environment\":\"native\","
			 "\"label\":\"L\\\"x\",\"facts\":{\"concurrent\":\"qemu-system-x86_64 pid "
			 "812\"},\"benchmark\":\"web-support\",\"iteration\":1,\"status\":\"ok\","
			 "\"value\":2,\"unit\":\"sessions\",\"better\":\"higher\",\"bound\":\"lower\","
			 "\"min\":2,\"max\":3,\"qos\":{\"pass\":false,\"p\":[1,null]},"
			 "\"hist\":\"a\\nb\"}\n");
	record_clear(&r);
	record_init(&r);
	r.kind = xstrdup("web-load"), r.timestamp = xstrdup("2026-01-02T03:04:05Z");
	r.environment = xstrdup("native"), r.benchmark = xstrdup("web-banking-load");
	r.iteration = 3, r.status = xstrdup("ok"), r.value = 12.5, r.sessions = 4;
	record_add_str(&r, "workload", "banking");
	store_round_trip(&r, "{\"kind\":\"web-load\",\"time\":\"2026-01-02T03:04:05Z\","
			 "\"environment\":\"native\",\"benchmark\":\"web-banking-load\","
			 "\"iteration\":3,\"status\":\"ok\",\"value\":12.5,\"sessions\":4,"
			 "\"workload\":\"banking\"}\n");
	record_clear(&r);
}

/* The store reader keeps the fields it does not know (the web part of
 * data/store_unknown_fields.jsonl) and gives the report the store's figure
 * of a web record. */
static void test_store_unknown_fields_kept(void **state)
{
	struct result_set set = { 0 };
	struct err e = { 0, "" };
	const struct record *r;

	(void)state;
	if (results_load("data/store_unknown_fields.jsonl", false, &set, NULL, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(set.n, 2);
	r = &set.v[0];
	assert_string_equal(r->timestamp, "T");
	assert_true(r->value == 9 && r->line == 1);
	assert_string_equal(r->better, "higher");
	assert_int_equal(r->nextras, 3);
	assert_string_equal(r->extras[0].key, "timestamp");
	assert_string_equal(r->extras[1].key, "latency_ns");
	assert_string_equal(r->extras[1].json, "{\"min\":1,\"max\":2}");
	assert_string_equal(r->extras[2].json, "2");
	r = &set.v[1];
	assert_null(r->timestamp);
	assert_int_equal(r->nextras, 2);
	assert_string_equal(r->extras[0].key, "time");
	assert_string_equal(r->extras[1].json, "[true]");
	results_free(&set);
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
		cmocka_unit_test(test_store_record_round_trip),
		cmocka_unit_test(test_web_record_round_trip),
		cmocka_unit_test(test_store_unknown_fields_kept),
		cmocka_unit_test(test_trace_counts_recorded),
		cmocka_unit_test(test_trace_item_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
