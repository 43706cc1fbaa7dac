/* The FastCGI application: routing, BeSim calls, page rendering, server. */
#include "web/app.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "web/besim.h"
#include "web/fileset.h"
#include "web/net.h"
#include "web/query.h"
#include "web/workload.h"

#define BESIM_TIMEOUT_S 10
#define MAX_PAD 200000

struct web_app {
	struct net_addr besim;
	pthread_mutex_t mu;
	int *idle;               /* idle keep-alive BeSim connections */
	unsigned nidle, pool_max;
	char *pad;               /* MAX_PAD bytes of page filler */
	atomic_uint conns;
	int *live;               /* web_app_serve: fd of each connection slot, -1 free (mu) */
	unsigned nlive;
};

int web_app_new(const char *besim_addr, unsigned pool_max, struct web_app **out, struct err *e)
{
	struct web_app *a = xcalloc(1, sizeof(*a));
	int rc;

	if ((rc = net_parse_addr(besim_addr, &a->besim, e))) {
		free(a);
		return rc;
	}
	pthread_mutex_init(&a->mu, NULL);
	a->pool_max = pool_max ? pool_max : 64;
	a->idle = xcalloc(a->pool_max, sizeof(int));
	a->pad = xmalloc(MAX_PAD);
	web_content(WEB_FILESET_SEED, "padding", 0, a->pad, MAX_PAD);
	for (size_t k = 0; k < MAX_PAD; k++)
		a->pad[k] = k % 72 == 71 ? '\n' : "abcdefghijklmnopqrstuvwxyz   "[(unsigned char)a->pad[k] % 29];
	*out = a;
	return 0;
}

void web_app_free(struct web_app *a)
{
	if (!a)
		return;
	for (unsigned k = 0; k < a->nidle; k++)
		close(a->idle[k]);
	pthread_mutex_destroy(&a->mu);
	free(a->idle);
	free(a->pad);
	free(a);
}

/* ---- the BeSim connection pool ---- */

static int pool_get(struct web_app *a, int *reused, struct err *e)
{
	int fd = -1;

	pthread_mutex_lock(&a->mu);
	if (a->nidle)
		fd = a->idle[--a->nidle];
	pthread_mutex_unlock(&a->mu);
	*reused = fd >= 0;
	if (fd < 0) {
		struct timeval tv = { BESIM_TIMEOUT_S, 0 };

		fd = net_connect(&a->besim, e);
		if (fd >= 0) {
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		}
	}
	return fd;
}

static void pool_put(struct web_app *a, int fd)
{
	pthread_mutex_lock(&a->mu);
	if (a->nidle < a->pool_max) {
		a->idle[a->nidle++] = fd;
		fd = -1;
	}
	pthread_mutex_unlock(&a->mu);
	if (fd >= 0)
		close(fd);
}

/* Sends one command and reads its answer into resp; [*data, +*dlen) is the
 * <pre> text. A stale pooled connection is replaced once. Returns 0 or -errno. */
static int besim_call(struct web_app *a, unsigned wl, unsigned cmd, const uint32_t *args,
		      unsigned nargs, struct sbuf *resp, const char **data, size_t *dlen,
		      struct err *e)
{
	char req[512];
	int n = snprintf(req, sizeof(req), "GET /besim?%u&%u", wl, cmd);

