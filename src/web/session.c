/* Simulated user sessions over epoll, one event loop per thread. */
#include "web/session.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json.h"
#include "measure/clock.h"
#include "run/record.h"

#define REQ_MAX 4096
#define PEEK_MAX 2048
#define TICK_NS 10000000ull
#define RECONNECT_NS 100000000ull

enum ustate { U_WAIT, U_PAGE, U_FILES };

struct user;

/* One of a user's parallel connections and the request it carries. */
struct uconn {
	struct conn c;
	struct user *u;
	bool tls, close_after;
	bool busy;                  /* a request of the page is outstanding */
	unsigned budget;            /* requests left on this connection */
	int item;                   /* -1: the page itself; else index of the embedded file */
	bool ims;                   /* If-Modified-Since sent */
	char req[REQ_MAX];
	size_t req_len;
	size_t peek_len;            /* first body bytes of a page, for the content check */
	char peek[PEEK_MAX];
};

struct worker;

struct user {
	struct worker *w;
	unsigned slot;              /* global session slot */
	uint32_t user_id;
	uint32_t session_no;
	uint64_t rng;
	enum ustate state;
	uint64_t wake_at;           /* U_WAIT: when the next page starts */
	int page;
	uint64_t page_start, page_bytes;
	bool page_failed;
	unsigned next_file, files_left;
	struct uconn c[WEB_PARALLEL_CONNS];
};

struct worker {
	const struct web_load_cfg *cfg;
	struct conn_loop loop;      /* loop.now: the time of the current wake-up */
	unsigned nusers;
	struct user *users;
	uint64_t start, mstart, mend, end;
	uint64_t stopped_at;        /* when *cfg->stop was seen; 0: not stopped */
	char (*lastmod)[40];        /* Last-Modified seen per image (index into wl->images) */
	struct web_load_stats st;
};

void web_load_stats_reset(struct web_load_stats *s)
{
	memset(s, 0, offsetof(struct web_load_stats, page_lat));
	hist_reset(&s->page_lat);
}

uint64_t web_load_measured_ns(const struct web_load_cfg *cfg, const struct web_load_stats *s)
{
	return s->measured_ns || s->stopped ? s->measured_ns : cfg->run_ns;
}

void web_load_stats_free(struct web_load_stats *s)
{
	web_timeline_free(&s->tl);
}

void web_load_stats_merge(struct web_load_stats *d, const struct web_load_stats *s)
{
	d->pages += s->pages;
	d->pages_good += s->pages_good;
	d->pages_tolerable += s->pages_tolerable;
	d->pages_failed += s->pages_failed;
	for (int i = 0; i < WEB_MAX_PAGES; i++)
		d->page_count[i] += s->page_count[i];
	d->downloads += s->downloads;
	d->dl_good += s->dl_good;
	d->dl_tolerable += s->dl_tolerable;
	d->requests += s->requests;
	d->bytes += s->bytes;
	d->not_modified += s->not_modified;
	d->sessions += s->sessions;
	for (int i = 0; i < HE_KINDS; i++)
		d->err[i] += s->err[i];
	for (int i = 0; i < HTTP_E_KINDS; i++)
		d->perr[i] += s->perr[i];
	d->err_content += s->err_content;
	hist_merge(&d->page_lat, &s->page_lat);
}

void web_qos_eval(const struct web_workload *wl, uint32_t min_pages, const struct web_load_stats *s,
		  struct web_qos *q)
{
	uint64_t timed = s->pages - s->downloads;

