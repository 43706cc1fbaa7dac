/* The HTTP/1.1 client connection engine. */
#include "web/conn.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "base/sbuf.h"
#include "measure/clock.h"

void conn_init(struct conn *c, struct conn_loop *l, void *owner)
{
	memset(c, 0, offsetof(struct conn, resp));
	c->loop = l;
	c->owner = owner;
	c->tp = &transport_plain;
	c->t.fd = -1;
}

void conn_close(struct conn *c)
{
	if (c->open) {
		c->tp->close(&c->t);
		close(c->t.fd);
		c->t.fd = -1;
		c->open = false;
	}
	c->gen++;
	c->state = CONN_IDLE;
	c->busy = false;
	c->have = 0;
	c->woff = c->req_len = 0;
}

void conn_fail(struct conn *c, int kind, bool parse)
{
	bool busy = c->busy;

	conn_close(c);
	c->loop->ops->error(c, kind, parse, busy);
}

void conn_open(struct conn *c, const struct sockaddr *addr, socklen_t addrlen,
	       const struct transport_ops *tp, const char *sni)
{
	struct conn_loop *l = c->loop;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP, .data.ptr = c };
	int one = 1, fd;

	c->tp = tp;
	c->sni = sni;
	c->t.ssl = NULL;
	c->t_op = l->now;
	c->have = 0;
	fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		conn_fail(c, HE_CONNECT, false);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->t.fd = fd;
	c->open = true;
	if ((connect(fd, addr, addrlen) < 0 && errno != EINPROGRESS) ||
	    epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		conn_fail(c, HE_CONNECT, false);
		return;
	}
	c->state = CONN_CONNECTING;
}

static void conn_handshake(struct conn *c)
{
	enum tstatus ts = c->tp->connect(&c->t, c->loop->tls_ctx, c->sni);

	if (ts == T_RETRY) {
		c->state = CONN_HANDSHAKE;
	} else if (ts == T_ERROR) {
		conn_fail(c, HE_CONNECT, false);
	} else {
		c->state = CONN_IDLE;
		c->loop->ops->connected(c);
	}
}

static void conn_write(struct conn *c)
{
	while (c->woff < c->req_len) {
		size_t done;

		switch (c->tp->write(&c->t, c->req + c->woff, c->req_len - c->woff, &done)) {
		case T_OK:
			c->woff += done;
			break;
		case T_RETRY:
			c->state = CONN_WRITING;
			return;
		case T_ERROR:
			conn_fail(c, HE_WRITE, false);
			return;
		}
	}
	c->state = CONN_READING;
}

void conn_send(struct conn *c, const char *req, size_t len)
{
	struct conn_loop *l = c->loop;

	c->req = req;
	c->req_len = len;
	c->woff = 0;
	c->t_op = c->t_send = l->now;
	c->busy = true;
	http_resp_init(&c->resp, false);
	if (l->dispatching) {
		/* written by conn_loop_dispatch after the batch */
		c->state = CONN_WRITING;
		if (!c->queued) {
			c->queued = true;
			c->next_pending = l->pending;
			l->pending = c;
		}
		return;
	}
	conn_write(c);
}

/* The response in flight is complete. */
static void conn_done(struct conn *c)
{
	c->loop->now = clock_mono_ns();
	c->busy = false;
	c->state = CONN_IDLE;
	c->loop->ops->done(c);
}

/* The peer closed c (a read returned 0 bytes). */
static void conn_eof(struct conn *c)
{
	int rc;

	if (c->state != CONN_READING) {
		/* closed while idle: no request lost */
		conn_close(c);
		c->loop->ops->closed(c);
		return;
	}
	rc = http_resp_eof(&c->resp, c->have);
	if (rc == HTTP_DONE) {
		c->resp.keep_alive = false;
		conn_close(c);
		conn_done(c);
	} else if (rc == HTTP_MORE) {
		conn_fail(c, HE_READ, false);
	} else {
		conn_fail(c, rc, true);
	}
}

/* Parses the c->have buffered bytes; false when c was closed or failed. */
static bool conn_parse(struct conn *c)
{
	const struct conn_ops *ops = c->loop->ops;
	unsigned gen = c->gen;
	size_t off = 0;

	while (off < c->have && c->state == CONN_READING) {
		size_t used, head_before = c->resp.head_len, skip;
		int rc = http_resp_feed(&c->resp, c->buf + off, c->have - off, &used);

		if (rc < 0) {
			conn_fail(c, rc, true);
			return false;
		}
		skip = c->resp.head_len - head_before;
		if (ops->body && used > skip)
			ops->body(c, c->buf + off + skip, used - skip);
		off += used;
		if (rc == HTTP_MORE)
			break;
		conn_done(c);
		if (c->gen != gen)
			return false;
	}
	if (off < c->have && c->state != CONN_READING) {
		/* bytes while no request is in flight: not HTTP we asked for */
		conn_fail(c, HTTP_E_STATUS, true);
		return false;
	}
	if (off) {
		memmove(c->buf, c->buf + off, c->have - off);
		c->have -= off;
	}
	return true;
}

/* Reads and parses until the socket is drained. peer_closed: the event
 * reported the peer's FIN, which brings no further edge, so read to EOF. */