	for (unsigned k = 0; k < nargs; k++)
		n += snprintf(req + n, sizeof(req) - (size_t)n, "&%u", args[k]);
	n += snprintf(req + n, sizeof(req) - (size_t)n, " HTTP/1.1\r\nHost: besim\r\n\r\n");
	for (int attempt = 0; attempt < 2; attempt++) {
		int reused, fd = pool_get(a, &reused, e), status = 0, got;

		if (fd < 0)
			return fd;
		sbuf_reset(resp);
		if (net_write_all(fd, req, (size_t)n)) {
			close(fd);
			if (reused)
				continue;
			return err_set(e, -EIO, "besim: send failed");
		}
		for (;;) {
			char buf[16384];
			ssize_t r = recv(fd, buf, sizeof(buf), 0);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				got = -EIO;
				break;
			}
			sbuf_add(resp, buf, (size_t)r);
			got = besim_parse_answer(resp->buf, resp->len, &status, data, dlen);
			if (got != 0)
				break;
		}
		if (got == -EIO && reused && resp->len == 0) {
			close(fd);
			continue;
		}
		if (got < 0) {
			close(fd);
			return err_set(e, -EIO, "besim: %s", got == -EIO ? "connection lost" : "malformed answer");
		}
		if ((size_t)got != resp->len) {
			close(fd);  /* extra bytes: the connection is out of step */
		} else {
			pool_put(a, fd);
		}
		if (status != 200 || *dlen < 2 || memcmp(*data, "0\n", 2))
			return err_set(e, -EPROTO, "besim refused %s", req + 4);
		*data += 2;
		*dlen -= 2;
		return 0;
	}
	return err_set(e, -EIO, "besim: connection lost");
}

/* ---- pages ---- */

#define C(x) (-1 - (x))

struct call {
	uint8_t cmd, nargs;
	int8_t src[6];   /* >= 0: page parameter index; C(x): the constant x */
};

struct page_calls {
	uint8_t n;
	struct call c[2];
};

static const struct page_calls bank_calls[] = {
	{ 2, { { BESIM_B_LOGIN, 2, { 0, 1 } }, { BESIM_B_ACCOUNTS, 1, { 0 } } } },
	{ 1, { { BESIM_B_ACCOUNTS, 1, { 0 } } } },
	{ 1, { { BESIM_B_CHECK_DETAIL, 2, { 0, 1 } } } },
	{ 1, { { BESIM_B_PAYEES, 1, { 0 } } } },
	{ 1, { { BESIM_B_PROFILE, 1, { 0 } } } },
	{ 1, { { BESIM_B_ADD_PAYEE, 5, { 0, 1, 2, 3, 4 } } } },
	{ 1, { { BESIM_B_QUICK_PAY, 4, { 0, 1, 2, 3 } } } },
	{ 1, { { BESIM_B_BILLPAY_STATUS, 3, { 0, 1, 2 } } } },
	{ 1, { { BESIM_B_PROFILE, 1, { 0 } } } },
	{ 1, { { BESIM_B_CHANGE_PROFILE, 4, { 0, 1, 2, 3 } } } },
	{ 1, { { BESIM_B_ACCOUNTS, 1, { 0 } } } },
	{ 1, { { BESIM_B_ORDER_CHECKS, 3, { 0, 1, 2 } } } },
	{ 1, { { BESIM_B_ACCOUNTS, 1, { 0 } } } },
	{ 1, { { BESIM_B_TRANSFER, 4, { 0, 1, 2, 3 } } } },
	{ 1, { { BESIM_B_LOGOUT, 1, { 0 } } } },
	{ 1, { { BESIM_B_CHECK_IMAGE, 3, { 0, 1, C(0) } } } },
	{ 1, { { BESIM_B_CHECK_IMAGE, 3, { 0, 1, C(1) } } } },
};

static const struct page_calls ecom_calls[] = {
	{ 1, { { BESIM_E_PRODUCT_LINES, 2, { C(0), C(19) } } } },
	{ 1, { { BESIM_E_SEARCH, 2, { 0, 1 } } } },
	{ 1, { { BESIM_E_PRODUCT_LINES, 2, { 0, 1 } } } },
	{ 1, { { BESIM_E_PRODUCT_LIST, 2, { 0, 1 } } } },
	{ 1, { { BESIM_E_PRODUCT_DETAIL, 1, { 0 } } } },
	{ 1, { { BESIM_E_OPTIONS, 3, { 0, C(1), 1 } } } },
	{ 1, { { BESIM_E_OPTIONS, 3, { 0, C(2), 1 } } } },
	{ 1, { { BESIM_E_OPTIONS, 3, { 0, C(3), 1 } } } },
	{ 1, { { BESIM_E_CART, 2, { 0, 1 } } } },
	{ 1, { { BESIM_E_LOGIN, 2, { 0, 1 } } } },
	{ 1, { { BESIM_E_SHIPPING, 3, { 0, 1, 4 } } } },
	{ 1, { { BESIM_E_BILLING, 3, { 0, 1, 2 } } } },
	{ 1, { { BESIM_E_CONFIRM, 1, { 0 } } } },
};