	q->good_pct = timed ? 100.0 * (double)s->pages_good / (double)timed : 0;
	q->tolerable_pct = timed ? 100.0 * (double)s->pages_tolerable / (double)timed : 0;
	q->dl_good_pct = s->downloads ? 100.0 * (double)s->dl_good / (double)s->downloads : 100;
	q->dl_tolerable_pct = s->downloads ? 100.0 * (double)s->dl_tolerable / (double)s->downloads : 100;
	q->enough = s->pages >= (min_pages ? min_pages : wl->min_requests);
	q->pass = q->enough && q->good_pct >= wl->good_pct && q->tolerable_pct >= wl->tol_pct &&
		  q->dl_good_pct >= wl->good_pct && q->dl_tolerable_pct >= wl->tol_pct;
}

static bool measuring(const struct worker *w)
{
	return w->loop.now >= w->mstart && w->loop.now < w->mend;
}

static void user_page_start(struct user *u);
static void user_conn_idle(struct uconn *k);

static void k_close(struct uconn *k)
{
	conn_close(&k->c);
}

/* The page in progress failed (an error on one of its requests). */
static void page_fail(struct user *u)
{
	struct worker *w = u->w;

	if (!u->page_failed && measuring(w))
		w->st.pages_failed++;
	u->page_failed = true;
}

/* An error on k dropped the connection: count it and let the page go on.
 * The page's request is lost from its connect on (k->busy), not only while
 * it is in flight (busy). */
static void on_error(struct conn *c, int kind, bool parse, bool busy)
{
	struct uconn *k = c->owner;
	struct user *u = k->u;

	(void)busy;
	if (parse)
		u->w->st.perr[-kind - 1]++;
	else
		u->w->st.err[kind]++;
	web_timeline_at(&u->w->st.tl, u->w->loop.now)->errors++;
	if (k->busy) {
		k->busy = false;
		page_fail(u);
		user_conn_idle(k);
	}
}

/* The server closed an idle connection: the next request opens a new one. */
static void on_closed(struct conn *c)
{
	(void)c;
}

static void k_send(struct uconn *k)
{
	k->peek_len = 0;
	if (k->budget)
		k->budget--;
	conn_send(&k->c, k->req, k->req_len);
}

static void on_connected(struct conn *c)
{
	k_send(c->owner);
}

/* Keeps the first body bytes (framing included) of a page. */
static void on_body(struct conn *c, const char *p, size_t n)
{
	struct uconn *k = c->owner;

	if (k->item >= 0 || k->peek_len >= PEEK_MAX)
		return;
	if (n > PEEK_MAX - k->peek_len)
		n = PEEK_MAX - k->peek_len;
	memcpy(k->peek + k->peek_len, p, n);
	k->peek_len += n;
}

/* Opens k for tls; the keep-alive budget was drawn by the caller. */
static void k_open(struct uconn *k, bool tls)
{
	const struct web_load_cfg *cfg = k->u->w->cfg;
	const struct sockaddr_storage *a = tls ? &cfg->https_addr : &cfg->http_addr;

	k->tls = tls;
	conn_open(&k->c, (const struct sockaddr *)a, tls ? cfg->https_len : cfg->http_len,
		  tls ? &transport_tls : &transport_plain, NULL);
}

