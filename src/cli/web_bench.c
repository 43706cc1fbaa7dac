/* vmlab web bench: raw HTTP load with wrk/wrk2 semantics. */
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/fileio.h"
#include "base/json.h"
#include "base/units.h"
#include "cli/cmd.h"
#include "cli/subcmd.h"
#include "measure/clock.h"
#include "run/record.h"
#include "web/bench_remote.h"
#include "web/http_client.h"


struct bench_opts {
	unsigned threads, conns;
	uint64_t dur, rate, tmo, start_at, start_delay, busy_poll;
	bool latency, json;
	const char *results, *hosts, *remote_vmlab, *env, *label;
	struct opt_list headers, ssh_args;
};

#define F(x) offsetof(struct bench_opts, x)
static const struct opt opts[] = {
	{ "threads", 't', OPT_UCOUNT, F(threads), .def = "2", .min = 1, .max = 1024,
	  .help = "event-loop threads" },
	{ "connections", 'c', OPT_UCOUNT, F(conns), .def = "10", .min = 1, .max = 1000000,
	  .help = "keep-alive connections in all" },
	{ "duration", 'd', OPT_DURATION, F(dur), .def = "10s", .min = 1, .max = OPT_NOMAX,
	  .help = "run time" },
	{ "rate", 'R', OPT_COUNT, F(rate), .min = 1, .max = 100000000,
	  .help = "constant total request rate; latency is measured from each request's intended "
		  "send time (coordinated omission corrected); a failed request uses up its slot. "
		  "Default: as fast as possible" },
	{ "timeout", 0, OPT_DURATION, F(tmo), .def = "2s", .min = 1, .max = OPT_NOMAX,
	  .help = "a request or connect older than T is a timeout" },
	{ "busy-poll", 0, OPT_DURATION, F(busy_poll), .def = "20us", .min = 0, .max = 1000000000,
	  .help = "before sleeping, poll for responses this long (0: sleep at once); a client "
		  "that sleeps makes the server pay a wake-up per response" },
	{ "header", 'H', OPT_LIST, F(headers), .metavar = "H", .help = "add a request header" },
	{ "latency", 0, OPT_FLAG, F(latency), .help = "print the latency distribution" },
	{ "json", 0, OPT_FLAG, F(json), .help = "print one JSON record instead of the text report" },
	{ "results", 0, OPT_STRING, F(results), .metavar = "FILE",
	  .help = "also append the JSON record to FILE (JSON Lines)" },
	{ "env", 0, OPT_STRING, F(env), .def = "native", .metavar = "NAME",
	  .help = "environment the record names" },
	{ "label", 0, OPT_STRING, F(label), .metavar = "TEXT", .help = "its label in reports" },
	{ "hosts", 0, OPT_STRING, F(hosts), .metavar = "LIST",
	  .help = "run the load from these hosts instead ([user@]host, comma-separated), each with "
		  "-t and -c, the rate split evenly; started over ssh at a common start time (clocks "
		  "must agree), results merged exactly" },
	{ "ssh-arg", 0, OPT_LIST, F(ssh_args), .metavar = "ARG",
	  .help = "pass ARG to ssh (-p 2222, -i KEY...)" },
	{ "remote-vmlab", 0, OPT_STRING, F(remote_vmlab), .def = "vmlab", .metavar = "P",
	  .help = "the vmlab binary on the hosts" },
	{ "start-delay", 0, OPT_DURATION, F(start_delay), .def = "5s", .min = 1, .max = OPT_NOMAX,
	  .help = "start the hosts' clients T after launching them" },
	{ "start-at", 0, OPT_COUNT, F(start_at), .metavar = "NS",
	  .help = "start at this CLOCK_REALTIME time (ns since the epoch)" },
	{ 0 },
};
#undef F

static const struct cli_usage help = {
	"usage: vmlab web bench URL [-t THREADS] [-c CONNECTIONS] [-d DURATION] [-R RATE]\n"
	"                       [--timeout T] [-H 'Name: value']... [--latency] [--json]\n"
	"                       [--results FILE] [--hosts H1,H2... [--ssh-arg ARG]...\n"
	"                       [--remote-vmlab PATH]]\n"
	"Raw HTTP/1.1 load against URL (http:// or https://), as wrk and wrk2 do.\n\n",
	opts,
	"\nExit status: 0 done (errors are reported, not fatal), 1 no response at\n"
	"all, 2 bad usage.\n",
};

