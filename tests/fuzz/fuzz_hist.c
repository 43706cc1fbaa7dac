/* libFuzzer target: the histogram text reader never crashes, and what it
 * accepts serialises back to the same text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "measure/hist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hist h;
	struct sbuf s = SBUF_INIT;
	struct err e;

	if (hist_parse(&h, (const char *)data, size, "fuzz", &e) == 0) {
		struct hist g;

		hist_serialise(&h, &s);
		if (hist_parse(&g, s.buf, s.len, "again", &e) != 0 ||
		    memcmp(g.counts, h.counts, sizeof(g.counts)) != 0 || g.total != h.total)
			abort();
	}
	sbuf_free(&s);
	return 0;
}
