/* The raw HTTP/1.1 load engine. */
#include "web/http_client.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "measure/clock.h"

/* Per-connection read buffer: one response head must fit in it. */
#define CONN_BUF HTTP_HEAD_MAX
/* Housekeeping (timeouts, reconnects) period. */
#define TICK_NS 10000000ull
/* Wait before reconnecting after a failed connect. */
#define RECONNECT_NS 10000000ull

static atomic_bool stop_flag;

void http_load_stop(void)
{
	atomic_store_explicit(&stop_flag, true, memory_order_relaxed);
}

static const char *const he_names[HE_KINDS] = { "connect", "read", "write", "timeout", "status" };

const char *http_client_err_name(int kind)
{
	return kind >= 0 && kind < HE_KINDS ? he_names[kind] : "?";
}

int http_url_parse(const char *url, struct http_url *u, struct err *e)
{
	const char *p = url, *h, *he, *port = NULL, *pe;
	size_t n;

	memset(u, 0, sizeof(*u));
	if (!strncmp(p, "http://", 7)) {
		p += 7;
	} else if (!strncmp(p, "https://", 8)) {
		u->tls = true;
		p += 8;
	} else {
		return err_set(e, -EINVAL, "%s:1:1: URL must start with http:// or https://", url);
	}
	if (*p == '[') {
		h = p + 1;
		he = strchr(h, ']');
		if (!he)
			return err_set(e, -EINVAL, "%s:1:%d: missing ']'", url, (int)(p - url) + 1);
		p = he + 1;
	} else {
		h = p;
		while (*p && *p != ':' && *p != '/' && *p != '?')
			p++;
		he = p;
	}
	if (he == h || (size_t)(he - h) >= sizeof(u->host))
		return err_set(e, -EINVAL, "%s:1:%d: bad host", url, (int)(h - url) + 1);
	memcpy(u->host, h, (size_t)(he - h));
	if (*p == ':') {
		port = ++p;
		while (*p >= '0' && *p <= '9')
			p++;
		pe = p;
		if (pe == port || pe - port > 5 || atoi(port) < 1 || atoi(port) > 65535)
			return err_set(e, -EINVAL, "%s:1:%d: bad port", url, (int)(port - url) + 1);
		memcpy(u->port, port, (size_t)(pe - port));
	} else {
		strcpy(u->port, u->tls ? "443" : "80");
	}
	if (*p && *p != '/' && *p != '?')
		return err_set(e, -EINVAL, "%s:1:%d: unexpected '%c'", url, (int)(p - url) + 1, *p);
	n = strlen(p);
	if (n + 2 > sizeof(u->path))
		return err_set(e, -EINVAL, "%s:1:%d: path too long", url, (int)(p - url) + 1);
	for (const char *q = p; *q; q++)
		if ((unsigned char)*q <= 0x20 || *q == 0x7f)
			return err_set(e, -EINVAL, "%s:1:%d: space or control character in the path",
				       url, (int)(q - url) + 1);
	if (*p != '/')
		u->path[0] = '/';
	strcat(u->path, p);
	snprintf(u->hostport, sizeof(u->hostport), "%s%s%s%s%s", port && strchr(u->host, ':') ? "[" : "",
		 u->host, port && strchr(u->host, ':') ? "]" : "", port ? ":" : "", port ? u->port : "");
	return 0;
}

int http_build_get(const struct http_url *u, char *const *headers, int n, struct sbuf *out,
		   struct err *e)
{
	bool host = false;

	for (int i = 0; i < n; i++) {
		const char *c = strchr(headers[i], ':');

		if (!c || c == headers[i] || strpbrk(headers[i], "\r\n"))
			return err_set(e, -EINVAL, "bad header '%s': expected 'Name: value'", headers[i]);
		if (c - headers[i] == 4 && !strncasecmp(headers[i], "host", 4))
			host = true;
	}
	sbuf_printf(out, "GET %s HTTP/1.1\r\n", u->path);
	if (!host)
		sbuf_printf(out, "Host: %s\r\n", u->hostport);
	for (int i = 0; i < n; i++)
		sbuf_printf(out, "%s\r\n", headers[i]);
	sbuf_puts(out, "\r\n");
	return 0;
}

void http_stats_reset(struct http_stats *s)
{
	memset(s, 0, offsetof(struct http_stats, lat));
	hist_reset(&s->lat);
	hist_reset(&s->fail_lat);
}