static const char NAME[] = "web bench";

static void on_signal(int sig)
{
	http_load_stop();
}

static char *fmt_ns(double ns, char *buf, size_t len)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.0fns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.2fus", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.2fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
	return buf;
}

static char *fmt_bytes(double b, char *buf, size_t len)
{
	const char *u[] = { "B", "KB", "MB", "GB", "TB" };
	int i = 0;

	while (b >= 1024 && i < 4) {
		b /= 1024;
		i++;
	}
	snprintf(buf, len, "%.2f%s", b, u[i]);
	return buf;
}

static const double pcts[] = { 50, 75, 90, 99, 99.9, 99.99 };
#define NPCTS (sizeof(pcts) / sizeof(pcts[0]))

static void print_text(const char *url, const struct http_load_cfg *cfg, const struct http_stats *st,
		       double secs, bool latency, uint64_t cpu_ns)
{
	char a[32], b[32], c[32];
	double within = 0;
	uint64_t nerr = 0;

	printf("Running %s test @ %s\n", units_fmt_duration(cfg->duration_ns, a, sizeof(a)), url);
	printf("  %u threads and %u connections", cfg->threads, cfg->conns);
	if (cfg->rate > 0)
		printf(", %.0f requests/s", cfg->rate);
	printf("\n");
	if (st->lat.total) {
		/* share of samples within one standard deviation of the mean */
		double m = hist_mean(&st->lat), sd = hist_stddev(&st->lat);
		uint64_t lo = m > sd ? (uint64_t)(m - sd) : 0;

		within = hist_share_le(&st->lat, (uint64_t)(m + sd)) -
			 (lo ? hist_share_le(&st->lat, lo - 1) : 0);
		printf("  Thread Stats   Avg      Stdev     Max   +/- Stdev\n");
		printf("    Latency %9s %9s %9s %8.2f%%\n", fmt_ns(m, a, sizeof(a)),
		       fmt_ns(sd, b, sizeof(b)), fmt_ns((double)st->lat.max, c, sizeof(c)),
		       within * 100);
	}
	if (latency && st->lat.total) {
		printf("  Latency Distribution%s\n", cfg->rate > 0 ? " (from intended send times)" : "");
		for (size_t i = 0; i < NPCTS; i++)
			printf(" %7.3f%% %9s\n", pcts[i],
			       fmt_ns((double)hist_quantile(&st->lat, pcts[i] / 100), a, sizeof(a)));
	}
	printf("  %" PRIu64 " requests in %.2fs, %s read\n", st->requests, secs,
	       fmt_bytes((double)st->bytes, a, sizeof(a)));
	if (st->err[HE_CONNECT] || st->err[HE_READ] || st->err[HE_WRITE] || st->err[HE_TIMEOUT])
		printf("  Socket errors: connect %" PRIu64 ", read %" PRIu64 ", write %" PRIu64
		       ", timeout %" PRIu64 "\n", st->err[HE_CONNECT], st->err[HE_READ],
		       st->err[HE_WRITE], st->err[HE_TIMEOUT]);
	for (int i = 0; i < HTTP_E_KINDS; i++)
		nerr += st->perr[i];
	if (nerr) {
		printf("  HTTP errors:");
		for (int i = 0; i < HTTP_E_KINDS; i++)
			printf("%s %s %" PRIu64, i ? "," : "", http_err_name(-i - 1), st->perr[i]);
		printf("\n");
	}
	if (st->err[HE_STATUS])
		printf("  Non-2xx or 3xx responses: %" PRIu64 "\n", st->err[HE_STATUS]);
	if (st->failed)
		printf("  Failed requests: %" PRIu64 ", time to the error avg %s, p99 %s, max %s"
		       " (not in the latency above)\n", st->failed,
		       fmt_ns(hist_mean(&st->fail_lat), a, sizeof(a)),
		       fmt_ns((double)hist_quantile(&st->fail_lat, 0.99), b, sizeof(b)),
		       fmt_ns((double)st->fail_lat.max, c, sizeof(c)));
	printf("Requests/sec: %10.2f\n", secs > 0 ? (double)st->requests / secs : 0);
	printf("Transfer/sec: %10s\n", fmt_bytes(secs > 0 ? (double)st->bytes / secs : 0, a, sizeof(a)));
	if (st->requests)
		printf("CPU/request:  %10s\n", fmt_ns((double)cpu_ns / (double)st->requests, a, sizeof(a)));
}

