/* vmlab web besim: run the backend simulator alone. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/units.h"
#include "cli/cmd.h"
#include "cli/stop.h"
#include "cli/subcmd.h"
#include "web/besim.h"
#include "web/workload.h"

static const char usage[] =
	"usage: vmlab web besim [--listen ADDR:PORT] [--threads N] [--sessions N]\n"
	"Runs BeSim, the backend simulator the web application queries over\n"
	"keep-alive HTTP/1.1: GET /besim?WORKLOAD&COMMAND&ARG... answered with\n"
	"deterministic records; malformed requests get 400 and the server goes on.\n"
	"--listen defaults to 127.0.0.1:9400 (port 0: any free port), --threads to 1,\n"
	"--sessions (scales the folders named in answers) to 1. Stops on SIGINT or\n"
	"SIGTERM. Prints 'besim listening on HOST:PORT' when ready.\n";

int web_besim_main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "listen", required_argument, 0, 'l' },
		{ "threads", required_argument, 0, 't' },
		{ "sessions", required_argument, 0, 's' },
		{ "help", no_argument, 0, 'h' },
		{ 0 },
	};
	const char *listen = "127.0.0.1:9400";
	unsigned threads = 1, sessions = 1;
	struct err e = { 0 };
	uint64_t v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "l:t:s:h", lo, NULL)) != -1) {
		switch (c) {
		case 'l':
			listen = optarg;
			break;
		case 't':
			if (units_parse_count(optarg, &v) || v < 1 || v > 256)
				return cli_usage_error("web besim", "--threads: '%s' is not in 1..256", optarg);
			threads = (unsigned)v;
			break;
		case 's':
			if (units_parse_count(optarg, &v) || v < 1 || v > 1000000)
				return cli_usage_error("web besim", "--sessions: '%s' is not in 1..1000000", optarg);
			sessions = (unsigned)v;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return cli_usage_error("web besim", "bad option");
		}
	}
	if (optind != argc)
		return cli_usage_error("web besim", "unexpected argument '%s'", argv[optind]);
	cli_stop_on_signals();
	if (besim_serve(listen, threads, web_dirs_for_sessions(sessions), &cli_stop, cli_print_listening, "besim", &e))
		return cli_fail("web besim", &e);
	return 0;
}
