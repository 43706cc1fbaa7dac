/* Unit tests of src/base: units, JSON, shell quoting, processes, files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/fileio.h"
#include "base/json.h"
#include "base/proc.h"
#include "base/shquote.h"
#include "base/text.h"
#include "base/units.h"

static void test_units(void **state)
{
	uint64_t v;

	assert_int_equal(units_parse_size("500M", &v), 0);
	assert_true(v == 500ull << 20);
	assert_int_equal(units_parse_size("4k", &v), 0);
	assert_true(v == 4096);
	assert_int_equal(units_parse_size("1.5GiB", &v), 0);
	assert_true(v == 3ull << 29);
	assert_int_equal(units_parse_size("12", &v), 0);
	assert_true(v == 12);
	assert_int_equal(units_parse_size("-1", &v), -EINVAL);
	assert_int_equal(units_parse_size("1X", &v), -EINVAL);
	assert_int_equal(units_parse_size("0x10", &v), -EINVAL);
	assert_int_equal(units_parse_size("", &v), -EINVAL);
	assert_int_equal(units_parse_duration("2s", &v), 0);
	assert_true(v == 2000000000ull);
	assert_int_equal(units_parse_duration("250ms", &v), 0);
	assert_true(v == 250000000ull);
	assert_int_equal(units_parse_duration("1.5", &v), 0);
	assert_true(v == 1500000000ull);
	assert_int_equal(units_parse_duration("3m", &v), 0);
	assert_true(v == 180000000000ull);
	assert_int_equal(units_parse_duration("inf", &v), -EINVAL);
	assert_int_equal(units_parse_duration("1e3", &v), -EINVAL);
	assert_int_equal(units_parse_count("10k", &v), 0);
	assert_true(v == 10000);
	assert_int_equal(units_parse_count("2M", &v), 0);
	assert_true(v == 2000000);
}

static void test_json_roundtrip(void **state)
{
	struct sbuf b = SBUF_INIT;
	struct json *j = NULL;
	struct err e = { 0 };

	sbuf_puts(&b, "{\"a\":");
	json_put_str(&b, "x\"y\\\n\x01\xff");
	sbuf_puts(&b, ",\"n\":");
	json_put_num(&b, 42);
	sbuf_puts(&b, ",\"f\":");
	json_put_num(&b, 0.5);
	sbuf_puts(&b, ",\"l\":[1,true,null,\"\\u00e9\\ud83d\\ude00\"]}");
	assert_int_equal(json_parse(b.buf, b.len, "t", &j, &e), 0);
	assert_string_equal(json_get_str(j, "a"), "x\"y\\\n\x01\xc3\xbf");
	double v;
	assert_int_equal(json_get_num(j, "n", &v), 0);
	assert_true(v == 42);
	assert_int_equal(json_get_num(j, "f", &v), 0);
	assert_true(v == 0.5);
	const struct json *l = json_get(j, "l");
	assert_non_null(l);
	assert_int_equal(l->type, JSON_ARR);
	assert_int_equal(l->len, 4);
	assert_string_equal(l->items[3]->str, "\xc3\xa9\xf0\x9f\x98\x80");
	json_free(j);
	sbuf_free(&b);
}

static void test_json_errors(void **state)
{
	static const char *bad[] = { "", "{", "[1,]", "{\"a\" 1}", "01", "\"abc", "tru", "[1] x",
				     "{\"a\":\"\\q\"}", "\"\x01\"" };
	struct json *j;
	struct err e = { 0 };

	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		assert_int_equal(json_parse(bad[k], strlen(bad[k]), "in.json", &j, &e), -EBADMSG);
		assert_true(strncmp(e.msg, "in.json:1:", 10) == 0);
	}
	assert_int_equal(json_parse("[\n 1,\n x]", 9, "f", &j, &e), -EBADMSG);
	assert_true(strncmp(e.msg, "f:3:2:", 6) == 0);
}

static void test_shquote(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "abc", "abc" },
		{ "/dev/vg0/pv1", "/dev/vg0/pv1" },
		{ "", "''" },
		{ "a b", "'a b'" },
		{ "it's", "'it'\\''s'" },
		{ "$(reboot)", "'$(reboot)'" },
		{ "a=b", "'a=b'" },
		{ "~", "'~'" },
		{ "x\ny", "'x\ny'" },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		char *q = shquote(cases[k].in);
		assert_string_equal(q, cases[k].out);
		free(q);
	}
}

/* A quoted argv run through a real sh must come back as the same argv. */
static void test_shquote_through_sh(void **state)
{
	char *words[] = { "printf", "%s|", "a b", "it's", "$HOME", "`id`", "\\", "\"", "", "x\ny", NULL };
	char *line = shquote_argv(words);
	char *argv[] = { "sh", "-c", line, NULL };
	struct sbuf out = SBUF_INIT;
	struct proc_opts o = { .out = &out, .timeout_ms = 5000 };
	struct err e = { 0 };
	int st = -1;

	assert_int_equal(proc_run(argv, &o, &st, &e), 0);
	assert_int_equal(st, 0);
	assert_string_equal(sbuf_str(&out), "a b|it's|$HOME|`id`|\\|\"||x\ny|");
	sbuf_free(&out);
	free(line);
}