/* The latency, error and status counts of a bench record. */
static void bench_counts(struct record *r, const struct http_stats *st)
{
	static const char *const cls[] = { "other", "1xx", "2xx", "3xx", "4xx", "5xx" };
	struct sbuf o = SBUF_INIT;

	sbuf_printf(&o, "{\"min\":%" PRIu64 ",\"max\":%" PRIu64, st->lat.total ? st->lat.min : 0,
		    st->lat.max);
	sbuf_puts(&o, ",\"mean\":");
	json_put_num(&o, hist_mean(&st->lat));
	sbuf_puts(&o, ",\"stddev\":");
	json_put_num(&o, hist_stddev(&st->lat));
	for (size_t i = 0; i < NPCTS; i++)
		sbuf_printf(&o, ",\"p%g\":%" PRIu64, pcts[i], hist_quantile(&st->lat, pcts[i] / 100));
	sbuf_putc(&o, '}');
	record_add_raw(r, "latency_ns", sbuf_str(&o));
	sbuf_reset(&o);
	sbuf_putc(&o, '{');
	for (int i = 0; i < HE_KINDS; i++)
		sbuf_printf(&o, "%s\"%s\":%" PRIu64, i ? "," : "", http_client_err_name(i), st->err[i]);
	for (int i = 0; i < HTTP_E_KINDS; i++)
		sbuf_printf(&o, ",\"%s\":%" PRIu64, http_err_name(-i - 1), st->perr[i]);
	sbuf_putc(&o, '}');
	record_add_raw(r, "errors", sbuf_str(&o));
	sbuf_reset(&o);
	sbuf_putc(&o, '{');
	for (int i = 0; i < 6; i++)
		sbuf_printf(&o, "%s\"%s\":%" PRIu64, i ? "," : "", cls[i], st->status[i]);
	sbuf_putc(&o, '}');
	record_add_raw(r, "status_classes", sbuf_str(&o));
	sbuf_reset(&o);
	sbuf_printf(&o, "{\"min\":%" PRIu64 ",\"max\":%" PRIu64,
		    st->fail_lat.total ? st->fail_lat.min : 0, st->fail_lat.max);
	sbuf_puts(&o, ",\"mean\":");
	json_put_num(&o, hist_mean(&st->fail_lat));
	sbuf_printf(&o, ",\"p50\":%" PRIu64 ",\"p99\":%" PRIu64 "}",
		    hist_quantile(&st->fail_lat, 0.5), hist_quantile(&st->fail_lat, 0.99));
	record_add_raw(r, "failed_latency_ns", sbuf_str(&o));
	sbuf_reset(&o);
	hist_serialise(&st->lat, &o);
	record_add_str(r, "hist", sbuf_str(&o));
	sbuf_reset(&o);
	hist_serialise(&st->fail_lat, &o);
	record_add_str(r, "failed_hist", sbuf_str(&o));
	sbuf_free(&o);
}

