/* Unit tests of src/web/conn, the connection engine under both load
 * generators, against a loopback server driven by the test: a response split
 * across reads at every byte, keep-alive reuse, the server closing mid-response
 * (an error) or while idle (not one), a refused connect, bytes nobody asked
 * for. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "measure/clock.h"
#include "web/conn.h"
#include "web/net.h"

static const char REQ[] = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
static const char RESP[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

/* What the callbacks saw. */
struct seen {
	int connected, done, error, closed;
	int kind;
	bool parse, busy;
	int status;
	size_t body;
	uint64_t latency;
};

static void on_connected(struct conn *c)
{
	((struct seen *)c->owner)->connected++;
}

static void on_done(struct conn *c)
{
	struct seen *s = c->owner;

	s->done++;
	s->status = c->resp.status;
	s->latency = c->loop->now - c->t_send;
}

static void on_error(struct conn *c, int kind, bool parse, bool busy)
{
	struct seen *s = c->owner;

	s->error++;
	s->kind = kind;
	s->parse = parse;
	s->busy = busy;
}

static void on_closed(struct conn *c)
{
	((struct seen *)c->owner)->closed++;
}

static void on_body(struct conn *c, const char *p, size_t n)
{
	(void)p;
	((struct seen *)c->owner)->body += n;
}

static const struct conn_ops ops = { on_connected, on_done, on_error, on_closed, on_body };

struct fixture {
	struct conn_loop loop;
	struct conn c;
	struct seen seen;
	struct net_addr addr;
	int lfd, sfd;           /* listening socket, server side of the connection */
};

/* Dispatches events until *counter changes or 2 s pass. */
static void pump(struct fixture *f, const int *counter)
{
	int before = *counter;
	uint64_t end = clock_mono_ns() + 2000000000ull;

	while (*counter == before && clock_mono_ns() < end) {
		struct epoll_event ev[8];
		int n = epoll_wait(f->loop.epfd, ev, 8, 50);

		f->loop.now = clock_mono_ns();
		for (int i = 0; i < n; i++)
			conn_event(ev[i].data.ptr, ev[i].events);
	}
}

/* A connected, idle conn and the server's socket. */
static void setup(struct fixture *f)
{
	struct err e = { 0 };

	memset(f, 0, sizeof(*f));
	assert_int_equal(net_parse_addr("127.0.0.1:0", &f->addr, &e), 0);
	f->lfd = net_listen(&f->addr, 0, 0, &e);
	assert_true(f->lfd >= 0);
	f->loop.epfd = epoll_create1(EPOLL_CLOEXEC);
	f->loop.ops = &ops;
	f->loop.now = clock_mono_ns();
	conn_init(&f->c, &f->loop, &f->seen);
	conn_open(&f->c, (struct sockaddr *)&f->addr.ss, f->addr.len, &transport_plain, NULL);
	f->sfd = accept(f->lfd, NULL, NULL);
	assert_true(f->sfd >= 0);
	pump(f, &f->seen.connected);
	assert_int_equal(f->seen.connected, 1);
	assert_int_equal(f->c.state, CONN_IDLE);
}

static void teardown(struct fixture *f)
{
	conn_close(&f->c);
	if (f->sfd >= 0)
		close(f->sfd);
	close(f->lfd);
	close(f->loop.epfd);
}

/* Reads the whole request on the server side. */
static void server_read_request(struct fixture *f)
{
	char buf[256];
	size_t got = 0;

	while (got < strlen(REQ)) {
		ssize_t r = read(f->sfd, buf + got, sizeof(buf) - got);

		assert_true(r > 0);
		got += (size_t)r;
	}
	assert_memory_equal(buf, REQ, strlen(REQ));
}

static void server_write(struct fixture *f, const char *p, size_t n)
{
	assert_int_equal(net_write_all(f->sfd, p, n), 0);
}

static void server_close(struct fixture *f)
{
	close(f->sfd);
	f->sfd = -1;
}

static void test_response_split_at_every_byte(void **state)
{
	size_t n = strlen(RESP);

	(void)state;
	for (size_t cut = 1; cut < n; cut++) {
		struct fixture f;

		setup(&f);
		conn_send(&f.c, REQ, strlen(REQ));
		server_read_request(&f);
		server_write(&f, RESP, cut);
		/* the first part alone completes nothing */
		for (int i = 0; i < 3; i++) {
			struct epoll_event ev[4];
			int k = epoll_wait(f.loop.epfd, ev, 4, 5);

			for (int j = 0; j < k; j++)
				conn_event(ev[j].data.ptr, ev[j].events);
		}
		assert_int_equal(f.seen.done, 0);
		server_write(&f, RESP + cut, n - cut);
		pump(&f, &f.seen.done);
		assert_int_equal(f.seen.done, 1);
		assert_int_equal(f.seen.error, 0);
		assert_int_equal(f.seen.status, 200);
		assert_int_equal(f.seen.body, 5);
		assert_int_equal(f.loop.bytes, n);
		assert_int_equal(f.c.state, CONN_IDLE);
		assert_false(f.c.busy);
		teardown(&f);
	}
}

