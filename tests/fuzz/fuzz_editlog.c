/* libFuzzer target: the edit record parser (IMAGE.vmlab-edit) never
 * crashes; what it accepts serializes back to the same bytes, and what it
 * refuses is named with a byte offset. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest/editlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct editlog l;
	struct err e = { 0 };

	if (editlog_parse("fuzz.vmlab-edit", data, size, &l, &e) == 0) {
		struct sbuf s = SBUF_INIT;

		editlog_serialize(&l, &s);
		if (s.len != size || memcmp(s.buf, data, size))
			abort();
		sbuf_free(&s);
		editlog_free(&l);
	} else if (!strstr(e.msg, "fuzz.vmlab-edit: byte ")) {
		abort();
	}
	return 0;
}