/* Appends the run's record (a web record, record_to_json) to o. */
static void json_record(struct sbuf *o, const char *url, const struct http_load_cfg *cfg,
			const struct http_stats *st, double secs, uint64_t user_ns, uint64_t sys_ns,
			int hosts, double start_s, double spread_s, const char *env, const char *label)
{
	struct record r;
	char ts[32];

	clock_iso8601(clock_real_ns(), ts);
	record_init(&r);
	r.kind = xstrdup("web-bench");
	r.timestamp = xstrdup(ts);
	/* the results store's fields: vmlab report compares requests/s */
	r.environment = xstrdup(env);
	r.label = label ? xstrdup(label) : NULL;
	r.benchmark = xstrdup("web-bench");
	r.iteration = 1;
	r.status = xstrdup(st->requests ? "ok" : "failed");
	r.error = st->requests ? NULL : xstrdup("no response");
	r.value = secs > 0 ? (double)st->requests / secs : 0;
	r.unit = xstrdup("req/s");
	r.better = xstrdup("higher");
	record_add_str(&r, "url", url);
	record_add_fmt(&r, "hosts", "%d", hosts);
	record_add_fmt(&r, "threads", "%u", cfg->threads);
	record_add_fmt(&r, "connections", "%u", cfg->conns);
	record_add_num(&r, "duration_s", (double)cfg->duration_ns / 1e9);
	record_add_num(&r, "rate", cfg->rate);
	record_add_fmt(&r, "requests", "%" PRIu64, st->requests);
	record_add_fmt(&r, "bytes", "%" PRIu64, st->bytes);
	record_add_fmt(&r, "connects", "%" PRIu64, st->connects);
	record_add_fmt(&r, "failed", "%" PRIu64, st->failed);
	record_add_num(&r, "elapsed_s", secs);
	record_add_num(&r, "start_s", start_s);
	if (hosts > 1)
		record_add_num(&r, "start_spread_s", spread_s);
	record_add_num(&r, "requests_per_s", r.value);
	record_add_num(&r, "bytes_per_s", secs > 0 ? (double)st->bytes / secs : 0);
	record_add_num(&r, "cpu_user_s", (double)user_ns / 1e9);
	record_add_num(&r, "cpu_sys_s", (double)sys_ns / 1e9);
	bench_counts(&r, st);
	record_to_json(&r, o);
	record_clear(&r);
}

/* The argv of `vmlab web bench --json` for each of n hosts, in argv (room
 * for 64 + 2 * 64 words), the numbers' text in num. */
static void remote_argv(const struct bench_opts *o, const char *url, int n, char **argv,
			char num[7][32])
{
	int k = 0;

	snprintf(num[0], 32, "%u", o->threads);
	snprintf(num[1], 32, "%u", o->conns);
	snprintf(num[2], 32, "%" PRIu64 "ns", o->dur);
	snprintf(num[3], 32, "%" PRIu64, o->rate / (uint64_t)n);
	snprintf(num[4], 32, "%" PRIu64 "ns", o->tmo);
	snprintf(num[5], 32, "%" PRIu64, clock_real_ns() + o->start_delay);
	snprintf(num[6], 32, "%" PRIu64 "ns", o->busy_poll);
	argv[k++] = (char *)o->remote_vmlab;
	argv[k++] = "web";
	argv[k++] = "bench";
	argv[k++] = (char *)url;
	argv[k++] = "-t";
	argv[k++] = num[0];
	argv[k++] = "-c";
	argv[k++] = num[1];
	argv[k++] = "-d";
	argv[k++] = num[2];
	argv[k++] = "--timeout";
	argv[k++] = num[4];
	if (o->rate) {
		argv[k++] = "-R";
		argv[k++] = num[3];
	}
	if (o->busy_poll != CONN_BUSY_POLL_NS) {
		argv[k++] = "--busy-poll";
		argv[k++] = num[6];
	}
	for (int i = 0; i < o->headers.n; i++) {
		argv[k++] = "-H";
		argv[k++] = (char *)o->headers.v[i];
	}
	argv[k++] = "--start-at";
	argv[k++] = num[5];
	argv[k++] = "--json";
	argv[k] = NULL;
}

/* Merges the records of the n hosts in r into st; *elapsed is the longest
 * run, *cpu the sum of CPU seconds, [*first, *last] the clients' start
 * times. Prints each host's record unless json. Returns the hosts merged. */
