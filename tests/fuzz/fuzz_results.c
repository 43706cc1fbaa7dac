/* libFuzzer target: the results reader never crashes on any JSON Lines input,
 * whatever it accepts renders as every report format, and the tail
 * classifier's offset stays inside the input. */
#include <stddef.h>
#include <stdint.h>

#include "report/report.h"
#include "run/results.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result_set set = { 0 };
	struct sbuf warn = SBUF_INIT, out = SBUF_INIT;
	struct err e;

	if (results_parse("fuzz", (const char *)data, size, false, &set, NULL, &e) == 0) {
		struct report_opts o = { REPORT_MD, NULL, NULL };
		for (int f = REPORT_MD; f <= REPORT_JSON; f++) {
			o.format = (enum report_format)f;
			(void)report_render(&set, &o, &out, &warn, &e);
			sbuf_reset(&out);
		}
	}
	results_free(&set);
	(void)results_parse("fuzz", (const char *)data, size, true, &set, &warn, &e);
	results_free(&set);
	{
		size_t off;
		enum results_tail t = results_tail((const char *)data, size, &off);
		if (off > size || (t == TAIL_CLEAN && off != size))
			__builtin_trap();
	}
	sbuf_free(&warn);
	sbuf_free(&out);
	return 0;
}
