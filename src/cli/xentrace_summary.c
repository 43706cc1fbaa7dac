/* vmlab xentrace summary FILE: VM exits, handler events, hypercalls and
 * runstates per domain and vCPU, from vmlab's reader of the binary trace. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/subcmd.h"
#include "xen/xentrace.h"
#include "xen/xtmeta.h"
#include "xen/xtsum.h"

#define NAME "xentrace summary"
#define DEFAULT_CPU_HZ 2.4e9      /* xenalyze's default */

struct sum_opts {
	bool json;
	double cpu_hz;
	int names;                    /* 0 from the meta file (else svm), 1 svm, 2 vmx */
};

/* "2.4G", "2695.95M", "2695950000": Hz. */
static int parse_hz(const char *arg, void *dst, struct err *e)
{
	char *end;
	double v = strtod(arg, &end), mul = 1;

	if (end == arg)
		return err_set(e, -EINVAL, "'%s': not a frequency such as 2.4G or 2695M", arg);
	if (*end == 'G' || *end == 'g')
		mul = 1e9, end++;
	else if (*end == 'M' || *end == 'm')
		mul = 1e6, end++;
	else if (*end == 'K' || *end == 'k')
		mul = 1e3, end++;
	if (*end == 'H' && end[1] == 'z')
		end += 2;
	if (*end || !(v * mul >= 1e6 && v * mul <= 1e11))
		return err_set(e, -EINVAL, "'%s': not a frequency between 1M and 100G", arg);
	*(double *)dst = v * mul;
	return 0;
}

static const char *const names_words[] = { "auto", "svm", "vmx", NULL };

#define F(x) offsetof(struct sum_opts, x)
static const struct opt opts[] = {
	{ "json", 0, OPT_FLAG, F(json), .help = "print one JSON object" },
	{ "cpu-hz", 0, OPT_CUSTOM, F(cpu_hz), .parse = parse_hz, .metavar = "HZ",
	  .help = "TSC frequency turning cycles into seconds, e.g. 2695.95M (default: FILE.meta's, "
		  "else 2.4G as xenalyze)" },
	{ "exit-names", 0, OPT_ENUM, F(names), .words = names_words, .def = "auto",
	  .metavar = "auto|svm|vmx",
	  .help = "name exit codes as AMD SVM's or Intel VMX's (auto: FILE.meta's, else svm)" },
	{ 0 },
};
#undef F

static const struct cli_usage help = {
	"usage: vmlab xentrace summary FILE [--json] [--cpu-hz HZ] [--exit-names svm|vmx]\n"
	"Reads a trace written by xentrace(8) and prints, per domain and vCPU, the VM\n"
	"exits by reason (count, time, %% of the vCPU's time, mean cycles) counted as\n"
	"xenalyze --summary counts them, the HVM handler events (cpuid, MSR, I/O port,\n"
	"NPF, HLT, interrupts), PV hypercalls by number, runstate time and scheduler\n"
	"switches, and the records the trace says were lost.\n\n",
	opts,
	"\nExit status: 0 ok, 2 bad usage or a damaged trace (the message names the\n"
	"byte offset). See vmlab-xentrace(1).\n",
};

int xentrace_summary_main(int argc, char **argv)
{
	struct sum_opts o = { 0 };
	struct opt_res r;
	struct xt_meta m;
	struct xt_file *f = NULL;
	struct xt_summary *s = NULL;
	struct sbuf out = SBUF_INIT;
	struct err e = { 0 };
	int rc = cli_opts_npos(NAME, &help, &o, argc, argv, &r, 1, 1, "needs the trace FILE", NULL);

	if (rc != CLI_GO)
		return rc;
	if ((rc = xt_meta_load(r.pos[0], &m, &e)) < 0)
		return cli_fail(NAME, &e);
	if (!o.cpu_hz)
		o.cpu_hz = m.cpu_hz > 0 ? m.cpu_hz : DEFAULT_CPU_HZ;
	if (xt_open(r.pos[0], &f, &e))
		return cli_fail(NAME, &e);
	enum xt_vendor v = o.names == 2 ? XT_VMX : o.names == 1 ? XT_SVM : m.have_vendor ? m.vendor : XT_SVM;
	if (xt_summarize(f, v, &s, &e)) {
		xt_close(f);
		return cli_fail(NAME, &e);
	}
	if (o.json)
		xt_summary_json(s, o.cpu_hz, &out);
	else
		xt_summary_text(s, o.cpu_hz, &out);
	fwrite(out.buf, 1, out.len, stdout);
	rc = fflush(stdout) ? 1 : 0;
	sbuf_free(&out);
	xt_summary_free(s);
	xt_close(f);
	return rc;
}