static int merge_hosts(struct bench_remote *r, int n, bool json, struct http_stats *st,
		       double *elapsed, double *cpu, double *first, double *last)
{
	struct err e = { 0 };
	int ok = 0;

	http_stats_reset(st);
	for (int i = 0; i < n; i++) {
		double el = 0, cp = 0, t0;
		struct json *j = NULL;

		if (r[i].rc) {
			fprintf(stderr, "vmlab %s: %s: %s\n", NAME, r[i].host, r[i].e.msg);
			continue;
		}
		if (r[i].status != 0 && r[i].status != 1) {
			fprintf(stderr, "vmlab %s: %s: exit %d: %s\n", NAME, r[i].host, r[i].status,
				sbuf_str(&r[i].errout));
			continue;
		}
		if (bench_record_merge(r[i].out.buf, r[i].out.len, r[i].host, st, &el, &cp, &e)) {
			fprintf(stderr, "vmlab %s: %s\n", NAME, e.msg);
			continue;
		}
		/* when each client really started (a late ssh start shows here) */
		if (!json_parse(r[i].out.buf, r[i].out.len, r[i].host, &j, &e) &&
		    !json_get_num(j, "start_s", &t0)) {
			if (!ok || t0 < *first)
				*first = t0;
			if (!ok || t0 > *last)
				*last = t0;
		}
		json_free(j);
		ok++;
		*cpu += cp;
		if (el > *elapsed)
			*elapsed = el;
		if (!json)
			printf("%s: %s", r[i].host, sbuf_str(&r[i].out));
	}
	return ok;
}

/* The prime client of a multi-host run: starts `vmlab web bench --json` on
 * every host over ssh with a common start start_delay ahead, merges their records
 * exactly and reports the total. Returns the exit status. */
static int run_hosts(const struct bench_opts *o, const char *url)
{
	char *list = xstrdup(o->hosts), *save = NULL, *h;
	struct bench_remote *r = NULL;
	char *argv[64 + 2 * 64];
	char num[7][32];
	int n = 0, ok, rc = 1;
	struct http_stats *st = xmalloc(sizeof(*st));
	struct http_load_cfg cfg = { 0 };
	struct sbuf rec = SBUF_INIT;
	double elapsed = 0, cpu = 0, first = 0, last = 0;
	struct err e = { 0 };

	for (h = strtok_r(list, ",", &save); h; h = strtok_r(NULL, ",", &save)) {
		r = xrealloc(r, (size_t)(n + 1) * sizeof(*r));
		memset(&r[n], 0, sizeof(r[n]));
		r[n++].host = h;
	}
	if (n == 0 || o->headers.n > 60 || (o->rate && o->rate < (uint64_t)n)) {
		rc = cli_usage_error(NAME, n == 0 ? "--hosts: no host" : o->headers.n > 60 ?
				     "too many -H" : "-R: less than one request/s per host");
		goto out;
	}
	remote_argv(o, url, n, argv, num);
	bench_remote_run_all(r, n, (char *const *)o->ssh_args.v, o->ssh_args.n, argv,
			     o->dur / 1000000 + 60000);
	ok = merge_hosts(r, n, o->json, st, &elapsed, &cpu, &first, &last);
	if (!ok) {
		fprintf(stderr, "vmlab %s: no host delivered results\n", NAME);
		goto out;
	}
	if (last - first > 0.05 * (double)o->dur / 1e9)
		fprintf(stderr, "vmlab %s: warning: the clients started %.3fs apart (ssh slower than "
			"--start-delay, or the hosts' clocks disagree)\n", NAME, last - first);
	cfg.threads = o->threads;
	cfg.conns = o->conns;
	cfg.duration_ns = o->dur;
	cfg.rate = (double)o->rate;
	json_record(&rec, url, &cfg, st, elapsed, (uint64_t)(cpu * 1e9), 0, ok, first, last - first,
		    o->env, o->label);
	if (o->json) {
		fputs(sbuf_str(&rec), stdout);
	} else {
		printf("%d of %d hosts, each:\n", ok, n);
		print_text(url, &cfg, st, elapsed, o->latency, (uint64_t)(cpu * 1e9));
	}
	fflush(stdout);
	if (o->results && file_append_sync(o->results, rec.buf, rec.len, &e)) {
		rc = cli_fail(NAME, &e);
		goto out;
	}
	rc = ok == n && st->requests ? 0 : 1;
out:
	for (int i = 0; i < n; i++) {
		sbuf_free(&r[i].out);
		sbuf_free(&r[i].errout);
	}
	free(r);
	free(list);
	free(st);
	sbuf_free(&rec);
	return rc;
}

/* Fills cfg's target from u: address, transport, TLS context, SNI.
 * Returns 0 or the exit status after printing why. */
