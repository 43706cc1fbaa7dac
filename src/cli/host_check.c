/* vmlab host check [HOST] [--json]: what the host offers, fact by fact. */
#include "cli/host_cli.h"

#include "base/sbuf.h"
#include "host/check.h"

#include <stddef.h>
#include <stdio.h>

struct check_opts {
	struct host_cli_opts h;
	bool json, raw;
};

#define F(x) offsetof(struct check_opts, x)
static const struct opt opts[] = {
	{ "json", 0, OPT_FLAG, F(json), .help = "print one JSON object instead of lines" },
	{ "raw", 0, OPT_FLAG, F(raw), .help = "print what the host answered, unjudged (one section per command)" },
	HOST_CLI_OPTS(F(h)),
	{ 0 },
};
#undef F

static const struct cli_usage help = {
	"usage: vmlab host check [HOST] [OPTIONS]\n"
	"Asks HOST (default local: this machine's dom0) for what the handout's tasks need:\n"
	"Xen and its scheduler, virt_caps (hvm, hap), IOMMU and PCI passthrough (xl\n"
	"pci-assignable-list, pciback), xentrace, free memory and CPUs, LVM volume groups\n"
	"and bridges. One line per fact, OK or MISSING with what to do and which task\n"
	"needs it. HOST is local, ssh:USER@HOST[:PORT] or testbed[:NAME].\n"
	"Exit status: 0 every fact OK, 1 some MISSING, 2 bad usage or a host that cannot\n"
	"be reached.\n\n",
	opts,
};

int host_check_main(int argc, char **argv)
{
	struct check_opts o = { 0 };
	struct opt_res res;
	struct host h;
	struct host_probe p;
	struct host_fact f[HOST_NFACTS];
	struct sbuf out = SBUF_INIT;
	struct err e = { 0 };
	const char *spec;
	int st = cli_opts_npos("host check", &help, &o, argc, argv, &res, 0, 1, NULL, NULL), missing;

	if (st != CLI_GO)
		return st;
	spec = res.npos ? res.pos[0] : "local";
	if ((st = host_cli_open(spec, &o.h, &h))) {
		opt_free(opts, &o);
		return st;
	}
	if (o.raw) {
		struct sbuf raw = SBUF_INIT;

		st = host_run_ok(&h, host_probe_argv, 120000, &raw, &e) < 0 ? cli_fail(HOST_CLI, &e) : 0;
		fputs(sbuf_str(&raw), stdout);
		sbuf_free(&raw);
		host_close(&h);
		opt_free(opts, &o);
		return st;
	}
	if (host_probe_run(&h, &p, &e) < 0) {
		host_close(&h);
		opt_free(opts, &o);
		return cli_fail(HOST_CLI, &e);
	}
	missing = host_facts_judge(&p, f);
	if (o.json)
		host_facts_json_out(spec, p.hostname, host_is_testbed(&h), f, HOST_NFACTS, &out);
	else {
		sbuf_printf(&out, "host %s (%s%s)\n", spec, p.hostname, host_is_testbed(&h) ? ", a testbed" : "");
		host_facts_text(f, HOST_NFACTS, &out);
	}
	fputs(sbuf_str(&out), stdout);
	sbuf_free(&out);
	host_probe_free(&p);
	host_close(&h);
	opt_free(opts, &o);
	return missing ? 1 : 0;
}