static const struct page_calls supp_calls[] = {
	{ 1, { { BESIM_S_CATEGORIES, 0, { 0 } } } },
	{ 1, { { BESIM_S_SEARCH, 1, { 0 } } } },
	{ 1, { { BESIM_S_PRODUCT_LIST, 1, { 0 } } } },
	{ 1, { { BESIM_S_PRODUCT, 1, { 0 } } } },
	{ 1, { { BESIM_S_FILE_CATALOG, 3, { 0, 1, 2 } } } },
	{ 1, { { BESIM_S_FILE, 2, { 0, 1 } } } },
	{ 0, { { 0 } } },
};

static const struct page_calls *calls_for(const struct web_workload *wl, int page)
{
	switch (wl->id) {
	case WEB_BANKING:
		return &bank_calls[page];
	case WEB_ECOMMERCE:
		return &ecom_calls[page];
	default:
		return &supp_calls[page];
	}
}

static void put_esc(struct sbuf *o, const char *s, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		switch (s[k]) {
		case '<': sbuf_puts(o, "&lt;"); break;
		case '>': sbuf_puts(o, "&gt;"); break;
		case '&': sbuf_puts(o, "&amp;"); break;
		case '"': sbuf_puts(o, "&quot;"); break;
		default: sbuf_putc(o, s[k]);
		}
	}
}

static int has_prefix(const char *s, size_t n, const char *pre)
{
	size_t l = strlen(pre);

	return n >= l && !memcmp(s, pre, l);
}

/* Renders BeSim records as a table; file-set paths among the fields become
 * embedded images (product images) or links (downloads). */
static void render_records(struct sbuf *o, const char *d, size_t n)
{
	struct sbuf extra = SBUF_INIT;
	const char *end = d + n;

	sbuf_puts(o, "<table>\n");
	while (d < end) {
		const char *eol = memchr(d, '\n', (size_t)(end - d));

		if (!eol)
			eol = end;
		sbuf_puts(o, "<tr>");
		for (const char *f = d; f < eol;) {
			const char *amp = memchr(f, '&', (size_t)(eol - f));
			size_t fl = (size_t)((amp ? amp : eol) - f);

			sbuf_puts(o, "<td>");
			put_esc(o, f, fl);
			sbuf_puts(o, "</td>");
			if (has_prefix(f, fl, "ecommerce/products/")) {
				sbuf_puts(&extra, "<img src=\"/");
				put_esc(&extra, f, fl);
				sbuf_puts(&extra, "\" alt=\"product\">\n");
			} else if (has_prefix(f, fl, "support/downloads/")) {
				sbuf_puts(&extra, "<a href=\"/");
				put_esc(&extra, f, fl);
				sbuf_puts(&extra, "\">download</a>\n");
			}
			f = amp ? amp + 1 : eol;
		}
		sbuf_puts(o, "</tr>\n");
		d = eol + 1;
	}
	sbuf_puts(o, "</table>\n");
	if (extra.len)
		sbuf_add(o, extra.buf, extra.len);
	sbuf_free(&extra);
}

static void respond(struct sbuf *out, int status, const char *reason, const char *type,
		    const struct sbuf *body)
{
	sbuf_printf(out, "Status: %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n", status,
		    reason, type, body->len);
	sbuf_add(out, body->buf, body->len);
}

