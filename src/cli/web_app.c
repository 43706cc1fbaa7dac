/* vmlab web app: run the FastCGI application alone. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/units.h"
#include "cli/cmd.h"
#include "cli/stop.h"
#include "cli/subcmd.h"
#include "web/app.h"

static const char usage[] =
	"usage: vmlab web app [--listen ADDR:PORT] [--besim ADDR:PORT] [--max-conns N]\n"
	"                     [--pool N]\n"
	"Runs the FastCGI application of the Banking, Ecommerce and Support pages\n"
	"(/bank/*, /ecommerce/*, /support/*). Each page queries BeSim over a pool of\n"
	"at most --pool (64) idle keep-alive connections and renders HTML naming the\n"
	"page's images; malformed parameters get 400. --listen defaults to\n"
	"127.0.0.1:9300 (port 0: any free port), --besim to 127.0.0.1:9400. One\n"
	"thread per web-server connection, at most --max-conns (1024). Stops on\n"
	"SIGINT or SIGTERM. Prints 'app listening on HOST:PORT' when ready.\n";

int web_app_main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "listen", required_argument, 0, 'l' },
		{ "besim", required_argument, 0, 'b' },
		{ "max-conns", required_argument, 0, 'm' },
		{ "pool", required_argument, 0, 'p' },
		{ "help", no_argument, 0, 'h' },
		{ 0 },
	};
	const char *listen = "127.0.0.1:9300", *besim = "127.0.0.1:9400";
	unsigned max_conns = 1024, pool = 64;
	struct web_app *app;
	struct err e = { 0 };
	uint64_t v;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "l:b:h", lo, NULL)) != -1) {
		switch (c) {
		case 'l':
			listen = optarg;
			break;
		case 'b':
			besim = optarg;
			break;
		case 'm':
		case 'p':
			if (units_parse_count(optarg, &v) || v < 1 || v > 65536)
				return cli_usage_error("web app", "--%s: '%s' is not in 1..65536",
						       c == 'm' ? "max-conns" : "pool", optarg);
			*(c == 'm' ? &max_conns : &pool) = (unsigned)v;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return cli_usage_error("web app", "bad option");
		}
	}
	if (optind != argc)
		return cli_usage_error("web app", "unexpected argument '%s'", argv[optind]);
	if (web_app_new(besim, pool, &app, &e))
		return cli_fail("web app", &e);
	cli_stop_on_signals();
	rc = web_app_serve(app, listen, max_conns, &cli_stop, cli_print_listening, "app", &e);
	if (rc) {
		/* after a timeout connection threads may still use it: it stays */
		if (rc != -ETIMEDOUT)
			web_app_free(app);
		return cli_fail("web app", &e);
	}
	web_app_free(app);
	return 0;
}