/* Builds the request for item (-1 the page) into k->req; false if too long. */
static bool build_request(struct uconn *k, int item)
{
	struct user *u = k->u;
	struct worker *w = u->w;
	const struct web_workload *wl = w->cfg->wl;
	const struct web_page *pg = &wl->pages[u->page];
	const char *host = pg->tls ? w->cfg->https_host : w->cfg->http_host;
	const char *conn = k->budget <= 1 ? "Connection: close\r\n" : "";
	struct sbuf q = SBUF_INIT;
	int n;

	k->item = item;
	k->ims = false;
	if (item >= 0) {
		const struct web_image *img = web_page_image(wl, pg, (size_t)item);
		unsigned idx = (unsigned)(img - wl->images);
		char ims[64] = "";

		if (w->lastmod[idx][0] && web_rng_unit(&u->rng) < img->cache_p) {
			snprintf(ims, sizeof(ims), "If-Modified-Since: %s\r\n", w->lastmod[idx]);
			k->ims = true;
		}
		n = snprintf(k->req, REQ_MAX, "GET /%s/%s HTTP/1.1\r\nHost: %s\r\n%s%s\r\n",
			     wl->image_dir, img->name, host, ims, conn);
	} else if (pg->download) {
		unsigned dir, cls, f;
		char path[256];
		uint32_t size;

		web_pick_download(wl, w->cfg->dirs, web_rng_unit(&u->rng), web_rng_unit(&u->rng),
				  web_rng_unit(&u->rng), &dir, &cls, &f);
		web_download(dir, cls, f, path, sizeof(path), &size);
		n = snprintf(k->req, REQ_MAX, "GET /%s HTTP/1.1\r\nHost: %s\r\n%s\r\n", path, host, conn);
	} else {
		web_page_query(pg, u->user_id, &u->rng, &q);
		if (pg->post)
			n = snprintf(k->req, REQ_MAX,
				     "POST %s HTTP/1.1\r\nHost: %s\r\n%sContent-Type: "
				     "application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n\r\n%s",
				     pg->path, host, conn, q.len, sbuf_str(&q));
		else
			n = snprintf(k->req, REQ_MAX, "GET %s%s%s HTTP/1.1\r\nHost: %s\r\n%s\r\n",
				     pg->path, q.len ? "?" : "", sbuf_str(&q), host, conn);
		sbuf_free(&q);
	}
	if (n < 0 || n >= REQ_MAX)
		return false;
	k->req_len = (size_t)n;
	k->close_after = k->budget <= 1;
	return true;
}

/* Starts item (-1 the page) on k, opening a connection of the page's kind. */
static void k_start(struct uconn *k, int item)
{
	struct user *u = k->u;
	bool tls = u->w->cfg->wl->pages[u->page].tls;

	if (k->c.open && (k->tls != tls || k->budget == 0))
		k_close(k);
	if (!k->c.open) {
		/* 70% of connections are kept alive for 5-15 requests, the rest for one */
		if (web_rng_unit(&u->rng) * 100 < WEB_KEEPALIVE_PCT)
			k->budget = web_keepalive_requests(web_rng_unit(&u->rng));
		else
			k->budget = 1;
	}
	k->busy = true;
	if (!build_request(k, item)) {
		u->w->st.err[HE_WRITE]++;
		k->busy = false;
		page_fail(u);
		user_conn_idle(k);
		return;
	}
	if (!k->c.open)
		k_open(k, tls);
	else
		k_send(k);
}

/* The page and all its files are done: record it and pick what comes next. */
static void page_done(struct user *u)
{
	struct worker *w = u->w;
	const struct web_workload *wl = w->cfg->wl;
	const struct web_page *pg = &wl->pages[u->page];
	uint64_t t = w->loop.now - u->page_start;
	struct web_tl_bucket *b = web_timeline_at(&w->st.tl, w->loop.now);
	int next;

	b->pages++;
	if (u->page_failed) {
		b->failed++;
	} else if (pg->download) {
		double rate = t ? (double)u->page_bytes * 1e9 / (double)t : 1e18;

		b->good += rate >= wl->byte_rate_good;
		b->tolerable += rate >= wl->byte_rate_tolerable;
	} else {
		b->good += t <= (uint64_t)wl->time_good_ms * 1000000ull;
		b->tolerable += t <= (uint64_t)wl->time_tolerable_ms * 1000000ull;
	}
	if (measuring(w)) {
		w->st.pages++;
		w->st.page_count[u->page]++;
		if (!u->page_failed) {
			hist_record(&w->st.page_lat, t);
			if (pg->download) {
				double rate = t ? (double)u->page_bytes * 1e9 / (double)t : 1e18;

				w->st.downloads++;
				w->st.dl_good += rate >= wl->byte_rate_good;
				w->st.dl_tolerable += rate >= wl->byte_rate_tolerable;
			} else {
				w->st.pages_good += t <= (uint64_t)wl->time_good_ms * 1000000ull;
				w->st.pages_tolerable += t <= (uint64_t)wl->time_tolerable_ms * 1000000ull;
			}
		} else if (pg->download) {
			w->st.downloads++;
		}
	}
	next = web_next_page(wl, u->page, web_rng_unit(&u->rng));
	u->state = U_WAIT;
	u->wake_at = w->loop.now;
	if (next == WEB_END) {
		/* a new session of a new user in this slot */
		for (int i = 0; i < WEB_PARALLEL_CONNS; i++)
			k_close(&u->c[i]);
		u->session_no++;
		u->user_id = 1 + (uint32_t)((u->slot * 7919ull + u->session_no * 104729ull) %
					    (WEB_MAX_USER - 1));
		next = wl->first_page;
		w->st.sessions++;
	}
	u->page = next;
	if (u->page_failed)
		u->wake_at += RECONNECT_NS;  /* no busy loop against a dead server */
	if (web_rng_unit(&u->rng) * 100 < wl->think_req_pct)
		u->wake_at += (uint64_t)((double)web_think_ms(wl, web_rng_unit(&u->rng)) * 1e6 *
					 w->cfg->think_scale);
}

