/* vmlab web besim: run the backend simulator alone. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/units.h"
#include "cli/cmd.h"
#include "cli/subcmd.h"
#include "web/besim.h"
#include "web/workload.h"

struct besim_opts {
	const char *listen;
	uint64_t threads, sessions;
};

#define F(x) offsetof(struct besim_opts, x)
static const struct opt opts[] = {
	CLI_OPT_LISTEN(F(listen), "127.0.0.1:9400"),
	{ "threads", 't', OPT_COUNT, F(threads), .def = "1", .min = 1, .max = 256,
	  .help = "server threads" },
	{ "sessions", 's', OPT_COUNT, F(sessions), .def = "1", .min = 1, .max = 1000000,
	  .help = "scales the folders named in answers" },
	{ 0 },
};
#undef F

static const struct cli_usage help = {
	"usage: vmlab web besim [--listen ADDR:PORT] [--threads N] [--sessions N]\n"
	"Runs BeSim, the backend simulator the web application queries over\n"
	"keep-alive HTTP/1.1: GET /besim?WORKLOAD&COMMAND&ARG... answered with\n"
	"deterministic records; malformed requests get 400 and the server goes on.\n"
	"Stops on SIGINT or SIGTERM. Prints 'besim listening on HOST:PORT' when ready.\n\n",
	opts,
};

int web_besim_main(int argc, char **argv)
{
	struct besim_opts o = { 0 };
	struct err e = { 0 };
	int rc = cli_opts_npos("web besim", &help, &o, argc, argv, NULL, 0, 0, NULL, NULL);

	if (rc != CLI_GO)
		return rc;
	cli_stop_on_signals();
	if (besim_serve(o.listen, (unsigned)o.threads, web_dirs_for_sessions((unsigned)o.sessions), &cli_stop, cli_print_listening, "besim", &e))
		return cli_fail("web besim", &e);
	return 0;
}
