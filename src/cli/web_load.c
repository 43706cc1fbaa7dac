/* vmlab web load | run | search: simulated user sessions against a server,
 * QoS pass/fail at a session count, and the largest passing session count. */
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/units.h"
#include "cli/cmd.h"
#include "cli/subcmd.h"
#include "run/env.h"
#include "run/record.h"
#include "web/session.h"
#include "web/toporun.h"


enum mode { M_LOAD, M_RUN, M_SEARCH };

struct opts {
	enum mode mode;
	const char *name;
	struct web_load_cfg cfg;
	unsigned sessions, iterations, min, max, step, fileset_sessions;
	bool json;
	const char *results, *timeline;
	const char *env, *label;
	const char *url, *tls_url, *wl;
	const char *topo;
};

#define F(x) offsetof(struct opts, x)
#define COUNT(name, s, field, ...) { name, s, OPT_UCOUNT, F(field), .min = 1, .max = 1000000, __VA_ARGS__ }
#define DUR(name, field, d, h) { name, 0, OPT_DURATION, F(cfg.field), .def = d, .help = h }
#define SESSIONS COUNT("sessions", 'n', sessions, .help = "simultaneous user sessions (required)")
#define COMMON_OPTS \
	{ "workload", 'w', OPT_STRING, F(wl), .metavar = "W", \
	  .help = "banking, ecommerce or support (required)" }, \
	{ "url", 0, OPT_STRING, F(url), .def = "http://127.0.0.1:8080", .metavar = "URL", \
	  .help = "the server's HTTP base" }, \
	{ "tls-url", 0, OPT_STRING, F(tls_url), .def = "https://127.0.0.1:8443", .metavar = "URL", \
	  .help = "its HTTPS base" }, \
	COUNT("threads", 't', cfg.threads, .def = "1", .help = "event-loop threads"), \
	DUR("rampup", rampup_ns, "5s", "sessions start spread over T"), \
	DUR("warmup", warmup_ns, "10s", "then load without measuring"), \
	DUR("run", run_ns, "30s", "the measured interval"), \
	DUR("rampdown", rampdown_ns, "2s", "load after the measured interval"), \
	{ "think-scale", 0, OPT_DOUBLE, F(cfg.think_scale), .def = "1", .min = 0, .max = 100, \
	  .metavar = "F", .help = "multiply think times by F (1: as designed; other values make " \
	  "a shorter, non-standard run)" }, \
	COUNT("fileset-sessions", 0, fileset_sessions, .help = "the session count the server's " \
	      "file set was made for (default: the session count loaded)"), \
	DUR("timeout", timeout_ns, "60s", "a request older than T is an error"), \
	{ "seed", 0, OPT_COUNT, F(cfg.seed), .def = "1", .help = "random seed" }, \
	COUNT("min-pages", 0, cfg.min_pages, .help = "pages an iteration needs to pass (default: " \
	      "the workload's MIN_REQUESTS, 100)"), \
	{ "json", 0, OPT_FLAG, F(json), .help = "print JSON records instead of text" }, \
	{ "results", 0, OPT_STRING, F(results), .metavar = "FILE", \
	  .help = "append each iteration's JSON record to FILE" }, \
	{ "timeline", 0, OPT_STRING, F(timeline), .metavar = "FILE", \
	  .help = "append each iteration's counts per second (all phases, with the wall " \
	  "clock and the largest gap between responses) to FILE, one JSON line a second" }, \
	{ "env", 0, OPT_STRING, F(env), .def = "native", .metavar = "NAME", \
	  .help = "environment the records name" }, \
	{ "label", 0, OPT_STRING, F(label), .metavar = "TEXT", .help = "its label in reports" }, \
	{ "file", 'f', OPT_STRING, F(topo), .metavar = "FILE", \
	  .help = "run over the topology FILE: server, BeSim and clients started where it places " \
	  "them (--url and --tls-url then name the server it started), torn down after" }, \
	{ 0 }

static const struct opt load_opts[] = { SESSIONS, COMMON_OPTS };
static const struct opt run_opts[] = {
	SESSIONS,
	COUNT("iterations", 'i', iterations, .def = "3", .help = "iterations"),
	COMMON_OPTS
};
static const struct opt search_opts[] = {
	COUNT("min", 0, min, .def = "1", .help = "smallest count tried"),
	COUNT("max", 0, max, .help = "largest count tried (required)"),
	COUNT("step", 0, step, .def = "1", .help = "bisect until the largest passing count is "
	      "known to within N: the answer is at most N-1 below it (1: exact)"),
	COUNT("iterations", 'i', iterations, .def = "3", .help = "iterations at the answer"),
	COMMON_OPTS
};
#undef COMMON_OPTS
#undef SESSIONS
#undef DUR
#undef COUNT
#undef F