/* k finished its request (or failed): give it the next file of the page. */
static void user_conn_idle(struct uconn *k)
{
	struct user *u = k->u;
	const struct web_page *pg = &u->w->cfg->wl->pages[u->page];

	if (u->state == U_PAGE) {
		/* the page request itself is done (or failed): fetch the files */
		u->state = U_FILES;
		u->next_file = 0;
		u->files_left = pg->nfiles;
		if (u->page_failed || !pg->nfiles) {
			page_done(u);
			return;
		}
		for (int i = 0; i < WEB_PARALLEL_CONNS && u->next_file < pg->nfiles; i++)
			k_start(&u->c[i], (int)u->next_file++);
		return;
	}
	if (u->state != U_FILES)
		return;
	if (--u->files_left == 0) {
		page_done(u);
		return;
	}
	if (u->next_file < pg->nfiles)
		k_start(k, (int)u->next_file++);
}

/* A response of the page is complete: check and count it, go on with the page. */
static void on_done(struct conn *c)
{
	struct uconn *k = c->owner;
	struct user *u = k->u;
	struct worker *w = u->w;
	const struct web_page *pg = &w->cfg->wl->pages[u->page];
	int st = c->resp.status;

	k->busy = false;
	w->st.requests++;
	web_timeline_response(&w->st.tl, w->loop.now);
	if (k->item < 0) {
		u->page_bytes = c->resp.body;
		if (st != 200) {
			w->st.err[HE_STATUS]++;
			page_fail(u);
		} else if (pg->nfiles && pg->title[0] &&  /* an HTML page, not an image */
			   !memmem(k->peek, k->peek_len, pg->title, strlen(pg->title))) {
			w->st.err_content++;
			page_fail(u);
		}
	} else if (st == 304 && k->ims) {
		w->st.not_modified++;
	} else if (st == 200) {
		const struct web_image *img = web_page_image(w->cfg->wl, pg, (size_t)k->item);

		if (c->resp.last_modified[0])
			memcpy(w->lastmod[img - w->cfg->wl->images], c->resp.last_modified, 40);
	} else {
		w->st.err[HE_STATUS]++;
		page_fail(u);
	}
	if (!c->resp.keep_alive || k->close_after || k->budget == 0)
		k_close(k);
	user_conn_idle(k);
}

static const struct conn_ops session_ops = {
	.connected = on_connected, .done = on_done, .error = on_error, .closed = on_closed,
	.body = on_body,
};

static void user_page_start(struct user *u)
{
	struct worker *w = u->w;

	u->state = U_PAGE;
	u->page_start = w->loop.now;
	u->page_bytes = 0;
	u->page_failed = false;
	k_start(&u->c[0], -1);
}