static void test_proc(void **state)
{
	struct sbuf out = SBUF_INIT, er = SBUF_INIT;
	struct proc_opts o = { .stdin_data = "hello", .stdin_len = 5, .out = &out, .errout = &er,
			       .timeout_ms = 5000 };
	struct err e = { 0 };
	int st = -1;
	char *cat[] = { "cat", NULL };
	char *nope[] = { "/nonexistent/prog", NULL };
	char *fail[] = { "sh", "-c", "echo oops >&2; exit 3", NULL };
	char *slow[] = { "sleep", "10", NULL };

	assert_int_equal(proc_run(cat, &o, &st, &e), 0);
	assert_int_equal(st, 0);
	assert_string_equal(sbuf_str(&out), "hello");
	assert_int_equal(proc_run(nope, &o, &st, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "/nonexistent/prog"));
	sbuf_reset(&er);
	assert_int_equal(proc_run(fail, &o, &st, &e), 0);
	assert_int_equal(st, 3);
	assert_string_equal(sbuf_str(&er), "oops\n");
	o.timeout_ms = 200;
	assert_int_equal(proc_run(slow, &o, &st, &e), -ETIMEDOUT);
	sbuf_free(&out);
	sbuf_free(&er);
}

static void test_fileio(void **state)
{
	char dir[] = "/tmp/vmlab-test-XXXXXX";
	char path[256];
	struct sbuf b = SBUF_INIT;
	struct err e = { 0 };

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a/b/c.txt", dir);
	char sub[256];
	snprintf(sub, sizeof(sub), "%s/a/b", dir);
	assert_int_equal(file_mkdirs(sub, 0755, &e), 0);
	assert_int_equal(file_append_sync(path, "one\n", 4, &e), 0);
	assert_int_equal(file_append_sync(path, "two\n", 4, &e), 0);
	assert_int_equal(file_read(path, &b, &e), 0);
	assert_string_equal(sbuf_str(&b), "one\ntwo\n");
	assert_int_equal(file_write_atomic(path, "new", 3, &e), 0);
	sbuf_reset(&b);
	assert_int_equal(file_read(path, &b, &e), 0);
	assert_string_equal(sbuf_str(&b), "new");
	assert_int_equal(file_read("/nonexistent/x", &b, &e), -ENOENT);
	sbuf_free(&b);
	char *rm[] = { "rm", "-rf", dir, NULL };
	int st;
	proc_run(rm, NULL, &st, &e);
}

/* The one self-path helper names this very program, absolute, every call. */
static void test_proc_self_exe_is_this_program(void **state)
{
	const char *a = proc_self_exe(), *b = proc_self_exe();
	const char *slash = strrchr(a, '/');

	assert_ptr_equal(a, b);
	assert_int_equal(a[0], '/');
	assert_non_null(slash);
	assert_string_equal(slash + 1, "test_base");
	assert_int_equal(access(a, X_OK), 0);
}

/* sbuf_chomp drops only the trailing newlines. */
static void test_sbuf_chomp(void **state)
{
	struct sbuf b = SBUF_INIT;

	sbuf_puts(&b, "a\nb\n\n");
	sbuf_chomp(&b);
	assert_string_equal(sbuf_str(&b), "a\nb");
	sbuf_chomp(&b);
	assert_int_equal(b.len, 3);
	sbuf_free(&b);
	sbuf_chomp(&b);
	assert_int_equal(b.len, 0);
}

/* Lines come without their '\n', an empty line is a line, and a last line
 * without '\n' still counts; nothing is read past len. */
static void test_text_lines_last_without_newline(void **state)
{
	const char text[] = "a b\n\nlast\nNOT";
	size_t pos = 0, n;
	const char *l;

	(void)state;
	assert_int_equal(text_next_line(text, 10, &pos, &l, &n), 1);
	assert_int_equal(n, 3);
	assert_memory_equal(l, "a b", 3);
	assert_int_equal(text_next_line(text, 10, &pos, &l, &n), 1);
	assert_int_equal(n, 0);
	assert_int_equal(text_next_line(text, 10, &pos, &l, &n), 1);
	assert_int_equal(n, 4);
	assert_memory_equal(l, "last", 4);
	assert_int_equal(pos, 10);
	assert_int_equal(text_next_line(text, 10, &pos, &l, &n), 0);
	pos = 0;
	assert_int_equal(text_next_line(text, 8, &pos, &l, &n), 1);
	assert_int_equal(text_next_line(text, 8, &pos, &l, &n), 1);
	assert_int_equal(text_next_line(text, 8, &pos, &l, &n), 1);
	assert_int_equal(n, 3);
	assert_int_equal(pos, 8);
	assert_int_equal(text_next_line(text, 8, &pos, &l, &n), 0);
}

/* fd_write_all: every byte arrives; a socket whose peer is gone gives
 * -EPIPE instead of killing the process with SIGPIPE. */
static void test_fd_write_all_closed_peer_is_epipe(void **state)
{
	int p[2], sv[2];
	char buf[8] = { 0 };

	assert_int_equal(pipe(p), 0);
	assert_int_equal(fd_write_all(p[1], "abcdef", 6, false), 0);
	assert_int_equal(read(p[0], buf, sizeof(buf)), 6);
	assert_string_equal(buf, "abcdef");
	close(p[0]), close(p[1]);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(fd_write_all(sv[0], "xy", 2, true), 0);
	close(sv[1]);
	assert_int_equal(fd_write_all(sv[0], "xy", 2, true), -EPIPE);
	close(sv[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_json_roundtrip),
		cmocka_unit_test(test_json_errors),
		cmocka_unit_test(test_shquote),
		cmocka_unit_test(test_shquote_through_sh),
		cmocka_unit_test(test_proc),
		cmocka_unit_test(test_proc_self_exe_is_this_program),
		cmocka_unit_test(test_sbuf_chomp),
		cmocka_unit_test(test_fileio),
		cmocka_unit_test(test_text_lines_last_without_newline),
		cmocka_unit_test(test_fd_write_all_closed_peer_is_epipe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
