/* Unit tests of src/base/opt: every type, ranges, units, argv forms, errors, help. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/opt.h"

struct o {
	bool json, latency;
	int n;
	unsigned conns;
	long long offset;
	double ratio;
	const char *out;
	uint64_t size, dur, count;
	int mode;
	struct opt_list hdr;
	int custom;
	unsigned sessions;
};

static const char *const modes[] = { "pv", "pvh", "hvm", NULL };

static int parse_even(const char *arg, void *dst, struct err *e)
{
	int v = atoi(arg);

	if (v % 2)
		return err_set(e, -EINVAL, "'%s': not even", arg);
	*(int *)dst = v;
	return 0;
}

static const struct opt tab[] = {
	{ "json", 0, OPT_FLAG, offsetof(struct o, json), .help = "print JSON" },
	{ "latency", 'l', OPT_FLAG, offsetof(struct o, latency), .help = "latency" },
	{ "number", 'n', OPT_INT, offsetof(struct o, n), .def = "3", .min = -5, .max = 5,
	  .help = "a small number" },
	{ "connections", 'c', OPT_UINT, offsetof(struct o, conns), .def = "10", .min = 1,
	  .max = 100000, .help = "connections in all" },
	{ "offset", 0, OPT_LONG, offsetof(struct o, offset), .min = 0, .max = OPT_NOMAX },
	{ "ratio", 0, OPT_DOUBLE, offsetof(struct o, ratio), .def = "0.5", .min = 0, .max = 1 },
	{ "output", 'o', OPT_STRING, offsetof(struct o, out), .metavar = "FILE",
	  .help = "write to FILE" },
	{ "size", 's', OPT_SIZE, offsetof(struct o, size), .min = 4096, .max = 1073741824.0 },
	{ "duration", 'd', OPT_DURATION, offsetof(struct o, dur), .def = "10s", .min = 1,
	  .max = 3600e9, .help = "run time" },
	{ "count", 0, OPT_COUNT, offsetof(struct o, count), .min = OPT_NOMIN, .max = 1e6 },
	{ "to", 't', OPT_ENUM, offsetof(struct o, mode), .words = modes, .help = "guest type" },
	{ "header", 'H', OPT_LIST, offsetof(struct o, hdr), .metavar = "H", .help = "a header" },
	{ "even", 0, OPT_CUSTOM, offsetof(struct o, custom), .parse = parse_even },
	{ "sessions", 0, OPT_UCOUNT, offsetof(struct o, sessions), .min = 1, .max = 1e6 },
	{ 0 },
};

/* Parses the NULL-terminated words into *v; returns opt_parse's result. */
static int run(struct o *v, struct opt_res *r, struct err *e, char **words)
{
	int argc = 0;

	while (words[argc])
		argc++;
	memset(v, 0, sizeof(*v));
	memset(e, 0, sizeof(*e));
	return opt_parse(tab, v, argc, words, r, e);
}

#define ARGV(...) ((char *[]){ "cmd", __VA_ARGS__, NULL })

static void test_opt_defaults(void **state)
{
	struct o v;
	struct opt_res r;
	struct err e;

	assert_int_equal(run(&v, &r, &e, (char *[]){ "cmd", NULL }), 0);
	assert_int_equal(v.n, 3);
	assert_int_equal(v.conns, 10);
	assert_true(v.ratio == 0.5);
	assert_true(v.dur == 10000000000ull);
	assert_false(v.json);
	assert_null(v.out);
	assert_int_equal(r.npos, 0);
	assert_false(opt_given(tab, &r, "duration"));
}

