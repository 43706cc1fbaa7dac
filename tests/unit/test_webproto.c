/* Unit tests of the web server side's parsers: FastCGI records and pairs,
 * query strings and page parameter rules, BeSim requests and answers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "web/besim.h"
#include "web/fcgi.h"
#include "web/query.h"
#include "web/workload.h"

/* Builds a request stream as nginx sends it: BEGIN, PARAMS..., empty PARAMS,
 * STDIN body, empty STDIN. */
static void build_request(struct sbuf *s, uint16_t id, int keep, const char *const *kv,
			  const char *body)
{
	uint8_t begin[8] = { 0, FCGI_RESPONDER, (uint8_t)keep };
	struct sbuf p = SBUF_INIT;

	fcgi_put(s, FCGI_BEGIN_REQUEST, id, begin, 8);
	for (; *kv; kv += 2)
		fcgi_put_pair(&p, kv[0], kv[1]);
	fcgi_put(s, FCGI_PARAMS, id, p.buf, p.len);
	fcgi_put(s, FCGI_PARAMS, id, NULL, 0);
	if (body && *body)
		fcgi_put(s, FCGI_STDIN, id, body, strlen(body));
	fcgi_put(s, FCGI_STDIN, id, NULL, 0);
	sbuf_free(&p);
}

/* Feeds s to rq byte-exact; returns the last feed result. */
static int feed_all(struct fcgi_req *rq, const struct sbuf *s, struct sbuf *out, size_t *used)
{
	size_t off = 0;
	int res = FCGI_MORE;

	while (off < s->len && res == FCGI_MORE) {
		struct fcgi_rec r;
		int n = fcgi_parse_record((const uint8_t *)s->buf + off, s->len - off, &r);

		if (n <= 0)
			return n < 0 ? FCGI_PROTO_ERROR : res;
		off += (size_t)n;
		res = fcgi_feed(rq, &r, out);
	}
	*used = off;
	return res;
}

