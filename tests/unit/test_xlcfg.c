/* Unit tests of the xl.cfg engine: grammar, getters, edits, layout, quoting. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "xen/xlcfg.h"

static struct xlcfg *parse_ok(const char *text)
{
	struct xlcfg *c = NULL;
	struct err e = { 0 };
	int rc = xlcfg_parse("t.cfg", text, strlen(text), &c, &e);

	if (rc)
		fail_msg("parse of <<%s>> failed: %s", text, e.msg);
	return c;
}

/* Parses text, which must fail with a message starting with want. */
static void parse_bad(const char *text, size_t len, const char *want)
{
	struct xlcfg *c = NULL;
	struct err e = { 0 };

	assert_int_equal(xlcfg_parse("t.cfg", text, len, &c, &e), -EINVAL);
	assert_null(c);
	if (strncmp(e.msg, want, strlen(want)))
		fail_msg("message <<%s>> does not start with <<%s>>", e.msg, want);
}

static char *written(const struct xlcfg *c)
{
	struct sbuf b = SBUF_INIT;

	xlcfg_write(c, &b);
	return b.buf ? sbuf_take(&b) : xstrdup("");
}

static void assert_text(const struct xlcfg *c, const char *want)
{
	char *got = written(c);

	assert_string_equal(got, want);
	free(got);
}

static void test_grammar_accepts(void **state)
{
	static const char *const ok[] = {
		"", "\n", "x=1", "a=1; b=2\n", ";;\n", "x=[]\n", "x=[ 'a', ]\n",
		"x=[['a'],[1,[]]]\n", "x=[\n# c\n1 # d\n,\n2,\n]\n", "a.b_c9=1\n", "x.=2\n",
		"# c\r\nx=1\n", "x='a\rb'\n", "x=1;", "x='\\101'\n",
	};
	for (size_t k = 0; k < sizeof(ok) / sizeof(ok[0]); k++) {
		struct xlcfg *c = parse_ok(ok[k]);
		assert_text(c, ok[k]);
		xlcfg_free(c);
	}
}

static void test_grammar_rejects(void **state)
{
	parse_bad("x=1\r\n", 5, "t.cfg:1:4: config parsing error near `\\r': lexical error");
	parse_bad("x=1\n# end", 9, "t.cfg:2:1: config parsing error near `#");
	parse_bad("X=1\n", 4, "t.cfg:1:1: config parsing error near `X=1'");
	parse_bad("x=abc\n", 6, "t.cfg:1:3: config parsing error near `abc': syntax error, unexpected IDENT");
	parse_bad("x=1 y=2\n", 8, "t.cfg:1:5: config parsing error near `y'");
	parse_bad("x=[,]\n", 6, "t.cfg:1:4: config parsing error near `,'");
	parse_bad("x=\n1\n", 5, "t.cfg:1:3: config parsing error near <newline>");
	parse_bad("x='\\x41'\n", 9, "t.cfg:1:4: config parsing error near `'\\x41'': invalid digit");
	parse_bad("x='\\q'\n", 7, "t.cfg:1:4:");
	parse_bad("x='a'; x+=['b']\n", 16, "t.cfg:1:8: config parsing error near `x': can't add");
	parse_bad("x=-1\n", 5, "t.cfg:1:3:");
	parse_bad("x=[1", 4, "t.cfg:1:5: config parsing error near end of file");
	parse_bad("x='a\0b'\n", 8, "t.cfg:1:3:");
	parse_bad("x=1 \\\ny=2\n", 10, "t.cfg:1:5:");
}