void http_stats_merge(struct http_stats *dst, const struct http_stats *src)
{
	dst->requests += src->requests;
	dst->bytes += src->bytes;
	dst->connects += src->connects;
	for (int i = 0; i < HE_KINDS; i++)
		dst->err[i] += src->err[i];
	for (int i = 0; i < HTTP_E_KINDS; i++)
		dst->perr[i] += src->perr[i];
	for (int i = 0; i < 6; i++)
		dst->status[i] += src->status[i];
	dst->failed += src->failed;
	hist_merge(&dst->lat, &src->lat);
	hist_merge(&dst->fail_lat, &src->fail_lat);
}

uint64_t http_stats_errors(const struct http_stats *s)
{
	uint64_t n = 0;

	for (int i = 0; i < HE_KINDS; i++)
		n += s->err[i];
	for (int i = 0; i < HTTP_E_KINDS; i++)
		n += s->perr[i];
	return n;
}

enum cstate { CS_IDLE, CS_CONNECTING, CS_HANDSHAKE, CS_WRITING, CS_READING };

struct worker;

struct conn {
	struct worker *w;
	struct tconn t;
	enum cstate state;
	bool open;
	bool busy;              /* a request was started and has no complete response yet */
	unsigned gen;           /* bumped by every close */
	size_t woff;
	uint64_t t_origin;      /* latency origin: send time, or intended send time */
	uint64_t t_op;          /* start of the pending connect or request (timeouts) */
	uint64_t next_send;     /* rate mode: intended time of the next request */
	uint64_t retry_at;      /* CS_IDLE and closed: reconnect at this time */
	size_t have;            /* unconsumed bytes in buf */
	struct http_resp resp;
	char buf[CONN_BUF];
};

struct worker {
	const struct http_load_cfg *cfg;
	pthread_t tid;
	int epfd;
	unsigned nconns;
	unsigned index, nthreads;
	struct conn *conns;
	uint64_t interval;      /* rate mode: ns between one connection's requests; 0 closed */
	uint64_t start, end;
	uint64_t now;
	struct http_stats st;
	int setup_err;
};

static void conn_close(struct conn *c)
{
	if (c->open) {
		c->w->cfg->tp->close(&c->t);
		close(c->t.fd);
		c->t.fd = -1;
		c->open = false;
	}
	c->gen++;
	c->state = CS_IDLE;
	c->busy = false;
	c->have = 0;
}

static void conn_send(struct conn *c);
static void conn_open(struct conn *c);

/* Counts a request that ended in an error, from origin (ns) to now. */
static void fail_request(struct worker *w, uint64_t origin)
{
	w->st.failed++;
	hist_record(&w->st.fail_lat, w->now > origin ? w->now - origin : 0);
}

/* Closed connection c is opened again at its next slot (rate mode), or after
 * backoff_ns. */
static void conn_retry(struct conn *c, uint64_t backoff_ns)
{
	struct worker *w = c->w;

	if (w->interval)
		c->retry_at = c->next_send > w->now ? c->next_send : w->now;
	else
		c->retry_at = w->now + backoff_ns;
}

/* Drops the connection after an error of the given kind and schedules the
 * reconnect. In rate mode, the slot that was due (its request in flight, or
 * its connection still being made) is consumed and its request counted as
 * failed; in closed loop, a request in flight is. */
static void conn_fail(struct conn *c, int kind, bool parse)
{
	struct worker *w = c->w;

	if (parse)
		w->st.perr[-kind - 1]++;
	else
		w->st.err[kind]++;
	if (w->interval && (c->busy || c->next_send <= w->now)) {
		fail_request(w, c->next_send);
		c->next_send += w->interval;
	} else if (c->busy) {
		fail_request(w, c->t_origin);
	}
	conn_close(c);
	conn_retry(c, kind == HE_CONNECT && !parse ? RECONNECT_NS : 0);
}

/* The connection is ready for a request: send now or wait for its time. */
static void conn_ready(struct conn *c)
{
	if (c->w->interval && c->next_send > c->w->now) {
		c->state = CS_IDLE;
		return;
	}
	conn_send(c);
}

static void conn_open(struct conn *c)
{
	struct worker *w = c->w;
	const struct http_load_cfg *cfg = w->cfg;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP, .data.ptr = c };
	int one = 1, fd;

	fd = socket(cfg->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		conn_fail(c, HE_CONNECT, false);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->t.fd = fd;
	c->t.ssl = NULL;
	c->open = true;
	c->have = 0;
	c->t_op = w->now;
	if (connect(fd, (const struct sockaddr *)&cfg->addr, cfg->addrlen) < 0 && errno != EINPROGRESS) {
		conn_fail(c, HE_CONNECT, false);
		return;
	}
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		conn_fail(c, HE_CONNECT, false);
		return;
	}
	c->state = CS_CONNECTING;
}