static void test_opt_every_type(void **state)
{
	struct o v;
	struct opt_res r;
	struct err e;

	assert_int_equal(run(&v, &r, &e,
			     ARGV("--json", "-n", "-4", "--connections=7", "--offset", "12345678901",
				  "--ratio", "0.25", "-oout.txt", "--size", "500M", "-d", "250ms",
				  "--count", "10k", "--to", "hvm", "-H", "A: 1", "--header=B: 2",
				  "--even", "4", "--sessions", "2k")),
			 0);
	assert_true(v.json);
	assert_int_equal(v.n, -4);
	assert_int_equal(v.conns, 7);
	assert_true(v.offset == 12345678901ll);
	assert_true(v.ratio == 0.25);
	assert_string_equal(v.out, "out.txt");
	assert_true(v.size == 500ull << 20);
	assert_true(v.dur == 250000000ull);
	assert_true(v.count == 10000);
	assert_int_equal(v.mode, 2);
	assert_int_equal(v.hdr.n, 2);
	assert_string_equal(v.hdr.v[0], "A: 1");
	assert_string_equal(v.hdr.v[1], "B: 2");
	assert_null(v.hdr.v[2]);
	assert_int_equal(v.custom, 4);
	assert_int_equal(v.sessions, 2000);
	assert_true(opt_given(tab, &r, "duration"));
	assert_true(opt_given(tab, &r, "d"));
	assert_false(opt_given(tab, &r, "latency"));
	opt_free(tab, &v);
	assert_null(v.hdr.v);
}

static void test_opt_positionals_bundles_and_dashdash(void **state)
{
	struct o v;
	struct opt_res r;
	struct err e;
	char **argv = ARGV("a", "-lc3", "b", "-", "--json", "--", "--to", "-n");

	assert_int_equal(run(&v, &r, &e, argv), 0);
	assert_true(v.latency);
	assert_int_equal(v.conns, 3);
	assert_true(v.json);
	assert_int_equal(r.npos, 5);
	assert_ptr_equal(r.pos, argv + 1);
	assert_string_equal(r.pos[0], "a");
	assert_string_equal(r.pos[1], "b");
	assert_string_equal(r.pos[2], "-");
	assert_string_equal(r.pos[3], "--to");
	assert_string_equal(r.pos[4], "-n");
	/* a value that looks like an option is taken as the value */
	assert_int_equal(run(&v, &r, &e, ARGV("-o", "--json")), 0);
	assert_string_equal(v.out, "--json");
	assert_false(v.json);
}

static void test_opt_ranges(void **state)
{
	struct o v;
	struct opt_res r;
	struct err e;

	assert_int_equal(run(&v, &r, &e, ARGV("--connections", "0")), -ERANGE);
	assert_string_equal(e.msg, "--connections 0: must be between 1 and 100000");
	assert_int_equal(run(&v, &r, &e, ARGV("-c", "100001")), -ERANGE);
	assert_string_equal(e.msg, "--connections 100001: must be between 1 and 100000");
	assert_int_equal(run(&v, &r, &e, ARGV("-c", "100000")), 0);
	assert_int_equal(run(&v, &r, &e, ARGV("-c", "-1")), -ERANGE);
	assert_int_equal(run(&v, &r, &e, ARGV("-n", "6")), -ERANGE);
	assert_int_equal(run(&v, &r, &e, ARGV("-n", "-5")), 0);
	assert_int_equal(run(&v, &r, &e, ARGV("--offset", "-1")), -ERANGE);
	assert_string_equal(e.msg, "--offset -1: must be at least 0");
	assert_int_equal(run(&v, &r, &e, ARGV("--count", "2M")), -ERANGE);
	assert_string_equal(e.msg, "--count 2000000: must be at most 1000000");
	assert_int_equal(run(&v, &r, &e, ARGV("--ratio", "1.5")), -ERANGE);
	assert_string_equal(e.msg, "--ratio 1.5: must be between 0 and 1");
	assert_int_equal(run(&v, &r, &e, ARGV("-d", "2h")), -ERANGE);
	assert_string_equal(e.msg, "--duration 2h: must be between 1ns and 1h");
	assert_int_equal(run(&v, &r, &e, ARGV("-d", "0")), -ERANGE);
	assert_int_equal(run(&v, &r, &e, ARGV("-s", "1K")), -ERANGE);
	assert_string_equal(e.msg, "--size 1K: must be between 4K and 1G");
	assert_int_equal(run(&v, &r, &e, ARGV("-n", "99999999999999999999")), -ERANGE);
	assert_string_equal(e.msg, "--number '99999999999999999999': too large");
	assert_int_equal(run(&v, &r, &e, ARGV("--sessions", "0")), -ERANGE);
	assert_string_equal(e.msg, "--sessions 0: must be between 1 and 1000000");
}

