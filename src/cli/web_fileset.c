/* vmlab web fileset: write the deterministic static file set. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/units.h"
#include "cli/cmd.h"
#include "cli/subcmd.h"
#include "web/fileset.h"

static const char usage[] =
	"usage: vmlab web fileset [--sessions N] [--workload banking|ecommerce|support|all] DIR\n"
	"Writes the static file set of the web workloads under DIR: every page's\n"
	"images, and the session-scaled folders (Banking check images, Ecommerce\n"
	"product images, Support downloads in 6 size classes, ceil(N/4) folders\n"
	"each), with DIR/MANIFEST listing SIZE CHECKSUM PATH per file. Contents are\n"
	"deterministic; an identical set already in DIR is kept.\n";

int web_fileset_main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "sessions", required_argument, 0, 's' },
		{ "workload", required_argument, 0, 'w' },
		{ "seed", required_argument, 0, 'S' },
		{ "help", no_argument, 0, 'h' },
		{ 0 },
	};
	struct web_fileset_opts o = { 1, (1u << WEB_NWORKLOADS) - 1, WEB_FILESET_SEED };
	struct web_fileset_stats st;
	struct err e = { 0 };
	uint64_t v;
	int c;
	char sz[32];

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:w:h", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			if (units_parse_count(optarg, &v) || v < 1 || v > 1000000)
				return cli_usage_error("web fileset", "--sessions: '%s' is not a count in 1..1000000", optarg);
			o.sessions = (unsigned)v;
			break;
		case 'w':
			if (!(o.wl_mask = web_workload_mask(optarg)))
				return cli_usage_error("web fileset", "--workload: unknown workload '%s'", optarg);
			break;
		case 'S':
			if (units_parse_count(optarg, &v))
				return cli_usage_error("web fileset", "--seed: '%s' is not a number", optarg);
			o.seed = v;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return cli_usage_error("web fileset", "bad option");
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("web fileset", "expected one DIR");
	if (web_fileset_write(argv[optind], &o, &st, &e))
		return cli_fail("web fileset", &e);
	printf("%s: %" PRIu64 " files, %s%s\n", argv[optind], st.files,
	       units_fmt_size(st.bytes, sz, sizeof(sz)), st.reused ? " (already in place)" : "");
	return 0;
}