static void conn_handshake(struct conn *c)
{
	const struct http_load_cfg *cfg = c->w->cfg;

	switch (cfg->tp->connect(&c->t, cfg->tls_ctx, cfg->sni)) {
	case T_OK:
		c->w->st.connects++;
		conn_ready(c);
		break;
	case T_RETRY:
		c->state = CS_HANDSHAKE;
		break;
	case T_ERROR:
		conn_fail(c, HE_CONNECT, false);
		break;
	}
}

static void conn_write(struct conn *c)
{
	const struct http_load_cfg *cfg = c->w->cfg;

	while (c->woff < cfg->req_len) {
		size_t done;

		switch (cfg->tp->write(&c->t, cfg->req + c->woff, cfg->req_len - c->woff, &done)) {
		case T_OK:
			c->woff += done;
			break;
		case T_RETRY:
			c->state = CS_WRITING;
			return;
		case T_ERROR:
			conn_fail(c, HE_WRITE, false);
			return;
		}
	}
	c->state = CS_READING;
}

static void conn_send(struct conn *c)
{
	struct worker *w = c->w;

	c->t_origin = w->interval ? c->next_send : w->now;
	c->t_op = w->now;
	c->busy = true;
	c->woff = 0;
	http_resp_init(&c->resp, false);
	conn_write(c);
}

/* A response is complete: record it and go on with the next request. */
static void conn_done(struct conn *c)
{
	struct worker *w = c->w;
	int cls = c->resp.status / 100;

	w->now = clock_mono_ns();
	c->busy = false;
	w->st.requests++;
	hist_record(&w->st.lat, w->now > c->t_origin ? w->now - c->t_origin : 0);
	w->st.status[cls < 6 ? cls : 0]++;
	if (cls != 2 && cls != 3)
		w->st.err[HE_STATUS]++;
	if (w->interval)
		c->next_send += w->interval;
	if (!c->resp.keep_alive) {
		conn_close(c);
		c->retry_at = w->now;
		conn_open(c);
		return;
	}
	conn_ready(c);
}

/* Reads and parses until the socket is drained. peer_closed: the event
 * reported the peer's FIN, which brings no further edge, so read to EOF. */
static void conn_read(struct conn *c, bool peer_closed)
{
	struct worker *w = c->w;
	const struct transport_ops *tp = w->cfg->tp;
	unsigned gen = c->gen;

	for (;;) {
		size_t got = 0, off = 0, room = CONN_BUF - c->have;
		enum tstatus ts = tp->read(&c->t, c->buf + c->have, room, &got);

		if (ts == T_RETRY)
			return;
		if (ts == T_ERROR) {
			conn_fail(c, HE_READ, false);
			return;
		}
		if (got == 0) {
			int rc = http_resp_eof(&c->resp, c->have);

			if (c->state != CS_READING) {
				/* closed while idle: no request lost */
				conn_close(c);
				conn_retry(c, 0);
				return;
			}
			if (rc == HTTP_DONE) {
				c->resp.keep_alive = false;
				conn_done(c);
			} else if (rc == HTTP_MORE) {
				conn_fail(c, HE_READ, false);
			} else {
				conn_fail(c, rc, true);
			}
			return;
		}
		w->st.bytes += got;
		if (c->state != CS_READING) {
			/* bytes while no request is in flight: not HTTP we asked for */
			conn_fail(c, HTTP_E_STATUS, true);
			return;
		}
		c->have += got;
		while (off < c->have && c->state == CS_READING) {
			size_t used;
			int rc = http_resp_feed(&c->resp, c->buf + off, c->have - off, &used);

			off += used;
			if (rc < 0) {
				conn_fail(c, rc, true);
				return;
			}
			if (rc == HTTP_MORE)
				break;
			conn_done(c);
			if (c->gen != gen)
				return;
		}
		if (off < c->have && c->state != CS_READING) {
			conn_fail(c, HTTP_E_STATUS, true);
			return;
		}
		if (off) {
			memmove(c->buf, c->buf + off, c->have - off);
			c->have -= off;
		}
		if (got < room && tp->short_read_drains && !peer_closed)
			return;
	}
}

static void conn_event(struct conn *c, uint32_t ev)
{
	if (!c->open)
		return;
	switch (c->state) {
	case CS_CONNECTING: {
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
	case CS_HANDSHAKE:
		conn_handshake(c);
		break;
	case CS_WRITING:
		if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			conn_write(c);
		if (c->open && c->state == CS_READING && (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)))
			conn_read(c, ev & (EPOLLRDHUP | EPOLLHUP));
		break;
	case CS_READING:
	case CS_IDLE:
		if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			conn_read(c, ev & (EPOLLRDHUP | EPOLLHUP));
		break;
	}
}

