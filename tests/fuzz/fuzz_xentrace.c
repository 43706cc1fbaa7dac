/* libFuzzer target: the xentrace reader and the summary never crash on any
 * bytes, and a file that is accepted is walked and summarized whole. */
#include <stddef.h>
#include <stdint.h>

#include "base/sbuf.h"
#include "xen/xentrace.h"
#include "xen/xtmeta.h"
#include "xen/xtsum.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xt_file *f;
	struct xt_summary *s;
	struct xt_meta m;
	struct err e;

	(void)xt_meta_parse((const char *)data, size, "f", &m, &e);
	if (xt_open_mem(data, size, "f", &f, &e))
		return 0;
	for (int v = XT_SVM; v <= XT_VMX; v++) {
		if (xt_summarize(f, (enum xt_vendor)v, &s, &e) == 0) {
			struct sbuf b = SBUF_INIT;
			xt_summary_json(s, 2.4e9, &b);
			xt_summary_text(s, 2.4e9, &b);
			sbuf_free(&b);
			xt_summary_free(s);
		}
	}
	xt_close(f);
	return 0;
}
