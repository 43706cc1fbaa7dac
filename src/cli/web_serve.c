/* vmlab web serve: start nginx, the application and BeSim together. */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/proc.h"
#include "base/units.h"
#include "cli/cmd.h"
#include "cli/subcmd.h"
#include "web/serve.h"
#include "web/workload.h"

struct serve_args {
	struct web_serve_opts o;
	uint64_t sessions, workers, besim_threads;
	const char *stop_dir;
};

#define F(x) offsetof(struct serve_args, x)
static const struct opt opts[] = {
	{ "dir", 'd', OPT_STRING, F(o.dir), .def = "vmlab-web", .metavar = "DIR",
	  .help = "the state folder" },
	{ "listen", 'l', OPT_STRING, F(o.listen), .def = "127.0.0.1:8080", .metavar = "ADDR:PORT",
	  .help = "nginx's HTTP address" },
	{ "tls-listen", 0, OPT_STRING, F(o.tls_listen), .def = "127.0.0.1:8443",
	  .metavar = "ADDR:PORT", .help = "nginx's HTTPS address" },
	{ "app-listen", 0, OPT_STRING, F(o.app_listen), .def = "127.0.0.1:9300",
	  .metavar = "ADDR:PORT", .help = "the application started here" },
	{ "app", 0, OPT_STRING, F(o.app), .metavar = "ADDR:PORT",
	  .help = "or an application already running there" },
	{ "besim-listen", 0, OPT_STRING, F(o.besim_listen), .def = "127.0.0.1:9400",
	  .metavar = "ADDR:PORT", .help = "BeSim started here" },
	{ "besim", 0, OPT_STRING, F(o.besim), .metavar = "ADDR:PORT",
	  .help = "or a BeSim already running there" },
	{ "workload", 'w', OPT_CUSTOM, F(o.wl_mask), .parse = web_workload_opt,
	  .metavar = "banking|ecommerce|support|all", .help = "the workloads (default all)" },
	{ "sessions", 's', OPT_COUNT, F(sessions), .def = "1", .min = 1, .max = 1000000,
	  .help = "simultaneous sessions the file set is scaled for" },
	{ "workers", 0, OPT_COUNT, F(workers), .def = "0", .min = 0, .max = 1024,
	  .help = "nginx workers (0: one per CPU)" },
	{ "besim-threads", 0, OPT_COUNT, F(besim_threads), .def = "1", .min = 0, .max = 256,
	  .help = "BeSim's threads" },
	{ "nginx", 0, OPT_STRING, F(o.nginx), .def = "nginx", .metavar = "PATH",
	  .help = "the nginx binary" },
	{ "stop", 0, OPT_STRING, F(stop_dir), .metavar = "DIR",
	  .help = "stop what a serve with state folder DIR started" },
	{ 0 },
};
#undef F

static const struct cli_usage help = {
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
	"elsewhere instead of starting one. Port 0 picks a free port.\n\n",
	opts,
};

int web_serve_main(int argc, char **argv)
{
	struct serve_args a = { .o.wl_mask = (1u << WEB_NWORKLOADS) - 1 };
	struct web_serve_opts o;
	const char *stop_dir;
	struct err e = { 0 };
	int rc = cli_opts_npos("web serve", &help, &a, argc, argv, NULL, 0, 0, NULL, NULL);

	if (rc != CLI_GO)
		return rc;
	o = a.o;
	o.sessions = (unsigned)a.sessions;
	o.nginx_workers = (unsigned)a.workers;
	o.besim_threads = (unsigned)a.besim_threads;
	stop_dir = a.stop_dir;
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
	o.self = proc_self_exe();
	cli_stop_on_signals();
	if (web_serve_run(&o, &cli_stop, stdout, &e))
		return cli_fail("web serve", &e);
	printf("stopped\n");
	return 0;
}