/* Timeouts, reconnects and (rate mode) due sends; returns the next time
 * something is due. */
static uint64_t housekeeping(struct worker *w)
{
	uint64_t next = w->now + TICK_NS;
	uint64_t tmo = w->cfg->timeout_ns;

	for (unsigned i = 0; i < w->nconns; i++) {
		struct conn *c = &w->conns[i];

		if (!c->open) {
			if (c->retry_at <= w->now)
				conn_open(c);
			else if (c->retry_at < next)
				next = c->retry_at;
			continue;
		}
		if (c->state == CS_IDLE) {
			if (c->next_send <= w->now)
				conn_send(c);
			else if (c->next_send < next)
				next = c->next_send;
			continue;
		}
		if (tmo && w->now - c->t_op > tmo)
			conn_fail(c, HE_TIMEOUT, false);
	}
	return next;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[256];
	uint64_t next_hk;

	/* wake at the intended send times, not up to 50 us (the default slack) late */
	if (w->interval)
		prctl(PR_SET_TIMERSLACK, 1UL);
	w->now = clock_mono_ns();
	for (unsigned i = 0; i < w->nconns; i++) {
		struct conn *c = &w->conns[i];

		c->w = w;
		c->t.fd = -1;
		/* spread all threads' connections' schedules evenly over one interval */
		c->next_send = w->start + (w->interval ? w->interval * (i * w->nthreads + w->index) /
							  (w->nconns * w->nthreads) : 0);
		conn_open(c);
	}
	next_hk = w->now + TICK_NS;
	while (!atomic_load_explicit(&stop_flag, memory_order_relaxed)) {
		struct timespec ts;
		uint64_t wait;
		int n;

		w->now = clock_mono_ns();
		if (w->now >= w->end)
			break;
		if (w->now >= next_hk || w->interval)
			next_hk = housekeeping(w);
		wait = (next_hk < w->end ? next_hk : w->end);
		wait = wait > w->now ? wait - w->now : 0;
		ts.tv_sec = (time_t)(wait / 1000000000ull);
		ts.tv_nsec = (long)(wait % 1000000000ull);
		n = epoll_pwait2(w->epfd, evs, 256, &ts, NULL);
		if (n < 0 && errno != EINTR)
			break;
		if (n <= 0)
			continue;
		w->now = clock_mono_ns();
		for (int i = 0; i < n; i++)
			conn_event(evs[i].data.ptr, evs[i].events);
	}
	for (unsigned i = 0; i < w->nconns; i++)
		conn_close(&w->conns[i]);
	return NULL;
}

int http_load_run(const struct http_load_cfg *cfg, struct http_stats *out, uint64_t *elapsed_ns,
		  struct err *e)
{
	unsigned nt = cfg->threads ? cfg->threads : 1, started = 0;
	struct worker *ws;
	uint64_t start;
	int rc = 0;

	if (cfg->conns < nt)
		return err_set(e, -EINVAL, "%u connections cannot feed %u threads", cfg->conns, nt);
	http_stats_reset(out);
	atomic_store(&stop_flag, false);
	ws = xcalloc(nt, sizeof(*ws));
	start = clock_mono_ns();
	for (unsigned t = 0; t < nt; t++) {
		struct worker *w = &ws[t];

		w->cfg = cfg;
		w->index = t;
		w->nthreads = nt;
		w->nconns = cfg->conns / nt + (t < cfg->conns % nt);
		w->conns = xcalloc(w->nconns, sizeof(*w->conns));
		w->start = start;
		w->end = start + cfg->duration_ns;
		if (cfg->rate > 0) {
			double per_conn = cfg->rate / cfg->conns;

			w->interval = (uint64_t)(1e9 / per_conn);
			if (!w->interval)
				w->interval = 1;
		}
		http_stats_reset(&w->st);
		w->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (w->epfd < 0) {
			rc = err_set(e, -errno, "epoll_create1: %s", strerror(errno));
			break;
		}
	}
	for (unsigned t = 0; !rc && t < nt; t++) {
		int r = pthread_create(&ws[t].tid, NULL, worker_main, &ws[t]);

		if (r) {
			rc = err_set(e, -r, "cannot start a load thread: %s", strerror(r));
			http_load_stop();
			break;
		}
		started++;
	}
	for (unsigned t = 0; t < started; t++)
		pthread_join(ws[t].tid, NULL);
	*elapsed_ns = clock_mono_ns() - start;
	for (unsigned t = 0; t < nt; t++) {
		if (t < started)
			http_stats_merge(out, &ws[t].st);
		if (ws[t].epfd > 0)
			close(ws[t].epfd);
		free(ws[t].conns);
	}
	free(ws);
	return rc;
}
