/* libFuzzer target: BeSim's request parser over a pipelined byte stream, its
 * answers, and the application's parser of those answers never crash, and
 * every answer BeSim writes parses back whole. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "web/besim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct besim_state st = { 1 };
	size_t off = 0;
	const char *d;
	size_t dl;
	int hs;

	while (off < size) {
		struct besim_req r;
		struct sbuf out = SBUF_INIT;
		int n = besim_parse((const char *)data + off, size - off, &r);

		if (n <= 0)
			break;
		besim_respond(&st, &r, &out);
		if (besim_parse_answer(out.buf, out.len, &hs, &d, &dl) != (int)out.len)
			abort();
		sbuf_free(&out);
		off += (size_t)n;
		if (st.dirs > 64)
			st.dirs = 64;
	}
	besim_parse_answer((const char *)data, size, &hs, &d, &dl);
	return 0;
}