static void respond_msg(struct sbuf *out, int status, const char *reason, const char *msg)
{
	struct sbuf b = SBUF_INIT;

	sbuf_printf(&b, "%d %s: %s\n", status, reason, msg);
	respond(out, status, reason, "text/plain", &b);
	sbuf_free(&b);
}

/* Answers a request for page number page of wl with its query values vals:
 * the HTML page with the BeSim records its calls return, or for a check
 * image the redirect nginx sends the image file for. */
static void serve_page(struct web_app *a, const struct web_workload *wl, int page,
		       const uint32_t *vals, struct sbuf *out)
{
	struct sbuf body = SBUF_INIT, resp = SBUF_INIT;
	struct err e = { 0 };
	const struct web_page *pg = &wl->pages[page];
	const struct page_calls *pc = calls_for(wl, page);


	sbuf_printf(&body, "<!DOCTYPE html>\n<html><head><title>%s</title></head><body>\n<h1>%s</h1>\n",
		    pg->title, pg->title);
	for (size_t k = 0; k < pg->nfiles; k++)
		sbuf_printf(&body, "<img src=\"/%s/%s\" alt=\"\">\n", wl->image_dir,
			    web_page_image(wl, pg, k)->name);
	for (unsigned c = 0; c < pc->n; c++) {
		const struct call *cl = &pc->c[c];
		uint32_t args[6];
		const char *d;
		size_t dl;

		for (unsigned k = 0; k < cl->nargs; k++)
			args[k] = cl->src[k] >= 0 ? vals[cl->src[k]] : (uint32_t)(-1 - cl->src[k]);
		if (besim_call(a, (unsigned)wl->besim_id, cl->cmd, args, cl->nargs, &resp, &d, &dl, &e)) {
			respond_msg(out, 502, "Bad Gateway", e.msg);
			goto out;
		}
		if (wl->id == WEB_BANKING && cl->cmd == BESIM_B_CHECK_IMAGE) {
			const char *amp = memchr(d, '&', dl);

			if (!amp || amp == d || memchr(d, '\r', (size_t)(amp - d))) {
				respond_msg(out, 502, "Bad Gateway", "besim: bad check image record");
				goto out;
			}
			/* nginx sends the image itself from the file set */
			sbuf_printf(out, "Status: 200 OK\r\nContent-Type: image/jpeg\r\n"
					 "X-Accel-Redirect: /internal/%.*s\r\n\r\n", (int)(amp - d), d);
			goto out;
		}
		render_records(&body, d, dl);
	}
	if (pg->pad_bytes) {
		sbuf_puts(&body, "<pre class=\"pad\">\n");
		sbuf_add(&body, a->pad, pg->pad_bytes < MAX_PAD ? pg->pad_bytes : MAX_PAD);
		sbuf_puts(&body, "</pre>\n");
	}
	sbuf_puts(&body, "</body></html>\n");
	respond(out, 200, "OK", "text/html", &body);
out:
	sbuf_free(&body);
	sbuf_free(&resp);
}

