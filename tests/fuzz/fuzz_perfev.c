/* libFuzzer target: the event-list parser and the tracefs id and format
 * readers never crash, and a rejection names a byte inside the input; an
 * accepted list holds only non-empty items; the JSON of a resolved set of
 * generic events parses. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "measure/perfev.h"

/* e->msg starts "byte N: " with N <= size. */
static void check_offset(const struct err *e, size_t size)
{
	unsigned long long off;

	if (sscanf(e->msg, "byte %llu: ", &off) != 1 || off > size)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t = (const char *)data;
	struct perfev_spec s = { 0 };
	struct err e = { 0, "" };
	uint64_t id;

	if (perfev_spec_add(&s, t, size, &e) == 0) {
		for (size_t k = 0; k < s.n; k++)
			if (!s.items[k][0] || strchr(s.items[k], ','))
				abort();
		if (s.n && !strchr(s.items[0], ':')) {
			struct perfev_set set;
			struct sbuf j = SBUF_INIT;
			struct json *root = NULL;

			/* generic names only: nothing outside the process is read */
			for (size_t k = 0; k < s.n; k++)
				if (strchr(s.items[k], ':'))
					goto done;
			if (perfev_resolve(&s, "/nonexistent", "PV", false, &set, NULL) != 0)
				abort();
			perfev_to_json(&set, 1, 0, &j);
			if (json_parse(j.buf, j.len, "", &root, NULL) != 0)
				abort();
			json_free(root);
			sbuf_free(&j);
			perfev_free(&set);
		}
	} else {
		check_offset(&e, size);
		if (s.n)
			abort();
	}
done:
	perfev_spec_free(&s);
	if (perfev_parse_id(t, size, &id, &e) != 0)
		check_offset(&e, size);
	if (perfev_parse_format(t, size, &id, &e) != 0)
		check_offset(&e, size);
	return 0;
}
