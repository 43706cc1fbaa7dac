/* vmlab web bench: raw HTTP load with wrk/wrk2 semantics. */
#include <errno.h>
#include <getopt.h>
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
#include "measure/clock.h"
#include "run/record.h"
#include "web/bench_remote.h"
#include "web/http_client.h"

int web_bench_main(int argc, char **argv);

static const char usage[] =
	"usage: vmlab web bench URL [-t THREADS] [-c CONNECTIONS] [-d DURATION] [-R RATE]\n"
	"                       [--timeout T] [-H 'Name: value']... [--latency] [--json]\n"
	"                       [--results FILE] [--hosts H1,H2... [--ssh-arg ARG]...\n"
	"                       [--remote-vmlab PATH]]\n"
	"Raw HTTP/1.1 load against URL (http:// or https://), as wrk and wrk2 do.\n\n"
	"  -t, --threads N       event-loop threads (default 2)\n"
	"  -c, --connections N   keep-alive connections in all (default 10)\n"
	"  -d, --duration T      run time (default 10s)\n"
	"  -R, --rate N          constant total request rate; latency is measured from\n"
	"                        each request's intended send time (coordinated\n"
	"                        omission corrected); a failed request uses up its\n"
	"                        slot. Default: as fast as possible\n"
	"      --timeout T       a request or connect older than T is a timeout (2s)\n"
	"  -H, --header H        add a request header (repeatable)\n"
	"      --latency         print the latency distribution\n"
	"      --json            print one JSON record instead of the text report\n"
	"      --results FILE    also append the JSON record to FILE (JSON Lines)\n"
	"      --env NAME        environment the record names (default native)\n"
	"      --label TEXT      its label in reports\n"
	"      --hosts LIST      run the load from these hosts instead ([user@]host,\n"
	"                        comma-separated), each with -t and -c, the rate split\n"
	"                        evenly; started over ssh at a common start time\n"
	"                        (clocks must agree), results merged exactly\n"
	"      --ssh-arg ARG     pass ARG to ssh (repeatable: -p 2222, -i KEY...)\n"
	"      --remote-vmlab P  the vmlab binary on the hosts (default vmlab)\n"
	"      --start-delay T   start the hosts' clients T after launching them (5s)\n"
	"      --start-at NS     start at this CLOCK_REALTIME time (ns since the epoch)\n\n"
	"Exit status: 0 done (errors are reported, not fatal), 1 no response at\n"
	"all, 2 bad usage.\n";

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

static int parse_count(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	if (units_parse_count(s, v) || *v < min || *v > max)
		return cli_usage_error(NAME, "%s: '%s' is not a count from %" PRIu64 " to %" PRIu64,
				       opt, s, min, max);
	return 0;
}

static int parse_dur(const char *opt, const char *s, uint64_t *v)
{
	if (units_parse_duration(s, v) || *v == 0)
		return cli_usage_error(NAME, "%s: '%s' is not a duration such as 10s or 500ms", opt, s);
	return 0;
}

/* The prime client of a multi-host run: starts `vmlab web bench --json` on
 * every host over ssh with a common start start_delay ahead, merges their records
 * exactly and reports the total. Returns the exit status. */