static uint64_t housekeeping(struct worker *w)
{
	uint64_t next = w->loop.now + TICK_NS, tmo = w->cfg->timeout_ns;

	for (unsigned i = 0; i < w->nusers; i++) {
		struct user *u = &w->users[i];

		if (u->state == U_WAIT) {
			if (u->wake_at <= w->loop.now)
				user_page_start(u);
			else if (u->wake_at < next)
				next = u->wake_at;
			continue;
		}
		for (int j = 0; j < WEB_PARALLEL_CONNS; j++) {
			struct uconn *k = &u->c[j];

			if (k->c.open && k->c.state != CONN_IDLE && w->loop.now - k->c.t_op > tmo)
				conn_fail(&k->c, HE_TIMEOUT, false);
		}
	}
	return next;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[256];
	uint64_t next = 0;

	while (w->loop.now = clock_mono_ns(), w->loop.now < w->end) {
		int n;

		if (w->cfg->stop && *w->cfg->stop) {
			w->stopped_at = w->loop.now;
			break;
		}
		if (w->loop.now >= next)
			next = housekeeping(w);
		n = conn_loop_wait(&w->loop, next < w->end ? next : w->end, evs, 256);
		if (n < 0)
			break;
		/* requests just started may be due for a page start or a timeout */
		if (n > 0 && w->loop.now >= next)
			next = 0;
	}
	for (unsigned i = 0; i < w->nusers; i++)
		for (int j = 0; j < WEB_PARALLEL_CONNS; j++)
			k_close(&w->users[i].c[j]);
	w->st.bytes += w->loop.bytes;
	return NULL;
}

/* An iteration a stop ended: its measured interval and timeline end at the
 * earliest worker's stop (pages after it were not counted: none came). */
static void cut_at_stop(struct web_load_stats *out, const struct worker *ws, unsigned nt, uint64_t start)
{
	uint64_t at = 0;

	for (unsigned t = 0; t < nt; t++)
		if (ws[t].stopped_at && (!at || ws[t].stopped_at < at))
			at = ws[t].stopped_at;
	out->measured_ns = out->measured_to - out->measured_from;
	if (!at)
		return;
	out->stopped = true;
	at -= start;
	if (at < out->measured_to)
		out->measured_to = at > out->measured_from ? at : out->measured_from;
	out->measured_ns = out->measured_to - out->measured_from;
	if (at / out->tl.bucket_ns + 1 < out->tl.n)
		out->tl.n = (size_t)(at / out->tl.bucket_ns) + 1;
}

