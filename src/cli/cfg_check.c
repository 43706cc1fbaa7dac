/* vmlab cfg check FILE...: parse xl.cfg files and check the keys that matter. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "base/sbuf.h"
#include "cli/cmd.h"
#include "cli/subcmd.h"
#include "xen/cfgcheck.h"
#include "xen/xlcfg.h"

static bool json;

static const struct opt opts[] = OPT_TABLE_FLAG("json", &json, "print one JSON array instead of lines");

static const struct cli_usage help = {
	"usage: vmlab cfg check [--json] FILE...\n"
	"Parses each FILE with libxlutil's grammar and checks it as xl create would:\n"
	"type/builder, name, memory/maxmem, vcpus/maxvcpus, cpus/cpus_soft, cpu_weight,\n"
	"cap, on_* actions, kernel/bootloader/firmware, disk, vif and pci specs, and\n"
	"settings that the guest type ignores.\n"
	"Prints FILE:LINE:COL: error|warning: MESSAGE lines (--json: one JSON array).\n"
	"Exit status: 2 when any file has an error, 0 otherwise (warnings only).\n\n",
	opts,
};

int cfg_check_main(int argc, char **argv)
{
	struct sbuf out = SBUF_INIT;
	struct opt_res res;
	int bad = 0, first = 1, rc = cli_opts_npos("cfg check", &help, NULL, argc, argv, &res,
							  1, INT_MAX, "no FILE given", NULL);

	if (rc != CLI_GO)
		return rc;
	if (json)
		sbuf_putc(&out, '[');
	for (int i = 1; i <= res.npos; i++) {
		struct xlcfg *c = NULL;
		struct cfg_report r = { 0 };
		struct err e = { 0 };
		if (xlcfg_load(argv[i], &c, &e)) {
			bad = 1;
			if (json) {
				/* e.msg is "FILE:LINE:COL: message" */
				size_t n = strlen(argv[i]);
				int line = 0, col = 0, used = 0;
				const char *m = e.msg;

				if (!strncmp(m, argv[i], n) &&
				    sscanf(m + n, ":%d:%d: %n", &line, &col, &used) == 2 && used)
					m += n + (size_t)used;
				else
					line = col = 0;
				sbuf_printf(&out, "%s{\"file\":", first ? "" : ",");
				json_put_str(&out, argv[i]);
				sbuf_printf(&out, ",\"errors\":1,\"warnings\":0,\"diagnostics\":"
					    "[{\"severity\":\"error\",\"line\":%d,\"col\":%d,"
					    "\"message\":", line, col);
				json_put_str(&out, m);
				sbuf_puts(&out, "}]}");
			} else {
				sbuf_printf(&out, "%s\n", e.msg);
			}
			first = 0;
			continue;
		}
		cfgcheck_run(c, &r);
		if (r.nerrors)
			bad = 1;
		if (json) {
			if (!first)
				sbuf_putc(&out, ',');
			cfg_report_json(&r, argv[i], &out);
		} else {
			cfg_report_text(&r, argv[i], &out);
		}
		first = 0;
		cfg_report_free(&r);
		xlcfg_free(c);
	}
	if (json)
		sbuf_puts(&out, "]\n");
	fputs(sbuf_str(&out), stdout);
	sbuf_free(&out);
	return bad ? 2 : 0;
}