static void test_getters(void **state)
{
	struct xlcfg *c = parse_ok("memory = 512\nname='vm'\nm2=\"0x10\"\nneg='-1'\nbad=08\n"
				   "big=99999999999999999999\nlist=['a',['b'],2]\n"
				   "s='a'\ns+='b'\nn+=5\nmemory=1024 # again\n");
	const char *s;
	long l;
	const struct xlcfg_value *v;
	struct err e = { 0 };

	assert_int_equal(xlcfg_nkeys(c), 9);
	assert_string_equal(xlcfg_key(c, 0), "memory");
	assert_null(xlcfg_key(c, 9));
	assert_int_equal(xlcfg_get_long(c, "memory", &l, &e), 0);
	assert_int_equal(l, 1024);
	assert_int_equal(xlcfg_line(c, "memory"), 11);
	assert_int_equal(xlcfg_get_string(c, "memory", &s, &e), 0);
	assert_string_equal(s, "1024");
	assert_int_equal(xlcfg_get_long(c, "m2", &l, &e), 0);
	assert_int_equal(l, 16);
	assert_int_equal(xlcfg_get_long(c, "neg", &l, &e), 0);
	assert_int_equal(l, -1);
	assert_int_equal(xlcfg_get_long(c, "bad", &l, &e), -EINVAL);
	assert_string_equal(e.msg, "t.cfg:5:5: parameter `bad' is not a valid number");
	assert_int_equal(xlcfg_get_string(c, "bad", &s, &e), 0);
	assert_string_equal(s, "08");
	assert_false(xlcfg_number_value(xlcfg_get(c, "bad"), &l));
	assert_int_equal(xlcfg_get_long(c, "big", &l, &e), -ERANGE);
	assert_int_equal(xlcfg_get_long(c, "name", &l, &e), -EINVAL);
	assert_int_equal(xlcfg_get_long(c, "list", &l, &e), -EINVAL);
	assert_int_equal(xlcfg_get_string(c, "list", &s, &e), -EINVAL);
	assert_int_equal(xlcfg_get_list(c, "name", &v, &e), -EINVAL);
	assert_int_equal(xlcfg_get_list(c, "list", &v, &e), 0);
	assert_int_equal(v->nitems, 3);
	assert_int_equal(v->items[1]->kind, XLCFG_LIST);
	assert_string_equal(v->items[1]->items[0]->str, "b");
	assert_int_equal(v->items[2]->kind, XLCFG_NUMBER);
	assert_int_equal(xlcfg_get_string(c, "s", &s, &e), 0);
	assert_string_equal(s, "ab");
	assert_int_equal(xlcfg_get_long(c, "n", &l, &e), -EINVAL);
	assert_string_equal(e.msg, "t.cfg:10:4: can't use += with numbers for parameter `n'");
	assert_int_equal(xlcfg_get_string(c, "n", &s, &e), 0);
	assert_string_equal(s, "5");
	e.msg[0] = 0;
	assert_int_equal(xlcfg_get_string(c, "absent", &s, &e), -ENOENT);
	assert_int_equal(xlcfg_get_long(c, "absent", &l, &e), -ENOENT);
	assert_string_equal(e.msg, "");
	assert_null(xlcfg_get(c, "absent"));
	assert_int_equal(xlcfg_line(c, "absent"), 0);
	xlcfg_free(c);
}

static void test_add_semantics(void **state)
{
	struct xlcfg *c = parse_ok("x=[1]; x+=[2]; x+=[[3]]\ny=1\ny+=2\nz+='a'\n");
	const struct xlcfg_value *v = xlcfg_get(c, "x");
	const char *s;

	assert_int_equal(v->nitems, 3);
	assert_string_equal(v->items[1]->str, "2");
	assert_int_equal(v->items[2]->kind, XLCFG_LIST);
	assert_int_equal(xlcfg_get_string(c, "y", &s, NULL), 0);
	assert_string_equal(s, "12");
	assert_int_equal(xlcfg_get(c, "y")->kind, XLCFG_STRING);
	assert_int_equal(xlcfg_get_string(c, "z", &s, NULL), 0);
	assert_string_equal(s, "a");
	xlcfg_free(c);
}

static void test_escapes(void **state)
{
	struct xlcfg *c = parse_ok("a='x\\n\\t\\\\\\'\\\"'\nb='a\\101b'\nc='\\1 5z'\nd=\"\\a\\b\\f\\v\\r\"\n");
	const char *s;

	xlcfg_get_string(c, "a", &s, NULL);
	assert_string_equal(s, "x\n\t\\'\"");
	xlcfg_get_string(c, "b", &s, NULL);
	assert_string_equal(s, "ab");
	xlcfg_get_string(c, "c", &s, NULL);
	assert_string_equal(s, "z");
	xlcfg_get_string(c, "d", &s, NULL);
	assert_string_equal(s, "\a\b\f\v\r");
	xlcfg_free(c);
}

