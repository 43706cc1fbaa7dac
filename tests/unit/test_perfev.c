/* Unit tests of src/measure/perfev: event lists, tracefs id and format
 * files (a recorded format file of a real kernel), resolution against a
 * tracefs tree, the xen: rule, and real counting through perf_event_open. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/fileio.h"
#include "measure/perfev.h"

static int spec_of(const char *text, struct perfev_spec *s, struct err *e)
{
	memset(s, 0, sizeof(*s));
	return perfev_spec_add(s, text, strlen(text), e);
}

static void test_spec_ok(void **state)
{
	struct perfev_spec s;
	struct err e = { 0, "" };

	assert_int_equal(spec_of("xen:xen_mc_entry,xen:xen_mmu_*,task-clock,sched:sched_[sw]*", &s, &e), 0);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.items[1], "xen:xen_mmu_*");
	assert_string_equal(s.items[3], "sched:sched_[sw]*");
	/* a second call appends */
	assert_int_equal(perfev_spec_add(&s, "page-faults", 11, &e), 0);
	assert_int_equal(s.n, 5);
	perfev_spec_free(&s);
}

/* text is rejected with "byte OFF: ..." naming want. */
static void bad(const char *text, int off, const char *want)
{
	struct perfev_spec s;
	struct err e = { 0, "" };
	char head[32];

	assert_int_equal(spec_of(text, &s, &e), -EINVAL);
	assert_int_equal(s.n, 0);
	snprintf(head, sizeof(head), "byte %d: ", off);
	if (strncmp(e.msg, head, strlen(head)) || !strstr(e.msg, want))
		fail_msg("'%s': got '%s', wanted '%s...%s'", text, e.msg, head, want);
}

static void test_spec_bad(void **state)
{
	bad("", 0, "empty event name");
	bad("a,,b", 2, "empty event name");
	bad("task-clock,", 11, "empty event name");
	bad("xen:", 4, "empty event name after ':'");
	bad(":x", 0, "empty subsystem");
	bad("xen:a:u", 5, "a second ':'");
	bad("xen:a b", 5, "cannot be part");
	bad("xen:a[bc", 5, "'[' without its ']'");
	bad("sys/x", 3, "cannot be part");
	bad("a\nb", 1, "cannot be part");
	{
		/* a NUL byte inside the list (found by fuzz_perfev) */
		struct perfev_spec s = { 0 };
		struct err e = { 0, "" };

		assert_int_equal(perfev_spec_add(&s, "\0px", 3, &e), -EINVAL);
		assert_string_equal(e.msg, "byte 0: byte 0x00 cannot be part of an event name");
	}
}

static void test_parse_id(void **state)
{
	uint64_t id = 0;
	struct err e = { 0, "" };

	assert_int_equal(perfev_parse_id("309\n", 4, &id, &e), 0);
	assert_int_equal(id, 309);
	assert_int_equal(perfev_parse_id("7", 1, &id, &e), 0);
	assert_int_equal(id, 7);
	assert_int_equal(perfev_parse_id("", 0, &id, &e), -EBADMSG);
	assert_string_equal(e.msg, "byte 0: expected a decimal id");
	assert_int_equal(perfev_parse_id("12x\n", 4, &id, &e), -EBADMSG);
	assert_string_equal(e.msg, "byte 2: unexpected text after the id");
	assert_int_equal(perfev_parse_id("99999999999999999999999", 23, &id, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "too large"));
}

/* The format file of sched:sched_switch as Linux 6.18 prints it (ID 372). */
static void test_parse_format(void **state)
{
	struct sbuf t = SBUF_INIT;
	struct err e = { 0, "" };
	uint64_t id = 0;

	assert_int_equal(file_read("data/tracefs_sched_switch_format.txt", &t, &e), 0);
	assert_int_equal(perfev_parse_format(t.buf, t.len, &id, &e), 0);
	assert_int_equal(id, 372);
	assert_int_equal(perfev_parse_format("name: x\nformat:\n", 16, &id, &e), -EBADMSG);
	assert_string_equal(e.msg, "byte 16: no \"ID:\" line");
	assert_int_equal(perfev_parse_format("ID: 4z\n", 7, &id, &e), -EBADMSG);
	assert_string_equal(e.msg, "byte 5: unexpected text after the id");
	sbuf_free(&t);
}