static void test_fcgi_request(void **state)
{
	static const char *const kv[] = { "SCRIPT_NAME", "/bank/login", "REQUEST_METHOD", "POST",
		"LONG", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", NULL };
	struct sbuf s = SBUF_INIT, out = SBUF_INIT;
	struct fcgi_req rq = { 0 };
	char v[256];
	size_t used;

	build_request(&s, 7, 1, kv, "userid=1&password=2");
	/* every prefix is incomplete, never an error */
	for (size_t k = 0; k < 8; k++) {
		struct fcgi_rec r;

		assert_int_equal(fcgi_parse_record((const uint8_t *)s.buf, k, &r), 0);
	}
	assert_int_equal(feed_all(&rq, &s, &out, &used), FCGI_READY);
	assert_int_equal(used, s.len);
	assert_int_equal(rq.id, 7);
	assert_true(rq.keep_conn);
	assert_string_equal(fcgi_param(&rq, "SCRIPT_NAME", v, sizeof(v)), "/bank/login");
	assert_int_equal(strlen(fcgi_param(&rq, "LONG", v, sizeof(v))), 142);
	assert_null(fcgi_param(&rq, "LONG", v, 100));  /* would be truncated */
	assert_null(fcgi_param(&rq, "NOPE", v, sizeof(v)));
	assert_int_equal(rq.in.len, 19);
	assert_int_equal(out.len, 0);
	/* a second BEGIN while active is refused with CANT_MPX_CONN */
	{
		uint8_t begin[8] = { 0, FCGI_RESPONDER, 1 };
		struct sbuf b = SBUF_INIT;
		struct fcgi_rec r;

		fcgi_put(&b, FCGI_BEGIN_REQUEST, 9, begin, 8);
		assert_int_equal(fcgi_parse_record((const uint8_t *)b.buf, b.len, &r), 16);
		assert_int_equal(fcgi_feed(&rq, &r, &out), FCGI_MORE);
		assert_int_equal(out.len, 16);
		assert_int_equal((uint8_t)out.buf[1], FCGI_END_REQUEST);
		assert_int_equal((uint8_t)out.buf[12], FCGI_CANT_MPX_CONN);
		sbuf_free(&b);
	}
	fcgi_req_reset(&rq);
	assert_false(rq.active);
	fcgi_req_free(&rq);
	sbuf_free(&s);
	sbuf_free(&out);
}

static void test_fcgi_writer(void **state)
{
	struct sbuf s = SBUF_INIT;
	char *big = xmalloc(70000);
	struct fcgi_rec r;
	int n;

	memset(big, 'a', 70000);
	fcgi_put(&s, FCGI_STDOUT, 1, big, 70000);
	/* split in two records, each padded to 8 */
	n = fcgi_parse_record((const uint8_t *)s.buf, s.len, &r);
	assert_true(n > 0 && n % 8 == 0);
	assert_int_equal(r.len, 65528);
	n = fcgi_parse_record((const uint8_t *)s.buf + n, s.len - (size_t)n, &r);
	assert_int_equal(r.len, 70000 - 65528);
	sbuf_reset(&s);
	fcgi_put_end(&s, 3, 0, FCGI_REQUEST_COMPLETE);
	assert_int_equal(s.len, 16);
	assert_int_equal(fcgi_parse_record((const uint8_t *)s.buf, s.len, &r), 16);
	assert_int_equal(r.type, FCGI_END_REQUEST);
	assert_int_equal(r.id, 3);
	free(big);
	sbuf_free(&s);
}

static void test_fcgi_errors(void **state)
{
	struct fcgi_rec r;
	struct fcgi_req rq = { 0 };
	struct sbuf out = SBUF_INIT;
	const uint8_t badver[8] = { 2, 1, 0, 1, 0, 0, 0, 0 };
	/* a pair whose value length runs past the end */
	const uint8_t pairs[] = { 3, 200, 'a', 'b', 'c', 'x' };
	const uint8_t pairs4[] = { 0x80, 0, 0, 3, 1, 'a', 'b', 'c', 'd' };
	/* management record of an unknown type gets UNKNOWN_TYPE */
	const uint8_t mgmt[8] = { 1, 42, 0, 0, 0, 0, 0, 0 };
	/* STDIN before PARAMS are complete is a protocol error */
	const uint8_t begin[16] = { 1, 1, 0, 1, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
	const uint8_t in[9] = { 1, 5, 0, 1, 0, 1, 0, 0, 'x' };

	assert_int_equal(fcgi_parse_record(badver, 8, &r), -EBADMSG);
	assert_int_equal(fcgi_pairs(pairs, sizeof(pairs), NULL, NULL), -EBADMSG);
	assert_int_equal(fcgi_pairs(pairs4, sizeof(pairs4), NULL, NULL), 0);
	assert_int_equal(fcgi_pairs(pairs4, 3, NULL, NULL), -EBADMSG);
	assert_int_equal(fcgi_parse_record(mgmt, 8, &r), 8);
	assert_int_equal(fcgi_feed(&rq, &r, &out), FCGI_MORE);
	assert_int_equal((uint8_t)out.buf[1], FCGI_UNKNOWN_TYPE);
	assert_int_equal(fcgi_parse_record(begin, 16, &r), 16);
	assert_int_equal(fcgi_feed(&rq, &r, &out), FCGI_MORE);
	assert_int_equal(fcgi_parse_record(in, 9, &r), 9);
	assert_int_equal(fcgi_feed(&rq, &r, &out), FCGI_PROTO_ERROR);
	fcgi_req_free(&rq);
	sbuf_free(&out);
}

static void test_query_parse(void **state)
{
	struct web_query q;
	const char *why = NULL;

	assert_int_equal(web_query_parse("a=1&b=x%20y+z&c=", 16, &q, &why), 0);
	assert_int_equal(q.n, 3);
	assert_string_equal(q.name[1], "b");
	assert_string_equal(q.value[1], "x y z");
	assert_string_equal(q.value[2], "");
	assert_int_equal(web_query_parse("", 0, &q, &why), 0);
	assert_int_equal(q.n, 0);
	assert_int_equal(web_query_parse("a=%2", 4, &q, &why), -EBADMSG);
	assert_int_equal(web_query_parse("a=%zz", 5, &q, &why), -EBADMSG);
	assert_int_equal(web_query_parse("a=%00", 5, &q, &why), -EBADMSG);
	assert_int_equal(web_query_parse("a", 1, &q, &why), -EBADMSG);
	assert_int_equal(web_query_parse("=1", 2, &q, &why), -EBADMSG);
	assert_int_equal(web_query_parse("a=1&", 4, &q, &why), -EBADMSG);
	assert_int_equal(web_query_parse("a=1&&b=2", 8, &q, &why), -EBADMSG);
	char many[200] = "";
	for (int k = 0; k < 17; k++)
		strcat(many, k ? "&a=1" : "a=1");
	assert_int_equal(web_query_parse(many, strlen(many), &q, &why), -EBADMSG);
	assert_string_equal(why, "too many parameters");
}

static void test_page_values(void **state)
{
	const struct web_workload *b = web_workload(WEB_BANKING);
	const struct web_page *qp = &b->pages[web_page_index(b, "quick_pay")];
	struct web_query q;
	const char *why;
	uint32_t v[16];
	static const char *const bad[] = {
		"userid=1&payee=3&amount=12.50",                   /* missing day */
		"userid=1&payee=3&amount=12.50&day=4&x=1",         /* unknown */
		"userid=1&payee=3&amount=12.50&day=4&day=4",       /* twice */
		"userid=0&payee=3&amount=12.50&day=4",             /* user 0 */
		"userid=1&payee=10&amount=12.50&day=4",            /* payee range */
		"userid=1&payee=3&amount=12.5&day=4",              /* cents */
		"userid=1&payee=-3&amount=12.50&day=4",            /* sign */
		"userid=99999999999&payee=3&amount=1.00&day=4",    /* digits */
		"userid=1&payee=3&amount=12.50&day=29",
		NULL,
	};

	assert_int_equal(web_query_parse("day=4&userid=42&payee=3&amount=12.50", 36, &q, &why), 0);
	assert_int_equal(web_page_values(qp, &q, v, &why), 0);
	assert_int_equal(v[0], 42);
	assert_int_equal(v[1], 3);
	assert_int_equal(v[2], 1250);
	assert_int_equal(v[3], 4);
	for (int k = 0; bad[k]; k++) {
		assert_int_equal(web_query_parse(bad[k], strlen(bad[k]), &q, &why), 0);
		if (web_page_values(qp, &q, v, &why) != -EINVAL)
			fail_msg("accepted: %s", bad[k]);
	}
	/* every query the generator makes for every page is accepted */
	for (int w = 0; w < WEB_NWORKLOADS; w++) {
		const struct web_workload *wl = web_workload(w);
		uint64_t rng = 99;

		for (size_t p = 0; p < wl->npages; p++)
			for (int i = 0; i < 50; i++) {
				struct sbuf s = SBUF_INIT;

				web_page_query(&wl->pages[p], 1 + i * 7919, &rng, &s);
				assert_int_equal(web_query_parse(s.len ? s.buf : "", s.len, &q, &why), 0);
				if (web_page_values(&wl->pages[p], &q, v, &why))
					fail_msg("%s %s: '%s' refused: %s", wl->name, wl->pages[p].name,
						 sbuf_str(&s), why);
				sbuf_free(&s);
			}
	}
}

static int parse_lit(const char *s, struct besim_req *r)
{
	return besim_parse(s, strlen(s), r);
}

static int besim_ask(const char *req, struct besim_state *st, struct sbuf *out, struct besim_req *r)
{
	int n = besim_parse(req, strlen(req), r);

	if (n > 0)
		besim_respond(st, r, out);
	return n;
}

static void test_besim(void **state)
{
	struct besim_state st = { 2 };
	struct besim_req r;
	struct sbuf out = SBUF_INIT, out2 = SBUF_INIT;
	const char *d;
	size_t dl;
	int hs;
	const char *req = "GET /besim?1&3&58&3 HTTP/1.1\r\nHost: x\r\n\r\n";

	assert_int_equal(besim_ask(req, &st, &out, &r), (int)strlen(req));
	assert_int_equal(r.status, 200);
	assert_true(r.keep_alive);
	assert_int_equal(besim_parse_answer(out.buf, out.len, &hs, &d, &dl), (int)out.len);
	assert_int_equal(hs, 200);
	assert_true(dl > 2 && !memcmp(d, "0\n", 2));
	assert_non_null(strstr(out.buf, "bank/checks/dir00000/check3_f.jpg"));
	/* deterministic */
	besim_ask(req, &st, &out2, &r);
	assert_string_equal(out.buf, out2.buf);
	/* incomplete */
	assert_int_equal(besim_parse(req, strlen(req) - 1, &r), 0);
	assert_int_equal(besim_parse_answer(out.buf, out.len - 1, &hs, &d, &dl), 0);
	/* bad queries are answered 400 on a live connection */
	static const char *const bad[] = { "/besim?1&3&58", "/besim?1&3&58&10", "/besim?4&1",
		"/besim?1&99&1", "/besim?1&2&0", "/besim?1&2&x", "/besim?1&&2", "/besim?",
		"/besim?1&2&99999999999", NULL };
	for (int k = 0; bad[k]; k++) {
		char b[256];

		snprintf(b, sizeof(b), "GET %s HTTP/1.1\r\n\r\n", bad[k]);
		sbuf_reset(&out);
		assert_true(besim_ask(b, &st, &out, &r) > 0);
		if (r.status != 400)
			fail_msg("%s: status %d", bad[k], r.status);
		assert_int_equal(besim_parse_answer(out.buf, out.len, &hs, &d, &dl), (int)out.len);
		assert_int_equal(hs, 400);
	}
	assert_int_equal(parse_lit("GET /x HTTP/1.1\r\n\r\n", &r), 19);
	assert_int_equal(r.status, 404);
	assert_int_equal(parse_lit("BREW /besim?1&2&3 HTTP/1.1\r\n\r\n", &r), 30);
	assert_int_equal(r.status, 405);
	assert_int_equal(parse_lit("GET /besim?1&2&3 HTTP/1.0\r\n\r\n", &r), 29);
	assert_false(r.keep_alive);
	assert_int_equal(parse_lit("GET /besim?1&2&3 HTTP/1.1\r\nConnection: close\r\n\r\n", &r), 48);
	assert_false(r.keep_alive);
	assert_int_equal(parse_lit("GET /besim HTTP/9.9\r\n\r\n", &r), -EBADMSG);
	assert_int_equal(parse_lit("GET\r\n\r\n", &r), -EBADMSG);
	assert_int_equal(parse_lit("GET / HTTP/1.1\r\nbad header\r\n\r\n", &r), -EBADMSG);
	/* pipelined requests are parsed one at a time */
	const char *two = "GET /besim?3&1 HTTP/1.1\r\n\r\nGET /besim?3&4&9 HTTP/1.1\r\n\r\n";
	assert_int_equal(besim_parse(two, strlen(two), &r), 27);
	/* reset changes the scaled folder count */
	sbuf_reset(&out);
	besim_ask("GET /besim?1&0&7 HTTP/1.1\r\n\r\n", &st, &out, &r);
	assert_int_equal(st.dirs, 7);
	sbuf_free(&out);
	sbuf_free(&out2);
}

/* RFC 9112 6.3: two different Content-Length values are a 400, not the last one */
static void test_besim_conflicting_content_length_rejected(void **state)
{
	struct besim_req r;

	assert_int_equal(parse_lit("GET /besim?1&2&3 HTTP/1.1\r\nContent-Length: 5\r\n"
				   "Content-Length: 0\r\n\r\n", &r), -EBADMSG);
	assert_int_equal(parse_lit("GET /besim?1&2&3 HTTP/1.1\r\nContent-Length: 0\r\n"
				   "Content-Length: 5\r\n\r\nhello", &r), -EBADMSG);
	assert_int_equal(parse_lit("GET /besim?1&2&3 HTTP/1.1\r\nContent-Length: 5x\r\n\r\n", &r),
			 -EBADMSG);
	/* the same value twice is one length */
	assert_int_equal(parse_lit("GET /besim?1&2&3 HTTP/1.1\r\nContent-Length: 2\r\n"
				   "content-length: 2 \r\n\r\nab", &r), 70);
	assert_int_equal(r.status, 200);
}

/* RFC 9112 2.2: a bare LF ends a line; such requests are answered, not left waiting */
static void test_besim_bare_lf_answered(void **state)
{
	struct besim_req r;

	assert_int_equal(parse_lit("GET /besim?1&2&3 HTTP/1.1\n\n", &r), 27);
	assert_int_equal(r.status, 200);
	assert_true(r.keep_alive);
	assert_int_equal(parse_lit("GET /besim?1&2&3 HTTP/1.1\nConnection: close\n\n", &r), 45);
	assert_false(r.keep_alive);
	assert_int_equal(parse_lit("GET /besim?1&2&3 HTTP/1.1\r\nHost: x\n\r\n", &r), 37);
	assert_int_equal(r.status, 200);
	/* incomplete, then complete */
	assert_int_equal(parse_lit("GET /besim?1&2&3 HTTP/1.1\nHost: x\n", &r), 0);
	/* a bare CR is not a line end */
	assert_int_equal(parse_lit("GET /besim?1&2&3 HTTP/1.1\rHost: x\n\n", &r), -EBADMSG);
	assert_int_equal(parse_lit("GET /besim?1&2&3 HTTP/1.1\nHost: x\ry\n\n", &r), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fcgi_request),
		cmocka_unit_test(test_fcgi_writer),
		cmocka_unit_test(test_fcgi_errors),
		cmocka_unit_test(test_query_parse),
		cmocka_unit_test(test_page_values),
		cmocka_unit_test(test_besim),
		cmocka_unit_test(test_besim_conflicting_content_length_rejected),
		cmocka_unit_test(test_besim_bare_lf_answered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
