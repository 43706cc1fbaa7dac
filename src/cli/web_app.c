/* vmlab web app: run the FastCGI application alone. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/units.h"
#include "cli/cmd.h"
#include "cli/subcmd.h"
#include "web/app.h"

struct app_opts {
	const char *listen, *besim;
	uint64_t max_conns, pool;
};

#define F(x) offsetof(struct app_opts, x)
static const struct opt opts[] = {
	CLI_OPT_LISTEN(F(listen), "127.0.0.1:9300"),
	{ "besim", 'b', OPT_STRING, F(besim), .def = "127.0.0.1:9400", .metavar = "ADDR:PORT",
	  .help = "the BeSim to query" },
	{ "max-conns", 0, OPT_COUNT, F(max_conns), .def = "1024", .min = 1, .max = 65536,
	  .help = "web-server connections at once (one thread each)" },
	{ "pool", 0, OPT_COUNT, F(pool), .def = "64", .min = 1, .max = 65536,
	  .help = "idle keep-alive connections to BeSim" },
	{ 0 },
};
#undef F

static const struct cli_usage help = {
	"usage: vmlab web app [--listen ADDR:PORT] [--besim ADDR:PORT] [--max-conns N]\n"
	"                     [--pool N]\n"
	"Runs the FastCGI application of the Banking, Ecommerce and Support pages\n"
	"(/bank/*, /ecommerce/*, /support/*). Each page queries BeSim over a pool of\n"
	"at most --pool idle keep-alive connections and renders HTML naming the\n"
	"page's images; malformed parameters get 400. One thread per web-server\n"
	"connection, at most --max-conns. Stops on SIGINT or SIGTERM. Prints\n"
	"'app listening on HOST:PORT' when ready.\n\n",
	opts,
};

int web_app_main(int argc, char **argv)
{
	struct app_opts o = { 0 };
	struct web_app *app;
	struct err e = { 0 };
	int rc = cli_opts_npos("web app", &help, &o, argc, argv, NULL, 0, 0, NULL, NULL);

	if (rc != CLI_GO)
		return rc;
	if (web_app_new(o.besim, (unsigned)o.pool, &app, &e))
		return cli_fail("web app", &e);
	cli_stop_on_signals();
	rc = web_app_serve(app, o.listen, (unsigned)o.max_conns, &cli_stop, cli_print_listening, "app", &e);
	if (rc) {
		/* after a timeout connection threads may still use it: it stays */
		if (rc != -ETIMEDOUT)
			web_app_free(app);
		return cli_fail("web app", &e);
	}
	web_app_free(app);
	return 0;
}