static char root[64];

static void put(const char *rel, const char *text)
{
	char p[256], *slash;
	struct err e = { 0, "" };

	snprintf(p, sizeof(p), "%s/events/%s", root, rel);
	slash = strrchr(p, '/');
	*slash = 0;
	assert_int_equal(file_mkdirs(p, 0755, &e), 0);
	*slash = '/';
	assert_int_equal(file_write_atomic(p, text, strlen(text), &e), 0);
}

/* A tracefs tree as Linux lays it out: events/SUBSYS/NAME/{id,format}. */
static int make_tree(void **state)
{
	snprintf(root, sizeof(root), "/tmp/vmlab-perfev.XXXXXX");
	assert_non_null(mkdtemp(root));
	put("xen/xen_mc_entry/id", "1001\n");
	put("xen/xen_mmu_set_pte/id", "1002\n");
	put("xen/xen_mmu_set_pmd/id", "1003\n");
	put("xen/enable", "0\n");
	put("sched/sched_switch/format", "name: sched_switch\nID: 372\nformat:\n");
	put("bad/ev/id", "12x\n");
	return 0;
}

static int remove_tree(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_resolve_globs(void **state)
{
	struct perfev_spec s;
	struct perfev_set set;
	struct err e = { 0, "" };

	assert_int_equal(spec_of("xen:xen_mmu_*,sched:sched_switch,xen:*,page-faults,faults", &s, &e), 0);
	assert_int_equal(perfev_resolve(&s, root, "PV\n", true, &set, &e), 0);
	/* glob matches in name order, duplicates once, the format's id used */
	assert_int_equal(set.n, 5);
	assert_string_equal(set.v[0].name, "xen:xen_mmu_set_pmd");
	assert_int_equal(set.v[0].config, 1003);
	assert_string_equal(set.v[1].name, "xen:xen_mmu_set_pte");
	assert_string_equal(set.v[2].name, "sched:sched_switch");
	assert_int_equal(set.v[2].config, 372);
	assert_string_equal(set.v[3].name, "xen:xen_mc_entry");
	assert_string_equal(set.v[4].name, "page-faults");
	for (size_t k = 0; k < set.n; k++)
		assert_int_equal(set.v[k].state, PERFEV_COUNTED);
	perfev_free(&set);
	perfev_spec_free(&s);
}

static void test_resolve_strict_errors(void **state)
{
	struct perfev_spec s;
	struct perfev_set set;
	struct err e = { 0, "" };

	assert_int_equal(spec_of("xen:nope_*", &s, &e), 0);
	assert_int_equal(perfev_resolve(&s, root, "PV", true, &set, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "'xen:nope_*': no event matches"));
	assert_int_equal(set.n, 0);
	perfev_spec_free(&s);
	assert_int_equal(spec_of("cyclez", &s, &e), 0);
	assert_int_equal(perfev_resolve(&s, root, "PV", true, &set, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "'cyclez': no such event"));
	perfev_spec_free(&s);
	assert_int_equal(spec_of("bad:ev", &s, &e), 0);
	assert_int_equal(perfev_resolve(&s, root, "PV", true, &set, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "events/bad/ev/id: byte 2: unexpected text"));
	/* not strict: the same items are events with reasons */
	perfev_spec_free(&s);
	assert_int_equal(spec_of("bad:ev,xen:nope_*,cyclez", &s, &e), 0);
	assert_int_equal(perfev_resolve(&s, root, "PV", false, &set, NULL), 0);
	assert_int_equal(set.n, 3);
	for (size_t k = 0; k < 3; k++)
		assert_int_equal(set.v[k].state, PERFEV_UNSUPPORTED);
	assert_non_null(strstr(set.v[0].reason, "byte 2"));
	assert_non_null(strstr(set.v[1].reason, "no event matches in this kernel"));
	assert_string_equal(set.v[2].reason, "no such event");
	perfev_free(&set);
	perfev_spec_free(&s);
}

static void test_xen_only_pv(void **state)
{
	struct perfev_spec s;
	struct perfev_set set;
	struct err e = { 0, "" };
	struct sbuf j = SBUF_INIT;

	assert_null(perfev_xen_reason("PV\n"));
	assert_non_null(strstr(perfev_xen_reason("PVH\n"), "a Xen PVH guest"));
	assert_non_null(strstr(perfev_xen_reason("HVM"), "a Xen HVM guest"));
	assert_non_null(strstr(perfev_xen_reason(NULL), "not a Xen guest"));
	assert_int_equal(spec_of("xen:xen_mc_entry,sched:sched_switch", &s, &e), 0);
	assert_int_equal(perfev_resolve(&s, root, "PVH\n", true, &set, &e), 0);
	assert_int_equal(set.v[0].state, PERFEV_UNSUPPORTED);
	assert_int_equal(set.v[1].state, PERFEV_COUNTED);
	perfev_to_json(&set, 1, 0, &j);
	assert_non_null(strstr(sbuf_str(&j), "{\"xen:xen_mc_entry\":{\"status\":\"unsupported\","
					      "\"reason\":\"a Xen PVH guest"));
	sbuf_free(&j);
	perfev_free(&set);
	perfev_spec_free(&s);
}

static void test_list(void **state)
{
	struct perfev_set set;
	struct err e = { 0, "" };
	char *note = NULL;

	assert_int_equal(perfev_list(root, "xen:*", &set, &note, &e), 0);
	assert_null(note);
	assert_int_equal(set.n, 3);
	assert_string_equal(set.v[0].name, "xen:xen_mc_entry");
	assert_string_equal(set.v[2].name, "xen:xen_mmu_set_pte");
	assert_int_equal(set.v[0].kind, PERFEV_TRACEPOINT);
	perfev_free(&set);
	assert_int_equal(perfev_list(root, "*-faults", &set, &note, &e), 0);
	assert_int_equal(set.n, 3);
	assert_string_equal(set.v[0].name, "page-faults");
	perfev_free(&set);
}

/* First writes to pages [from, to) of p; uninstrumented, so that a
 * sanitizer's shadow memory takes no faults of its own in the count. */
__attribute__((no_sanitize("address", "undefined"))) static void touch(volatile char *p, long ps,
								      int from, int to)
{
	for (int k = from; k < to; k++)
		p[(size_t)k * (size_t)ps] = 1;
}

/* Real counting of this process: N first touches are N page faults,
 * exactly; a disabled stretch adds nothing. */
static void test_count_self(void **state)
{
	struct perfev_spec s;
	struct perfev_set set;
	struct err e = { 0, "" };
	long ps = sysconf(_SC_PAGESIZE);
	char *p;

	assert_int_equal(spec_of("page-faults,context-switches", &s, &e), 0);
	assert_int_equal(perfev_resolve(&s, NULL, NULL, true, &set, &e), 0);
	if (perfev_open(&set, 0, false) < 2) {
		printf("SKIP: perf_event_open: %s\n", set.v[0].reason ? set.v[0].reason : "?");
		perfev_free(&set);
		perfev_spec_free(&s);
		skip();
	}
	p = mmap(NULL, (size_t)ps * 2000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	perfev_enable(&set);
	touch(p, ps, 0, 1000);
	perfev_disable(&set);
	touch(p, ps, 1000, 2000);
	perfev_read(&set);
	assert_int_equal(set.v[0].state, PERFEV_COUNTED);
	assert_true(set.v[0].value == 1000);
	assert_true(set.v[0].running == 1);
	munmap(p, (size_t)ps * 2000);
	perfev_free(&set);
	perfev_spec_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_ok),
		cmocka_unit_test(test_spec_bad),
		cmocka_unit_test(test_parse_id),
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_resolve_globs),
		cmocka_unit_test(test_resolve_strict_errors),
		cmocka_unit_test(test_xen_only_pv),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_count_self),
	};

	return cmocka_run_group_tests(tests, make_tree, remove_tree);
}
