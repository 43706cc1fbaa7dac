/* vmlab web: a SPECweb2005-style web benchmark (server side and load side). */
#include "cli/cmd.h"
#include "cli/subcmd.h"

static const char usage[] =
	"usage: vmlab web SUBCOMMAND [ARGS...]\n"
	"An open web benchmark built on SPECweb2005's published design: nginx\n"
	"serves a static file set and a FastCGI application of the Banking,\n"
	"Ecommerce and Support workloads, backed by BeSim; a session-based load\n"
	"generator measures QoS.\n\n"
	"  serve      start nginx, the application and BeSim (--listen ADDR:PORT)\n"
	"  fileset    write the deterministic static file set\n"
	"  besim      run the backend simulator alone\n"
	"  app        run the FastCGI application alone\n"
	"  bench      raw load, wrk/wrk2-style (-t -c -d [-R])\n"
	"  load       run simulated user sessions against a server\n"
	"  run        one QoS run at a session count: pass or fail\n"
	"  search     largest session count that passes QoS\n"
	"  window     what the clients saw in a window of a load's timeline\n\n"
	"See vmlab-web(1).\n";

static const struct subcmd subs[] = {
	{ "serve", web_serve_main, 1 },
	{ "fileset", web_fileset_main, 1 },
	{ "besim", web_besim_main, 1 },
	{ "app", web_app_main, 1 },
	{ "bench", web_bench_main, 1 },
	{ "load", web_load_main, 1 },
	{ "run", web_run_main, 1 },
	{ "search", web_search_main, 1 },
	{ "window", web_window_main, 1 },
	{ 0 },
};

const struct cmd cmd_web = { "web", "SPECweb2005-style web benchmark", usage, NULL, subs };
