/* Unit tests of src/run: the results store, host facts, environment names and
 * experiment files. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "run/env.h"
#include "run/experiment.h"
#include "run/results.h"
#include "base/fileio.h"

#include <unistd.h>

static void test_record_round_trip(void **state)
{
	struct record r = { 0 };
	struct result_set set = { 0 };
	struct sbuf line = SBUF_INIT;
	struct err e = { 0, "" };

	r.experiment = "task2";
	r.environment = "testbed:pv";
	r.label = "testbed (emulated hardware)";
	r.facts.hostname = "g\"1";
	r.facts.xen_version = "4.17.5";
	r.facts.guest_type = "pv";
	r.benchmark = "flow";
	r.kind = "cpu";
	r.size = "test";
	r.iteration = 2;
	r.wall_s = 0.25;
	r.user_s = 0.24;
	r.sys_s = NAN;
	r.ratio = NAN;
	r.value = 0.25;
	r.unit = "s";
	r.better = "lower";
	r.checksum_ok = 0;
	r.status = "failed";
	r.error = "checksum\nmismatch";
	record_to_json(&r, &line);
	assert_int_equal(line.buf[line.len - 1], '\n');
	assert_ptr_equal(strchr(line.buf, '\n'), line.buf + line.len - 1);
	assert_null(strstr(line.buf, "sys_s"));
	assert_int_equal(results_parse("x", line.buf, line.len, false, &set, NULL, &e), 0);
	assert_int_equal(set.n, 1);
	assert_string_equal(set.v[0].environment, "testbed:pv");
	assert_string_equal(set.v[0].facts.hostname, "g\"1");
	assert_string_equal(set.v[0].facts.xen_version, "4.17.5");
	assert_null(set.v[0].facts.kernel);
	assert_string_equal(set.v[0].error, "checksum\nmismatch");
	assert_int_equal(set.v[0].iteration, 2);
	assert_int_equal(set.v[0].checksum_ok, 0);
	assert_true(set.v[0].wall_s == 0.25 && isnan(set.v[0].sys_s));
	assert_int_equal(set.v[0].line, 1);
	results_free(&set);
	sbuf_free(&line);
}

static void test_parse_errors(void **state)
{
	const char *text = "{\"environment\":\"a\",\"benchmark\":\"b\",\"status\":\"ok\",\"iteration\":1}\n"
			   "\n"
			   "{\"environment\":\"a\",\"benchmark\":\"b\",\"status\":\"ok\",\"iteration\":1.5}\n"
			   "[1]\n"
			   "{\"environment\":\"a\",\"benchmark\":\n"
			   "{\"environment\":\"a\",\"benchmark\":\"b\",\"status\":\"ok\",\"iteration\":2}";
	struct result_set set = { 0 };
	struct sbuf warn = SBUF_INIT;
	struct err e = { 0, "" };

	assert_int_equal(results_parse("f.jsonl", text, strlen(text), false, &set, NULL, &e),
			 -EBADMSG);
	assert_string_equal(e.msg, "f.jsonl:3: record lacks an integer \"iteration\"");
	results_free(&set);
	assert_int_equal(results_parse("f.jsonl", text, strlen(text), true, &set, &warn, &e), 0);
	assert_int_equal(set.n, 2);
	assert_int_equal(set.skipped, 3);
	assert_int_equal(set.v[1].line, 6);
	assert_non_null(strstr(warn.buf, "f.jsonl:4: a record must be a JSON object\n"));
	assert_non_null(strstr(warn.buf, "f.jsonl:5:"));
	results_free(&set);
	sbuf_free(&warn);
}

static void test_facts(void **state)
{
	/* the "key : value" layout of `xl info` (key padded to 23 columns) */
	const char *info = "host                   : dom0\n"
			   "virt_caps              : pv hvm hap gnttab-v1 gnttab-v2\n"
			   "xen_major              : 4\n"
			   "xen_version            : 4.17.5\n"
			   "xen_caps               : xen-3.0-x86_64 hvm-3.0-x86_32\n"
			   "xen_scheduler          : credit2\n"
			   "nr_cpus                : 4\n"
			   "xen_commandline        : console=com1 dom0_max_vcpus=2 noreboot sched=credit\n";
	const char *remote = "Welcome to box\n{\"hostname\":\"box\",\"kernel\":\"6.1.0\"}\n";
	struct host_facts f = { 0 };
	struct err e = { 0, "" };

	host_facts_from_xl_info(&f, info);
	assert_string_equal(f.xen_version, "4.17.5");
	assert_string_equal(f.xen_scheduler, "credit2");
	assert_string_equal(f.virt_caps, "pv hvm hap gnttab-v1 gnttab-v2");
	assert_string_equal(f.xen_cpus, "4");
	assert_string_equal(f.xen_cmdline, "console=com1 dom0_max_vcpus=2 noreboot sched=credit");
	host_facts_from_cpuinfo(&f, "processor\t: 0\nvendor_id\t: AuthenticAMD\n"
				    "model name\t: QEMU Virtual CPU version 2.5+\nflags\t\t: fpu\n");
	assert_string_equal(f.cpu_model, "QEMU Virtual CPU version 2.5+");
	host_facts_clear(&f);
	assert_int_equal(host_facts_parse(remote, strlen(remote), &f, &e), 0);
	assert_string_equal(f.hostname, "box");
	assert_string_equal(f.kernel, "6.1.0");
	assert_null(f.cpu_model);
	host_facts_clear(&f);
	assert_int_equal(host_facts_parse("oops\n", 5, &f, &e), -EBADMSG);
	host_facts_probe(&f);
	assert_non_null(f.kernel);
	assert_non_null(f.hostname);
	host_facts_clear(&f);
}