static const struct cli_usage load_help = {
	"usage: vmlab web load -w WORKLOAD -n SESSIONS [OPTIONS]\n"
	"One iteration of SESSIONS simulated users: page times, QoS shares, errors.\n\n",
	load_opts,
};
static const struct cli_usage run_help = {
	"usage: vmlab web run -w WORKLOAD -n SESSIONS [-i ITERATIONS] [OPTIONS]\n"
	"QoS pass or fail at SESSIONS: every iteration must pass. Exit 0 pass, 1 fail.\n\n",
	run_opts,
};
static const struct cli_usage search_help = {
	"usage: vmlab web search -w WORKLOAD --max N [--min N] [--step N] [-i ITERATIONS] [OPTIONS]\n"
	"The largest session count in [min, max] that passes QoS, by bisection with\n"
	"one iteration per step (until it is known to within --step), then\n"
	"ITERATIONS repeated at the answer.\n"
	"Exit 0 found, 1 not even min passes.\n\n",
	search_opts,
};

static void on_signal(int sig)
{
	/* the current iteration ends within 10 ms and is recorded as stopped;
	 * a second signal kills */
	cli_stop = 1;
	signal(sig, SIG_DFL);
}

static int resolve(const char *name, const char *url, bool want_tls, struct sockaddr_storage *ss,
		   socklen_t *len, char *host, size_t hlen)
{
	struct http_url u;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	struct err e;
	int gai;

	if (http_url_parse(url, &u, &e))
		return cli_fail(name, &e);
	if (u.tls != want_tls)
		return cli_usage_error(name, "%s: expected an %s URL", url, want_tls ? "https" : "http");
	gai = getaddrinfo(u.host, u.port, &hints, &ai);
	if (gai) {
		fprintf(stderr, "vmlab %s: %s: cannot resolve '%s': %s\n", name, url, u.host,
			gai_strerror(gai));
		return 2;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	snprintf(host, hlen, "%s", u.hostport);
	freeaddrinfo(ai);
	return 0;
}

/* Parses argv into o; returns CLI_GO or the exit status. */
static int parse_args(struct opts *o, const struct cli_usage *u, int argc, char **argv)
{
	struct web_load_cfg *c = &o->cfg;
	struct opt_res r;
	const char *wl;
	int rc;

	o->iterations = 1; /* load: one; run and search default to 3 */
	if ((rc = cli_opts_npos(o->name, u, o, argc, argv, &r, 0, 0, NULL, NULL)) != CLI_GO)
		return rc;
	wl = o->wl;
	if (!wl)
		return cli_usage_error(o->name, "--workload is needed");
	if (!(c->wl = web_workload_by_name(wl)))
		return cli_usage_error(o->name, "unknown workload '%s' (banking, ecommerce, support)", wl);
	if (o->mode != M_SEARCH && !o->sessions)
		return cli_usage_error(o->name, "--sessions is needed");
	if (o->mode == M_SEARCH && (!o->max || o->min > o->max))
		return cli_usage_error(o->name, "--max is needed, at least --min (%u)", o->min);
	if (c->run_ns == 0)
		return cli_usage_error(o->name, "--run must be longer than 0");
	if ((rc = resolve(o->name, o->url, false, &c->http_addr, &c->http_len, c->http_host,
			  sizeof(c->http_host))) ||
	    (rc = resolve(o->name, o->tls_url, true, &c->https_addr, &c->https_len, c->https_host,
			  sizeof(c->https_host))))
		return rc;
	return CLI_GO;
}

static char *fmt_ms(double ns, char *buf, size_t n)
{
	snprintf(buf, n, "%.1fms", ns / 1e6);
	return buf;
}

static void print_iteration(const struct opts *o, const struct web_load_stats *s,
			    const struct web_qos *q, unsigned it)
{
	const struct web_workload *wl = o->cfg.wl;
	char a[32], b[32], c[32], d[32], m[32];
	uint64_t nerr = s->err_content;

	double run = (double)web_load_measured_ns(&o->cfg, s);

	printf("%s: %u sessions, iteration %u, %.1fs measured%s: %s\n", wl->name, o->cfg.sessions, it,
	       run / 1e9, s->stopped ? " (stopped early by a signal)" : "", q->pass ? "PASS" : "FAIL");
	printf("  pages %" PRIu64 " (%.1f/s), requests %" PRIu64 ", not modified %" PRIu64
	       ", sessions %" PRIu64 "\n", s->pages, run > 0 ? (double)s->pages * 1e9 / run : 0,
	       s->requests, s->not_modified, s->sessions);
	printf("  page time: mean %s, p50 %s, p95 %s, p99 %s, max %s\n",
	       fmt_ms(hist_mean(&s->page_lat), a, sizeof(a)),
	       fmt_ms((double)hist_quantile(&s->page_lat, 0.5), b, sizeof(b)),
	       fmt_ms((double)hist_quantile(&s->page_lat, 0.95), c, sizeof(c)),
	       fmt_ms((double)hist_quantile(&s->page_lat, 0.99), d, sizeof(d)),
	       fmt_ms((double)s->page_lat.max, m, sizeof(m)));
	if (s->tl.n) {
		uint64_t at, gap = web_timeline_gap(&s->tl, s->measured_from, s->measured_to, &at);

		printf("  largest gap between responses: %.1fms, %.3fs into the measured interval%s\n",
		       (double)gap / 1e6, (double)(at - s->measured_from) / 1e9,
		       gap < s->tl.bucket_ns ? " (under 10 ms: not resolved)" : "");
	}
	printf("  QoS: %.2f%% good (need %.0f%% within %ums), %.2f%% tolerable (need %.0f%% within "
	       "%ums)%s\n", q->good_pct, wl->good_pct, wl->time_good_ms, q->tolerable_pct, wl->tol_pct,
	       wl->time_tolerable_ms, q->enough ? "" : ", too few pages");
	if (s->downloads)
		printf("  downloads %" PRIu64 ": %.2f%% at >= %u B/s, %.2f%% at >= %u B/s\n",
		       s->downloads, q->dl_good_pct, wl->byte_rate_good, q->dl_tolerable_pct,
		       wl->byte_rate_tolerable);
	for (int i = 0; i < HE_KINDS; i++)
		nerr += s->err[i];
	for (int i = 0; i < HTTP_E_KINDS; i++)
		nerr += s->perr[i];
	if (nerr) {
		printf("  errors:");
		for (int i = 0; i < HE_KINDS; i++)
			printf(" %s %" PRIu64 ",", http_client_err_name(i), s->err[i]);
		for (int i = 0; i < HTTP_E_KINDS; i++)
			printf(" %s %" PRIu64 ",", http_err_name(-i - 1), s->perr[i]);
		printf(" content %" PRIu64 "\n", s->err_content);
	}
	fflush(stdout);
}

/* Appends an iteration's record rec to --results and its timeline to
 * --timeline, each synced; 0 or -errno (e says which file). */
static int save(const struct opts *o, const struct sbuf *rec, const struct web_load_stats *s,
		unsigned it, unsigned sessions, struct err *e)
{
	struct sbuf tl = SBUF_INIT;
	int rc = 0;

	if (o->results && (rc = file_append_sync(o->results, rec->buf, rec->len, e)))
		return rc;
	if (o->timeline) {
		web_timeline_json(&s->tl, 1000000000ull, o->cfg.wl->name, it, sessions, &tl);
		rc = file_append_sync(o->timeline, tl.buf, tl.len, e);
		sbuf_free(&tl);
	}
	return rc;
}

/* The exit status of a run or search a signal stopped (128 + SIGINT, as a shell's). */
#define EXIT_STOPPED 130

/* Runs `iterations` iterations at `sessions`; *pass is true when all pass.
 * Stops at the first failing iteration when stop_on_fail, and after an
 * iteration a signal stopped (EXIT_STOPPED). */
static int trial(struct opts *o, unsigned sessions, unsigned iterations, bool stop_on_fail,
		 const char *kind, bool *pass)
{
	struct web_load_stats *s = xcalloc(1, sizeof(*s));
	struct web_qos q;
	struct err e = { 0 };
	int rc = 0;

	*pass = true;
	o->cfg.sessions = sessions;
	o->cfg.dirs = web_dirs_for_sessions(o->fileset_sessions ? o->fileset_sessions
					    : o->mode == M_SEARCH ? o->max : sessions);
	for (unsigned it = 1; it <= iterations; it++) {
		struct sbuf rec = SBUF_INIT;

		o->cfg.seed += it;
		if (web_load_run(&o->cfg, s, &e)) {
			rc = cli_fail(o->name, &e);
			web_load_stats_free(s);
			free(s);
			return rc ? rc : 1;
		}
		web_qos_eval(o->cfg.wl, o->cfg.min_pages, s, &q);
		web_load_json(&rec, kind, &o->cfg, s, &q, it, o->env, o->label);
		if (o->json)
			fputs(sbuf_str(&rec), stdout);
		else
			print_iteration(o, s, &q, it);
		if (save(o, &rec, s, it, sessions, &e)) {
			sbuf_free(&rec);
			web_load_stats_free(s);
			free(s);
			return cli_fail(o->name, &e);
		}
		sbuf_free(&rec);
		*pass = *pass && q.pass;
		if (s->stopped) {
			rc = EXIT_STOPPED;
			break;
		}
		if (!q.pass && stop_on_fail)
			break;
	}
	web_load_stats_free(s);
	free(s);
	if (rc == EXIT_STOPPED && o->mode != M_LOAD)
		fprintf(stderr, "vmlab %s: stopped by a signal: the iteration so far is recorded "
			"(\"stopped\":true), no verdict\n", o->name);
	return rc;
}

/* The search's record (a web record): the SPECweb-style metric, for the
 * results store and vmlab report; bound as in search_result. */
static void search_record(const struct opts *o, unsigned answer, unsigned upper, bool min_failed,
			  const char *bound, struct sbuf *out)
{
	struct record r;
	struct sbuf name = SBUF_INIT;

	record_init(&r);
	sbuf_printf(&name, "web-%s", o->cfg.wl->name);
	r.kind = xstrdup("web-search-result");
	r.environment = xstrdup(o->env);
	r.label = o->label ? xstrdup(o->label) : NULL;
	r.facts.concurrent = o->cfg.concurrent ? xstrdup(o->cfg.concurrent) : NULL;
	r.benchmark = sbuf_take(&name);
	r.iteration = 1;
	if (!answer && !min_failed) {
		r.status = xstrdup("failed");
		r.error = xstrdup("no session count passed in every iteration");
	} else {
		r.status = xstrdup("ok");
		r.value = answer ? answer : o->min;
	}
	r.unit = xstrdup("sessions");
	r.better = xstrdup("higher");
	r.bound = bound ? xstrdup(bound) : NULL;
	record_add_fmt(&r, "min", "%u", o->min);
	record_add_fmt(&r, "max", "%u", o->max);
	record_add_fmt(&r, "step", "%u", o->step);
	if (answer && upper > answer)
		record_add_fmt(&r, "answer_upper", "%u", upper);
	record_add_fmt(&r, "iterations", "%u", o->iterations);
	record_to_json(&r, out);
	record_clear(&r);
}

/* Prints the search's answer and writes its record: the largest passing
 * count, or a bound when the answer is at the end of the range (">= max" when
 * max passed, "< min" when min failed; "bound" is "upper" or "lower"). answer
 * 0 without min_failed: no count held over all iterations (a failed record).
 * upper: the largest count not known to fail (above answer when --step ended
 * the bisection first; the record's "answer_upper" then). Returns the exit
 * status. */
static int search_result(const struct opts *o, unsigned answer, unsigned upper, bool min_failed)
{
	const char *bound = answer == o->max ? "upper" : !answer && min_failed ? "lower" : NULL;
	struct sbuf rec = SBUF_INIT;
	struct err e = { 0 };
	int rc = 0;

	printf("%s: largest passing session count in [%u, %u]: ", o->cfg.wl->name, o->min, o->max);
	if (!answer && !min_failed)
		printf("none held over %u iterations\n", o->iterations);
	else if (!bound && upper > answer)
		printf("%u (--step %u: the largest passing count is in [%u, %u])\n", answer, o->step,
		       answer, upper);
	else if (!bound)
		printf("%u\n", answer);
	else if (answer)
		printf(">= %u (bound: the largest count tried, --max, passed)\n", answer);
	else
		printf("< %u (bound: the smallest count tried, --min, failed)\n", o->min);
	search_record(o, answer, upper, min_failed, bound, &rec);
	if (o->json)
		fputs(sbuf_str(&rec), stdout);
	if (o->results && file_append_sync(o->results, rec.buf, rec.len, &e))
		rc = cli_fail(o->name, &e);
	sbuf_free(&rec);
	return rc ? rc : answer ? 0 : 1;
}

/* The argv of this command for the topology's client: o's options as
 * parsed, numbers into num (room for 16 of 32 bytes). */
static void client_argv(const struct opts *o, char **argv, char num[16][32])
{
	const struct web_load_cfg *c = &o->cfg;
	int k = 0, m = 0;

#define NUM(opt, fmt, v) (snprintf(num[m], 32, fmt, v), argv[k++] = opt, argv[k++] = num[m++])
	argv[k++] = "web";
	argv[k++] = o->mode == M_LOAD ? "load" : o->mode == M_RUN ? "run" : "search";
	argv[k++] = "-w";
	argv[k++] = (char *)c->wl->name;
	if (o->mode == M_SEARCH) {
		NUM("--min", "%u", o->min);
		NUM("--max", "%u", o->max);
		NUM("--step", "%u", o->step);
	} else
		NUM("-n", "%u", o->sessions);
	if (o->mode != M_LOAD)
		NUM("-i", "%u", o->iterations);
	NUM("-t", "%u", c->threads);
	NUM("--rampup", "%" PRIu64 "ns", c->rampup_ns);
	NUM("--warmup", "%" PRIu64 "ns", c->warmup_ns);
	NUM("--run", "%" PRIu64 "ns", c->run_ns);
	NUM("--rampdown", "%" PRIu64 "ns", c->rampdown_ns);
	NUM("--timeout", "%" PRIu64 "ns", c->timeout_ns);
	NUM("--think-scale", "%.17g", c->think_scale);
	NUM("--seed", "%" PRIu64, (uint64_t)c->seed);
	NUM("--fileset-sessions", "%u", o->fileset_sessions ? o->fileset_sessions
	    : o->mode == M_SEARCH ? o->max : o->sessions);
	if (c->min_pages)
		NUM("--min-pages", "%u", (unsigned)c->min_pages);
#undef NUM
	argv[k] = NULL;
}

/* Prints the client's answer (its last record) and appends every record
 * and the topology's to --results. Returns the exit status. */
static int topo_report(const struct opts *o, const struct web_topo_result *res)
{
	struct err e = { 0 };
	const char *last = NULL, *p = sbuf_str(&res->client_out);
	struct record r;
	int rc = 0;

	if (o->json) {
		fputs(p, stdout);
		fputs(sbuf_str(&res->record), stdout);
	}
	/* the client's records (its text lines are not) and the topology's */
	for (const char *q = p; *q && !rc; q += strcspn(q, "\n"), q += *q == '\n') {
		if (*q != '{')
			continue;
		last = q;
		if (o->results && file_append_line_sync(o->results, q, strcspn(q, "\n") + (q[strcspn(q, "\n")] == '\n'), &e))
			rc = cli_fail(o->name, &e);
	}
	if (!rc && o->results && file_append_line_sync(o->results, res->record.buf, res->record.len, &e))
		rc = cli_fail(o->name, &e);
	if (!o->json && last && record_from_json(last, strcspn(last, "\n"), &r, &e) == 0) {
		if (r.kind && !strcmp(r.kind, "web-search-result") && r.status && !strcmp(r.status, "ok"))
			printf("%s: %s: largest passing session count in [%u, %u]: %s%.0f%s\n", o->env,
			       o->cfg.wl->name, o->min, o->max, r.bound && !strcmp(r.bound, "upper") ? ">= " :
			       r.bound ? "< " : "", r.value, r.bound ? " (bound)" : "");
		else
			printf("%s: %s: %s (%s)\n", o->env, r.kind ? r.kind : "?", r.status ? r.status : "?",
			       r.error ? r.error : "see --json");
		record_clear(&r);
	}
	if (res->client_status != 0 && res->client_err.len)
		fprintf(stderr, "vmlab %s: the client: %s", o->name, sbuf_str(&res->client_err));
	return rc ? rc : res->client_status;
}

/* The command over the topology file o->topo. */
static int topo_main(struct opts *o)
{
	struct web_topology t;
	struct web_topo_result res;
	char *argv[48];
	char num[16][32];
	struct err e = { 0 };
	int rc;

	if (web_topology_load(o->topo, &t, &e))
		return cli_fail(o->name, &e);
	client_argv(o, argv, num);
	o->env = t.name;
	cli_stop_on_signals();
	rc = web_topo_run(&(struct web_topo_run_cfg){
				  .t = &t, .workload = o->cfg.wl->name,
				  .fileset_sessions = o->fileset_sessions ? o->fileset_sessions
						      : o->mode == M_SEARCH ? o->max : o->sessions,
				  .client_args = argv, .label = o->label,
				  .client_timeout_ms = 6 * 3600 * 1000ull, .ready_timeout_ms = 600000,
				  .info = stderr, .stop = &cli_stop },
			  &res, &e);
	if (rc)
		rc = cli_fail(o->name, &e);
	if (!rc || res.record.len)
		rc = rc ? (topo_report(o, &res), rc) : topo_report(o, &res);
	web_topo_result_free(&res);
	web_topology_free(&t);
	return rc;
}

static int main_common(enum mode mode, const char *name, const struct cli_usage *u, int argc,
		       char **argv)
{
	struct sbuf vms = SBUF_INIT;
	struct opts o = { .mode = mode, .name = name, .env = "native" };
	struct sigaction sa = { .sa_handler = on_signal };
	bool pass;
	int rc;

	if ((rc = parse_args(&o, u, argc, argv)) != CLI_GO)
		return rc;
	if (o.topo)
		return topo_main(&o);
	if (host_concurrent_vms(&vms) > 0) {
		o.cfg.concurrent = sbuf_str(&vms);
		fprintf(stderr, "vmlab %s: warning: this machine runs virtual machines this load did not "
			"start (%s): the numbers are disturbed; `vmlab testbed down` first for clean ones "
			"(recorded in the facts as \"concurrent\")\n", name, o.cfg.concurrent);
	}
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	o.cfg.stop = &cli_stop;
	if (!(o.cfg.tls_ctx = transport_tls_ctx_new(&(struct err){ 0 }))) {
		fprintf(stderr, "vmlab %s: cannot set up TLS\n", name);
		sbuf_free(&vms);
		return 1;
	}
	if (mode == M_LOAD) {
		rc = trial(&o, o.sessions, 1, false, "web-load", &pass);
		rc = rc == EXIT_STOPPED ? 0 : rc;   /* a load stopped early is still a load */
	} else if (mode == M_RUN) {
		rc = trial(&o, o.sessions, o.iterations, false, "web-run", &pass);
		if (!rc) {
			printf("%s: %u sessions: %s in %u iterations\n", o.cfg.wl->name, o.sessions,
			       pass ? "PASS" : "FAIL", o.iterations);
			rc = pass ? 0 : 1;
		}
	} else {
		unsigned lo = o.min, hi = o.max, answer = 0, rounds = 0;
		bool min_failed;

		/* invariant: counts above hi failed (or are out of range) */
		rc = trial(&o, lo, 1, true, "web-search", &pass);
		min_failed = !pass;
		while (!rc && pass && rounds++ < 8) {
			while (!rc && hi - lo >= o.step) {
				unsigned mid = lo + (hi - lo + 1) / 2;

				rc = trial(&o, mid, 1, true, "web-search", &pass);
				if (pass)
					lo = mid;
				else
					hi = mid - 1;
			}
			if (rc)
				break;
			rc = trial(&o, lo, o.iterations, true, "web-search", &pass);
			if (rc || pass) {
				answer = pass ? lo : 0;
				break;
			}
			/* the answer did not hold over all iterations: search below it */
			if (lo == o.min) {
				min_failed = true;
				break;
			}
			hi = lo - 1;
			lo = o.min;
			pass = true;
		}
		if (!rc)
			rc = search_result(&o, answer, hi, min_failed);
	}
	transport_tls_ctx_free(o.cfg.tls_ctx);
	sbuf_free(&vms);
	return rc;
}

int web_load_main(int argc, char **argv)
{
	return main_common(M_LOAD, "web load", &load_help, argc, argv);
}

int web_run_main(int argc, char **argv)
{
	return main_common(M_RUN, "web run", &run_help, argc, argv);
}

int web_search_main(int argc, char **argv)
{
	return main_common(M_SEARCH, "web search", &search_help, argc, argv);
}