static void test_set(void **state)
{
	struct xlcfg *c = parse_ok("# head\nmemory = 128 # MB\nname='a'; vcpus=2\nx='a'\nx+='b'\n"
				   "disk = [\n  'a', # first\n]\nlast=1");
	struct err e = { 0 };
	long l;

	assert_int_equal(xlcfg_set(c, "memory", "512", &e), 0);
	assert_text(c, "# head\nmemory = 512 # MB\nname='a'; vcpus=2\nx='a'\nx+='b'\n"
		       "disk = [\n  'a', # first\n]\nlast=1");
	assert_int_equal(xlcfg_set(c, "x", "'c'", &e), 0);
	assert_text(c, "# head\nmemory = 512 # MB\nname='a'; vcpus=2\nx='c'\n"
		       "disk = [\n  'a', # first\n]\nlast=1");
	assert_int_equal(xlcfg_set(c, "disk", "[ 'b' ]", &e), 0);
	assert_int_equal(xlcfg_set_string(c, "name", "it's", &e), 0);
	assert_int_equal(xlcfg_set_long(c, "vcpus", -3, &e), 0);
	assert_int_equal(xlcfg_set_long(c, "new", 7, &e), 0);
	assert_text(c, "# head\nmemory = 512 # MB\nname=\"it's\"; vcpus=\"-3\"\nx='c'\n"
		       "disk = [ 'b' ]\nlast=1\nnew = 7");
	assert_int_equal(xlcfg_get_long(c, "vcpus", &l, &e), 0);
	assert_int_equal(l, -3);
	const char *items[] = { "a", "b'c" };
	assert_int_equal(xlcfg_set_list(c, "vif", items, 2, &e), 0);
	assert_int_equal(xlcfg_get(c, "vif")->nitems, 2);
	assert_string_equal(xlcfg_get(c, "vif")->items[1]->str, "b'c");
	/* bad values and keys change nothing */
	char *before = written(c);
	assert_int_equal(xlcfg_set(c, "memory", "abc", &e), -EINVAL);
	assert_int_equal(xlcfg_set(c, "memory", "1 2", &e), -EINVAL);
	assert_int_equal(xlcfg_set(c, "memory", "1\nx=2", &e), -EINVAL);
	assert_int_equal(xlcfg_set(c, "memory", "", &e), -EINVAL);
	assert_int_equal(xlcfg_set(c, "Memory", "1", &e), -EINVAL);
	assert_text(c, before);
	free(before);
	xlcfg_free(c);
}

static void test_del(void **state)
{
	struct xlcfg *c = parse_ok("a=1 # gone too\nb=2; c=3\nd=[\n 1, # x\n 2]\ne=4; f=5 # keep\n"
				   "a=6\ng=7");
	struct err e = { 0 };

	assert_int_equal(xlcfg_del(c, "a", &e), 0);
	assert_text(c, "b=2; c=3\nd=[\n 1, # x\n 2]\ne=4; f=5 # keep\ng=7");
	assert_int_equal(xlcfg_del(c, "c", &e), 0);
	assert_int_equal(xlcfg_del(c, "d", &e), 0);
	assert_int_equal(xlcfg_del(c, "e", &e), 0);
	assert_text(c, "b=2;\nf=5 # keep\ng=7");
	assert_int_equal(xlcfg_del(c, "f", &e), 0);
	assert_int_equal(xlcfg_del(c, "g", &e), 0);
	assert_text(c, "b=2;");
	assert_int_equal(xlcfg_del(c, "zz", &e), -ENOENT);
	assert_int_equal(xlcfg_nkeys(c), 1);
	xlcfg_free(c);
}

/* set of a new key then del gives back the bytes of every accepted file,
 * whatever its line ends (CR and an open comment are rejected): no final newline, a
 * comment, ';'-separated statements */
static void test_set_del_keeps_open_last_line(void **state)
{
	static const char *const texts[] = {
		"", "a=1", "a=1\n",
		"a=1\n# c\n", "# only\n", "a=1; b=2", "a=1; b=2;", "a=1;\n", "\n\n",
		"a=1 # c\n", "a=[1,\n2]", "a=1\n\n", "x=1X", "x=1\nX",
	};
	struct err e = { 0 };

	(void)state;
	for (size_t k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
		struct xlcfg *c = parse_ok(texts[k]);
		assert_int_equal(xlcfg_set(c, "zz.new", "1", &e), 0);
		assert_int_equal(xlcfg_del(c, "zz.new", &e), 0);
		assert_text(c, texts[k]);
		xlcfg_free(c);
	}
	/* deleting an open last line after a comment keeps the comment's newline */
	struct xlcfg *c = parse_ok("#\001\nx=9");
	assert_int_equal(xlcfg_del(c, "x", &e), 0);
	assert_text(c, "#\001\n");
	xlcfg_free(c);
}

