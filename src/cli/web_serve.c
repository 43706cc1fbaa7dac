/* vmlab web serve: start nginx, the application and BeSim together. */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/proc.h"
#include "base/units.h"
#include "cli/cmd.h"
#include "cli/stop.h"
#include "cli/subcmd.h"
#include "web/serve.h"
#include "web/workload.h"

static const char usage[] =
	"usage: vmlab web serve [--dir DIR] [--listen ADDR:PORT] [--tls-listen ADDR:PORT]\n"
	"                       [--app-listen ADDR:PORT | --app ADDR:PORT]\n"
	"                       [--besim-listen ADDR:PORT | --besim ADDR:PORT]\n"
	"                       [--workload banking|ecommerce|support|all] [--sessions N]\n"
	"                       [--workers N] [--besim-threads N] [--nginx PATH]\n"
	"       vmlab web serve --stop DIR\n"
	"Writes the file set (DIR/www), a self-signed certificate (DIR/tls) and\n"
	"nginx's configuration (DIR/nginx.conf), starts BeSim, the FastCGI\n"
	"application and nginx, prints the URLs and runs until SIGINT or SIGTERM,\n"
	"then stops all three. --app/--besim use a component already running\n"
	"elsewhere instead of starting one. Port 0 picks a free port.\n"
	"Defaults: DIR vmlab-web, HTTP 127.0.0.1:8080, HTTPS 127.0.0.1:8443, app\n"
	"127.0.0.1:9300, BeSim 127.0.0.1:9400, all workloads, 1 session, one nginx\n"
	"worker per CPU.\n";

static int count_opt(const char *opt, const char *s, unsigned max, unsigned *out)
{
	uint64_t v;

	if (units_parse_count(s, &v) || v > max)
		return cli_usage_error("web serve", "--%s: '%s' is not a count up to %u", opt, s, max);
	*out = (unsigned)v;
	return 0;
}

int web_serve_main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "dir", required_argument, 0, 'd' },
		{ "listen", required_argument, 0, 'l' },
		{ "tls-listen", required_argument, 0, 'T' },
		{ "app-listen", required_argument, 0, 'A' },
		{ "app", required_argument, 0, 'a' },
		{ "besim-listen", required_argument, 0, 'B' },
		{ "besim", required_argument, 0, 'b' },
		{ "workload", required_argument, 0, 'w' },
		{ "sessions", required_argument, 0, 's' },
		{ "workers", required_argument, 0, 'W' },
		{ "besim-threads", required_argument, 0, 't' },
		{ "nginx", required_argument, 0, 'n' },
		{ "stop", required_argument, 0, 'S' },
		{ "help", no_argument, 0, 'h' },
		{ 0 },
	};
	struct web_serve_opts o = {
		.dir = "vmlab-web", .listen = "127.0.0.1:8080", .tls_listen = "127.0.0.1:8443",
		.app_listen = "127.0.0.1:9300", .besim_listen = "127.0.0.1:9400",
		.wl_mask = (1u << WEB_NWORKLOADS) - 1, .sessions = 1, .besim_threads = 1,
		.nginx = "nginx",
	};
	const char *stop_dir = NULL;
	char self[PATH_MAX];
	struct err e = { 0 };
	ssize_t n;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:l:w:s:h", lo, NULL)) != -1) {
		switch (c) {
		case 'd': o.dir = optarg; break;
		case 'l': o.listen = optarg; break;
		case 'T': o.tls_listen = optarg; break;
		case 'A': o.app_listen = optarg; break;
		case 'a': o.app = optarg; break;
		case 'B': o.besim_listen = optarg; break;
		case 'b': o.besim = optarg; break;
		case 'n': o.nginx = optarg; break;
		case 'S': stop_dir = optarg; break;
		case 'w':
			if (!(o.wl_mask = web_workload_mask(optarg)))
				return cli_usage_error("web serve", "--workload: unknown workload '%s'", optarg);
			break;
		case 's':
			if ((rc = count_opt("sessions", optarg, 1000000, &o.sessions)))
				return rc;
			if (!o.sessions)
				return cli_usage_error("web serve", "--sessions must be at least 1");
			break;
		case 'W':
			if ((rc = count_opt("workers", optarg, 1024, &o.nginx_workers)))
				return rc;
			break;
		case 't':
			if ((rc = count_opt("besim-threads", optarg, 256, &o.besim_threads)))
				return rc;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return cli_usage_error("web serve", "bad option");
		}
	}
	if (optind != argc)
		return cli_usage_error("web serve", "unexpected argument '%s'", argv[optind]);
	if (stop_dir) {
		unsigned left;

		if (web_serve_stop(stop_dir, &left, &e))
			return cli_fail("web serve", &e);
		if (left)
			printf("stopped %u process%s left by an earlier serve\n", left, left == 1 ? "" : "es");
		printf("stopped\n");
		return 0;
	}
	if (!proc_have(o.nginx)) {
		fprintf(stderr, "vmlab web serve: %s not found (install the Debian package nginx)\n", o.nginx);
		return 1;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		fprintf(stderr, "vmlab web serve: cannot find its own binary\n");
		return 1;
	}
	self[n] = 0;
	o.self = self;
	cli_stop_on_signals();
	if (web_serve_run(&o, &cli_stop, stdout, &e))
		return cli_fail("web serve", &e);
	printf("stopped\n");
	return 0;
}