static void test_keepalive_reuses_the_connection(void **state)
{
	struct fixture f;
	unsigned gen;
	int fd;

	(void)state;
	setup(&f);
	gen = f.c.gen;
	fd = f.c.t.fd;
	for (int i = 1; i <= 3; i++) {
		conn_send(&f.c, REQ, strlen(REQ));
		server_read_request(&f);
		server_write(&f, RESP, strlen(RESP));
		pump(&f, &f.seen.done);
		assert_int_equal(f.seen.done, i);
		assert_true(f.c.open);
		assert_int_equal(f.c.gen, gen);
		assert_int_equal(f.c.t.fd, fd);
	}
	assert_int_equal(f.seen.connected, 1);
	assert_int_equal(f.seen.error, 0);
	teardown(&f);
}

static void test_server_close_mid_response_is_an_error(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	conn_send(&f.c, REQ, strlen(REQ));
	server_read_request(&f);
	server_write(&f, RESP, strlen(RESP) - 2);
	server_close(&f);
	pump(&f, &f.seen.error);
	assert_int_equal(f.seen.error, 1);
	assert_int_equal(f.seen.done, 0);
	assert_true(f.seen.parse);
	assert_int_equal(f.seen.kind, HTTP_E_TRUNCATED);
	assert_true(f.seen.busy);
	assert_false(f.c.open);
	teardown(&f);
}

static void test_server_close_while_idle_is_not_an_error(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	server_close(&f);
	pump(&f, &f.seen.closed);
	assert_int_equal(f.seen.closed, 1);
	assert_int_equal(f.seen.error, 0);
	assert_false(f.c.open);
	teardown(&f);
}

static void test_connect_refused_is_a_connect_error(void **state)
{
	struct fixture f;
	struct err e = { 0 };

	(void)state;
	memset(&f, 0, sizeof(f));
	assert_int_equal(net_parse_addr("127.0.0.1:0", &f.addr, &e), 0);
	f.lfd = net_listen(&f.addr, 0, 0, &e);
	assert_true(f.lfd >= 0);
	close(f.lfd);           /* the port is free now: nobody listens */
	f.loop.epfd = epoll_create1(EPOLL_CLOEXEC);
	f.loop.ops = &ops;
	conn_init(&f.c, &f.loop, &f.seen);
	conn_open(&f.c, (struct sockaddr *)&f.addr.ss, f.addr.len, &transport_plain, NULL);
	pump(&f, &f.seen.error);
	assert_int_equal(f.seen.error, 1);
	assert_int_equal(f.seen.kind, HE_CONNECT);
	assert_false(f.seen.parse);
	assert_false(f.seen.busy);
	assert_int_equal(f.seen.connected, 0);
	assert_false(f.c.open);
	close(f.loop.epfd);
}

static void test_bytes_while_idle_are_a_status_error(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f);
	server_write(&f, RESP, strlen(RESP));
	pump(&f, &f.seen.error);
	assert_int_equal(f.seen.error, 1);
	assert_true(f.seen.parse);
	assert_int_equal(f.seen.kind, HTTP_E_STATUS);
	assert_false(f.seen.busy);
	teardown(&f);
}

static void test_close_delimited_response_is_done(void **state)
{
	static const char r[] = "HTTP/1.0 200 OK\r\n\r\nuntil close";
	struct fixture f;

	(void)state;
	setup(&f);
	conn_send(&f.c, REQ, strlen(REQ));
	server_read_request(&f);
	server_write(&f, r, strlen(r));
	server_close(&f);
	pump(&f, &f.seen.done);
	assert_int_equal(f.seen.done, 1);
	assert_int_equal(f.seen.error, 0);
	assert_int_equal(f.seen.body, strlen("until close"));
	assert_false(f.c.open);
	teardown(&f);
}

/* done callback of the batch test: starts the next request at once and
 * checks that nothing is written before the batch is over. */
static int deferred_sends;
static struct fixture *batch_fixture;

static void on_done_resend(struct conn *c)
{
	struct fixture *f = batch_fixture;
	char b;

	on_done(c);
	conn_send(c, REQ, strlen(REQ));
	assert_int_equal(c->state, CONN_WRITING);
	assert_int_equal(recv(f->sfd, &b, 1, MSG_DONTWAIT), -1);
	deferred_sends++;
}

