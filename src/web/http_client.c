/* The raw HTTP/1.1 load engine. */
#include "web/http_client.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "measure/clock.h"

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

struct worker;

/* One connection of the raw generator and its schedule. */
struct rconn {
	struct conn c;
	struct worker *w;
	uint64_t t_origin;      /* latency origin: send time, or intended send time */
	uint64_t next_send;     /* rate mode: intended time of the next request */
	uint64_t retry_at;      /* closed: reconnect at this time */
};

struct worker {
	const struct http_load_cfg *cfg;
	struct conn_loop loop;  /* loop.now: the time of the current wake-up */
	unsigned nconns;
	unsigned index, nthreads;
	struct rconn *conns;
	uint64_t interval;      /* rate mode: ns between one connection's requests; 0 closed */
	uint64_t start, end;
	struct http_stats st;
};

/* Counts a request that ended in an error, from origin (ns) to now. */
static void fail_request(struct worker *w, uint64_t origin)
{
	uint64_t now = w->loop.now;

	w->st.failed++;
	hist_record(&w->st.fail_lat, now > origin ? now - origin : 0);
}

static void rconn_open(struct rconn *r)
{
	const struct http_load_cfg *cfg = r->w->cfg;

	conn_open(&r->c, (const struct sockaddr *)&cfg->addr, cfg->addrlen, cfg->tp, cfg->sni);
}

static void rconn_send(struct rconn *r)
{
	const struct http_load_cfg *cfg = r->w->cfg;

	r->t_origin = r->w->interval ? r->next_send : r->w->loop.now;
	conn_send(&r->c, cfg->req, cfg->req_len);
}

/* The connection is ready for a request: send now or wait for its time. */
static void rconn_ready(struct rconn *r)
{
	if (r->w->interval && r->next_send > r->w->loop.now)
		return;
	rconn_send(r);
}

/* Closed connection r is opened again at its next slot (rate mode), or after
 * backoff_ns. */
static void rconn_retry(struct rconn *r, uint64_t backoff_ns)
{
	struct worker *w = r->w;

	if (w->interval)
		r->retry_at = r->next_send > w->loop.now ? r->next_send : w->loop.now;
	else
		r->retry_at = w->loop.now + backoff_ns;
}

static void on_connected(struct conn *c)
{
	struct rconn *r = c->owner;

	r->w->st.connects++;
	rconn_ready(r);
}

/* A response is complete: record it and go on with the next request. */
static void on_done(struct conn *c)
{
	struct rconn *r = c->owner;
	struct worker *w = r->w;
	uint64_t now = w->loop.now;
	int cls = c->resp.status / 100;

	w->st.requests++;
	hist_record(&w->st.lat, now > r->t_origin ? now - r->t_origin : 0);
	w->st.status[cls < 6 ? cls : 0]++;
	if (cls != 2 && cls != 3)
		w->st.err[HE_STATUS]++;
	if (w->interval)
		r->next_send += w->interval;
	if (!c->resp.keep_alive) {
		conn_close(c);
		r->retry_at = now;
		rconn_open(r);
		return;
	}
	rconn_ready(r);
}

/* After an error of the given kind the connection is reopened later. In rate
 * mode, the slot that was due (its request in flight, or its connection still
 * being made) is consumed and its request counted as failed; in closed loop,
 * a request in flight is. */
static void on_error(struct conn *c, int kind, bool parse, bool busy)
{
	struct rconn *r = c->owner;
	struct worker *w = r->w;

	if (parse)
		w->st.perr[-kind - 1]++;
	else
		w->st.err[kind]++;
	if (w->interval && (busy || r->next_send <= w->loop.now)) {
		fail_request(w, r->next_send);
		r->next_send += w->interval;
	} else if (busy) {
		fail_request(w, r->t_origin);
	}
	rconn_retry(r, kind == HE_CONNECT && !parse ? RECONNECT_NS : 0);
}

/* Closed while idle: no request lost, reopen at once (or at its slot). */
static void on_closed(struct conn *c)
{
	rconn_retry(c->owner, 0);
}

static const struct conn_ops raw_ops = {
	.connected = on_connected, .done = on_done, .error = on_error, .closed = on_closed,
};

/* Timeouts, reconnects and (rate mode) due sends; returns the next time
 * something is due. */
static uint64_t housekeeping(struct worker *w)
{
	uint64_t now = w->loop.now, next = now + TICK_NS;
	uint64_t tmo = w->cfg->timeout_ns;

	for (unsigned i = 0; i < w->nconns; i++) {
		struct rconn *r = &w->conns[i];

		if (!r->c.open) {
			if (r->retry_at <= now)
				rconn_open(r);
			else if (r->retry_at < next)
				next = r->retry_at;
			continue;
		}
		if (r->c.state == CONN_IDLE) {
			if (r->next_send <= now)
				rconn_send(r);
			else if (r->next_send < next)
				next = r->next_send;
			continue;
		}
		if (tmo && now - r->c.t_op > tmo)
			conn_fail(&r->c, HE_TIMEOUT, false);
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
	w->loop.now = clock_mono_ns();
	for (unsigned i = 0; i < w->nconns; i++) {
		struct rconn *r = &w->conns[i];

		r->w = w;
		conn_init(&r->c, &w->loop, r);
		/* spread all threads' connections' schedules evenly over one interval */
		r->next_send = w->start + (w->interval ? w->interval * (i * w->nthreads + w->index) /
							  (w->nconns * w->nthreads) : 0);
		rconn_open(r);
	}
	next_hk = w->loop.now + TICK_NS;
	while (!atomic_load_explicit(&stop_flag, memory_order_relaxed)) {
		w->loop.now = clock_mono_ns();
		if (w->loop.now >= w->end)
			break;
		if (w->loop.now >= next_hk || w->interval)
			next_hk = housekeeping(w);
		if (conn_loop_wait(&w->loop, next_hk < w->end ? next_hk : w->end, evs, 256) < 0)
			break;
	}
	for (unsigned i = 0; i < w->nconns; i++)
		conn_close(&w->conns[i].c);
	w->st.bytes += w->loop.bytes;
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
		rc = conn_loop_init(&w->loop, &raw_ops, cfg->tls_ctx, e);
		if (rc)
			break;
		w->loop.busy_poll_ns = cfg->busy_poll_ns;
	}
	if (!rc)
		rc = conn_threads_run(worker_main, ws, sizeof(*ws), nt, http_load_stop, &started, e);
	*elapsed_ns = clock_mono_ns() - start;
	for (unsigned t = 0; t < nt; t++) {
		if (t < started)
			http_stats_merge(out, &ws[t].st);
		conn_loop_free(&ws[t].loop);
		free(ws[t].conns);
	}
	free(ws);
	return rc;
}