static int target(const char *url, const struct http_url *u, struct http_load_cfg *cfg)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	struct err e = { 0 };
	int gai = getaddrinfo(u->host, u->port, &hints, &ai);

	if (gai) {
		fprintf(stderr, "vmlab %s: %s: cannot resolve '%s': %s\n", NAME, url, u->host,
			gai_strerror(gai));
		return 2;
	}
	memcpy(&cfg->addr, ai->ai_addr, ai->ai_addrlen);
	cfg->addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	cfg->tp = u->tls ? &transport_tls : &transport_plain;
	if (u->tls && !(cfg->tls_ctx = transport_tls_ctx_new(&e)))
		return cli_fail(NAME, &e);
	cfg->sni = u->host;
	return 0;
}

/* One client on this machine: the load of o against url with request req.
 * Returns the exit status. */
static int run_local(const struct bench_opts *o, const char *url, const struct http_url *u,
		     const struct sbuf *req)
{
	uint64_t u0, s0, u1, s1, t_start, elapsed = 0;
	struct http_load_cfg cfg = { 0 };
	struct http_stats *st = NULL;
	struct sbuf rec = SBUF_INIT;
	struct err e = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	double secs;
	int rc = target(url, u, &cfg);

	if (rc)
		goto out;
	cfg.req = req->buf;
	cfg.req_len = req->len;
	cfg.threads = o->threads;
	cfg.conns = o->conns;
	cfg.duration_ns = o->dur;
	cfg.timeout_ns = o->tmo;
	cfg.busy_poll_ns = o->busy_poll;
	cfg.rate = (double)o->rate;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	st = xmalloc(sizeof(*st));
	if (o->start_at > clock_real_ns()) {
		/* the common start of a multi-host run */
		struct timespec ts = { (time_t)(o->start_at / 1000000000ull),
				       (long)(o->start_at % 1000000000ull) };

		while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
	}
	clock_cpu_ns(&u0, &s0);
	t_start = clock_real_ns();
	if (http_load_run(&cfg, st, &elapsed, &e)) {
		rc = cli_fail(NAME, &e);
		goto out;
	}
	clock_cpu_ns(&u1, &s1);
	secs = (double)elapsed / 1e9;
	json_record(&rec, url, &cfg, st, secs, u1 - u0, s1 - s0, 1, (double)t_start / 1e9, 0, o->env,
		    o->label);
	if (o->json)
		fputs(sbuf_str(&rec), stdout);
	else
		print_text(url, &cfg, st, secs, o->latency, (u1 - u0) + (s1 - s0));
	fflush(stdout);
	if (o->results && file_append_sync(o->results, rec.buf, rec.len, &e)) {
		rc = cli_fail(NAME, &e);
		goto out;
	}
	if (st->requests == 0) {
		fprintf(stderr, "vmlab %s: no response from %s in %.2fs (%" PRIu64 " errors)\n", NAME,
			url, secs, http_stats_errors(st));
		rc = 1;
	}
out:
	if (cfg.tls_ctx)
		transport_tls_ctx_free(cfg.tls_ctx);
	free(st);
	sbuf_free(&rec);
	return rc;
}

int web_bench_main(int argc, char **argv)
{
	struct bench_opts o = { 0 };
	struct opt_res r;
	struct http_url u;
	struct sbuf req = SBUF_INIT;
	struct err e = { 0 };
	const char *url;
	int rc = cli_opts(NAME, &help, &o, argc, argv, &r);

	if (rc != CLI_GO)
		goto out;
	if (r.npos != 1) {
		rc = cli_usage_error(NAME, r.npos == 0 ? "a URL is needed" : "one URL only");
		goto out;
	}
	url = r.pos[0];
	if (o.conns < o.threads) {
		rc = cli_usage_error(NAME, "-c %u is fewer connections than -t %u threads", o.conns,
				     o.threads);
		goto out;
	}
	if (http_url_parse(url, &u, &e) ||
	    http_build_get(&u, (char *const *)o.headers.v, o.headers.n, &req, &e)) {
		rc = cli_fail(NAME, &e);
		goto out;
	}
	rc = o.hosts ? run_hosts(&o, url) : run_local(&o, url, &u, &req);
out:
	opt_free(opts, &o);
	sbuf_free(&req);
	return rc;
}