static void test_request_started_in_a_batch_is_written_after_it(void **state)
{
	static const struct conn_ops resend = { on_connected, on_done_resend, on_error, on_closed, NULL };
	struct fixture f;
	struct epoll_event ev[4];
	int n = 0;

	(void)state;
	setup(&f);
	conn_send(&f.c, REQ, strlen(REQ));
	server_read_request(&f);
	server_write(&f, RESP, strlen(RESP));
	f.loop.ops = &resend;
	batch_fixture = &f;
	for (int i = 0; i < 40 && n <= 0; i++)
		n = epoll_wait(f.loop.epfd, ev, 4, 50);
	assert_true(n > 0);
	deferred_sends = 0;
	conn_loop_dispatch(&f.loop, ev, n);
	assert_int_equal(deferred_sends, 1);
	assert_int_equal(f.c.state, CONN_READING);
	server_read_request(&f);
	f.loop.ops = &ops;
	teardown(&f);
}

/* A loop waiting on one end of a socketpair whose other end a thread writes
 * to after delay_us; returns the voluntary context switches (sleeps) of the
 * waiting thread during the wait. The registered conn is closed, so the
 * event is dispatched to nothing. */
struct late_write { int fd; unsigned delay_us; };

static void *write_late(void *arg)
{
	struct late_write *w = arg;

	usleep(w->delay_us);
	assert_int_equal(write(w->fd, "x", 1), 1);
	return NULL;
}

static long sleeps_waiting_for_late_write(uint64_t busy_poll_ns, unsigned delay_us)
{
	struct conn_loop l;
	struct conn c = { 0 };
	struct err e = { 0 };
	struct epoll_event ev, evs[4];
	struct rusage r0, r1;
	int sv[2], n;
	pthread_t t;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(conn_loop_init(&l, &ops, NULL, &e), 0);
	l.busy_poll_ns = busy_poll_ns;
	ev.events = EPOLLIN;
	ev.data.ptr = &c;
	assert_int_equal(epoll_ctl(l.epfd, EPOLL_CTL_ADD, sv[0], &ev), 0);
	struct late_write w = { sv[1], delay_us };
	assert_int_equal(pthread_create(&t, NULL, write_late, &w), 0);
	getrusage(RUSAGE_THREAD, &r0);
	l.now = clock_mono_ns();
	n = conn_loop_wait(&l, l.now + 5000000000ull, evs, 4);
	getrusage(RUSAGE_THREAD, &r1);
	pthread_join(t, NULL);
	assert_int_equal(n, 1);
	conn_loop_free(&l);
	close(sv[0]);
	close(sv[1]);
	return r1.ru_nvcsw - r0.ru_nvcsw;
}

/* The server's wake-up per response is avoided: a response that comes
 * within the busy poll finds the client awake. */
static void test_response_within_busy_poll_finds_the_loop_awake(void **state)
{
	(void)state;
	assert_int_equal(sleeps_waiting_for_late_write(500000000ull, 2000), 0);
	assert_true(sleeps_waiting_for_late_write(0, 2000) >= 1);
}

static double thread_cpu_s(void)
{
	struct rusage r;

	getrusage(RUSAGE_THREAD, &r);
	return (double)r.ru_utime.tv_sec + (double)r.ru_stime.tv_sec +
	       ((double)r.ru_utime.tv_usec + (double)r.ru_stime.tv_usec) / 1e6;
}

/* Polls that find nothing back off: 32 waits of 6 ms with nothing to read
 * and a 4 ms poll spend at most the 8 misses and 3 probes polling (44 ms),
 * not 32 polls (128 ms). */
static void test_busy_poll_backs_off_when_nothing_comes(void **state)
{
	struct conn_loop l;
	struct err e = { 0 };
	struct epoll_event evs[4];
	double cpu0;

	(void)state;
	assert_int_equal(conn_loop_init(&l, &ops, NULL, &e), 0);
	l.busy_poll_ns = 4000000;
	cpu0 = thread_cpu_s();
	for (int i = 0; i < 32; i++) {
		l.now = clock_mono_ns();
		assert_int_equal(conn_loop_wait(&l, l.now + 6000000, evs, 4), 0);
	}
	assert_true(thread_cpu_s() - cpu0 < 0.070);
	conn_loop_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_response_split_at_every_byte),
		cmocka_unit_test(test_keepalive_reuses_the_connection),
		cmocka_unit_test(test_server_close_mid_response_is_an_error),
		cmocka_unit_test(test_server_close_while_idle_is_not_an_error),
		cmocka_unit_test(test_connect_refused_is_a_connect_error),
		cmocka_unit_test(test_bytes_while_idle_are_a_status_error),
		cmocka_unit_test(test_close_delimited_response_is_done),
		cmocka_unit_test(test_request_started_in_a_batch_is_written_after_it),
		cmocka_unit_test(test_response_within_busy_poll_finds_the_loop_awake),
		cmocka_unit_test(test_busy_poll_backs_off_when_nothing_comes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