static void test_env_names(void **state)
{
	static const char *const good[] = { "native", "null", "null:delay=10ms,fail=flow",
					     "ssh:me@box", "ssh:me@10.0.0.1:2222", "testbed:bare",
					     "testbed:pv", "testbed:pvh", "testbed:hvm" };
	static const char *const bad[] = { "", "kvm", "native:x", "ssh:", "ssh:box", "ssh:@box",
					   "ssh:me@", "ssh:me@box:", "ssh:me@box:22x",
					   "ssh:-oProxyCommand=x@y", "ssh:me@b ox", "testbed:",
					   "testbed", "testbed:xen", "null:bogus", "null:delay=x" };
	struct err e;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(env_check(good[i], &e), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(env_check(bad[i], &e), -EINVAL);
}

static void test_experiment(void **state)
{
	const char *ok = "benchmarks = [ \"flow\", \"stencil\" ]\n"
			 "environments = [ \"native\", 'testbed:pv' ]\n"
			 "iterations = 5\n";
	const char *full = "name = \"t2\"\nmicro = [ \"null_syscall\" ]\ncmds = [ \"true\" ]\n"
			   "environments = [ \"null\" ]\nsize = \"ref\"\nwarmup = 0\n"
			   "results = \"/abs/r.jsonl\"\ntimeout = \"90s\"\nconnect_timeout = 3\n"
			   "guest_memory = 512\npin = \"1\"\ntsc_mode = \"default\"\n";
	struct experiment x;
	struct err e = { 0, "" };

	assert_int_equal(experiment_parse("dir/sub/exp.vmlab", ok, strlen(ok), &x, &e), 0);
	assert_string_equal(x.name, "exp");
	assert_int_equal(x.nbenchmarks, 2);
	assert_string_equal(x.envs[1], "testbed:pv");
	assert_int_equal(x.iterations, 5);
	assert_int_equal(x.warmup, 1);
	assert_string_equal(x.size, "test");
	assert_string_equal(x.results, "dir/sub/results/exp.jsonl");
	assert_true(x.timeout_ms == 30 * 60 * 1000);
	assert_null(x.pin);
	assert_null(x.tsc_mode);
	experiment_free(&x);
	assert_int_equal(experiment_parse("e", full, strlen(full), &x, &e), 0);
	assert_string_equal(x.name, "t2");
	assert_int_equal(x.nmicro, 1);
	assert_int_equal(x.ncmds, 1);
	assert_string_equal(x.results, "/abs/r.jsonl");
	assert_true(x.timeout_ms == 90000 && x.connect_timeout_ms == 3000);
	assert_int_equal(x.warmup, 0);
	assert_int_equal(x.guest_memory_mb, 512);
	assert_string_equal(x.pin, "1");
	assert_string_equal(x.tsc_mode, "default");
	experiment_free(&x);

	static const struct { const char *text, *msg; } bad[] = {
		{ "benchmarks = [ \"flow\" ]\nenvironments = [ \"native\" ]\nfoo = 1\n",
		  "e:3:1: unknown key 'foo'" },
		{ "benchmarks = [ \"flow\", \"nosuch\" ]\nenvironments = [ \"native\" ]\n",
		  "e:1:24: benchmarks: unknown kernel 'nosuch' (known: flow," },
		{ "micro = [ \"nosuch\" ]\nenvironments = [ \"native\" ]\n",
		  "e:1:11: micro: unknown microbenchmark 'nosuch' (known: " },
		{ "benchmarks = [ \"flow\" ]\nenvironments = [ \"native\" ]\npin = \"0-999999\"\n",
		  "e:3:7: pin: CPU 999999 is beyond 1023" },
		{ "benchmarks = [ \"flow\", 3 ]\nenvironments = [ \"native\" ]\n",
		  "e:1:24: benchmarks: each item must be a string" },
		{ "benchmarks = [ \"flow\", \"flow\" ]\nenvironments = [ \"native\" ]\n",
		  "e:1:24: benchmarks: 'flow' is listed twice" },
		{ "benchmarks = [ \"flow\" ]\nenvironments = [ ]\n",
		  "e:2:1: environments: at least one" },
		{ "benchmarks = [ \"flow\" ]\nenvironments = [ \"native\" ]\nwarmup = 101\n",
		  "e:3:10: warmup: expected a number from 0 to 100" },
		/* test_experiment_ranges_from_the_key_table */
		{ "benchmarks = [ \"flow\" ]\nenvironments = [ \"native\" ]\nconnect_timeout = 3601\n",
		  "e:3:19: connect_timeout: expected a number from 1 to 3600" },
		{ "benchmarks = [ \"flow\" ]\nenvironments = [ \"native\" ]\nguest_memory = 31\n",
		  "e:3:16: guest_memory: expected a number from 32 to 65536" },
		{ "benchmarks = [ \"flow\" ]\nenvironments = [ \"native\" ]\ntimeout = \"0.5ms\"\n",
		  "e:3:11: timeout: expected a duration such as \"30m\" or \"90s\", not '0.5ms'" },
		{ "benchmarks = [ \"flow\" ]\nenvironments = [ \"native\" ]\nsize = \"huge\"\n",
		  "e:3:8: size: expected \"test\", \"train\" or \"ref\", not 'huge'" },
		{ "benchmarks = [ \"flow\" ]\nenvironments = [ \"native\" ]\ntimeout = \"soon\"\n",
		  "e:3:11: timeout: expected a duration" },
		{ "benchmarks = [ \"flow\" ]\nenvironments = [ \"native\" ]\nname = [ \"x\" ]\n",
		  "e:3:8: name: expected a string, not a list" },
		{ "benchmarks = [ \"flow\" ]\nenvironments = [ \"native\" ]\nresults = \"\"\n",
		  "e:3:11: results: must not be empty" },
		{ "benchmarks = [ \"flow\" ]\nenvironments = [ \"native\" ]\npin = \"1-x\"\n",
		  "e:3:7: pin: invalid pcpu range" },
		{ "benchmarks = [ \"flow\" ]\nenvironments = [ \"native\" ]\ntsc_mode = \"fast\"\n",
		  "e:3:12: tsc_mode: expected \"native\"" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.msg[0] = 0;
		assert_int_equal(experiment_parse("e", bad[i].text, strlen(bad[i].text), &x, &e),
				 -EINVAL);
		if (strncmp(e.msg, bad[i].msg, strlen(bad[i].msg)))
			fail_msg("case %zu: got '%s', wanted '%s...'", i, e.msg, bad[i].msg);
		assert_null(x.name);
	}
}

#define REC1 "{\"environment\":\"null\",\"benchmark\":\"flow\",\"kind\":\"cpu\"," \
	"\"size\":\"test\",\"iteration\":1,\"status\":\"ok\"}"

/* Writes text to DIR/r.jsonl, repairs its tail, appends one record, and
 * loads the file strictly into set; msg gets the repair's message. */
static void repair_append_load(const char *dir, const char *text, struct sbuf *msg,
			       struct result_set *set)
{
	struct sbuf path = SBUF_INIT;
	struct err e = { 0, "" };
	struct record r = { 0 };

	sbuf_printf(&path, "%s/r.jsonl", dir);
	assert_int_equal(file_write_atomic(path.buf, text, strlen(text), &e), 0);
	assert_int_equal(results_repair_tail(path.buf, msg, &e), 0);
	r.environment = "null";
	r.benchmark = "stencil";
	r.kind = "cpu";
	r.size = "test";
	r.status = "ok";
	r.iteration = 2;
	r.checksum_ok = -1;
	r.value = r.wall_s = r.user_s = r.sys_s = r.ratio = NAN;
	assert_int_equal(result_append(path.buf, &r, &e), 0);
	if (results_load(path.buf, false, set, NULL, &e))
		fail_msg("%s", e.msg);
	sbuf_free(&path);
}

static void test_torn_tail_not_swallowed(void **state)
{
	char dir[] = "/tmp/vmlab-runstore-XXXXXX";
	struct sbuf msg = SBUF_INIT, torn = SBUF_INIT, p = SBUF_INIT;
	struct result_set set = { 0 };
	struct err e = { 0, "" };
	size_t off;

	assert_non_null(mkdtemp(dir));
	repair_append_load(dir, REC1 "\n{\"environment\":\"nu", &msg, &set);
	assert_int_equal(set.n, 2);
	assert_string_equal(set.v[0].benchmark, "flow");
	assert_string_equal(set.v[1].benchmark, "stencil");
	assert_non_null(strstr(msg.buf, "torn last line at byte 97 (18 bytes) moved to"));
	sbuf_printf(&p, "%s/r.jsonl.torn", dir);
	assert_int_equal(file_read(p.buf, &torn, &e), 0);
	assert_string_equal(sbuf_str(&torn), "{\"environment\":\"nu\n");
	results_free(&set);
	assert_int_equal(results_tail("{\"a", 3, &off), TAIL_TORN);
	assert_int_equal(off, 0);
	assert_int_equal(results_tail("x\n", 2, &off), TAIL_CLEAN);
	assert_int_equal(results_tail("", 0, &off), TAIL_CLEAN);
	assert_int_equal(unlink(p.buf), 0);
	sbuf_free(&p);
	sbuf_printf(&p, "%s/r.jsonl", dir);
	assert_int_equal(unlink(p.buf), 0);
	assert_int_equal(rmdir(dir), 0);
	sbuf_free(&p);
	sbuf_free(&msg);
	sbuf_free(&torn);
}

static void test_unterminated_record_kept(void **state)
{
	char dir[] = "/tmp/vmlab-runstore-XXXXXX";
	struct sbuf msg = SBUF_INIT, p = SBUF_INIT;
	struct result_set set = { 0 };

	assert_non_null(mkdtemp(dir));
	repair_append_load(dir, REC1 "\n" REC1, &msg, &set);
	assert_int_equal(set.n, 3);
	assert_string_equal(set.v[1].benchmark, "flow");
	assert_string_equal(set.v[2].benchmark, "stencil");
	assert_non_null(strstr(msg.buf, "the last record (byte 97) lacked its newline"));
	results_free(&set);
	sbuf_printf(&p, "%s/r.jsonl.torn", dir);
	assert_int_equal(access(p.buf, F_OK), -1);
	sbuf_free(&p);
	sbuf_printf(&p, "%s/r.jsonl", dir);
	assert_int_equal(unlink(p.buf), 0);
	assert_int_equal(rmdir(dir), 0);
	sbuf_free(&p);
	sbuf_free(&msg);
}

static void test_append_starts_fresh_line(void **state)
{
	char dir[] = "/tmp/vmlab-runstore-XXXXXX";
	struct sbuf p = SBUF_INIT;
	struct err e = { 0, "" };
	struct result_set set = { 0 };
	struct record r = { 0 };

	assert_non_null(mkdtemp(dir));
	sbuf_printf(&p, "%s/r.jsonl", dir);
	assert_int_equal(file_write_atomic(p.buf, "{\"torn", 6, &e), 0);
	r.environment = "null";
	r.benchmark = "flow";
	r.status = "ok";
	r.checksum_ok = -1;
	r.value = r.wall_s = r.user_s = r.sys_s = r.ratio = NAN;
	assert_int_equal(result_append(p.buf, &r, &e), 0);
	assert_int_equal(results_load(p.buf, true, &set, NULL, &e), 0);
	assert_int_equal(set.n, 1);
	assert_int_equal(set.skipped, 1);
	results_free(&set);
	assert_int_equal(unlink(p.buf), 0);
	assert_int_equal(rmdir(dir), 0);
	sbuf_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_env_names),
		cmocka_unit_test(test_experiment),
		cmocka_unit_test(test_torn_tail_not_swallowed),
		cmocka_unit_test(test_unterminated_record_kept),
		cmocka_unit_test(test_append_starts_fresh_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