int web_load_run(const struct web_load_cfg *cfg, struct web_load_stats *out, struct err *e)
{
	unsigned nt = cfg->threads ? cfg->threads : 1, started = 0, slot = 0;
	struct worker *ws;
	uint64_t start, span;
	int rc = 0;

	if (cfg->wl->npages > WEB_MAX_PAGES)
		return err_set(e, -EINVAL, "%s: too many pages", cfg->wl->name);
	if (nt > cfg->sessions)
		nt = cfg->sessions ? cfg->sessions : 1;
	web_load_stats_reset(out);
	web_timeline_free(&out->tl);
	ws = xcalloc(nt, sizeof(*ws));
	start = clock_mono_ns();
	span = cfg->rampup_ns + cfg->warmup_ns + cfg->run_ns + cfg->rampdown_ns;
	web_timeline_init(&out->tl, start, clock_real_ns(), span);
	out->measured_from = cfg->rampup_ns + cfg->warmup_ns;
	out->measured_to = out->measured_from + cfg->run_ns;
	for (unsigned t = 0; t < nt; t++) {
		struct worker *w = &ws[t];

		w->cfg = cfg;
		w->nusers = cfg->sessions / nt + (t < cfg->sessions % nt);
		w->users = xcalloc(w->nusers ? w->nusers : 1, sizeof(*w->users));
		w->lastmod = xcalloc(cfg->wl->nimages ? cfg->wl->nimages : 1, sizeof(*w->lastmod));
		w->start = start;
		w->mstart = start + cfg->rampup_ns + cfg->warmup_ns;
		w->mend = w->mstart + cfg->run_ns;
		w->end = w->mend + cfg->rampdown_ns;
		web_load_stats_reset(&w->st);
		web_timeline_init(&w->st.tl, start, out->tl.start_real_ns, span);
		for (unsigned i = 0; i < w->nusers; i++, slot++) {
			struct user *u = &w->users[i];

			u->w = w;
			u->slot = slot;
			u->rng = cfg->seed ^ (0x9e3779b97f4a7c15ull * (slot + 1));
			u->user_id = 1 + slot % (WEB_MAX_USER - 1);
			u->page = cfg->wl->first_page;
			u->state = U_WAIT;
			u->wake_at = start + (cfg->sessions ? cfg->rampup_ns * slot / cfg->sessions : 0);
			for (int j = 0; j < WEB_PARALLEL_CONNS; j++) {
				u->c[j].u = u;
				conn_init(&u->c[j].c, &w->loop, &u->c[j]);
			}
			w->st.sessions++;
		}
		rc = conn_loop_init(&w->loop, &session_ops, cfg->tls_ctx, e);
		if (rc)
			break;
	}
	if (!rc)
		rc = conn_threads_run(worker_main, ws, sizeof(*ws), nt, NULL, &started, e);
	for (unsigned t = 0; t < nt; t++) {
		web_load_stats_merge(out, &ws[t].st);
		web_timeline_merge(&out->tl, &ws[t].st.tl);
		web_timeline_free(&ws[t].st.tl);
		conn_loop_free(&ws[t].loop);
		free(ws[t].users);
		free(ws[t].lastmod);
	}
	cut_at_stop(out, ws, nt, start);   /* after the merge: it shortens the timeline */
	free(ws);
	return rc;
}

