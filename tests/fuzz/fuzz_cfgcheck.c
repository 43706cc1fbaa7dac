/* libFuzzer target: cfg check never crashes on any config the xl.cfg
 * parser accepts, and every conversion of a config that passes the checks
 * gives a config that parses and passes them too. */
#include <stdint.h>
#include <stdlib.h>

#include "base/sbuf.h"
#include "xen/cfgcheck.h"
#include "xen/convert.h"
#include "xen/xlcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xlcfg *c = NULL;
	struct cfg_report r = { 0 };
	struct err e;

	if (xlcfg_parse("fuzz", (const char *)data, size, &c, &e))
		return 0;
	cfgcheck_run(c, &r);
	if (!r.nerrors) {
		for (int to = GUEST_PV; to <= GUEST_HVM; to++) {
			struct convert_opts o = { .to = to, .kernel = "/k", .ramdisk = "/r",
						  .root_partition = 1 };
			struct convert_result res = { 0 };
			struct xlcfg *d = NULL, *back = NULL;
			struct sbuf text = SBUF_INIT;

			if (xlcfg_parse("fuzz", (const char *)data, size, &d, &e))
				abort();
			if (!convert_config(d, &o, &res, &e)) {
				struct cfg_report r2 = { 0 };

				xlcfg_write(d, &text);
				if (xlcfg_parse("out", text.buf ? text.buf : "", text.len, &back, &e))
					abort();
				cfgcheck_run(back, &r2);
				if (r2.nerrors)
					abort();
				cfg_report_free(&r2);
				xlcfg_free(back);
			}
			sbuf_free(&text);
			sbuf_free(&res.changes);
			sbuf_free(&res.commands);
			xlcfg_free(d);
		}
	}
	cfg_report_free(&r);
	xlcfg_free(c);
	return 0;
}