static void test_opt_bad_values(void **state)
{
	struct o v;
	struct opt_res r;
	struct err e;

	assert_int_equal(run(&v, &r, &e, ARGV("-n", "3x")), -EINVAL);
	assert_string_equal(e.msg, "--number '3x': not an integer");
	assert_int_equal(run(&v, &r, &e, ARGV("-n", "")), -EINVAL);
	assert_int_equal(run(&v, &r, &e, ARGV("-n", " 3")), -EINVAL);
	assert_int_equal(run(&v, &r, &e, ARGV("--ratio", "nan")), -EINVAL);
	assert_string_equal(e.msg, "--ratio 'nan': not a number");
	assert_int_equal(run(&v, &r, &e, ARGV("--ratio", "0x1")), -EINVAL);
	assert_int_equal(run(&v, &r, &e, ARGV("-d", "soon")), -EINVAL);
	assert_string_equal(e.msg, "--duration 'soon': not a duration such as 2s or 250ms");
	assert_int_equal(run(&v, &r, &e, ARGV("-s", "5X")), -EINVAL);
	assert_string_equal(e.msg, "--size '5X': not a size such as 512K or 2G");
	assert_int_equal(run(&v, &r, &e, ARGV("--count", "1q")), -EINVAL);
	assert_string_equal(e.msg, "--count '1q': not a count such as 100 or 10k");
	assert_int_equal(run(&v, &r, &e, ARGV("--to", "kvm")), -EINVAL);
	assert_string_equal(e.msg, "--to 'kvm': expected pv, pvh or hvm");
	assert_int_equal(run(&v, &r, &e, ARGV("--even", "3")), -EINVAL);
	assert_string_equal(e.msg, "--even '3': not even");
	/* a bad value leaves the field as it was */
	assert_int_equal(run(&v, &r, &e, ARGV("-c", "5", "-c", "0")), -ERANGE);
	assert_int_equal(v.conns, 5);
}

static void test_opt_prefix_stops_at_first_positional(void **state)
{
	struct o v;
	struct opt_res r;
	struct err e = { 0 };
	char **argv = ARGV("--json", "vm.cfg", "-c", "x", "--to");

	memset(&v, 0, sizeof(v));
	assert_int_equal(opt_parse_prefix(tab, &v, 6, argv, &r, &e), 0);
	assert_true(v.json);
	assert_int_equal(v.conns, 10);
	assert_int_equal(r.npos, 4);
	assert_string_equal(r.pos[0], "vm.cfg");
	assert_string_equal(r.pos[1], "-c");
	argv = ARGV("-l", "--", "-c", "1");
	assert_int_equal(opt_parse_prefix(tab, &v, 5, argv, &r, &e), 0);
	assert_int_equal(r.npos, 2);
	assert_string_equal(r.pos[0], "-c");
}

static void test_opt_usage_errors(void **state)
{
	struct o v;
	struct opt_res r;
	struct err e;

	assert_int_equal(run(&v, &r, &e, ARGV("--nosuch")), -EINVAL);
	assert_string_equal(e.msg, "unknown option '--nosuch'");
	assert_int_equal(run(&v, &r, &e, ARGV("--nosuch=1")), -EINVAL);
	assert_string_equal(e.msg, "unknown option '--nosuch'");
	assert_int_equal(run(&v, &r, &e, ARGV("-lx")), -EINVAL);
	assert_string_equal(e.msg, "unknown option '-x'");
	assert_int_equal(run(&v, &r, &e, ARGV("--json=1")), -EINVAL);
	assert_string_equal(e.msg, "--json takes no value");
	assert_int_equal(run(&v, &r, &e, ARGV("--output")), -EINVAL);
	assert_string_equal(e.msg, "--output needs a value");
	assert_int_equal(run(&v, &r, &e, ARGV("-o")), -EINVAL);
	assert_string_equal(e.msg, "--output needs a value");
	/* a prefix is not a match */
	assert_int_equal(run(&v, &r, &e, ARGV("--conn", "3")), -EINVAL);
	assert_int_equal(run(&v, &r, &e, ARGV("a", "--help")), OPT_HELP);
	assert_int_equal(run(&v, &r, &e, ARGV("-lh")), OPT_HELP);
	assert_int_equal(run(&v, &r, &e, ARGV("--", "--help")), 0);
}