/* The web part of a load record: what was loaded and what came back. */
static void load_extras(struct record *r, const struct web_load_cfg *cfg,
			const struct web_load_stats *s, const struct web_qos *q)
{
	const struct web_workload *wl = cfg->wl;
	static const double pcts[] = { 50, 90, 95, 99, 99.9 };
	struct sbuf o = SBUF_INIT;

	record_add_str(r, "workload", wl->name);
	record_add_fmt(r, "threads", "%u", cfg->threads);
	record_add_fmt(r, "dirs", "%u", cfg->dirs);
	record_add_num(r, "think_scale", cfg->think_scale);
	record_add_num(r, "run_s", (double)web_load_measured_ns(cfg, s) / 1e9);
	if (s->stopped)
		record_add_raw(r, "stopped", "true");
	record_add_fmt(r, "pages", "%" PRIu64, s->pages);
	record_add_fmt(r, "pages_good", "%" PRIu64, s->pages_good);
	record_add_fmt(r, "pages_tolerable", "%" PRIu64, s->pages_tolerable);
	record_add_fmt(r, "pages_failed", "%" PRIu64, s->pages_failed);
	record_add_fmt(r, "downloads", "%" PRIu64, s->downloads);
	record_add_fmt(r, "requests", "%" PRIu64, s->requests);
	record_add_fmt(r, "bytes", "%" PRIu64, s->bytes);
	record_add_fmt(r, "not_modified", "%" PRIu64, s->not_modified);
	record_add_fmt(r, "sessions_started", "%" PRIu64, s->sessions);
	record_add_num(r, "pages_per_s", r->value);
	if (s->tl.n) {
		uint64_t at, gap = web_timeline_gap(&s->tl, s->measured_from, s->measured_to, &at);

		/* the clients' view of the server's longest silence in the measured interval */
		record_add_num(r, "largest_gap_ms", (double)(gap / 1000) / 1e3);
		record_add_num(r, "largest_gap_at_s", (double)((at - s->measured_from) / 1000000) / 1e3);
	}
	sbuf_puts(&o, "{\"good_pct\":");
	json_put_num(&o, q->good_pct);
	sbuf_puts(&o, ",\"tolerable_pct\":");
	json_put_num(&o, q->tolerable_pct);
	sbuf_puts(&o, ",\"dl_good_pct\":");
	json_put_num(&o, q->dl_good_pct);
	sbuf_puts(&o, ",\"dl_tolerable_pct\":");
	json_put_num(&o, q->dl_tolerable_pct);
	sbuf_printf(&o, ",\"enough\":%s,\"pass\":%s}", q->enough ? "true" : "false",
		    q->pass ? "true" : "false");
	record_add_raw(r, "qos", sbuf_str(&o));
	sbuf_reset(&o);
	sbuf_puts(&o, "{\"mean\":");
	json_put_num(&o, hist_mean(&s->page_lat));
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++)
		sbuf_printf(&o, ",\"p%g\":%" PRIu64, pcts[i], hist_quantile(&s->page_lat, pcts[i] / 100));
	sbuf_printf(&o, ",\"max\":%" PRIu64 "}", s->page_lat.max);
	record_add_raw(r, "page_time_ns", sbuf_str(&o));
	sbuf_reset(&o);
	sbuf_putc(&o, '{');
	for (size_t i = 0; i < wl->npages; i++) {
		if (i)
			sbuf_putc(&o, ',');
		json_put_str(&o, wl->pages[i].name);
		sbuf_printf(&o, ":%" PRIu64, s->page_count[i]);
	}
	sbuf_putc(&o, '}');
	record_add_raw(r, "page_counts", sbuf_str(&o));
	sbuf_reset(&o);
	sbuf_putc(&o, '{');
	for (int i = 0; i < HE_KINDS; i++)
		sbuf_printf(&o, "\"%s\":%" PRIu64 ",", http_client_err_name(i), s->err[i]);
	for (int i = 0; i < HTTP_E_KINDS; i++)
		sbuf_printf(&o, "\"%s\":%" PRIu64 ",", http_err_name(-i - 1), s->perr[i]);
	sbuf_printf(&o, "\"content\":%" PRIu64 "}", s->err_content);
	record_add_raw(r, "errors", sbuf_str(&o));
	sbuf_reset(&o);
	hist_serialise(&s->page_lat, &o);
	record_add_str(r, "hist", sbuf_str(&o));
	sbuf_free(&o);
}

void web_load_json(struct sbuf *o, const char *kind, const struct web_load_cfg *cfg,
		   const struct web_load_stats *s, const struct web_qos *q, unsigned iteration,
		   const char *env, const char *label)
{
	struct record r;
	struct sbuf name = SBUF_INIT;
	char ts[32];

	clock_iso8601(clock_real_ns(), ts);
	sbuf_printf(&name, "web-%s-load", cfg->wl->name);
	record_init(&r);
	r.kind = xstrdup(kind);
	r.timestamp = xstrdup(ts);
	/* the results store's fields: vmlab report compares pages/s per workload */
	r.environment = xstrdup(env);
	r.label = label ? xstrdup(label) : NULL;
	r.facts.concurrent = cfg->concurrent ? xstrdup(cfg->concurrent) : NULL;
	r.benchmark = sbuf_take(&name);
	r.iteration = iteration;
	r.status = xstrdup("ok");
	r.value = web_load_measured_ns(cfg, s) ? (double)s->pages * 1e9 / (double)web_load_measured_ns(cfg, s) : 0;
	r.unit = xstrdup("pages/s");
	r.better = xstrdup("higher");
	r.sessions = cfg->sessions;
	load_extras(&r, cfg, s, q);
	record_to_json(&r, o);
	record_clear(&r);
}
