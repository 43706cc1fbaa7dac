/* Unit tests of src/web/http_parse: framing (length, chunked, close, no
 * body), interim responses, keep-alive rules, and errors by kind, each fed
 * whole and in every split as a socket would deliver it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "web/http_parse.h"

struct outcome {
	int rc;                 /* HTTP_DONE or error kind; HTTP_MORE if data ran out */
	size_t consumed;        /* bytes consumed when DONE */
	struct http_resp r;
};

/* Feeds data[0..n) in pieces of `step` bytes the way the client does: the
 * unconsumed rest is kept and passed again with the next piece. */
static struct outcome feed(const char *data, size_t n, size_t step, int eof)
{
	struct outcome o = { HTTP_MORE, 0, { 0 } };
	char *buf = malloc(n + 1);
	size_t have = 0, pos = 0, total = 0;

	http_resp_init(&o.r, false);
	while (pos < n) {
		size_t k = n - pos < step ? n - pos : step, used;

		memcpy(buf + have, data + pos, k);
		have += k;
		pos += k;
		o.rc = http_resp_feed(&o.r, buf, have, &used);
		total += used;
		memmove(buf, buf + used, have - used);
		have -= used;
		if (o.rc != HTTP_MORE)
			break;
	}
	if (o.rc == HTTP_MORE && eof)
		o.rc = http_resp_eof(&o.r, have);
	o.consumed = total;
	free(buf);
	return o;
}

/* Checks that every split of data gives the same outcome as feeding it whole. */
static struct outcome feed_all_splits(const char *data, int eof)
{
	size_t n = strlen(data);
	struct outcome whole = feed(data, n, n, eof);

	for (size_t step = 1; step < n; step++) {
		struct outcome o = feed(data, n, step, eof);

		assert_int_equal(o.rc, whole.rc);
		if (o.rc == HTTP_DONE) {
			assert_int_equal(o.consumed, whole.consumed);
			assert_int_equal(o.r.body, whole.r.body);
			assert_int_equal(o.r.status, whole.r.status);
		}
	}
	return whole;
}

static void test_content_length(void **state)
{
	const char *s = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1";
	struct outcome o = feed_all_splits(s, 0);

	assert_int_equal(o.rc, HTTP_DONE);
	assert_int_equal(o.r.status, 200);
	assert_true(o.r.keep_alive);
	assert_int_equal(o.r.body, 5);
	assert_int_equal(o.consumed, strlen(s) - strlen("HTTP/1.1"));
}

static void test_chunked(void **state)
{
	const char *s = "HTTP/1.1 200 OK\r\ntransfer-encoding:  chunked\r\n\r\n"
			"5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-T: 1\r\n\r\n";
	struct outcome o = feed_all_splits(s, 0);

	assert_int_equal(o.rc, HTTP_DONE);
	assert_int_equal(o.r.body, 31);
	assert_int_equal(o.consumed, strlen(s));
}

static void test_no_body(void **state)
{
	const char *nm = "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n";
	const char *nc = "HTTP/1.1 204 No Content\r\n\r\n";
	const char *cont = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";
	struct outcome o = feed_all_splits(nm, 0);
	struct http_resp r;
	size_t used;

	assert_int_equal(o.rc, HTTP_DONE);
	assert_int_equal(o.r.body, 0);
	assert_int_equal(feed_all_splits(nc, 0).rc, HTTP_DONE);
	o = feed_all_splits(cont, 0);
	assert_int_equal(o.rc, HTTP_DONE);
	assert_int_equal(o.r.status, 201);
	assert_int_equal(o.consumed, strlen(cont));
	/* HEAD: Content-Length describes a body that is not sent */
	http_resp_init(&r, true);
	assert_int_equal(http_resp_feed(&r, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", 38, &used),
			 HTTP_DONE);
	assert_int_equal(used, 38);
}

static void test_close_delimited_and_keep_alive(void **state)
{
	struct outcome o = feed_all_splits("HTTP/1.0 200 OK\r\n\r\nall of it", 1);

	assert_int_equal(o.rc, HTTP_DONE);
	assert_false(o.r.keep_alive);
	assert_int_equal(o.r.body, 9);
	o = feed_all_splits("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 0);
	assert_int_equal(o.rc, HTTP_DONE);
	assert_false(o.r.keep_alive);
	o = feed_all_splits("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n", 0);
	assert_true(o.r.keep_alive);
	o = feed_all_splits("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 0);
	assert_false(o.r.keep_alive);
}

static void test_errors_by_kind(void **state)
{
	static const struct {
		const char *in;
		int eof, want;
	} cases[] = {
		{ "HTTP/2 200 OK\r\n\r\n", 0, HTTP_E_STATUS },
		{ "HTTP/1.1 2x0 OK\r\n\r\n", 0, HTTP_E_STATUS },
		{ "HTTP/1.1 200OK\r\n\r\n", 0, HTTP_E_STATUS },
		{ "SSH-2.0-OpenSSH\r\n\r\n", 0, HTTP_E_STATUS },
		{ "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", 0, HTTP_E_HEADER },
		{ "HTTP/1.1 200 OK\r\n : x\r\n\r\n", 0, HTTP_E_HEADER },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", 0, HTTP_E_HEADER },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", 0, HTTP_E_HEADER },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 0, HTTP_E_HEADER },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 0, HTTP_E_HEADER },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, HTTP_E_CHUNK },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX", 0, HTTP_E_CHUNK },
		/* test_chunk_data_lf_checked: CR then not LF after a chunk's data */
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\rX", 0, HTTP_E_CHUNK },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1111111111111111\r\n", 0, HTTP_E_CHUNK },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", 1, HTTP_E_TRUNCATED },
		{ "HTTP/1.1 200 OK\r\nContent-Le", 1, HTTP_E_TRUNCATED },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", 1, HTTP_E_TRUNCATED },
		{ "", 1, HTTP_MORE },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct outcome o = feed_all_splits(cases[i].in, cases[i].eof);

		if (o.rc != cases[i].want)
			fail_msg("case %zu: got %d, want %d", i, o.rc, cases[i].want);
	}
	assert_string_equal(http_err_name(HTTP_E_TOO_LARGE), "header-too-large");
}

static void test_huge_head(void **state)
{
	size_t n = HTTP_HEAD_MAX + 100;
	char *s = malloc(n + 1);
	struct outcome o;

	memcpy(s, "HTTP/1.1 200 OK\r\nX-Big: ", 24);
	memset(s + 24, 'a', n - 24);
	s[n] = 0;
	o = feed(s, n, 4096, 0);
	assert_int_equal(o.rc, HTTP_E_TOO_LARGE);
	o = feed(s, n, n, 0);
	assert_int_equal(o.rc, HTTP_E_TOO_LARGE);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_content_length),
		cmocka_unit_test(test_chunked),
		cmocka_unit_test(test_no_body),
		cmocka_unit_test(test_close_delimited_and_keep_alive),
		cmocka_unit_test(test_errors_by_kind),
		cmocka_unit_test(test_huge_head),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
