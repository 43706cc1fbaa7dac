/* libFuzzer target: the one record's reader (a benchmark's record as the
 * runner reads it back from its output; a store or web record, with its
 * extras, as the store's readers take it): never a crash; an accepted record
 * written out reads back, and from then on writing and reading changes no
 * byte (the first write may escape invalid UTF-8); a rejected one names a
 * byte offset inside the input and leaves the record empty. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record r, back;
	struct err e = { 0, "" };
	struct sbuf a = SBUF_INIT, b = SBUF_INIT;
	size_t off;
	int pass;

	if (record_from_json((const char *)data, size, &r, &e)) {
		if (sscanf(e.msg, "byte %zu:", &off) != 1 || off > size || r.kind)
			__builtin_trap();
		return 0;
	}
	record_to_json(&r, &a);
	for (pass = 0; pass < 2; pass++) {
		if (record_from_json(a.buf, a.len, &back, &e))
			__builtin_trap();
		sbuf_reset(&b);
		record_to_json(&back, &b);
		record_clear(&back);
		if (pass && (a.len != b.len || memcmp(a.buf, b.buf, a.len)))
			__builtin_trap();
		sbuf_reset(&a);
		sbuf_add(&a, b.buf, b.len);
	}
	record_clear(&r);
	sbuf_free(&a);
	sbuf_free(&b);
	return 0;
}
