/* vmlab xentrace: the hypervisor's view of a command, through Xen's xentrace. */
#include "cli/cmd.h"
#include "cli/subcmd.h"

static const char usage[] =
	"usage: vmlab xentrace SUBCOMMAND [ARGS...]\n"
	"Records Xen's trace buffers around a command with the real xentrace(8) and\n"
	"summarizes the binary trace with vmlab's own reader: VM exits by reason,\n"
	"HVM handler events, PV hypercalls, runstates, per domain and vCPU.\n\n"
	"  record [-e CLASS,...] [-T DURATION] [-o FILE] [--host testbed] [--domain GUEST] -- CMD...\n"
	"                          trace Xen while CMD runs (in dom0 or in GUEST)\n"
	"  summary FILE [--json] [--cpu-hz HZ] [--exit-names svm|vmx]\n"
	"                          summarize a trace as xenalyze --summary does\n\n"
	"A damaged trace: the byte offset where it is wrong, exit status 2.\n"
	"See vmlab-xentrace(1).\n";

static const struct subcmd subs[] = {
	{ "record", xentrace_record_main, 1 },
	{ "summary", xentrace_summary_main, 1 },
	{ 0 },
};

const struct cmd cmd_xentrace = { "xentrace", "record and summarize Xen's trace buffers (xentrace)",
				  usage, NULL, subs };
