/* vmlab web fileset: write the deterministic static file set. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/units.h"
#include "cli/cmd.h"
#include "cli/subcmd.h"
#include "web/fileset.h"

struct fileset_args {
	uint64_t sessions, seed;
	unsigned wl_mask;
};

#define F(x) offsetof(struct fileset_args, x)
static const struct opt opts[] = {
	{ "sessions", 's', OPT_COUNT, F(sessions), .def = "1", .min = 1, .max = 1000000,
	  .help = "simultaneous sessions the set is scaled for" },
	{ "workload", 'w', OPT_CUSTOM, F(wl_mask), .parse = web_workload_opt,
	  .metavar = "banking|ecommerce|support|all", .help = "the workloads (default all)" },
	{ "seed", 0, OPT_COUNT, F(seed), .help = "contents seed (for tests)" },
	{ 0 },
};
#undef F

static const struct cli_usage help = {
	"usage: vmlab web fileset [--sessions N] [--workload banking|ecommerce|support|all] DIR\n"
	"Writes the static file set of the web workloads under DIR: every page's\n"
	"images, and the session-scaled folders (Banking check images, Ecommerce\n"
	"product images, Support downloads in 6 size classes, ceil(N/4) folders\n"
	"each), with DIR/MANIFEST listing SIZE CHECKSUM PATH per file. Contents are\n"
	"deterministic; an identical set already in DIR is kept.\n\n",
	opts,
};

int web_fileset_main(int argc, char **argv)
{
	struct fileset_args a = { 1, WEB_FILESET_SEED, (1u << WEB_NWORKLOADS) - 1 };
	struct web_fileset_opts o;
	struct web_fileset_stats st;
	struct err e = { 0 };
	struct opt_res r;
	char sz[32];
	int rc = cli_opts_npos("web fileset", &help, &a, argc, argv, &r, 1, 1, "expected one DIR",
			       "expected one DIR");

	if (rc != CLI_GO)
		return rc;
	o = (struct web_fileset_opts){ (unsigned)a.sessions, a.wl_mask, a.seed };
	if (web_fileset_write(r.pos[0], &o, &st, &e))
		return cli_fail("web fileset", &e);
	printf("%s: %" PRIu64 " files, %s%s\n", r.pos[0], st.files,
	       units_fmt_size(st.bytes, sz, sizeof(sz)), st.reused ? " (already in place)" : "");
	return 0;
}