static int run_hosts(const char *url, const char *hosts, unsigned threads, unsigned conns,
		     uint64_t dur, uint64_t rate, uint64_t tmo, char **headers, int nh,
		     char **ssh_args, int nssh, const char *remote_vmlab, uint64_t start_delay,
		     bool latency, bool json, const char *results, const char *env, const char *label)
{
	char *list = xstrdup(hosts), *save = NULL, *h;
	struct bench_remote *r = NULL;
	char *argv[64 + 2 * 64];
	char t[32], c[32], d[32], rt[32], to[32], sa[32];
	int n = 0, k = 0, ok = 0, rc = 1;
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
	if (n == 0 || nh > 60 || (rate && rate < (uint64_t)n)) {
		rc = cli_usage_error(NAME, n == 0 ? "--hosts: no host" : nh > 60 ? "too many -H" :
				     "-R: less than one request/s per host");
		goto out;
	}
	snprintf(t, sizeof(t), "%u", threads);
	snprintf(c, sizeof(c), "%u", conns);
	snprintf(d, sizeof(d), "%" PRIu64 "ns", dur);
	snprintf(rt, sizeof(rt), "%" PRIu64, rate / (uint64_t)n);
	snprintf(to, sizeof(to), "%" PRIu64 "ns", tmo);
	snprintf(sa, sizeof(sa), "%" PRIu64, clock_real_ns() + start_delay);
	argv[k++] = (char *)remote_vmlab;
	argv[k++] = "web";
	argv[k++] = "bench";
	argv[k++] = (char *)url;
	argv[k++] = "-t";
	argv[k++] = t;
	argv[k++] = "-c";
	argv[k++] = c;
	argv[k++] = "-d";
	argv[k++] = d;
	argv[k++] = "--timeout";
	argv[k++] = to;
	if (rate) {
		argv[k++] = "-R";
		argv[k++] = rt;
	}
	for (int i = 0; i < nh; i++) {
		argv[k++] = "-H";
		argv[k++] = headers[i];
	}
	argv[k++] = "--start-at";
	argv[k++] = sa;
	argv[k++] = "--json";
	argv[k] = NULL;
	bench_remote_run_all(r, n, ssh_args, nssh, argv, dur / 1000000 + 60000);
	http_stats_reset(st);
	for (int i = 0; i < n; i++) {
		double el = 0, cp = 0;

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
		{
			struct json *j = NULL;
			double t0;

			/* when each client really started (a late ssh start shows here) */
			if (!json_parse(r[i].out.buf, r[i].out.len, r[i].host, &j, &e) &&
			    !json_get_num(j, "start_s", &t0)) {
				if (!ok || t0 < first)
					first = t0;
				if (!ok || t0 > last)
					last = t0;
			}
			json_free(j);
		}
		ok++;
		cpu += cp;
		if (el > elapsed)
			elapsed = el;
		if (!json)
			printf("%s: %s", r[i].host, sbuf_str(&r[i].out));
	}
	if (!ok) {
		fprintf(stderr, "vmlab %s: no host delivered results\n", NAME);
		goto out;
	}
	if (last - first > 0.05 * (double)dur / 1e9)
		fprintf(stderr, "vmlab %s: warning: the clients started %.3fs apart (ssh slower than "
			"--start-delay, or the hosts' clocks disagree)\n", NAME, last - first);
	cfg.threads = threads;
	cfg.conns = conns;
	cfg.duration_ns = dur;
	cfg.rate = (double)rate;
	json_record(&rec, url, &cfg, st, elapsed, (uint64_t)(cpu * 1e9), 0, ok, first, last - first,
		    env, label);
	if (json)
		fputs(sbuf_str(&rec), stdout);
	else {
		printf("%d of %d hosts, each:\n", ok, n);
		print_text(url, &cfg, st, elapsed, latency, (uint64_t)(cpu * 1e9));
	}
	fflush(stdout);
	if (results && file_append_sync(results, rec.buf, rec.len, &e)) {
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

int web_bench_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "threads", required_argument, NULL, 't' },
		{ "connections", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "rate", required_argument, NULL, 'R' },
		{ "header", required_argument, NULL, 'H' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "latency", no_argument, NULL, 'L' },
		{ "json", no_argument, NULL, 'J' },
		{ "results", required_argument, NULL, 'o' },
		{ "hosts", required_argument, NULL, 'X' },
		{ "ssh-arg", required_argument, NULL, 'S' },
		{ "remote-vmlab", required_argument, NULL, 'V' },
		{ "start-at", required_argument, NULL, 'A' },
		{ "start-delay", required_argument, NULL, 'D' },
		{ "env", required_argument, NULL, 'E' },
		{ "label", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	uint64_t threads = 2, conns = 10, rate = 0, dur = 10000000000ull, tmo = 2000000000ull;
	uint64_t u0, s0, u1, s1, start_at = 0, start_delay = 5000000000ull, t_start;
	bool latency = false, json = false;
	const char *results = NULL, *url, *hosts = NULL, *remote_vmlab = "vmlab";
	const char *env = "native", *label = NULL;
	char **headers = xcalloc((size_t)argc, sizeof(char *));
	char **ssh_args = xcalloc((size_t)argc, sizeof(char *));
	int nh = 0, nssh = 0, opt, rc = 2, gai;
	struct http_url u;
	struct http_load_cfg cfg = { 0 };
	struct http_stats *st = NULL;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	struct sbuf req = SBUF_INIT, rec = SBUF_INIT;
	struct err e = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t elapsed = 0;
	double secs;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":t:c:d:R:H:h", opts, NULL)) != -1) {
		switch (opt) {
		case 't':
			if (parse_count("-t", optarg, 1, 1024, &threads))
				goto out;
			break;
		case 'c':
			if (parse_count("-c", optarg, 1, 1000000, &conns))
				goto out;
			break;
		case 'd':
			if (parse_dur("-d", optarg, &dur))
				goto out;
			break;
		case 'R':
			if (parse_count("-R", optarg, 1, 100000000, &rate))
				goto out;
			break;
		case 'T':
			if (parse_dur("--timeout", optarg, &tmo))
				goto out;
			break;
		case 'H':
			headers[nh++] = optarg;
			break;
		case 'L':
			latency = true;
			break;
		case 'J':
			json = true;
			break;
		case 'o':
			results = optarg;
			break;
		case 'X':
			hosts = optarg;
			break;
		case 'S':
			ssh_args[nssh++] = optarg;
			break;
		case 'V':
			remote_vmlab = optarg;
			break;
		case 'E':
			env = optarg;
			break;
		case 'l':
			label = optarg;
			break;
		case 'D':
			if (parse_dur("--start-delay", optarg, &start_delay))
				goto out;
			break;
		case 'A': {
			char *end;

			start_at = strtoull(optarg, &end, 10);
			if (*end || end == optarg) {
				rc = cli_usage_error(NAME, "--start-at: '%s' is not a time in ns", optarg);
				goto out;
			}
			break;
		}
		case 'h':
			fputs(usage, stdout);
			rc = 0;
			goto out;
		case ':':
			rc = cli_usage_error(NAME, "option '%s' needs a value", argv[optind - 1]);
			goto out;
		default:
			rc = cli_usage_error(NAME, "unknown option '%s'", argv[optind - 1]);
			goto out;
		}
	}
	if (optind != argc - 1) {
		rc = cli_usage_error(NAME, optind == argc ? "a URL is needed" : "one URL only");
		goto out;
	}
	url = argv[optind];
	if (conns < threads) {
		rc = cli_usage_error(NAME, "-c %" PRIu64 " is fewer connections than -t %" PRIu64
				     " threads", conns, threads);
		goto out;
	}
	if (http_url_parse(url, &u, &e) || http_build_get(&u, headers, nh, &req, &e)) {
		rc = cli_fail(NAME, &e);
		goto out;
	}
	if (hosts) {
		rc = run_hosts(url, hosts, (unsigned)threads, (unsigned)conns, dur, rate, tmo, headers,
			       nh, ssh_args, nssh, remote_vmlab, start_delay, latency, json, results,
			       env, label);
		goto out;
	}
	gai = getaddrinfo(u.host, u.port, &hints, &ai);
	if (gai) {
		fprintf(stderr, "vmlab %s: %s: cannot resolve '%s': %s\n", NAME, url, u.host,
			gai_strerror(gai));
		rc = 2;
		goto out;
	}
	memcpy(&cfg.addr, ai->ai_addr, ai->ai_addrlen);
	cfg.addrlen = ai->ai_addrlen;
	cfg.tp = u.tls ? &transport_tls : &transport_plain;
	if (u.tls && !(cfg.tls_ctx = transport_tls_ctx_new(&e))) {
		rc = cli_fail(NAME, &e);
		goto out;
	}
	cfg.sni = u.host;
	cfg.req = req.buf;
	cfg.req_len = req.len;
	cfg.threads = (unsigned)threads;
	cfg.conns = (unsigned)conns;
	cfg.duration_ns = dur;
	cfg.timeout_ns = tmo;
	cfg.rate = (double)rate;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	st = xmalloc(sizeof(*st));
	if (start_at > clock_real_ns()) {
		/* the common start of a multi-host run */
		struct timespec ts = { (time_t)(start_at / 1000000000ull),
				       (long)(start_at % 1000000000ull) };

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
	json_record(&rec, url, &cfg, st, secs, u1 - u0, s1 - s0, 1, (double)t_start / 1e9, 0, env,
		    label);
	if (json)
		fputs(sbuf_str(&rec), stdout);
	else
		print_text(url, &cfg, st, secs, latency, (u1 - u0) + (s1 - s0));
	fflush(stdout);
	if (results && file_append_sync(results, rec.buf, rec.len, &e)) {
		rc = cli_fail(NAME, &e);
		goto out;
	}
	if (st->requests == 0) {
		fprintf(stderr, "vmlab %s: no response from %s in %.2fs (%" PRIu64 " errors)\n", NAME,
			url, secs, http_stats_errors(st));
		rc = 1;
		goto out;
	}
	rc = 0;
out:
	if (ai)
		freeaddrinfo(ai);
	if (cfg.tls_ctx)
		transport_tls_ctx_free(cfg.tls_ctx);
	free(st);
	free(headers);
	free(ssh_args);
	sbuf_free(&req);
	sbuf_free(&rec);
	return rc;
}