void web_app_handle(struct web_app *a, const struct fcgi_req *rq, struct sbuf *out)
{
	char script[512], method[16], qs[WEB_QUERY_MAX_BYTES + 1], ctype[128];
	const struct web_workload *wl = NULL;
	const char *why = "no such page", *src;
	struct web_query *q = xmalloc(sizeof(*q));
	uint32_t vals[16];
	size_t srclen;
	int page = -1, any = 0;

	if (!fcgi_param(rq, "SCRIPT_NAME", script, sizeof(script)) &&
	    !fcgi_param(rq, "DOCUMENT_URI", script, sizeof(script))) {
		respond_msg(out, 400, "Bad Request", "no SCRIPT_NAME");
		goto out;
	}
	if (!fcgi_param(rq, "REQUEST_METHOD", method, sizeof(method)))
		strcpy(method, "GET");
	for (int w = 0; w < WEB_NWORKLOADS && !wl; w++) {
		const struct web_workload *c = web_workload(w);
		size_t l = strlen(c->pages[0].path) - strlen(c->pages[0].name);

		if (!strncmp(script, c->pages[0].path, l))
			wl = c;
	}
	if (!strcmp(method, "POST")) {
		if (!fcgi_param(rq, "CONTENT_TYPE", ctype, sizeof(ctype)) ||
		    strncmp(ctype, "application/x-www-form-urlencoded", 33)) {
			respond_msg(out, 400, "Bad Request", "POST body must be application/x-www-form-urlencoded");
			goto out;
		}
		src = rq->in.buf ? rq->in.buf : "";
		srclen = rq->in.len;
	} else if (!strcmp(method, "GET") || !strcmp(method, "HEAD")) {
		if (fcgi_param_len(rq, "QUERY_STRING") >= (long)sizeof(qs)) {
			respond_msg(out, 400, "Bad Request", "query too long");
			goto out;
		}
		if (!fcgi_param(rq, "QUERY_STRING", qs, sizeof(qs)))
			qs[0] = 0;
		src = qs;
		srclen = strlen(qs);
	} else {
		respond_msg(out, 405, "Method Not Allowed", method);
		goto out;
	}
	if (web_query_parse(src, srclen, q, &why)) {
		respond_msg(out, 400, "Bad Request", why);
		goto out;
	}
	/* pages sharing a path (check_image front/back) differ in their rules */
	for (size_t k = 0; wl && k < wl->npages && page < 0; k++) {
		const struct web_page *pg = &wl->pages[k];
		const char *w;

		if (pg->download || strcmp(pg->path, script))
			continue;
		if (!web_page_values(pg, q, vals, &w))
			page = (int)k;
		else if (!any)
			why = w;
		any++;
	}
	if (page < 0) {
		if (any)
			respond_msg(out, 400, "Bad Request", why);
		else
			respond_msg(out, 404, "Not Found", script);
		goto out;
	}
	serve_page(a, wl, page, vals, out);
out:
	free(q);
}

/* ---- the FastCGI server ---- */

struct conn_arg {
	struct web_app *app;
	int fd;
	unsigned slot;           /* index in app->live */
};

/* Writes out's records to fd; returns 0 or -1. */
static int flush_out(int fd, struct sbuf *out)
{
	int rc = out->len ? net_write_all(fd, out->buf, out->len) : 0;

	sbuf_reset(out);
	return rc ? -1 : 0;
}

static void *conn_main(void *arg)
{
	struct conn_arg *ca = arg;
	struct web_app *a = ca->app;
	struct fcgi_req rq = { 0 };
	struct sbuf in = SBUF_INIT, out = SBUF_INIT, cgi = SBUF_INIT;
	int fd = ca->fd, done = 0;
	unsigned slot = ca->slot;

	free(ca);
	while (!done) {
		char buf[65536];
		ssize_t r = recv(fd, buf, sizeof(buf), 0);
		size_t off = 0;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		sbuf_add(&in, buf, (size_t)r);
		while (!done) {
			struct fcgi_rec rec;
			int n = fcgi_parse_record((const uint8_t *)in.buf + off, in.len - off, &rec), res;

			if (n == 0)
				break;
			if (n < 0) {
				done = 1;
				break;
			}
			off += (size_t)n;
			res = fcgi_feed(&rq, &rec, &out);
			if (res == FCGI_PROTO_ERROR) {
				done = 1;
			} else if (res == FCGI_READY || res == FCGI_ABORTED) {
				if (res == FCGI_READY) {
					web_app_handle(a, &rq, &cgi);
					fcgi_put(&out, FCGI_STDOUT, rq.id, cgi.buf, cgi.len);
					fcgi_put(&out, FCGI_STDOUT, rq.id, NULL, 0);
					sbuf_reset(&cgi);
				}
				fcgi_put_end(&out, rq.id, 0, FCGI_REQUEST_COMPLETE);
				if (!rq.keep_conn)
					done = 1;
				fcgi_req_reset(&rq);
			}
		}
		if (off) {
			memmove(in.buf, in.buf + off, in.len - off);
			in.len -= off;
		}
		if (flush_out(fd, &out))
			break;
	}
	flush_out(fd, &out);
	pthread_mutex_lock(&a->mu);
	a->live[slot] = -1;
	pthread_mutex_unlock(&a->mu);
	close(fd);
	fcgi_req_free(&rq);
	sbuf_free(&in);
	sbuf_free(&out);
	sbuf_free(&cgi);
	/* the last use of a: web_app_serve may return and a be freed after this */
	atomic_fetch_sub(&a->conns, 1);
	return NULL;
}