static void test_opt_value_alone(void **state)
{
	struct err e = { 0 };
	uint64_t ns = 7;

	assert_int_equal(opt_value(&tab[8], "2s", &ns, &e), 0);
	assert_true(ns == 2000000000ull);
	assert_int_equal(opt_value(&tab[8], "soon", &ns, &e), -EINVAL);
	assert_string_equal(e.msg, "'soon': not a duration such as 2s or 250ms");
	assert_true(ns == 2000000000ull);
	assert_int_equal(opt_check_range(&tab[3], 0, &e), -ERANGE);
	assert_string_equal(e.msg, "0: must be between 1 and 100000");
	assert_int_equal(opt_check_range(&tab[3], 1, &e), 0);
}

static void test_opt_help(void **state)
{
	struct sbuf s = SBUF_INIT;
	const char *h;

	opt_help(tab, &s);
	h = sbuf_str(&s);
	assert_non_null(strstr(h, "      --json            print JSON\n"));
	assert_non_null(strstr(h, "  -c, --connections N   connections in all (default 10)\n"));
	assert_non_null(strstr(h, "  -o, --output FILE     write to FILE\n"));
	assert_non_null(strstr(h, "  -t, --to pv|pvh|hvm   guest type\n"));
	assert_non_null(strstr(h, "  -H, --header H        a header (repeatable)\n"));
	assert_non_null(strstr(h, "  -d, --duration T      run time (default 10s)\n"));
	sbuf_free(&s);
}

static void test_opt_help_wraps(void **state)
{
	static const struct opt t[] = {
		{ "a-very-long-option-name", 0, OPT_STRING, 0, .metavar = "VALUE",
		  .help = "one two three four five six seven eight nine ten eleven twelve thirteen "
			  "fourteen fifteen" },
		{ 0 },
	};
	struct sbuf s = SBUF_INIT;
	const char *h, *nl;

	opt_help(t, &s);
	h = sbuf_str(&s);
	assert_non_null(strstr(h, "      --a-very-long-option-name VALUE\n                        one two"));
	for (const char *p = h; (nl = strchr(p, '\n')); p = nl + 1)
		assert_true(nl - p <= 79);
	sbuf_free(&s);
}

/* OPT_TABLE_FLAG: a table of one flag, stored through its pointer. */
static void test_opt_table_flag_sets_its_flag(void **state)
{
	static bool flag;
	static const struct opt one[] = OPT_TABLE_FLAG("json", &flag, "as JSON");
	struct opt_res r;
	struct err e = { 0 };
	char *argv[] = { "cmd", "F", "--json", NULL };

	assert_int_equal(opt_parse(one, NULL, 3, argv, &r, &e), 0);
	assert_true(flag);
	assert_int_equal(r.npos, 1);
	assert_string_equal(r.pos[0], "F");
	assert_null(one[1].name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opt_defaults),
		cmocka_unit_test(test_opt_every_type),
		cmocka_unit_test(test_opt_positionals_bundles_and_dashdash),
		cmocka_unit_test(test_opt_ranges),
		cmocka_unit_test(test_opt_bad_values),
		cmocka_unit_test(test_opt_prefix_stops_at_first_positional),
		cmocka_unit_test(test_opt_usage_errors),
		cmocka_unit_test(test_opt_value_alone),
		cmocka_unit_test(test_opt_help),
		cmocka_unit_test(test_opt_help_wraps),
		cmocka_unit_test(test_opt_table_flag_sets_its_flag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