static void conn_read(struct conn *c, bool peer_closed)
{
	for (;;) {
		size_t got = 0, room = CONN_BUF - c->have;
		enum tstatus ts = c->tp->read(&c->t, c->buf + c->have, room, &got);

		if (ts == T_RETRY)
			return;
		if (ts == T_ERROR) {
			conn_fail(c, HE_READ, false);
			return;
		}
		if (got == 0) {
			conn_eof(c);
			return;
		}
		c->loop->bytes += got;
		if (c->state != CONN_READING) {
			conn_fail(c, HTTP_E_STATUS, true);
			return;
		}
		c->have += got;
		if (!conn_parse(c))
			return;
		if (got < room && c->tp->short_read_drains && !peer_closed)
			return;
	}
}

void conn_event(struct conn *c, uint32_t ev)
{
	if (!c->open)
		return;
	switch (c->state) {
	case CONN_CONNECTING: {
		int soerr = 0;
		socklen_t len = sizeof(soerr);

		if (!(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		if (getsockopt(c->t.fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 || soerr ||
		    (ev & (EPOLLERR | EPOLLHUP))) {
			conn_fail(c, HE_CONNECT, false);
			return;
		}
		conn_handshake(c);
		break;
	}
	case CONN_HANDSHAKE:
		conn_handshake(c);
		break;
	case CONN_WRITING:
		if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			conn_write(c);
		if (c->open && c->state == CONN_READING && (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)))
			conn_read(c, ev & (EPOLLRDHUP | EPOLLHUP));
		break;
	case CONN_READING:
	case CONN_IDLE:
		if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			conn_read(c, ev & (EPOLLRDHUP | EPOLLHUP));
		break;
	}
}

void conn_loop_dispatch(struct conn_loop *l, const struct epoll_event *ev, int n)
{
	l->dispatching = true;
	for (int i = 0; i < n; i++)
		conn_event(ev[i].data.ptr, ev[i].events);
	l->dispatching = false;
	while (l->pending) {
		struct conn *c = l->pending;

		l->pending = c->next_pending;
		c->queued = false;
		/* closed, or sent meanwhile: nothing (left) to write */
		if (c->open && c->state == CONN_WRITING && c->woff == 0)
			conn_write(c);
	}
}

int conn_loop_init(struct conn_loop *l, const struct conn_ops *ops, void *tls_ctx, struct err *e)
{
	memset(l, 0, sizeof(*l));
	l->ops = ops;
	l->tls_ctx = tls_ctx;
	l->busy_poll_ns = CONN_BUSY_POLL_NS;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		return err_set(e, -errno, "epoll_create1: %s", strerror(errno));
	return 0;
}

void conn_loop_free(struct conn_loop *l)
{
	if (l->epfd > 0)
		close(l->epfd);
	l->epfd = -1;
}

#define POLL_MISSES_MAX 8

/* The busy-poll phase of conn_loop_wait: the events found (0 when none came
 * within the poll, or the poll was skipped) or -1 with errno set. */
static int conn_loop_poll(struct conn_loop *l, uint64_t until_ns, struct epoll_event *evs, int max)
{
	uint64_t t0, end;
	int n;

	if (!l->busy_poll_ns)
		return 0;
	if (l->poll_misses >= POLL_MISSES_MAX && l->poll_misses++ % POLL_MISSES_MAX)
		return 0;
	t0 = clock_mono_ns();
	if (until_ns <= t0)
		return 0;
	end = until_ns - t0 < l->busy_poll_ns ? until_ns : t0 + l->busy_poll_ns;
	for (;;) {
		n = epoll_wait(l->epfd, evs, max, 0);
		if (n)
			break;
		if (clock_mono_ns() >= end) {
			if (l->poll_misses < POLL_MISSES_MAX)
				l->poll_misses++;
			return 0;
		}
		sched_yield();
	}
	if (n > 0)
		l->poll_misses = 0;
	return n;
}

int conn_loop_wait(struct conn_loop *l, uint64_t until_ns, struct epoll_event *evs, int max)
{
	int n = conn_loop_poll(l, until_ns, evs, max);

	if (n == 0) {
		uint64_t now = clock_mono_ns();
		uint64_t wait = until_ns > now ? until_ns - now : 0;
		struct timespec ts = { (time_t)(wait / 1000000000ull), (long)(wait % 1000000000ull) };

		n = epoll_pwait2(l->epfd, evs, max, &ts, NULL);
	}
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	l->now = clock_mono_ns();
	conn_loop_dispatch(l, evs, n);
	return n;
}

int conn_threads_run(void *(*fn)(void *), void *base, size_t stride, unsigned n,
		     void (*stop)(void), unsigned *started, struct err *e)
{
	pthread_t *tid = xcalloc(n ? n : 1, sizeof(*tid));
	int rc = 0;

	*started = 0;
	for (unsigned t = 0; t < n; t++) {
		int r = pthread_create(&tid[t], NULL, fn, (char *)base + t * stride);

		if (r) {
			rc = err_set(e, -r, "cannot start a load thread: %s", strerror(r));
			if (stop)
				stop();
			break;
		}
		(*started)++;
	}
	for (unsigned t = 0; t < *started; t++)
		pthread_join(tid[t], NULL);
	free(tid);
	return rc;
}