/* 100,000 distinct keys parse and look up in linear time: well under the
 * 3 s bound, where a scan per key took ~19 s */
static void test_many_keys_not_quadratic(void **state)
{
	enum { N = 100000 };
	struct sbuf b = SBUF_INIT;
	struct xlcfg *c = NULL;
	struct err e = { 0 };
	struct timespec t0, t1;
	long v;

	(void)state;
	for (int k = 0; k < N; k++)
		sbuf_printf(&b, "k%d = 0\n", k);
	for (int k = 0; k < N; k++)
		sbuf_printf(&b, "k%d = %d\n", k, k);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(xlcfg_parse("t.cfg", sbuf_str(&b), b.len, &c, &e), 0);
	for (int k = 0; k < N; k++) {
		char key[16];
		snprintf(key, sizeof(key), "k%d", k);
		assert_int_equal(xlcfg_get_long(c, key, &v, &e), 0);
		assert_int_equal(v, k);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(xlcfg_nkeys(c), N);
	assert_true((t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9 < 3.0);
	xlcfg_free(c);
	sbuf_free(&b);
}

static void test_format(void **state)
{
	struct xlcfg *c = parse_ok("\n\n# top\na=1;b = [1,\n 2, # two\n [3,4]]  # list\n\n\n\n"
				   "  c+=\"x\" ;d=08\ne=[ ]\n\n");
	struct sbuf b = SBUF_INIT;

	xlcfg_format(c, &b);
	assert_string_equal(sbuf_str(&b), "# top\na = 1\nb = [\n    1,\n    2, # two\n    [ 3, 4 ],\n"
					  "] # list\n\nc += \"x\"\nd = 08\ne = []\n");
	sbuf_free(&b);
	xlcfg_free(c);
}

static void test_quote(void **state)
{
	char all[256], *q;
	struct sbuf src = SBUF_INIT;
	struct xlcfg *c;
	const char *s;

	for (int k = 1; k < 256; k++)
		all[k - 1] = (char)k;
	all[255] = 0;
	assert_int_equal(xlcfg_quote(all, &q), 0);
	sbuf_printf(&src, "x = %s\n", q);
	c = parse_ok(sbuf_str(&src));
	assert_int_equal(xlcfg_get_string(c, "x", &s, NULL), 0);
	assert_string_equal(s, all);
	free(q);
	xlcfg_free(c);
	sbuf_free(&src);
	assert_int_equal(xlcfg_quote("it's", &q), 0);
	assert_string_equal(q, "\"it's\"");
	free(q);
	assert_int_equal(xlcfg_quote("a\"b'c", &q), 0);
	assert_string_equal(q, "'a\"b\\'c'");
	free(q);
	assert_true(xlcfg_valid_key("a.b_9"));
	assert_false(xlcfg_valid_key("9a"));
	assert_false(xlcfg_valid_key("aB"));
	assert_false(xlcfg_valid_key(""));
	assert_false(xlcfg_valid_key("on-crash"));
}

static void test_json(void **state)
{
	struct xlcfg *c = parse_ok("a=512\nb='512'\nc=08\nd=[0x10,'x',[]]\ne=1\ne+=2\n");
	struct sbuf b = SBUF_INIT;

	for (size_t k = 0; k < xlcfg_nkeys(c); k++) {
		xlcfg_value_json(xlcfg_get(c, xlcfg_key(c, k)), &b);
		sbuf_putc(&b, ' ');
	}
	assert_string_equal(sbuf_str(&b), "512 \"512\" \"08\" [16,\"x\",[]] \"12\" ");
	sbuf_reset(&b);
	xlcfg_value_src(xlcfg_get(c, "d"), &b);
	assert_string_equal(sbuf_str(&b), "[ 0x10, 'x', [] ]");
	sbuf_free(&b);
	xlcfg_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grammar_accepts),
		cmocka_unit_test(test_grammar_rejects),
		cmocka_unit_test(test_getters),
		cmocka_unit_test(test_add_semantics),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_del),
		cmocka_unit_test(test_set_del_keeps_open_last_line),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_many_keys_not_quadratic),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