/* Takes a free connection slot for fd; returns its index or -1 (all used). */
static int live_add(struct web_app *a, int fd)
{
	int slot = -1;

	pthread_mutex_lock(&a->mu);
	for (unsigned k = 0; k < a->nlive && slot < 0; k++)
		if (a->live[k] < 0) {
			a->live[k] = fd;
			slot = (int)k;
		}
	pthread_mutex_unlock(&a->mu);
	return slot;
}

/* Shuts every live connection down (its thread then ends) and waits up to
 * 5 s for the threads. Returns 0 when all ended, else -ETIMEDOUT. */
static int live_drain(struct web_app *a, struct err *e)
{
	uint64_t waited_ms = 0;

	pthread_mutex_lock(&a->mu);
	for (unsigned k = 0; k < a->nlive; k++)
		if (a->live[k] >= 0)
			shutdown(a->live[k], SHUT_RDWR);
	pthread_mutex_unlock(&a->mu);
	while (atomic_load(&a->conns)) {
		if (waited_ms >= 5000)
			return err_set(e, -ETIMEDOUT, "%u connections still open 5 s after the stop",
				       atomic_load(&a->conns));
		usleep(10000);
		waited_ms += 10;
	}
	return 0;
}

int web_app_serve(struct web_app *a, const char *addr, unsigned max_conns,
		  volatile sig_atomic_t *stop, void (*ready)(void *arg, const char *bound), void *arg,
		  struct err *e)
{
	struct net_addr na;
	pthread_attr_t attr;
	char bound[80];
	int lfd, rc;

	if ((rc = net_parse_addr(addr, &na, e)))
		return rc;
	if ((lfd = net_listen(&na, 0, 0, e)) < 0)
		return lfd;
	net_addr_str(&na, bound, sizeof(bound));
	if (ready)
		ready(arg, bound);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	a->nlive = max_conns;
	a->live = xmalloc(max_conns * sizeof(int));
	for (unsigned k = 0; k < max_conns; k++)
		a->live[k] = -1;
	while (!*stop) {
		struct pollfd pfd = { lfd, POLLIN, 0 };
		struct conn_arg *ca;
		pthread_t tid;
		int fd, slot;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		if (atomic_load(&a->conns) >= max_conns || (slot = live_add(a, fd)) < 0) {
			close(fd);
			continue;
		}
		struct timeval tv = { 300, 0 };
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		ca = xmalloc(sizeof(*ca));
		ca->app = a;
		ca->fd = fd;
		ca->slot = (unsigned)slot;
		atomic_fetch_add(&a->conns, 1);
		if (pthread_create(&tid, &attr, conn_main, ca)) {
			atomic_fetch_sub(&a->conns, 1);
			pthread_mutex_lock(&a->mu);
			a->live[slot] = -1;
			pthread_mutex_unlock(&a->mu);
			close(fd);
			free(ca);
		}
	}
	pthread_attr_destroy(&attr);
	close(lfd);
	if ((rc = live_drain(a, e)))
		return rc;  /* threads may still use a->live: left to exit() */
	free(a->live);
	a->live = NULL;
	a->nlive = 0;
	return 0;
}
