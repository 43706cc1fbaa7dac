/* libFuzzer target: the file-set manifest reader never crashes. */
#include <stddef.h>
#include <stdint.h>

#include "web/fileset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct web_manifest m;
	struct err e;

	if (web_manifest_parse((const char *)data, size, "fuzz", &m, &e) == 0)
		web_manifest_free(&m);
	return 0;
}
